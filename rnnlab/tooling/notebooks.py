"""Maintainers' tools on the course notebooks: re-execute, rewrite the README's contents, open.

- ``execute_notebook``: run a notebook top to bottom on a fresh kernel, store its outputs
  normalised (``normalise``), and only when they changed beyond run-to-run noise
  (``stable_form``): re-executing an unchanged notebook leaves its file as it was;
- ``update_readme``: rewrite the README's table of contents from book.yml;
- ``open_lab``: start JupyterLab at the course's first chapter.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from rnnlab.tooling.files import ToolingError, atomic_write
from rnnlab.tooling.outline import CONTENTS_END, CONTENTS_START, ROOT, contents_table, outline

#: What ``rnnlab lab``, ``rnnlab start`` and ``rnnlab execute`` give their kernels unless the
#: environment already says otherwise (hub/start and the tests' conftest do the same): the
#: course's tensors are small, so one torch thread is as fast as two on an idle machine and far
#: faster on a busy one (chapter 07's ten-epoch training at a load of 9 on 2 cores: 0.23 s with
#: one thread, 9.1 s with two, their threads fighting for the cores).
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

__all__ = [
    "ONE_THREAD",
    "VOLATILE_TAG",
    "execute_notebook",
    "normalise",
    "open_lab",
    "portable_tracebacks",
    "stable_form",
    "update_readme",
]


def _one_thread_unless_told() -> list[str]:
    """The names of ``ONE_THREAD`` to set: none when OMP_NUM_THREADS is already set (the user's
    or the hub's choice), else those not set."""
    if "OMP_NUM_THREADS" in os.environ:
        return []
    return [name for name in ONE_THREAD if name not in os.environ]


def execute_notebook(path: Path | str, timeout: int = 600) -> bool:
    """Run a notebook top to bottom on a fresh kernel and store its outputs in place.

    Cells tagged ``raises-exception`` may raise; any other error stops with the cell shown.
    The outputs are normalised before they are stored (``normalise``: no timing metadata, no
    machine paths, no library line numbers in tracebacks), and the file is written only when
    what it stores changed beyond what varies from run to run (``stable_form``): re-executing
    an unchanged notebook leaves its file untouched, byte for byte. Returns whether it was
    written.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    path = Path(path)
    if path.suffix != ".ipynb":
        raise ToolingError(f"{path} is not a notebook (.ipynb); give a path such as notebooks/...")
    if not path.is_file():
        raise ToolingError(f"{path}: no such notebook; check the path (notebooks/NN_topic.ipynb)")
    try:
        before = path.read_text(encoding="utf-8")
        nb = nbformat.reads(before, as_version=4)
    except Exception as err:  # noqa: BLE001 - JSON, schema or encoding: all mean "not readable"
        raise ToolingError(f"{path} is not a valid notebook ({type(err).__name__})") from err
    old = nbformat.reads(before, as_version=4)
    nb.metadata.pop("widgets", None)  # no stale widget state either (see store_widget_state)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        # No widget state in the notebook: with it, the book and the slides would load the
        # widget manager and require.js from CDNs (offline they must not); the widget's
        # text/plain fallback and the cells' printed text still show its default state.
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    unset = _one_thread_unless_told()
    os.environ.update({name: ONE_THREAD[name] for name in unset})  # the kernel inherits them
    try:
        client.execute()
    except CellExecutionError as err:
        summary = f"{err.ename}: {' '.join(str(err.evalue).split())[:200]}"
        raise ToolingError(
            f"{path.name}: a cell raised {summary}; the notebook was not changed. Fix that cell, "
            "or tag it raises-exception if the error is the lesson"
        ) from err
    except DeadKernelError as err:
        raise ToolingError(
            f"{path.name}: the Jupyter kernel died before replying; run `rnnlab doctor`, which "
            "starts a kernel and says what is wrong with it"
        ) from err
    finally:
        for name in unset:
            os.environ.pop(name, None)
    normalise(nb)
    after = nbformat.writes(nb) + "\n"
    if after == before or stable_form(nb) == stable_form(old):
        return False  # only what varies between runs changed: the stored file stays as it is
    atomic_write(path, after)
    return True


VOLATILE_TAG = "nbval-ignore-output"  # a cell whose outputs vary between runs (timings, load)
# Noise inside otherwise stable outputs, as in tests/nbval_sanitize.cfg.
_VOLATILE_TEXT = (
    (re.compile(r"at 0x[0-9a-fA-F]+"), "at 0xADDRESS"),
    (re.compile(r"ipykernel_\d+/\d+\.py"), "ipykernel_PID/CELL.py"),
)
_MACHINE_PATH = re.compile(
    r"~?(?:/[\w.+@-]+)+?/(site-packages|dist-packages|rnnlab|notebooks)/"
    r"|/(?:tmp)/ipykernel_\d+/"
    r"|~?(?:/[\w.+@-]+)+?/lib/(python3\.\d+)/"
)
_ANSI = r"(?:\x1b\[[\d;]*m)*"
# A library frame of an IPython traceback: "File <path>:<line>, in <function>", then the source
# around that line with its line numbers in the margin; the arrow marks the line that raised.
_FRAME = re.compile(rf"^{_ANSI}File {_ANSI}[^\n]*?(:\d+)(?={_ANSI}, in )")
_ARROW = re.compile(rf"^{_ANSI}-+> {_ANSI}\s*{_ANSI}(\d+){_ANSI}(.*)$")


def normalise(nb):
    """Make a notebook's stored form the same on every run and every machine; returns ``nb``.

    Tracebacks name no machine folder (``.../site-packages/torch/...`` becomes
    ``site-packages/torch/...``) and no library line number: a library frame keeps its file,
    function and the line that raised, without the numbered source around it (the numbers
    change with every release of the library, and with every edit of ``rnnlab``). The
    notebook's own cells (``Cell In[5], line 3``) keep their lines. Consecutive outputs to one
    stream are merged (the kernel cuts a stream by timing), a widget's view id (new on every
    run, and pointing at no stored state) is dropped, and so are timing metadata and the Python
    patch release.
    """
    portable_tracebacks(nb)
    nb.metadata.get("language_info", {}).pop("version", None)  # differs by Python patch release
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = _merged_streams(cell.outputs)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [_library_frame(entry) for entry in output["traceback"]]
            # A widget's view names a model by a new random id on every run, and with no
            # widget state stored (see execute_notebook) it names nothing: the text/plain
            # fallback beside it is what every reader shows.
            output.get("data", {}).pop(WIDGET_VIEW, None)
    return nb


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _merged_streams(outputs: list) -> list:
    """Consecutive prints to the same stream as one output: how the kernel cuts a stream into
    messages depends on timing, what Jupyter shows does not."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == "stream"
            and previous.get("output_type") == "stream"
            and output.get("name") == previous.get("name")
        ):
            previous["text"] = previous["text"] + output["text"]
            continue
        merged.append(output)
    return merged


