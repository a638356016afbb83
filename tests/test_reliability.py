"""Nothing a student or instructor does loses work or ends in a traceback (the tooling's side).

Tested the way it failed: a process killed at every one of its writes, a full disk, two runs at
once, damaged records, symbolic links into the course, destinations that are the course, and
every CLI misuse seen so far.
"""

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnnlab.tooling import cli, files, notebooks, student
from rnnlab.tooling.files import ToolingError
from rnnlab.tooling.outline import ROOT, OutlineError, outline

RNNLAB = [sys.executable, "-m", "rnnlab.tooling.cli"]
NAMES = [Path(c.file).name for c in outline()]


def _valid(path: Path) -> bool:
    try:
        nbformat.validate(nbformat.read(path, as_version=4))
    except Exception:  # noqa: BLE001
        return False
    return True


def _edit(path: Path, text: str = "my own answer") -> bytes:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)
    return path.read_bytes()


@pytest.fixture
def copies(tmp_path):
    dest = tmp_path / "copies"
    student.write(dest)
    return dest


# -- the student copies ------------------------------------------------------------------------


def test_a_second_run_with_nothing_new_writes_nothing(copies):
    before = {p.name: p.stat().st_mtime_ns for p in copies.iterdir()}
    report = student.write(copies)
    assert not report.written
    assert not report.kept
    assert "nothing to write" in str(report)
    assert {p.name: p.stat().st_mtime_ns for p in copies.iterdir()} == before


@pytest.mark.parametrize("content", ["", "{", "not json at all", "[1, 2]", '{"a": 3}'])
def test_a_damaged_record_is_rebuilt_and_untouched_copies_stay_untouched(copies, content):
    edited = _edit(copies / NAMES[2])
    (copies / student.MANIFEST).write_text(content)
    report = student.write(copies)
    assert any("damaged" in w for w in report.warnings), str(report)
    assert [p.name for p in report.kept] == [NAMES[2]], "only the edited copy counts as edited"
    assert (copies / NAMES[2]).read_bytes() == edited
    json.loads((copies / student.MANIFEST).read_text())  # valid again


def test_a_missing_record_keeps_edits_and_says_so(copies):
    edited = _edit(copies / NAMES[0])
    (copies / student.MANIFEST).unlink()
    report = student.write(copies)
    assert [p.name for p in report.kept] == [NAMES[0]]
    assert "did not know it" in str(report)
    assert (copies / NAMES[0]).read_bytes() == edited


@pytest.mark.parametrize("damage", [b"", b'{"cells": [', b"\x00\x01garbage"])
def test_an_invalid_notebook_is_repaired_and_kept_as_backup(copies, damage):
    target = copies / NAMES[1]
    target.write_bytes(damage)
    report = student.write(copies)
    assert target in report.repaired
    assert _valid(target)
    assert report.repaired[target].read_bytes() == damage
    assert target not in report.kept


def test_force_is_per_notebook_and_backs_up_what_it_replaces(copies):
    first, second = _edit(copies / NAMES[0]), _edit(copies / NAMES[1])
    report = student.write(copies, force=[Path(NAMES[0]).stem])
    backup = report.replaced[copies / NAMES[0]]
    assert backup.name.startswith(f"{NAMES[0]}.bak-")
    assert backup.read_bytes() == first
    assert (copies / NAMES[1]).read_bytes() == second, "only the named notebook is replaced"
    assert [p.name for p in report.kept] == [NAMES[1]]
    with pytest.raises(ToolingError, match="no such student copy"):
        student.write(copies, force=["99_nothing"])


def test_kept_message_says_whether_the_course_changed_the_notebook(copies):
    _edit(copies / NAMES[0])
    assert "has not changed it" in str(student.write(copies))
    manifest = json.loads((copies / student.MANIFEST).read_text())
    manifest[NAMES[0]] = "0" * 64  # as if the copy was made from an older course
    (copies / student.MANIFEST).write_text(json.dumps(manifest))
    message = str(student.write(copies))
    assert "the course has changed it" in message
    assert "--force 01_" in message


def test_an_edited_hints_page_is_kept(copies):
    (copies / "HINTS.md").write_text("my notes\n")
    report = student.write(copies)
    assert [p.name for p in report.kept] == ["HINTS.md"]
    assert (copies / "HINTS.md").read_text() == "my notes\n"


