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
from matplotlib.patches import FancyArrowPatch, Rectangle

from rnnlab.data import CORNER_NAMES, CORNERS

__all__ = [
    "hidden_trajectories",
    "layout",
    "predictions",
    "square_sequences",
    "timings",
    "training_curves",
    "unrolled",
]

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
    if not arrays:
        raise ValueError(f"{name} holds no sequences to draw")
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
    if isinstance(directions, torch.Tensor):
        directions = directions.detach().cpu().numpy()
    try:
        labels = [int(d) for d in np.asarray(directions).reshape(-1)]
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"directions must hold one label 0 or 1 per sequence ({n}), got "
            f"{type(directions).__name__}"
        ) from err
    if len(labels) != n or not set(labels) <= {0, 1}:
        raise ValueError(
            f"directions must hold one label 0 or 1 per sequence ({n}); "
            f"got {len(labels)} values {sorted(set(labels))}"
        )
    return labels


def _arrows(ax, paths: list[np.ndarray], color: str, alpha: float = 0.9) -> None:
    """One arrow per step of every path, drawn as a single quiver (fast), a dot at each start."""
    starts = np.vstack([p[:-1] for p in paths])  # (steps, 2)
    steps = np.vstack([np.diff(p, axis=0) for p in paths])  # (steps, 2)
    if len(steps):
        ax.quiver(
            *starts.T,
            *steps.T,
            angles="xy",
            scale_units="xy",
            scale=1,
            color=color,
            alpha=alpha,
            width=0.006,
            headwidth=4,
            headlength=5,
        )
    firsts = np.array([p[0] for p in paths])  # (N, 2)
    ax.plot(*firsts.T, "o", color=color, ms=6, alpha=alpha, ls="")


def square_sequences(points, directions=None, ax=None, title: str | None = None) -> Figure:
    """Draw sequences of the square-direction data as arrows, coloured by direction.

    A dot marks each sequence's first point; the square's corners A, B, C, D are labelled.

    Shapes: points is a list of (L, 2) arrays or an (N, L, 2) tensor; directions (N,) of 0/1.

    Raises:
        TypeError / ValueError: points are not 2-D points, or labels do not match them.

    Used in: 03_batch_first, 07_classify_directions.
    """
    arrays = _as_numpy_list(points, "points")
    labels = _labels(directions, len(arrays))
    fig, ax = _new_axes(ax)
    for (x, y), name in zip(CORNERS, CORNER_NAMES):
        ax.text(x * 1.32, y * 1.32, name, ha="center", va="center", fontsize=12, color="0.3")
    ax.plot(*np.vstack([CORNERS, CORNERS[:1]]).T, ":", color="0.75", lw=1)
    for label in sorted(set(labels)):
        _arrows(ax, [p for p, k in zip(arrays, labels) if k == label], DIRECTION_COLORS[label])
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


def _principal_plane(states) -> tuple[np.ndarray, str]:
    """Project (N, L, H) states onto their first two principal components when H > 2."""
    if isinstance(states, torch.Tensor):
        states = states.detach().cpu().numpy()
    try:
        states = np.asarray(states, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"states must be an (N, L, H) tensor of numbers, got {type(states).__name__}"
        ) from err
    if states.ndim != 3 or states.shape[-1] < 2 or 0 in states.shape:
        raise ValueError(f"states must have shape (N, L, H) with H >= 2, got {states.shape}")
    if states.shape[-1] == 2:
        return states, "hidden unit"
    flat = states.reshape(-1, states.shape[-1])  # (N*L, H)
    centred = flat - flat.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    signs = np.sign(vt[:2, np.argmax(np.abs(vt[:2]), axis=1)].diagonal())  # fixed orientation
    plane = centred @ (vt[:2].T * signs)  # (N*L, H) @ (H, 2) -> (N*L, 2)
    return plane.reshape(states.shape[0], states.shape[1], 2), "principal component"


