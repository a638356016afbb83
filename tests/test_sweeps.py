"""What issue 19 added to the library for chapters 06-11: the stored seed sweeps, a held-out
score for train.linear_probe, and plots.against_length's geometric mean and spread dots."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnnlab import plots, sweeps, train  # noqa: E402


@pytest.mark.parametrize("chapter", ["07", "08", "09", "10"])
def test_every_stored_sweep_has_one_value_per_seed(chapter):
    stored = sweeps.stored(chapter)
    n = len(stored["seeds"])
    assert n >= 10
    assert "CPU" in stored["conditions"]
    assert "float32" in stored["conditions"]
    series = {k: v for k, v in stored.items() if k not in ("seeds", "conditions")}
    assert series
    assert all(len(values) == n for values in series.values())


def test_stored_names_the_chapters_it_has_when_asked_for_another():
    with pytest.raises(KeyError, match="--seed-sweeps"):
        sweeps.stored("01")


def test_count_says_k_of_n():
    assert sweeps.count([0.5, 1.0, 0.99, 0.2], lambda a: a >= 0.99) == "2 of 4"
    assert sweeps.count([], lambda a: True) == "0 of 0"


def test_linear_probe_scores_held_out_points():
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(60, 3, generator=generator)  # (N, F)
    y = (x[:, 0] > 0).long()
    assert train.linear_probe(x, y) == 1.0
    x_new = torch.randn(200, 3, generator=generator)
    y_new = (x_new[:, 0] > 0).long()
    assert train.linear_probe(x, y, held_out=(x_new, y_new)) > 0.9
    assert train.linear_probe(x, y, held_out=(x_new, 1 - y_new)) < 0.1  # labels swapped
    with pytest.raises(ValueError, match="held_out"):
        train.linear_probe(x, y, held_out=(x_new, y_new[:10]))
    with pytest.raises(ValueError, match="held_out"):
        train.linear_probe(x, y, held_out=(torch.randn(5, 4), torch.zeros(5)))


def test_against_length_on_a_log_axis_joins_geometric_means():
    fig = plots.against_length({"a": {1: [1e-2, 1e-6], 2: [1.0, 1e-4]}}, "norm", log=True)
    (line,) = [line for line in fig.axes[0].lines if line.get_label() == "a"]
    assert [math.log10(v) for v in line.get_ydata()] == pytest.approx([-4.0, -2.0])
    plt.close(fig)


def test_against_length_spreads_equal_dots_apart():
    results = {"a": {4: [1.0, 1.0, 1.0]}, "b": {4: [1.0, 1.0, 1.0]}}
    fig = plots.against_length(results, "accuracy")
    dots = [line for line in fig.axes[0].lines if line.get_marker() == "o"]
    xs = [x for line in dots for x in line.get_xdata()]
    assert len(xs) == 6
    assert len(set(xs)) == 6  # no dot drawn on top of another
    assert all(abs(x - 4) < 1 for x in xs)
    plt.close(fig)
