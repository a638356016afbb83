"""What shapes a recurrent module expects and returns, and clear errors when they are wrong.

``describe(rnn, x, h0)`` prints a table of every tensor's expected and given shape with its
dimensions named; ``check_inputs(rnn, x, h0)`` raises ``ShapeError`` naming the shape it got, the
shape it expected and the likely fix. Both cover ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM`` in the
three layouts PyTorch accepts:

=================  ==================  ======================  ======================
layout             input x             h0 (and c0)             output
=================  ==================  ======================  ======================
sequence-first     (L, N, H_in)        (D*num_layers, N, H)    (L, N, D*H)
batch_first=True   (N, L, H_in)        (D*num_layers, N, H)    (N, L, D*H)
unbatched          (L, H_in)           (D*num_layers, H)       (L, D*H)
=================  ==================  ======================  ======================

h_n has h0's shape. ``batch_first`` changes x and output only, never h0 or h_n, and it is
ignored for a 2-D (unbatched) x.

Silent bugs: five layout and state mistakes raise nothing in PyTorch (one of them not until the
loss). What this module can catch, and what no shape check can (``SILENT_BUGS`` holds the same
list for a notebook to print):

1. A batch-first x ``(N, L, H_in)`` fed to a sequence-first RNN: it runs as L' = N steps of
   N' = L sequences, and h_n comes back ``(D*num_layers, L, H)``. Caught by
   ``check_inputs(rnn, x, batch_size=N)`` (or ``labels=y``) whenever N != L; when N == L no
   shape check can tell the layouts apart.
2. A batch of N single time steps ``(N, H_in)`` passed as a 2-D x: read as ONE unbatched
   sequence of N steps, with or without ``batch_first=True``. Caught by
   ``check_inputs(rnn, x, batch_size=N)`` (or ``labels=y``) whenever N > 1.
3. ``reshape``/``view`` instead of ``permute`` to change layout: the shape is right and the
   numbers are mixed up. No shape check can catch it.
4. A ``Linear`` head applied to the whole h_n ``(D*num_layers, N, H)``: it runs and returns
   ``(D*num_layers, N, out)``. Caught by ``check_predictions(predictions, labels)``.
5. A final state carried into the next call as ``h0`` (by accident, or between unrelated
   batches): every shape is right. No shape check can catch it; only what the data means can.

Reference: the shapes section of PyTorch's ``torch.nn.RNN`` documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch
from torch import nn

__all__ = [
    "SILENT_BUGS",
    "Dims",
    "ShapeError",
    "ShapeTable",
    "SilentBug",
    "check_inputs",
    "check_module",
    "check_predictions",
    "describe",
]


class ShapeError(ValueError):
    """A tensor does not have the shape or dtype that the recurrent module expects."""


class Dims(NamedTuple):
    """The sizes a recurrent module and its input agree on (N is 1 for unbatched input)."""

    batched: bool
    batch_first: bool
    L: int
    N: int
    H_in: int
    H: int
    H_out: int  # H, or proj_size for an LSTM with projections
    D: int
    num_layers: int


def _shape(t) -> str:
    return "(" + ", ".join(str(s) for s in t) + ("," if len(t) == 1 else "") + ")"


def check_module(rnn) -> nn.RNNBase:
    """Check that ``rnn`` is a recurrent module (``nn.RNN``, ``nn.GRU`` or ``nn.LSTM``).

    Raises:
        TypeError: anything else, including an ``nn.RNNCell`` (a cell takes one time step).
    """
    if isinstance(rnn, nn.RNNCellBase):
        raise TypeError(
            f"expected a whole recurrent layer (nn.RNN, nn.GRU or nn.LSTM), got the cell "
            f"{type(rnn).__name__}, which computes one time step; loop over the sequence "
            "yourself, or build the matching nn.RNN"
        )
    if not isinstance(rnn, nn.RNNBase):
        raise TypeError(
            f"expected a recurrent module (nn.RNN, nn.GRU or nn.LSTM), got {type(rnn).__name__}"
        )
    return rnn


def _hidden_size_out(rnn: nn.RNNBase) -> int:
    return getattr(rnn, "proj_size", 0) or rnn.hidden_size


def _input_problem(rnn: nn.RNNBase, x) -> str | None:
    """The first problem with x, as the sentence a student should read, or None."""
    H_in = rnn.input_size
    seq = "(N, L, H_in)" if rnn.batch_first else "(L, N, H_in)"
    if not isinstance(x, torch.Tensor):
        return (
            f"the input x must be a torch.Tensor, got {type(x).__name__}. Build one with "
            f"torch.tensor(values, dtype=torch.float32), shaped {seq} or (L, H_in)"
        )
    if x.dim() not in (2, 3):
        got = f"a {x.dim()}-D tensor of shape {_shape(x.shape)}"
        if x.dim() == 0:
            fix = "a single number is not a sequence: give x.reshape(1, 1) for one step"
        elif x.dim() == 1:
            L = x.shape[0]
            layers = (2 if rnn.bidirectional else 1) * rnn.num_layers
            h_unbatched = (layers, _hidden_size_out(rnn))  # an LSTM's c0 keeps H
            h_batched = (layers, 1, _hidden_size_out(rnn))
            if H_in == 1:
                fix = (
                    f"if these are {L} time steps of one feature, add the feature dimension: "
                    f"x.unsqueeze(-1) gives (L, H_in) = ({L}, 1), one unbatched sequence; "
                    f"x.reshape({L}, 1, 1) gives a batch of one, {seq} = "
                    + ("(1, " + f"{L}, 1)" if rnn.batch_first else f"({L}, 1, 1)")
                    + f"; then h0 is (D*num_layers, H) = {_shape(h_unbatched)} unbatched, or "
                    f"(D*num_layers, N, H) = {_shape(h_batched)} for the batch of one"
                )
            elif L == H_in:
                fix = (
                    f"if this is one time step with its {H_in} features, add the time "
                    f"dimension: x.unsqueeze(0) gives (L, H_in) = (1, {H_in})"
                )
            else:
                fix = (
                    f"reshape it to (L, H_in) with H_in = input_size = {H_in}: "
                    f"x.reshape(-1, {H_in})"
                )
        else:
            fix = (
                "merge the extra dimensions into the features (x.flatten(2) for a batch) "
                "or into the batch"
            )
        return (
            f"an RNN takes a 2-D input (L, H_in) for one unbatched sequence or a 3-D input "
            f"{seq} for a batch (batch_first={rnn.batch_first}); got {got}. Fix: {fix}"
        )
    weight_dtype = rnn.weight_ih_l0.dtype
    if x.is_complex():
        return (
            f"the input x holds complex numbers ({x.dtype}), but nn.RNN works on real numbers "
            f"({weight_dtype}); give it real features, e.g. torch.cat([x.real, x.imag], dim=-1)"
        )
    if not x.is_floating_point():
        return (
            f"the input x holds {x.dtype} (whole numbers), but the RNN's weights are "
            f"{weight_dtype}: an RNN multiplies floating-point numbers. Convert the input, not "
            f"the model: x = x.to({weight_dtype}) (or torch.arange(1, 10, dtype={weight_dtype})). "
            f"PyTorch's own message also offers model.to({x.dtype}), which cannot work: "
            "Module.to refuses integer dtypes for every module (nn.Linear too)"
        )
    if x.dtype != weight_dtype:
        return (
            f"the input x is {x.dtype} but the RNN's weights are {weight_dtype}; they must "
            f"match. Convert the input: x = x.to({weight_dtype}), or the whole model: "
            f"rnn.to({x.dtype})"
        )
    if x.shape[-1] != H_in:
        names = ("(L, H_in)" if x.dim() == 2 else seq).strip("()").split(", ")
        fix = f"the RNN was built with input_size={H_in}"
        others = [i for i in range(x.dim() - 1) if x.shape[i] == H_in]
        if others:
            i = others[-1]
            order = list(range(x.dim()))
            order[i], order[-1] = order[-1], order[i]
            fix += (
                f"; dimension {i} of x has size {H_in}: if it holds the features, move it "
                f"last with x.permute{tuple(order)} (unfold leaves the window last, "
                "(N, H_in, L): transpose(1, 2) fixes it)"
            )
        else:
            fix += (
                f"; either the data has {x.shape[-1]} features per step and the RNN needs "
                f"input_size={x.shape[-1]}, or x is laid out differently"
            )
        return (
            f"the last dimension of x holds the features of one time step and must equal "
            f"H_in = input_size = {H_in}; x has shape {_shape(x.shape)}, read as "
            f"{'(' + ', '.join(f'{n}={s}' for n, s in zip(names, x.shape)) + ')'}. Fix: {fix}"
        )
    time_dim = 1 if (x.dim() == 3 and rnn.batch_first) else 0
    if x.shape[time_dim] == 0:
        return f"the sequence is empty: L = 0 time steps in x of shape {_shape(x.shape)}"
    return None


def _dims(rnn: nn.RNNBase, x: torch.Tensor) -> Dims:
    batched = x.dim() == 3
    if batched and rnn.batch_first:
        N, L = x.shape[0], x.shape[1]
    elif batched:
        L, N = x.shape[0], x.shape[1]
    else:
        L, N = x.shape[0], 1
    D = 2 if rnn.bidirectional else 1
    return Dims(
        batched,
        rnn.batch_first,
        L,
        N,
        rnn.input_size,
        rnn.hidden_size,
        _hidden_size_out(rnn),
        D,
        rnn.num_layers,
    )


def _state_problem(name: str, state, size: int, d: Dims, x: torch.Tensor) -> str | None:
    """The first problem with one initial state (h0 or c0) of last dimension ``size``."""
    layers = d.D * d.num_layers
    expected = (layers, d.N, size) if d.batched else (layers, size)
    want = (
        f"(D*num_layers, N, H) = {_shape(expected)}"
        if d.batched
        else (f"(D*num_layers, H) = {_shape(expected)}")
    )
    if not isinstance(state, torch.Tensor):
        return f"{name} must be a torch.Tensor of shape {want}, got {type(state).__name__}"
    if state.dtype != x.dtype:
        return f"{name} is {state.dtype} but x is {x.dtype}; use {name}.to({x.dtype})"
    got = f"{state.dim()}-D {_shape(state.shape)}"
    if d.batched and state.dim() != 3:
        return (
            f"for a batch x of shape {_shape(x.shape)}, {name} must be 3-D {want}; got {got}. "
            f"Fix: add the batch dimension, {name}.unsqueeze(1), or give one sequence as a "
            "2-D x (L, H_in)"
        )
    if not d.batched and state.dim() != 2:
        return (
            f"for one unbatched sequence x of shape (L, H_in) = {_shape(x.shape)}, {name} "
            f"must be 2-D {want}; got {got}. Fix: give {name} = torch.zeros{_shape(expected)}, "
            f"or make x a batch of one sequence, x.unsqueeze({1 if not d.batch_first else 0}), "
            f"with a 3-D {name} of shape {_shape((layers, 1, size))}"
        )
    if tuple(state.shape) == expected:
        return None
    if d.batched and state.shape[0] == d.N and state.shape[1] == layers and d.N != layers:
        return (
            f"{name} has shape {_shape(state.shape)} but must be {want}. It looks batch-first: "
            f"{name} never follows batch_first, the layers-and-directions dimension always "
            f"comes first. Fix: {name}.permute(1, 0, 2)"
        )
    if state.shape[0] != layers:
        return (
            f"{name} needs one initial state per layer and direction, "
            f"D*num_layers = {d.D}*{d.num_layers} = {layers} of them, in its first dimension; "
            f"got {_shape(state.shape)}, expected {want}"
        )
    if d.batched and state.shape[1] != d.N:
        msg = (
            f"{name} needs one initial state per sequence of the batch: its second dimension "
            f"must be N = {d.N}; got {_shape(state.shape)}, expected {want}"
        )
        other = x.shape[1] if d.batch_first else x.shape[0]
        if state.shape[1] == other:
            layout = "(L, N, H_in)" if d.batch_first else "(N, L, H_in)"
            fix = (
                "build the RNN with batch_first=False or permute x with x.permute(1, 0, 2)"
                if d.batch_first
                else "build the RNN with batch_first=True or permute x with x.permute(1, 0, 2)"
            )
            msg += (
                f". x looks laid out as {layout}, but the RNN was built with "
                f"batch_first={d.batch_first}: {fix}"
            )
        return msg
    msg = (
        f"the last dimension of {name} is the hidden size {size}; got {_shape(state.shape)}, "
        f"expected {want}"
    )
    if state.shape[-1] == d.L:
        msg += (
            f". {d.L} is the sequence length L: the hidden state has no slot per time step, "
            f"the RNN keeps one state of size H per sequence and updates it {d.L} times"
        )
    return msg


def _hidden_problems(rnn: nn.RNNBase, x: torch.Tensor, h0) -> str | None:
    d = _dims(rnn, x)
    if h0 is None:
        return None
    if isinstance(rnn, nn.LSTM):
        if not (isinstance(h0, tuple) and len(h0) == 2):
            return (
                f"an LSTM takes its initial state as a tuple (h0, c0), got "
                f"{type(h0).__name__}; pass (h0, c0), or nothing for zeros"
            )
        return _state_problem("h0", h0[0], d.H_out, d, x) or _state_problem("c0", h0[1], d.H, d, x)
    if isinstance(h0, tuple):
        return (
            f"{type(rnn).__name__} takes a single tensor h0, not a tuple; the (h0, c0) "
            "pair belongs to nn.LSTM"
        )
    return _state_problem("h0", h0, d.H, d, x)


def _told_batch_size(batch_size, labels) -> int | None:
    """The batch size N the caller states, from ``batch_size`` or ``len(labels)``, or None."""
    N = None
    if batch_size is not None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
            raise TypeError(
                "batch_size must be a whole number, the number of sequences in the batch, "
                f"got {type(batch_size).__name__}"
            )
        N = int(batch_size)
        if N < 1:
            raise ValueError(f"batch_size must be at least 1, got {N}")
    if labels is not None:
        try:
            n_labels = int(labels.shape[0]) if hasattr(labels, "shape") else len(labels)
        except (TypeError, IndexError) as err:
            raise TypeError(
                "labels must hold one label per sequence (a tensor, array or list with a "
                f"length), got {type(labels).__name__}"
            ) from err
        if N is not None and n_labels != N:
            raise ValueError(
                f"batch_size={N} but labels holds {n_labels} labels; give one of them, or make "
                "them agree"
            )
        N = n_labels
    return N


def _batch_problem(rnn: nn.RNNBase, x: torch.Tensor, N: int) -> str | None:
    """The silent layout bug, as a sentence, when x does not hold the N sequences it should."""
    d = _dims(rnn, x)
    H_state = _hidden_size_out(rnn)
    layers = d.D * d.num_layers
    if not d.batched:
        if N == 1:
            return None
        if x.shape[0] == N:
            return (
                f"x is 2-D {_shape(x.shape)}, and PyTorch reads a 2-D x as ONE unbatched "
                f"sequence (L, H_in) of L = {x.shape[0]} time steps (batch_first="
                f"{rnn.batch_first} is ignored for it), but the batch has N = {N} sequences: "
                f"these look like N single time steps, (N, H_in). Nothing raises: the RNN "
                f"carries its state from one sample into the next and h_n comes back "
                f"{_shape((layers, H_state))}, one state instead of {N}. Fix: add the time "
                "dimension, x.unsqueeze(1) for (N, L, H_in) = "
                f"{_shape((N, 1, x.shape[1]))} with batch_first=True, or x.unsqueeze(0) for "
                f"(L, N, H_in) = {_shape((1, N, x.shape[1]))} sequence-first"
            )
        return (
            f"x is 2-D {_shape(x.shape)}: one unbatched sequence (L, H_in), so N = 1, but the "
            f"batch has N = {N} sequences. Fix: give a 3-D x, "
            + ("(N, L, H_in)" if rnn.batch_first else "(L, N, H_in)")
        )
    if d.N == N:
        return None
    read_as = "(N, L, H_in)" if d.batch_first else "(L, N, H_in)"
    other = "sequence-first, (L, N, H_in)" if d.batch_first else "batch-first, (N, L, H_in)"
    other_dim = d.L
    if other_dim == N:
        h_n = _shape((layers, d.N, H_state))
        return (
            f"x of shape {_shape(x.shape)} is read as {read_as} because batch_first="
            f"{d.batch_first}: N = {d.N} sequences of L = {d.L} steps. But the batch has "
            f"N = {N} sequences: x looks {other}. Nothing raises: the RNN runs over the "
            f"wrong dimension and h_n comes back {h_n}, (D*num_layers, L, H) instead of "
            f"(D*num_layers, N, H). Fix: build the RNN with batch_first={not d.batch_first}, "
            "or give x.permute(1, 0, 2)"
        )
    return (
        f"x of shape {_shape(x.shape)} is read as {read_as} (batch_first={d.batch_first}): "
        f"N = {d.N} sequences, but the batch has N = {N}; no dimension of x has size {N}"
    )


def check_inputs(rnn, x, h0=None, *, batch_size=None, labels=None) -> Dims:
    """Check what would be passed to ``rnn(x, h0)`` and return the agreed sizes.

    Told the batch size (``batch_size=N``, or ``labels=y`` with one label per sequence), it also
    catches the two silent layout bugs PyTorch cannot see: a batch-first x given to a
    sequence-first RNN (when N != L), and a batch of N single steps given as a 2-D x.

    Shapes:
        x: (L, N, H_in), or (N, L, H_in) with batch_first=True, or (L, H_in) unbatched.
        h0: (D*num_layers, N, H), or (D*num_layers, H) unbatched; for an LSTM a tuple (h0, c0).
        labels: (N,) or (N, ...): only its length is read.

    Raises:
        TypeError: ``rnn`` is not nn.RNN / nn.GRU / nn.LSTM; ``batch_size`` is not a whole
            number or ``labels`` has no length.
        ValueError: ``batch_size`` < 1, or ``batch_size`` and ``labels`` disagree.
        ShapeError: x or h0 has the wrong rank, size or dtype, or x does not hold the batch it
            was told about; the message says what came in, what was expected, and the fix.

    Used in: 02_nn_rnn, 03_batch_first; every ``rnnlab.manual`` forward function.
    """
    rnn = check_module(rnn)
    N = _told_batch_size(batch_size, labels)
    problem = _input_problem(rnn, x)
    if problem is None and N is not None:
        problem = _batch_problem(rnn, x, N)
    problem = problem or _hidden_problems(rnn, x, h0)
    if problem:
        if problem.split(" ")[0] not in ("h0", "c0", "x"):  # capitalise unless a name starts it
            problem = problem[0].upper() + problem[1:]
        raise ShapeError(problem)
    return _dims(rnn, x)


@dataclass
class ShapeTable:
    """The table ``describe`` returns; it prints as text, and ``rows`` holds its cells."""

    title: str
    rows: list[tuple[str, str, str, str]]
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the inputs fit the module."""
        return not any(row[3].startswith("✗") for row in self.rows)

    def __str__(self) -> str:
        header = ("tensor", "layout", "expected", "given")
        widths = [max(len(r[i]) for r in [header, *self.rows]) for i in range(4)]
        lines = [self.title]
        for r in [header, *self.rows]:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    __repr__ = __str__


