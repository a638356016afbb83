"""The course tooling without a browser: student copies, doctor, the book's pages, the CLI."""

import ast
import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

import rnnlab
from rnnlab import checks
from rnnlab.tooling import book, cli, doctor, notebooks, student
from rnnlab.tooling.files import ToolingError
from rnnlab.tooling.outline import ROOT, Chapter, outline

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
        stored |= {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}  # parameters
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


def test_rise_css_lands_beside_the_copies_and_an_edit_is_kept(tmp_path):
    from rnnlab.tooling import slides

    student.write(tmp_path)
    css = tmp_path / "rise.css"
    assert css.read_text(encoding="utf-8") == slides.rise_css()  # RISE's lecture-hall sizes
    css.write_text(".reveal { font-size: 40px; }\n", encoding="utf-8")  # the student's own
    assert css in student.write(tmp_path).kept
    assert "40px" in css.read_text(encoding="utf-8")
    assert css in student.write(tmp_path, force="rise.css").replaced
    assert css.read_text(encoding="utf-8") == slides.rise_css()


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


def _failing_everywhere(monkeypatch):
    """Python too old, numpy out of range, the disk full: every check with a fix line fails."""
    real_version = doctor.metadata.version
    monkeypatch.setattr(
        doctor.metadata, "version", lambda name: "1.26.0" if name == "numpy" else real_version(name)
    )
    monkeypatch.setattr(doctor, "MIN_FREE_BYTES", 1 << 60)
    monkeypatch.setattr(doctor, "MIN_PYTHON", (99, 0))


def test_doctor_in_a_course_folder_never_says_make(copies, monkeypatch):
    where = doctor.place(copies, environ={})
    assert (where.kind, where.hub) == ("course folder", False)
    assert student.MANIFEST == doctor.STUDENT_MANIFEST
    assert (
        where.open_course() == f"`jupyter lab {CHAPTERS[0].name}` opens the course in this folder"
    )
    _failing_everywhere(monkeypatch)
    text, ok = doctor.report(where=where)
    assert not ok
    assert "3 problems" in text
    assert "make" not in text, text
    assert "then `" in text
    assert 'pip install "rnnlab[lab]"' in text


def test_doctor_in_a_clone_says_make_and_names_the_folder(tmp_path):
    here, elsewhere = doctor.place(ROOT, environ={}), doctor.place(tmp_path, environ={})
    assert here.kind == elsewhere.kind == "clone"
    assert doctor.place(ROOT / "notebooks", environ={}).kind == "clone"  # chapters, but a clone's
    assert here.open_course() == "`make lab` opens the course"
    assert elsewhere.open_course() == f"`make lab` opens the course (run it in {ROOT})"


def test_doctor_on_a_hub_opens_from_the_file_browser(copies, tmp_path, monkeypatch):
    hub = {"JUPYTERHUB_USER": "student1", "JUPYTERHUB_API_URL": "http://127.0.0.1:8081/hub/api"}
    in_folder, elsewhere = doctor.place(copies, environ=hub), doctor.place(tmp_path, environ=hub)
    assert in_folder.hub
    assert elsewhere.hub
    assert "file browser" in in_folder.open_course()
    assert elsewhere.open_course().startswith("`rnnlab start --no-lab` writes the course")
    for advice in (in_folder.open_course(), elsewhere.open_course()):
        assert "make" not in advice
        assert "jupyter lab" not in advice
    _failing_everywhere(monkeypatch)
    text, _ = doctor.report(where=in_folder)
    assert "ask the hub's administrators for an image with Python 3.11+" in text
    assert "make" not in text


def test_doctor_where_rnnlab_is_installed_says_rnnlab_start(tmp_path, monkeypatch):
    monkeypatch.setattr(doctor, "IN_CHECKOUT", False)
    where = doctor.place(tmp_path, environ={})
    assert where.kind == "installed"
    assert where.open_course().startswith("`rnnlab start` opens the course")


