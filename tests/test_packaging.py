"""The installable course without installing it: where the tooling finds the course files,
`rnnlab start`, the doctor's torch line, and the setup-cell guard for a Jupyter without rnnlab.

The real install (build the wheel, a new venv, chapter 01 from `rnnlab start`'s folder) is
tests/test_install.py, run by `make test-install` and CI.
"""

import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from rnnlab.tooling import cli, doctor, notebooks, outline, start, student
from rnnlab.tooling.files import ToolingError

from notebook_outputs import INSTALL_COMMAND, SETUP_GUARD

CHAPTERS = outline.outline()


# --- where the course files are ---------------------------------------------------------------


def _course(folder, with_pyproject):
    folder.mkdir(parents=True)
    (folder / "book.yml").write_text("chapters: []\n")
    if with_pyproject:
        (folder / "pyproject.toml").write_text("[project]\n")
    return folder


def test_course_root_is_the_checkout_when_there_is_one(tmp_path):
    checkout = _course(tmp_path / "clone", with_pyproject=True)
    packaged = _course(tmp_path / "site" / "rnnlab" / "_course", with_pyproject=False)
    assert outline.course_root(checkout, packaged) == checkout


def test_course_root_is_the_wheels_copy_in_site_packages(tmp_path):
    site = tmp_path / "site"  # what parent.parent.parent of rnnlab/tooling is in a wheel
    site.mkdir()
    packaged = _course(site / "rnnlab" / "_course", with_pyproject=False)
    assert outline.course_root(site, packaged) == packaged
    # a stray book.yml next to site-packages' packages is no checkout without pyproject.toml
    (site / "book.yml").write_text("chapters: []\n")
    assert outline.course_root(site, packaged) == packaged


def test_this_is_a_checkout_and_builds_go_to_its_build_folder():
    assert outline.IN_CHECKOUT
    assert outline.build_dir() == outline.ROOT / "_build"


def test_a_missing_outline_says_how_to_fix_the_install(tmp_path):
    with pytest.raises(FileNotFoundError, match="reinstall it"):
        outline.outline(tmp_path / "book.yml")


# --- rnnlab start ------------------------------------------------------------------------------


def _names(folder):
    return sorted(p.name for p in folder.glob("*.ipynb"))


def _solution_sources(path):
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if "solution" in c.metadata.get("tags", [])]


def test_start_writes_student_copies_and_keeps_edits(tmp_path, capsys):
    dest = tmp_path / "course"
    report, status = start.start(dest, lab=False)
    assert status == 0
    assert _names(dest) == sorted(c.stem + ".ipynb" for c in CHAPTERS)
    assert (dest / "HINTS.md").exists()
    first = dest / f"{CHAPTERS[0].stem}.ipynb"
    assert all(s.startswith(student.NOTE.splitlines()[0]) for s in _solution_sources(first))
    assert (
        f"wrote {len(CHAPTERS)} student notebooks into {dest.resolve()}" in capsys.readouterr().out
    )

    nb = nbformat.read(first, as_version=4)
    nb.cells[-1].source += "\n# my answer"
    nbformat.write(nb, first)
    edited = first.read_bytes()
    report, status = start.start(dest, lab=False)  # again, e.g. after a course update
    assert first in report.kept
    assert first.read_bytes() == edited
    assert f"kept your edited {first.name}" in capsys.readouterr().out


def test_start_full_writes_the_worked_solutions(tmp_path):
    dest = tmp_path / "course"
    start.start(dest, full=True, lab=False)
    source = outline.ROOT / CHAPTERS[0].file
    assert _solution_sources(dest / source.name) == _solution_sources(source)
    copy = nbformat.read(dest / source.name, as_version=4)
    for cell in copy.cells:  # the setup cell's stamp line (the copy's exercise versions) aside
        if "checks.copy_versions(" in cell.source:
            cell.source = cell.source.rsplit("\n", 1)[0]
    assert copy.cells == nbformat.read(source, as_version=4).cells  # outputs included


def test_start_defaults_to_a_folder_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["start", "--no-lab"]) == 0
    assert _names(tmp_path / start.DEFAULT_FOLDER)


def test_start_opens_jupyterlab_in_the_folder(tmp_path, monkeypatch):
    calls = []

    def fake_call(command, cwd, env):
        calls.append((command, cwd, env))
        return 0

    monkeypatch.setattr(notebooks.subprocess, "call", fake_call)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert cli.main(["start", str(tmp_path / "course"), "--port", "8891"]) == 0
    ((command, cwd, env),) = calls
    assert cwd == tmp_path / "course"
    assert env["OMP_NUM_THREADS"] == "1"  # the kernels' one torch thread
    assert command[1:3] == ["lab", f"{CHAPTERS[0].stem}.ipynb"]
    assert "--port" in command


def test_start_without_jupyterlab_says_the_fix(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(start.importlib.util, "find_spec", lambda name: None)
    assert cli.main(["start", str(tmp_path / "course")]) == 1
    assert 'pip install "rnnlab[lab]"' in capsys.readouterr().err
    assert _names(tmp_path / "course"), "the notebooks are written all the same"


def test_start_into_a_file_is_refused(tmp_path):
    file = tmp_path / "notes.txt"
    file.write_text("x")
    with pytest.raises(ToolingError, match="is a file"):
        start.start(file, lab=False)


# --- the doctor's torch line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "ok"),
    [("2.13.0+cpu", True), ("2.14.1", True), ("2.12.1", False), ("2.15.0", False)],
)
def test_doctor_accepts_the_tested_torch_releases(monkeypatch, version, ok):
    real = doctor.metadata.version
    monkeypatch.setattr(
        doctor.metadata, "version", lambda name: version if name == "torch" else real(name)
    )
    line = next(c for c in doctor.checks() if c.what.startswith(f"torch {version}"))
    assert line.ok is ok
    assert "tested with torch 2.13\u20132.14, outputs made with 2.13.0" in line.what
    if not ok:
        assert line.fix.endswith("pip install torch==2.13.0")


def test_doctor_skips_extras_that_are_not_installed(monkeypatch):
    real = doctor.metadata.version

    def without_book(name):
        if name == "jupyter-book":
            raise doctor.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(doctor.metadata, "version", without_book)
    assert not any("jupyter-book" in c.what for c in doctor.checks())


# --- the setup cell in a Jupyter without rnnlab --------------------------------------------------


def test_setup_guard_says_the_install_command_in_one_line():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('import sys\n\nsys.modules["rnnlab"] = None  # as if missing'),
        nbformat.v4.new_code_cell(SETUP_GUARD + "\nprint('not reached')"),
    ]
    with pytest.raises(CellExecutionError):
        NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    (error,) = nb.cells[1].outputs
    assert error.output_type == "error"
    assert error.traceback == [
        f"rnnlab is missing: run {INSTALL_COMMAND} in a cell, then restart the kernel"
    ]


def test_setup_guard_is_silent_where_rnnlab_is_installed():
    result = subprocess.run(
        [sys.executable, "-c", SETUP_GUARD + "print(rnnlab.environment())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("torch 2.1")
    assert result.stderr == ""
