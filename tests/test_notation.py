"""One notation course-wide: the glossary of docs/notation.md against the chapters as they are.

For each glossary term: its defining cell (chapter and cell id) still says the words the glossary
quotes, and no cell before it in course order (book.yml) uses the term, except a forward
reference that names the defining chapter ("chapter 5"), the defining chapter's own title and
"What you will learn" list, and the cells of the defining cell's own section (from its "## "
heading on), which may name the term just before they define it. The chapters are read at test
time, so after an edit the test names the first early use, or the defining cell that changed;
update the glossary row (its cell id or its quote) and run it again:

    .venv/bin/pytest tests/test_notation.py -n 0 -q
    .venv/bin/python tests/test_notation.py      # one line per term: ok, or what is wrong

The words the course never uses (they had two meanings) are read from the same page.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTATION = ROOT / "docs" / "notation.md"
# Terms that fail on the text of the chapters at the time the glossary was written (issue 19):
# the chapters' edits define them, then the lead updates their rows and empties this set (a
# term that passes while listed here fails, strict, so the set cannot go stale).
PENDING: dict[str, str] = {}
FORWARD_REFERENCES_ALLOWED = True  # "(chapter 5)" next to a term may point ahead to it


@dataclass(frozen=True)
class Term:
    name: str
    chapter: str  # a notebook's stem, "" when no chapter defines the term yet
    cell: str  # the defining cell's id
    says: str  # words the defining cell contains
    names: tuple[str, ...]  # forms matched in inline code and comments, case-sensitive
    words: tuple[str, ...]  # forms matched in prose, any case


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def glossary(text: str | None = None) -> list[Term]:
    """The rows of the glossary table of docs/notation.md."""
    text = NOTATION.read_text(encoding="utf-8") if text is None else text
    section = text.split("## Glossary", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = _cells(rows[0])
    assert header == ["term", "meaning", "chapter", "cell", "the cell says", "searched as"], header
    terms = []
    for row in rows[2:]:
        name, _, chapter, cell, says, forms = _cells(row)
        forms = [f.strip() for f in forms.split(",") if f.strip()]
        undefined = chapter in ("—", "-", "")
        terms.append(
            Term(
                name=name,
                chapter="" if undefined else chapter,
                cell="" if undefined else cell,
                says="" if undefined else says,
                names=tuple(f.strip("`") for f in forms if f.startswith("`")),
                words=tuple(f for f in forms if not f.startswith("`")),
            )
        )
    return terms


def never_said(text: str | None = None) -> tuple[str, ...]:
    """The phrases of the line 'The course never says "..." or "..."' of docs/notation.md."""
    text = NOTATION.read_text(encoding="utf-8") if text is None else text
    line = next(line for line in text.splitlines() if "The course never says" in line)
    return tuple(re.findall(r'"([^"]+)"', line))


@dataclass(frozen=True)
class Cell:
    chapter: str  # stem, e.g. 03_batch_first
    number: int  # the chapter's number in book.yml, 1-based
    index: int  # the cell's position in its notebook
    id: str
    prose: str  # markdown text (inline code included)
    code: str  # inline code spans of the markdown, and comments of a code cell
    opening: bool  # the chapter's title cell or its "What you will learn" list


def course() -> list[Cell]:
    """Every cell of every chapter, in book.yml's order, read now."""
    from rnnlab.tooling.outline import outline

    cells = []
    for number, chapter in enumerate(outline(), start=1):
        path = ROOT / chapter.file
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            source = cell.source
            if cell.cell_type == "markdown":
                prose, code = source, "\n".join(re.findall(r"`([^`\n]+)`", source))
            elif cell.cell_type == "code":
                prose = ""
                code = "\n".join(m[1] for m in re.finditer(r"#(.*)$", source, re.MULTILINE))
            else:
                continue
            opening = cell.cell_type == "markdown" and (
                source.startswith("# ") or source.lstrip("*").startswith("What you will learn")
            )
            cells.append(Cell(path.stem, number, index, cell.get("id", ""), prose, code, opening))
    return cells


def _plain(text: str) -> str:
    """Prose without markup, spaces collapsed, lower case: what a quote is compared with."""
    text = re.sub(r"[*`$]", "", text)
    return " ".join(text.split()).lower()


def _uses(term: Term, cell: Cell) -> list[str]:
    found = []
    for name in term.names:
        pattern = rf"(?<![\w.\-]){re.escape(name)}(?![\w\-])"
        found += [m[0] for m in re.finditer(pattern, cell.code)]
    prose = re.sub(r"`[^`\n]+`", " ", cell.prose)  # names in code are matched above
    for word in term.words:
        found += [m[0] for m in re.finditer(rf"\b{re.escape(word)}\b", prose, re.IGNORECASE)]
    return found


