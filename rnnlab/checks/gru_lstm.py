"""Exercises of the chapter on GRU and LSTM (10), defined once.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. Probes draw every weight and bias from a local generator, vary the sizes,
the layers and the directions, so a wrong gate block, a missing bias or a state read from the
wrong tensor cannot give the right numbers. ``forget_gate_rows`` and ``gru_step`` are kept for
copies made before their exercises were replaced.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

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
    drawn,
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
    "forget_bias",
    "forget_gate_rows",
    "gru_step",
    "lstm_classifier",
    "lstm_shapes",
]

CHAPTER = "10_gru_lstm"


# -- 1. forget_bias: the forget gate's total bias in every layer and direction ----------------


def _lstm(H_in, H, layers, bidirectional):
    return nn.LSTM(H_in, H, num_layers=layers, bidirectional=bidirectional)


def _forget_bias_probes(generator):
    probes = []
    for H_in, H, layers, bidirectional in ((3, 6, 2, True), (5, 2, 1, False), (2, 5, 3, True),
                                           (4, 3, 2, False)):  # fmt: skip
        lstm = drawn(generator, lambda a=(H_in, H, layers, bidirectional): _lstm(*a))
        label = f"H_in={H_in}, H={H}, num_layers={layers}, D={1 + bidirectional}"
        probes.append(Probe(label, (lstm,)))
    return probes


def _no_grad_call(function, *args):
    with torch.no_grad():
        return function(*args)


_GATE_BLOCK = Hints(
    "which block of the bias feeds the forget gate?",
    "the four gates' rows are stacked in the order i, f, g, o, each block H long",
    "the forget gate's rows are H to 2H: bias[H : 2 * H]",
)

FORGET_BIAS = Exercise(
    id=f"{CHAPTER}.forget_bias",
    version=1,
    title="Read the forget gate's total bias in every layer and direction",
    points=3,
    kind="implement",
    starter="""\
def forget_bias(lstm): ...


checks.forget_bias(forget_bias)""",
    solution="""\
def forget_bias(lstm):
    H = lstm.hidden_size
    suffixes = ["", "_reverse"] if lstm.bidirectional else [""]
    rows = []
    for k in range(lstm.num_layers):
        for suffix in suffixes:
            b_ih = getattr(lstm, f"bias_ih_l{k}{suffix}")  # (4H,): i, f, g, o
            b_hh = getattr(lstm, f"bias_hh_l{k}{suffix}")  # (4H,)
            rows.append((b_ih + b_hh)[H : 2 * H])  # (H,): both biases add before the sigmoid
    return torch.stack(rows)  # (D*num_layers, H), in the order of h_n


checks.forget_bias(forget_bias)""",
    parts=(Part("forget_bias", "tensor"),),
    asked=("forget_bias",),
    probes=_forget_bias_probes,
    call=_no_grad_call,
    right="both biases' forget rows added, one row per layer and direction, in h_n's order",
    hints=Hints(
        "compare your rows with the forget gate's pre-activation: which biases does it add, and "
        "which rows of each (4H,) bias are the forget gate's?",
        "the gate adds bias_ih and bias_hh of its layer and direction; the forget rows are the "
        "second block of four",
        "for each layer k and direction: (bias_ih_lk + bias_hh_lk)[H : 2 * H], stacked",
    ),
    mistakes=(
        Mistake(
            "bias_ih only",
            Hints(
                "how many biases does a gate's pre-activation add?",
                "PyTorch's LSTM adds two biases, one with x's product and one with h's; the "
                "gate sees their sum",
                "add bias_ih_lk and bias_hh_lk before taking the forget rows",
            ),
            edit=("(b_ih + b_hh)[H : 2 * H]", "b_ih[H : 2 * H]"),
        ),
        Mistake(
            "interleaved rows",
            Hints(
                "you add the right biases: which rows of the (4H,) bias are the forget gate's?",
                "the four gates' rows are not interleaved but stacked in blocks, i, f, g, o, each "
                "block H rows long",
                "take rows H to 2H: (b_ih + b_hh)[H : 2 * H], or (b_ih + b_hh).view(4, H)[1]",
            ),
            edit=("(b_ih + b_hh)[H : 2 * H]", "(b_ih + b_hh).view(H, 4)[:, 1]"),
        ),
        Mistake("the input gate's rows", _GATE_BLOCK, edit=("[H : 2 * H]", "[:H]")),
        Mistake("the cell candidate's rows", _GATE_BLOCK, edit=("[H : 2 * H]", "[2 * H : 3 * H]")),
        Mistake("the output gate's rows", _GATE_BLOCK, edit=("[H : 2 * H]", "[3 * H :]")),
        Mistake(
            "the first layer only",
            Hints(
                "count the rows you return",
                "an LSTM with num_layers layers has a forget gate in each, and a bidirectional "
                "one in each direction: one row each, as h_n has",
                "loop over k in range(lstm.num_layers) and over the directions",
            ),
            edit=("range(lstm.num_layers)", "range(1)"),
        ),
        Mistake(
            "layer 0's forward direction only, one row",
            Hints(
                "count the rows you return: one row per layer and direction, (D*num_layers, H)",
                "an LSTM with num_layers layers has a forget gate in each, and a bidirectional "
                "one in each direction: one row each, as h_n has",
                "loop over k in range(lstm.num_layers) and over the directions, and stack the "
                "rows: (D*num_layers, H)",
            ),
            code="""\
