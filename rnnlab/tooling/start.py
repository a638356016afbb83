"""``rnnlab start [DEST]``: the course in a folder of the student's own, opened in JupyterLab.

It works from an installed wheel as from a clone: the notebooks come from the course files that
``tooling.outline`` finds. By default it writes the student copies (``tooling.student``: worked
solutions taken out, HINTS.md beside them); ``full=True`` writes the notebooks whole. Re-running
it never loses a student's edit: a notebook whose content changed since it was written is kept,
as ``rnnlab student`` does.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from rnnlab.tooling import notebooks, student
from rnnlab.tooling.outline import outline

__all__ = ["DEFAULT_FOLDER", "LAB_MISSING", "start"]

DEFAULT_FOLDER = "rnnlab-course"
LAB_MISSING = (
    'JupyterLab is not installed in this Python: {python} -m pip install "rnnlab[lab]", '
    "or open {first} in the Jupyter you already use"
)


def start(
    dest: Path | str | None = None,
    full: bool = False,
    lab: bool = True,
    extra: list[str] | None = None,
) -> tuple[student.Report, int]:
    """Write the course into ``dest`` (default ``./rnnlab-course``), then open JupyterLab there.

    Returns what was written (a ``student.Report``) and JupyterLab's exit status (0 when
    ``lab=False``, 1 when JupyterLab is not installed: the message says the fix).

    Raises:
        ToolingError: ``dest`` is a file, empty, or the course's own notebooks (see
            ``student.check_destination``); another run holds the folder; the disk is full.
    """
    dest = Path(dest) if dest else Path.cwd() / DEFAULT_FOLDER
    report = student.write(dest, solutions=full)
    kind = "notebooks (worked solutions included)" if full else "student notebooks"
    written = [p for p in report.written if p.suffix == ".ipynb"]
    summary = str(report).splitlines()
    lines = [f"wrote {len(written)} {kind} into {dest.resolve()}"] if written else []
    lines += [line for line in summary if not line.startswith("wrote ")]
    print("\n".join(lines), flush=True)
    if not lab:
        return report, 0
    if importlib.util.find_spec("jupyterlab") is None:
        first = dest / Path(outline()[0].file).name
        print(LAB_MISSING.format(python=sys.executable, first=first), file=sys.stderr)
        return report, 1
    return report, notebooks.open_lab(extra or [], folder=dest)
