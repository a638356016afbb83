"""The ``rnnlab`` console script: it parses the arguments and dispatches to the tooling.

- ``rnnlab start [DEST] [--full] [--no-lab]``: copy the course into a folder of the student's own
  (student copies; ``--full``: with the worked solutions) and open JupyterLab there
  (tooling.start); works from an installed wheel, and never loses a student's edit;
- ``rnnlab lab``: open the course in JupyterLab at its first chapter (book.yml's first entry);
- ``rnnlab book``: build the course as a static website into ``_build/html`` (tooling.book);
- ``rnnlab slides [CHAPTER...]``: reveal.js decks that work offline (tooling.slides);
- ``rnnlab student DEST [--force]``: student copies without the worked solutions
  (tooling.student), never overwriting a notebook the student edited;
- ``rnnlab doctor``: check the environment and print the fix for each problem (tooling.doctor);
- ``rnnlab execute NOTEBOOK...``: maintainers' tool, re-execute notebooks top to bottom on a fresh
  kernel and store their outputs, with volatile metadata (timings) left out;
- ``rnnlab readme``: rewrite the README's table of contents from book.yml.
"""

from __future__ import annotations

import argparse
import sys
import time

__all__ = ["main"]


def _lab(args) -> int:
    from rnnlab.tooling import notebooks, outline

    if not outline.IN_CHECKOUT:  # an installed wheel: never open (or edit) its own files
        print("rnnlab lab opens a clone of the course; here, rnnlab start does it", flush=True)
        args.dest, args.full, args.no_lab = None, False, False
        return _start(args)
    return notebooks.open_lab(args.extra)


def _start(args) -> int:
    from rnnlab.tooling import start

    _, status = start.start(args.dest, full=args.full, lab=not args.no_lab, extra=args.extra)
    return status


def _readme(args) -> int:
    from rnnlab.tooling import notebooks

    readme = notebooks.update_readme()
    print(f"updated the contents of {readme.name}")
    return 0


def _execute(args) -> int:
    from rnnlab.tooling import notebooks

    for name in args.notebooks:
        print(f"executing {name}", flush=True)
        notebooks.execute_notebook(name)
    return 0


def _book(args) -> int:
    from rnnlab.tooling import book

    start = time.perf_counter()
    html = book.build()
    print(f"built the book in {time.perf_counter() - start:.1f} s: open {html / 'index.html'}")
    return 0


def _slides(args) -> int:
    from rnnlab.tooling import slides

    start = time.perf_counter()
    if args.annotate:
        changed = slides.annotate(chapters=args.chapters or None)
        print(f"stored the slide layout of {len(changed)} notebooks (measured in Chromium)")
    decks = slides.build(chapters=args.chapters or None)
    print(
        f"wrote {len(decks)} slide decks in {time.perf_counter() - start:.1f} s to "
        f"{decks[0].parent}"
    )
    return 0


def _student(args) -> int:
    from rnnlab.tooling import student

    print(student.write(args.dest, force=args.force))
    return 0


def _doctor(args) -> int:
    from rnnlab.tooling import doctor

    text, ok = doctor.report(dev=args.dev)
    print(text)
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rnnlab", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--debug", action="store_true", help="show the full traceback when something fails"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    lab = sub.add_parser(
        "lab",
        help="open the course in JupyterLab at its first chapter; "
        "other options (e.g. --port 8890) go to JupyterLab",
    )
    lab.set_defaults(run=_lab)
    start = sub.add_parser(
        "start",
        help="copy the course into a folder of your own and open JupyterLab there; "
        "other options (e.g. --port 8890) go to JupyterLab",
    )
    start.add_argument(
        "dest", nargs="?", help="folder for the notebooks (default: ./rnnlab-course)"
    )
    start.add_argument(
        "--full", action="store_true", help="the full notebooks, worked solutions included"
    )
    start.add_argument(
        "--no-lab", action="store_true", help="only write the notebooks; do not open JupyterLab"
    )
    start.set_defaults(run=_start)
    run = sub.add_parser("execute", help="re-execute notebooks in place (maintainers)")
    run.add_argument("notebooks", nargs="+")
    run.set_defaults(run=_execute)
    sub.add_parser("book", help="build the course website into _build/html").set_defaults(run=_book)
    slides = sub.add_parser("slides", help="build offline reveal.js decks into _build/slides")
    slides.add_argument("chapters", nargs="*", help="chapter names such as 03_batch_first")
    slides.add_argument(
        "--annotate",
        action="store_true",
        help="maintainers: measure every cell in Chromium and store a slide layout that fits "
        "1280x720 in the notebooks' metadata (for these decks and RISE), then build",
    )
    slides.set_defaults(run=_slides)
    student = sub.add_parser("student", help="write student copies without the solutions")
    student.add_argument("dest", help="folder for the student copies")
    student.add_argument(
        "--force",
        action="append",
        metavar="NAME",
        default=[],
        help="replace this edited copy (a chapter such as 03_batch_first, HINTS.md, or all); "
        "the edited version is saved as NAME.bak-DATE first; repeat for several",
    )
    student.set_defaults(run=_student)
    doctor = sub.add_parser("doctor", help="check this environment and say how to fix it")
    doctor.add_argument(
        "--dev", action="store_true", help="also check the maintainers' tools (book, tests, make)"
    )
    doctor.set_defaults(run=_doctor)
    readme = sub.add_parser("readme", help="rewrite the README's contents from book.yml")
    readme.set_defaults(run=_readme)
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted anywhere: rnnlab student copies --debug
    args, unknown = parser.parse_known_args([a for a in argv if a != "--debug"])
    args.debug = debug
    if unknown and args.command not in ("lab", "start"):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    args.extra = unknown  # rnnlab lab --port 8890: options for JupyterLab itself
    if args.debug:
        return args.run(args)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(
            "rnnlab: interrupted; every file is either as it was or fully written", file=sys.stderr
        )
        return 130
    except Exception as err:  # noqa: BLE001 - one clear line instead of a traceback
        print(f"rnnlab {args.command}: error: {_one_line(err)}", file=sys.stderr)
        print("(run again with --debug for the full traceback)", file=sys.stderr)
        return 1


def _one_line(err: BaseException) -> str:
    """The error as one line: what is wrong and, for the tooling's own errors, the fix."""
    from rnnlab.tooling.files import ToolingError
    from rnnlab.tooling.outline import OutlineError

    text = " ".join(str(err).split()) or type(err).__name__
    if isinstance(err, (ToolingError, OutlineError)):
        return text
    if isinstance(err, FileNotFoundError):
        return f"{err.filename or text}: no such file or folder; check the path"
    if isinstance(err, PermissionError):
        return f"{err.filename or text}: permission denied; choose a folder you can write to"
    if isinstance(err, OSError) and err.errno == 28:
        return "no space left on the device; free some space and run the command again"
    return f"{type(err).__name__}: {text[:300]}"


if __name__ == "__main__":
    sys.exit(main())
