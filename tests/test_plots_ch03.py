"""Chapter 03's figure: where reshape and permute put each time step."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from rnnlab import plots  # noqa: E402


def _labels(ax):
    """The cell labels of one grid, row by row ("n1 t2"), read back from the drawn text."""
    cells = [t for t in ax.texts if t.get_text().startswith("n")]
    cells.sort(key=lambda t: (-t.get_position()[1], t.get_position()[0]))
    return [t.get_text() for t in cells]


@pytest.mark.parametrize(("N", "L"), [(3, 4), (2, 5), (4, 3)])
def test_reshape_vs_permute_draws_what_torch_does(N, L):
    fig = plots.reshape_vs_permute(N=N, L=L)
    batch, permuted, reshaped = fig.axes
    # tag each (n, t) cell with a number and let torch move it: the figure must agree
    tags = torch.tensor([[n * 10 + t for t in range(L)] for n in range(N)])  # (N, L)
    names = {n * 10 + t: f"n{n} t{t}" for n in range(N) for t in range(L)}
    assert _labels(batch) == [names[int(v)] for v in tags.flatten()]
    assert _labels(permuted) == [names[int(v)] for v in tags.permute(1, 0).flatten()]
    assert _labels(reshaped) == [names[int(v)] for v in tags.reshape(L, N).flatten()]
    assert "permute(1, 0, 2)" in permuted.get_title()
    assert f"reshape({L}, {N}, -1)" in reshaped.get_title()
    plt.close(fig)


def test_reshape_vs_permute_draws_into_given_axes_and_rejects_bad_sizes():
    fig, axes = plt.subplots(1, 3)
    assert plots.reshape_vs_permute(axes=axes) is fig
    plt.close(fig)
    with pytest.raises(ValueError, match="three matplotlib axes"):
        plots.reshape_vs_permute(axes=[None])
    for bad in (0, 9, 2.5, True, "3"):
        with pytest.raises(ValueError, match="whole number from 1 to 8"):
            plots.reshape_vs_permute(N=bad)


@pytest.mark.parametrize("kind", ["sequence-first", "batch-first", "unbatched"])
def test_layout_labels_cells_and_titles_with_indices(kind):
    L, N, H_in = 4, 3, 2
    fig = plots.layout(kind, L=L, N=N, H_in=H_in)
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.texts if not t.get_text().startswith("x")}
    if kind == "unbatched":
        assert labels == {f"t{t}" for t in range(L)}  # indices 0..L-1, not steps 1..L
    else:
        assert labels == {f"n{n} t{t}" for n in range(N) for t in range(L)}
    assert "time index t" in ax.get_title()
    assert "time step t" not in ax.get_title()  # step t would be index t - 1
    plt.close(fig)


def test_reshape_vs_permute_titles_say_index_and_step():
    fig = plots.reshape_vs_permute(N=3, L=4)
    assert "row t = index t (step t+1)" in fig.axes[1].get_title()
    plt.close(fig)
