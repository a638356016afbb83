"""Checkers of the chapter on A bidirectional RNN.

Probe RNNs are built inside ``torch.random.fork_rng`` and probe inputs come from a local
``torch.Generator``: a checker never moves the notebook's global random state. Probe sizes are
all different (H_in = 8, H = 5, L = 7, N = 4; num_layers = 1 and 3 against D = 2).

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student
from rnnlab.checks.stacked import H_IN, H, L, N, _head_verdict, _probe_input, _probe_rnn, _same

__all__ = ["bidirectional_head", "final_states"]


def final_states(split: Callable) -> Result:
    """Exercise: write ``split(output, H)`` returning (forward_final, reverse_final), the two
    final hidden states of a one-layer bidirectional **sequence-first** RNN read from its output.

    Shapes: output (L, N, 2*H) -> two tensors (N, H).

    Used in: 05_bidirectional.
    """
    pending = _not_attempted(split)
    if pending is not None:
        return pending
    if not callable(split):
        return Result(INCORRECT, "give a function, def split(output, H): ...")
    rnn = _probe_rnn(5, input_size=H_IN, hidden_size=H, bidirectional=True)  # sequence-first
    with torch.no_grad():
        output, h_n = rnn(_probe_input(1, L, N, H_IN))  # (L, N, 2*H), (2, N, H)
    got, failed = _run_student(split, output.clone(), H)
    if failed is not None:
        return failed
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return Result(INCORRECT, "return a pair (forward_final, reverse_final)")
    forward, reverse = got
    if not all(isinstance(t, torch.Tensor) for t in got):
        return Result(INCORRECT, "return two tensors, (N, H) each")
    if any(t.shape in ((N, 2 * H), (L, 2 * H)) for t in got):
        return Result(
            INCORRECT, "one of them has both directions, 2*H features: slice :H or H: as well"
        )
    if any(t.shape == (L, H) for t in got):
        return Result(
            INCORRECT,
            "one of them has a row per time step, (L, H): you indexed dimension 1 as time, "
            "but this output is sequence-first, (L, N, 2*H): time is dimension 0",
        )
    if not all(t.shape == (N, H) for t in got):
        return Result(INCORRECT, "each final state has shape (N, H): one row per sequence")
    if _same(forward, h_n[1]) and _same(reverse, h_n[0]):
        return Result(INCORRECT, "both states are right, but swapped: return forward first")
    if not _same(forward, h_n[0]):
        if _same(forward, output[0, :, :H]):
            return Result(
                INCORRECT,
                "you took the forward direction's state from step 0; it ends at the last step",
            )
        if _same(forward, output[-1, :, H:]):
            return Result(
                INCORRECT,
                "forward: the last step is right, but the forward direction lives in the "
                "first H features",
            )
        return Result(
            INCORRECT, "the forward direction ends at the last step, in the first H features"
        )
    if _same(reverse, output[-1, :, H:]):
        return Result(
            INCORRECT,
            "forward is right. You took the reverse direction's state from the last step; "
            "it reads the sequence backwards and ends at step 0",
        )
    if _same(reverse, output[0, :, :H]):
        return Result(
            INCORRECT,
            "forward is right. Step 0 is right for the reverse direction, but it lives in the "
            "last H features",
        )
    if not _same(reverse, h_n[1]):
        return Result(
            INCORRECT, "forward is right; the reverse direction lives in the last H features"
        )
    return Result(CORRECT, "forward ends at the last step, reverse at the first (time: dim 0)")


def bidirectional_head(model_class) -> Result:
    """Exercise (find the bug): a classifier on a bidirectional RNN reads ``output[:, -1]``,
    whose reverse half has read one step only. Fix ``forward`` so that the head reads the last
    layer's two final states; the checker builds the class with ``num_layers`` = 1 and 3 and
    accepts ``cat(h_n[-2], h_n[-1])`` however it is written (for instance from ``output``).

    Shapes: x (N, L, H_in) batch-first; h_n (D*num_layers, N, H); logits (N, n_classes).

    Used in: 05_bidirectional.
    """

    def candidates(model, x):
        output, h_n = model.rnn(x)  # (N, L, 2*H), (2*num_layers, N, H)
        mistakes = [
            (
                Result(
                    INCORRECT,
                    "the head reads output[:, -1]: its reverse half is the reverse direction "
                    "after one step. That direction ends at step 0",
                ),
                model.head(output[:, -1]),
            ),
            (
                Result(
                    INCORRECT,
                    "both directions, but in the wrong order: PyTorch puts forward first",
                ),
                model.head(torch.cat([h_n[-1], h_n[-2]], dim=1)),
            ),
        ]
        if model.rnn.num_layers > 1:
            mistakes.append(
                (
                    Result(
                        INCORRECT,
                        "h_n[0] and h_n[1] are layer 0's two directions: right for one layer "
                        "only. The last layer's are at the end of h_n",
                    ),
                    model.head(torch.cat([h_n[0], h_n[1]], dim=1)),
                )
            )
        return model.head(torch.cat([h_n[-2], h_n[-1]], dim=1)), mistakes  # (N, 2*H) in

    return _head_verdict(
        model_class,
        [(1, True), (3, True)],
        candidates,
        "the head reads the last layer's two final states, forward (h_n[-2]) then reverse "
        "(h_n[-1])",
    )
