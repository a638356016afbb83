"""``rnnlab doctor``: check the environment a student actually has, and say how to fix it.

Each check prints one line, ``[OK]`` or ``[FAIL]``, and every failure comes with the one
command that fixes it. Modelled on the environment check of rasbt's LLMs-from-scratch.

The advice fits where the doctor runs (``place``): in a student's course folder (the copies
``rnnlab start`` writes: no Makefile there, so never ``make``), in a clone of the repository
(``make lab``), on a JupyterHub (``JUPYTERHUB_*`` variables set: JupyterLab already runs, so the
course is opened from its file browser, and installs go to the user's site), or anywhere else
with rnnlab installed (``rnnlab start``). A student's check covers what the notebooks need;
the maintainers' tools (the ``[book]`` and ``[dev]`` extras, ``make``) only with ``dev=True``
(``rnnlab doctor --dev``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import shutil
import sys
import time
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from rnnlab.tooling.outline import IN_CHECKOUT, ROOT, outline

__all__ = [
    "DEV_EXTRAS",
    "OUTPUTS_TORCH",
    "TESTED_TORCH",
    "Check",
    "Place",
    "checks",
    "place",
    "report",
]

MIN_FREE_BYTES = 1 << 30  # 1 GiB: notebooks, the book and a few checkpoints
MIN_PYTHON = (3, 11)  # as pyproject.toml's requires-python
# The torch releases CI tests (pyproject.toml's range) and the one the stored outputs were made
# with (requirements/lock.txt); tests/test_course.py keeps the three in agreement.
TESTED_TORCH = ("2.13", "2.14")
OUTPUTS_TORCH = "2.13.0"
# The extras only maintainers and instructors need (the book, grading, the tests); a student's
# check skips them (``rnnlab doctor --dev``).
DEV_EXTRAS = ("book", "grade", "dev")
STUDENT_MANIFEST = ".rnnlab-student.json"  # as tooling.student.MANIFEST (a test keeps them equal)


@dataclass(frozen=True)
class Place:
    """Where the doctor runs, which decides its advice.

    ``kind`` is ``"course folder"`` (the copies ``rnnlab start`` wrote, in ``folder``),
    ``"clone"`` (a clone of the repository, with its Makefile) or ``"installed"`` (rnnlab
    installed, run elsewhere); ``hub`` is True on a JupyterHub, where JupyterLab already runs.
    """

    kind: str
    folder: Path
    hub: bool = False
    first: str = "01_rnn_cell.ipynb"

    @property
    def user_site(self) -> bool:
        """Installs go to the user's site: a hub's shared environment is often read-only."""
        return self.hub and sys.prefix == sys.base_prefix and not os.access(sys.prefix, os.W_OK)

    def pip(self, arguments: str) -> str:
        user = "--user " if self.user_site else ""
        return f"{sys.executable} -m pip install {user}{arguments}"

    def kernel_install(self) -> str:
        where = "--user" if self.user_site else "--sys-prefix"
        return f"{sys.executable} -m ipykernel install {where}"

    def reinstall(self) -> str:
        """How to get a working course again after fixing Python."""
        if self.kind == "clone":
            return "`make lab` (it rebuilds .venv)"
        return f"`{self.pip(chr(34) + 'rnnlab[lab]' + chr(34))}`"

    def open_course(self) -> str:
        """What opens the course here, for the report's last line."""
        if self.hub:
            if self.kind == "course folder":
                return f"open {self.first} from JupyterLab's file browser (this folder)"
            return (
                "`rnnlab start --no-lab` writes the course into ./rnnlab-course; open it from "
                "JupyterLab's file browser (JupyterLab already runs on this hub)"
            )
        if self.kind == "course folder":
            if importlib.util.find_spec("jupyterlab") is None:
                return f"open {self.first} in the Jupyter you use"
            return f"`jupyter lab {self.first}` opens the course in this folder"
        if self.kind == "clone":
            here = _inside(self.folder, ROOT)
            return "`make lab` opens the course" + ("" if here else f" (run it in {ROOT})")
        return "`rnnlab start` opens the course (it writes it into ./rnnlab-course first)"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def place(folder: Path | str | None = None, environ=None) -> Place:
    """Where the doctor runs: ``folder`` (default: the current folder) and the environment."""
    folder = Path(folder) if folder else Path.cwd()
    environ = os.environ if environ is None else environ
    hub = any(name.startswith("JUPYTERHUB_") for name in environ)
    try:
        first = Path(outline()[0].file).name
    except Exception:  # noqa: BLE001 - a broken book.yml is reported by its own check
        first = "01_rnn_cell.ipynb"
    clone = IN_CHECKOUT and (ROOT / "Makefile").is_file()
    if (folder / STUDENT_MANIFEST).is_file():
        kind = "course folder"
    elif clone and (_inside(folder, ROOT) or not (folder / first).is_file()):
        kind = "clone"  # anywhere in the clone, notebooks/ included
    elif (folder / first).is_file():
        kind = "course folder"
    else:
        kind = "installed"
    return Place(kind, folder, hub, first)


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    ok: bool
    what: str
    fix: str = ""

    def __str__(self) -> str:
        line = f"[{'OK' if self.ok else 'FAIL'}] {self.what}"
        return line if self.ok else f"{line}\n       fix: {self.fix}"


