"""Checkers of the chapter on A stacked RNN.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student

__all__ = ["layer_state"]


def _probe_rnn(seed: int, **kwargs) -> nn.RNN:
    torch.manual_seed(seed)
    return nn.RNN(**kwargs)


def layer_state(select: Callable) -> Result:
    """Exercise: write ``select(state, k)`` returning the entries of layer k of a stacked RNN's
    state_dict, renamed as a one-layer RNN expects (``weight_ih_l1`` -> ``weight_ih_l0``).

    Used in: 04_stacked.
    """
    pending = _not_attempted(select)
    if pending is not None:
        return pending
    if not callable(select):
        return Result(INCORRECT, "give a function, def select(state, k): ...")
    for bidirectional in (False, True):
        rnn = _probe_rnn(3, input_size=2, hidden_size=3, num_layers=3, bidirectional=bidirectional)
        state = rnn.state_dict()
        for k in range(3):
            got, failed = _run_student(select, state, k)
            if failed is not None:
                return failed
            if not hasattr(got, "keys"):
                return Result(INCORRECT, "return a dict from names to tensors")
            names = set(got.keys())
            if any(f"_l{k}" in name for name in names) and k != 0:
                return Result(
                    INCORRECT,
                    "the keys still name layer k: a one-layer RNN only has "
                    "keys ending in _l0 (and _l0_reverse)",
                )
            want = {
                key.replace(f"_l{k}", "_l0"): value
                for key, value in state.items()
                if key.endswith(f"_l{k}") or key.endswith(f"_l{k}_reverse")
            }
            if names != set(want):
                missing = (
                    "_reverse"
                    if bidirectional and not any(n.endswith("_reverse") for n in names)
                    else ""
                )
                if missing:
                    return Result(
                        INCORRECT,
                        "works without directions; a bidirectional RNN "
                        "also has keys ending in _reverse: keep them",
                    )
                return Result(INCORRECT, "select every key of layer k, and only those")
            if not all(torch.equal(got[name], want[name]) for name in want):
                return Result(
                    INCORRECT, "the names are right but some tensors come from another layer"
                )
    return Result(CORRECT, "each layer's weights, renamed to _l0, for one or two directions")
