"""`rnnlab release`: a student repository for nbgitpuller, pulled with nbgitpuller's own code.

The scenario of issue 21: release chapters 01-03, a student clicks the link (nbgitpuller clones)
and edits 03; the lecturer changes an exercise in 03 and releases 01-05; the student clicks the
link again (nbgitpuller fetches and merges with -Xours). The student's 03 must be their file
byte for byte, the new 03 must be beside it, 04-05 must arrive, and no notebook may be a mix of
two versions. A second student who never opened 03 gets the new 03 in place.

nbgitpuller 1.3.0 is installed (--no-deps, it needs only jupyter_server and tornado, which the
course's environment has) into a folder of the test's own, from the package index or pip's
cache; without a reachable index the test is skipped, except under CI (CI=true), where it fails.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnnlab.tooling import release, student
from rnnlab.tooling.files import ToolingError
from rnnlab.tooling.outline import ROOT, outline

NBGITPULLER = "nbgitpuller==1.3.0"


@pytest.fixture(scope="module")
def nbgitpuller(tmp_path_factory):
    """The environment in which ``python -m nbgitpuller.pull`` runs nbgitpuller 1.3.0's code."""
    target = tmp_path_factory.mktemp("nbgitpuller")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", target,
         NBGITPULLER],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if result.returncode != 0:
        message = f"cannot install {NBGITPULLER}: {result.stderr.strip()[-300:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(ROOT)])}
    return env


