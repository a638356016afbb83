"""The course as a static website (Jupyter Book 1.x), built from book.yml and the stored outputs.

``build`` stages the pages in ``_build/book-src`` (an introduction and an API page generated
here, the notation and teaching pages from ``docs/``, the notebooks from ``notebooks/``), writes
Jupyter Book's ``_config.yml`` and ``_toc.yml`` there from ``book.yml`` (the outline is kept in one
place only), and runs ``jupyter-book build`` with warnings as errors into ``_build/html``.
A chapter's *Going deeper* sections (cells tagged ``going-deeper``) are collapsed in the staged copy
(``collapse_going_deeper``): an HTML ``<details>`` element, closed until the reader opens it,
which needs no script and no network. Notebooks
are not executed again: the outputs nbval validated are the ones shown. Everything works
offline (Jupyter Book 2.x fetches its theme from the network; 1.x does not), and math is
rendered by a local MathJax (sphinx-mathjax-offline).
"""

from __future__ import annotations

import importlib
import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from rnnlab.tooling.outline import ROOT, build_dir, outline

__all__ = [
    "API_MODULES",
    "GOING_DEEPER",
    "api_page",
    "build",
    "collapse_going_deeper",
    "intro_page",
]

API_MODULES = ("data", "manual", "shapes", "plots", "explorer", "checks", "train", "profile")


def _text_block(text: str) -> str:
    return "```text\n" + inspect.cleandoc(text or "(no docstring)") + "\n```\n"


def api_page() -> str:
    """The reference of every public rnnlab function, from the docstrings, as Markdown."""
    lines = [
        "# The rnnlab package\n",
        "Every public function of the course's helper package, with the docstring it "
        "shows in `help()`. Shapes use the course notation: L, N, H_in, H, D.\n",
    ]
    for name in API_MODULES:
        module = importlib.import_module(f"rnnlab.{name}")
        lines += [f"## `rnnlab.{name}`\n", _text_block(module.__doc__)]
        for public in module.__all__:
            obj = getattr(module, public)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            try:
                signature = str(inspect.signature(obj))
            except (TypeError, ValueError):
                signature = "(...)"
            lines += [f"### `{public}{signature}`\n", _text_block(obj.__doc__)]
    return "\n".join(lines)


def intro_page(title: str, chapters=None) -> str:
    """The book's first page: what the course is and its chapters (default: book.yml's)."""
    lines = [
        f"# {title}\n",
        "How PyTorch recurrent networks really work, shape by shape. Each chapter is a "
        "notebook: run it in JupyterLab (`rnnlab start` copies the course into a folder of "
        "your own and opens it), or read it here with the outputs the course's tests "
        "validated. Sections headed *Going deeper* are optional: open them when you want "
        "more.\n",
        "## Chapters\n",
    ]
    for number, chapter in enumerate(chapters or outline(), start=1):
        page = Path(chapter.file).stem
        lines.append(f"{number}. [{chapter.title}]({page}.ipynb) ({chapter.minutes} min)")
        lines += [f"   - {objective}" for objective in chapter.objectives]
    lines.append(
        "\nThe [notation](notation.md) page lists every symbol; the "
        "[rnnlab package](api.md) page documents the helper package."
    )
    return "\n".join(lines) + "\n"


# Two of the theme's (pydata-sphinx-theme) components, redone so that every page passes axe-core's
# WCAG 2.1 A/AA rules (tests/test_browser.py): a control's accessible name must contain its
# visible text (rule label-content-name-mismatch, WCAG 2.5.3). The search button shows "Search
# Ctrl+K" but was named "Search": it is named by its text now. The colour-mode button's icons are
# decoration, hidden from assistive technology, so its name is its aria-label.
THEME_TEMPLATES = {
    "search-button-field.html": """\
<button class="btn search-button-field search-button__button pst-js-only" title="{{ _('Search') }}"
 data-bs-placement="bottom" data-bs-toggle="tooltip">
 <i class="fa-solid fa-magnifying-glass" aria-hidden="true"></i>
 <span class="search-button__default-text">{{ _('Search') }}</span>
 <span class="search-button__kbd-shortcut"><kbd class="kbd-shortcut__modifier">Ctrl</kbd>+<kbd
  class="kbd-shortcut__modifier">K</kbd></span>
</button>
""",
    "theme-switcher.html": """\
<button class="btn btn-sm nav-link pst-navbar-icon theme-switch-button pst-js-only"
 aria-label="{{ _('Color mode') }}" data-bs-title="{{ _('Color mode') }}"
 data-bs-placement="bottom" data-bs-toggle="tooltip">
  <i class="theme-switch fa-solid fa-sun fa-lg" data-mode="light" aria-hidden="true"></i>
  <i class="theme-switch fa-solid fa-moon fa-lg" data-mode="dark" aria-hidden="true"></i>
  <i class="theme-switch fa-solid fa-circle-half-stroke fa-lg" data-mode="auto"
   aria-hidden="true"></i>
</button>
""",
}


GOING_DEEPER = "going-deeper"  # the tag on every cell of a "Going deeper: ..." section
_OPEN = '<details class="going-deeper">\n<summary>Going deeper (optional): show this part</summary>'
_CLOSE = "</details>"
_HEADING = re.compile(r"^#{1,6} .*$", re.MULTILINE)


