"""The book and a slide deck, built and checked in a real browser (fixtures in conftest.py).

The book's pages: every chapter, in book.yml's order, every figure embedded with alt text; then
the rendered book page and slide deck in headless Chromium: title, figures loaded, no console
errors; and every page of the book checked with axe-core against WCAG 2.1 A and AA.
"""

import json
import re
import subprocess
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
def decks(npm, browser):
    """Every chapter's deck, built once: {stem: path}. A chapter whose stored slide layout is
    older than the lecture-hall layout is laid out in memory first (``rnnlab slides
    --annotate`` stores it)."""
    built = slides.build(BUILD / "slides", browser=browser)
    return {path.name.split(".")[0]: path for path in built}


@pytest.fixture(scope="module")
def deck(decks):
    return decks["03_batch_first"]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sidebar, self.images, self.alts, self._in_nav = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "bd-docs-nav" in (attrs.get("class") or ""):
            self._in_nav += 1
        if tag == "a" and self._in_nav and attrs.get("href", "").endswith(".html"):
            self.sidebar.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
            self.alts.append((attrs.get("src", ""), attrs.get("alt")))

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


# -- slides a lecture hall can read -----------------------------------------------------------

# For every slide: each text rectangle (Range.getClientRects of every text node) against the
# client box of every ancestor whose overflow is not visible, and the viewport; the last line
# of every stderr output (a traceback ends with its error); the rendered size of code and
# prose, computed font size x Reveal.getScale() (tests/hall_check.js). MathJax's assistive
# MathML (a copy of each formula for screen readers, clipped on purpose) and speaker notes are
# not shown text.
_HALL = (Path(__file__).parent / "hall_check.js").read_text(encoding="utf-8")

IMAGES_AND_MATH_DONE = (
    "[...document.images].every(i => i.complete) && "
    "(!window.MathJax || !MathJax.Hub || MathJax.Hub.queue.pending === 0)"
)
SCREENS = ((slides.WIDTH, slides.HEIGHT), (1024, 768))


def test_every_slide_of_every_deck_shows_everything_at_hall_sizes(browser, decks):
    """Every slide of every deck at 1280x720 and 1024x768: no text outside a clipping box or
    the screen, every traceback's last line in view, code >= 24 px and prose >= 28 px at
    1280x720 (x0.8 at 1024x768). One page, reused; the densest slides' screenshots stay in
    _build/ (slides-dense-*.png) for a person to look at."""
    page = browser.new_page(viewport={"width": slides.WIDTH, "height": slides.HEIGHT})
    errors = _console_errors(page)
    hidden, cut, small, visited, dense = [], [], [], 0, []
    for stem, path in decks.items():
        page.set_viewport_size({"width": slides.WIDTH, "height": slides.HEIGHT})
        page.goto(path.as_uri())
        page.wait_for_selector(".reveal.ready")
        page.wait_for_function(IMAGES_AND_MATH_DONE)
        for width, height in SCREENS:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("() => Reveal.layout()")
            report = page.evaluate(_HALL)
            scale = min(width / slides.WIDTH, height / slides.HEIGHT)
            assert report["scale"] == pytest.approx(scale, abs=1e-3)
            for slide in report["slides"]:
                visited += 1
                where = f"{stem} {width}x{height} slide {slide['h']}/{slide['v']}"
                hidden += [f"{where}: {h['text']!r} outside {h['box']}" for h in slide["hidden"]]
                cut += [f"{where}: {line!r}" for line in slide["cut"]]
                if slide["code"] is not None and slide["code"] < slides.CODE_PX * scale - 0.01:
                    small.append(f"{where}: code {slide['code']:.1f} px")
                if slide["prose"] is not None and slide["prose"] < slides.PROSE_PX * scale - 0.01:
                    small.append(f"{where}: prose {slide['prose']:.1f} px")
                if width == slides.WIDTH:
                    dense.append((slide["chars"], stem, slide["h"], slide["v"]))
    page.set_viewport_size({"width": slides.WIDTH, "height": slides.HEIGHT})
    for _chars, stem, h, v in sorted(dense, reverse=True)[:4]:
        page.goto(f"{decks[stem].as_uri()}#/{h}/{v}")
        page.wait_for_selector(".reveal.ready")
        page.wait_for_function(IMAGES_AND_MATH_DONE)
        page.screenshot(path=str(BUILD / f"slides-dense-{stem}-{h}-{v}.png"))
    page.close()
    assert visited >= 2 * 10 * len(decks)
    assert not hidden, f"{len(hidden)} text rectangles hidden:\n" + "\n".join(hidden[:40])
    assert not cut, "tracebacks whose last line is not in view:\n" + "\n".join(cut)
    assert not small, "text under the lecture-hall sizes:\n" + "\n".join(small[:40])
    assert errors == []


