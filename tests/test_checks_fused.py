"""Checkers of chapter 12 (inside nn.RNN): the worked solutions, each known mistake with its hint,
right answers written differently, the untouched stubs, and fairness (time limit, random state)."""

import numpy as np
import pytest
import torch
from torch.nn import functional

from rnnlab import checks
from rnnlab.checks import inside_nn_rnn


def _verdict(result):
    return result.status


# --- matmul_count ------------------------------------------------------------------------------


def test_matmul_count_solution_and_other_spellings():
    assert checks.matmul_count(400, 202)
    assert checks.matmul_count(np.int64(400), np.int32(202))
    assert checks.matmul_count(400.0, torch.tensor(202))


@pytest.mark.parametrize(
    ("cell_loop", "nn_rnn", "hint"),
    [
        (200, 202, "one layer's cell loop"),
        (300, 202, "each step calls two cells"),
        (400, 0, "not one kernel"),
        (400, 1, "not one kernel"),
        (400, 101, "that is one layer"),
        (400, 200, "input projection is one product too"),
        (400, 400, "does not multiply x_t by W_ih at every step"),
        (400, 250, "one product per step and layer"),
        ("four hundred", 202, "whole numbers"),
        (True, 202, "whole numbers"),
        (400.5, 202, "whole numbers"),
    ],
)
def test_matmul_count_known_mistakes(cell_loop, nn_rnn, hint):
    result = checks.matmul_count(cell_loop, nn_rnn)
    assert _verdict(result) == "incorrect"
    assert hint in repr(result)


def test_matmul_count_stub():
    assert _verdict(checks.matmul_count(..., ...)) == "not attempted"
    assert _verdict(checks.matmul_count(400, ...)) == "not attempted"


# --- projected_loop (two layers, hoisted) ----------------------------------------------------


def _layers(rnn):
    for k in range(rnn.num_layers):
        yield (
            getattr(rnn, f"weight_ih_l{k}"),
            getattr(rnn, f"weight_hh_l{k}"),
            getattr(rnn, f"bias_ih_l{k}"),
            getattr(rnn, f"bias_hh_l{k}"),
        )


def solution(rnn, x):  # the notebook's worked solution
    for W_ih, W_hh, b_ih, b_hh in _layers(rnn):
        projected = x @ W_ih.T + b_ih + b_hh  # (L, N, H_in) -> (L, N, H)
        h = torch.zeros(x.shape[1], rnn.hidden_size)
        outputs = []
        for projected_t in projected:
            h = torch.tanh(projected_t + h @ W_hh.T)
            outputs.append(h)
        x = torch.stack(outputs)
    return x


def written_differently(rnn, x):  # F.linear, float64, a tuple back, indices, h_n too
    x = x.double()
    finals = []
    for W_ih, W_hh, b_ih, b_hh in _layers(rnn):
        projected = functional.linear(x, W_ih.double(), b_ih.double())  # one addmm
        h = torch.zeros(x.shape[1], W_hh.shape[0], dtype=torch.float64)
        steps = []
        for t in range(projected.shape[0]):
            h = torch.tanh(projected[t] + torch.addmm(b_hh.double(), h, W_hh.double().T))
            steps.append(h)
        x = torch.stack(steps)
        finals.append(h)
    return x, torch.stack(finals)


def unhoisted(rnn, x):  # two products per step in both layers
    for W_ih, W_hh, b_ih, b_hh in _layers(rnn):
        h = torch.zeros(x.shape[1], rnn.hidden_size)
        outputs = []
        for x_t in x:
            h = torch.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
            outputs.append(h)
        x = torch.stack(outputs)
    return x


def step_major(rnn, x):  # layer 1 hoisted, layer 2 inside the same time loop
    (W_ih0, W_hh0, b_ih0, b_hh0), (W_ih1, W_hh1, b_ih1, b_hh1) = _layers(rnn)
    projected = x @ W_ih0.T + b_ih0 + b_hh0
    h0 = torch.zeros(x.shape[1], rnn.hidden_size)
    h1 = torch.zeros(x.shape[1], rnn.hidden_size)
    outputs = []
    for projected_t in projected:
        h0 = torch.tanh(projected_t + h0 @ W_hh0.T)
        h1 = torch.tanh(h0 @ W_ih1.T + b_ih1 + h1 @ W_hh1.T + b_hh1)
        outputs.append(h1)
    return torch.stack(outputs)


