"""Exercises of the chapter on a stacked RNN (04), defined once, and the older checkers kept for
student copies made before the port.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. Probes use sizes that are all different (L != N != H_in != H, num_layers
different from all of them) and vary the number of layers and directions; their weights come from
a local ``torch.Generator``, so a checker never moves the notebook's global random state.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnlab.checks._exercise import (
    Exercise,
    FormError,
    Hints,
    Mistake,
    Part,
    Probe,
    checker,
    directions,
    drawn_rnn,
)
from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student

__all__ = ["EXERCISES", "layer_state", "stacked_forward", "stacked_head", "stacked_shapes"]

CHAPTER = "04_stacked"


#: Probe sizes, all different: H_in, H, L, N.
H_IN, H, L, N = 8, 5, 7, 4


def _probe_rnn(seed: int, **kwargs) -> nn.RNN:
    """An ``nn.RNN`` with reproducible weights, built without touching the global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.RNN(**kwargs)


def _probe_input(seed: int, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _same(a, b) -> bool:
    """Same shape and close values (float64 tolerance of the course's comparisons)."""
    return (
        isinstance(a, torch.Tensor)
        and a.shape == b.shape
        and a.dtype.is_floating_point
        and bool(torch.allclose(a.detach().double(), b.detach().double(), atol=1e-5, rtol=1e-4))
    )


def _rel_error(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a.detach().double(), b.detach().double()
    return float((a - b).norm() / b.norm().clamp_min(1e-12))


# -- kept for older student copies (and chapter 05's legacy checker) ----------------------


def _head_verdict(model_class, configs, candidates, correct_message: str) -> Result:
    """Run ``model_class(H_in, H, num_layers, n_classes)`` on probe inputs and compare its
    logits with the right ones (``candidates["right"]``) and with each known mistake.

    ``candidates(model, x)`` returns the right logits and a list of (verdict, logits), one per
    known mistake; the first mistake whose logits match gives its verdict.
    """
    pending = _not_attempted(model_class)
    if pending is not None:
        return pending
    if not callable(model_class):
        return Result(INCORRECT, "give the class itself, class Classifier(nn.Module): ...")
    for seed, (num_layers, bidirectional) in enumerate(configs):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(100 + seed)
            model, failed = _run_student(model_class, H_IN, H, num_layers, 2)
        if failed is not None:
            return failed
        rnn, head = getattr(model, "rnn", None), getattr(model, "head", None)
        if not isinstance(rnn, nn.RNN) or not isinstance(head, nn.Linear):
            return Result(
                INCORRECT, "keep the two parts of the model as they are: self.rnn and self.head"
            )
        if rnn.bidirectional != bidirectional or rnn.num_layers != num_layers:
            return Result(
                INCORRECT,
                "build self.rnn from the arguments (num_layers, bidirectional as given): "
                "the bug is in forward",
            )
        model.eval()
        x = _probe_input(seed, N, L, H_IN)  # (N, L, H_in)
        with torch.no_grad():
            logits, failed = _run_student(model, x)
            if failed is not None:
                return failed
            right, mistakes = candidates(model, x)
        if not isinstance(logits, torch.Tensor) or logits.shape != right.shape:
            return Result(INCORRECT, "forward should return logits of shape (N, n_classes)")
        if _same(logits, right):
            continue
        for verdict, wrong in mistakes:
            if _same(logits, wrong):
                return verdict
        return Result(
            INCORRECT,
            f"the logits differ from the right ones (relative error "
            f"{_rel_error(logits, right):.2e}, num_layers={num_layers})",
        )
    return Result(CORRECT, correct_message)


def stacked_head(model_class) -> Result:
    """Exercise (find the bug): a classifier on a stacked RNN reads ``h_n[0]``, the final state
    of layer 0, instead of the last layer's. Fix ``forward``; the checker builds the class with
    ``num_layers`` = 2 and 3 and compares the logits with ``head(h_n[-1])``.

    Shapes: x (N, L, H_in) batch-first; h_n (num_layers, N, H); logits (N, n_classes).

    Used in: no chapter now (04_stacked asks for stacked_forward instead); kept so that older
    student copies still check.
    """

    def candidates(model, x):
        output, h_n = model.rnn(x)  # (N, L, H), (num_layers, N, H)
        mistakes = [
            (
                Result(
                    INCORRECT,
                    "you read h_n[0], the final state of layer 0: the classifier should read "
                    "the last layer's, the one output ends with",
                ),
                model.head(h_n[0]),
            ),
            (
                Result(
                    INCORRECT,
                    "output[:, 0] is the first time step: the final state is at the last one",
                ),
                model.head(output[:, 0]),
            ),
        ]
        if model.rnn.num_layers > 2:
            mistakes.append(
                (
                    Result(
                        INCORRECT,
                        "h_n[1] is layer 1's final state: right for two layers only. Which "
                        "index is the last layer whatever num_layers is?",
                    ),
                    model.head(h_n[1]),
                )
            )
        return model.head(h_n[-1]), mistakes

    return _head_verdict(
        model_class,
        [(2, False), (3, False)],
        candidates,
        "the head reads the last layer's final state, h_n[-1] (the same as output[:, -1])",
    )


# -- the exercises ------------------------------------------------------------------------------


# -- 1. stacked_shapes: predict output and h_n of a stacked RNN -------------------------------


def _shapes_reference(rnn, x):
    output, h_n = rnn(x)
    return tuple(output.shape), tuple(h_n.shape)


def _sizes(rnn, x):
    """The sizes a shape can be made of, by name: L, N, H_in, H, D*H, D*num_layers (and twice
    that), num_layers."""
    d = directions(rnn)
    L, N = (x.shape[1], x.shape[0]) if rnn.batch_first else (x.shape[0], x.shape[1])
    return {
        "L": L,
        "N": N,
        "H_in": rnn.input_size,
        "H": rnn.hidden_size,
        "DH": d * rnn.hidden_size,
        "DN": d * rnn.num_layers,
        "2DN": 2 * d * rnn.num_layers,
        "layers": rnn.num_layers,
        "all": d * rnn.num_layers * rnn.hidden_size,
    }


def _predicted(output=None, h_n=None):
    """A mistake of a shape exercise: output or h_n made of the named sizes, the other right.
    Sizes are named as in ``_sizes``; a tuple is laid out sequence-first and turned batch-first
    when the RNN is."""

    def answer(rnn, x):
        right = _shapes_reference(rnn, x)
        sizes = _sizes(rnn, x)

        def build(names):
            shape = [sizes.get(s, s) for s in names]
            if rnn.batch_first and len(shape) == 3 and names[:2] == ("L", "N"):
                shape[0], shape[1] = shape[1], shape[0]
            return tuple(shape)

        return (
            right[0] if output is None else build(output),
            right[1] if h_n is None else build(h_n),
        )

    return answer


def _shapes_handed(rnn, x, bidirectional: bool = False) -> str:
    if not isinstance(rnn, nn.RNNBase) or not isinstance(x, torch.Tensor) or x.dim() != 3:
        return "pass the cell's rnn_1 and x_1 first (an RNN and a 3-D input), then your two shapes"
    if rnn.num_layers < 2 or (bidirectional and not rnn.bidirectional):
        kind = "bidirectional layers" if bidirectional else "layers"
        return f"keep the cell's rnn_1 as it is, a stack of {kind}, then give its shapes"
    return ""


_H_N_BATCH_FIRST = Hints(
    "output is right. h_n: which dimension comes first in h_n?",
    "output is right. h_n is never batch-first: the layers come first",
    "output is right. h_n is (D*num_layers, N, H)",
)


_EVERY_LAYER = Hints(
    "output: which layers does output hold?",
    "output: the layers below pass their states up to the next layer; output holds the states "
    "one layer gives at every step",
    "output holds the last layer only: D*H features per step, (L, N, D*H)",
)
_H_N_LAYERS = Hints(
    "output is right. h_n: how many final states does a stack of layers have?",
    "output is right. Every layer ends with a final state of its own, and h_n keeps them all",
    "output is right. h_n is (D*num_layers, N, H): one final state per layer (and direction)",
)


def _output_other_layout(rnn, x):
    """output with its first two sizes exchanged: batch-first for a sequence-first RNN, and the
    other way round."""
    output, h_n = _shapes_reference(rnn, x)
    return (output[1], output[0], *output[2:]), h_n


_OTHER_LAYOUT = Hints(  # L and N exchanged
    "output: which of its first two dimensions is time, which the batch?",
    "output: output is laid out as x is (batch_first says which comes first); only its last size "
    "changes",
    "output is (L, N, D*H) for an x of (L, N, H_in), and (N, L, D*H) with batch_first=True",
)


STACKED_SHAPES = Exercise(
    id=f"{CHAPTER}.stacked_shapes",
    version=1,
    title="Predict the shapes of output and h_n of a four-layer RNN",
    points=2,
    kind="predict",
    starter="""\
rnn_1 = nn.RNN(input_size=7, hidden_size=3, num_layers=4)
x_1 = torch.zeros(9, 5, 7)  # (L, N, H_in)
output_shape = ...
h_n_shape = ...
checks.stacked_shapes(rnn_1, x_1, output_shape, h_n_shape)""",
    solution="""\
rnn_1 = nn.RNN(input_size=7, hidden_size=3, num_layers=4)
x_1 = torch.zeros(9, 5, 7)  # (L, N, H_in)
output_shape = (9, 5, 3)  # (L, N, D*H): the last layer only, not num_layers*H
h_n_shape = (4, 5, 3)  # (D*num_layers, N, H): one final state per layer
checks.stacked_shapes(rnn_1, x_1, output_shape, h_n_shape)""",
    parts=(Part("output_shape", "shape"), Part("h_n_shape", "shape")),
    handed=("rnn", "x"),
    asked=("output_shape", "h_n_shape"),
    reference=_shapes_reference,
    defaults=lambda: (nn.RNN(input_size=7, hidden_size=3, num_layers=4), torch.zeros(9, 5, 7)),
    check_handed=_shapes_handed,
    variants=lambda generator: [
        (nn.RNN(H_in, H, num_layers=layers, batch_first=bf), torch.zeros(*shape))
        for H_in, H, layers, bf, shape in (
            (2, 6, 3, False, (4, 5, 2)),
            (5, 2, 3, True, (7, 4, 5)),
            (3, 4, 2, False, (6, 8, 3)),
        )
    ],
    right="output holds the top layer at every step; h_n one final state per layer",
    hints=Hints(
        "compare each shape with the layout of x and with what a stack of layers keeps",
        "output is laid out like x, with the features of one layer; h_n holds one final state per "
        "layer, (D*num_layers, N, H), whatever batch_first says",
        "output is (L, N, D*H) and h_n is (D*num_layers, N, H)",
    ),
    mistakes=(
        Mistake("output holds every layer's features", _EVERY_LAYER, _predicted(("L", "N", "all"))),
        Mistake("output holds every layer", _EVERY_LAYER, _predicted(("layers", "L", "N", "H"))),
        Mistake(
            "output with H_in features",
            Hints(
                "output: how many features does each step of output have?",
                "output: each step of output holds a hidden state, not the input",
                "output has D*H features per step, not H_in",
            ),
            _predicted(("L", "N", "H_in")),
        ),
        Mistake("output in the other layout", _OTHER_LAYOUT, _output_other_layout),
        Mistake("h_n of the last layer only", _H_N_LAYERS, _predicted(h_n=(1, "N", "H"))),
        Mistake(
            "h_n with H_in features",  # H_in and H exchanged
            Hints(
                "output is right. h_n: how many features does each final state have?",
                "output is right. h_n holds hidden states, as output does: H features each, not "
                "the input's H_in",
                "output is right. h_n is (D*num_layers, N, H)",
            ),
            _predicted(h_n=("DN", "N", "H_in")),
        ),
        Mistake(
            "h_n at every step",
            Hints(
                "output is right. h_n: at which step is h_n taken?",
                "output is right. h_n holds the state after the last step only; the state at "
                "every step is output",
                "output is right. h_n is (D*num_layers, N, H): one final state per layer",
            ),
            _predicted(h_n=("L", "N", "H")),
        ),
        Mistake(
            "h_n with the layers doubled",  # two directions counted where D is 1
            Hints(
                "output is right. h_n: how many directions does this RNN have?",
                "output is right. Without bidirectional=True D is 1: one final state per layer, "
                "not two",
                "output is right. h_n is (D*num_layers, N, H), with D = 1 here",
            ),
            _predicted(h_n=("2DN", "N", "H")),
        ),
        Mistake("h_n batch-first", _H_N_BATCH_FIRST, _predicted(h_n=("N", "DN", "H"))),
        Mistake(
            "h_n with N and H exchanged",
            Hints(
                "output is right. h_n: which of its last two dimensions is the batch?",
                "output is right. h_n lists each layer's final states as output lists a step's: "
                "the batch first, then the H features",
                "output is right. h_n is (D*num_layers, N, H)",
            ),
            _predicted(h_n=("DN", "H", "N")),
        ),
    ),
)


# -- 2. stacked_forward: find the bug in a stack run layer by layer ---------------------------


def _stacked_forward_probes(generator):
    probes = []
    for N, L, H_in, H, layers in ((2, 5, 6, 4, 3), (4, 3, 6, 5, 2), (3, 6, 2, 7, 4)):
        sizes = [H_in] + [H] * (layers - 1)  # layer k reads H_in (k = 0) or H features
        stack = nn.ModuleList([drawn_rnn(generator, n, H, batch_first=True) for n in sizes])
        x = torch.randn(N, L, H_in, generator=generator)  # (N, L, H_in)
        h0 = torch.randn(layers, N, H, generator=generator)  # (num_layers, N, H)
        label = f"N={N}, L={L}, H_in={H_in}, H={H}, num_layers={layers}"
        probes.append(Probe(label, (stack, x, h0)))
    return probes


def _no_grad_call(function, *args):
    with torch.no_grad():
        return function(*args)


STACKED_FORWARD = Exercise(
    id=f"{CHAPTER}.stacked_forward",
    version=1,
    title="Find the silent bug in a stack run one layer at a time",
    points=3,
    kind="find-the-bug",
    starter="""\
def stacked_forward(layers, x, h0):  # layers: one-layer RNNs, batch-first; x: (N, L, H_in)
    finals = []
    h = h0[0:1]  # (1, N, H): layer 0 starts from h0[0]
    for layer in layers:
        x, h = layer(x, h)  # (N, L, H), (1, N, H): the next layer starts from this state
        finals.append(h)
    return x, torch.cat(finals)  # (N, L, H), (num_layers, N, H)


checks.stacked_forward(stacked_forward)""",
    solution="""\
def stacked_forward(layers, x, h0):  # layers: one-layer RNNs, batch-first; x: (N, L, H_in)
    finals = []
    for k, layer in enumerate(layers):
        x, h = layer(x, h0[k : k + 1])  # layer k starts from h0[k]: (N, L, H), (1, N, H)
        finals.append(h)  # layer k's final state, after step L (index L-1)
    return x, torch.cat(finals)  # (N, L, H), (num_layers, N, H)


checks.stacked_forward(stacked_forward)""",
    parts=(Part("output", "tensor"), Part("h_n", "tensor")),
    asked=("stacked_forward",),
    probes=_stacked_forward_probes,
    call=_no_grad_call,
    right="each layer reads the one below and starts from its own row of h0: the output and "
    "h_n of the worked solution, which section 4 checked against nn.RNN",
    hints=Hints(
        "the states differ from the stacked RNN's: which input and which initial state does each "
        "layer get?",
        "a stacked RNN hands layer k two things: its input (x for layer 0, the outputs of layer "
        "k-1 for the layers above) and h0[k] (its state before step 1). Where does your code "
        "take each from?",
        "give layer k the initial state h0[k : k + 1] (no other state) and, from layer 1 up, the "
        "output of layer k-1 as its input",
    ),
    mistakes=(
        Mistake(
            "layer 0 from zeros",
            Hints(
                "layer 0 already differs: which initial state does it start from?",
                "layer 0 gets no h0 and starts from zeros; the stacked RNN started it from h0[0]",
                "give every layer, layer 0 too, its row of h0: layer(x, h0[k : k + 1])",
            ),
            edit=("layer(x, h0[k : k + 1])", "layer(x, None if k == 0 else h0[k : k + 1])"),
        ),
        Mistake(
            "every layer from h0[0]",
            Hints(
                "layer 0 is right; which initial state do the layers above start from?",
                "h0 has one row per layer: h0[k] is the state layer k starts from, not only "
                "layer 0's",
                "give layer k h0[k : k + 1]",
            ),
            edit=("h0[k : k + 1]", "h0[0:1]"),
        ),
        Mistake(
            "h0 rows in reverse order",
            Hints(
                "layer 0 already differs: which row of h0 does it start from?",
                "h0 lists the layers bottom up, as h_n does: h0[0] is layer 0's initial state, "
                "h0[-1] the top layer's",
                "give layer k h0[k : k + 1], in the order of the layers",
            ),
            edit=("layer(x, h0[k : k + 1])", "layer(x, h0.flip(0)[k : k + 1])"),
        ),
        Mistake(
            "no h0",
            Hints(
                "your layers ignore an argument you were handed: which one?",
                "without an initial state each layer starts from zeros; the stacked RNN started "
                "from h0",
                "pass h0[k : k + 1] as the second argument of layer k",
            ),
            edit=("layer(x, h0[k : k + 1])", "layer(x)"),
        ),
        Mistake(
            "every layer reads x",
            Hints(
                "layer 1 raised an error about its input size: which tensor does each layer read?",
                "layer k reads layer k-1's output, not x: only layer 0 reads x, with its H_in "
                "features; the layers above read H",
                "pass each layer's output on to the next: x, h = layer(x, h0[k : k + 1]) "
                "replaces x as the loop goes",
            ),
            code="""\
def stacked_forward(layers, x, h0):
    finals = []
    for k, layer in enumerate(layers):
        output, h = layer(x, h0[k : k + 1])  # every layer reads x
        finals.append(h)
    return output, torch.cat(finals)
""",
        ),
        Mistake(
            "h0[k] without its layer dimension",
            Hints(
                "the initial state you pass has lost a dimension: count the dimensions of h0[k]",
                "a batched one-layer RNN takes its h0 as (1, N, H); h0[k] is (N, H)",
                "keep the layer dimension: h0[k:k+1], (1, N, H)",
            ),
            edit=("h0[k : k + 1]", "h0[k]"),
        ),
        Mistake(
            "layer 0's output returned",
            Hints(
                "h_n is right. output: which layer's states does it hold?",
                "h_n is right. output holds the states of the last layer at every step; layer 0's "
                "states are only the input of layer 1",
                "h_n is right. Return the output of the last layer, the x the loop ends with",
            ),
            code="""\
def stacked_forward(layers, x, h0):
    finals = []
    for k, layer in enumerate(layers):
        x, h = layer(x, h0[k : k + 1])
        finals.append(h)
        if k == 0:
            output = x  # layer 0's states kept as output
    return output, torch.cat(finals)
""",
        ),
        Mistake(
            "h_n in the wrong order",
            Hints(
                "output is right. h_n: in which order are the layers' final states?",
                "output is right. h_n puts layer 0's final state first and the last layer's last",
                "output is right. Concatenate the final states in the order of the layers",
            ),
            edit=("torch.cat(finals)", "torch.cat(finals[::-1])"),
        ),
        Mistake(
            "h_n stacked",
            Hints(
                "output is right. h_n: count its dimensions",
                "output is right. Each final state is already (1, N, H); stacking them adds a "
                "dimension",
                "output is right. Concatenate the (1, N, H) states along dimension 0: "
                "torch.cat(finals)",
            ),
            edit=("torch.cat(finals)", "torch.stack(finals)"),
        ),
        Mistake(
            "h_n of the last step of output",
            Hints(
                "output is right. h_n: whose final states does it hold?",
                "output is right. output[:, -1] is the last layer's final state only; h_n holds "
                "every layer's",
                "output is right. Keep each layer's final state as the loop runs and "
                "concatenate them",
            ),
            edit=("torch.cat(finals)", "x[:, -1:].transpose(0, 1)"),
        ),
        Mistake(
            "output sequence-first",
            Hints(
                "h_n is right. output: in which order are its dimensions?",
                "h_n is right. The layers are batch-first, so output keeps x's layout, "
                "(N, L, H); only h0 and h_n put their first dimension elsewhere",
                "h_n is right. Return the last layer's output as it comes, without transposing it",
            ),
            edit=("return x, torch.cat(finals)", "return x.transpose(0, 1), torch.cat(finals)"),
        ),
    ),
)


# -- 3. layer_state: one layer's entries of a state_dict, renamed ------------------------------


def _layer_state_probes(generator):
    probes = []
    for H_in, H, layers, bidirectional, k in (
        (5, 2, 3, False, 1),
        (7, 5, 3, True, 1),
        (2, 3, 12, False, 1),
        (5, 2, 12, True, 10),
        (8, 5, 3, True, 0),
    ):
        state = drawn_rnn(generator, H_in, H, num_layers=layers, bidirectional=bidirectional)
        state = {name: value.detach().clone() for name, value in state.state_dict().items()}
        n_in = H_in if k == 0 else (1 + bidirectional) * H
        x = torch.randn(6, 4, n_in, generator=generator)  # (L, N, H_in of layer k)
        label = f"k={k} of num_layers={layers}, D={1 + bidirectional}, H_in={H_in}, H={H}"
        probes.append(Probe(label, (state, k, x)))
    return probes


def _layer_state_call(select, state, k, x):
    """Load what ``select(state, k)`` returns into a one-layer RNN and run it on ``x``."""
    chosen = select(state, k)
    if chosen is None:
        return None
    if not hasattr(chosen, "keys") or not hasattr(chosen, "__getitem__"):
        raise FormError("return a dict from names to tensors, as a state_dict is")
    H = state["weight_hh_l0"].shape[1]
    bidirectional = any(name.endswith("_reverse") for name in state)
    layer = nn.RNN(x.shape[-1], H, bidirectional=bidirectional)
    expected = set(layer.state_dict())
    missing = sorted(expected - set(chosen.keys()))
    extra = sorted(set(chosen.keys()) - expected, key=str)
    if missing or extra:  # the form of the answer is wrong: say which keys, in one line
        said = [f"it lacks {', '.join(missing)}"] if missing else []
        said += [f"a one-layer RNN has no {', '.join(map(str, extra))}"] if extra else []
        if missing and not extra and all(name.startswith("bias") for name in missing):
            said.append("keep the biases too, not only the weights")
        overwritten = [  # a _reverse tensor renamed onto a forward key: that key kept it
            name
            for name in sorted(expected & set(chosen.keys()))
            if not name.endswith("_reverse")
            and name.replace("_l0", f"_l{k}", 1) + "_reverse" in state
            and isinstance(chosen[name], torch.Tensor)
            and torch.equal(chosen[name], state[name.replace("_l0", f"_l{k}", 1) + "_reverse"])
        ]
        if overwritten:
            said.append(f"your {overwritten[0]} holds _l{k}_reverse's tensor")
        raise ValueError(  # an error, not a FormError: known mistakes are told by its text
            f"your dict does not load into a one-layer RNN ({k=} of a stack with "
            f"D={1 + bidirectional}): {'; '.join(said)}"[:300]
        )
    for name in expected:
        if not isinstance(chosen[name], torch.Tensor):
            raise FormError("each value of the dict is a tensor, as in the state_dict")
    for name in sorted(expected):  # a tensor of another shape would not load: say whose it is
        source = name.replace("_l0", f"_l{k}", 1)
        got = chosen[name]
        if got.shape != state[source].shape:
            same = (o for o, v in state.items() if v.shape == got.shape and torch.equal(v, got))
            found = next(same, None)
            which = f"the state_dict's {found}" if found else "a tensor"
            raise FormError(
                f"your {name} holds {which}, {tuple(got.shape)}, but layer k's {source} is "
                f"{tuple(state[source].shape)}: pick layer k's tensors"
            )
    for name in expected:  # layer k's biases under each other's names
        source = name.replace("_l0", f"_l{k}", 1)
        other = source.replace("_ih_", "_XX_").replace("_hh_", "_ih_").replace("_XX_", "_hh_")
        if name.startswith("bias") and torch.equal(chosen[name], state[other]):
            # b_ih + b_hh is the same sum either way: the output cannot tell, so this is said.
            # Any other tensor from elsewhere runs, and its wrong output gets the verdict.
            raise ValueError(  # one text for every such swap: the known mistake's
                "your dict holds layer k's bias_hh under the name bias_ih, or its bias_ih under "
                "bias_hh"
            )
    layer.load_state_dict(dict(chosen.items()))
    with torch.no_grad():
        output, _ = layer(x)  # (L, N, D*H)
    return output


_LONGER = Hints(
    "with 12 layers some keys of other layers are taken too: which keys contain _l1?",
    "'_l1' is also inside '_l10' and '_l11': a piece of the key is not its layer number",
    "compare the whole layer number at the end of the key (the key ends with _l1 or "
    "_l1_reverse), not a piece of it",
)

#: The line of layer_state's solution that picks layer k: most mistakes change what follows it.
_LAYER_K = "        if int(number) == k:  # the whole number: _l1 is also inside _l10\n"
_TRANSPOSED = '            if stem == "{stem}":\n                value = value.T  # loads too\n'

LAYER_STATE = Exercise(
    id=f"{CHAPTER}.layer_state",
    version=1,
    title="Select one layer's weights from a stacked RNN's state_dict",
    points=3,
    kind="implement",
    starter="""\
def select(state, k): ...


checks.layer_state(select)""",
    solution="""\
def select(state, k):
    chosen = {}
    for name, value in state.items():
        stem, layer = name.split("_l", 1)  # "weight_ih_l1_reverse" -> "weight_ih", "1_reverse"
        number, _, direction = layer.partition("_")  # "1", "_", "reverse"
        if int(number) == k:  # the whole number: _l1 is also inside _l10
            chosen[f"{stem}_l0" + (f"_{direction}" if direction else "")] = value
    return chosen


checks.layer_state(select)""",
    parts=(Part("the loaded layer's output", "tensor"),),
    asked=("select",),
    probes=_layer_state_probes,
    call=_layer_state_call,
    right="each layer's weights, renamed to _l0, load into a one-layer RNN that computes that "
    "layer, for one or two directions and any number of layers",
    hints=Hints(
        "a one-layer RNN loaded with your dict does not compute layer k: which tensors did you "
        "pick?",
        "pick every entry whose layer number is k (both directions) and only those, then rename "
        "_lk to _l0",
        "keep the keys ending in _lk or _lk_reverse, with _lk renamed _l0",
    ),
    mistakes=(
        Mistake(
            "piece of the key",
            _LONGER,
            code="""\
def select(state, k):
    return {
        name.replace(f"_l{k}", "_l0"): value for name, value in state.items() if f"_l{k}" in name
    }
""",
        ),
        Mistake(
            "not renamed",
            Hints(
                "the keys still name layer k: what are a one-layer RNN's keys called?",
                "a one-layer RNN only has keys ending in _l0 (and _l0_reverse)",
                "rename _lk to _l0 in every key you keep",
            ),
            code="""\
def select(state, k):
    ends = (f"_l{k}", f"_l{k}_reverse")
    return {name: value for name, value in state.items() if name.endswith(ends)}
""",
        ),
        Mistake(
            "forward direction only",
            Hints(
                "a bidirectional layer has more entries: which did you leave out?",
                "with two directions each layer also has keys ending in _reverse: keep them",
                "keep the keys ending in _lk and _lk_reverse, renamed _l0 and _l0_reverse",
            ),
            code="""\
def select(state, k):
    return {name.replace(f"_l{k}", "_l0"): value for name, value in state.items()
            if name.endswith(f"_l{k}")}
""",
        ),
        Mistake(
            "reverse renamed onto forward",
            Hints(
                "your _reverse entries were renamed onto the forward keys: which suffix did "
                "your renaming drop?",
                "a key ending in _lk_reverse renamed _l0 replaces the forward tensor of the "
                "same name, and the dict has no _l0_reverse keys",
                "rename only _lk to _l0 and keep the suffix: _lk_reverse -> _l0_reverse",
            ),
            code="""\
def select(state, k):
    import re

    return {
        re.sub(r"_l\\d+(_reverse)?$", "_l0", name): value
        for name, value in state.items()
        if re.search(rf"_l{k}(_reverse)?$", name)
    }
""",
        ),
        Mistake(
            "only the weights",
            Hints(
                "your dict lacks the biases: a one-layer RNN with biases has four entries per "
                "direction",
                "bias_ih_lk and bias_hh_lk belong to layer k as much as its two weights do",
                "keep every key of layer k, weights and biases, renamed _l0",
            ),
            edit=(_LAYER_K, _LAYER_K.replace("== k:", '== k and stem.startswith("weight"):')),
        ),
        Mistake(
            "directions swapped",
            Hints(
                "right with one direction: with two, which direction does each key hold?",
                "keys ending in _reverse hold the reverse direction: a forward weight renamed "
                "_l0_reverse runs the sequence backwards",
                "keep each direction's suffix: _lk -> _l0 and _lk_reverse -> _l0_reverse",
            ),
            edit=(
                _LAYER_K,
                _LAYER_K
                + '            if any(n.endswith("_reverse") for n in state):  # exchanged\n'
                + '                direction = "" if direction else "reverse"\n',
            ),
        ),
        Mistake(
            "weight_hh transposed",
            Hints(
                "the right entries under the right names: is each tensor as the state_dict holds "
                "it?",
                "weight_hh_lk is (H, H), so its transpose loads without an error, but the layer "
                "then multiplies h by the wrong matrix",
                "copy every tensor as it is, without .T",
            ),
            edit=(_LAYER_K, _LAYER_K + _TRANSPOSED.format(stem="weight_hh")),
        ),
        Mistake(
            "biases swapped",
            Hints(
                "each key must hold its own tensor: which tensor did you put under each bias?",
                "bias_ih_lk becomes bias_ih_l0 and bias_hh_lk becomes bias_hh_l0: rename the "
                "layer number, keep the rest of the key",
                "rename only _lk to _l0, so that every tensor keeps its kind (ih or hh)",
            ),
            edit=(
                _LAYER_K,
                _LAYER_K
                + '            swap = {"bias_ih": "bias_hh", "bias_hh": "bias_ih"}\n'
                + "            stem = swap.get(stem, stem)\n",
            ),
        ),
        Mistake(
            "weight_ih transposed",
            Hints(
                "the right entries under the right names: is each tensor as the state_dict holds "
                "it?",
                "weight_ih_lk of a layer above the first is (H, H) with one direction, so its "
                "transpose loads without an error, but the layer then multiplies its input by "
                "the wrong matrix",
                "copy every tensor as it is, without .T",
            ),
            edit=(_LAYER_K, _LAYER_K + _TRANSPOSED.format(stem="weight_ih")),
        ),
        Mistake(
            "by position",
            Hints(
                "right with one direction: how many entries does a layer have with two?",
                "selecting by position assumes four entries per layer; a bidirectional layer has "
                "eight",
                "select by name (the layer number at the end of the key), never by position",
            ),
            code="""\
def select(state, k):
    import re

    items = list(state.items())[4 * k : 4 * k + 4]
    return {re.sub(r"_l\\d+", "_l0", name): value for name, value in items}
""",
        ),
    ),
    equivalent={
        "line 4: 1 -> 2": "keys hold '_l' once, so a second split never happens",
    },
)


EXERCISES = (STACKED_SHAPES, STACKED_FORWARD, LAYER_STATE)

stacked_shapes = checker(STACKED_SHAPES)
stacked_forward = checker(STACKED_FORWARD)
layer_state = checker(LAYER_STATE)
