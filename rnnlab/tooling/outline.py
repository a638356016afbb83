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
    "OutlineError",
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
    lecture_minutes: int
    study_minutes: int
    objectives: tuple[str, ...]

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    @property
    def minutes(self) -> int:
        """A student's time for the chapter alone (``study_minutes``), as the book shows it."""
        return self.study_minutes


_KEYS = ("file", "title", "lecture_minutes", "study_minutes", "objectives")


class OutlineError(ValueError):
    """book.yml is not a valid course outline; the message says what is wrong and the fix."""


def outline(path: Path | str | None = None, check_files: bool = True) -> list[Chapter]:
    """Read book.yml (the course outline), validate it, and return its chapters in order.

    Checked: valid YAML; a mapping with a ``title`` and a non-empty ``chapters`` list; each
    chapter a mapping with ``file``, ``title``, ``lecture_minutes`` (presenting its core deck in
    a lecture) and ``study_minutes`` (a student working through it alone, exercises included),
    whole numbers, and a non-empty list of ``objectives``; no file listed twice; and
    (``check_files``) every file present.

    Raises:
        FileNotFoundError: there is no book.yml. OutlineError (a ValueError): anything else.
    """
    import yaml

    path = Path(path) if path else ROOT / "book.yml"
    if not path.is_file():
        raise FileNotFoundError(
            f"the course outline {path} is missing: this rnnlab has no course files; reinstall it "
            "(pip install --force-reinstall rnnlab) or run it from a clone of the course"
        )
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or "it cannot be read"
        raise OutlineError(
            f"{where} is not valid YAML{line}: {problem}; fix that line (compare with the "
            "entries around it)"
        ) from err
    except UnicodeDecodeError as err:
        raise OutlineError(f"{where} is not UTF-8 text; save it as UTF-8") from err
    if data is None:
        raise OutlineError(f"{where} is empty; it needs a title and a list of chapters")
    if not isinstance(data, dict):
        raise OutlineError(f"{where} must be a mapping with `title:` and `chapters:`")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise OutlineError(f'{where} has no title; add a line such as `title: "RNN Lab"`')
    entries = data.get("chapters")
    if not isinstance(entries, list) or not entries:
        raise OutlineError(f"{where} lists no chapters; add `chapters:` with at least one entry")
    chapters, seen = [], set()
    for i, entry in enumerate(entries):
        label = f"{where}: chapter {i + 1}"
        if not isinstance(entry, dict):
            raise OutlineError(f"{label} is not a mapping; write `- file: ...` and its fields")
        missing = set(_KEYS) - set(entry)
        if "minutes" in entry and missing:
            raise OutlineError(
                f"{label}: `minutes` is split in two: write lecture_minutes (the lecture) and "
                "study_minutes (a student alone) instead"
            )
        if missing:
            raise OutlineError(f"{label} lacks {sorted(missing)}")
        file, objectives = entry["file"], entry["objectives"]
        if not isinstance(file, str) or not file.endswith(".ipynb"):
            raise OutlineError(f"{label}: file must be a notebook path, got {file!r}")
        for key in ("lecture_minutes", "study_minutes"):
            minutes = entry[key]
            if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
                raise OutlineError(
                    f"{label} ({file}): {key} must be a whole number such as 30, got {minutes!r}"
                )
        if not isinstance(objectives, list) or not objectives:
            raise OutlineError(f"{label} ({file}): objectives must be a non-empty list")
        if file in seen:
            raise OutlineError(f"{label}: {file} is listed twice; keep one entry")
        seen.add(file)
        if check_files and not (path.parent / file).is_file():
            raise OutlineError(f"{label}: {file} does not exist; fix the path or add the notebook")
        chapters.append(
            Chapter(
                file,
                str(entry["title"]),
                entry["lecture_minutes"],
                entry["study_minutes"],
                tuple(map(str, objectives)),
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
    lines = [
        "| # | chapter | you will be able to | lecture (min) | study alone (min) |",
        "|---|---|---|---|---|",
    ]
    for number, ch in enumerate(chapters, start=1):
        lines.append(
            f"| {number} | [{ch.title}]({ch.file}) | {ch.objectives[0]} "
            f"| {ch.lecture_minutes} | {ch.study_minutes} |"
        )
    return "\n".join(lines)