def test_never_writes_through_a_symbolic_link(tmp_path):
    dest = tmp_path / "copies"
    dest.mkdir()
    course_file = ROOT / outline()[0].file
    before = course_file.read_bytes()
    (dest / NAMES[0]).symlink_to(course_file)
    report = student.write(dest, force="all")
    assert dest / NAMES[0] in report.skipped
    assert "symbolic link" in str(report)
    assert course_file.read_bytes() == before
    with pytest.raises(ToolingError, match="symbolic link"):
        files.atomic_write(dest / NAMES[0], b"x")
    assert course_file.read_bytes() == before


@pytest.mark.parametrize(
    "dest", [ROOT / "notebooks", ROOT, ROOT / "notebooks" / "inside", ROOT / "notebooks" / ".."]
)
def test_the_course_notebooks_are_never_a_destination(dest):
    before = {p: p.read_bytes() for p in (ROOT / "notebooks").glob("*.ipynb")}
    with pytest.raises(ToolingError, match="course's own notebooks"):
        student.write(dest, force=True)
    assert {p: p.read_bytes() for p in (ROOT / "notebooks").glob("*.ipynb")} == before
    assert not (ROOT / "notebooks" / "inside").exists()


def test_two_runs_at_once_the_second_is_refused(copies):
    with files.folder_lock(copies), pytest.raises(ToolingError, match="right now"):
        student.write(copies)


def _enospc_after(monkeypatch, calls: int):
    real = os.fsync
    count = {"n": 0}

    def fsync(fd):
        count["n"] += 1
        if count["n"] > calls:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(files.os, "fsync", fsync)


@pytest.mark.parametrize("calls", [0, 3, 10])
def test_a_full_disk_leaves_no_invalid_file_and_loses_no_edit(tmp_path, monkeypatch, calls):
    dest = tmp_path / "copies"
    student.write(dest)
    edited = _edit(dest / NAMES[4])
    manifest = json.loads((dest / student.MANIFEST).read_text())
    for name in NAMES:  # make every unedited copy out of date, so every one is rewritten
        if name != NAMES[4]:
            (dest / name).write_bytes((dest / name).read_bytes().replace(b"  ", b"   ", 1))
            manifest[name] = student._fingerprint((dest / name).read_bytes())
    (dest / student.MANIFEST).write_text(json.dumps(manifest))
    _enospc_after(monkeypatch, calls)
    with pytest.raises(ToolingError, match="no space left"):
        student.write(dest)
    monkeypatch.undo()
    assert all(_valid(dest / n) for n in NAMES), "a file was left half-written"
    assert (dest / NAMES[4]).read_bytes() == edited
    assert not list(dest.glob(".*.tmp")), "temporary files were left behind"
    report = student.write(dest)  # and the next run finishes the job
    assert [p.name for p in report.kept] == [NAMES[4]]


