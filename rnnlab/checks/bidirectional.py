"""Exercises of the chapter on a bidirectional RNN (05), defined once, and the older checker kept
for student copies made before the port.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. Probe sizes are all different (L != N != H_in != H) and vary; weights
come from a local ``torch.Generator``, so a checker never moves the notebook's global random state.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnlab.checks._exercise import Exercise, Hints, Mistake, Part, Probe, checker, drawn_rnn
from rnnlab.checks._verdict import INCORRECT, Result
from rnnlab.checks.stacked import (
    _H_N_BATCH_FIRST,
    _OTHER_LAYOUT,
    _head_verdict,
    _no_grad_call,
    _output_other_layout,
    _predicted,
    _shapes_handed,
    _shapes_reference,
)

__all__ = [
    "EXERCISES",
    "bidirectional_by_hand",
    "bidirectional_head",
    "bidirectional_shapes",
    "final_states",
]

CHAPTER = "05_bidirectional"


# -- 1. bidirectional_shapes: predict output and h_n of a stacked bidirectional RNN -------------

_DIRECTIONS_OUT = Hints(
    "output: how many directions write into each step of output?",
    "output: each step of output holds both directions' states side by side",
    "output has D*H features per step: (L, N, D*H)",
)
_DIRECTIONS_H_N = Hints(
    "output is right. h_n: how many final states does each layer have?",
    "output is right. Each layer ends with one final state per direction, stacked in h_n's "
    "first dimension, never side by side",
    "output is right. h_n is (D*num_layers, N, H)",
)

BIDIRECTIONAL_SHAPES = Exercise(
    id=f"{CHAPTER}.bidirectional_shapes",
    version=1,
    title="Predict the shapes of output and h_n of a four-layer bidirectional RNN",
    points=2,
    kind="predict",
    starter="""\
rnn_1 = nn.RNN(input_size=7, hidden_size=3, num_layers=4, bidirectional=True)
x_1 = torch.zeros(9, 5, 7)  # (L, N, H_in)
output_shape = ...
h_n_shape = ...
checks.bidirectional_shapes(rnn_1, x_1, output_shape, h_n_shape)""",
    solution="""\
