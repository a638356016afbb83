"""Helpers shared by the tests that read notebook outputs: the nbval sanitizers, applied the way
nbval applies them, and a comparable summary of a cell's outputs."""

import configparser
import re
from pathlib import Path

SANITIZE_FILE = Path(__file__).resolve().parent / "nbval_sanitize.cfg"


def sanitizers() -> list[tuple[re.Pattern, str]]:
    parser = configparser.ConfigParser()
    parser.read(SANITIZE_FILE)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def sanitize(text: str) -> str:
    for regex, replace in sanitizers():
        text = regex.sub(replace, text)
    return text


def comparable(cell) -> list[tuple[str, str]]:
    """What nbval compares of a code cell: streams, text/plain, error names and messages."""
    found = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            if found and found[-1][0] == out["name"]:  # one stream may arrive in pieces
                found[-1] = (out["name"], found[-1][1] + sanitize(out["text"]))
            else:
                found.append((out["name"], sanitize(out["text"])))
        elif out["output_type"] in ("execute_result", "display_data"):
            found.append((out["output_type"], sanitize(str(out["data"].get("text/plain", "")))))
        elif out["output_type"] == "error":
            found.append(("error", sanitize(f"{out['ename']}: {out['evalue']}")))
    return found


# The guard every notebook's setup cell opens with (applied at merge time; tests/test_course.py
# and tests/test_packaging.py check it): in a Jupyter without rnnlab, the cell stops with one line
# that names the one install command, instead of a traceback.
INSTALL_COMMAND = "%pip install rnnlab"
SETUP_GUARD = f"""\
try:  # a Jupyter without the course's package: say the one command that installs it
    import rnnlab
except ModuleNotFoundError as missing:

    class RnnlabMissingError(ModuleNotFoundError):
        def _render_traceback_(self):  # Jupyter shows this one line instead of a traceback
            return [str(self)]

    raise RnnlabMissingError(
        f"{{missing.name}} is missing: run {INSTALL_COMMAND} in a cell, then restart the kernel"
    ) from None
"""
