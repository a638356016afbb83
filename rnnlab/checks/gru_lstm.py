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

__all__ = ["forget_gate_rows", "gru_step", "lstm_shapes"]


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
    # A module draws its initial weights from the global generator: fork it, so the student's
    # random state is the same after the check as before.
    with torch.random.fork_rng(devices=[]):
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


def _gru_variants(x: torch.Tensor, h: torch.Tensor, cell: nn.GRUCell) -> dict:
    """PyTorch's GRU step and the known ways to get it wrong, all in float64."""
    x_r, x_z, x_n = (x @ cell.weight_ih.T + cell.bias_ih).chunk(3, dim=1)  # 3 x (N, H)
    W_hr, W_hz, W_hn = cell.weight_hh.chunk(3)  # 3 x (H, H)
    b_hr, b_hz, b_hn = cell.bias_hh.chunk(3)  # 3 x (H,)
    r = torch.sigmoid(x_r + h @ W_hr.T + b_hr)  # (N, H)
    z = torch.sigmoid(x_z + h @ W_hz.T + b_hz)  # (N, H)
    n = torch.tanh(x_n + r * (h @ W_hn.T + b_hn))  # (N, H)
    r_as_z = torch.sigmoid(x_z + h @ W_hz.T + b_hz)  # the r and z blocks swapped
    z_as_r = torch.sigmoid(x_r + h @ W_hr.T + b_hr)
    n_swapped = torch.tanh(x_n + r_as_z * (h @ W_hn.T + b_hn))
    return {
        "right": (1 - z) * n + z * h,
        "convention": z * n + (1 - z) * h,
        "reset before": (1 - z) * torch.tanh(x_n + (r * h) @ W_hn.T + b_hn) + z * h,
        "b_hn outside": (1 - z) * torch.tanh(x_n + r * (h @ W_hn.T) + b_hn) + z * h,
        "order": (1 - z_as_r) * n_swapped + z_as_r * h,
    }


_GRU_HINTS = {
    "convention": "z and 1 - z are swapped: that is the other texts' convention; in PyTorch's, "
    "a z near 1 keeps the old state",
    "reset before": "r multiplies h before weight_hh (the original paper's form); PyTorch "
    "applies r after the product: r * (h W_hn^T + b_hn)",
    "b_hn outside": "off by the reset gate on b_hn: in PyTorch r multiplies b_hn as well",
    "order": "r and z are swapped: the stacked rows come in the order r, z, n",
}


class _GRUWeights:
    """The four tensors of an nn.GRUCell, under the same names; calling it is refused."""

    def __init__(self, cell: nn.GRUCell):
        self.weight_ih, self.weight_hh = cell.weight_ih, cell.weight_hh  # (3H, H_in), (3H, H)
        self.bias_ih, self.bias_hh = cell.bias_ih, cell.bias_hh  # (3H,), (3H,)
        self.input_size, self.hidden_size = cell.input_size, cell.hidden_size

    def __call__(self, *args, **kwargs):
        raise TypeError("write the step from the weights; calling the cell is the reference")


def gru_step(step: Callable) -> Result:
    """Exercise (find the bug): fix ``step(x, h, cell)``, one ``nn.GRUCell`` step by hand.

    Shapes: x (N, H_in), h (N, H), cell the weights of an nn.GRUCell(H_in, H) (``weight_ih``
    (3H, H_in), ``weight_hh`` (3H, H), ``bias_ih``, ``bias_hh``) -> h' (N, H); checked with
    N = 4, H_in = 3, H = 5 in float64, and the relative error is printed.

    Used in: 10_gru_lstm.
    """
    pending = _not_attempted(step)
    if pending is not None:
        return pending
    if not callable(step):
        return Result(INCORRECT, "give a function, def step(x, h, cell): ...")
    gen = torch.Generator().manual_seed(11)
    with torch.random.fork_rng(devices=[]):  # building a module draws from the global generator
        torch.manual_seed(11)
        cell = nn.GRUCell(3, 5).double()
    x = torch.randn(4, 3, generator=gen, dtype=torch.float64)  # (N, H_in)
    h = torch.randn(4, 5, generator=gen, dtype=torch.float64)  # (N, H)
    with torch.no_grad():
        variants = _gru_variants(x, h, cell)
        got, failed = _run_student(step, x, h, _GRUWeights(cell))
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (4, 5):
        return Result(INCORRECT, "return the new state h', shaped like h: (N, H)")
    got = got.detach().to(torch.float64)
    want = variants["right"]
    error = ((got - want).norm() / want.norm()).item()
    if error < 1e-5:
        return Result(
            CORRECT, f"h' = (1 - z) * n + z * h, as nn.GRUCell (relative error {error:.1e})"
        )
    for name, hint in _GRU_HINTS.items():
        if torch.allclose(got, variants[name], rtol=1e-6, atol=1e-9):
            return Result(INCORRECT, f"{hint} (relative error {error:.1e})")
    return Result(
        INCORRECT,
        f"relative error {error:.1e} against nn.GRUCell: compare r, z and n with the equations "
        "one at a time",
    )
