"""``rnnlab doctor``: check the environment a student actually has, and say how to fix it.

Each check prints one line, ``[OK]`` or ``[FAIL]``, and every failure comes with the one
command that fixes it. Modelled on the environment check of rasbt's LLMs-from-scratch.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from rnnlab.tooling.outline import IN_CHECKOUT, ROOT, outline

__all__ = ["OUTPUTS_TORCH", "TESTED_TORCH", "Check", "checks", "report"]

MIN_FREE_BYTES = 1 << 30  # 1 GiB: notebooks, the book and a few checkpoints
MIN_PYTHON = (3, 11)  # as pyproject.toml's requires-python
# The torch releases CI tests (pyproject.toml's range) and the one the stored outputs were made
# with (requirements/lock.txt); tests/test_course.py keeps the three in agreement.
TESTED_TORCH = ("2.13", "2.14")
OUTPUTS_TORCH = "2.13.0"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    ok: bool
    what: str
    fix: str = ""

    def __str__(self) -> str:
        line = f"[{'OK' if self.ok else 'FAIL'}] {self.what}"
        return line if self.ok else f"{line}\n       fix: {self.fix}"


def _python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] >= MIN_PYTHON:
        return Check(True, f"Python {version}")
    return Check(
        False,
        f"Python {version} is too old; the course needs 3.11 or newer",
        "install Python 3.11+ (python.org or your package manager), then `make lab`",
    )


def _torch_range() -> str:
    return f"torch {TESTED_TORCH[0]}\u2013{TESTED_TORCH[-1]}, outputs made with {OUTPUTS_TORCH}"


def _requirements() -> list[str]:
    """rnnlab's requirements: pyproject.toml's in a checkout (an editable install's metadata goes
    stale when pyproject.toml changes), the installed package's metadata otherwise."""
    if not IN_CHECKOUT:
        return metadata.requires("rnnlab") or []
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines += [f'{line}; extra == "{extra}"' for line in requirements]
    return lines


def _pins() -> list[Check]:
    """One line per requirement of rnnlab: installed and inside the range CI tests.

    The base requirements must be there; an extra's (``lab``, ``book``, ``dev``) is checked only
    when it is installed, since a student's Jupyter needs none of them.
    """
    try:
        requirements = _requirements()
    except metadata.PackageNotFoundError:
        return [
            Check(
                False,
                "rnnlab is not installed in this Python",
                f"{sys.executable} -m pip install rnnlab",
            )
        ]
    results = []
    for line in requirements:
        requirement = Requirement(line)
        optional = bool(requirement.marker and "extra" in str(requirement.marker))
        if requirement.name == "rnnlab":
            continue  # dev = rnnlab[lab,book]: those are checked on their own lines
        lower_first = sorted(requirement.specifier, key=lambda s: not s.operator.startswith(">"))
        wanted = requirement.name + ",".join(map(str, lower_first))  # numpy>=2.4,<2.5
        fix = (
            f"{sys.executable} -m pip install torch=={OUTPUTS_TORCH}"
            if requirement.name == "torch"
            else f'{sys.executable} -m pip install "{wanted}"'
        )
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            if not optional:
                results.append(Check(False, f"{requirement.name} is not installed", fix))
            continue
        local = installed.split("+")[0]  # torch 2.13.0+cpu is torch 2.13.0
        inside = requirement.specifier.contains(local, prereleases=True)
        if requirement.name == "torch":
            what = f"torch {installed} (tested with {_torch_range()})"
            if not inside:
                what = f"torch {installed} is installed; the course is tested with {_torch_range()}"
            results.append(Check(inside, what, fix))
        elif inside:
            results.append(Check(True, f"{requirement.name} {installed}"))
        else:
            results.append(
                Check(
                    False,
                    f"{requirement.name} {installed} is installed; the course is tested with "
                    f"{wanted}",
                    fix,
                )
            )
    return results


def _kernel() -> Check:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return Check(
            False, "Jupyter is not installed", f'{sys.executable} -m pip install "rnnlab[lab]"'
        )
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Check(
            False,
            "no Jupyter kernel named python3",
            f"{sys.executable} -m ipykernel install --sys-prefix",
        )
    python = spec.argv[0]
    if python in ("python", "python3", sys.executable) or Path(python).exists():
        return Check(True, f"Jupyter kernel python3 ({spec.display_name})")
    return Check(
        False,
        f"the python3 kernel points at {python}, which does not exist",
        f"{sys.executable} -m ipykernel install --sys-prefix",
    )


