"""Grading with nbgrader: the course's exercises as an nbgrader course directory.

``write_course(dest)`` writes ``dest/nbgrader_config.py`` and, for every chapter whose exercises
are defined once (``rnnlab.checks._exercise.Exercise``), ``dest/source/<chapter>/<chapter>.ipynb``:
a small notebook with only what the exercises need, in nbgrader's cell metadata:

- a setup cell (autograded with 0 points, so that nbgrader adds it back if a student deletes it):
  the imports the exercises use, ``os._exit`` switched off (a submission that calls it loses only
  that exercise, not the kernel), the global seed;
- per exercise, its prose (read-only markdown), an answer cell (an nbgrader solution cell: the
  starter, then the solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, then the
  checker's call, whose verdict the student sees; the release keeps the starter, a find-the-bug
  exercise its buggy code, and no solution text), and a test cell worth the exercise's points
  (read-only; a hidden ``assert`` on the same checker, so it prints nothing when right).

``nbgrader generate_assignment``, ``nbgrader autograde`` and the gradebook are nbgrader's own;
``tests/test_grading.py`` runs them for real. Each cell may run ``TIMEOUT`` seconds: a loop that
never ends is interrupted and costs only its exercise.

Requires the ``grade`` extra: ``pip install "rnnlab[grade]"`` (nbgrader 0.9.6).
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import nbformat

from rnnlab.tooling.files import ToolingError, atomic_write
from rnnlab.tooling.outline import ROOT, outline

__all__ = ["TIMEOUT", "graded_notebook", "split_checker_call", "write_course"]

#: Seconds one cell of a submission may run under ``nbgrader autograde``.
TIMEOUT = 20

SETUP = """\
# Setup: run this cell first. (Graded notebooks switch off os._exit: it would end the kernel.)
import os

import numpy as np
import torch
from torch import nn

from rnnlab import checks, manual, shapes


def _no_exit(*args):
    raise RuntimeError("os._exit is switched off in a graded notebook")


os._exit = _no_exit
_ = torch.manual_seed(0)"""

CONFIG = f"""\
# nbgrader's configuration for the RNN Lab course, written by `rnnlab nbgrader`.
c = get_config()  # noqa: F821 - nbgrader defines it
# The release keeps each exercise's starter above the removed solution.
c.ClearSolutions.code_stub = {{"python": "# Your answer: change the code above this line."}}
c.ClearSolutions.text_stub = "Your answer here."
# A cell that runs longer is interrupted; the notebook goes on with the next cell.
c.Execute.timeout = {TIMEOUT}
c.Execute.interrupt_on_timeout = True
# A deleted setup or test cell is put back (the setup is graded with 0 points for that).
c.OverwriteCells.add_missing_cells = True
"""


def split_checker_call(source: str) -> tuple[str, str]:
    """A cell's source split into the code before its final checker call, and that call."""
    tree = ast.parse(source)
    last = tree.body[-1] if tree.body else None
    if not (isinstance(last, ast.Expr) and "checks." in ast.unparse(last.value)):
        raise ValueError("an exercise cell ends with its checker call, checks.NAME(...)")
    lines = source.splitlines()
    before = "\n".join(lines[: last.lineno - 1]).rstrip()
    call = "\n".join(lines[last.lineno - 1 : last.end_lineno])
    return before, call


def _nbgrader(cell, grade_id: str, *, grade=False, solution=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def _prose(nb, exercise_index: int) -> str:
    """The markdown just before an exercise cell (the exercise's text), without the section
    heading a first exercise shares with "## Your turn"."""
    for cell in reversed(nb.cells[:exercise_index]):
        if cell.cell_type == "markdown":
            text = cell.source
            if text.startswith("## Your turn"):
                text = text[text.find("**1.") :] if "**1." in text else ""
            return text
    return ""


def graded_notebook(chapter: str, exercises) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one chapter's defined exercises."""
    course = nbformat.read(ROOT / "notebooks" / f"{chapter}.ipynb", as_version=4)
    by_starter = {c.source: i for i, c in enumerate(course.cells)}
    nb = nbformat.v4.new_notebook()
    nb.metadata = copy.deepcopy(
        {k: v for k, v in course.metadata.items() if k in ("kernelspec", "language_info")}
    )
    title = next(c.source.splitlines()[0] for c in course.cells if c.cell_type == "markdown")
    nb.cells.append(_nbgrader(nbformat.v4.new_code_cell(SETUP), "setup", grade=True, points=0))
    intro = (
        f"{title.lstrip('# ')}: graded exercises\n\n"
        "Run the setup cell, then each exercise: change the code in its answer cell and run it; "
        "its last line prints the checker's verdict. The grade comes from the same checker, "
        "run again by the read-only cell below it."
    )
    nb.cells.append(_nbgrader(nbformat.v4.new_markdown_cell(f"# {intro}"), "intro", locked=True))
    for ex in exercises:
        prose = _prose(course, by_starter[ex.starter]) if ex.starter in by_starter else ""
        heading = f"**{ex.title}** ({ex.points} point{'s' if ex.points != 1 else ''})"
        nb.cells.append(
            _nbgrader(
                nbformat.v4.new_markdown_cell(prose or heading),
                f"text-{ex.name}",
                locked=True,
            )
        )
        starter, call = split_checker_call(ex.starter)
        solution, _ = split_checker_call(ex.solution)
        answer = f"{starter}\n### BEGIN SOLUTION\n{solution}\n### END SOLUTION\n{call}"
        nb.cells.append(
            _nbgrader(nbformat.v4.new_code_cell(answer), f"answer-{ex.name}", solution=True)
        )
        test = (
            f"# Graded ({ex.points} point{'s' if ex.points != 1 else ''}): the checker of the "
            "cell above, run again.\n"
            f"### BEGIN HIDDEN TESTS\n_result = {call}\nassert _result, _result\n"
            "### END HIDDEN TESTS"
        )
        nb.cells.append(
            _nbgrader(
                nbformat.v4.new_code_cell(test),
                f"test-{ex.name}",
                grade=True,
                locked=True,
                points=ex.points,
            )
        )
    return nb


def write_course(dest: Path | str, chapters: list[str] | None = None) -> list[Path]:
    """Write an nbgrader course directory into ``dest``: its config and one source assignment
    per chapter with defined exercises (or the named ``chapters``). Returns the notebooks.

    Raises:
        ToolingError: ``dest`` is a file; a named chapter has no defined exercises.
    """
    from rnnlab import checks

    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise ToolingError(f"{dest} is a file; give a folder for the nbgrader course")
    defined: dict[str, list] = {}
    for ex in checks.EXERCISES.values():
        defined.setdefault(ex.chapter, []).append(ex)
    order = [Path(c.file).stem for c in outline()]
    wanted = chapters or [stem for stem in order if stem in defined]
    unknown = [c for c in wanted if c not in defined]
    if unknown:
        raise ToolingError(
            f"no defined exercises in {', '.join(unknown)}; chapters with exercises defined "
            f"once: {', '.join(s for s in order if s in defined)}"
        )
    dest.mkdir(parents=True, exist_ok=True)
    atomic_write(dest / "nbgrader_config.py", CONFIG)
    written = []
    for chapter in wanted:
        nb = graded_notebook(chapter, defined[chapter])
        path = dest / "source" / chapter / f"{chapter}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, nbformat.writes(nb) + "\n")
        written.append(path)
    return written