def test_doctor_checks_developer_tools_only_with_dev(monkeypatch, capsys):
    where = doctor.place(ROOT, environ={})
    student_lines = [c.what for c in doctor.checks(run_kernel=False, where=where)]
    dev_lines = [c.what for c in doctor.checks(run_kernel=False, dev=True, where=where)]
    for tool in ("pytest", "ruff", "nbval", "playwright", "jupyter-book", "make"):
        assert not any(line.startswith(tool) for line in student_lines), tool
        assert any(line.startswith(tool) for line in dev_lines), tool
    assert any(line.startswith("jupyterlab ") for line in student_lines)  # installed: checked

    real_version = doctor.metadata.version

    def without_ruff(name):
        if name == "ruff":
            raise doctor.metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(doctor.metadata, "version", without_ruff)
    assert all(c.ok for c in doctor.checks(run_kernel=False, where=where))
    missing = [c for c in doctor.checks(run_kernel=False, dev=True, where=where) if not c.ok]
    assert [c.what for c in missing] == ["ruff is not installed"]
    assert missing[0].fix.endswith('-m pip install -c requirements/lock.txt -e ".[dev]"')
    assert cli.main(["doctor", "--dev"]) == 1
    assert "1 problem: run the fix lines above" in capsys.readouterr().out


def test_doctor_run_in_a_student_folder(copies):
    """The real command, where ``rnnlab start`` put the course: no Makefile, so no make."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run(
        [sys.executable, "-m", "rnnlab.tooling.cli", "doctor"],
        cwd=copies, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.rstrip().endswith(
        f"everything is ready: `jupyter lab {CHAPTERS[0].name}` opens the course in this folder"
    )
    assert "make" not in run.stdout
    assert "pytest" not in run.stdout


def test_cli_student_and_usage(tmp_path, capsys):
    assert cli.main(["student", str(tmp_path / "copies")]) == 0
    assert f"wrote {len(outline())} student notebooks" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["no-such-command"])


def test_api_and_intro_pages_list_everything():
    api = book.api_page()
    for name in book.API_MODULES:
        assert f"## `rnnlab.{name}`" in api
    assert "### `rnn_forward(rnn: 'nn.RNN', x, h0" in api
    intro = book.intro_page("RNN Lab")
    for number, chapter in enumerate(outline(), start=1):
        assert f"{number}. [{chapter.title}]" in intro


def _deeper_chapter():
    """A chapter with a core cell, a Going deeper section (a heading with prose, a code cell and
    its output, more prose) and a summary after it."""
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        md("# 99. A chapter\n\nThe core."),
        code("print('core output')"),
        md("## Going deeper: strides\n\nHow the numbers lie in memory."),
        code("print('deep output')"),
        md("Deep prose after the code."),
        md("## Summary\n\nBack on the core path."),
    ]
    for number, cell in enumerate(cells):
        cell.id = f"c{number}"
        if 2 <= number <= 4:
            cell.metadata["tags"] = [book.GOING_DEEPER]
        if cell.cell_type == "code":
            text = cell.source.split("'")[1] + "\n"
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
            cell.execution_count = number
    metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return nbformat.v4.new_notebook(cells=cells, metadata=metadata)


def test_going_deeper_cells_are_collapsed_in_one_block_after_the_heading():
    nb = _deeper_chapter()
    assert book.collapse_going_deeper(nb) == 1
    sources = [c.source for c in nb.cells]
    heading = next(s for s in sources if s.startswith("## Going deeper"))
    assert heading.index("<details") > heading.index("strides"), "the heading stays outside"
    opened = sources.index(heading)
    closed = sources.index("</details>")
    assert [c.source for c in nb.cells[opened + 1 : closed]] == [
        "print('deep output')",
        "Deep prose after the code.",
    ]
    assert "core output" not in "".join(sources[opened:closed])
    assert sources[closed + 1].startswith("## Summary")
    assert len({c.id for c in nb.cells}) == len(nb.cells)
    nbformat.validate(nb)


def test_teaching_plan_minutes_are_book_ymls():
    """docs/teaching.md's numbers table: one row per chapter, the minutes of book.yml."""
    page = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    chapters = outline()
    for number, chapter in enumerate(chapters, 1):
        row = next(line for line in page.splitlines() if line.startswith(f"| {number:02d} "))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2:] == [str(chapter.lecture_minutes), str(chapter.study_minutes)], row
    lecture = sum(c.lecture_minutes for c in chapters)
    study = sum(c.study_minutes for c in chapters)
    assert f"| **{lecture}** | **{study}** |" in page


