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
    "against_length",
    "hidden_trajectories",
    "layout",
    "loss_curves",
    "predictions",
    "principal_plane",
    "series_in_time",
    "square_sequences",
    "timing_spread",
    "timings",
    "training_curves",
    "trajectories_with_final_states",
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


def _to_numpy(value, name: str):
    """A tensor as a NumPy array a figure can use; other values pass through unchanged.

    Raises:
        ValueError: the tensor is on the meta device (it holds no values). TypeError: complex.
    """
    if not isinstance(value, torch.Tensor):
        return value
    if value.device.type == "meta":
        raise ValueError(
            f"{name} is on the meta device, which holds shapes but no values; compute it on "
            "the CPU to draw it"
        )
    if value.is_complex():
        raise TypeError(f"{name} is complex ({value.dtype}); a figure needs real numbers")
    if value.dtype in (torch.bfloat16, torch.float16):
        value = value.float()  # NumPy has no bfloat16: draw in float32
    return value.detach().cpu().numpy()


def _as_numpy_list(points, name: str) -> list[np.ndarray]:
    points = _to_numpy(points, name)
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
    directions = _to_numpy(directions, "directions")
    try:
        labels = [int(d) for d in np.asarray(directions).reshape(-1)]
    except (TypeError, ValueError, OverflowError) as err:  # OverflowError: int(inf)
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
        xlabel="x (coordinate 0)",
        ylabel="y (coordinate 1)",
        title=title or f"{len(arrays)} sequences",
    )
    return fig


def _principal_plane(states) -> tuple[np.ndarray, str]:
    """Project (N, L, H) states onto their first two principal components when H > 2."""
    states = _to_numpy(states, "states")
    try:
        states = np.asarray(states, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"states must be an (N, L, H) tensor of numbers, got {type(states).__name__}"
        ) from err
    if not np.isfinite(states).all():
        raise ValueError(
            "states hold NaN or inf: the network diverged before they were recorded; train "
            "with a smaller learning rate, or check the input for NaN"
        )
    if states.ndim != 3 or states.shape[-1] < 2 or 0 in states.shape:
        raise ValueError(f"states must have shape (N, L, H) with H >= 2, got {states.shape}")
    if states.shape[-1] == 2:
        return states, "hidden unit"
    flat = states.reshape(-1, states.shape[-1])  # (N*L, H)
    if flat.shape[0] < 2:
        raise ValueError(
            f"a plane through {flat.shape[0]} state needs at least two states (N*L >= 2); "
            f"got states of shape {states.shape}"
        )
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
    values = _to_numpy(values, name)
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
    "sequence-first": ("(L, N, H_in)", "time index t", "sequence n"),
    "batch-first": ("(N, L, H_in)", "sequence n", "time index t"),
    "unbatched": ("(L, H_in)", "time index t", None),
}


def layout(kind: str, L: int = 4, N: int = 3, H_in: int = 2, ax=None) -> Figure:
    """Draw how a tensor of one of the three RNN input layouts is organised.

    Each panel is one slice along dimension 0 of the tensor: a time step (sequence-first), a
    sequence (batch-first), or the whole tensor (unbatched). A cell's label gives the indices of
    the sequence n and of the time step t it holds ("n1 t2": index 1, step 3), and its colour the
    sequence, so the same data can be followed from one layout to the other. Titles say "index t"
    (step t + 1), as the labels do.

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
    what = f"dimension 0 = {outer}, rows = {inner}" if inner else "rows = time index t"
    ax.set_title(f"{kind}: x is {shape}; {what}; columns = features", fontsize=10)
    return fig


def unrolled(L: int = 4, num_layers: int = 1, bidirectional: bool = False, ax=None) -> Figure:
    """Draw an RNN unrolled in time: one box per layer, direction and time step.

    Arrows show what feeds what: the input enters layer 0, each layer feeds the next, the hidden
    state flows right (forward direction) or left (reverse direction). The boxes whose states
    form ``output`` (the top layer, every step) and ``h_n`` (every layer and direction, at the
    step where that direction ends) are outlined.

    Steps are labelled 1 to L, as in the course's prose (column t - 1 is step t).

    Shapes: output (L, N, D*H) comes from the top row(s); h_n (D*num_layers, N, H) from the
    last box of each row.

    Raises:
        ValueError: L outside 1..8 or num_layers outside 1..4.

    Used in: no chapter now (04_stacked and 05_bidirectional draw ``stacked_unrolled`` and
    ``bidirectional_unrolled``).
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
        ax.text(x, 0.0, f"$x_{t + 1}$", ha="center", va="center", fontsize=11)  # step t + 1
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
            ax.text(x, y, f"{name}\nstep {t + 1}", ha="center", va="center", fontsize=7)
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

    Used in: no chapter now (12_inside_nn_rnn draws timing_spread); the lead may retire it.
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