def _torch() -> Check:
    """torch imports and computes (a broken or missing torch is the commonest failure)."""
    try:
        import torch

        value = float(torch.tanh(torch.ones(1)).item())
    except Exception as err:  # noqa: BLE001 - ImportError, OSError from a broken wheel, ...
        return Check(
            False,
            f"torch does not import ({type(err).__name__}: {' '.join(str(err).split())[:120]})",
            f"{sys.executable} -m pip install torch=={OUTPUTS_TORCH}   "
            "(the release the course's outputs were made with)",
        )
    if abs(value - 0.7615941559557649) > 1e-6:
        return Check(False, "torch imports but computes tanh wrongly", "reinstall torch")
    return Check(True, f"torch {torch.__version__} imports and computes")


def _kernel_runs(timeout: float = 60.0) -> Check:
    """Start the python3 kernel for real and run one cell that imports the course, timed."""
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as err:
        return Check(
            False,
            f"Jupyter's notebook runner is missing ({err.name})",
            f"{sys.executable} -m pip install nbclient nbformat ipykernel",
        )
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import rnnlab\nprint(rnnlab.environment())")]
    start = time.perf_counter()
    try:
        NotebookClient(
            nb, timeout=int(timeout), kernel_name="python3", startup_timeout=60
        ).execute()
    except Exception as err:  # noqa: BLE001 - every failure here is the same diagnosis
        reason = " ".join(str(err).split())[:160] or type(err).__name__
        return Check(
            False,
            f"the python3 Jupyter kernel could not run a cell: {reason}",
            f"{sys.executable} -m pip install ipykernel && "
            f"{sys.executable} -m ipykernel install --sys-prefix --name python3   "
            "(makes the kernel use this Python, where the course is installed)",
        )
    seconds = time.perf_counter() - start
    output = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    return Check(True, f"the python3 kernel runs the course ({output.strip()}; {seconds:.1f} s)")


def _outline() -> Check:
    try:
        chapters = outline()
    except FileNotFoundError:
        return Check(
            False,
            "book.yml, the course outline, is missing",
            "reinstall the course (pip install --force-reinstall rnnlab) or restore book.yml",
        )
    except ValueError as err:
        return Check(False, f"book.yml is not valid: {err}", "edit book.yml as the message says")
    return Check(True, f"book.yml lists {len(chapters)} chapters, every file present")


def _backend() -> Check:
    try:
        importlib.import_module("matplotlib")
        importlib.import_module("matplotlib_inline.backend_inline")
    except ImportError as err:
        return Check(
            False,
            f"matplotlib cannot draw in notebooks ({err.name} missing)",
            f"{sys.executable} -m pip install matplotlib matplotlib-inline",
        )
    return Check(True, "matplotlib draws inline in notebooks")


def _disk(path: Path = ROOT) -> Check:
    free = shutil.disk_usage(path).free
    gib = free / (1 << 30)
    if free >= MIN_FREE_BYTES:
        return Check(True, f"{gib:.1f} GiB free on the course's disk")
    return Check(
        False,
        f"only {gib:.2f} GiB free on the course's disk; keep at least 1 GiB",
        "delete files you do not need, then `make clean` removes the course's builds",
    )


def _course() -> Check:
    if (ROOT / "book.yml").exists() and any((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        return Check(True, "course files found (book.yml and notebooks/)")
    return Check(
        False,
        "book.yml or the notebooks are missing: this rnnlab has no course files",
        f"{sys.executable} -m pip install --force-reinstall rnnlab",
    )


def checks(run_kernel: bool = True) -> list[Check]:
    """Every check, in the order they are printed; ``run_kernel`` starts a kernel (a few s)."""
    results = [_python(), *_pins(), _torch(), _kernel(), _backend(), _disk(), _course()]
    if results[-1].ok:
        results.append(_outline())
    if run_kernel and all(c.ok for c in results if "kernel" in c.what or "torch" in c.what):
        results.append(_kernel_runs())
    return results


def report() -> tuple[str, bool]:
    """The doctor's printed report and whether everything passed."""
    results = checks()
    failures = sum(not c.ok for c in results)
    summary = (
        f"everything is ready: {'`make lab`' if IN_CHECKOUT else '`rnnlab start`'} opens the course"
        if not failures
        else f"{failures} problem{'s' if failures > 1 else ''}: run the fix lines above"
    )
    return "\n".join(map(str, results)) + f"\n{summary}", not failures
