"""Chapter 03's checkers beyond what tests/test_exercises.py derives from the definitions: right
answers written differently, calls from older copies (without the handed objects), answers of
the wrong form, generated wrong answers, and the legacy ``to_sequence_first``."""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnnlab import checks
from rnnlab.checks import _exercise

A = torch.arange(1.0, 13.0)
SERIES = torch.stack([A, A + 100], dim=1)  # (T, H_in) = (12, 2)
SOLUTION = SERIES.unfold(0, 3, 2).transpose(1, 2)  # (N, L, H_in) = (5, 3, 2)


@pytest.fixture(autouse=True)
def _first_try():
    """Each test is a first try: the hint level depends on the wrong tries in this kernel."""
    _exercise._TRIES.clear()


def _status(result):
    return result.status


# --- to_sequence_first (no chapter asks for it now; older copies still call it) ---------------


def test_to_sequence_first():
    assert checks.to_sequence_first(lambda out: out.permute(1, 0, 2))
    assert checks.to_sequence_first(lambda out: out.transpose_(0, 1))  # in place
    assert checks.to_sequence_first(lambda out: out.numpy().swapaxes(0, 1))  # NumPy
    wrong = checks.to_sequence_first(lambda out: out.reshape(out.shape[1], out.shape[0], -1))
    assert "row-major order" in repr(wrong)
    assert "still (N, L, H)" in repr(checks.to_sequence_first(lambda out: out))
    assert _status(checks.to_sequence_first(...)) == "not attempted"
    assert "raised ZeroDivisionError" in repr(checks.to_sequence_first(lambda out: 1 / 0))


# --- windows_batch ----------------------------------------------------------------------------


def test_windows_batch_accepts_right_answers_written_differently():
    b = A + 100
    windows = SERIES.unfold(0, 3, 2)
    windows.transpose_(1, 2)  # in place
    by_hand = torch.stack([SERIES[s : s + 3] for s in range(0, 9, 2)])
    for answer in (windows, by_hand, SOLUTION.contiguous()):
        assert checks.windows_batch(A, b, answer, 5)
    assert checks.windows_batch(A, b, SOLUTION, np.int64(5))
    assert checks.windows_batch(A, b, SOLUTION, torch.tensor(5))


def test_windows_batch_from_an_older_copy_without_a_and_b():
    assert checks.windows_batch(SOLUTION)
    assert checks.windows_batch(SOLUTION, 5)
    assert _status(checks.windows_batch(SOLUTION, 4)) == "incorrect"
    assert _status(checks.windows_batch(SERIES.unfold(0, 3, 2))) == "incorrect"


def test_windows_batch_answers_of_the_wrong_form():
    b = A + 100
    assert _status(checks.windows_batch(A, b, ..., ...)) == "not attempted"
    assert _status(checks.windows_batch(A, b, SOLUTION, ...)) == "not attempted"
    for count in (5.0, True, "5"):
        assert "n_windows" in checks.windows_batch(A, b, SOLUTION, count).message
    assert _status(checks.windows_batch(A, b, "windows", 5)) == "incorrect"
    complex_answer = torch.zeros(5, 3, 2, dtype=torch.complex64)
    assert _status(checks.windows_batch(A, b, complex_answer, 5)) == "incorrect"
    assert "pass the cell's a and b" in checks.windows_batch(A, None, SOLUTION, 5).message


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=4), st.integers(-3, 3))
def test_windows_batch_rejects_generated_wrong_answers(shape, shift):
    result = checks.windows_batch(A, A + 100, torch.full(shape, float(shift)), 5)
    assert _status(result) == "incorrect"


def test_windows_batch_names_the_count_for_a_window_too_few():
    """Four windows where five fit, however the count was predicted: the hint counts them."""
    b = A + 100
    by_hand = torch.stack([SERIES[s : s + 3] for s in range(0, 8, 2)])  # starts 0, 2, 4, 6
    assert by_hand.shape == (4, 3, 2)
    for count in (4, 5):
        _exercise._TRIES.clear()
        checks.windows_batch(A, b, by_hand, count)  # the nudge
        result = checks.windows_batch(A, b, by_hand, count)  # the same mistake: the pointer
        assert _status(result) == "incorrect"
        assert "N = (T - L) // step + 1" in result.message
        assert "torch.stack" not in result.message


