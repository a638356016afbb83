"""Checkers of the chapter on gradients through time (backpropagation through time by hand).

Every checker builds its own small problem from a local ``torch.Generator`` inside
``torch.random.fork_rng``, so the notebook's random state is left as it was; numbers are compared
in float64 with the relative error printed.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
from torch import nn

from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    Result,
    _as_number,
    _not_attempted,
    _run_student,
)

__all__ = ["backward_step", "clipped_step", "predicted_norm"]

_L, _N, _H_IN, _H = 5, 3, 2, 4  # all different, so no transpose can pass unseen


def _relative_error(got: torch.Tensor, want: torch.Tensor) -> float:
    return ((got - want).norm() / want.norm().clamp_min(1e-300)).item()


def _shown(rel: float) -> str:
    """A relative error as text that does not flicker between runs: tiny ones as a bound."""
    return "below 1e-12" if rel < 1e-12 else f"{rel:.1e}"


def _probe_sequence():
    """A tanh RNN unrolled by hand in float64: its states, its loss weights and autograd's
    dL/dweight_hh and dL/dh0 for loss = sum_t <grad_output[t], h_t>."""
    gen = torch.Generator().manual_seed(6)
    f64 = {"generator": gen, "dtype": torch.float64}
    weight_ih = torch.randn(_H, _H_IN, **f64) * 0.6  # (H, H_in)
    weight_hh = (torch.randn(_H, _H, **f64) * 0.5).requires_grad_()  # (H, H), not symmetric
    bias = torch.randn(_H, **f64) * 0.3  # b_ih + b_hh, (H,)
    x = torch.randn(_L, _N, _H_IN, **f64)  # (L, N, H_in)
    h0 = torch.randn(_N, _H, **f64).requires_grad_()  # (N, H)
    grad_output = torch.randn(_L, _N, _H, **f64)  # (L, N, H): dL/doutput
    states = [h0]
    for t in range(_L):
        states.append(torch.tanh(x[t] @ weight_ih.T + bias + states[-1] @ weight_hh.T))
    loss = (torch.stack(states[1:]) * grad_output).sum()
    want_w, want_h0 = torch.autograd.grad(loss, [weight_hh, h0])
    h = [s.detach() for s in states]  # h[0] = h0, h[t + 1] = the state after step t
    return h, weight_hh.detach(), grad_output, want_w, want_h0


def _loop(step: Callable, h, weight_hh, grad_output):
    """Run ``step`` from t = L-1 down to 0: (dL/dweight_hh, dL/dh0), or (None, Result)."""
    carried = torch.zeros(_N, _H, dtype=torch.float64)  # nothing comes back after the last step
    grad_w = torch.zeros(_H, _H, dtype=torch.float64)
    for t in range(_L - 1, -1, -1):
        args = (grad_output[t].clone(), carried.clone(), h[t + 1].clone(), h[t].clone())
        got, failed = _run_student(step, *args, weight_hh.clone())
        if failed is not None:
            return None, failed
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            return None, Result(
                INCORRECT, "return a pair (grad_h_prev, grad_weight_hh_t), two tensors"
            )
        grad_h_prev, share = got
        if not (isinstance(grad_h_prev, torch.Tensor) and isinstance(share, torch.Tensor)):
            return None, Result(INCORRECT, "return two tensors, (grad_h_prev, grad_weight_hh_t)")
        if tuple(grad_h_prev.shape) != (_N, _H):
            return None, Result(
                INCORRECT,
                f"grad_h_prev is dL/dh_(t-1), shaped like h_(t-1), (N, H); yours has shape "
                f"{tuple(grad_h_prev.shape)}",
            )
        if tuple(share.shape) != (_H, _H):
            return None, Result(
                INCORRECT,
                f"grad_weight_hh_t is shaped like weight_hh, (H, H); yours has shape "
                f"{tuple(share.shape)}",
            )
        carried = grad_h_prev.detach().to(torch.float64)
        grad_w = grad_w + share.detach().to(torch.float64)
    return (grad_w, carried), None


# Each known mistake as a step function, with the hint it earns.
def _right(g_out, g_next, h_t, h_prev, w):
    grad_a = (g_out + g_next) * (1 - h_t**2)
    return grad_a @ w, grad_a.T @ h_prev


# Each known mistake as a step function; backward_step names the faulty term for each.
_MISTAKES = {
    "no grad_next": lambda g_out, g_next, h_t, h_prev, w: (
        (g_out * (1 - h_t**2)) @ w,
        (g_out * (1 - h_t**2)).T @ h_prev,
    ),
    "tanh of h_t": lambda g_out, g_next, h_t, h_prev, w: _right(
        g_out, g_next, torch.tanh(h_t), h_prev, w
    ),
    "no slope": lambda g_out, g_next, h_t, h_prev, w: (
        (g_out + g_next) @ w,
        (g_out + g_next).T @ h_prev,
    ),
    "slope of h_prev": lambda g_out, g_next, h_t, h_prev, w: _right(
        g_out, g_next, h_prev, h_prev, w
    ),
    "carry transposed": lambda g_out, g_next, h_t, h_prev, w: (
        _right(g_out, g_next, h_t, h_prev, w.T)[0],
        _right(g_out, g_next, h_t, h_prev, w)[1],
    ),
    "share transposed": lambda g_out, g_next, h_t, h_prev, w: (
        _right(g_out, g_next, h_t, h_prev, w)[0],
        _right(g_out, g_next, h_t, h_prev, w)[1].T,
    ),
    "share of h_t": lambda g_out, g_next, h_t, h_prev, w: (
        _right(g_out, g_next, h_t, h_prev, w)[0],
        _right(g_out, g_next, h_t, h_t, w)[1],
    ),
}


def backward_step(step: Callable) -> Result:
    """Exercise: write ``step(grad_output_t, grad_next, h_t, h_prev, weight_hh)``, one step of
    backpropagation through time for h_t = tanh(x_t W_ih^T + b_ih + h_prev W_hh^T + b_hh),
    returning ``(grad_h_prev, grad_weight_hh_t)``: dL/dh_(t-1) and step t's share of
    dL/dweight_hh. ``grad_output_t`` comes from the output at t, ``grad_next`` from step t+1.

    The checker runs ``step`` from t = L-1 down to 0 over a float64 sequence and compares the
    summed dL/dweight_hh and the final dL/dh0 with autograd's.

    Shapes: grad_output_t, grad_next, h_t, h_prev (N, H); weight_hh (H, H) -> ((N, H), (H, H)).

    Used in: 06_gradients_through_time.
    """
    pending = _not_attempted(step)
    if pending is not None:
        return pending
    if not callable(step):
        return Result(INCORRECT, "give a function, def step(grad_output_t, grad_next, ...): ...")
    with torch.random.fork_rng(devices=[]):
        h, weight_hh, grad_output, want_w, want_h0 = _probe_sequence()
        got, failed = _loop(step, h, weight_hh, grad_output)
        if failed is not None:
            return failed
        grad_w, grad_h0 = got
        rel = max(_relative_error(grad_w, want_w), _relative_error(grad_h0, want_h0))
        if rel <= 1e-9:
            return Result(
                CORRECT,
                f"dL/dweight_hh and dL/dh0 over {_L} steps match autograd (float64), "
                f"relative error {_shown(rel)}",
            )
        mistake = None
        for name, wrong_step in _MISTAKES.items():
            (w_m, h0_m), _ = _loop(wrong_step, h, weight_hh, grad_output)
            if torch.allclose(grad_w, w_m, rtol=1e-7, atol=1e-9) and torch.allclose(
                grad_h0, h0_m, rtol=1e-7, atol=1e-9
            ):
                mistake = name
                break
        shown = _shown(rel)
        if mistake == "no grad_next":
            return Result(
                INCORRECT,
                f"relative error {shown}: your dL/dweight_hh misses the contribution that comes "
                "back from step t+1: dL/dh_t = grad_output_t + grad_next, before tanh",
            )
        if mistake == "tanh of h_t":
            return Result(
                INCORRECT,
                f"relative error {shown}: you used tanh' of the pre-activation, 1 - tanh(a)**2, "
                "with h_t in place of a; h_t is already tanh(a_t), so the slope is 1 - h_t**2",
            )
        if mistake == "no slope":
            return Result(
                INCORRECT,
                f"relative error {shown}: the gradient skips tanh: multiply dL/dh_t by its "
                "slope 1 - h_t**2 first",
            )
        if mistake == "slope of h_prev":
            return Result(
                INCORRECT,
                f"relative error {shown}: the slope belongs to step t's tanh: 1 - h_t**2, not "
                "1 - h_prev**2",
            )
        if mistake == "carry transposed":
            return Result(
                INCORRECT,
                f"relative error {shown}: dL/dh_(t-1) = dL/da_t @ weight_hh: the forward "
                "multiplied h_(t-1) by weight_hh.T, so the backward multiplies by weight_hh "
                "(not weight_hh.T)",
            )
        if mistake == "share transposed":
            return Result(
                INCORRECT,
                f"relative error {shown}: your dL/dweight_hh is transposed: weight_hh has one "
                "row per new hidden unit, so its gradient is dL/da_t.T @ h_prev",
            )
        if mistake == "share of h_t":
            return Result(
                INCORRECT,
                f"relative error {shown}: weight_hh multiplied h_(t-1) at step t: its gradient "
                "uses h_prev, not h_t",
            )
        rel_w = _relative_error(grad_w, want_w)
        if rel_w <= 1e-9:
            return Result(
                INCORRECT,
                f"relative error {_shown(rel)}: dL/dweight_hh is right but dL/dh0 is not: check "
                "what grad_h_prev passes on",
            )
        return Result(
            INCORRECT,
            f"relative error {_shown(rel)}: follow dL/dh_t = grad_output_t + grad_next, "
            "dL/da_t = dL/dh_t * (1 - h_t**2), then dL/da_t @ weight_hh and dL/da_t.T @ h_prev",
        )


def predicted_norm(value) -> Result:
    """Exercise: predict ||dh_T/dh_t|| (the spectral norm, ord=2) for T - t = 10 in a relu RNN
    whose weight_hh is 1.2 times a permutation matrix (orthogonal, entries 0 or 1) and whose
    units all stay active (positive inputs).

    Shapes: one number (a float, an int or a one-element tensor).

    Used in: 06_gradients_through_time.
    """
    pending = _not_attempted(value)
    if pending is not None:
        return pending
    number = _as_number(value)
    if number is None:
        return Result(INCORRECT, "give one number (a float or a one-element tensor)")
    want, steps, scale = 1.2**10, 10, 1.2

    def rel(a: float, b: float) -> float:
        return abs(a - b) / abs(b)

    error = rel(number, want)
    if error <= 5e-3:
        return Result(
            CORRECT,
            f"each of the 10 steps multiplies the norm by 1.2 (relative error {_shown(error)})",
        )

    def near(wrong: float) -> bool:
        return rel(number, wrong) <= 5e-3

    if near(scale * steps):
        return Result(
            INCORRECT,
            f"relative error {error:.1e}: gradients multiply from step to step, they do not add",
        )
    if near(scale ** (steps - 1)):
        return Result(
            INCORRECT,
            f"relative error {error:.1e}: one step short: T - t = 10 steps apply weight_hh "
            "10 times",
        )
    if near(scale ** (steps + 1)):
        return Result(
            INCORRECT,
            f"relative error {error:.1e}: one step too many: T - t = 10 steps apply weight_hh "
            "10 times",
        )
    if near(scale):
        return Result(
            INCORRECT,
            f"relative error {error:.1e}: that is one step; ten steps chain ten Jacobians",
        )
    if near(1.0):
        return Result(
            INCORRECT,
            f"relative error {error:.1e}: relu's slope is 1 for an active unit, but weight_hh "
            "still scales every step",
        )
    if near((1 / scale) ** steps):
        return Result(
            INCORRECT,
            f"relative error {error:.1e}: the norm grows: a scale above 1, multiplied ten times",
        )
    return Result(
        INCORRECT,
        f"relative error {error:.1e}: dh_T/dh_t is a product of one Jacobian per step; what "
        "does a permutation matrix do to a vector's length?",
    )


class _Regressor(nn.Module):
    """A relu RNN with a Linear head on every step: the exploding case of the chapter."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(2, 3, nonlinearity="relu", dtype=torch.float64)
        self.head = nn.Linear(3, 1, dtype=torch.float64)

    def forward(self, x):
        output, _ = self.rnn(x)  # (L, N, H)
        return self.head(output)  # (L, N, H) -> (L, N, 1)


