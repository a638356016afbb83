"""Exercises of the chapter from the cell loop to nn.RNN (02), defined once.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``); the checkers the notebook
calls are made from them. ``predicted_shapes`` serves chapters 02, 04 and 05: it runs the RNN it
is handed, so it holds for any sizes, layers, directions and layout, and its known mistakes
cover layers and directions too.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import re

import torch
from torch import nn

from rnnlab.checks._exercise import Exercise, Hints, Mistake, Part, Probe, checker, drawn

__all__ = ["EXERCISES", "hidden_size_message", "last_step_states", "predicted_shapes"]

CHAPTER = "02_nn_rnn"


# -- 1. predicted_shapes: predict output and h_n for the RNN and input the cell hands -----------


def _run(rnn, x):
    with torch.no_grad(), torch.random.fork_rng(devices=[]):  # dropout would draw numbers
        output, h_n = rnn(x)
    if isinstance(h_n, tuple):  # an LSTM returns (h_n, c_n)
        h_n = h_n[0]
    return output, h_n


def _predicted_reference(rnn, x):
    output, h_n = _run(rnn, x)
    return tuple(output.shape), tuple(h_n.shape)


def _sizes(rnn, x):
    """L, N (None when unbatched), D, num_layers, H, H_in."""
    d = 2 if rnn.bidirectional else 1
    if x.dim() == 2:
        return x.shape[0], None, d, rnn.num_layers, rnn.hidden_size, rnn.input_size
    L, N = (x.shape[1], x.shape[0]) if rnn.batch_first else (x.shape[0], x.shape[1])
    return L, N, d, rnn.num_layers, rnn.hidden_size, rnn.input_size


def _layout(rnn, L, N, F, batch_first=None):
    batch_first = rnn.batch_first if batch_first is None else batch_first
    if N is None:
        return (L, F)
    return (N, L, F) if batch_first else (L, N, F)


def _ps(output=None, h_n=None):
    """A mistake of predicted_shapes: output or h_n built a wrong way from the sizes."""

    def answer(rnn, x):
        right = _predicted_reference(rnn, x)
        sizes = _sizes(rnn, x)
        return (
            right[0] if output is None else tuple(output(rnn, *sizes)),
            right[1] if h_n is None else tuple(h_n(rnn, *sizes)),
        )

    return answer


def _rnn_and_x(rnn, x) -> str:
    if not isinstance(rnn, nn.RNNBase) or not isinstance(x, torch.Tensor):
        return "pass the cell's rnn_1 and x_1 first, then your two shapes"
    return ""


_H_N_BATCH = Hints(
    "output is right. h_n: where does its batch dimension go?",
    "output is right. h_n never follows batch_first: it is (D*num_layers, N, H) for a batch, "
    "and has no batch dimension at all for an unbatched input",
    "output is right. h_n is (D*num_layers, N, H), or (D*num_layers, H) unbatched",
)

PREDICTED_SHAPES = Exercise(
    id=f"{CHAPTER}.predicted_shapes",
    version=1,
    title="Predict the shapes of output and h_n",
    points=2,
    kind="predict",
    starter="""\
rnn_1 = nn.RNN(input_size=3, hidden_size=5)
x_1 = torch.zeros(7, 3)
output_shape = ...
h_n_shape = ...
checks.predicted_shapes(rnn_1, x_1, output_shape, h_n_shape)""",
    solution="""\
