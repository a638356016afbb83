"""rnnlab.profile: operator counts are exact, repeatable and silent; and chapter 12's figure."""

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from rnnlab import plots, profile  # noqa: E402


def test_counts_a_matrix_product_after_decomposition():
    x, w = torch.randn(7, 3, 2), torch.randn(5, 2)  # (L, N, H_in), (H, H_in)
    counts = profile.count_operators(lambda: x @ w.T)
    assert counts["mm"] == 1
    assert "matmul" not in counts
    assert profile.matrix_products(counts) == 1
    assert profile.summary({"tanh": 2, "addmm": 3}) == "addmm x3, tanh x2"


def test_count_with_warnings_returns_the_count_and_only_user_warnings():
    import warnings

    def warns(x):
        warnings.warn("first", UserWarning, stacklevel=2)
        warnings.warn("not a user warning", DeprecationWarning, stacklevel=2)
        warnings.warn("first", UserWarning, stacklevel=2)  # shown again: the filter is "always"
        return torch.tanh(x)

    x = torch.randn(3, 2)
    counts, messages = profile.count_with_warnings(warns, x)
    assert counts == profile.count_operators(torch.tanh, x) == {"tanh": 1}
    assert messages == ["first", "first"]
    assert profile.count_with_warnings(torch.tanh, x)[1] == []
    with pytest.raises(TypeError, match="expects a function"):
        profile.count_with_warnings(None)


def test_nn_rnn_is_a_loop_and_the_counts_repeat():
    rnn = nn.RNN(2, 4, num_layers=3)  # num_layers = 3, H_in = 2, H = 4
    x = torch.randn(6, 5, 2)  # (L, N, H_in)
    with torch.no_grad():
        first = profile.count_operators(rnn, x)
        second = profile.count_operators(rnn, x)
    assert first == second
    assert first["addmm"] == 3 * (6 + 1)
    assert first["tanh"] == 3 * 6


@pytest.mark.skipif(not torch.backends.mkldnn.is_available(), reason="needs oneDNN")
def test_nn_lstm_is_one_call():
    lstm = nn.LSTM(2, 4)
    with torch.no_grad():
        counts = profile.count_operators(lstm, torch.randn(6, 5, 2))
    assert counts["mkldnn_rnn_layer"] == 1
    assert profile.matrix_products(counts) == 0


def test_output_shapes_tell_the_input_projection_from_the_steps():
    rnn = nn.RNN(2, 4)  # H_in = 2, H = 4
    with torch.no_grad():
        shapes = profile.output_shapes("addmm", rnn, torch.randn(6, 5, 2))  # (L, N, H_in)
    assert shapes == [(6 * 5, 4)] + [(5, 4)] * 6
    with pytest.raises(TypeError, match="operator name"):
        profile.output_shapes(rnn, "addmm")
    with pytest.raises(TypeError, match="function to run"):
        profile.output_shapes("addmm", None)


def test_counting_prints_nothing(capfd):
    with torch.no_grad():
        profile.count_operators(nn.LSTM(3, 2), torch.randn(4, 5, 3))
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""


def test_operators_inside_sees_inside_a_kernel_and_prints_nothing(capfd):
    a, b = torch.randn(3, 4), torch.randn(3, 4)  # two (3, 4) tensors
    inside = profile.operators_inside(torch.stack, [a, b])
    assert ("aten::stack", "-") in inside  # called directly
    assert ("aten::cat", "aten::stack") in inside  # what the count of stack does not see
    assert ("aten::cat", "-") not in inside
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    with pytest.raises(ZeroDivisionError):
        profile.operators_inside(lambda: 1 / 0)
    os.write(2, b"back\n")
    assert capfd.readouterr().err == "back\n"  # the error output restored after an error
    with pytest.raises(TypeError, match="expects a function to run"):
        profile.operators_inside("stack")


def test_errors_pass_through_and_the_mode_ends():
    with pytest.raises(ZeroDivisionError):
        profile.count_operators(lambda: 1 / 0)
    a = torch.ones(2, requires_grad=True)
    assert (a * 2).grad_fn is not None
    assert profile.count_operators(torch.tanh, a)["tanh"] == 1


def test_bad_input_is_refused_clearly():
    with pytest.raises(TypeError, match="expects a function to run"):
        profile.count_operators("rnn")
    with pytest.raises(TypeError, match="Counter returned by count_operators"):
        profile.matrix_products(51)
    with pytest.raises(TypeError, match="Counter returned by count_operators"):
        profile.summary(["addmm"])


def test_timing_spread_draws_one_row_per_program():
    fig = plots.timing_spread({"loop": [3e-4, 3.2e-4, 3.1e-4], "nn.RNN": [1e-4, 1.1e-4]})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["nn.RNN", "loop"]
    assert [t.get_text() for t in ax.texts] == ["2 blocks", "3 blocks"]
    plt.close(fig)


@pytest.mark.parametrize("runs", [{}, {"a": []}, {"a": [0.0]}, {"a": ["x"]}, [1e-3]])
def test_timing_spread_refuses_bad_input(runs):
    with pytest.raises(ValueError, match="timing_spread|seconds"):
        plots.timing_spread(runs)
