"""Checkers of the chapter on A stacked RNN.

Every probe RNN is built inside ``torch.random.fork_rng``, and every probe input comes from a
local ``torch.Generator``: a checker never moves the notebook's global random state. Probe sizes
are all different (H_in = 8, H = 5, L = 7, N = 4, num_layers = 3 where D = 1 or 2), so that a
wrong answer cannot coincide with the right one.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import torch
from torch import nn

from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student

__all__ = ["layer_state", "stacked_head"]

#: Probe sizes, all different: H_in, H, L, N.
H_IN, H, L, N = 8, 5, 7, 4


def _probe_rnn(seed: int, **kwargs) -> nn.RNN:
    """An ``nn.RNN`` with reproducible weights, built without touching the global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return nn.RNN(**kwargs)


def _probe_input(seed: int, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def _same(a, b) -> bool:
    """Same shape and close values (float64 tolerance of the course's comparisons)."""
    return (
        isinstance(a, torch.Tensor)
        and a.shape == b.shape
        and a.dtype.is_floating_point
        and bool(torch.allclose(a.detach().double(), b.detach().double(), atol=1e-5, rtol=1e-4))
    )


def _rel_error(a: torch.Tensor, b: torch.Tensor) -> float:
    a, b = a.detach().double(), b.detach().double()
    return float((a - b).norm() / b.norm().clamp_min(1e-12))


def layer_state(select: Callable) -> Result:
    """Exercise: write ``select(state, k)`` returning the entries of layer k of a stacked RNN's
    state_dict, renamed as a one-layer RNN expects (``weight_ih_l1`` -> ``weight_ih_l0``).

    The probes have 3 and 12 layers, with one and two directions: ``"_l1" in name`` also matches
    ``_l10`` and ``_l11``, and selecting by position breaks when a layer has 8 entries.

    Shapes: layer k's ``weight_ih`` is (H, H_in) for k = 0 and (H, D*H) above.

    Used in: 04_stacked.
    """
    pending = _not_attempted(select)
    if pending is not None:
        return pending
    if not callable(select):
        return Result(INCORRECT, "give a function, def select(state, k): ...")
    for num_layers, bidirectional in ((3, False), (3, True), (12, False)):
        rnn = _probe_rnn(
            3, input_size=H_IN, hidden_size=H, num_layers=num_layers, bidirectional=bidirectional
        )
        state = rnn.state_dict()
        for k in range(num_layers):
            got, failed = _run_student(select, dict(state), k)
            if failed is not None:
                return failed
            if not hasattr(got, "keys") or not hasattr(got, "__getitem__"):
                return Result(INCORRECT, "return a dict from names to tensors")
            names = set(got.keys())
            want = {
                re.sub(r"_l\d+", "_l0", key): value
                for key, value in state.items()
                if re.search(rf"_l{k}(_reverse)?$", key)
            }
            if names == set(want):
                if not all(
                    isinstance(got[name], torch.Tensor) and torch.equal(got[name], want[name])
                    for name in want
                ):
                    longer = [j for j in range(num_layers) if j != k and str(j).startswith(str(k))]
                    if any(
                        torch.equal(got[name], state[re.sub(r"_l0", f"_l{j}", name)])
                        for j in longer
                        for name in want
                        if isinstance(got[name], torch.Tensor)
                    ):
                        return Result(
                            INCORRECT,
                            "with 12 layers, '_l1' is also inside '_l10' and '_l11': "
                            "match the end of the key, not a piece of it",
                        )
                    return Result(
                        INCORRECT, "the names are right but some tensors come from another layer"
                    )
                continue
            if k != 0 and any(re.search(rf"_l{k}(_reverse)?$", name) for name in names):
                return Result(
                    INCORRECT,
                    "the keys still name layer k: a one-layer RNN only has "
                    "keys ending in _l0 (and _l0_reverse)",
                )
            if bidirectional and not any(name.endswith("_reverse") for name in names):
                return Result(
                    INCORRECT,
                    "works without directions; a bidirectional RNN "
                    "also has keys ending in _reverse: keep them",
                )
            if num_layers >= 10 and names > set(want):
                return Result(
                    INCORRECT,
                    "with 12 layers, '_l1' is also inside '_l10' and '_l11': "
                    "match the end of the key, not a piece of it",
                )
            return Result(INCORRECT, "select every key of layer k, and only those")
    return Result(CORRECT, "each layer's weights, renamed to _l0, for one or two directions")


def _head_verdict(model_class, configs, candidates, correct_message: str) -> Result:
    """Run ``model_class(H_in, H, num_layers, n_classes)`` on probe inputs and compare its
    logits with the right ones (``candidates["right"]``) and with each known mistake.

    ``candidates(model, x)`` returns the right logits and a list of (verdict, logits), one per
    known mistake; the first mistake whose logits match gives its verdict.
    """
    pending = _not_attempted(model_class)
    if pending is not None:
        return pending
    if not callable(model_class):
        return Result(INCORRECT, "give the class itself, class Classifier(nn.Module): ...")
    for seed, (num_layers, bidirectional) in enumerate(configs):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(100 + seed)
            model, failed = _run_student(model_class, H_IN, H, num_layers, 2)
        if failed is not None:
            return failed
        rnn, head = getattr(model, "rnn", None), getattr(model, "head", None)
        if not isinstance(rnn, nn.RNN) or not isinstance(head, nn.Linear):
            return Result(
                INCORRECT, "keep the two parts of the model as they are: self.rnn and self.head"
            )
        if rnn.bidirectional != bidirectional or rnn.num_layers != num_layers:
            return Result(
                INCORRECT,
                "build self.rnn from the arguments (num_layers, bidirectional as given): "
                "the bug is in forward",
            )
        model.eval()
        x = _probe_input(seed, N, L, H_IN)  # (N, L, H_in)
        with torch.no_grad():
            logits, failed = _run_student(model, x)
            if failed is not None:
                return failed
            right, mistakes = candidates(model, x)
        if not isinstance(logits, torch.Tensor) or logits.shape != right.shape:
            return Result(INCORRECT, "forward should return logits of shape (N, n_classes)")
        if _same(logits, right):
            continue
        for verdict, wrong in mistakes:
            if _same(logits, wrong):
                return verdict
        return Result(
            INCORRECT,
            f"the logits differ from the right ones (relative error "
            f"{_rel_error(logits, right):.2e}, num_layers={num_layers})",
        )
    return Result(CORRECT, correct_message)


def stacked_head(model_class) -> Result:
    """Exercise (find the bug): a classifier on a stacked RNN reads ``h_n[0]``, the final state
    of layer 0, instead of the last layer's. Fix ``forward``; the checker builds the class with
    ``num_layers`` = 2 and 3 and compares the logits with ``head(h_n[-1])``.

    Shapes: x (N, L, H_in) batch-first; h_n (num_layers, N, H); logits (N, n_classes).

    Used in: 04_stacked.
    """

    def candidates(model, x):
        output, h_n = model.rnn(x)  # (N, L, H), (num_layers, N, H)
        mistakes = [
            (
                Result(
                    INCORRECT,
                    "you read h_n[0], the final state of layer 0: the classifier should read "
                    "the last layer's, the one output ends with",
                ),
                model.head(h_n[0]),
            ),
            (
                Result(
                    INCORRECT,
                    "output[:, 0] is the first time step: the final state is at the last one",
                ),
                model.head(output[:, 0]),
            ),
        ]
        if model.rnn.num_layers > 2:
            mistakes.append(
                (
                    Result(
                        INCORRECT,
                        "h_n[1] is layer 1's final state: right for two layers only. Which "
                        "index is the last layer whatever num_layers is?",
                    ),
                    model.head(h_n[1]),
                )
            )
        return model.head(h_n[-1]), mistakes

    return _head_verdict(
        model_class,
        [(2, False), (3, False)],
        candidates,
        "the head reads the last layer's final state, h_n[-1] (the same as output[:, -1])",
    )
