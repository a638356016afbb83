"""Checkers of the chapter on What nn.RNNCell computes.

Every checker builds its own cells with a local ``torch.Generator`` inside
``torch.random.fork_rng``, so checking an answer never changes the notebook's random numbers.
The probe sizes are all different (N != H_in != H, weight_hh not symmetric), so a transposed
weight or a swapped dimension cannot give the right numbers by coincidence.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Callable
from unittest import mock

import numpy as np
import torch
from torch import nn

from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    Result,
    _as_number,
    _not_attempted,
    _run_student,
    time_limit,
)

__all__ = [
    "cell_parameters",
    "cell_weight_shapes",
    "forum_final_state",
    "loop_final_state",
    "my_rnn_cell",
]

#: Probe sizes (N, H_in, H), all different within each probe.
_PROBE_SIZES = ((6, 3, 5), (2, 5, 4), (7, 1, 3))


def _shape_answer(value) -> tuple | None:
    """A shape written as a tuple, list, ``torch.Size`` or 1-D array of whole numbers, or None.

    NumPy integers and integral tensors count as whole numbers; ``True``/``False`` and fractions
    do not.
    """
    if isinstance(value, (torch.Tensor, np.ndarray)):
        if value.ndim != 1:
            return None
        value = value.tolist()
    if not isinstance(value, (tuple, list, torch.Size)):
        return None
    out = []
    for v in value:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
            return None
        out.append(int(v))
    return tuple(out)


def _rel_error(got: torch.Tensor, want: torch.Tensor) -> float:
    """max |got - want| / max(max |want|, 1e-12), in float64."""
    got, want = got.detach().double(), want.detach().double()
    return float((got - want).abs().max() / want.abs().max().clamp_min(1e-12))


def _as_tensor(value) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return torch.from_numpy(value)
    return None


def _random_cell(gen: torch.Generator, H_in: int, H: int, nonlinearity: str = "tanh"):
    with torch.random.fork_rng(devices=[]):  # the constructor draws from the global generator
        cell = nn.RNNCell(H_in, H, nonlinearity=nonlinearity)
    with torch.no_grad():
        for p in cell.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    return cell


#: Seconds a student's function may run in one call before the checker stops it.
TIME_LIMIT = 5.0


def _time_limit(seconds: float | None = None):
    """Raise TimeoutError inside the block after ``seconds`` (default ``TIME_LIMIT``; the shared
    ``_verdict.time_limit``): an endless loop in the student's function becomes an answer."""
    seconds = TIME_LIMIT if seconds is None else seconds
    message = f"your function ran longer than {seconds:g} s: is a loop endless?"
    return time_limit(seconds, lambda: TimeoutError(message))


def _run_limited(function, *args):
    """``_run_student`` under the time limit: (value, None) or (None, Result)."""
    with _time_limit():
        return _run_student(function, *args)


class _UsedTheModuleError(Exception):
    """Raised inside a check when the student's code calls the module it should rebuild."""


@contextlib.contextmanager
def _forbid_rnn_cell(called: list[str]):
    """Make nn.RNNCell's forward and the fused cell functions raise, noting each call."""

    def refuse(*args, **kwargs):
        called.append("rnn cell")
        raise _UsedTheModuleError("the answer called PyTorch's own cell")

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(nn.RNNCell, "forward", refuse))
        for owner in (torch, torch._VF):
            for name in ("rnn_tanh_cell", "rnn_relu_cell"):
                if hasattr(owner, name):
                    stack.enter_context(mock.patch.object(owner, name, refuse))
        yield


