"""reveal.js slide decks of the chapters that work offline, and what each cell is on a slide.

nbconvert's ``SlidesExporter`` loads reveal.js, require.js, jQuery, MathJax and Mermaid from
CDNs by default; offline that gives a plain page. ``build`` installs reveal.js, require.js,
jQuery and MathJax once from the npm registry into ``_build/slides/vendor`` and points every URL
at the local copies. The Mermaid loader is left out of the template: no chapter draws Mermaid
diagrams, and as an ES module it cannot load from a deck opened as a file. The
notebooks carry the slide metadata (``slideshow.slide_type``) that both these decks and
JupyterLab's RISE extension read: headings open a slide, worked solutions come as fragments.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import subprocess
from pathlib import Path

import nbformat

from rnnlab.tooling.files import ToolingError, atomic_write
from rnnlab.tooling.outline import ROOT, build_dir, outline

__all__ = [
    "BUDGET",
    "HEIGHT",
    "NOTES_OVER",
    "RISE_SETTINGS",
    "VENDOR_PACKAGES",
    "WIDTH",
    "annotate",
    "build",
    "layout",
    "measure",
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

#: The screen every slide must fit, in CSS pixels: the deck is laid out at exactly this size.
WIDTH, HEIGHT = 1280, 720
#: Height a slide's cells may fill (the rest is the slide's padding and a safety margin).
BUDGET = 610

# nbconvert's reveal template with: no Mermaid loader (see the module docstring); MathJax
# configured before it loads (no "Loading [MathJax]" box while presenting); a 1280x720 layout
# with a font size at which 100-character code lines (ruff's line length) fit; output text
# that wraps instead of scrolling sideways; Reveal exposed as window.Reveal for the tests.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
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
:root {
  --jp-ui-font-size1: 19px;
  --jp-content-font-size1: 19px;
  --jp-code-font-size: 17px;
  --jp-cell-prompt-width: 0px;
}
.jp-InputPrompt, .jp-OutputPrompt { display: none; }
.reveal .slides { text-align: left; }
.reveal .slides section { padding: 6px 12px !important; box-sizing: border-box; }
.reveal .jp-Cell { padding: 2px 0; }
.reveal .jp-OutputArea-output pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.reveal .jp-RenderedImage img { max-height: 300px; width: auto; }
.reveal .jp-Cell-outputWrapper { max-height: 370px; overflow-y: auto; }
.reveal .jp-Cell-inputWrapper { max-height: 320px; overflow-y: auto; }
.reveal .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"] {
  max-height: 160px; overflow-y: auto; display: flex; flex-direction: column-reverse;
}
.reveal .jp-RenderedHTMLCommon h1 { font-size: 34px; }
.reveal .jp-RenderedHTMLCommon h2 { font-size: 28px; }
.reveal .jp-RenderedHTMLCommon h3 { font-size: 23px; }
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
""".replace("@WIDTH@", str(WIDTH)).replace("@HEIGHT@", str(HEIGHT))

_HEADING_SLIDE, _HEADING_SUBSLIDE = ("# ", "## "), ("### ",)
#: A paragraph of prose taller than this (about eight lines) is told, not shown: it becomes
#: the slide's speaker notes. Tables, lists, equations and code are always shown.
NOTES_OVER = 240


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


def layout(cells, heights: dict[str, float], budget: float = BUDGET) -> list[str]:
    """Slide types for ``cells`` so that no slide is taller than ``budget`` pixels.

    ``heights`` maps a cell id to its rendered height on a slide (``measure``). Headings open
    (sub)slides; a cell that would overflow the current slide opens a subslide instead; a
    markdown cell taller than the whole budget, or a paragraph of prose taller than
    ``NOTES_OVER``, becomes speaker notes (the instructor sees it, the audience does not), and
    so does a cell the author tagged ``notes``.
    A solution stays a fragment of its exercise when both fit, else it opens a subslide.
    """
    types, used = [], 0.0
    for cell in cells:
        height = heights.get(cell.get("id"), 0.0)
        fixed = slide_type(cell)
        tags = cell.metadata.get("tags", [])
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
    if types:
        types[0] = "slide"
    return types


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


def build(out: Path | str | None = None, chapters: list[str] | None = None) -> list[Path]:
    """Write ``<chapter>.slides.html`` for each chapter (default: all, in book.yml order).

    Shapes: not applicable. Returns the paths of the decks written.

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
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}})
        path = out / f"{stem}.slides.html"
        atomic_write(path, body)
        written.append(path)
    return written


_MEASURE = """() => [...document.querySelectorAll('.jp-Cell')].map(c => [
    c.id.replace('cell-id=', ''), c.getBoundingClientRect().height])"""


def measure(nb: nbformat.NotebookNode, out: Path, browser) -> dict[str, float]:
    """Each cell's rendered height on a slide, in CSS pixels, from a deck drawn in Chromium
    (``browser``: a Playwright browser) with one cell per slide."""
    probe = nbformat.from_dict(copy.deepcopy(dict(nb)))
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
#: same 1280x720 layout as the decks, and scrolling as a safety net on a smaller screen.
RISE_SETTINGS = {"width": WIDTH, "height": HEIGHT, "scroll": True, "center": False}

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


def annotate(chapters: list[str] | None = None, browser=None) -> list[Path]:
    """Store the slide layout (``slideshow.slide_type`` of every cell) in the course notebooks,
    from heights measured in Chromium, so that every slide fits a 1280x720 screen in these
    decks and in JupyterLab's RISE. A maintainers' tool: only cell metadata changes, outputs
    stay. Returns the notebooks whose metadata changed.
    """
    known, wanted = _chapters(chapters)
    out = build_dir() / "slides"
    out.mkdir(parents=True, exist_ok=True)
    _vendor(out)
    changed = []
    with contextlib.ExitStack() as stack:
        if browser is None:
            browser = stack.enter_context(_chromium())
        for stem in wanted:
            path = ROOT / known[stem].file
            nb = nbformat.read(path, as_version=4)
            original = nbformat.writes(nb)
            split_title(nb)
            heights = measure(nb, out, browser)
            for cell, kind in zip(nb.cells, layout(nb.cells, heights), strict=True):
                cell.metadata["slideshow"] = {"slide_type": kind}
            nb.metadata["rise"] = dict(RISE_SETTINGS)
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
