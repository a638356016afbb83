"""Checkers for the "Your turn" exercises.

Each checker takes the student's answer and returns a ``Result`` that prints one of three
verdicts: correct; not quite, with a hint aimed at the likely mistake; or not attempted yet (the
answer is still the ``...`` placeholder). A checker never prints the expected value.
The design follows Kaggle's learntools (``EqualityCheckProblem``, ``NotAttempted``).

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

__all__ = [
    "Result",
    "forget_gate_rows",
    "last_valid_outputs",
    "lstm_shapes",
    "matmul_count",
    "packed_batch_sizes",
    "projected_loop",
    "accuracy_value",
    "head_in_features",
    "initial_state",
    "window_count",
    "bidirectional_features",
    "cell_weight_shapes",
    "final_states",
    "forum_final_state",
    "forum_inputs",
    "layer_state",
    "my_rnn_cell",
    "predicted_shapes",
    "to_sequence_first",
    "windows_batch",
]

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"
_SYMBOL = {CORRECT: "✓ Correct", INCORRECT: "✗ Not quite", NOT_ATTEMPTED: "… Not attempted yet"}


@dataclass(frozen=True)
class Result:
    """A checker's verdict; it prints as one line and is truthy only when correct."""

    status: str
    message: str

    def __bool__(self) -> bool:
        return self.status == CORRECT

    def __repr__(self) -> str:
        return f"{_SYMBOL[self.status]}: {self.message}"


def _not_attempted(*answers) -> Result | None:
    if any(a is Ellipsis or a is None for a in answers):
        return Result(NOT_ATTEMPTED, "replace each ... with your answer, then run the cell again")
    return None


def _run_student(function, *args):
    """Call the student's function: (value, None), or (None, Result) when it raised.

    The student's code may raise anything; the checker reports it instead of crashing.
    """
    try:
        value = function(*args)
    except NotImplementedError:
        return None, Result(NOT_ATTEMPTED, "the function still raises NotImplementedError")
    except Exception as err:  # noqa: BLE001 - any error in the student's code is an answer
        message = str(err).strip().splitlines()[0][:160] if str(err).strip() else ""
        return None, Result(INCORRECT, f"your function raised {type(err).__name__}: {message}")
    if value is None:
        return None, Result(
            NOT_ATTEMPTED,
            "your function returns None: replace the ... in its body with a return statement",
        )
    return value, None


def _as_number(value) -> float | None:
    """A student's numeric answer as a float, or None if it is not one number."""
    try:
        return float(value)
    except (TypeError, ValueError, RuntimeError):
        return None


def _as_shape(value) -> tuple | None:
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, int) for v in value):
        return tuple(value)
    return None


def cell_weight_shapes(weight_ih_shape, weight_hh_shape) -> Result:
    """Exercise: the shapes of ``weight_ih`` and ``weight_hh`` of ``nn.RNNCell(5, 3)``.

    Shapes: answers are tuples (or ``torch.Size``) such as (rows, columns).

    Used in: 01_rnn_cell.
    """
    H_in, H = 5, 3
    pending = _not_attempted(weight_ih_shape, weight_hh_shape)
    if pending is not None:
        return pending
    ih, hh = _as_shape(weight_ih_shape), _as_shape(weight_hh_shape)
    if ih is None or hh is None:
        return Result(INCORRECT, "give each shape as a tuple of whole numbers, e.g. (2, 7)")
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


