"""Exercises of the chapter on what nn.RNNCell computes (01), defined once.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``); the checkers the notebook
calls are made from them. Probes build their cells from a local ``torch.Generator``, with sizes
all different (N != H_in != H, weight_hh not symmetric), so a transposed weight or a swapped
dimension cannot give the right numbers by coincidence. ``cell_weight_shapes`` (the notebook
template's example exercise) stays a plain checker.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np
import torch
from torch import nn

from rnnlab.checks._exercise import (
    Exercise,
    Hints,
    Mistake,
    Part,
    Probe,
    _as_float,
    checker,
    drawn,
    matrix_products,
)
from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    Result,
    _not_attempted,
)

__all__ = [
    "EXERCISES",
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


CHAPTER = "01_rnn_cell"


# -- 1. cell_parameters: predict the shapes and the number of parameters ------------------------


def _cell_parameters_reference(cell):
    return (
        tuple(cell.weight_ih.shape),
        tuple(cell.weight_hh.shape),
        sum(p.numel() for p in cell.parameters()),
    )


def _cp(ih=None, hh=None, count=None):
    """A mistake of exercise 1: one part wrong, from the cell's sizes H_in and H."""

    def answer(cell):
        right = _cell_parameters_reference(cell)
        H_in, H = cell.input_size, cell.hidden_size
        return (
            right[0] if ih is None else ih(H_in, H),
            right[1] if hh is None else hh(H_in, H),
            right[2] if count is None else count(H_in, H),
        )

    return answer


def _cell_handed(cell) -> str:
    if not isinstance(cell, nn.RNNCellBase):
        return "pass the cell's cell_1 first, then your three answers"
    return ""