# --- single_steps -----------------------------------------------------------------------------

RNN_1 = nn.RNN(input_size=4, hidden_size=3, num_layers=2, batch_first=True)
X_1 = torch.zeros(7, 4)


def test_single_steps_accepts_shapes_however_written():
    assert checks.single_steps(RNN_1, X_1, [7, 3], torch.Size([2, 3]))
    assert checks.single_steps(RNN_1, X_1, (np.int64(7), np.int64(3)), np.array([2, 3]))


def test_single_steps_from_an_older_copy_without_the_rnn_and_x():
    assert checks.single_steps((7, 3), (2, 3))
    assert _status(checks.single_steps((7, 1, 3), (2, 3))) == "incorrect"
    assert _status(checks.single_steps(..., (2, 3))) == "not attempted"


def test_single_steps_follows_the_objects_the_cell_hands():
    rnn = nn.RNN(5, 4, num_layers=3, bidirectional=True, batch_first=True)
    assert checks.single_steps(rnn, torch.zeros(6, 5), (6, 8), (6, 4))
    assert _status(checks.single_steps(rnn, torch.zeros(6, 5), (7, 3), (2, 3))) == "incorrect"


def test_single_steps_names_h_n_made_batch_first():
    """h_n written (L, D*num_layers, H), as if batch_first applied to it: the central mistake."""
    checks.single_steps(RNN_1, X_1, (7, 3), (7, 2, 3))  # the nudge
    result = checks.single_steps(RNN_1, X_1, (7, 3), (7, 2, 3))  # the pointer
    assert _status(result) == "incorrect"
    assert "h_n never follows batch_first" in result.message
    assert "no batch dimension at all" in result.message


@pytest.mark.parametrize(
    ("h_n_shape", "nudge"),
    [
        ((3, 2), "which of its two dimensions counts the layers?"),
        ((4, 3), "how many directions does rnn_1 run?"),
        ((2, 3, 1), "what does its last dimension of size 1 stand for?"),
        ((3,), "how many dimensions does it have?"),
        ((2,), "how many dimensions does it have?"),
    ],
)
def test_single_steps_names_each_wrong_h_n(h_n_shape, nudge):
    result = checks.single_steps(RNN_1, X_1, (7, 3), h_n_shape)
    assert _status(result) == "incorrect"
    assert nudge in result.message


def test_single_steps_names_output_with_two_directions():
    """output (L, 2*H) for a one-direction RNN: the feature count, not the layout, is wrong."""
    result = checks.single_steps(RNN_1, X_1, (7, 6), (2, 3))
    assert _status(result) == "incorrect"
    assert "how many directions does rnn_1 run?" in result.message
    bidirectional = nn.RNN(5, 4, num_layers=3, bidirectional=True, batch_first=True)
    result = checks.single_steps(bidirectional, torch.zeros(6, 5), (6, 16), (6, 4))
    assert "how many directions" not in result.message  # D = 2 there: another mistake


@pytest.mark.parametrize(
    ("output_shape", "h_n_shape"), [((True, 3), (2, 3)), ("(7, 3)", (2, 3)), ((7, 3), 2)]
)
def test_single_steps_answers_that_are_not_shapes(output_shape, h_n_shape):
    result = checks.single_steps(RNN_1, X_1, output_shape, h_n_shape)
    assert _status(result) == "incorrect"
    assert "tuple of whole numbers" in result.message


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 8), min_size=1, max_size=3),
    st.lists(st.integers(0, 8), min_size=1, max_size=3),
)
def test_single_steps_generated_answers(output_shape, h_n_shape):
    result = checks.single_steps(RNN_1, X_1, tuple(output_shape), tuple(h_n_shape))
    right = (tuple(output_shape), tuple(h_n_shape)) == ((7, 3), (2, 3))
    assert bool(result) == right
    assert "(7, 3)" not in result.message  # never the answer
    assert "(2, 3)" not in result.message


