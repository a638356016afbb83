"""Exercises of the chapter on what runs inside ``nn.RNN`` and what it costs (12), defined once.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. The predicted counts are counted, not stored: the reference runs the
modules under ``rnnlab.profile.count_operators`` for the ``L`` the cell hands over. A hand-written
loop is checked for the property the chapter teaches, the input projection done once per layer
before its time loop: ``_ProjectionReads`` counts the products and sums (a matrix product,
``einsum``, an elementwise product's sum) that take a layer's ``weight_ih`` or any tensor computed
from it (a copy, a broadcast copy, an elementwise product with ``x``), so a loop that multiplies
by ``weight_ih`` at every step is told apart from a hoisted one even when it launches no matrix
product. A call of the built-in module (``rnn(x)``,
``torch.rnn_tanh``) is refused.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections import Counter

import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from rnnlab.checks._exercise import Exercise, FormError, Hints, Mistake, Part, Probe, checker, drawn
from rnnlab.profile import count_operators, matrix_products

__all__ = ["EXERCISES", "fixed_loop", "matmul_count", "projected_loop"]

CHAPTER = "12_inside_nn_rnn"

#: The functions the built-in recurrent modules call; a student's loop must not call them.
_BUILT_IN = frozenset({"rnn_tanh", "rnn_relu", "lstm", "gru"})


# -- 1. matmul_count: predict the matrix products of three two-layer programs ------------------


def _counts(L):
    """Matrix products of a loop of two nn.RNNCell per step, of nn.RNN(num_layers=2) and of
    nn.LSTM(num_layers=2) over L steps (CPU, float32)."""
    N, H_in, H = 3, 4, 6
    with torch.random.fork_rng(devices=[]):  # building modules draws from the global generator
        rnn, lstm = nn.RNN(H_in, H, num_layers=2), nn.LSTM(H_in, H, num_layers=2)
        cells = [nn.RNNCell(H_in, H), nn.RNNCell(H, H)]
    x = torch.zeros(L, N, H_in)  # (L, N, H_in)

    def cell_loop():
        h = [torch.zeros(N, H), torch.zeros(N, H)]
        for x_t in x:
            h[0] = cells[0](x_t, h[0])
            h[1] = cells[1](h[0], h[1])

    return tuple(
        matrix_products(count_operators(*program))
        for program in ((cell_loop,), (rnn, x), (lstm, x))
    )


def _matmul_handed(L) -> str:
    if isinstance(L, bool) or not isinstance(L, int) or not 1 <= L <= 1000:
        return "pass the cell's L_ex first (a whole number of steps), then your three counts"
    return ""


def _mc(cell=None, rnn=None, lstm=None):
    """A mistake of exercise 1: some counts wrong (functions of L), the others right."""

    def answer(L):
        right = _counts(L)
        given = (cell, rnn, lstm)
        return tuple(r if g is None else g(L) for r, g in zip(right, given, strict=True))

    return answer


_LSTM_HINTS = Hints(  # nn_lstm_products wrong in a way of its own: what the count calls a product
    "cell_loop_products and nn_rnn_products are right. nn_lstm_products: what does "
    "the count call a matrix product?",
    "cell_loop_products and nn_rnn_products are right. profile.matrix_products counts "
    "the ATen products (mm, addmm...) that reach the dispatcher; mkldnn_rnn_layer is "
    "one oneDNN call per layer, and the products inside it are not counted",
    "cell_loop_products and nn_rnn_products are right. nn_lstm_products = 0: two "
    "mkldnn_rnn_layer calls, no ATen product",
)

_RNN_HINTS = Hints(
    "cell_loop_products is right. nn_rnn_products: how does nn.RNN treat a layer's whole input?",
    "cell_loop_products is right. nn.RNN projects a layer's whole input in one product before "
    "that layer's loop, then makes one product per step for h; the second layer does the same "
    "with the first layer's output",
    "cell_loop_products is right. nn_rnn_products = num_layers * (1 + L_ex)",
)

MATMUL_COUNT = Exercise(
    id=f"{CHAPTER}.matmul_count",
    version=2,
    title="Predict the matrix products of a cell loop, nn.RNN and nn.LSTM",
    points=2,
    kind="predict",
    starter="""\
L_ex = 100
cell_loop_products = ...
nn_rnn_products = ...
nn_lstm_products = ...
checks.matmul_count(L_ex, cell_loop_products, nn_rnn_products, nn_lstm_products)""",
    solution="""\
