"""Exercises of the chapter on gradients through time (06), defined once, and the older checker
kept for student copies made before the port.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. Probes are built from a local ``torch.Generator`` in float64, with sizes
that are all different (L != N != H) and several parameter values (weight scales, max_norm), so
the notebook's random state is left as it was and a wrong formula cannot match on every probe.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from rnnlab.checks._exercise import Exercise, FormError, Hints, Mistake, Part, Probe, checker

__all__ = ["EXERCISES", "backward_step", "clipped_step", "predicted_norm"]

CHAPTER = "06_gradients_through_time"


def _relative_error(got: torch.Tensor, want: torch.Tensor) -> float:
    return ((got - want).norm() / want.norm().clamp_min(1e-300)).item()


def _shown(rel: float) -> str:
    """A relative error as text that does not flicker between runs: tiny ones as a bound."""
    return "below 1e-12" if rel < 1e-12 else f"{rel:.1e}"


# -- 1. backward_step: one step of the backward pass -------------------------------------------


def _backward_cases(generator):
    """Float64 relu RNNs unrolled by hand, one dict per probe: weight_ih, weight_hh, bias, x, h0,
    the states and dL/doutput (about half the units inactive at each step, so that the slope
    matters; h0 drawn with randn, so some of its units are negative, or zeros as nn.RNN's
    default)."""
    cases = []
    f64 = {"generator": generator, "dtype": torch.float64}
    for L, N, H_in, H, scale, small, h0_kind in (
        (5, 3, 2, 4, 0.5, 1.0, "randn"),
        (4, 2, 3, 5, 0.9, 1.0, "zeros"),
        (6, 4, 2, 3, 0.3, 1.0, "randn"),
        (7, 5, 3, 6, 0.4, 0.002, "zeros"),  # small inputs and bias: many states in (0, 0.01)
    ):
        weight_ih = torch.randn(H, H_in, **f64) * 0.6  # (H, H_in)
        weight_hh = torch.randn(H, H, **f64) * scale  # (H, H), not symmetric
        bias = torch.randn(H, **f64) * 0.3 * small  # b_ih + b_hh, (H,)
        x = torch.randn(L, N, H_in, **f64) * small  # (L, N, H_in)
        h0 = torch.randn(N, H, **f64)  # (N, H): any state, negative entries included
        if h0_kind == "zeros":
            h0 = torch.zeros(N, H, dtype=torch.float64)  # nn.RNN's default h0
        states = [h0]
        for t in range(L):
            states.append(torch.relu(x[t] @ weight_ih.T + bias + states[-1] @ weight_hh.T))
        grad_output = torch.randn(L, N, H, **f64)  # (L, N, H): dL/doutput
        label = f"L={L}, N={N}, H={H}, weight_hh scale {scale}, h0 {h0_kind}"
        if small != 1.0:
            label = f"L={L}, N={N}, H={H}, x and bias x {small}, h0 {h0_kind}"
        cases.append(
            {"label": label, "weight_ih": weight_ih, "weight_hh": weight_hh, "bias": bias,
             "x": x, "h0": h0, "states": torch.stack(states), "grad_output": grad_output}
        )  # fmt: skip
    return cases


def _backward_probes(generator):
    """The cases as probes: (states, weight_hh, dL/doutput); tests/test_checks_gradients.py
    checks the worked solution on them against autograd."""
    return [
        Probe(c["label"], (c["states"], c["weight_hh"], c["grad_output"]))
        for c in _backward_cases(generator)
    ]


def _backward_call(step, states, weight_hh, grad_output):
    """Run ``step`` from t = L-1 down to 0: (dL/dweight_hh summed, dL/dh0)."""
    L, N, H = grad_output.shape
    carried = torch.zeros(N, H, dtype=torch.float64)  # nothing comes back after the last step
    grad_w = torch.zeros(H, H, dtype=torch.float64)
    for t in range(L - 1, -1, -1):
        got = step(grad_output[t], carried, states[t + 1], states[t], weight_hh)
        if got is None:
            return None
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise FormError("return a pair (grad_h_prev, grad_weight_hh_t), two tensors")
        grad_h_prev, share = got
        if not (isinstance(grad_h_prev, torch.Tensor) and isinstance(share, torch.Tensor)):
            raise FormError("return two tensors, (grad_h_prev, grad_weight_hh_t)")
        if tuple(grad_h_prev.shape) != (N, H):
            raise FormError(
                f"grad_h_prev is dL/dh_(t-1), shaped like h_prev; yours has shape "
                f"{tuple(grad_h_prev.shape)}"
            )
        if tuple(share.shape) != (H, H):
            raise FormError(
                f"grad_weight_hh_t is shaped like weight_hh; yours has shape {tuple(share.shape)}"
            )
        for name, value in (("grad_h_prev", grad_h_prev), ("grad_weight_hh_t", share)):
            if value.dtype != torch.float64:
                raise FormError(
                    f"{name} is {value.dtype}; the tensors you are handed are float64, and the "
                    "checker compares with float64 gradients to 1e-9: keep float64 "
                    "(do not convert with .float())"
                )
        carried = grad_h_prev.detach().to(torch.float64)
        grad_w = grad_w + share.detach().to(torch.float64)
    want = _backward_reference(states, weight_hh, grad_output)
    errors = (_relative_error(grad_w, want[0]), _relative_error(carried, want[1]))
    if _blocks_small_states(step):  # wrong on some state in (0, c), even if no probe has one
        raise _CaughtError(_THRESHOLD.nudge)  # a constant text: it matches the known mistake
    if max(errors) >= 1e-9 and max(errors) < 1e-6:  # float64 returned, float32 inside
        raise _CaughtError(_PRECISION.nudge)  # a constant text: it matches the known mistake
    return grad_w, carried


def _blocks_small_states(step) -> bool:
    """Whether ``step`` blocks the gradient of a unit with a small positive state (1e-6) and passes
    that of a unit at 1.0: a mask (h_t > c) with c > 0 instead of (h_t > 0)."""
    f64 = {"dtype": torch.float64}
    h_t = torch.tensor([[1e-6, 1.0, 0.0]], **f64)  # (N, H) = (1, 3): small, large, inactive
    try:
        got = step(torch.ones(1, 3, **f64), torch.zeros(1, 3, **f64), h_t, torch.ones(1, 3, **f64),
                   torch.eye(3, **f64))[0]  # fmt: skip
        return bool(got[0, 0] == 0 and got[0, 1] != 0)
    except Exception:  # noqa: BLE001 - any failure: not this mistake
        return False


class _CaughtError(Exception):
    """A wrong answer the checker's call recognises; its known mistake holds the hints."""


