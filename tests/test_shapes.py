"""rnnlab.shapes: every mistake of the seed Q&A gets a clear ShapeError, and check_inputs accepts
exactly what nn.RNN accepts."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnnlab import shapes
from rnnlab.shapes import ShapeError


@pytest.fixture
def forum_rnn():
    """The forum's RNN: input_size=1, hidden_size=1, one layer, sequence-first."""
    return nn.RNN(1, 1, 1)


def _message(rnn, x, h0=None) -> str:
    with pytest.raises(ShapeError) as info:
        shapes.check_inputs(rnn, x, h0)
    assert isinstance(info.value, ValueError)
    return str(info.value)


def test_one_dimensional_input(forum_rnn):
    msg = _message(forum_rnn, torch.arange(1.0, 10.0), torch.zeros(1, 1))
    assert "1-D tensor of shape (9,)" in msg
    assert "x.unsqueeze(-1)" in msg
    assert "(9, 1)" in msg


def test_integer_input_says_convert_the_input_not_the_model(forum_rnn):
    msg = _message(forum_rnn, torch.arange(1, 10).reshape(9, 1), torch.zeros(1, 1))
    assert "torch.int64" in msg
    assert "x.to(torch.float32)" in msg
    assert "model.to(torch.int64), which cannot work" in msg


def test_h0_with_the_sequence_length_as_hidden_size(forum_rnn):
    msg = _message(forum_rnn, torch.arange(1.0, 10.0).reshape(9, 1), torch.zeros(1, 9))
    assert "got (1, 9), expected (D*num_layers, H) = (1, 1)" in msg
    assert "9 is the sequence length L" in msg


def test_three_d_h0_with_unbatched_input(forum_rnn):
    msg = _message(forum_rnn, torch.arange(1.0, 10.0).reshape(9, 1), torch.zeros(1, 1, 9))
    assert "must be 2-D (D*num_layers, H) = (1, 1); got 3-D (1, 1, 9)" in msg
    assert "x.unsqueeze(1)" in msg


def test_two_d_h0_with_batched_input(forum_rnn):
    msg = _message(forum_rnn, torch.zeros(9, 1, 1), torch.zeros(1, 1))
    assert "must be 3-D (D*num_layers, N, H) = (1, 1, 1)" in msg


def test_batch_first_confusion_is_named():
    rnn = nn.RNN(2, 3)  # sequence-first, given a DataLoader batch (N=4, L=6, H_in=2)
    msg = _message(rnn, torch.zeros(4, 6, 2), torch.zeros(1, 4, 3))
    assert "batch_first=True" in msg
    assert "x.permute(1, 0, 2)" in msg


def test_batch_first_h0_is_named():
    rnn = nn.RNN(2, 3, num_layers=2, batch_first=True)
    msg = _message(rnn, torch.zeros(5, 6, 2), torch.zeros(5, 2, 3))
    assert "never follows batch_first" in msg
    assert "h0.permute(1, 0, 2)" in msg


def test_wrong_number_of_layers_and_features():
    rnn = nn.RNN(2, 3, num_layers=2, bidirectional=True)
    msg = _message(rnn, torch.zeros(6, 5, 2), torch.zeros(2, 5, 3))
    assert "D*num_layers = 2*2 = 4" in msg
    msg = _message(rnn, torch.zeros(6, 2, 5))
    assert "H_in = input_size = 2" in msg
    assert "x.permute(0, 2, 1)" in msg


def test_other_mistakes():
    rnn = nn.RNN(2, 3)
    assert "float64" in _message(rnn, torch.zeros(4, 2, dtype=torch.float64))
    assert "must be a torch.Tensor" in _message(rnn, [[0.0, 1.0]])
    assert "empty" in _message(rnn, torch.zeros(0, 2))
    assert "flatten" in _message(rnn, torch.zeros(3, 2, 2, 2))
    assert "not a tuple" in _message(rnn, torch.zeros(4, 2), (torch.zeros(1, 3),) * 2)
    lstm = nn.LSTM(2, 3)
    assert "tuple (h0, c0)" in _message(lstm, torch.zeros(4, 2), torch.zeros(1, 3))
    with pytest.raises(TypeError, match="expected a recurrent module"):
        shapes.check_inputs(nn.Linear(2, 3), torch.zeros(4, 2))