CELL_PARAMETERS = Exercise(
    id=f"{CHAPTER}.cell_parameters",
    version=1,
    title="Predict the shapes of weight_ih and weight_hh and the number of parameters",
    points=2,
    kind="predict",
    starter="""\
cell_1 = nn.RNNCell(input_size=7, hidden_size=4)
weight_ih_shape = ...
weight_hh_shape = ...
n_params = ...
checks.cell_parameters(cell_1, weight_ih_shape, weight_hh_shape, n_params)""",
    solution="""\
cell_1 = nn.RNNCell(input_size=7, hidden_size=4)
weight_ih_shape = (4, 7)  # (H, H_in): one row per hidden unit
weight_hh_shape = (4, 4)  # (H, H)
n_params = 4 * 7 + 4 * 4 + 4 + 4  # two weights and two biases of H numbers each
checks.cell_parameters(cell_1, weight_ih_shape, weight_hh_shape, n_params)""",
    parts=(
        Part("weight_ih_shape", "shape"),
        Part("weight_hh_shape", "shape"),
        Part("n_params", "int"),
    ),
    handed=("cell",),
    asked=("weight_ih_shape", "weight_hh_shape", "n_params"),
    reference=_cell_parameters_reference,
    defaults=lambda: (nn.RNNCell(input_size=7, hidden_size=4),),
    check_handed=_cell_handed,
    variants=lambda generator: [(nn.RNNCell(H_in, H),) for H_in, H in ((3, 5), (10, 2), (1, 6))],
    right="weight_ih is (H, H_in), weight_hh is (H, H), H*(H_in + H + 2) numbers",
    hints=Hints(
        "check the part named above: which dimension of a weight counts the hidden units, and "
        "which parameters does n_params count?",
        "PyTorch stores a weight with one row per hidden unit, like nn.Linear; n_params adds up "
        "the numbers of all four parameters, the two weights and the two biases",
        "weight_ih is (H, H_in), weight_hh is (H, H), n_params = H*H_in + H*H + 2*H",
    ),
    mistakes=(
        Mistake(
            "weight_ih transposed",
            Hints(
                "weight_ih_shape: which dimension holds the hidden units?",
                "PyTorch stores one row per hidden unit, so the cell computes x @ weight_ih.T",
                "weight_ih is (H, H_in): H rows, one per hidden unit",
            ),
            _cp(ih=lambda H_in, H: (H_in, H)),
        ),
        Mistake(
            "weight_hh from the input",
            Hints(
                "weight_ih is right. weight_hh_shape: what goes into it?",
                "weight_ih is right. weight_hh maps the previous hidden state to the new one: "
                "how many values go in, how many come out?",
                "weight_ih is right. weight_hh is (H, H): H values in, H out",
            ),
            _cp(hh=lambda H_in, H: (H, H_in)),
        ),
        Mistake(
            "weight_hh as H_in by H, the textbook layout",
            Hints(
                "weight_ih is right. weight_hh_shape: which dimension holds the hidden units?",
                "weight_ih is right. weight_hh is stored like weight_ih, one row per hidden unit, "
                "and it multiplies the previous hidden state h, (N, H): no H_in in it",
                "weight_ih is right. weight_hh is (H, H): H values in, H out",
            ),
            _cp(hh=lambda H_in, H: (H_in, H)),
        ),
        Mistake(
            "weight_hh as H_in by H_in",
            Hints(
                "weight_ih is right. weight_hh_shape: which vector goes into weight_hh?",
                "weight_ih is right. weight_hh multiplies the previous hidden state h, (N, H), "
                "not the input x: its sizes come from H, not from H_in",
                "weight_ih is right. weight_hh is (H, H): H values in, H out",
            ),
            _cp(hh=lambda H_in, H: (H_in, H_in)),
        ),
        Mistake(
            "the biases left out",
            Hints(
                "both shapes are right. n_params: did you count every parameter?",
                "both shapes are right. n_params is off by exactly the two biases: bias_ih and "
                "bias_hh hold H numbers each",
                "both shapes are right. n_params = H*H_in + H*H + H + H",
            ),
            _cp(count=lambda H_in, H: H * H_in + H * H),
        ),
        Mistake(
            "one bias",
            Hints(
                "both shapes are right. n_params: count the biases",
                "both shapes are right. n_params is off by exactly one bias: the cell has both "
                "bias_ih and bias_hh",
                "both shapes are right. n_params = H*H_in + H*H + 2*H",
            ),
            _cp(count=lambda H_in, H: H * H_in + H * H + H),
        ),
        Mistake(
            "each bias counted as one number",
            Hints(
                "both shapes are right. n_params: how many numbers does each bias hold?",
                "both shapes are right. bias_ih and bias_hh are vectors of H numbers each, one "
                "per hidden unit, not one number each",
                "both shapes are right. n_params = H*H_in + H*H + 2*H",
            ),
            _cp(count=lambda H_in, H: H * H_in + H * H + 2),
        ),
        Mistake(
            "weight_hh not counted",
            Hints(
                "both shapes are right. n_params: which parameter did you leave out?",
                "both shapes are right. n_params is off by exactly weight_hh, a weight of "
                "its own with H*H numbers",
                "both shapes are right. n_params = H*H_in + H*H + 2*H",
            ),
            _cp(count=lambda H_in, H: H * H_in + 2 * H),
        ),
        Mistake(
            "weight_hh counted as H_in by H",
            Hints(
                "both shapes are right. n_params: add the numbers of each parameter again",
                "both shapes are right. n_params: weight_hh holds H*H numbers, not H*H_in",
                "both shapes are right. n_params = H*H_in + H*H + 2*H",
            ),
            _cp(count=lambda H_in, H: 2 * H * H_in + 2 * H),
        ),
        Mistake(
            "weight_hh counted twice, no biases",
            Hints(
                "both shapes are right. n_params: add up each parameter once, from its shape",
                "both shapes are right. n_params counts four parameters once each: weight_ih "
                "H*H_in, weight_hh H*H, and bias_ih and bias_hh, H each",
                "both shapes are right. n_params = H*H_in + H*H + 2*H",
            ),
            _cp(count=lambda H_in, H: H * H_in + 2 * H * H),
        ),
    ),
)


# -- 2. my_rnn_cell: one step of the cell with one matrix product -------------------------------