def _probe_cells(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    cells = []
    for H_in, H in ((3, 4), (1, 1), (5, 2)):
        cell = nn.RNNCell(H_in, H)
        with torch.no_grad():
            for p in cell.parameters():
                p.copy_(torch.randn(p.shape, generator=gen))
        x = torch.randn(6, H_in, generator=gen)  # (N, H_in)
        h = torch.randn(6, H, generator=gen)  # (N, H)
        cells.append((cell, x, h))
    return cells


def my_rnn_cell(step: Callable) -> Result:
    """Exercise: write ``step(x, h, cell)`` computing one step of ``cell`` by hand.

    The function is called on several cells and compared with ``cell(x, h)``.

    Shapes: x (N, H_in), h (N, H) -> (N, H).

    Used in: 01_rnn_cell.
    """
    pending = _not_attempted(step)
    if pending is not None:
        return pending
    if not callable(step):
        return Result(INCORRECT, "give a function, def step(x, h, cell): ..., not its result")
    for cell, x, h in _probe_cells():
        with torch.no_grad():
            got, failed = _run_student(step, x, h, cell)
            if failed is not None:
                if "shape" in failed.message or "size" in failed.message:
                    return Result(
                        INCORRECT,
                        "a matrix product failed on shapes: weight_ih is "
                        "(H, H_in), so x meets it transposed, x @ W.T",
                    )
                return failed
            want = cell(x, h)
            if not isinstance(got, torch.Tensor) or got.shape != want.shape:
                shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                return Result(
                    INCORRECT,
                    f"the result should be (N, H), one new hidden state per "
                    f"sequence; yours has shape {shape}",
                )
            if torch.allclose(got, want, atol=1e-5):
                continue
            pre = x @ cell.weight_ih.T + h @ cell.weight_hh.T
            if torch.allclose(got, torch.tanh(pre), atol=1e-5):
                return Result(INCORRECT, "close: the two biases are missing")
            if torch.allclose(got, torch.tanh(pre + cell.bias_ih), atol=1e-5) or torch.allclose(
                got, torch.tanh(pre + cell.bias_hh), atol=1e-5
            ):
                return Result(INCORRECT, "close: nn.RNNCell adds two biases, bias_ih and bias_hh")
            if torch.allclose(got, pre + cell.bias_ih + cell.bias_hh, atol=1e-5):
                return Result(INCORRECT, "close: the sum still goes through the nonlinearity")
            return Result(
                INCORRECT,
                "the numbers differ from nn.RNNCell: check each term of "
                "tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)",
            )
    return Result(CORRECT, "your step matches nn.RNNCell on three cells of different sizes")


def _forum_relu_states(weight_hh: float) -> list[float]:
    h, states = 0.0, []
    for x in range(1, 10):
        h = max(0.0, 2.0 * x + 4.0 + weight_hh * h + 5.0)
        states.append(h)
    return states


def forum_final_state(h_9) -> Result:
    """Exercise: h_9 of the forum's one-unit cell (weight_ih=2, bias_ih=4, bias_hh=5, inputs
    1..9, h_0 = 0) with ReLU and with weight_hh = 0.5 instead of 3.

    Shapes: a float, or a tensor with one element.

    Used in: 01_rnn_cell.
    """
    pending = _not_attempted(h_9)
    if pending is not None:
        return pending
    value = _as_number(h_9)
    if value is None:
        return Result(INCORRECT, "give one number (a float or a one-element tensor)")
    states = _forum_relu_states(0.5)

    def near(a: float, b: float) -> bool:
        return abs(a - b) <= 1e-5 * max(abs(b), 1.0)

    if near(value, states[-1]):
        return Result(
            CORRECT,
            "with weight_hh below 1 the old state fades, so the ReLU state "
            "grows with the input, not geometrically",
        )
    if near(value, 1.0):
        return Result(INCORRECT, "that is what tanh gives; use relu, max(0, ...), at every step")
    if near(value, _forum_relu_states(3.0)[-1]):
        return Result(INCORRECT, "that is the section's cell with weight_hh = 3; this one has 0.5")
    if any(near(value, s) for s in states[:-1]):
        return Result(INCORRECT, "that is an intermediate state: run all nine steps")
    return Result(INCORRECT, "apply h = max(0, 2*x + 4 + 0.5*h + 5) for x = 1, ..., 9 from h = 0")


def predicted_shapes(rnn: nn.RNNBase, x: torch.Tensor, output_shape, h_n_shape) -> Result:
    """Exercise: predict the shapes of ``output`` and ``h_n`` that ``rnn(x)`` returns.

    The checker runs ``rnn(x)`` itself and compares; hints name the classic mistakes (N and L
    swapped, D forgotten, h_n taken as batch-first).

    Shapes: answers are tuples such as (N, L, D*H).

    Used in: 02_nn_rnn, 03_batch_first, 04_stacked, 05_bidirectional.
    """
    pending = _not_attempted(output_shape, h_n_shape)
    if pending is not None:
        return pending
    out_answer, h_answer = _as_shape(output_shape), _as_shape(h_n_shape)
    if out_answer is None or h_answer is None:
        return Result(INCORRECT, "give each shape as a tuple of whole numbers, e.g. (2, 7, 3)")
    with torch.no_grad():
        output, h_n = rnn(x)
    out_want, h_want = tuple(output.shape), tuple(h_n.shape)
    D = 2 if rnn.bidirectional else 1
    if out_answer != out_want:
        if len(out_want) == 3 and out_answer == (out_want[1], out_want[0], out_want[2]):
            return Result(
                INCORRECT,
                f"output: L and N are swapped. This RNN has "
                f"batch_first={rnn.batch_first}: which comes first?",
            )
        if D == 2 and out_answer[:-1] == out_want[:-1] and out_answer[-1] == rnn.hidden_size:
            return Result(
                INCORRECT,
                "output: a bidirectional RNN puts both directions side by "
                "side, so its last dimension is D*H",
            )
        return Result(
            INCORRECT,
            "output holds the top layer's hidden state at every time step "
            "of every sequence, laid out like x",
        )
    if h_answer != h_want:
        if len(h_want) == 3 and h_answer == (h_want[1], h_want[0], h_want[2]):
            return Result(
                INCORRECT,
                "output is right. h_n never follows batch_first: its first "
                "dimension is always D*num_layers",
            )
        if h_answer[0] in (rnn.num_layers, D) and h_answer[0] != h_want[0]:
            return Result(
                INCORRECT,
                "output is right. h_n holds one final state per layer AND "
                "per direction: D*num_layers of them",
            )
        return Result(
            INCORRECT,
            "output is right. h_n holds the final hidden state of every "
            "layer and direction, (D*num_layers, N, H), or without N for "
            "unbatched input",
        )
    return Result(
        CORRECT,
        "output is laid out like x with D*H features; h_n is "
        "(D*num_layers, N, H) whatever batch_first says",
    )


def _forum_rnn() -> nn.RNN:
    rnn = nn.RNN(1, 1, 1)
    with torch.no_grad():
        for name, value in zip(
            ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), (2.0, 3.0, 4.0, 5.0)
        ):
            getattr(rnn, name).fill_(value)
    return rnn


