"""The unrolled-cell figure of chapters 01 and 02."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from rnnlab import plots  # noqa: E402


@pytest.mark.parametrize("L", [1, 4, 8, np.int64(3)])
def test_unrolled_cell_draws_one_box_per_step_and_h0(L):
    fig = plots.unrolled_cell(L=L)
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if isinstance(p, Rectangle)]
    texts = [t.get_text() for t in ax.texts]
    assert len(boxes) == L
    assert texts.count("cell") == L
    assert any("h0" in t for t in texts)
    assert [t for t in texts if t.startswith("$x_")] == [f"$x_{t}$" for t in range(1, L + 1)]
    assert not any("h_n" in t or "output" in t or "layer" in t for t in texts)
    plt.close(fig)


def test_unrolled_cell_with_outputs_names_where_nn_rnn_returns_each_state():
    fig = plots.unrolled_cell(L=3, show_outputs=True)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert [t for t in texts if t.startswith("output[")] == [
        "output[0]",
        "output[1]",
        "output[2]\n= h_n[0]",
    ]
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"L": 0}, "L must"),
        ({"L": 9}, "L must"),
        ({"L": 2.0}, "L must"),
        ({"L": True}, "L must"),
        ({"show_outputs": "yes"}, "show_outputs"),
    ],
)
def test_unrolled_cell_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plots.unrolled_cell(**kwargs)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    L=st.one_of(st.none(), st.integers(-3, 12), st.floats(allow_nan=True), st.text(max_size=2)),
    show_outputs=st.one_of(st.booleans(), st.none(), st.integers(0, 1)),
)
def test_unrolled_cell_draws_or_explains(L, show_outputs):
    valid = (isinstance(L, int) and not isinstance(L, bool) and 1 <= L <= 8) and isinstance(
        show_outputs, bool
    )
    if not valid:
        with pytest.raises(ValueError, match="must"):
            plots.unrolled_cell(L=L, show_outputs=show_outputs)
        return
    fig = plots.unrolled_cell(L=L, show_outputs=show_outputs)
    assert len([p for p in fig.axes[0].patches if isinstance(p, Rectangle)]) == L
    plt.close(fig)