rnn_1 = nn.RNN(input_size=7, hidden_size=3, num_layers=4, bidirectional=True)
x_1 = torch.zeros(9, 5, 7)  # (L, N, H_in)
output_shape = (9, 5, 6)  # (L, N, D*H): the last layer's two directions side by side
h_n_shape = (8, 5, 3)  # (D*num_layers, N, H): one final state per layer and direction
checks.bidirectional_shapes(rnn_1, x_1, output_shape, h_n_shape)""",
    parts=(Part("output_shape", "shape"), Part("h_n_shape", "shape")),
    handed=("rnn", "x"),
    asked=("output_shape", "h_n_shape"),
    reference=_shapes_reference,
    defaults=lambda: (
        nn.RNN(input_size=7, hidden_size=3, num_layers=4, bidirectional=True),
        torch.zeros(9, 5, 7),
    ),
    check_handed=lambda rnn, x: _shapes_handed(rnn, x, bidirectional=True),
    variants=lambda generator: [
        (nn.RNN(H_in, H, num_layers=layers, bidirectional=True, batch_first=bf), torch.zeros(*s))
        for H_in, H, layers, bf, s in (
            (2, 6, 3, False, (4, 5, 2)),
            (5, 2, 3, True, (7, 4, 5)),
            (3, 4, 2, False, (6, 8, 3)),
        )
    ],
    right="output holds the top layer's two directions side by side; h_n one final state per "
    "layer and direction",
    hints=Hints(
        "compare each shape with the layout of x and with what two directions and a stack keep",
        "output is laid out like x with the top layer's D*H features; h_n stacks one final "
        "state per layer and direction in its first dimension",
        "output is (L, N, D*H) and h_n is (D*num_layers, N, H)",
    ),
    mistakes=(
        Mistake("output of one direction", _DIRECTIONS_OUT, _predicted(("L", "N", "H"))),
        Mistake(
            "output holds every layer",
            Hints(
                "output: which layers does output hold?",
                "output: the layers below pass their states up; output holds the top layer's",
                "output holds the last layer only: (L, N, D*H)",
            ),
            _predicted(("L", "N", "all")),
        ),
        Mistake("output in the other layout", _OTHER_LAYOUT, _output_other_layout),
        Mistake("h_n without directions", _DIRECTIONS_H_N, _predicted(h_n=("layers", "N", "H"))),
        Mistake(
            "h_n directions side by side", _DIRECTIONS_H_N, _predicted(h_n=("layers", "N", "DH"))
        ),
        Mistake(
            "h_n of the last layer only",
            Hints(
                "output is right. h_n: which layers does h_n keep?",
                "output is right. Unlike output, h_n keeps every layer's final states",
                "output is right. h_n is (D*num_layers, N, H): every layer, both directions",
            ),
            _predicted(h_n=(2, "N", "H")),
        ),
        Mistake(
            "h_n 4-D",
            Hints(
                "output is right. h_n: count its dimensions",
                "output is right. nn.RNN returns h_n 3-D; view(num_layers, D, N, H) is something "
                "you do to it afterwards",
                "output is right. h_n is (D*num_layers, N, H)",
            ),
            _predicted(h_n=("layers", 2, "N", "H")),
        ),
        Mistake(
            "h_n with D*H features",  # laid out like output's features
            Hints(
                "output is right. h_n: how many features does each final state have?",
                "output is right. Unlike output, h_n does not put the two directions side by "
                "side: each direction's final state has its own index in h_n's first dimension, "
                "with H features",
                "output is right. h_n is (D*num_layers, N, H)",
            ),
            _predicted(h_n=("DN", "N", "DH")),
        ),
        Mistake("h_n batch-first", _H_N_BATCH_FIRST, _predicted(h_n=("N", "DN", "H"))),
    ),
)


# -- 2. final_states: the two final states, read from a sequence-first output ------------------


def _final_states_probes(generator):
    probes = []
    for L, N, H_in, H in ((7, 4, 8, 5), (3, 6, 2, 4), (5, 2, 3, 6)):
        rnn = drawn_rnn(generator, H_in, H, bidirectional=True)  # sequence-first
        with torch.no_grad():
            output, _ = rnn(torch.randn(L, N, H_in, generator=generator))  # (L, N, 2*H)
        probes.append(Probe(f"L={L}, N={N}, H={H}", (output, H)))
    return probes


def _split(forward=None, reverse=None):
    """A mistake of final_states: each final state as a function of (output, H)."""
    right_forward = "output[-1, :, :H]"
    right_reverse = "output[0, :, H : 2 * H]"
    return f"""\
def split(output, H):
    return {forward or right_forward}, {reverse or right_reverse}
"""


FINAL_STATES = Exercise(
    id=f"{CHAPTER}.final_states",
    version=1,
    title="Read both final states from a sequence-first bidirectional output",
    points=2,
    kind="implement",
    starter="""\
def split(output, H): ...


checks.final_states(split)""",
    solution="""\
def split(output, H):  # output: (L, N, 2*H), sequence-first
    forward_final = output[-1, :, :H]  # forward ends at the last step, dimension 0
    reverse_final = output[0, :, H : 2 * H]  # reverse ends at step 1 (index 0): the last H
    return forward_final, reverse_final


