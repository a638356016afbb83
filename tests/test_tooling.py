"""The course tooling without a browser: student copies, doctor, the book's pages, the CLI."""

import ast
import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

import rnnlab
from rnnlab import checks
from rnnlab.tooling import cli, doctor, notebooks, student
from rnnlab.tooling.files import ToolingError
from rnnlab.tooling.outline import ROOT, outline

CHAPTERS = [ROOT / c.file for c in outline()]


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    dest = tmp_path_factory.mktemp("student")
    report = student.write(dest)
    assert len([p for p in report.written if p.suffix == ".ipynb"]) == len(CHAPTERS)
    return dest


def _solution_lines(nb):
    """Code lines found only in solution cells (not, say, a signature the exercise shows)."""
    others = [cell for cell in nb.cells if "solution" not in cell.metadata.get("tags", [])]
    elsewhere = "\n".join(
        [cell.source for cell in others]
        + [  # what the chapter shows anyway
            nbformat.writes(nbformat.v4.new_notebook(cells=others))
        ]
    )
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            for line in cell.source.splitlines():
                code = line.split("#")[0].strip()
                if len(code) > 12 and code not in elsewhere:
                    yield code


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_text_leaks(copies, path):
    original = nbformat.read(path, as_version=4)
    text = (copies / path.name).read_text()
    leaked = [line for line in _solution_lines(original) if json.dumps(line)[1:-1] in text]
    assert not leaked, f"{path.name} leaks solution code: {leaked}"
    copy = nbformat.read(copies / path.name, as_version=4)
    stubs = [c for c in copy.cells if "solution" in c.metadata.get("tags", [])]
    assert len(stubs) >= 2
    for stub in stubs:
        assert "The worked solution is not in this copy" in stub.source
        assert "checks.hint(" in stub.source
        assert stub.outputs == []
        assert "raises-exception" not in stub.metadata["tags"]  # nothing red under an exercise
    assert copy.metadata["rnnlab"]["course_version"] == rnnlab.__version__


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_only_the_stubs_change_and_nothing_later_needs_them(copies, path):
    original = nbformat.read(path, as_version=4)
    copy = nbformat.read(copies / path.name, as_version=4)
    assert len(copy.cells) == len(original.cells)
    defined_in_solutions, later_sources = set(), []
    for before, after in zip(original.cells, copy.cells):
        if "solution" in before.metadata.get("tags", []):
            tree = ast.parse(before.source)
            defined_in_solutions |= {
                n.id
                for n in ast.walk(tree)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
            defined_in_solutions |= {
                n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
            }
        else:  # the setup cell may gain one line: the copy's exercise versions
            stamp = "\n" + after.source.splitlines()[-1] if "copy_versions(" in after.source else ""
            assert after.source == before.source.rstrip("\n") + stamp if stamp else before.source
            assert after.get("outputs") == before.get("outputs")
            if before.cell_type == "code" and defined_in_solutions:
                later_sources.append(after.source)
    for source in later_sources:  # exercise cells define their own names before using them
        tree = ast.parse(source)
        stored = {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
        }
        stored |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        loaded = {
            n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        assert not (loaded & defined_in_solutions) - stored, source


def test_student_copy_runs_without_an_error(copies):
    nb = nbformat.read(copies / "01_rnn_cell.ipynb", as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, cell.source  # never a red error, under an exercise or elsewhere


def test_an_edited_notebook_is_never_overwritten(tmp_path):
    student.write(tmp_path)
    edited = tmp_path / "02_nn_rnn.ipynb"
    nb = nbformat.read(edited, as_version=4)
    nb.cells[0].source += "\n\nmy notes"
    nbformat.write(nb, edited)
    untouched = tmp_path / "03_batch_first.ipynb"
    before = untouched.read_bytes()
    report = student.write(tmp_path)
    assert report.kept == [edited]
    assert untouched not in report.written, "an up-to-date copy is not written again"
    assert untouched.read_bytes() == before
    assert "my notes" in edited.read_text()
    assert "kept your edited 02_nn_rnn.ipynb" in str(report)
    foreign = tmp_path / "04_stacked.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), foreign)  # a notebook this tool did not write
    manifest = json.loads((tmp_path / student.MANIFEST).read_text())
    manifest.pop("04_stacked.ipynb")
    (tmp_path / student.MANIFEST).write_text(json.dumps(manifest))
    assert foreign in student.write(tmp_path).kept
    forced = student.write(tmp_path, force=True)
    assert edited in forced.replaced
    assert "my notes" not in edited.read_text()
    assert "my notes" in forced.replaced[edited].read_text()
    with pytest.raises(ToolingError, match="is a file"):
        student.write(tmp_path / "02_nn_rnn.ipynb")


def test_hints_cover_every_exercise_without_answers(copies):
    hints = student.checker_hints()
    assert set(hints) >= {"cell_weight_shapes", "predicted_shapes", "final_states"}
    assert all(hints[name] for name in hints if name != "Result")
    page = (copies / "HINTS.md").read_text()
    for path in CHAPTERS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if "exercise" in cell.metadata.get("tags", []):
                name = cell.source.split("checks.")[1].split("(")[0]
                assert f"`checks.{name}`" in page
                assert name in checks.__all__
    for ex in checks.EXERCISES.values():  # graded hints from the definitions, no placeholder
        assert all(m.hints.nudge in page for m in ex.mistakes), ex.id
        assert all(m.hints.fix not in page for m in ex.mistakes if m.hints.fix), ex.id
    assert "{...}" not in page


def test_doctor_reports_ok_here_and_explains_failures(monkeypatch, capsys):
    text, ok = doctor.report()
    assert ok, text
    installed = doctor.metadata.version("torch")  # 2.14.1 where torch.__version__ is 2.14.1+cu130
    assert f"[OK] torch {installed} (tested with torch 2.13\u20132.14, outputs made" in text
    assert cli.main(["doctor"]) == 0
    assert "everything is ready" in capsys.readouterr().out

    real_version = doctor.metadata.version

    def older_numpy(name):
        return "1.26.0" if name == "numpy" else real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", older_numpy)
    monkeypatch.setattr(doctor, "MIN_FREE_BYTES", 1 << 60)
    text, ok = doctor.report()
    assert not ok
    assert "[FAIL] numpy 1.26.0 is installed; the course is tested with numpy>=2.4,<2.5" in text
    assert 'pip install "numpy>=2.4,<2.5"' in text
    assert "GiB free" in text
    assert "2 problems" in text
    assert cli.main(["doctor"]) == 1


def test_cli_student_and_usage(tmp_path, capsys):
    assert cli.main(["student", str(tmp_path / "copies")]) == 0
    assert f"wrote {len(outline())} student notebooks" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["no-such-command"])


def test_api_and_intro_pages_list_everything():
    from rnnlab.tooling import book

    api = book.api_page()
    for name in book.API_MODULES:
        assert f"## `rnnlab.{name}`" in api
    assert "### `rnn_forward(rnn: 'nn.RNN', x, h0" in api
    intro = book.intro_page("RNN Lab")
    for number, chapter in enumerate(outline(), start=1):
        assert f"{number}. [{chapter.title}]" in intro


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_stored_slide_layout_keeps_the_fixed_roles(path):
    """Headings open slides, solutions are fragments (or open a subslide when they would not
    fit), the title slide is short; the rest is the measured layout (`rnnlab slides --annotate`).
    """
    from rnnlab.tooling import slides

    nb = nbformat.read(path, as_version=4)
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    assert kinds[0] == "slide"
    assert "What you will learn" not in nb.cells[0].source, "objectives get a slide of their own"
    for cell, kind in zip(nb.cells, kinds, strict=True):
        fixed = slides.slide_type(cell)
        if fixed in ("slide", "subslide"):
            assert kind == fixed, cell.source[:60]
        elif fixed == "fragment":
            assert kind in ("fragment", "subslide"), cell.source[:60]
        else:
            assert kind in ("-", "subslide", "notes"), (kind, cell.source[:60])
    assert nb.metadata.get("rise") == slides.RISE_SETTINGS


def test_layout_never_fills_a_slide_past_the_budget():
    from rnnlab.tooling import slides

    def cell(kind, source, tags=(), cell_id=""):
        made = (nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell)(
            source
        )
        made.id, made.metadata["tags"] = cell_id, list(tags)
        return made

    cells = [
        cell("md", "# 1. Title", cell_id="a"),
        cell("code", "x = 1", cell_id="b"),
        cell("md", "## 1. Section", cell_id="c"),
        cell("code", "y = 2", cell_id="d"),
        cell("code", "z = 3", cell_id="e"),
        cell("md", "A long paragraph of prose.", cell_id="f"),
        cell("code", "answer = ...", ["exercise"], cell_id="g"),
        cell("code", "answer = 1", ["solution"], cell_id="h"),
        cell("md", "| a | b |\n|---|---|\n| 1 | 2 |", cell_id="i"),
    ]
    heights = {"a": 100, "b": 300, "c": 80, "d": 400, "e": 300, "f": 500, "g": 100, "h": 150,
               "i": 900}  # fmt: skip
    kinds = slides.layout(cells, heights, budget=600)
    assert kinds == [
        "slide", "-", "slide", "-", "subslide", "notes", "-", "fragment", "notes",
    ]  # fmt: skip


def test_unknown_chapters_are_refused_before_npm_runs(tmp_path, monkeypatch):
    from rnnlab.tooling import slides

    monkeypatch.setattr(slides, "_vendor", lambda out: pytest.fail("npm ran first"))
    with pytest.raises(ToolingError, match="not chapters of book.yml"):
        slides.build(out=tmp_path, chapters=["99_nothing"])


def test_npm_is_needed_only_when_the_assets_are_missing(tmp_path, monkeypatch):
    from rnnlab.tooling import slides

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ToolingError, match="needs npm"):
        slides.build(out=tmp_path)


def test_npm_offline_fails_fast_with_the_reason(tmp_path, monkeypatch):
    from rnnlab.tooling import slides

    calls = []

    def fake_run(command, **kwargs):
        calls.append(command)
        return subprocess.CompletedProcess(command, 1, "", "npm error network ENOTFOUND")

    monkeypatch.setattr(slides.subprocess, "run", fake_run)
    with pytest.raises(ToolingError, match="ENOTFOUND"):
        slides.build(out=tmp_path)
    assert "--fetch-retries=1" in calls[0]


def test_lab_opens_the_first_chapter_of_the_outline(monkeypatch):
    calls = []
    monkeypatch.setattr(
        notebooks.subprocess, "call", lambda command, cwd: calls.append(command) or 0
    )
    monkeypatch.setattr(notebooks.os, "geteuid", lambda: 1000)
    assert cli.main(["lab", "--port", "8999"]) == 0
    monkeypatch.setattr(notebooks.os, "geteuid", lambda: 0)  # root, as in many containers
    assert cli.main(["lab"]) == 0
    as_user, as_root = calls
    assert as_user[1:] == ["lab", outline()[0].file, "--port", "8999"]
    assert as_root[1:] == ["lab", outline()[0].file, "--allow-root"]


def test_execute_stores_outputs_without_timings(tmp_path):
    copy = tmp_path / "_template.ipynb"
    shutil.copy2(ROOT / "notebooks" / "_template.ipynb", copy)
    nb = nbformat.read(copy, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, copy)
    notebooks.execute_notebook(copy)
    nb = nbformat.read(copy, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert rnnlab.environment() + "\n" == code[0].outputs[0]["text"]
    assert all("execution" not in c.metadata for c in code)


def test_import_rnnlab_loads_no_tooling():
    code = (
        "import sys, rnnlab; "
        "print(sorted(m for m in sys.modules if m.startswith('rnnlab.tooling')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_library_never_imports_the_tooling_and_nothing_imports_the_cli():
    package = ROOT / "rnnlab"
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            alias.name if isinstance(node, ast.Import) else (node.module or "")
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        }
        names |= {
            f"{node.module}.{alias.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
            for alias in node.names
        }
        inside_tooling = "tooling" in path.relative_to(package).parts
        if not inside_tooling:
            assert not any("rnnlab.tooling" in n for n in names), f"{path.name} imports tooling"
        if path.name != "cli.py":
            assert not any(n.startswith("rnnlab.tooling.cli") for n in names), (
                f"{path.relative_to(package)} imports the command line"
            )