def _pull(env, repo: Path, clone: Path) -> str:
    """One click on the nbgitpuller link: clone the first time, then fetch and merge."""
    result = subprocess.run(
        [sys.executable, "-m", "nbgitpuller.pull", repo.as_uri(), "main", str(clone)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


@pytest.fixture
def course(tmp_path):
    """A copy of the course's outline and first five chapters that the test may change."""
    copy = tmp_path / "course"
    (copy / "notebooks").mkdir(parents=True)
    chapters = outline()[:5]
    for chapter in chapters:
        shutil.copy(ROOT / chapter.file, copy / chapter.file)
    book = ['title: "RNN Lab"', "chapters:"]
    for chapter in chapters:
        book += [f"  - file: {chapter.file}", f"    title: {json.dumps(chapter.title)}"]
        book += [f"    lecture_minutes: {chapter.lecture_minutes}"]
        book += [f"    study_minutes: {chapter.study_minutes}", "    objectives: [x]"]
    (copy / "book.yml").write_text("\n".join(book) + "\n")
    return copy


def _change_exercise(course: Path, name: str) -> None:
    """The lecturer rewrites chapter ``name``'s first exercise: its prose and its starter code."""
    path = course / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    exercise = next(i for i, c in enumerate(nb.cells) if "exercise" in c.metadata.get("tags", []))
    nb.cells[exercise].source += "\n# (release 2: the starter now names the sizes)"
    prose = max(i for i in range(exercise) if nb.cells[i].cell_type == "markdown")
    nb.cells[prose].source += "\n\nRelease 2: this exercise now asks for the sizes too."
    nbformat.write(nb, path)


def _student_edit(path: Path) -> bytes:
    """What a student does: write an answer into the exercise's starter cell, and save."""
    nb = nbformat.read(path, as_version=4)
    starter = next(c for c in nb.cells if "exercise" in c.metadata.get("tags", []))
    starter.source = "answer = 42  # my own attempt"
    nbformat.write(nb, path)
    return path.read_bytes()


def _versions(repo: Path, name: str) -> set[bytes]:
    """Every version of ``name`` the releases in ``repo`` ever held."""
    commits = subprocess.run(
        ["git", "-C", repo, "log", "--format=%H", "--", name],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return {
        subprocess.run(["git", "-C", repo, "show", f"{c}:{name}"], capture_output=True).stdout
        for c in commits
    }


def test_release_edit_release_pull_keeps_edits_and_never_mixes(course, tmp_path, nbgitpuller):
    repo, alice, bob = tmp_path / "release", tmp_path / "alice", tmp_path / "bob"
    first = release.release(repo, "01-03", date="2026-12-01", course=course)
    assert first.number == 1
    assert first.added == ["01_rnn_cell.ipynb", "02_nn_rnn.ipynb", "03_batch_first.ipynb"]
    _pull(nbgitpuller, repo, alice)
    _pull(nbgitpuller, repo, bob)
    assert sorted(p.name for p in alice.glob("*.ipynb")) == first.added
    assert "release 1" in (alice / "VERSION.txt").read_text()
    edited = _student_edit(alice / "03_batch_first.ipynb")

    _change_exercise(course, "03_batch_first.ipynb")
    second = release.release(repo, "01-05", date="2026-12-08", course=course)
    assert second.number == 2
    assert second.added == ["04_stacked.ipynb", "05_bidirectional.ipynb"]
    assert second.changed == {"03_batch_first.ipynb": "updates/03_batch_first.r2.ipynb"}
    new03 = (repo / "03_batch_first.ipynb").read_bytes()
    assert b"Release 2: this exercise" in new03

    _pull(nbgitpuller, repo, alice)
    _pull(nbgitpuller, repo, bob)
    # Alice edited 03: her file, byte for byte; the new version beside it; 04-05 arrived.
    assert (alice / "03_batch_first.ipynb").read_bytes() == edited
    assert (alice / "updates" / "03_batch_first.r2.ipynb").read_bytes() == new03
    # Bob never opened 03: he has the new version in place.
    assert (bob / "03_batch_first.ipynb").read_bytes() == new03
    for clone in (alice, bob):
        assert "release 2" in (clone / "VERSION.txt").read_text()
        for name in ("04_stacked.ipynb", "05_bidirectional.ipynb"):
            assert (clone / name).read_bytes() == (repo / name).read_bytes()
        # No notebook is a mix: each is exactly one released version, or the student's own file.
        for path in clone.rglob("*.ipynb"):
            name = path.relative_to(clone).as_posix()
            assert path.read_bytes() in _versions(repo, name) | {edited}, f"{clone.name}: {name}"
    readme = (alice / "README.md").read_text()
    assert "updates/03_batch_first.r2.ipynb" in readme


def test_the_mix_it_prevents_is_real(course, tmp_path, nbgitpuller):
    """Without the repository's .gitattributes, the same pull gives a mixed notebook: the new
    prose beside the student's code (the failure issue 21 reports)."""
    repo, alice = tmp_path / "release", tmp_path / "alice"
    release.release(repo, "01-03", course=course)
    (repo / ".gitattributes").write_text("")
    subprocess.run(["git", "-C", repo, "commit", "-qam", "plain text merge"], check=True)
    _pull(nbgitpuller, repo, alice)
    edited = _student_edit(alice / "03_batch_first.ipynb")
    _change_exercise(course, "03_batch_first.ipynb")
    release.release(repo, "01-05", course=course)
    (repo / ".gitattributes").write_text("")
    subprocess.run(["git", "-C", repo, "commit", "-qam", "plain text merge"], check=True)
    _pull(nbgitpuller, repo, alice)
    mixed = (alice / "03_batch_first.ipynb").read_bytes()
    assert mixed != edited
    assert b"Release 2: this exercise" in mixed
    assert b"my own attempt" in mixed


def test_release_is_cumulative_and_stamped(course, tmp_path):
    repo = tmp_path / "release"
    release.release(repo, "02", date="2026-12-01", course=course)
    again = release.release(repo, "02", course=course)
    assert (again.number, again.added, again.changed) == (1, [], {})
    assert "nothing to release" in str(again)
    later = release.release(repo, "04", date="2026-12-08", course=course)
    assert later.chapters == ["02_nn_rnn.ipynb", "04_stacked.ipynb"]
    stamp = (repo / "VERSION.txt").read_text()
    assert stamp.startswith("RNN Lab release 2 (2026-12-08): rnnlab ")
    assert "02_nn_rnn, 04_stacked" in stamp
    tags = subprocess.run(["git", "-C", repo, "tag"], capture_output=True, text=True).stdout
    assert tags.split() == ["release-1", "release-2"]
    hints = (repo / "HINTS.md").read_text()
    assert "## 02." in hints
    assert "## 04." in hints
    assert "## 01." not in hints
    assert "## 03." not in hints
    assert (repo / ".gitattributes").read_text().splitlines()[-1] == "* -merge"
    # No worked solution leaves the course: every solution cell is the stub.
    nb = nbformat.read(repo / "04_stacked.ipynb", as_version=4)
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert solutions
    note = student.NOTE.splitlines()[0]
    assert all(c.source.startswith(note) for c in solutions)
    status = subprocess.run(
        ["git", "-C", repo, "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert status == ""


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("01-03", ["01", "02", "03"]), ("1-2", ["01", "02"]), ("01,05", ["01", "05"]),
     ("03_batch_first", ["03"]), ("all", ["01", "02", "03", "04", "05"])],
)  # fmt: skip
def test_choose(course, spec, expected):
    chapters = outline(course / "book.yml")
    assert [c.stem[:2] for c in release.choose(spec, chapters)] == expected


@pytest.mark.parametrize("spec", ["12", "03-01", "01-12", "03_wrong", "x"])
def test_choose_refuses_in_one_line(course, spec):
    with pytest.raises(ToolingError, match=r"--chapters .*give numbers such as 01-03") as err:
        release.choose(spec, outline(course / "book.yml"))
    assert "\n" not in str(err.value)


def test_release_refuses_a_folder_it_did_not_write_or_a_dirty_one(course, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ToolingError, match="holds no earlier release"):
        release.release(other, "01", course=course)
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    repo = tmp_path / "release"
    release.release(repo, "01", course=course)
    (repo / "01_rnn_cell.ipynb").write_text("the lecturer's uncommitted change")
    with pytest.raises(ToolingError, match="uncommitted changes"):
        release.release(repo, "01-02", course=course)
    assert (repo / "01_rnn_cell.ipynb").read_text() == "the lecturer's uncommitted change"


def test_release_command_line(tmp_path):
    repo = tmp_path / "release"
    command = [sys.executable, "-m", "rnnlab.tooling.cli", "release", str(repo)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*command, "--chapters", "01"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"release 1 committed in {repo}")
    bad = subprocess.run(
        [*command, "--chapters", "99"], capture_output=True, text=True, env=env, timeout=120
    )
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[0].startswith("rnnlab release: error: --chapters 99: no ")
