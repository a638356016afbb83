"""Malformed input never escapes as an IndexError or a deep torch traceback.

Hypothesis throws wrong ranks, wrong dtypes, empty tensors, NaN, mismatched states and
non-tensors at every public rnnlab function. Each call must either work or raise a TypeError or
ValueError (ShapeError is one) from an explicit ``raise`` in rnnlab, the clear error a student
reads. Checkers never raise at all: they answer with a Result.
"""

import linecache
import math
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

import rnnlab  # noqa: E402
from rnnlab import checks, data, manual, plots, shapes, train  # noqa: E402

PACKAGE = Path(rnnlab.__file__).resolve().parent


@st.composite
def tensors(draw):
    shape = draw(st.lists(st.integers(0, 3), max_size=4))
    dtype = draw(st.sampled_from([torch.float32, torch.float64, torch.int64, torch.bool]))
    fill = draw(st.sampled_from([0.0, 1.0, math.nan]))
    if dtype in (torch.int64, torch.bool) and math.isnan(fill):
        fill = 1.0
    return torch.full(shape, fill).to(dtype)


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.lists(st.integers(-2, 2), max_size=3),
    tensors(),
    st.just(...),
    st.just(nn.Linear(2, 2)),
)


def _clear_or_fine(call):
    try:
        call()
        return
    except (TypeError, ValueError) as err:
        error = err
    finally:
        plt.close("all")
    frame = traceback.extract_tb(error.__traceback__)[-1]
    where = Path(frame.filename).resolve()
    line = linecache.getline(frame.filename, frame.lineno).strip()
    assert PACKAGE in where.parents, f"{type(error).__name__} from {where}: {error}"
    assert line.startswith("raise"), f"not a deliberate error ({line}): {error}"
    assert len(str(error)) > 15


def _rnn(kind=nn.RNN, **kwargs):
    torch.manual_seed(0)
    return kind(2, 3, **kwargs)


SETTINGS = settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(value=junk, position=st.integers(0, 2))
def test_data(value, position):
    args = [128, False, 13]
    args[position] = value
    _clear_or_fine(lambda: data.generate_sequences(*args))
    _clear_or_fine(lambda: data.to_tensors(value))
    points, directions = data.generate_sequences(n=4)
    _clear_or_fine(lambda: data.to_tensors(points, value))
    window_args = [torch.arange(6.0), 2, None]
    window_args[position] = value
    _clear_or_fine(lambda: data.windows(*window_args))
    _clear_or_fine(lambda: data.dc_motor(T=value))
    _clear_or_fine(lambda: data.dc_motor(tau=value))
    _clear_or_fine(lambda: rnnlab.set_seed(value))


@SETTINGS
@given(value=junk, position=st.integers(0, 6))
def test_rnn_cell(value, position):
    cell = nn.RNNCell(2, 3)
    args = [
        torch.zeros(4, 2),
        torch.zeros(4, 3),
        cell.weight_ih,
        cell.weight_hh,
        cell.bias_ih,
        cell.bias_hh,
        "tanh",
    ]
    args[position] = value
    _clear_or_fine(lambda: manual.rnn_cell(*args))


FORWARDS = [
    (nn.RNN, manual.rnn_forward),
    (nn.GRU, manual.gru_forward),
    (nn.LSTM, manual.lstm_forward),
]


@SETTINGS
@given(
    value=junk,
    other=junk,
    pair=st.sampled_from(FORWARDS),
    batch_first=st.booleans(),
    bidirectional=st.booleans(),
)
def test_forwards_and_shapes(value, other, pair, batch_first, bidirectional):
    kind, forward = pair
    module = _rnn(kind, batch_first=batch_first, bidirectional=bidirectional)
    _clear_or_fine(lambda: forward(module, value))
    _clear_or_fine(lambda: forward(module, value, other))
    _clear_or_fine(lambda: forward(module, torch.zeros(4, 2, 2), value))
    _clear_or_fine(lambda: forward(module, torch.zeros(4, 2, 2), None, value))
    _clear_or_fine(lambda: forward(value, torch.zeros(4, 2, 2)))
    _clear_or_fine(lambda: shapes.check_inputs(module, value, other))
    _clear_or_fine(lambda: shapes.check_inputs(value, torch.zeros(4, 2)))
    table = shapes.describe(module, value, other)  # explains, never raises for x or h0
    assert str(table).startswith(f"nn.{kind.__name__}(")
    _clear_or_fine(lambda: manual.split_layers(value))
    _clear_or_fine(lambda: manual.split_directions(value))


