"""Checkers of the chapter on what runs inside ``nn.RNN`` and what it costs.

The answers are read from ``rnnlab.profile.count_operators``: the checkers count the matrix
products a student's loop launches, so a loop that is not hoisted is told apart from one that is
even when both give the right numbers. A student's function runs under a time limit, with the
global random state untouched (``torch.random.fork_rng``), and a call of the built-in module
(``rnn(x)``, ``rnn.forward``, ``torch.rnn_tanh``) is recognised and refused.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    Result,
    _as_number,
    _not_attempted,
    _run_student,
    time_limit,
)
from rnnlab.profile import count_operators, matrix_products

__all__ = ["fixed_loop", "matmul_count", "projected_loop"]

#: Seconds a student's function may run before the checker stops it.
TIME_LIMIT_S = 10.0
#: The functions the built-in recurrent modules call; a student's loop must not call them.
_BUILT_IN = frozenset({"rnn_tanh", "rnn_relu", "lstm", "gru"})
_TOLERANCE = 1e-5


class TimeLimitExceeded(Exception):  # noqa: N818 - the name is what the student reads
    """Raised inside a student's function that runs longer than ``TIME_LIMIT_S``."""


def _time_limit(seconds: float):
    """The shared ``_verdict.time_limit``, raising ``TimeLimitExceeded`` in the student's code."""
    message = f"it ran for more than {seconds:g} s; does every loop end?"
    return time_limit(seconds, lambda: TimeLimitExceeded(message))


class _BuiltInWatch(TorchFunctionMode):
    """Notes whether the built-in recurrent kernels (``torch.rnn_tanh``...) were called."""

    def __init__(self) -> None:
        super().__init__()
        self.called = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in _BUILT_IN:
            self.called = True
        return func(*args, **(kwargs or {}))


def _watched_run(forward: Callable, rnn: nn.RNN, x: torch.Tensor):
    """Run the student's ``forward(rnn, x)``: (output, failure, module called?, products)."""
    watch = _BuiltInWatch()
    counts = {}

    def run():
        with watch:
            value, failed = _run_student(forward, rnn, x)
        run.result = (value, failed)

    with torch.random.fork_rng(devices=[]), torch.no_grad(), _time_limit(TIME_LIMIT_S):
        try:
            counts = count_operators(run)
        except TimeLimitExceeded as err:  # the alarm fell outside the student's code
            run.result = (None, Result(INCORRECT, f"your function was stopped: {err}"))
    value, failed = run.result
    if isinstance(value, (tuple, list)) and value:
        value = value[0]
    return value, failed, watch.called, matrix_products(counts)


def _rel_error(got: torch.Tensor, want: torch.Tensor) -> float:
    got, want = got.detach().double(), want.detach().double()
    return float((got - want).norm() / want.norm())


def _closest(got: torch.Tensor, candidates: dict[str, torch.Tensor]) -> str | None:
    for hint, candidate in candidates.items():
        if _rel_error(got, candidate) < _TOLERANCE:
            return hint
    return None


def _output_problem(got, want: torch.Tensor) -> Result | None:
    if not isinstance(got, torch.Tensor):
        return Result(INCORRECT, f"return the output, a tensor (L, N, H); got {type(got).__name__}")
    if tuple(got.shape) != tuple(want.shape):
        return Result(
            INCORRECT,
            f"return the output of every step, (L, N, H) = {tuple(want.shape)}; "
            f"got shape {tuple(got.shape)}",
        )
    if not got.is_floating_point():
        return Result(INCORRECT, f"the output should hold floats, got {got.dtype}")
    return None


def _shape_hint(failed: Result) -> Result:
    if "shape" in failed.message or "size" in failed.message:
        return Result(
            INCORRECT,
            failed.message + " (a product failed on shapes: x @ weight_ih_l0.T is "
            "(L, N, H_in) @ (H_in, H) -> (L, N, H))",
        )
    return failed


def _hoisted(x, layers, skip_state=False):
    """Reference: a hoisted loop over layers, each a dict of its four tensors (float64)."""
    for W_ih, W_hh, b_ih, b_hh in layers:
        projected = x @ W_ih.T + b_ih  # (L, N, H_in) @ (H_in, H) -> (L, N, H)
        h = torch.zeros(x.shape[1], W_hh.shape[0], dtype=x.dtype)  # (N, H)
        recurrent = h @ W_hh.T + b_hh  # only used by the known mistake skip_state
        outputs = []
        for projected_t in projected:
            h = torch.tanh(projected_t + (recurrent if skip_state else h @ W_hh.T + b_hh))
            outputs.append(h)
        x = torch.stack(outputs)  # L x (N, H) -> (L, N, H)
    return x


def _layer(rnn: nn.RNN, k: int, **change) -> list[torch.Tensor]:
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    tensors = {n: getattr(rnn, f"{n}_l{k}").detach().double() for n in names}
    for name, how in change.items():
        tensors[name] = tensors[name].T if how == "T" else torch.zeros_like(tensors[name])
    return [tensors[n] for n in names]


