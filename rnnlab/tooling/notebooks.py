"""Maintainers' tools on the course notebooks: re-execute, rewrite the README's contents, open.

- ``execute_notebook``: run a notebook top to bottom on a fresh kernel, store its outputs;
- ``update_readme``: rewrite the README's table of contents from book.yml;
- ``open_lab``: start JupyterLab at the course's first chapter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from rnnlab.tooling.outline import CONTENTS_END, CONTENTS_START, ROOT, contents_table, outline

__all__ = ["execute_notebook", "open_lab", "update_readme"]


def execute_notebook(path: Path | str, timeout: int = 600) -> None:
    """Run a notebook top to bottom on a fresh kernel and store its outputs in place.

    Cells tagged ``raises-exception`` may raise; any other error stops with the cell shown.
    Timing metadata is not recorded, so re-executing changes only what the code prints.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)  # no stale widget state either (see store_widget_state)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        # No widget state in the notebook: with it, the book and the slides would load the
        # widget manager and require.js from CDNs (offline they must not); the widget's
        # text/plain fallback and the cells' printed text still show its default state.
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nb.metadata.get("language_info", {}).pop("version", None)  # differs by Python patch release
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def update_readme(readme: Path | None = None) -> Path:
    """Rewrite the README's table of contents (between its two markers) from book.yml."""
    readme = readme or ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    before, _, rest = text.partition(CONTENTS_START)
    _, _, after = rest.partition(CONTENTS_END)
    readme.write_text(
        f"{before}{CONTENTS_START}\n{contents_table()}\n{CONTENTS_END}{after}", encoding="utf-8"
    )
    return readme


def open_lab(extra: list[str]) -> int:
    """Start JupyterLab on the first chapter of book.yml; ``extra`` options go to JupyterLab."""
    first = outline()[0].file
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    extra = list(extra)
    if getattr(os, "geteuid", lambda: 1)() == 0 and "--allow-root" not in extra:
        extra.append("--allow-root")  # containers often run as root; JupyterLab refuses it
    return subprocess.call([jupyter, "lab", first, *extra], cwd=ROOT)
