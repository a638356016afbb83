"""The course's figures, drawn with matplotlib at a fixed size so that notebooks stay repeatable.

Every function returns the ``Figure`` it drew (a notebook shows it once, by assigning it or by
ending the cell with it) and accepts ``ax=`` to draw into an existing axes instead.

Shapes: L sequence length, N batch, H hidden size.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from rnnlab.data import CORNER_NAMES, CORNERS

__all__ = ["hidden_trajectories", "square_sequences"]

#: Colours by label: 0 counter-clockwise, 1 clockwise (colour-blind safe pair).
DIRECTION_COLORS = {0: "#d95f02", 1: "#1b9e77"}
DIRECTION_NAMES = {0: "counter-clockwise (0)", 1: "clockwise (1)"}
FIGSIZE = (5.0, 5.0)


def _new_axes(ax, figsize=FIGSIZE):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
        return fig, ax
    return ax.figure, ax


def _as_numpy_list(points, name: str) -> list[np.ndarray]:
    if isinstance(points, torch.Tensor):
        points = points.detach().cpu().numpy()
    if isinstance(points, np.ndarray) and points.ndim == 2:
        points = [points]
    try:
        arrays = [np.asarray(p, dtype=float) for p in points]
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a list of (L, 2) arrays or an (N, L, 2) tensor") from err
    for i, a in enumerate(arrays):
        if a.ndim != 2 or a.shape[1] != 2 or a.shape[0] == 0:
            raise ValueError(
                f"{name} must hold sequences of 2-D points, shape (L, 2); "
                f"sequence {i} has shape {a.shape}"
            )
    return arrays


def _labels(directions, n: int) -> list[int]:
    if directions is None:
        return [1] * n
    labels = [int(d) for d in np.asarray(directions).reshape(-1)]
    if len(labels) != n or not set(labels) <= {0, 1}:
        raise ValueError(
            f"directions must hold one label 0 or 1 per sequence ({n}); "
            f"got {len(labels)} values {sorted(set(labels))}"
        )
    return labels


def _arrows(ax, path: np.ndarray, color: str, alpha: float = 0.9) -> None:
    for start, end in zip(path[:-1], path[1:]):
        ax.annotate(
            "",
            xy=end,
            xytext=start,
            arrowprops={"arrowstyle": "->", "color": color, "lw": 1.5, "alpha": alpha},
        )
    ax.plot(*path[0], "o", color=color, ms=6, alpha=alpha)


def square_sequences(points, directions=None, ax=None, title: str | None = None) -> Figure:
    """Draw sequences of the square-direction data as arrows, coloured by direction.

    A dot marks each sequence's first point; the square's corners A, B, C, D are labelled.

    Shapes: points is a list of (L, 2) arrays or an (N, L, 2) tensor; directions (N,) of 0/1.

    Raises:
        TypeError / ValueError: points are not 2-D points, or labels do not match them.

    Used in: 03_batch_first, 06_classify_directions.
    """
    arrays = _as_numpy_list(points, "points")
    labels = _labels(directions, len(arrays))
    fig, ax = _new_axes(ax)
    for (x, y), name in zip(CORNERS, CORNER_NAMES):
        ax.text(x * 1.32, y * 1.32, name, ha="center", va="center", fontsize=12, color="0.3")
    ax.plot(*np.vstack([CORNERS, CORNERS[:1]]).T, ":", color="0.75", lw=1)
    for path, label in zip(arrays, labels):
        _arrows(ax, path, DIRECTION_COLORS[label])
    for label in sorted(set(labels)):
        ax.plot([], [], color=DIRECTION_COLORS[label], label=DIRECTION_NAMES[label])
    ax.legend(loc="center", fontsize=9, frameon=False)
    ax.set(
        xlim=(-1.6, 1.6),
        ylim=(-1.6, 1.6),
        aspect="equal",
        xlabel="$x_1$",
        ylabel="$x_2$",
        title=title or f"{len(arrays)} sequences",
    )
    return fig


def hidden_trajectories(states, directions=None, ax=None, title: str | None = None) -> Figure:
    """Draw each sequence's hidden states h_1, ..., h_L as a path in the plane (H = 2).

    Shapes: states (N, L, 2), e.g. a batch-first RNN's output with hidden_size=2;
    directions (N,) of 0/1 colours the paths.

    Raises:
        TypeError / ValueError: states is not (N, L, 2), or labels do not match.

    Used in: 06_classify_directions.
    """
    arrays = _as_numpy_list(states, "states")
    labels = _labels(directions, len(arrays))
    fig, ax = _new_axes(ax)
    for path, label in zip(arrays, labels):
        _arrows(ax, path, DIRECTION_COLORS[label], alpha=0.6)
    for label in sorted(set(labels)):
        ax.plot([], [], color=DIRECTION_COLORS[label], label=DIRECTION_NAMES[label])
    ax.legend(fontsize=9, frameon=False)
    ax.set(
        xlim=(-1.1, 1.1),
        ylim=(-1.1, 1.1),
        aspect="equal",
        xlabel="hidden unit 0",
        ylabel="hidden unit 1",
        title=title or "hidden-state trajectories",
    )
    return fig
