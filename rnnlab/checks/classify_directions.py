"""Exercises of the chapter on training a classifier of square directions (07), defined once, and
the older checkers kept for student copies made before the port (``accuracy_value``,
``head_in_features``).

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. Probes vary the sizes (num_layers, N, H all different), the square's turn
and the walks' length; they come from local generators, so the notebook's random state is left
as it was.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch
from torch import nn

from rnnlab.checks._exercise import Exercise, FormError, Hints, Mistake, Part, Probe, checker
from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    Result,
    _as_number,
    _not_attempted,
)

__all__ = [
    "EXERCISES",
    "accuracy_value",
    "bidirectional_summary",
    "direction_rule",
    "head_in_features",
    "head_input",
]

CHAPTER = "07_classify_directions"


def accuracy_value(model: nn.Module, x: torch.Tensor, y: torch.Tensor, accuracy) -> Result:
    """Exercise: the accuracy of ``model`` on (x, y), the fraction of sequences whose argmax
    logit is their label.

    Shapes: x (N, L, H_in), y (N,); accuracy a number in [0, 1].

    Used in: no chapter now; kept so that older student copies still check.
    """
    pending = _not_attempted(accuracy)
    if pending is not None:
        return pending
    value = _as_number(accuracy)
    if value is None:
        return Result(INCORRECT, "give one number between 0 and 1")
    with torch.no_grad():
        correct = (model(x).argmax(dim=1) == y).sum().item()
    want = correct / len(y)
    if abs(value - want) < 1e-6:
        return Result(CORRECT, "the fraction of sequences whose largest logit is their label")
    if abs(value - correct) < 1e-6:
        return Result(INCORRECT, "that is a count: divide by the number of sequences")
    if abs(value - (1 - want)) < 1e-6:
        return Result(INCORRECT, "that is the error rate, the fraction of wrong answers")
    return Result(INCORRECT, "compare model(x).argmax(dim=1) with y, then take the mean")


def _whole_number(value) -> int | None:
    """A student's whole-number answer (int, NumPy or 0-d torch integer), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        return int(value.item())
    if isinstance(value, Integral):
        return int(value)
    return None


def head_in_features(rnn: nn.RNNBase, in_features) -> Result:
    """Exercise: the ``in_features`` of a Linear layer fed the last layer's final states of
    ``rnn``, all directions side by side.

    Shapes: the answer is D*H; with num_layers = 3, D = 2 and H = 16 every plausible mistake
    (H, num_layers*H, D*num_layers*H) gives another number.

    Used in: no chapter now (07 asks for head_input instead); kept so that older student copies
    still check.
    """
    pending = _not_attempted(in_features)
    if pending is not None:
        return pending
    value = _whole_number(in_features)
    if value is None:
        return Result(INCORRECT, "give a whole number")
    D = 2 if rnn.bidirectional else 1
    H, layers = rnn.hidden_size, rnn.num_layers
    if value == D * H:
        return Result(CORRECT, "D*H: one H-sized final state per direction, last layer only")
    if value == H:
        return Result(INCORRECT, "that is one direction; this RNN has two side by side")
    if value == D * layers * H:
        return Result(INCORRECT, "that counts every layer; the head reads the last layer only")
    if value == layers * H:
        return Result(INCORRECT, "that counts the layers, not the directions: the head reads D")
    if value == rnn.input_size * D:
        return Result(INCORRECT, "that uses H_in; the final states have H features each")
    return Result(
        INCORRECT,
        "how many numbers does one sequence's final state have, per "
        "direction, and how many directions are there?",
    )


# -- 1. head_input: predict what the classifier's head reads -----------------------------------


def _head_reference(rnn, x):
    output, h_n = rnn(x)
    D = 2 if rnn.bidirectional else 1
    last = torch.cat([h_n[-D + d] for d in range(D)], dim=1)  # the last layer, (N, D*H)
    return last.shape[1], tuple(last.shape)


