"""plots.stacked_unrolled and plots.bidirectional_unrolled (chapters 04 and 05): every box, every
label where the text says it is, clear errors for bad sizes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rnnlab import plots  # noqa: E402


def _texts(ax):
    return {t.get_text(): t for t in ax.texts}


def _boxes(ax):
    return [p for p in ax.patches if type(p).__name__ == "Rectangle"]


@pytest.mark.parametrize(("L", "num_layers"), [(3, 2), (5, 3), (1, 1)])
def test_stacked_unrolled_labels_h0_h_n_and_output(L, num_layers):
    fig = plots.stacked_unrolled(L=L, num_layers=num_layers)
    ax = fig.axes[0]
    texts = _texts(ax)
    assert len(_boxes(ax)) == L * num_layers
    for k in range(num_layers):
        # h0[k] on the left of row k, h_n[k] on its right, at the same height
        assert texts[f"h0[{k}]"].get_position()[0] < 0 < texts[f"h_n[{k}]"].get_position()[0]
        assert texts[f"h0[{k}]"].get_position()[1] == texts[f"h_n[{k}]"].get_position()[1]
    outputs = [texts[f"output[:, {t}]"] for t in range(L)]
    inputs = [texts[f"$x_{t + 1}$ = x[:, {t}]"] for t in range(L)]  # steps 1..L, index t
    assert {f"layer {k}\nstep {t}" for k in range(num_layers) for t in range(1, L + 1)} <= set(
        texts
    )
    assert not [text for text in texts if "t=0" in text or "step 0" in text]
    assert (
        min(o.get_position()[1] for o in outputs)
        > texts[f"h_n[{num_layers - 1}]"].get_position()[1]
    )
    assert all(i.get_position()[1] < texts["h_n[0]"].get_position()[1] for i in inputs)
    plt.close(fig)


def test_bidirectional_unrolled_feeds_both_chains_and_ends_reverse_on_the_left():
    L = 4
    fig = plots.bidirectional_unrolled(L=L)
    ax = fig.axes[0]
    texts = _texts(ax)
    assert len(_boxes(ax)) == 2 * L
    x_fwd_end = texts["h_n[0]"].get_position()[0]
    x_rev_end = texts["h_n[1]"].get_position()[0]
    assert x_rev_end < 0 < x_fwd_end  # h_n[1] at the LEFT end, h_n[0] at the right end
    assert texts["h0[0]"].get_position()[0] < 0 < texts["h0[1]"].get_position()[0]
    arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    # per step: x -> forward, x -> reverse, two into output; L-1 links per chain; 4 end arrows
    assert len(arrows) == 4 * L + 2 * (L - 1) + 4
    assert {f"output[:, {t}]" for t in range(L)} <= set(texts)
    # steps numbered 1..L as in the prose; the code labels give the 0-based index t - 1
    assert {f"$x_{t}$ = x[:, {t - 1}]" for t in range(1, L + 1)} <= set(texts)
    assert {f"{d}\nstep {t}" for d in ("forward", "reverse") for t in range(1, L + 1)} <= set(texts)
    assert not [text for text in texts if "t=0" in text or "step 0" in text]
    plt.close(fig)


def test_new_figures_reject_bad_sizes_and_draw_into_an_axes():
    with pytest.raises(ValueError, match="L must be a whole number from 1 to 8"):
        plots.stacked_unrolled(L=0)
    with pytest.raises(ValueError, match="num_layers must be a whole number from 1 to 4"):
        plots.stacked_unrolled(L=3, num_layers=True)
    with pytest.raises(ValueError, match="L must be a whole number from 1 to 8"):
        plots.bidirectional_unrolled(L=2.5)
    fig, ax = plt.subplots()
    assert plots.bidirectional_unrolled(L=2, ax=ax) is fig
    assert plots.stacked_unrolled(L=2, ax=ax) is fig
    assert {"stacked_unrolled", "bidirectional_unrolled"} <= set(plots.__all__)
    plt.close(fig)
