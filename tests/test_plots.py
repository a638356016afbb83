"""rnnlab.plots: figures of fixed size, the right number of arrows, clear errors."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnnlab import data, plots  # noqa: E402


def test_square_sequences_draws_one_arrow_per_step():
    points, directions = data.generate_sequences(n=5)
    fig = plots.square_sequences(points, directions)
    ax = fig.axes[0]
    assert tuple(fig.get_size_inches()) == plots.FIGSIZE
    kinds = [type(text).__name__ for text in ax.texts]
    assert kinds.count("Text") == 4  # the corner names
    assert kinds.count("Annotation") == 5 * 3  # one arrow per step, L - 1 = 3 per sequence
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "counter-clockwise (0)",
        "clockwise (1)",
    ]
    plt.close(fig)


def test_hidden_trajectories_accepts_a_tensor_and_an_axes():
    fig, ax = plt.subplots()
    states = torch.tanh(torch.randn(3, 4, 2))
    assert plots.hidden_trajectories(states, [0, 1, 1], ax=ax) is fig
    plt.close(fig)


@pytest.mark.parametrize(
    ("points", "directions", "words"),
    [
        (torch.zeros(2, 4, 3), None, r"shape \(L, 2\)"),
        ([[[0.0, 0.0]]], [0, 1], "one label 0 or 1 per sequence"),
        ([[[0.0, 0.0]]], [2], "one label 0 or 1 per sequence"),
    ],
)
def test_bad_input(points, directions, words):
    with pytest.raises(ValueError, match=words):
        plots.square_sequences(points, directions)
