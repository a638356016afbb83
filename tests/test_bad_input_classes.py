"""Classes of bad input, generated: each gets a clear error from rnnlab, or works.

The classes seen in an adversarial run: tensors on another device (meta), half and bfloat16
where NumPy cannot take them, complex numbers, NaN and inf, absurd sizes, NumPy scalars where
Python numbers are accepted (they must work), booleans where numbers are expected (refused),
and training set-ups that used to "train" silently or crash deep in torch.
"""

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_bad_input import _clear_or_fine  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from rnnlab import data, manual, plots, train  # noqa: E402

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

numpy_numbers = st.one_of(
    st.integers(2, 50).map(np.int64),
    st.integers(2, 50).map(np.int32),
    st.floats(0.01, 0.2).map(np.float32),
    st.floats(0.01, 0.2).map(np.float64),
)
non_finite = st.sampled_from([math.nan, math.inf, -math.inf, np.float32("nan")])
absurd = st.sampled_from([10**12, 10**30, 2**63, 1e-19, 1e-300])
booleans = st.sampled_from([True, False, np.bool_(True)])
odd_tensors = st.sampled_from(
    [
        torch.zeros(3, 4, 2, device="meta"),
        torch.zeros(3, 4, 2, dtype=torch.bfloat16),
        torch.zeros(3, 4, 2, dtype=torch.float16),
        torch.zeros(3, 4, 2, dtype=torch.complex64),
        torch.full((3, 4, 2), math.nan),
        torch.full((3, 4, 2), math.inf),
    ]
)


@SETTINGS
@given(value=numpy_numbers)
def test_numpy_numbers_work_where_python_numbers_do(value):
    if isinstance(value, np.integer):
        voltage, _ = data.dc_motor(T=value)
        assert voltage.shape == (int(value),)
        assert len(data.generate_sequences(n=value)[0]) == int(value)
        assert data.windows(torch.arange(60.0), size=value).shape[1] == int(value)
    else:
        voltage, _ = data.dc_motor(dt=value, T=20)
        assert voltage.shape == (20,)


@SETTINGS
@given(
    value=st.one_of(booleans, non_finite, st.sampled_from([1 + 2j, np.complex64(1)])),
    name=st.sampled_from(["dt", "tau", "gain", "noise"]),
)
def test_bad_numbers_in_dc_motor_get_a_clear_error(value, name):
    with pytest.raises((TypeError, ValueError)) as caught:
        data.dc_motor(T=20, **{name: value})
    assert name in str(caught.value)


@pytest.mark.parametrize("dt", [1e-19, 1e-300])
def test_an_absurd_time_step_is_refused(dt):
    with pytest.raises(ValueError, match="absurdly small"):
        data.dc_motor(dt=dt)


@SETTINGS
@given(value=absurd.filter(lambda v: isinstance(v, int)))
def test_absurd_sizes_are_refused_at_once(value):
    with pytest.raises(ValueError, match="between"):
        data.generate_sequences(n=value)
    with pytest.raises(ValueError, match="between"):
        data.windows(torch.arange(10.0), size=2, step=value)
    with pytest.raises(ValueError, match="between"):
        data.dc_motor(T=value)


@SETTINGS
@given(tensor=odd_tensors)
def test_odd_tensors_in_data_and_plots(tensor):
    _clear_or_fine(lambda: data.to_tensors(tensor))
    _clear_or_fine(lambda: plots.square_sequences(tensor))
    _clear_or_fine(lambda: plots.hidden_trajectories(tensor))
    _clear_or_fine(lambda: data.windows(tensor[0], 2))


def test_half_precision_states_are_drawn_and_nan_states_refused():
    states = torch.randn(3, 4, 5, generator=torch.Generator().manual_seed(0))
    plots.hidden_trajectories(states.to(torch.bfloat16))
    with pytest.raises(ValueError, match="NaN or inf"):
        plots.hidden_trajectories(torch.full((3, 4, 5), math.nan))
    with pytest.raises(ValueError, match="meta device"):
        plots.hidden_trajectories(states.to("meta"))
    with pytest.raises(TypeError, match="real"):
        data.to_tensors(np.ones((2, 3, 2), dtype=complex))


def test_split_layers_on_a_weight_normed_rnn_raises_even_under_python_opt():
    rnn = nn.RNN(3, 5, num_layers=2)
    rnn = nn.utils.parametrizations.weight_norm(rnn, name="weight_hh_l0")
    with pytest.raises(ValueError, match="remove_parametrizations"):
        manual.split_layers(rnn)


# -- train.fit: what used to train silently or crash deep in torch ------------------------------


def _loader(x, y, **kwargs):
    return DataLoader(TensorDataset(x, y), batch_size=4, **kwargs)


X = torch.zeros(8, 3, 2)
LABELS = torch.zeros(8, dtype=torch.int64)
MODEL = nn.Sequential(nn.Flatten(), nn.Linear(6, 2))


def test_a_regression_with_the_default_classify_is_refused():
    loader = _loader(X, torch.zeros(8, 2))
    with pytest.raises(ValueError, match="classify=False"):
        train.fit(MODEL, loader, loader, epochs=1, progress=False)


def test_an_empty_loader_is_refused():
    empty = _loader(X[:0], LABELS[:0])
    with pytest.raises(ValueError, match="no batches"):
        train.fit(MODEL, empty, _loader(X, LABELS), epochs=1, progress=False)


@pytest.mark.parametrize("frozen", [nn.Flatten(), "all frozen"])
def test_a_model_with_nothing_to_train_is_refused(frozen):
    model = nn.Sequential(nn.Flatten(), nn.Linear(6, 2))
    if frozen == "all frozen":
        model.requires_grad_(False)
    else:
        model = frozen
    loader = _loader(X, LABELS)
    with pytest.raises(ValueError, match="nothing to train"):
        train.fit(model, loader, loader, epochs=1, progress=False)


def test_three_item_batches_are_refused():
    loader = DataLoader(TensorDataset(X, LABELS, LABELS), batch_size=4)
    with pytest.raises(ValueError, match=r"\(x, y\) pairs"):
        train.fit(MODEL, loader, loader, epochs=1, progress=False)


def test_a_loss_without_reduction_is_refused():
    loader = _loader(X, LABELS)
    with pytest.raises(ValueError, match="reduction='mean'"):
        train.fit(
            MODEL,
            loader,
            loader,
            epochs=1,
            loss_fn=nn.CrossEntropyLoss(reduction="none"),
            progress=False,
        )


def test_fit_still_trains_a_regression_when_told():
    torch.manual_seed(0)
    x, y = torch.randn(16, 3, 2), torch.randn(16, 2)
    loader = _loader(x, y)
    history = train.fit(
        nn.Sequential(nn.Flatten(), nn.Linear(6, 2)),
        loader,
        loader,
        epochs=5,
        classify=False,
        progress=False,
    )
    assert history.train_loss[-1] < history.train_loss[0]