_PRECISION = Hints(
    "close: precision lost, keep float64 throughout",
    "close: precision lost, keep float64 throughout: a float32 tensor inside step keeps about 7 "
    "significant digits, and converting the result back to float64 does not bring them back",
    "close: precision lost. Keep every tensor in step float64: no .float(), no float32 tensor",
)


_THRESHOLD = Hints(
    "relu's slope: where exactly does it change from 0 to 1?",
    "relu's slope is 1 wherever a_t > 0, however small h_t = a_t is: a threshold above 0 blocks "
    "the gradient of units that were active",
    "multiply by (h_t > 0), with 0 as the threshold",
)


def _backward_reference(states, weight_hh, grad_output):
    """The solution's loop in float64: (dL/dweight_hh summed, dL/dh0)."""
    L, N, H = grad_output.shape
    carried = torch.zeros(N, H, dtype=torch.float64)
    grad_w = torch.zeros(H, H, dtype=torch.float64)
    for t in range(L - 1, -1, -1):
        grad_a = (grad_output[t] + carried) * (states[t + 1] > 0)
        carried, grad_w = grad_a @ weight_hh, grad_w + grad_a.T @ states[t]
    return grad_w, carried


def _step(grad_a="(grad_output_t + grad_next) * (h_t > 0)", back="grad_a @ weight_hh",
          share="grad_a.T @ h_prev"):  # fmt: skip
    return f"""\
def step(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = {grad_a}
    return {back}, {share}
"""


_SLOPE = Hints(
    "the slope you multiply by: which activation does this RNN use?",
    "this RNN is relu, h_t = relu(a_t): the chain rule multiplies by relu's slope at a_t, and "
    "h_t tells you where a_t was positive",
    "multiply by (h_t > 0): relu passes the gradient where it was active and blocks it elsewhere",
)