# --- fixed_classifier -------------------------------------------------------------------------


class Buggy(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=5)
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        output, h_n = self.rnn(x)
        return self.head(output[:, -1])


class FixedByFlag(Buggy):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=5, batch_first=True)


class FixedByPermute(Buggy):
    def forward(self, x):
        output, h_n = self.rnn(x.permute(1, 0, 2))  # (N, L, H_in) -> (L, N, H_in)
        return self.head(output[-1])


class FixedWithHN(FixedByFlag):
    def forward(self, x):
        output, h_n = self.rnn(x)
        return self.head(h_n[-1])


class HeadFirst(nn.Module):  # built in another order: other initial weights, same answer
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(5, 2)
        self.rnn = nn.RNN(input_size=2, hidden_size=5, batch_first=True)

    def forward(self, x):
        return self.head(self.rnn(x)[1][0])


class OtherSizes(FixedByFlag):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=4, batch_first=True)
        self.head = nn.Linear(4, 2)


class ReluRNN(FixedByFlag):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=5, nonlinearity="relu", batch_first=True)


class NoBias(FixedByFlag):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=5, bias=False, batch_first=True)


class Crashes(FixedByFlag):
    def forward(self, x):
        raise RuntimeError("boom")


def test_fixed_classifier_accepts_every_right_fix():
    for fixed in (FixedByFlag, FixedByPermute, FixedWithHN, HeadFirst):
        result = checks.fixed_classifier(fixed)
        assert result, (fixed.__name__, result)


@pytest.mark.parametrize(
    ("model_class", "status", "hint"),
    [
        (Buggy, "not attempted", "buggy code"),
        (..., "not attempted", "replace each ..."),
        (OtherSizes, "incorrect", "keep the sizes"),
        (ReluRNN, "incorrect", "keep the RNN as given"),
        (NoBias, "incorrect", "the bug is not in those settings"),
        (Crashes, "incorrect", 'raised RuntimeError in `raise RuntimeError("boom")`: boom'),
        (nn.Linear, "incorrect", "raised TypeError"),
        (lambda: nn.Sequential(), "incorrect", "self.rnn"),
        (42, "incorrect", "without calling it"),
    ],
)
def test_fixed_classifier_answers_of_the_wrong_form(model_class, status, hint):
    result = checks.fixed_classifier(model_class)
    assert _status(result) == status
    assert hint in result.message


# --- run_batch_first --------------------------------------------------------------------------


def solution(rnn, x):
    output, h_n = rnn(x.permute(1, 0, 2))  # (N, L, H_in) -> (L, N, H_in)
    return output.permute(1, 0, 2), h_n  # (L, N, H) -> (N, L, H)


def test_run_batch_first_accepts_right_answers_written_differently():
    def with_transpose(rnn, x):
        output, h_n = rnn(x.transpose(0, 1))
        return [output.transpose(0, 1), h_n]  # a list, not a tuple

    def with_the_flag_on_a_copy(rnn, x):
        twin = copy.deepcopy(rnn)
        twin.batch_first = True  # the copy, not the rnn the student was handed
        return twin(x)

    for right in (solution, with_transpose, with_the_flag_on_a_copy):
        assert checks.run_batch_first(right), right.__name__


def test_run_batch_first_refuses_right_numbers_in_another_type_or_dtype():
    """Read E of chapter 03: a NumPy output or a float64 one passed, though the code it stands
    for gives a float32 torch.Tensor (exercise 4 refused them already)."""

    def as_numpy(rnn, x):
        output, h_n = solution(rnn, x)
        return output.detach().numpy(), h_n  # the probes run with gradients on

    def in_float64(rnn, x):
        output, h_n = solution(rnn, x)
        return output, h_n.double()

    result = checks.run_batch_first(as_numpy)
    assert not result
    assert "output: the numbers are right, but its type is ndarray, not torch.Tensor" in str(result)
    result = checks.run_batch_first(in_float64)
    assert not result
    assert "h_n: the numbers are right, but its dtype is torch.float64, not torch.float32" in str(
        result
    )


