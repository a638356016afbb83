"""Checkers of the chapter on time-series windows.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import torch

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student

__all__ = ["flatten_outputs", "initial_state", "window_count"]


def window_count(count) -> Result:
    """Exercise: how many overlapping windows of 20 steps, one starting every 5 steps, fit in
    a series of T = 600 steps?

    Used in: 08_time_series_windows.
    """
    pending = _not_attempted(count)
    if pending is not None:
        return pending
    if isinstance(count, bool) or not isinstance(count, Integral):
        return Result(INCORRECT, "give a whole number")
    count = int(count)
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
    generator = torch.Generator().manual_seed(3)  # the global random state stays untouched
    for N, L, dtype in ((4, 7, torch.float32), (1, 3, torch.float32), (9, 7, torch.float64)):
        x = torch.randn(N, L, 2, dtype=dtype, generator=generator)
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


def flatten_outputs(flatten: Callable) -> Result:
    """Exercise (find the bug): ``flatten(output)`` turns a sequence-first RNN output into one
    row per sequence, every step's H features in time order, for a Linear(L*H, ...) head.

    Shapes: output (L, N, H) = (5, 3, 4) here -> (N, L*H) = (3, 20); row n is
    output[0, n], output[1, n], ... side by side.

    Used in: 08_time_series_windows.
    """
    pending = _not_attempted(flatten)
    if pending is not None:
        return pending
    if not callable(flatten):
        return Result(INCORRECT, "give a function, def flatten(output): ...")
    L, N, H = 5, 3, 4
    output = torch.randn(L, N, H, generator=torch.Generator().manual_seed(5))  # (L, N, H)
    got, failed = _run_student(flatten, output.clone())
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor):
        return Result(INCORRECT, "return a tensor of shape (N, L*H)")
    if tuple(got.shape) == (N, H):
        return Result(INCORRECT, "that is one step only: the head reads every step")
    if tuple(got.shape) != (N, L * H):
        return Result(INCORRECT, f"the result is (N, L*H) = ({N}, {L * H}) for this output")
    got = got.detach().to(torch.float32)
    want = output.transpose(0, 1).reshape(N, L * H)  # (L, N, H) -> (N, L, H) -> (N, L*H)
    if torch.allclose(got, want):
        return Result(CORRECT, "each row is one sequence, its steps in time order")
    if torch.allclose(got, output.reshape(N, L * H)):
        return Result(
            INCORRECT,
            "reshape keeps memory order, and this output is sequence-first (L, N, H): each "
            "row mixes steps of different sequences. Move N first with transpose(0, 1), then "
            "reshape",
        )
    if torch.allclose(got, output.permute(1, 2, 0).reshape(N, L * H)):
        return Result(
            INCORRECT,
            "one row per sequence, but grouped by feature, not by step: permute(1, 0, 2) "
            "keeps each step's H features together",
        )
    return Result(INCORRECT, "row n should be output[0, n], output[1, n], ... side by side")