def collapse_going_deeper(nb) -> int:
    """Collapse each run of cells tagged ``going-deeper`` into a ``<details>`` element, in
    place; returns the number of collapsed blocks.

    A heading stays outside, so the page's table of contents still lists the section: the block
    opens after the heading line and closes before the next heading or the end of the run.
    Code cells keep their inputs and outputs; only the staged copy of the book changes.
    """
    import nbformat

    cells, blocks, inside = [], 0, False

    def close():
        nonlocal inside
        if inside:
            cells.append(nbformat.v4.new_markdown_cell(_CLOSE))
            cells[-1].id = f"{cells[-2].get('id', 'cell')}-close"[:64]
            inside = False

    for cell in nb.cells:
        if GOING_DEEPER not in cell.metadata.get("tags", []):
            close()
            cells.append(cell)
            continue
        if cell.cell_type == "markdown":
            pieces = re.split(rf"({_HEADING.pattern})", cell.source, flags=re.MULTILINE)
            text = pieces[0]
            if text.strip() and not inside:
                text, inside, blocks = f"{_OPEN}\n\n{text}", True, blocks + 1
            for heading, after in zip(pieces[1::2], pieces[2::2]):
                if inside:
                    text += f"\n\n{_CLOSE}\n\n"
                text += heading
                inside = bool(after.strip())
                if inside:
                    text, blocks = f"{text}\n\n{_OPEN}\n\n{after.strip()}\n", blocks + 1
            cell.source = text
        elif not inside:
            cells.append(nbformat.v4.new_markdown_cell(_OPEN))
            cells[-1].id = f"{cell.get('id', 'cell')}-open"[:64]
            inside, blocks = True, blocks + 1
        cells.append(cell)
    close()
    nb.cells = cells
    return blocks


def _stage(source: Path, chapters=None, root: Path = ROOT) -> None:
    import nbformat

    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    data = yaml.safe_load((ROOT / "book.yml").read_text(encoding="utf-8"))
    chapters = chapters or outline()
    for chapter in chapters:
        nb = nbformat.read(root / chapter.file, as_version=4)
        collapse_going_deeper(nb)
        nbformat.write(nb, source / Path(chapter.file).name)
    (source / "intro.md").write_text(intro_page(data["title"], chapters), encoding="utf-8")
    for page in ("notation.md", "teaching.md"):
        shutil.copy2(ROOT / "docs" / page, source / page)
    (source / "api.md").write_text(api_page(), encoding="utf-8")
    templates = source / "_templates"
    templates.mkdir()
    for name, text in THEME_TEMPLATES.items():
        (templates / name).write_text(text, encoding="utf-8")
    config = {
        "title": data["title"],
        "author": "the RNN Lab authors",
        "copyright": "2026",
        "only_build_toc_files": True,
        "execute": {"execute_notebooks": "off"},
        "html": {"use_repository_button": False, "home_page_in_navbar": True},
        "sphinx": {
            "config": {
                # Jupyter Book's default extensions without sphinx_thebe (live code through a
                # remote Binder, which an offline course cannot use; with Sphinx 7.4 it also
                # writes its inline script twice per page, a console error), plus the local
                # MathJax of sphinx-mathjax-offline.
                "extensions": [
                    "sphinx_togglebutton",
                    "sphinx_copybutton",
                    "myst_nb",
                    "jupyter_book",
                    "sphinx_comments",
                    "sphinx_external_toc",
                    "sphinx.ext.intersphinx",
                    "sphinx_design",
                    "sphinx_book_theme",
                    "sphinx-mathjax-offline",
                ],
                "templates_path": ["_templates"],  # THEME_TEMPLATES: accessible controls
                "html_show_copyright": False,
                "html_last_updated_fmt": None,
                "html_context": {"default_mode": "light"},  # the theme logs an error without it
            },
        },
    }
    toc = {
        "format": "jb-book",
        "root": "intro",
        "parts": [
            {"caption": "Chapters", "chapters": [{"file": Path(c.file).stem} for c in chapters]},
            {
                "caption": "Reference",
                "chapters": [{"file": "notation"}, {"file": "teaching"}, {"file": "api"}],
            },
        ],
    }
    (source / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    (source / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), "utf-8")


def build(
    out: Path | str | None = None, quiet: bool = True, chapters=None, root: Path = ROOT
) -> Path:
    """Build the book into ``out/html`` (default ``_build/html``, see ``outline.build_dir``).

    ``chapters`` (``outline.Chapter`` entries, their files relative to ``root``) builds a book
    of those only (default: every chapter of book.yml).

    Raises:
        RuntimeError: jupyter-book failed (a warning counts as a failure); its output is
            included in the message.
    """
    out = Path(out) if out else build_dir()
    source, work = out / "book-src", out / "book-work"
    _stage(source, chapters, Path(root))
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [
        str(jupyter_book) if jupyter_book.exists() else "jupyter-book",
        "build",
        str(source),
        "--path-output",
        str(work),
        "-W",
        "--keep-going",
    ]
    if quiet:
        command.append("--quiet")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"jupyter-book build failed:\n{result.stdout}\n{result.stderr}")
    html = out / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.move(str(work / "_build" / "html"), html)
    shutil.rmtree(work)
    return html