def _pytorch_accepts(rnn, x, h0) -> bool:
    try:
        rnn(x, h0)
    except (RuntimeError, ValueError, AssertionError):
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(
    H_in=st.integers(1, 3),
    H=st.integers(1, 3),
    layers=st.integers(1, 2),
    bidir=st.booleans(),
    batch_first=st.booleans(),
    module=st.sampled_from([nn.RNN, nn.GRU]),
    x_shape=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    h_shape=st.one_of(st.none(), st.lists(st.integers(1, 4), min_size=1, max_size=4)),
)
def test_check_inputs_accepts_exactly_what_pytorch_accepts(
    H_in, H, layers, bidir, batch_first, module, x_shape, h_shape
):
    rnn = module(H_in, H, num_layers=layers, bidirectional=bidir, batch_first=batch_first)
    x = torch.zeros(x_shape)
    h0 = None if h_shape is None else torch.zeros(h_shape)
    try:
        dims = shapes.check_inputs(rnn, x, h0)
    except ShapeError:
        assert not _pytorch_accepts(rnn, x, h0)
    else:
        assert _pytorch_accepts(rnn, x, h0)
        out, h_n = rnn(x, h0)
        assert out.shape[-1] == dims.D * H
        assert h_n.shape[0] == dims.D * layers


def test_describe_names_every_tensor():
    rnn = nn.RNN(2, 3, num_layers=2, bidirectional=True, batch_first=True)
    table = shapes.describe(rnn, torch.zeros(5, 7, 2))
    assert table.ok
    text = str(table)
    assert (
        "nn.RNN(input_size=2, hidden_size=3, num_layers=2, bidirectional=True, "
        "batch_first=True)" in text
    )
    assert "(N, L, H_in) = (5, 7, 2)" in text
    assert "(D*num_layers, N, H) = (4, 5, 3)" in text
    assert "(N, L, D*H) = (5, 7, 6)" in text
    assert [row[0] for row in table.rows] == ["input x", "h0", "output", "h_n"]


def test_describe_shows_problems_instead_of_raising():
    table = shapes.describe(
        nn.RNN(1, 1), torch.arange(1.0, 10.0).reshape(9, 1), torch.zeros(1, 1, 9)
    )
    assert not table.ok
    assert "unbatched" in str(table)
    assert "✗ (1, 1, 9)" in str(table)
    assert "must be 2-D" in str(table)
    bad = shapes.describe(nn.RNN(1, 1), torch.arange(1, 10))
    assert not bad.ok
    assert "(L, N, H_in) = (L, N, 1)" in str(bad)


def test_describe_covers_lstm_projections():
    table = shapes.describe(nn.LSTM(3, 5, proj_size=2), torch.zeros(7, 3))
    text = str(table)
    assert "c0" in text
    assert "(D*num_layers, proj_size) = (1, 2)" in text  # h0 has the projected size
    assert "(L, D*proj_size) = (7, 2)" in text
    assert "(D*num_layers, H) = (1, 5)" in text  # c0 keeps the hidden size


# --- Chapter 03: the silent layout bugs, caught when the batch size is known -------------------


@settings(max_examples=80, deadline=None)
@given(
    L=st.integers(1, 6),
    N=st.integers(1, 6),
    H_in=st.integers(1, 3),
    H=st.integers(1, 3),
    layers=st.integers(1, 2),
    bidir=st.booleans(),
    batch_first=st.booleans(),
    use_labels=st.booleans(),
)
def test_told_the_batch_size_check_inputs_catches_the_swapped_layout(
    L, N, H_in, H, layers, bidir, batch_first, use_labels
):
    rnn = nn.RNN(H_in, H, num_layers=layers, bidirectional=bidir, batch_first=batch_first)
    right = torch.zeros((N, L, H_in) if batch_first else (L, N, H_in))
    told = {"labels": torch.zeros(N)} if use_labels else {"batch_size": N}
    assert shapes.check_inputs(rnn, right, **told).N == N
    assert shapes.describe(rnn, right, **told).ok
    swapped = right.transpose(0, 1)  # the other layout
    _, h_n = rnn(swapped)  # PyTorch runs it: the bug is silent
    assert h_n.shape[1] == L
    if L == N:  # no shape check can tell the layouts apart
        shapes.check_inputs(rnn, swapped, **told)
        return
    with pytest.raises(ShapeError) as info:
        shapes.check_inputs(rnn, swapped, **told)
    msg = str(info.value)
    assert f"batch_first={not batch_first}" in msg
    assert "x.permute(1, 0, 2)" in msg
    assert "Nothing raises" in msg
    assert not shapes.describe(rnn, swapped, **told).ok