def cell_weight_shapes(weight_ih_shape, weight_hh_shape) -> Result:
    """Exercise: the shapes of ``weight_ih`` and ``weight_hh`` of ``nn.RNNCell(5, 3)``.

    Shapes: answers are tuples, lists or ``torch.Size`` such as (rows, columns).

    Used in: _template, 06_gradients_through_time (its draft reuses the template exercise).
    """
    H_in, H = 5, 3
    pending = _not_attempted(weight_ih_shape, weight_hh_shape)
    if pending is not None:
        return pending
    ih, hh = _shape_answer(weight_ih_shape), _shape_answer(weight_hh_shape)
    if ih is None or hh is None or len(ih) != 2 or len(hh) != 2:
        return Result(
            INCORRECT,
            "give each shape as a tuple of whole numbers, (rows, columns): each weight is a matrix",
        )
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


def cell_parameters(weight_ih_shape, weight_hh_shape, n_params) -> Result:
    """Exercise: predict the shapes of ``weight_ih`` and ``weight_hh`` of
    ``nn.RNNCell(input_size=7, hidden_size=4)`` and its number of parameters.

    Shapes: answers are tuples, lists or ``torch.Size`` such as (rows, columns); n_params a
    whole number.

    Used in: 01_rnn_cell.
    """
    H_in, H = 7, 4
    pending = _not_attempted(weight_ih_shape, weight_hh_shape, n_params)
    if pending is not None:
        return pending
    ih, hh = _shape_answer(weight_ih_shape), _shape_answer(weight_hh_shape)
    if ih is None or hh is None or len(ih) != 2 or len(hh) != 2:
        return Result(
            INCORRECT,
            "give each shape as a tuple of whole numbers, (rows, columns): each weight is a matrix",
        )
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
    if isinstance(n_params, (bool, np.bool_)) or not isinstance(n_params, numbers.Integral):
        return Result(INCORRECT, "both shapes are right; give n_params as a whole number")
    count, weights = int(n_params), H * H_in + H * H
    if count == weights:
        return Result(
            INCORRECT,
            "both shapes are right; n_params is off by exactly the two biases: "
            "bias_ih and bias_hh hold H numbers each",
        )
    if count == weights + H:
        return Result(
            INCORRECT,
            "both shapes are right; n_params is off by exactly one bias: "
            "did you count both bias_ih and bias_hh?",
        )
    if count != weights + 2 * H:
        return Result(
            INCORRECT,
            "both shapes are right; n_params adds up the numbers in all four "
            "parameters (two weights, two biases)",
        )
    return Result(CORRECT, "weight_ih is (H, H_in), weight_hh is (H, H), H*(H_in + H + 2) numbers")


