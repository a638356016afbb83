"""Exercises of the chapter on sequence-first, batch-first and unbatched layouts (03), defined once.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. The checkers the notebook calls are made from these records. Probes use
sizes that are all different (L != N != H_in != H, D*num_layers != N) and vary the number of layers
and directions, so that a transposed or half-right answer cannot pass for the right one.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
from torch import nn

from rnnlab.checks._exercise import (
    _WHOLE,
    Exercise,
    FormError,
    Hints,
    Mistake,
    Part,
    Probe,
    _as_tensor,
    checker,
    directions,
    drawn_rnn,
)
from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    Result,
    _not_attempted,
    _run_student,
)

__all__ = [
    "EXERCISES",
    "fixed_classifier",
    "run_batch_first",
    "single_steps",
    "to_sequence_first",
    "windows_batch",
]

CHAPTER = "03_batch_first"


# -- 1. single_steps: predict the shapes of a 2-D input's output and h_n ----------------------


def _single_steps_reference(rnn, x):
    output, h_n = rnn(x)
    return tuple(output.shape), tuple(h_n.shape)


def _shapes_of(rnn, x):
    """L, D*H, D*num_layers, H of the exercise's RNN and 2-D input."""
    d = directions(rnn)
    return x.shape[0], d * rnn.hidden_size, d * rnn.num_layers, rnn.hidden_size


def _ss(output=None, h_n=None):
    """A mistake of exercise 1: the wrong output or h_n shape, the other part right."""

    def answer(rnn, x):
        right = _single_steps_reference(rnn, x)
        L, DH, DN, H = _shapes_of(rnn, x)
        one = directions(rnn) == 1  # "2DH", "2DN": as if D = 2 (the right sizes when it is)
        sizes = {"L": L, "DH": DH, "DN": DN, "H": H, "H_in": rnn.input_size}
        sizes |= {"2DH": 2 * DH if one else DH, "2DN": 2 * DN if one else DN}
        out = right[0] if output is None else tuple(sizes.get(s, s) for s in output)
        hn = right[1] if h_n is None else tuple(sizes.get(s, s) for s in h_n)
        return out, hn

    return answer


def _single_steps_handed(rnn, x) -> str:
    if not isinstance(rnn, nn.RNNBase) or not isinstance(x, torch.Tensor):
        return "pass the cell's rnn_1 and x_1 first, then your two shapes"
    return ""


_BATCHED = Hints(
    "output: count the dimensions of x_1 before you apply batch_first",
    "output: batch_first applies to a 3-D x only; PyTorch reads a 2-D x as one unbatched "
    "sequence (L, H_in). How many dimensions does its output have?",
    "output is laid out like x: a 2-D x gives a 2-D output (L, D*H), one row per step",
)
_H_N_BATCHED = Hints(
    "output is right. h_n: does an unbatched input have a batch dimension anywhere?",
    "output is right. An unbatched input gives an unbatched h_n: the batch dimension of "
    "(D*num_layers, N, H) is dropped",
    "output is right. h_n is (D*num_layers, H) for an unbatched input",
)

_H_N_1D = Hints(
    "output is right. h_n: how many dimensions does it have?",
    "output is right. h_n holds one final state of H features for each layer and direction, "
    "so it keeps two dimensions for an unbatched input",
    "output is right. h_n is (D*num_layers, H) for an unbatched input: two dimensions",
)