checks.final_states(split)""",
    parts=(Part("forward_final", "tensor"), Part("reverse_final", "tensor")),
    asked=("split",),
    probes=_final_states_probes,
    equivalent={
        "line 3: 2 -> 3": "output has 2*H features: a slice H:3*H stops at the end, as H:2*H does",
    },
    right="forward ends at the last step, reverse at the first (time: dimension 0)",
    hints=Hints(
        "for each direction, ask at which step it ends and in which features it lives",
        "in a sequence-first output time is dimension 0; the forward direction fills the first "
        "H features, the reverse direction the last H",
        "forward_final = output[-1, :, :H], reverse_final = output[0, :, H:]",
    ),
    mistakes=(
        Mistake(
            "time read as dimension 1",
            Hints(
                "which dimension of this output is time?",
                "every RNN the chapter built before its exercises was batch-first; this output is "
                "sequence-first, "
                "(L, N, 2*H)",
                "index time in dimension 0: output[-1, :, :H] and output[0, :, H:]",
            ),
            code=_split("output[:, -1, :H]", "output[:, 0, H:]"),
        ),
        Mistake(
            "reverse from the last step",
            Hints(
                "forward_final is right. reverse_final: at which step does the reverse direction "
                "end?",
                "forward_final is right. The reverse direction reads the sequence from the last "
                "step back: its final state is at step 1 (index 0)",
                "forward_final is right. reverse_final = output[0, :, H:]",
            ),
            code=_split(reverse="output[-1, :, H:]"),
        ),
        Mistake(
            "step 1 read as index 1",
            Hints(
                "forward_final is right. reverse_final: which index holds step 1?",
                "forward_final is right. Steps are numbered from 1, indices from 0: step 1 is "
                "index 0",
                "forward_final is right. reverse_final = output[0, :, H:]",
            ),
            code=_split(reverse="output[1, :, H:]"),
        ),
        Mistake(
            "forward from step 0",
            Hints(
                "forward_final: at which step does the forward direction end?",
                "forward_final: the forward direction reads from step 1 to the last step and "
                "ends there",
                "forward_final = output[-1, :, :H]",
            ),
            code=_split(forward="output[0, :, :H]"),
        ),
        Mistake(
            "swapped",
            Hints(
                "both states are there: in which order did you return them?",
                "the exercise asks for the forward final state first, then the reverse",
                "return forward_final, reverse_final in that order",
            ),
            code=_split("output[0, :, H:]", "output[-1, :, :H]"),
        ),
        Mistake(
            "forward in the last features",
            Hints(
                "forward_final: in which features does the forward direction live?",
                "forward_final: output puts the forward direction first, features 0 to H-1",
                "forward_final = output[-1, :, :H]",
            ),
            code=_split(forward="output[-1, :, H:]"),
        ),
        Mistake(
            "reverse in the first features",
            Hints(
                "forward_final is right. reverse_final: in which features does the reverse "
                "direction live?",
                "forward_final is right. The reverse direction fills the last H features",
                "forward_final is right. reverse_final = output[0, :, H:]",
            ),
            code=_split(reverse="output[0, :, :H]"),
        ),
        Mistake(
            "both directions in each",
            Hints(
                "count the features of what you returned",
                "each final state is one direction's, H features; a step of output has 2*H",
                "slice the features too: :H for forward, H: for reverse",
            ),
            code=_split("output[-1]", "output[0]"),
        ),
    ),
)


# -- 3. bidirectional_by_hand: find the bug in a bidirectional RNN rebuilt from two RNNs -------


def _by_hand_probes(generator):
    probes = []
    for N, L, H_in, H in ((3, 6, 4, 5), (5, 4, 2, 3), (2, 7, 6, 4)):
        forward_rnn = drawn_rnn(generator, H_in, H, batch_first=True)
        reverse_rnn = drawn_rnn(generator, H_in, H, batch_first=True)
        x = torch.randn(N, L, H_in, generator=generator)  # (N, L, H_in)
        h0 = torch.randn(2, N, H, generator=generator)  # (D, N, H)
        label = f"N={N}, L={L}, H_in={H_in}, H={H}"
        probes.append(Probe(label, (forward_rnn, reverse_rnn, x, h0)))
    return probes


_H0_FLIPPED = Hints(
    "which dimension of h0 did you flip?",
    "h0 is (D, N, H): it has no time dimension, so flip(1) reorders the batch and each sequence "
    "starts from another sequence's state",
    "give each RNN its row of h0 as it is, h0[0:1] and h0[1:2]; only x and the reverse RNN's "
    "output are flipped along time",
)

_REVERSE_H0 = Hints(
    "which row of h0 does reverse_rnn start from?",
    "h0 has the layout of h_n: row 0 is where the forward direction starts, before step 1; row 1 "
    "where the reverse direction starts, before step L",
    "give reverse_rnn h0[1:2]; forward_rnn keeps h0[0:1]",
)

BIDIRECTIONAL_BY_HAND = Exercise(
    id=f"{CHAPTER}.bidirectional_by_hand",
    version=1,
    title="Find the silent bug in a bidirectional RNN rebuilt from two one-direction RNNs",
    points=3,
    kind="find-the-bug",
    starter="""\
