"""The course as a static website (Jupyter Book 1.x), built from book.yml and the stored outputs.

``build`` stages the pages in ``_build/book-src`` (an introduction and an API page generated
here, the notation page from ``docs/``, the notebooks from ``notebooks/``), writes Jupyter Book's
``_config.yml`` and ``_toc.yml`` there from ``book.yml`` (the outline is kept in one place
only), and runs ``jupyter-book build`` with warnings as errors into ``_build/html``. Notebooks
are not executed again: the outputs nbval validated are the ones shown. Everything works
offline (Jupyter Book 2.x fetches its theme from the network; 1.x does not), and math is
rendered by a local MathJax (sphinx-mathjax-offline).
"""

from __future__ import annotations

import importlib
import inspect
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from rnnlab.tooling.outline import ROOT, build_dir, outline

__all__ = ["API_MODULES", "api_page", "build", "intro_page"]

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


def intro_page(title: str) -> str:
    """The book's first page: what the course is and its chapters, from book.yml."""
    lines = [
        f"# {title}\n",
        "How PyTorch recurrent networks really work, shape by shape. Each chapter is a "
        "notebook: run it in JupyterLab (`make lab`), or read it here with the outputs "
        "the course's tests validated.\n",
        "## Chapters\n",
    ]
    for number, chapter in enumerate(outline(), start=1):
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


def _stage(source: Path) -> None:
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    data = yaml.safe_load((ROOT / "book.yml").read_text(encoding="utf-8"))
    chapters = outline()
    for chapter in chapters:
        shutil.copy2(ROOT / chapter.file, source / Path(chapter.file).name)
    (source / "intro.md").write_text(intro_page(data["title"]), encoding="utf-8")
    shutil.copy2(ROOT / "docs" / "notation.md", source / "notation.md")
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
            {"caption": "Reference", "chapters": [{"file": "notation"}, {"file": "api"}]},
        ],
    }
    (source / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    (source / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), "utf-8")


def build(out: Path | str | None = None, quiet: bool = True) -> Path:
    """Build the book into ``out/html`` (default ``_build/html``, see ``outline.build_dir``).

    Raises:
        RuntimeError: jupyter-book failed (a warning counts as a failure); its output is
            included in the message.
    """
    out = Path(out) if out else build_dir()
    source, work = out / "book-src", out / "book-work"
    _stage(source)
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
