"""Recurrent layers rebuilt from tensor operations and their own parameters.

These are the references the notebooks compare against: ``rnn_cell`` is the equation of
``nn.RNNCell``; ``rnn_forward(rnn, x, h0)`` computes what ``rnn(x, h0)`` returns for every
configuration of ``nn.RNN`` (layers, directions, batch_first, tanh or relu, with or without bias,
batched or unbatched, float32 or float64) without ever calling the module's forward.
``split_layers`` and ``split_directions`` do the state-dict surgery of the stacked and
bidirectional chapters: they copy weights by key, asserting every shape.

Reference: the equations in PyTorch's ``torch.nn.RNN`` documentation,
h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh), and nanoGPT's ``from_pretrained`` for
copying weights by key.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import re

import torch
from torch import nn

from rnnlab.shapes import ShapeError, check_inputs, check_module

__all__ = ["rnn_cell", "rnn_forward", "split_directions", "split_layers"]

_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}


def _activation(nonlinearity: str):
    if nonlinearity not in _ACTIVATIONS:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return _ACTIVATIONS[nonlinearity]


def _require_tensor(name: str, value, dims: tuple[int, ...], shape_names: str) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor of shape {shape_names}, got {type(value).__name__}"
        )
    if value.dim() not in dims:
        raise ShapeError(
            f"{name} must have shape {shape_names}, got the {value.dim()}-D shape "
            f"{tuple(value.shape)}"
        )
    if not value.is_floating_point():
        raise ShapeError(
            f"{name} must hold floating-point numbers, got {value.dtype}; "
            f"convert it with {name}.float()"
        )
    return value


def rnn_cell(x, h, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    Shapes:
        x: (N, H_in) or (H_in,); h: (N, H) or (H,);
        weight_ih: (H, H_in); weight_hh: (H, H); bias_ih, bias_hh: (H,) or None.
        returns h': (N, H), or (H,) for unbatched x.

    Raises:
        TypeError: an argument is not a tensor. ShapeError: shapes or dtypes disagree.
        ValueError: nonlinearity is not 'tanh' or 'relu'.

    Used in: 01_rnn_cell, 02_nn_rnn.
    """
    act = _activation(nonlinearity)
    x = _require_tensor("x", x, (1, 2), "(N, H_in) or (H_in,)")
    h = _require_tensor("h", h, (1, 2), "(N, H) or (H,)")
    weight_ih = _require_tensor("weight_ih", weight_ih, (2,), "(H, H_in)")
    weight_hh = _require_tensor("weight_hh", weight_hh, (2,), "(H, H)")
    H, H_in = weight_ih.shape
    if tuple(weight_hh.shape) != (H, H):
        raise ShapeError(
            f"weight_hh must be (H, H) = ({H}, {H}) to match weight_ih's "
            f"(H, H_in) = {tuple(weight_ih.shape)}; got {tuple(weight_hh.shape)}"
        )
    if x.shape[-1] != H_in:
        raise ShapeError(
            f"x must have H_in = {H_in} features in its last dimension (weight_ih "
            f"is (H, H_in) = {tuple(weight_ih.shape)}); got x of shape "
            f"{tuple(x.shape)}"
        )
    if h.shape[-1] != H or h.dim() != x.dim() or (x.dim() == 2 and h.shape[0] != x.shape[0]):
        want = f"({x.shape[0]}, {H})" if x.dim() == 2 else f"({H},)"
        raise ShapeError(
            f"h must have shape {want} to go with x of shape {tuple(x.shape)}; got {tuple(h.shape)}"
        )
    for name, bias in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if bias is not None:
            _require_tensor(name, bias, (1,), f"({H},)")
            if bias.shape[0] != H:
                raise ShapeError(f"{name} must have shape ({H},), got {tuple(bias.shape)}")
    dtypes = {t.dtype for t in (x, h, weight_ih, weight_hh, bias_ih, bias_hh) if t is not None}
    if len(dtypes) > 1:
        raise ShapeError(f"all tensors must share one dtype, got {sorted(map(str, dtypes))}")

    pre = x @ weight_ih.T + h @ weight_hh.T  # (N, H_in) @ (H_in, H) + (N, H) @ (H, H) -> (N, H)
    if bias_ih is not None:
        pre = pre + bias_ih
    if bias_hh is not None:
        pre = pre + bias_hh
    return act(pre)