SINGLE_STEPS = Exercise(
    id=f"{CHAPTER}.single_steps",
    version=1,
    title="Predict the shapes of a 2-D input given to a batch-first RNN",
    points=2,
    kind="predict",
    starter="""\
rnn_1 = nn.RNN(input_size=4, hidden_size=3, num_layers=2, batch_first=True)
x_1 = torch.zeros(7, 4)  # seven samples, one time step each
output_shape = ...
h_n_shape = ...
checks.single_steps(rnn_1, x_1, output_shape, h_n_shape)""",
    solution="""\
rnn_1 = nn.RNN(input_size=4, hidden_size=3, num_layers=2, batch_first=True)
x_1 = torch.zeros(7, 4)  # 2-D: read as ONE sequence (L, H_in), batch_first ignored
output_shape = (7, 3)  # (L, D*H): the top layer at every step
h_n_shape = (2, 3)  # (D*num_layers, H): one final state per layer, no batch dimension
checks.single_steps(rnn_1, x_1, output_shape, h_n_shape)""",
    parts=(Part("output_shape", "shape"), Part("h_n_shape", "shape")),
    handed=("rnn", "x"),
    asked=("output_shape", "h_n_shape"),
    reference=_single_steps_reference,
    defaults=lambda: (
        nn.RNN(input_size=4, hidden_size=3, num_layers=2, batch_first=True),
        torch.zeros(7, 4),
    ),
    check_handed=_single_steps_handed,
    variants=lambda generator: [
        (
            nn.RNN(H_in, H, num_layers=layers, bidirectional=d, batch_first=True),
            torch.zeros(L, H_in),
        )
        for L, H_in, H, layers, d in ((5, 3, 4, 3, False), (6, 2, 5, 2, True), (4, 6, 2, 1, False))
    ],
    right="a 2-D x is one sequence whatever batch_first says: the samples were chained, and "
    "h_n holds one state per layer, not one per sample",
    hints=Hints(
        "a 2-D x is one unbatched sequence (L, H_in); compare each shape with that layout",
        "output is laid out like x with D*H features per step; h_n holds one final state per "
        "layer and direction, without a batch dimension",
        "output is (L, D*H) and h_n is (D*num_layers, H) for an unbatched input",
    ),
    mistakes=(
        Mistake("output read as a batch of one-step sequences", _BATCHED, _ss(("L", 1, "DH"))),
        Mistake("output read as one batch, sequence-first", _BATCHED, _ss((1, "L", "DH"))),
        Mistake(
            "output with H_in features",
            Hints(
                "output: how many features does each step of output have?",
                "output: each step of output holds the top layer's hidden state, not the input",
                "output has D*H = D*hidden_size features per step, not H_in",
            ),
            _ss(("L", "H_in")),
        ),
        Mistake(
            "output with two directions",
            Hints(
                "output: how many directions does rnn_1 run?",
                "output: each step of output holds D*H features; D = 2 only for an RNN built "
                "with bidirectional=True",
                "output is (L, D*H) with D = 1: rnn_1 is not bidirectional",
            ),
            _ss(("L", "2DH")),
        ),
        Mistake(
            "output holds every layer",
            Hints(
                "output: which layers does output hold?",
                "output: output holds the top layer only; the lower layers' states are not in it",
                "output holds the top layer only: one layer's D*H features per step, (L, D*H)",
            ),
            _ss(("DN", "L", "H")),
        ),
        Mistake(
            "output holds the last step only",
            Hints(
                "output: at which steps does output hold a state?",
                "output: output holds the state at every step of the sequence; the last step's "
                "state is in h_n",
                "output holds the top layer's state at every step: (L, D*H)",
            ),
            _ss((1, "DH")),
        ),
        Mistake(
            "h_n made batch-first",
            Hints(
                "output is right. h_n: did batch_first change its layout?",
                "output is right. h_n never follows batch_first; and a 2-D x has no batch "
                "dimension at all",
                "output is right. h_n is (D*num_layers, H) for an unbatched input, whatever "
                "batch_first says",
            ),
            _ss(h_n=("L", "DN", "H")),
        ),
        Mistake("h_n with a batch dimension of L", _H_N_BATCHED, _ss(h_n=("DN", "L", "H"))),
        Mistake("h_n with a batch dimension of 1", _H_N_BATCHED, _ss(h_n=("DN", 1, "H"))),
        Mistake(
            "h_n at every step",
            Hints(
                "output is right. h_n: at which step is h_n taken?",
                "output is right. h_n holds only the state after the last step, one per layer "
                "and direction; the state at every step is output",
                "output is right. h_n is (D*num_layers, H): the final state of each layer",
            ),
            _ss(h_n=("L", "H")),
        ),
        Mistake(
            "h_n of one layer",
            Hints(
                "output is right. h_n: count what its first dimension counts",
                "output is right. h_n holds one final state per layer and direction: count "
                "the layers of rnn_1",
                "output is right. h_n's first dimension is D*num_layers",
            ),
            _ss(h_n=(1, "H")),
        ),
        Mistake(
            "h_n with H and D*num_layers swapped",
            Hints(
                "output is right. h_n: which of its two dimensions counts the layers?",
                "output is right. h_n lists its final states first, one per layer and "
                "direction, then each state's H features",
                "output is right. h_n is (D*num_layers, H): the states first, then the features",
            ),
            _ss(h_n=("H", "DN")),
        ),
        Mistake(
            "h_n with two directions",
            Hints(
                "output is right. h_n: how many directions does rnn_1 run?",
                "output is right. h_n's first dimension is the layers times the directions; "
                "D = 2 only for an RNN built with bidirectional=True",
                "output is right. h_n is (D*num_layers, H) with D = 1: rnn_1 is not bidirectional",
            ),
            _ss(h_n=("2DN", "H")),
        ),
        Mistake("h_n of one dimension: H", _H_N_1D, _ss(h_n=("H",))),
        Mistake("h_n of one dimension: D*num_layers", _H_N_1D, _ss(h_n=("DN",))),
        Mistake(
            "h_n with a trailing dimension of 1",
            Hints(
                "output is right. h_n: what does its last dimension of size 1 stand for?",
                "output is right. An unbatched input gives an h_n without a batch dimension, "
                "at the end as anywhere else: D*num_layers states of H features each",
                "output is right. h_n is (D*num_layers, H): drop the trailing 1",
            ),
            _ss(h_n=("DN", "H", 1)),
        ),
    ),
)


