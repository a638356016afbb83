"""Chapter 02's checkers (predicted_shapes also serves 03-05): the solution, each known mistake
(with its hint), right answers written differently, generated wrong answers and the stub."""

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from rnnlab import checks
from rnnlab.checks import _exercise


@pytest.fixture(autouse=True)
def _first_try():
    """Each test is a first try: the hint level depends on the wrong tries in this kernel."""
    _exercise._TRIES.clear()


def _status(result):
    return result.status


def test_predicted_shapes():
    rnn = nn.RNN(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.zeros(4, 7, 3)  # (N, L, H_in)
    assert checks.predicted_shapes(rnn, x, (4, 7, 10), (4, 4, 5))
    assert checks.predicted_shapes(rnn, x, torch.Size([4, 7, 10]), [4, 4, 5])
    assert checks.predicted_shapes(
        rnn, x, np.array([4, 7, 10]), tuple(np.int64(v) for v in (4, 4, 5))
    )
    assert "L or N" in repr(checks.predicted_shapes(rnn, x, (7, 4, 10), (4, 4, 5)))
    assert "directions" in repr(checks.predicted_shapes(rnn, x, (4, 7, 5), (4, 4, 5)))
    assert "h_n" in repr(checks.predicted_shapes(rnn, x, (4, 7, 10), (2, 4, 5)))
    assert _status(checks.predicted_shapes(rnn, x, ..., ...)) == "not attempted"
    assert _status(checks.predicted_shapes(rnn, x, (4, 7, 10), ...)) == "not attempted"
    seq = nn.RNN(3, 5)
    assert "output is right. h_n" in repr(
        checks.predicted_shapes(seq, torch.zeros(7, 4, 3), (7, 4, 5), (4, 1, 5))
    )
    unbatched = checks.predicted_shapes(seq, torch.zeros(7, 3), (7, 5), (1, 5))
    assert unbatched
    assert "(D*num_layers, H) unbatched" in unbatched.message  # the case just answered
    lstm = nn.LSTM(3, 5)
    assert checks.predicted_shapes(lstm, torch.zeros(7, 4, 3), (7, 4, 5), (1, 4, 5))


@pytest.mark.parametrize(
    ("output_shape", "h_n_shape"),
    [((), ()), ([], [1]), ((7, 4, 5), ()), ((7,), (1,)), ((7, 4, 5), (1,)), ((4,), (4, 4, 5))],
)
def test_predicted_shapes_never_crashes_on_short_answers(output_shape, h_n_shape):
    rnn = nn.RNN(3, 5, num_layers=2, bidirectional=True)
    assert _status(checks.predicted_shapes(rnn, torch.zeros(7, 4, 3), output_shape, h_n_shape)) == (
        "incorrect"
    )


def test_predicted_shapes_rejects_generated_wrong_answers():
    rnn = nn.RNN(3, 5)
    x = torch.zeros(7, 4, 3)
    rng = np.random.default_rng(1)
    for _ in range(200):
        out = tuple(int(v) for v in rng.integers(1, 8, size=3))
        h = tuple(int(v) for v in rng.integers(1, 8, size=3))
        assert bool(checks.predicted_shapes(rnn, x, out, h)) == (
            out == (7, 4, 5) and h == (1, 4, 5)
        )


def test_predicted_shapes_rejects_a_setup_that_is_not_an_rnn():
    # a checker never raises (it runs guarded): the author's mistake is named in the verdict
    result = checks.predicted_shapes(nn.Linear(3, 5), torch.zeros(7, 3), (7, 5), (1, 5))
    assert not result
    assert "pass the cell's rnn_1 and x_1" in repr(result)


def test_predicted_shapes_leaves_the_random_state_alone():
    rnn = nn.RNN(3, 5, num_layers=2, dropout=0.5)
    before = torch.get_rng_state()
    checks.predicted_shapes(rnn, torch.zeros(7, 4, 3), (7, 4, 5), (2, 4, 5))
    assert torch.equal(torch.get_rng_state(), before)


def _setup():
    return nn.RNN(input_size=3, hidden_size=4), torch.zeros(5, 3), torch.zeros(1, 5)


def test_hidden_size_message():
    rnn, x, h0 = _setup()
    assert checks.hidden_size_message(rnn, x, h0, (1, 1, 4), (1, 1, 5))
    assert checks.hidden_size_message(rnn, x, h0, torch.Size([1, 1, 4]), [np.int64(1), 1, 5])
    assert _status(checks.hidden_size_message(rnn, x, h0, ..., ...)) == "not attempted"
    assert _status(checks.hidden_size_message(rnn, x, h0, (1, 1, 4), ...)) == "not attempted"


def test_hidden_size_message_wrong_answers_never_show_the_shapes():
    rnn, x, h0 = _setup()
    for expected, got in (((1, 4), (1, 5)), ((1, 1, 4), (1, 1, 9)), ((), ()), ("(1, 1, 4)", (1,))):
        result = checks.hidden_size_message(rnn, x, h0, expected, got)
        assert _status(result) == "incorrect"
        assert "(1, 1, 5)" not in repr(result)


def test_hidden_size_message_rejects_a_setup_that_does_not_raise():
    rnn, x, _ = _setup()
    result = checks.hidden_size_message(rnn, x, torch.zeros(1, 4), (1, 1, 4), (1, 1, 4))
    assert not result
    assert "must raise PyTorch's 'Expected hidden size' error" in repr(result)


def _buggy(rnn, x):
    output, h_n = rnn(x.permute(1, 0, 2))  # (N, L, H_in) -> (L, N, H_in)
    return output[0]


def test_last_step_states():
    assert checks.last_step_states(lambda rnn, x: rnn(x.permute(1, 0, 2))[0][-1])
    assert checks.last_step_states(lambda rnn, x: rnn(x.transpose(0, 1))[1][0])
    as_numpy = checks.last_step_states(lambda rnn, x: rnn(x.permute(1, 0, 2))[1][0].numpy())
    assert _status(as_numpy) == "incorrect"
    assert "the numbers are right, but its type is ndarray" in as_numpy.message
    assert checks.last_step_states(lambda rnn, x: rnn(x.permute(1, 0, 2).double().float())[1][-1])
    assert _status(checks.last_step_states(_buggy)) == "not attempted"
    assert "buggy code" in repr(checks.last_step_states(_buggy))
    assert _status(checks.last_step_states(...)) == "not attempted"
    assert _status(checks.last_step_states(lambda rnn, x: None)) == "not attempted"


def test_last_step_states_rejects_squeeze_that_drops_a_batch_of_one():
    """Review of chapter 02: h_n.squeeze() passed, though it drops N when N = 1."""
    result = checks.last_step_states(lambda rnn, x: rnn(x.permute(1, 0, 2))[1].squeeze())
    assert _status(result) == "incorrect"
    assert "N=1" in result.message
    assert "N = 1" in result.message


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda rnn, x: rnn(x.permute(1, 0, 2))[0][-1] * 1.01, "the tensor returned has the"),
        (lambda rnn, x: rnn(x.permute(1, 0, 2))[0][-1].T, "shape"),
        (lambda rnn, x: rnn(x), "should be a tensor"),
        (lambda rnn, x: rnn(x.permute(0, 2, 1)), "RuntimeError in `(lambda rnn, x"),
    ],
)
def test_last_step_states_other_wrong_answers(answer, hint):
    result = checks.last_step_states(answer)
    assert _status(result) == "incorrect"
    assert hint in repr(result)