def hidden_trajectories(states, directions=None, ax=None, title: str | None = None) -> Figure:
    """Draw each sequence's hidden states h_1, ..., h_L as a path in the plane.

    With H = 2 the axes are the two hidden units; with H > 2 the states are projected onto
    their first two principal components (computed over all sequences and steps).

    Shapes: states (N, L, H), e.g. a batch-first RNN's output; directions (N,) of 0/1 colours
    the paths.

    Raises:
        TypeError / ValueError: states is not (N, L, H) with H >= 2, or labels do not match.

    Used in: 07_classify_directions.
    """
    plane, axis_name = _principal_plane(states)
    arrays = _as_numpy_list(plane, "states")
    labels = _labels(directions, len(arrays))
    fig, ax = _new_axes(ax)
    for label in sorted(set(labels)):
        paths = [p for p, k in zip(arrays, labels) if k == label]
        _arrows(ax, paths, DIRECTION_COLORS[label], alpha=0.6)
    for label in sorted(set(labels)):
        ax.plot([], [], color=DIRECTION_COLORS[label], label=DIRECTION_NAMES[label])
    ax.legend(fontsize=9, frameon=False)
    limit = max(1.1, float(np.abs(plane).max()) * 1.05)
    ax.set(
        xlim=(-limit, limit),
        ylim=(-limit, limit),
        aspect="equal",
        xlabel=f"{axis_name} 0",
        ylabel=f"{axis_name} 1",
        title=title or "hidden-state trajectories",
    )
    return fig


def training_curves(history, title: str | None = None) -> Figure:
    """Draw the per-epoch losses and, for a classifier, the validation accuracy.

    Shapes: ``history`` is an ``rnnlab.train.History`` (lists of one value per epoch).

    Raises:
        ValueError: the history has no epochs.

    Used in: 07_classify_directions, 08_time_series_windows.
    """
    if not getattr(history, "train_loss", None):
        raise ValueError("history has no epochs to draw: train first")
    epochs = np.arange(1, len(history.train_loss) + 1)
    panels = 2 if history.val_accuracy else 1
    fig, axes = plt.subplots(1, panels, figsize=(4.5 * panels, 3.2), squeeze=False)
    ax = axes[0, 0]
    ax.plot(epochs, history.train_loss, "o-", ms=3, label="training")
    ax.plot(epochs, history.val_loss, "s-", ms=3, label="validation")
    ax.set(xlabel="epoch", ylabel="loss", yscale="log", title=title or "loss")
    ax.legend(frameon=False)
    if panels == 2:
        ax = axes[0, 1]
        ax.plot(epochs, history.val_accuracy, "s-", ms=3, color="C1")
        ax.axhline(0.99, ls=":", color="0.5")
        ax.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0.0, 1.02), title="accuracy")
    fig.tight_layout()
    return fig


def _series(values, name: str) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    try:
        return np.asarray(values, dtype=float).reshape(-1)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a sequence of numbers or a tensor") from err


def predictions(
    truth,
    predicted,
    dt: float = 1.0,
    labels=("truth", "prediction"),
    ax=None,
    title: str | None = None,
) -> Figure:
    """Draw a predicted time series over the true one.

    Shapes: truth (T,) and predicted (T,) (any extra size-1 dimensions are squeezed).

    Raises:
        ValueError: the two series differ in length or are empty.

    Used in: 08_time_series_windows.
    """
    truth, predicted = _series(truth, "truth"), _series(predicted, "predicted")
    if truth.shape != predicted.shape or truth.size == 0:
        raise ValueError(
            f"truth and predicted must be two series of one length, got "
            f"{truth.shape} and {predicted.shape}"
        )
    fig, ax = _new_axes(ax, figsize=(8.0, 3.0))
    time = np.arange(truth.size) * dt
    ax.plot(time, truth, color="0.3", lw=2, label=labels[0])
    ax.plot(time, predicted, "--", color="C3", lw=1.5, label=labels[1])
    ax.set(xlabel="time (s)" if dt != 1.0 else "step", title=title or "")
    ax.legend(frameon=False)
    return fig


_LAYOUTS = {
    "sequence-first": ("(L, N, H_in)", "time step t", "sequence n"),
    "batch-first": ("(N, L, H_in)", "sequence n", "time step t"),
    "unbatched": ("(L, H_in)", "time step t", None),
}


