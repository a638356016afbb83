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

import shutil
import subprocess
from pathlib import Path

import nbformat

from rnnlab.tooling.outline import ROOT, build_dir, outline

__all__ = ["VENDOR_PACKAGES", "build", "slide_type"]

#: npm packages (exact versions) that the decks load, and the file of each that they use.
VENDOR_PACKAGES = {
    "reveal.js@4.0.2": "reveal.js",
    "requirejs@2.3.7": "requirejs/require.js",
    "jquery@2.2.4": "jquery/dist/jquery.min.js",
    "mathjax@2.7.7": "mathjax/MathJax.js",
}

# nbconvert's reveal template, without its Mermaid loader (see the module docstring).
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def slide_type(cell) -> str:
    """The slide role of a notebook cell as the course lays it out.

    A markdown cell opening with a top heading (# or ##) starts a slide, a ### heading a
    subslide; a worked solution is a fragment (it appears on the next key press); anything
    else continues the current slide.
    """
    first = cell.source.lstrip().split("\n", 1)[0] if cell.source.strip() else ""
    if cell.cell_type == "markdown":
        if first.startswith(("# ", "## ")):
            return "slide"
        if first.startswith("### "):
            return "subslide"
    if "solution" in cell.metadata.get("tags", []):
        return "fragment"
    return "-"


def _vendor(out: Path) -> Path:
    vendor = out / "vendor"
    modules = vendor / "node_modules"
    if not all((modules / path).exists() for path in VENDOR_PACKAGES.values()):
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "rnnlab slides needs npm (Node.js) to fetch reveal.js once: "
                "install Node.js, e.g. `apt-get install nodejs npm`"
            )
        vendor.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(vendor),
                "--no-audit",
                "--no-fund",
                "--silent",
                *VENDOR_PACKAGES,
            ],
            check=True,
        )
    return modules


def build(out: Path | str | None = None, chapters: list[str] | None = None) -> list[Path]:
    """Write ``<chapter>.slides.html`` for each chapter (default: all, in book.yml order).

    Shapes: not applicable. Returns the paths of the decks written.

    Raises:
        RuntimeError: npm is missing and the libraries are not installed yet.
        ValueError: a requested chapter is not in book.yml.
    """
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter

    out = Path(out) if out else build_dir() / "slides"
    out.mkdir(parents=True, exist_ok=True)
    _vendor(out)
    known = {Path(c.file).stem: c for c in outline()}
    wanted = chapters or list(known)
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ValueError(f"not chapters of book.yml: {unknown}; choose from {list(known)}")
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
    written = []
    for stem in wanted:
        nb = nbformat.read(ROOT / known[stem].file, as_version=4)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": stem}})
        path = out / f"{stem}.slides.html"
        path.write_text(body, encoding="utf-8")
        written.append(path)
    return written
