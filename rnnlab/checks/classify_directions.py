"""Checkers of the chapter on classifying square directions.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _as_number, _not_attempted

__all__ = ["accuracy_value", "head_in_features"]


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


def head_in_features(rnn: nn.RNNBase, in_features) -> Result:
    """Exercise: the ``in_features`` of a Linear layer fed the last layer's final states of
    ``rnn``, all directions side by side.

    Used in: 07_classify_directions.
    """
    pending = _not_attempted(in_features)
    if pending is not None:
        return pending
    if isinstance(in_features, bool) or not isinstance(in_features, int):
        return Result(INCORRECT, "give a whole number")
    D = 2 if rnn.bidirectional else 1
    if in_features == D * rnn.hidden_size:
        return Result(CORRECT, "D*H: one H-sized final state per direction")
    if in_features == rnn.hidden_size:
        return Result(INCORRECT, "that is one direction; this RNN has two side by side")
    if in_features == D * rnn.num_layers * rnn.hidden_size:
        return Result(INCORRECT, "that counts every layer; the head reads the last layer only")
    return Result(
        INCORRECT,
        "how many numbers does one sequence's final state have, per "
        "direction, and how many directions are there?",
    )