def _library_frame(entry: str) -> str:
    header, _, context = entry.partition("\n")
    match = _FRAME.match(header)
    if not match:
        return entry  # the cell's own frame, the error's name and message
    header = header[: match.start(1)] + header[match.end(1) :]
    raised = [m for m in map(_ARROW.match, context.splitlines()) if m]
    if raised:  # the line that raised, without its number or its indentation
        line, number = raised[0][0], raised[0].span(1)
        code = re.sub(rf"^({_ANSI})\s+", r"\1", line[number[1] :])
        header += "\n" + line[: number[0]] + code
    return header + "\n"


def stable_form(nb) -> str:
    """What re-execution must reproduce: the notebook as JSON with what varies between runs
    taken out, the outputs of cells tagged ``nbval-ignore-output`` (timings, machine load;
    nbval does not compare them either) and object addresses and kernel file names in text."""
    import nbformat

    nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # a copy
    for cell in nb.cells:
        if VOLATILE_TAG in cell.metadata.get("tags", []):
            cell.outputs = []
    text = nbformat.writes(nb)
    for pattern, replacement in _VOLATILE_TEXT:
        text = pattern.sub(replacement, text)
    return text


def portable_tracebacks(nb) -> int:
    """Cut the machine's folders out of the stored tracebacks (``.../site-packages/torch/...``
    becomes ``site-packages/torch/...``, ``/usr/lib/python3.11/json/...`` becomes
    ``python3.11/json/...``): a stored notebook names no one's home or venv. nbval compares an
    error's name and message, not its traceback; returns the lines changed."""
    changed = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            lines = [_MACHINE_PATH.sub(lambda m: f"{m[1] or m[2]}/" if m[1] or m[2] else "", line)
                     for line in output.get("traceback", [])]  # fmt: skip
            changed += sum(a != b for a, b in zip(lines, output.get("traceback", [])))
            output["traceback"] = lines
    return changed


def update_readme(readme: Path | None = None) -> Path:
    """Rewrite the README's table of contents (between its two markers) from book.yml."""
    readme = readme or ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    for marker, where in ((CONTENTS_START, "before"), (CONTENTS_END, "after")):
        if text.count(marker) != 1:
            found = "is missing" if marker not in text else "appears more than once"
            raise ToolingError(
                f"{readme.name}: the marker {marker} {found}; put exactly one on its own line "
                f"{where} the table of contents, then run `rnnlab readme` again"
            )
    before, _, rest = text.partition(CONTENTS_START)
    if CONTENTS_END not in rest:
        raise ToolingError(
            f"{readme.name}: {CONTENTS_END} comes before {CONTENTS_START}; put the start marker "
            "first, then run `rnnlab readme` again"
        )
    _, _, after = rest.partition(CONTENTS_END)
    atomic_write(readme, f"{before}{CONTENTS_START}\n{contents_table()}\n{CONTENTS_END}{after}")
    return readme


def open_lab(extra: list[str], folder: Path | None = None) -> int:
    """Start JupyterLab on the first chapter of book.yml; ``extra`` options go to JupyterLab.

    ``folder`` is where JupyterLab opens (default: the course's own folder, a source checkout);
    the first chapter is ``notebooks/<first>.ipynb`` there, or ``<first>.ipynb`` at its top
    (``rnnlab start``'s copies).
    """
    chapter = Path(outline()[0].file)
    root = Path(folder) if folder else ROOT
    first = chapter if (root / chapter).exists() else Path(chapter.name)
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    extra = list(extra)
    env = {**os.environ, **{name: ONE_THREAD[name] for name in _one_thread_unless_told()}}
    if getattr(os, "geteuid", lambda: 1)() == 0 and "--allow-root" not in extra:
        extra.append("--allow-root")  # containers often run as root; JupyterLab refuses it
    return subprocess.call([jupyter, "lab", str(first), *extra], cwd=root, env=env)