def _head_mistake(in_features=None, shape=None):
    def answer(rnn, x):
        right = _head_reference(rnn, x)
        D = 2 if rnn.bidirectional else 1
        L, N = (x.shape[1], x.shape[0]) if rnn.batch_first else (x.shape[0], x.shape[1])
        sizes = {"H": rnn.hidden_size, "D": D, "layers": rnn.num_layers, "H_in": rnn.input_size}
        sizes |= {"L": L, "N": N}
        return (
            right[0] if in_features is None else in_features(**sizes),
            right[1] if shape is None else shape(**sizes),
        )

    return answer


def _head_handed(rnn, x) -> str:
    if not isinstance(rnn, nn.RNNBase) or not isinstance(x, torch.Tensor) or x.dim() != 3:
        return "pass the cell's rnn_3 and x_3 first (an RNN and a 3-D input), then your answers"
    return ""


_FEATURES = Hints(
    "in_features: count the numbers one sequence's summary holds",
    "in_features: the head reads the last layer's final states, one H-sized state per "
    "direction, side by side",
    "in_features = D*H",
)

HEAD_INPUT = Exercise(
    id=f"{CHAPTER}.head_input",
    version=3,
    title="Predict in_features and the input shape of a bidirectional classifier's head",
    points=2,
    kind="predict",
    starter="""\
rnn_3 = nn.RNN(input_size=7, hidden_size=16, num_layers=3, bidirectional=True)
x_3 = torch.zeros(5, 8, 7)  # (L, N, H_in): sequence-first
in_features = ...
features_shape = ...  # what the head reads for x_3
checks.head_input(rnn_3, x_3, in_features, features_shape)""",
    solution="""\
rnn_3 = nn.RNN(input_size=7, hidden_size=16, num_layers=3, bidirectional=True)
x_3 = torch.zeros(5, 8, 7)  # (L, N, H_in): sequence-first
in_features = 2 * 16  # D*H: h_n[-2] and h_n[-1] side by side; num_layers does not count
features_shape = (8, 32)  # (N, D*H): one row per sequence, whatever the layout of x
checks.head_input(rnn_3, x_3, in_features, features_shape)""",
    parts=(Part("in_features", "int"), Part("features_shape", "shape")),
    handed=("rnn", "x"),
    asked=("in_features", "features_shape"),
    reference=_head_reference,
    defaults=lambda: (
        nn.RNN(input_size=7, hidden_size=16, num_layers=3, bidirectional=True),
        torch.zeros(5, 8, 7),
    ),
    check_handed=_head_handed,
    variants=lambda generator: [
        (nn.RNN(3, 5, num_layers=2, bidirectional=True, batch_first=True), torch.zeros(4, 7, 3)),
        (nn.RNN(4, 6, num_layers=3), torch.zeros(9, 2, 4)),
        (nn.RNN(2, 7, num_layers=4, bidirectional=True), torch.zeros(3, 5, 2)),
    ],
    right="D*H features: the last layer's final state in each direction, one row per sequence",
    hints=Hints(
        "in_features: which final states does the head read, and how many numbers is that per "
        "sequence?",
        "the head reads the last layer's final states, one per direction, side by side: one row "
        "per sequence",
        "in_features = D*H and the head reads (N, D*H)",
    ),
    mistakes=(
        Mistake(
            "one direction", _FEATURES, _head_mistake(lambda H, **s: H, lambda N, H, **s: (N, H))
        ),
        Mistake(
            "every layer",
            Hints(
                "in_features: which layers does the head read?",
                "in_features: the head reads the last layer only; h_n also holds the layers below",
                "in_features = D*H: num_layers does not count",
            ),
            _head_mistake(
                lambda H, D, layers, **s: D * layers * H,
                lambda N, H, D, layers, **s: (N, D * layers * H),
            ),
        ),
        Mistake(
            "layers, not directions",
            _FEATURES,
            _head_mistake(
                lambda H, layers, **s: layers * H, lambda N, H, layers, **s: (N, layers * H)
            ),
        ),
        Mistake(
            "H_in",
            Hints(
                "in_features: which size do the final states have?",
                "in_features: a final state has hidden_size features, whatever the input has",
                "in_features = D*H",
            ),
            _head_mistake(lambda H_in, D, **s: D * H_in, lambda N, H_in, D, **s: (N, D * H_in)),
        ),
        Mistake(
            "H_in times H",
            Hints(
                "in_features: which sizes did you multiply?",
                "in_features: input_size and hidden_size size weight_ih_l0, (H, H_in); the head "
                "reads final states, H numbers per direction",
                "in_features = D*H",
            ),
            _head_mistake(lambda H_in, H, **s: H_in * H, lambda N, H_in, H, **s: (N, H_in * H)),
        ),
        Mistake(
            "in_features right, one direction's shape",
            Hints(
                "in_features is right. features_shape: how many numbers does one row hold?",
                "in_features is right. (N, H) is one direction's final states; the head reads "
                "both directions side by side, in_features numbers per row",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda N, H, **s: (N, H)),
        ),
        Mistake(
            "in_features right, every layer's shape",
            Hints(
                "in_features is right. features_shape: how many numbers does one row hold?",
                "in_features is right. (N, D*num_layers*H) holds every layer's final states; the "
                "head reads the last layer's only, in_features numbers per row",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda N, H, D, layers, **s: (N, D * layers * H)),
        ),
        Mistake(
            "in_features right, the layers' shape",
            Hints(
                "in_features is right. features_shape: how many numbers does one row hold?",
                "in_features is right. (N, num_layers*H) counts the layers, not the directions; "
                "the head reads in_features numbers per row",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda N, H, layers, **s: (N, layers * H)),
        ),
        Mistake(
            "features first",
            Hints(
                "in_features is right. features_shape: in which order are its dimensions?",
                "in_features is right. nn.Linear reads its features in the last dimension: one "
                "row per sequence",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda N, H, D, **s: (D * H, N)),
        ),
        Mistake(
            "time as the batch",
            Hints(
                "in_features is right. features_shape: which dimension of x_3 counts the "
                "sequences?",
                "in_features is right. x_3 is sequence-first, (L, N, H_in): the sequences are "
                "dimension 1",
                "in_features is right. features_shape = (N, D*H), with N = x_3.shape[1] here",
            ),
            _head_mistake(shape=lambda L, H, D, **s: (L, D * H)),
        ),
        Mistake(
            "output's layout",
            Hints(
                "in_features is right. features_shape: is that the shape of output or of what "
                "the head reads?",
                "in_features is right. output holds every step, (L, N, D*H); the head reads one "
                "row per sequence, the last layer's two final states side by side",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda L, N, H, D, **s: (L, N, D * H)),
        ),
        Mistake(
            "h_n's layout",
            Hints(
                "in_features is right. features_shape: is that the shape of h_n or of what the "
                "head reads?",
                "in_features is right. The head reads the last layer's two states side by side, "
                "not h_n as it is",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda N, H, D, layers, **s: (D * layers, N, H)),
        ),
        Mistake(
            "one sequence's row",
            Hints(
                "in_features is right. features_shape: how many sequences does x_3 hold?",
                "in_features is right. (D*H,) is one sequence's row; the head reads one row per "
                "sequence",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda H, D, **s: (D * H,)),
        ),
        Mistake(
            "a dimension of 1 in front",
            Hints(
                "in_features is right. features_shape: how many dimensions does it have?",
                "in_features is right. The head reads a 2-D tensor, one row per sequence: "
                "h_n[-1] is (N, H), with no dimension of 1 left in front",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda N, H, D, **s: (1, N, D * H)),
        ),
        Mistake(
            "a dimension of 1 in the middle",
            Hints(
                "in_features is right. features_shape: how many dimensions does it have?",
                "in_features is right. The head reads a 2-D tensor, one row per sequence, D*H "
                "features in it: no dimension of 1 between them",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda N, H, D, **s: (N, 1, D * H)),
        ),
        Mistake(
            "the two states stacked after the sequences",
            Hints(
                "in_features is right. features_shape: are the two directions in a dimension of "
                "their own or side by side?",
                "in_features is right. (N, D, H) keeps the directions in a dimension of their "
                "own, as torch.stack([h_n[-2], h_n[-1]], dim=1) does; the head reads them side "
                "by side, D*H numbers in one row per sequence",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda N, H, D, **s: (N, D, H)),
        ),
        Mistake(
            "every step a row",
            Hints(
                "in_features is right. features_shape: one row per what?",
                "in_features is right. (L*N, D*H) is one row per step of every sequence, output "
                "flattened; the head reads one row per sequence, its final states",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda L, N, H, D, **s: (L * N, D * H)),
        ),
        Mistake(
            "the two states stacked",
            Hints(
                "in_features is right. features_shape: are the two directions stacked or side "
                "by side?",
                "in_features is right. h_n[-2:] stacks the two final states, (D, N, H); the head "
                "reads them side by side in one row per sequence",
                "in_features is right. features_shape = (N, D*H)",
            ),
            _head_mistake(shape=lambda N, H, D, **s: (D, N, H)),
        ),
    ),
)


