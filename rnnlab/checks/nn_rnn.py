"""Checkers of the chapter on From the cell loop to nn.RNN (predicted_shapes serves 02-05).

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import torch
from torch import nn

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _as_shape, _not_attempted

__all__ = ["predicted_shapes", "forum_inputs"]


def predicted_shapes(rnn: nn.RNNBase, x: torch.Tensor, output_shape, h_n_shape) -> Result:
    """Exercise: predict the shapes of ``output`` and ``h_n`` that ``rnn(x)`` returns.

    The checker runs ``rnn(x)`` itself and compares; hints name the classic mistakes (N and L
    swapped, D forgotten, h_n taken as batch-first).

    Shapes: answers are tuples such as (N, L, D*H).

    Used in: 02_nn_rnn, 03_batch_first, 04_stacked, 05_bidirectional.
    """
    pending = _not_attempted(output_shape, h_n_shape)
    if pending is not None:
        return pending
    out_answer, h_answer = _as_shape(output_shape), _as_shape(h_n_shape)
    if out_answer is None or h_answer is None:
        return Result(INCORRECT, "give each shape as a tuple of whole numbers, e.g. (2, 7, 3)")
    with torch.no_grad():
        output, h_n = rnn(x)
    out_want, h_want = tuple(output.shape), tuple(h_n.shape)
    D = 2 if rnn.bidirectional else 1
    if out_answer != out_want:
        if len(out_want) == 3 and out_answer == (out_want[1], out_want[0], out_want[2]):
            return Result(
                INCORRECT,
                f"output: L and N are swapped. This RNN has "
                f"batch_first={rnn.batch_first}: which comes first?",
            )
        if D == 2 and out_answer[:-1] == out_want[:-1] and out_answer[-1] == rnn.hidden_size:
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
        if h_answer[0] in (rnn.num_layers, D) and h_answer[0] != h_want[0]:
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


def _forum_rnn() -> nn.RNN:
    rnn = nn.RNN(1, 1, 1)
    with torch.no_grad():
        for name, value in zip(
            ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), (2.0, 3.0, 4.0, 5.0)
        ):
            getattr(rnn, name).fill_(value)
    return rnn


def forum_inputs(x, h0) -> Result:
    """Exercise: build ``x`` (the inputs 1..9) and ``h0`` (zeros) so that the forum's
    ``nn.RNN(1, 1, 1)`` runs on them, as one unbatched sequence or as a batch of one.

    Shapes: x (L, H_in) or (L, N, H_in); h0 (D*num_layers, H) or (D*num_layers, N, H).

    Used in: 02_nn_rnn.
    """
    pending = _not_attempted(x, h0)
    if pending is not None:
        return pending
    if not isinstance(x, torch.Tensor) or not isinstance(h0, torch.Tensor):
        return Result(INCORRECT, "x and h0 must both be tensors")
    if x.dim() == 1:
        return Result(
            INCORRECT,
            "x needs a feature dimension: nn.RNN reads the last dimension "
            "as the features of one step",
        )
    if not x.is_floating_point() or x.dtype != torch.float32:
        return Result(INCORRECT, "x must hold float32 numbers, like the RNN's weights")
    if x.dim() == 3 and x.shape[:2] == (1, 9):
        return Result(
            INCORRECT,
            "that is one time step of 9 sequences: this RNN is sequence-first, (L, N, H_in)",
        )
    if x.dim() not in (2, 3) or x.shape[-1] != 1:
        return Result(INCORRECT, "x is one sequence of 9 steps with one feature each")
    if x.numel() != 9 or not torch.equal(x.flatten(), torch.arange(1.0, 10.0)):
        return Result(INCORRECT, "x should hold the forum's inputs 1, 2, ..., 9 in order")
    if h0.dim() != x.dim():
        return Result(
            INCORRECT,
            "h0 has as many dimensions as x: 2-D for one unbatched sequence, 3-D for a batch",
        )
    if h0.numel() != 1:
        return Result(
            INCORRECT,
            "h0 holds one state per layer and direction (and per sequence "
            "of a batch), each of size H = hidden_size; the sequence "
            "length is not part of it",
        )
    if h0.dtype != torch.float32 or h0.item() != 0.0:
        return Result(INCORRECT, "start from a float32 hidden state of zeros")
    _forum_rnn()(x, h0)  # the forum's call now runs
    return Result(CORRECT, "rnn(x, h0) runs: 9 steps of one feature, one hidden state of size 1")
