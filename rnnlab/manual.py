"""Recurrent layers rebuilt from tensor operations and their own parameters.

These are the references the notebooks compare against: ``rnn_cell`` is the equation of
``nn.RNNCell``; ``rnn_forward(rnn, x, h0)`` computes what ``rnn(x, h0)`` returns for every
configuration of ``nn.RNN`` (layers, directions, batch_first, tanh or relu, with or without bias,
batched or unbatched, float32 or float64, padded with lengths or packed) without ever calling the
module's forward; ``gru_forward`` and ``lstm_forward`` do the same for ``nn.GRU`` and
``nn.LSTM`` (including ``proj_size``), gate by gate.
``split_layers`` and ``split_directions`` do the state-dict surgery of the stacked and
bidirectional chapters: they copy weights by key, asserting every shape.

Reference: the equations in PyTorch's ``torch.nn.RNN`` documentation,
h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh), and nanoGPT's ``from_pretrained`` for
copying weights by key.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
Steps are numbered 1 to L, as in docs/notation.md: x_t is ``x[t-1]`` in code, h_0 is ``h0``,
and for one layer and one direction h_t is ``output[t-1]`` and h_L is ``h_n[0]``.
"""

from __future__ import annotations

import re

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from rnnlab.shapes import ShapeError, check_inputs, check_module

__all__ = [
    "gru_forward",
    "lstm_forward",
    "rnn_cell",
    "rnn_forward",
    "split_directions",
    "split_layers",
]

_ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}