from rnnlab import profile

L_ex = 100
cell_loop_products = L_ex * 2 * 2  # L_ex steps x 2 cells x 2 products per cell call
nn_rnn_products = 2 * (1 + L_ex)  # per layer: one product for its whole input, one per step
nn_lstm_products = 0  # CPU, float32: one oneDNN call per layer, no ATen product
stacked = nn.RNN(4, 6, num_layers=2)  # H_in = 4, H = 6
with torch.no_grad():
    counts = profile.count_operators(stacked, torch.randn(L_ex, 3, 4))  # x: (L, N, H_in)
    lstm_counts = profile.count_operators(nn.LSTM(4, 6, num_layers=2), torch.randn(L_ex, 3, 4))
assert profile.matrix_products(counts) == nn_rnn_products
assert profile.matrix_products(lstm_counts) == nn_lstm_products
assert lstm_counts["mkldnn_rnn_layer"] == 2  # one call per layer
cells = [nn.RNNCell(4, 6), nn.RNNCell(6, 6)]  # layer 1, layer 2


def two_cell_loop(x):  # x: (L, N, H_in)
    h1, h2 = torch.zeros(x.shape[1], 6), torch.zeros(x.shape[1], 6)  # (N, H) each
    for x_t in x:  # x_t: (N, H_in)
        h1 = cells[0](x_t, h1)  # (N, H)
        h2 = cells[1](h1, h2)  # (N, H)
    return h2


with torch.no_grad():
    counts = profile.count_operators(two_cell_loop, torch.randn(L_ex, 3, 4))  # x: (L, N, H_in)