def test_the_hall_check_sees_a_clipped_box(browser, decks):
    """The check above fails where it should: outputs in a fixed-height box with scrolling
    (the old layout's) hide text, and tracebacks shown from their top lose their last line."""
    page = browser.new_page(viewport={"width": slides.WIDTH, "height": slides.HEIGHT})
    page.goto(decks["02_nn_rnn"].as_uri())
    page.wait_for_selector(".reveal.ready")
    page.add_style_tag(
        content=".reveal .jp-Cell-outputWrapper { max-height: 60px !important;"
        " overflow-y: auto !important; }"
    )
    report = page.evaluate(_HALL)
    page.close()
    assert sum(bool(s["hidden"]) for s in report["slides"]) >= 5
    assert sum(len(s["cut"]) for s in report["slides"]) >= 3
    boxes = {h["box"] for s in report["slides"] for h in s["hidden"]}
    assert any("jp-Cell-outputWrapper" in box for box in boxes), boxes


def test_speaker_notes_open_offline_and_no_mathjax_box(browser, decks):
    """The presenter's view (key s) opens from the local reveal.js and shows the slide's notes;
    MathJax typesets without its "Loading [MathJax]" box."""
    nb = nbformat.read(ROOT / outline()[0].file, as_version=4)
    note = "Say this aloud: the hidden state starts at zero."
    cell = nbformat.v4.new_markdown_cell(note)
    cell.metadata["slideshow"] = {"slide_type": "notes"}
    nb.cells.insert(1, cell)
    path = decks["01_rnn_cell"].with_name("_notes_check.slides.html")
    body, _ = slides._exporter().from_notebook_node(nb, resources={"metadata": {"name": "n"}})
    path.write_text(body, encoding="utf-8")
    page = browser.new_page(viewport={"width": slides.WIDTH, "height": slides.HEIGHT})
    errors = _console_errors(page)
    page.goto(path.as_uri())
    page.wait_for_selector(".reveal.ready")
    assert page.evaluate("() => document.querySelector('aside.notes') !== null")
    with page.expect_popup() as popup:
        page.keyboard.press("s")
    speaker = popup.value
    speaker.wait_for_load_state()
    assert "Speaker View" in speaker.title()
    speaker.wait_for_function(f"document.body.innerText.includes({note[:25]!r})")
    box = (
        "() => { const m = document.getElementById('MathJax_Message');"
        " return !!m && m.offsetParent !== null && m.innerText.trim() !== ''; }"
    )
    page.wait_for_timeout(500)
    assert not page.evaluate(box), "MathJax shows its loading box"
    assert errors == []
    speaker.close()
    page.close()
    path.unlink()


# axe-core from the npm registry, installed once into _build/axe (as the slides' libraries are);
# injected into each page, no browser download.
AXE = "axe-core@4.14.1"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([\w.-]+)" />\s*$')


@pytest.fixture(scope="module")
def axe(npm):
    prefix = BUILD / "axe"
    script = prefix / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", prefix, "--no-audit", "--no-fund", "--silent", AXE],
            check=True,
        )
    return script


def test_every_page_of_the_book_passes_axe(browser, html, axe):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    found = []
    pages = sorted(html.glob("*.html"))
    assert len(pages) >= len(outline()) + 3  # the chapters, intro, notation, api, search...
    for path in pages:
        redirect = REDIRECT.match(path.read_text(encoding="utf-8"))
        if redirect:  # index.html only sends the browser on to intro.html, checked on its own
            assert html / redirect[1] in pages
            continue
        page.goto(path.as_uri())
        page.add_script_tag(path=str(axe))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
        )
        for violation in result["violations"]:
            targets = [node["target"] for node in violation["nodes"]]
            found.append(f"{path.name}: {violation['id']} ({violation['help']}) at {targets}")
    page.close()
    assert found == [], "\n".join(found)


def test_every_figure_has_alt_text(html):
    """MyST-NB takes a figure's alt from its cell's metadata (mystnb.image.alt); without it, the
    alt is the image's file name, which says nothing."""
    missing = []
    for path in sorted(html.glob("*.html")):
        for src, alt in _parse(path).alts:
            if not alt or not alt.strip() or alt == src or alt.endswith((".png", ".svg")):
                missing.append(f"{path.name}: {src} (alt={json.dumps(alt)})")
    assert missing == [], (
        "figures without alt text: set the cell's metadata "
        '{"mystnb": {"image": {"alt": "..."}}}\n' + "\n".join(missing)
    )