rnn_1 = nn.RNN(input_size=3, hidden_size=5)
x_1 = torch.zeros(7, 3)  # (L, H_in): one unbatched sequence
output_shape = (7, 5)  # (L, D*H): no batch dimension
h_n_shape = (1, 5)  # (D*num_layers, H)
checks.predicted_shapes(rnn_1, x_1, output_shape, h_n_shape)""",
    parts=(Part("output_shape", "shape"), Part("h_n_shape", "shape")),
    handed=("rnn", "x"),
    asked=("output_shape", "h_n_shape"),
    reference=_predicted_reference,
    defaults=lambda: (nn.RNN(input_size=3, hidden_size=5), torch.zeros(7, 3)),
    check_handed=_rnn_and_x,
    variants=lambda generator: [
        (nn.RNN(4, 6), torch.zeros(9, 2, 4)),
        (nn.RNN(4, 6, batch_first=True), torch.zeros(2, 9, 4)),
        (nn.RNN(7, 3, num_layers=4), torch.zeros(9, 5, 7)),  # chapter 04's
        (nn.RNN(7, 3, num_layers=4, bidirectional=True), torch.zeros(9, 5, 7)),  # chapter 05's
        (nn.GRU(2, 4, num_layers=3, bidirectional=True, batch_first=True), torch.zeros(6, 8, 2)),
    ],
    right="output is laid out like x with D*H features; h_n is (D*num_layers, N, H) whatever "
    "batch_first says, or (D*num_layers, H) unbatched",
    hints=Hints(
        "output is laid out like x; h_n holds one final state per layer and direction",
        "output holds the top layer's hidden state at every step of every sequence, laid out "
        "like x, with D*H features; h_n is (D*num_layers, N, H), without N when unbatched",
        "output is x's layout with its last dimension D*H; h_n is (D*num_layers, N, H), or "
        "(D*num_layers, H) for an unbatched x",
    ),
    mistakes=(
        Mistake(
            "output with H_in features",
            Hints(
                "output: how many features does each step have?",
                "output: each step holds the top layer's hidden state, D*H numbers, not the input",
                "output's last dimension is D*H = D*hidden_size",
            ),
            _ps(output=lambda rnn, L, N, D, nl, H, H_in: _layout(rnn, L, N, H_in)),
        ),
        Mistake(
            "a batch dimension given to an unbatched output",
            Hints(
                "output: count the dimensions of x_1",
                "output: a 2-D x is one unbatched sequence (L, H_in), and output is laid out like "
                "it: no batch dimension",
                "output is (L, D*H) for an unbatched x",
            ),
            _ps(
                output=lambda rnn, L, N, D, nl, H, H_in: (
                    (L, 1, D * H) if N is None else _layout(rnn, L, N, D * H)
                )
            ),
        ),
        Mistake(
            "L and N swapped in output",
            Hints(
                "output: which comes first, L or N?",
                "output: L and N are swapped; output follows batch_first, as x does",
                "output is (N, L, D*H) with batch_first=True, (L, N, D*H) without",
            ),
            _ps(
                output=lambda rnn, L, N, D, nl, H, H_in: _layout(
                    rnn, L, N, D * H, not rnn.batch_first
                )
            ),
        ),
        Mistake(
            "output with one direction",
            Hints(
                "output: count the directions",
                "output: a bidirectional RNN puts both directions side by side, so its last "
                "dimension is D*H",
                "output's last dimension is 2*H for a bidirectional RNN",
            ),
            _ps(output=lambda rnn, L, N, D, nl, H, H_in: _layout(rnn, L, N, H)),
        ),
        Mistake(
            "output of the last step only",
            Hints(
                "output: at which steps does it hold a state?",
                "output: it holds the state at every step; the last step's is in h_n",
                "output has one row per step: L of them",
            ),
            _ps(output=lambda rnn, L, N, D, nl, H, H_in: (1, D * H) if N is None else (N, D * H)),
        ),
        Mistake(
            "h_n given a batch dimension of 1",
            _H_N_BATCH,
            _ps(
                h_n=lambda rnn, L, N, D, nl, H, H_in: (
                    (D * nl, 1, H) if N is None else (N, D * nl, H)
                )
            ),
        ),
        Mistake(
            "h_n at every step",
            Hints(
                "output is right. h_n: at which step is it taken?",
                "output is right. h_n holds only the final state of each layer and direction; "
                "the state at every step is output",
                "output is right. h_n's first dimension is D*num_layers, not L",
            ),
            _ps(h_n=lambda rnn, L, N, D, nl, H, H_in: (L, H) if N is None else (L, N, H)),
        ),
        Mistake(
            "h_n with a time dimension",
            Hints(
                "output is right. h_n: does it hold a state per step?",
                "output is right. h_n has no time dimension: it holds one final state per layer "
                "and direction; the state at every step is output",
                "output is right. h_n is (D*num_layers, H) for an unbatched x, "
                "(D*num_layers, N, H) for a batch: no L in it",
            ),
            _ps(
                h_n=lambda rnn, L, N, D, nl, H, H_in: (
                    (D * nl, L, H) if N is None else (D * nl, L, N, H)
                )
            ),
        ),
        Mistake(
            "h_n's dimensions in the wrong order",
            Hints(
                "output is right. h_n: check the order of its dimensions",
                "output is right. h_n: the right sizes in the wrong order; its first dimension "
                "counts the layers and directions, its last the H hidden units",
                "output is right. h_n is (D*num_layers, H) for an unbatched x, "
                "(D*num_layers, N, H) for a batch",
            ),
            _ps(h_n=lambda rnn, L, N, D, nl, H, H_in: (H, D * nl) if N is None else (H, N, D * nl)),
        ),
        Mistake(
            "h_n with the layers only",
            Hints(
                "output is right. h_n: count what its first dimension counts",
                "output is right. h_n holds one final state per layer AND per direction",
                "output is right. h_n's first dimension is D*num_layers",
            ),
            _ps(h_n=lambda rnn, L, N, D, nl, H, H_in: (nl, H) if N is None else (nl, N, H)),
        ),
        Mistake(
            "h_n with the directions only",
            Hints(
                "output is right. h_n: count the layers too",
                "output is right. h_n holds one final state per direction of EVERY layer, not "
                "only the last layer's",
                "output is right. h_n's first dimension is D*num_layers",
            ),
            _ps(h_n=lambda rnn, L, N, D, nl, H, H_in: (D, H) if N is None else (D, N, H)),
        ),
        Mistake(
            "h_n without its first dimension",
            Hints(
                "output is right. h_n: count its dimensions",
                "output is right. h_n keeps a first dimension for the layers and directions, "
                "D*num_layers, even when it is 1",
                "output is right. h_n is (D*num_layers, H) for an unbatched x, "
                "(D*num_layers, N, H) for a batch",
            ),
            _ps(h_n=lambda rnn, L, N, D, nl, H, H_in: (H,) if N is None else (N, H)),
        ),
        Mistake(
            "h_n without its hidden size",
            Hints(
                "output is right. h_n: how many numbers does one final state hold?",
                "output is right. each final state in h_n is a hidden state of H numbers; h_n "
                "holds D*num_layers of them",
                "output is right. h_n is (D*num_layers, H) for an unbatched x, "
                "(D*num_layers, N, H) for a batch",
            ),
            _ps(h_n=lambda rnn, L, N, D, nl, H, H_in: (D * nl,) if N is None else (D * nl, N)),
        ),
    ),
)


# -- 2. hidden_size_message: predict PyTorch's message for an h0 of the wrong shape ------------

_MESSAGE = re.compile(r"Expected hidden size \(([\d, ]+)\), got \[([\d, ]+)\]")


def _hidden_size_shapes(rnn, x, h0):
    """The two shapes in PyTorch's "Expected hidden size ..., got ..." message, or None."""
    try:
        rnn(x, h0)
    except RuntimeError as err:
        found = _MESSAGE.search(str(err))
        if found:
            return tuple(
                tuple(int(v) for v in group.split(",") if v.strip()) for group in found.groups()
            )
    return None