def _mistake(change):
    def forward(rnn, x):
        for k, (W_ih, W_hh, b_ih, b_hh) in enumerate(_layers(rnn)):
            W_ih, W_hh, b_ih, b_hh = change(k, W_ih, W_hh, b_ih, b_hh)
            projected = x @ W_ih.T + b_ih + b_hh
            h = torch.zeros(x.shape[1], rnn.hidden_size)
            outputs = []
            for projected_t in projected:
                h = torch.tanh(projected_t + h @ W_hh.T)
                outputs.append(h)
            x = torch.stack(outputs)
        return x

    return forward


def one_layer(rnn, x):
    W_ih, W_hh, b_ih, b_hh = next(_layers(rnn))
    projected = x @ W_ih.T + b_ih + b_hh
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    outputs = []
    for projected_t in projected:
        h = torch.tanh(projected_t + h @ W_hh.T)
        outputs.append(h)
    return torch.stack(outputs)


def test_projected_loop_solution_and_other_spellings():
    assert checks.projected_loop(solution)
    assert checks.projected_loop(written_differently)


@pytest.mark.parametrize(
    ("forward", "hint"),
    [
        (lambda rnn, x: rnn(x)[0], "calls nn.RNN itself"),
        (lambda rnn, x: rnn.forward(x)[0], "calls nn.RNN itself"),
        (lambda rnn, x: rnn(x), "calls nn.RNN itself"),
        (unhoisted, "both layers multiply their inputs at every step"),
        (step_major, "one layer still multiplies its input at every step"),
        (one_layer, "first layer's output"),
        (_mistake(lambda k, a, b, c, d: (a, b, c, 0 * d)), "off by exactly bias_hh"),
        (_mistake(lambda k, a, b, c, d: (a, b, 0 * c, d)), "off by exactly bias_ih"),
        (_mistake(lambda k, a, b, c, d: (a, b.T, c, d)), "weight_hh is square"),
        (_mistake(lambda k, a, b, c, d: (a.T if k else a, b, c, d)), "weight_ih_l1 is square"),
        (lambda rnn, x: x @ rnn.weight_ih_l0, "shapes"),
        (lambda rnn, x: torch.zeros(9, 2), "(L, N, H)"),
        (lambda rnn, x: torch.zeros(9, 2, 5, dtype=torch.int64), "floats"),
        (lambda rnn, x: "output", "a tensor"),
        (lambda rnn, x: torch.full((9, 2, 5), float("nan")), "not a number"),
        (lambda rnn, x: torch.zeros(9, 2, 5), "check each layer's two products"),
    ],
)
def test_projected_loop_known_mistakes(forward, hint):
    result = checks.projected_loop(forward)
    assert _verdict(result) == "incorrect"
    assert hint in repr(result)


def test_projected_loop_state_hoisted_too():
    def hoisted_state(rnn, x):
        for W_ih, W_hh, b_ih, b_hh in _layers(rnn):
            projected = x @ W_ih.T + b_ih
            recurrent = torch.zeros(x.shape[1], rnn.hidden_size) @ W_hh.T + b_hh
            x = torch.stack([torch.tanh(p + recurrent) for p in projected])
        return x

    assert "newest h" in repr(checks.projected_loop(hoisted_state))


def test_projected_loop_stub():
    def raises(rnn, x):
        raise NotImplementedError

    def placeholder(rnn, x): ...

    assert _verdict(checks.projected_loop(...)) == "not attempted"
    assert _verdict(checks.projected_loop(placeholder)) == "not attempted"
    assert _verdict(checks.projected_loop(raises)) == "not attempted"
    assert "give a function" in repr(checks.projected_loop(42))


# --- fixed_loop (find the bug) -----------------------------------------------------------------