def _step_probes(generator):
    probes = []
    for N, H_in, H in _PROBE_SIZES:
        cell = drawn(generator, lambda H_in=H_in, H=H: nn.RNNCell(H_in, H), scale=2.0)
        x = torch.randn(N, H_in, generator=generator)  # (N, H_in)
        h = torch.randn(N, H, generator=generator)  # (N, H)
        probes.append(Probe(f"N={N}, H_in={H_in}, H={H}", (x, h, cell)))
    return probes


def _dtype_name(value) -> str:
    """A tensor's or array's dtype as a name such as "float32"; "not a tensor" for the rest."""
    if isinstance(value, torch.Tensor):
        return str(value.dtype).removeprefix("torch.")
    if isinstance(value, np.ndarray):
        return str(value.dtype)
    return "not a tensor"


def _step_call(step, x, h, cell):
    """The new state, the inner sizes of the matrix products the step ran, and its dtype.

    A new state that is not a tensor or an array (a list from .tolist(), say) has no dtype: it
    is given x's, so that the one message that fits, its type, is the one the student reads."""
    with torch.no_grad():
        value, inner = matrix_products(step, x, h, cell)
    if value is None:
        return None
    has_dtype = isinstance(value, (torch.Tensor, np.ndarray))
    return value, inner, _dtype_name(value if has_dtype else x)


_ONE_PRODUCT = Hints(
    "the numbers are right; count the matrix products your step runs",
    "the numbers are right, but the exercise asks for ONE matrix product of [x, h], "
    "(N, H_in + H), with [weight_ih, weight_hh], (H, H_in + H); yours runs one per weight, "
    "as section 3's formula (and manual.rnn_cell) does",
    "the numbers are right. Put x and h side by side with torch.cat(..., dim=1), the two "
    "weights with torch.cat(..., dim=1), and multiply once: xh @ w.T",
)

_BLOCK_ORDER = Hints(
    "the order of the blocks: which columns of w does x meet?",
    "xh and w must hold their blocks in the same order, so that x meets weight_ih and h meets "
    "weight_hh in the one product; yours puts them in different orders",
    "torch.cat([x, h], dim=1) goes with torch.cat([cell.weight_ih, cell.weight_hh], dim=1): x "
    "first in both (or h first in both)",
)

# x with h and weight_ih with weight_hh, each joined along dim 0, raise the same error ("Expected
# size H_in but got size H"): one hint, true for both.
_CAT_DIM = Hints(
    "a torch.cat failed: along which dimension do its two tensors sit side by side?",
    "x (N, H_in) and h (N, H) agree in dimension 0, and so do weight_ih (H, H_in) and "
    "weight_hh (H, H): each pair goes side by side along dimension 1",
    "torch.cat([x, h], dim=1) gives (N, H_in + H) and "
    "torch.cat([cell.weight_ih, cell.weight_hh], dim=1) gives (H, H_in + H)",
)