def layout(kind: str, L: int = 4, N: int = 3, H_in: int = 2, ax=None) -> Figure:
    """Draw how a tensor of one of the three RNN input layouts is organised.

    Each panel is one slice along dimension 0 of the tensor: a time step (sequence-first), a
    sequence (batch-first), or the whole tensor (unbatched). A cell's label names the sequence n
    and the time step t it holds, and its colour the sequence, so the same data can be followed
    from one layout to the other.

    Shapes: kind "sequence-first" (L, N, H_in), "batch-first" (N, L, H_in), "unbatched" (L, H_in).

    Raises:
        ValueError: an unknown kind, or sizes outside 1..8.

    Used in: 03_batch_first.
    """
    if not isinstance(kind, str) or kind not in _LAYOUTS:
        raise ValueError(f"kind must be one of {sorted(_LAYOUTS)}, got {kind!r}")
    for name, value in (("L", L), ("N", N), ("H_in", H_in)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
            raise ValueError(f"{name} must be a whole number from 1 to 8, got {value!r}")
    shape, outer, inner = _LAYOUTS[kind]
    n_panels = {"sequence-first": L, "batch-first": N, "unbatched": 1}[kind]
    rows = {"sequence-first": N, "batch-first": L, "unbatched": L}[kind]
    fig, ax = _new_axes(ax, figsize=(8.0, 3.0))
    colors = plt.get_cmap("Pastel1").colors
    gap = H_in + 1.0
    for panel in range(n_panels):
        x0 = panel * gap
        for row in range(rows):
            if kind == "sequence-first":
                t, n = panel, row
            elif kind == "batch-first":
                n, t = panel, row
            else:
                n, t = 0, row
            for feature in range(H_in):
                ax.add_patch(
                    Rectangle(
                        (x0 + feature, -row - 1), 1, 1, facecolor=colors[n % 9], edgecolor="0.3"
                    )
                )
                label = f"t{t}" if kind == "unbatched" else f"n{n} t{t}"
                ax.text(x0 + feature + 0.5, -row - 0.5, label, ha="center", va="center", fontsize=7)
        label = f"x[{panel}]" if kind != "unbatched" else "x"
        ax.text(x0 + H_in / 2, 0.4, label, ha="center", va="bottom", fontsize=10)
    ax.set(xlim=(-0.5, n_panels * gap - 0.5), ylim=(-rows - 1.2, 1.2), aspect="equal")
    ax.axis("off")
    what = f"dimension 0 = {outer}, rows = {inner}" if inner else "rows = time step t"
    ax.set_title(f"{kind}: x is {shape}; {what}; columns = features", fontsize=10)
    return fig


def unrolled(L: int = 4, num_layers: int = 1, bidirectional: bool = False, ax=None) -> Figure:
    """Draw an RNN unrolled in time: one box per layer, direction and time step.

    Arrows show what feeds what: the input enters layer 0, each layer feeds the next, the hidden
    state flows right (forward direction) or left (reverse direction). The boxes whose states
    form ``output`` (the top layer, every step) and ``h_n`` (every layer and direction, at the
    step where that direction ends) are outlined.

    Shapes: output (L, N, D*H) comes from the top row(s); h_n (D*num_layers, N, H) from the
    last box of each row.

    Raises:
        ValueError: L outside 1..8 or num_layers outside 1..4.

    Used in: 02_nn_rnn, 04_stacked, 05_bidirectional.
    """
    if isinstance(L, bool) or not isinstance(L, int) or not 1 <= L <= 8:
        raise ValueError(f"L must be a whole number from 1 to 8, got {L!r}")
    if isinstance(num_layers, bool) or not isinstance(num_layers, int) or not 1 <= num_layers <= 4:
        raise ValueError(f"num_layers must be a whole number from 1 to 4, got {num_layers!r}")
    D = 2 if bidirectional else 1
    fig, ax = _new_axes(ax, figsize=(8.0, 1.6 + 1.3 * num_layers * D))
    rows = [(layer, d) for layer in range(num_layers) for d in range(D)]

    def center(t, row):
        return 1.6 * t, 1.3 * (row + 1)

    for t in range(L):
        x, _ = center(t, -1)
        ax.text(x, 0.0, f"$x_{t}$", ha="center", va="center", fontsize=11)
        # x_t feeds layer 0; layer l (both directions, side by side) feeds layer l + 1
        for layer in range(num_layers):
            below = 0.25 if layer == 0 else center(t, layer * D - 1)[1] + 0.35
            above = center(t, layer * D)[1] - 0.35
            ax.add_patch(
                FancyArrowPatch(
                    (x, below), (x, above), arrowstyle="->", mutation_scale=10, color="0.4"
                )
            )
    for row, (layer, d) in enumerate(rows):
        top = layer == num_layers - 1
        for t in range(L):
            x, y = center(t, row)
            final = t == (L - 1 if d == 0 else 0)
            edge = "black" if final else "0.5"
            face = "#c6dbef" if d == 0 else "#fdd0a2"
            ax.add_patch(
                Rectangle(
                    (x - 0.5, y - 0.35),
                    1.0,
                    0.7,
                    facecolor=face,
                    edgecolor=edge,
                    lw=2.2 if final else 0.8,
                    ls="-" if top or final else ":",
                )
            )
            name = f"l{layer}" + (" rev" if d == 1 else "")
            ax.text(x, y, f"{name}\nt={t}", ha="center", va="center", fontsize=7)
            if t < L - 1:  # the hidden state flows along the row
                x2, _ = center(t + 1, row)
                start, end = (
                    ((x + 0.5, y), (x2 - 0.5, y)) if d == 0 else ((x2 - 0.5, y), (x + 0.5, y))
                )
                ax.add_patch(FancyArrowPatch(start, end, arrowstyle="->", mutation_scale=10))
        label = f"h_n[{row}]"
        x_end, y_end = center(L - 1 if d == 0 else 0, row)
        ax.text(
            x_end + (0.65 if d == 0 else -0.65),
            y_end + 0.45,
            label,
            fontsize=8,
            ha="left" if d == 0 else "right",
        )
    x_last, y_top = center(L - 1, len(rows) - 1)
    ax.text(
        center(0, 0)[0] - 0.6,
        y_top + 0.65,
        "output: top layer, every step" + (" (both directions side by side)" if D == 2 else ""),
        fontsize=9,
    )
    ax.set(xlim=(-1.6, x_last + 1.8), ylim=(-0.5, y_top + 1.0), aspect="equal")
    ax.axis("off")
    return fig


def timings(table: dict, xlabel: str, title: str | None = None, ax=None) -> Figure:
    """Draw median times against a size, one line per implementation, on log-log axes.

    Shapes: ``table`` maps each size (e.g. L) to a dict {implementation name: milliseconds}.

    Raises:
        ValueError: the table is empty or its rows name different implementations.

    Used in: 11_why_fused_is_fast.
    """
    if (
        not isinstance(table, dict)
        or not table
        or not all(isinstance(row, dict) and row for row in table.values())
    ):
        raise ValueError("timings needs at least one row: {size: {name: milliseconds}}")
    sizes = list(table)
    names = list(table[sizes[0]])
    if any(list(row) != names for row in table.values()):
        raise ValueError("every row of the table must time the same implementations")
    fig, ax = _new_axes(ax, figsize=(6.0, 3.5))
    for name in names:
        ax.plot(sizes, [table[size][name] for size in sizes], "o-", label=name)
    ax.set(xlabel=xlabel, ylabel="median time (ms)", xscale="log", yscale="log", title=title or "")
    ax.legend(frameon=False)
    return fig


# --- Chapter 06_gradients_through_time ---------------------------------------------------------

__all__ += ["gradient_norms"]


def gradient_norms(panels: dict, title: str | None = None) -> Figure:
    """Draw ||dh_T/dh_t|| against T - t on a log scale: one panel per activation, one line per
    spectral radius of weight_hh.

    Shapes: ``panels`` maps a panel title (e.g. "tanh") to a dict {line label: norms}, where
    ``norms[k]`` is the norm at T - t = k (a sequence or 1-D tensor of positive numbers).

    Raises:
        ValueError: no panels, a panel without lines, or norms that are empty, not finite,
            not positive or outside [1e-200, 1e200] (a log scale cannot show them).

    Used in: 06_gradients_through_time.
    """
    if not isinstance(panels, dict) or not panels:
        raise ValueError(
            "gradient_norms needs {panel title: {line label: norms}}, e.g. "
            "{'tanh': {'radius 0.5': [1.0, 0.4, ...]}}; got "
            f"{type(panels).__name__} {panels!r:.60}"
        )
    series = {}
    for name, lines in panels.items():
        if not isinstance(lines, dict) or not lines:
            raise ValueError(f"panel {name!r} must map line labels to norms; got {lines!r:.60}")
        for label, norms in lines.items():
            values = _series(norms, f"the norms of {label!r}")
            if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
                raise ValueError(
                    f"the norms of {label!r} in panel {name!r} must be finite and positive "
                    "(a log scale); drop exact zeros or mark them separately"
                )
            if values.max() > 1e200 or values.min() < 1e-200:
                raise ValueError(
                    f"the norms of {label!r} in panel {name!r} must lie between 1e-200 and 1e200 "
                    f"(matplotlib's log axis overflows beyond); got {values.min():.1e} to "
                    f"{values.max():.1e}: stop the curve where it leaves that range"
                )
            series[name, label] = values
    fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.4), squeeze=False)
    for ax, (name, lines) in zip(axes[0], panels.items()):
        for (label, _), style in zip(lines.items(), ("o-", "s-", "^-", "d-", "v-")):
            values = series[name, label]
            ax.plot(np.arange(values.size), values, style, ms=3, label=label)
        ax.axhline(1.0, ls=":", color="0.5")
        ax.set(xlabel="T - t (steps back)", ylabel="||dh_T / dh_t||", yscale="log", title=name)
        ax.legend(frameon=False, fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