def _message_reference(rnn, x, h0):
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        shapes = _hidden_size_shapes(rnn, x, h0)
    if shapes is None:
        raise ValueError("this rnn(x, h0) does not raise PyTorch's 'Expected hidden size' error")
    return shapes


def _message_handed(rnn, x, h0) -> str:
    if not isinstance(rnn, nn.RNNBase) or not all(isinstance(t, torch.Tensor) for t in (x, h0)):
        return "pass the cell's rnn_2, x_2 and h0_2 first, then your two shapes"
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        if _hidden_size_shapes(rnn, x, h0) is None:
            return (
                "rnn_2(x_2, h0_2) must raise PyTorch's 'Expected hidden size' error for this "
                "exercise; run the exercise cell as it was given"
            )
    return ""


def _hm(expected=None, got=None):
    def answer(rnn, x, h0):
        e, g = _message_reference(rnn, x, h0)
        return (e if expected is None else expected(e, g, x)), (g if got is None else got(e, g, x))

    return answer


HIDDEN_SIZE_MESSAGE = Exercise(
    id=f"{CHAPTER}.hidden_size_message",
    version=1,
    title="Predict the two shapes of PyTorch's 'Expected hidden size' error",
    points=2,
    kind="predict",
    starter="""\
rnn_2 = nn.RNN(input_size=3, hidden_size=4)
x_2 = torch.zeros(5, 3)  # (L, H_in): one unbatched sequence
h0_2 = torch.zeros(5, 4)  # one state per step: wrong
expected = ...  # then run rnn_2(x_2, h0_2) in a new cell to see the message
got = ...
checks.hidden_size_message(rnn_2, x_2, h0_2, expected, got)""",
    solution="""\
rnn_2 = nn.RNN(input_size=3, hidden_size=4)
x_2 = torch.zeros(5, 3)  # (L, H_in) -> (L, 1, H_in) inside nn.RNN
h0_2 = torch.zeros(5, 4)  # (5, 4) -> h0_2.unsqueeze(1), (5, 1, 4)
expected = (1, 1, 4)  # (D*num_layers, N, H) with N = 1
got = (5, 1, 4)
checks.hidden_size_message(rnn_2, x_2, h0_2, expected, got)""",
    parts=(Part("expected", "shape"), Part("got", "shape")),
    handed=("rnn", "x", "h0"),
    asked=("expected", "got"),
    reference=_message_reference,
    defaults=lambda: (nn.RNN(input_size=3, hidden_size=4), torch.zeros(5, 3), torch.zeros(5, 4)),
    check_handed=_message_handed,
    variants=lambda generator: [
        (nn.RNN(2, 6), torch.zeros(4, 2), torch.zeros(4, 6)),
        (nn.RNN(3, 4, num_layers=2), torch.zeros(7, 3), torch.zeros(7, 4)),
        (nn.RNN(5, 2, bidirectional=True), torch.zeros(3, 5), torch.zeros(3, 2)),
    ],
    right="PyTorch gives the unbatched input and its h0 a batch dimension of 1 before it checks "
    "the sizes of h0, so the message speaks of 3-D shapes",
    hints=Hints(
        "the message shows both shapes after PyTorch gives the unbatched input a batch dimension",
        "expected is the shape h0 should have, (D*num_layers, N, H), with N = 1 once the input "
        "has its batch dimension; got is the h0 you passed, with that batch dimension added",
        "expected = (D*num_layers, 1, H); got = the h0 you passed with a 1 inserted in the "
        "middle, h0.unsqueeze(1).shape",
    ),
    mistakes=(
        Mistake(
            "the 2-D shapes",
            Hints(
                "count the dimensions the message shows",
                "those are 2-D shapes (the h0 expected, the h0 you passed); the message shows "
                "them after PyTorch adds a batch dimension of 1 to the unbatched input and its h0",
                "insert a 1 in the middle of both: (D*num_layers, 1, H) and (L, 1, H)",
            ),
            _hm(expected=lambda e, g, x: e[::2], got=lambda e, g, x: g[::2]),
        ),
        Mistake(
            "expected 2-D, got right",
            Hints(
                "got is right. expected: count its dimensions",
                "got is right. expected is the 2-D shape of an unbatched h0; the message shows "
                "it after PyTorch adds the batch dimension of 1, as it did to got",
                "got is right. Insert a 1 in the middle of expected: (D*num_layers, 1, H)",
            ),
            _hm(expected=lambda e, g, x: e[::2]),
        ),
        Mistake(
            "L as the batch of h0",
            Hints(
                "expected: what does the middle dimension of h0 count?",
                "expected: the middle dimension of h0 is the batch N, not the sequence length",
                "expected is (D*num_layers, 1, H): an unbatched input becomes a batch of one",
            ),
            _hm(expected=lambda e, g, x: (e[0], x.shape[0], e[2])),
        ),
        Mistake(
            "expected in the wrong order",
            Hints(
                "expected: check the order of its dimensions",
                "expected: the right numbers in the wrong order; h0 is (D*num_layers, N, H)",
                "expected is (D*num_layers, 1, H)",
            ),
            _hm(expected=lambda e, g, x: (e[2], e[1], e[0])),
        ),
        Mistake(
            "got with the batch dimension in front",
            Hints(
                "expected is right. got: where does PyTorch insert the batch dimension of h0?",
                "expected is right. got: the right numbers in the wrong order; h0's batch "
                "dimension is the middle one, (D*num_layers, N, H)",
                "expected is right. got is h0.unsqueeze(1).shape",
            ),
            _hm(got=lambda e, g, x: (g[1], g[0], g[2])),
        ),
        Mistake(
            "got as it was passed",
            Hints(
                "expected is right. got: is it shown before or after the batch dimension is added?",
                "expected is right. got is the h0 you passed, after PyTorch added the batch "
                "dimension",
                "expected is right. got is h0.unsqueeze(1).shape, 3-D",
            ),
            _hm(got=lambda e, g, x: g[::2]),
        ),
        Mistake(
            "got with the batch dimension at the end",
            Hints(
                "expected is right. got: where does PyTorch insert the batch dimension of h0?",
                "expected is right. got: the right numbers in the wrong order; PyTorch inserts "
                "the 1 in the middle, where h0's batch dimension is, (D*num_layers, N, H)",
                "expected is right. got is h0.unsqueeze(1).shape",
            ),
            _hm(got=lambda e, g, x: (g[0], g[2], g[1])),
        ),
        Mistake(
            "got as (1, 1, L), like the forum's message",
            Hints(
                "expected is right. got: which tensor does got describe?",
                "expected is right. got is the h0 you passed, with a 1 inserted in the middle; "
                "the forum's [1, 1, 9] came from its h0 of (1, 9), and yours has other sizes",
                "expected is right. got is h0.unsqueeze(1).shape",
            ),
            _hm(got=lambda e, g, x: (1, 1, x.shape[0])),
        ),
        Mistake(
            "got with H_in",
            Hints(
                "expected is right. got: which size is the last dimension of the h0 you passed?",
                "expected is right. got: the last dimension is the last dimension of the h0 you "
                "passed, not the input's H_in",
                "expected is right. got is h0.unsqueeze(1).shape",
            ),
            _hm(got=lambda e, g, x: (g[0], g[1], x.shape[-1])),
        ),
    ),
)