MY_RNN_CELL = Exercise(
    id=f"{CHAPTER}.my_rnn_cell",
    version=1,
    title="One step of nn.RNNCell with one matrix product",
    points=3,
    kind="implement",
    starter="""\
def step(x, h, cell): ...  # x (N, H_in), h (N, H) -> (N, H)


checks.my_rnn_cell(step)""",
    solution="""\
def step(x, h, cell):
    xh = torch.cat([x, h], dim=1)  # (N, H_in), (N, H) -> (N, H_in + H)
    w = torch.cat([cell.weight_ih, cell.weight_hh], dim=1)  # (H, H_in), (H, H) -> (H, H_in + H)
    return torch.tanh(xh @ w.T + cell.bias_ih + cell.bias_hh)  # (N, H_in + H) @ (H_in + H, H)


checks.my_rnn_cell(step)""",
    parts=(
        Part("the new state", "tensor"),
        Part("the matrix products your step runs", "value"),
        Part("the new state's dtype", "value"),
    ),
    asked=("step",),
    probes=_step_probes,
    call=_step_call,
    right="your step matches nn.RNNCell with one matrix product",
    hints=Hints(
        "compare each term of your step with the cell's equation",
        "h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh), with x and h side by side and "
        "the two weights side by side so that one product gives both terms",
        "torch.tanh(torch.cat([x, h], 1) @ torch.cat([W_ih, W_hh], 1).T + b_ih + b_hh)",
    ),
    mistakes=(
        Mistake(
            "section 3's two products",
            _ONE_PRODUCT,
            code="""\
def step(x, h, cell):
    return torch.tanh(x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh)
""",
        ),
        Mistake(
            "one product per row",
            Hints(
                "the numbers are right; how many matrix products does your step run for N rows?",
                "the numbers are right, but your step runs N products, one per row of xh (one "
                "per sequence); one product handles the whole batch at once",
                "the numbers are right. Multiply the whole (N, H_in + H) xh once: xh @ w.T "
                "gives (N, H), every row in one product",
            ),
            code="""\
def step(x, h, cell):
    xh = torch.cat([x, h], dim=1)
    w = torch.cat([cell.weight_ih, cell.weight_hh], dim=1)
    rows = [xh[n] @ w.T for n in range(xh.shape[0])]
    return torch.tanh(torch.stack(rows) + cell.bias_ih + cell.bias_hh)
""",
        ),
        Mistake(
            "the cell itself",
            Hints(
                "the numbers are right; what computes them?",
                "your step calls a ready-made cell or RNN (cell(...), torch.rnn_tanh_cell, "
                "nn.RNN): the exercise asks you to compute the step yourself",
                "compute the step from cell.weight_ih, cell.weight_hh and the two biases, with "
                "one product of the concatenated tensors",
            ),
            code="def step(x, h, cell):\n    return cell(x, h)\n",
        ),
        Mistake(
            "an nn.RNN loaded with the cell's weights",
            Hints(
                "the numbers are right; what computes them?",
                "your step runs a ready-made nn.RNN: the exercise asks you to compute the step "
                "yourself",
                "compute the step from cell.weight_ih, cell.weight_hh and the two biases, with "
                "one product of the concatenated tensors",
            ),
            code="""\
def step(x, h, cell):
    rnn = nn.RNN(cell.input_size, cell.hidden_size)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(cell.weight_ih)
        rnn.weight_hh_l0.copy_(cell.weight_hh)
        rnn.bias_ih_l0.copy_(cell.bias_ih)
        rnn.bias_hh_l0.copy_(cell.bias_hh)
    return rnn(x.unsqueeze(0), h.unsqueeze(0))[1][0]
""",
        ),
        Mistake(
            "an elementwise product, summed",
            Hints(
                "the numbers are right; how is the product computed?",
                "no matrix product of torch tensors ran: multiplying elementwise and summing, "
                "or a product of NumPy arrays, is not the one torch matrix product asked for",
                "compute the product with torch tensors and @ (or torch.matmul): xh @ w.T, "
                "with xh and w made by torch.cat",
            ),
            edit=("xh @ w.T", "(xh[:, None, :] * w).sum(-1)"),
        ),
        Mistake(
            "x and h stacked along the batch",
            _CAT_DIM,
            edit=("torch.cat([x, h], dim=1)", "torch.cat([x, h], dim=0)"),
        ),
        Mistake(
            "the weights stacked along the hidden units",
            _CAT_DIM,
            edit=(
                "torch.cat([cell.weight_ih, cell.weight_hh], dim=1)",
                "torch.cat([cell.weight_ih, cell.weight_hh], dim=0)",
            ),
        ),
        Mistake(
            "[h, x] with [weight_ih, weight_hh]",
            _BLOCK_ORDER,
            edit=("torch.cat([x, h], dim=1)", "torch.cat([h, x], dim=1)"),
        ),
        Mistake(
            "[x, h] with [weight_hh, weight_ih]",
            _BLOCK_ORDER,
            edit=("[cell.weight_ih, cell.weight_hh]", "[cell.weight_hh, cell.weight_ih]"),
        ),
        Mistake(
            "a float64 result",
            Hints(
                "the numbers are right; check the dtype your step returns",
                "the numbers are right, but your step returns float64: a step returns the "
                "dtype of the cell's weights and inputs, float32 here",
                "the numbers are right. Compute in the weights' dtype: leave out .double() (or "
                "convert back with .to(x.dtype))",
            ),
            edit=("torch.tanh(xh @ w.T", "torch.tanh(xh.double() @ w.T.double()"),
        ),
        Mistake(
            "weight_hh untransposed",
            Hints(
                "the h term: how does h meet weight_hh?",
                "weight_hh is square, so no error shows, but PyTorch multiplies h @ weight_hh.T; "
                "transposing w as a whole transposes both blocks",
                "concatenate the weights as PyTorch stores them and transpose the result once: "
                "torch.cat([weight_ih, weight_hh], dim=1).T",
            ),
            edit=("[cell.weight_ih, cell.weight_hh]", "[cell.weight_ih, cell.weight_hh.T]"),
        ),
        Mistake(
            "bias_hh left out",
            Hints(
                "the biases: count them",
                "off by exactly bias_hh: the cell adds both biases",
                "add cell.bias_ih + cell.bias_hh",
            ),
            edit=(" + cell.bias_ih + cell.bias_hh)", " + cell.bias_ih)"),
        ),
        Mistake(
            "bias_ih left out",
            Hints(
                "the biases: count them",
                "off by exactly bias_ih: the cell adds both biases",
                "add cell.bias_ih + cell.bias_hh",
            ),
            edit=(" + cell.bias_ih + cell.bias_hh)", " + cell.bias_hh)"),
        ),
        Mistake(
            "no tanh",
            Hints(
                "close: what happens to the sum?",
                "the sum still goes through the cell's nonlinearity",
                "wrap the sum in torch.tanh",
            ),
            edit=(
                "return torch.tanh(xh @ w.T + cell.bias_ih + cell.bias_hh)",
                "return xh @ w.T + cell.bias_ih + cell.bias_hh",
            ),
        ),
        Mistake(
            "relu",
            Hints(
                "close: which nonlinearity does the cell use?",
                "nn.RNNCell's default nonlinearity is tanh, not relu",
                "use torch.tanh",
            ),
            edit=("torch.tanh(", "torch.relu("),
        ),
    ),
)