def test_book_collapses_going_deeper_sections(tmp_path):
    """A small book built for real (Jupyter Book 1.x, offline, warnings as errors)."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    nbformat.write(_deeper_chapter(), root / "notebooks" / "99_deeper.ipynb")
    chapter = Chapter("notebooks/99_deeper.ipynb", "A chapter", 5, 5, ("read the core",))
    html = book.build(tmp_path / "out", chapters=[chapter], root=root)
    page = (html / "99_deeper.html").read_text(encoding="utf-8")
    start = page.index('<details class="going-deeper">')
    end = page.index("</details>", start)
    assert "<summary>Going deeper (optional)" in page[start:end]
    assert "deep output" in page[start:end]
    assert "Deep prose after the code." in page[start:end]
    assert "core output" in page[:start]
    assert "Going deeper: strides" in page[:start], "the heading stays in view and in the TOC"
    assert "Back on the core path." in page[end:]
    assert '<details class="going-deeper" open' not in page
    assert "Two weeks" in (html / "teaching.html").read_text(encoding="utf-8")  # docs/teaching.md


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
    calls, envs = [], []
    monkeypatch.setattr(
        notebooks.subprocess,
        "call",
        lambda command, cwd, env: calls.append(command) or envs.append(env) or 0,
    )
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(notebooks.os, "geteuid", lambda: 1000)
    assert cli.main(["lab", "--port", "8999"]) == 0
    monkeypatch.setattr(notebooks.os, "geteuid", lambda: 0)  # root, as in many containers
    assert cli.main(["lab"]) == 0
    as_user, as_root = calls
    assert as_user[1:] == ["lab", outline()[0].file, "--port", "8999"]
    assert as_root[1:] == ["lab", outline()[0].file, "--allow-root"]
    assert all(env["OMP_NUM_THREADS"] == "1" for env in envs)  # the kernels' one torch thread


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


@pytest.mark.parametrize(("preset", "seen"), [(None, "1 1"), ("2", "2 2")])
def test_execute_gives_its_kernel_one_torch_thread_unless_told(tmp_path, monkeypatch, preset, seen):
    code = "import os, torch; print(os.environ['OMP_NUM_THREADS'], torch.get_num_threads())"
    path = tmp_path / "threads.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), path)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # the tests' conftest sets both to 1
        if preset is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, preset)
    notebooks.execute_notebook(path)
    assert nbformat.read(path, as_version=4).cells[0].outputs[0]["text"].strip() == seen
    assert os.environ.get("OMP_NUM_THREADS") == preset  # this process is left as it was


_ANSI = re.compile(r"\x1b\[[\d;]*m")


def _library_line_numbers(nb) -> list[str]:
    """Traceback lines that carry a library line number: ``File x.py:703`` or a numbered
    source line under a library frame (the notebook's own ``Cell In[3], line 2`` is allowed)."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            for entry in output["traceback"]:
                text = _ANSI.sub("", entry)
                if text.startswith("File ") and (
                    re.match(r"File [^\n]*:\d+, in ", text) or re.search(r"\n\s*-*>?\s*\d+ ", text)
                ):
                    found.append(text.split("\n")[0])
    return found


def test_execute_twice_leaves_a_chapter_byte_for_byte(tmp_path):
    """Re-executing an unchanged chapter does not rewrite it, and its stored tracebacks name
    neither a library line number nor a machine folder."""
    chapter = tmp_path / "02_nn_rnn.ipynb"
    shutil.copy2(ROOT / "notebooks" / chapter.name, chapter)
    notebooks.execute_notebook(chapter)  # may normalise what an older rnnlab stored
    first, stat = chapter.read_bytes(), chapter.stat()
    assert notebooks.execute_notebook(chapter) is False
    assert chapter.read_bytes() == first
    assert chapter.stat().st_mtime_ns == stat.st_mtime_ns, "not even rewritten with equal bytes"
    nb = nbformat.reads(first.decode(), as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors, "02 shows PyTorch's errors: the check below must have tracebacks to read"
    assert _library_line_numbers(nb) == []
    frames = [_ANSI.sub("", e) for o in errors for e in o.traceback]
    assert any(f.startswith("File site-packages/torch/nn/modules/rnn.py, in ") for f in frames)
    assert not any(str(tmp_path) in f or "/site-packages/" in f for f in frames)


def test_outputs_that_vary_between_runs_are_not_stored_again(tmp_path):
    """A timing (tagged nbval-ignore-output) and an object's address change on every run: the
    file is not rewritten for them, but is for a changed input."""
    path = tmp_path / "volatile.ipynb"
    nb = nbformat.v4.new_notebook()
    timing = nbformat.v4.new_code_cell("import time\nprint(f'{time.perf_counter_ns()} ns')")
    timing.metadata["tags"] = [notebooks.VOLATILE_TAG]
    failing = nbformat.v4.new_code_cell('import json\njson.loads("{")')
    failing.metadata["tags"] = ["raises-exception"]
    nb.cells = [
        timing,
        nbformat.v4.new_code_cell("print(object())  # <object object at 0x...>"),
        failing,
        nbformat.v4.new_code_cell("print(6 * 7)"),
    ]
    nbformat.write(nb, path)
    assert notebooks.execute_notebook(path) is True
    first = path.read_bytes()
    assert notebooks.execute_notebook(path) is False
    assert path.read_bytes() == first
    stored = nbformat.read(path, as_version=4)
    assert _library_line_numbers(stored) == []
    frames = [_ANSI.sub("", e) for e in stored.cells[2].outputs[0].traceback]
    assert any(re.match(r"File python3\.\d+/json/decoder\.py, in ", f) for f in frames), frames
    stored.cells[3].source = "print(6 * 9)"
    nbformat.write(stored, path)
    assert notebooks.execute_notebook(path) is True
    assert nbformat.read(path, as_version=4).cells[3].outputs[0].text == "54\n"


def test_normalise_merges_stream_chunks_and_drops_widget_view_ids():
    """How the kernel cuts a stream, and a widget's model id, change from run to run."""
    cell = nbformat.v4.new_code_cell("train()")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="epoch 1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="epoch 2\n"),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text="done\n"),
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/plain": "IntSlider(value=3)",
                notebooks.WIDGET_VIEW: {"model_id": "2f1c", "version_major": 2},
            },
        ),
    ]
    nb = notebooks.normalise(nbformat.v4.new_notebook(cells=[cell]))
    outputs = nb.cells[0].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs[:3]] == [
        ("stream", "stdout", "epoch 1\nepoch 2\n"),
        ("stream", "stderr", "a warning\n"),
        ("stream", "stdout", "done\n"),
    ]
    assert outputs[3].data == {"text/plain": "IntSlider(value=3)"}


