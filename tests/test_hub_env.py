"""The students' environment on a hub (hub/), and `rnnlab start` inside a hub's server (issue 21).

Always run: hub/requirements.txt agrees with requirements/lock.txt and carries no developer tool;
`rnnlab start` with JupyterHub's variables writes the copies, says so in one line and starts no
server; the image's startup hook (hub/start) writes the course and hands over to the server.
With --hub (make test-hub, which first installs hub/requirements.txt into a fresh .venv-hub):
that venv is exactly the file, consistent (pip check), and its single-user server runs.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rnnlab.tooling import start
from rnnlab.tooling.outline import ROOT, outline

HUB_FILE = ROOT / "hub" / "requirements.txt"
LOCK = ROOT / "requirements" / "lock.txt"
HUB_VENV = ROOT / ".venv-hub"
DEVELOPER_TOOLS = {"pytest", "pytest-xdist", "nbval", "hypothesis", "ruff", "playwright"}
DEVELOPER_TOOLS |= {"jupyter-book", "sphinx", "coverage", "pre-commit"}
# A student's shell on the hub: no PYTHONPATH pointing at this checkout, the hub's variables set.
HUB_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JUPYTER_PATH")}
HUB_ENV |= {"JUPYTERHUB_USER": "student1", "JUPYTERHUB_SERVICE_PREFIX": "/user/student1/"}


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _pins(path: Path, python: str | None = None) -> dict[str, str]:
    """``name -> version`` of every ``name==version`` line; with ``python`` (a full version such
    as 3.11.2), only the lines whose environment marker holds for it."""
    from packaging.markers import Marker

    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        requirement, _, marker = line.split("#", 1)[0].partition(";")
        if python and marker.strip():
            if not Marker(marker).evaluate({"python_full_version": python}):
                continue
        if "==" in requirement:
            name, version = requirement.split("==")
            pins[_name(name)] = version.strip()
    return pins


def test_hub_environment_agrees_with_the_lock():
    hub, lock = _pins(HUB_FILE), _pins(LOCK)
    shared = sorted(set(hub) & set(lock))
    assert len(shared) > 80, shared  # the course's own stack comes from the lock
    assert {n: (hub[n], lock[n]) for n in shared if hub[n] != lock[n]} == {}
    assert hub["torch"] == lock["torch"] == "2.13.0"
    assert hub["jupyterhub"] == "6.1.1"
    assert hub["nbgitpuller"] == "1.3.0"
    for name in ("jupyterlab", "ipykernel", "ipywidgets", "matplotlib", "numpy", "nbformat"):
        assert name in hub, name
    assert "rnnlab" not in hub  # its wheel comes from hub/postBuild


def test_hub_environment_has_no_developer_tools_and_the_cpu_torch():
    hub = _pins(HUB_FILE)
    assert sorted(DEVELOPER_TOOLS & set(hub)) == []
    options = [line for line in HUB_FILE.read_text().splitlines() if line.startswith("-")]
    assert options == ["--extra-index-url https://download.pytorch.org/whl/cpu"]
    assert not [name for name in hub if name.startswith("nvidia-")]
    assert (ROOT / "hub" / "runtime.txt").read_text().strip() == "python-3.11"


def test_start_on_a_hub_writes_the_copies_and_starts_no_server(tmp_path):
    dest = tmp_path / "course"
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from rnnlab.tooling.cli import main; sys.exit(main())",
         "start", str(dest)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**HUB_ENV, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    # A second JupyterLab would still be running at the timeout: returning at all is the proof.
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == start.ON_HUB.format(variable="JUPYTERHUB_SERVICE_PREFIX", dest=dest)
    assert "no second JupyterLab started" in lines[-1]
    assert sorted(p.name for p in dest.glob("*.ipynb")) == [Path(c.file).name for c in outline()]


def test_on_hub_reads_jupyterhubs_variables():
    assert start.on_hub({}) is None
    assert start.on_hub({"JUPYTERHUB_USER": ""}) is None
    assert start.on_hub({"JUPYTERHUB_USER": "ada"}) == "JUPYTERHUB_USER"
    assert start.on_hub({"JUPYTERHUB_SERVICE_PREFIX": "/user/ada/"}) == "JUPYTERHUB_SERVICE_PREFIX"


def test_start_off_a_hub_still_opens_jupyterlab(tmp_path, monkeypatch):
    """The hub check must not stop a laptop's `rnnlab start` from opening JupyterLab."""
    for name in start.HUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    opened = []
    monkeypatch.setattr(start.notebooks, "open_lab", lambda extra, folder: opened.append(folder))
    monkeypatch.setattr(start.importlib.util, "find_spec", lambda name: object())
    start.start(tmp_path / "course")
    assert opened == [tmp_path / "course"]