# -- 2. bidirectional_summary: the last layer's two final states, one row per sequence ---------


def _summary_probes(generator):
    probes = []
    for layers, N, H in ((3, 5, 4), (2, 3, 6), (1, 4, 2), (4, 6, 3)):
        h_n = torch.randn(2 * layers, N, H, generator=generator)  # (D*num_layers, N, H)
        probes.append(Probe(f"num_layers={layers}, N={N}, H={H}", (h_n,)))
    return probes


def _summary(body):
    return f"def summarize(h_n):\n    return {body}\n"


BIDIRECTIONAL_SUMMARY = Exercise(
    id=f"{CHAPTER}.bidirectional_summary",
    version=1,
    title="Fix a summary of h_n that mixes the sequences",
    points=2,
    kind="implement",
    starter="""\
def summarize(h_n): ...


checks.bidirectional_summary(summarize)""",
    solution="""\
# the buggy row 0 holds h_n[-2][0] and h_n[-2][1]: the forward states of sequences 0 and 1
def summarize(h_n):  # h_n: (D*num_layers, N, H)
    return torch.cat([h_n[-2], h_n[-1]], dim=1)  # two (N, H) -> (N, 2*H), one row per sequence


checks.bidirectional_summary(summarize)""",
    parts=(Part("summary", "tensor"),),
    asked=("summarize",),
    probes=_summary_probes,
    right="one row per sequence: its forward final state, then its reverse one",
    hints=Hints(
        "compare row 0 of your result with sequence 0's two final states",
        "the last layer's final states are h_n[-2] (forward) and h_n[-1] (reverse), each "
        "(N, H); row n must hold sequence n's two",
        "torch.cat([h_n[-2], h_n[-1]], dim=1)",
    ),
    mistakes=(
        Mistake(
            "summarize_buggy as given",
            Hints(
                "the shape is right: which numbers ended up in row 0?",
                "reshape and view read the numbers in row-major index order, in which h_n's "
                "sequences are dimension 1: each row mixes numbers of different sequences",
                "put the sequences first (permute(1, 0, 2)) before flattening, or "
                "torch.cat([h_n[-2], h_n[-1]], dim=1)",
            ),
            code=_summary("h_n[-2:].reshape(h_n.shape[1], -1)"),
        ),
        Mistake(
            "reverse first",
            Hints(
                "the right numbers, in which order?",
                "PyTorch's order is forward then reverse: h_n[-2] is the forward direction",
                "torch.cat([h_n[-2], h_n[-1]], dim=1)",
            ),
            code=_summary("torch.cat([h_n[-1], h_n[-2]], dim=1)"),
        ),
        Mistake(
            "the first layer",
            Hints(
                "which layer's final states did you take?",
                "h_n[0] and h_n[1] are layer 0's two directions; the last layer's are at the end",
                "torch.cat([h_n[-2], h_n[-1]], dim=1)",
            ),
            code=_summary("torch.cat([h_n[0], h_n[1]], dim=1)"),
        ),
        Mistake(
            "one direction",
            Hints(
                "count the features of your result",
                "the head reads both directions, side by side: 2*H features per sequence",
                "torch.cat([h_n[-2], h_n[-1]], dim=1)",
            ),
            code=_summary("h_n[-1]"),
        ),
        Mistake(
            "every layer",
            Hints(
                "count the features of your result",
                "that holds every layer; the head reads the last layer's two final states",
                "keep h_n[-2] and h_n[-1] only",
            ),
            code=_summary("h_n.permute(1, 0, 2).reshape(h_n.shape[1], -1)"),
        ),
        Mistake(
            "concatenated along the sequences",
            Hints(
                "along which dimension did you concatenate?",
                "dim=0 puts the reverse states below the forward ones, (2*N, H): one row per "
                "sequence needs them side by side, along the features",
                "torch.cat([h_n[-2], h_n[-1]], dim=1)",
            ),
            code=_summary("torch.cat([h_n[-2], h_n[-1]], dim=0)"),
        ),
    ),
)


