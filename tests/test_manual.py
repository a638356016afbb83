"""rnnlab.manual against PyTorch: the reference is nn.RNNCell / nn.RNN themselves."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnnlab import data, manual
from rnnlab.shapes import ShapeError

configs = st.fixed_dictionaries(
    {
        "input_size": st.integers(1, 5),
        "hidden_size": st.integers(1, 6),
        "num_layers": st.integers(1, 3),
        "bidirectional": st.booleans(),
        "batch_first": st.booleans(),
        "nonlinearity": st.sampled_from(["tanh", "relu"]),
        "bias": st.booleans(),
        "dtype": st.sampled_from([torch.float32, torch.float64]),
    }
)


def _tolerance(dtype):
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == torch.float32 else {"rtol": 1e-9, "atol": 1e-9}


@settings(max_examples=80, deadline=None)
@given(
    cfg=configs,
    L=st.integers(1, 6),
    N=st.integers(1, 4),
    batched=st.booleans(),
    with_h0=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_rnn_forward_equals_nn_rnn(cfg, L, N, batched, with_h0, seed):
    torch.manual_seed(seed)
    rnn = nn.RNN(**cfg).eval()
    D = 2 if cfg["bidirectional"] else 1
    dtype = cfg["dtype"]
    if batched:
        shape = (N, L, cfg["input_size"]) if cfg["batch_first"] else (L, N, cfg["input_size"])
        h_shape = (D * cfg["num_layers"], N, cfg["hidden_size"])
    else:
        shape, h_shape = (L, cfg["input_size"]), (D * cfg["num_layers"], cfg["hidden_size"])
    x = torch.randn(shape, dtype=dtype)
    h0 = torch.randn(h_shape, dtype=dtype) if with_h0 else None
    want_out, want_h = rnn(x, h0)
    got_out, got_h = manual.rnn_forward(rnn, x, h0)
    assert got_out.shape == want_out.shape
    assert got_h.shape == want_h.shape
    torch.testing.assert_close(got_out, want_out, **_tolerance(dtype))
    torch.testing.assert_close(got_h, want_h, **_tolerance(dtype))


@settings(max_examples=40, deadline=None)
@given(
    H_in=st.integers(1, 5),
    H=st.integers(1, 5),
    N=st.integers(1, 4),
    bias=st.booleans(),
    nonlinearity=st.sampled_from(["tanh", "relu"]),
    batched=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_rnn_cell_equals_nn_rnncell(H_in, H, N, bias, nonlinearity, batched, seed):
    torch.manual_seed(seed)
    cell = nn.RNNCell(H_in, H, bias=bias, nonlinearity=nonlinearity)
    x = torch.randn(N, H_in) if batched else torch.randn(H_in)
    h = torch.randn(N, H) if batched else torch.randn(H)
    got = manual.rnn_cell(
        x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh, nonlinearity
    )
    torch.testing.assert_close(got, cell(x, h))


def test_rnn_forward_never_calls_the_modules_forward(monkeypatch):
    rnn = nn.RNN(2, 3, num_layers=2, bidirectional=True)

    def forbidden(*args, **kwargs):
        raise AssertionError("rnn_forward must not call nn.RNN.forward")

    monkeypatch.setattr(nn.RNN, "forward", forbidden)
    output, h_n = manual.rnn_forward(rnn, torch.randn(4, 2, 2))
    assert output.shape == (4, 2, 6)
    assert h_n.shape == (4, 2, 3)


def test_gradients_flow_like_pytorchs():
    torch.manual_seed(0)
    rnn = nn.RNN(2, 3, num_layers=2)
    x = torch.randn(5, 2, 2)
    manual.rnn_forward(rnn, x)[0].sum().backward()
    manual_grads = [p.grad.clone() for p in rnn.parameters()]
    rnn.zero_grad()
    rnn(x)[0].sum().backward()
    for got, want in zip(manual_grads, [p.grad for p in rnn.parameters()]):
        torch.testing.assert_close(got, want)


@settings(max_examples=30, deadline=None)
@given(cfg=configs, seed=st.integers(0, 10_000))
def test_split_layers_rebuilds_the_stack(cfg, seed):
    torch.manual_seed(seed)
    rnn = nn.RNN(**cfg)
    D = 2 if cfg["bidirectional"] else 1
    shape = (2, 5, cfg["input_size"]) if cfg["batch_first"] else (5, 2, cfg["input_size"])
    x = torch.randn(shape, dtype=cfg["dtype"])
    layers = manual.split_layers(rnn)
    assert len(layers) == cfg["num_layers"]
    out, finals = x, []
    for layer in layers:
        assert layer.num_layers == 1
        assert layer.weight_ih_l0.dtype == cfg["dtype"]
        out, h = layer(out)
        finals.append(h)
    want_out, want_h = rnn(x)
    torch.testing.assert_close(out, want_out, **_tolerance(cfg["dtype"]))
    torch.testing.assert_close(torch.cat(finals), want_h, **_tolerance(cfg["dtype"]))
    assert torch.cat(finals).shape[0] == D * cfg["num_layers"]


def test_split_layers_copies_rather_than_shares():
    rnn = nn.RNN(2, 2, num_layers=2)
    layer0, _ = manual.split_layers(rnn)
    with torch.no_grad():
        layer0.weight_ih_l0.zero_()
    assert rnn.weight_ih_l0.abs().sum() > 0


@pytest.mark.parametrize("batch_first", [False, True])
def test_split_directions_rebuilds_a_bidirectional_rnn(batch_first):
    torch.manual_seed(1)
    rnn = nn.RNN(3, 4, bidirectional=True, batch_first=batch_first)
    forward, reverse = manual.split_directions(rnn)
    x = torch.randn(5, 2, 3)
    time = 1 if batch_first else 0
    out_f, h_f = forward(x)
    out_r, h_r = reverse(x.flip(time))
    out = torch.cat([out_f, out_r.flip(time)], dim=2)
    want_out, want_h = rnn(x)
    torch.testing.assert_close(out, want_out)
    torch.testing.assert_close(torch.cat([h_f, h_r]), want_h)


def test_seed_notebook_numbers_stacked_and_bidirectional():
    points, _ = data.generate_sequences(n=128, seed=13)
    x = data.to_tensors(points[:1])  # (1, 4, 2)
    torch.manual_seed(19)
    stacked = nn.RNN(2, 2, num_layers=2, batch_first=True)
    out, h_n = manual.rnn_forward(stacked, x)
    torch.testing.assert_close(out[0, 0], torch.tensor([-0.7533, -0.7711]), atol=5e-5, rtol=0)
    torch.testing.assert_close(
        h_n[:, 0], torch.tensor([[-0.5297, 0.3551], [0.1563, -0.5152]]), atol=5e-5, rtol=0
    )
    torch.manual_seed(19)
    bidirectional = nn.RNN(2, 2, bidirectional=True, batch_first=True)
    out, h_n = manual.rnn_forward(bidirectional, x)
    torch.testing.assert_close(
        out[0, 0], torch.tensor([0.3924, 0.8146, -0.9355, -0.8353]), atol=5e-5, rtol=0
    )
    torch.testing.assert_close(
        h_n[:, 0], torch.tensor([[-0.5297, 0.3551], [-0.9355, -0.8353]]), atol=5e-5, rtol=0
    )


def test_seed_notebook_rnncell_weights():
    torch.manual_seed(19)
    cell = nn.RNNCell(2, 2)
    torch.testing.assert_close(
        cell.weight_ih, torch.tensor([[0.6627, -0.4245], [0.5373, 0.2294]]), atol=5e-5, rtol=0
    )
    torch.testing.assert_close(cell.bias_hh, torch.tensor([-0.3565, -0.2904]), atol=5e-5, rtol=0)


def test_rnn_cell_errors_name_the_shapes():
    W_ih, W_hh = torch.zeros(3, 2), torch.zeros(3, 3)
    with pytest.raises(ShapeError, match=r"H_in = 2 features.*got x of shape \(4, 5\)"):
        manual.rnn_cell(torch.zeros(4, 5), torch.zeros(4, 3), W_ih, W_hh)
    with pytest.raises(ShapeError, match=r"h must have shape \(4, 3\)"):
        manual.rnn_cell(torch.zeros(4, 2), torch.zeros(1, 3), W_ih, W_hh)
    with pytest.raises(ShapeError, match=r"weight_hh must be \(H, H\) = \(3, 3\)"):
        manual.rnn_cell(torch.zeros(4, 2), torch.zeros(4, 3), W_ih, torch.zeros(3, 2))
    with pytest.raises(ShapeError, match="floating-point"):
        manual.rnn_cell(torch.zeros(4, 2, dtype=torch.long), torch.zeros(4, 3), W_ih, W_hh)
    with pytest.raises(ShapeError, match=r"bias_ih must have shape \(3,\)"):
        manual.rnn_cell(torch.zeros(2), torch.zeros(3), W_ih, W_hh, bias_ih=torch.zeros(2))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        manual.rnn_cell([1.0, 2.0], torch.zeros(3), W_ih, W_hh)
    with pytest.raises(ValueError, match="'tanh' or 'relu'"):
        manual.rnn_cell(torch.zeros(2), torch.zeros(3), W_ih, W_hh, nonlinearity="sigmoid")


def test_forward_and_split_errors_are_clear():
    with pytest.raises(TypeError, match="got GRU"):
        manual.rnn_forward(nn.GRU(2, 2), torch.zeros(3, 2))
    with pytest.raises(TypeError, match="the cell RNNCell"):
        manual.rnn_forward(nn.RNNCell(2, 2), torch.zeros(3, 2))
    with pytest.raises(ShapeError, match="1-D tensor"):
        manual.rnn_forward(nn.RNN(2, 2), torch.zeros(3))
    with pytest.raises(ValueError, match=r"rnn.eval\(\)"):
        manual.rnn_forward(nn.RNN(2, 2, num_layers=2, dropout=0.5), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="needs a bidirectional RNN"):
        manual.split_directions(nn.RNN(2, 2))
    with pytest.raises(ValueError, match="split_layers"):
        manual.split_directions(nn.RNN(2, 2, num_layers=2, bidirectional=True))
    with pytest.raises(TypeError, match="splits an nn.RNN"):
        manual.split_layers(nn.LSTM(2, 2))
