"""Checkers of the chapter on variable-length sequences.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    Result,
    _as_number,
    _not_attempted,
    _run_student,
)

__all__ = ["last_valid_outputs", "masked_mean", "packed_batch_sizes"]


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


def _masked_variants(per_step: torch.Tensor, lengths: torch.Tensor) -> dict:
    """The mean over real steps and the known ways to get it wrong, in float64."""
    L = per_step.shape[1]
    mask = torch.arange(L) < lengths.unsqueeze(1)  # (N, L)
    off_by_one = torch.arange(L) <= lengths.unsqueeze(1)  # (N, L): one padded step too many
    per_sequence = (per_step * mask).sum(dim=1) / mask.sum(dim=1)  # (N,)
    return {
        "right": (per_step * mask).sum() / mask.sum(),
        "all steps": (per_step * mask).mean(),
        "no mask": per_step.mean(),
        "off by one": (per_step * off_by_one).sum() / off_by_one.sum(),
        "per sequence": per_sequence.mean(),
        "sum": (per_step * mask).sum(),
    }


_MASK_HINTS = {
    "all steps": "the mask is right, but the mean divides by N * L, padded steps included: "
    "divide by the number of real steps",
    "no mask": "that is the mean over every step, padding included: mask the padded steps out",
    "off by one": "off by one: a sequence of length l has its real steps at 0 .. l - 1",
    "per sequence": "that averages each sequence first, so a short sequence's steps weigh more; "
    "average over all real steps at once",
    "sum": "that is the sum over the real steps, not their mean",
}


def masked_mean(masked_mean_fn: Callable) -> Result:
    """Exercise (find the bug): fix ``masked_mean(per_step, lengths)``, the mean of per-step
    losses over the real steps of a padded batch only.

    Shapes: per_step (N, L), lengths (N,) -> a scalar; checked with N = 3, L = 5 and lengths
    [5, 2, 3] in float64, and the relative error is printed.

    Used in: 09_variable_length.
    """
    pending = _not_attempted(masked_mean_fn)
    if pending is not None:
        return pending
    if not callable(masked_mean_fn):
        return Result(INCORRECT, "give a function, def masked_mean(per_step, lengths): ...")
    gen = torch.Generator().manual_seed(5)
    per_step = torch.rand(3, 5, generator=gen, dtype=torch.float64) + 0.5  # (N, L), positive
    lengths = torch.tensor([5, 2, 3])  # (N,)
    variants = _masked_variants(per_step, lengths)
    got, failed = _run_student(masked_mean_fn, per_step.clone(), lengths.clone())
    if failed is not None:
        return failed
    if isinstance(got, torch.Tensor) and got.numel() != 1:
        return Result(INCORRECT, f"return one number (a scalar), got shape {tuple(got.shape)}")
    value = _as_number(got)
    if value is None or value != value:
        return Result(INCORRECT, "return one number: the mean loss over the real steps")
    want = variants["right"].item()
    error = abs(value - want) / abs(want)
    if error < 1e-5:
        return Result(CORRECT, f"sum over real steps / their count (relative error {error:.1e})")
    for name, hint in _MASK_HINTS.items():
        if abs(value - variants[name].item()) <= 1e-9 * abs(want):
            return Result(INCORRECT, f"{hint} (relative error {error:.1e})")
    return Result(
        INCORRECT,
        f"relative error {error:.1e}: keep the steps t < lengths[n] and divide by their count",
    )
