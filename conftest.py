"""pytest setup shared by the unit tests and the notebooks run under nbval.

Each xdist worker starts its own Jupyter kernels, which inherit this environment: one torch
thread per kernel keeps two kernels on two cores from fighting over threads (measured 1.6x faster
than a serial run; outputs are identical with 1 or 2 threads).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

# Hypothesis: no per-example deadline (CPU timings vary); under CI (CI=true) the examples are
# derandomized so that a run is repeatable, while local runs keep exploring new examples.
from hypothesis import settings  # noqa: E402

settings.register_profile("course", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "course")

# The notebook skeleton is a template to copy, not a chapter: it is not run as a test.
collect_ignore_glob = ["notebooks/_*.ipynb"]


def pytest_addoption(parser):
    parser.addoption(
        "--determinism",
        action="store_true",
        help="also run tests/test_determinism.py (each chapter twice, ~1 min)",
    )
    parser.addoption(
        "--install",
        action="store_true",
        help="also run tests/test_install.py (build the wheel, install it in a new venv, ~1.5 min)",
    )
    parser.addoption(
        "--hub",
        action="store_true",
        help="also run the hub tests (a real JupyterHub, 20 students, ~3 min; make test-hub)",
    )


def pytest_configure(config):
    config.addinivalue_line("markers", "determinism: runs every chapter twice; --determinism")
    config.addinivalue_line("markers", "install: installs the wheel into a new venv; --install")
    config.addinivalue_line("markers", "hub: runs a real JupyterHub from .venv-hub; --hub")


def pytest_collection_modifyitems(config, items):
    import pytest

    for marker, how in (
        ("determinism", "make test-determinism"),
        ("install", "make test-install"),
        ("hub", "make test-hub"),
    ):
        if config.getoption(f"--{marker}"):
            continue
        skip = pytest.mark.skip(reason=f"run with --{marker} ({how}; CI does)")
        for item in items:
            if item.get_closest_marker(marker):  # not item.keywords: it holds folder names
                item.add_marker(skip)