def test_run_batch_first_rejects_changing_the_handed_rnn():
    """Review of chapter 03: `rnn.batch_first = True; return rnn(x)` used to pass."""

    def with_the_flag(rnn, x):
        rnn.batch_first = True
        return rnn(x)

    result = checks.run_batch_first(with_the_flag)
    assert _status(result) == "incorrect"
    assert "the rnn you were handed changed" in result.message


def test_run_batch_first_passes_what_the_text_allows():
    """The exercise text says a copy switched to batch_first=True passes (results only), and
    that only a call that LEAVES rnn changed is told so: toggling and restoring passes too."""

    def on_a_copy(rnn, x):
        twin = copy.deepcopy(rnn)
        twin.batch_first = True
        return twin(x)

    def toggled_and_restored(rnn, x):
        rnn.batch_first = True
        try:
            return rnn(x)
        finally:
            rnn.batch_first = False

    assert checks.run_batch_first(on_a_copy)
    assert checks.run_batch_first(toggled_and_restored)


@pytest.mark.parametrize(
    ("function", "hint"),
    [
        (lambda rnn, x: solution(rnn, x)[0], "return 2 values, output and h_n"),
        (lambda rnn, x: (1, 2), "output should be a tensor"),
        (lambda rnn, x: (solution(rnn, x)[0] * 2, solution(rnn, x)[1]), "relative error"),
        (lambda rnn, x: (solution(rnn, x)[0], solution(rnn, x)[1] * 2), "output is right"),
        (lambda rnn, x: 1 / 0, "raised ZeroDivisionError"),
        (42, "without calling it"),
    ],
)
def test_run_batch_first_other_wrong_answers(function, hint):
    result = checks.run_batch_first(function)
    assert _status(result) == "incorrect"
    assert hint in result.message


def test_run_batch_first_names_a_flipped_h_n():
    """Third review of chapter 03: h_n.flip(0) was told to compare the layout of the input."""
    _exercise._TRIES.clear()  # a first try: the hint level depends on the tries in this kernel
    result = checks.run_batch_first(
        lambda rnn, x: (solution(rnn, x)[0], solution(rnn, x)[1].flip(0))
    )
    assert _status(result) == "incorrect"
    assert "h_n: in which order are its rows?" in result.message
    assert "layout" not in result.message


def _detached(rnn, x):
    output, h_n = solution(rnn, x)
    return output.detach(), h_n.detach()


def _h_n_detached(rnn, x):
    output, h_n = solution(rnn, x)
    return output, h_n.detach()


def _under_no_grad(rnn, x):
    with torch.no_grad():
        return solution(rnn, x)


@pytest.mark.parametrize("function", [_detached, _h_n_detached, _under_no_grad])
def test_run_batch_first_refuses_a_result_cut_from_the_graph(function):
    """Fresh review of chapter 03: the probes ran under no_grad, so a detached result passed
    for "exactly as the same RNN built with batch_first=True would" return."""
    result = checks.run_batch_first(function)
    assert not result
    assert "graph" in result.message


def test_fixed_classifier_refuses_scores_cut_from_the_graph():
    """Fresh review of chapter 03: `self.head(output[:, -1]).detach()` passed, scores that
    cannot train."""

    class Detached(_Right):
        def forward(self, x):
            output, _ = self.rnn(x)
            return self.head(output[:, -1]).detach()

    result = checks.fixed_classifier(Detached)
    assert not result
    assert "graph" in result.message


def _halves_swapped(rnn, x):
    output, h_n = solution(rnn, x)
    H = rnn.hidden_size
    return torch.cat([output[..., H:], output[..., :H]], -1), h_n