assert profile.matrix_products(counts) == cell_loop_products
checks.matmul_count(L_ex, cell_loop_products, nn_rnn_products, nn_lstm_products)""",
    parts=(
        Part("cell_loop_products", "int"),
        Part("nn_rnn_products", "int"),
        Part("nn_lstm_products", "int"),
    ),
    handed=("L_ex",),
    asked=("cell_loop_products", "nn_rnn_products", "nn_lstm_products"),
    reference=_counts,
    defaults=lambda: (100,),
    check_handed=_matmul_handed,
    variants=lambda generator: [(7,), (13,), (50,)],
    right="two products per cell call; nn.RNN hoists each layer's input projection; nn.LSTM "
    "runs as one oneDNN call per layer on the CPU",
    hints=Hints(
        "count, for each program, the products of one step, then those made once",
        "an nn.RNNCell call makes two products; nn.RNN makes one product per layer for its "
        "whole input and one per step and layer; nn.LSTM on the CPU calls oneDNN",
        "cell loop 4L, nn.RNN 2(L + 1), nn.LSTM 0 ATen products (CPU, float32)",
    ),
    mistakes=(
        Mistake(
            "the cell loop of one layer, or one product per cell",
            Hints(
                "cell_loop_products: count the products of one step",
                "cell_loop_products: each step calls two cells, and each nn.RNNCell call makes "
                "two products, x_t by weight_ih and h by weight_hh",
                "cell_loop_products = L_ex * 2 * 2",
            ),
            _mc(cell=lambda L: 2 * L),
        ),
        Mistake(
            "nn.RNN as one kernel",
            Hints(
                "cell_loop_products is right. nn_rnn_products: is nn.RNN one call on the CPU?",
                "cell_loop_products is right. On the CPU nn.RNN runs a loop of ATen operators in "
                "C++, products included (count them with profile.count_operators)",
                "cell_loop_products is right. nn_rnn_products = num_layers * (1 + L_ex)",
            ),
            _mc(rnn=lambda L: 1),
        ),
        Mistake(
            "nn.RNN with one input projection for both layers",
            Hints(
                "cell_loop_products is right. nn_rnn_products: which input does the second "
                "layer project, and when is it known?",
                "cell_loop_products is right. The second layer's input is the first layer's "
                "output, known only after the first layer's loop: nn.RNN projects it in a "
                "product of its own, with weight_ih_l1",
                "cell_loop_products is right. nn_rnn_products = num_layers * (1 + L_ex)",
            ),
            _mc(rnn=lambda L: 2 * L + 1),
        ),
        Mistake("nn.RNN of one layer", _RNN_HINTS, _mc(rnn=lambda L: L + 1)),
        Mistake("nn.RNN without its input projections", _RNN_HINTS, _mc(rnn=lambda L: 2 * L)),
        Mistake("nn.RNN as the cell loop", _RNN_HINTS, _mc(rnn=lambda L: 4 * L)),
        Mistake(
            "nn.LSTM as a loop of products",
            Hints(
                "cell_loop_products and nn_rnn_products are right. nn_lstm_products: does "
                "nn.LSTM run ATen products on the CPU?",
                "cell_loop_products and nn_rnn_products are right. Section 2 counted nn.LSTM: "
                "on the CPU in float32 it is one mkldnn_rnn_layer call per layer",
                "cell_loop_products and nn_rnn_products are right. nn_lstm_products = 0",
            ),
            _mc(lstm=lambda L: 2 * (L + 1)),
        ),
        Mistake("nn.LSTM's oneDNN calls counted as products", _LSTM_HINTS, _mc(lstm=lambda L: 2)),
        Mistake("nn.LSTM as one call", _LSTM_HINTS, _mc(lstm=lambda L: 1)),
        Mistake("nn.LSTM as 4 gates x 2 layers", _LSTM_HINTS, _mc(lstm=lambda L: 8)),
        Mistake("nn.LSTM as the cell loop", _LSTM_HINTS, _mc(lstm=lambda L: 4 * L)),
        Mistake("nn.LSTM as nn.RNN times 4 gates", _LSTM_HINTS, _mc(lstm=lambda L: 8 * (L + 1))),
        Mistake(
            "nn.LSTM as one product per gate or per layer and weight",
            Hints(
                "cell_loop_products and nn_rnn_products are right. nn_lstm_products: do the "
                "gates' products reach the dispatcher as ATen operators?",
                "cell_loop_products and nn_rnn_products are right. On the CPU in float32 each "
                "layer of nn.LSTM is one mkldnn_rnn_layer call; its four gates' products, for "
                "weight_ih and weight_hh, all happen inside that call, where the count does not "
                "see them",
                "cell_loop_products and nn_rnn_products are right. nn_lstm_products = 0: two "
                "mkldnn_rnn_layer calls, no ATen product",
            ),
            _mc(lstm=lambda L: 4),
        ),
    ),
)


# -- the input projection, checked as a property -----------------------------------------------


def _address(t: torch.Tensor) -> int:
    try:
        return t.untyped_storage().data_ptr()
    except (RuntimeError, NotImplementedError):
        return -1


#: Operators whose output holds its inputs' values side by side (``torch.cat([W_ih, W_hh], 1)``,
#: ``torch.stack``, ``repeat``, ``pad``, a copy into a slice of a bigger tensor): an output that
#: holds the weight is the weight too, and a product with it later is a read of the weight.
_CONTAINERS = frozenset(
    {"cat", "stack", "hstack", "vstack", "repeat", "tile", "constant_pad_nd", "block_diag",
     "repeat_interleave", "copy_", "index_put_", "slice_scatter", "select_scatter"}
)  # fmt: skip


#: Operators that multiply and sum, the ways of computing a projection: one that takes the weight
#: (or a tensor computed from it) is a read of the weight.
_READS = frozenset(
    {"mm", "addmm", "bmm", "baddbmm", "addbmm", "mv", "addmv", "dot", "vdot", "matmul", "linear",
     "_addmm_activation", "einsum", "tensordot", "linalg_vecdot", "convolution", "_convolution",
     "sum", "nansum", "mean"}
)  # fmt: skip


class _ProjectionReads(TorchDispatchMode):
    """Counts, per layer, the operators that read that layer's ``weight_ih``.

    Every tensor computed from the weight by an operator that is not a read is the weight too,
    whatever its size: a view (``.T``, ``expand``), a copy (``clone``, ``W * torch.ones(1)``,
    ``torch.where(W > 0, W, 0.)``), a broadcast copy (``W.T * torch.ones(2, 1, 1)``,
    ``W.expand(N, -1, -1).contiguous()``), a tensor that holds it among others
    (``torch.cat([W_ih, W_hh], 1)``, a copy into a slice: ``_CONTAINERS``), an elementwise
    product with ``x``. A read is a product or a sum (``_READS``: ``mm``, ``bmm``, ``addmm``,
    ``sum``, ...) that takes one of those tensors, unless its result has as many elements as the
    weight (``W @ torch.eye(H_in)``: a copy, followed further). A read's result is not followed,
    so the states computed from a projection are not the weight. Such tensors are kept alive
    while the mode runs, so that their memory is not reused by unrelated tensors.
    """

    def __init__(self, weights: dict[str, torch.Tensor]):
        super().__init__()
        self.numel = {name: w.numel() for name, w in weights.items()}
        self.addresses = {name: {_address(w)} for name, w in weights.items()}
        self.reads = Counter()
        self.alive = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        inputs = [a for a in tree_flatten((args, kwargs))[0] if isinstance(a, torch.Tensor)]
        outputs = [o for o in tree_flatten(out)[0] if isinstance(o, torch.Tensor)]
        for name, addresses in self.addresses.items():
            if not any(_address(a) in addresses for a in inputs):
                continue
            views = outputs and all(_address(o) in addresses for o in outputs)  # .T, expand
            copies = all(o.numel() == self.numel[name] for o in outputs)  # W @ eye, where(...)
            holds = func.overloadpacket.__name__ in _CONTAINERS  # cat([W_ih, W_hh], 1)...
            computes = func.overloadpacket.__name__ not in _READS  # W.T * ones(2, 1, 1), ...
            if outputs and (views or copies or holds or computes):
                addresses.update(_address(o) for o in outputs)  # the weight still
                self.alive.extend(outputs)
            else:
                self.reads[name] += 1
        return out


class _BuiltInWatch(TorchFunctionMode):
    """Notes whether the built-in recurrent kernels (``torch.rnn_tanh``...) were called."""

    def __init__(self) -> None:
        super().__init__()
        self.called = False

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") in _BUILT_IN:
            self.called = True
        return func(*args, **(kwargs or {}))


def _loop_call(forward, rnn, x):
    """Run ``forward(rnn, x)``: its output and how often the most-read layer's ``weight_ih`` was
    read (1 when every input projection is done once, before its loop)."""
    weights = {f"l{k}": getattr(rnn, f"weight_ih_l{k}") for k in range(rnn.num_layers)}
    watch, mode = _BuiltInWatch(), _ProjectionReads(weights)
    with torch.no_grad(), watch, mode:
        output = forward(rnn, x)
    if watch.called:
        raise FormError(
            "your function calls nn.RNN itself (rnn(x), rnn.forward or torch.rnn_tanh): write "
            "the loop with the module's weights, rnn.weight_ih_l0, rnn.weight_hh_l0, ..."
        )
    if output is None:
        return None
    if isinstance(output, (tuple, list)) and len(output) == 2:
        output = output[0]  # (output, h_n) as nn.RNN returns it
    return output, max(mode.reads.values(), default=0)


def _loop_probes(generator, layers):
    probes = []
    for L, N, H_in, H, scale in ((9, 2, 3, 5, 1.0), (6, 3, 4, 7, 0.6), (5, 4, 2, 3, 1.6),
                                 (7, 2, 5, 4, 1.2)):  # fmt: skip
        rnn = drawn(generator, lambda a=(H_in, H, layers): nn.RNN(a[0], a[1], a[2]), scale)
        x = torch.randn(L, N, H_in, generator=generator)  # (L, N, H_in)
        label = f"L={L}, N={N}, H_in={H_in}, H={H}, num_layers={layers}"
        probes.append(Probe(label, (rnn, x)))
    _warm_up()
    return probes


def _warm_up() -> None:
    """Run the watching modes once on a tiny loop: their first use in a process pays a start-up
    (seconds on a busy machine) that must not count against the student's time limit (probes are
    drawn off the clock)."""
    w = torch.ones(2, 2)
    with torch.no_grad(), _BuiltInWatch(), _ProjectionReads({"l0": w}):
        torch.tanh(torch.ones(3, 2) @ w.T + torch.ones(2))


_NOT_HOISTED = Hints(
    "output is right. How often does your function use weight_ih for the same layer? Check "
    "every layer",
    "output is right. At least one layer multiplies by its weight_ih inside its time loop (with "
    "@, F.linear, einsum, an elementwise product or a weight joined with W_hh: any of them). A "
    "layer's input projection depends on its input alone, not on h: in every layer, compute it "
    "for the whole sequence once, before that layer's loop",
    "output is right. In every layer: projected = layer_input @ W_ih.T + b_ih + b_hh before the "
    "loop; inside it only h = torch.tanh(projected_t + h @ W_hh.T)",
)


_NOT_HOISTED_ONE_LAYER = Hints(
    "output is right. How often does your function use weight_ih_l0?",
    "output is right. Your function multiplies by weight_ih_l0 inside its time loop. The input "
    "projection depends on x alone, not on h: compute it for the whole sequence once, before "
    "the loop",
    "output is right. projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 before the loop; "
    "inside it h = torch.tanh(projected_t + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)",
)


def _bias(which):
    return Hints(
        f"how many biases does each step add? Check {which}",
        "nn.RNN adds two biases, bias_ih and bias_hh, at every step and in every layer",
        "add both biases: projected = layer_input @ W_ih.T + b_ih + b_hh",
    )


def _twice(which):
    return Hints(
        f"how many times does each step add {which}?",
        f"{which} is in projected already, added once for the whole sequence; adding it again "
        "in the loop counts it twice",
        "each bias once: projected = layer_input @ W_ih.T + b_ih + b_hh before the loop, and "
        "inside it only h = torch.tanh(projected_t + h @ W_hh.T)",
    )


_W_HH_T = Hints(
    "weight_hh is square, so a missing transpose raises no error: check how you use it",
    "nn.RNN computes h @ weight_hh.T; weight_hh is (H, H), so h @ weight_hh runs and is wrong",
    "use h @ W_hh.T",
)


# -- 2. projected_loop: a two-layer loop with each input projection hoisted --------------------

PROJECTED_LOOP = Exercise(
    id=f"{CHAPTER}.projected_loop",
    version=2,
    title="A two-layer loop with each layer's input projection hoisted",
    points=3,
    kind="implement",
    starter="""\