def forum_inputs(x, h0) -> Result:
    """Exercise: build ``x`` (the inputs 1..9) and ``h0`` (zeros) so that the forum's
    ``nn.RNN(1, 1, 1)`` runs on them, as one unbatched sequence or as a batch of one.

    Shapes: x (L, H_in) or (L, N, H_in); h0 (D*num_layers, H) or (D*num_layers, N, H).

    Used in: 02_nn_rnn.
    """
    pending = _not_attempted(x, h0)
    if pending is not None:
        return pending
    if not isinstance(x, torch.Tensor) or not isinstance(h0, torch.Tensor):
        return Result(INCORRECT, "x and h0 must both be tensors")
    if x.dim() == 1:
        return Result(
            INCORRECT,
            "x needs a feature dimension: nn.RNN reads the last dimension "
            "as the features of one step",
        )
    if not x.is_floating_point() or x.dtype != torch.float32:
        return Result(INCORRECT, "x must hold float32 numbers, like the RNN's weights")
    if x.dim() == 3 and x.shape[:2] == (1, 9):
        return Result(
            INCORRECT,
            "that is one time step of 9 sequences: this RNN is sequence-first, (L, N, H_in)",
        )
    if x.dim() not in (2, 3) or x.shape[-1] != 1:
        return Result(INCORRECT, "x is one sequence of 9 steps with one feature each")
    if x.numel() != 9 or not torch.equal(x.flatten(), torch.arange(1.0, 10.0)):
        return Result(INCORRECT, "x should hold the forum's inputs 1, 2, ..., 9 in order")
    if h0.dim() != x.dim():
        return Result(
            INCORRECT,
            "h0 has as many dimensions as x: 2-D for one unbatched sequence, 3-D for a batch",
        )
    if h0.numel() != 1:
        return Result(
            INCORRECT,
            "h0 holds one state per layer and direction (and per sequence "
            "of a batch), each of size H = hidden_size; the sequence "
            "length is not part of it",
        )
    if h0.dtype != torch.float32 or h0.item() != 0.0:
        return Result(INCORRECT, "start from a float32 hidden state of zeros")
    _forum_rnn()(x, h0)  # the forum's call now runs
    return Result(CORRECT, "rnn(x, h0) runs: 9 steps of one feature, one hidden state of size 1")


