"""What chapter 10 added to the library: data.remember_first and plots.against_length."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnnlab import data, plots  # noqa: E402


def test_remember_first_shapes_labels_and_marker():
    x, y = data.remember_first(7, 50, torch.Generator().manual_seed(0))
    assert x.shape == (50, 8, 2)
    assert y.shape == (50,)
    assert y.dtype == torch.int64
    assert torch.equal(y, (x[:, 0, 0] > 0).long())  # the label is the first value's sign
    assert torch.equal(x[:, 0, 1], torch.ones(50))  # the marker: first step only
    assert torch.count_nonzero(x[:, 1:, 1]) == 0
    assert set(x[:, :, 0].unique().tolist()) == {-1.0, 1.0}


def test_remember_first_is_repeatable_and_leaves_the_global_generator_alone():
    torch.manual_seed(0)
    before = torch.get_rng_state()
    a = data.remember_first(5, 9, torch.Generator().manual_seed(3))
    b = data.remember_first(5, 9, torch.Generator().manual_seed(3))
    assert torch.equal(a[0], b[0])
    assert torch.equal(a[1], b[1])
    assert torch.equal(before, torch.get_rng_state())
    assert data.remember_first(0, 1)[0].shape == (1, 1, 2)


@pytest.mark.parametrize(
    ("args", "error"),
    [((-1, 5), ValueError), ((3, 0), ValueError), ((2.5, 5), TypeError), ((3, 5, 7), TypeError)],
)
def test_remember_first_rejects_bad_input(args, error):
    with pytest.raises(error):
        data.remember_first(*args)


def test_against_length_draws_a_line_and_a_dot_per_seed():
    results = {"a": {4: [1.0, 0.9], 16: [0.5, 0.6]}, "b": {4: [1.0, 1.0], 16: [1.0, 0.9]}}
    fig = plots.against_length(results, "accuracy", chance=0.5, title="t")
    ax = fig.axes[0]
    means = [line for line in ax.lines if line.get_label() in ("a", "b")]
    assert [list(line.get_ydata()) for line in means] == [[0.95, 0.55], [1.0, 0.95]]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    assert sum(len(line.get_ydata()) for line in dots) == 8
    assert ax.get_ylabel() == "accuracy"
    plt.close(fig)
    fig = plots.against_length({"a": {1: [1e-3], 2: [1e-6]}}, "norm", log=True)
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)


@pytest.mark.parametrize("results", [{}, {"a": {}}, {"a": {4: []}}, [1, 2], {"a": [0.5]}])
def test_against_length_rejects_bad_input(results):
    with pytest.raises(ValueError, match="against_length"):
        plots.against_length(results, "accuracy")