# -- 3. direction_rule: a rule for any length and any turn of the square -----------------------


def _rule_probes(generator):
    from rnnlab.data import square_walks  # the data module: imports run one way

    probes = []
    for n, L, angle, size, seed in (
        (64, 5, 45.0, 1.0, 12),
        (64, 2, 45.0, 1.0, 11),
        (64, 4, 0.0, 1.0, 13),
        (48, 3, 30.0, 0.5, 14),
        (48, 4, 30.0, 0.1, 16),
        (48, 3, 60.0, 5.0, 17),
        (48, 4, 45.0, 0.001, 18),
        (48, 2, 60.0, 1e-6, 20),
        (48, 3, 45.0, 1e-12, 21),
        (48, 3, 0.0, 1000.0, 19),
    ):
        x, _ = square_walks(n, L=L, angle=angle, seed=seed)  # (N, L, 2)
        label = f"walks of L={L} on a square turned by {angle:g} degrees"
        label += f", scaled by {size:g}".replace("e-0", "e-") if size != 1 else ""  # 1e-6
        probes.append(Probe(label, (x * size,)))
    x, _ = square_walks(48, L=5, angle=30.0, seed=15)  # (N, 5, 2)
    x[:, 2:] = 2 * torch.rand(48, 3, 2, generator=generator) - 1  # points 3 to 5: random
    probes.append(Probe("walks of L=5 whose points after the second are random", (x,)))
    return probes


