"""Student copies of the course: every chapter with its worked solutions taken out.

``write(dest)`` writes each notebook of book.yml with the cells tagged ``solution`` replaced by a
stub that raises ``NotImplementedError("Your turn")`` (tagged ``raises-exception``, so Run All
goes on past it) and their outputs cleared; everything else, outputs included, stays. It also
writes ``HINTS.md``: for every exercise, the hints its checker can give.

A student's work is never lost: ``dest/.rnnlab-student.json`` records a fingerprint of every
notebook written, and a notebook whose content no longer matches (the student edited it), or
that was not written by this tool, is left alone unless ``force=True``.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import importlib
import inspect
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from rnnlab import checks
from rnnlab.tooling.outline import ROOT, outline

__all__ = ["STUB", "Report", "checker_hints", "student_notebook", "write"]

STUB = 'raise NotImplementedError("Your turn")'
STUB_SOURCE = f"# Your turn: solve the exercise above; this copy has no worked solution.\n{STUB}"
MANIFEST = ".rnnlab-student.json"


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with each ``solution`` cell replaced by the stub, its output cleared."""
    copied = copy.deepcopy(nb)
    for cell in copied.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "solution" in tags:
            cell.source = STUB_SOURCE
            cell.outputs = []
            cell.execution_count = None
            cell.metadata["tags"] = [*tags, "raises-exception"]
            cell.metadata.pop("jupyter", None)  # no longer hidden: there is nothing to hide
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


def checker_hints() -> dict[str, list[str]]:
    """For each public checker of ``rnnlab.checks``, the hints it gives for wrong answers.

    Read from the checkers' source (one module per chapter): the messages of every
    ``Result(INCORRECT, ...)``.
    """
    hints: dict[str, list[str]] = {}
    for module_name in checks.CHAPTER_MODULES:
        module = importlib.import_module(f"rnnlab.checks.{module_name}")
        tree = ast.parse(inspect.getsource(module))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in checks.__all__:
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
    hints = checker_hints()
    lines = [
        "# Hints for the exercises",
        "",
        "When a checker says *not quite*, it gives one of these hints. Read them if you are "
        "stuck; they point at a likely mistake without giving the answer.",
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
            lines.append(f"**Exercise {k}** (`checks.{name}`)" if name else f"**Exercise {k}**")
            lines += [f"- {hint}" for hint in hints.get(name, [])] + [""]
    return "\n".join(lines)


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Report:
    """What ``write`` did: notebooks written, and edited ones it kept."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"wrote {len(self.written)} student notebooks"]
        lines += [
            f"kept your edited {p.name} (rnnlab student --force overwrites it)" for p in self.kept
        ]
        return "\n".join(lines)


def write(dest: Path | str, force: bool = False, solutions: bool = False) -> Report:
    """Write the student copies of every chapter, and HINTS.md, into ``dest``.

    With ``solutions=True`` the notebooks are written whole, worked solutions included (``rnnlab
    start --full``); the rule that keeps a student's edits is the same.

    Raises:
        NotADirectoryError: ``dest`` exists and is a file.
    """
    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise NotADirectoryError(f"{dest} is a file; give a folder for the student copies")
    dest.mkdir(parents=True, exist_ok=True)
    manifest_path = dest / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    report, sources = Report(), {}
    for chapter in outline():
        name = Path(chapter.file).name
        nb = nbformat.read(ROOT / chapter.file, as_version=4)
        sources[Path(name).stem] = nb
        target = dest / name
        if target.exists() and not force and manifest.get(name) != _fingerprint(target):
            report.kept.append(target)
            continue
        nbformat.write(nb if solutions else student_notebook(nb), target)
        manifest[name] = _fingerprint(target)
        report.written.append(target)
    (dest / "HINTS.md").write_text(_hints_page(sources), encoding="utf-8")
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return report