def _clip_probe():
    gen = torch.Generator().manual_seed(11)
    model = _Regressor()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.rand(p.shape, generator=gen, dtype=torch.float64) * 0.5)
        model.rnn.weight_hh_l0.copy_(torch.eye(3, dtype=torch.float64) * 1.4)  # explodes
    x = torch.rand(12, 4, 2, generator=gen, dtype=torch.float64)  # (L, N, H_in), positive
    y = torch.zeros(12, 4, 1, dtype=torch.float64)  # (L, N, 1)
    stale = [torch.randn(p.shape, generator=gen, dtype=torch.float64) for p in model.parameters()]
    return model, x, y, stale


def _reference_step(model, x, y, max_norm, clip=True, keep_stale=False, by_value=False):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    if not keep_stale:
        optimizer.zero_grad()
    ((model(x) - y) ** 2).mean().backward()
    if clip:
        if by_value:
            nn.utils.clip_grad_value_(model.parameters(), max_norm)
        else:
            nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    return [p.detach().clone() for p in model.parameters()]


def clipped_step(train_step: Callable) -> Result:
    """Exercise (find the bug): fix ``train_step(model, x, y, optimizer, max_norm)`` so that one
    SGD step of an exploding relu RNN uses the gradient clipped to norm ``max_norm``.

    The checker calls it once on a model whose ``.grad`` holds an earlier gradient and compares
    the updated parameters with zero_grad, backward, clip_grad_norm_, step.

    Shapes: x (L, N, H_in), y (L, N, 1).

    Used in: 06_gradients_through_time.
    """
    pending = _not_attempted(train_step)
    if pending is not None:
        return pending
    if not callable(train_step):
        return Result(INCORRECT, "give a function, def train_step(model, x, y, optimizer, ...)")
    max_norm = 1.0
    with torch.random.fork_rng(devices=[]):
        model, x, y, stale = _clip_probe()
        before = [p.detach().clone() for p in model.parameters()]

        def fresh(with_stale: bool):
            copied = copy.deepcopy(model)
            for p, g in zip(copied.parameters(), stale):
                p.grad = g.clone() if with_stale else None
            return copied

        student = fresh(True)
        optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
        returned, failed = _run_student(
            lambda: (train_step(student, x, y, optimizer, max_norm),)  # None is an answer here
        )
        if failed is not None:
            return failed
        got = [p.detach() for p in student.parameters()]

        def same(params) -> bool:
            return all(torch.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(got, params))

        untouched = all(
            p.grad is not None and torch.equal(p.grad, g)
            for p, g in zip(student.parameters(), stale)
        )
        if returned[0] is None and untouched and same(before):
            return Result(
                NOT_ATTEMPTED, "train_step does nothing yet: write the fixed training step"
            )

        want = _reference_step(fresh(False), x, y, max_norm)
        rel = _relative_error(
            torch.cat([g.flatten() for g in got]), torch.cat([w.flatten() for w in want])
        )
        if same(want):
            return Result(
                CORRECT,
                f"the step used the clipped gradient (relative error of the parameters "
                f"{_shown(rel)})",
            )
        if same(before):
            return Result(INCORRECT, "the parameters did not change: call optimizer.step()")
        if same(_reference_step(fresh(False), x, y, max_norm, clip=False)):
            return Result(
                INCORRECT,
                "the step used the unclipped gradient: clip_grad_norm_ must run after "
                "backward() (when the gradient exists) and before step() (which uses it)",
            )
        if same(_reference_step(fresh(True), x, y, max_norm, keep_stale=True)) or same(
            _reference_step(fresh(True), x, y, max_norm, clip=False, keep_stale=True)
        ):
            return Result(
                INCORRECT,
                "an earlier gradient was still in .grad and got added: zero_grad() first",
            )
        if same(_reference_step(fresh(False), x, y, max_norm, by_value=True)):
            return Result(
                INCORRECT,
                "clip_grad_value_ clips each entry, which can change the direction; "
                "clip_grad_norm_ scales the whole gradient and keeps its direction",
            )
        return Result(
            INCORRECT,
            f"relative error of the parameters {_shown(rel)}: zero_grad, loss.backward(), "
            "clip_grad_norm_(model.parameters(), max_norm), optimizer.step(), in that order",
        )
