"""A student's first minutes, in a real browser: JupyterLab on 127.0.0.1 opens the first
chapter, every cell runs, no cell fails, the checkers answer; a screenshot lands in _build/.
And a lecturer's: the same chapter presented with RISE shows code and prose at the decks'
lecture-hall sizes (rise.css beside the notebooks).

The browser fixture and its skip-or-fail rule are in tests/conftest.py.
"""

import http.client
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

from rnnlab.tooling import slides
from rnnlab.tooling.outline import ROOT, outline

BUILD = ROOT / "_build"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _answers(server: subprocess.Popen, url: str, seconds: float = 60) -> bool:
    """Whether the server answers ``url`` within ``seconds``; False (the server stopped) if it
    exits first, or if something else holds its port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except (OSError, http.client.HTTPException):  # not up yet, or another service's port
            if server.poll() is not None:
                return False
            time.sleep(0.3)
    _stop(server)
    return False


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab on 127.0.0.1 serving a copy of the first chapter; stopped afterwards."""
    first = ROOT / outline()[0].file
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy2(first, root / first.name)  # the student's copy: the repository is untouched
    shutil.copy2(ROOT / slides.RISE_CSS, root / "rise.css")  # RISE reads it beside the notebook
    token = "rnnlab-test-token"
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
    # A port found free can be taken before JupyterLab binds it (another test's kernel, on a
    # busy machine): JupyterLab may not move to another port (port_retries=0), it exits, and
    # the fixture starts it again on a new one.
    server = None
    try:
        for _attempt in range(3):
            port = _free_port()
            command = [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
                "--allow-root",
            ]
            server = subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            base = f"http://127.0.0.1:{port}"
            if _answers(server, f"{base}/api/status?token={token}"):
                break
            _stop(server)
        else:
            raise RuntimeError("JupyterLab did not start")
        yield base, token, first.name
    finally:
        if server is not None:
            _stop(server)


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


# In RISE the notebook panel is reveal.js's viewport (class "reveal") and its cells the slides;
# the rendered size of a text is its computed font size times the scale reveal.js applies to
# the slides (their drawn width over their layout width, as zoom or transform).
_RISE_SIZES = """() => {
    const slides = document.querySelector('.reveal .slides');
    const scale = slides.getBoundingClientRect().width / slides.offsetWidth;
    const shown = el => el.getClientRects().length > 0 && el.closest('section.present');
    const px = sel => [...document.querySelectorAll(sel)].filter(shown)
        .map(el => parseFloat(getComputedStyle(el).fontSize) * scale);
    return {scale, code: px('.jp-CodeCell .cm-line'), prose: px('.jp-RenderedMarkdown p'),
            slides: document.querySelectorAll('.reveal .slides > section').length};
}"""


def test_rise_presents_at_lecture_hall_sizes(browser, jupyterlab):
    """RISE (jupyterlab-rise) at 1280x720: code >= 24 px and prose >= 28 px, as in the decks."""
    base, token, name = jupyterlab
    page = browser.new_page(viewport={"width": slides.WIDTH, "height": slides.HEIGHT})
    page.goto(f"{base}/rise/{name}?token={token}")
    page.wait_for_selector(".reveal .slides section.present", timeout=60_000)
    page.wait_for_function(
        "() => [...document.styleSheets].some(s => (s.href || '').endsWith('/rise.css'))"
    )
    sizes = {"code": [], "prose": []}
    for _ in range(12):  # the title, the objectives, then slides with code and prose
        page.wait_for_timeout(150)
        found = page.evaluate(_RISE_SIZES)
        for kind in sizes:
            sizes[kind] += found[kind]
        if sizes["code"] and sizes["prose"]:
            break
        page.keyboard.press("ArrowRight")
    page.screenshot(path=str(BUILD / "rise-first-chapter.png"))
    page.close()
    assert found["scale"] == pytest.approx(1.0, abs=0.02)
    assert sizes["code"], "no code line shown in RISE"
    assert sizes["prose"], "no paragraph shown in RISE"
    assert min(sizes["code"]) >= slides.CODE_PX - 0.01, sizes["code"]
    assert min(sizes["prose"]) >= slides.PROSE_PX - 0.01, sizes["prose"]