def _as_whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        pass
    number = _as_number(value)  # 400.0, np.float64(400.0), torch.tensor(400.)
    if number is None or not math.isfinite(number) or not number.is_integer():
        return None
    return int(number)


def _count_two_layers(L: int) -> tuple[int, int]:
    """Matrix products of two nn.RNNCell per step over L steps, and of nn.RNN(num_layers=2)."""
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(11)
        N, H_in, H = 3, 4, 6
        rnn = nn.RNN(H_in, H, num_layers=2)
        cells = [nn.RNNCell(H_in, H), nn.RNNCell(H, H)]
        x = torch.randn(L, N, H_in)

        def cell_loop():
            h = [torch.zeros(N, H), torch.zeros(N, H)]
            for x_t in x:
                h[0] = cells[0](x_t, h[0])
                h[1] = cells[1](h[0], h[1])

        return (
            matrix_products(count_operators(cell_loop)),
            matrix_products(count_operators(rnn, x)),
        )


def matmul_count(cell_loop, nn_rnn) -> Result:
    """Exercise (predict, then check): a two-layer RNN runs L = 100 steps on the CPU, once as a
    loop that calls two ``nn.RNNCell`` per step (``cell_loop``) and once as
    ``nn.RNN(H_in, H, num_layers=2)`` (``nn_rnn``). How many matrix products does each launch?

    The right answers are counted, not stored: the checker runs both with
    ``rnnlab.profile.count_operators``.

    Used in: 12_inside_nn_rnn.
    """
    pending = _not_attempted(cell_loop, nn_rnn)
    if pending is not None:
        return pending
    answers = [_as_whole_number(v) for v in (cell_loop, nn_rnn)]
    if any(a is None for a in answers):
        return Result(INCORRECT, "give two whole numbers, such as 123 and 45")
    cell_loop, nn_rnn = answers
    want_cells, want_rnn = _count_two_layers(100)
    if (cell_loop, nn_rnn) == (want_cells, want_rnn):
        return Result(
            CORRECT,
            "2 products per cell call, 2 cells per step; nn.RNN projects each layer's inputs in "
            "one product, then makes 1 product per step and layer",
        )
    if cell_loop != want_cells:
        if cell_loop == want_cells // 2:
            return Result(INCORRECT, "that is one layer's cell loop: each step calls two cells")
        return Result(
            INCORRECT,
            "each nn.RNNCell call makes two products (x_t by W_ih, h by W_hh), and each step "
            "calls two cells",
        )
    if nn_rnn in (0, 1, 2):
        return Result(
            INCORRECT,
            "the cell loop is right; nn.RNN on the CPU is not one kernel: it runs a loop of ATen "
            "operators in C++ (count them with profile.count_operators)",
        )
    if nn_rnn == want_rnn // 2:
        return Result(
            INCORRECT,
            "the cell loop is right; that is one layer: the second layer runs its own loop over "
            "the first layer's outputs",
        )
    if nn_rnn == want_rnn - 2:
        return Result(
            INCORRECT,
            "the cell loop is right; each layer's input projection is one product too",
        )
    if nn_rnn == want_cells:
        return Result(
            INCORRECT,
            "the cell loop is right; nn.RNN does not multiply x_t by W_ih at every step: it "
            "projects a layer's whole input in one product before that layer's loop",
        )
    return Result(
        INCORRECT,
        "the cell loop is right; for nn.RNN, count one product per step and layer for h, plus "
        "the input projections",
    )


def _two_layer_case():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(8)
        rnn = nn.RNN(3, 5, num_layers=2)  # H_in = 3, H = 5
        x = torch.randn(9, 2, 3)  # (L, N, H_in) = (9, 2, 3)
    return rnn, x