def _module_title(rnn: nn.RNNBase) -> str:
    args = [f"input_size={rnn.input_size}", f"hidden_size={rnn.hidden_size}"]
    args += [f"num_layers={rnn.num_layers}"] if rnn.num_layers != 1 else []
    args += ["bidirectional=True"] if rnn.bidirectional else []
    args += ["batch_first=True"] if rnn.batch_first else []
    if getattr(rnn, "proj_size", 0):
        args.append(f"proj_size={rnn.proj_size}")
    return f"nn.{type(rnn).__name__}({', '.join(args)})"


def describe(rnn, x, h0=None, *, batch_size=None, labels=None) -> ShapeTable:
    """A readable table of the input, h0, output and h_n shapes, expected and given.

    It never raises for a bad x or h0: it marks the row with ✗ and adds the explanation that
    ``check_inputs`` would raise (including the layout bugs it catches when told
    ``batch_size`` or ``labels``). While x is wrong, a given h0 (and c0) is marked ``?``,
    undecided: its right shape depends on the x that fixes it (a 1-D x fixed as an unbatched
    ``(L, H_in)`` takes a 2-D h0, fixed as a batch of one a 3-D h0).

    Shapes: see the module docstring; dimensions are named (L, N, H_in, H, D, num_layers).

    Raises:
        TypeError: ``rnn`` is not nn.RNN / nn.GRU / nn.LSTM.

    Used in: 02_nn_rnn, 03_batch_first, 04_stacked, 05_bidirectional.
    """
    rnn = check_module(rnn)
    told_N = _told_batch_size(batch_size, labels)
    D = 2 if rnn.bidirectional else 1
    H, H_out, layers = rnn.hidden_size, _hidden_size_out(rnn), D * rnn.num_layers
    h_name = "proj_size" if H_out != H else "H"  # an LSTM with projections returns smaller h
    input_problem = _input_problem(rnn, x)
    if input_problem is None and told_N is not None:
        input_problem = _batch_problem(rnn, x, told_N)
    batched = not (isinstance(x, torch.Tensor) and x.dim() == 2)
    if input_problem is None:
        d = _dims(rnn, x)
        L, N = str(d.L), str(d.N)
    else:
        L, N = "L", "N"
    if batched and rnn.batch_first:
        layout, x_names, out_names = "batch-first", "(N, L, H_in)", f"(N, L, D*{h_name})"
        x_dims, out_dims = (N, L, str(rnn.input_size)), (N, L, str(D * H_out))
    elif batched:
        layout, x_names, out_names = "sequence-first", "(L, N, H_in)", f"(L, N, D*{h_name})"
        x_dims, out_dims = (L, N, str(rnn.input_size)), (L, N, str(D * H_out))
    else:
        layout, x_names, out_names = "unbatched", "(L, H_in)", f"(L, D*{h_name})"
        x_dims, out_dims = (L, str(rnn.input_size)), (L, str(D * H_out))

    def state_dims(size, name="H"):
        names = f"(D*num_layers, N, {name})" if batched else f"(D*num_layers, {name})"
        dims = (str(layers), N, str(size)) if batched else (str(layers), str(size))
        return names, "(" + ", ".join(dims) + ")"

    def given(t):
        if t is None:
            return "omitted: zeros"
        if isinstance(t, torch.Tensor):
            return _shape(t.shape)
        return type(t).__name__

    def mark(text, bad, t=None):
        if input_problem is not None and t is not None:  # h0 given, x wrong: undecided
            return "? " + text
        return ("✗ " if bad else "✓ ") + text

    hidden_problem = None if input_problem else _hidden_problems(rnn, x, h0)
    x_names_full = f"{x_names}"
    rows = [
        (
            "input x",
            layout,
            f"{x_names_full} = ({', '.join(x_dims)})",
            mark(given(x), input_problem is not None),
        )
    ]
    is_lstm = isinstance(rnn, nn.LSTM)
    h0_given = h0[0] if (is_lstm and isinstance(h0, tuple) and len(h0) == 2) else h0
    names, dims = state_dims(H_out, h_name)
    rows.append(
        (
            "h0",
            "never batch-first",
            f"{names} = {dims}",
            mark(given(h0_given), hidden_problem is not None, h0_given),
        )
    )
    if is_lstm:
        c_names, c_dims = state_dims(H)
        c0 = h0[1] if isinstance(h0, tuple) and len(h0) == 2 else None
        rows.append(
            (
                "c0",
                "never batch-first",
                f"{c_names} = {c_dims}",
                mark(given(c0), hidden_problem is not None, c0),
            )
        )
    rows.append(("output", layout, f"{out_names} = ({', '.join(out_dims)})", "returned"))
    rows.append(("h_n", "never batch-first", f"{names} = {dims}", "returned"))
    if is_lstm:
        rows.append(("c_n", "never batch-first", f"{c_names} = {c_dims}", "returned"))

    notes = [
        f"D = {D} direction{'s' if D == 2 else ''}, num_layers = {rnn.num_layers}, "
        f"H_in = {rnn.input_size}, H = {H}"
        + (f", proj_size = {H_out}" if is_lstm and H_out != H else "")
    ]
    problem = input_problem or hidden_problem
    if problem:
        notes.append(problem)
    elif batched and not rnn.batch_first:
        notes.append(
            f"batch_first=False reads dimension 0 of x as time: L={L} steps of N={N} "
            "sequences. A DataLoader batch is (N, L, H_in): use batch_first=True for it."
        )
    elif not batched and rnn.batch_first:
        notes.append(
            f"batch_first=True is ignored for a 2-D x: it is read as ONE sequence of L={L} "
            "steps. A batch of N single steps needs a time dimension: x.unsqueeze(1)."
        )
    return ShapeTable(_module_title(rnn), rows, notes)