# -- 3. loop_final_state: find the bug in a loop over time -------------------------------------


def _loop_probes(generator):
    probes = []
    for (N, H_in, H), L in zip(_PROBE_SIZES, (4, 9, 2), strict=True):
        cell = drawn(generator, lambda H_in=H_in, H=H: nn.RNNCell(H_in, H), scale=2.0)
        x = torch.randn(N, L, H_in, generator=generator)  # (N, L, H_in)
        probes.append(Probe(f"N={N}, L={L}, H_in={H_in}, H={H}", (cell, x)))
    return probes


def _no_grad(function, *args):
    with torch.no_grad():
        return function(*args)


LOOP_FINAL_STATE = Exercise(
    id=f"{CHAPTER}.loop_final_state",
    version=1,
    title="Find the bug in a loop that runs a cell over a sequence",
    points=2,
    kind="find-the-bug",
    starter="""\
def final_state(cell, x):
    N, L, _ = x.shape  # x: (N, L, H_in)
    h0 = torch.zeros(N, cell.hidden_size)  # (N, H): the initial state
    h = h0
    for t in range(L):
        cell(x[:, t], h)  # (N, H_in), (N, H) -> (N, H)
    return h


checks.loop_final_state(final_state)""",
    solution="""\
def final_state(cell, x):
    N, L, _ = x.shape  # x: (N, L, H_in)
    h0 = torch.zeros(N, cell.hidden_size)  # (N, H): the initial state
    h = h0
    for t in range(L):
        h = cell(x[:, t], h)  # the fix: each step receives the previous step's state
    return h


checks.loop_final_state(final_state)""",
    parts=(Part("the final state", "tensor"),),
    asked=("final_state",),
    probes=_loop_probes,
    call=_no_grad,
    right="your loop carries the hidden state from step to step",
    hints=Hints(
        "compare your loop with section 4's: where does the state each call of cell returns go?",
        "the loop must read x_1, ..., x_L in order (x_t is x[:, t - 1], so index 0 first), give "
        "each step the state the previous step returned, starting from h0, and return the "
        "state after the last step",
        "h = h0, then for t in range(L): h = cell(x[:, t], h) (index t holds step t + 1); return h",
    ),
    mistakes=(
        Mistake(
            "each step from zeros",
            Hints(
                "which state does each call of cell receive?",
                "each call still starts from zeros: pass the state the previous step returned",
                "h = cell(x[:, t], h): the state goes in, and the new state comes back into h",
            ),
            edit=("h = cell(x[:, t], h)", "h = cell(x[:, t])"),
        ),
        Mistake(
            "the first step only",
            Hints(
                "which steps does your loop read?",
                "that is the state after the first step only",
                "loop over every index t = 0 .. L-1 (steps 1 .. L) and return the state after "
                "the last",
            ),
            edit=(
                "        h = cell(x[:, t], h)  # the fix",
                "        h = cell(x[:, 0], h)  # the fix",
            ),
        ),
        Mistake(
            "one step short",
            Hints(
                "count the steps your loop visits",
                "one step short: the loop must visit all L steps",
                "for t in range(L) visits the indices 0, ..., L-1, the steps 1, ..., L",
            ),
            edit=("for t in range(L):", "for t in range(L - 1):"),
        ),
        Mistake(
            "the first step skipped",
            Hints(
                "which input does your loop read first?",
                "range(1, L) starts at index 1: the loop never reads x[:, 0], x_1, the input "
                "of step 1",
                "for t in range(L) visits the indices 0, ..., L-1, the steps 1, ..., L",
            ),
            edit=("for t in range(L):", "for t in range(1, L):"),
        ),
        Mistake(
            "the inputs shifted by one step",
            Hints(
                "which input does each step read?",
                "with t from range(L), x[:, t - 1] is x[:, -1] at the first step: the loop "
                "reads x_L first, then x_1, ..., x_(L-1)",
                "index t of range(L) holds step t + 1: read x[:, t]",
            ),
            edit=("h = cell(x[:, t], h)", "h = cell(x[:, t - 1], h)"),
        ),
        Mistake(
            "the steps in reverse order",
            Hints(
                "in which order does your loop read the steps?",
                "your loop reads x_L first and x_1 last; the cell must read the sequence from "
                "step 1 to step L",
                "for t in range(L) reads the indices 0, 1, ..., L-1 in that order",
            ),
            edit=("for t in range(L):", "for t in reversed(range(L)):"),
        ),
        Mistake(
            "every step returned",
            Hints(
                "what does the function return: one state or many?",
                "you return the state of every step, (N, L, H); the final state is (N, H)",
                "return h, the state after the last step",
            ),
            code="""\
def final_state(cell, x):
    N, L, _ = x.shape
    h = torch.zeros(N, cell.hidden_size)
    states = []
    for t in range(L):
        h = cell(x[:, t], h)
        states.append(h)
    return torch.stack(states, dim=1)
""",
        ),
        Mistake(
            "the last row returned",
            Hints(
                "what shape does the function return?",
                "h[-1] is the last row of h: the final state of the last sequence only, (H,); "
                "the function returns the final state of every sequence, (N, H)",
                "return h, all N rows",
            ),
            edit=("    return h\n", "    return h[-1]\n"),
        ),
        Mistake(
            "x[t] for x[:, t]",
            Hints(
                "which dimension of x does x[t] index?",
                "x is batch-first, (N, L, H_in): x[t] is the sequence at index t, (L, H_in), not "
                "a time step of every sequence",
                "step t + 1 of every sequence is x[:, t], (N, H_in): h = cell(x[:, t], h)",
            ),
            edit=("h = cell(x[:, t], h)", "h = cell(x[t], h)"),
        ),
        Mistake(
            "time read from the batch dimension",
            Hints(
                "which dimension of x is time?",
                "x is batch-first, (N, L, H_in): x[i] picks the sequence at index i, not a "
                "time step",
                "step t of every sequence, x_t, is x[:, t - 1]: in a loop for t in range(L), "
                "x[:, t]",
            ),
            code="""\
def final_state(cell, x):
    N, L, _ = x.shape
    h = torch.zeros(L, cell.hidden_size)
    for t in range(N):
        h = cell(x[t], h)
    return h
""",
        ),
    ),
)


