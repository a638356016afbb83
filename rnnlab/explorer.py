"""An interactive shape explorer: pick an ``nn.RNN``'s sizes and flags, see every tensor's shape.

``shape_rows(...)`` runs a real ``nn.RNN`` on zeros and returns the shapes of x, h0, output and
h_n with their dimensions named (PyTorch is the reference, not a formula); ``shape_text(...)``
prints them as a table; ``shape_explorer()`` wraps both in an ipywidgets panel with the layout
figure of ``rnnlab.plots.layout``, redrawn on every change. ipywidgets is imported only when the
panel is built, so the rest works without it.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import io
from typing import NamedTuple

import torch
from torch import nn

__all__ = ["DEFAULTS", "ShapeRow", "shape_explorer", "shape_rows", "shape_text"]

#: The panel's starting state: the sizes of chapter 03 (all different), batch-first.
DEFAULTS = {
    "L": 4,
    "N": 3,
    "H_in": 2,
    "H": 5,
    "num_layers": 1,
    "bidirectional": False,
    "batch_first": True,
    "unbatched": False,
}
_SIZES = ("L", "N", "H_in", "H", "num_layers")
_FLAGS = ("bidirectional", "batch_first", "unbatched")


class ShapeRow(NamedTuple):
    """One tensor of the table: its name, its dimensions in course notation, its sizes."""

    tensor: str
    names: str
    shape: tuple[int, ...]


def _settings(kwargs: dict) -> dict:
    unknown = set(kwargs) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown setting(s) {sorted(unknown)}; the settings are {list(DEFAULTS)}")
    cfg = {**DEFAULTS, **kwargs}
    for name in _SIZES:
        value = cfg[name]
        top = 4 if name == "num_layers" else 8
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise ValueError(f"{name} must be a whole number from 1 to {top}, got {value!r}")
    for name in _FLAGS:
        if not isinstance(cfg[name], bool):
            raise ValueError(f"{name} must be True or False, got {cfg[name]!r}")
    return cfg


def _title(cfg: dict) -> str:
    args = [f"input_size={cfg['H_in']}", f"hidden_size={cfg['H']}"]
    args += [f"num_layers={cfg['num_layers']}"] if cfg["num_layers"] != 1 else []
    args += ["bidirectional=True"] if cfg["bidirectional"] else []
    args += ["batch_first=True"] if cfg["batch_first"] else []
    return f"nn.RNN({', '.join(args)})"


def _layout(cfg: dict) -> str:
    if cfg["unbatched"]:
        return "unbatched"
    return "batch-first" if cfg["batch_first"] else "sequence-first"


def shape_rows(**settings) -> list[ShapeRow]:
    """The shapes of x, h0, output and h_n for one configuration, measured by running nn.RNN.

    Settings (defaults in ``DEFAULTS``): L, N, H_in, H (1..8), num_layers (1..4),
    bidirectional, batch_first, unbatched. It builds the RNN inside ``torch.random.fork_rng``,
    so the global random state is left as it was.

    Shapes: x (L, N, H_in), (N, L, H_in) or (L, H_in); h0 and h_n (D*num_layers, N, H) or
    (D*num_layers, H); output like x with D*H features.

    Raises:
        TypeError: an unknown setting.
        ValueError: a size outside its range, or a flag that is not True/False.

    Used in: 03_batch_first.
    """
    cfg = _settings(settings)
    L, N, H_in, H = cfg["L"], cfg["N"], cfg["H_in"], cfg["H"]
    D, layers = (2 if cfg["bidirectional"] else 1), cfg["num_layers"]
    kind = _layout(cfg)
    if kind == "unbatched":
        x_names, x_shape = "(L, H_in)", (L, H_in)
        h_names, h_shape = "(D*num_layers, H)", (D * layers, H)
        out_names = "(L, D*H)"
    elif kind == "batch-first":
        x_names, x_shape = "(N, L, H_in)", (N, L, H_in)
        h_names, h_shape = "(D*num_layers, N, H)", (D * layers, N, H)
        out_names = "(N, L, D*H)"
    else:
        x_names, x_shape = "(L, N, H_in)", (L, N, H_in)
        h_names, h_shape = "(D*num_layers, N, H)", (D * layers, N, H)
        out_names = "(L, N, D*H)"
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        rnn = nn.RNN(
            H_in,
            H,
            num_layers=layers,
            bidirectional=cfg["bidirectional"],
            batch_first=cfg["batch_first"],
        )
        output, h_n = rnn(torch.zeros(x_shape), torch.zeros(h_shape))  # PyTorch accepts h0
    return [
        ShapeRow("input x", x_names, x_shape),
        ShapeRow("h0", h_names, h_shape),
        ShapeRow("output", out_names, tuple(output.shape)),
        ShapeRow("h_n", h_names, tuple(h_n.shape)),
    ]


def _shape(sizes: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(s) for s in sizes) + ")"


def shape_text(**settings) -> str:
    """The table of ``shape_rows`` as plain text, headed by the module that produced it.

    Raises:
        TypeError, ValueError: as ``shape_rows``.

    Used in: 03_batch_first.
    """
    cfg = _settings(settings)
    rows = [("tensor", "dimensions", "shape")]
    rows += [(r.tensor, r.names, _shape(r.shape)) for r in shape_rows(**cfg)]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [f"{_title(cfg)}, {_layout(cfg)} input"]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    if cfg["unbatched"] and cfg["batch_first"]:
        lines.append("note: batch_first=True is ignored for an unbatched (2-D) input")
    return "\n".join(lines)


def _html(cfg: dict) -> str:
    cells = "".join(
        f"<tr><td>{r.tensor}</td><td><code>{r.names}</code></td>"
        f"<td><code>{_shape(r.shape)}</code></td></tr>"
        for r in shape_rows(**cfg)
    )
    note = (
        "<p>batch_first=True is ignored for an unbatched (2-D) input.</p>"
        if cfg["unbatched"] and cfg["batch_first"]
        else ""
    )
    return (
        f"<p><code>{_title(cfg)}</code>, {_layout(cfg)} input</p>"
        "<table><thead><tr><th>tensor</th><th>dimensions</th><th>shape</th></tr></thead>"
        f"<tbody>{cells}</tbody></table>{note}"
    )


def _figure_png(cfg: dict) -> bytes:
    import matplotlib.pyplot as plt

    from rnnlab import plots

    kind = _layout(cfg)
    sizes = {"L": cfg["L"], "H_in": cfg["H_in"]}
    if kind != "unbatched":
        sizes["N"] = cfg["N"]
    fig = plots.layout(kind, **sizes)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=72)
    plt.close(fig)
    return buffer.getvalue()


def shape_explorer(**settings):
    """An ipywidgets panel: sliders and check boxes for the settings, the shapes table and the
    input's layout figure, both redrawn on every change.

    The panel's plain-text form (what a static page or nbval sees) is one fixed line. The
    widgets are in ``panel.controls`` (by setting name), the table in ``panel.table`` (HTML)
    and the figure in ``panel.figure`` (PNG), so the logic can be tested without a browser.

    Raises:
        ImportError: ipywidgets is not installed (``pip install ipywidgets``).
        TypeError, ValueError: as ``shape_rows``, for the starting settings.

    Used in: 03_batch_first.
    """
    try:
        import ipywidgets as widgets
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the shape explorer needs ipywidgets: pip install ipywidgets (the tables of "
            "rnnlab.explorer.shape_text work without it)"
        ) from err
    cfg = _settings(settings)

    class ShapeExplorer(widgets.VBox):
        def __repr__(self) -> str:
            return "ShapeExplorer(): run the notebook to use the sliders"

    style = {"description_width": "initial"}
    controls = {
        name: widgets.IntSlider(
            value=cfg[name],
            min=1,
            max=4 if name == "num_layers" else 8,
            description=name,
            style=style,
            continuous_update=False,
        )
        for name in _SIZES
    }
    controls.update(
        {name: widgets.Checkbox(value=cfg[name], description=name, indent=False) for name in _FLAGS}
    )
    table = widgets.HTML(value=_html(cfg))
    figure = widgets.Image(value=_figure_png(cfg), format="png")

    def redraw(_change=None) -> None:
        now = {name: control.value for name, control in controls.items()}
        controls["N"].disabled = now["unbatched"]  # an unbatched input has no N
        table.value = _html(now)
        figure.value = _figure_png(now)

    for control in controls.values():
        control.observe(redraw, names="value")
    controls["N"].disabled = cfg["unbatched"]
    sliders = widgets.VBox([controls[name] for name in _SIZES])
    boxes = widgets.VBox([controls[name] for name in _FLAGS])
    panel = ShapeExplorer([widgets.HBox([sliders, boxes, table]), figure])
    panel.controls, panel.table, panel.figure = controls, table, figure
    return panel