# --- Chapters 01 and 02: one cell unrolled over time ---------------------------------------------

__all__ += ["unrolled_cell"]


def unrolled_cell(L: int = 4, show_outputs: bool = False, ax=None) -> Figure:
    """Draw one RNN cell unrolled over ``L`` steps: ``h0`` enters on the left, ``x_t`` from below.

    Every box is the same cell (the same four parameters); the arrow between box ``t`` and box
    ``t + 1`` is the hidden state ``h_t``, and the last arrow is the final hidden state ``h_L``.
    Steps are counted from 1 as in the equation, so ``x_t`` is ``x[t - 1]`` in Python. With
    ``show_outputs=True`` (chapter 02) each state is also labelled with where ``nn.RNN`` returns
    it: ``output[t - 1]``, and ``h_n[0]`` for the last one.

    Shapes: x_t (N, H_in); h0 and every h_t (N, H).

    Raises:
        ValueError: L is not a whole number from 1 to 8, or show_outputs is not a bool.

    Used in: 01_rnn_cell, 02_nn_rnn.
    """
    if isinstance(L, bool) or not isinstance(L, (int, np.integer)) or not 1 <= L <= 8:
        raise ValueError(f"L must be a whole number from 1 to 8, got {L!r}")
    if not isinstance(show_outputs, bool):
        raise ValueError(f"show_outputs must be True or False, got {show_outputs!r}")
    L = int(L)
    fig, ax = _new_axes(ax, figsize=(1.7 * L + 2.4, 3.2 if show_outputs else 2.7))
    step, half_w, half_h = 1.8, 0.5, 0.38

    def arrow(start, end, color="black"):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="->", mutation_scale=12, color=color))

    ax.text(-1.25, 1.0, "$h_0$ = h0\n(initial)", ha="center", va="center", fontsize=10)
    arrow((-0.75, 1.0), (-half_w, 1.0))
    for t in range(1, L + 1):
        x = step * (t - 1)
        ax.add_patch(
            Rectangle(
                (x - half_w, 1.0 - half_h), 2 * half_w, 2 * half_h, facecolor="#c6dbef", lw=1.0
            )
        )
        ax.text(x, 1.0, "cell", ha="center", va="center", fontsize=10)
        ax.text(x, -0.15, f"$x_{t}$", ha="center", va="center", fontsize=11)
        arrow((x, 0.05), (x, 1.0 - half_h), color="0.35")
        end = x + step - half_w if t < L else x + half_w + 0.8
        arrow((x + half_w, 1.0), (end, 1.0))
        label_x = (x + half_w + end) / 2
        ax.text(label_x, 1.12, f"$h_{t}$", ha="center", va="bottom", fontsize=11)
        if show_outputs:
            name = f"output[{t - 1}]" + ("\n= h_n[0]" if t == L else "")
            ax.text(label_x, 1.55, name, ha="center", va="bottom", fontsize=8, color="#08519c")
    x_end = step * (L - 1) + half_w + 0.85
    ax.text(x_end, 1.0, "final\nstate", ha="left", va="center", fontsize=9)
    ax.text(
        step * (L - 1) / 2,
        -0.65,
        "the same cell (weight_ih, weight_hh, bias_ih, bias_hh) at every step",
        ha="center",
        va="center",
        fontsize=9,
        color="0.3",
    )
    top = 2.35 if show_outputs else 1.7
    ax.set(xlim=(-1.9, x_end + 0.9), ylim=(-0.9, top), aspect="equal")
    ax.axis("off")
    return fig


# --- Chapters 04_stacked and 05_bidirectional (issue 10) ---------------------------------------

__all__ += ["bidirectional_unrolled", "stacked_unrolled"]

