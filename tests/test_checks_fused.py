"""Chapter 12's checkers (inside nn.RNN) beyond what tests/test_exercises.py derives from the
definitions: right answers written differently, calls from older copies (without L), answers of
the wrong form, the input projection checked as a property (an unhoisted loop is rejected
whatever operation it uses), the built-in module refused, and no mode left behind."""

import numpy as np
import torch
from torch.nn import functional

from rnnlab import checks
from rnnlab.checks import _exercise


def _status(result):
    return result.status


def test_matmul_count_known_mistakes_get_their_own_hints():
    _exercise._TRIES.clear()
    assert "when is it known?" in checks.matmul_count(100, 400, 201, 0).message
    _exercise._TRIES.clear()
    assert "do the gates' products reach" in checks.matmul_count(100, 400, 202, 4).message


def test_matmul_count_other_spellings_and_older_copies():
    assert checks.matmul_count(100, 400, 202, 0)
    assert checks.matmul_count(100, np.int64(400), torch.tensor(202), 0)
    assert checks.matmul_count(7, 28, 16, 0)  # an instructor's other L
    assert checks.matmul_count(400, 202)  # a copy made before L and nn.LSTM were asked
    assert _status(checks.matmul_count(401, 202)) == "incorrect"
    assert _status(checks.matmul_count(100, 400, 202, ...)) == "not attempted"
    assert "whole number" in checks.matmul_count(100, 400.5, 202, 0).message
    assert "pass the cell's L" in checks.matmul_count("100", 400, 202, 0).message


