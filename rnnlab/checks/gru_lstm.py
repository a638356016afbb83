"""Checkers of the chapter on GRU and LSTM.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    Result,
    _as_shape,
    _not_attempted,
    _run_student,
)

__all__ = ["forget_gate_rows", "lstm_shapes"]


def forget_gate_rows(pick: Callable) -> Result:
    """Exercise: write ``pick(lstm)`` returning the rows of ``weight_ih_l0`` that feed the
    forget gate of an ``nn.LSTM``.

    Shapes: weight_ih_l0 (4H, H_in) -> (H, H_in).

    Used in: 10_gru_lstm.
    """
    pending = _not_attempted(pick)
    if pending is not None:
        return pending
    if not callable(pick):
        return Result(INCORRECT, "give a function, def pick(lstm): ...")
    lstm = _probe_lstm()
    got, failed = _run_student(pick, lstm)
    if failed is not None:
        return failed
    H = lstm.hidden_size
    gates = lstm.weight_ih_l0.detach().chunk(4, dim=0)  # i, f, g, o: (H, H_in) each
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (H, lstm.input_size):
        return Result(INCORRECT, "one gate's rows form an (H, H_in) block of weight_ih_l0")
    if torch.equal(got, gates[1]):
        return Result(CORRECT, "rows H to 2H: the order is input, forget, cell, output")
    for name, block in zip(("input", "cell", "output"), (gates[0], gates[2], gates[3])):
        if torch.equal(got, block):
            return Result(INCORRECT, f"those are the {name} gate's rows; PyTorch stacks i, f, g, o")
    return Result(INCORRECT, "weight_ih_l0 stacks four (H, H_in) blocks: take the second")


def _probe_lstm() -> nn.LSTM:
    torch.manual_seed(4)
    return nn.LSTM(3, 5)


def lstm_shapes(lstm: nn.LSTM, x: torch.Tensor, output_shape, h_n_shape, c_n_shape) -> Result:
    """Exercise: predict the shapes ``lstm(x)`` returns: output and (h_n, c_n).

    Used in: 10_gru_lstm.
    """
    pending = _not_attempted(output_shape, h_n_shape, c_n_shape)
    if pending is not None:
        return pending
    answers = [_as_shape(a) for a in (output_shape, h_n_shape, c_n_shape)]
    if any(a is None for a in answers):
        return Result(INCORRECT, "give each shape as a tuple of whole numbers")
    with torch.no_grad():
        output, (h_n, c_n) = lstm(x)
    out_a, h_a, c_a = answers
    if out_a != tuple(output.shape):
        if lstm.proj_size and out_a[-1] % lstm.hidden_size == 0:
            return Result(
                INCORRECT,
                "with proj_size, output carries the projected state: its "
                "last dimension is D*proj_size",
            )
        return Result(INCORRECT, "output is laid out like x, with D*H_out features per step")
    if h_a != tuple(h_n.shape):
        if lstm.proj_size and h_a[-1] == lstm.hidden_size:
            return Result(
                INCORRECT, "output is right. h_n is projected too: its last dimension is proj_size"
            )
        return Result(INCORRECT, "output is right. h_n is (D*num_layers, N, H_out)")
    if c_a != tuple(c_n.shape):
        if lstm.proj_size and c_a[-1] == lstm.proj_size:
            return Result(
                INCORRECT,
                "output and h_n are right. The cell state is never "
                "projected: c_n keeps the hidden size",
            )
        return Result(INCORRECT, "output and h_n are right. c_n is (D*num_layers, N, H)")
    return Result(CORRECT, "only h is projected; c keeps hidden_size")