def _h0_not_zeros(rnn, x):
    d = 2 if rnn.bidirectional else 1
    h0 = torch.full((d * rnn.num_layers, x.shape[0], rnn.hidden_size), 0.1)  # (D*num_layers, N, H)
    output, h_n = rnn(x.permute(1, 0, 2), h0)
    return output.permute(1, 0, 2), h_n


@pytest.mark.parametrize(
    ("function", "hint"),
    [
        (_halves_swapped, "in which order are its two halves?"),
        (_h0_not_zeros, "from which state does your call start the RNN?"),
    ],
)
def test_run_batch_first_right_layout_other_numbers_gets_no_layout_hint(function, hint):
    """Fresh review of chapter 03: right layout, wrong numbers was told to compare the layout."""
    result = checks.run_batch_first(function)
    assert _status(result) == "incorrect"
    assert hint in result.message
    assert "compare the layout" not in result.message


def test_run_batch_first_stub():
    assert _status(checks.run_batch_first(...)) == "not attempted"

    def stub(rnn, x): ...

    assert _status(checks.run_batch_first(stub)) == "not attempted"


def test_windows_batch_tells_a_float_count_to_be_an_int():
    """n_windows = 5.0 is whole but not an int: the message writes the student's own number back
    as an int, and says nothing of / it was not given; 4.5, what / gives, is told to use //."""
    result = checks.windows_batch(A, A + 100, SOLUTION, 5.0)
    assert result.status == "incorrect"
    assert "give n_windows as an int (5, not 5.0)" == result.message
    result = checks.windows_batch(A, A + 100, SOLUTION, n_windows=6.0)  # a wrong count, as a float
    assert result.message == "give n_windows as an int (6, not 6.0)"  # its own number, not 5
    result = checks.windows_batch(A, A + 100, SOLUTION, 4.5)
    assert "as an int" in result.message
    assert "//" in result.message
    assert "5" not in result.message.replace("4.5", "")  # never the expected count


@pytest.mark.parametrize(
    "windows",
    [
        SERIES.unfold(0, 3, 2).reshape(5, 3, 2),  # reshape instead of transpose
        SERIES.unfold(0, 3, 2).contiguous().view(5, 3, 2),  # the same numbers with view
    ],
)
def test_windows_batch_names_reshape_instead_of_transpose(windows):
    result = checks.windows_batch(A, A + 100, windows, 5)
    assert result.status == "incorrect"
    assert "how did you move the features to the end" in result.message
    assert "stack a and b" not in result.message.lower()  # stacking was right


class _Right(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=5, batch_first=True)
        self.head = nn.Linear(5, 2)


class _MeanOverTime(_Right):
    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output.mean(1))


class _Softmax(_Right):
    def forward(self, x):
        output, _ = self.rnn(x)
        return torch.softmax(self.head(output[:, -1]), dim=1)


class _SumOverTime(_Right):
    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output.sum(1))


class _MaxOverTime(_Right):
    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output.amax(1))  # amax: written otherwise than the mistake's max(1)


class _Flipped(_Right):
    def forward(self, x):
        output, _ = self.rnn(x.flip(1))  # batch_first is already set: not a layout bug
        return self.head(output[:, -1])


@pytest.mark.parametrize(
    ("model_class", "hint"),
    [
        (_MeanOverTime, "which steps does the head see"),
        (_SumOverTime, "which steps does the head see"),
        (_MaxOverTime, "which steps does the head see"),
        (_Softmax, "after the head"),
        (_Flipped, "in which order does the RNN read each sequence's steps?"),
    ],
)
def test_fixed_classifier_hints_at_the_step_once_the_layout_is_right(model_class, hint):
    result = checks.fixed_classifier(model_class)
    assert result.status == "incorrect"
    assert hint in result.message
    assert "dimension of x" not in result.message  # the layout is already right