def problems(term: Term, cells: list[Cell]) -> list[str]:
    """What is wrong with one glossary row on the current text; empty when it holds."""
    if not term.chapter:
        return [f"{term.name}: no chapter defines it yet (the glossary says —)"]
    defining = [c for c in cells if c.chapter == term.chapter and c.id == term.cell]
    if not defining:
        chapters = {c.chapter for c in cells}
        where = "no such chapter" if term.chapter not in chapters else "no cell with that id"
        return [f"{term.name}: {term.chapter} cell {term.cell}: {where}"]
    home = defining[0]
    found = []
    if _plain(term.says) not in _plain(home.prose + "\n" + home.code):
        found.append(
            f"{term.name}: {home.chapter} cell {home.id} (#{home.index}) no longer says "
            f'"{term.says}"'
        )
    before = cells[: cells.index(home)]
    headings = [c for c in before if c.chapter == home.chapter and c.prose.startswith("## ")]
    section = cells.index(headings[-1]) if headings else len(before)
    for cell in before[:section]:  # the defining cell's own section may lead up to it
        if cell.chapter == home.chapter and cell.opening:
            continue
        if FORWARD_REFERENCES_ALLOWED and re.search(
            rf"\bchapters? (?:\d+(?:,| and| or) )*{home.number}\b",
            cell.prose + cell.code,
            re.IGNORECASE,
        ):
            continue
        uses = _uses(term, cell)
        if uses:
            found.append(
                f"{term.name}: used in {cell.chapter} cell {cell.id} (#{cell.index}) as "
                f'"{uses[0]}", before its definition in {home.chapter} cell {home.id}'
            )
            break
    return found


def never_said_problems(cells: list[Cell]) -> list[str]:
    found = []
    for phrase in never_said():
        for cell in cells:
            if re.search(rf"\b{re.escape(phrase)}\b", cell.prose + "\n" + cell.code, re.I):
                found.append(f'never says: "{phrase}" in {cell.chapter} cell {cell.id}')
                break
    return found


TERMS = glossary()


@pytest.fixture(scope="module")
def cells():
    return course()


def _pending(name: str):
    reason = PENDING.get(name)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize(
    "term", [pytest.param(t, id=t.name, marks=_pending(t.name)) for t in TERMS]
)
def test_term_defined_where_the_glossary_says_and_not_used_before(term, cells):
    found = problems(term, cells)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("_", [pytest.param(0, id="never says", marks=_pending("never says"))])
def test_words_with_two_meanings_are_not_used(_, cells):
    found = never_said_problems(cells)
    assert not found, "\n".join(found)


def test_pending_names_are_glossary_terms():
    assert set(PENDING) <= {t.name for t in TERMS} | {"never says"}


def test_the_checker_catches_an_early_use_and_a_changed_definition():
    """The rules, on a made-up course: each mistake is found, each allowed use is not."""
    page = (
        "## Glossary\n"
        "| term | meaning | chapter | cell | the cell says | searched as |\n"
        "|---|---|---|---|---|---|\n"
        "| batch-first | x | 02_b | def | **Batch-first** `(N, L, H_in)` | batch-first, `D` |\n"
    )
    (term,) = glossary(page)
    assert term.names == ("D",)
    assert term.words == ("batch-first",)

    def cell(chapter, number, index, prose="", code="", opening=False):
        return Cell(chapter, number, index, f"c{index}" if index else "def", prose, code, opening)

    definition = cell("02_b", 2, 0, "*Batch-first* `(N, L, H_in)`: x[n] is sequence n.")
    assert problems(term, [cell("01_a", 1, 1, "A 3-D tensor, d.o.f."), definition]) == []
    assert problems(term, [cell("01_a", 1, 1, "Batch-first (chapter 2) data"), definition]) == []
    early = problems(term, [cell("01_a", 1, 1, "the Batch-First layout"), definition])
    assert early == [
        'batch-first: used in 01_a cell c1 (#1) as "Batch-First", before its definition in '
        "02_b cell def"
    ]
    in_code = problems(term, [cell("01_a", 1, 1, code=" h0: (D*num_layers, H)"), definition])
    assert 'as "D"' in in_code[0]
    changed = cell("02_b", 2, 0, "The layout `(N, L, H_in)`.")
    assert problems(term, [changed])[0].endswith('no longer says "**Batch-first** `(N, L, H_in)`"')
    assert "no cell with that id" in problems(term, [cell("02_b", 2, 3, "Batch-first")])[0]


def _plain_equations(latex: str) -> list[str]:
    """docs/notation.md's display equations, written as the docstrings write them."""
    text = "\n".join(re.findall(r"\$\$(.+?)\$\$", latex, re.DOTALL))
    for old, new in (
        (r"\\sigma", "sigmoid"),
        (r"\\tanh", "tanh"),
        (r"\\odot", "*"),
        (r"\^\\top", "^T"),
        (r"_\{t-1\}", "_(t-1)"),
        (r"_\{(\w+)\}", r"_\1"),
    ):
        text = re.sub(old, new, text)
    return [" ".join(eq.split()) for eq in re.split(r"\\qquad|\n", text) if "=" in eq]


def test_manual_docstrings_write_the_equations_of_the_notation_page():
    from rnnlab import manual

    equations = _plain_equations(NOTATION.read_text(encoding="utf-8"))
    assert len(equations) == 1 + 4 + 6  # the RNN; the GRU's r, z, n, h; the LSTM's i..o, c, h
    docstrings = " ".join(
        " ".join((f.__doc__ or "").split())
        for f in (manual.rnn_cell, manual.rnn_forward, manual.gru_forward, manual.lstm_forward)
    )
    missing = [eq for eq in equations if eq not in docstrings]
    assert not missing, missing


def test_every_term_is_searched_and_every_defining_chapter_is_in_the_course(cells):
    chapters = {c.chapter for c in cells}
    for term in TERMS:
        assert term.names or term.words, term.name
        assert not term.chapter or term.chapter in chapters, term


if __name__ == "__main__":  # a report for whoever updates the glossary
    sys.path.insert(0, str(ROOT))
    everything = course()
    for term in TERMS:
        print("\n".join(problems(term, everything)) or f"{term.name}: ok")
    print("\n".join(never_said_problems(everything)) or "never says: ok")
