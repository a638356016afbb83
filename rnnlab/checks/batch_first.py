"""Checkers of the chapter on sequence-first, batch-first and unbatched layouts.

Every checker builds its own modules inside ``torch.random.fork_rng`` and draws its inputs from
a local ``torch.Generator``, so the student's global random state is never touched, and uses
sizes that are all different (L != N != H_in != H, D*num_layers != N) so that a transposed
answer can never pass for the right one.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    Result,
    _not_attempted,
    _run_student,
)

__all__ = [
    "fixed_classifier",
    "run_batch_first",
    "single_steps",
    "to_sequence_first",
    "windows_batch",
]


def _as_tensor(value) -> torch.Tensor | None:
    """A student's array-like answer as a float64 tensor, or None when it is not one."""
    if isinstance(value, torch.Tensor):
        if value.is_complex():
            return None
        return value.detach().to(torch.float64)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        return None
    if array.dtype != np.float64 or array.ndim == 0:
        return None
    return torch.from_numpy(array.copy())


def _as_shape(value) -> tuple[int, ...] | None:
    """A shape answer as a tuple: accepts tuples, lists, torch.Size and NumPy integers."""
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (tuple, list)) and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value
    ):
        return tuple(int(v) for v in value)
    return None


def _rel_error(got: torch.Tensor, want: torch.Tensor) -> float:
    got, want = got.detach().to(torch.float64), want.detach().to(torch.float64)
    return float((got - want).abs().max() / want.abs().max().clamp_min(1e-12))


def _same(got, want: torch.Tensor) -> bool:
    return (
        isinstance(got, torch.Tensor)
        and tuple(got.shape) == tuple(want.shape)
        and _rel_error(got, want) < 1e-5
    )


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


# Windows: T = 11 values per feature, windows of L = 3 steps starting every 2 steps, so
# N = 5 windows and H_in = 2 features: (N, L, H_in) = (5, 3, 2), all different.
_T, _SIZE, _STEP = 11, 3, 2


def windows_batch(batch, n_windows=None) -> Result:
    """Exercise: from ``a = torch.arange(1., 12.)`` and ``b = a + 100`` (two features,
    T = 11), predict the number of windows ``n_windows``, then build overlapping windows of 3
    steps, a new one every 2 steps, batch-first.

    Accepts a tensor, a NumPy array or nested lists, of any number type; ``n_windows`` as an
    int, a NumPy integer or a 0-d tensor (left out: only the windows are checked).

    Shapes: batch (N, L, H_in) = (5, 3, 2).

    Used in: 03_batch_first.
    """
    pending = _not_attempted(batch, *(() if n_windows is None else (n_windows,)))
    if pending is not None:
        return pending
    if n_windows is not None:
        if isinstance(n_windows, torch.Tensor) and n_windows.numel() == 1:
            n_windows = n_windows.item()
        if not isinstance(n_windows, (int, np.integer)) or isinstance(n_windows, bool):
            return Result(INCORRECT, "give the predicted number of windows as an integer")
        if int(n_windows) != (_T - _SIZE) // _STEP + 1:
            return Result(
                INCORRECT,
                "the predicted number of windows is off: a window starts at 0, 2, 4, ... as "
                "long as its 3 steps fit in the 11 values, so N = (T - L) // step + 1",
            )
    got = _as_tensor(batch)
    if got is None:
        return Result(INCORRECT, "give a tensor (or an array) of windows, (N, L, H_in)")
    a = torch.arange(1.0, _T + 1.0, dtype=torch.float64)
    series = torch.stack([a, a + 100], dim=1)  # (T, H_in) = (11, 2)
    want = series.unfold(0, _SIZE, _STEP).transpose(1, 2)  # (N, H_in, L) -> (N, L, H_in)
    if tuple(got.shape) == tuple(want.shape) and torch.equal(got, want):
        return Result(CORRECT, "batch-first windows: (N, L, H_in)")
    if _same(got, want.transpose(1, 2)):
        return Result(
            INCORRECT,
            "unfold puts the window dimension last, (N, H_in, L): "
            "transpose(1, 2) moves the features back to the end",
        )
    if _same(got, want.permute(1, 0, 2)):
        return Result(
            INCORRECT, "that is sequence-first, (L, N, H_in); the exercise asks for batch-first"
        )
    if _same(got, series.unfold(0, _SIZE, 1).transpose(1, 2)):
        return Result(
            INCORRECT,
            "right window length, but too many windows: a new window starts every 2 steps "
            "(the step is unfold's third argument)",
        )
    if _same(got, series.unfold(0, _STEP, _SIZE).transpose(1, 2)):
        return Result(
            INCORRECT,
            "size and step are swapped: unfold(dimension, size, step) takes the window "
            "length first, then the distance between window starts",
        )
    if _same(got, torch.stack([a, a + 100]).unfold(1, _SIZE, _STEP)):
        return Result(
            INCORRECT,
            "the features are in dimension 0: stack a and b with dim=1, so that each time "
            "step is one row (T, H_in), then unfold dimension 0",
        )
    if _same(got, want.flip(-1)):
        return Result(INCORRECT, "the two features are swapped: a first, then b")
    return Result(
        INCORRECT,
        "stack a and b as two features, (T, H_in), then cut windows of 3 "
        "steps starting every 2 steps",
    )


