"""The book, a slide deck and JupyterLab, checked in a real browser.

Headless Chromium from the system (Debian's ``chromium`` package; ``.ci/run`` installs it),
driven by Playwright for Python with ``executable_path`` pointed at it: Playwright never
downloads a browser. Without Chromium (or npm, for the slides) these tests are skipped, unless
``RNNLAB_REQUIRE_BROWSER=1`` (set by CI), which turns the skip into a failure.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from rnnlab import book, slides
from rnnlab.cli import ROOT, outline

BUILD = ROOT / "_build"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require(tool: str, path: str | None) -> str:
    if path:
        return path
    message = f"{tool} is not installed"
    if os.environ.get("RNNLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message}, and RNNLAB_REQUIRE_BROWSER=1 asks for the browser tests")
    pytest.skip(f"{message}: `apt-get install chromium npm` enables these tests")


@pytest.fixture(scope="module")
def browser():
    executable = _require(
        "chromium",
        os.environ.get("RNNLAB_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser"),
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def html():
    return book.build(BUILD)


@pytest.fixture(scope="module")
def deck():
    _require("npm", shutil.which("npm"))
    return slides.build(BUILD / "slides", chapters=["03_batch_first"])[0]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sidebar, self.images, self._in_nav = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "bd-docs-nav" in (attrs.get("class") or ""):
            self._in_nav += 1
        if tag == "a" and self._in_nav and attrs.get("href", "").endswith(".html"):
            self.sidebar.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_book_has_every_chapter_in_outline_order(html):
    nav = _parse(html / "intro.html").sidebar
    stems = [Path(c.file).stem for c in outline()]
    chapter_links = [Path(href).stem for href in nav if Path(href).stem in stems]
    assert chapter_links == stems
    assert {"notation", "api"} <= {Path(href).stem for href in nav}


@pytest.mark.parametrize("chapter", outline(), ids=lambda c: Path(c.file).stem)
def test_book_embeds_every_figure(html, chapter):
    nb = nbformat.read(ROOT / chapter.file, as_version=4)
    figures = sum(
        1
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    )
    page = html / f"{Path(chapter.file).stem}.html"
    images = [src for src in _parse(page).images if "_images/" in src]
    assert len(images) >= figures
    assert all((page.parent / src).exists() for src in images)


def _console_errors(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    return errors


def test_book_page_renders_offline(browser, html):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = _console_errors(page)
    page.goto((html / "01_rnn_cell.html").as_uri())
    page.wait_for_load_state("networkidle")
    assert page.title().startswith("1. What nn.RNNCell computes")
    page.wait_for_selector("mjx-container")  # the local MathJax rendered the equations
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    page.goto((html / "03_batch_first.html").as_uri())
    page.wait_for_load_state("networkidle")
    widths += page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths
    assert all(w > 0 for w in widths), "a figure did not load"
    page.screenshot(path=str(BUILD / "book-03_batch_first.png"))
    assert errors == []
    page.close()


def test_slide_deck_renders_offline(browser, deck):
    page = browser.new_page(viewport={"width": 1100, "height": 750})
    errors = _console_errors(page)
    page.goto(deck.as_uri())
    page.wait_for_selector(".reveal.ready")
    assert page.title() == "03_batch_first slides"
    assert page.eval_on_selector_all(".reveal .slides > section", "s => s.length") >= 8
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    page.wait_for_load_state("networkidle")
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths
    assert max(widths) > 0
    page.screenshot(path=str(BUILD / "slides-03_batch_first.png"))
    assert errors == []
    page.close()


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
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
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
