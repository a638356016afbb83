"""Make the text chapter's corpus from the running Python's own documentation.

    .venv/bin/python benchmarks/make_text_corpus.py            # writes the two files below
    .venv/bin/python benchmarks/make_text_corpus.py --check    # compares instead of writing

Chapter 11 trains a character-level language model on real text that comes with Python itself:
``pydoc_data.topics.topics``, the Python Language Reference's sections as plain text (CPython's
``Lib/pydoc_data/topics.py``, the text ``help("if")`` shows). This script takes a fixed list of
prose-heavy topics, in a fixed order, makes the text plain ASCII (typographic quotes, dashes and
the ellipsis become their ASCII forms), joins them with a blank line and cuts the result at the
last paragraph end at or before ``MAX_CHARS`` characters. It writes

- ``rnnlab/python_reference.txt``: the excerpt, exactly what ``rnnlab.data.python_reference``
  returns;
- ``rnnlab/python_reference.NOTICE.txt``: its source (the Python version that produced it), the
  changes made to it, PSF's copyright notice and the PSF License Agreement, taken from the
  running Python's own ``LICENSE.txt`` (clause 2 of that agreement asks for the notice and the
  agreement, clause 3 for a brief summary of the changes).

The excerpt is committed so that a student's Python version cannot change the chapter's figures;
another Python release gives another text (``--check`` says whether it does). Files are written
atomically.
"""

import argparse
import os
import platform
import re
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = ROOT / "rnnlab" / "python_reference.txt"
NOTICE = ROOT / "rnnlab" / "python_reference.NOTICE.txt"

#: The topics taken, in this order: sections that are mostly sentences, few grammar rules.
TOPICS = (
    "execmodel",  # 4. Execution model
    "objects",  # 3.1 Objects, values and types
    "exceptions",  # 4.3 Exceptions
    "class",  # 8.8 Class definitions
    "function",  # 8.7 Function definitions
    "raise",  # 7.8 The raise statement
    "try",  # 8.4 The try statement
    "import",  # 7.11 The import statement: last, so the held-out 10% is prose
)
#: The excerpt ends at the last paragraph end at or before this many characters.
MAX_CHARS = 40_000
#: The only changes made to the characters: typographic forms to their ASCII equivalents.
ASCII = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                       "\u2013": "-", "\u2014": "--", "\u2026": "..."})  # fmt: skip


def excerpt() -> str:
    """The excerpt of this Python's ``pydoc_data.topics.topics`` (see the module docstring)."""
    from pydoc_data.topics import topics

    missing = [name for name in TOPICS if name not in topics]
    if missing:
        raise SystemExit(f"this Python's pydoc_data has no topic {missing[0]!r}: use another one")
    parts = [topics[name].translate(ASCII).strip("\n") + "\n" for name in TOPICS]
    text = "\n".join(parts)
    cut = text.rfind("\n\n", 0, MAX_CHARS)  # the last blank line that fits
    text = text[: cut + 1]  # keep the paragraph's own line end
    odd = sorted({c for c in text if not (c.isascii() and (c.isprintable() or c == "\n"))})
    if odd:
        raise SystemExit(f"the excerpt has characters outside printable ASCII: {odd}; map them")
    return text


def psf_licence() -> str:
    """The PSF License Agreement, as this Python ships it in its LICENSE.txt."""
    path = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if not path.is_file():
        raise SystemExit(f"this Python has no {path.name} beside its standard library: use another")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2")
    end = next(i for i in range(start + 2, len(lines)) if lines[i].startswith("BEOPEN.COM"))
    return "\n".join(lines[start:end]).strip("\n") + "\n"


def notice(text: str) -> str:
    """The sidecar note: source, changes, copyright notice and licence."""
    version = platform.python_version()
    licence = psf_licence()
    quoted = re.search(r'i\.e\., "(.*?)" are retained', licence, re.S)
    if quoted is None:
        raise SystemExit("this Python's PSF License Agreement quotes no notice of copyright")
    copyright_notice = " ".join(quoted.group(1).split())
    return f"""\
rnnlab/python_reference.txt: source, changes and licence
========================================================

Source: CPython {version}, Lib/pydoc_data/topics.py (the dictionary pydoc_data.topics.topics: the
Python Language Reference's sections as plain text, as shown by help()). Python's documentation
is licensed under the PSF License Agreement below.

PSF's notice of copyright: {copyright_notice}

Made by benchmarks/make_text_corpus.py (run it to make it again). Summary of the changes made:
- only these topics are taken, in this order, joined by one blank line: {", ".join(TOPICS)};
- typographic quotes, dashes and the ellipsis are replaced by ASCII ' " - -- ...;
- the result is cut at the last paragraph end at or before {MAX_CHARS:,} characters:
  {len(text):,} characters, {text.count(chr(10)):,} lines, plain ASCII, Unix line ends.

{licence}"""


def write_atomically(path: Path, content: str) -> None:
    """Write to a temporary file beside ``path``, fsync it, then replace ``path`` with it."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="ascii", newline="") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files")
    args = parser.parse_args()
    text = excerpt()
    if args.check:
        same = TEXT.is_file() and TEXT.read_text(encoding="ascii") == text
        print(
            f"Python {platform.python_version()}: " + ("the same text" if same else "another text")
        )
        sys.exit(0 if same else 1)
    write_atomically(TEXT, text)
    write_atomically(NOTICE, notice(text))
    print(f"{TEXT.relative_to(ROOT)}: {len(text):,} characters, V = {len(set(text))}")


if __name__ == "__main__":
    main()