def forget_bias(lstm):
    H = lstm.hidden_size
    return (lstm.bias_ih_l0 + lstm.bias_hh_l0)[H : 2 * H].unsqueeze(0)
""",
        ),
        Mistake(
            "the reverse direction left out",
            Hints(
                "count the rows you return for a bidirectional LSTM",
                "a bidirectional layer has a second set of biases, named with the suffix _reverse",
                "for each layer, take the forward biases, then bias_ih_lk_reverse and "
                "bias_hh_lk_reverse",
            ),
            edit=('["", "_reverse"] if lstm.bidirectional else [""]', '[""]'),
        ),
        Mistake(
            "directions grouped, not layers",
            Hints(
                "your rows are right: check their order for two layers and two directions",
                "h_n orders its rows layer by layer, and within a layer forward then reverse",
                "loop over layers outside, directions inside: l0, l0_reverse, l1, l1_reverse, ...",
            ),
            edit=(
                "    for k in range(lstm.num_layers):\n        for suffix in suffixes:\n",
                "    for suffix in suffixes:\n        for k in range(lstm.num_layers):\n",
            ),
        ),
        Mistake(
            "layer 0's biases for every row",
            Hints(
                "your rows all come from one layer and direction: which biases does each row read?",
                "each layer k and direction has its own biases, bias_ih_lk and bias_hh_lk (with "
                "_reverse for the reverse direction); bias_ih_l0 belongs to layer 0 forward only",
                "name the biases by layer and direction: bias_ih_l0, bias_ih_l0_reverse, "
                "bias_ih_l1, ... through getattr with the layer number k and the suffix, and the "
                "same for bias_hh",
            ),
            edit=(
                'b_ih = getattr(lstm, f"bias_ih_l{k}{suffix}")  # (4H,): i, f, g, o\n'
                '            b_hh = getattr(lstm, f"bias_hh_l{k}{suffix}")',
                "b_ih = lstm.bias_ih_l0\n            b_hh = lstm.bias_hh_l0",
            ),
        ),
        Mistake(
            "reverse before forward",
            Hints(
                "your rows are right: check their order within each layer",
                "h_n puts each layer's forward direction first, then its reverse direction",
                'in each layer, the suffix "" (forward) before "_reverse"',
            ),
            edit=(
                '["", "_reverse"] if lstm.bidirectional',
                '["_reverse", ""] if lstm.bidirectional',
            ),
        ),
        Mistake(
            "rows concatenated, not stacked",
            Hints(
                "check the shape you return: one row per layer and direction, or one long row?",
                "torch.cat joins the (H,) rows end to end into one (D*num_layers*H,) vector; "
                "torch.stack puts them one under the other",
                "return torch.stack(rows), shape (D*num_layers, H)",
            ),
            edit=("return torch.stack(rows)", "return torch.cat(rows)"),
        ),
        Mistake(
            "rows stacked as columns",
            Hints(
                "your numbers are right: check which axis holds the layers and directions",
                "torch.stack(rows, dim=1) puts each row in a column, (H, D*num_layers); h_n has "
                "one row per layer and direction",
                "return torch.stack(rows), shape (D*num_layers, H)",
            ),
            edit=("return torch.stack(rows)", "return torch.stack(rows, dim=1)"),
        ),
        Mistake(
            "the gate, not the bias",
            Hints(
                "you return values between 0 and 1: is that the bias, or the gate it opens?",
                "sigmoid(bias) is how open the gate would be with zero input and state; the "
                "exercise asks for the bias itself, before the sigmoid",
                "return the sum of the two biases' forget rows, without torch.sigmoid",
            ),
            edit=("return torch.stack(rows)", "return torch.sigmoid(torch.stack(rows))"),
        ),
        Mistake(
            "the handed LSTM opened in place",
            Hints(
                "the lstm you were handed changed during your call: leave it as it is",
                "an in-place += on a slice of a bias writes into the caller's model",
                "add into a new tensor, b_ih + b_hh, never b_ih += ...",
            ),
            code="""\