_FORWARD_FACE, _REVERSE_FACE = "#c6dbef", "#fdd0a2"


def _check_steps(L, num_layers: int = 1) -> None:
    if isinstance(L, bool) or not isinstance(L, int) or not 1 <= L <= 8:
        raise ValueError(f"L must be a whole number from 1 to 8, got {L!r}")
    if isinstance(num_layers, bool) or not isinstance(num_layers, int) or not 1 <= num_layers <= 4:
        raise ValueError(f"num_layers must be a whole number from 1 to 4, got {num_layers!r}")


def _box(ax, x: float, y: float, text: str, face: str) -> None:
    ax.add_patch(
        Rectangle((x - 0.5, y - 0.35), 1.0, 0.7, facecolor=face, edgecolor="black", lw=1.0)
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=8)


def _arrow(ax, start, end, color: str = "black", rad: float = 0.0, ls: str = "-") -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="->",
            mutation_scale=11,
            color=color,
            ls=ls,
            connectionstyle=f"arc3,rad={rad}",
        )
    )


def stacked_unrolled(L: int = 4, num_layers: int = 2, ax=None) -> Figure:
    """Draw a stacked one-direction RNN unrolled in time, with its initial and final states.

    Row k is layer k (layer 0 at the bottom). Steps are labelled 1 to L, as in the course's
    prose; the code labels give the 0-based index t - 1. x_t = ``x[:, t - 1]`` enters layer 0
    at step t; layer k's state at step t is layer k+1's input at step t. ``h0[k]`` enters row k
    on the left, ``h_n[k]`` leaves it on the right, and ``output[:, t - 1]`` is read from the top
    row only.

    Shapes (batch-first): x (N, L, H_in); h0 and h_n (num_layers, N, H); output (N, L, H).

    Raises:
        ValueError: L outside 1..8 or num_layers outside 1..4.

    Used in: 04_stacked.
    """
    _check_steps(L, num_layers)
    dx, dy = 1.8, 1.3
    width, height = (L - 1) * dx + 4.4, dy * num_layers + 1.7  # data units, drawn at 0.75 in
    fig, ax = _new_axes(ax, figsize=(0.75 * width, 0.75 * height + 0.4))
    for t in range(L):  # index t: step t + 1
        ax.text(t * dx, 0.0, f"$x_{t + 1}$ = x[:, {t}]", ha="center", va="center", fontsize=9)
        _arrow(ax, (t * dx, 0.2), (t * dx, dy - 0.35), color="0.35")
        for k in range(num_layers):
            y = dy * (k + 1)
            _box(ax, t * dx, y, f"layer {k}\nstep {t + 1}", _FORWARD_FACE)
            if k + 1 < num_layers:  # this state is the next layer's input at the same step
                _arrow(ax, (t * dx, y + 0.35), (t * dx, y + dy - 0.35), color="0.35")
            if t + 1 < L:  # the state carried to the next step of the same layer
                _arrow(ax, (t * dx + 0.5, y), ((t + 1) * dx - 0.5, y))
        y_top = dy * num_layers
        _arrow(ax, (t * dx, y_top + 0.35), (t * dx, y_top + 0.8), color="#08519c")
        ax.text(t * dx, y_top + 1.0, f"output[:, {t}]", ha="center", va="center", fontsize=9)
    for k in range(num_layers):
        y = dy * (k + 1)
        _arrow(ax, (-1.1, y), (-0.5, y), color="#6a51a3")
        ax.text(-1.15, y, f"h0[{k}]", ha="right", va="center", fontsize=9, color="#6a51a3")
        x_end = (L - 1) * dx
        _arrow(ax, (x_end + 0.5, y), (x_end + 1.1, y), color="#6a51a3")
        ax.text(x_end + 1.15, y, f"h_n[{k}]", ha="left", va="center", fontsize=9, color="#6a51a3")
    ax.set(xlim=(-2.2, (L - 1) * dx + 2.2), ylim=(-0.4, dy * num_layers + 1.3), aspect="equal")
    ax.set_title(
        f"num_layers={num_layers}: output is the top layer at every step; "
        "h_n[k]: layer k's final state",
        fontsize=9,
    )
    ax.axis("off")
    return fig