@pytest.mark.parametrize(
    ("answer", "pointer"),
    [
        (lambda rnn, x: rnn(x.reshape(x.shape[1], x.shape[0], -1))[0][-1], "reshape keeps"),
        (lambda rnn, x: rnn(x.permute(1, 0, 2))[0][-1:], "slicing keeps the time dimension"),
    ],
    ids=["reshape instead of permute", "a slice of output"],
)
def test_last_step_states_names_the_layout_or_the_slice(answer, pointer):
    """Review of chapter 02: these were told to pick another step, or that h_n keeps a layer."""
    _exercise._TRIES.clear()
    first = checks.last_step_states(answer)
    assert _status(first) == "incorrect"
    assert "which time step" not in first.message
    assert "what does h_n" not in first.message
    assert pointer in checks.last_step_states(answer).message  # a second try: the pointer


def test_nn_rnn_checkers_leave_the_random_state_alone():
    rnn, x, h0 = _setup()
    before = torch.get_rng_state()
    checks.last_step_states(_buggy)
    checks.hidden_size_message(rnn, x, h0, (1, 1, 4), (1, 1, 5))
    assert torch.equal(torch.get_rng_state(), before)


def test_hidden_size_message_with_h0_one_state_per_step():
    rnn, x = nn.RNN(3, 4), torch.zeros(5, 3)
    h0 = torch.zeros(5, 4)  # (L, H): one state per step
    assert checks.hidden_size_message(rnn, x, h0, (1, 1, 4), (5, 1, 4))
    assert "count the dimensions" in repr(checks.hidden_size_message(rnn, x, h0, (1, 4), (5, 4)))


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.lists(st.integers(-2, 2), max_size=4),
    st.tuples(st.integers(-2, 6), st.integers(-2, 6), st.integers(-2, 6)),
    st.just(...),
    st.just(torch.zeros(3)),
    st.just(np.array([1, 1, 4])),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(expected=_JUNK, got=_JUNK)
