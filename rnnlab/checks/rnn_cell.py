"""Checkers of the chapter on What nn.RNNCell computes.

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
    _as_number,
    _as_shape,
    _not_attempted,
    _run_student,
)

__all__ = ["cell_weight_shapes", "my_rnn_cell", "forum_final_state"]


def cell_weight_shapes(weight_ih_shape, weight_hh_shape) -> Result:
    """Exercise: the shapes of ``weight_ih`` and ``weight_hh`` of ``nn.RNNCell(5, 3)``.

    Shapes: answers are tuples (or ``torch.Size``) such as (rows, columns).

    Used in: 01_rnn_cell.
    """
    H_in, H = 5, 3
    pending = _not_attempted(weight_ih_shape, weight_hh_shape)
    if pending is not None:
        return pending
    ih, hh = _as_shape(weight_ih_shape), _as_shape(weight_hh_shape)
    if ih is None or hh is None:
        return Result(INCORRECT, "give each shape as a tuple of whole numbers, e.g. (2, 7)")
    if ih == (H_in, H):
        return Result(
            INCORRECT,
            "weight_ih is transposed: PyTorch stores one row per hidden "
            "unit, so the cell computes x @ weight_ih.T",
        )
    if ih != (H, H_in):
        return Result(
            INCORRECT,
            "weight_ih maps the H_in input features to the H hidden units: "
            "which of its dimensions is which?",
        )
    if hh != (H, H):
        return Result(
            INCORRECT,
            "weight_ih is right. weight_hh maps the previous hidden state to "
            "the new one: how many values go in, how many come out?",
        )
    return Result(CORRECT, "weight_ih is (H, H_in) and weight_hh is (H, H)")


def _probe_cells(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    cells = []
    for H_in, H in ((3, 4), (1, 1), (5, 2)):
        cell = nn.RNNCell(H_in, H)
        with torch.no_grad():
            for p in cell.parameters():
                p.copy_(torch.randn(p.shape, generator=gen))
        x = torch.randn(6, H_in, generator=gen)  # (N, H_in)
        h = torch.randn(6, H, generator=gen)  # (N, H)
        cells.append((cell, x, h))
    return cells


def my_rnn_cell(step: Callable) -> Result:
    """Exercise: write ``step(x, h, cell)`` computing one step of ``cell`` by hand.

    The function is called on several cells and compared with ``cell(x, h)``.

    Shapes: x (N, H_in), h (N, H) -> (N, H).

    Used in: 01_rnn_cell.
    """
    pending = _not_attempted(step)
    if pending is not None:
        return pending
    if not callable(step):
        return Result(INCORRECT, "give a function, def step(x, h, cell): ..., not its result")
    for cell, x, h in _probe_cells():
        with torch.no_grad():
            got, failed = _run_student(step, x, h, cell)
            if failed is not None:
                if "shape" in failed.message or "size" in failed.message:
                    return Result(
                        INCORRECT,
                        "a matrix product failed on shapes: weight_ih is "
                        "(H, H_in), so x meets it transposed, x @ W.T",
                    )
                return failed
            want = cell(x, h)
            if not isinstance(got, torch.Tensor) or got.shape != want.shape:
                shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                return Result(
                    INCORRECT,
                    f"the result should be (N, H), one new hidden state per "
                    f"sequence; yours has shape {shape}",
                )
            if torch.allclose(got, want, atol=1e-5):
                continue
            pre = x @ cell.weight_ih.T + h @ cell.weight_hh.T
            if torch.allclose(got, torch.tanh(pre), atol=1e-5):
                return Result(INCORRECT, "close: the two biases are missing")
            if torch.allclose(got, torch.tanh(pre + cell.bias_ih), atol=1e-5) or torch.allclose(
                got, torch.tanh(pre + cell.bias_hh), atol=1e-5
            ):
                return Result(INCORRECT, "close: nn.RNNCell adds two biases, bias_ih and bias_hh")
            if torch.allclose(got, pre + cell.bias_ih + cell.bias_hh, atol=1e-5):
                return Result(INCORRECT, "close: the sum still goes through the nonlinearity")
            return Result(
                INCORRECT,
                "the numbers differ from nn.RNNCell: check each term of "
                "tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)",
            )
    return Result(CORRECT, "your step matches nn.RNNCell on three cells of different sizes")


def _forum_relu_states(weight_hh: float) -> list[float]:
    h, states = 0.0, []
    for x in range(1, 10):
        h = max(0.0, 2.0 * x + 4.0 + weight_hh * h + 5.0)
        states.append(h)
    return states


def forum_final_state(h_9) -> Result:
    """Exercise: h_9 of the forum's one-unit cell (weight_ih=2, bias_ih=4, bias_hh=5, inputs
    1..9, h_0 = 0) with ReLU and with weight_hh = 0.5 instead of 3.

    Shapes: a float, or a tensor with one element.

    Used in: 01_rnn_cell.
    """
    pending = _not_attempted(h_9)
    if pending is not None:
        return pending
    value = _as_number(h_9)
    if value is None:
        return Result(INCORRECT, "give one number (a float or a one-element tensor)")
    states = _forum_relu_states(0.5)

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-5 * max(abs(b), 1.0)

    if near(value, states[-1]):
        return Result(
            CORRECT,
            "with weight_hh below 1 the old state fades, so the ReLU state "
            "grows with the input, not geometrically",
        )
    if near(value, 1.0):
        return Result(INCORRECT, "that is what tanh gives; use relu, max(0, ...), at every step")
    if near(value, _forum_relu_states(3.0)[-1]):
        return Result(INCORRECT, "that is the section's cell with weight_hh = 3; this one has 0.5")
    if any(near(value, s) for s in states[:-1]):
        return Result(INCORRECT, "that is an intermediate state: run all nine steps")
    return Result(INCORRECT, "apply h = max(0, 2*x + 4 + 0.5*h + 5) for x = 1, ..., 9 from h = 0")
