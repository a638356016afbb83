"""Chapter 03's checkers: the solution, right answers written differently, each known mistake
(its hint asserted), generated wrong answers, the untouched stub, and the global random state."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnnlab import checks


def _status(result):
    return result.status


# --- to_sequence_first ------------------------------------------------------------------------


def test_to_sequence_first():
    assert checks.to_sequence_first(lambda out: out.permute(1, 0, 2))
    assert checks.to_sequence_first(lambda out: out.transpose(0, 1))
    assert checks.to_sequence_first(lambda out: out.transpose_(0, 1))  # in place
    assert checks.to_sequence_first(lambda out: out.numpy().swapaxes(0, 1))  # NumPy
    wrong = checks.to_sequence_first(lambda out: out.reshape(out.shape[1], out.shape[0], -1))
    assert "numbers moved" in repr(wrong)
    assert "row-major order" in repr(wrong)
    assert "memory" not in repr(wrong)  # the old, false hint
    assert "still (N, L, H)" in repr(checks.to_sequence_first(lambda out: out))
    assert _status(checks.to_sequence_first(lambda out: None)) == "not attempted"
    assert _status(checks.to_sequence_first(...)) == "not attempted"
    assert "raised ZeroDivisionError" in repr(checks.to_sequence_first(lambda out: 1 / 0))


# --- windows_batch ----------------------------------------------------------------------------

A = torch.arange(1.0, 12.0)
SERIES = torch.stack([A, A + 100], dim=1)  # (T, H_in) = (11, 2)
SOLUTION = SERIES.unfold(0, 3, 2).transpose(1, 2)  # (N, L, H_in) = (5, 3, 2)


def test_windows_batch_sizes_are_all_different():
    assert tuple(SOLUTION.shape) == (5, 3, 2)


def test_windows_batch_accepts_right_answers_written_differently():
    assert checks.windows_batch(SOLUTION)
    windows = SERIES.unfold(0, 3, 2)
    windows.transpose_(1, 2)  # in place
    assert checks.windows_batch(windows)
    assert checks.windows_batch(SOLUTION.numpy())
    assert checks.windows_batch(SOLUTION.tolist())
    ints = torch.stack([torch.arange(1, 12), torch.arange(101, 112)], dim=1)
    assert checks.windows_batch(ints.unfold(0, 3, 2).transpose(1, 2))
    assert checks.windows_batch(SOLUTION.double().contiguous())
    by_hand = torch.stack([SERIES[s : s + 3] for s in range(0, 9, 2)])
    assert checks.windows_batch(by_hand)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (SERIES.unfold(0, 3, 2), "transpose(1, 2)"),
        (SOLUTION.permute(1, 0, 2), "sequence-first"),
        (SERIES.unfold(0, 3, 1).transpose(1, 2), "every 2 steps"),
        (SERIES.unfold(0, 2, 3).transpose(1, 2), "size and step are swapped"),
        (torch.stack([A, A + 100]).unfold(1, 3, 2), "stack a and b with dim=1"),
        (SOLUTION.flip(-1), "features are swapped"),
        (SOLUTION + 1, "stack a and b as two features"),
    ],
)
def test_windows_batch_names_each_known_mistake(answer, hint):
    result = checks.windows_batch(answer)
    assert _status(result) == "incorrect"
    assert hint in repr(result)


def test_windows_batch_stub_and_junk():
    assert _status(checks.windows_batch(...)) == "not attempted"
    assert _status(checks.windows_batch("windows")) == "incorrect"
    assert _status(checks.windows_batch(torch.zeros(5, 3, 2, dtype=torch.complex64))) == (
        "incorrect"
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=4), st.integers(-3, 3))
def test_windows_batch_rejects_generated_wrong_answers(shape, shift):
    answer = torch.full(shape, float(shift))
    assert _status(checks.windows_batch(answer)) == "incorrect"


# --- single_steps ------------------------------------------------------------------------------


def test_single_steps():
    assert checks.single_steps((7, 3), (2, 3))
    assert checks.single_steps([7, 3], torch.Size([2, 3]))
    assert checks.single_steps((np.int64(7), np.int64(3)), np.array([2, 3]))
    assert _status(checks.single_steps(..., (2, 3))) == "not attempted"
    assert _status(checks.single_steps(..., ...)) == "not attempted"


@pytest.mark.parametrize(
    ("output_shape", "h_n_shape", "hint"),
    [
        ((7, 1, 3), (2, 7, 3), "batch_first does not apply to a 2-D x"),
        ((1, 7, 3), (2, 1, 3), "batch_first does not apply to a 2-D x"),
        ((7, 4), (2, 3), "not H_in"),
        ((7, 6), (2, 3), "top layer only"),
        ((2, 3), (2, 3), "every step"),
        ((7, 3), (2, 7, 3), "unbatched h_n"),
        ((7, 3), (2, 1, 3), "unbatched h_n"),
        ((7, 3), (7, 3), "only the state after the last step"),
        ((7, 3), (1, 3), "count the layers"),
        ((7, 3), (4, 3), "(D*num_layers, H)"),
        ((True, 3), (2, 3), "tuple of whole numbers"),
        ("(7, 3)", (2, 3), "tuple of whole numbers"),
    ],
)
def test_single_steps_names_each_known_mistake(output_shape, h_n_shape, hint):
    result = checks.single_steps(output_shape, h_n_shape)
    assert _status(result) == "incorrect"
    assert hint in repr(result)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 8), min_size=1, max_size=3),
    st.lists(st.integers(0, 8), min_size=1, max_size=3),
)
def test_single_steps_generated_answers(output_shape, h_n_shape):
    result = checks.single_steps(tuple(output_shape), tuple(h_n_shape))
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


class WholeHN(FixedByFlag):
    def forward(self, x):
        output, h_n = self.rnn(x)
        return self.head(h_n)


class ByReshape(Buggy):
    def forward(self, x):
        output, h_n = self.rnn(x.reshape(x.shape[1], x.shape[0], x.shape[2]))
        return self.head(output[-1])


class LastSequence(FixedByFlag):
    def forward(self, x):
        output, h_n = self.rnn(x)
        return self.head(output[-1])


class PermutedButIndexedBatchFirst(Buggy):
    def forward(self, x):
        output, h_n = self.rnn(x.permute(1, 0, 2))
        return self.head(output[:, -1])


class FirstStep(FixedByFlag):
    def forward(self, x):
        output, h_n = self.rnn(x)
        return self.head(output[:, 0])


class OtherSizes(FixedByFlag):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(input_size=2, hidden_size=4, batch_first=True)
        self.head = nn.Linear(4, 2)


class Crashes(FixedByFlag):
    def forward(self, x):
        raise RuntimeError("boom")


def test_fixed_classifier_accepts_every_right_fix():
    for fixed in (FixedByFlag, FixedByPermute, FixedWithHN):
        result = checks.fixed_classifier(fixed)
        assert result, (fixed.__name__, result)
        assert "relative error" in result.message


@pytest.mark.parametrize(
    ("model_class", "status", "hint"),
    [
        (Buggy, "not attempted", "still gives exactly the buggy numbers"),
        (..., "not attempted", "replace each ..."),
        (WholeHN, "incorrect", "whole h_n"),
        (ByReshape, "incorrect", "reshape pours"),
        (LastSequence, "incorrect", "picks the last sequence"),
        (PermutedButIndexedBatchFirst, "incorrect", "picks the last sequence"),
        (FirstStep, "incorrect", "time step 0"),
        (OtherSizes, "incorrect", "keep the sizes"),
        (Crashes, "incorrect", "raised RuntimeError: boom"),
        (nn.Linear, "incorrect", "raised TypeError"),
        (lambda: nn.Sequential(), "incorrect", "self.rnn"),
        (42, "incorrect", "give the class itself"),
    ],
)
def test_fixed_classifier_names_each_known_mistake(model_class, status, hint):
    result = checks.fixed_classifier(model_class)
    assert _status(result) == status
    assert hint in result.message


# --- run_batch_first --------------------------------------------------------------------------


def solution(rnn, x):
    output, h_n = rnn(x.permute(1, 0, 2))  # (N, L, H_in) -> (L, N, H_in)
    return output.permute(1, 0, 2), h_n  # (L, N, H) -> (N, L, H)


def test_run_batch_first_accepts_right_answers_written_differently():
    assert checks.run_batch_first(solution)

    def with_transpose(rnn, x):
        output, h_n = rnn(x.transpose(0, 1))
        return [output.transpose(0, 1).numpy(), h_n]  # a list, and a NumPy array

    def with_the_flag(rnn, x):
        rnn.batch_first = True  # the checker hands over a copy
        return rnn(x)

    assert checks.run_batch_first(with_transpose)
    assert checks.run_batch_first(with_the_flag)


def _no_permute(rnn, x):
    return rnn(x)


def _h_n_permuted(rnn, x):
    output, h_n = solution(rnn, x)
    return output, h_n.permute(1, 0, 2)


def _output_not_back(rnn, x):
    return rnn(x.permute(1, 0, 2))


def _reshape_in(rnn, x):
    output, h_n = rnn(x.reshape(x.shape[1], x.shape[0], -1))
    return output.permute(1, 0, 2), h_n


def _reshape_out(rnn, x):
    output, h_n = rnn(x.permute(1, 0, 2))
    return output.reshape(x.shape[0], x.shape[1], -1), h_n


def _last_layer_only(rnn, x):
    output, h_n = solution(rnn, x)
    return output, h_n[-1]


@pytest.mark.parametrize(
    ("function", "hint"),
    [
        (_no_permute, "read dimension 0 of x as time"),
        (_h_n_permuted, "never follows batch_first"),
        (_output_not_back, "still sequence-first"),
        (_reshape_in, "mixed-up numbers"),
        (_reshape_out, "mixed-up numbers"),
        (_last_layer_only, "whole h_n"),
        (lambda rnn, x: solution(rnn, x)[0], "return two tensors"),
        (lambda rnn, x: (1, 2), "return two tensors"),
        (lambda rnn, x: (solution(rnn, x)[0] * 2, solution(rnn, x)[1]), "not what batch_first"),
        (lambda rnn, x: (solution(rnn, x)[0], solution(rnn, x)[1] * 2), "h_n is not what"),
        (lambda rnn, x: 1 / 0, "raised ZeroDivisionError"),
        (42, "give a function"),
    ],
)
def test_run_batch_first_names_each_known_mistake(function, hint):
    result = checks.run_batch_first(function)
    assert _status(result) == "incorrect"
    assert hint in result.message


def test_run_batch_first_stub():
    assert _status(checks.run_batch_first(...)) == "not attempted"

    def stub(rnn, x): ...

    assert _status(checks.run_batch_first(stub)) == "not attempted"


# --- every checker ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: checks.fixed_classifier(FixedByFlag),
        lambda: checks.fixed_classifier(Buggy),
        lambda: checks.run_batch_first(solution),
        lambda: checks.single_steps((7, 3), (2, 3)),
        lambda: checks.windows_batch(SOLUTION),
        lambda: checks.to_sequence_first(lambda out: out.permute(1, 0, 2)),
    ],
)
def test_checkers_leave_the_global_random_state_alone(call):
    torch.manual_seed(123)
    before = torch.get_rng_state()
    call()
    assert torch.equal(torch.get_rng_state(), before)


# --- windows_batch with the predicted number of windows (review of chapter 03) ----------------


def test_windows_batch_checks_the_predicted_count():
    assert checks.windows_batch(SOLUTION, 5)
    assert checks.windows_batch(SOLUTION, np.int64(5))  # written differently
    assert checks.windows_batch(SOLUTION, torch.tensor(5))
    for wrong in (4, 6, 9):  # one short, one long, (T - L) // 1 + 1 with step 1
        result = checks.windows_batch(SOLUTION, wrong)
        assert _status(result) == "incorrect"
        assert "(T - L) // step + 1" in repr(result)
        assert "5" not in repr(result).replace("(T - L)", "")  # never the expected value
    assert _status(checks.windows_batch(SOLUTION, 5.0)) == "incorrect"
    assert _status(checks.windows_batch(SOLUTION, True)) == "incorrect"
    assert _status(checks.windows_batch(..., ...)) == "not attempted"
    assert _status(checks.windows_batch(SOLUTION, ...)) == "not attempted"
    assert _status(checks.windows_batch(..., 5)) == "not attempted"
    hint = repr(checks.windows_batch(SERIES.unfold(0, 3, 2), 5))
    assert "transpose(1, 2)" in hint  # a right count still gets the windows' hint
