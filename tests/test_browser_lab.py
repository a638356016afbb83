"""A student's first minutes, in a real browser: JupyterLab on 127.0.0.1 opens the first
chapter, every cell runs, no cell fails, the checkers answer; a screenshot lands in _build/.

The browser fixture and its skip-or-fail rule are in tests/conftest.py.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from rnnlab.tooling.outline import ROOT, outline

BUILD = ROOT / "_build"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab on 127.0.0.1 serving a copy of the first chapter; stopped afterwards."""
    first = ROOT / outline()[0].file
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy2(first, root / first.name)  # the student's copy: the repository is untouched
    port, token = _free_port(), "rnnlab-test-token"
    # JupyterLab 4 renders only the cells in view; render them all so the test can read them.
    tracker = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    news = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"  # offline: no news
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
    }
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--allow-root",
    ]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("JupyterLab did not start") from None
                time.sleep(0.3)
        yield base, token, first.name
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_a_students_first_minutes_in_jupyterlab(browser, jupyterlab):
    base, token, name = jupyterlab
    nb = nbformat.read(ROOT / outline()[0].file, as_version=4)
    # worked solutions are collapsed (their prompt is hidden with their input)
    code_cells = sum(
        1
        for c in nb.cells
        if c.cell_type == "code" and not c.metadata.get("jupyter", {}).get("source_hidden")
    )
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/lab/tree/{name}?token={token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=60_000)  # kernel ready
    started = """() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                     .some(p => /\\[(\\d+|\\*)\\]/.test(p.textContent))"""
    for _ in range(3):  # the menu may not answer while the page is still settling: try again
        page.click(".lm-MenuBar-itemLabel:text-is('Run')")
        page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
        try:
            page.wait_for_function(started, timeout=10_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    else:
        page.screenshot(path=str(BUILD / "jupyterlab-did-not-run.png"))
        pytest.fail("Run All Cells did not start the notebook: _build/jupyterlab-did-not-run.png")
    page.wait_for_function(  # every visible cell numbered, none running ("[*]")
        """n => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                 .filter(p => /\\[\\d+\\]/.test(p.textContent)).length === n""",
        arg=code_cells,
        timeout=120_000,
    )
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    errors = page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "outs => outs.map(o => o.textContent.slice(0, 200))",
    )
    assert errors == [], errors  # the first chapter has no cell that is meant to fail
    figures = page.eval_on_selector_all(".jp-RenderedImage img", "i => i.length")
    checks = page.inner_text(".jp-Notebook")
    assert re.search(r"✓ Correct", checks)
    assert figures == sum(
        1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    )
    page.screenshot(path=str(BUILD / "jupyterlab-first-chapter.png"))
    page.close()