def check_predictions(predictions, labels=None, *, batch_size=None) -> None:
    """Check that a model's predictions hold one row per sequence, ``(N, out)`` or ``(N,)``.

    It catches the head applied to the wrong tensor: a ``Linear`` given the whole h_n
    ``(D*num_layers, N, H)`` returns ``(D*num_layers, N, out)``, and one given the whole
    batch-first ``output`` returns ``(N, L, out)``; neither raises in PyTorch.

    Shapes:
        predictions: (N, out) or (N,); labels: (N,) or (N, ...), only its length is read.

    Raises:
        TypeError: ``predictions`` is not a tensor, or neither ``labels`` nor ``batch_size`` is
            given.
        ShapeError: the predictions are not one row per sequence; the message names the likely
            cause and the fix.

    Used in: 03_batch_first.
    """
    N = _told_batch_size(batch_size, labels)
    if N is None:
        raise TypeError("check_predictions needs the batch size: give labels=y or batch_size=N")
    if not isinstance(predictions, torch.Tensor):
        raise TypeError(f"predictions must be a torch.Tensor, got {type(predictions).__name__}")
    shape = tuple(predictions.shape)
    if predictions.dim() in (1, 2) and shape[0] == N:
        return
    if predictions.dim() == 3 and shape[1] == N:
        raise ShapeError(
            f"predictions have shape {_shape(shape)}: 3-D, with N = {N} in dimension 1. That "
            "is what a Linear head returns when it is given the whole h_n, (D*num_layers, N, "
            f"H): it predicts from every layer's and direction's final state, {shape[0]} "
            "predictions per sequence. Fix: give the head h_n[-1], the last layer's final "
            "state (N, H) (bidirectional: torch.cat([h_n[-2], h_n[-1]], dim=1), (N, 2*H))"
        )
    if predictions.dim() == 3 and shape[0] == N:
        raise ShapeError(
            f"predictions have shape {_shape(shape)}: 3-D, with N = {N} in dimension 0. That "
            "is what a Linear head returns when it is given the whole batch-first output, "
            f"(N, L, D*H): one prediction per time step, {shape[1]} per sequence. Fix: give "
            "the head the last step, output[:, -1] (N, D*H)"
        )
    raise ShapeError(
        f"predictions have shape {_shape(shape)}, but a batch of N = {N} sequences needs one "
        "row per sequence: (N, out) or (N,)"
    )


class SilentBug(NamedTuple):
    """A shape mistake that PyTorch runs without an error, and whether a shape check sees it."""

    name: str
    symptom: str
    caught_by: str  # the call that catches it, or why no shape check can


#: The five silent bugs of chapter 03 (the carried state is proven in chapter 05), in order.
SILENT_BUGS = (
    SilentBug(
        "batch-first x, sequence-first RNN",
        "h_n is (D*num_layers, L, H)",
        "check_inputs(rnn, x, batch_size=N), when N != L",
    ),
    SilentBug(
        "N single steps as a 2-D x",
        "one sequence of N steps; h_n is (D*num_layers, H)",
        "check_inputs(rnn, x, batch_size=N), when N > 1",
    ),
    SilentBug(
        "reshape instead of permute",
        "right shape, numbers mixed up",
        "none: no shape check can (the shape is right)",
    ),
    SilentBug(
        "Linear on the whole h_n",
        "predictions are (D*num_layers, N, out)",
        "check_predictions(predictions, labels)",
    ),
    SilentBug(
        "final state carried into the next call",
        "every shape right, the state leaks",
        "none: no shape check can (every shape is right)",
    ),
)