def fixed(rnn, x):  # the notebook's worked solution
    projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    outputs = []
    for projected_t in projected:
        h = torch.tanh(projected_t + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        outputs.append(h)
    return torch.stack(outputs)


def buggy(rnn, x):  # the notebook's fast_forward, unchanged
    projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    recurrent = h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0
    outputs = []
    for projected_t in projected:
        h = torch.tanh(projected_t + recurrent)
        outputs.append(h)
    return torch.stack(outputs)


def test_fixed_loop_solution_and_other_spellings():
    assert checks.fixed_loop(fixed)

    def with_h_n(rnn, x):  # folds both biases first, returns (output, h_n) as nn.RNN does
        projected = torch.einsum("lni,hi->lnh", x, rnn.weight_ih_l0)
        projected = projected + rnn.bias_ih_l0 + rnn.bias_hh_l0
        h = x.new_zeros(x.shape[1], rnn.hidden_size)
        outputs = []
        for t in range(len(projected)):
            h = torch.tanh(projected[t] + h @ rnn.weight_hh_l0.T)
            outputs.append(h)
        return torch.stack(outputs), h.unsqueeze(0)

    assert checks.fixed_loop(with_h_n)


@pytest.mark.parametrize(
    ("forward", "hint"),
    [
        (buggy, "still the bug"),
        (lambda rnn, x: rnn(x)[0], "calls nn.RNN itself"),
        (
            lambda rnn, x: torch.rnn_tanh(
                x, x.new_zeros(1, 3, 4), rnn._flat_weights, True, 1, 0.0, False, False, False
            )[0],
            "calls nn.RNN itself",
        ),
        (lambda rnn, x: unhoisted(rnn, x), "keep the input projection out of the loop"),
        (lambda rnn, x: 2 * fixed(rnn, x), "relative error"),
    ],
)
def test_fixed_loop_known_mistakes(forward, hint):
    result = checks.fixed_loop(forward)
    assert _verdict(result) == "incorrect"
    assert hint in repr(result)


def test_fixed_loop_one_bias_and_untransposed():
    def no_bias_hh(rnn, x):
        projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0
        h = torch.zeros(x.shape[1], rnn.hidden_size)
        outputs = []
        for projected_t in projected:
            h = torch.tanh(projected_t + h @ rnn.weight_hh_l0.T)
            outputs.append(h)
        return torch.stack(outputs)

    def untransposed(rnn, x):
        projected = x @ rnn.weight_ih_l0.T + rnn.bias_ih_l0
        h = torch.zeros(x.shape[1], rnn.hidden_size)
        outputs = []
        for projected_t in projected:
            h = torch.tanh(projected_t + h @ rnn.weight_hh_l0 + rnn.bias_hh_l0)
            outputs.append(h)
        return torch.stack(outputs)

    assert "off by exactly bias_hh" in repr(checks.fixed_loop(no_bias_hh))
    assert "square" in repr(checks.fixed_loop(untransposed))


def test_fixed_loop_stub():
    def placeholder(rnn, x): ...

    assert _verdict(checks.fixed_loop(...)) == "not attempted"
    assert _verdict(checks.fixed_loop(placeholder)) == "not attempted"


# --- fairness ------------------------------------------------------------------------------------


def test_a_loop_that_never_ends_is_stopped(monkeypatch):
    monkeypatch.setattr(inside_nn_rnn, "TIME_LIMIT_S", 0.3)

    def forever(rnn, x):
        while True:
            pass

    for checker in (checks.projected_loop, checks.fixed_loop):
        result = checker(forever)
        assert _verdict(result) == "incorrect"
        assert "more than 0.3 s" in repr(result)


def test_checkers_leave_the_global_random_state_alone():
    def draws(rnn, x):
        torch.randn(100)
        return fixed(rnn, x)

    before = torch.random.get_rng_state()
    checks.matmul_count(400, 202)
    checks.projected_loop(solution)
    checks.fixed_loop(draws)
    assert torch.equal(before, torch.random.get_rng_state())


def test_checkers_leave_grad_mode_and_no_mode_behind():
    checks.projected_loop(lambda rnn, x: 1 / 0)
    assert torch.is_grad_enabled()
    assert checks.fixed_loop(fixed)
    a = torch.ones(2, 2, requires_grad=True)
    assert (a @ a).grad_fn is not None  # no dispatch or function mode left active
