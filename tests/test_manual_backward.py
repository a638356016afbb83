"""rnnlab.manual.rnn_backward against autograd through nn.RNN itself, in float64."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from test_bad_input import _clear_or_fine, junk
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnnlab import manual
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
    }
)
TIGHT = {"rtol": 1e-10, "atol": 1e-10}


def _autograd(rnn, x, h0, grad_output, grad_h_n):
    """Autograd's gradients of sum(output * grad_output) + sum(h_n * grad_h_n)."""
    x = x.detach().requires_grad_()
    leaves = [x] + ([h0.detach().requires_grad_()] if h0 is not None else [])
    output, h_n = rnn(x, leaves[1] if h0 is not None else None)
    loss = (output * grad_output).sum() + (h_n * grad_h_n).sum()
    names = [name for name, _ in rnn.named_parameters()]
    grads = torch.autograd.grad(loss, leaves + list(rnn.parameters()))
    keys = ["x"] + (["h0"] if h0 is not None else []) + names
    return dict(zip(keys, grads)), output, h_n


@settings(max_examples=80, deadline=None)
@given(
    cfg=configs,
    L=st.integers(1, 6),
    N=st.integers(1, 4),
    batched=st.booleans(),
    with_h0=st.booleans(),
    use_output=st.booleans(),
    use_h_n=st.booleans(),
    seed=st.integers(0, 10_000),
)
def test_rnn_backward_equals_autograd(cfg, L, N, batched, with_h0, use_output, use_h_n, seed):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    rnn = nn.RNN(**cfg, dtype=torch.float64)
    D, H = 2 if cfg["bidirectional"] else 1, cfg["hidden_size"]
    if not batched:
        x = torch.randn(L, cfg["input_size"], generator=gen, dtype=torch.float64)
        state_shape = (D * cfg["num_layers"], H)
    else:
        shape = (N, L) if cfg["batch_first"] else (L, N)
        x = torch.randn(*shape, cfg["input_size"], generator=gen, dtype=torch.float64)
        state_shape = (D * cfg["num_layers"], N, H)
    h0 = torch.randn(state_shape, generator=gen, dtype=torch.float64) if with_h0 else None
    with torch.no_grad():
        output, h_n = rnn(x, h0)
    grad_output = torch.randn(output.shape, generator=gen, dtype=torch.float64)
    grad_h_n = torch.randn(h_n.shape, generator=gen, dtype=torch.float64)
    if not (use_output or use_h_n):
        use_output = True
    grad_output = grad_output if use_output else torch.zeros_like(output)
    grad_h_n = grad_h_n if use_h_n else torch.zeros_like(h_n)
    want, _, _ = _autograd(rnn, x, h0, grad_output, grad_h_n)
    got = manual.rnn_backward(
        rnn, x, h0, grad_output if use_output else None, grad_h_n if use_h_n else None
    )
    assert set(want) <= set(got)
    assert list(got)[2:] == [name for name, _ in rnn.named_parameters()]
    for name, value in want.items():
        assert got[name].shape == value.shape, name
        torch.testing.assert_close(got[name], value, **TIGHT, msg=name)
    assert got["h0"].shape == h_n.shape


@settings(max_examples=30, deadline=None)
@given(
    cfg=configs,
    lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    seed=st.integers(0, 10_000),
)
def test_rnn_backward_with_lengths_equals_autograd_through_a_packed_batch(cfg, lengths, seed):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    rnn = nn.RNN(**cfg, dtype=torch.float64)
    L, N = max(lengths), len(lengths)
    shape = (N, L) if cfg["batch_first"] else (L, N)
    x = torch.randn(*shape, cfg["input_size"], generator=gen, dtype=torch.float64)
    x_leaf = x.clone().requires_grad_()
    packed = pack_padded_sequence(
        x_leaf, lengths, batch_first=cfg["batch_first"], enforce_sorted=False
    )
    out_packed, h_n = rnn(packed)
    output, _ = pad_packed_sequence(out_packed, batch_first=cfg["batch_first"], total_length=L)
    grad_output = torch.randn(output.shape, generator=gen, dtype=torch.float64)
    grad_h_n = torch.randn(h_n.shape, generator=gen, dtype=torch.float64)
    loss = (output * grad_output).sum() + (h_n * grad_h_n).sum()
    want = torch.autograd.grad(loss, [x_leaf, *rnn.parameters()])
    got = manual.rnn_backward(rnn, x, None, grad_output, grad_h_n, lengths=lengths)
    names = ["x"] + [name for name, _ in rnn.named_parameters()]
    for name, value in zip(names, want):
        torch.testing.assert_close(got[name], value, **TIGHT, msg=name)


