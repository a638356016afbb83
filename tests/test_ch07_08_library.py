"""What chapters 07 and 08 added to rnnlab: data.square_walks, train.linear_probe and their
figures (plots.principal_plane, trajectories_with_final_states, loss_curves, series_in_time)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnnlab import data, plots, train  # noqa: E402


def _corner_index(points):
    corners = torch.as_tensor(data.CORNERS, dtype=torch.float32)
    return ((points[..., None, :] - corners) ** 2).sum(-1).argmin(-1)  # (..., 2) -> (...)


def test_square_walks_go_round_in_their_direction():
    x, y = data.square_walks(50, L=9, noise=0.0, seed=3)  # (N, L, 2), (N,)
    assert x.shape == (50, 9, 2)
    assert y.shape == (50,)
    assert x.dtype == torch.float32
    steps = (_corner_index(x[:, 1:]) - _corner_index(x[:, :-1])) % 4  # (N, L-1)
    assert torch.equal(steps, torch.where(y[:, None] == 1, 1, 3).expand(-1, 8))
    assert set(y.tolist()) == {0, 1}


def test_square_walks_rotate_start_and_stay_repeatable():
    upright, labels = data.square_walks(20, noise=0.0, seed=4)
    turned, labels_turned = data.square_walks(20, angle=90.0, noise=0.0, seed=4)
    torch.testing.assert_close(labels, labels_turned)
    # 90 degrees counter-clockwise: (a, b) -> (-b, a)
    torch.testing.assert_close(turned, torch.stack([-upright[..., 1], upright[..., 0]], -1))
    x, _ = data.square_walks(40, starts=(2, 3), noise=0.0, seed=5)
    assert set(_corner_index(x[:, 0]).tolist()) <= {2, 3}
    again, _ = data.square_walks(20, noise=0.1, seed=4)
    torch.testing.assert_close(again, data.square_walks(20, noise=0.1, seed=4)[0])


def test_square_walks_leave_the_global_random_state_alone():
    state, numpy_state = torch.random.get_rng_state(), np.random.get_state()[1].copy()
    data.square_walks(10, seed=1)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert np.array_equal(np.random.get_state()[1], numpy_state)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n": 0}, "n must be"),
        ({"n": 3, "L": 1}, "L must be"),
        ({"n": 3, "starts": (4,)}, "starting corner"),
        ({"n": 3, "starts": ()}, "at least one corner"),
        ({"n": 3, "noise": -1.0}, "noise"),
        ({"n": 3, "angle": "45"}, "angle"),
    ],
)
def test_square_walks_reject_bad_input(kwargs, words):
    with pytest.raises((TypeError, ValueError), match=words):
        data.square_walks(**kwargs)


def test_linear_probe_tells_separable_from_not():
    separable = torch.tensor([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0], [4.0, 4.0]])
    assert train.linear_probe(separable, torch.tensor([0, 0, 1, 1])) == 1.0
    xor = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    assert train.linear_probe(xor, torch.tensor([0, 0, 1, 1])) < 1.0
    # (N, L, F) features are flattened; numpy input works; the answer repeats
    points = np.arange(24, dtype=np.float32).reshape(6, 2, 2)
    assert train.linear_probe(points, np.array([0, 0, 0, 1, 1, 1])) == 1.0


@pytest.mark.parametrize(
    ("features", "labels", "words"),
    [
        (torch.zeros(3, 2), torch.zeros(4, dtype=torch.int64), "same N"),
        (torch.zeros(3, 2), torch.zeros(3), "class indices"),
        ("abc", torch.zeros(3, dtype=torch.int64), "numbers"),
    ],
)
def test_linear_probe_rejects_bad_input(features, labels, words):
    with pytest.raises((TypeError, ValueError), match=words):
        train.linear_probe(features, labels)


def test_trajectories_with_final_states_marks_one_dot_per_sequence():
    states = torch.tanh(torch.randn(6, 4, 5, generator=torch.Generator().manual_seed(0)))
    fig = plots.trajectories_with_final_states(states, [0, 1, 0, 1, 1, 1])
    dots = [c for c in fig.axes[0].collections if type(c).__name__ == "PathCollection"]
    assert sorted(len(c.get_offsets()) for c in dots) == [2, 4]
    final = plots.principal_plane(states)[:, -1]  # (N, 2)
    assert np.allclose(np.concatenate([c.get_offsets() for c in dots]).sum(), final.sum())
    plt.close(fig)


def test_loss_curves_one_line_per_seed():
    fig = plots.loss_curves({"a": [[1.0, 0.5], [1.0, 0.4]], "b": [[2.0, 1.0, 0.1]]})
    assert len(fig.axes[0].lines) == 3
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]
    plt.close(fig)
    with pytest.raises(ValueError, match="non-empty curves"):
        plots.loss_curves({"a": []})


def test_series_in_time_puts_predictions_at_their_steps():
    series = torch.arange(10.0)
    fig = plots.series_in_time(series, {"p": (torch.tensor([7, 8, 9]), series[7:])}, dt=0.5)
    line = fig.axes[0].lines[1]
    assert np.allclose(line.get_xdata(), [3.5, 4.0, 4.5])
    plt.close(fig)
    with pytest.raises(ValueError, match="steps must lie"):
        plots.series_in_time(series, {"p": ([10], [1.0])}, dt=1.0)
    with pytest.raises(ValueError, match="as many steps as values"):
        plots.series_in_time(series, {"p": ([1, 2], [1.0])}, dt=1.0)