def _param(rnn: nn.RNNBase, name: str) -> torch.Tensor | None:
    return getattr(rnn, name, None) if rnn.bias or not name.startswith("bias") else None


def _run_direction(x_proj, h, weight_hh, bias_hh, act, reverse: bool):
    """Recur over time. x_proj (L, N, H) holds x_t W_ih^T + b_ih for every t; h is (N, H)."""
    steps = range(x_proj.shape[0] - 1, -1, -1) if reverse else range(x_proj.shape[0])
    outputs = [None] * x_proj.shape[0]
    for t in steps:
        pre = x_proj[t] + h @ weight_hh.T  # (N, H) + (N, H) @ (H, H) -> (N, H)
        if bias_hh is not None:
            pre = pre + bias_hh
        h = act(pre)
        outputs[t] = h
    return torch.stack(outputs), h  # (L, N, H), (N, H)


def rnn_forward(rnn: nn.RNN, x: torch.Tensor, h0: torch.Tensor | None = None):
    """What ``rnn(x, h0)`` returns, computed step by step from the module's parameters.

    Each layer projects every time step's input in one matrix product, then recurs over time,
    once forwards and, when bidirectional, once backwards; the next layer reads the concatenation
    of both directions. h_n stacks the final state of every layer and direction in the order
    layer 0 forward, layer 0 reverse, layer 1 forward, ...

    Shapes:
        x: (L, N, H_in), (N, L, H_in) with batch_first=True, or (L, H_in) unbatched.
        h0: (D*num_layers, N, H), or (D*num_layers, H) unbatched; None means zeros.
        returns output (L, N, D*H) [(N, L, D*H) batch-first, (L, D*H) unbatched] and
        h_n (D*num_layers, N, H) [(D*num_layers, H) unbatched].

    Raises:
        TypeError: ``rnn`` is not an ``nn.RNN``.
        ShapeError: x or h0 does not fit (see ``rnnlab.shapes.check_inputs``).
        ValueError: dropout between layers is active (call ``rnn.eval()`` first).

    Used in: 02_nn_rnn, 05_bidirectional.
    """
    if not isinstance(check_module(rnn), nn.RNN):
        raise TypeError(f"rnn_forward rebuilds nn.RNN; got {type(rnn).__name__}")
    if rnn.dropout and rnn.training and rnn.num_layers > 1:
        raise ValueError(
            f"this RNN applies dropout={rnn.dropout} between layers in training mode, which is "
            "random; call rnn.eval() (or build it with dropout=0) to compare with it"
        )
    d = check_inputs(rnn, x, h0)
    act = _activation(rnn.nonlinearity)
    if not d.batched:
        x = x.unsqueeze(1)  # (L, H_in) -> (L, 1, H_in)
        h0 = None if h0 is None else h0.unsqueeze(1)  # (D*num_layers, H) -> (D*num_layers, 1, H)
    elif d.batch_first:
        x = x.transpose(0, 1)  # (N, L, H_in) -> (L, N, H_in)
    if h0 is None:
        h0 = x.new_zeros(d.D * d.num_layers, d.N, d.H)  # (D*num_layers, N, H)

    layer_input, finals = x, []
    for layer in range(d.num_layers):
        outputs = []
        for direction in range(d.D):
            suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
            weight_ih = getattr(rnn, "weight_ih" + suffix)
            x_proj = layer_input @ weight_ih.T  # (L, N, H_in or D*H) @ (.., H) -> (L, N, H)
            bias_ih = _param(rnn, "bias_ih" + suffix)
            if bias_ih is not None:
                x_proj = x_proj + bias_ih
            out, h_last = _run_direction(
                x_proj,
                h0[d.D * layer + direction],
                getattr(rnn, "weight_hh" + suffix),
                _param(rnn, "bias_hh" + suffix),
                act,
                reverse=direction == 1,
            )
            outputs.append(out)
            finals.append(h_last)
        layer_input = torch.cat(outputs, dim=2)  # D x (L, N, H) -> (L, N, D*H)

    output, h_n = layer_input, torch.stack(finals)  # (L, N, D*H), (D*num_layers, N, H)
    if not d.batched:
        return output.squeeze(1), h_n.squeeze(1)  # (L, D*H), (D*num_layers, H)
    if d.batch_first:
        output = output.transpose(0, 1)  # (L, N, D*H) -> (N, L, D*H)
    return output, h_n


