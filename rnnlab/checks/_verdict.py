"""The verdict machinery every checker shares: ``Result`` and the three verdicts.

Each checker takes the student's answer and returns a ``Result`` that prints one of three
verdicts: correct; not quite, with a hint aimed at the likely mistake; or not attempted yet (the
answer is still the ``...`` placeholder). A checker never prints the expected value.
The design follows Kaggle's learntools (``EqualityCheckProblem``, ``NotAttempted``).

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["CORRECT", "INCORRECT", "NOT_ATTEMPTED", "Result"]

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"
_SYMBOL = {CORRECT: "✓ Correct", INCORRECT: "✗ Not quite", NOT_ATTEMPTED: "… Not attempted yet"}


@dataclass(frozen=True)
class Result:
    """A checker's verdict; it prints as one line and is truthy only when correct."""

    status: str
    message: str

    def __bool__(self) -> bool:
        return self.status == CORRECT

    def __repr__(self) -> str:
        return f"{_SYMBOL[self.status]}: {self.message}"


def _not_attempted(*answers) -> Result | None:
    if any(a is Ellipsis or a is None for a in answers):
        return Result(NOT_ATTEMPTED, "replace each ... with your answer, then run the cell again")
    return None


def _run_student(function, *args):
    """Call the student's function: (value, None), or (None, Result) when it raised.

    The student's code may raise anything; the checker reports it instead of crashing.
    """
    try:
        value = function(*args)
    except NotImplementedError:
        return None, Result(NOT_ATTEMPTED, "the function still raises NotImplementedError")
    except Exception as err:  # noqa: BLE001 - any error in the student's code is an answer
        message = str(err).strip().splitlines()[0][:160] if str(err).strip() else ""
        return None, Result(INCORRECT, f"your function raised {type(err).__name__}: {message}")
    if value is None:
        return None, Result(
            NOT_ATTEMPTED,
            "your function returns None: replace the ... in its body with a return statement",
        )
    return value, None


def _as_number(value) -> float | None:
    """A student's numeric answer as a float, or None if it is not one number."""
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        return None


def _as_shape(value) -> tuple | None:
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
        return tuple(value)
    return None
