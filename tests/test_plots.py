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
    assert [text.get_text() for text in ax.texts] == ["A", "B", "C", "D"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x (coordinate 0)", "y (coordinate 1)")  # not x_t
    arrows = sum(len(q.U) for q in ax.collections if type(q).__name__ == "Quiver")
    assert arrows == 5 * 3  # one arrow per step, L - 1 = 3 per sequence
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


@pytest.mark.parametrize(
    ("kind", "panels"), [("sequence-first", 4), ("batch-first", 3), ("unbatched", 1)]
)
def test_layout_draws_one_panel_per_slice_of_dimension_0(kind, panels):
    fig = plots.layout(kind, L=4, N=3, H_in=2)
    ax = fig.axes[0]
    assert len(ax.patches) == 4 * 2 * (3 if kind != "unbatched" else 1)
    titles = [t.get_text() for t in ax.texts if t.get_text().startswith("x")]
    assert len(titles) == panels
    assert kind in ax.get_title()
    plt.close(fig)


@pytest.mark.parametrize(("num_layers", "bidirectional"), [(1, False), (2, False), (2, True)])
def test_unrolled_draws_a_box_per_layer_direction_and_step(num_layers, bidirectional):
    D = 2 if bidirectional else 1
    fig = plots.unrolled(L=3, num_layers=num_layers, bidirectional=bidirectional)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    assert len(boxes) == 3 * num_layers * D
    labels = {t.get_text() for t in ax.texts}
    assert {f"h_n[{i}]" for i in range(num_layers * D)} <= labels
    plt.close(fig)


def test_layout_and_unrolled_reject_bad_sizes():
    with pytest.raises(ValueError, match="kind must be one of"):
        plots.layout("time-first")
    with pytest.raises(ValueError, match="L must be a whole number from 1 to 8"):
        plots.layout("batch-first", L=0)
    with pytest.raises(ValueError, match="num_layers must be a whole number from 1 to 4"):
        plots.unrolled(L=3, num_layers=9)


def test_hidden_trajectories_projects_wide_states_onto_two_components():
    states = torch.randn(5, 4, 6)
    fig = plots.hidden_trajectories(states, [0, 1, 0, 1, 1])
    assert fig.axes[0].get_xlabel() == "principal component 0"
    plt.close(fig)
    with pytest.raises(ValueError, match=r"\(N, L, H\) with H >= 2"):
        plots.hidden_trajectories(torch.randn(5, 4, 1))


def test_training_curves_and_predictions():
    from rnnlab.train import History

    fig = plots.training_curves(History([1.0, 0.5], [1.1, 0.6], [0.5, 0.9]))
    assert len(fig.axes) == 2
    plt.close(fig)
    fig = plots.training_curves(History([1.0, 0.5], [1.1, 0.6]))
    assert len(fig.axes) == 1
    plt.close(fig)
    with pytest.raises(ValueError, match="no epochs"):
        plots.training_curves(History())
    fig = plots.predictions(torch.arange(5.0), torch.arange(5.0).reshape(5, 1), dt=0.1)
    assert len(fig.axes[0].lines) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="one length"):
        plots.predictions([1.0, 2.0], [1.0])


def test_timings_draws_one_line_per_implementation():
    fig = plots.timings({10: {"a": 1.0, "b": 0.5}, 100: {"a": 9.0, "b": 2.0}}, xlabel="L")
    assert [line.get_label() for line in fig.axes[0].lines] == ["a", "b"]
    plt.close(fig)
    with pytest.raises(ValueError, match="same implementations"):
        plots.timings({10: {"a": 1.0}, 100: {"b": 2.0}}, xlabel="L")
    with pytest.raises(ValueError, match="at least one row"):
        plots.timings({}, xlabel="L")
