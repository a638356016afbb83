"""``rnnlab start [DEST]``: the course in a folder of the student's own, opened in JupyterLab.

It works from an installed wheel as from a clone: the notebooks come from the course files that
``tooling.outline`` finds. By default it writes the student copies (``tooling.student``: worked
solutions taken out, HINTS.md beside them); ``full=True`` writes the notebooks whole. Re-running
it never loses a student's edit: a notebook whose content changed since it was written is kept,
as ``rnnlab student`` does.

On a JupyterHub (the student's server has ``JUPYTERHUB_USER`` or ``JUPYTERHUB_SERVICE_PREFIX`` in
its environment, as every spawner sets them) the student is already inside a Jupyter server: it
writes the copies and never starts a second one, and says so in one line. A hub image runs it
as its startup hook (``hub/start``, docs/hub.md).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from rnnlab.tooling import notebooks, student
from rnnlab.tooling.outline import outline

__all__ = ["DEFAULT_FOLDER", "HUB_VARIABLES", "LAB_MISSING", "ON_HUB", "on_hub", "start"]

DEFAULT_FOLDER = "rnnlab-course"
LAB_MISSING = (
    'JupyterLab is not installed in this Python: {python} -m pip install "rnnlab[lab]", '
    "or open {first} in the Jupyter you already use"
)
# Set by JupyterHub in the environment of every single-user server it spawns.
HUB_VARIABLES = ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_USER")
ON_HUB = (
    "on a JupyterHub ({variable} is set): the course is in {dest}; open it in this Jupyter's "
    "file browser (no second JupyterLab started)"
)


def on_hub(environ=None) -> str | None:
    """The JupyterHub variable found in ``environ`` (default ``os.environ``), or None off a hub."""
    environ = os.environ if environ is None else environ
    return next((name for name in HUB_VARIABLES if environ.get(name)), None)


def start(
    dest: Path | str | None = None,
    full: bool = False,
    lab: bool = True,
    extra: list[str] | None = None,
) -> tuple[student.Report, int]:
    """Write the course into ``dest`` (default ``./rnnlab-course``), then open JupyterLab there.

    On a JupyterHub (``on_hub()``) it only writes the copies, whatever ``lab`` says, and prints
    one line saying so.

    Returns what was written (a ``student.Report``) and JupyterLab's exit status (0 when
    ``lab=False`` or on a hub, 1 when JupyterLab is not installed: the message says the fix).

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
    variable = on_hub()
    if variable:
        print(ON_HUB.format(variable=variable, dest=dest.resolve()), flush=True)
        return report, 0
    if importlib.util.find_spec("jupyterlab") is None:
        first = dest / Path(outline()[0].file).name
        print(LAB_MISSING.format(python=sys.executable, first=first), file=sys.stderr)
        return report, 1
    return report, notebooks.open_lab(extra or [], folder=dest)
