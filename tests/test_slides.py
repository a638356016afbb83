"""The lecture-hall deck tooling without a browser: how a notebook is cut into slide-sized
pieces (rnnlab.tooling.slides.hall_notebook), what stays out of a deck, and that a lecturer's
own slide marks survive ``rnnlab slides --annotate`` (relayout). The decks themselves are
checked in Chromium by tests/test_browser.py."""

import nbformat
import pytest

from rnnlab.tooling import slides
from rnnlab.tooling.outline import ROOT


def _md(source, kind=None, cell_id=None, tags=()):
    cell = nbformat.v4.new_markdown_cell(source)
    cell.id = cell_id or f"m{abs(hash(source)) % 10**6}"
    cell.metadata["tags"] = list(tags)
    if kind:
        cell.metadata["slideshow"] = {"slide_type": kind}
    return cell


def _code(source, outputs=(), kind=None, cell_id=None, tags=()):
    cell = nbformat.v4.new_code_cell(source)
    cell.id = cell_id or f"c{abs(hash(source)) % 10**6}"
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    cell.metadata["tags"] = list(tags)
    if kind:
        cell.metadata["slideshow"] = {"slide_type": kind}
    return cell


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


SETUP = _code("import rnnlab", cell_id="setup")


def test_a_long_code_cell_continues_on_the_next_slide_and_the_notebook_stays_whole():
    source = "\n".join(f"x{i} = {i}  # line {i}" for i in range(40))
    nb = _nb(_md("# Title", "slide", "t"), SETUP, _code(source, kind="-", cell_id="long"))
    pieces = slides.hall_notebook(nb).cells
    code = [p for p in pieces if p.cell_type == "code"]
    assert "\n".join(p.source for p in code) == source  # every line shown, once, in order
    assert len(code) == 3
    assert all(slides._rows(p.source) <= slides.CODE_ROWS for p in code)
    assert [p.metadata.slideshow.slide_type for p in code] == ["-", "subslide", "subslide"]
    assert slides.CONTINUES in code[0].metadata.tags
    assert slides.CONTINUED in code[1].metadata.tags
    assert nb.cells[2].source == source  # the notebook itself is untouched


def test_a_traceback_keeps_its_end_under_a_cue_and_a_long_output_is_split():
    frames = [f"\x1b[32mframe {i}\x1b[0m line" for i in range(30)]
    error = {
        "output_type": "error",
        "ename": "ValueError",
        "evalue": "bad h0",
        "traceback": [*frames, "\x1b[31mValueError\x1b[0m: bad h0"],
    }
    stream = {"output_type": "stream", "name": "stdout", "text": "row\n" * 50}
    nb = _nb(SETUP, _code("boom()", [error], cell_id="e"), _code("show()", [stream], cell_id="s"))
    pieces = slides.hall_notebook(nb).cells
    shown = pieces[0].outputs[0]["traceback"]
    assert shown[-1].endswith("ValueError\x1b[0m: bad h0")
    assert shown[0].startswith("⋮ ")
    assert "notebook" in shown[0]
    assert len(shown) <= slides.TRACEBACK_ROWS + 1
    texts = [o["text"] for p in pieces[1:] for o in p.outputs]
    assert "".join(texts) == "row\n" * 50
    assert len(texts) == 3
    assert all(slides.OUTPUT_ONLY in p.metadata.tags for p in pieces[2:])


def test_setup_and_going_deeper_stay_out_unless_asked_and_breaks_move_on():
    deeper = [
        _md("## Going deeper: strides", "slide", "g1", [slides.GOING_DEEPER]),
        _code("x.stride()", kind="-", cell_id="g2", tags=[slides.GOING_DEEPER]),
    ]
    nb = _nb(
        _md("# Title", "slide", "t"),
        _code("import rnnlab", kind="subslide", cell_id="setup"),
        _md("Prose after the setup.", "-", "p"),
        *deeper,
        _md("Back on the core path.", "-", "q"),
    )
    shown = slides.hall_notebook(nb).cells
    assert [c.id for c in shown] == ["t", "p", "g1-optional", "q"]
    kinds = [c.metadata.slideshow.slide_type for c in shown]
    assert kinds == ["slide", "subslide", "notes", "slide"]  # the left-out cells' breaks
    assert "Going deeper: strides" in shown[2].source  # the speaker view names what is left out
    everything = slides.hall_notebook(nb, optional=True).cells
    assert [c.id for c in everything] == ["t", "setup", "p", "g1", "g2", "q"]


