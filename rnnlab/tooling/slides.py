"""reveal.js slide decks of the chapters that work offline, and what each cell is on a slide.

nbconvert's ``SlidesExporter`` loads reveal.js, require.js, jQuery, MathJax and Mermaid from
CDNs by default; offline that gives a plain page. ``build`` installs reveal.js, require.js,
jQuery and MathJax once from the npm registry into ``_build/slides/vendor`` and points every URL
at the local copies. The Mermaid loader is left out of the template: no chapter draws Mermaid
diagrams, and as an ES module it cannot load from a deck opened as a file. The
notebooks carry the slide metadata (``slideshow.slide_type``) that both these decks and
JupyterLab's RISE extension read: headings open a slide, worked solutions come as fragments.

The decks are laid out for a lecture hall (STYLE.md, point 18): code at ``CODE_PX`` and prose
at ``PROSE_PX`` at 1280x720, no box of fixed height. ``hall_notebook`` cuts what does not fit
into slide-sized pieces (a long code cell continues on the next slide, a traceback keeps its
end, a tall markdown cell is laid out block by block) and leaves out the setup cell and the
``going-deeper`` sections unless asked; the notebook itself stays whole. ``annotate`` measures
the pieces in Chromium and stores the layout, keeping every slide type a lecturer set by hand;
``rise_css`` gives RISE the same sizes (``notebooks/rise.css``).
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat

from rnnlab.tooling.files import ToolingError, atomic_write
from rnnlab.tooling.outline import ROOT, build_dir, outline

__all__ = [
    "BUDGET",
    "CODE_PX",
    "CODE_ROWS",
    "GOING_DEEPER",
    "HEIGHT",
    "NOTES_OVER",
    "PROSE_PX",
    "RISE_CSS",
    "RISE_SETTINGS",
    "SLIDE_TYPES",
    "TRACEBACK_ROWS",
    "VENDOR_PACKAGES",
    "WIDTH",
    "annotate",
    "build",
    "hall_notebook",
    "layout",
    "layout_is_current",
    "lecturer_mark",
    "measure",
    "relayout",
    "rise_css",
    "slide_type",
    "split_title",
]

#: npm packages (exact versions) that the decks load, and the file of each that they use.
VENDOR_PACKAGES = {
    "reveal.js@4.0.2": "reveal.js",
    "requirejs@2.3.7": "requirejs/require.js",
    "jquery@2.2.4": "jquery/dist/jquery.min.js",
    "mathjax@2.7.7": "mathjax/MathJax.js",
}

#: The screen every slide must fit, in CSS pixels: the deck is laid out at exactly this size
#: (reveal.js scales it to the projector: 0.8 at 1024x768, nothing hidden).
WIDTH, HEIGHT = 1280, 720
#: Height a slide's cells may fill (the rest is the slide's padding and a safety margin).
BUDGET = 650
#: Rendered sizes at 1280x720, in CSS pixels, read from the back of a lecture hall.
CODE_PX, PROSE_PX = 24, 28
#: Monospace characters per row of a code block on a slide (DejaVu Sans Mono at CODE_PX);
#: a longer line wraps onto the next row (it is never cut or scrolled).
COLUMNS = 84
#: Rows of code (or of text output) one slide shows; a longer cell continues on the next.
CODE_ROWS = 17
#: The last rows of a traceback a slide shows (the error is its last line).
TRACEBACK_ROWS = 9
#: Figures are enlarged by up to this factor (matplotlib's 10-point labels, 14 px at 100 dpi,
#: become about 21 px) within MAX_FIGURE_WIDTH x MAX_FIGURE_HEIGHT.
FIGURE_ZOOM, MAX_FIGURE_WIDTH, MAX_FIGURE_HEIGHT = 1.5, 1240, 560
#: Cell tags the deck tooling adds to the pieces of a split cell (never stored in notebooks).
CONTINUED, CONTINUES, OUTPUT_ONLY = "rnnlab-continued", "rnnlab-continues", "rnnlab-output"
#: Tag of a markdown cell's second and later blocks on a slide (laid out like cells).
PART = "rnnlab-part"
#: Tag of an optional section (every cell of it); such cells stay out of decks by default.
GOING_DEEPER = "going-deeper"

# The lecture-hall stylesheet, shared by the decks and by JupyterLab's RISE (``rise_css``):
# code at CODE_PX and prose at PROSE_PX at 1280x720; nothing in a box of fixed height
# (a long cell continues on the next slide instead, see ``hall_notebook``); long lines wrap.
_HALL_CSS = """
:root {
  --jp-ui-font-size1: @PROSE@px;
  --jp-content-font-size1: @PROSE@px;
  --jp-code-font-size: @CODE@px;
  --jp-code-line-height: 1.25;
  --jp-content-line-height: 1.35;
  --jp-cell-prompt-width: 0px;
}
.reveal .jp-InputPrompt, .reveal .jp-OutputPrompt { display: none; }
.reveal .jp-Cell pre, .reveal .jp-Cell code, .reveal .jp-OutputArea-output pre,
.reveal .jp-Cell .CodeMirror, .reveal .jp-Cell .cm-content, .reveal .jp-Cell .cm-line {
  font-size: @CODE@px !important; line-height: 1.25 !important;
}
.reveal .jp-Cell pre, .reveal .jp-OutputArea-output pre {
  white-space: break-spaces !important; overflow-wrap: anywhere; overflow: visible !important;
  max-height: none !important; margin: 0; width: auto; box-shadow: none;
}
.reveal .jp-Cell-inputWrapper, .reveal .jp-Cell-outputWrapper, .reveal .jp-OutputArea,
.reveal .jp-OutputArea-child, .reveal .jp-OutputArea-output, .reveal .jp-InputArea-editor,
.reveal .jp-Cell .highlight, .reveal .jp-RenderedHTMLCommon, .reveal .jp-InputArea {
  max-height: none !important; overflow: visible !important;
}
.reveal .jp-Collapser { display: none; }
.reveal .jp-InputArea-editor, .reveal .jp-OutputArea-output { margin: 0; }
.reveal .jp-RenderedHTMLCommon, .reveal .jp-RenderedHTMLCommon p,
.reveal .jp-RenderedHTMLCommon li, .reveal .jp-RenderedHTMLCommon td,
.reveal .jp-RenderedHTMLCommon th, .reveal .jp-RenderedHTMLCommon table {
  font-size: @PROSE@px !important; line-height: 1.35;
}
.reveal .jp-RenderedHTMLCommon code { font-size: 0.9em !important; }
.reveal .jp-RenderedHTMLCommon p { margin: 0 0 8px 0; }
.reveal .jp-RenderedHTMLCommon td, .reveal .jp-RenderedHTMLCommon th { padding: 2px 10px; }
.reveal .jp-RenderedHTMLCommon h1 { font-size: 44px !important; margin: 0 0 10px 0; }
.reveal .jp-RenderedHTMLCommon h2 { font-size: 38px !important; margin: 0 0 8px 0; }
.reveal .jp-RenderedHTMLCommon h3 { font-size: 33px !important; margin: 0 0 6px 0; }
.reveal .jp-RenderedImage img { max-width: 100%; height: auto; }
.reveal .celltag_rnnlab-continued .jp-Cell-inputWrapper::before,
.reveal .jp-Cell.celltag_rnnlab-output.celltag_rnnlab-continued::before {
  content: "\\22EF  continued from the previous slide"; display: block; color: #555;
  font: italic 22px sans-serif; margin-bottom: 4px;
}
.reveal .celltag_rnnlab-continues::after {
  content: "continued on the next slide \\2935"; display: block; text-align: right;
  color: #555; font: italic 22px sans-serif;
}
.reveal .celltag_rnnlab-output .jp-Cell-inputWrapper { display: none; }
""".replace("@CODE@", str(CODE_PX)).replace("@PROSE@", str(PROSE_PX))

# nbconvert's reveal template with: no Mermaid loader (see the module docstring); MathJax
# configured before it loads (no "Loading [MathJax]" box while presenting); the lecture-hall
# stylesheet at 1280x720; Reveal exposed as window.Reveal for the tests.
_TEMPLATE = (
    """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {messageStyle: "none", showMathMenu: false, showProcessingMessages: false,
  tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true},
  CommonHTML: {linebreaks: {automatic: true}}};
