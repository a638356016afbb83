"""Student copies of the course: every chapter with its worked solutions taken out.

``write(dest)`` writes each notebook of book.yml with each cell tagged ``solution`` replaced by a
short note that raises nothing (where the worked solution is, and ``checks.hint("name")`` for
the fix after a wrong try): the exercise cell above it keeps the starter, so a solved exercise
never has a red error under it. Each copy is stamped with the course version and the version of
each exercise defined once (``rnnlab.checks._exercise``): in the notebook's metadata, and as one
line appended to the setup cell (``checks.copy_versions({...})``), so that a checker called from
an older copy of a changed exercise says so and gives the update command instead of a cross.
It also writes ``HINTS.md``, made from the same definitions: per exercise, each known mistake's
nudge, then its pointer (the fix stays with ``checks.hint``); and ``rise.css``, the decks'
lecture-hall sizes, which JupyterLab's RISE reads beside the notebooks.

A student's work is never lost: ``dest/.rnnlab-student.json`` records a fingerprint of every
file written, and a file whose content no longer matches (the student edited it), or that this
tool did not write, is left alone unless forced by name, and then saved as a ``.bak`` file first.
Every write is atomic; the course's own notebooks are never a destination.
"""

from __future__ import annotations

import ast
import copy
import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from rnnlab.tooling.files import ToolingError, atomic_write, folder_lock, overlaps
from rnnlab.tooling.outline import ROOT, outline

__all__ = [
    "NOTE",
    "STUB",
    "Report",
    "check_destination",
    "checker_hints",
    "stamped",
    "student_notebook",
    "write",
]

#: What replaces a worked solution in a student copy (``{name}``: the exercise's checker).
NOTE = (
    "# The worked solution is not in this copy (`rnnlab start --full` writes one with it).\n"
    '# Stuck after a wrong try? checks.hint("{name}") gives the fix.'
)
STUB = NOTE  # the name older tests and tools knew
MANIFEST = ".rnnlab-student.json"


CATALOG = Path(__file__).resolve().parent.parent / "checks" / "catalog.json"


def _catalog() -> dict[str, dict]:
    """The exercises' ids, versions, titles and hints, from ``rnnlab/checks/catalog.json``, which
    ``python -m rnnlab.tooling.exercises`` writes from the definitions: read as data, so that
    writing student copies imports neither the checkers nor torch."""
    try:
        return json.loads(CATALOG.read_text(encoding="utf-8"))["exercises"]
    except (OSError, ValueError, KeyError) as err:
        raise ToolingError(
            f"{CATALOG.name} is missing or unreadable ({err}); "
            "python -m rnnlab.tooling.exercises --catalog writes it"
        ) from err


def _exercise_versions() -> dict[str, int]:
    return {id_: int(ex["version"]) for id_, ex in _catalog().items()}


def _stamp_line(chapter: str, versions: dict[str, int]) -> str:
    import rnnlab

    mine = {k: v for k, v in versions.items() if k.startswith(f"{chapter}.")}
    return (
        f"checks.copy_versions({mine!r})  # this copy: RNN Lab {rnnlab.__version__}, "
        "its exercises' versions"
    )


def student_notebook(nb: nbformat.NotebookNode, chapter: str = "") -> nbformat.NotebookNode:
    """A copy of ``nb`` with each ``solution`` cell replaced by a note that raises nothing, and
    the copy stamped with the course and exercise versions."""
    return stamped(_without_solutions(nb), chapter)


