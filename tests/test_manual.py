"""rnnlab.manual against PyTorch: the reference is nn.RNNCell / nn.RNN themselves."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

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


def _random_input(cfg, L, N, batched, dtype, H_in):
    if not batched:
        return torch.randn(L, H_in, dtype=dtype)
    shape = (N, L, H_in) if cfg["batch_first"] else (L, N, H_in)
    return torch.randn(shape, dtype=dtype)


def _state(layers, N, size, batched, dtype):
    return torch.randn((layers, N, size) if batched else (layers, size), dtype=dtype)


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
    x = _random_input(cfg, L, N, batched, dtype, cfg["input_size"])
    h0 = _state(D * cfg["num_layers"], N, cfg["hidden_size"], batched, dtype) if with_h0 else None
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
    with pytest.raises(ValueError, match=r"call \.eval\(\)"):
        manual.rnn_forward(nn.RNN(2, 2, num_layers=2, dropout=0.5), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="needs a bidirectional RNN"):
        manual.split_directions(nn.RNN(2, 2))
    with pytest.raises(ValueError, match="split_layers"):
        manual.split_directions(nn.RNN(2, 2, num_layers=2, bidirectional=True))
    with pytest.raises(TypeError, match="splits an nn.RNN"):
        manual.split_layers(nn.LSTM(2, 2))


@settings(max_examples=60, deadline=None)
@given(
    cfg=configs,
    L=st.integers(1, 5),
    N=st.integers(1, 3),
    batched=st.booleans(),
    with_h0=st.booleans(),
    dropout=st.sampled_from([0.0, 0.5]),
    seed=st.integers(0, 10_000),
)
def test_gru_forward_equals_nn_gru(cfg, L, N, batched, with_h0, dropout, seed):
    torch.manual_seed(seed)
    cfg = {k: v for k, v in cfg.items() if k != "nonlinearity"}
    gru = nn.GRU(**cfg, dropout=dropout).eval()  # eval: dropout between layers is off
    D = 2 if cfg["bidirectional"] else 1
    x = _random_input(cfg, L, N, batched, cfg["dtype"], cfg["input_size"])
    h0 = (
        _state(D * cfg["num_layers"], N, cfg["hidden_size"], batched, cfg["dtype"])
        if with_h0
        else None
    )
    want_out, want_h = gru(x, h0)
    got_out, got_h = manual.gru_forward(gru, x, h0)
    torch.testing.assert_close(got_out, want_out, **_tolerance(cfg["dtype"]))
    torch.testing.assert_close(got_h, want_h, **_tolerance(cfg["dtype"]))


@settings(max_examples=60, deadline=None)
@given(
    cfg=configs,
    proj=st.integers(0, 3),
    L=st.integers(1, 5),
    N=st.integers(1, 3),
    batched=st.booleans(),
    with_hx=st.booleans(),
    dropout=st.sampled_from([0.0, 0.5]),
    seed=st.integers(0, 10_000),
)
def test_lstm_forward_equals_nn_lstm(cfg, proj, L, N, batched, with_hx, dropout, seed):
    torch.manual_seed(seed)
    cfg = {k: v for k, v in cfg.items() if k != "nonlinearity"}
    proj = proj if proj < cfg["hidden_size"] else 0  # proj_size must be below hidden_size
    lstm = nn.LSTM(**cfg, proj_size=proj, dropout=dropout).eval()  # eval: no dropout
    D = 2 if cfg["bidirectional"] else 1
    layers, H = D * cfg["num_layers"], cfg["hidden_size"]
    x = _random_input(cfg, L, N, batched, cfg["dtype"], cfg["input_size"])
    hx = None
    if with_hx:
        hx = (
            _state(layers, N, proj or H, batched, cfg["dtype"]),
            _state(layers, N, H, batched, cfg["dtype"]),
        )
    want_out, (want_h, want_c) = lstm(x, hx)
    got_out, (got_h, got_c) = manual.lstm_forward(lstm, x, hx)
    assert got_out.shape == want_out.shape
    torch.testing.assert_close(got_out, want_out, **_tolerance(cfg["dtype"]))
    torch.testing.assert_close(got_h, want_h, **_tolerance(cfg["dtype"]))
    torch.testing.assert_close(got_c, want_c, **_tolerance(cfg["dtype"]))


@pytest.mark.parametrize("module", [nn.GRU, nn.LSTM])
def test_gru_and_lstm_with_dropout_in_training_mode_are_refused(module):
    rnn = module(2, 3, num_layers=2, dropout=0.5)  # a new module is in training mode
    forward = manual.gru_forward if module is nn.GRU else manual.lstm_forward
    x = torch.randn(4, 2)  # (L, H_in), unbatched
    with pytest.raises(ValueError, match=r"call \.eval\(\)"):
        forward(rnn, x)
    out, _ = forward(rnn.eval(), x)  # the same module in eval mode is rebuilt
    torch.testing.assert_close(out, rnn(x)[0])


FORWARDS = {nn.RNN: manual.rnn_forward, nn.GRU: manual.gru_forward, nn.LSTM: manual.lstm_forward}


@settings(max_examples=60, deadline=None)
@given(
    module=st.sampled_from(list(FORWARDS)),
    cfg=configs,
    lengths=st.lists(st.integers(1, 6), min_size=1, max_size=5),
    enforce_sorted=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_packed_and_lengths_equal_pytorch(module, cfg, lengths, enforce_sorted, seed):
    torch.manual_seed(seed)
    kwargs = {k: v for k, v in cfg.items() if module is nn.RNN or k != "nonlinearity"}
    net = module(**kwargs).eval()
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    L, N = max(lengths), len(lengths)
    x = _random_input(cfg, L, N, True, cfg["dtype"], cfg["input_size"])
    packed = pack_padded_sequence(
        x, torch.tensor(lengths), batch_first=cfg["batch_first"], enforce_sorted=enforce_sorted
    )
    want_packed, want_state = net(packed)
    got_packed, got_state = FORWARDS[module](net, packed)
    tol = _tolerance(cfg["dtype"])
    torch.testing.assert_close(got_packed.data, want_packed.data, **tol)
    assert torch.equal(got_packed.batch_sizes, want_packed.batch_sizes)
    want_states = want_state if module is nn.LSTM else (want_state,)
    got_states = got_state if module is nn.LSTM else (got_state,)
    for got, want in zip(got_states, want_states):
        torch.testing.assert_close(got, want, **tol)
    # the same with a padded tensor and lengths: zeros after each sequence's end
    got_out, got_state = FORWARDS[module](net, x, None, lengths)
    want_out, _ = pad_packed_sequence(want_packed, batch_first=cfg["batch_first"])
    torch.testing.assert_close(got_out, want_out, **tol)
    got_states = got_state if module is nn.LSTM else (got_state,)
    for got, want in zip(got_states, want_states):
        torch.testing.assert_close(got, want, **tol)


def test_lengths_errors_are_clear():
    rnn = nn.RNN(2, 3)
    x = torch.zeros(4, 2, 2)  # (L, N, H_in)
    with pytest.raises(ShapeError, match=r"one length per sequence: shape \(2,\)"):
        manual.rnn_forward(rnn, x, lengths=[4, 3, 2])
    with pytest.raises(ShapeError, match="between 1 and L = 4"):
        manual.rnn_forward(rnn, x, lengths=[5, 1])
    with pytest.raises(ShapeError, match="whole numbers"):
        manual.rnn_forward(rnn, x, lengths=torch.tensor([2.0, 1.0]))
    with pytest.raises(ShapeError, match="lengths go with a batch"):
        manual.rnn_forward(rnn, torch.zeros(4, 2), lengths=[4])
    packed = pack_padded_sequence(x, torch.tensor([4, 2]))
    with pytest.raises(ValueError, match="not both"):
        manual.rnn_forward(rnn, packed, lengths=[4, 2])
    with pytest.raises(TypeError, match="gru_forward rebuilds nn.GRU"):
        manual.gru_forward(rnn, x)
    with pytest.raises(TypeError, match="lstm_forward rebuilds nn.LSTM"):
        manual.lstm_forward(nn.GRU(2, 3), x)