@settings(max_examples=60, deadline=None)
@given(
    N=st.integers(1, 6),
    H_in=st.integers(1, 3),
    H=st.integers(1, 3),
    batch_first=st.booleans(),
)
def test_told_the_batch_size_check_inputs_catches_single_steps_given_as_2d(N, H_in, H, batch_first):
    rnn = nn.RNN(H_in, H, batch_first=batch_first)
    steps = torch.zeros(N, H_in)  # N samples of one time step each
    _, h_n = rnn(steps)  # PyTorch runs it as one sequence of N steps, batch_first or not
    assert h_n.shape == (1, H)
    fixed = steps.unsqueeze(1) if batch_first else steps.unsqueeze(0)  # a time dimension
    assert shapes.check_inputs(rnn, fixed, batch_size=N).N == N
    if N == 1:  # one sequence of one step: nothing is wrong
        shapes.check_inputs(rnn, steps, batch_size=1)
        return
    with pytest.raises(ShapeError) as info:
        shapes.check_inputs(rnn, steps, batch_size=N)
    msg = str(info.value)
    assert "ONE unbatched sequence" in msg
    assert f"batch_first={batch_first} is ignored" in msg
    assert "x.unsqueeze(1)" in msg
    assert "x.unsqueeze(0)" in msg


def test_batch_size_other_than_any_dimension():
    rnn = nn.RNN(2, 5)
    with pytest.raises(ShapeError, match="no dimension of x has size 7"):
        shapes.check_inputs(rnn, torch.zeros(4, 3, 2), batch_size=7)
    with pytest.raises(ShapeError, match="N = 1, but the batch has N = 7"):
        shapes.check_inputs(rnn, torch.zeros(4, 2), batch_size=7)


def test_batch_size_and_labels_are_checked():
    rnn, x = nn.RNN(2, 5), torch.zeros(4, 3, 2)
    with pytest.raises(TypeError, match="whole number"):
        shapes.check_inputs(rnn, x, batch_size=3.0)
    with pytest.raises(TypeError, match="whole number"):
        shapes.check_inputs(rnn, x, batch_size=True)
    with pytest.raises(ValueError, match="at least 1"):
        shapes.check_inputs(rnn, x, batch_size=0)
    with pytest.raises(ValueError, match="labels holds 4 labels"):
        shapes.check_inputs(rnn, x, batch_size=3, labels=[0, 1, 0, 1])
    with pytest.raises(TypeError, match="one label per sequence"):
        shapes.check_inputs(rnn, x, labels=5)
    assert shapes.check_inputs(rnn, x, batch_size=np.int64(3), labels=np.zeros(3)).N == 3
    assert shapes.check_inputs(rnn, x, h0=torch.zeros(1, 3, 5), batch_size=3).N == 3


def test_describe_notes_that_batch_first_is_ignored_for_2d_input():
    text = str(shapes.describe(nn.RNN(3, 6, batch_first=True), torch.zeros(5, 3)))
    assert "batch_first=True is ignored for a 2-D x" in text
    assert "ignored" not in str(shapes.describe(nn.RNN(3, 6), torch.zeros(5, 3)))