BACKWARD_STEP = Exercise(
    id=f"{CHAPTER}.backward_step",
    version=1,
    title="Write one step of the backward pass of a relu RNN",
    points=3,
    kind="implement",
    starter="""\
def step(grad_output_t, grad_next, h_t, h_prev, weight_hh): ...


checks.backward_step(step)""",
    solution="""\
def step(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = (grad_output_t + grad_next) * (h_t > 0)  # (N, H): both sources, through relu
    return grad_a @ weight_hh, grad_a.T @ h_prev  # (N, H) to step t-1; (H, H) share


checks.backward_step(step)""",
    parts=(
        Part("dL/dweight_hh", "tensor", rtol=1e-9),
        Part("dL/dh0", "tensor", rtol=1e-9),
    ),
    asked=("step",),
    probes=_backward_probes,
    call=_backward_call,
    right="dL/dweight_hh and dL/dh0 over every step of a relu RNN match those of the reference "
    "loop, which the course's tests check against autograd (float64, h0 random or zeros)",
    hints=Hints(
        "write the forward equation of step t and take each term's derivative in turn",
        "dL/dh_t has two sources; relu's slope turns it into dL/da_t; a_t = ... + h_(t-1) "
        "weight_hh^T gives both what goes back to h_(t-1) and weight_hh's share",
        "grad_a = (grad_output_t + grad_next) * (h_t > 0); return grad_a @ weight_hh, "
        "grad_a.T @ h_prev",
    ),
    mistakes=(
        Mistake(
            "buggy_step as given",
            _SLOPE,
            code=_step(grad_a="(grad_output_t + grad_next) * (1 - h_t**2)"),
        ),  # fmt: skip
        Mistake(
            "no grad_next",
            Hints(
                "dL/dh_t: how many sources does it have?",
                "h_t feeds the output at t and step t+1: the gradient from step t+1 (grad_next) "
                "adds to grad_output_t",
                "grad_a = (grad_output_t + grad_next) * (h_t > 0)",
            ),
            code=_step(grad_a="grad_output_t * (h_t > 0)"),
        ),
        Mistake(
            "slope of h_prev",
            Hints(
                "which step's activation decides where the gradient passes?",
                "the slope belongs to step t's relu, the one that made h_t, not to the step before",
                "multiply by (h_t > 0), not (h_prev > 0)",
            ),
            code=_step(grad_a="(grad_output_t + grad_next) * (h_prev > 0)"),
        ),
        Mistake(
            "every unit passes",
            Hints(
                "your gradient passes through every unit: which units does relu block?",
                "relu's slope is 0 where a_t was negative; its output is never negative, so a "
                "test such as h_t >= 0 holds for every unit",
                "multiply (grad_output_t + grad_next) by (h_t > 0)",
            ),
            code=_step(grad_a="(grad_output_t + grad_next) * (h_t >= 0)"),
        ),
        Mistake(
            "carry masked by h_prev",
            Hints(
                "dL/dweight_hh is right. dL/dh0 is not: what does your step assume about h_(t-1)?",
                "dL/dweight_hh is right. Only h_1 ... h_L come out of relu; h0 is whatever the "
                "caller passes (zeros by default, negative entries allowed) and no relu acts on "
                "it, so nothing masks its gradient; every other step's mask is applied at that "
                "step, from h_t",
                "dL/dweight_hh is right. grad_h_prev = grad_a @ weight_hh, with no mask",
            ),
            code=_step(back="(grad_a @ weight_hh) * (h_prev > 0)"),
        ),
        Mistake(
            "carry transposed",
            Hints(
                "dL/dweight_hh is right. dL/dh0 is not: look at what grad_h_prev multiplies",
                "dL/dweight_hh is right. The forward multiplied h_(t-1) by weight_hh.T; the "
                "gradient goes back through the transpose of that",
                "dL/dweight_hh is right. grad_h_prev = grad_a @ weight_hh",
            ),
            code=_step(back="grad_a @ weight_hh.T"),
        ),
        Mistake(
            "share transposed",
            Hints(
                "dL/dweight_hh: check its layout",
                "dL/dweight_hh: weight_hh has one row per new hidden unit, so its gradient "
                "has one row per unit of grad_a",
                "the share is grad_a.T @ h_prev, not its transpose",
            ),
            code=_step(share="h_prev.T @ grad_a"),
        ),
        Mistake(
            "both transposed",
            Hints(
                "dL/dweight_hh and dL/dh0: check the layout of both results",
                "the forward multiplied h_(t-1) by weight_hh.T: what goes back to h_(t-1) is "
                "grad_a @ weight_hh, and weight_hh's share has one row per unit of grad_a",
                "return grad_a @ weight_hh, grad_a.T @ h_prev: neither transposed",
            ),
            code=_step(back="grad_a @ weight_hh.T", share="h_prev.T @ grad_a"),
        ),
        Mistake(
            "relu of h_prev in the share",
            Hints(
                "dL/dh0 is right. dL/dweight_hh: which state did weight_hh multiply at step 1?",
                "dL/dh0 is right. At step 1 weight_hh multiplied h_0 as the caller passed it: no "
                "relu made h0, so it can hold negative entries, and relu(h_prev) changes them",
                "dL/dh0 is right. The share is grad_a.T @ h_prev, with h_prev as it is",
            ),
            code=_step(share="grad_a.T @ torch.relu(h_prev)"),
        ),
        Mistake(
            "share of h_t",
            Hints(
                "dL/dweight_hh: which state did weight_hh multiply at step t?",
                "dL/dweight_hh: at step t weight_hh multiplied h_(t-1), the state the step "
                "started from",
                "the share is grad_a.T @ h_prev",
            ),
            code=_step(share="grad_a.T @ h_t"),
        ),
        Mistake(
            "threshold above 0",
            _THRESHOLD,
            code=_step(grad_a="(grad_output_t + grad_next) * (h_t > 0.01)"),
        ),
        Mistake(
            "float32 inside",
            _PRECISION,
            code="""\
def step(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = ((grad_output_t + grad_next) * (h_t > 0)).float()  # float32
    return (grad_a @ weight_hh.float()).double(), (grad_a.T @ h_prev.float()).double()
""",
        ),
    ),
)