def to_sequence_first(convert: Callable) -> Result:
    """Exercise: write ``convert(output)`` taking a batch-first output (N, L, H) to
    sequence-first (L, N, H).

    Used in: 03_batch_first.
    """
    pending = _not_attempted(convert)
    if pending is not None:
        return pending
    if not callable(convert):
        return Result(INCORRECT, "give a function, def convert(output): ...")
    output = torch.arange(3 * 5 * 2, dtype=torch.float32).reshape(3, 5, 2)  # (N, L, H)
    got, failed = _run_student(convert, output)
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (5, 3, 2):
        return Result(INCORRECT, "the result should have shape (L, N, H)")
    if torch.equal(got, output.permute(1, 0, 2)):
        return Result(CORRECT, "the dimensions are swapped and every number kept its place")
    return Result(
        INCORRECT,
        "right shape, but the numbers moved: reshape and view re-read memory "
        "in order, they do not swap dimensions; permute and transpose do",
    )


def windows_batch(batch) -> Result:
    """Exercise: from ``a = torch.arange(1., 11.)`` and ``b = a + 100`` (two features, T = 10),
    build overlapping windows of length 4 that start every 2 steps, batch-first.

    Shapes: batch (N, L, H_in).

    Used in: 03_batch_first.
    """
    pending = _not_attempted(batch)
    if pending is not None:
        return pending
    if not isinstance(batch, torch.Tensor):
        return Result(INCORRECT, "give a tensor")
    a = torch.arange(1.0, 11.0)
    series = torch.stack([a, a + 100], dim=1)  # (T, H_in)
    want = series.unfold(0, 4, 2).transpose(1, 2)  # (N, L, H_in)
    if batch.shape == want.shape and torch.equal(batch.to(want.dtype), want):
        return Result(CORRECT, "batch-first windows: (N, L, H_in)")
    if batch.shape == (want.shape[0], 2, 4):
        return Result(
            INCORRECT,
            "unfold puts the window dimension last, (N, H_in, L): "
            "transpose(1, 2) moves the features back to the end",
        )
    if batch.dim() == 3 and batch.shape == (want.shape[1], want.shape[0], 2):
        return Result(INCORRECT, "that is sequence-first; the exercise asks for batch-first")
    if batch.dim() == 3 and batch.shape[1:] == (4, 2) and batch.shape[0] != want.shape[0]:
        return Result(
            INCORRECT,
            "right window length, wrong number of windows: a new window starts every 2 steps",
        )
    return Result(
        INCORRECT,
        "stack a and b as two features, (T, H_in), then cut windows of 4 "
        "steps starting every 2 steps",
    )


def _probe_rnn(seed: int, **kwargs) -> nn.RNN:
    torch.manual_seed(seed)
    return nn.RNN(**kwargs)