def _layer(rnn, k):
    return [getattr(rnn, f"{n}_l{k}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def _run(projected, W_hh, N, H):
    h, outputs = torch.zeros(N, H, dtype=W_hh.dtype), []
    for projected_t in projected:
        h = torch.tanh(projected_t + h @ W_hh.T)
        outputs.append(h)
    return torch.stack(outputs)


def test_projected_loop_written_differently():
    def with_linear(rnn, x):
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            projected = functional.linear(layer_input, W_ih, b_ih) + b_hh  # one product
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input, None

    def with_einsum_in_float64(rnn, x):
        layer_input = x.double()
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = (t.double() for t in _layer(rnn, k))
            projected = torch.einsum("lni,hi->lnh", layer_input, W_ih) + b_ih + b_hh
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input.float()  # the dtype nn.RNN gives

    def with_an_expanded_weight(rnn, x):  # a view of weight_ih is still one projection
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            batched = W_ih.T.expand(layer_input.shape[0], -1, -1)  # (L, H_in, H), a view
            projected = torch.bmm(layer_input, batched) + b_ih + b_hh  # (L, N, H)
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input

    def with_a_copy_made_by_cat(rnn, x):  # a tensor holding W_ih, used once: still hoisted
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            W_both = torch.cat([W_ih, W_ih], 0)  # (2H, H_in), W_ih twice
            projected = (layer_input @ W_both.T)[..., : rnn.hidden_size] + b_ih + b_hh
            layer_input = _run(projected, W_hh.clone(), x.shape[1], rnn.hidden_size)
        return layer_input

    def with_a_copy_made_once(rnn, x):  # clone, then W * 1: copies of W_ih, used once
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            W = W_ih.clone() * torch.ones(1)  # (H, H_in)
            projected = layer_input @ W.T + b_ih + b_hh  # one product
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input

    def with_a_broadcast_copy_used_once(rnn, x):  # hoisted: one product with the copy
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            Wb = W_ih.T * torch.ones(2, 1, 1)  # (2, H_in, H)
            projected = layer_input @ Wb[0] + b_ih + b_hh  # one product
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input

    def with_an_elementwise_product_and_a_sum(rnn, x):  # hoisted: one sum over H_in
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            projected = (layer_input[:, :, None, :] * W_ih).sum(-1) + b_ih + b_hh  # (L, N, H)
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input

    assert checks.projected_loop(with_a_broadcast_copy_used_once)
    assert checks.projected_loop(with_an_elementwise_product_and_a_sum)
    assert checks.projected_loop(with_a_copy_made_once)
    assert checks.projected_loop(with_a_copy_made_by_cat)
    assert checks.projected_loop(with_linear)
    assert checks.projected_loop(with_einsum_in_float64)
    assert checks.projected_loop(with_an_expanded_weight)
    in_float64 = checks.projected_loop(lambda rnn, x: with_einsum_in_float64(rnn, x).double())
    assert not in_float64
    assert "its dtype is torch.float64, not torch.float32" in in_float64.message


def test_an_unhoisted_loop_is_rejected_whatever_it_multiplies_with():
    def product_per_step(rnn, x):
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            projected = [x_t @ W_ih.T + b_ih + b_hh for x_t in layer_input]  # L products
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input

    def copy_per_step(rnn, x):  # a copy of weight_ih is still weight_ih
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            projected = [x_t @ W_ih.clone().T + b_ih + b_hh for x_t in layer_input]
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input

    def joined_weight(rnn, x):  # cat([W_ih, W_hh]) once: each step's product still reads W_ih
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            W = torch.cat([W_ih, W_hh], 1)  # (H, H_in + H), made once
            h, outputs = torch.zeros(x.shape[1], rnn.hidden_size), []
            for x_t in layer_input:
                h = torch.tanh(torch.cat([x_t, h], 1) @ W.T + b_ih + b_hh)
                outputs.append(h)
            layer_input = torch.stack(outputs)
        return layer_input

    def filled_weight(rnn, x):  # the same, W_ih copied into a slice of a bigger tensor
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            W = torch.zeros(rnn.hidden_size, W_ih.shape[1] + rnn.hidden_size)
            W[:, : W_ih.shape[1]] = W_ih
            W[:, W_ih.shape[1] :] = W_hh
            h, outputs = torch.zeros(x.shape[1], rnn.hidden_size), []
            for x_t in layer_input:
                h = torch.tanh(torch.cat([x_t, h], 1) @ W.T + b_ih + b_hh)
                outputs.append(h)
            layer_input = torch.stack(outputs)
        return layer_input

    def made_with(make):  # W_ih passed once through a two-tensor operator, x_t @ it every step
        def answer(rnn, x):
            layer_input = x
            for k in range(rnn.num_layers):
                W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
                W = make(W_ih)  # (H, H_in), made once, before the loop
                projected = [x_t @ W.T + b_ih + b_hh for x_t in layer_input]  # L products
                layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
            return layer_input

        return answer

    made = [
        made_with(lambda W: W * torch.ones(1)),
        made_with(lambda W: W.mul(torch.tensor(1.0))),
        made_with(lambda W: torch.where(W > -1e9, W, 0.0)),
        made_with(lambda W: W @ torch.eye(W.shape[1])),
    ]

    def broadcast_copy(rnn, x):  # W_ih.T copied twice by broadcasting, one copy used per step
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            Wb = W_ih.T * torch.ones(2, 1, 1)  # (2, H_in, H): more elements than W_ih
            projected = [x_t @ Wb[0] + b_ih + b_hh for x_t in layer_input]  # L products
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input

    def expanded_copy(rnn, x):  # W_ih per sequence, made contiguous, a bmm per step
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            We = W_ih.unsqueeze(0).expand(x.shape[1], -1, -1).contiguous()  # (N, H, H_in)
            projected = [torch.bmm(We, x_t[:, :, None])[..., 0] + b_ih + b_hh
                         for x_t in layer_input]  # fmt: skip
            layer_input = _run(projected, W_hh, x.shape[1], rnn.hidden_size)
        return layer_input

    made += [broadcast_copy, expanded_copy]
    for answer in (product_per_step, copy_per_step, joined_weight, filled_weight, *made):
        _exercise._TRIES.clear()  # a first try each
        result = checks.projected_loop(answer)
        assert _status(result) == "incorrect"
        assert "use weight_ih for the same layer" in result.message


def test_calling_the_module_is_refused():
    for checker in (checks.projected_loop, checks.fixed_loop):
        result = checker(lambda rnn, x: rnn(x)[0])
        assert _status(result) == "incorrect"
        assert "calls nn.RNN itself" in result.message


def test_wrong_forms():
    assert _status(checks.projected_loop(...)) == "not attempted"
    assert _status(checks.fixed_loop(lambda rnn, x: None)) == "not attempted"
    assert "raised ZeroDivisionError" in checks.fixed_loop(lambda rnn, x: 1 / 0).message
    assert "has shape" in checks.fixed_loop(lambda rnn, x: x).message


def test_checkers_leave_grad_mode_and_no_mode_behind():
    checks.projected_loop(lambda rnn, x: 1 / 0)
    assert torch.is_grad_enabled()
    checks.fixed_loop(lambda rnn, x: rnn(x)[0])
    a = torch.ones(2, 2, requires_grad=True)
    assert (a @ a).grad_fn is not None  # no dispatch or function mode left active


def test_a_batch_first_output_is_told_the_layout_not_a_layer():
    def stacked_on_dim_1(rnn, x):  # every state right, laid out (N, L, H)
        layer_input = x
        for k in range(rnn.num_layers):
            W_ih, W_hh, b_ih, b_hh = _layer(rnn, k)
            layer_input = _run(
                layer_input @ W_ih.T + b_ih + b_hh, W_hh, x.shape[1], rnn.hidden_size
            )
        return torch.stack(list(layer_input), dim=1)  # L x (N, H) -> (N, L, H)

    def permuted(rnn, x):
        return stacked_on_dim_1(rnn, x).permute(1, 0, 2).permute(1, 0, 2)  # still (N, L, H)

    for answer in (stacked_on_dim_1, permuted):
        _exercise._TRIES.clear()
        _exercise._LAST.clear()  # a first try each: the nudge
        result = checks.projected_loop(answer)
        assert _status(result) == "incorrect"
        assert "(L, N, H) expected, sequence-first" in result.message
        assert "which layer goes wrong first" not in result.message


def test_only_the_first_layer_hoisted_climbs_from_the_nudge():
    # the x8 review's answers: layer 0 hoisted, layer 1 with F.linear inside its loop
    def first_layer_hoisted(rnn, x):
        W_ih, W_hh, b_ih, b_hh = _layer(rnn, 0)
        layer_input = _run(x @ W_ih.T + b_ih + b_hh, W_hh, x.shape[1], rnn.hidden_size)
        W_ih, W_hh, b_ih, b_hh = _layer(rnn, 1)
        projected = [functional.linear(x_t, W_ih, b_ih) + b_hh for x_t in layer_input]
        return _run(projected, W_hh, x.shape[1], rnn.hidden_size)

    _exercise._LAST.clear()
    _exercise._TRIES.clear()
    first = checks.projected_loop(first_layer_hoisted).message
    second = checks.projected_loop(first_layer_hoisted).message
    assert "Check every layer" in first
    assert "F.linear" in second
    assert "before that layer's loop" in second
    assert "torch.cat" not in first + second


def test_fixed_loop_projecting_every_step_gets_one_layer_hints():
    # the z8 review: fixed_loop's probes have one layer, so its hints name weight_ih_l0
    def every_step(rnn, x):
        W_ih, W_hh, b_ih, b_hh = _layer(rnn, 0)
        return _run([x_t @ W_ih.T + b_ih + b_hh for x_t in x], W_hh, x.shape[1], rnn.hidden_size)

    _exercise._LAST.clear()
    _exercise._TRIES.clear()
    messages = [checks.fixed_loop(every_step).message for _ in range(3)]
    assert "How often does your function use weight_ih_l0?" in messages[0]
    assert "inside its time loop" in messages[1]
    assert not any("every layer" in m or "At least one layer" in m for m in messages)
