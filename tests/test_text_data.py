"""The text of chapter 11 (rnnlab.data.python_reference, split_text): it ships with its licence,
it is what benchmarks/make_text_corpus.py makes from the stated Python, and bad input gets one
clear line."""

import hashlib
import importlib.util
import linecache
import platform
import re
import tomllib
import traceback
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rnnlab
from rnnlab import data

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(rnnlab.__file__).resolve().parent

#: sha256 of rnnlab/python_reference.txt, made by benchmarks/make_text_corpus.py on CPython 3.11.7.
SOURCE_SHA256 = "a4f0e22af0df4d0ac0b3533397c64ef322a8efb3fddba58268c23055d40b61bb"
NOTICE = PACKAGE / "python_reference.NOTICE.txt"


def _make_text_corpus():
    """benchmarks/make_text_corpus.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "make_text_corpus", ROOT / "benchmarks" / "make_text_corpus.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _clear(call) -> str:
    """The call raises TypeError or ValueError from an explicit raise in rnnlab: its message."""
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert PACKAGE in Path(frame.filename).resolve().parents, frame.filename
    assert linecache.getline(frame.filename, frame.lineno).strip().startswith("raise")
    message = str(info.value)
    assert "\n" not in message
    assert len(message) > 15
    return message


def test_the_text_is_the_stated_source_and_ships_with_the_package():
    text = data.python_reference()
    assert len(text) == data.PYTHON_REFERENCE_CHARS == 39_799
    assert hashlib.sha256(text.encode("ascii")).hexdigest() == SOURCE_SHA256
    assert text.startswith("Execution model\n***************\n\n\nStructure of a program\n")
    assert text.endswith("  as a reference to the imported module\n")
    assert text.count("\n") == 946
    assert "\r" not in text  # read with newline="": the bytes as stored
    assert len(set(text)) == 85
    assert (PACKAGE / data.PYTHON_REFERENCE_FILE).is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = package_data["package-data"]["rnnlab"]
    assert data.PYTHON_REFERENCE_FILE in shipped, "the wheel needs it"
    assert NOTICE.name in shipped, "the licence travels with the text"


def test_the_notice_names_the_source_the_changes_and_the_psf_licence():
    notice = NOTICE.read_text(encoding="ascii")
    version = re.search(r"Source: CPython (\d+\.\d+\.\d+), Lib/pydoc_data/topics\.py", notice)
    assert version is not None
    assert version.group(1) == "3.11.7"  # the Python named in rnnlab/data.py's docstring
    assert f"CPython {version.group(1)}" in data.__doc__
    assert "Summary of the changes made" in notice  # clause 3 of the agreement
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in notice  # clause 2: the agreement
    assert re.search(
        r"Copyright \(c\) 2001, .* Python Software Foundation;\s+All Rights Reserved", notice
    )
    assert "8. By copying, installing or otherwise using Python" in notice  # all of it
    assert "BEOPEN" not in notice  # and only it


def test_the_script_makes_the_same_text_from_the_stated_python():
    corpus = _make_text_corpus()
    notice = NOTICE.read_text(encoding="ascii")
    if f"CPython {platform.python_version()}," not in notice:
        pytest.skip(f"the text was made with another Python than {platform.python_version()}")
    text = corpus.excerpt()
    assert text == data.python_reference()
    assert corpus.notice(text) == notice


def test_the_script_writes_atomically(tmp_path):
    corpus = _make_text_corpus()
    target = tmp_path / "text.txt"
    target.write_text("a student's copy\n")
    corpus.write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["text.txt"]  # no temporary file left


@pytest.mark.parametrize("n", [1, 14, 39_798, 39_799])
def test_the_first_n_characters(n):
    assert data.python_reference(n) == data.python_reference()[:n]


def test_split_keeps_the_order_and_the_fraction():
    text = data.python_reference()
    train, val = data.split_text(text, 0.1)
    assert train + val == text
    assert len(val) == round(len(text) * 0.1) == 3_980
    assert set(val) <= set(train)  # no held-out character is unknown to training
    train, val = data.split_text("abcdefghij", 0.25)
    assert (train, val) == ("abcdefgh", "ij")  # round(2.5) = 2 characters held out


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "between 1 and 39799"),
        (39_800, "between 1 and 39799"),
        (2.0, "whole number"),
        (True, "whole number"),
        ("100", "whole number"),
    ],
)
def test_bad_lengths_get_one_clear_line(value, words):
    assert words in _clear(lambda: data.python_reference(value))


@pytest.mark.parametrize(
    ("text", "fraction", "words"),
    [
        (b"abc", 0.1, "as a str"),
        (["a", "b"], 0.1, "as a str"),
        ("abcdef", 0, "positive"),
        ("abcdef", 1, "between 0 and 1"),
        ("abcdef", 1.5, "between 0 and 1"),
        ("abcdef", float("nan"), "finite"),
        ("abcdef", "0.1", "a number"),
        ("abcdef", 0.01, "empty part"),
        ("ab", 0.9, "empty part"),
        ("", 0.5, "empty part"),
    ],
)
def test_bad_splits_get_one_clear_line(text, fraction, words):
    assert words in _clear(lambda: data.split_text(text, fraction))


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(max_size=30),
    fraction=st.one_of(st.floats(allow_nan=True), st.integers(-2, 2), st.none()),
)
def test_split_text_works_or_says_why(text, fraction):
    try:
        train, val = data.split_text(text, fraction)
    except (TypeError, ValueError):
        _clear(lambda: data.split_text(text, fraction))
        return
    assert train + val == text
    assert train
    assert val


def test_a_missing_file_is_named(monkeypatch):
    monkeypatch.setattr(data, "PYTHON_REFERENCE_FILE", "no_such_text.txt")
    with pytest.raises(FileNotFoundError, match="reinstall rnnlab"):
        data.python_reference()