def _copy_by_key(source: dict, target: nn.Module, rename: dict[str, str]) -> None:
    """Copy ``source[old]`` into ``target``'s parameter ``new`` for each old -> new, shapes
    asserted, under no_grad (nanoGPT's from_pretrained does the same)."""
    target_state = target.state_dict()
    assert set(rename.values()) == set(target_state), (
        f"keys {sorted(rename.values())} do not cover {sorted(target_state)}"
    )
    with torch.no_grad():
        for old, new in rename.items():
            assert source[old].shape == target_state[new].shape, (
                f"{old} {tuple(source[old].shape)} does not fit {new} "
                f"{tuple(target_state[new].shape)}"
            )
            target_state[new].copy_(source[old])


def _like(rnn: nn.RNN, input_size: int, bidirectional: bool) -> nn.RNN:
    """A one-layer RNN configured like ``rnn`` (its weights are overwritten by the caller)."""
    w = rnn.weight_ih_l0
    return nn.RNN(
        input_size,
        rnn.hidden_size,
        num_layers=1,
        nonlinearity=rnn.nonlinearity,
        bias=rnn.bias,
        batch_first=rnn.batch_first,
        bidirectional=bidirectional,
        device=w.device,
        dtype=w.dtype,
    )


def split_layers(rnn: nn.RNN) -> list[nn.RNN]:
    """One single-layer ``nn.RNN`` per layer of ``rnn``, carrying copies of that layer's weights.

    Layer k's keys ``weight_ih_l{k}``, ... become ``weight_ih_l0``, ... of a new one-layer RNN
    (with ``_reverse`` kept for bidirectional RNNs). Feeding each layer's output to the next
    reproduces ``rnn``: the output is the last layer's, h_n stacks every layer's h_n.

    Shapes: layer 0 takes H_in features, every later layer D*H.

    Raises:
        TypeError: ``rnn`` is not an ``nn.RNN``.

    Used in: 04_stacked.
    """
    if not isinstance(check_module(rnn), nn.RNN):
        raise TypeError(f"split_layers splits an nn.RNN; got {type(rnn).__name__}")
    D = 2 if rnn.bidirectional else 1
    state, layers = rnn.state_dict(), []
    for k in range(rnn.num_layers):
        layer = _like(rnn, rnn.input_size if k == 0 else D * rnn.hidden_size, rnn.bidirectional)
        rename = {
            key: re.sub(r"_l\d+", "_l0", key)
            for key in state
            if re.search(rf"_l{k}(_reverse)?$", key)
        }
        _copy_by_key(state, layer, rename)
        layers.append(layer)
    return layers


def split_directions(rnn: nn.RNN) -> tuple[nn.RNN, nn.RNN]:
    """The forward and the reverse direction of a one-layer bidirectional ``nn.RNN``, as two
    one-direction RNNs (keys ``..._l0_reverse`` become ``..._l0`` of the reverse one).

    Run ``forward`` on x and ``reverse`` on x flipped in time, flip the reverse output back, and
    concatenate on the feature dimension: that is ``rnn(x)``'s output.

    Shapes: each returned RNN maps (.., H_in) to (.., H); together (.., 2*H).

    Raises:
        TypeError: ``rnn`` is not an ``nn.RNN``.
        ValueError: ``rnn`` is not bidirectional, or has more than one layer (split_layers first).

    Used in: 05_bidirectional.
    """
    if not isinstance(check_module(rnn), nn.RNN):
        raise TypeError(f"split_directions splits an nn.RNN; got {type(rnn).__name__}")
    if not rnn.bidirectional:
        raise ValueError(
            "split_directions needs a bidirectional RNN (bidirectional=True); "
            "this one has a single direction already"
        )
    if rnn.num_layers != 1:
        raise ValueError(
            f"split_directions takes a one-layer RNN; this one has "
            f"num_layers={rnn.num_layers}: call split_layers(rnn) first and split "
            "each layer"
        )
    state = rnn.state_dict()
    forward, reverse = _like(rnn, rnn.input_size, False), _like(rnn, rnn.input_size, False)
    _copy_by_key(state, forward, {k: k for k in state if not k.endswith("_reverse")})
    _copy_by_key(
        state, reverse, {k: k.removesuffix("_reverse") for k in state if k.endswith("_reverse")}
    )
    return forward, reverse
