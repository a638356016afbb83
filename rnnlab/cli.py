"""The ``rnnlab`` console script: the course's tooling.

- ``rnnlab lab``: open the course in JupyterLab at its first chapter (book.yml's first entry);
- ``rnnlab book``: build the course as a static website into ``_build/html`` (rnnlab.book);
- ``rnnlab slides [CHAPTER...]``: reveal.js decks that work offline (rnnlab.slides);
- ``rnnlab student DEST [--force]``: student copies without the worked solutions
  (rnnlab.student), never overwriting a notebook the student edited;
- ``rnnlab doctor``: check the environment and print the fix for each problem (rnnlab.doctor);
- ``rnnlab execute NOTEBOOK...``: maintainers' tool, re-execute notebooks top to bottom on a fresh
  kernel and store their outputs, with volatile metadata (timings) left out;
- ``rnnlab readme``: rewrite the README's table of contents from book.yml.

``book.yml`` at the project root is the course outline: the one place that fixes the order of
chapters. ``outline()`` reads and validates it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Chapter", "contents_table", "execute_notebook", "main", "outline"]

ROOT = Path(__file__).resolve().parent.parent


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


def _readme(args) -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    before, _, rest = text.partition(CONTENTS_START)
    _, _, after = rest.partition(CONTENTS_END)
    readme.write_text(
        f"{before}{CONTENTS_START}\n{contents_table()}\n{CONTENTS_END}{after}", encoding="utf-8"
    )
    print(f"updated the contents of {readme.name}")
    return 0


def execute_notebook(path: Path | str, timeout: int = 600) -> None:
    """Run a notebook top to bottom on a fresh kernel and store its outputs in place.

    Cells tagged ``raises-exception`` may raise; any other error stops with the cell shown.
    Timing metadata is not recorded, so re-executing changes only what the code prints.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nb.metadata.get("language_info", {}).pop("version", None)  # differs by Python patch release
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(nb, path)


def _lab(args) -> int:
    first = outline()[0].file
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    extra = list(args.extra)
    if getattr(os, "geteuid", lambda: 1)() == 0 and "--allow-root" not in extra:
        extra.append("--allow-root")  # containers often run as root; JupyterLab refuses it
    return subprocess.call([jupyter, "lab", first, *extra], cwd=ROOT)


def _execute(args) -> int:
    for name in args.notebooks:
        print(f"executing {name}", flush=True)
        execute_notebook(name)
    return 0


def _book(args) -> int:
    from rnnlab import book

    start = time.perf_counter()
    html = book.build()
    print(f"built the book in {time.perf_counter() - start:.1f} s: open {html / 'index.html'}")
    return 0


def _slides(args) -> int:
    from rnnlab import slides

    start = time.perf_counter()
    decks = slides.build(chapters=args.chapters or None)
    print(
        f"wrote {len(decks)} slide decks in {time.perf_counter() - start:.1f} s to "
        f"{decks[0].parent}"
    )
    return 0


def _student(args) -> int:
    from rnnlab import student

    print(student.write(args.dest, force=args.force))
    return 0


def _doctor(args) -> int:
    from rnnlab import doctor

    text, ok = doctor.report()
    print(text)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rnnlab", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser(
        "lab",
        help="open the course in JupyterLab at its first chapter; "
        "other options (e.g. --port 8890) go to JupyterLab",
    )
    lab.set_defaults(run=_lab)
    run = sub.add_parser("execute", help="re-execute notebooks in place (maintainers)")
    run.add_argument("notebooks", nargs="+")
    run.set_defaults(run=_execute)
    sub.add_parser("book", help="build the course website into _build/html").set_defaults(run=_book)
    slides = sub.add_parser("slides", help="build offline reveal.js decks into _build/slides")
    slides.add_argument("chapters", nargs="*", help="chapter names such as 03_batch_first")
    slides.set_defaults(run=_slides)
    student = sub.add_parser("student", help="write student copies without the solutions")
    student.add_argument("dest", help="folder for the student copies")
    student.add_argument(
        "--force", action="store_true", help="overwrite notebooks even if a student edited them"
    )
    student.set_defaults(run=_student)
    sub.add_parser("doctor", help="check this environment and say how to fix it").set_defaults(
        run=_doctor
    )
    readme = sub.add_parser("readme", help="rewrite the README's contents from book.yml")
    readme.set_defaults(run=_readme)
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.extra = unknown  # rnnlab lab --port 8890: options for JupyterLab itself
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