# -- 2. predicted_norm: predict ||dh_L/dh_t|| of a relu RNN ------------------------------------


def _norm_reference(weight_hh, steps):
    jacobian = torch.linalg.matrix_power(weight_hh.to(torch.float64), int(steps))  # (H, H)
    return torch.linalg.matrix_norm(jacobian, ord=2).item(), tuple(jacobian.shape)


def _norm_mistake(norm=None, shape=None):
    def answer(weight_hh, steps):
        right = _norm_reference(weight_hh, steps)
        scale = torch.linalg.matrix_norm(weight_hh.to(torch.float64), ord=2).item()
        H = weight_hh.shape[0]
        return (
            right[0] if norm is None else norm(scale, int(steps)),
            right[1] if shape is None else shape(H, int(steps)),
        )

    return answer


def _norm_handed(weight_hh, steps) -> str:
    square = isinstance(weight_hh, torch.Tensor) and weight_hh.dim() == 2
    if not square or weight_hh.shape[0] != weight_hh.shape[1]:
        return "pass the cell's weight_hh (H, H) and steps first, then your two answers"
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        return "pass the cell's weight_hh (H, H) and steps first, then your two answers"
    cell_weight_hh, cell_steps = PREDICTED_NORM.defaults()
    changed = [name for name, same in (
        ("weight_hh_2", weight_hh.shape == cell_weight_hh.shape
         and torch.equal(weight_hh.detach().to(torch.float64), cell_weight_hh)),
        ("steps_2", steps == cell_steps),
    ) if not same]  # fmt: skip
    if changed:  # the question asks about the cell's own weight_hh_2 and steps_2
        return f"you changed {' and '.join(changed)}: run the cell as given"
    return ""


_COUNT = Hints(
    "predicted_norm: count how many times weight_hh acts between step t and step L",
    "predicted_norm: L - t steps chain L - t Jacobians, each diag(relu') weight_hh",
    "predicted_norm: the norm is scale ** steps for scale times an orthogonal matrix",
)