def single_steps(output_shape, h_n_shape) -> Result:
    """Exercise (predict, then check): ``nn.RNN(4, 3, num_layers=2, batch_first=True)`` is
    given ``x = torch.zeros(7, 4)``, seven samples of one time step each. Predict the shapes of
    ``output`` and ``h_n``.

    The checker runs the RNN itself. Answers may be tuples, lists, torch.Size or NumPy ints.

    Shapes: x (7, 4) is read as (L, H_in): output (L, D*H) = (7, 3),
    h_n (D*num_layers, H) = (2, 3).

    Used in: 03_batch_first.
    """
    pending = _not_attempted(output_shape, h_n_shape)
    if pending is not None:
        return pending
    out_answer, h_answer = _as_shape(output_shape), _as_shape(h_n_shape)
    if out_answer is None or h_answer is None:
        return Result(INCORRECT, "give each shape as a tuple of whole numbers, e.g. (2, 7, 3)")
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        rnn = nn.RNN(4, 3, num_layers=2, batch_first=True)
        output, h_n = rnn(torch.zeros(7, 4))
    out_want, h_want = tuple(output.shape), tuple(h_n.shape)  # (7, 3), (2, 3)
    if out_answer != out_want:
        if out_answer in ((7, 1, 3), (1, 7, 3)):
            return Result(
                INCORRECT,
                "output: batch_first does not apply to a 2-D x. PyTorch reads a 2-D x as one "
                "unbatched sequence (L, H_in); how many dimensions does its output have?",
            )
        if out_answer in ((7, 4), (1, 4)):
            return Result(INCORRECT, "output has H = hidden_size features per step, not H_in")
        if out_answer in ((7, 6), (2, 7, 3)):
            return Result(
                INCORRECT,
                "output holds the top layer only: one layer's H features per step",
            )
        if out_answer in ((1, 3), (2, 3)):
            return Result(
                INCORRECT,
                "output holds the state at every step of the sequence, not only the last one",
            )
        return Result(
            INCORRECT,
            "output: a 2-D x is one unbatched sequence (L, H_in); output is laid out like it",
        )
    if h_answer != h_want:
        if h_answer in ((2, 7, 3), (7, 2, 3), (2, 1, 3), (1, 2, 3)):
            return Result(
                INCORRECT,
                "output is right. An unbatched input gives an unbatched h_n: no batch "
                "dimension, (D*num_layers, H)",
            )
        if h_answer == (7, 3):
            return Result(
                INCORRECT,
                "output is right. h_n holds only the state after the last step, one per "
                "layer and direction; the state at every step is output",
            )
        if h_answer in ((1, 3), (3,)):
            return Result(
                INCORRECT,
                "output is right. h_n holds one final state per layer: count the layers",
            )
        return Result(
            INCORRECT,
            "output is right. h_n is (D*num_layers, H) for an unbatched input",
        )
    return Result(
        CORRECT,
        "a 2-D x is one sequence whatever batch_first says: the seven samples were chained, "
        "and h_n holds one state per layer, not one per sample",
    )


# The find-the-bug classifier: N = 6 sequences, L = 7 steps, H_in = 2, H = 5, 2 classes.
_N, _L, _H_IN, _H, _CLASSES = 6, 7, 2, 5, 2


def _classifier_input() -> torch.Tensor:
    generator = torch.Generator().manual_seed(3)
    return torch.randn(_N, _L, _H_IN, generator=generator)  # (N, L, H_in)


