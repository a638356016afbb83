"""Grading with nbgrader, for real: `rnnlab nbgrader DEST`, then nbgrader's own CLI.

For every chapter whose exercises are defined once: `nbgrader generate_assignment` (the release
holds no solution text), then `nbgrader autograde` of three submissions (the solution, one known
mistake per exercise, the untouched release) and, for chapter 03, a hostile one (its setup cell
deleted, one exercise calling os._exit, one looping forever); the scores read from nbgrader's
gradebook equal the expected points.

It runs nbgrader and a kernel per submission (about a minute on 2 cores), so it runs when
RNNLAB_TEST_GRADING=1 is set (`make test-grading`, and its CI step).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch

from rnnlab import checks
from rnnlab.tooling import cli, grading

real_nbgrader = pytest.mark.skipif(
    os.environ.get("RNNLAB_TEST_GRADING") != "1",
    reason="runs nbgrader for real (about two minutes): make test-grading",
)

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted({ex.chapter for ex in checks.EXERCISES.values()})
HOSTILE = "03_batch_first"


def _exercises(chapter):
    return [ex for ex in checks.EXERCISES.values() if ex.chapter == chapter]


def _nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # alembic
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    expected = ("Timeout waiting for execute reply", "Interrupting kernel")  # the endless loop
    errors = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if "| ERROR]" in line and not any(e in line for e in expected)
    ]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert not errors, errors


def _literal(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"torch.tensor({value.tolist()})"
    return repr(tuple(value) if isinstance(value, torch.Size) else value)


def _mistake_code(ex):
    """The answer cell's code for the exercise's first known mistake."""
    mistake = ex.mistakes[0]
    if ex.is_function:
        source = ex.mistake_source(mistake)
        return source
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        values = mistake.answer(*ex.defaults())
    lines = ex.starter.splitlines()
    for name, value in zip(ex.asked, values, strict=True):
        lines = [
            f"{name} = {_literal(value)}" if line.split("#")[0].strip() == f"{name} = ..." else line
            for line in lines
        ]
    return "\n".join(lines)


def _submission(release: Path, answers: dict[str, str], drop_setup: bool = False):
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("answer-") and grade_id[7:] in answers:
            cell.source = answers[grade_id[7:]]
    if drop_setup:
        nb.cells = [
            c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "setup"
        ]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    assert cli.main(["nbgrader", str(root)]) == 0
    for chapter in CHAPTERS:
        _nbgrader(root, "generate_assignment", chapter, "--force")
        release = root / "release" / chapter / f"{chapter}.ipynb"
        exercises = _exercises(chapter)
        solved = {ex.name: ex.solution for ex in exercises}
        submissions = {
            "solution": _submission(release, solved),
            "mistakes": _submission(release, {ex.name: _mistake_code(ex) for ex in exercises}),
            "release": nbformat.read(release, as_version=4),
        }
        if chapter == HOSTILE:
            first, second, *rest = exercises
            hostile = {ex.name: solved[ex.name] for ex in rest}
            hostile[first.name] = "os._exit(1)\n" + solved[first.name]
            hostile[second.name] = "while True:\n    pass\n" + solved[second.name]
            submissions["hostile"] = _submission(release, hostile, drop_setup=True)
        for student, nb in submissions.items():
            path = root / "submitted" / student / chapter / f"{chapter}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(nb, path)
        _nbgrader(root, "autograde", chapter, "--create", "--Execute.timeout=30")
    return root


def _scores(course: Path, chapter: str, student: str) -> dict[str, float]:
    from nbgrader import api as nbgrader_api

    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(chapter, chapter, student)
        return {grade.name: grade.score for grade in notebook.grades}


@real_nbgrader
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_release_has_no_solution_text_and_keeps_the_starters(course, chapter):
    release = nbformat.read(course / "release" / chapter / f"{chapter}.ipynb", as_version=4)
    text = "\n".join(cell.source for cell in release.cells)
    source = nbformat.read(course / "source" / chapter / f"{chapter}.ipynb", as_version=4)
    assert "BEGIN SOLUTION" in nbformat.writes(source)
    page = nbformat.read(ROOT / "notebooks" / f"{chapter}.ipynb", as_version=4)
    shown = "\n".join(  # what the chapter itself shows outside its worked solutions
        cell.source for cell in page.cells if "solution" not in cell.metadata.get("tags", [])
    )
    for ex in _exercises(chapter):
        only_in_solution = [  # a line the starter or the page shows too is no leak
            line.strip()
            for line in ex.solution.splitlines()
            if line.strip() and line.strip() not in ex.starter and line.strip() not in shown
        ]
        assert only_in_solution, f"{ex.id}: no line of its solution is its own"
        leaked = [line for line in only_in_solution if line in text]
        assert not leaked, f"{ex.id} leaks {leaked}"
        for line in grading.split_checker_call(ex.starter)[0].splitlines():
            assert line.strip() in text or not line.strip(), f"{ex.id} lost its starter: {line}"
    assert "BEGIN HIDDEN TESTS" not in text


@real_nbgrader
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_scores_from_the_gradebook_equal_the_expected_points(course, chapter):
    exercises = _exercises(chapter)
    full = {f"test-{ex.name}": float(ex.points) for ex in exercises}
    zero = dict.fromkeys(full, 0.0)
    assert {k: v for k, v in _scores(course, chapter, "solution").items() if k in full} == full
    assert {k: v for k, v in _scores(course, chapter, "mistakes").items() if k in full} == zero
    assert {k: v for k, v in _scores(course, chapter, "release").items() if k in full} == zero
    from nbgrader import api as nbgrader_api

    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        submission = gb.find_submission(chapter, "solution")
        assert submission.score == submission.max_score == sum(full.values())


@real_nbgrader
def test_a_hostile_submission_loses_only_what_it_broke(course):
    first, second, *rest = _exercises(HOSTILE)
    scores = _scores(course, HOSTILE, "hostile")
    assert scores[f"test-{first.name}"] == 0  # called os._exit: that exercise only
    assert scores[f"test-{second.name}"] == 0  # looped forever: interrupted, that exercise only
    for ex in rest:  # its setup cell was deleted: nbgrader put it back
        assert scores[f"test-{ex.name}"] == ex.points, ex.name


def test_write_course_refuses_bad_destinations(tmp_path):
    from rnnlab.tooling.files import ToolingError

    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ToolingError, match="is a file"):
        grading.write_course(target)
    with pytest.raises(ToolingError, match="no defined exercises"):
        grading.write_course(tmp_path / "c", chapters=["99_nothing"])
    shutil.rmtree(tmp_path / "c", ignore_errors=True)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_graded_notebook_carries_nbgrader_metadata(chapter):
    nb = grading.graded_notebook(chapter, _exercises(chapter))
    meta = [c.metadata["nbgrader"] for c in nb.cells]
    assert meta[0] == {**meta[0], "grade_id": "setup", "grade": True, "points": 0}
    assert all(m["schema_version"] == 3 for m in meta)
    for ex in _exercises(chapter):
        answer = next(
            c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == f"answer-{ex.name}"
        )
        test = next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == f"test-{ex.name}")
        assert answer.metadata["nbgrader"]["solution"]
        assert not answer.metadata["nbgrader"]["locked"]
        assert "### BEGIN SOLUTION" in answer.source
        assert test.metadata["nbgrader"]["locked"]
        assert test.metadata["nbgrader"]["points"] == ex.points
        assert "### BEGIN HIDDEN TESTS" in test.source
    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    assert all(c.metadata["nbgrader"]["locked"] for c in prose)