# -- 2. fixed_classifier: find the bug in a classifier that reads a batch-first x -------------

_H_IN, _H, _CLASSES = 2, 5, 2


def _classifier_call(model_class, weights, x):
    if not isinstance(model_class, type) and not callable(model_class):
        raise FormError("give the class itself: checks.fixed_classifier(DirectionClassifier)")
    model = model_class()
    rnn, head = getattr(model, "rnn", None), getattr(model, "head", None)
    if not isinstance(rnn, nn.RNN) or not isinstance(head, nn.Linear):
        raise FormError(
            "keep the model's two parts: self.rnn (an nn.RNN) and self.head (an nn.Linear)"
        )
    if (rnn.input_size, rnn.hidden_size, rnn.num_layers, rnn.bidirectional) != (
        _H_IN,
        _H,
        1,
        False,
    ) or (head.in_features, head.out_features) != (_H, _CLASSES):
        raise FormError(
            "keep the sizes: nn.RNN(input_size=2, hidden_size=5) and nn.Linear(5, 2); the bug is "
            "not in the sizes"
        )
    if (rnn.nonlinearity, rnn.bias) != ("tanh", True):
        raise FormError(
            "keep the RNN as given, with nonlinearity='tanh' and bias=True: the bug is not in "
            "those settings"
        )
    state = model.state_dict()
    state.update({f"rnn.{k}": v for k, v in weights["rnn"].items()})
    state.update({f"head.{k}": v for k, v in weights["head"].items()})
    model.load_state_dict(state)
    scores = model(x)  # with gradients on: scores cut from the graph could not train
    if isinstance(scores, torch.Tensor) and scores.requires_grad:
        grads = torch.autograd.grad(
            scores.sum(), list(model.rnn.parameters()), retain_graph=True, allow_unused=True
        )
        if all(g is None for g in grads):
            raise FormError(
                "scores: the head gets a gradient but the RNN does not: something between them "
                "(a .detach() or torch.no_grad()) cut the graph, so the RNN could not train"
            )
    return scores


def _classifier_probes(generator):
    probes = []
    for n, length in ((6, 7), (3, 9), (8, 4), (5, 5)):
        rnn = drawn_rnn(generator, _H_IN, _H)
        head = nn.Linear(_H, _CLASSES)
        with torch.no_grad():
            head.weight.copy_(torch.randn(head.weight.shape, generator=generator))
            head.bias.copy_(torch.randn(head.bias.shape, generator=generator))
        weights = {"rnn": rnn.state_dict(), "head": head.state_dict()}
        x = torch.randn(n, length, _H_IN, generator=generator)  # (N, L, H_in)
        probes.append(Probe(f"a batch of N={n} sequences of L={length} steps", (weights, x)))
    return probes


_POOLED = Hints(
    "the layout is right: which steps does the head see?",
    "a mean, sum or max over dimension 1 pools every step's state; the classifier reads the "
    "state after the last step, the one that has seen the whole sequence",
    "give the head the last step only, output[:, -1]",
)

