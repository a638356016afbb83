"""The book and a slide deck, built and checked in a real browser (fixtures in conftest.py).

The book's pages: every chapter, in book.yml's order, every figure embedded; then the rendered
book page and slide deck in headless Chromium: title, figures loaded, no console errors.
"""

from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from rnnlab.tooling import book, slides
from rnnlab.tooling.outline import ROOT, outline

BUILD = ROOT / "_build"


@pytest.fixture(scope="module")
def html():
    return book.build(BUILD)


@pytest.fixture(scope="module")
def deck(npm):
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
    """Console errors, page errors, failed requests and any request off the local disk."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("file:", "data:", "blob:"))
            else errors.append(f"network request: {r.url}")
        ),
    )
    return errors


IMAGES_DONE = "() => [...document.images].every(i => i.complete)"


def test_book_page_renders_offline(browser, html):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = _console_errors(page)
    page.goto((html / "01_rnn_cell.html").as_uri())
    page.wait_for_function(IMAGES_DONE)
    assert page.title().startswith("1. What nn.RNNCell computes")
    page.wait_for_selector("mjx-container")  # the local MathJax rendered the equations
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    page.goto((html / "03_batch_first.html").as_uri())
    page.wait_for_function(IMAGES_DONE)
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
    page.wait_for_function(IMAGES_DONE)
    widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths
    assert max(widths) > 0
    page.screenshot(path=str(BUILD / "slides-03_batch_first.png"))
    assert errors == []
    page.close()