def bidirectional_unrolled(L: int = 4, ax=None) -> Figure:
    """Draw a one-layer bidirectional RNN unrolled in time: two chains that both read every x_t.

    Steps are labelled 1 to L, as in the course's prose; the code labels give the 0-based index
    t - 1. The forward chain (bottom row) runs left to right from ``h0[0]`` and ends in
    ``h_n[0]`` at step L, on the right. The reverse chain (top row) runs right to left from
    ``h0[1]`` and ends in ``h_n[1]`` at step 1, on the LEFT. The input of step t, x_t =
    ``x[:, t - 1]``, feeds both chains at step t; ``output[:, t - 1]`` concatenates the forward
    and the reverse state of step t.

    Shapes (batch-first): x (N, L, H_in); h0 and h_n (2, N, H); output (N, L, 2*H).

    Raises:
        ValueError: L outside 1..8.

    Used in: 05_bidirectional.
    """
    _check_steps(L)
    dx, y_fwd, y_rev, y_out = 2.0, 1.3, 2.7, 4.1
    width, height = (L - 1) * dx + 4.8, y_out + 0.9  # data units, drawn at 0.75 in
    fig, ax = _new_axes(ax, figsize=(0.75 * width, 0.75 * height + 0.4))
    for t in range(1, L + 1):  # steps 1..L, drawn at index t - 1
        x = (t - 1) * dx
        ax.text(x, -0.05, f"$x_{t}$ = x[:, {t - 1}]", ha="center", va="center", fontsize=9)
        _arrow(ax, (x, 0.2), (x, y_fwd - 0.35), color="0.35")  # x_t -> forward
        _arrow(ax, (x - 0.25, 0.2), (x - 0.25, y_rev - 0.35), color="0.35", rad=-0.35)
        _box(ax, x, y_fwd, f"forward\nstep {t}", _FORWARD_FACE)
        _box(ax, x, y_rev, f"reverse\nstep {t}", _REVERSE_FACE)
        if t < L:
            _arrow(ax, (x + 0.5, y_fwd), (x + dx - 0.5, y_fwd))  # forward: step t -> t+1
            _arrow(ax, (x + dx - 0.5, y_rev), (x + 0.5, y_rev))  # reverse: step t+1 -> t
        _arrow(ax, (x, y_rev + 0.35), (x - 0.1, y_out - 0.25), color="#08519c")
        _arrow(ax, (x + 0.5, y_fwd + 0.2), (x + 0.15, y_out - 0.25), color="#08519c", rad=0.4)
        ax.text(x, y_out, f"output[:, {t - 1}]", ha="center", va="center", fontsize=9)
    x_end = (L - 1) * dx
    purple = "#6a51a3"
    _arrow(ax, (-1.2, y_fwd), (-0.5, y_fwd), color=purple)
    ax.text(-1.25, y_fwd, "h0[0]", ha="right", va="center", fontsize=9, color=purple)
    _arrow(ax, (x_end + 0.5, y_fwd), (x_end + 1.2, y_fwd), color=purple)
    ax.text(x_end + 1.25, y_fwd, "h_n[0]", ha="left", va="center", fontsize=9, color=purple)
    _arrow(ax, (x_end + 1.2, y_rev), (x_end + 0.5, y_rev), color=purple)
    ax.text(x_end + 1.25, y_rev, "h0[1]", ha="left", va="center", fontsize=9, color=purple)
    _arrow(ax, (-0.5, y_rev), (-1.2, y_rev), color=purple)
    ax.text(-1.25, y_rev, "h_n[1]", ha="right", va="center", fontsize=9, color=purple)
    ax.set(xlim=(-2.4, x_end + 2.4), ylim=(-0.4, y_out + 0.5), aspect="equal")
    ax.set_title(
        "steps 1 to L: both directions read every $x_t$ = x[:, t-1]; "
        "output[:, t-1] = [forward step t, reverse step t]",
        fontsize=9,
    )
    ax.axis("off")
    return fig


# --- 07_classify_directions and 08_time_series_windows ----------------------------------------


def principal_plane(states) -> np.ndarray:
    """The 2-D points that ``hidden_trajectories`` draws: the states themselves when H = 2,
    else their projection onto the first two principal components.

    Shapes: states (N, L, H) -> (N, L, 2) NumPy array.

    Raises:
        ValueError: states is not (N, L, H) with H >= 2.

    Used in: 07_classify_directions.
    """
    return _principal_plane(states)[0]