def _rnn_like(rnn: nn.RNN, batch_first: bool) -> nn.RNN:
    """A copy of ``rnn``'s weights in a new RNN with the given batch_first."""
    with torch.random.fork_rng(devices=[]):
        twin = nn.RNN(
            rnn.input_size,
            rnn.hidden_size,
            num_layers=rnn.num_layers,
            bidirectional=rnn.bidirectional,
            batch_first=batch_first,
        )
    twin.load_state_dict(rnn.state_dict())
    return twin


def fixed_classifier(model_class) -> Result:
    """Exercise (find the bug): fix the class ``DirectionClassifier`` of the chapter, whose
    ``forward`` takes a DataLoader batch (N, L, H_in) and returns two scores per sequence.

    The checker builds the student's class (under ``fork_rng``), runs it on a batch of
    N = 6 sequences of L = 7 steps, and compares with what the same weights give when the RNN
    reads the batch correctly and the head sees each sequence's last step. The unchanged buggy
    class counts as not attempted.

    Shapes: x (N, L, H_in) = (6, 7, 2) -> scores (N, 2).

    Used in: 03_batch_first.
    """
    pending = _not_attempted(model_class)
    if pending is not None:
        return pending
    if not callable(model_class):
        return Result(
            INCORRECT, "give the class itself: checks.fixed_classifier(DirectionClassifier)"
        )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        model, failed = _run_student(model_class)
    if failed is not None:
        return failed
    rnn, head = getattr(model, "rnn", None), getattr(model, "head", None)
    if not isinstance(rnn, nn.RNN) or not isinstance(head, nn.Linear):
        return Result(
            INCORRECT,
            "keep the model's two parts: self.rnn (an nn.RNN) and self.head (an nn.Linear)",
        )
    if (rnn.input_size, rnn.hidden_size, rnn.num_layers, rnn.bidirectional) != (
        _H_IN,
        _H,
        1,
        False,
    ) or (head.in_features, head.out_features) != (_H, _CLASSES):
        return Result(
            INCORRECT,
            "keep the sizes: nn.RNN(input_size=2, hidden_size=5) and nn.Linear(5, 2); the bug "
            "is not in the sizes",
        )
    x = _classifier_input()
    with torch.no_grad():
        got, failed = _run_student(model, x.clone())
        if failed is not None:
            return failed
        seq_first, batch_first = _rnn_like(rnn, False), _rnn_like(rnn, True)
        out_bf, h_n = batch_first(x)  # (N, L, H), (1, N, H)
        want = head(out_bf[:, -1])  # (N, H) -> (N, 2)
        buggy = head(seq_first(x)[0][:, -1])  # x read as (L, N, H_in): steps of 6 "sequences"
        reshaped = head(seq_first(x.reshape(_L, _N, _H_IN))[0][-1])
        first_step = head(out_bf[:, 0])
        whole_h_n = head(h_n)  # (1, N, 2)
        last_sequence = head(out_bf[-1])  # (L, 2)
        seq_out = seq_first(x.permute(1, 0, 2))[0]  # (L, N, H)
        seq_wrong_index = head(seq_out[:, -1])  # (L, 2): the last sequence, every step
    if not isinstance(got, torch.Tensor):
        return Result(
            INCORRECT, f"forward should return a tensor of scores, got {type(got).__name__}"
        )
    if _same(got, buggy):
        return Result(
            NOT_ATTEMPTED,
            "the model still gives exactly the buggy numbers: find the bug, fix it, "
            "run the cell again",
        )
    if _same(got, want):
        return Result(
            CORRECT,
            "the RNN reads x as (N, L, H_in) and the head sees each sequence's last step "
            f"(relative error {_rel_error(got, want):.1e})",
        )
    if _same(got, whole_h_n):
        return Result(
            INCORRECT,
            "the scores are (1, N, 2): the head was given the whole h_n, (D*num_layers, N, H); "
            "give it the last layer's state, h_n[-1]",
        )
    if _same(got, last_sequence) or _same(got, seq_wrong_index):
        return Result(
            INCORRECT,
            "the scores have one row per time step: that index picks the last sequence, not "
            "the last step. In (N, L, H) time is dimension 1; in (L, N, H) it is dimension 0",
        )
    if _same(got, reshaped):
        return Result(
            INCORRECT,
            "right shape, wrong numbers: reshape pours the numbers into the new shape in "
            "row-major order, mixing sequences; permute(1, 0, 2) swaps the dimensions",
        )
    if _same(got, first_step):
        return Result(INCORRECT, "the head sees time step 0; it should see the last step")
    if tuple(got.shape) != tuple(want.shape):
        return Result(
            INCORRECT,
            f"forward returned shape {tuple(got.shape)}; it should give one row of 2 scores "
            "per sequence, (N, 2)",
        )
    return Result(
        INCORRECT,
        f"right shape, wrong numbers (relative error {_rel_error(got, want):.1e}): the RNN must "
        "read dimension 0 of x as the batch",
    )


