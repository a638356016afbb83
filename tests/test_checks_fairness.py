"""Every checker is fair: it never crashes, never hangs, never touches the global random state.

These tests run over every public checker of rnnlab.checks (new ones included automatically),
with generated junk answers, student functions that raise or loop forever, and right-shaped
answers written in NumPy.
"""

import inspect
import random
import time

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnlab import checks
from rnnlab.checks import _verdict

CHECKERS = [name for name in checks.__all__ if name != "Result"]


def _arity(name: str) -> int:
    signature = inspect.signature(inspect.unwrap(getattr(checks, name)))
    return sum(
        p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        for p in signature.parameters.values()
    )


def _states():
    return random.getstate(), np.random.get_state()[1].copy(), torch.random.get_rng_state()


def _assert_same(before, after):
    assert before[0] == after[0], "Python's random state changed"
    assert np.array_equal(before[1], after[1]), "NumPy's global random state changed"
    assert torch.equal(before[2], after[2]), "torch's global random state changed"


def _raises(*args):
    raise ZeroDivisionError("student bug")


def _forever(*args):
    while True:
        try:
            pass
        except Exception:  # noqa: BLE001, S110 - a student's catch-all must not defeat the limit
            pass


JUNK = [(), [], {}, 0, -1, 2.5, "x", None, Ellipsis, np.int64(3), np.zeros((2, 3)),
        torch.zeros(2, 3), torch.zeros(2, 3, dtype=torch.float64), torch.zeros(0),
        torch.zeros(2, device="meta"), (3, "a"), [[1, 2], [3]], _raises]  # fmt: skip


@pytest.mark.parametrize("name", CHECKERS)
@pytest.mark.parametrize("junk", JUNK, ids=lambda j: getattr(j, "__name__", repr(j)[:20]))
def test_junk_answers_get_a_verdict_not_a_traceback(name, junk):
    before = _states()
    result = getattr(checks, name)(*[junk] * _arity(name))
    assert isinstance(result, checks.Result)
    assert not result, f"{name} accepted {junk!r}"
    _assert_same(before, _states())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(CHECKERS),
    answers=st.lists(
        st.one_of(
            st.integers(-(10**6), 10**6),
            st.floats(allow_nan=True),
            st.text(max_size=5),
            st.lists(st.integers(0, 9), max_size=4).map(tuple),
            st.builds(torch.randn, st.integers(0, 4), st.integers(1, 5)),
            st.builds(lambda n: np.arange(n), st.integers(0, 4)),
            st.just(...),
        ),
        min_size=5,
        max_size=5,
    ),
)
def test_generated_answers_never_crash_or_touch_the_random_state(name, answers):
    before = _states()
    result = getattr(checks, name)(*answers[: _arity(name)])
    assert isinstance(result, checks.Result)
    _assert_same(before, _states())


@pytest.mark.parametrize("name", CHECKERS)
def test_a_student_function_that_never_returns_is_stopped(name, monkeypatch):
    monkeypatch.setattr(_verdict, "TIME_LIMIT", 0.3)
    result = getattr(checks, name)(*[_forever] * _arity(name))
    assert isinstance(result, checks.Result)
    assert not result


def test_the_time_limit_message_names_the_loop(monkeypatch):
    monkeypatch.setattr(_verdict, "TIME_LIMIT", 0.2)

    @_verdict.guarded
    def checker(step):
        step()
        return _verdict.Result(_verdict.CORRECT, "fine")

    assert "ran for more than 0.2 s" in repr(checker(_forever))


def test_a_checker_that_uses_randomness_leaves_the_student_sequence_alone():
    @_verdict.guarded
    def checker(answer):
        torch.manual_seed(0)  # as a careless checker would
        np.random.seed(0)
        random.seed(0)
        return _verdict.Result(_verdict.CORRECT, "fine")

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    checker(None)
    torch.testing.assert_close(torch.rand(3), expected)


@pytest.mark.parametrize(
    "answer",
    [
        (3, 5),
        [3, 5],
        torch.Size([3, 5]),
        (np.int64(3), np.int32(5)),
        np.array([3, 5]),
        torch.tensor([3, 5]),
    ],  # fmt: skip
    ids=["tuple", "list", "Size", "numpy ints", "numpy array", "tensor"],
)
def test_shapes_are_read_however_they_are_written(answer):
    assert _verdict._as_shape(answer) == (3, 5)


@pytest.mark.parametrize("answer", [(3.0, 5), (True, 5), np.array([3.0, 5.0]), "35", 35])
def test_what_is_not_a_shape_is_not_read_as_one(answer):
    assert _verdict._as_shape(answer) is None


def test_a_checker_s_own_time_limit_leaves_the_guard_s_in_force(monkeypatch):
    """Limits nest: after a chapter's shorter limit ends, the guard's limit still stops a loop."""
    monkeypatch.setattr(_verdict, "TIME_LIMIT", 0.5)

    @_verdict.guarded
    def checker(step):
        with _verdict.time_limit(5.0):
            pass  # a chapter checker's own limit, ended well before it fires
        step()
        return _verdict.Result(_verdict.CORRECT, "fine")

    assert "ran for more than 0.5 s" in repr(checker(_forever))


def test_the_checker_s_own_work_is_off_the_student_s_clock(monkeypatch):
    """Chapter 12's checker counts the operators of three programs (seconds on a loaded hub): a
    right answer is accepted even when the student's limit is far shorter than that work, while a
    loop that never ends is still stopped after the checker's paused work."""
    monkeypatch.setattr(_verdict, "TIME_LIMIT", 0.05)
    # 300 steps: the checker profiles 3 programs of 300 steps (0.3 s or more), the answer is three
    # numbers: 4 products per step in the cell loop, 2 per step + 2 hoisted in nn.RNN, 0 in nn.LSTM
    right = (4 * 300, 2 * 300 + 2, 0)
    assert checks.matmul_count(300, *right), "the checker's own work ran on the student's clock"

    @_verdict.guarded
    def checker(step):
        with _verdict.paused():
            time.sleep(0.2)  # the checker's own work, four times the limit
        step()
        return _verdict.Result(_verdict.CORRECT, "fine")

    assert checker(lambda: None)
    assert "ran for more than 0.05 s" in repr(checker(_forever))