# -- 4. forum_final_state: a number computed by hand -------------------------------------------


def _forum_relu_states(
    weight_hh: float, bias_ih: float = 4.0, bias_hh: float = 5.0, h0: float = 0.0
):
    h, states = h0, []
    for x in range(1, 10):
        h = max(0.0, 2.0 * x + bias_ih + weight_hh * h + bias_hh)
        states.append(h)
    return states


#: h_9 kept to fewer than three decimals, rounded (50.0, 49.97) or cut (49.9): the same hints.
_FEW_DECIMALS = Hints(
    "close: how many decimals did you keep?",
    "that is h_9 rounded or cut to fewer than three decimals: give three decimals, rounded",
    "give h_9 rounded to three decimals, or the loop's value itself, unrounded",
)


FORUM_FINAL_STATE = Exercise(
    id=f"{CHAPTER}.forum_final_state",
    version=2,
    title="Predict, then compute the ReLU state after nine steps with weight_hh = 0.5",
    points=1,
    kind="predict",
    starter="""\
h_9 = ...
checks.forum_final_state(h_9)""",
    solution="""\
h_9 = 0.0  # h0
for x_value in range(1, 10):
    h_9 = max(0.0, 2.0 * x_value + 4.0 + 0.5 * h_9 + 5.0)
checks.forum_final_state(h_9)""",
    # h_9 = 49.97265625 exactly (float32 too); the checker below takes 49.973, three decimals
    # rounded, as that value. rtol 2e-8 is 9.99e-7 absolute: 49.9725, 49.9728, 49.972 and a start
    # h0 = 0.5 (49.97363) are refused
    parts=(Part("h_9", "number", rtol=2e-8),),
    asked=("h_9",),
    reference=lambda: (_forum_relu_states(0.5)[-1],),
    defaults=lambda: (),
    variants=lambda generator: [],
    right="with weight_hh below 1 the old state fades, so the ReLU state grows with the input, "
    "not geometrically",
    hints=Hints(
        "apply the cell's equation once per input, from h = 0, and keep three decimals",
        "h = max(0, 2*x + 4 + 0.5*h + 5) for x = 1, ..., 9",
        "loop x over 1..9 with h = max(0.0, 2.0 * x + 4.0 + 0.5 * h + 5.0), starting from h = 0",
    ),
    mistakes=(
        Mistake(
            "tanh",
            Hints(
                "which nonlinearity does this cell use?",
                "that is what tanh gives; this cell uses relu, max(0, ...), at every step",
                "h = max(0.0, ...) at every step, not tanh",
            ),
            lambda: (1.0,),
        ),
        Mistake(
            "weight_hh = 3",
            Hints(
                "check the value of weight_hh",
                "that is the section's cell with weight_hh = 3; this one has 0.5",
                "use 0.5 * h in the update",
            ),
            lambda: (_forum_relu_states(3.0)[-1],),
        ),
        Mistake(
            "bias_hh left out",
            Hints(
                "count the biases",
                "off by exactly bias_hh: did you add both biases?",
                "add both 4.0 (bias_ih) and 5.0 (bias_hh) at every step",
            ),
            lambda: (_forum_relu_states(0.5, bias_hh=0.0)[-1],),
        ),
        Mistake(
            "bias_ih left out",
            Hints(
                "count the biases",
                "off by exactly bias_ih: did you add both biases?",
                "add both 4.0 (bias_ih) and 5.0 (bias_hh) at every step",
            ),
            lambda: (_forum_relu_states(0.5, bias_ih=0.0)[-1],),
        ),
        Mistake(
            "h0 = 1 instead of 0",
            Hints(
                "close: check the state you start from",
                "that is the loop started from h = 1; the forum's loop starts from h0 = 0, and "
                "the start's trace is halved at each step, not erased",
                "start from h_9 = 0.0, then loop x over 1..9",
            ),
            lambda: (_forum_relu_states(0.5, h0=1.0)[-1],),
        ),
        Mistake(
            "cut to three decimals",
            Hints(
                "close: check the last decimal",
                "that is h_9 cut to three decimals: round it instead (look at the fourth decimal)",
                "give round(h_9, 3), or the loop's value itself, unrounded",
            ),
            lambda: (math.floor(_forum_relu_states(0.5)[-1] * 1000) / 1000,),
        ),
        Mistake(
            "rounded to four decimals",
            Hints(
                "right value: give three decimals, rounded",
                "that is h_9 rounded to four or more decimals: the exercise asks for three",
                "give round(h_9, 3), or the loop's value itself, unrounded",
            ),
            lambda: (round(_forum_relu_states(0.5)[-1], 4),),
        ),
        Mistake(
            "last decimal off",
            Hints(
                "close: check the last decimal",
                "that is within 0.01 of h_9 but not h_9 rounded to three decimals: round "
                "the loop's value (look at the fourth decimal)",
                "give round(h_9, 3), or the loop's value itself, unrounded",
            ),
            lambda: (round(_forum_relu_states(0.5)[-1], 3) + 0.001,),
        ),
        Mistake(
            "rounded to two decimals",
            _FEW_DECIMALS,
            lambda: (round(_forum_relu_states(0.5)[-1], 2),),
        ),
        Mistake(
            "rounded to one decimal",
            _FEW_DECIMALS,
            lambda: (round(_forum_relu_states(0.5)[-1], 1),),
        ),
        Mistake(
            "cut to one decimal",
            _FEW_DECIMALS,
            lambda: (math.floor(_forum_relu_states(0.5)[-1] * 10) / 10,),
        ),
        Mistake(
            "eight steps",
            Hints(
                "count the steps",
                "that is an intermediate state: run all nine steps",
                "x runs over 1, 2, ..., 9: range(1, 10)",
            ),
            lambda: (_forum_relu_states(0.5)[-2],),
        ),
    ),
)