def layer_state(select: Callable) -> Result:
    """Exercise: write ``select(state, k)`` returning the entries of layer k of a stacked RNN's
    state_dict, renamed as a one-layer RNN expects (``weight_ih_l1`` -> ``weight_ih_l0``).

    Used in: 04_stacked.
    """
    pending = _not_attempted(select)
    if pending is not None:
        return pending
    if not callable(select):
        return Result(INCORRECT, "give a function, def select(state, k): ...")
    for bidirectional in (False, True):
        rnn = _probe_rnn(3, input_size=2, hidden_size=3, num_layers=3, bidirectional=bidirectional)
        state = rnn.state_dict()
        for k in range(3):
            got, failed = _run_student(select, state, k)
            if failed is not None:
                return failed
            if not hasattr(got, "keys"):
                return Result(INCORRECT, "return a dict from names to tensors")
            names = set(got.keys())
            if any(f"_l{k}" in name for name in names) and k != 0:
                return Result(
                    INCORRECT,
                    "the keys still name layer k: a one-layer RNN only has "
                    "keys ending in _l0 (and _l0_reverse)",
                )
            want = {
                key.replace(f"_l{k}", "_l0"): value
                for key, value in state.items()
                if key.endswith(f"_l{k}") or key.endswith(f"_l{k}_reverse")
            }
            if names != set(want):
                missing = (
                    "_reverse"
                    if bidirectional and not any(n.endswith("_reverse") for n in names)
                    else ""
                )
                if missing:
                    return Result(
                        INCORRECT,
                        "works without directions; a bidirectional RNN "
                        "also has keys ending in _reverse: keep them",
                    )
                return Result(INCORRECT, "select every key of layer k, and only those")
            if not all(torch.equal(got[name], want[name]) for name in want):
                return Result(
                    INCORRECT, "the names are right but some tensors come from another layer"
                )
    return Result(CORRECT, "each layer's weights, renamed to _l0, for one or two directions")


def final_states(split: Callable) -> Result:
    """Exercise: write ``split(output, H)`` returning (forward_final, reverse_final), the two
    final hidden states of a one-layer bidirectional batch-first RNN read from its output.

    Shapes: output (N, L, 2*H) -> two tensors (N, H).

    Used in: 05_bidirectional.
    """
    pending = _not_attempted(split)
    if pending is not None:
        return pending
    if not callable(split):
        return Result(INCORRECT, "give a function, def split(output, H): ...")
    rnn = _probe_rnn(5, input_size=2, hidden_size=3, bidirectional=True, batch_first=True)
    with torch.no_grad():
        output, h_n = rnn(torch.randn(4, 6, 2, generator=torch.Generator().manual_seed(1)))
    got, failed = _run_student(split, output, 3)
    if failed is not None:
        return failed
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return Result(INCORRECT, "return a pair (forward_final, reverse_final)")
    forward, reverse = got
    if not all(isinstance(t, torch.Tensor) and t.shape == (4, 3) for t in got):
        return Result(INCORRECT, "each final state has shape (N, H)")
    if not torch.allclose(forward, h_n[0]):
        return Result(
            INCORRECT, "the forward direction ends at the last step, in the first H features"
        )
    if torch.allclose(reverse, output[:, -1, 3:]):
        return Result(
            INCORRECT,
            "forward is right. The reverse direction reads the sequence "
            "backwards: where does it end?",
        )
    if not torch.allclose(reverse, h_n[1]):
        return Result(
            INCORRECT, "forward is right; the reverse direction lives in the last H features"
        )
    return Result(CORRECT, "forward ends at the last step, reverse at the first")


