"""Fixtures for the browser tests (tests/test_browser*.py).

Headless Chromium from the system (Debian's ``chromium`` package; ``.ci/run`` installs it),
driven by Playwright for Python with ``executable_path`` pointed at it: Playwright never
downloads a browser. Without Chromium (or npm, for the slides) these tests are skipped, unless
``RNNLAB_REQUIRE_BROWSER=1`` (set by CI), which turns the skip into a failure.
"""

import os
import shutil
import sys

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require(tool: str, path: str | None) -> str:
    if path:
        return path
    message = f"{tool} is not installed"
    if os.environ.get("RNNLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message}, and RNNLAB_REQUIRE_BROWSER=1 asks for the browser tests")
    pytest.skip(f"{message}: `apt-get install chromium npm` enables these tests")


@pytest.fixture(scope="session")
def browser():
    executable = _require(
        "chromium",
        os.environ.get("RNNLAB_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser"),
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def npm():
    return _require("npm", shutil.which("npm"))


@pytest.fixture(autouse=True)
def _each_test_a_first_try():
    """A checker's hint climbs with the wrong tries made in its process; under xdist one worker
    runs many tests, so each test starts as a student's first try (as in a fresh kernel)."""
    exercise = sys.modules.get("rnnlab.checks._exercise")  # not imported here: no torch for this
    if exercise is not None:
        exercise._TRIES.clear()
        exercise._LAST.clear()