def test_windows_batch_rejects_the_rule_t_over_step():
    """T // step counts 6 windows for T = 12, one that does not fit: the cell's sizes catch it."""
    result = checks.windows_batch(A, A + 100, SOLUTION, len(A) // 2)
    assert _status(result) == "incorrect"
    assert "n_windows" in result.message


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32])
def test_windows_batch_refuses_integer_windows(dtype):
    """Right numbers as integers: nn.RNN refuses them, so the checker does too."""
    ints = torch.stack([torch.arange(1, 13), torch.arange(101, 113)], dim=1).to(dtype)
    assert not checks.windows_batch(A, A + 100, ints.unfold(0, 3, 2).transpose(1, 2), 5)
    result = checks.windows_batch(A, A + 100, SOLUTION.to(dtype), 5)
    assert _status(result) == "incorrect"
    assert "floating-point" in result.message
    with pytest.raises(ValueError, match="dtype"):  # what the message claims
        nn.RNN(2, 4, batch_first=True)(SOLUTION.to(dtype))
    for other in (SOLUTION.double(), SOLUTION.numpy(), SOLUTION.tolist()):  # nn.RNN refuses these
        assert _status(checks.windows_batch(A, A + 100, other, 5)) == "incorrect"
    with pytest.raises(ValueError, match="dtype"):
        nn.RNN(2, 4, batch_first=True)(SOLUTION.double())


# --- the mistakes of the x2 review: each gets its own hints ------------------------------------


def test_windows_batch_names_transpose_0_1():
    """Stacked right, then the wrong pair of dimensions transposed: (H_in, N, L) = (2, 5, 3)."""
    wrong = SERIES.unfold(0, 3, 2).transpose(0, 1)
    assert wrong.shape == (2, 5, 3)
    first = checks.windows_batch(A, A + 100, wrong, 5)
    assert _status(first) == "incorrect"
    assert "dimension 0 holds the features" in first.message
    assert "how did you put a and b together" not in first.message
    second = checks.windows_batch(A, A + 100, wrong, 5)  # the same mistake: the pointer
    assert "move dimension 2, not dimension 0" in second.message


class WithH0(FixedByFlag):
    def forward(self, x):
        output, h_n = self.rnn(x, torch.ones(1, x.shape[0], 5))  # a non-zero h0
        return self.head(output[:, -1])


def test_fixed_classifier_names_a_given_h0():
    first = checks.fixed_classifier(WithH0)
    assert _status(first) == "incorrect"
    assert "which state does the RNN start from" in first.message
    second = checks.fixed_classifier(WithH0)  # the same mistake: the pointer
    assert "a non-zero h0" in second.message
    assert "build the RNN with batch_first=True" not in second.message  # not the generic hints
    for _ in range(_exercise.FIX_AFTER):
        last = checks.fixed_classifier(WithH0)
    assert "call self.rnn(x) without h0" in last.message  # the fix level


def test_windows_batch_features_in_dimension_0_get_the_same_hints():
    """a and b stacked with dim=0, unfolded along dimension 1: the same (H_in, N, L) tensor."""
    stacked_rows = torch.stack([A, A + 100]).unfold(1, 3, 2)  # (H_in, T) -> (H_in, N, L)
    assert torch.equal(stacked_rows, SERIES.unfold(0, 3, 2).transpose(0, 1))
    checks.windows_batch(A, A + 100, stacked_rows, 5)
    second = checks.windows_batch(A, A + 100, stacked_rows, 5)  # the pointer names both
    assert "stacked with dim=0" in second.message


def test_fixed_classifier_refuses_an_rnn_cut_from_the_graph_before_the_head():
    """Read K of chapter 03: a head on output[:, -1].detach() passed (its scores still require a
    gradient, through the head), though the RNN could never train."""

    class CutBeforeTheHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.RNN(input_size=2, hidden_size=5, batch_first=True)
            self.head = nn.Linear(5, 2)

        def forward(self, x):
            output, h_n = self.rnn(x)
            return self.head(output[:, -1].detach())

    result = checks.fixed_classifier(CutBeforeTheHead)
    assert not result
    assert "the RNN does not" in result.message