def bidirectional_by_hand(forward_rnn, reverse_rnn, x, h0):  # x: (N, L, H_in), h0: (D, N, H)
    forward_half, forward_last = forward_rnn(x, h0[0:1])  # (N, L, H), (1, N, H)
    reverse_half, reverse_last = reverse_rnn(x.flip(1), h0[1:2])  # reads step L (index L-1) first
    output = torch.cat([forward_half, reverse_half], dim=2)  # (N, L, 2*H)
    return output, torch.cat([forward_last, reverse_last])  # (N, L, 2*H), (D, N, H)


checks.bidirectional_by_hand(bidirectional_by_hand)""",
    solution="""\
def bidirectional_by_hand(forward_rnn, reverse_rnn, x, h0):  # x: (N, L, H_in), h0: (D, N, H)
    forward_half, forward_last = forward_rnn(x, h0[0:1])  # (N, L, H), (1, N, H)
    reverse_half, reverse_last = reverse_rnn(x.flip(1), h0[1:2])  # its index s is x's index L-1-s
    output = torch.cat([forward_half, reverse_half.flip(1)], dim=2)  # realigned: (N, L, 2*H)
    return output, torch.cat([forward_last, reverse_last])  # (N, L, 2*H), (D, N, H)


checks.bidirectional_by_hand(bidirectional_by_hand)""",
    parts=(Part("output", "tensor"), Part("h_n", "tensor")),
    asked=("bidirectional_by_hand",),
    probes=_by_hand_probes,
    call=_no_grad_call,
    equivalent={
        "line 3: 2 -> 3": "h0 has D = 2 rows: the slice 1:3 stops at the end, as 1:2 does",
    },
    right="both halves of output aligned with x's steps, and h_n as the worked solution gives "
    "them, which section 2 checked against nn.RNN(bidirectional=True)",
    hints=Hints(
        "output: which half differs, output[..., :H] or output[..., H:]? What does each RNN read, "
        "and from which state does it start?",
        "output[:, t] holds both directions' states at index t of x: forward_rnn reads x from "
        "step 1 on, starting from h0[0]; reverse_rnn reads x from step L (index L-1) down, "
        "starting from h0[1], and its output is in the order it read x",
        "run forward_rnn(x, h0[0:1]) and reverse_rnn(x.flip(1), h0[1:2]), and flip the reverse "
        "RNN's output back along time, reverse_half.flip(1), before concatenating",
    ),
    mistakes=(
        Mistake(
            "forward from zeros",
            Hints(
                "output: from which state does forward_rnn start?",
                "forward_rnn gets no h0 and starts from zeros; nn.RNN(bidirectional=True) started "
                "its forward direction from h0[0]",
                "give forward_rnn its row of h0: forward_rnn(x, h0[0:1])",
            ),
            edit=("forward_rnn(x, h0[0:1])", "forward_rnn(x)"),
        ),
        Mistake(
            "forward from h0[1]",
            Hints(
                "output: which row of h0 does forward_rnn start from?",
                "h0 has the layout of h_n: row 0 is where the forward direction starts, before "
                "step 1; row 1 is the reverse direction's",
                "give forward_rnn h0[0:1]; reverse_rnn keeps h0[1:2]",
            ),
            edit=("forward_rnn(x, h0[0:1])", "forward_rnn(x, h0[1:2])"),
        ),
        Mistake(
            "x and the reverse half flipped along the batch",
            Hints(
                "along which dimension did you reverse x?",
                "x is batch-first, (N, L, H_in): flip(0) reverses the batch, so reverse_rnn still "
                "reads each sequence from step 1 on",
                "flip x and the reverse RNN's output along time, dimension 1: x.flip(1) and "
                "reverse_half.flip(1)",
            ),
            code="""\