def test_hidden_size_message_never_raises_on_junk(expected, got):
    rnn, x, h0 = _setup()
    result = checks.hidden_size_message(rnn, x, h0, expected, got)
    assert result.status in ("correct", "incorrect", "not attempted")


def test_hidden_size_message_rejects_generated_wrong_answers():
    rnn, x = nn.RNN(3, 4), torch.zeros(5, 3)
    h0 = torch.zeros(5, 4)
    rng = np.random.default_rng(2)
    for _ in range(200):
        e = tuple(int(v) for v in rng.integers(1, 6, size=3))
        g = tuple(int(v) for v in rng.integers(1, 6, size=3))
        right = e == (1, 1, 4) and g == (5, 1, 4)
        assert bool(checks.hidden_size_message(rnn, x, h0, e, g)) == right


def test_last_step_states_rejects_every_other_time_step():
    for t in range(-5, 5):  # the probes have L = 6 and 5 steps

        def pick(rnn, x, t=t):
            return rnn(x.permute(1, 0, 2))[0][t]

        assert bool(checks.last_step_states(pick)) == (t == -1), t


def test_last_step_states_without_permute_then_output_batch_first():
    """Third review of chapter 02: rnn(x) then output[:, -1] has the right shape, (N, H), and was
    told to pick another time step; it is a layout mistake, named as one."""
    first = checks.last_step_states(lambda rnn, x: rnn(x)[0][:, -1])
    assert _status(first) == "incorrect"
    assert "which time step" not in first.message
    assert "which dimension of x" in first.message
    second = checks.last_step_states(lambda rnn, x: rnn(x)[0][:, -1])
    assert "without the permute" in second.message
    assert "x.permute(1, 0, 2)" in checks.hint("last_step_states").message


def test_hidden_size_message_names_the_one_shape_that_is_2d():
    """Third review of chapter 02: with got right and expected 2-D, the hint said "both"."""
    rnn, x, h0 = _setup()
    result = checks.hidden_size_message(rnn, x, h0, (1, 4), (1, 1, 5))
    assert _status(result) == "incorrect"
    assert "got is right" in result.message
    assert "both" not in checks.hint("hidden_size_message").message
    assert "(1, 1, 5)" not in repr(result)