def _python(where: Place) -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] >= MIN_PYTHON:
        return Check(True, f"Python {version}")
    return Check(
        False,
        f"Python {version} is too old; the course needs 3.11 or newer",
        (
            "ask the hub's administrators for an image with Python 3.11+"
            if where.hub
            else "install Python 3.11+ (python.org or your package manager), then "
            + where.reinstall()
        ),
    )


def _extra(requirement: Requirement) -> str | None:
    """The extra a requirement line belongs to (``lab``, ``book``, ``dev``), None for the base."""
    if requirement.marker is None:
        return None
    for extra in ("lab", *DEV_EXTRAS):
        if requirement.marker.evaluate({"extra": extra}):
            return extra
    return None


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


def _pins(where: Place, dev: bool = False) -> list[Check]:
    """One line per requirement of rnnlab: installed and inside the range CI tests.

    The base requirements must be there; the ``lab`` extra's are checked only when installed,
    since a student's own Jupyter needs none of them. The maintainers' extras (``book``,
    ``dev``) are checked only with ``dev``, and must then be installed.
    """
    try:
        requirements = _requirements()
    except metadata.PackageNotFoundError:
        return [
            Check(
                False,
                "rnnlab is not installed in this Python",
                where.pip("rnnlab"),
            )
        ]
    results = []
    for line in requirements:
        requirement = Requirement(line)
        extra = _extra(requirement)
        if requirement.name == "rnnlab" or (extra in DEV_EXTRAS and not dev):
            continue  # dev = rnnlab[lab,book]: those are checked on their own lines
        optional = extra is not None and extra not in DEV_EXTRAS
        lower_first = sorted(requirement.specifier, key=lambda s: not s.operator.startswith(">"))
        wanted = requirement.name + ",".join(map(str, lower_first))  # numpy>=2.4,<2.5
        fix = where.pip(f"torch=={OUTPUTS_TORCH}" if requirement.name == "torch" else f'"{wanted}"')
        if extra in DEV_EXTRAS and where.kind == "clone":
            fix = f'{sys.executable} -m pip install -c requirements/lock.txt -e ".[dev]"'
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


def _kernel(where: Place) -> Check:
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return Check(False, "Jupyter is not installed", where.pip('"rnnlab[lab]"'))
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Check(
            False,
            "no Jupyter kernel named python3",
            where.kernel_install(),
        )
    python = spec.argv[0]
    if python in ("python", "python3", sys.executable) or Path(python).exists():
        return Check(True, f"Jupyter kernel python3 ({spec.display_name})")
    return Check(
        False,
        f"the python3 kernel points at {python}, which does not exist",
        where.kernel_install(),
    )


