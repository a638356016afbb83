"""``rnnlab release DEST --chapters 01-03``: a student repository (git) for nbgitpuller links.

A lecturer hands the course out week by week: each release commits, into the git repository
``DEST``, the student copies of the chapters released so far (made with ``tooling.student``'s
public functions: worked solutions taken out), ``HINTS.md`` for them, ``VERSION.txt`` (the version
stamp: release number, rnnlab version, date, chapters) and a ``README.md`` with the history and
the nbgitpuller link. Releases are cumulative: a chapter once released stays, and gets fixes.

nbgitpuller (1.x) pulls by committing the student's changes and running ``git merge -Xours``:
a text merge would take the new version's untouched cells and keep the student's edited ones,
a notebook whose prose is new and whose code is old. So the repository's ``.gitattributes``
turns off the text merge (``* -merge``): a file the student edited is kept whole, one they did
not edit is replaced whole. A release that changes a chapter released before also writes the new
version beside it, ``updates/NN_name.rK.ipynb`` (K the release), a file that never changes
again, and the README names it: a student who edited the chapter finds the fix there.

References: nbgitpuller's pull algorithm (``nbgitpuller/pull.py``, ``GitPuller.update``);
git's ``gitattributes(5)``, "Performing a three-way merge" (``merge`` unset: binary merge).
"""

from __future__ import annotations

import datetime
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from rnnlab.tooling import student
from rnnlab.tooling.files import ToolingError, atomic_write, folder_lock
from rnnlab.tooling.outline import ROOT, Chapter, outline

__all__ = ["RECORD", "Release", "choose", "hints_page", "release"]

RECORD = ".rnnlab-release.json"
ATTRIBUTES = (
    "# Written by `rnnlab release`. nbgitpuller merges with `git merge -Xours`: with the text\n"
    "# merge turned off, a file a student edited is kept whole and one they did not edit is\n"
    "# replaced whole, so no notebook mixes two versions.\n"
    "* -merge\n"
)
IGNORE = ".rnnlab.lock\n.*.tmp\n"
AUTHOR = ("rnnlab release", "rnnlab-release@localhost")


@dataclass
class Release:
    """What one ``release`` did: its number, the chapters it holds, and what changed."""

    dest: Path
    number: int
    chapters: list[str]
    added: list[str] = field(default_factory=list)
    changed: dict[str, str] = field(default_factory=dict)  # chapter file -> updates/ file
    commit: str = ""

    def __str__(self) -> str:
        if not (self.added or self.changed):
            return f"nothing to release: {self.dest} already holds release {self.number}"
        lines = [f"release {self.number} committed in {self.dest} ({self.commit[:10]})"]
        if self.added:
            lines.append("added: " + ", ".join(self.added))
        for name, update in self.changed.items():
            lines.append(f"changed: {name} (also written as {update} for students who edited it)")
        lines.append(
            f"push it (git -C {self.dest} push) and students get it from the nbgitpuller link "
            "in its README.md"
        )
        return "\n".join(lines)


def choose(spec: str, chapters: list[Chapter] | None = None) -> list[Chapter]:
    """The chapters named by ``spec``: ``01-03``, ``01,04``, ``03_batch_first`` or ``all``.

    Raises:
        ToolingError: a number or name that is no chapter, or a range that runs backwards.
    """
    chapters = outline() if chapters is None else chapters
    by_number = {c.stem.split("_", 1)[0]: c for c in chapters}
    span = f"{min(by_number)}-{max(by_number)}"
    known = f"give numbers such as 01-03 or 01,04 (chapters {span}), or all"
    if spec.strip() == "all":
        return list(chapters)
    picked: set[str] = set()
    for part in (p.strip() for p in spec.split(",")):
        if re.fullmatch(r"\d+\s*-\s*\d+", part):
            ends = [e.strip() for e in part.split("-")]
            low, high = (f"{int(e):02d}" for e in ends)
            if low > high or low not in by_number or high not in by_number:
                raise ToolingError(f"--chapters {spec}: {part} is not a range of chapters; {known}")
            picked.update(n for n in by_number if low <= n <= high)
            continue
        number = f"{int(part):02d}" if part.isdigit() else part.split("_", 1)[0]
        if number not in by_number or (not part.isdigit() and by_number[number].stem != part):
            raise ToolingError(f"--chapters {spec}: no chapter {part!r}; {known}")
        picked.add(number)
    return [c for c in chapters if c.stem.split("_", 1)[0] in picked]