FIXED_CLASSIFIER = Exercise(
    id=f"{CHAPTER}.fixed_classifier",
    version=1,
    title="Find the silent bug in a classifier that reads a data-loader batch",
    points=3,
    kind="find-the-bug",
    starter="""\
class DirectionClassifier(nn.Module):
    # Two scores per sequence of a data-loader batch (N, L, H_in).

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=5)
        self.head = nn.Linear(5, 2)

    def forward(self, x):  # x: (N, L, H_in)
        output, h_n = self.rnn(x)
        return self.head(output[:, -1])  # (N, 2)


checks.fixed_classifier(DirectionClassifier)""",
    solution="""\
class DirectionClassifier(nn.Module):
    # Two scores per sequence of a data-loader batch (N, L, H_in).

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=5, batch_first=True)  # the fix
        self.head = nn.Linear(5, 2)

    def forward(self, x):  # x: (N, L, H_in)
        output, h_n = self.rnn(x)  # output: (N, L, H)
        return self.head(output[:, -1])  # last time step: (N, H) -> (N, 2)


checks.fixed_classifier(DirectionClassifier)""",
    parts=(Part("scores", "tensor"),),
    asked=("DirectionClassifier",),
    probes=_classifier_probes,
    call=_classifier_call,
    right="the RNN reads x as (N, L, H_in) and the head sees each sequence's last step",
    hints=Hints(
        "the scores are not the head applied to each sequence's last step: check, in this "
        "order, which dimension of x the RNN reads as time, what x it is given, and which step "
        "of output the head reads",
        "an nn.RNN built without batch_first reads dimension 0 of x as time, where a "
        "data-loader batch has the batch. If yours has batch_first=True, or gets x permuted "
        "to (L, N, H_in), the layout is right: then check that x is not changed otherwise, "
        "that the head reads the last step of output, and that its scores go out as they are",
        "build the RNN with batch_first=True (or permute x to (L, N, H_in)), call it on x "
        "unchanged, and return self.head(output[:, -1]), each sequence's last step",
    ),
    mistakes=(
        Mistake(
            "reshape instead of permute",
            Hints(
                "right shape, wrong numbers: how did you change the layout of x?",
                "reshape pours the numbers into the new shape in row-major order, mixing "
                "sequences; it never swaps dimensions",
                "permute(1, 0, 2) swaps the batch and time dimensions; reshape cannot",
            ),
            edit=(
                "        output, h_n = self.rnn(x)\n        return self.head(output[:, -1])",
                "        output, h_n = self.rnn(x.reshape(x.shape[1], x.shape[0], -1))\n"
                "        return self.head(output[-1])",
            ),
            on="starter",
        ),
        Mistake(
            "the whole h_n",
            Hints(
                "the scores have one dimension too many: what did the head receive?",
                "h_n is (D*num_layers, N, H): the head was given every layer's state, with the "
                "layer dimension in front",
                "give the head the last layer's final state, h_n[-1], (N, H)",
            ),
            edit=("self.head(output[:, -1])", "self.head(h_n)"),
        ),
        Mistake(
            "the last sequence at every step",
            Hints(
                "the scores have one row per time step: which dimension did your index pick from?",
                "that index picks the last sequence at every step, not the last step of every "
                "sequence: in (N, L, H) time is dimension 1, in (L, N, H) it is dimension 0",
                "index time where it is: output[:, -1] of a batch-first output, output[-1] of a "
                "sequence-first one",
            ),
            edit=("self.head(output[:, -1])", "self.head(output[-1])"),
        ),
        Mistake(
            "mean over time",
            _POOLED,
            edit=("self.head(output[:, -1])", "self.head(output.mean(1))"),
        ),
        Mistake(
            "sum over time", _POOLED, edit=("self.head(output[:, -1])", "self.head(output.sum(1))")
        ),
        Mistake(
            "max over time",
            _POOLED,
            edit=("self.head(output[:, -1])", "self.head(output.max(1).values)"),
        ),
        Mistake(
            "softmax on the scores",
            Hints(
                "the layout and the step are right: what happens to the scores after the head?",
                "softmax turns the scores into probabilities; the classifier returns the head's "
                "scores as they are (cross_entropy applies log-softmax itself)",
                "return self.head(output[:, -1]) without softmax",
            ),
            edit=("self.head(output[:, -1])", "self.head(output[:, -1]).softmax(-1)"),
        ),
        Mistake(
            "log-softmax on the scores",
            Hints(
                "the layout and the step are right: what happens to the scores after the head?",
                "log_softmax turns the scores into log-probabilities; the classifier returns the "
                "head's scores as they are (cross_entropy applies log-softmax itself)",
                "return self.head(output[:, -1]) without log_softmax",
            ),
            edit=("self.head(output[:, -1])", "self.head(output[:, -1]).log_softmax(-1)"),
        ),
        Mistake(
            "steps reversed",
            Hints(
                "the layout is right: in which order does the RNN read each sequence's steps?",
                "x.flip(1) reverses the steps of every sequence: the RNN reads each one from its "
                "last step to its first, so output[:, -1] is the state after step 1",
                "give the RNN x as it comes, self.rnn(x), without flip",
            ),
            edit=("self.rnn(x)", "self.rnn(x.flip(1))"),
        ),
        Mistake(
            "h0 given",
            Hints(
                "the layout and the step are right: which state does the RNN start from?",
                "a non-zero h0 starts every sequence from a state that is not the default; the "
                "classifier is compared with the same RNN started from zeros, the default h0",
                "call self.rnn(x) without h0",
            ),
            edit=("self.rnn(x)", "self.rnn(x, torch.ones(1, x.shape[0], 5))"),
        ),
        Mistake(
            "the first step",
            Hints(
                "the layout is right: which time step does the head see?",
                "the head sees step 1 (index 0), before the RNN has read the rest of the sequence",
                "give the head the last step, output[:, -1]",
            ),
            edit=("self.head(output[:, -1])", "self.head(output[:, 0])"),
        ),
    ),
)


# -- 3. run_batch_first: run a sequence-first RNN on a batch-first x --------------------------


def _run_batch_first_probes(generator):
    probes = []
    for L, N, H_in, H, layers, bidirectional in (
        (6, 4, 3, 5, 2, False),
        (3, 5, 2, 4, 1, True),
        (5, 2, 4, 3, 3, False),
        (4, 7, 5, 2, 2, True),
    ):
        rnn = drawn_rnn(generator, H_in, H, num_layers=layers, bidirectional=bidirectional)
        x = torch.randn(N, L, H_in, generator=generator)  # (N, L, H_in)
        label = f"L={L}, N={N}, H_in={H_in}, H={H}, num_layers={layers}, D={1 + bidirectional}"
        probes.append(Probe(label, (rnn, x)))
    return probes