def bidirectional_by_hand(forward_rnn, reverse_rnn, x, h0):
    forward_half, forward_last = forward_rnn(x, h0[0:1])
    reverse_half, reverse_last = reverse_rnn(x.flip(0), h0[1:2])
    output = torch.cat([forward_half, reverse_half.flip(0)], dim=2)
    return output, torch.cat([forward_last, reverse_last])
""",
        ),
        Mistake(
            "stack instead of cat",
            Hints(
                "output is right. h_n: count its dimensions",
                "output is right. torch.stack adds a dimension: the two (1, N, H) final states "
                "become (2, 1, N, H); h_n is (D, N, H)",
                "output is right. Join the final states along their first dimension with "
                "torch.cat([forward_last, reverse_last])",
            ),
            edit=(
                "torch.cat([forward_last, reverse_last])",
                "torch.stack([forward_last, reverse_last])",
            ),
        ),
        Mistake(
            "a negative step to reverse time",
            Hints(
                "torch tensors have no negative steps: [::-1] raises a ValueError",
                "a slice with step -1 works on lists and NumPy arrays, not on torch tensors; "
                "torch reverses a dimension with flip",
                "reverse time with .flip(1) (time is dimension 1 when batch-first), e.g. "
                "reverse_half.flip(1)",
            ),
            edit=("reverse_half.flip(1)", "reverse_half[:, ::-1]"),
        ),
        Mistake(
            "h0 flipped along the batch",
            _H0_FLIPPED,
            code="""\
def bidirectional_by_hand(forward_rnn, reverse_rnn, x, h0):
    h0 = h0.flip(1)
    forward_half, forward_last = forward_rnn(x, h0[0:1])
    reverse_half, reverse_last = reverse_rnn(x.flip(1), h0[1:2])
    output = torch.cat([forward_half, reverse_half.flip(1)], dim=2)
    return output, torch.cat([forward_last, reverse_last])