def trajectories_with_final_states(
    states, directions=None, ax=None, title: str | None = None
) -> Figure:
    """``hidden_trajectories`` with each sequence's final state marked: a large dot, the point
    a classifier reading ``h_n`` sees.

    Shapes: states (N, L, H); directions (N,) of 0/1.

    Raises:
        TypeError / ValueError: as ``hidden_trajectories``.

    Used in: 07_classify_directions.
    """
    fig = hidden_trajectories(states, directions, ax=ax, title=title)
    ax = fig.axes[0] if ax is None else ax
    final = principal_plane(states)[:, -1]  # (N, L, 2) -> (N, 2)
    labels = _labels(directions, len(final))
    for label in sorted(set(labels)):
        chosen = [k == label for k in labels]
        ax.scatter(
            final[chosen, 0],
            final[chosen, 1],
            s=60,
            color=DIRECTION_COLORS[label],
            edgecolors="black",
            linewidths=0.8,
            zorder=3,
            label=f"final state, {DIRECTION_NAMES[label].split(' (')[0]}",
        )
    ax.legend(fontsize=8, frameon=False)
    return fig


def loss_curves(curves: dict, ylabel: str = "validation MSE", title: str | None = None) -> Figure:
    """Draw per-epoch curves of several designs, one colour per design, one line per seed.

    Shapes: ``curves`` maps a design's name to a list of curves (one per seed), each a list of
    one value per epoch.

    Raises:
        ValueError: no curves, or a design with no curve or an empty one.

    Used in: 08_time_series_windows.
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("loss_curves needs {design name: [curve of seed 1, curve of seed 2...]}")
    fig, ax = _new_axes(None, figsize=(6.5, 3.5))
    for index, (name, runs) in enumerate(curves.items()):
        if not isinstance(runs, (list, tuple)) or not runs or not all(len(r) for r in runs):
            raise ValueError(f"design {name!r} needs a list of non-empty curves, one per seed")
        for k, run in enumerate(runs):
            values = _series(run, name)
            epochs = np.arange(1, values.size + 1)
            ax.plot(epochs, values, color=f"C{index}", lw=1, alpha=0.8, label=None if k else name)
    ax.set(xlabel="epoch", ylabel=ylabel, yscale="log", title=title or "")
    ax.legend(frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def series_in_time(
    series, predicted: dict, dt: float, start: int = 0, title: str | None = None
) -> Figure:
    """Draw a recorded series and predictions of it on one time axis, each at its real steps.

    The series is drawn from step ``start`` on; each prediction is a pair (steps, values), the
    step of the series each value predicts, so that every curve sits at its true time,
    step * dt seconds.

    Shapes: series (T,); each prediction: steps (M,) whole numbers, values (M,).

    Raises:
        ValueError: a prediction's steps and values differ in length, or fall outside the
        series.

    Used in: 08_time_series_windows.
    """
    truth = _series(series, "series")
    if not isinstance(predicted, dict):
        raise ValueError("predicted must map a name to a pair (steps, values)")
    fig, ax = _new_axes(None, figsize=(8.0, 3.2))
    time = np.arange(truth.size) * dt
    ax.plot(time[start:], truth[start:], color="0.3", lw=2.5, label="recorded")
    styles = ["--", ":", "-.", (0, (5, 1))]
    for index, (name, pair) in enumerate(predicted.items()):
        steps, values = (_series(v, name) for v in pair)
        if steps.size != values.size or steps.size == 0:
            raise ValueError(
                f"{name!r}: give as many steps as values, got {steps.size}, {values.size}"
            )
        if steps.min() < 0 or steps.max() >= truth.size:
            raise ValueError(f"{name!r}: steps must lie in 0..{truth.size - 1}")
        ax.plot(
            steps * dt,
            values,
            linestyle=styles[index % 4],
            color=f"C{index + 1}",
            lw=1.5,
            label=name,
        )
    ax.set(xlabel="time (s)", ylabel="speed", title=title or "")
    ax.legend(frameon=False, fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


# --- Chapter 10 (GRU and LSTM): a measure against the sequence length --------------------------


def against_length(
    results: dict,
    ylabel: str,
    log: bool = False,
    chance: float | None = None,
    title: str | None = None,
    ax=None,
) -> Figure:
    """Draw one line per model of a measure against T, with every seed as a dot.

    Shapes: ``results`` maps each model's name to {T: [one value per seed]}; the line joins
    the seeds' means (geometric means on a log axis, where an arithmetic mean sits near the
    largest seed), the dots show each seed, so the spread is on the page. Dots are spread a
    little sideways, by model and by seed, so that equal values do not hide one another.

    Raises:
        ValueError: ``results`` is empty, a model has no T, or a T has no values.

    Used in: 10_gru_lstm.
    """
    if not isinstance(results, dict) or not results:
        raise ValueError("against_length needs {model name: {T: [values, one per seed]}}")
    for name, row in results.items():
        if not isinstance(row, dict) or not row or not all(len(v) > 0 for v in row.values()):
            raise ValueError(
                f"against_length: {name!r} needs {{T: [values, one per seed]}}, got {row!r}"
            )
    fig, ax = _new_axes(ax, figsize=(6.0, 3.5))
    all_lengths = sorted({T for row in results.values() for T in row})
    gap = min((b - a for a, b in zip(all_lengths, all_lengths[1:])), default=1.0)
    width = 0.3 * gap / len(results)  # the sideways room of one model's dots
    for k, (name, row) in enumerate(results.items()):
        color = f"C{k}"
        lengths = sorted(row)
        if log:  # geometric mean: the middle of the seeds on a log axis
            means = [float(np.exp(np.mean(np.log(row[T])))) for T in lengths]
        else:
            means = [float(np.mean(row[T])) for T in lengths]
        ax.plot(lengths, means, "-", color=color, label=name)
        for T in lengths:
            n = len(row[T])
            shift = (k - (len(results) - 1) / 2) * width  # this model's place beside T
            spread = [shift + width * 0.8 * ((s + 0.5) / n - 0.5) for s in range(n)]
            ax.plot([T + d for d in spread], row[T], "o", color=color, alpha=0.6, markersize=4)
    if chance is not None:
        ax.axhline(chance, color="grey", linestyle=":", linewidth=1, label="chance")
    ax.set(xlabel="T (steps after the first input)", ylabel=ylabel, title=title or "")
    if log:
        ax.set_yscale("log")
    ax.legend(frameon=False, fontsize=8)
    return fig


# --- Chapter 12, inside nn.RNN ------------------------------------------------------------------


def timing_spread(runs: dict, title: str | None = None, ax=None) -> Figure:
    """Draw each implementation's measured times: every block as a grey tick, a bar over the
    middle half of the blocks (the interquartile range), the median as a black dot, and the
    number of blocks at the right.

    Shapes: ``runs`` maps each implementation's name to a sequence of times in seconds (one per
    measured block, e.g. ``measurement.times`` of ``torch.utils.benchmark``); the figure reads
    them in microseconds, one row per name, in the order given.

    Raises:
        ValueError: ``runs`` is empty, or one of its entries holds no positive finite time.

    Used in: 12_inside_nn_rnn.
    """
    if not isinstance(runs, dict) or not runs:
        raise ValueError("timing_spread needs {name: [seconds, ...]} with at least one name")
    rows = {}
    for name, times in runs.items():
        try:
            values = np.asarray(list(times), dtype=float) * 1e6  # seconds -> microseconds
        except (TypeError, ValueError) as err:
            raise ValueError(f"{name!r}: expected a sequence of times in seconds") from err
        if values.size == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(f"{name!r}: expected positive, finite times in seconds, got {times!r}")
        rows[name] = values
    fig, ax = _new_axes(ax, figsize=(6.5, 0.45 * len(rows) + 1.2))
    right = max(v.max() for v in rows.values())
    for y, values in enumerate(reversed(list(rows.values()))):
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        ax.plot(values, np.full(values.size, y), "|", color="0.6", markersize=12)
        ax.plot([q1, q3], [y, y], color="#7570b3", linewidth=6, solid_capstyle="butt")
        ax.plot(median, y, "o", color="black", markersize=4)
        ax.text(right * 1.04, y, f"{values.size} blocks", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), list(reversed(list(rows))))
    ax.set(xlabel="time per call (microseconds)", xlim=(0, right * 1.22), title=title or "")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


# --- Chapter 06_gradients_through_time ---------------------------------------------------------

__all__ += ["gradient_norms"]


def gradient_norms(panels: dict, title: str | None = None) -> Figure:
    """Draw ||dh_L/dh_t|| against L - t on a log scale: one panel per activation, one line per
    spectral radius of weight_hh.

    Shapes: ``panels`` maps a panel title (e.g. "tanh") to a dict {line label: norms}, where
    ``norms[k]`` is the norm at L - t = k (a sequence or 1-D tensor of positive numbers).

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
        ax.set(
            xlabel="L - t (steps back)",
            ylabel="spectral norm of dh_L/dh_t",
            yscale="log",
            title=name,
        )
        ax.legend(frameon=False, fontsize="small")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- Chapter 03 (batch_first): where reshape and permute put each number ---------------------

