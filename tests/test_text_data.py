"""The text of chapter 11 (rnnlab.data.shakespeare, split_text): it ships, it is the stated
source, and bad input gets one clear line."""

import hashlib
import linecache
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

#: sha256 of the first 39,908 bytes of data/tinyshakespeare/input.txt, karpathy/char-rnn 6f9487a.
SOURCE_SHA256 = "3cc7e2022d8dd9a5cb95d6f8adebe20a1af5fc291fd5bd913e8df4214c58e469"


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
    text = data.shakespeare()
    assert len(text) == data.SHAKESPEARE_CHARS == 39_908
    assert hashlib.sha256(text.encode("ascii")).hexdigest() == SOURCE_SHA256
    assert text.startswith("First Citizen:\nBefore we proceed any further, hear me speak.\n")
    assert text.endswith("VOLUMNIA:\nNay,'tis true.\n")
    assert text.count("\n") == 1_490
    assert "\r" not in text  # read with newline="": the bytes as stored
    assert len(set(text)) == 58
    assert (PACKAGE / data.SHAKESPEARE_FILE).is_file()
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert data.SHAKESPEARE_FILE in package_data["package-data"]["rnnlab"], "the wheel needs it"


@pytest.mark.parametrize("n", [1, 14, 39_907, 39_908])
def test_the_first_n_characters(n):
    assert data.shakespeare(n) == data.shakespeare()[:n]


def test_split_keeps_the_order_and_the_fraction():
    text = data.shakespeare()
    train, val = data.split_text(text, 0.1)
    assert train + val == text
    assert len(val) == round(len(text) * 0.1) == 3_991
    train, val = data.split_text("abcdefghij", 0.25)
    assert (train, val) == ("abcdefgh", "ij")  # round(2.5) = 2 characters held out


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "between 1 and 39908"),
        (39_909, "between 1 and 39908"),
        (2.0, "whole number"),
        (True, "whole number"),
        ("100", "whole number"),
    ],
)
def test_bad_lengths_get_one_clear_line(value, words):
    assert words in _clear(lambda: data.shakespeare(value))


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
    monkeypatch.setattr(data, "SHAKESPEARE_FILE", "no_such_text.txt")
    with pytest.raises(FileNotFoundError, match="reinstall rnnlab"):
        data.shakespeare()