def test_startup_hook_writes_the_course_keeps_edits_and_execs_the_server(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**HUB_ENV, "HOME": str(home), "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    env["PYTHONPATH"] = str(ROOT)
    hook = [str(ROOT / "hub" / "start"), "sh", "-c", "echo server started as $0", "singleuser"]
    first = subprocess.run(hook, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "server started as singleuser"
    chapter = home / "rnnlab-course" / Path(outline()[0].file).name
    chapter.write_text(chapter.read_text() + " ")  # the student's edit
    edited = chapter.read_bytes()
    again = subprocess.run(hook, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert chapter.read_bytes() == edited
    assert f"kept your edited {chapter.name}" in again.stdout


def test_startup_hook_never_blocks_the_server(tmp_path):
    """rnnlab missing or failing: one line on stderr, and the server still starts."""
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}  # no rnnlab on this PATH
    hook = [str(ROOT / "hub" / "start"), "echo", "server started"]
    done = subprocess.run(hook, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0
    assert done.stdout == "server started\n"
    assert "the server starts without the course copies" in done.stderr


@pytest.mark.hub
def test_installed_hub_environment_is_exactly_the_file():
    python = HUB_VENV / "bin" / "python"
    assert python.exists(), "make test-hub installs .venv-hub first"
    frozen = subprocess.run(
        [python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    installed = {
        _name(n): v for n, v in (line.split("==") for line in frozen.split() if "==" in line)
    }
    version = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    wanted = _pins(HUB_FILE, python=version)
    assert installed["torch"].split("+")[0] == wanted.pop("torch")
    mismatched = {n: (v, installed.get(n)) for n, v in wanted.items() if installed.get(n) != v}
    assert mismatched == {}
    extra = set(installed) - set(wanted) - {"torch", "rnnlab"}
    # the hub's own (jupyterhub-idle-culler's requirements), and what a marker left to pip
    assert extra <= {"jupyterhub-idle-culler", "python-dateutil", "six", "soupsieve"}, extra
    assert sorted(DEVELOPER_TOOLS & set(installed)) == []
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    for command in (["jupyterhub-singleuser", "--version"], ["rnnlab", "doctor"]):
        done = subprocess.run(
            [HUB_VENV / "bin" / command[0], *command[1:]],
            capture_output=True, text=True, timeout=120, env=HUB_ENV,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr


def _bytes(size: str) -> float:
    units = {"K": 1e3, "M": 1e6, "G": 1e9}
    return float(size[:-1]) * units[size[-1]]


def test_zero_to_jupyterhub_config_is_complete():
    import yaml

    text = (ROOT / "docs" / "z2jh-config.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text)
    single = config["singleuser"]
    assert single["image"]["name"].endswith("rnnlab-hub")
    guarantee, limit = (_bytes(single["memory"][k]) for k in ("guarantee", "limit"))
    assert 0 < guarantee < limit
    assert config["cull"]["enabled"] is True
    assert config["cull"]["timeout"] > 0
    assert single["extraEnv"]["OMP_NUM_THREADS"] == "1"
    assert "/hub/user-redirect/git-pull?repo=" in text
    assert "hub/start" in text