""",
        ),
        Mistake(
            "the reverse h0 flipped along the batch",
            _H0_FLIPPED,
            edit=("reverse_rnn(x.flip(1), h0[1:2])", "reverse_rnn(x.flip(1), h0[1:2].flip(1))"),
        ),
        Mistake(
            "flipped along the batch",
            Hints(
                "output: along which dimension did you turn the reverse half back?",
                "output: in a batch-first tensor dimension 0 is the batch; time is dimension 1",
                "flip the reverse half along time: reverse_half.flip(1)",
            ),
            edit=("reverse_half.flip(1)", "reverse_half.flip(0)"),
        ),
        Mistake(
            "the reverse half flipped along its features",
            Hints(
                "output: which dimension of the reverse half did you reverse?",
                "output: in the batch-first reverse half, dimension 2 (also -1) holds the H "
                "features of a state, dimension 1 is time",
                "you reversed the H features; reverse time instead: reverse_half.flip(1)",
            ),
            edit=("reverse_half.flip(1)", "reverse_half.flip(2)"),
        ),
        Mistake(
            "the reverse half flipped along the batch and time",
            Hints(
                "output: along which dimensions did you turn the reverse half back?",
                "output: flip(0, 1) reverses time and the batch too, dimension 0: the sequence at "
                "index n then gets the reverse states of the one at index N-1-n",
                "flip the reverse half along time only: reverse_half.flip(1)",
            ),
            edit=("reverse_half.flip(1)", "reverse_half.flip(0, 1)"),
        ),
        Mistake(
            "the whole output flipped",
            Hints(
                "output: which half needed turning back?",
                "output: the forward RNN read x in order; only the reverse RNN's output is "
                "in reverse order",
                "flip only the reverse half: torch.cat([forward_half, reverse_half.flip(1)], 2)",
            ),
            edit=(
                "torch.cat([forward_half, reverse_half.flip(1)], dim=2)",
                "torch.cat([forward_half, reverse_half], dim=2).flip(1)",
            ),
        ),
        Mistake(
            "the halves joined along time",
            Hints(
                "output: along which dimension did you join the two halves?",
                "output: in a batch-first tensor dimension 1 is time; dim=1 puts the reverse half "
                "after the forward one in time, (N, 2*L, H) instead of (N, L, 2*H)",
                "concatenate the two halves on the feature dimension, dim=2",
            ),
            edit=(
                "torch.cat([forward_half, reverse_half.flip(1)], dim=2)",
                "torch.cat([forward_half, reverse_half.flip(1)], dim=1)",
            ),
        ),
        Mistake(
            "x not flipped",
            Hints(
                "in which order does the reverse RNN read x?",
                "a one-direction RNN reads its input from step 1 on; to make it read from the "
                "last step, give it x reversed in time",
                "run reverse_rnn on x.flip(1), then flip its output back",
            ),
            edit=("reverse_rnn(x.flip(1), h0[1:2])", "reverse_rnn(x, h0[1:2])"),
        ),
        Mistake(
            "h0 rows swapped",
            Hints(
                "which row of h0 does each direction start from?",
                "h0 has the layout of h_n: row 0 is the forward direction's, row 1 the reverse's",
                "forward_rnn starts from h0[0:1], reverse_rnn from h0[1:2]",
            ),
            code="""\
def bidirectional_by_hand(forward_rnn, reverse_rnn, x, h0):
    forward_half, forward_last = forward_rnn(x, h0[1:2])
    reverse_half, reverse_last = reverse_rnn(x.flip(1), h0[0:1])
    output = torch.cat([forward_half, reverse_half.flip(1)], dim=2)
    return output, torch.cat([forward_last, reverse_last])
""",
        ),
        Mistake(
            "the reverse direction started from the forward direction's h0",
            _REVERSE_H0,
            edit=("reverse_rnn(x.flip(1), h0[1:2])", "reverse_rnn(x.flip(1), h0[0:1])"),
        ),
        Mistake(
            "the reverse direction started from forward_last",
            _REVERSE_H0,
            edit=("reverse_rnn(x.flip(1), h0[1:2])", "reverse_rnn(x.flip(1), forward_last)"),
        ),
        Mistake(
            "the reverse direction started from zeros",
            _REVERSE_H0,
            edit=("reverse_rnn(x.flip(1), h0[1:2])", "reverse_rnn(x.flip(1))"),
        ),
        Mistake(
            "halves swapped",
            Hints(
                "output: which direction's states come first at each step of output?",
                "output: nn.RNN(bidirectional=True) puts the forward direction's H features "
                "first, output[..., :H], and the reverse direction's after them, output[..., H:]",
                "put the forward half first: "
                "torch.cat([forward_half, reverse_half.flip(1)], dim=2)",
            ),
            edit=(
                "torch.cat([forward_half, reverse_half.flip(1)], dim=2)",
                "torch.cat([reverse_half.flip(1), forward_half], dim=2)",
            ),
        ),
        Mistake(
            "forward_rnn used twice",
            Hints(
                "which RNN computes the reverse half?",
                "the two directions have their own weights: forward_rnn reads x from step 1, "
                "reverse_rnn reads x.flip(1)",
                "compute the reverse half with reverse_rnn(x.flip(1), h0[1:2])",
            ),
            edit=("reverse_rnn(x.flip(1), h0[1:2])", "forward_rnn(x.flip(1), h0[1:2])"),
        ),
        Mistake(
            "h_n rows swapped",
            Hints(
                "output is right. h_n: which direction's final state is row 0?",
                "output is right. h_n has the layout of h0: row 0 is the forward direction's "
                "final state, row 1 the reverse direction's",
                "output is right. Return torch.cat([forward_last, reverse_last])",
            ),
            edit=(
                "torch.cat([forward_last, reverse_last])",
                "torch.cat([reverse_last, forward_last])",
            ),
        ),
        Mistake(
            "h0 left out",
            Hints(
                "your code ignores an argument it was handed: which one?",
                "without an initial state each direction starts from zeros; "
                "nn.RNN(bidirectional=True) started from h0",
                "give forward_rnn h0[0:1] and reverse_rnn h0[1:2]",
            ),
            code="""\