def test_normalise_keeps_the_cells_own_lines_and_drops_library_ones():
    entry = (
        "\x1b[36mFile \x1b[39m\x1b[32m/home/ann/.venv/lib/python3.11/site-packages/torch/nn/"
        "modules/rnn.py:703\x1b[39m, in \x1b[36mRNN.forward\x1b[39m\x1b[34m(self, input)\x1b[39m\n"
        "\x1b[32m    702\x1b[39m if input.dim() not in (2, 3):\n"
        "\x1b[32m--> \x1b[39m\x1b[32m703\x1b[39m     raise ValueError(\n"
    )
    cell_frame = "Cell In[9], line 1\n----> 1 rnn(x)\n"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("rnn(x)")]
    nb.cells[0].outputs = [
        nbformat.v4.new_output(
            "error", ename="ValueError", evalue="no", traceback=[cell_frame, entry]
        )
    ]
    notebooks.normalise(nb)
    own, library = nb.cells[0].outputs[0].traceback
    assert own == cell_frame
    assert _ANSI.sub("", library) == (
        "File site-packages/torch/nn/modules/rnn.py, in RNN.forward(self, input)\n"
        "--> raise ValueError(\n"
    )
    assert notebooks.normalise(nb).cells[0].outputs[0].traceback == [own, library]  # idempotent


def test_readme_opens_with_the_students_whole_path():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", readme, flags=re.MULTILINE)
    assert sections[1].startswith("For students"), "the student's path comes first"
    first = sections[1]
    for step in ("Install", "Start", "Where the chapters are", "Exercises and hints", "Updating"):
        assert f"**{step}" in first or f". {step}" in first, step
    for command in ('pip install "rnnlab[lab]"', "rnnlab start", "rnnlab doctor", "HINTS.md"):
        assert command in first, command
    assert "make " not in first, "a student's folder has no Makefile"
    maintainers = readme.index("## For teachers and maintainers")
    assert readme.index("make lab") > maintainers
    assert readme.index("make test") > maintainers


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