def test_annotate_keeps_a_lecturers_marks():
    cells = [
        _md("# Title", cell_id="t"),
        _code("import rnnlab", cell_id="setup"),
        _md("A short line.", cell_id="a"),
        _code("y = 2", cell_id="b"),
        _code("z = 3", cell_id="c"),
        _md("More prose.", cell_id="d"),
    ]
    nb = _nb(*cells)
    heights = {c.id: 100.0 for c in cells}
    slides.relayout(nb, heights)
    auto = [c.metadata.slideshow.slide_type for c in nb.cells]
    assert auto == ["slide", "-", "-", "-", "-", "-"]
    # the lecturer skips one cell, moves one to the notes and breaks the slide before another
    nb.cells[2].metadata.slideshow.slide_type = "skip"
    nb.cells[3].metadata.slideshow.slide_type = "notes"
    nb.cells[4].metadata.slideshow.slide_type = "subslide"
    nb.cells[5].source = "More prose, " * 200  # the chapter changed: the layout is redone
    slides.relayout(nb, {**heights, "d": 2000.0})
    kinds = [c.metadata.slideshow.slide_type for c in nb.cells]
    assert kinds == ["slide", "-", "skip", "notes", "subslide", "notes"]
    assert [slides.lecturer_mark(c) for c in nb.cells] == [
        None, None, "skip", "notes", "subslide", None,
    ]  # fmt: skip


def test_a_skip_from_before_the_record_is_the_lecturers():
    cell = _md("old", "skip")
    assert slides.lecturer_mark(cell) == "skip"
    cell.metadata.slideshow.slide_type = "notes"
    assert slides.lecturer_mark(cell) is None  # the old tooling wrote notes itself


def test_a_tall_markdown_cell_is_laid_out_block_by_block():
    table = "| a | b |\n|---|---|\n" + "\n".join(f"| {i} | x |" for i in range(15))
    cell = _md(f"## Summary\n\n{table}\n\n- one\n- two", "slide", "sum")
    pieces = slides.hall_notebook(_nb(SETUP, cell)).cells
    assert pieces[0].source == "## Summary"
    tables = [p.source for p in pieces if p.source.startswith("| a | b |")]
    assert len(tables) == 3  # 15 rows in runs of TABLE_ROWS, each under its header
    assert sum(t.count("| x |") for t in tables) == 15
    assert all(slides.PART in p.metadata.tags for p in pieces[1:])


def test_rise_css_beside_the_notebooks_is_the_decks_layout():
    """RISE reads notebooks/rise.css; it is written from the decks' stylesheet, never by hand."""
    assert (ROOT / slides.RISE_CSS).read_text(encoding="utf-8") == slides.rise_css()
    css = slides.rise_css()
    assert f"--jp-code-font-size: {slides.CODE_PX}px" in css
    assert f"--jp-content-font-size1: {slides.PROSE_PX}px" in css
    assert "max-height: none" in css


@pytest.mark.parametrize("lines", [1, slides.CODE_ROWS, slides.CODE_ROWS + 1, 100])
def test_chunks_never_lose_or_reorder_a_line(lines):
    text = [f"v = {i}" if i % 7 else "" for i in range(lines)]
    chunks = slides._chunks(text, slides.CODE_ROWS)
    assert [line for chunk in chunks for line in chunk] == text
    assert all(slides._rows("\n".join(c)) <= slides.CODE_ROWS for c in chunks)