def forget_bias(lstm):
    H = lstm.hidden_size
    suffixes = ["", "_reverse"] if lstm.bidirectional else [""]
    rows = []
    for k in range(lstm.num_layers):
        for suffix in suffixes:
            b_ih = getattr(lstm, f"bias_ih_l{k}{suffix}")
            b_ih += getattr(lstm, f"bias_hh_l{k}{suffix}")
            rows.append(b_ih[H : 2 * H].clone())
    return torch.stack(rows)
""",
        ),
    ),
)


# -- 2. lstm_shapes: predict the shapes of a projected LSTM's output and state ----------------


def _lstm_shapes_reference(lstm, x):
    output, (h_n, c_n) = lstm(x)
    return tuple(output.shape), tuple(h_n.shape), tuple(c_n.shape)


def _ls(output=None, h_n=None, c_n=None):
    """A mistake of exercise 2: some shapes wrong, the others right."""

    def answer(lstm, x):
        right = _lstm_shapes_reference(lstm, x)
        D = 2 if lstm.bidirectional else 1
        N, L = (x.shape[0], x.shape[1]) if lstm.batch_first else (x.shape[1], x.shape[0])
        P = lstm.proj_size or lstm.hidden_size
        sizes = {"N": N, "L": L, "DH": D * lstm.hidden_size, "DP": D * P, "H": lstm.hidden_size,
                 "P": P, "DN": D * lstm.num_layers}  # fmt: skip
        given = (output, h_n, c_n)
        return tuple(
            r if g is None else tuple(sizes.get(s, s) for s in g)
            for r, g in zip(right, given, strict=True)
        )

    return answer


def _lstm_shapes_handed(lstm, x) -> str:
    if not isinstance(lstm, nn.LSTM) or not isinstance(x, torch.Tensor):
        return "pass the cell's lstm_2 and x_2 first, then your three shapes"
    return ""


LSTM_SHAPES = Exercise(
    id=f"{CHAPTER}.lstm_shapes",
    version=1,
    title="Predict the shapes of an LSTM with proj_size",
    points=2,
    kind="predict",
    starter="""\
lstm_2 = nn.LSTM(input_size=4, hidden_size=6, proj_size=3, batch_first=True)
x_2 = torch.zeros(5, 8, 4)
output_shape = ...
h_n_shape = ...
c_n_shape = ...
checks.lstm_shapes(lstm_2, x_2, output_shape, h_n_shape, c_n_shape)""",
    solution="""\
