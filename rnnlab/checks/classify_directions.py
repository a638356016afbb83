"""Checkers of the chapter on classifying square directions.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import numpy as np
import torch
from torch import nn

from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    Result,
    _as_number,
    _not_attempted,
    _run_student,
)

__all__ = ["accuracy_value", "bidirectional_summary", "direction_rule", "head_in_features"]


def accuracy_value(model: nn.Module, x: torch.Tensor, y: torch.Tensor, accuracy) -> Result:
    """Exercise: the accuracy of ``model`` on (x, y), the fraction of sequences whose argmax
    logit is their label.

    Shapes: x (N, L, H_in), y (N,); accuracy a number in [0, 1].

    Used in: 07_classify_directions.
    """
    pending = _not_attempted(accuracy)
    if pending is not None:
        return pending
    value = _as_number(accuracy)
    if value is None:
        return Result(INCORRECT, "give one number between 0 and 1")
    with torch.no_grad():
        correct = (model(x).argmax(dim=1) == y).sum().item()
    want = correct / len(y)
    if abs(value - want) < 1e-6:
        return Result(CORRECT, "the fraction of sequences whose largest logit is their label")
    if abs(value - correct) < 1e-6:
        return Result(INCORRECT, "that is a count: divide by the number of sequences")
    if abs(value - (1 - want)) < 1e-6:
        return Result(INCORRECT, "that is the error rate, the fraction of wrong answers")
    return Result(INCORRECT, "compare model(x).argmax(dim=1) with y, then take the mean")


def _whole_number(value) -> int | None:
    """A student's whole-number answer (int, NumPy or 0-d torch integer), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        return int(value.item())
    if isinstance(value, Integral):
        return int(value)
    return None


def head_in_features(rnn: nn.RNNBase, in_features) -> Result:
    """Exercise: the ``in_features`` of a Linear layer fed the last layer's final states of
    ``rnn``, all directions side by side.

    Shapes: the answer is D*H; with num_layers = 3, D = 2 and H = 16 every plausible mistake
    (H, num_layers*H, D*num_layers*H) gives another number.

    Used in: 07_classify_directions.
    """
    pending = _not_attempted(in_features)
    if pending is not None:
        return pending
    value = _whole_number(in_features)
    if value is None:
        return Result(INCORRECT, "give a whole number")
    D = 2 if rnn.bidirectional else 1
    H, layers = rnn.hidden_size, rnn.num_layers
    if value == D * H:
        return Result(CORRECT, "D*H: one H-sized final state per direction, last layer only")
    if value == H:
        return Result(INCORRECT, "that is one direction; this RNN has two side by side")
    if value == D * layers * H:
        return Result(INCORRECT, "that counts every layer; the head reads the last layer only")
    if value == layers * H:
        return Result(INCORRECT, "that counts the layers, not the directions: the head reads D")
    if value == rnn.input_size * D:
        return Result(INCORRECT, "that uses H_in; the final states have H features each")
    return Result(
        INCORRECT,
        "how many numbers does one sequence's final state have, per "
        "direction, and how many directions are there?",
    )