@pytest.mark.parametrize(
    ("h_n_shape", "nudge", "pointer"),
    [
        ((5,), "count its dimensions", "D*num_layers, even when it is 1"),
        ((1,), "how many numbers", "H numbers"),
    ],
    ids=["h_n without its first dimension", "h_n without its hidden size"],
)
def test_predicted_shapes_unbatched_h_n_mistakes_give_the_unbatched_case(h_n_shape, nudge, pointer):
    """Review of 02: for (5,) or (1,) on an unbatched x the hint said (D*num_layers, N, H), and a
    student following it answered (1, 1, 5), also wrong."""
    rnn, x = nn.RNN(3, 5), torch.zeros(7, 3)
    first = checks.predicted_shapes(rnn, x, (7, 5), h_n_shape)
    assert _status(first) == "incorrect"
    assert nudge in first.message
    assert "Print h_n_shape" not in first.message
    assert pointer in checks.predicted_shapes(rnn, x, (7, 5), h_n_shape).message
    assert "(D*num_layers, H) for an unbatched x" in checks.hint("predicted_shapes").message
    _exercise._TRIES.clear()  # a first try again
    batched = checks.predicted_shapes(
        nn.RNN(3, 5, num_layers=2), torch.zeros(7, 4, 3), (7, 4, 5), (4, 5)
    )
    assert "count its dimensions" in batched.message  # (N, H): the same mistake, batched


def test_last_step_states_names_the_mean_over_the_steps():
    """Review of 02: output.mean(0) was told that index 0 is the first step."""
    answer = lambda rnn, x: rnn(x.permute(1, 0, 2))[0].mean(0)  # noqa: E731
    first = checks.last_step_states(answer)
    assert _status(first) == "incorrect"
    assert "index 0" not in first.message
    assert "combine them" in first.message
    assert "averages the states of all L steps" in checks.last_step_states(answer).message


@pytest.mark.parametrize(
    ("got", "said"), [((5, 4, 1), "in the middle"), ((5, 1, 3), "not the input's H_in")]
)
def test_hidden_size_message_names_two_more_wrong_gots(got, said):
    """Fourth review of chapter 02: (5, 4, 1) and (5, 1, 3) got only the generic hints."""
    rnn, x, h0 = nn.RNN(input_size=3, hidden_size=4), torch.zeros(5, 3), torch.zeros(5, 4)
    checks.hidden_size_message(rnn, x, h0, (1, 1, 4), got)
    again = checks.hidden_size_message(rnn, x, h0, (1, 1, 4), got)
    assert _status(again) == "incorrect"
    assert said in again.message, again.message


def test_predicted_shapes_names_h_n_with_a_time_dimension_and_swapped():
    """Fifth review of 02: h_n (1, 7, 5) and (5, 1) got only the generic ladder."""
    rnn, x = nn.RNN(3, 5), torch.zeros(7, 3)
    timed = checks.predicted_shapes(rnn, x, (7, 5), (1, 7, 5)).message
    assert "does it hold a state per step" in timed
    swapped = checks.predicted_shapes(rnn, x, (7, 5), (5, 1)).message
    assert "order of its dimensions" in swapped


def test_hidden_size_message_names_got_copied_from_the_forum():
    """Fifth review of 02: got = (1, 1, 5), the forum's [1, 1, 9] pattern, got no fitting hint."""
    rnn, x, h0 = nn.RNN(3, 4), torch.zeros(5, 3), torch.zeros(5, 4)
    said = checks.hidden_size_message(rnn, x, h0, (1, 1, 4), (1, 1, 5)).message
    assert "which tensor does got describe" in said


def test_last_step_states_pointer_fits_any_wrong_index():
    """Sixth review of 02: output[1] was told "index 0 is the first step"."""
    answer = lambda rnn, x: rnn(x.permute(1, 0, 2))[0][1]  # noqa: E731
    assert "hich time step" in checks.last_step_states(answer).message
    said = checks.last_step_states(answer).message
    assert "index 0 is step 1, index L - 1 (or -1) is step L" in said, said