lstm_2 = nn.LSTM(input_size=4, hidden_size=6, proj_size=3, batch_first=True)
x_2 = torch.zeros(5, 8, 4)  # (N, L, H_in)
output_shape = (5, 8, 3)  # (N, L, D*proj_size)
h_n_shape = (1, 5, 3)  # (D*num_layers, N, proj_size)
c_n_shape = (1, 5, 6)  # (D*num_layers, N, H): never projected
checks.lstm_shapes(lstm_2, x_2, output_shape, h_n_shape, c_n_shape)""",
    parts=(Part("output_shape", "shape"), Part("h_n_shape", "shape"), Part("c_n_shape", "shape")),
    handed=("lstm", "x"),
    asked=("output_shape", "h_n_shape", "c_n_shape"),
    reference=_lstm_shapes_reference,
    defaults=lambda: (
        nn.LSTM(input_size=4, hidden_size=6, proj_size=3, batch_first=True),
        torch.zeros(5, 8, 4),
    ),
    check_handed=_lstm_shapes_handed,
    variants=lambda generator: [
        (
            nn.LSTM(H_in, H, num_layers=layers, proj_size=P, bidirectional=d, batch_first=bf),
            torch.zeros(*((N, L) if bf else (L, N)), H_in),
        )
        for H_in, H, P, layers, d, bf, N, L in (
            (3, 7, 2, 2, False, True, 4, 6),
            (2, 5, 4, 1, True, False, 3, 9),
            (6, 4, 0, 2, True, True, 2, 5),
        )
    ],
    right="only h is projected: output and h_n carry proj_size features, c_n keeps hidden_size",
    hints=Hints(
        "which of the three tensors does proj_size shrink?",
        "proj_size multiplies h by weight_hr after each step; output is made of h, and c is "
        "never projected",
        "output (N, L, D*proj_size), h_n (D*num_layers, N, proj_size), c_n (D*num_layers, N, H)",
    ),
    mistakes=(
        Mistake(
            "output not projected",
            Hints(
                "output: how many features does each step of output carry?",
                "output: each step of output is the h of that step, and h is projected",
                "output's last dimension is D*proj_size",
            ),
            _ls(output=("N", "L", "DH")),
        ),
        Mistake(
            "output sequence-first",
            Hints(
                "output: check its layout against x's",
                "output: the LSTM was built with batch_first=True, so output is laid out like x",
                "output is (N, L, D*proj_size) for a batch-first LSTM",
            ),
            _ls(output=("L", "N", "DP")),
        ),
        Mistake(
            "h_n and c_n without their layer dimension",
            Hints(
                "output is right. h_n and c_n are both wrong: count their dimensions",
                "output is right. h_n and c_n both keep a first dimension for the layers and "
                "directions, D*num_layers, even when it is 1",
                "output is right. h_n is (D*num_layers, N, proj_size) and c_n is "
                "(D*num_layers, N, H)",
            ),
            _ls(h_n=("N", "P"), c_n=("N", "H")),
        ),
        Mistake(
            "h_n not projected",
            Hints(
                "output is right. h_n: is the final h projected as well?",
                "output is right. h_n is the last step's h, and every h is projected",
                "output is right. h_n is (D*num_layers, N, proj_size)",
            ),
            _ls(h_n=("DN", "N", "H")),
        ),
        Mistake(
            "h_n batch-first",
            Hints(
                "output is right. h_n: does it follow batch_first?",
                "output is right. h_n and c_n never follow batch_first: layers first, then N",
                "output is right. h_n is (D*num_layers, N, proj_size)",
            ),
            _ls(h_n=("N", "DN", "P")),
        ),
        Mistake(
            "c_n batch-first",
            Hints(
                "output and h_n are right. c_n: does it follow batch_first?",
                "output and h_n are right. c_n, like h_n, never follows batch_first: layers "
                "first, then N",
                "output and h_n are right. c_n is (D*num_layers, N, H)",
            ),
            _ls(c_n=("N", "DN", "H")),
        ),
        Mistake(
            "c_n projected",
            Hints(
                "output and h_n are right. c_n: is the cell state projected?",
                "output and h_n are right. Only h goes through weight_hr; the cell state keeps "
                "hidden_size features",
                "output and h_n are right. c_n is (D*num_layers, N, H)",
            ),
            _ls(c_n=("DN", "N", "P")),
        ),
    ),
)


# -- 3. lstm_classifier: find the bug in a classifier switched from GRU to LSTM ----------------

_H_IN, _H, _LAYERS, _CLASSES = 4, 6, 2, 3  # all different: 3 classes, not num_layers = 2


def _classifier_call(model_class, weights, x):
    if not isinstance(model_class, type):
        raise FormError("give the class itself: checks.lstm_classifier(Classifier)")
    model = model_class()
    rnn, head = getattr(model, "rnn", None), getattr(model, "head", None)
    if not isinstance(rnn, nn.LSTM) or not isinstance(head, nn.Linear):
        raise FormError(
            "keep the model's two parts: self.rnn (an nn.LSTM) and self.head (an nn.Linear)"
        )
    sizes = (rnn.input_size, rnn.hidden_size, rnn.num_layers, rnn.bidirectional, rnn.proj_size)
    if (
        sizes != (_H_IN, _H, _LAYERS, False, 0)
        or not rnn.batch_first
        or (
            head.in_features,
            head.out_features,
        )
        != (_H, _CLASSES)
    ):
        raise FormError(
            "keep the sizes: nn.LSTM(4, 6, num_layers=2, batch_first=True) and nn.Linear(6, 3); "
            "the bug is not in the sizes"
        )
    model.rnn.load_state_dict(weights["rnn"])
    model.head.load_state_dict(weights["head"])
    with torch.no_grad():
        scores = model(x)
    # The untouched starter and an answer that unpacks (h_n, c_n) and reads c_n[-1] give the
    # same scores; the code of forward tells them apart (an edited comment changes nothing).
    return scores, not _same_code(getattr(model_class.forward, "__code__", None))


def _same_code(code) -> bool:
    """Whether ``code`` is the starter's ``Classifier.forward``, instruction for instruction."""
    if code is None:
        return False
    namespace = {"nn": nn, "torch": torch}
    cell = _STARTER_CLASSIFIER.split("\n\n\nchecks.", 1)[0]  # the class, without the call
    exec(compile(cell, "<starter>", "exec", dont_inherit=True), namespace)  # noqa: S102
    starter = namespace["Classifier"].forward.__code__
    return (code.co_code, code.co_names, code.co_consts) == (
        starter.co_code,
        starter.co_names,
        starter.co_consts,
    )