def forward(rnn, x): ...


checks.projected_loop(forward)""",
    solution="""\
def forward(rnn, x):  # x: (L, N, H_in)
    layer_input = x  # (L, N, H_in), then (L, N, H) for the layers above the first
    for k in range(rnn.num_layers):
        W_ih, W_hh = getattr(rnn, f"weight_ih_l{k}"), getattr(rnn, f"weight_hh_l{k}")
        b_ih, b_hh = getattr(rnn, f"bias_ih_l{k}"), getattr(rnn, f"bias_hh_l{k}")
        projected = layer_input @ W_ih.T + b_ih + b_hh  # (L, N, H_in or H) -> (L, N, H)
        h = torch.zeros(x.shape[1], rnn.hidden_size)  # (N, H)
        outputs = []
        for projected_t in projected:  # projected_t: (N, H)
            h = torch.tanh(projected_t + h @ W_hh.T)  # (N, H)
            outputs.append(h)
        layer_input = torch.stack(outputs)  # L x (N, H) -> (L, N, H): the next layer's input
    return layer_input


checks.projected_loop(forward)""",
    parts=(Part("output", "tensor"), Part("weight_ih reads per layer", "int")),
    asked=("forward",),
    probes=lambda generator: _loop_probes(generator, 2),
    call=_loop_call,
    right="nn.RNN's output, with each layer's input projected once, before its time loop",
    hints=Hints(
        "compare each layer's last state with h_n[k] of rnn(x), or your first layer with a "
        "one-layer nn.RNN given weight_*_l0: which layer goes wrong first?",
        "each layer projects its whole input once, then at every step adds h @ W_hh.T and "
        "applies tanh; the second layer's input is the first layer's output at every step",
        "for each layer k: projected = layer_input @ W_ih.T + b_ih + b_hh; loop over steps with "
        "h = tanh(projected_t + h @ W_hh.T); stack the states as the next layer's input",
    ),
    mistakes=(
        Mistake(
            "an elementwise product at every step",
            _NOT_HOISTED,
            code="""\
