"""Write the exercise definitions' cells into the course's notebooks.

Each exercise is defined once (``rnnlab.checks._exercise.Exercise``, next to its chapter's checker
module); its ``starter`` and ``solution`` are the sources of the notebook's ``exercise`` and
``solution`` cells. ``sync(path)`` writes them in place: an ``exercise`` cell is matched to its
definition by the checker it calls (``checks.NAME(``), the ``solution`` cell that follows it gets
the solution. Cells of exercises without a definition are left alone.

``refresh(path)`` syncs, then runs a copy of the notebook top to bottom on a fresh kernel and
stores the new outputs of the "Your turn" section only (from the cell whose source starts with
"## Your turn" to the end): the cells before it, which other people edit, are not touched.

``write_catalog()`` writes ``rnnlab/checks/catalog.json``: each exercise's id, version, title and
hints, read from the definitions. ``rnnlab student`` and ``rnnlab release`` read that file, so
writing student copies imports neither the checkers nor torch (``tests/test_exercises.py`` fails
when the file and the definitions disagree).

Run it as ``python -m rnnlab.tooling.exercises notebooks/03_batch_first.ipynb`` (the catalog is
rewritten on every run), or ``python -m rnnlab.tooling.exercises --catalog`` for the catalog alone.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat

from rnnlab.tooling.files import atomic_write

__all__ = [
    "CATALOG",
    "catalog",
    "definitions",
    "refresh",
    "sync",
    "write_catalog",
    "your_turn_start",
]

CATALOG = Path(__file__).resolve().parent.parent / "checks" / "catalog.json"


def definitions(chapter: str) -> dict:
    """The exercises defined for ``chapter`` (a notebook stem), by checker name, in order."""
    from rnnlab import checks  # the definitions register themselves on import

    return {ex.name: ex for ex in checks.EXERCISES.values() if ex.chapter == chapter}


def catalog() -> dict:
    """What student copies and releases need of each exercise, from its definition: by id, its
    checker name, version, chapter, title, its own hints' nudge and pointer and each known
    mistake's, in the order the checkers register."""
    from rnnlab import checks

    return {
        "about": "generated from the exercise definitions by python -m rnnlab.tooling.exercises "
        "--catalog; do not edit",
        "exercises": {
            ex.id: {
                "name": ex.name,
                "chapter": ex.chapter,
                "version": ex.version,
                "title": ex.title,
                "hints": [ex.hints.nudge, ex.hints.pointer],
                "mistakes": [[m.hints.nudge, m.hints.pointer] for m in ex.mistakes],
            }
            for ex in checks.EXERCISES.values()
        },
    }


def catalog_bytes() -> bytes:
    return (json.dumps(catalog(), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def write_catalog() -> bool:
    """Rewrite ``CATALOG`` from the definitions; return whether it changed."""
    data = catalog_bytes()
    if CATALOG.exists() and CATALOG.read_bytes() == data:
        return False
    atomic_write(CATALOG, data)
    return True


def sync(path: Path | str) -> list[str]:
    """Write the definitions' starter and solution cells into the notebook at ``path``; return
    the names of the exercises whose cells changed."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    defined = definitions(path.stem)
    changed = []
    cells = nb.cells
    for i, cell in enumerate(cells):
        if "exercise" not in cell.metadata.get("tags", []):
            continue
        names = re.findall(r"checks\.(\w+)\(", cell.source)
        ex = defined.get(names[-1]) if names else None
        if ex is None:
            continue
        solution = cells[i + 1] if i + 1 < len(cells) else None
        if solution is None or "solution" not in solution.metadata.get("tags", []):
            raise ValueError(f"{path.name}: no solution cell follows the exercise {ex.name}")
        for target, source in ((cell, ex.starter), (solution, ex.solution)):
            if target.source != source:
                target.source = source
                target.outputs = []
                target.execution_count = None
                if ex.name not in changed:
                    changed.append(ex.name)
    if changed:
        text = nbformat.writes(nb)
        atomic_write(path, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    return changed


def your_turn_start(nb) -> int:
    """The index of the markdown cell that opens the "Your turn" section (the heading starts
    the cell, or a line of it: chapters 06 and 07 keep it in the summary's cell)."""
    for i, cell in enumerate(nb.cells):
        lines = cell.source.splitlines()
        if cell.cell_type == "markdown" and any(line.startswith("## Your turn") for line in lines):
            return i
    raise ValueError("the notebook has no cell starting with '## Your turn'")


def refresh(path: Path | str) -> list[str]:
    """``sync``, then re-execute a copy and store the outputs of the "Your turn" cells only."""
    import tempfile

    from rnnlab.tooling.notebooks import execute_notebook

    path = Path(path)
    changed = sync(path)
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".refresh-") as folder:
        copy = Path(folder) / path.name
        copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        execute_notebook(copy)
        ran = nbformat.read(copy, as_version=4)
    start = your_turn_start(nb)
    if len(ran.cells) != len(nb.cells):
        raise ValueError(f"{path.name} changed while it ran; run again")
    for mine, new in zip(nb.cells[start:], ran.cells[start:], strict=True):
        if mine.cell_type == "code":
            mine.outputs, mine.execution_count = new.outputs, new.execution_count
    text = nbformat.writes(nb)
    atomic_write(path, (text if text.endswith("\n") else text + "\n").encode("utf-8"))
    return changed


USAGE = (
    "usage: python -m rnnlab.tooling.exercises [--catalog] [NOTEBOOK.ipynb ...]: rewrite "
    "rnnlab/checks/catalog.json, then each notebook's exercise cells and their outputs"
)


def main(arguments: list[str]) -> int:
    notebooks = [a for a in arguments if a != "--catalog"]
    for argument in notebooks:
        if argument in ("-h", "--help") or argument.startswith("-"):
            print(USAGE, file=sys.stderr if argument not in ("-h", "--help") else sys.stdout)
            return 0 if argument in ("-h", "--help") else 2
        if not argument.endswith(".ipynb") or not Path(argument).is_file():
            print(f"{argument}: not a notebook file (.ipynb); {USAGE}", file=sys.stderr)
            return 2
    if write_catalog():
        print(f"{CATALOG.name}: rewritten from the definitions")
    for argument in notebooks:
        print(f"{argument}: {', '.join(refresh(argument)) or 'cells up to date'}; outputs stored")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