PREDICTED_NORM = Exercise(
    id=f"{CHAPTER}.predicted_norm",
    version=1,
    title="Predict the shape and the spectral norm of dh_L/dh_t for a scaled permutation",
    points=2,
    kind="predict",
    starter="""\
permutation = torch.eye(4, dtype=torch.float64)[[2, 0, 3, 1]]  # (H, H): orthogonal
weight_hh_2 = 1.2 * permutation  # (H, H)
steps_2 = 10  # L - t
predicted_norm = ...
jacobian_shape = ...
checks.predicted_norm(weight_hh_2, steps_2, predicted_norm, jacobian_shape)""",
    solution="""\
permutation = torch.eye(4, dtype=torch.float64)[[2, 0, 3, 1]]  # (H, H): orthogonal
weight_hh_2 = 1.2 * permutation  # (H, H)
steps_2 = 10  # L - t
weight_in_2 = torch.rand(4, 3, dtype=torch.float64)  # (H, H_in), positive
inputs_2 = torch.rand(steps_2, 3, dtype=torch.float64)  # (L - t, H_in), positive: all active


def run_2(h):  # h: (H,), h_t, the state at step t
    for i in range(steps_2):  # steps t+1 .. L; index i holds the input of step t+1+i
        h = torch.relu(inputs_2[i] @ weight_in_2.T + h @ weight_hh_2.T)  # (H,)
    return h  # h_L, the state at step L


jacobian = torch.autograd.functional.jacobian(run_2, torch.rand(4, dtype=torch.float64))
predicted_norm = torch.linalg.matrix_norm(jacobian, ord=2)  # the spectral norm
jacobian_shape = tuple(jacobian.shape)  # (H, H): dh_L (H,) against dh_t (H,)
print(f"spectral norm {predicted_norm:.4f}; 1.2 ** 10 = {1.2**10:.4f}: ten steps, each x 1.2")
torch.testing.assert_close(predicted_norm.item(), 1.2**10)  # 1.2 ** 10 = 6.19 (6.1917...)
checks.predicted_norm(weight_hh_2, steps_2, predicted_norm, jacobian_shape)""",
    parts=(Part("predicted_norm", "number", rtol=1e-3), Part("jacobian_shape", "shape")),
    handed=("weight_hh", "steps"),
    asked=("predicted_norm", "jacobian_shape"),
    reference=_norm_reference,
    defaults=lambda: (1.2 * torch.eye(4, dtype=torch.float64)[[2, 0, 3, 1]], 10),
    check_handed=_norm_handed,
    variants=lambda generator: [],  # _norm_handed refuses any other weight_hh_2 or steps_2
    right="each step multiplies the norm by weight_hh's scale; the Jacobian is (H, H)",
    hints=Hints(
        "predicted_norm: what does one step do to a vector's length, and how many steps are there?",
        "an active relu has slope 1, so each step's Jacobian is weight_hh; a permutation keeps "
        "lengths, the scale multiplies them",
        "predicted_norm = scale ** steps; jacobian_shape = (H, H)",
    ),
    mistakes=(
        Mistake("added, not multiplied", _COUNT, _norm_mistake(norm=lambda s, n: s * n)),
        Mistake("one step short", _COUNT, _norm_mistake(norm=lambda s, n: s ** (n - 1))),
        Mistake("one step too many", _COUNT, _norm_mistake(norm=lambda s, n: s ** (n + 1))),
        Mistake(
            "one step only",
            Hints(
                "predicted_norm: that is the norm after how many steps?",
                "predicted_norm: dh_L/dh_t chains one Jacobian per step from t to L",
                "predicted_norm: multiply the scale once per step, scale ** steps",
            ),
            _norm_mistake(norm=lambda s, n: s),
        ),
        Mistake(
            "relu's slope only",
            Hints(
                "predicted_norm: relu's slope is 1 for an active unit; what else is in each "
                "step's Jacobian?",
                "predicted_norm: each step's Jacobian is diag(relu') weight_hh, and weight_hh "
                "scales lengths",
                "predicted_norm: scale ** steps",
            ),
            _norm_mistake(norm=lambda s, n: 1.0),
        ),
        Mistake(
            "the inverse",
            Hints(
                "predicted_norm: does the gradient grow or shrink with this weight_hh?",
                "predicted_norm: with a scale above 1 each step lengthens the vector",
                "predicted_norm: scale ** steps, not (1 / scale) ** steps",
            ),
            _norm_mistake(norm=lambda s, n: s ** (-n)),
        ),
        Mistake(
            "a Jacobian per step",
            Hints(
                "predicted_norm is right. jacobian_shape: what is differentiated by what?",
                "predicted_norm is right. dh_L/dh_t is one matrix: every unit of h_L against "
                "every unit of h_t",
                "predicted_norm is right. jacobian_shape = (H, H)",
            ),
            _norm_mistake(shape=lambda H, n: (n, H, H)),
        ),
        Mistake(
            "(H, H_in)",
            Hints(
                "predicted_norm is right. jacobian_shape: which vector is h_L differentiated by?",
                "predicted_norm is right. dh_L/dh_t differentiates the state at step L by the "
                "state at step t, not by an input x_t: both are (H,)",
                "predicted_norm is right. jacobian_shape = (H, H)",
            ),
            _norm_mistake(shape=lambda H, n: (H, 3)),
        ),
        Mistake(
            "a batch dimension",
            Hints(
                "predicted_norm is right. jacobian_shape: how many sequences does this RNN run?",
                "predicted_norm is right. The RNN here runs one sequence, unbatched: h_t is (H,), "
                "so dh_L/dh_t is one (H, H) matrix, without a dimension of 1 in front",
                "predicted_norm is right. jacobian_shape = (H, H)",
            ),
            _norm_mistake(shape=lambda H, n: (1, H, H)),
        ),
        Mistake(
            "two significant digits",
            Hints(
                "predicted_norm: close, but give 3 significant digits",
                "predicted_norm: close; your value is rounded too coarsely for the check (it "
                "accepts a relative error of 1e-3): give 3 significant digits",
                "predicted_norm: compute scale ** steps to 3 significant digits or more",
            ),
            _norm_mistake(norm=lambda s, n: float(f"{s**n:.2g}")),
        ),
        Mistake(
            "Frobenius norm",
            Hints(
                "predicted_norm: which norm did you compute?",
                "predicted_norm: Tensor.norm() of a matrix is its Frobenius norm, the square root "
                "of the sum of all squared entries; the exercise asks for the spectral norm, the "
                "largest factor by which the matrix stretches a vector",
                "predicted_norm: torch.linalg.matrix_norm(jacobian, ord=2), which is "
                "scale ** steps here",
            ),
            lambda weight_hh, steps: (
                torch.linalg.matrix_power(weight_hh.to(torch.float64), int(steps)).norm().item(),
                tuple(weight_hh.shape),
            ),
        ),
        Mistake(
            "one row per step",
            Hints(
                "predicted_norm is right. jacobian_shape: does the Jacobian's shape depend on "
                "L - t?",
                "predicted_norm is right. dh_L/dh_t is not one row per step: the chain of "
                "L - t step Jacobians, each (H, H), multiplies out to one (H, H) matrix, every "
                "unit of h_L against every unit of h_t",
                "predicted_norm is right. jacobian_shape = (H, H), whatever L - t is",
            ),
            _norm_mistake(shape=lambda H, n: (n, H)),
        ),
        Mistake(
            "a vector",
            Hints(
                "predicted_norm is right. jacobian_shape: how many numbers does a derivative of "
                "a vector by a vector hold?",
                "predicted_norm is right. Each of the H units of h_L depends on each of the H "
                "units of h_t",
                "predicted_norm is right. jacobian_shape = (H, H)",
            ),
            _norm_mistake(shape=lambda H, n: (H,)),
        ),
        Mistake(
            "section 1's H",
            Hints(
                "predicted_norm is right. jacobian_shape: which H does this exercise's "
                "weight_hh have?",
                "predicted_norm is right. jacobian_shape: this exercise's H is "
                "weight_hh_2.shape[0] = 4, not section 1's H = 5",
                "predicted_norm is right. jacobian_shape = (H, H) = tuple(weight_hh_2.shape)",
            ),
            _norm_mistake(shape=lambda H, n: (5, 5)),
        ),
    ),
)