@SETTINGS
@given(value=junk, other=junk)
def test_plots(value, other):
    _clear_or_fine(lambda: plots.square_sequences(value))
    _clear_or_fine(lambda: plots.square_sequences(torch.zeros(2, 3, 2), value))
    _clear_or_fine(lambda: plots.hidden_trajectories(value, other))
    _clear_or_fine(lambda: plots.layout(value))
    _clear_or_fine(lambda: plots.layout("batch-first", L=value))
    _clear_or_fine(lambda: plots.unrolled(value))
    _clear_or_fine(lambda: plots.unrolled(2, num_layers=value))
    _clear_or_fine(lambda: plots.training_curves(value))
    _clear_or_fine(lambda: plots.predictions(value, other))
    _clear_or_fine(lambda: plots.timings(value, "L"))


@SETTINGS
@given(value=junk)
def test_train(value):
    loader = DataLoader(
        TensorDataset(torch.zeros(4, 3, 2), torch.zeros(4, dtype=torch.int64)), batch_size=2
    )
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 2))
    _clear_or_fine(lambda: train.fit(value, loader, loader, epochs=1, progress=False))
    _clear_or_fine(lambda: train.fit(model, value, loader, epochs=1, progress=False))
    _clear_or_fine(lambda: train.fit(model, loader, loader, epochs=value, progress=False))
    _clear_or_fine(lambda: train.fit(model, loader, loader, epochs=1, lr=value, progress=False))
    _clear_or_fine(lambda: train.evaluate(model, value, nn.CrossEntropyLoss()))


CHECKERS = {
    "cell_weight_shapes": 2,
    "my_rnn_cell": 1,
    "forum_final_state": 1,
    "forum_inputs": 2,
    "to_sequence_first": 1,
    "windows_batch": 1,
    "fixed_classifier": 1,
    "run_batch_first": 1,
    "single_steps": 2,
    "layer_state": 1,
    "final_states": 1,
    "bidirectional_features": 1,
    "window_count": 1,
    "initial_state": 1,
    "last_valid_outputs": 1,
    "packed_batch_sizes": 1,
    "forget_gate_rows": 1,
    "matmul_count": 2,
    "projected_loop": 1,
}


def _callables():
    return st.sampled_from(
        [
            lambda *a: None,
            lambda *a: 42,
            lambda *a: torch.zeros(0),
            lambda *a: (torch.zeros(2), "x"),
            lambda *a: {"k": 1},
            lambda *a: torch.full((4, 3), math.nan),
        ]
    )


@pytest.mark.parametrize("name", sorted(CHECKERS))
@SETTINGS
@given(answer=st.one_of(junk, _callables()))
def test_checkers_answer_and_never_raise(name, answer):
    result = getattr(checks, name)(*[answer] * CHECKERS[name])
    assert isinstance(result, checks.Result)
    assert result.status in ("correct", "incorrect", "not attempted")


@SETTINGS
@given(answer=st.one_of(junk, _callables()), shape_answer=junk)
def test_checkers_with_a_module(answer, shape_answer):
    rnn = _rnn()
    x = torch.zeros(4, 2, 2)
    for result in (
        checks.predicted_shapes(rnn, x, answer, shape_answer),
        checks.lstm_shapes(_rnn(nn.LSTM), x, answer, shape_answer, answer),
        checks.accuracy_value(
            nn.Sequential(nn.Flatten(), nn.Linear(8, 2)),
            torch.zeros(3, 4, 2),
            torch.zeros(3, dtype=torch.int64),
            answer,
        ),
        checks.head_in_features(rnn, answer),
    ):
        assert isinstance(result, checks.Result)


def test_the_checker_list_is_complete():
    covered = set(CHECKERS) | {
        "predicted_shapes",
        "lstm_shapes",
        "accuracy_value",
        "head_in_features",
        "Result",
    }
    assert covered == set(checks.__all__)