def _rule_call(rule, x):
    got = rule(x)
    if got is None:
        return None
    try:
        labels = torch.as_tensor(np.asarray(got))
    except (TypeError, ValueError, RuntimeError) as err:
        raise FormError("return one label 0 or 1 per walk, shape (N,)") from err
    if tuple(labels.shape) == (x.shape[0], 1):  # (N, 1) would broadcast against y to (N, N)
        raise FormError("return shape (N,), not (N, 1)")
    if labels.dim() != 1:
        raise FormError("return one label 0 or 1 per walk, shape (N,)")
    if labels.shape[0] != x.shape[0] or labels.is_complex():
        raise FormError("return one label 0 or 1 per walk, shape (N,)")
    labels = labels.to(torch.float64)
    if not ((labels == 0) | (labels == 1)).all():
        if ((labels == -1) | (labels == 0) | (labels == 1)).all():
            raise FormError("return labels 0 or 1 (1 = clockwise), not -1 and 1")
        if ((labels >= 0) & (labels <= 1)).all():
            raise FormError("return labels 0 or 1 (1 = clockwise), not probabilities")
        raise FormError("return one label 0 or 1 per walk, shape (N,)")
    return labels


_THRESHOLD = Hints(
    "right on the squares of side 2, wrong on a smaller one: what in your rule depends on the "
    "square's size?",
    "the cross product grows with the square of the size (its magnitude is about 2 on the square "
    "of side 2, about 2e-12 on the one scaled by 1e-6): only its sign is the same for every size",
    "compare the cross product with 0: return (cross < 0).long()",
)