</script>
<script src="{{ resources.mathjax_url }}?config=TeX-AMS_CHTML"></script>
{%- endblock html_head_js_mathjax -%}
{%- block html_head_css -%}
<style type="text/css">
.reveal .slides { text-align: left; }
.reveal .slides section { padding: 8px 16px !important; box-sizing: border-box; }
.reveal .jp-Cell { padding: 2px 0; }
@CSS@
</style>
{%- endblock html_head_css -%}
{%- block footer_js -%}
<script>
require({waitSeconds: 15},
  ["{{ reveal_url_prefix }}/dist/reveal.js", "{{ reveal_url_prefix }}/plugin/notes/notes.js"],
  function (Reveal, RevealNotes) {
    window.Reveal = Reveal;
    Reveal.initialize({controls: true, progress: true, history: true, transition: "none",
      slideNumber: "c/t", plugins: [RevealNotes], width: @WIDTH@, height: @HEIGHT@,
      margin: 0, center: false});
    Reveal.addEventListener("slidechanged", function () {
      if (window.MathJax && MathJax.Hub) { MathJax.Hub.Queue(["Typeset", MathJax.Hub]); }
    });
  });
</script>
{%- endblock footer_js -%}
""".replace("@WIDTH@", str(WIDTH))
    .replace("@HEIGHT@", str(HEIGHT))
    .replace("@CSS@", _HALL_CSS)
)

_HEADING_SLIDE, _HEADING_SUBSLIDE = ("# ", "## "), ("### ",)
#: A paragraph of prose taller than this (about seven lines at PROSE_PX) is told, not shown:
#: it becomes the slide's speaker notes. Tables, lists, equations and code are always shown.
NOTES_OVER = 280
#: Slide types a lecturer may set by hand (in RISE's or JupyterLab's property inspector).
SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
_LINE_PX = round(CODE_PX * 1.25)  # one row of code or text output
_BOX_PX = 14  # a code block's padding and margins
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _is_prose(cell) -> bool:
    text = cell.source
    return cell.cell_type == "markdown" and not any(
        mark in text for mark in ("|---", "\n- ", "\n* ", "\n1. ", "$$", "```", "<img", "![")
    )


def _first_line(cell) -> str:
    return cell.source.lstrip().split("\n", 1)[0] if cell.source.strip() else ""


def slide_type(cell) -> str:
    """The role a cell must have whatever its size: headings open slides, solutions are
    fragments; for any other cell, ``"-"`` (the layout decides, see ``layout``).

    A markdown cell opening with a top heading (# or ##) starts a slide, a ### heading a
    subslide; a worked solution is a fragment (it appears on the next key press).
    """
    first = _first_line(cell)
    if cell.cell_type == "markdown":
        if first.startswith(_HEADING_SLIDE):
            return "slide"
        if first.startswith(_HEADING_SUBSLIDE):
            return "subslide"
    if "solution" in cell.metadata.get("tags", []):
        return "fragment"
    return "-"


def lecturer_mark(cell) -> str | None:
    """The slide type a lecturer set on ``cell`` by hand, or None when the tooling set it.

    ``annotate`` stores what it wrote in ``slideshow.rnnlab_auto``; a ``slide_type`` that differs
    from it was changed since, by hand. A cell annotated before that record existed keeps a
    ``skip`` (the tooling never wrote one) and is otherwise the tooling's.
    """
    show = cell.metadata.get("slideshow")
    if not isinstance(show, dict):
        return None
    kind = show.get("slide_type", "-")
    if kind not in SLIDE_TYPES:
        return None
    if "rnnlab_auto" in show:
        return None if kind == show["rnnlab_auto"] else kind
    return "skip" if kind == "skip" else None


def layout(
    cells, heights: dict[str, float], budget: float = BUDGET, marks: dict | None = None
) -> list[str]:
    """Slide types for ``cells`` so that no slide is taller than ``budget`` pixels.

    ``heights`` maps a cell id to its rendered height on a slide (``measure``). Headings open
    (sub)slides; a cell that would overflow the current slide opens a subslide instead; a
    markdown cell taller than the whole budget, or a paragraph of prose taller than
    ``NOTES_OVER``, becomes speaker notes (the instructor sees it, the audience does not), and
    so does a cell the author tagged ``notes``. The continuation of a split cell (tagged
    ``CONTINUED`` by ``hall_notebook``) always opens a subslide. ``marks`` maps a cell id to
    the slide type a lecturer set by hand (``lecturer_mark``): it is kept as it is.
    A solution stays a fragment of its exercise when both fit, else it opens a subslide.
    """
    marks = marks or {}
    types, used = [], 0.0
    for cell in cells:
        height = heights.get(cell.get("id"), 0.0)
        fixed = slide_type(cell)
        tags = cell.metadata.get("tags", [])
        mark = marks.get(cell.get("id"))
        if mark is not None:
            types.append(mark)
            if mark in ("slide", "subslide"):
                used = height
            elif mark in ("-", "fragment"):
                used += height
            continue
        if CONTINUED in tags:
            types.append("subslide")
            used = height
            continue
        long_prose = _is_prose(cell) and height > NOTES_OVER
        if cell.cell_type == "markdown" and (
            "notes" in tags or (fixed == "-" and (height > budget or long_prose))
        ):
            types.append("notes")
            continue
        if fixed in ("slide", "subslide"):
            types.append(fixed)
            used = height
        elif used + height <= budget:
            types.append(fixed)
            used += height
        else:
            types.append("subslide")
            used = height
    if types and types[0] not in ("skip", "notes"):
        types[0] = "slide"
    return types


# -- the lecture-hall deck: long cells continue on the next slide ------------------------------


def _rows(text: str) -> int:
    """Rows a text takes in a code block on a slide (a line longer than COLUMNS wraps)."""
    return sum(max(1, -(-len(_ANSI.sub("", line)) // COLUMNS)) for line in text.split("\n"))


def _chunks(lines: list[str], limit: int) -> list[list[str]]:
    """``lines`` cut into runs of at most ``limit`` rows, preferably after a blank line."""
    chunks, current, rows = [], [], 0
    for line in lines:
        need = _rows(line)
        if current and rows + need > limit:
            blanks = [i for i, text in enumerate(current) if not text.strip()]
            cut = blanks[-1] + 1 if blanks and blanks[-1] + 1 >= len(current) // 2 else len(current)
            chunks.append(current[:cut])
            current = current[cut:]
            rows = sum(_rows(text) for text in current)
        current.append(line)
        rows += need
    chunks.append(current)
    return [chunk for chunk in chunks if any(text.strip() for text in chunk)] or [lines]


def _png_size(data: str) -> tuple[int, int] | None:
    import base64
    import struct

    try:
        head = base64.b64decode(data[:64])
        return struct.unpack(">II", head[16:24]) if head[:8] == b"\x89PNG\r\n\x1a\n" else None
    except (ValueError, struct.error):
        return None


def _hall_outputs(outputs) -> list[tuple[dict, float]]:
    """Each output as shown on a slide, with its estimated height in pixels: a traceback keeps
    its last TRACEBACK_ROWS rows under a cue line, a long stream is cut into slide-sized runs,
    a figure is enlarged so its labels read."""
    shown = []
    for output in outputs:
        output = copy.deepcopy(output)
        kind = output.get("output_type")
        if kind == "error":
            lines = "\n".join(output.get("traceback", [])).split("\n")
            if _rows("\n".join(lines)) > TRACEBACK_ROWS + 1:
                tail = _chunks(lines, TRACEBACK_ROWS)[-1]
                cue = f"⋮ {len(lines) - len(tail)} lines above (the notebook shows them all)"
                output["traceback"] = [cue, *tail]
            shown.append((output, _rows("\n".join(output["traceback"])) * _LINE_PX + _BOX_PX))
        elif kind == "stream":
            for chunk in _chunks(output.get("text", "").rstrip("\n").split("\n"), CODE_ROWS):
                piece = copy.deepcopy(output)
                piece["text"] = "\n".join(chunk) + "\n"
                shown.append((piece, _rows(piece["text"]) * _LINE_PX + _BOX_PX))
        else:
            data = output.get("data", {})
            size = _png_size(data["image/png"]) if "image/png" in data else None
            if size:
                width, height = size
                zoom = min(FIGURE_ZOOM, MAX_FIGURE_WIDTH / width, MAX_FIGURE_HEIGHT / height)
                meta = output.setdefault("metadata", {}).setdefault("image/png", {})
                meta["width"], meta["height"] = round(width * zoom), round(height * zoom)
                shown.append((output, height * zoom + _BOX_PX))
            elif "text/html" in data:
                shown.append((output, BUDGET / 2))
            else:
                text = str(data.get("text/plain", ""))
                shown.append((output, _rows(text) * _LINE_PX + _BOX_PX))
    return shown


def _split(cell, kind: str) -> list:
    """A code cell as slide-sized pieces: its input in runs of CODE_ROWS rows, each run after
    the first on a subslide of its own (tagged CONTINUED, the one before CONTINUES); its
    outputs under the last run while they fit the slide, else on subslides of their own."""
    if cell.cell_type == "markdown":
        return _split_markdown(cell, kind)
    base = copy.deepcopy(cell)
    base.metadata["slideshow"] = {"slide_type": kind}
    if cell.cell_type != "code" or kind in ("skip", "notes"):
        return [base]
    tags = list(cell.metadata.get("tags", []))
    cell_id = cell.get("id") or "cell"

    def piece(source: str, extra: tuple[str, ...]):
        made = nbformat.v4.new_code_cell(source)
        made.id = f"{cell_id}-{len(pieces)}"
        made.execution_count = cell.get("execution_count")
        made.metadata["tags"] = [*tags, *extra]
        made.metadata["slideshow"] = {"slide_type": "subslide"}
        return made

    pieces = []
    runs = _chunks(cell.source.split("\n"), CODE_ROWS)
    for number, run in enumerate(runs):
        if number == 0:
            base.source, base.outputs = "\n".join(run), []
            pieces.append(base)
        else:
            pieces[-1].metadata["tags"] = [*pieces[-1].metadata.get("tags", []), CONTINUES]
            pieces.append(piece("\n".join(run), (CONTINUED,)))
    used = _rows("\n".join(runs[-1])) * _LINE_PX + _BOX_PX
    for output, height in _hall_outputs(cell.get("outputs", [])):
        if used + height > BUDGET - 40 and (pieces[-1].outputs or pieces[-1].source.strip()):
            pieces.append(piece("", (CONTINUED, OUTPUT_ONLY)))
            used = 40
        pieces[-1].outputs.append(output)
        used += height
    return pieces


#: Body rows of a markdown table one piece shows (a longer table repeats its header below).
TABLE_ROWS = 6


def _blocks(source: str) -> list[str]:
    """A markdown cell's blocks: its heading, paragraphs, list items, equations, fenced code,
    and its tables in runs of TABLE_ROWS rows under their header; separated by blank lines."""
    found, current, fence = [], [], None
    for line in source.split("\n"):
        mark = line.strip()[:3]
        if fence is None and mark in ("```", "$$"):
            fence = (
                mark
                if not (mark == "$$" and line.strip().endswith("$$") and len(line.strip()) > 2)
                else None
            )
        elif fence is not None and mark == fence:
            fence = None
        if fence is None and (not line.strip() or line.lstrip().startswith("#")) and current:
            found.append(current)
            current = []
        if line.strip() or fence is not None:
            current.append(line)
        if fence is None and line.lstrip().startswith("#") and current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    pieces = []
    for block in found:
        if len(block) > TABLE_ROWS + 2 and block[0].lstrip().startswith("|") and "---" in block[1]:
            head, body = block[:2], block[2:]
            for start in range(0, len(body), TABLE_ROWS):
                pieces.append("\n".join(head + body[start : start + TABLE_ROWS]))
        else:
            pieces.append("\n".join(block))
    return pieces or [source]


def _split_markdown(cell, kind: str) -> list:
    """A markdown cell as one piece per block (``_blocks``); the first keeps the cell's slide
    type, the others take the types ``annotate`` stored in ``slideshow.rnnlab_pieces``."""
    blocks = _blocks(cell.source)
    base = copy.deepcopy(cell)
    base.metadata["slideshow"] = {"slide_type": kind}
    if kind in ("skip", "notes") or len(blocks) < 2:
        return [base]
    stored = cell.metadata.get("slideshow", {}).get("rnnlab_pieces", [])
    base.source = blocks[0]
    pieces = [base]
    for number, block in enumerate(blocks[1:], start=1):
        made = nbformat.v4.new_markdown_cell(block)
        made.id = f"{cell.get('id') or 'cell'}-{number}"
        made.metadata["tags"] = [*cell.metadata.get("tags", []), PART]
        given = stored[number - 1] if number - 1 < len(stored) else "-"
        made.metadata["slideshow"] = {"slide_type": given if given in SLIDE_TYPES else "-"}
        pieces.append(made)
    return pieces


def _setup_index(nb) -> int | None:
    """The setup cell: the notebook's first code cell (one per chapter, see the template)."""
    return next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"), None)


def hall_notebook(nb: nbformat.NotebookNode, optional: bool = False) -> nbformat.NotebookNode:
    """The notebook as the deck shows it (a copy: the notebook itself stays whole).

    Long code cells and outputs are cut into slide-sized pieces (``_split``), tracebacks keep
    their end, figures grow. Unless ``optional``, the setup cell and every cell tagged
    ``going-deeper`` are left out (a note in the speaker view names the optional section), and
    the slide break a left-out cell carried moves to the next cell shown.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    # a progress bar's updates end in \r: show its last state, as JupyterLab does
    nb, _ = CoalesceStreamsPreprocessor().preprocess(copy.deepcopy(nb), {})
    setup = _setup_index(nb)
    cells, carry = [], None
    for index, cell in enumerate(nb.cells):
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        kind = kind if kind in SLIDE_TYPES else "-"
        deeper = GOING_DEEPER in cell.metadata.get("tags", [])
        if not optional and (index == setup or deeper):
            if kind == "slide" or (kind == "subslide" and carry != "slide"):
                carry = kind
            if deeper and _first_line(cell).startswith("#"):
                note = nbformat.v4.new_markdown_cell(
                    "Optional, in the notebook only: " + _first_line(cell).lstrip("# ")
                )
                note.id = f"{cell.get('id') or index}-optional"
                note.metadata["slideshow"] = {"slide_type": "notes"}
                cells.append(note)
            continue
        if carry and kind in ("-", "fragment"):
            kind = carry
        if kind not in ("skip", "notes"):
            carry = None
        cells.extend(_split(cell, kind))
    nb.cells = cells
    return nb


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    exporter = SlidesExporter(
        reveal_theme="white",  # "simple" imports Google Fonts
        extra_loaders=[DictLoader({"rnnlab_slides.html.j2": _TEMPLATE})],
        template_file="rnnlab_slides.html.j2",
    )
    local = {
        name: f"vendor/node_modules/{path}"
        for name, path in zip(
            ("reveal_url_prefix", "require_js_url", "jquery_url", "mathjax_url"),
            VENDOR_PACKAGES.values(),
            strict=True,
        )
    }
    for name, url in local.items():
        setattr(exporter, name, url)
    # a progress bar's updates end in \r: show its last state, as JupyterLab does
    exporter.register_preprocessor(CoalesceStreamsPreprocessor(), enabled=True)
    return exporter


def _vendor(out: Path) -> Path:
    vendor = out / "vendor"
    modules = vendor / "node_modules"
    if not all((modules / path).exists() for path in VENDOR_PACKAGES.values()):
        npm = shutil.which("npm")
        if npm is None:
            raise ToolingError(
                "rnnlab slides needs npm (Node.js) to fetch reveal.js once: "
                "install Node.js, e.g. `apt-get install nodejs npm`"
            )
        vendor.mkdir(parents=True, exist_ok=True)
        # Fail fast when the registry cannot be reached: npm's defaults retry for minutes.
        run = subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(vendor),
                "--no-audit",
                "--no-fund",
                "--silent",
                "--fetch-retries=1",
                "--fetch-retry-mintimeout=2000",
                "--fetch-retry-maxtimeout=5000",
                "--fetch-timeout=30000",
                *VENDOR_PACKAGES,
            ],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            reason = " ".join((run.stderr or run.stdout).split())[:200]
            raise ToolingError(
                f"npm could not fetch the slide libraries ({', '.join(VENDOR_PACKAGES)}): "
                f"{reason or 'no reason given'}. They are needed once: connect to the npm "
                "registry and run again, or copy _build/slides/vendor from a machine that has it"
            )
    return modules


def _chapters(chapters: list[str] | None) -> tuple[dict, list[str]]:
    known = {Path(c.file).stem: c for c in outline()}
    wanted = [Path(c).stem for c in chapters] if chapters else list(known)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ToolingError(
            f"not chapters of book.yml: {', '.join(unknown)}; choose from {', '.join(known)}"
        )
    return known, wanted


def layout_is_current(nb: nbformat.NotebookNode) -> bool:
    """Whether every cell of ``nb`` carries a slide type stored by this tooling's ``annotate``
    (or set by a lecturer), rather than none or one from before the lecture-hall layout."""
    return all(
        "rnnlab_auto" in cell.metadata.get("slideshow", {}) or lecturer_mark(cell)
        for cell in nb.cells
    )


def build(
    out: Path | str | None = None,
    chapters: list[str] | None = None,
    optional: bool = False,
    browser=None,
) -> list[Path]:
    """Write ``<chapter>.slides.html`` for each chapter (default: all, in book.yml order).

    The decks follow the slide types stored in the notebooks (``annotate``, and a lecturer's
    own marks), laid out for a lecture hall by ``hall_notebook``; ``optional`` brings back the
    setup cell and the ``going-deeper`` sections. With ``browser`` (a Playwright browser), a
    chapter whose stored layout is not current (``layout_is_current``) is laid out afresh in
    memory first, as ``annotate`` would (the notebook is not written). Shapes: not applicable.
    Returns the paths of the decks written.

    Raises:
        ToolingError: a requested chapter is not in book.yml (said before anything is fetched);
            npm is missing or cannot reach the registry while the libraries are not there yet.
    """
    known, wanted = _chapters(chapters)
    out = Path(out) if out else build_dir() / "slides"
    out.mkdir(parents=True, exist_ok=True)
    _vendor(out)
    exporter = _exporter()
    written = []
    for stem in wanted:
        nb = nbformat.read(ROOT / known[stem].file, as_version=4)
        if browser is not None and not layout_is_current(nb):
            split_title(nb)
            relayout(nb, measure(nb, out, browser))
        nb = hall_notebook(nb, optional)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}})
        path = out / f"{stem}.slides.html"
        atomic_write(path, body)
        written.append(path)
    return written


_MEASURE = """() => [...document.querySelectorAll('.jp-Cell')].map(c => [
    c.id.replace('cell-id=', ''), c.getBoundingClientRect().height])"""


def measure(nb: nbformat.NotebookNode, out: Path, browser) -> dict[str, float]:
    """The rendered height on a slide, in CSS pixels, of each piece of ``nb`` as the deck shows
    it (``hall_notebook`` with the optional cells), from a deck drawn in Chromium (``browser``:
    a Playwright browser) with one piece per slide."""
    probe = hall_notebook(nb, optional=True)
    for cell in probe.cells:
        cell.metadata["slideshow"] = {"slide_type": "slide"}
    path = out / "_measure.slides.html"
    body, _ = _exporter().from_notebook_node(probe, resources={"metadata": {"name": "measure"}})
    atomic_write(path, body)
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page.goto(path.resolve().as_uri())
        page.wait_for_selector(".reveal.ready")
        page.wait_for_function(
            "[...document.images].every(i => i.complete) && "
            "(!window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0)"
        )
        page.add_style_tag(content=".reveal .slides section { display: block !important; }")
        return dict(page.evaluate(_MEASURE))
    finally:
        page.close()
        path.unlink(missing_ok=True)


#: Settings for JupyterLab's RISE (live presenting), stored in every notebook's metadata: the
#: same 1280x720 layout as the decks, and scrolling as a safety net for a cell RISE cannot cut.
RISE_SETTINGS = {"width": WIDTH, "height": HEIGHT, "scroll": True, "center": False}
#: Where RISE reads a stylesheet: ``rise.css`` in the notebook's folder.
RISE_CSS = "notebooks/rise.css"


def rise_css() -> str:
    """The stylesheet RISE loads from the notebooks' folder: the decks' lecture-hall sizes."""
    return (
        "/* The lecture-hall sizes of the decks, for JupyterLab's RISE (it reads rise.css beside\n"
        "   the notebooks). Written by `rnnlab slides --annotate` from rnnlab/tooling/slides.py;\n"
        "   edit it there. */\n" + _HALL_CSS.lstrip("\n")
    )


_OBJECTIVES = "**What you will learn**"


def split_title(nb: nbformat.NotebookNode) -> bool:
    """Put the objectives and prerequisites in a cell of their own after the title, so that the
    title slide stays short; returns whether the notebook changed (it is idempotent)."""
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "markdown" or _OBJECTIVES not in first.source:
        return False
    head, _, tail = first.source.partition(_OBJECTIVES)
    if not head.strip():
        return False
    first.source = head.rstrip() + "\n"
    rest = nbformat.v4.new_markdown_cell(_OBJECTIVES + tail)
    rest.id = f"{first.get('id', 'c000')}-objectives"
    nb.cells.insert(1, rest)
    return True


def relayout(nb: nbformat.NotebookNode, heights: dict[str, float]) -> None:
    """Store in ``nb`` the slide types that ``layout`` gives its pieces (``hall_notebook``),
    keeping every mark a lecturer set by hand (``lecturer_mark``)."""
    marks = {cell.get("id"): mark for cell in nb.cells if (mark := lecturer_mark(cell))}
    pieces = hall_notebook(nb, optional=True).cells
    kinds = dict(zip((p.get("id") for p in pieces), layout(pieces, heights, marks=marks)))
    parts: dict[str, list[str]] = {}
    for piece in pieces:
        if PART in piece.metadata.get("tags", []):
            parts.setdefault(piece.get("id").rsplit("-", 1)[0], []).append(kinds[piece.get("id")])
    for cell in nb.cells:
        cell_id = cell.get("id")
        if cell_id not in marks:
            kind = kinds.get(cell_id, "-")
            cell.metadata["slideshow"] = {"slide_type": kind, "rnnlab_auto": kind}
        show = cell.metadata["slideshow"]
        if cell_id in parts:
            show["rnnlab_pieces"] = parts[cell_id]
        else:
            show.pop("rnnlab_pieces", None)
    nb.metadata["rise"] = dict(RISE_SETTINGS)


def annotate(chapters: list[str] | None = None, browser=None) -> list[Path]:
    """Store the slide layout (``slideshow.slide_type`` of every cell) in the course notebooks,
    from heights measured in Chromium, so that every slide fits a 1280x720 screen in these
    decks (and, cell by cell, in JupyterLab's RISE), and write RISE's ``rise.css``. A
    maintainers' tool: only cell metadata changes, outputs stay, and a slide type a lecturer
    set by hand (skip, notes, a slide break) stays. Returns the notebooks whose metadata
    changed.
    """
    known, wanted = _chapters(chapters)
    out = build_dir() / "slides"
    out.mkdir(parents=True, exist_ok=True)
    _vendor(out)
    css = ROOT / RISE_CSS
    if not css.is_file() or css.read_text(encoding="utf-8") != rise_css():
        atomic_write(css, rise_css())
    changed = []
    with contextlib.ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(_chromium())
        for stem in wanted:
            path = ROOT / known[stem].file
            nb = nbformat.read(path, as_version=4)
            original = nbformat.writes(nb)
            split_title(nb)
            relayout(nb, measure(nb, out, browser))
            if nbformat.writes(nb) != original:
                atomic_write(path, nbformat.writes(nb) + "\n")
                changed.append(path)
    return changed


@contextlib.contextmanager
def _chromium():
    """Debian's Chromium driven by Playwright (never a browser download)."""
    executable = os.environ.get("RNNLAB_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        raise ToolingError("measuring slides needs Chromium: `apt-get install chromium`")
    from playwright.sync_api import sync_playwright

    flags = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=flags)
        try:
            yield browser
        finally:
            browser.close()