def _classifier_probes(generator):
    probes = []
    for n, length in ((5, 7), (3, 4), (8, 9), (2, 6)):
        rnn = drawn(generator, lambda: nn.LSTM(_H_IN, _H, num_layers=_LAYERS, batch_first=True),
                    scale=2.0)  # fmt: skip
        head = drawn(generator, lambda: nn.Linear(_H, _CLASSES), scale=2.0)
        weights = {"rnn": rnn.state_dict(), "head": head.state_dict()}
        x = torch.randn(n, length, _H_IN, generator=generator)  # (N, L, H_in)
        probes.append(Probe(f"a batch of N={n} sequences of L={length} steps", (weights, x)))
    return probes


_STARTER_CLASSIFIER = """\
class Classifier(nn.Module):
    # Three scores per sequence of a batch-first batch (N, L, H_in); it used nn.GRU before.

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(input_size=4, hidden_size=6, num_layers=2, batch_first=True)
        self.head = nn.Linear(6, 3)

    def forward(self, x):  # x: (N, L, H_in)
        output, h_n = self.rnn(x)
        return self.head(h_n[-1][-1])  # was self.head(h_n[-1]) with nn.GRU


checks.lstm_classifier(Classifier)"""

LSTM_CLASSIFIER = Exercise(
    id=f"{CHAPTER}.lstm_classifier",
    version=3,  # 2: a head of 3 classes, so num_layers = 2 and the classes differ; 3: H_in = 4
    title="Find the silent bug in a classifier switched from nn.GRU to nn.LSTM",
    points=3,
    kind="find-the-bug",
    starter=_STARTER_CLASSIFIER,
    solution="""\
class Classifier(nn.Module):
    # Three scores per sequence of a batch-first batch (N, L, H_in); it used nn.GRU before.

    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(input_size=4, hidden_size=6, num_layers=2, batch_first=True)
        self.head = nn.Linear(6, 3)

    def forward(self, x):  # x: (N, L, H_in)
        output, (h_n, c_n) = self.rnn(x)  # an LSTM returns its state as a tuple (h_n, c_n)
        return self.head(h_n[-1])  # the top layer's final h: (N, H) -> (N, 3)


checks.lstm_classifier(Classifier)""",
    parts=(Part("scores", "tensor"), Part("forward edited", "value")),
    asked=("Classifier",),
    probes=_classifier_probes,
    call=_classifier_call,
    right="the head reads the top layer's final h, as it read the GRU's h_n[-1]",
    hints=Hints(
        "what does the second thing an nn.LSTM returns hold?",
        "an nn.LSTM returns output and a tuple (h_n, c_n); indexing that tuple picks one of "
        "the two states, not a layer",
        "unpack it: output, (h_n, c_n) = self.rnn(x), then give the head h_n[-1]",
    ),
    mistakes=(
        Mistake(
            "the first layer's h",
            Hints(
                "the head reads h: from which layer?",
                "h_n is (num_layers, N, H): index 0 is the first layer, -1 the top one",
                "give the head h_n[-1], the top layer's final h",
            ),
            edit=("self.head(h_n[-1])", "self.head(h_n[0])"),
        ),
        Mistake(
            "the layers' h averaged",
            Hints(
                "the head reads h: which layers' states are in it?",
                "h_n is (num_layers, N, H); a mean over dimension 0 mixes the first layer's "
                "final h into the top layer's, and the GRU's head read the top layer's alone",
                "give the head h_n[-1], the top layer's final h",
            ),
            edit=("self.head(h_n[-1])", "self.head(h_n.mean(0))"),
        ),
        Mistake(
            "the layers' h summed",
            Hints(
                "the head reads h: which layers' states are in it?",
                "h_n is (num_layers, N, H); a sum over dimension 0 adds the first layer's final "
                "h to the top layer's, and the GRU's head read the top layer's alone",
                "give the head h_n[-1], the top layer's final h",
            ),
            edit=("self.head(h_n[-1])", "self.head(h_n.sum(0))"),
        ),
        Mistake(
            "a step before the last",
            Hints(
                "which time step does the head see?",
                "output is batch-first (N, L, H): output[:, -2] is the top layer's h one step "
                "before the end, so the last input is never read",
                "give the head the top layer's final h, h_n[-1] (or output[:, -1])",
            ),
            edit=("self.head(h_n[-1])", "self.head(output[:, -2])"),
        ),
        Mistake(
            "the first step",
            Hints(
                "which time step does the head see?",
                "output[:, 0] is the state after the first step, before the LSTM has read the "
                "rest of the sequence",
                "give the head the top layer's final h, h_n[-1] (or output[:, -1])",
            ),
            edit=("self.head(h_n[-1])", "self.head(output[:, 0])"),
        ),
        Mistake(
            "the last sequence at every step",
            Hints(
                "the scores have one row per time step: which dimension did your index pick from?",
                "output is batch-first (N, L, H): output[-1] is the last sequence at every step",
                "give the head h_n[-1] (or output[:, -1])",
            ),
            edit=("self.head(h_n[-1])", "self.head(output[-1])"),
        ),
        Mistake(
            "output averaged over the steps",
            Hints(
                "which time steps does the head see?",
                "output is batch-first (N, L, H): a mean over dimension 1 mixes the top layer's "
                "h of every step, and the GRU's head read the final step's alone",
                "give the head the top layer's final h, h_n[-1] (or output[:, -1])",
            ),
            edit=("self.head(h_n[-1])", "self.head(output.mean(1))"),
        ),
        Mistake(
            "output's largest value over the steps",
            Hints(
                "which time steps does the head see?",
                "output is batch-first (N, L, H): output.max(1).values takes each unit's largest "
                "h over all steps, and the GRU's head read the final step's h",
                "give the head the top layer's final h, h_n[-1] (or output[:, -1])",
            ),
            edit=("self.head(h_n[-1])", "self.head(output.max(1).values)"),
        ),
        Mistake(
            "the top layer's cell state",
            Hints(
                "you read c_n[-1], the top layer's cell state: which of the LSTM's two states "
                "did the GRU's h_n[-1] correspond to?",
                "c_n is the LSTM's internal cell state; the head should read h, the state the "
                "LSTM shows as output (h_n[-1] equals output[:, -1])",
                "give the head h_n[-1], the top layer's final h, not c_n[-1]",
            ),
            edit=("self.head(h_n[-1])", "self.head(c_n[-1])"),
        ),
        Mistake(
            "h plus c",
            Hints(
                "you add two states: which one did the GRU's h_n[-1] correspond to?",
                "h_n[-1] + c_n[-1] mixes the cell state into h; the GRU's head read h alone, "
                "the state the LSTM shows as output (h_n[-1] equals output[:, -1])",
                "give the head h_n[-1] alone, without c_n[-1]",
            ),
            edit=("self.head(h_n[-1])", "self.head(h_n[-1] + c_n[-1])"),
        ),
    ),
)

forget_bias = checker(FORGET_BIAS)
lstm_shapes = checker(LSTM_SHAPES)
lstm_classifier = checker(LSTM_CLASSIFIER)

EXERCISES = (FORGET_BIAS, LSTM_SHAPES, LSTM_CLASSIFIER)


# -- kept for copies made before forget_bias and lstm_classifier replaced them ----------------


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