def _without_solutions(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    copied = copy.deepcopy(nb)
    previous = None
    for cell in copied.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "solution" in tags:
            names = re.findall(r"checks\.(\w+)\(", previous.source if previous else "")
            cell.source = NOTE.format(name=names[-1] if names else "NAME")
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("jupyter", None)  # no longer hidden: there is nothing to hide
        previous = cell
    return copied


def stamped(nb: nbformat.NotebookNode, chapter: str) -> nbformat.NotebookNode:
    """``nb`` with the course version and its exercises' versions in its metadata and, when it
    has one, a line in its setup cell (the first code cell that imports ``checks``) telling the
    checkers which version of each exercise this copy holds."""
    import rnnlab

    versions = _exercise_versions()
    copied = copy.deepcopy(nb)
    mine = {k: v for k, v in versions.items() if k.startswith(f"{chapter}.")}
    copied.metadata["rnnlab"] = {"course_version": rnnlab.__version__, "exercises": mine}
    if not mine:
        return copied
    for cell in copied.cells:
        if cell.cell_type == "code" and re.search(
            r"from rnnlab import[^\n]*\bchecks\b", cell.source
        ):
            cell.source = cell.source.rstrip("\n") + "\n" + _stamp_line(chapter, versions)
            break
    return copied


def _string_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{...}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string_of(node.left), _string_of(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _checks_source() -> tuple[Path, list[str], set[str]]:
    """Where rnnlab.checks lives, its chapter modules and public names, read without importing it
    (the checkers import torch; writing student copies needs neither torch nor a kernel)."""
    package = Path(__file__).resolve().parent.parent / "checks"
    tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    values = {
        target.id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id in ("CHAPTER_MODULES", "__all__")
    }
    return package, list(values["CHAPTER_MODULES"]), set(values["__all__"])


def checker_hints() -> dict[str, list[str]]:
    """For each public checker of ``rnnlab.checks``, the hints it gives for wrong answers.

    An exercise defined once (``rnnlab.checks._exercise.Exercise``) gives its graded hints: per
    known mistake its nudge, then its pointer (the fix stays in the checker, for when the
    student asks). Checkers not ported yet are read from their source: the messages of every
    ``Result(INCORRECT, ...)``.
    """
    package, modules, public = _checks_source()
    hints: dict[str, list[str]] = {}
    for ex in _catalog().values():
        graded = [ex["hints"], *ex["mistakes"]]
        hints[ex["name"]] = [
            f"{nudge} — if that is not enough: {pointer}" for nudge, pointer in graded
        ]
    for module_name in modules:
        tree = ast.parse((package / f"{module_name}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in public and node.name not in hints:
                found = []
                calls = sorted(
                    (c for c in ast.walk(node) if isinstance(c, ast.Call)),
                    key=lambda c: (c.lineno, c.col_offset),
                )  # in source order
                for call in calls:
                    if (
                        getattr(call.func, "id", "") == "Result"
                        and len(call.args) == 2
                        and getattr(call.args[0], "id", "") == "INCORRECT"
                    ):
                        text = _string_of(call.args[1])
                        if text and text not in found:
                            found.append(text)
                hints[node.name] = found
    return hints


def _hints_page(notebooks: dict[str, nbformat.NotebookNode]) -> str:
    defined = {ex["name"]: ex for ex in _catalog().values()}
    scraped = checker_hints()
    lines = [
        "# Hints for the exercises",
        "",
        "When a checker says *not quite*, its hint names the term at fault; the next wrong try "
        'points further, and `checks.hint("name")` gives the fix. Below, for each exercise, '
        "the known mistakes: first the nudge, then (folded) the pointer. None gives the answer.",
        "",
    ]
    for number, chapter in enumerate(outline(), start=1):
        stem = Path(chapter.file).stem
        exercise_cells = [
            c for c in notebooks[stem].cells if "exercise" in c.metadata.get("tags", [])
        ]
        if not exercise_cells:
            continue
        lines += [f"## {number}. {chapter.title}", ""]
        for k, cell in enumerate(exercise_cells, start=1):
            match = re.search(r"checks\.(\w+)\(", cell.source)
            name = match.group(1) if match else None
            ex = defined.get(name)
            title = f": {ex['title']}" if ex else ""
            lines.append(
                f"**Exercise {k}{title}** (`checks.{name}`)" if name else f"**Exercise {k}**"
            )
            if ex is not None:
                for nudge, pointer in (*ex["mistakes"], ex["hints"]):
                    lines.append(
                        f"- {nudge}\n  <details><summary>more</summary>{pointer}</details>"
                    )
            else:
                lines += [f"- {hint}" for hint in scraped.get(name, []) if "{...}" not in hint]
            lines.append("")
    return "\n".join(lines)


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def _valid_notebook(data: bytes) -> bool:
    try:
        nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
    except Exception:  # noqa: BLE001 - any failure means "not a notebook this tool could write"
        return False
    return True


@dataclass
class Report:
    """What ``write`` did, file by file.

    ``written``: new or updated copies; ``kept``: copies the student edited, left alone, with a
    note saying whether the course changed them since; ``replaced``: forced, with the backup
    path; ``repaired``: copies that were not valid notebooks (an interrupted write), replaced
    after a backup; ``skipped``: symbolic links, never written through; ``warnings``.
    """

    dest: Path = Path(".")
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    kept_notes: dict[str, str] = field(default_factory=dict)
    replaced: dict[Path, Path] = field(default_factory=dict)
    repaired: dict[Path, Path] = field(default_factory=dict)
    skipped: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        notebooks = [p for p in self.written if p.suffix == ".ipynb"]
        lines = list(self.warnings)
        if notebooks or not (self.kept or self.replaced or self.repaired or self.skipped):
            lines.append(
                f"wrote {len(notebooks)} student notebooks"
                if notebooks
                else "nothing to write: every copy is up to date"
            )
        for path, backup in self.replaced.items():
            lines.append(f"replaced {path.name}; your version is saved as {backup.name}")
        for path, backup in self.repaired.items():
            lines.append(
                f"{path.name} was not a valid notebook (an interrupted write?): rewrote it and "
                f"kept the damaged file as {backup.name}"
            )
        for path in self.kept:
            lines.append(f"kept your edited {path.name} ({self.kept_notes.get(path.name, '')})")
        for path in self.skipped:
            lines.append(
                f"skipped {path.name}: it is a symbolic link, and rnnlab never writes through one"
            )
        return "\n".join(lines)


def _backup(path: Path, data: bytes) -> Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.name}.bak-{stamp}-{n}")
    atomic_write(backup, data)
    return backup


def _read_manifest(path: Path, report: Report) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in manifest.items()
        ):
            raise ValueError("not a mapping of names to fingerprints")
        return manifest
    except (ValueError, OSError, UnicodeDecodeError):
        report.warnings.append(
            f"warning: {path.name}, the record of your copies, was damaged; rebuilt it (a copy "
            "equal to the course's counts as untouched, any other as yours)"
        )
        return {}


def _normalise_force(force, names: list[str]) -> set[str]:
    if force is True:
        return set(names)
    if not force:
        return set()
    chosen = set()
    for item in [force] if isinstance(force, str) else force:
        item = str(item)
        if item == "all":
            return set(names)
        match = [n for n in names if item in (n, Path(n).stem)]
        if not match:
            known = ", ".join(Path(n).stem for n in names if n.endswith(".ipynb"))
            raise ToolingError(
                f"--force {item}: no such student copy; give one of {known}, HINTS.md, "
                "rise.css or all"
            )
        chosen.update(match)
    return chosen


def check_destination(dest: Path | str) -> Path:
    """The folder for student copies, checked: never empty, a file, or the course's notebooks.

    Raises:
        ToolingError: ``dest`` is empty, is a file, or is, contains or lies inside the course's
            own notebooks folder.
    """
    if not str(dest).strip():
        raise ToolingError("DEST is empty: give a folder for the copies, e.g. `student`")
    dest = Path(dest).expanduser()
    if dest.exists() and not dest.is_dir():
        raise ToolingError(f"{dest} is a file; give a folder for the student copies")
    course = ROOT / "notebooks"
    if overlaps(dest, course):
        raise ToolingError(
            f"{dest} is, contains or lies inside the course's own notebooks ({course}); "
            "student copies go to a folder of their own, e.g. `rnnlab student student`"
        )
    return dest


def write(
    dest: Path | str, force: bool | str | list[str] = False, solutions: bool = False
) -> Report:
    """Write the student copies of every chapter, and HINTS.md, into ``dest``.

    With ``solutions=True`` the notebooks are written whole, worked solutions included (``rnnlab
    start --full``); the rule that keeps a student's edits is the same.

    Every file is written atomically (a kill or a full disk leaves the old file whole); a copy
    the student edited is kept unless named in ``force`` (a chapter stem, a file name, ``all``
    or ``True``), and then the edited version is saved as ``NAME.bak-DATE`` first. A run with
    nothing new writes nothing. Two runs into the same folder at once: the second is refused.

    Raises:
        ToolingError: see ``check_destination``; another run holds the folder; an unknown name
            in ``force``; the disk is full or the folder is read-only.
    """
    dest = check_destination(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ToolingError(f"cannot create {dest}: {err.strerror or err}") from err
    report = Report(dest=dest)
    with folder_lock(dest):
        manifest_path = dest / MANIFEST
        manifest = _read_manifest(manifest_path, report)
        recorded = dict(manifest)
        sources, wanted = {}, {}
        for chapter in outline():
            name = Path(chapter.file).name
            nb = nbformat.read(ROOT / chapter.file, as_version=4)
            sources[Path(name).stem] = nb
            stem = Path(name).stem
            copy_nb = stamped(nb, stem) if solutions else student_notebook(nb, stem)
            wanted[name] = _notebook_bytes(copy_nb)
        wanted["HINTS.md"] = _hints_page(sources).encode("utf-8")
        rise = ROOT / "notebooks" / "rise.css"  # RISE's lecture-hall sizes, read beside the copies
        if rise.is_file():
            wanted["rise.css"] = rise.read_bytes()
        forced = _normalise_force(force, list(wanted))
        for name in [*wanted, MANIFEST]:  # temporary files of a run that was killed
            for leftover in dest.glob(f".{name}.*.tmp"):
                leftover.unlink(missing_ok=True)
        for name, data in wanted.items():
            target, new = dest / name, _fingerprint(data)
            if target.is_symlink():
                report.skipped.append(target)
                continue
            if not target.exists():
                atomic_write(target, data)
                manifest[name] = new
                report.written.append(target)
                continue
            current_bytes = target.read_bytes()
            current = _fingerprint(current_bytes)
            if current == new:
                manifest[name] = new  # up to date: nothing to write
                continue
            if name.endswith(".ipynb") and not _valid_notebook(current_bytes):
                report.repaired[target] = _backup(target, current_bytes)
                atomic_write(target, data)
                manifest[name] = new
                continue
            if current == manifest.get(name):  # untouched since we wrote it: the course changed
                atomic_write(target, data)
                manifest[name] = new
                report.written.append(target)
                continue
            if name in forced:
                report.replaced[target] = _backup(target, current_bytes)
                atomic_write(target, data)
                manifest[name] = new
                continue
            report.kept.append(target)
            stem = Path(name).stem if name.endswith(".ipynb") else name
            if name not in manifest:
                note = "the record of your copies did not know it, so it counts as yours"
            elif manifest[name] == new:
                note = "the course has not changed it since your copy"
            else:
                note = "the course has changed it since your copy"
            report.kept_notes[name] = (
                f"{note}; `rnnlab student {dest} --force {stem}` replaces it and saves yours "
                "as a .bak file first"
            )
        if manifest != recorded or not manifest_path.exists():
            atomic_write(manifest_path, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return report