def _torch(where: Place) -> Check:
    """torch imports and computes (a broken or missing torch is the commonest failure)."""
    try:
        import torch

        value = float(torch.tanh(torch.ones(1)).item())
    except Exception as err:  # noqa: BLE001 - ImportError, OSError from a broken wheel, ...
        return Check(
            False,
            f"torch does not import ({type(err).__name__}: {' '.join(str(err).split())[:120]})",
            where.pip(f"torch=={OUTPUTS_TORCH}") + "   "
            "(the release the course's outputs were made with)",
        )
    if abs(value - 0.7615941559557649) > 1e-6:
        return Check(False, "torch imports but computes tanh wrongly", "reinstall torch")
    return Check(True, f"torch {torch.__version__} imports and computes")


def _kernel_runs(where: Place, timeout: float = 60.0) -> Check:
    """Start the python3 kernel for real and run one cell that imports the course, timed."""
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as err:
        return Check(
            False,
            f"Jupyter's notebook runner is missing ({err.name})",
            where.pip("nbclient nbformat ipykernel"),
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
            where.pip("ipykernel") + " && " + where.kernel_install() + " --name python3   "
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


def _backend(where: Place) -> Check:
    try:
        importlib.import_module("matplotlib")
        importlib.import_module("matplotlib_inline.backend_inline")
    except ImportError as err:
        return Check(
            False,
            f"matplotlib cannot draw in notebooks ({err.name} missing)",
            where.pip("matplotlib matplotlib-inline"),
        )
    return Check(True, "matplotlib draws inline in notebooks")


def _disk(where: Place) -> Check:
    folder = ROOT if where.kind == "clone" else where.folder
    free = shutil.disk_usage(folder if folder.exists() else Path.cwd()).free
    gib = free / (1 << 30)
    if free >= MIN_FREE_BYTES:
        return Check(True, f"{gib:.1f} GiB free on the course's disk")
    fix = "delete files you do not need"
    if where.kind == "clone":
        fix += "; `make clean` removes the course's builds"
    elif (where.folder / "_build").exists():
        fix += "; ./_build holds only builds of the course (the book, the slides)"
    return Check(False, f"only {gib:.2f} GiB free on the course's disk; keep at least 1 GiB", fix)


def _course(where: Place) -> Check:
    if (ROOT / "book.yml").exists() and any((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        return Check(True, "course files found (book.yml and notebooks/)")
    return Check(
        False,
        "book.yml or the notebooks are missing: this rnnlab has no course files",
        where.pip("--force-reinstall rnnlab"),
    )


def _make() -> Check:
    if shutil.which("make"):
        return Check(True, "make (the maintainers' verbs: make test, make notebooks, ...)")
    return Check(
        False,
        "make is not installed; the Makefile's verbs need it",
        "apt-get install make (or brew install make), or run the steps by hand "
        "(README.md, 'Without make')",
    )


def checks(run_kernel: bool = True, dev: bool = False, where: Place | None = None) -> list[Check]:
    """Every check, in the order they are printed; ``run_kernel`` starts a kernel (a few s).

    ``dev`` adds the maintainers' tools (the ``book`` and ``dev`` extras, ``make`` in a clone);
    ``where`` is the place the advice is for (default: ``place()``, the current folder).
    """
    where = where or place()
    results = [_python(where), *_pins(where, dev), _torch(where), _kernel(where)]
    results += [_backend(where), _disk(where)]
    if dev and where.kind == "clone":
        results.append(_make())
    results.append(_course(where))
    if results[-1].ok:
        results.append(_outline())
    if run_kernel and all(c.ok for c in results if "kernel" in c.what or "torch" in c.what):
        results.append(_kernel_runs(where))
    return results


def report(dev: bool = False, where: Place | None = None) -> tuple[str, bool]:
    """The doctor's printed report and whether everything passed.

    The last line says what opens the course where the doctor runs (``Place.open_course``).
    """
    where = where or place()
    results = checks(dev=dev, where=where)
    failures = sum(not c.ok for c in results)
    summary = (
        f"everything is ready: {where.open_course()}"
        if not failures
        else f"{failures} problem{'s' if failures > 1 else ''}: run the fix lines above"
    )
    if dev and not failures:
        summary += "; the maintainers' tools are ready too"
    elif not dev and where.kind == "clone" and not failures:
        summary += " (`rnnlab doctor --dev` also checks the maintainers' tools)"
    return "\n".join(map(str, results)) + f"\n{summary}", not failures
