"""Checkers of the chapter on why the built-in module is fast.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student

__all__ = ["matmul_count", "projected_loop"]


def matmul_count(cell_loop, projected) -> Result:
    """Exercise: how many matrix products does a one-layer RNN of L = 100 steps make in Python
    when it loops over nn.RNNCell (``cell_loop``), and when it first projects every step's
    input in one product (``projected``, as rnnlab.manual does)?

    Used in: 11_why_fused_is_fast.
    """
    pending = _not_attempted(cell_loop, projected)
    if pending is not None:
        return pending
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (cell_loop, projected)):
        return Result(INCORRECT, "give two whole numbers")
    if (cell_loop, projected) == (200, 101):
        return Result(CORRECT, "2 per step for the cell; 1 per step plus 1 for all inputs at once")
    if cell_loop != 200:
        return Result(INCORRECT, "each cell step multiplies x_t by W_ih and h by W_hh")
    if projected == 100:
        return Result(
            INCORRECT, "the cell loop is right; the projection of all inputs is a product too"
        )
    return Result(INCORRECT, "the cell loop is right; only h @ W_hh.T is left in the loop")


def projected_loop(forward: Callable) -> Result:
    """Exercise: write ``forward(rnn, x)`` for a one-layer, one-direction, sequence-first
    ``nn.RNN``: project every step's input in one product, then loop over time.

    Shapes: x (L, N, H_in) -> output (L, N, H).

    Used in: 11_why_fused_is_fast.
    """
    pending = _not_attempted(forward)
    if pending is not None:
        return pending
    if not callable(forward):
        return Result(INCORRECT, "give a function, def forward(rnn, x): ...")
    torch.manual_seed(8)
    rnn = nn.RNN(3, 4)
    x = torch.randn(6, 2, 3)
    with torch.no_grad():
        want, _ = rnn(x)
        got, failed = _run_student(forward, rnn, x)
    if failed is not None:
        if "shape" in failed.message or "size" in failed.message:
            return Result(
                INCORRECT,
                "a product failed on shapes: x @ weight_ih_l0.T is (L, N, H_in) @ (H_in, H)",
            )
        return failed
    if isinstance(got, tuple):
        got = got[0]
    if not isinstance(got, torch.Tensor) or got.shape != want.shape:
        return Result(INCORRECT, "return the output, (L, N, H)")
    if torch.allclose(got, want, atol=1e-5):
        return Result(CORRECT, "the same output as nn.RNN, with one product per step")
    return Result(INCORRECT, "the numbers differ from nn.RNN: did the biases both go in?")
