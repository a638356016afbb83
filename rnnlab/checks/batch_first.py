"""Checkers of the chapter on Sequence-first, batch-first, unbatched.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student

__all__ = ["to_sequence_first", "windows_batch"]


def to_sequence_first(convert: Callable) -> Result:
    """Exercise: write ``convert(output)`` taking a batch-first output (N, L, H) to
    sequence-first (L, N, H).

    Used in: 03_batch_first.
    """
    pending = _not_attempted(convert)
    if pending is not None:
        return pending
    if not callable(convert):
        return Result(INCORRECT, "give a function, def convert(output): ...")
    output = torch.arange(3 * 5 * 2, dtype=torch.float32).reshape(3, 5, 2)  # (N, L, H)
    got, failed = _run_student(convert, output)
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (5, 3, 2):
        return Result(INCORRECT, "the result should have shape (L, N, H)")
    if torch.equal(got, output.permute(1, 0, 2)):
        return Result(CORRECT, "the dimensions are swapped and every number kept its place")
    return Result(
        INCORRECT,
        "right shape, but the numbers moved: reshape and view re-read memory "
        "in order, they do not swap dimensions; permute and transpose do",
    )


def windows_batch(batch) -> Result:
    """Exercise: from ``a = torch.arange(1., 11.)`` and ``b = a + 100`` (two features, T = 10),
    build overlapping windows of length 4 that start every 2 steps, batch-first.

    Shapes: batch (N, L, H_in).

    Used in: 03_batch_first.
    """
    pending = _not_attempted(batch)
    if pending is not None:
        return pending
    if not isinstance(batch, torch.Tensor):
        return Result(INCORRECT, "give a tensor")
    a = torch.arange(1.0, 11.0)
    series = torch.stack([a, a + 100], dim=1)  # (T, H_in)
    want = series.unfold(0, 4, 2).transpose(1, 2)  # (N, L, H_in)
    if batch.shape == want.shape and torch.equal(batch.to(want.dtype), want):
        return Result(CORRECT, "batch-first windows: (N, L, H_in)")
    if batch.shape == (want.shape[0], 2, 4):
        return Result(
            INCORRECT,
            "unfold puts the window dimension last, (N, H_in, L): "
            "transpose(1, 2) moves the features back to the end",
        )
    if batch.dim() == 3 and batch.shape == (want.shape[1], want.shape[0], 2):
        return Result(INCORRECT, "that is sequence-first; the exercise asks for batch-first")
    if batch.dim() == 3 and batch.shape[1:] == (4, 2) and batch.shape[0] != want.shape[0]:
        return Result(
            INCORRECT,
            "right window length, wrong number of windows: a new window starts every 2 steps",
        )
    return Result(
        INCORRECT,
        "stack a and b as two features, (T, H_in), then cut windows of 4 "
        "steps starting every 2 steps",
    )