def test_rnn_backward_never_uses_autograd(monkeypatch):
    rnn = nn.RNN(2, 3, num_layers=2, bidirectional=True, dtype=torch.float64)
    x = torch.randn(4, 5, 2, dtype=torch.float64)

    def forbidden(*args, **kwargs):
        raise AssertionError("rnn_backward must not call autograd")

    monkeypatch.setattr(torch.autograd, "grad", forbidden)
    monkeypatch.setattr(torch.Tensor, "backward", forbidden)
    monkeypatch.setattr(nn.RNN, "forward", forbidden)
    grads = manual.rnn_backward(rnn, x, grad_output=torch.ones(4, 5, 6, dtype=torch.float64))
    assert grads["x"].shape == (4, 5, 2)
    assert grads["h0"].shape == (4, 5, 3)
    assert grads["weight_ih_l1_reverse"].shape == (3, 6)


def test_rnn_backward_float32_is_close_too():
    torch.manual_seed(3)
    rnn = nn.RNN(3, 4, num_layers=2)
    x = torch.randn(6, 2, 3)
    want, _, _ = _autograd(rnn, x, None, torch.ones(6, 2, 4), torch.zeros(2, 2, 4))
    got = manual.rnn_backward(rnn, x, grad_output=torch.ones(6, 2, 4))
    for name, value in want.items():
        torch.testing.assert_close(got[name], value)


def test_the_forum_cell_passes_no_gradient():
    # The saturated one-unit cell: weight_ih=2, weight_hh=3, bias_ih=4, bias_hh=5, inputs 1..9.
    rnn = nn.RNN(1, 1)
    with torch.no_grad():
        for name, value in (("weight_ih", 2.0), ("weight_hh", 3.0), ("bias_ih", 4.0)):
            getattr(rnn, name + "_l0").fill_(value)
        rnn.bias_hh_l0.fill_(5.0)
    x = torch.arange(1.0, 10.0).reshape(9, 1, 1)  # (L, N, H_in)
    grads = manual.rnn_backward(rnn, x, grad_h_n=torch.ones(1, 1, 1))
    assert grads["h0"].item() == 0.0
    assert grads["weight_hh_l0"].item() == 0.0


def _rnn(**kwargs):
    torch.manual_seed(0)
    return nn.RNN(2, 3, **kwargs)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: manual.rnn_backward(nn.GRU(2, 3), torch.zeros(4, 2)), TypeError, "nn.RNN"),
        (lambda: manual.rnn_backward(_rnn(), torch.zeros(4, 2)), ValueError, "grad_output"),
        (
            lambda: manual.rnn_backward(_rnn(), torch.zeros(4, 2), grad_output=torch.ones(4, 2)),
            ShapeError,
            r"shape of the result it belongs to, \(4, 3\); got \(4, 2\)",
        ),
        (
            lambda: manual.rnn_backward(_rnn(), torch.zeros(4, 5, 2), grad_h_n=torch.ones(5, 3)),
            ShapeError,
            r"\(1, 5, 3\)",
        ),
        (
            lambda: manual.rnn_backward(_rnn(), torch.zeros(4, 2), grad_output=[1.0]),
            TypeError,
            "grad_output must be a torch.Tensor",
        ),
        (
            lambda: manual.rnn_backward(
                _rnn(), torch.zeros(4, 2), grad_output=torch.ones(4, 3, dtype=torch.float64)
            ),
            ShapeError,
            r"x's dtype torch.float32",
        ),
        (
            lambda: manual.rnn_backward(
                _rnn(), torch.zeros(4, 2, dtype=torch.long), grad_output=torch.ones(4, 3)
            ),
            ShapeError,
            "float",
        ),
        (
            lambda: manual.rnn_backward(
                _rnn(num_layers=2, dropout=0.5), torch.zeros(4, 2), grad_output=torch.ones(4, 3)
            ),
            ValueError,
            r"\.eval\(\)",
        ),
        (
            lambda: manual.rnn_backward(
                _rnn(), torch.zeros(4, 2), grad_output=torch.ones(4, 3), lengths=[2]
            ),
            ShapeError,
            "lengths go with a batch",
        ),
        (
            lambda: manual.rnn_backward(
                _rnn(), torch.zeros(4, 2, 2), grad_output=torch.ones(4, 2, 3), lengths=[2, 7]
            ),
            ShapeError,
            "between 1 and L = 4",
        ),
        (
            lambda: manual.rnn_backward(
                _rnn(),
                pack_padded_sequence(torch.zeros(4, 2, 2), [4, 2]),
                grad_output=torch.ones(4, 2, 3),
            ),
            TypeError,
            "pad_packed_sequence",
        ),
    ],
)
def test_rnn_backward_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


@settings(max_examples=40, deadline=None)
@given(value=st.data(), position=st.integers(0, 5))
def test_rnn_backward_junk_gets_a_clear_error_or_works(value, position):
    rnn = _rnn(bidirectional=True)
    args = [rnn, torch.zeros(4, 2, 2), None, torch.ones(4, 2, 6), torch.ones(2, 2, 3), None]
    args[position] = value.draw(junk)
    _clear_or_fine(lambda: manual.rnn_backward(*args))