__all__ += ["reshape_vs_permute"]  # noqa: PLE0605 - appended per chapter so branches merge


def _check_size(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= 8:
        raise ValueError(f"{name} must be a whole number from 1 to 8, got {value!r}")
    return int(value)


def _grid(ax, cells, title: str, colors, show_order: bool) -> None:
    """Draw a grid of cells [(n, t), ...] row by row; a cell's colour is its sequence n."""
    rows, cols = len(cells), len(cells[0])
    for i, row in enumerate(cells):
        for j, (n, t) in enumerate(row):
            ax.add_patch(Rectangle((j, -i - 1), 1, 1, facecolor=colors[n % 9], edgecolor="0.3"))
            ax.text(j + 0.5, -i - 0.5, f"n{n} t{t}", ha="center", va="center", fontsize=8)
            if show_order:
                ax.text(j + 0.06, -i - 0.1, str(i * cols + j), ha="left", va="top", fontsize=6)
    for i in range(rows):
        ax.text(-0.15, -i - 0.5, f"[{i}]", ha="right", va="center", fontsize=7)
    ax.set(xlim=(-0.8, cols + 0.1), ylim=(-rows - 0.2, 0.9), aspect="equal")
    ax.set_title(title, fontsize=9)
    ax.axis("off")


def reshape_vs_permute(N: int = 3, L: int = 4, axes=None) -> Figure:
    """Draw where each time step of a batch-first tensor lands after ``permute`` and ``reshape``.

    Three grids of the first two dimensions (a cell is one time step's feature vector, labelled
    with the indices of its sequence n and time step t, and coloured by n): the batch-first
    tensor (N, L, ...); ``permute(1, 0, 2)``, where row t holds index t (step t + 1) of every
    sequence; and
    ``reshape(L, N, ...)``, which reads the cells in row-major order of the indices (the small
    numbers) and pours them into L rows of N, mixing sequences and time steps in one row.

    Shapes: batch-first (N, L, H) -> permute (L, N, H) or reshape (L, N, H).

    Raises:
        ValueError: N or L not a whole number from 1 to 8, or ``axes`` not three axes.

    Used in: 03_batch_first.
    """
    N, L = _check_size("N", N), _check_size("L", L)
    if axes is None:
        fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.2))
    else:
        axes = list(axes)
        if len(axes) != 3:
            raise ValueError(f"axes must be three matplotlib axes, got {len(axes)}")
        fig = axes[0].figure
    colors = plt.get_cmap("Pastel1").colors
    batch = [[(n, t) for t in range(L)] for n in range(N)]  # (N, L)
    permuted = [[batch[n][t] for n in range(N)] for t in range(L)]  # (N, L) -> (L, N)
    flat = [cell for row in batch for cell in row]  # row-major reading order
    reshaped = [flat[i * N : (i + 1) * N] for i in range(L)]  # (N*L,) -> (L, N)
    _grid(axes[0], batch, f"batch-first x: ({N}, {L}, ...)\nrow n = sequence n", colors, True)
    _grid(
        axes[1],
        permuted,
        f"x.permute(1, 0, 2): ({L}, {N}, ...)\nrow t = index t (step t+1) of every sequence",
        colors,
        False,
    )
    _grid(
        axes[2],
        reshaped,
        f"x.reshape({L}, {N}, -1): ({L}, {N}, ...)\nthe same reading order, in rows of {N}",
        colors,
        True,
    )
    return fig