def forward(rnn, x):
    layer_input = x
    for k in range(rnn.num_layers):
        W_ih, W_hh = getattr(rnn, f"weight_ih_l{k}"), getattr(rnn, f"weight_hh_l{k}")
        b_ih, b_hh = getattr(rnn, f"bias_ih_l{k}"), getattr(rnn, f"bias_hh_l{k}")
        h = torch.zeros(x.shape[1], rnn.hidden_size)
        outputs = []
        for x_t in layer_input:
            projected_t = (x_t[:, None, :] * W_ih).sum(-1) + b_ih + b_hh
            h = torch.tanh(projected_t + h @ W_hh.T)
            outputs.append(h)
        layer_input = torch.stack(outputs)
    return layer_input
""",
        ),
        Mistake(
            "weight_ih joined with weight_hh, one product per step",
            _NOT_HOISTED,
            code="""\
def forward(rnn, x):
    layer_input = x
    for k in range(rnn.num_layers):
        W_ih, W_hh = getattr(rnn, f"weight_ih_l{k}"), getattr(rnn, f"weight_hh_l{k}")
        b_ih, b_hh = getattr(rnn, f"bias_ih_l{k}"), getattr(rnn, f"bias_hh_l{k}")
        W = torch.cat([W_ih, W_hh], 1)
        h = torch.zeros(x.shape[1], rnn.hidden_size)
        outputs = []
        for x_t in layer_input:
            h = torch.tanh(torch.cat([x_t, h], 1) @ W.T + b_ih + b_hh)
            outputs.append(h)
        layer_input = torch.stack(outputs)
    return layer_input
