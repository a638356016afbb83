"""The course outline: reading and validating book.yml, the one place that orders the chapters.

Every other tooling module asks this one where the course is (``ROOT``) and which chapters it has
(``outline()``); this module imports nothing else of the tooling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["CONTENTS_END", "CONTENTS_START", "Chapter", "ROOT", "contents_table", "outline"]

ROOT = Path(__file__).resolve().parent.parent.parent


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
