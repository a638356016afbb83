"""The verdict machinery every checker shares: ``Result`` and the three verdicts.

Each checker takes the student's answer and returns a ``Result`` that prints one of three
verdicts: correct; not quite, with a hint aimed at the likely mistake; or not attempted yet (the
answer is still the ``...`` placeholder). A checker never prints the expected value.
The design follows Kaggle's learntools (``EqualityCheckProblem``, ``NotAttempted``).

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import contextlib
import functools
import random
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "CORRECT",
    "HINT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "OUTDATED",
    "TIME_LIMIT",
    "Result",
    "guarded",
    "paused",
    "time_limit",
]

#: Seconds the student's code may run inside a checker before it is stopped (the checker's own
#: work on the reference and the known mistakes runs ``paused``, off the clock).
TIME_LIMIT = 10.0

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"
OUTDATED, HINT = "outdated", "hint"
_SYMBOL = {
    CORRECT: "✓ Correct",
    INCORRECT: "✗ Not quite",
    NOT_ATTEMPTED: "… Not attempted yet",
    OUTDATED: "↻ Your copy is older than this exercise",
    HINT: "Hint",
}


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
    """A student's shape answer as a tuple of ints: a torch.Size, a tuple or list of whole
    numbers (Python or NumPy integers), or a 1-D integer array/tensor; None otherwise."""
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy() if value.device.type != "meta" else None
    if isinstance(value, np.ndarray):
        if value.ndim != 1 or value.dtype.kind not in "iu":
            return None
        return tuple(int(v) for v in value.tolist())
    if isinstance(value, (tuple, list)) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
    ):
        return tuple(int(v) for v in value)
    return None


class _OutOfTime(BaseException):
    """Raised inside the student's code when the time limit is reached.

    A BaseException, so that a student's ``except Exception`` cannot swallow it.
    """


@contextlib.contextmanager
def time_limit(seconds: float, error=None) -> Iterator[None]:
    """Stop the block after ``seconds``: raise ``error()`` (default ``_OutOfTime``) inside it,
    again every 0.25 s until the block ends. An enclosing limit (the checker's own, under
    ``guarded``) is restored with the time it had left, so limits nest. Where signals are not
    available (Windows, a thread other than the main one) the block runs unlimited."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    make = error or _OutOfTime

    def stop(signum, frame):
        raise make()

    start = time.monotonic()
    previous = signal.signal(signal.SIGALRM, stop)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds, 0.25)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay > 0:  # give the enclosing limit back what it had left (at least a tick)
            left = max(outer_delay - (time.monotonic() - start), 0.01)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Stop the clock of an enclosing ``time_limit`` while the block runs: the checker's own
    work (the worked solution, the known mistakes, chapter 12's operator counts) does not count
    against the student's time, so that a loaded machine (a hub at the start of a class) does not
    turn a right answer into "ran for more than 10 s"."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    delay, interval = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        yield
    finally:
        if delay > 0:
            signal.setitimer(signal.ITIMER_REAL, delay, interval)


@contextlib.contextmanager
def _random_state_kept() -> Iterator[None]:
    """Leave Python's, NumPy's and torch's global random generators as the student had them."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        try:
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)


def guarded(checker):
    """Wrap a checker so that it never crashes, never hangs and never touches the global random
    state: an error while reading the answer becomes a "not quite" with the error named, and
    code that runs past ``TIME_LIMIT`` seconds is stopped and reported."""

    @functools.wraps(checker)
    def run(*args, **kwargs):
        with _random_state_kept():
            try:
                with time_limit(TIME_LIMIT):
                    return checker(*args, **kwargs)
            except _OutOfTime:
                return Result(
                    INCORRECT,
                    f"your code ran for more than {TIME_LIMIT:g} s and was stopped: look for a "
                    "loop that never ends",
                )
            except Exception as err:  # noqa: BLE001 - a checker answers, it never crashes
                text = " ".join(str(err).split())[:160]
                return Result(
                    INCORRECT,
                    f"the checker could not use your answer ({type(err).__name__}: {text}); "
                    "compare its type and shape with what the exercise asks for",
                )

    return run