""",
        ),
        Mistake(
            "the first layer only",
            Hints(
                "your output has the right shape: which layer's states are they?",
                "the second layer reads the first layer's output at every step, with its own "
                "weights (weight_ih_l1, weight_hh_l1, bias_ih_l1, bias_hh_l1)",
                "loop over k in range(rnn.num_layers), each layer's input the previous layer's "
                "output",
            ),
            edit=("range(rnn.num_layers)", "range(1)"),
        ),
        Mistake(
            "the output batch-first",
            Hints(
                "output has its first two dimensions swapped: (L, N, H) expected, sequence-first",
                "nn.RNN's output is sequence-first, (L, N, H), like its input x here: "
                "torch.stack(outputs) stacks the L states (N, H) along a new first dimension",
                "return torch.stack(outputs), (L, N, H), with no transpose, permute or dim=1",
            ),
            edit=("    return layer_input\n", "    return layer_input.transpose(0, 1)\n"),
        ),
        Mistake("bias_hh left out", _bias("bias_hh"), edit=(" + b_ih + b_hh", " + b_ih")),
        Mistake("bias_ih left out", _bias("bias_ih"), edit=(" + b_ih + b_hh", " + b_hh")),
        Mistake("weight_hh untransposed", _W_HH_T, edit=("h @ W_hh.T", "h @ W_hh")),
        Mistake(
            "bias_ih added twice",
            _twice("bias_ih"),
            edit=(
                "h = torch.tanh(projected_t + h @ W_hh.T)",
                "h = torch.tanh(projected_t + h @ W_hh.T + b_ih)",
            ),
        ),
        Mistake(
            "bias_hh added twice",
            _twice("bias_hh"),
            edit=(
                "h = torch.tanh(projected_t + h @ W_hh.T)",
                "h = torch.tanh(projected_t + h @ W_hh.T + b_hh)",
            ),
        ),
        Mistake(
            "weight_ih copied out of PyTorch",
            Hints(
                "output is right. The checker saw your function read the module's weight_ih 0 "
                "times: where does your W_ih come from?",
                "output is right. The checker counts the operators that read rnn.weight_ih_l0 and "
                "rnn.weight_ih_l1 themselves; a copy made through NumPy or .tolist() is a new "
                "tensor it cannot follow",
                "output is right. Use the module's tensors themselves, rnn.weight_ih_l0 and "
                "rnn.weight_ih_l1, with no copy: projected = layer_input @ W_ih.T + b_ih + b_hh",
            ),
            edit=(
                'getattr(rnn, f"weight_ih_l{k}"),',
                'torch.tensor(getattr(rnn, f"weight_ih_l{k}").tolist()),',
            ),
        ),
        Mistake(
            "the state's product hoisted too",
            Hints(
                "which h does each step's product use?",
                "h changes at every step, so h @ W_hh.T has to be computed inside the loop with "
                "the newest h",
                "inside the loop: h = torch.tanh(projected_t + h @ W_hh.T)",
            ),
            edit=(
                "        outputs = []\n"
                "        for projected_t in projected:  # projected_t: (N, H)\n"
                "            h = torch.tanh(projected_t + h @ W_hh.T)",
                "        recurrent = h @ W_hh.T\n        outputs = []\n"
                "        for projected_t in projected:  # projected_t: (N, H)\n"
                "            h = torch.tanh(projected_t + recurrent)",
            ),
        ),
    ),
)


# -- 3. fixed_loop: find the bug in a loop that hoisted too much -------------------------------

FIXED_LOOP = Exercise(
    id=f"{CHAPTER}.fixed_loop",
    version=2,
    title="Find the bug in a loop that hoisted the state's product too",
    points=2,
    kind="find-the-bug",
    starter="""\