RUN_BATCH_FIRST = Exercise(
    id=f"{CHAPTER}.run_batch_first",
    version=1,
    title="Run a sequence-first RNN on a batch-first batch",
    points=3,
    kind="implement",
    starter="""\
def run_batch_first(rnn, x): ...


checks.run_batch_first(run_batch_first)""",
    solution="""\
def run_batch_first(rnn, x):
    output, h_n = rnn(x.permute(1, 0, 2))  # (N, L, H_in) -> (L, N, H_in)
    return output.permute(1, 0, 2), h_n  # (L, N, D*H) -> (N, L, D*H); h_n stays as it is


checks.run_batch_first(run_batch_first)""",
    parts=(Part("output", "tensor"), Part("h_n", "tensor")),
    asked=("run_batch_first",),
    probes=_run_batch_first_probes,
    right="output (N, L, D*H) and h_n (D*num_layers, N, H), the same numbers as batch_first=True",
    hints=Hints(
        "compare the layout your function gives the RNN with the one it expects, and what "
        "else your call changes: its h0, the halves of output",
        "a sequence-first RNN reads x as (L, N, H_in): make x that layout before the call, "
        "and turn output back after it; h_n never follows batch_first",
        "permute x with (1, 0, 2), run the RNN, permute output with (1, 0, 2); return h_n as "
        "the RNN gives it",
    ),
    mistakes=(
        Mistake(
            "x passed as it is",
            Hints(
                "output: which dimension of x did the RNN read as time?",
                "the RNN was built sequence-first, so it read dimension 0 of x, the batch, as "
                "time: make x sequence-first before calling it",
                "call rnn(x.permute(1, 0, 2)), then permute output back",
            ),
            code="def run_batch_first(rnn, x):\n    return rnn(x)\n",
        ),
        Mistake(
            "output left sequence-first",
            Hints(
                "output: check its layout against what batch_first=True returns",
                "output is still sequence-first (L, N, D*H): batch_first=True returns (N, L, D*H)",
                "permute output back with (1, 0, 2) before returning it",
            ),
            edit=("return output.permute(1, 0, 2), h_n", "return output, h_n"),
        ),
        Mistake(
            "reshape instead of permute",
            Hints(
                "output: the shape is right; how did you change the layout?",
                "reshape keeps row-major order and only cuts it into new rows: it mixes "
                "sequences and steps, it cannot swap dimensions",
                "use permute (or transpose) both ways, never reshape, to change the layout",
            ),
            code="""\
def run_batch_first(rnn, x):
    N, L, H_in = x.shape
    output, h_n = rnn(x.reshape(L, N, H_in))
    return output.reshape(N, L, -1), h_n
""",
        ),
        Mistake(
            "reshape on the way in",
            Hints(
                "output: the shape is right; how did you make x sequence-first?",
                "x.reshape(L, N, H_in) keeps row-major order and only cuts it into new rows: "
                "each new 'sequence' mixes steps of several sequences",
                "make x sequence-first with x.permute(1, 0, 2), never with reshape",
            ),
            edit=("rnn(x.permute(1, 0, 2))", "rnn(x.reshape(x.shape[1], x.shape[0], -1))"),
        ),
        Mistake(
            "reshape on the way back",
            Hints(
                "output: the shape is right; how did you turn it back to batch-first?",
                "output.reshape(N, L, -1) keeps row-major order: its rows mix the sequences' "
                "steps instead of swapping the two dimensions",
                "turn output back with output.permute(1, 0, 2), never with reshape",
            ),
            edit=(
                "return output.permute(1, 0, 2), h_n",
                "return output.reshape(x.shape[0], x.shape[1], -1), h_n",
            ),
        ),
        Mistake(
            "h_n permuted too",
            Hints(
                "output is right. h_n: does it follow batch_first?",
                "output is right. h_n never follows batch_first: it stays "
                "(D*num_layers, N, H) either way",
                "output is right. Return h_n exactly as the RNN returns it",
            ),
            edit=(
                "return output.permute(1, 0, 2), h_n",
                "return output.permute(1, 0, 2), h_n.permute(1, 0, 2)",
            ),
        ),
        Mistake(
            "h_n flipped",
            Hints(
                "output is right. h_n: in which order are its rows?",
                "output is right. h_n keeps the RNN's order of rows, layer 0 first and, within a "
                "layer, the forward direction before the reverse one: batch-first or not, "
                "nothing about it is turned around",
                "output is right. Return h_n exactly as the RNN returns it, without flip",
            ),
            edit=(
                "return output.permute(1, 0, 2), h_n",
                "return output.permute(1, 0, 2), h_n.flip(0)",
            ),
        ),
        Mistake(
            "the last layer's h_n only",
            Hints(
                "output is right. h_n: how many final states does it hold?",
                "output is right. h_n holds every layer's (and direction's) final state, "
                "(D*num_layers, N, H)",
                "output is right. Return the whole h_n, not h_n[-1]",
            ),
            edit=("return output.permute(1, 0, 2), h_n", "return output.permute(1, 0, 2), h_n[-1]"),
        ),
        Mistake(
            "the last layer's h_n only, its dimension kept",
            Hints(
                "output is right. h_n: count its rows, one per layer and direction",
                "output is right. h_n[-1:] keeps only the last row, (1, N, H); the RNN returns "
                "one final state per layer and direction, (D*num_layers, N, H)",
                "output is right. Return the whole h_n, not h_n[-1:]",
            ),
            edit=(
                "return output.permute(1, 0, 2), h_n",
                "return output.permute(1, 0, 2), h_n[-1:]",
            ),
        ),
        Mistake(
            "the halves of output swapped",
            Hints(
                "output: the layout is right; in which order are its two halves?",
                "with two directions, output holds the forward direction's H features first, "
                "output[..., :H], then the reverse direction's, output[..., H:]; permute moves "
                "no features",
                "return output.permute(1, 0, 2) with its halves in the order the RNN gives them",
            ),
            edit=(
                "return output.permute(1, 0, 2), h_n",
                "output = output.permute(1, 0, 2)\n"
                "    H = rnn.hidden_size\n"
                "    return torch.cat([output[..., H:], output[..., :H]], -1), h_n",
            ),
        ),
        Mistake(
            "h0 not zeros",
            Hints(
                "the layout is right: from which state does your call start the RNN?",
                "called without h0, as batch_first=True would be, the RNN starts every layer "
                "and direction from zeros; your call hands it another h0",
                "call rnn(x.permute(1, 0, 2)) without h0 (or with zeros of shape "
                "(D*num_layers, N, H))",
            ),
            edit=(
                "rnn(x.permute(1, 0, 2))",
                "rnn(\n        x.permute(1, 0, 2),\n        torch.full((rnn.num_layers * (1 + "
                "rnn.bidirectional), x.shape[0], rnn.hidden_size), 0.1),\n    )",
            ),
        ),
        Mistake(
            "the handed RNN switched to batch-first",
            Hints(
                "the rnn you were handed changed during your call: leave it as it is",
                "setting rnn.batch_first changes the caller's model for every later call; the "
                "exercise asks you to run it as it is",
                "leave rnn alone: permute x to (L, N, H_in), run the RNN, permute output back",
            ),
            code="def run_batch_first(rnn, x):\n    rnn.batch_first = True\n    return rnn(x)\n",
        ),
    ),
    equivalent={},
)