def test_a_really_full_disk(tmp_path):
    """A tmpfs of 600 KiB cannot hold the copies (about 1.2 MB): the run fails in one line."""
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); the ENOSPC fixture covers it")
    try:
        run = subprocess.run([*RNNLAB, "student", str(mount / "c")], capture_output=True, text=True)
        assert run.returncode == 1
        assert "no space left" in run.stderr
        assert "Traceback" not in run.stderr
        assert all(_valid(p) for p in (mount / "c").glob("*.ipynb"))
        assert not list((mount / "c").glob(".*.tmp"))
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_killed_at_every_write_no_file_is_invalid_and_no_edit_is_lost(tmp_path):
    """Kill `rnnlab student` at its k-th write(2), for every k, with strace's fault injection."""
    strace = shutil.which("strace")
    if strace is None:
        pytest.skip("strace is not installed (apt-get install strace)")
    dest = tmp_path / "copies"
    student.write(dest)
    edited = _edit(dest / NAMES[3])
    # every unedited copy out of date, so a run rewrites all of them (and HINTS.md, the record)
    manifest = json.loads((dest / student.MANIFEST).read_text())
    for name in NAMES:
        if name != NAMES[3]:
            nb = nbformat.read(dest / name, as_version=4)
            nb.metadata["stale"] = True
            nbformat.write(nb, dest / name)
            manifest[name] = student._fingerprint((dest / name).read_bytes())
    (dest / "HINTS.md").write_text("old hints\n")
    manifest["HINTS.md"] = student._fingerprint(b"old hints\n")
    (dest / student.MANIFEST).write_text(json.dumps(manifest))
    snapshot = tmp_path / "snapshot"
    shutil.copytree(dest, snapshot)
    command = [*RNNLAB, "student", str(dest)]
    traced = subprocess.run(
        [strace, "-f", "-qq", "-e", "trace=write", "-o", str(tmp_path / "log"), *command],
        capture_output=True,
    )
    assert traced.returncode == 0
    writes = sum(1 for line in (tmp_path / "log").read_text().splitlines() if "write(" in line)
    assert writes >= len(NAMES)
    killed = 0
    for k in range(1, writes + 1):
        shutil.rmtree(dest)
        shutil.copytree(snapshot, dest)
        run = subprocess.run(
            [strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=write",
             "-e", f"inject=write:signal=SIGKILL:when={k}", *command],
            capture_output=True,
        )  # fmt: skip
        killed += run.returncode != 0
        assert all(_valid(dest / n) for n in NAMES), f"killed at write {k}: an invalid notebook"
        assert (dest / NAMES[3]).read_bytes() == edited, f"killed at write {k}: the edit is lost"
        again = student.write(dest)  # the next run completes and still keeps the edit
        assert [p.name for p in again.kept] == [NAMES[3]], f"after a kill at write {k}: {again}"
        assert not again.repaired
        assert not list(dest.glob(".*.tmp"))
    # `rnnlab student` reads the exercises' catalog as data and never imports torch, whose import
    # makes a varying number of writes (seen under torch 2.14.1's CUDA build): every run makes
    # the same writes, so all kills but the last one or two (the exit's own writes) land.
    assert killed >= writes - 2, "the fault injection did not kill the runs"


# -- the README, execute, book.yml -------------------------------------------------------------


@pytest.mark.parametrize("drop", ["start", "end", "both", "twice"])
def test_readme_without_its_markers_is_refused_and_left_alone(tmp_path, drop):
    from rnnlab.tooling.outline import CONTENTS_END, CONTENTS_START

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    if drop in ("start", "both"):
        text = text.replace(CONTENTS_START, "")
    if drop in ("end", "both"):
        text = text.replace(CONTENTS_END, "")
    if drop == "twice":
        text += "\n" + CONTENTS_START + "\n"
    readme = tmp_path / "README.md"
    readme.write_text(text, encoding="utf-8")
    with pytest.raises(ToolingError, match="marker"):
        notebooks.update_readme(readme)
    assert readme.read_text(encoding="utf-8") == text


BAD_OUTLINES = {
    "invalid YAML": ("title: x\nchapters: [\n", "not valid YAML"),
    "empty": ("", "empty"),
    "no chapters": ("title: x\nchapters: []\n", "no chapters"),
    "no title": ("chapters:\n  - file: a.ipynb\n", "no title"),
    "minutes: thirty": (
        "title: x\nchapters:\n  - {file: notebooks/01_rnn_cell.ipynb, title: A, "
        "lecture_minutes: thirty, study_minutes: 5, objectives: [o]}\n",
        "whole number",
    ),
    "missing file": (
        "title: x\nchapters:\n  - {file: notebooks/99_x.ipynb, title: A, lecture_minutes: 5, "
        "study_minutes: 5, objectives: [o]}\n",
        "does not exist",
    ),
    "duplicate": (
        "title: x\nchapters:\n"
        + (
            "  - {file: notebooks/01_rnn_cell.ipynb, title: A, lecture_minutes: 5, "
            "study_minutes: 5, objectives: [o]}\n"
        )
        * 2,
        "listed twice",
    ),
    "a list": ("- a\n- b\n", "mapping"),
    "entry not a mapping": ("title: x\nchapters: [just a string]\n", "not a mapping"),
}


@pytest.mark.parametrize("case", BAD_OUTLINES, ids=list(BAD_OUTLINES))
def test_every_book_yml_problem_gets_its_own_message(tmp_path, case):
    text, message = BAD_OUTLINES[case]
    (tmp_path / "notebooks").mkdir()
    shutil.copy2(ROOT / "notebooks" / "01_rnn_cell.ipynb", tmp_path / "notebooks")
    (tmp_path / "book.yml").write_text(text)
    with pytest.raises(OutlineError, match=message):
        outline(tmp_path / "book.yml")


