"""Checkers of the chapter on A bidirectional RNN.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student
from rnnlab.checks.stacked import _probe_rnn

__all__ = ["final_states", "bidirectional_features"]


def final_states(split: Callable) -> Result:
    """Exercise: write ``split(output, H)`` returning (forward_final, reverse_final), the two
    final hidden states of a one-layer bidirectional batch-first RNN read from its output.

    Shapes: output (N, L, 2*H) -> two tensors (N, H).

    Used in: 05_bidirectional.
    """
    pending = _not_attempted(split)
    if pending is not None:
        return pending
    if not callable(split):
        return Result(INCORRECT, "give a function, def split(output, H): ...")
    rnn = _probe_rnn(5, input_size=2, hidden_size=3, bidirectional=True, batch_first=True)
    with torch.no_grad():
        output, h_n = rnn(torch.randn(4, 6, 2, generator=torch.Generator().manual_seed(1)))
    got, failed = _run_student(split, output, 3)
    if failed is not None:
        return failed
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return Result(INCORRECT, "return a pair (forward_final, reverse_final)")
    forward, reverse = got
    if not all(isinstance(t, torch.Tensor) and t.shape == (4, 3) for t in got):
        return Result(INCORRECT, "each final state has shape (N, H)")
    if not torch.allclose(forward, h_n[0]):
        return Result(
            INCORRECT, "the forward direction ends at the last step, in the first H features"
        )
    if torch.allclose(reverse, output[:, -1, 3:]):
        return Result(
            INCORRECT,
            "forward is right. The reverse direction reads the sequence "
            "backwards: where does it end?",
        )
    if not torch.allclose(reverse, h_n[1]):
        return Result(
            INCORRECT, "forward is right; the reverse direction lives in the last H features"
        )
    return Result(CORRECT, "forward ends at the last step, reverse at the first")


def bidirectional_features(features: Callable) -> Result:
    """Exercise: write ``features(h_n)`` giving a classifier its input from a two-layer
    bidirectional RNN: the last layer's final states of both directions, side by side.

    Shapes: h_n (D*num_layers, N, H) = (4, N, H) -> (N, 2*H).

    Used in: 05_bidirectional.
    """
    pending = _not_attempted(features)
    if pending is not None:
        return pending
    if not callable(features):
        return Result(INCORRECT, "give a function, def features(h_n): ...")
    h_n = torch.randn(4, 5, 3, generator=torch.Generator().manual_seed(2))  # (D*layers, N, H)
    got, failed = _run_student(features, h_n)
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor):
        return Result(INCORRECT, "return a tensor of shape (N, 2*H)")
    if got.shape == (5, 3):
        return Result(INCORRECT, "that is one direction only: use both, side by side")
    if got.shape == (5, 12):
        return Result(INCORRECT, "that is every layer: the classifier reads the last layer only")
    if got.shape != (5, 6):
        return Result(INCORRECT, "the result should be (N, 2*H), one row per sequence")
    if torch.equal(got, torch.cat([h_n[0], h_n[1]], dim=1)):
        return Result(
            INCORRECT, "those are the first layer's states; the last layer's are at the end of h_n"
        )
    if torch.equal(got, torch.cat([h_n[-1], h_n[-2]], dim=1)):
        return Result(
            INCORRECT, "both directions of the right layer, but PyTorch's order is forward first"
        )
    if torch.equal(got, torch.cat([h_n[-2], h_n[-1]], dim=1)):
        return Result(
            CORRECT,
            "h_n[-2] (forward) and h_n[-1] (reverse), side by side: a "
            "Linear(2*H, classes) reads them",
        )
    return Result(
        INCORRECT,
        "h_n orders its states layer 0 forward, layer 0 reverse, layer 1 "
        "forward, ...: pick the last layer's two",
    )