# -- 3. clipped_step: find the bug in a training step that clips ------------------------------


class _Regressor(nn.Module):
    """A relu RNN with a Linear head on every step: the exploding case of the chapter."""

    def __init__(self, H_in: int = 2, H: int = 3):
        super().__init__()
        self.rnn = nn.RNN(H_in, H, nonlinearity="relu", dtype=torch.float64)
        self.head = nn.Linear(H, 1, dtype=torch.float64)

    def forward(self, x):
        output, _ = self.rnn(x)  # (L, N, H)
        return self.head(output)  # (L, N, H) -> (L, N, 1)


def _step_probes(generator):
    probes = []
    f64 = {"generator": generator, "dtype": torch.float64}
    for L, N, H_in, H, radius, lr, max_norm in (
        (12, 4, 2, 3, 1.4, 0.1, 1.0),
        (9, 3, 3, 5, 1.5, 0.05, 0.5),
        (7, 5, 2, 4, 1.6, 0.2, 3.0),
        # no explosion: the norm (about 7) stays below max_norm, no clip; max_norm is large
        # enough that even a loss scaled by 1000 is not clipped here
        (8, 3, 2, 4, 0.4, 0.1, 1e4),
    ):
        with torch.random.fork_rng(devices=[]):
            model = _Regressor(H_in, H)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.rand(p.shape, **f64) * 0.5)
            model.rnn.weight_hh_l0.copy_(
                torch.eye(H, dtype=torch.float64) * radius
            )  # > 1: explodes
        x = torch.rand(L, N, H_in, **f64)  # (L, N, H_in), positive
        y = torch.rand(L, N, 1, **f64)  # (L, N, 1)
        stale = [torch.randn(p.shape, **f64) for p in model.parameters()]  # an earlier .grad
        label = f"L={L}, N={N}, H={H}, lr={lr}, max_norm={max_norm}"
        probes.append(Probe(label, (model, x, y, stale, lr, max_norm)))
    return probes


def _step_call(train_step, model, x, y, stale, lr, max_norm):
    """One call of ``train_step`` on a copy of ``model`` whose .grad holds an earlier gradient:
    the parameters after the step, and the loss it returns."""
    model = copy.deepcopy(model)
    for p, g in zip(model.parameters(), stale, strict=True):
        p.grad = g.clone()
    before = [p.detach().clone() for p in model.parameters()]
    modes = [m.training for m in model.modules()]
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    found = []  # what each optimizer.step() found in .grad, seen from a pre-step hook

    def seen(opt, args, kwargs):
        empty = all(p.grad is None or not p.grad.any() for p in model.parameters())
        found.append("an empty .grad (None or zeros)" if empty else "the gradients")

    optimizer.register_step_pre_hook(seen)
    clip, given = nn.utils.clip_grad_norm_, []  # what each clip_grad_norm_ call was given

    def watched(parameters, *args, **kwargs):
        tensors = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
        given.append(bool(tensors) and all(not t.requires_grad for t in tensors))  # not parameters
        return clip(tensors, *args, **kwargs)

    nn.utils.clip_grad_norm_ = watched
    try:
        returned = train_step(model, x, y, optimizer, max_norm)
    finally:
        nn.utils.clip_grad_norm_ = clip
    if given and all(given):
        raise _CaughtError(_NO_GRAD.nudge)  # a constant text: it matches the known mistake
    after = [p.detach().clone() for p in model.parameters()]
    if returned is None and all(torch.equal(a, b) for a, b in zip(after, before, strict=True)):
        return None  # the stub: nothing happened
    if [m.training for m in model.modules()] != modes:
        raise ValueError("train_step switched the model between train() and eval()")
    if any(not p.requires_grad for p in model.parameters()):
        raise ValueError("train_step turned off requires_grad of a parameter")
    loss = (
        returned.item()
        if isinstance(returned, torch.Tensor) and returned.numel() == 1
        else returned
    )
    if isinstance(loss, bool) or not isinstance(loss, (int, float)):
        raise FormError("return the loss as a number, loss.item(), as buggy_train_step does")
    step_saw = found[-1] if found else "no optimizer.step() call"
    return torch.cat([a.reshape(-1) for a in after]), float(loss), step_saw