def bidirectional_by_hand(forward_rnn, reverse_rnn, x, h0):
    forward_half, forward_last = forward_rnn(x)
    reverse_half, reverse_last = reverse_rnn(x.flip(1))
    output = torch.cat([forward_half, reverse_half.flip(1)], dim=2)
    return output, torch.cat([forward_last, reverse_last])
""",
        ),
        Mistake(
            "h_n read from the last step",
            Hints(
                "output is right. h_n: where does the reverse direction end?",
                "output is right. The reverse direction's final state is its state after "
                "reading step 1, at index 0 of the aligned output",
                "output is right. Return the two RNNs' final states, torch.cat([forward_last, "
                "reverse_last])",
            ),
            edit=(
                "torch.cat([forward_last, reverse_last])",
                "torch.stack([output[:, -1, : forward_half.shape[2]], "
                "output[:, -1, forward_half.shape[2] :]])",
            ),
        ),
    ),
)


EXERCISES = (BIDIRECTIONAL_SHAPES, FINAL_STATES, BIDIRECTIONAL_BY_HAND)

bidirectional_shapes = checker(BIDIRECTIONAL_SHAPES)
final_states = checker(FINAL_STATES)
bidirectional_by_hand = checker(BIDIRECTIONAL_BY_HAND)


# -- kept for older student copies -------------------------------------------------------------


def bidirectional_head(model_class) -> Result:
    """Exercise (find the bug): a classifier on a bidirectional RNN reads ``output[:, -1]``,
    whose reverse half is the reverse direction after one step. Fix ``forward`` so that the head
    reads the last layer's two final states; the checker builds the class with ``num_layers`` =
    1 and 3 and accepts ``cat(h_n[-2], h_n[-1])`` however it is written (for instance from
    ``output``).

    Shapes: x (N, L, H_in) batch-first; h_n (D*num_layers, N, H); logits (N, n_classes).

    Used in: no chapter now (05_bidirectional asks for bidirectional_by_hand instead); kept so
    that older student copies still check.
    """

    def candidates(model, x):
        output, h_n = model.rnn(x)  # (N, L, 2*H), (2*num_layers, N, H)
        mistakes = [
            (
                Result(
                    INCORRECT,
                    "the head reads output[:, -1]: its reverse half is the reverse direction "
                    "after one step. That direction ends at step 1 (index 0)",
                ),
                model.head(output[:, -1]),
            ),
            (
                Result(
                    INCORRECT,
                    "both directions, but in the wrong order: PyTorch puts forward first",
                ),
                model.head(torch.cat([h_n[-1], h_n[-2]], dim=1)),
            ),
        ]
        if model.rnn.num_layers > 1:
            mistakes.append(
                (
                    Result(
                        INCORRECT,
                        "h_n[0] and h_n[1] are layer 0's two directions: right for one layer "
                        "only. The last layer's are at the end of h_n",
                    ),
                    model.head(torch.cat([h_n[0], h_n[1]], dim=1)),
                )
            )
        return model.head(torch.cat([h_n[-2], h_n[-1]], dim=1)), mistakes  # (N, 2*H) in

    return _head_verdict(
        model_class,
        [(1, True), (3, True)],
        candidates,
        "the head reads the last layer's two final states, forward (h_n[-2]) then reverse "
        "(h_n[-1])",
    )