# -- 3. last_step_states: find the bug in reading the final states from output ------------------


def _last_step_probes(generator):
    probes = []
    # sizes all different within a probe; the last has N = 1, where squeeze() drops N too
    for H_in, H, N, L in ((3, 5, 4, 6), (2, 3, 7, 5), (4, 2, 3, 8), (5, 3, 1, 4)):
        rnn = drawn(generator, lambda H_in=H_in, H=H: nn.RNN(H_in, H), scale=2.0)
        x = torch.randn(N, L, H_in, generator=generator)  # (N, L, H_in)
        probes.append(Probe(f"N={N}, L={L}, H_in={H_in}, H={H}", (rnn, x)))
    return probes


def _no_grad(function, *args):
    with torch.no_grad():
        return function(*args)


LAST_STEP_STATES = Exercise(
    id=f"{CHAPTER}.last_step_states",
    version=1,
    title="Find the bug in reading each sequence's final state from output",
    points=2,
    kind="find-the-bug",
    starter="""\
def last_states(rnn, x):
    output, h_n = rnn(x.permute(1, 0, 2))  # (N, L, H_in) -> (L, N, H_in)
    return output[0]  # (L, N, H) -> (N, H)


checks.last_step_states(last_states)""",
    solution="""\
def last_states(rnn, x):
    output, h_n = rnn(x.permute(1, 0, 2))  # (N, L, H_in) -> (L, N, H_in)
    return output[-1]  # (L, N, H) -> (N, H): the last step, equal to h_n[0]


checks.last_step_states(last_states)""",
    parts=(Part("the tensor returned", "tensor"),),
    asked=("last_states",),
    probes=_last_step_probes,
    call=_no_grad,
    right="your function returns the state after the last step, h_n[0]",
    hints=Hints(
        "which time step does your function pick?",
        "output is (L, N, H) after the permute: index 0 is step 1, index L - 1 (or -1) is step L",
        "the last step is output[-1], the same numbers as h_n[0]",
    ),
    mistakes=(
        Mistake(
            "the whole h_n, or a slice of output",  # output[-1:] holds h_n's numbers
            Hints(
                "one dimension too many: count the dimensions your function returns",
                "shape (1, N, H), not (N, H): slicing keeps the time dimension (output[-1:] is "
                "(1, N, H)), and h_n keeps a first dimension for the layers (and directions)",
                "index, do not slice: output[-1], or h_n[0]",
            ),
            edit=("return output[-1]", "return h_n"),
        ),
        Mistake(
            "h_n squeezed",
            Hints(
                "count the dimensions your function returns for one sequence, N = 1",
                "squeeze() removes every dimension of size 1: for a batch of one sequence it "
                "removes the batch dimension N too, (1, 1, H) -> (H,)",
                "remove only the first dimension: h_n[0] (or h_n.squeeze(0), or output[-1])",
            ),
            edit=("return output[-1]", "return h_n.squeeze()"),
        ),
        Mistake(
            "the whole output",
            Hints(
                "how many steps does your answer hold?",
                "that is output, every step's state (L, N, H); keep one step",
                "keep the last step: output[-1]",
            ),
            edit=("return output[-1]", "return output"),
        ),
        Mistake(
            "no permute",
            Hints(
                "which dimension of x did the RNN read as time?",
                "the batch-first x went into the sequence-first RNN without permute, so it read "
                "N steps of L sequences",
                "give the RNN x.permute(1, 0, 2), then take output[-1]",
            ),
            code="def last_states(rnn, x):\n    output, h_n = rnn(x)\n    return output[-1]\n",
        ),
        Mistake(
            "no permute, then output indexed as if batch-first",
            Hints(
                "the shape is right: which dimension of x did the RNN read as time?",
                "the RNN read x batch-first without the permute: it took the N sequences for "
                "N time steps, so output[:, -1] holds the states of a made-up sequence, step L "
                "of each of the N sequences in a row, not each sequence's final state",
                "give the RNN x.permute(1, 0, 2), then take output[-1] (time is dimension 0 of "
                "(L, N, H))",
            ),
            code="def last_states(rnn, x):\n    output, h_n = rnn(x)\n    return output[:, -1]\n",
        ),
        Mistake(
            "reshape instead of permute",
            Hints(
                "the time step is right: how did your function change x's layout?",
                "reshape keeps the numbers in memory order, so x.reshape(L, N, H_in) mixes the "
                "sequences into new ones; it does not swap N and L",
                "swap the two dimensions with x.permute(1, 0, 2) (or x.transpose(0, 1)), then "
                "take output[-1]",
            ),
            code="def last_states(rnn, x):\n"
            "    N, L, H_in = x.shape\n"
            "    output, h_n = rnn(x.reshape(L, N, H_in))\n"
            "    return output[-1]\n",
        ),
        Mistake(
            "output indexed as if batch-first",
            Hints(
                "which dimension of output is time after the permute?",
                "that indexes output as if it were batch-first; after the permute it is (L, N, H)",
                "time is dimension 0 of (L, N, H): output[-1]",
            ),
            edit=("return output[-1]", "return output[:, -1]"),
        ),
        Mistake(
            "the mean over the steps",
            Hints(
                "does your function keep one step, or combine them?",
                "output.mean(0) averages the states of all L steps; the final state is one "
                "step's state, the last",
                "keep the last step: output[-1]",
            ),
            edit=("return output[-1]", "return output.mean(0)"),
        ),
        Mistake(
            "the last step transposed",
            Hints(
                "the step is right: compare your shape with (N, H)",
                "(H, N): .T swaps the two dimensions of output[-1], so each column is a sequence",
                "return output[-1] as it is, (N, H), one row per sequence",
            ),
            edit=("return output[-1]", "return output[-1].T"),
        ),
        Mistake(
            "the sum over the steps",
            Hints(
                "does your function keep one step, or combine them?",
                "output.sum(0) adds the states of all L steps; the final state is one step's "
                "state, the last",
                "keep the last step: output[-1]",
            ),
            edit=("return output[-1]", "return output.sum(0)"),
        ),
        Mistake(
            "x flipped in time, then output[0]",
            Hints(
                "which order did the RNN read the steps in?",
                "x.flip(1) reverses each sequence before the RNN, so the RNN reads step L first: "
                "output[0] is then the state after reading x_L alone, not after all L steps",
                "do not flip x: give the RNN x.permute(1, 0, 2), then take output[-1]",
            ),
            code="def last_states(rnn, x):\n"
            "    output, h_n = rnn(x.flip(1).permute(1, 0, 2))\n"
            "    return output[0]\n",
        ),
        Mistake(
            "x flipped in time, then output[-1]",
            Hints(
                "which order did the RNN read the steps in?",
                "x.flip(1) reverses each sequence before the RNN, so it reads step L first and "
                "step 1 last: an RNN's state depends on the order, so that is another state",
                "do not flip x: give the RNN x.permute(1, 0, 2), then take output[-1]",
            ),
            code="def last_states(rnn, x):\n"
            "    output, h_n = rnn(x.flip(1).permute(1, 0, 2))\n"
            "    return output[-1]\n",
        ),
        Mistake(
            "one step before the end",
            Hints(
                "which step is the last?",
                "that is the state one step before the end",
                "the last step is output[-1]",
            ),
            edit=("return output[-1]", "return output[-2]"),
        ),
    ),
)


EXERCISES = (PREDICTED_SHAPES, HIDDEN_SIZE_MESSAGE, LAST_STEP_STATES)

predicted_shapes = checker(PREDICTED_SHAPES)
hidden_size_message = checker(HIDDEN_SIZE_MESSAGE)
last_step_states = checker(LAST_STEP_STATES)