def _train_step(clip="nn.utils.clip_grad_norm_(model.parameters(), max_norm)", order="bcs",
                zero="optimizer.zero_grad()"):  # fmt: skip
    lines = {
        "b": "loss.backward()",
        "c": clip,
        "s": "optimizer.step()",
    }
    body = "\n".join(f"    {lines[k]}" for k in order)
    return f"""\
def train_step(model, x, y, optimizer, max_norm):
    {zero}
    loss = ((model(x) - y) ** 2).mean()
{body.replace("    loss.backward()", "    loss.backward()", 1)}
    return loss.item()
"""


_NO_GRAD = Hints(
    "which tensors did you give clip_grad_norm_?",
    "clip_grad_norm_ reads the .grad of the tensors it is given; given the gradients themselves "
    "it finds no .grad, returns 0 and clips nothing",
    "pass the parameters: clip_grad_norm_(model.parameters(), max_norm)",
)

_UNCLIPPED = Hints(
    "the step used a gradient that was not clipped: when does your clipping run?",
    "clipping changes the gradients in .grad: they exist only after backward(), and step() "
    "uses them",
    "call clip_grad_norm_ after loss.backward() and before optimizer.step()",
)

CLIPPED_STEP = Exercise(
    id=f"{CHAPTER}.clipped_step",
    version=1,
    title="Find the bug in a training step that clips and still takes huge steps",
    points=3,
    kind="implement",
    starter="""\
def train_step(model, x, y, optimizer, max_norm): ...


checks.clipped_step(train_step)""",
    solution="""\
def train_step(model, x, y, optimizer, max_norm):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)  # every parameter, one norm
    optimizer.step()
    return loss.item()


checks.clipped_step(train_step)""",
    parts=(
        Part("the parameters after the step", "tensor", rtol=1e-9),
        Part("the loss returned", "number", rtol=1e-9),
        Part("what optimizer.step() found in .grad", "value"),
    ),
    asked=("train_step",),
    probes=_step_probes,
    call=_step_call,
    right="the step used the whole gradient clipped to max_norm (left as it was when already "
    "more than 1e-6 below it): SGD moved the parameters by at most lr * max_norm, and the loss "
    "is returned",
    hints=Hints(
        "your step is not the clipped one (lr times this loss's whole gradient, scaled down "
        "to norm max_norm when it is larger): compare the two in length and in direction",
        "with SGD the step is lr times the gradient in .grad: it must be the gradient of this "
        "loss only, clipped as one vector over every parameter by its Euclidean norm "
        "(norm_type=2, the default)",
        "zero_grad, backward, clip_grad_norm_(model.parameters(), max_norm), step",
    ),
    mistakes=(
        Mistake(
            "buggy_train_step as given",
            Hints(
                "this is still buggy_train_step: which gradients does it clip?",
                "clip_grad_norm_ bounds the norm of the gradients it is given; the optimizer "
                "steps with every parameter's gradient, the head's included",
                "clip model.parameters(), every gradient the optimizer uses",
            ),
            code=_train_step(clip="nn.utils.clip_grad_norm_(model.rnn.parameters(), max_norm)"),
        ),
        Mistake("clip after step", _UNCLIPPED, code=_train_step(order="bsc")),
        Mistake(
            "clipped the gradients",
            _NO_GRAD,
            code=_train_step(
                clip="nn.utils.clip_grad_norm_([p.grad for p in model.parameters()], max_norm)"
            ),
        ),
        Mistake(
            "no zero_grad",
            Hints(
                "what was in .grad before your backward()?",
                "backward() adds to .grad: an earlier gradient still there is added to this "
                "one, and clipped with it",
                "call optimizer.zero_grad() first",
            ),
            code=_train_step(zero="pass"),
        ),
        Mistake(
            "by value",
            Hints(
                "which clipping did you call?",
                "clip_grad_value_ clamps each entry, which changes the direction and does not "
                "bound the step by lr * max_norm",
                "use clip_grad_norm_(model.parameters(), max_norm)",
            ),
            code=_train_step(clip="nn.utils.clip_grad_value_(model.parameters(), max_norm)"),
        ),
        Mistake(
            "no step",
            Hints(
                "did the parameters move as much as they should?",
                "clipping and backward only change .grad; the optimizer's step moves the "
                "parameters",
                "call optimizer.step() after clipping",
            ),
            code=_train_step(order="bc"),
        ),
        Mistake(
            "own optimizer",
            Hints(
                "the parameters moved as they should: did the optimizer you were handed move them?",
                "the parameters are right, but the optimizer you are handed never ran its "
                "step(): a training loop that calls your train_step keeps using that optimizer "
                "(its state, its learning-rate schedule)",
                "use the optimizer you are handed; its step() never ran: call optimizer.step(), "
                "not a new optimizer's",
            ),
            code="""\
def train_step(model, x, y, optimizer, max_norm):
    own = torch.optim.SGD(model.parameters(), lr=optimizer.param_groups[0]["lr"])
    own.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    own.step()  # a new optimizer, not the one handed in
    return loss.item()
""",
        ),
        Mistake(
            "zero_grad after backward",
            Hints(
                "did the parameters move? Look at when your zero_grad() runs",
                "zero_grad() empties .grad (sets it to None by default): called after "
                "backward(), it throws away the gradient that clip_grad_norm_ and step() need",
                "zero_grad() must come before backward(): after it, .grad is empty (None) and "
                "step() has nothing to use",
            ),
            code="""\
def train_step(model, x, y, optimizer, max_norm):
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.zero_grad()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    return loss.item()
""",
        ),
        Mistake(
            "always rescaled",
            Hints(
                "does your step clip the gradient, or always rescale it?",
                "clipping leaves a gradient whose norm is already at most max_norm as it is and "
                "scales only a larger one down to max_norm; one probe does not explode",
                "use clip_grad_norm_(model.parameters(), max_norm): it multiplies by "
                "min(max_norm / norm, 1)",
            ),
            code="""\
def train_step(model, x, y, optimizer, max_norm):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    total = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
    for p in model.parameters():
        p.grad *= max_norm / total  # always to max_norm: normalised, not clipped
    optimizer.step()
    return loss.item()
""",
        ),
        Mistake(
            "scaled loss",
            Hints(
                "on this probe the gradient stays below max_norm, and your step is longer than "
                "lr times it: which loss did your backward() run on?",
                "clipping hides a scaled loss where it clips: c * loss has c times the gradient, "
                "brought back to max_norm when larger; a gradient below max_norm is left as it "
                "is, so the step is c times too long",
                "call loss.backward() on the loss itself, not on a multiple of it",
            ),
            edit=("    loss.backward()", "    (1000 * loss).backward()"),
        ),
        Mistake(
            "sum, not mean",
            Hints(
                "the loss you return: is it the mean squared error of buggy_train_step?",
                "the loss is the mean of the squared errors over every step and sequence; .sum() "
                "is L * N times larger, and so is its gradient: only clipping hides that",
                "loss = ((model(x) - y) ** 2).mean()",
            ),
            edit=("** 2).mean()", "** 2).sum()"),
        ),
        Mistake(
            "loss after the step",
            Hints(
                "the parameters are right. The loss returned: when was it measured?",
                "the parameters are right. The loss a training step returns is the one it "
                "computed and backpropagated, before step() changed the weights; measured "
                "again after the step it is another number",
                "the parameters are right. Return the loss computed before the step, loss.item()",
            ),
            code="""\
def train_step(model, x, y, optimizer, max_norm):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    return ((model(x) - y) ** 2).mean().item()  # measured after the step
""",
        ),
        Mistake(
            "norm_type inf",
            Hints(
                "you clipped every parameter as one vector: which norm did you measure?",
                "norm_type=inf measures the largest |entry|, not the Euclidean norm: the step "
                "is then bounded entry by entry, and its length can exceed lr * max_norm",
                "leave norm_type at its default, 2: clip_grad_norm_(model.parameters(), max_norm)",
            ),
            code=_train_step(
                clip="nn.utils.clip_grad_norm_(model.parameters(), max_norm, norm_type=torch.inf)"
            ),
        ),
        Mistake(
            "clipped twice",
            Hints(
                "the parameters after your step are right to within 1e-7 (relative): how many "
                "times did you clip?",
                "clip_grad_norm_ multiplies the gradient by max_norm / (norm + 1e-6) when that "
                "is below 1: clipped once, its norm is just under max_norm, and a second clip "
                "shrinks it again, by a factor of about 1 - 1e-6 / max_norm",
                "clip once: one clip_grad_norm_(model.parameters(), max_norm)",
            ),
            code=_train_step(
                clip="nn.utils.clip_grad_norm_(model.parameters(), max_norm)\n"
                "    nn.utils.clip_grad_norm_(model.parameters(), max_norm)"
            ),
        ),
        Mistake(
            "max_norm ignored",
            Hints(
                "which bound did you clip to?",
                "the bound is the max_norm you are handed; the probes use several",
                "clip_grad_norm_(model.parameters(), max_norm)",
            ),
            code=_train_step(clip="nn.utils.clip_grad_norm_(model.parameters(), 1.0)"),
        ),
    ),
)


EXERCISES = (BACKWARD_STEP, PREDICTED_NORM, CLIPPED_STEP)

backward_step = checker(BACKWARD_STEP)
predicted_norm = checker(PREDICTED_NORM)
clipped_step = checker(CLIPPED_STEP)
