"""The course as a student installs it (`make test-install`; CI runs it under both torch releases).

Build the wheel, install it into a new venv that already has torch, check that torch was left
alone, run `rnnlab start` without a browser and execute chapter 01 from the folder it wrote,
with the venv's own kernel. With ``RNNLAB_INSTALLED_PYTHON`` (CI's torch 2.14.1 environment,
made the same way by the Makefile, which checks torch there) the venv is not made again.
Skipped unless pytest runs with ``--install``.
"""

import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from rnnlab.tooling.outline import ROOT, outline

pytestmark = pytest.mark.install

LOCK = ROOT / "requirements" / "lock.txt"
TORCH_PIN = next(line for line in LOCK.read_text().splitlines() if line.startswith("torch=="))


# A student's shell: no PYTHONPATH pointing at this checkout (pip would take the checkout's
# rnnlab.egg-info for an installed rnnlab), no JUPYTER_PATH.
CLEAN_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH")}


def _run(command, env=CLEAN_ENV, **kwargs):
    result = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=600, env=env, **kwargs
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    _run([*pip_wheel, "--no-build-isolation", "-w", out, ROOT], env=os.environ)
    (built,) = out.glob("rnnlab-*.whl")
    return built


def test_wheel_carries_the_course(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    course = "rnnlab/_course/"
    assert f"{course}book.yml" in names
    assert f"{course}docs/notation.md" in names
    for chapter in outline():
        assert course + chapter.file in names, f"the wheel lacks {chapter.file}"
    assert not [n for n in names if n.startswith(("tests/", f"{course}notebooks/_"))]
    assert wheel.stat().st_size < 4 << 20, f"{wheel.stat().st_size} bytes"


@dataclass
class Installed:
    python: Path
    torch_before: str | None  # pip freeze's torch line before rnnlab went in (None: given venv)
    torch_after: str
    log: str


def _torch_line(python):
    freeze = _run([python, "-m", "pip", "freeze"])
    return next(line for line in freeze.splitlines() if line.startswith("torch=="))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    given = os.environ.get("RNNLAB_INSTALLED_PYTHON")
    if given:
        python = Path(given).absolute()
        return Installed(python, None, _torch_line(python), "")
    venv = tmp_path_factory.mktemp("student") / "venv"
    _run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", TORCH_PIN])  # the student's torch
    before = _torch_line(python)
    constraints = venv / "constraints.txt"  # the lock's versions of everything but torch
    constraints.write_text(
        "\n".join(line for line in LOCK.read_text().splitlines() if not line.startswith("torch=="))
    )
    log = _run([python, "-m", "pip", "install", "-c", constraints, f"{wheel}[lab]"])
    return Installed(python, before, _torch_line(python), log)


def test_installing_rnnlab_leaves_torch_alone(installed):
    if installed.torch_before is not None:
        assert installed.torch_after == installed.torch_before
        assert "torch" not in installed.log.split("Installing collected packages:")[-1].split(",")
        assert "Uninstalling torch" not in installed.log
    version = installed.torch_after.split("==")[1]
    assert version.startswith(("2.13.", "2.14.")), "a tested torch release"


def _student_env(tmp_path, installed):
    return {
        **CLEAN_ENV,
        "PATH": f"{installed.python.parent}{os.pathsep}{os.environ['PATH']}",
        "JUPYTER_CONFIG_DIR": str(tmp_path / "jupyter-config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter-data"),  # no kernel of this machine's user
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "jupyter-runtime"),
    }


def test_start_then_chapter_01_runs_from_the_folder(installed, tmp_path):
    env = _student_env(tmp_path, installed)
    rnnlab = installed.python.parent / "rnnlab"
    where = _run(
        [installed.python, "-c", "import rnnlab; print(rnnlab.__file__)"], cwd=tmp_path, env=env
    )
    assert "site-packages" in where, where

    printed = _run([rnnlab, "start", "--no-lab"], cwd=tmp_path, env=env)
    dest = tmp_path / "rnnlab-course"
    assert f"wrote {len(outline())} student notebooks into {dest}" in printed
    first = dest / Path(outline()[0].file).name
    _run([rnnlab, "execute", first], cwd=tmp_path, env=env)

    nb = nbformat.read(first, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    version = installed.torch_after.split("==")[1].split("+")[0]
    assert code[0].outputs[0]["text"] == f"torch {version}, computing on the CPU\n"
    for cell in code:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if "raises-exception" not in cell.metadata.get("tags", []):
            assert not errors, cell.source
    shown = "".join(str(o.get("data", {}).get("text/plain", "")) for c in code for o in c.outputs)
    assert "Not attempted yet" in shown  # the checkers answered

    # run again, as after a course update: the executed (so edited) chapter is kept
    printed = _run([rnnlab, "start", "--no-lab"], cwd=tmp_path, env=env)
    assert f"kept your edited {first.name}" in printed
    assert nbformat.read(first, as_version=4) == nb


def test_doctor_is_happy_in_the_installed_course(installed, tmp_path):
    env = _student_env(tmp_path, installed)
    printed = _run([installed.python.parent / "rnnlab", "doctor"], cwd=tmp_path, env=env)
    assert "course files found" in printed
    assert "tested with torch 2.13\u20132.14, outputs made with 2.13.0" in printed
    assert "everything is ready: `rnnlab start` opens the course" in printed