def bidirectional_features(features: Callable) -> Result:
    """Exercise: write ``features(h_n)`` giving a classifier its input from a two-layer
    bidirectional RNN: the last layer's final states of both directions, side by side.

    Shapes: h_n (D*num_layers, N, H) = (4, N, H) -> (N, 2*H).

    Used in: 05_bidirectional.
    """
    pending = _not_attempted(features)
    if pending is not None:
        return pending
    if not callable(features):
        return Result(INCORRECT, "give a function, def features(h_n): ...")
    h_n = torch.randn(4, 5, 3, generator=torch.Generator().manual_seed(2))  # (D*layers, N, H)
    got, failed = _run_student(features, h_n)
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor):
        return Result(INCORRECT, "return a tensor of shape (N, 2*H)")
    if got.shape == (5, 3):
        return Result(INCORRECT, "that is one direction only: use both, side by side")
    if got.shape == (5, 12):
        return Result(INCORRECT, "that is every layer: the classifier reads the last layer only")
    if got.shape != (5, 6):
        return Result(INCORRECT, "the result should be (N, 2*H), one row per sequence")
    if torch.equal(got, torch.cat([h_n[0], h_n[1]], dim=1)):
        return Result(
            INCORRECT, "those are the first layer's states; the last layer's are at the end of h_n"
        )
    if torch.equal(got, torch.cat([h_n[-1], h_n[-2]], dim=1)):
        return Result(
            INCORRECT, "both directions of the right layer, but PyTorch's order is forward first"
        )
    if torch.equal(got, torch.cat([h_n[-2], h_n[-1]], dim=1)):
        return Result(
            CORRECT,
            "h_n[-2] (forward) and h_n[-1] (reverse), side by side: a "
            "Linear(2*H, classes) reads them",
        )
    return Result(
        INCORRECT,
        "h_n orders its states layer 0 forward, layer 0 reverse, layer 1 "
        "forward, ...: pick the last layer's two",
    )


