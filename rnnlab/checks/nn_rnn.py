"""Checkers of the chapter on From the cell loop to nn.RNN (predicted_shapes serves 02-05).

Every checker that builds or runs an RNN does it inside ``torch.random.fork_rng``, so checking an
answer never changes the notebook's random numbers.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import torch
from torch import nn

from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    Result,
    _not_attempted,
)
from rnnlab.checks.rnn_cell import _as_tensor, _rel_error, _run_limited, _shape_answer

__all__ = ["hidden_size_message", "last_step_states", "predicted_shapes"]


def predicted_shapes(rnn: nn.RNNBase, x: torch.Tensor, output_shape, h_n_shape) -> Result:
    """Exercise: predict the shapes of ``output`` and ``h_n`` that ``rnn(x)`` returns.

    The checker runs ``rnn(x)`` itself and compares; hints name the classic mistakes (N and L
    swapped, D forgotten, h_n taken as batch-first). Answers may be tuples, lists,
    ``torch.Size`` or hold NumPy integers.

    Shapes: answers are tuples such as (N, L, D*H).

    Raises:
        TypeError: ``rnn`` is not an RNN module or ``x`` is not a tensor (the exercise's own
        setup is wrong, not the student's answer).

    Used in: 02_nn_rnn, 03_batch_first, 04_stacked, 05_bidirectional.
    """
    if not isinstance(rnn, nn.RNNBase) or not isinstance(x, torch.Tensor):
        raise TypeError(
            f"predicted_shapes(rnn, x, ...) needs an nn.RNN/GRU/LSTM and a tensor; got "
            f"{type(rnn).__name__} and {type(x).__name__}"
        )
    pending = _not_attempted(output_shape, h_n_shape)
    if pending is not None:
        return pending
    out_answer, h_answer = _shape_answer(output_shape), _shape_answer(h_n_shape)
    if out_answer is None or h_answer is None:
        return Result(INCORRECT, "give each shape as a tuple of whole numbers, e.g. (2, 7, 3)")
    with torch.no_grad(), torch.random.fork_rng(devices=[]):  # dropout would draw numbers
        output, h_n = rnn(x)
    if isinstance(h_n, tuple):  # an LSTM returns (h_n, c_n)
        h_n = h_n[0]
    out_want, h_want = tuple(output.shape), tuple(h_n.shape)
    D = 2 if rnn.bidirectional else 1
    if out_answer != out_want:
        if len(out_want) == 3 and out_answer == (out_want[1], out_want[0], out_want[2]):
            return Result(
                INCORRECT,
                f"output: L and N are swapped. This RNN has "
                f"batch_first={rnn.batch_first}: which comes first?",
            )
        if (
            D == 2
            and len(out_answer) == len(out_want)
            and out_answer[:-1] == out_want[:-1]
            and out_answer[-1] == rnn.hidden_size
        ):
            return Result(
                INCORRECT,
                "output: a bidirectional RNN puts both directions side by "
                "side, so its last dimension is D*H",
            )
        return Result(
            INCORRECT,
            "output holds the top layer's hidden state at every time step "
            "of every sequence, laid out like x",
        )
    if h_answer != h_want:
        if len(h_want) == 3 and h_answer == (h_want[1], h_want[0], h_want[2]):
            return Result(
                INCORRECT,
                "output is right. h_n never follows batch_first: its first "
                "dimension is always D*num_layers",
            )
        if (
            len(h_answer) == len(h_want)
            and h_answer[0] in (rnn.num_layers, D)
            and h_answer[0] != h_want[0]
        ):
            return Result(
                INCORRECT,
                "output is right. h_n holds one final state per layer AND "
                "per direction: D*num_layers of them",
            )
        return Result(
            INCORRECT,
            "output is right. h_n holds the final hidden state of every "
            "layer and direction, (D*num_layers, N, H), or without N for "
            "unbatched input",
        )
    return Result(
        CORRECT,
        "output is laid out like x with D*H features; h_n is "
        "(D*num_layers, N, H) whatever batch_first says",
    )


_MESSAGE = re.compile(r"Expected hidden size \(([\d, ]+)\), got \[([\d, ]+)\]")


def _hidden_size_shapes(rnn: nn.RNN, x: torch.Tensor, h0: torch.Tensor) -> tuple | None:
    """The two shapes in PyTorch's "Expected hidden size ..., got ..." message, or None."""
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            rnn(x, h0)
    except RuntimeError as err:
        found = _MESSAGE.search(str(err))
        if found:
            return tuple(
                tuple(int(v) for v in group.split(",") if v.strip()) for group in found.groups()
            )
    return None


def hidden_size_message(rnn: nn.RNN, x: torch.Tensor, h0: torch.Tensor, expected, got) -> Result:
    """Exercise (predict, then check): the two shapes in the RuntimeError
    "Expected hidden size (...), got [...]" that ``rnn(x, h0)`` raises for an unbatched ``x`` and
    a 2-D ``h0`` of the wrong size.

    The checker makes the call itself and reads the message, so it agrees with the installed
    PyTorch.

    Shapes: x (L, H_in) unbatched; h0 2-D; answers are tuples such as (1, 1, H).

    Raises:
        ValueError: ``rnn(x, h0)`` does not raise that error (the exercise's setup is wrong).

    Used in: 02_nn_rnn.
    """
    shapes = _hidden_size_shapes(rnn, x, h0)
    if shapes is None:
        raise ValueError(
            "hidden_size_message needs a call rnn(x, h0) that raises PyTorch's 'Expected hidden "
            "size' error; this one does not. Use an unbatched x (L, H_in) and a 2-D h0 whose "
            "last dimension is not hidden_size"
        )
    want_expected, want_got = shapes
    pending = _not_attempted(expected, got)
    if pending is not None:
        return pending
    e, g = _shape_answer(expected), _shape_answer(got)
    if e is None or g is None:
        return Result(INCORRECT, "give each shape as a tuple of whole numbers, e.g. (2, 7, 3)")
    if (e, g) == (want_expected, want_got):
        return Result(
            CORRECT,
            "PyTorch gives the unbatched input and its h0 a batch dimension of 1 before it "
            "checks h0, so the message speaks of 3-D shapes",
        )
    if (e, g) == (want_expected[::2], want_got[::2]):
        return Result(
            INCORRECT,
            "those are 2-D shapes (the h0 expected, the h0 you passed); the message shows "
            "them after PyTorch adds a batch dimension of 1 to the unbatched input and its h0",
        )
    if e != want_expected:
        if len(e) == 3 and e[1] == x.shape[0] and e[0] == want_expected[0]:
            return Result(
                INCORRECT,
                "expected: the middle dimension of h0 is the batch N, not the sequence length",
            )
        if len(e) == 3 and sorted(e) == sorted(want_expected):
            return Result(
                INCORRECT,
                "expected: the right numbers in the wrong order; h0 is (D*num_layers, N, H)",
            )
        return Result(
            INCORRECT,
            "expected is the shape h0 should have, (D*num_layers, N, H), once the input has "
            "been given a batch dimension",
        )
    if len(g) == 3 and sorted(g) == sorted(want_got):
        return Result(
            INCORRECT,
            "expected is right. got: the right numbers in the wrong order; where does "
            "PyTorch insert the batch dimension of h0?",
        )
    return Result(
        INCORRECT,
        "expected is right. got is the h0 you passed, after PyTorch added the batch dimension",
    )


def _probe_rnns():
    gen = torch.Generator().manual_seed(303)
    for H_in, H, N, L in ((3, 5, 4, 6), (2, 3, 7, 5)):  # all different in each probe
        with torch.random.fork_rng(devices=[]):
            rnn = nn.RNN(H_in, H)
        with torch.no_grad():
            for p in rnn.parameters():
                p.copy_(torch.randn(p.shape, generator=gen))
        yield rnn, torch.randn(N, L, H_in, generator=gen)  # (N, L, H_in)


def last_step_states(last_states: Callable) -> Result:
    """Exercise (find the bug): ``last_states(rnn, x)`` returns the final hidden state of every
    sequence of a batch-first ``x`` for a one-layer, sequence-first ``nn.RNN``; the given
    version runs, has the right shape and is wrong.

    Checked on two RNNs and batches of different sizes (L != N != H_in != H).

    Shapes: x (N, L, H_in) -> (N, H).

    Used in: 02_nn_rnn.
    """
    pending = _not_attempted(last_states)
    if pending is not None:
        return pending
    if not callable(last_states):
        return Result(INCORRECT, "give the function itself, not its result")
    for rnn, x in _probe_rnns():
        N, L, _ = x.shape
        with torch.no_grad():
            output, h_n = rnn(x.permute(1, 0, 2))  # (N, L, H_in) -> (L, N, H_in)
            want = h_n[0]  # (1, N, H) -> (N, H)
            got, failed = _run_limited(last_states, rnn, x.clone())
            if failed is not None:
                return failed
            got = _as_tensor(got)
            if got is None:
                return Result(INCORRECT, "your function should return a tensor of shape (N, H)")
            if got.shape == h_n.shape:
                return Result(
                    INCORRECT,
                    "shape (1, N, H): h_n keeps a first dimension for the layer; take the "
                    "layer's states out of it",
                )
            if got.shape == output.shape:
                return Result(
                    INCORRECT, "that is output, every step's state (L, N, H); keep one step"
                )
            if got.shape == (L, rnn.hidden_size):
                unpermuted = rnn(x)[0][-1]  # (N, L, H_in) read as (L, N, H_in)
                if _rel_error(got, unpermuted) < 1e-5:
                    return Result(
                        INCORRECT,
                        "shape (L, H): the batch-first x went into the sequence-first RNN "
                        "without permute, so it read N steps of L sequences",
                    )
                return Result(
                    INCORRECT,
                    "shape (L, H): that indexes output as if it were batch-first; after the "
                    "permute it is (L, N, H)",
                )
            if got.shape != want.shape:
                return Result(
                    INCORRECT,
                    f"the final states are (N, H), one per sequence; yours has shape "
                    f"{tuple(got.shape)}",
                )
            error = _rel_error(got, want)
            if error < 1e-5:
                continue
            if _rel_error(got, output[0]) < 1e-5:
                return Result(
                    NOT_ATTEMPTED,
                    "this still returns what the buggy version returns: which time step does "
                    "it pick?",
                )
            if L > 1 and _rel_error(got, output[-2]) < 1e-5:
                return Result(INCORRECT, "that is the state one step before the end")
            return Result(
                INCORRECT,
                f"the states differ from the RNN's final states (relative error {error:.1e})",
            )
    return Result(CORRECT, "your function returns the state after the last step, h_n[0]")
