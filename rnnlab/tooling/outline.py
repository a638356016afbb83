"""The course outline: reading and validating book.yml, the one place that orders the chapters.

Every other tooling module asks this one where the course is (``ROOT``), where to build
(``build_dir()``) and which chapters it has (``outline()``); this module imports nothing else of
the tooling.

The course files (book.yml, ``notebooks/``, ``docs/``) are found in one of two places: a source
checkout (the folder that holds ``rnnlab/``, ``book.yml`` and ``pyproject.toml``; a maintainer's
editable install) or, in an installed wheel, ``rnnlab/_course/``, where the build (setup.py)
packs the same files with the same layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CONTENTS_END",
    "CONTENTS_START",
    "Chapter",
    "IN_CHECKOUT",
    "PACKAGED",
    "ROOT",
    "SOURCE",
    "build_dir",
    "contents_table",
    "course_root",
    "outline",
]

SOURCE = Path(__file__).resolve().parent.parent.parent  # a source checkout, if this is one
PACKAGED = Path(__file__).resolve().parent.parent / "_course"  # the course files in a wheel


def course_root(source: Path = SOURCE, packaged: Path = PACKAGED) -> Path:
    """The folder with book.yml and ``notebooks/``: the source checkout, else the wheel's copy.

    When neither has book.yml, ``outline()`` says how to fix the install.
    """
    if (source / "book.yml").is_file() and (source / "pyproject.toml").is_file():
        return source
    return packaged


ROOT = course_root()
IN_CHECKOUT = ROOT == SOURCE


def build_dir() -> Path:
    """Where ``rnnlab book`` and ``rnnlab slides`` write: ``_build/`` of the checkout, else of the
    current folder (an installed package is never written into)."""
    return (ROOT if IN_CHECKOUT else Path.cwd()) / "_build"


@dataclass(frozen=True)
class Chapter:
    """One entry of book.yml."""

    file: str
    title: str
    minutes: int
    objectives: tuple[str, ...]

    @property
    def stem(self) -> str:
        return Path(self.file).stem


def outline(path: Path | str | None = None) -> list[Chapter]:
    """Read book.yml (the course outline) and return its chapters in order.

    Raises:
        FileNotFoundError: there is no book.yml. ValueError: an entry lacks a field.
    """
    import yaml

    path = Path(path) if path else ROOT / "book.yml"
    if not path.is_file():
        raise FileNotFoundError(
            f"the course outline {path} is missing: this rnnlab has no course files; reinstall it "
            "(pip install --force-reinstall rnnlab) or run it from a clone of the course"
        )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    chapters = []
    for i, entry in enumerate(data.get("chapters", [])):
        missing = {"file", "title", "minutes", "objectives"} - set(entry)
        if missing:
            raise ValueError(f"{path.name}: chapter {i + 1} lacks {sorted(missing)}")
        chapters.append(
            Chapter(
                entry["file"], entry["title"], int(entry["minutes"]), tuple(entry["objectives"])
            )
        )
    return chapters


CONTENTS_START, CONTENTS_END = (
    "<!-- contents: made from book.yml by `rnnlab readme` -->",
    "<!-- end of contents -->",
)


def contents_table(chapters: list[Chapter] | None = None) -> str:
    """The README's table of contents, in book.yml's order."""
    chapters = outline() if chapters is None else chapters
    lines = ["| # | chapter | you will be able to | minutes |", "|---|---|---|---|"]
    for number, ch in enumerate(chapters, start=1):
        lines.append(f"| {number} | [{ch.title}]({ch.file}) | {ch.objectives[0]} | {ch.minutes} |")
    return "\n".join(lines)