def accuracy_value(model: nn.Module, x: torch.Tensor, y: torch.Tensor, accuracy) -> Result:
    """Exercise: the accuracy of ``model`` on (x, y), the fraction of sequences whose argmax
    logit is their label.

    Shapes: x (N, L, H_in), y (N,); accuracy a number in [0, 1].

    Used in: 06_classify_directions.
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


def head_in_features(rnn: nn.RNNBase, in_features) -> Result:
    """Exercise: the ``in_features`` of a Linear layer fed the last layer's final states of
    ``rnn``, all directions side by side.

    Used in: 06_classify_directions.
    """
    pending = _not_attempted(in_features)
    if pending is not None:
        return pending
    if isinstance(in_features, bool) or not isinstance(in_features, int):
        return Result(INCORRECT, "give a whole number")
    D = 2 if rnn.bidirectional else 1
    if in_features == D * rnn.hidden_size:
        return Result(CORRECT, "D*H: one H-sized final state per direction")
    if in_features == rnn.hidden_size:
        return Result(INCORRECT, "that is one direction; this RNN has two side by side")
    if in_features == D * rnn.num_layers * rnn.hidden_size:
        return Result(INCORRECT, "that counts every layer; the head reads the last layer only")
    return Result(
        INCORRECT,
        "how many numbers does one sequence's final state have, per "
        "direction, and how many directions are there?",
    )


def window_count(count) -> Result:
    """Exercise: how many overlapping windows of 20 steps, one starting every 5 steps, fit in
    a series of T = 600 steps?

    Used in: 07_time_series_windows.
    """
    pending = _not_attempted(count)
    if pending is not None:
        return pending
    if isinstance(count, bool) or not isinstance(count, int):
        return Result(INCORRECT, "give a whole number")
    T, size, step = 600, 20, 5
    want = (T - size) // step + 1
    if count == want:
        return Result(CORRECT, "(T - size) // step + 1, the number of starts that leave room")
    if count == T // size:
        return Result(INCORRECT, "that counts windows that do not overlap")
    if count == T // step:
        return Result(INCORRECT, "the last windows would run past the end of the series")
    if count == want - 1:
        return Result(INCORRECT, "off by one: count the first window too")
    return Result(INCORRECT, "a window can start at 0, 5, 10, ... as long as it ends by T")


def initial_state(make_h0: Callable) -> Result:
    """Exercise: write ``make_h0(x, num_layers, H)`` returning the zero initial state for any
    batch-first batch x, without a hard-coded batch size.

    Shapes: x (N, L, H_in) -> h0 (num_layers, N, H), on x's dtype.

    Used in: 07_time_series_windows.
    """
    pending = _not_attempted(make_h0)
    if pending is not None:
        return pending
    if not callable(make_h0):
        return Result(INCORRECT, "give a function, def make_h0(x, num_layers, H): ...")
    for N, L, dtype in ((4, 7, torch.float32), (1, 3, torch.float32), (9, 7, torch.float64)):
        x = torch.randn(N, L, 2, dtype=dtype)
        h0, failed = _run_student(make_h0, x, 2, 5)
        if failed is not None:
            return failed
        if not isinstance(h0, torch.Tensor):
            return Result(INCORRECT, "return a tensor")
        if tuple(h0.shape) == (2, L, 5) and L != N:
            return Result(INCORRECT, "x is batch-first: N is x.shape[0], not x.shape[1]")
        if tuple(h0.shape) != (2, N, 5):
            return Result(
                INCORRECT, "h0 is (num_layers, N, H) whatever the batch size: read N from x"
            )
        if h0.dtype != dtype:
            return Result(INCORRECT, "make h0 in x's dtype (torch.zeros(..., dtype=x.dtype))")
        if h0.abs().sum() != 0:
            return Result(
                INCORRECT,
                "start from zeros: a constant such as ones is not learned "
                "and shifts every sequence's start",
            )
    return Result(CORRECT, "zeros of shape (num_layers, N, H) for any N, as nn.RNN's default")


def last_valid_outputs(pick: Callable) -> Result:
    """Exercise: write ``pick(output, lengths)`` returning each sequence's output at its last
    real step, from a padded batch-first output.

    Shapes: output (N, L, H), lengths (N,) -> (N, H).

    Used in: 08_variable_length.
    """
    pending = _not_attempted(pick)
    if pending is not None:
        return pending
    if not callable(pick):
        return Result(INCORRECT, "give a function, def pick(output, lengths): ...")
    output = torch.arange(4 * 5 * 3, dtype=torch.float32).reshape(4, 5, 3)  # (N, L, H)
    lengths = torch.tensor([5, 2, 4, 1])
    got, failed = _run_student(pick, output, lengths)
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (4, 3):
        return Result(INCORRECT, "the result has one row per sequence: (N, H)")
    want = output[torch.arange(4), lengths - 1]
    if torch.equal(got, want):
        return Result(CORRECT, "output[range(N), lengths - 1]: each sequence's own last step")
    if torch.equal(got, output[:, -1]):
        return Result(INCORRECT, "that is the last padded step; short sequences end earlier")
    if torch.equal(got, output[torch.arange(4), lengths.clamp(max=4)]):
        return Result(INCORRECT, "off by one: a sequence of length l ends at index l - 1")
    return Result(INCORRECT, "for sequence n, take time step lengths[n] - 1")


def packed_batch_sizes(batch_sizes) -> Result:
    """Exercise: the ``batch_sizes`` of a packed batch of sequences of lengths [4, 2, 3, 2].

    Used in: 08_variable_length.
    """
    pending = _not_attempted(batch_sizes)
    if pending is not None:
        return pending
    if isinstance(batch_sizes, torch.Tensor):
        batch_sizes = batch_sizes.tolist()
    if not isinstance(batch_sizes, (list, tuple)):
        return Result(INCORRECT, "give a list of whole numbers, one per time step")
    lengths = [4, 2, 3, 2]
    want = [sum(1 for n in lengths if n > t) for t in range(max(lengths))]
    if list(batch_sizes) == want:
        return Result(CORRECT, "at step t, the number of sequences longer than t")
    if sorted(batch_sizes, reverse=True) == sorted(lengths, reverse=True):
        return Result(INCORRECT, "those are the lengths; batch_sizes counts sequences per step")
    if len(batch_sizes) != max(lengths):
        return Result(INCORRECT, "there is one entry per time step of the longest sequence")
    return Result(INCORRECT, "count, at each time step, how many sequences still have data")


def forget_gate_rows(pick: Callable) -> Result:
    """Exercise: write ``pick(lstm)`` returning the rows of ``weight_ih_l0`` that feed the
    forget gate of an ``nn.LSTM``.

    Shapes: weight_ih_l0 (4H, H_in) -> (H, H_in).

    Used in: 09_gru_lstm.
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
    torch.manual_seed(4)
    return nn.LSTM(3, 5)