def _activation(nonlinearity: str):
    if not isinstance(nonlinearity, str) or nonlinearity not in _ACTIVATIONS:
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
    """One step of an Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh).

    ``x`` is the step's input x_t, ``h`` the previous state h_(t-1); it returns h_t (with
    ``nonlinearity="relu"``, relu instead of tanh).

    Shapes:
        x: (N, H_in) or (H_in,); h: (N, H) or (H,);
        weight_ih: (H, H_in); weight_hh: (H, H); bias_ih, bias_hh: (H,) or None.
        returns h_t: (N, H), or (H,) for unbatched x.

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


def _param(module: nn.RNNBase, name: str) -> torch.Tensor | None:
    return getattr(module, name) if module.bias or not name.startswith("bias") else None


# One time step of each kind of cell. ``xp`` is the input's share, x_t W_ih^T + b_ih, computed
# for all steps at once; ``state`` is (h,) or, for the LSTM, (h, c); ``p`` holds the
# hidden-to-hidden parameters of one layer and direction. Each returns the new state.


def _rnn_step(xp, state, p):
    # xp already holds b_hh (folded into the input projection): one fused product per step
    return (p["act"](torch.addmm(xp, state[0], p["weight_hh_t"])),)  # (N, H) + (N, H) @ (H, H)


def _gru_step(xp, state, p):
    (h,) = state
    gh = h @ p["weight_hh_t"]  # (N, H) @ (H, 3H) -> (N, 3H): gates r, z, n
    if p["bias_hh"] is not None:
        gh = gh + p["bias_hh"]
    x_r, x_z, x_n = xp.chunk(3, dim=1)  # (N, 3H) -> 3 x (N, H)
    h_r, h_z, h_n = gh.chunk(3, dim=1)
    r = torch.sigmoid(x_r + h_r)  # reset gate
    z = torch.sigmoid(x_z + h_z)  # update gate
    n = torch.tanh(x_n + r * h_n)  # candidate state
    return ((1 - z) * n + z * h,)


def _lstm_step(xp, state, p):
    h, c = state
    gates = torch.addmm(xp, h, p["weight_hh_t"])  # (N, 4H) + (N, H_out) @ (H_out, 4H); b_hh in xp
    i, f, g, o = gates.chunk(4, dim=1)  # input, forget, cell candidate, output: (N, H) each
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h = torch.sigmoid(o) * torch.tanh(c)  # (N, H)
    if p["weight_hr"] is not None:
        h = h @ p["weight_hr"].T  # projection: (N, H) @ (H, proj_size) -> (N, proj_size)
    return h, c


def _check_lengths(lengths, N: int, L: int) -> torch.Tensor:
    if isinstance(lengths, torch.Tensor):
        values = lengths
    else:
        try:
            values = torch.as_tensor(lengths)
        except (TypeError, ValueError, RuntimeError) as err:
            raise TypeError(
                f"lengths must be a list or 1-D tensor of N = {N} whole numbers, got "
                f"{type(lengths).__name__}"
            ) from err
    if values.dim() != 1 or values.shape[0] != N:
        raise ShapeError(
            f"lengths needs one length per sequence: shape ({N},), got {tuple(values.shape)}"
        )
    if values.is_floating_point() or values.is_complex() or values.dtype == torch.bool:
        raise ShapeError(f"lengths must hold whole numbers, got {values.dtype}")
    if N and (values.min() < 1 or values.max() > L):
        raise ShapeError(
            f"each length must be between 1 and L = {L} (the padded length), got {values.tolist()}"
        )
    return values.to(torch.int64).cpu()


# Cells whose b_hh is simply added (RNN, LSTM) get it folded into the input projection, so the
# loop adds nothing per step; the GRU's b_hn sits inside r * (...) and must stay in the loop.
_FOLDS_BIAS_HH = {"_rnn_step", "_lstm_step"}


def _recurrent_forward(module: nn.RNNBase, step, x, hx, lengths):
    """The layer and direction loops shared by rnn_forward, gru_forward and lstm_forward."""
    if module.dropout and module.training and module.num_layers > 1:
        raise ValueError(
            f"this {type(module).__name__} applies dropout={module.dropout} between layers in "
            "training mode, which is random; call .eval() (or build it with dropout=0) to "
            "compare with it"
        )
    packed = x if isinstance(x, PackedSequence) else None
    if packed is not None:
        if lengths is not None:
            raise ValueError("give either a PackedSequence or lengths, not both")
        x, lengths = pad_packed_sequence(packed, batch_first=module.batch_first)
    d = check_inputs(module, x, hx)
    is_lstm = isinstance(module, nn.LSTM)
    states = list(hx) if is_lstm and hx is not None else [hx] if hx is not None else None
    if not d.batched:
        if lengths is not None:
            raise ShapeError("lengths go with a batch: give x as (L, N, H_in) or (N, L, H_in)")
        x = x.unsqueeze(1)  # (L, H_in) -> (L, 1, H_in)
        states = None if states is None else [s.unsqueeze(1) for s in states]  # add N = 1
    elif d.batch_first:
        x = x.transpose(0, 1)  # (N, L, H_in) -> (L, N, H_in)
    if lengths is not None:
        lengths = _check_lengths(lengths, d.N, d.L)
    if states is None:
        sizes = [d.H_out, d.H] if is_lstm else [d.H]  # h0 (and c0) of zeros
        states = [x.new_zeros(d.D * d.num_layers, d.N, size) for size in sizes]

    layer_input, finals = x, []
    for layer in range(d.num_layers):
        outputs = []
        for direction in range(d.D):
            suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
            x_proj = layer_input @ getattr(module, "weight_ih" + suffix).T  # (L, N, G*H)
            bias_ih, bias_hh = (_param(module, b + suffix) for b in ("bias_ih", "bias_hh"))
            if bias_hh is not None and step.__name__ in _FOLDS_BIAS_HH:
                bias_ih, bias_hh = bias_ih + bias_hh, None  # both added once, for all steps
            if bias_ih is not None:
                x_proj = x_proj + bias_ih
            p = {
                "weight_hh_t": getattr(module, "weight_hh" + suffix).T,  # transposed once
                "bias_hh": bias_hh,
                "weight_hr": getattr(module, "weight_hr" + suffix, None),
                "act": _activation(getattr(module, "nonlinearity", "tanh")),
            }
            state = tuple(s[d.D * layer + direction] for s in states)  # (N, H) each
            steps = range(d.L - 1, -1, -1) if direction == 1 else range(d.L)
            out = [None] * d.L
            for t in steps:
                new = step(x_proj[t], state, p)
                if lengths is not None:  # sequences shorter than t + 1 keep their state
                    alive = (t < lengths).to(x.device).unsqueeze(1)  # (N, 1)
                    new = tuple(torch.where(alive, n, s) for n, s in zip(new, state))
                    out[t] = torch.where(alive, new[0], torch.zeros_like(new[0]))
                else:
                    out[t] = new[0]
                state = new
            outputs.append(torch.stack(out))  # L x (N, H_out) -> (L, N, H_out)
            finals.append(state)
        # D x (L, N, H_out) -> (L, N, D*H_out); one direction needs no copy
        layer_input = outputs[0] if d.D == 1 else torch.cat(outputs, dim=2)

    output = layer_input  # (L, N, D*H_out)
    final = [torch.stack([f[i] for f in finals]) for i in range(len(states))]  # (D*layers, N, ..)
    if not d.batched:
        output, final = output.squeeze(1), [f.squeeze(1) for f in final]
    elif packed is not None:
        output = _pack_like(output, packed)
    elif d.batch_first:
        output = output.transpose(0, 1)  # (L, N, D*H_out) -> (N, L, D*H_out)
    return output, tuple(final) if is_lstm else final[0]


def _pack_like(output: torch.Tensor, packed: PackedSequence) -> PackedSequence:
    """Pack a padded (L, N, F) output in the order of ``packed`` (as PyTorch's modules do)."""
    order = packed.sorted_indices
    if order is None:
        order = torch.arange(output.shape[1])
    order = order.to(output.device)
    rows = [output[t, order[:size]] for t, size in enumerate(packed.batch_sizes.tolist())]
    return PackedSequence(
        torch.cat(rows), packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices
    )


def rnn_forward(rnn: nn.RNN, x, h0: torch.Tensor | None = None, lengths=None):
    """What ``rnn(x, h0)`` returns, computed step by step from the module's parameters.

    Each layer projects every time step's input in one matrix product, then recurs over time,
    h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh): in the forward direction from step 1
    to L and, when bidirectional, in the reverse direction from step L to 1; the next layer
    reads the concatenation of both directions. h_n stacks the final state of every layer and
    direction in the order layer 0 forward, layer 0 reverse, layer 1 forward, ...

    Padded batches of unequal lengths: give ``lengths`` (one per sequence), or pass ``x`` as a
    ``PackedSequence``. Each sequence then stops at its own length, exactly as PyTorch does with
    a packed input: the output is zero after the end (a PackedSequence if x was one) and h_n
    holds each sequence's state at its own last step.

    Shapes:
        x: (L, N, H_in), (N, L, H_in) with batch_first=True, (L, H_in) unbatched, or packed.
        h0: (D*num_layers, N, H), or (D*num_layers, H) unbatched; None means zeros.
        lengths: (N,) whole numbers in 1..L, or None.
        returns output (L, N, D*H) [(N, L, D*H) batch-first, (L, D*H) unbatched] and
        h_n (D*num_layers, N, H) [(D*num_layers, H) unbatched].

    Raises:
        TypeError: ``rnn`` is not an ``nn.RNN``.
        ShapeError: x, h0 or lengths do not fit (see ``rnnlab.shapes.check_inputs``).
        ValueError: dropout between layers is active (call ``rnn.eval()`` first).

    Used in: 02_nn_rnn, 04_stacked, 05_bidirectional, 09_variable_length.
    """
    if not isinstance(check_module(rnn), nn.RNN):
        raise TypeError(f"rnn_forward rebuilds nn.RNN; got {type(rnn).__name__}")
    return _recurrent_forward(rnn, _rnn_step, x, h0, lengths)


def gru_forward(gru: nn.GRU, x, h0: torch.Tensor | None = None, lengths=None):
    """What ``gru(x, h0)`` returns, computed from the module's parameters gate by gate.

    weight_ih_l{k} stacks the reset, update and new gates (r, z, n), (3H, H_in). As in
    PyTorch's documentation, with each gate named after its activation (docs/notation.md):

        r_t = sigmoid(x_t W_ir^T + b_ir + h_(t-1) W_hr^T + b_hr)
        z_t = sigmoid(x_t W_iz^T + b_iz + h_(t-1) W_hz^T + b_hz)
        n_t = tanh(x_t W_in^T + b_in + r_t * (h_(t-1) W_hn^T + b_hn))
        h_t = (1 - z_t) * n_t + z_t * h_(t-1)

    Shapes: as ``rnn_forward``.

    Raises:
        TypeError: ``gru`` is not an ``nn.GRU``. ShapeError / ValueError: as ``rnn_forward``.

    Used in: 10_gru_lstm.
    """
    if not isinstance(check_module(gru), nn.GRU):
        raise TypeError(f"gru_forward rebuilds nn.GRU; got {type(gru).__name__}")
    return _recurrent_forward(gru, _gru_step, x, h0, lengths)


def lstm_forward(lstm: nn.LSTM, x, hx=None, lengths=None):
    """What ``lstm(x, (h0, c0))`` returns, computed from the module's parameters gate by gate.

    weight_ih_l{k} stacks the input, forget, cell and output gates (i, f, g, o), (4H, H_in). As
    in PyTorch's documentation, with each gate named after its activation (docs/notation.md):

        i_t = sigmoid(x_t W_ii^T + b_ii + h_(t-1) W_hi^T + b_hi)
        f_t = sigmoid(x_t W_if^T + b_if + h_(t-1) W_hf^T + b_hf)
        g_t = tanh(x_t W_ig^T + b_ig + h_(t-1) W_hg^T + b_hg)
        o_t = sigmoid(x_t W_io^T + b_io + h_(t-1) W_ho^T + b_ho)
        c_t = f_t * c_(t-1) + i_t * g_t
        h_t = o_t * tanh(c_t), then, with ``proj_size``, h_t W_hr^T

    Shapes:
        x: as ``rnn_forward``; hx: a tuple (h0, c0) with h0 (D*num_layers, N, H_out) and
        c0 (D*num_layers, N, H), H_out = proj_size or H (no N when unbatched); None: zeros.
        returns output (L, N, D*H_out) [laid out like x] and (h_n, c_n) shaped like (h0, c0).

    Raises:
        TypeError: ``lstm`` is not an ``nn.LSTM``. ShapeError / ValueError: as ``rnn_forward``.

    Used in: 10_gru_lstm.
    """
    if not isinstance(check_module(lstm), nn.LSTM):
        raise TypeError(f"lstm_forward rebuilds nn.LSTM; got {type(lstm).__name__}")
    return _recurrent_forward(lstm, _lstm_step, x, hx, lengths)


def _copy_by_key(source: dict, target: nn.Module, rename: dict[str, str]) -> None:
    """Copy ``source[old]`` into ``target``'s parameter ``new`` for each old -> new, shapes
    asserted, under no_grad (nanoGPT's from_pretrained does the same)."""
    target_state = target.state_dict()
    missing = [old for old in rename if old not in source]
    if missing or set(rename.values()) != set(target_state):
        found = ", ".join(sorted(source)[:6])
        raise ValueError(
            f"this needs the plain parameters of nn.RNN ({', '.join(sorted(rename)[:4])}, ...), "
            f"but the module's state_dict has {found}. Weight norm or another parametrization "
            "renames them: remove it first (torch.nn.utils.parametrize.remove_parametrizations)"
        )
    with torch.no_grad():
        for old, new in rename.items():
            if source[old].shape != target_state[new].shape:
                raise ValueError(
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


# --- Chapter 06_gradients_through_time: backpropagation through time by hand -------------------

__all__ += ["rnn_backward"]


def _require_upstream(name: str, value, want: tuple[int, ...], like: torch.Tensor):
    """``value`` as a tensor of shape ``want`` and ``like``'s dtype, or None when not given."""
    if value is None:
        return None
    if not isinstance(value, torch.Tensor):
        raise TypeError(
            f"{name} must be a torch.Tensor of shape {want} (the gradient of the loss with "
            f"respect to that result), got {type(value).__name__}"
        )
    if tuple(value.shape) != want:
        raise ShapeError(
            f"{name} must have the shape of the result it belongs to, {want}; got "
            f"{tuple(value.shape)}"
        )
    if value.dtype != like.dtype:
        raise ShapeError(
            f"{name} must have x's dtype {like.dtype}, got {value.dtype}; convert it with "
            f"{name}.to({like.dtype})"
        )
    return value.detach()


def rnn_backward(rnn: nn.RNN, x, h0=None, grad_output=None, grad_h_n=None, lengths=None):
    """The gradients of a loss through ``rnn(x, h0)``, by backpropagation through time by hand.

    ``grad_output`` and ``grad_h_n`` are the gradients of the loss with respect to the output
    and h_n (either may be None, meaning the loss does not use it). The forward pass is rerun
    step by step, keeping every hidden state; then backpropagation visits each layer (last
    first) and each direction, walking its steps in the opposite order to its forward pass
    (the forward direction from step L down to 1, the reverse direction from 1 up to L). At
    step t (1 to L) with state h_t = act(a_t), a_t the pre-activation
    x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh:

        dL/dh_t     = grad_output[t-1] + (what came back from the step after t)
        dL/da_t     = dL/dh_t * act'(a_t)      (tanh: 1 - h_t**2; relu: h_t > 0)
        dL/dh_(t-1) = dL/da_t @ W_hh           (passed on to the step before)

    and, summed over steps, dL/dW_hh = sum_t dL/da_t^T h_(t-1), dL/dW_ih = sum_t dL/da_t^T x_t,
    dL/db_ih = dL/db_hh = sum_t dL/da_t, dL/dx_t = dL/da_t @ W_ih. Autograd is not used.

    With ``lengths`` (padded x), each sequence stops at its own length as in ``rnn_forward``:
    a step past the end copies the state, so its gradient passes through unchanged.

    Shapes:
        x, h0, lengths: as ``rnn_forward`` (not a PackedSequence: pad it and give lengths).
        grad_output: like output, (L, N, D*H) [(N, L, D*H) batch-first, (L, D*H) unbatched].
        grad_h_n: like h_n, (D*num_layers, N, H) [(D*num_layers, H) unbatched].
        returns a dict: "x" -> like x; "h0" -> like h_n (the gradient with respect to the
        initial state, zeros or not); each parameter name ("weight_ih_l0", ...) -> its shape.

    Raises:
        TypeError: ``rnn`` is not an ``nn.RNN``; x is a PackedSequence; a gradient is not a
            tensor.
        ShapeError: x, h0, lengths or a gradient does not fit.
        ValueError: neither gradient is given; dropout between layers is active.

    Used in: 06_gradients_through_time.
    """
    if not isinstance(check_module(rnn), nn.RNN):
        raise TypeError(f"rnn_backward differentiates nn.RNN; got {type(rnn).__name__}")
    if isinstance(x, PackedSequence):
        raise TypeError(
            "rnn_backward takes a padded x: unpack it with pad_packed_sequence and give the "
            "lengths it returns as lengths="
        )
    if rnn.dropout and rnn.training and rnn.num_layers > 1:
        raise ValueError(
            f"this nn.RNN applies dropout={rnn.dropout} between layers in training mode, which "
            "is random; call .eval() (or build it with dropout=0) to differentiate it"
        )
    d = check_inputs(rnn, x, h0)
    if grad_output is None and grad_h_n is None:
        raise ValueError(
            "give grad_output and/or grad_h_n, the gradient of the loss with respect to the "
            "output and to h_n (e.g. torch.ones_like(output) for loss = output.sum())"
        )
    out_shape = (d.L, d.N, d.D * d.H) if d.batched else (d.L, d.D * d.H)
    if d.batched and d.batch_first:
        out_shape = (d.N, d.L, d.D * d.H)
    h_shape = (d.D * d.num_layers, d.N, d.H) if d.batched else (d.D * d.num_layers, d.H)
    grad_output = _require_upstream("grad_output", grad_output, out_shape, x)
    grad_h_n = _require_upstream("grad_h_n", grad_h_n, h_shape, x)

    x = x.detach()
    if not d.batched:
        if lengths is not None:
            raise ShapeError("lengths go with a batch: give x as (L, N, H_in) or (N, L, H_in)")
        x = x.unsqueeze(1)  # (L, H_in) -> (L, 1, H_in)
        h0 = None if h0 is None else h0.unsqueeze(1)  # (D*layers, H) -> (D*layers, 1, H)
        grad_output = None if grad_output is None else grad_output.unsqueeze(1)
        grad_h_n = None if grad_h_n is None else grad_h_n.unsqueeze(1)
    elif d.batch_first:
        x = x.transpose(0, 1)  # (N, L, H_in) -> (L, N, H_in)
        grad_output = None if grad_output is None else grad_output.transpose(0, 1)
    h0 = x.new_zeros(d.D * d.num_layers, d.N, d.H) if h0 is None else h0.detach()
    if grad_output is None:
        grad_output = x.new_zeros(d.L, d.N, d.D * d.H)  # (L, N, D*H)
    if grad_h_n is None:
        grad_h_n = x.new_zeros(d.D * d.num_layers, d.N, d.H)
    alive = None
    if lengths is not None:
        lengths = _check_lengths(lengths, d.N, d.L).to(x.device)
        alive = torch.arange(d.L, device=x.device).unsqueeze(1) < lengths  # (L, N)
        alive = alive.unsqueeze(2)  # (L, N, 1)
    act = _activation(rnn.nonlinearity)

    with torch.no_grad():
        # Forward, keeping for each layer and direction its input and every state before and
        # after each step. prev[t] is the state step t started from, new[t] the one it made.
        layer_input, saved = x, []
        for layer in range(d.num_layers):
            outputs = []
            for direction in range(d.D):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                x_proj = layer_input @ getattr(rnn, "weight_ih" + suffix).T  # (L, N, H)
                if rnn.bias:
                    x_proj = x_proj + getattr(rnn, "bias_ih" + suffix)
                    x_proj = x_proj + getattr(rnn, "bias_hh" + suffix)
                weight_hh_t = getattr(rnn, "weight_hh" + suffix).T  # (H, H), transposed once
                steps = range(d.L - 1, -1, -1) if direction == 1 else range(d.L)
                state = h0[d.D * layer + direction]  # (N, H)
                prev, new = [None] * d.L, [None] * d.L
                for t in steps:
                    prev[t] = state
                    h = act(torch.addmm(x_proj[t], state, weight_hh_t))  # (N, H)
                    new[t] = h
                    state = h if alive is None else torch.where(alive[t], h, state)
                new, prev = torch.stack(new), torch.stack(prev)  # L x (N, H) -> (L, N, H)
                out = new if alive is None else new * alive  # zero past each sequence's end
                outputs.append(out)
                saved.append((layer_input, prev, new))
            layer_input = outputs[0] if d.D == 1 else torch.cat(outputs, dim=2)  # (L, N, D*H)

        # Backward: last layer first; grad_above is dL/d(this layer's output), (L, N, D*H).
        grads: dict[str, torch.Tensor] = {}
        grad_h0 = torch.zeros_like(h0)  # (D*layers, N, H)
        grad_above = grad_output
        for layer in range(d.num_layers - 1, -1, -1):
            grad_below = None
            for direction in range(d.D):
                index = d.D * layer + direction
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                weight_ih = getattr(rnn, "weight_ih" + suffix)  # (H, H_in of this layer)
                weight_hh = getattr(rnn, "weight_hh" + suffix)  # (H, H)
                layer_in, prev, new = saved[index]
                grad_out = grad_above[..., direction * d.H : (direction + 1) * d.H]  # (L, N, H)
                if alive is not None:
                    grad_out = grad_out * alive  # outputs past the end are constant zeros
                slope = 1 - new * new if rnn.nonlinearity == "tanh" else (new > 0).to(new.dtype)
                grad_a = torch.empty_like(new)  # (L, N, H): dL/da_t for every step
                carried = grad_h_n[index]  # (N, H): dL/d(state after the last step)
                steps = range(d.L) if direction == 1 else range(d.L - 1, -1, -1)
                for t in steps:  # the forward steps, in reverse
                    grad_h = grad_out[t] + carried  # (N, H): from the output at t and from later
                    grad_a[t] = grad_h * slope[t]  # through the activation
                    carried = grad_a[t] @ weight_hh  # (N, H) @ (H, H) -> (N, H): to step t - 1
                    if alive is not None:  # a step past the end copied the state
                        grad_a[t] = grad_a[t] * alive[t]
                        carried = torch.where(alive[t], carried, grad_h)
                grad_h0[index] = carried
                flat_a = grad_a.reshape(-1, d.H)  # (L, N, H) -> (L*N, H)
                grads["weight_ih" + suffix] = flat_a.T @ layer_in.reshape(d.L * d.N, -1)
                grads["weight_hh" + suffix] = flat_a.T @ prev.reshape(-1, d.H)  # (H, H)
                if rnn.bias:
                    grads["bias_ih" + suffix] = flat_a.sum(0)  # (H,)
                    grads["bias_hh" + suffix] = grads["bias_ih" + suffix].clone()
                grad_in = grad_a @ weight_ih  # (L, N, H) @ (H, H_in) -> (L, N, H_in)
                grad_below = grad_in if grad_below is None else grad_below + grad_in
            grad_above = grad_below  # dL/d(the layer below's output)

    grad_x = grad_above  # (L, N, H_in)
    if not d.batched:
        grad_x, grad_h0 = grad_x.squeeze(1), grad_h0.squeeze(1)
    elif d.batch_first:
        grad_x = grad_x.transpose(0, 1)  # (L, N, H_in) -> (N, L, H_in)
    ordered = {name: grads[name] for name, _ in rnn.named_parameters()}
    return {"x": grad_x, "h0": grad_h0, **ordered}
