"""Maintainers' tools on the course notebooks: re-execute, rewrite the README's contents, open.

- ``execute_notebook``: run a notebook top to bottom on a fresh kernel, store its outputs;
- ``update_readme``: rewrite the README's table of contents from book.yml;
- ``open_lab``: start JupyterLab at the course's first chapter.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from rnnlab.tooling.files import ToolingError, atomic_write
from rnnlab.tooling.outline import CONTENTS_END, CONTENTS_START, ROOT, contents_table, outline

__all__ = ["execute_notebook", "open_lab", "portable_tracebacks", "update_readme"]


def execute_notebook(path: Path | str, timeout: int = 600) -> None:
    """Run a notebook top to bottom on a fresh kernel and store its outputs in place.

    Cells tagged ``raises-exception`` may raise; any other error stops with the cell shown.
    Timing metadata is not recorded, so re-executing changes only what the code prints.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    path = Path(path)
    if path.suffix != ".ipynb":
        raise ToolingError(f"{path} is not a notebook (.ipynb); give a path such as notebooks/...")
    if not path.is_file():
        raise ToolingError(f"{path}: no such notebook; check the path (notebooks/NN_topic.ipynb)")
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # noqa: BLE001 - JSON, schema or encoding: all mean "not readable"
        raise ToolingError(f"{path} is not a valid notebook ({type(err).__name__})") from err
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
    try:
        client.execute()
    except CellExecutionError as err:
        summary = f"{err.ename}: {' '.join(str(err.evalue).split())[:200]}"
        raise ToolingError(
            f"{path.name}: a cell raised {summary}; the notebook was not changed. Fix that cell, "
            "or tag it raises-exception if the error is the lesson"
        ) from err
    except DeadKernelError as err:
        raise ToolingError(
            f"{path.name}: the Jupyter kernel died before replying; run `rnnlab doctor`, which "
            "starts a kernel and says what is wrong with it"
        ) from err
    portable_tracebacks(nb)
    nb.metadata.get("language_info", {}).pop("version", None)  # differs by Python patch release
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    atomic_write(path, nbformat.writes(nb) + "\n")


_MACHINE_PATH = re.compile(
    r"(?:/[\w.+@-]+)+?/(site-packages|dist-packages|rnnlab|notebooks)/|/(?:tmp)/ipykernel_\d+/"
)


def portable_tracebacks(nb) -> int:
    """Cut the machine's folders out of the stored tracebacks (``.../site-packages/torch/...``
    becomes ``site-packages/torch/...``): a stored notebook names no one's home or venv. nbval
    compares an error's name and message, not its traceback; returns the lines changed."""
    changed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            lines = [_MACHINE_PATH.sub(lambda m: f"{m[1]}/" if m[1] else "", line)
                     for line in output.get("traceback", [])]  # fmt: skip
            changed += sum(a != b for a, b in zip(lines, output.get("traceback", [])))
            output["traceback"] = lines
    return changed


def update_readme(readme: Path | None = None) -> Path:
    """Rewrite the README's table of contents (between its two markers) from book.yml."""
    readme = readme or ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    for marker, where in ((CONTENTS_START, "before"), (CONTENTS_END, "after")):
        if text.count(marker) != 1:
            found = "is missing" if marker not in text else "appears more than once"
            raise ToolingError(
                f"{readme.name}: the marker {marker} {found}; put exactly one on its own line "
                f"{where} the table of contents, then run `rnnlab readme` again"
            )
    before, _, rest = text.partition(CONTENTS_START)
    if CONTENTS_END not in rest:
        raise ToolingError(
            f"{readme.name}: {CONTENTS_END} comes before {CONTENTS_START}; put the start marker "
            "first, then run `rnnlab readme` again"
        )
    _, _, after = rest.partition(CONTENTS_END)
    atomic_write(readme, f"{before}{CONTENTS_START}\n{contents_table()}\n{CONTENTS_END}{after}")
    return readme


def open_lab(extra: list[str], folder: Path | None = None) -> int:
    """Start JupyterLab on the first chapter of book.yml; ``extra`` options go to JupyterLab.

    ``folder`` is where JupyterLab opens (default: the course's own folder, a source checkout);
    the first chapter is ``notebooks/<first>.ipynb`` there, or ``<first>.ipynb`` at its top
    (``rnnlab start``'s copies).
    """
    chapter = Path(outline()[0].file)
    root = Path(folder) if folder else ROOT
    first = chapter if (root / chapter).exists() else Path(chapter.name)
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    extra = list(extra)
    if getattr(os, "geteuid", lambda: 1)() == 0 and "--allow-root" not in extra:
        extra.append("--allow-root")  # containers often run as root; JupyterLab refuses it
    return subprocess.call([jupyter, "lab", str(first), *extra], cwd=root)
