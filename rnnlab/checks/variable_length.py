"""Checkers of the chapter on variable-length sequences.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student

__all__ = ["last_valid_outputs", "packed_batch_sizes"]


def last_valid_outputs(pick: Callable) -> Result:
    """Exercise: write ``pick(output, lengths)`` returning each sequence's output at its last
    real step, from a padded batch-first output.

    Shapes: output (N, L, H), lengths (N,) -> (N, H).

    Used in: 09_variable_length.
    """
    pending = _not_attempted(pick)
    if pending is not None:
        return pending
    if not callable(pick):
        return Result(INCORRECT, "give a function, def pick(output, lengths): ...")
    output = torch.arange(4 * 5 * 3, dtype=torch.float32).reshape(4, 5, 3)  # (N, L, H)
    lengths = torch.tensor([5, 2, 4, 1])
    got, failed = _run_student(pick, output, lengths)
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (4, 3):
        return Result(INCORRECT, "the result has one row per sequence: (N, H)")
    want = output[torch.arange(4), lengths - 1]
    if torch.equal(got, want):
        return Result(CORRECT, "output[range(N), lengths - 1]: each sequence's own last step")
    if torch.equal(got, output[:, -1]):
        return Result(INCORRECT, "that is the last padded step; short sequences end earlier")
    if torch.equal(got, output[torch.arange(4), lengths.clamp(max=4)]):
        return Result(INCORRECT, "off by one: a sequence of length l ends at index l - 1")
    return Result(INCORRECT, "for sequence n, take time step lengths[n] - 1")


def packed_batch_sizes(batch_sizes) -> Result:
    """Exercise: the ``batch_sizes`` of a packed batch of sequences of lengths [4, 2, 3, 2].

    Used in: 09_variable_length.
    """
    pending = _not_attempted(batch_sizes)
    if pending is not None:
        return pending
    if isinstance(batch_sizes, torch.Tensor):
        batch_sizes = batch_sizes.tolist()
    if not isinstance(batch_sizes, (list, tuple)):
        return Result(INCORRECT, "give a list of whole numbers, one per time step")
    lengths = [4, 2, 3, 2]
    want = [sum(1 for n in lengths if n > t) for t in range(max(lengths))]
    if list(batch_sizes) == want:
        return Result(CORRECT, "at step t, the number of sequences longer than t")
    if sorted(batch_sizes, reverse=True) == sorted(lengths, reverse=True):
        return Result(INCORRECT, "those are the lengths; batch_sizes counts sequences per step")
    if len(batch_sizes) != max(lengths):
        return Result(INCORRECT, "there is one entry per time step of the longest sequence")
    return Result(INCORRECT, "count, at each time step, how many sequences still have data")