def fixed_forward(rnn, x):  # x: (L, N, H_in)
    projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0  # (L, N, H_in) -> (L, N, H)
    h = torch.zeros(x.shape[1], rnn.hidden_size)  # (N, H)
    recurrent = h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0  # (N, H), hoisted too
    outputs = []
    for projected_t in projected:  # projected_t: (N, H)
        h = torch.tanh(projected_t + recurrent)  # (N, H)
        outputs.append(h)
    return torch.stack(outputs)  # L x (N, H) -> (L, N, H)


checks.fixed_loop(fixed_forward)""",
    solution="""\
def fixed_forward(rnn, x):  # x: (L, N, H_in)
    projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0  # (L, N, H_in) -> (L, N, H)
    h = torch.zeros(x.shape[1], rnn.hidden_size)  # (N, H)
    outputs = []
    for projected_t in projected:  # projected_t: (N, H)
        h = torch.tanh(projected_t + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)  # (N, H)
        outputs.append(h)
    return torch.stack(outputs)  # L x (N, H) -> (L, N, H)


checks.fixed_loop(fixed_forward)""",
    parts=(Part("output", "tensor"), Part("weight_ih reads per layer", "int")),
    asked=("fixed_forward",),
    probes=lambda generator: _loop_probes(generator, 1),
    call=_loop_call,
    right="nn.RNN's output: only the input projection, which depends on x alone, left the loop",
    hints=Hints(
        "compare your output with rnn(x)[0] step by step: at which step does it first differ, "
        "and what does that step use?",
        "the state's product h @ weight_hh.T has to use the newest h: a product computed once, "
        "from the initial h, is right at step 1 only",
        "inside the loop: h = torch.tanh(projected_t + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)",
    ),
    mistakes=(
        Mistake(
            "the input projected at every step",
            _NOT_HOISTED_ONE_LAYER,
            code="""\
def fixed_forward(rnn, x):
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    outputs = []
    for x_t in x:
        h = torch.tanh(
            x_t @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0
        )
        outputs.append(h)
    return torch.stack(outputs)
""",
        ),
        Mistake(
            "bias_hh left out",
            _bias("bias_hh"),
            edit=(" + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)", " + h @ rnn.weight_hh_l0.T)"),
        ),
        Mistake(
            "weight_hh untransposed",
            _W_HH_T,
            edit=("h @ rnn.weight_hh_l0.T", "h @ rnn.weight_hh_l0"),
        ),
        Mistake(
            "bias_ih added twice",
            Hints(
                "how many times does each step add bias_ih?",
                "bias_ih is in projected already, added once for the whole sequence; inside the "
                "loop only the state's part belongs: h @ weight_hh.T + bias_hh",
                "inside the loop: h = torch.tanh(projected_t + h @ rnn.weight_hh_l0.T + "
                "rnn.bias_hh_l0)",
            ),
            edit=("+ rnn.bias_hh_l0)  # (N, H)", "+ rnn.bias_ih_l0 + rnn.bias_hh_l0)  # (N, H)"),
        ),
        Mistake(
            "bias_hh added twice",
            Hints(
                "how many times does each step add bias_hh?",
                "look at the projection line, before the loop: it should add bias_ih only, "
                "since the loop adds bias_hh at every step",
                "projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0, and inside the loop: "
                "h = torch.tanh(projected_t + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)",
            ),
            edit=(
                "projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0  #",
                "projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0  #",
            ),
        ),
        Mistake(
            "tanh left out",
            Hints(
                "the state's product is in the loop now; what does nn.RNN apply to the sum?",
                "nn.RNN's step is h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh): without "
                "the tanh the states are not squashed into (-1, 1): some exceed 1",
                "h = torch.tanh(projected_t + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)",
            ),
            edit=(
                "h = torch.tanh(projected_t + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)",
                "h = projected_t + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0",
            ),
        ),
    ),
)

matmul_count = checker(MATMUL_COUNT)
projected_loop = checker(PROJECTED_LOOP)
fixed_loop = checker(FIXED_LOOP)

EXERCISES = (MATMUL_COUNT, PROJECTED_LOOP, FIXED_LOOP)