def lstm_shapes(lstm: nn.LSTM, x: torch.Tensor, output_shape, h_n_shape, c_n_shape) -> Result:
    """Exercise: predict the shapes ``lstm(x)`` returns: output and (h_n, c_n).

    Used in: 09_gru_lstm.
    """
    pending = _not_attempted(output_shape, h_n_shape, c_n_shape)
    if pending is not None:
        return pending
    answers = [_as_shape(a) for a in (output_shape, h_n_shape, c_n_shape)]
    if any(a is None for a in answers):
        return Result(INCORRECT, "give each shape as a tuple of whole numbers")
    with torch.no_grad():
        output, (h_n, c_n) = lstm(x)
    out_a, h_a, c_a = answers
    if out_a != tuple(output.shape):
        if lstm.proj_size and out_a[-1] % lstm.hidden_size == 0:
            return Result(
                INCORRECT,
                "with proj_size, output carries the projected state: its "
                "last dimension is D*proj_size",
            )
        return Result(INCORRECT, "output is laid out like x, with D*H_out features per step")
    if h_a != tuple(h_n.shape):
        if lstm.proj_size and h_a[-1] == lstm.hidden_size:
            return Result(
                INCORRECT, "output is right. h_n is projected too: its last dimension is proj_size"
            )
        return Result(INCORRECT, "output is right. h_n is (D*num_layers, N, H_out)")
    if c_a != tuple(c_n.shape):
        if lstm.proj_size and c_a[-1] == lstm.proj_size:
            return Result(
                INCORRECT,
                "output and h_n are right. The cell state is never "
                "projected: c_n keeps the hidden size",
            )
        return Result(INCORRECT, "output and h_n are right. c_n is (D*num_layers, N, H)")
    return Result(CORRECT, "only h is projected; c keeps hidden_size")


def matmul_count(cell_loop, projected) -> Result:
    """Exercise: how many matrix products does a one-layer RNN of L = 100 steps make in Python
    when it loops over nn.RNNCell (``cell_loop``), and when it first projects every step's
    input in one product (``projected``, as rnnlab.manual does)?

    Used in: 10_why_fused_is_fast.
    """
    pending = _not_attempted(cell_loop, projected)
    if pending is not None:
        return pending
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (cell_loop, projected)):
        return Result(INCORRECT, "give two whole numbers")
    if (cell_loop, projected) == (200, 101):
        return Result(CORRECT, "2 per step for the cell; 1 per step plus 1 for all inputs at once")
    if cell_loop != 200:
        return Result(INCORRECT, "each cell step multiplies x_t by W_ih and h by W_hh")
    if projected == 100:
        return Result(
            INCORRECT, "the cell loop is right; the projection of all inputs is a product too"
        )
    return Result(INCORRECT, "the cell loop is right; only h @ W_hh.T is left in the loop")


def projected_loop(forward: Callable) -> Result:
    """Exercise: write ``forward(rnn, x)`` for a one-layer, one-direction, sequence-first
    ``nn.RNN``: project every step's input in one product, then loop over time.

    Shapes: x (L, N, H_in) -> output (L, N, H).

    Used in: 10_why_fused_is_fast.
    """
    pending = _not_attempted(forward)
    if pending is not None:
        return pending
    if not callable(forward):
        return Result(INCORRECT, "give a function, def forward(rnn, x): ...")
    torch.manual_seed(8)
    rnn = nn.RNN(3, 4)
    x = torch.randn(6, 2, 3)
    with torch.no_grad():
        want, _ = rnn(x)
        got, failed = _run_student(forward, rnn, x)
    if failed is not None:
        if "shape" in failed.message or "size" in failed.message:
            return Result(
                INCORRECT,
                "a product failed on shapes: x @ weight_ih_l0.T is (L, N, H_in) @ (H_in, H)",
            )
        return failed
    if isinstance(got, tuple):
        got = got[0]
    if not isinstance(got, torch.Tensor) or got.shape != want.shape:
        return Result(INCORRECT, "return the output, (L, N, H)")
    if torch.allclose(got, want, atol=1e-5):
        return Result(CORRECT, "the same output as nn.RNN, with one product per step")
    return Result(INCORRECT, "the numbers differ from nn.RNN: did the biases both go in?")