@settings(max_examples=60, deadline=None)
@given(
    N=st.integers(1, 5),
    H=st.integers(1, 4),
    out=st.integers(1, 4),
    layers=st.integers(1, 3),
    bidir=st.booleans(),
)
def test_check_predictions_catches_a_head_on_the_whole_h_n(N, H, out, layers, bidir):
    rnn = nn.RNN(2, H, num_layers=layers, bidirectional=bidir, batch_first=True)
    head = nn.Linear(H, out)
    _, h_n = rnn(torch.zeros(N, 4, 2))
    labels = torch.zeros(N)
    wrong = head(h_n)  # runs: (D*num_layers, N, out)
    assert wrong.shape == (h_n.shape[0], N, out)
    with pytest.raises(ShapeError, match=r"whole h_n.*h_n\[-1\]"):
        shapes.check_predictions(wrong, labels)
    shapes.check_predictions(head(h_n[-1]), labels)  # (N, out): fine
    shapes.check_predictions(head(h_n[-1])[:, 0], batch_size=N)  # (N,): fine


def test_check_predictions_other_mistakes():
    with pytest.raises(ShapeError, match=r"whole batch-first output.*output\[:, -1\]"):
        shapes.check_predictions(torch.zeros(3, 4, 2), batch_size=3)
    with pytest.raises(ShapeError, match="one row per sequence"):
        shapes.check_predictions(torch.zeros(4, 2), batch_size=3)
    with pytest.raises(TypeError, match="needs the batch size"):
        shapes.check_predictions(torch.zeros(3, 2))
    with pytest.raises(TypeError, match="must be a torch.Tensor"):
        shapes.check_predictions([[0.0]], batch_size=1)


def test_silent_bugs_say_which_no_shape_check_can_catch():
    assert len(shapes.SILENT_BUGS) == 5
    uncatchable = [bug.name for bug in shapes.SILENT_BUGS if bug.caught_by.startswith("none")]
    assert uncatchable == ["reshape instead of permute", "final state carried into the next call"]
    for bug in shapes.SILENT_BUGS:
        assert bug.caught_by.startswith(("none", "check_inputs", "check_predictions"))
    for sentence in ("No shape check can catch it", "check_predictions", "batch_size=N"):
        assert sentence in shapes.__doc__


def test_describe_leaves_h0_undecided_while_a_1d_x_is_refused():
    """Chapter 02, Error 1: with a 1-D x, h0 (1, 1) is right for one fix and wrong for the other,
    so describe marks it ? (not ✓), and the note gives h0's shape for each fix."""
    rnn = nn.RNN(1, 1)
    x = torch.arange(1.0, 10.0)  # (9,): nn.RNN refuses it
    for h0 in (torch.zeros(1, 1), torch.zeros(1, 1, 1)):
        table = shapes.describe(rnn, x, h0)
        assert not table.ok
        h0_row = next(row for row in table.rows if row[0] == "h0")
        assert h0_row[3] == f"? {tuple(h0.shape)}"
        assert "then h0 is (D*num_layers, H) = (1, 1) unbatched, or (D*num_layers, N, H) = " in (
            str(table)
        )
        assert "(1, 1, 1) for the batch of one" in str(table)
    # each fix the note names takes one of the two h0 and refuses the other, as nn.RNN does
    for fixed, h0_ok, h0_wrong in (
        (x.unsqueeze(-1), torch.zeros(1, 1), torch.zeros(1, 1, 1)),
        (x.reshape(9, 1, 1), torch.zeros(1, 1, 1), torch.zeros(1, 1)),
    ):
        assert shapes.describe(rnn, fixed, h0_ok).ok
        assert rnn(fixed, h0_ok)[1].shape == h0_ok.shape
        assert not shapes.describe(rnn, fixed, h0_wrong).ok
        with pytest.raises(RuntimeError, match="hx should also be"):
            rnn(fixed, h0_wrong)
    lstm = nn.LSTM(1, 2, num_layers=2)  # c0 is undecided too; an omitted h0 stays ✓
    table = shapes.describe(lstm, x, (torch.zeros(2, 2), torch.zeros(2, 2)))
    assert [row[3] for row in table.rows[1:3]] == ["? (2, 2)", "? (2, 2)"]
    assert "(D*num_layers, H) = (2, 2) unbatched" in str(table)
    assert shapes.describe(rnn, x).rows[1][3] == "✓ omitted: zeros"