# -- the command line: one clear line, never a traceback ----------------------------------------


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory):
    """A copy of the package and the course files, for misuse that needs a broken book.yml."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "rnnlab", root / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    for name in ("book.yml", "README.md", "pyproject.toml"):
        shutil.copy2(ROOT / name, root / name)
    return root


def _run(args, cwd, root=None):
    env = dict(os.environ, PYTHONPATH=str(root or ROOT))
    return subprocess.run(
        [*RNNLAB, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


MISUSES = {
    "execute a missing file": (["execute", "nope.ipynb"], "no such notebook"),
    "execute a non-notebook": (["execute", "README.md"], "not a notebook"),
    "execute a broken notebook": (["execute", "broken.ipynb"], "not a valid notebook"),
    "student into an empty name": (["student", ""], "DEST is empty"),
    "student into a file": (["student", "a_file"], "is a file"),
    "student into the course": (["student", "COURSE/notebooks", "--force", "all"], "course's own"),
    "student into a read-only folder": (["student", "readonly/sub"], "cannot"),
    "student force an unknown name": (["student", "c", "--force", "zz"], "no such student copy"),
}


@pytest.mark.parametrize("case", MISUSES, ids=list(MISUSES))
def test_cli_misuse_is_one_clear_line(tmp_path, case):
    args, message = MISUSES[case]
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "broken.ipynb").write_text("{")
    (tmp_path / "readonly").mkdir(mode=0o555)
    args = [a.replace("COURSE", str(ROOT)) for a in args]
    if case == "student into a read-only folder" and os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    run = _run(args, tmp_path)
    assert run.returncode != 0
    assert message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert len(run.stderr.strip().splitlines()) <= 2, run.stderr
    debug = _run([*args, "--debug"], tmp_path)
    assert "Traceback" in debug.stderr, "--debug shows the traceback"


@pytest.mark.parametrize("case", ["invalid YAML", "minutes: thirty", "missing file", "empty"])
@pytest.mark.parametrize("command", [["student", "copies"], ["readme"]])
def test_cli_with_a_broken_book_yml(course_copy, tmp_path, case, command):
    (course_copy / "book.yml").write_text(BAD_OUTLINES[case][0])
    run = _run(command, tmp_path, course_copy)
    assert run.returncode == 1
    assert BAD_OUTLINES[case][1] in run.stderr, run.stderr
    assert "Traceback" not in run.stderr


def test_cli_main_reports_instead_of_raising(tmp_path, capsys):
    assert cli.main(["student", str(tmp_path / "f"), "--force", "nothing-like-this"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("rnnlab student: error: --force nothing-like-this")


# -- the doctor diagnoses what is really wrong ---------------------------------------------------


def test_doctor_runs_without_torch_and_says_how_to_fix_it():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from rnnlab.tooling import cli\n"
        "sys.exit(cli.main(['doctor']))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1
    assert "[FAIL] torch does not import" in run.stdout
    assert "pip install torch==2.13.0" in run.stdout
    assert "Traceback" not in run.stderr


def test_student_copies_are_written_without_torch(tmp_path):
    """`rnnlab student` reads the exercises' catalog as data: with torch unimportable it still
    writes every copy and HINTS.md (and its writes do not vary with torch's import)."""
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from rnnlab.tooling import cli\n"
        f"sys.exit(cli.main(['student', {str(tmp_path / 'copies')!r}]))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "copies").glob("*.ipynb")) == sorted(NAMES)
    assert "**Exercise 1: " in (tmp_path / "copies" / "HINTS.md").read_text()


def test_doctor_starts_the_kernel_and_catches_one_without_ipykernel(tmp_path):
    python = tmp_path / "bare" / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True
    )
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (no ipykernel)",
                "language": "python",
            }
        )
    )
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "jupyter"), PYTHONPATH=str(ROOT))
    run = subprocess.run([*RNNLAB, "doctor"], capture_output=True, text=True, env=env, timeout=180)
    assert run.returncode == 1, run.stdout
    assert "[FAIL] the python3 Jupyter kernel could not run a cell" in run.stdout
    assert "ipykernel install --sys-prefix --name python3" in run.stdout
    assert "everything is ready" not in run.stdout


def test_doctor_rejects_an_invalid_book_yml(course_copy, tmp_path):
    (course_copy / "book.yml").write_text("title: x\nchapters: [\n")
    run = _run(["doctor"], tmp_path, course_copy)
    assert run.returncode == 1
    assert "[FAIL] book.yml is not valid" in run.stdout
    assert "everything is ready" not in run.stdout
