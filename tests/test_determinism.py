"""Every chapter gives the same outputs with one and with two torch threads, runs alone on a
fresh kernel in any order, and leaves no file behind.

Each chapter is executed twice (about a minute for the course on two cores), so these tests run
only with ``--determinism``: ``make test-determinism``, a step of CI of its own.
"""

import subprocess

import nbformat
import pytest
from nbclient import NotebookClient

from rnnlab.tooling.outline import ROOT, outline

from notebook_outputs import comparable

pytestmark = pytest.mark.determinism

# In reverse course order: no chapter may rely on another having run before it.
CHAPTERS = [ROOT / c.file for c in reversed(outline())]


def _execute(path, threads: int, cwd):
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(f"import torch\ntorch.set_num_threads({threads})"))
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return nb.cells[1:]


def _untracked() -> set[str]:
    result = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return set(result.stdout.split()) if result.returncode == 0 else set()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_one_and_two_threads_give_the_same_outputs(path, tmp_path):
    before = _untracked()
    one, two = _execute(path, 1, tmp_path), _execute(path, 2, tmp_path)
    for index, (a, b) in enumerate(zip(one, two)):
        if a.cell_type != "code" or "nbval-ignore-output" in a.metadata.get("tags", []):
            continue
        assert comparable(a) == comparable(b), (
            f"{path.name}, cell {index}: outputs differ between 1 and 2 threads\n"
            f"--- source ---\n{a.source}\n--- 1 thread ---\n{comparable(a)}\n"
            f"--- 2 threads ---\n{comparable(b)}"
        )
    assert list(tmp_path.iterdir()) == [], f"{path.name} left files in its working folder"
    assert _untracked() == before, f"{path.name} left files in the repository"