def hints_page(notebooks: dict[str, nbformat.NotebookNode], chapters: list[Chapter]) -> str:
    """HINTS.md for the released chapters: each exercise's checker and the hints it can give."""
    hints = student.checker_hints()
    lines = [
        "# Hints for the exercises",
        "",
        "When a checker says *not quite*, it gives one of these hints. Read them if you are "
        "stuck; they point at a likely mistake without giving the answer.",
        "",
    ]
    for chapter in chapters:
        cells = [
            c for c in notebooks[chapter.stem].cells if "exercise" in c.metadata.get("tags", [])
        ]
        if not cells:
            continue
        lines += [f"## {chapter.stem.split('_', 1)[0]}. {chapter.title}", ""]
        for k, cell in enumerate(cells, start=1):
            match = re.search(r"checks\.(\w+)\(", cell.source)
            name = match.group(1) if match else None
            lines.append(f"**Exercise {k}** (`checks.{name}`)" if name else f"**Exercise {k}**")
            lines += [f"- {hint}" for hint in hints.get(name, [])] + [""]
    return "\n".join(lines)


def _git(dest: Path, *args: str) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(dest), *args], capture_output=True, text=True, timeout=120
        )
    except FileNotFoundError as err:
        raise ToolingError("git is not installed; rnnlab release writes a git repository") from err
    if result.returncode != 0:
        raise ToolingError(f"git {args[0]} in {dest} failed: {result.stderr.strip()[:300]}")
    return result.stdout


def _read_record(dest: Path) -> dict:
    path = dest / RECORD
    if not path.exists():
        return {"release": 0, "chapters": [], "history": []}
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        record["release"], record["chapters"], record["history"]  # noqa: B018 - keys present
    except (ValueError, KeyError, TypeError, OSError) as err:
        raise ToolingError(
            f"{path} is damaged ({err}); restore it with `git -C {dest} checkout {RECORD}`"
        ) from err
    return record


def _open_repository(dest: Path) -> None:
    """Make ``dest`` a new repository, or check that it is a clean one this command wrote."""
    if dest.exists() and not dest.is_dir():
        raise ToolingError(f"{dest} is a file; give a folder for the student repository")
    if not dest.exists() or not any(dest.iterdir()):
        dest.mkdir(parents=True, exist_ok=True)
        _git(dest, "init", "--quiet", "--initial-branch=main")
        return
    if not (dest / ".git").exists() or not (dest / RECORD).exists():
        raise ToolingError(
            f"{dest} is not empty and holds no earlier release (no .git or {RECORD}); "
            "give a new folder or the repository of an earlier `rnnlab release`"
        )
    dirty = [line for line in _git(dest, "status", "--porcelain").splitlines() if line.strip()]
    if dirty:
        raise ToolingError(
            f"{dest} has uncommitted changes ({dirty[0].strip()}, ...); commit or discard them "
            "first: a release never overwrites them"
        )


def _readme(record: dict, repo_name: str) -> str:
    first = record["chapters"][0]
    lines = [
        "# RNN Lab: your copies of the course",
        "",
        "The chapters released so far, as student copies (the worked solutions taken out; the",
        "checkers and HINTS.md help you). Open them through your hub's link, for example",
        "",
        "```",
        "https://HUB/hub/user-redirect/git-pull?repo=URL_OF_THIS_REPOSITORY&branch=main"
        f"&urlpath=lab/tree/{repo_name}/{first}",
        "```",
        "",
        "Clicking the link again fetches the newest release. **Your edits are never lost**: a",
        "notebook you changed is kept as it is, whole; a chapter corrected after you edited it",
        "is also in `updates/` under the release's number (listed below): open it beside yours.",
        "",
        "## Releases",
        "",
    ]
    for entry in reversed(record["history"]):
        when = f"{entry['date']}, rnnlab {entry['rnnlab']}"
        lines.append(f"- **Release {entry['release']}** ({when})")
        if entry["added"]:
            lines.append("  - new: " + ", ".join(entry["added"]))
        for name, update in entry["changed"].items():
            lines.append(f"  - corrected: {name}; if you had edited it, the new one is `{update}`")
    return "\n".join(lines) + "\n"