DIRECTION_RULE = Exercise(
    id=f"{CHAPTER}.direction_rule",
    version=1,
    title="A direction rule from the first two points, for any length and any turn",
    points=3,
    kind="implement",
    starter="""\
def rule(x): ...  # x: (N, L, 2) -> (N,) labels, 1 = clockwise


checks.direction_rule(rule)""",
    solution="""\
def rule(x):  # x: (N, L, 2)
    position, first_move = x[:, 0], x[:, 1] - x[:, 0]  # (N, 2) each
    cross = position[:, 0] * first_move[:, 1] - position[:, 1] * first_move[:, 0]  # (N,)
    return (cross < 0).long()  # turning right around the centre: clockwise


checks.direction_rule(rule)""",
    parts=(Part("labels", "tensor", unit="labels"),),
    asked=("rule",),
    probes=_rule_probes,
    call=_rule_call,
    equivalent={
        "line 2: x[:, 1] - x[:, 0] -> its left term": "the cross product of x[:, 0] with "
        "x[:, 1] - x[:, 0] equals its cross product with x[:, 1] (that of x[:, 0] with itself is "
        "0): the same sign",
        "line 2: Sub -> Add": "the same reason: adding x[:, 0] to the move adds a zero cross "
        "product",
        "line 2: 0 -> 1": "the cross product of x[:, 1] with x[:, 1] - x[:, 0] equals that of "
        "x[:, 0] with x[:, 1]: the same sign",
    },
    right="the sign of a cross product does not care about length or turn",
    hints=Hints(
        "your labels are wrong on some walks: which walks, and what does your rule use of them?",
        "seen from the centre, the first point and the first move turn one way for clockwise "
        "walks and the other for counter-clockwise ones, however the square is turned",
        "with p = x[:, 0] and m = x[:, 1] - x[:, 0], label 1 where p_x * m_y - p_y * m_x < 0 "
        "(section 2's formula a_x b_y - a_y b_x with a = p, b = m): in code, "
        "(p[:, 0] * m[:, 1] - p[:, 1] * m[:, 0] < 0).long()",
    ),
    mistakes=(
        Mistake(
            "flipped",
            Hints(
                "every label is the wrong way round: which sign is clockwise?",
                "in these coordinates a clockwise turn gives a negative cross product, and "
                "clockwise is label 1",
                "return (cross < 0).long()",
            ),
            edit=("(cross < 0)", "(cross > 0)"),
        ),
        Mistake(
            "a third point, with a fallback for L = 2",
            Hints(
                "your rule reads a point after the second; on walks whose later points are "
                "random it is wrong",
                "the first two points alone set the label; for L >= 3 your rule reads a later "
                "point, which these walks make random: decide every walk from x[:, 0] and x[:, 1]",
                "position = x[:, 0], first_move = x[:, 1] - x[:, 0], and the sign of their "
                "cross product, for every L",
            ),
            code="""\
def rule(x):
    position, first_move = x[:, 0], x[:, 1] - x[:, 0]
    if x.shape[1] == 2:
        return (position[:, 0] * first_move[:, 1] - position[:, 1] * first_move[:, 0] < 0).long()
    b = x[:, 2] - x[:, 1]
    return (first_move[:, 0] * b[:, 1] - first_move[:, 1] * b[:, 0] < 0).long()
""",
        ),
        Mistake(
            "a third point",
            Hints(
                "how many points does a walk of L = 2 have?",
                "your rule reads a third point; use the first point (seen from the centre) and "
                "the first move only",
                "position = x[:, 0], first_move = x[:, 1] - x[:, 0], and the sign of their "
                "cross product",
            ),
            code="""\
def rule(x):
    a, b = x[:, 1] - x[:, 0], x[:, 2] - x[:, 1]
    return (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0] < 0).long()
""",
        ),
        Mistake(
            "where the corners are",
            Hints(
                "right on the upright square: what changes when it is turned?",
                "your rule uses where the corners are; once the square is turned they are "
                "elsewhere. A cross product's sign does not change under rotation",
                "use the sign of the cross product of x[:, 0] and x[:, 1] - x[:, 0]",
            ),
            code="""\
def rule(x):
    corners = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
    first = ((x[:, 0, None] - corners) ** 2).sum(-1).argmin(1)
    second = ((x[:, 1, None] - corners) ** 2).sum(-1).argmin(1)
    return ((second - first) % 4 == 1).long()
""",
        ),
        Mistake(
            "a threshold that depends on the square's size",
            _THRESHOLD,
            edit=("(cross < 0)", "(cross < -1.0)"),
        ),
        Mistake("a small threshold below 0", _THRESHOLD, edit=("(cross < 0)", "(cross < -0.1)")),
        Mistake("a threshold above 0", _THRESHOLD, edit=("(cross < 0)", "(cross < 0.3)")),
        Mistake("a tiny threshold above 0", _THRESHOLD, edit=("(cross < 0)", "(cross < 0.01)")),
        Mistake("a threshold of 1e-9", _THRESHOLD, edit=("(cross < 0)", "(cross < 1e-9)")),
        Mistake("a threshold of 1e-20", _THRESHOLD, edit=("(cross < 0)", "(cross < 1e-20)")),
        Mistake(
            "the last two points",
            Hints(
                "which of the walk's points does your rule read?",
                "the direction is set by the first two points alone: the checker also tries walks "
                "whose later points are random, and your rule reads the last two",
                "use x[:, 0] and x[:, 1] - x[:, 0], not x[:, -2] and x[:, -1] - x[:, -2]",
            ),
            edit=("x[:, 0], x[:, 1] - x[:, 0]", "x[:, -2], x[:, -1] - x[:, -2]"),
        ),
        Mistake(
            "an angle difference without the wrap",
            Hints(
                "your rule is wrong only on walks whose first move crosses the negative x axis: "
                "what does atan2 return just above and just below it?",
                "atan2 jumps from pi to -pi across the negative x axis, so for a first move "
                "across it the angle difference is off by 2*pi and has the wrong sign: wrap the "
                "difference into [-pi, pi) before reading its sign",
                "with before and after the atan2 angles of x[:, 0] and x[:, 1], turn = "
                "torch.remainder(after - before + torch.pi, 2 * torch.pi) - torch.pi; return "
                "(turn < 0).long()",
            ),
            code="""\
def rule(x):
    before = torch.atan2(x[:, 0, 1], x[:, 0, 0])  # the first point's angle, seen from the centre
    after = torch.atan2(x[:, 1, 1], x[:, 1, 0])
    return (after - before < 0).long()  # clockwise: the angle falls
""",
        ),
        Mistake(
            "one label for all",
            Hints(
                "your rule gives all these walks one label: what does it read of each walk?",
                "one label for every walk is right on about half of them; even on a walk of two "
                "points, the first point and the first move set the direction (an area or a "
                "turn is 0 there)",
                "use the sign of the cross product of x[:, 0] and x[:, 1] - x[:, 0]",
            ),
            code="def rule(x):\n    return torch.zeros(x.shape[0], dtype=torch.long)\n",
        ),
    ),
)


EXERCISES = (HEAD_INPUT, BIDIRECTIONAL_SUMMARY, DIRECTION_RULE)

head_input = checker(HEAD_INPUT)
bidirectional_summary = checker(BIDIRECTIONAL_SUMMARY)
direction_rule = checker(DIRECTION_RULE)