# -- 4. windows_batch: predict the number of windows, then build them -------------------------

_SIZE, _STEP = 3, 2


def _windows_reference(a, b):
    series = torch.stack([a, b], dim=1)  # (T, H_in)
    return series.unfold(0, _SIZE, _STEP).transpose(1, 2), (len(a) - _SIZE) // _STEP + 1


def _windows(batch=None, count=None):
    def answer(a, b):
        right_batch, right_count = _windows_reference(a, b)
        series = torch.stack([a, b], dim=1)
        return (right_batch if batch is None else batch(a, b, series)), (
            right_count if count is None else count(len(a))
        )

    return answer


def _windows_handed(a, b) -> str:
    if not all(isinstance(t, torch.Tensor) and t.dim() == 1 for t in (a, b)) or len(a) != len(b):
        return (
            "pass the cell's a and b first (two 1-D tensors of the same length), then your answers"
        )
    return ""


_COUNT = Hints(
    "n_windows: count the window starts again",
    "n_windows: a window starts at indices 0, 2, 4, ... as long as its 3 steps fit in the T values",
    "n_windows = (T - L) // step + 1, with the window length L and the step between starts",
)

WINDOWS_BATCH = Exercise(
    id=f"{CHAPTER}.windows_batch",
    version=2,
    title="Predict how many windows fit, then build them batch-first",
    points=2,
    kind="predict",
    starter="""\
a = torch.arange(1.0, 13.0)
b = a + 100
n_windows = ...  # predict first
windows_batch = ...
checks.windows_batch(a, b, windows_batch, n_windows)""",
    solution="""\
a = torch.arange(1.0, 13.0)
b = a + 100
# windows start at indices 0, 2, 4, 6, 8: one at index 10 would have no room for 3
n_windows = (12 - 3) // 2 + 1
two_features = torch.stack([a, b], dim=1)  # (T, H_in) = (12, 2)
windows_batch = two_features.unfold(0, 3, 2).transpose(1, 2)  # (N, H_in, L) -> (N, L, H_in)
checks.windows_batch(a, b, windows_batch, n_windows)  # N = 5 windows of L = 3 steps""",
    parts=(Part("windows_batch", "tensor"), Part("n_windows", "int")),
    handed=("a", "b"),
    asked=("windows_batch", "n_windows"),
    reference=_windows_reference,
    defaults=lambda: (torch.arange(1.0, 13.0), torch.arange(1.0, 13.0) + 100),
    check_handed=_windows_handed,
    variants=lambda generator: (
        [
            (a, a + 100)
            for a in (torch.arange(1.0, 10.0), torch.arange(1.0, 15.0), torch.arange(0.0, 12.0))
        ]
        + [(torch.randn(13, generator=generator), torch.randn(13, generator=generator))]
    ),
    right="batch-first windows, (N, L, H_in), and the number of windows predicted",
    hints=Hints(
        "stack a and b as two features, then cut every window of 3 steps, one starting every 2 "
        "steps",
        "torch.stack with dim=1 gives one row per time step, (T, H_in); unfold cuts windows "
        "along dimension 0, N = (T - L) // step + 1 of them",
        "torch.stack([a, b], dim=1).unfold(0, 3, 2).transpose(1, 2) gives (N, L, H_in)",
    ),
    mistakes=(
        Mistake("one window too few", _COUNT, _windows(count=lambda T: (T - _SIZE) // _STEP)),
        Mistake(
            "the last window left out",
            Hints(
                "windows_batch: count the windows",
                "windows_batch: count the windows: N = (T - L) // step + 1; a window starts at "
                "indices 0, 2, 4, ... as long as its 3 steps fit in the T values",
                "unfold(0, 3, 2) cuts every window that fits, N = (T - L) // step + 1: do not "
                "stop the starts early",
            ),
            _windows(
                batch=lambda a, b, s: s.unfold(0, _SIZE, _STEP).transpose(1, 2)[:-1],
                count=lambda T: (T - _SIZE) // _STEP,
            ),
        ),
        Mistake(
            "the step ignored",
            _COUNT,
            _windows(count=lambda T: T - _SIZE + 1),
        ),
        Mistake("T // step", _COUNT, _windows(count=lambda T: T // _STEP)),
        Mistake(
            "windows that do not fit counted",
            _COUNT,
            _windows(count=lambda T: (T - 1) // _STEP + 1),
        ),
        Mistake(
            "features last missing",
            Hints(
                "windows_batch: look at its last two dimensions",
                "unfold puts the window dimension last, (N, H_in, L)",
                "transpose(1, 2) moves the features back to the end: (N, L, H_in)",
            ),
            _windows(batch=lambda a, b, s: s.unfold(0, _SIZE, _STEP)),
        ),
        Mistake(
            "reshape instead of transpose",
            Hints(
                "windows_batch: the shape is right; how did you move the features to the end?",
                "unfold gives (N, H_in, L); reshape keeps row-major order and only cuts it into "
                "rows of 2 numbers, so a 'step' holds two times of a, or of b, or one of each, "
                "instead of a and b at one time",
                "move the features with transpose(1, 2), never with reshape or view",
            ),
            _windows(
                batch=lambda a, b, s: s.unfold(0, _SIZE, _STEP).reshape(-1, _SIZE, s.shape[1])
            ),
        ),
        Mistake(
            "sequence-first",
            Hints(
                "windows_batch: which layout does the exercise ask for?",
                "that is sequence-first, (L, N, H_in); the exercise asks for batch-first",
                "the windows go in dimension 0: (N, L, H_in)",
            ),
            _windows(batch=lambda a, b, s: s.unfold(0, _SIZE, _STEP).permute(2, 0, 1)),
        ),
        Mistake(
            "a window at every step",
            Hints(
                "windows_batch: right window length; count the windows",
                "a new window starts every 2 steps: that is unfold's third argument, the step",
                "unfold(0, 3, 2): windows of 3 steps, one starting every 2 steps",
            ),
            _windows(batch=lambda a, b, s: s.unfold(0, _SIZE, 1).transpose(1, 2)),
        ),
        Mistake(
            "size and step swapped",
            Hints(
                "windows_batch: check the order of unfold's arguments",
                "unfold(dimension, size, step) takes the window length first, then the distance "
                "between window starts",
                "unfold(0, 3, 2): size 3, step 2",
            ),
            _windows(batch=lambda a, b, s: s.unfold(0, _STEP, _SIZE).transpose(1, 2)),
        ),
        Mistake(
            "transpose(0, 1) instead of transpose(1, 2)",
            Hints(
                "windows_batch: its dimension 0 holds the features, (H_in, N, L); they belong last",
                "unfold gives (N, H_in, L); transpose(0, 1) swaps the windows and the features "
                "and leaves the steps last: move dimension 2, not dimension 0 (a and b stacked "
                "with dim=0, then unfolded along dimension 1, give the same tensor)",
                "stack a and b with dim=1, unfold dimension 0, then transpose(1, 2): "
                "(N, H_in, L) -> (N, L, H_in)",
            ),
            # the same tensor as torch.stack([a, b]).unfold(1, 3, 2): features in dimension 0
            _windows(batch=lambda a, b, s: s.unfold(0, _SIZE, _STEP).transpose(0, 1)),
        ),
        Mistake(
            "features swapped",
            Hints(
                "windows_batch: check the order of the two features",
                "the features are in the wrong order: the exercise lists a first, then b",
                "torch.stack([a, b], dim=1): a is feature 0, b feature 1",
            ),
            _windows(batch=lambda a, b, s: s.unfold(0, _SIZE, _STEP).transpose(1, 2).flip(-1)),
        ),
    ),
)


EXERCISES = (SINGLE_STEPS, FIXED_CLASSIFIER, RUN_BATCH_FIRST, WINDOWS_BATCH)

_NOT_AN_INT = f"give n_windows as {_WHOLE}"  # the generic message, replaced below


def _as_int_count(check: Callable) -> Callable:
    """``check`` with a plainer message for an n_windows of the wrong type: a whole float such as
    5.0 is told to be an int, written back as the student's own number (5, not 5.0); another
    float, such as what ``/`` gives, is told to count with ``//``."""

    @functools.wraps(check)
    def wrapped(*args, **kwargs):
        result = check(*args, **kwargs)
        if result.status == INCORRECT and result.message == _NOT_AN_INT:
            count = kwargs.get("n_windows", args[3] if len(args) > 3 else None)
            if isinstance(count, float) and count.is_integer():
                return Result(INCORRECT, f"give n_windows as an int ({int(count)}, not {count})")
            return Result(
                INCORRECT,
                "give n_windows as an int (count with //, floor division: / always gives a float)",
            )
        return result

    return wrapped


def _floating_windows(check: Callable) -> Callable:
    """``check`` that also refuses windows nn.RNN cannot read: the numbers are right, but the
    RNN's float32 weights take a float32 tensor only (not integers, float64, NumPy or a list)."""

    @functools.wraps(check)
    def wrapped(*args, **kwargs):
        result = check(*args, **kwargs)
        windows = kwargs.get("windows_batch", args[2] if len(args) > 2 else None)
        if result.status != CORRECT or windows is None:
            return result
        if not isinstance(windows, torch.Tensor):
            return Result(
                INCORRECT,
                f"windows_batch: the numbers are right, but it is a {type(windows).__name__}; "
                "nn.RNN reads a torch.Tensor: build it with unfold on the stacked series",
            )
        if windows.dtype != torch.float32:
            return Result(
                INCORRECT,
                f"windows_batch: the numbers are right, but its dtype is {windows.dtype}, and "
                "nn.RNN refuses input whose dtype differs from its float32 weights: give "
                "floating-point float32 windows, built from the float a and b (or converted "
                "with .float())",
            )
        return result

    return wrapped


single_steps = checker(SINGLE_STEPS)
fixed_classifier = checker(FIXED_CLASSIFIER)
run_batch_first = checker(RUN_BATCH_FIRST)
windows_batch = _floating_windows(_as_int_count(checker(WINDOWS_BATCH)))


# -- kept for older student copies -------------------------------------------------------------


def to_sequence_first(convert: Callable) -> Result:
    """Exercise: write ``convert(output)`` taking a batch-first output (N, L, H) to
    sequence-first (L, N, H).

    Shapes: output (N, L, H) = (3, 5, 2) -> (L, N, H) = (5, 3, 2).

    Used in: no chapter now (03_batch_first asks for run_batch_first instead); kept so that
    older student copies still check.
    """
    pending = _not_attempted(convert)
    if pending is not None:
        return pending
    if not callable(convert):
        return Result(INCORRECT, "give a function, def convert(output): ...")
    output = torch.arange(3 * 5 * 2, dtype=torch.float32).reshape(3, 5, 2)  # (N, L, H)
    want = output.permute(1, 0, 2).clone()  # (N, L, H) -> (L, N, H)
    got, failed = _run_student(convert, output.clone())  # a copy: transpose_ may change it
    if failed is not None:
        return failed
    got = _as_tensor(got)
    if got is None or tuple(got.shape) != (5, 3, 2):
        if got is not None and tuple(got.shape) == (3, 5, 2):
            return Result(INCORRECT, "that is still (N, L, H): swap dimensions 0 and 1")
        return Result(INCORRECT, "the result should have shape (L, N, H)")
    if torch.equal(got, want.to(torch.float64)):
        return Result(CORRECT, "the dimensions are swapped and every number kept its place")
    return Result(
        INCORRECT,
        "right shape, but the numbers moved: reshape and view keep the elements in "
        "row-major order and only cut that order into new rows; they never swap dimensions. "
        "permute and transpose do",
    )