# run_batch_first: L = 6, N = 4, H_in = 3, H = 5, num_layers = 2 (D*num_layers = 2).
_RB = {"L": 6, "N": 4, "H_in": 3, "H": 5, "num_layers": 2}


def run_batch_first(function: Callable) -> Result:
    """Exercise (implement): ``run_batch_first(rnn, x)`` runs a sequence-first ``rnn`` on a
    batch-first ``x`` and returns ``(output, h_n)`` exactly as ``batch_first=True`` would.

    The checker gives the function a copy of a 2-layer ``nn.RNN(3, 5)`` and a batch (4, 6, 3),
    and compares with the same weights built with ``batch_first=True``.

    Shapes: x (N, L, H_in) -> output (N, L, D*H), h_n (D*num_layers, N, H).

    Used in: 03_batch_first.
    """
    pending = _not_attempted(function)
    if pending is not None:
        return pending
    if not callable(function):
        return Result(INCORRECT, "give a function, def run_batch_first(rnn, x): ...")
    L, N, H_in, H, layers = (_RB[k] for k in ("L", "N", "H_in", "H", "num_layers"))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(1)
        rnn = nn.RNN(H_in, H, num_layers=layers)  # sequence-first
    x = torch.randn(N, L, H_in, generator=torch.Generator().manual_seed(4))  # (N, L, H_in)
    with torch.no_grad():
        want_out, want_h = _rnn_like(rnn, True)(x)  # (N, L, H), (num_layers, N, H)
        got, failed = _run_student(function, copy.deepcopy(rnn), x.clone())
        if failed is not None:
            return failed
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            return Result(INCORRECT, "return two tensors, output and h_n: return output, h_n")
        out, h_n = (_as_tensor(t) for t in got)
        if out is None or h_n is None:
            return Result(INCORRECT, "return two tensors, output and h_n")
        plain_out, plain_h = rnn(x)  # x read as (L, N, H_in): the silent bug
        reshaped_out = rnn(x.reshape(L, N, H_in))[0]  # (L, N, H)
    if _same(out, plain_out) and _same(h_n, plain_h):
        return Result(
            INCORRECT,
            "h_n is (D*num_layers, L, H): the RNN read dimension 0 of x as time. Make x "
            "sequence-first before calling the RNN",
        )
    if _same(out, want_out.permute(1, 0, 2)):
        return Result(
            INCORRECT, "output is still sequence-first (L, N, H): turn it back to (N, L, H)"
        )
    if _same(out, reshaped_out.permute(1, 0, 2)) or _same(
        out, want_out.permute(1, 0, 2).reshape(N, L, H)
    ):
        return Result(
            INCORRECT,
            "output has the right shape but mixed-up numbers: a reshape keeps row-major order "
            "and cannot swap dimensions; use permute (or transpose) both ways",
        )
    if not _same(out, want_out):
        return Result(
            INCORRECT,
            f"output is not what batch_first=True gives (shape {tuple(out.shape)}); "
            "permute x to (L, N, H_in), run the RNN, permute output back",
        )
    if _same(h_n, want_h.permute(1, 0, 2)):
        return Result(
            INCORRECT,
            "output is right. h_n never follows batch_first: it stays (D*num_layers, N, H), "
            "leave it as the RNN returns it",
        )
    if _same(h_n, want_h[-1]):
        return Result(
            INCORRECT,
            "output is right. Return the whole h_n, every layer's final state, not only the "
            "last layer's",
        )
    if not _same(h_n, want_h):
        return Result(INCORRECT, "output is right, but h_n is not what the RNN returns")
    return Result(
        CORRECT,
        "output (N, L, D*H) and h_n (D*num_layers, N, H), the same numbers as batch_first=True",
    )