def _commit(dest: Path, message: str) -> str:
    _git(dest, "add", "--all")
    identity = []
    for key, value in zip(("user.name", "user.email"), AUTHOR):
        configured = subprocess.run(
            ["git", "-C", str(dest), "config", key], capture_output=True, text=True
        )
        if not configured.stdout.strip():
            identity += ["-c", f"{key}={value}"]
    _git(dest, *identity, "commit", "--quiet", "-m", message)
    return _git(dest, "rev-parse", "HEAD").strip()


def release(
    dest: Path | str,
    chapters: str = "all",
    date: str | None = None,
    course: Path | str | None = None,
) -> Release:
    """Commit a release of ``chapters`` (and every chapter released before) into ``dest``.

    ``course`` is the folder with book.yml and the notebooks (default: this rnnlab's course,
    a checkout or the wheel's copy); ``date`` the stamp's date (default: today).

    A new or empty ``dest`` becomes a git repository (branch ``main``); an earlier release's
    repository must have no uncommitted changes. A release with nothing new commits nothing.

    Raises:
        ToolingError: see ``choose``; ``dest`` is a file, a non-empty folder that holds no
            earlier release, or has uncommitted changes; git is missing or fails.
    """
    import rnnlab

    dest = student.check_destination(dest)
    course = Path(course) if course else ROOT
    everything = outline(course / "book.yml")
    chosen = choose(chapters, everything)
    _open_repository(dest)
    with folder_lock(dest):
        record = _read_record(dest)
        number = record["release"] + 1
        released = set(record["chapters"]) | {Path(c.file).name for c in chosen}
        order = [c for c in everything if Path(c.file).name in released]
        report = Release(dest=dest, number=number, chapters=[Path(c.file).name for c in order])
        copies = {}
        for chapter in order:
            copies[chapter.stem] = student.student_notebook(
                nbformat.read(course / chapter.file, as_version=4)
            )
        for chapter in order:
            name = Path(chapter.file).name
            text = nbformat.writes(copies[chapter.stem])
            data = (text if text.endswith("\n") else text + "\n").encode("utf-8")
            target = dest / name
            if not target.exists():
                atomic_write(target, data)
                report.added.append(name)
            elif target.read_bytes() != data:
                update = f"updates/{chapter.stem}.r{number}.ipynb"
                (dest / "updates").mkdir(exist_ok=True)
                atomic_write(dest / update, data)
                atomic_write(target, data)
                report.changed[name] = update
        if not (report.added or report.changed):
            report.number = record["release"]
            return report
        stamp = date or datetime.date.today().isoformat()
        record["release"], record["chapters"] = number, report.chapters
        record["history"].append(
            {
                "release": number,
                "date": stamp,
                "rnnlab": rnnlab.__version__,
                "added": report.added,
                "changed": report.changed,
            }
        )
        atomic_write(dest / "HINTS.md", hints_page(copies, order))
        atomic_write(dest / ".gitattributes", ATTRIBUTES)
        atomic_write(dest / ".gitignore", IGNORE)
        atomic_write(
            dest / "VERSION.txt",
            f"RNN Lab release {number} ({stamp}): rnnlab {rnnlab.__version__}, chapters "
            + ", ".join(c.stem for c in order)
            + "\n",
        )
        atomic_write(dest / "README.md", _readme(record, dest.resolve().name))
        atomic_write(dest / RECORD, json.dumps(record, indent=1) + "\n")
        summary = [f"added {', '.join(report.added)}"] if report.added else []
        summary += [f"corrected {', '.join(report.changed)}"] if report.changed else []
        report.commit = _commit(dest, f"Release {number}: " + "; ".join(summary))
        _git(dest, "tag", f"release-{number}")
    return report