EXERCISES = (CELL_PARAMETERS, MY_RNN_CELL, LOOP_FINAL_STATE, FORUM_FINAL_STATE)

cell_parameters = checker(CELL_PARAMETERS)
my_rnn_cell = checker(MY_RNN_CELL)
loop_final_state = checker(LOOP_FINAL_STATE)
_forum_final_state = checker(FORUM_FINAL_STATE)


@functools.wraps(_forum_final_state)
def forum_final_state(*args, **kwargs):
    """The checker of FORUM_FINAL_STATE, with one line for True or False given as h_9."""
    h_9 = args[0] if args else kwargs.get("h_9")
    if isinstance(h_9, (bool, np.bool_)):
        return Result(INCORRECT, "give h_9 as a number, e.g. 2.5: True and False are not numbers")
    number = _as_float(h_9)
    exact = _forum_relu_states(0.5)[-1]  # 49.97265625
    stand_in = None  # the value the checker is given in place of a close answer
    if number is not None and abs(number - 49.973) < 1e-6:  # three decimals, rounded
        stand_in = exact
    elif number is not None and abs(number - exact) < 0.01:  # close, on either side
        known = [m.answer()[0] for m in FORUM_FINAL_STATE.mistakes] + [exact]
        if all(abs(number - value) > 1e-6 for value in known):  # no named mistake explains it
            over_precise = any(abs(number - round(exact, k)) < 1e-9 for k in range(4, 9))
            stand_in = round(exact, 4) if over_precise else round(exact, 3) + 0.001
    if stand_in is not None:
        args, kwargs = ((stand_in,), {}) if args else ((), {"h_9": stand_in})
    return _forum_final_state(*args, **kwargs)