def bidirectional_summary(summarize: Callable) -> Result:
    """Exercise (find the bug): ``summarize(h_n)`` gives a classifier the last layer's final
    states of a bidirectional RNN, forward then reverse, one row per sequence.

    Shapes: h_n (D*num_layers, N, H) = (6, 5, 4) here (num_layers = 3) -> (N, D*H) = (5, 8).

    Used in: 07_classify_directions.
    """
    pending = _not_attempted(summarize)
    if pending is not None:
        return pending
    if not callable(summarize):
        return Result(INCORRECT, "give a function, def summarize(h_n): ...")
    layers, D, N, H = 3, 2, 5, 4
    h_n = torch.randn(
        layers * D, N, H, generator=torch.Generator().manual_seed(7)
    )  # (D*num_layers, N, H)
    got, failed = _run_student(summarize, h_n.clone())
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor):
        return Result(INCORRECT, "return a tensor of shape (N, D*H)")
    want = torch.cat([h_n[-2], h_n[-1]], dim=1)  # (N, 2*H)
    if tuple(got.shape) == (N, H):
        return Result(INCORRECT, "that is one direction only: the head reads both, side by side")
    if tuple(got.shape) == (N, layers * D * H):
        return Result(INCORRECT, "that is every layer: keep the last layer, h_n[-2] and h_n[-1]")
    if tuple(got.shape) != (N, D * H):
        return Result(INCORRECT, "the result is (N, D*H): one row per sequence")
    got = got.detach().to(torch.float32)
    if torch.allclose(got, want):
        return Result(CORRECT, "one row per sequence: forward final state, then reverse")
    if torch.allclose(got, h_n[-2:].reshape(N, D * H)):
        return Result(
            INCORRECT,
            "reshape/view keeps memory order, and h_n's sequences are dimension 1: each row "
            "mixes numbers of different sequences. Put N first (permute(1, 0, 2)) or use "
            "torch.cat([h_n[-2], h_n[-1]], dim=1)",
        )
    if torch.allclose(got, torch.cat([h_n[-1], h_n[-2]], dim=1)):
        return Result(INCORRECT, "the right numbers in the wrong order: forward (h_n[-2]) first")
    if torch.allclose(got, torch.cat([h_n[0], h_n[1]], dim=1)):
        return Result(INCORRECT, "that is the first layer; the last layer is h_n[-2], h_n[-1]")
    return Result(INCORRECT, "the last layer's two final states are h_n[-2] and h_n[-1]")


def direction_rule(rule: Callable) -> Result:
    """Exercise: write ``rule(x)``, the direction (1 clockwise, 0 counter-clockwise) of each
    walk from its first two points only, with no learning.

    It is tried on walks of L = 2 and L = 5 around a square rotated by 45 degrees, starting at
    every corner; it must get at least 98% right on each.

    Shapes: x (N, L, 2) with L >= 2 -> labels (N,) of 0/1 (any integer or bool tensor, array or
    list).

    Used in: 07_classify_directions.
    """
    from rnnlab.data import square_walks  # the data module, not the tooling: imports run one way

    pending = _not_attempted(rule)
    if pending is not None:
        return pending
    if not callable(rule):
        return Result(INCORRECT, "give a function, def rule(x): ...")
    short_x, short_y = square_walks(64, L=2, angle=45.0, seed=11)  # (64, 2, 2), (64,)
    long_x, long_y = square_walks(64, L=5, angle=45.0, seed=12)  # (64, 5, 2), (64,)
    upright_x, upright_y = square_walks(64, L=4, seed=13)  # the training data's square
    accuracies = {}
    for name, x, y in (
        ("L=5", long_x, long_y),
        ("L=2", short_x, short_y),
        ("upright", upright_x, upright_y),
    ):
        got, failed = _run_student(rule, x.clone())
        if failed is not None:
            if name == "L=2" and "index" in failed.message.lower():
                return Result(
                    INCORRECT,
                    "your rule reads a third point, and a walk of L = 2 has only two: use "
                    "the first point (where the walk is, seen from the centre) and the first "
                    "step",
                )
            return failed
        try:
            labels = torch.as_tensor(np.asarray(got)).reshape(-1).long()  # (N,)
        except (TypeError, ValueError, RuntimeError):
            return Result(INCORRECT, "return one label 0 or 1 per walk, shape (N,)")
        if labels.shape != y.shape:
            return Result(
                INCORRECT, f"return one label per walk: shape (N,), got {tuple(labels.shape)}"
            )
        accuracies[name] = (labels == y).double().mean().item()
    if min(accuracies.values()) >= 0.98:
        return Result(CORRECT, "the sign of a cross product does not care about length or turn")
    if max(accuracies.values()) <= 0.02:
        return Result(
            INCORRECT,
            "every answer is flipped: in these coordinates a clockwise turn gives a negative "
            "cross product, and clockwise is label 1",
        )
    if accuracies["upright"] >= 0.98:
        return Result(
            INCORRECT,
            "right on the upright square, wrong once it is rotated: your rule uses where the "
            "corners are. The sign of a cross product does not change under rotation",
        )
    return Result(
        INCORRECT,
        f"right on {min(accuracies.values()):.0%} of some walks: compare the first point "
        "(seen from the centre) with the first step, x[:, 1] - x[:, 0], by the sign of their "
        "cross product",
    )