def projected_loop(forward: Callable) -> Result:
    """Exercise: write ``forward(rnn, x)`` for a two-layer, one-direction, sequence-first
    ``nn.RNN`` that returns the top layer's output, with every layer's input projection hoisted
    out of the time loop: at most ``num_layers * (L + 1)`` matrix products, never the module.

    Shapes: x (L, N, H_in) -> output (L, N, H).

    Used in: 12_inside_nn_rnn.
    """
    pending = _not_attempted(forward)
    if pending is not None:
        return pending
    if not callable(forward):
        return Result(INCORRECT, "give a function, def forward(rnn, x): ...")
    rnn, x = _two_layer_case()
    L = x.shape[0]
    with torch.no_grad():
        want, _ = rnn(x)  # (L, N, H)
    got, failed, called, products = _watched_run(forward, rnn, x)
    if called:
        return Result(
            INCORRECT,
            "your function calls nn.RNN itself (rnn(x), rnn.forward or torch.rnn_tanh): write "
            "the loop with the module's weights, rnn.weight_ih_l0, rnn.weight_hh_l0, ...",
        )
    if failed is not None:
        return _shape_hint(failed)
    problem = _output_problem(got, want)
    if problem is not None:
        return problem
    error = _rel_error(got, want)
    if error < _TOLERANCE:
        budget = rnn.num_layers * (L + 1)
        if products <= budget:
            return Result(
                CORRECT,
                f"the same output as nn.RNN (relative error below {_TOLERANCE:g}) with {products} "
                f"matrix products for L = {L} steps and 2 layers",
            )
        if products >= 2 * rnn.num_layers * L:
            hint = "both layers multiply their inputs at every step"
        else:
            hint = "one layer still multiplies its input at every step"
        return Result(
            INCORRECT,
            f"right numbers, but {products} matrix products for L = {L} steps: {hint}. Run "
            "layer 1 over the whole sequence first, then project all of its outputs for layer 2 "
            f"in one product (at most {budget})",
        )
    xd = x.double()
    layers = [_layer(rnn, 0), _layer(rnn, 1)]
    known = {
        "that is the first layer's output: feed all of it to the second layer "
        "(weight_ih_l1, weight_hh_l1, bias_ih_l1, bias_hh_l1)": _hoisted(xd, layers[:1]),
        "off by exactly bias_hh: did you add both biases in each layer?": _hoisted(
            xd, [_layer(rnn, 0, bias_hh=0), _layer(rnn, 1, bias_hh=0)]
        ),
        "off by exactly bias_ih: did you add both biases in each layer?": _hoisted(
            xd, [_layer(rnn, 0, bias_ih=0), _layer(rnn, 1, bias_ih=0)]
        ),
        "weight_hh is square, so an untransposed one raises no error: "
        "use h @ weight_hh_lk.T": _hoisted(
            xd, [_layer(rnn, 0, weight_hh="T"), _layer(rnn, 1, weight_hh="T")]
        ),
        "weight_ih_l1 is square (H, H), so an untransposed one raises no error: "
        "use output @ weight_ih_l1.T": _hoisted(xd, [layers[0], _layer(rnn, 1, weight_ih="T")]),
        "the state product must use the newest h, inside the loop": _hoisted(
            xd, layers, skip_state=True
        ),
    }
    hint = _closest(got, known)
    if hint is not None:
        return Result(INCORRECT, hint)
    return Result(
        INCORRECT,
        f"the numbers differ from nn.RNN (relative error {_fmt(error)}): check each layer's "
        "two products and two biases",
    )


def _fmt(error: float) -> str:
    return "not a number" if math.isnan(error) else f"{error:.2g}"


def fixed_loop(forward: Callable) -> Result:
    """Exercise (find the bug): the chapter's fast loop also moved ``h @ weight_hh_l0.T`` out of
    the time loop; fix it so that ``forward(rnn, x)`` gives ``nn.RNN``'s output for a one-layer,
    sequence-first ``nn.RNN``, still with at most ``L + 1`` matrix products.

    Shapes: x (L, N, H_in) -> output (L, N, H).

    Used in: 12_inside_nn_rnn.
    """
    pending = _not_attempted(forward)
    if pending is not None:
        return pending
    if not callable(forward):
        return Result(INCORRECT, "give a function, def fixed_forward(rnn, x): ...")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(5)
        rnn = nn.RNN(2, 4)  # H_in = 2, H = 4
        x = torch.randn(7, 3, 2)  # (L, N, H_in) = (7, 3, 2)
    L = x.shape[0]
    with torch.no_grad():
        want, _ = rnn(x)  # (L, N, H)
    got, failed, called, products = _watched_run(forward, rnn, x)
    if called:
        return Result(
            INCORRECT,
            "your function calls nn.RNN itself (rnn(x), rnn.forward or torch.rnn_tanh): fix the "
            "loop instead",
        )
    if failed is not None:
        return _shape_hint(failed)
    problem = _output_problem(got, want)
    if problem is not None:
        return problem
    error = _rel_error(got, want)
    if error < _TOLERANCE:
        if products <= L + 1:
            return Result(
                CORRECT,
                f"the same output as nn.RNN (relative error below {_TOLERANCE:g}), {products} "
                f"matrix products for L = {L} steps: only the input projection can leave the loop",
            )
        return Result(
            INCORRECT,
            f"right numbers, but {products} matrix products for L = {L} steps: keep the input "
            f"projection out of the loop (at most {L + 1})",
        )
    xd = x.double()
    known = {
        "still the bug: the state product uses the initial state at every step; h changes at "
        "every step, so h @ weight_hh_l0.T belongs inside the loop": _hoisted(
            xd, [_layer(rnn, 0)], skip_state=True
        ),
        "off by exactly bias_hh: did you add both biases?": _hoisted(
            xd, [_layer(rnn, 0, bias_hh=0)]
        ),
        "off by exactly bias_ih: did you add both biases?": _hoisted(
            xd, [_layer(rnn, 0, bias_ih=0)]
        ),
        "weight_hh_l0 is square, so an untransposed one raises no error: use "
        "h @ weight_hh_l0.T": _hoisted(xd, [_layer(rnn, 0, weight_hh="T")]),
    }
    hint = _closest(got, known)
    if hint is not None:
        return Result(INCORRECT, hint)
    return Result(
        INCORRECT,
        f"the numbers differ from nn.RNN (relative error {_fmt(error)}): at each step, "
        "h = tanh(projected[t] + h @ weight_hh_l0.T + bias_hh_l0)",
    )