def my_rnn_cell(step: Callable) -> Result:
    """Exercise: write ``step(x, h, cell)`` computing one step of a tanh ``nn.RNNCell`` from its
    parameters, without calling the cell (or ``torch.rnn_tanh_cell``).

    The function is called on three cells of different sizes and compared with ``cell(x, h)``
    in float64 (the relative error is printed when it is off).

    Shapes: x (N, H_in), h (N, H) -> (N, H).

    Used in: 01_rnn_cell.
    """
    pending = _not_attempted(step)
    if pending is not None:
        return pending
    if not callable(step):
        return Result(INCORRECT, "give a function, def step(x, h, cell): ..., not its result")
    gen = torch.Generator().manual_seed(101)
    for N, H_in, H in _PROBE_SIZES:
        cell = _random_cell(gen, H_in, H)
        x = torch.randn(N, H_in, generator=gen)  # (N, H_in)
        h = torch.randn(N, H, generator=gen)  # (N, H)
        with torch.no_grad():
            want = cell(x, h)  # (N, H)
            called: list[str] = []
            with _forbid_rnn_cell(called):
                got, failed = _run_limited(step, x.clone(), h.clone(), cell)
            if called:
                return Result(
                    INCORRECT,
                    "your step calls PyTorch's own cell (cell(...), nn.RNNCell.forward or "
                    "torch.rnn_tanh_cell): compute it from the four parameters instead",
                )
            if failed is not None:
                if "mat1 and mat2" in failed.message or "size of tensor" in failed.message:
                    return Result(
                        INCORRECT,
                        "a matrix product failed on shapes: weight_ih is "
                        "(H, H_in), so x meets it transposed, x @ W.T",
                    )
                return failed
            got = _as_tensor(got)
            if got is None or got.shape != want.shape:
                shape = tuple(got.shape) if got is not None else "not a tensor"
                return Result(
                    INCORRECT,
                    f"the result should be (N, H), one new hidden state per "
                    f"sequence; yours has shape {shape}",
                )
            error = _rel_error(got, want)
            if error < 1e-5:
                continue
            w_ih, w_hh, b_ih, b_hh = cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh
            candidates = {
                "no bias_hh": torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T),
                "no bias_ih": torch.tanh(x @ w_ih.T + h @ w_hh.T + b_hh),
                "no biases": torch.tanh(x @ w_ih.T + h @ w_hh.T),
                "weight_hh untransposed": torch.tanh(x @ w_ih.T + b_ih + h @ w_hh + b_hh),
                "no h term": torch.tanh(x @ w_ih.T + b_ih + b_hh),
                "no tanh": x @ w_ih.T + b_ih + h @ w_hh.T + b_hh,
                "relu": torch.relu(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh),
            }
            mistake = next((k for k, v in candidates.items() if _rel_error(got, v) < 1e-5), None)
            rel = f"(relative error {error:.1e})"
            if mistake == "no bias_hh":
                return Result(
                    INCORRECT,
                    f"off by exactly bias_hh: did you add both biases? {rel}",
                )
            if mistake == "no bias_ih":
                return Result(
                    INCORRECT,
                    f"off by exactly bias_ih: did you add both biases? {rel}",
                )
            if mistake == "no biases":
                return Result(
                    INCORRECT,
                    f"off by exactly the two biases: bias_ih and bias_hh are both added {rel}",
                )
            if mistake == "weight_hh untransposed":
                return Result(
                    INCORRECT,
                    f"h meets weight_hh untransposed: weight_hh is square, so no error shows, "
                    f"but PyTorch multiplies h @ weight_hh.T {rel}",
                )
            if mistake == "no h term":
                return Result(
                    INCORRECT,
                    f"off by exactly the h @ weight_hh.T term: the new state depends on the "
                    f"previous one {rel}",
                )
            if mistake == "no tanh":
                return Result(INCORRECT, f"close: the sum still goes through tanh {rel}")
            if mistake == "relu":
                return Result(
                    INCORRECT,
                    f"close: nn.RNNCell's default nonlinearity is tanh, not relu {rel}",
                )
            return Result(
                INCORRECT,
                f"the numbers differ from nn.RNNCell (relative error {error:.1e}): check each "
                "term of tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)",
            )
    return Result(CORRECT, "your step matches nn.RNNCell on three cells of different sizes")


def _reference_final_state(cell: nn.RNNCell, x: torch.Tensor) -> torch.Tensor:
    h = torch.zeros(x.shape[0], cell.hidden_size)  # (N, H)
    for t in range(x.shape[1]):
        h = cell(x[:, t], h)  # (N, H_in), (N, H) -> (N, H)
    return h


