"""Checkers of the chapter on time-series windows.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student

__all__ = ["window_count", "initial_state"]


def window_count(count) -> Result:
    """Exercise: how many overlapping windows of 20 steps, one starting every 5 steps, fit in
    a series of T = 600 steps?

    Used in: 08_time_series_windows.
    """
    pending = _not_attempted(count)
    if pending is not None:
        return pending
    if isinstance(count, bool) or not isinstance(count, int):
        return Result(INCORRECT, "give a whole number")
    T, size, step = 600, 20, 5
    want = (T - size) // step + 1
    if count == want:
        return Result(CORRECT, "(T - size) // step + 1, the number of starts that leave room")
    if count == T // size:
        return Result(INCORRECT, "that counts windows that do not overlap")
    if count == T // step:
        return Result(INCORRECT, "the last windows would run past the end of the series")
    if count == want - 1:
        return Result(INCORRECT, "off by one: count the first window too")
    return Result(INCORRECT, "a window can start at 0, 5, 10, ... as long as it ends by T")


def initial_state(make_h0: Callable) -> Result:
    """Exercise: write ``make_h0(x, num_layers, H)`` returning the zero initial state for any
    batch-first batch x, without a hard-coded batch size.

    Shapes: x (N, L, H_in) -> h0 (num_layers, N, H), on x's dtype.

    Used in: 08_time_series_windows.
    """
    pending = _not_attempted(make_h0)
    if pending is not None:
        return pending
    if not callable(make_h0):
        return Result(INCORRECT, "give a function, def make_h0(x, num_layers, H): ...")
    for N, L, dtype in ((4, 7, torch.float32), (1, 3, torch.float32), (9, 7, torch.float64)):
        x = torch.randn(N, L, 2, dtype=dtype)
        h0, failed = _run_student(make_h0, x, 2, 5)
        if failed is not None:
            return failed
        if not isinstance(h0, torch.Tensor):
            return Result(INCORRECT, "return a tensor")
        if tuple(h0.shape) == (2, L, 5) and L != N:
            return Result(INCORRECT, "x is batch-first: N is x.shape[0], not x.shape[1]")
        if tuple(h0.shape) != (2, N, 5):
            return Result(
                INCORRECT, "h0 is (num_layers, N, H) whatever the batch size: read N from x"
            )
        if h0.dtype != dtype:
            return Result(INCORRECT, "make h0 in x's dtype (torch.zeros(..., dtype=x.dtype))")
        if h0.abs().sum() != 0:
            return Result(
                INCORRECT,
                "start from zeros: a constant such as ones is not learned "
                "and shifts every sequence's start",
            )
    return Result(CORRECT, "zeros of shape (num_layers, N, H) for any N, as nn.RNN's default")
