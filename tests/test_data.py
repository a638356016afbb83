"""rnnlab.data: the seed notebook's numbers, the dataset's structure, tensors and windows."""

import re

import numpy as np
import pytest
import torch

from rnnlab import data


def test_first_sequence_matches_the_seed_notebook():
    points, _ = data.generate_sequences(n=128, seed=13)
    expected = [[1.0349, 0.9661], [0.8055, -0.9169], [-0.8251, -0.9499], [-0.8670, 0.9342]]
    np.testing.assert_allclose(points[0], expected, atol=5e-5)


def _seed_notebook_generator(n, variable_len, seed):
    """The draws of the course's source notebook, written independently as a cross-check."""
    legacy = np.random.RandomState(seed)
    bases = legacy.randint(4, size=n)
    lengths = legacy.randint(3, size=n) + 2 if variable_len else [4] * n
    directions = legacy.randint(2, size=n)
    points = []
    for b, d, length in zip(bases, directions, lengths):
        order = [(b + i) % 4 for i in range(4)]
        corners = data.CORNERS[order][:: 1 if d == 1 else -1]
        points.append(corners[:length] + legacy.randn(length, 2) * 0.1)
    return points, directions


@pytest.mark.parametrize("variable_len", [False, True])
@pytest.mark.parametrize("seed", [0, 13, 42])
def test_every_number_equals_the_legacy_draws(variable_len, seed):
    got_points, got_dirs = data.generate_sequences(n=50, variable_len=variable_len, seed=seed)
    want_points, want_dirs = _seed_notebook_generator(50, variable_len, seed)
    np.testing.assert_array_equal(got_dirs, want_dirs)
    assert len(got_points) == 50
    for got, want in zip(got_points, want_points):
        np.testing.assert_array_equal(got, want)


def test_types_lengths_and_labels():
    points, directions = data.generate_sequences(n=64, variable_len=True, seed=3)
    assert directions.dtype == np.int64
    assert set(directions.tolist()) <= {0, 1}
    assert all(p.dtype == np.float64 and p.shape[1] == 2 for p in points)
    assert {len(p) for p in points} <= {2, 3, 4}
    fixed, _ = data.generate_sequences(n=10)
    assert {p.shape for p in fixed} == {(4, 2)}


def test_walks_go_round_the_square_in_the_labelled_direction():
    points, directions = data.generate_sequences(n=200, seed=5)
    for walk, label in zip(points, directions):
        corners = [int(np.argmin(((data.CORNERS - p) ** 2).sum(1))) for p in walk]
        steps = {(b - a) % 4 for a, b in zip(corners, corners[1:])}
        assert steps == ({1} if label == 1 else {3})
        assert np.abs(walk - data.CORNERS[corners]).max() < 0.6  # noise sd 0.1


def test_global_numpy_state_is_untouched():
    np.random.seed(123)
    expected = np.random.rand(3)
    np.random.seed(123)
    data.generate_sequences(n=5)
    np.testing.assert_array_equal(np.random.rand(3), expected)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"n": 0}, ValueError, "n must be between 1 and"),
        ({"n": 2.5}, TypeError, "n must be a whole number"),
        ({"seed": -1}, ValueError, "seed must be between 0"),
        ({"variable_len": "yes"}, TypeError, "variable_len must be True or False"),
    ],
)
def test_generate_sequences_rejects_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        data.generate_sequences(**kwargs)


def test_to_tensors_builds_a_batch_first_float32_batch():
    points, directions = data.generate_sequences(n=6)
    x, y = data.to_tensors(points, directions)
    assert x.shape == (6, 4, 2)
    assert x.dtype == torch.float32
    assert y.dtype == torch.int64
    torch.testing.assert_close(x[2], torch.tensor(points[2], dtype=torch.float32))
    assert y.tolist() == directions.tolist()
    assert data.to_tensors(points).shape == (6, 4, 2)


def test_to_tensors_explains_unequal_lengths_and_bad_labels():
    points, _ = data.generate_sequences(n=20, variable_len=True)
    with pytest.raises(ValueError, match=r"these 20 have lengths between 2 and 4\. Pad.*pad_seq"):
        data.to_tensors(points)  # 20 sequences: too many to list
    lengths = [len(p) for p in points[:5]]
    with pytest.raises(
        ValueError, match=re.escape(f"these 5 have lengths between 2 and 4 ({lengths}).")
    ):
        data.to_tensors(points[:5])  # up to 10: each sequence's length, in order
    fixed, directions = data.generate_sequences(n=4)
    with pytest.raises(ValueError, match="one whole-number label per sequence"):
        data.to_tensors(fixed, directions[:3])
    with pytest.raises(ValueError, match="non-empty"):
        data.to_tensors([])


def test_windows_without_overlap_equal_view():
    series = torch.arange(14.0).reshape(7, 2)  # (T, H_in)
    got = data.windows(series[:6], size=3)
    torch.testing.assert_close(got, series[:6].view(2, 3, 2))
    assert data.windows(series, size=3).shape == (2, 3, 2)  # the tail of one step is dropped


def test_overlapping_windows_equal_unfold_transposed():
    series = torch.arange(1.0, 8.0)  # 7 values, one feature
    got = data.windows(series, size=3, step=1)
    assert got.shape == (5, 3, 1)
    assert got[1, :, 0].tolist() == [2.0, 3.0, 4.0]
    two = torch.stack([series, series + 10], dim=1)  # (7, 2)
    got2 = data.windows(two, size=3, step=1)
    torch.testing.assert_close(got2, two.unfold(0, 3, 1).transpose(1, 2))
    assert got2[0].tolist() == [[1.0, 11.0], [2.0, 12.0], [3.0, 13.0]]


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        (([1.0, 2.0], 1), TypeError, "torch.Tensor"),
        ((torch.zeros(2, 2, 2), 1), ValueError, "3-D"),
        ((torch.zeros(5), 6), ValueError, "size must be between 1 and 5"),
        ((torch.zeros(5), 2, 0), ValueError, "step must be between 1 and 5"),
    ],
)
def test_windows_rejects_bad_input(args, error, words):
    with pytest.raises(error, match=words):
        data.windows(*args)


def test_dc_motor_follows_first_order_dynamics():
    voltage, speed = data.dc_motor(T=400, dt=0.05, tau=0.5, gain=2.0, noise=0.0, seed=1)
    assert voltage.shape == speed.shape == (400,)
    assert voltage.dtype == torch.float32
    assert voltage.abs().max() <= 1.0
    # exactly the Euler step of tau * dspeed/dt = gain * voltage - speed
    step = speed[:-1] + 0.05 / 0.5 * (2.0 * voltage[:-1] - speed[:-1])
    torch.testing.assert_close(speed[1:], step)
    again, _ = data.dc_motor(T=400, seed=1)
    torch.testing.assert_close(again, voltage)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"T": 1}, "T must be between 2 and"),
        ({"tau": 0}, "tau must be a positive number"),
        ({"dt": 0.6}, "smaller than tau"),
        ({"noise": -1}, "noise must be a number >= 0"),
    ],
)
def test_dc_motor_rejects_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        data.dc_motor(**kwargs)