def loop_final_state(final_state: Callable) -> Result:
    """Exercise (find the bug): ``final_state(cell, x)`` runs a cell over batch-first ``x`` and
    returns the final hidden state; the given version runs, has the right shape and is wrong.

    Checked on three cells and batches of different sizes (L != N != H_in != H).

    Shapes: x (N, L, H_in) -> (N, H).

    Used in: 01_rnn_cell.
    """
    pending = _not_attempted(final_state)
    if pending is not None:
        return pending
    if not callable(final_state):
        return Result(INCORRECT, "give the function itself, final_state, not its result")
    gen = torch.Generator().manual_seed(202)
    for (N, H_in, H), L in zip(_PROBE_SIZES, (4, 9, 2)):
        cell = _random_cell(gen, H_in, H)
        x = torch.randn(N, L, H_in, generator=gen)  # (N, L, H_in)
        with torch.no_grad():
            want = _reference_final_state(cell, x)  # (N, H)
            got, failed = _run_limited(final_state, cell, x.clone())
            if failed is not None:
                return failed
            got = _as_tensor(got)
            if got is None:
                return Result(INCORRECT, "final_state should return a tensor of shape (N, H)")
            if got.shape == (N, L, H):
                return Result(
                    INCORRECT,
                    "you return the state of every step, (N, L, H); the final state is (N, H)",
                )
            if got.shape != want.shape:
                return Result(
                    INCORRECT,
                    f"the final state is (N, H), one per sequence; yours has shape "
                    f"{tuple(got.shape)}",
                )
            error = _rel_error(got, want)
            if error < 1e-5:
                continue
            zeros = torch.zeros(N, H)  # (N, H)
            if _rel_error(got, cell(x[:, -1], zeros)) < 1e-5:
                return Result(
                    NOT_ATTEMPTED,
                    "this still returns what the buggy loop returns: look at which state each "
                    "call of cell receives",
                )
            if _rel_error(got, cell(x[:, 0], zeros)) < 1e-5:
                return Result(INCORRECT, "that is the state after the first step only")
            if L > 1 and _rel_error(got, _reference_final_state(cell, x[:, :-1])) < 1e-5:
                return Result(INCORRECT, "one step short: the loop must visit all L steps")
            return Result(
                INCORRECT,
                f"the final state differs from the cell loop's (relative error {error:.1e})",
            )
    return Result(CORRECT, "your loop carries the hidden state from step to step")


def _forum_relu_states(weight_hh: float, bias_ih: float = 4.0, bias_hh: float = 5.0):
    h, states = 0.0, []
    for x in range(1, 10):
        h = max(0.0, 2.0 * x + bias_ih + weight_hh * h + bias_hh)
        states.append(h)
    return states


def forum_final_state(h_9) -> Result:
    """Exercise: h_9 of the forum's one-unit cell (weight_ih=2, bias_ih=4, bias_hh=5, inputs
    1..9, h0 = 0) with ReLU and with weight_hh = 0.5 instead of 3.

    Shapes: a float, or a tensor or array with one element.

    Used in: 01_rnn_cell.
    """
    pending = _not_attempted(h_9)
    if pending is not None:
        return pending
    value = _as_number(h_9)
    if value is None:
        return Result(INCORRECT, "give one number (a float or a one-element tensor)")
    states = _forum_relu_states(0.5)
    want = states[-1]
    error = abs(value - want) / abs(want)

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-5 * max(abs(b), 1.0)

    if near(value, want):
        return Result(
            CORRECT,
            "with weight_hh below 1 the old state fades, so the ReLU state "
            "grows with the input, not geometrically",
        )
    if near(value, 1.0):
        return Result(INCORRECT, "that is what tanh gives; use relu, max(0, ...), at every step")
    if near(value, _forum_relu_states(3.0)[-1]):
        return Result(INCORRECT, "that is the section's cell with weight_hh = 3; this one has 0.5")
    if near(value, _forum_relu_states(0.5, bias_hh=0.0)[-1]):
        return Result(
            INCORRECT, f"off by exactly bias_hh: did you add both biases? ({error:.1e} relative)"
        )
    if near(value, _forum_relu_states(0.5, bias_ih=0.0)[-1]):
        return Result(
            INCORRECT, f"off by exactly bias_ih: did you add both biases? ({error:.1e} relative)"
        )
    if any(near(value, s) for s in states[:-1]):
        return Result(INCORRECT, "that is an intermediate state: run all nine steps")
    return Result(
        INCORRECT,
        f"relative error {error:.1e}: apply h = max(0, 2*x + 4 + 0.5*h + 5) for x = 1, ..., 9 "
        "starting from h = 0",
    )
