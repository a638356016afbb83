"""Chapter 01's checkers: the solution, each known mistake (with its hint), right answers written
differently, generated wrong answers, the stub, and the global random state left alone."""

import numpy as np
import pytest
import torch

from rnnlab import checks


def _status(result):
    return result.status


def _solution_step(x, h, cell):
    return torch.tanh(x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh)


def test_cell_parameters_accepts_the_answer_written_many_ways():
    assert checks.cell_parameters((4, 7), (4, 4), 4 * (7 + 4 + 2))
    assert checks.cell_parameters(torch.Size([4, 7]), [4, 4], np.int64(52))
    assert checks.cell_parameters(np.array([4, 7]), (np.int32(4), np.int64(4)), 52)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (((7, 4), (4, 4), 52), "weight_ih is transposed"),
        (((4, 4), (4, 4), 52), "which of its dimensions is which"),
        (((4, 7), (4, 7), 52), "weight_ih is right. weight_hh"),
        (((4, 7), (4, 4), 44), "off by exactly the two biases"),
        (((4, 7), (4, 4), 48), "off by exactly one bias"),
        (((4, 7), (4, 4), 51), "all four parameters"),
        (((4, 7), (4, 4), 52.0), "whole number"),
        (((4, 7), (4, 4), True), "whole number"),
        ((("4x7"), (4, 4), 52), "tuple of whole numbers"),
        (((), [], 52), "tuple of whole numbers"),
        (((True, 7), (4, 4), 52), "tuple of whole numbers"),
        (((4.5, 7), (4, 4), 52), "tuple of whole numbers"),
    ],
)
def test_cell_parameters_names_each_mistake(answer, hint):
    result = checks.cell_parameters(*answer)
    assert _status(result) == "incorrect"
    assert hint in repr(result)
    assert "(4, 7)" not in repr(result)


def test_cell_parameters_stub_and_half_filled():
    assert _status(checks.cell_parameters(..., ..., ...)) == "not attempted"
    assert _status(checks.cell_parameters((4, 7), ..., ...)) == "not attempted"


def test_cell_parameters_rejects_every_other_small_shape():
    rng = np.random.default_rng(0)
    for _ in range(200):
        ih = tuple(int(v) for v in rng.integers(1, 9, size=2))
        hh = tuple(int(v) for v in rng.integers(1, 9, size=2))
        n = int(rng.integers(40, 60))
        expected = ih == (4, 7) and hh == (4, 4) and n == 52
        assert bool(checks.cell_parameters(ih, hh, n)) == expected


def test_my_rnn_cell_solution_and_right_answers_written_differently():
    assert checks.my_rnn_cell(_solution_step)

    def with_linear(x, h, cell):
        pre = torch.nn.functional.linear(x, cell.weight_ih, cell.bias_ih)
        return (pre + torch.nn.functional.linear(h, cell.weight_hh, cell.bias_hh)).tanh()

    def in_float64(x, h, cell):
        return _solution_step(x.double(), h.double(), cell.double())

    def as_numpy(x, h, cell):
        return _solution_step(x, h, cell).numpy()

    def with_einsum(x, h, cell):
        pre = torch.einsum("ni,hi->nh", x, cell.weight_ih) + torch.einsum(
            "nj,hj->nh", h, cell.weight_hh
        )
        return torch.tanh(pre + cell.bias_ih + cell.bias_hh)

    for step in (with_linear, in_float64, as_numpy, with_einsum):
        assert checks.my_rnn_cell(step), step.__name__


def _cell_terms(x, h, cell):
    return (
        x @ cell.weight_ih.T,
        cell.bias_ih,
        h @ cell.weight_hh.T,
        cell.bias_hh,
    )


@pytest.mark.parametrize(
    ("step", "hint"),
    [
        (lambda x, h, c: torch.tanh(x @ c.weight_ih.T + c.bias_ih + h @ c.weight_hh.T), "bias_hh"),
        (lambda x, h, c: torch.tanh(x @ c.weight_ih.T + h @ c.weight_hh.T + c.bias_hh), "bias_ih"),
        (lambda x, h, c: torch.tanh(x @ c.weight_ih.T + h @ c.weight_hh.T), "the two biases"),
        (
            lambda x, h, c: torch.tanh(x @ c.weight_ih.T + c.bias_ih + h @ c.weight_hh + c.bias_hh),
            "weight_hh untransposed",
        ),
        (
            lambda x, h, c: torch.tanh(x @ c.weight_ih + c.bias_ih + h @ c.weight_hh.T + c.bias_hh),
            "x meets it transposed",
        ),
        (lambda x, h, c: torch.tanh(x @ c.weight_ih.T + c.bias_ih + c.bias_hh), "previous one"),
        (lambda x, h, c: sum(_cell_terms(x, h, c)), "through tanh"),
        (lambda x, h, c: torch.relu(sum(_cell_terms(x, h, c))), "not relu"),
        (lambda x, h, c: torch.tanh(sum(_cell_terms(x, h, c)) + 0.1), "relative error"),
        (lambda x, h, c: torch.tanh(sum(_cell_terms(x, h, c))).T, "shape"),
        (lambda x, h, c: [1.0, 2.0], "not a tensor"),
        (lambda x, h, c: 1 / 0, "ZeroDivisionError"),
        (lambda x, h, c: c(x, h), "PyTorch's own cell"),
        (lambda x, h, c: torch.nn.RNNCell.forward(c, x, h), "PyTorch's own cell"),
        (
            lambda x, h, c: torch.rnn_tanh_cell(
                x, h, c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh
            ),
            "PyTorch's own cell",
        ),
    ],
)
def test_my_rnn_cell_names_each_mistake(step, hint):
    result = checks.my_rnn_cell(step)
    assert _status(result) == "incorrect"
    assert hint in repr(result)


def test_my_rnn_cell_generated_wrong_answers():
    for scale in (0.5, 0.9, 1.01, 2.0):

        def scaled(x, h, cell, scale=scale):
            return _solution_step(x, h, cell) * scale

        assert _status(checks.my_rnn_cell(scaled)) == "incorrect"


def test_my_rnn_cell_stub():
    def stub(x, h, cell): ...

    def raises(x, h, cell):
        raise NotImplementedError

    assert _status(checks.my_rnn_cell(stub)) == "not attempted"
    assert _status(checks.my_rnn_cell(raises)) == "not attempted"
    assert _status(checks.my_rnn_cell(...)) == "not attempted"
    assert _status(checks.my_rnn_cell(42)) == "incorrect"


def test_my_rnn_cell_leaves_the_patched_functions_restored():
    checks.my_rnn_cell(lambda x, h, c: c(x, h))
    cell = torch.nn.RNNCell(2, 3)
    assert cell(torch.zeros(1, 2)).shape == (1, 3)
    assert torch.rnn_tanh_cell is not None


def _buggy_loop(cell, x):
    N, L, _ = x.shape
    h0 = torch.zeros(N, cell.hidden_size)  # (N, H)
    h = h0
    for t in range(L):
        h = cell(x[:, t], h0)
    return h


def _fixed_loop(cell, x):
    N, L, _ = x.shape
    h = torch.zeros(N, cell.hidden_size)  # (N, H)
    for t in range(L):
        h = cell(x[:, t], h)
    return h


def test_loop_final_state():
    assert checks.loop_final_state(_fixed_loop)

    def by_hand(cell, x):
        h = torch.zeros(x.shape[0], cell.hidden_size, dtype=torch.float64)
        for x_t in x.unbind(1):
            h = _solution_step(x_t.double(), h, cell.double())
        return h

    assert checks.loop_final_state(by_hand)
    assert _status(checks.loop_final_state(_buggy_loop)) == "not attempted"
    assert "buggy loop" in repr(checks.loop_final_state(_buggy_loop))

    def first_only(cell, x):
        return cell(x[:, 0])

    def one_short(cell, x):
        return _fixed_loop(cell, x[:, :-1])

    def every_step(cell, x):
        h, out = torch.zeros(x.shape[0], cell.hidden_size), []
        for t in range(x.shape[1]):
            h = cell(x[:, t], h)
            out.append(h)
        return torch.stack(out, 1)

    def perturbed(cell, x):
        return _fixed_loop(cell, x) + 1e-3

    assert "first step only" in repr(checks.loop_final_state(first_only))
    assert "one step short" in repr(checks.loop_final_state(one_short))
    assert "(N, L, H)" in repr(checks.loop_final_state(every_step))
    assert "relative error" in repr(checks.loop_final_state(perturbed))
    assert "shape" in repr(checks.loop_final_state(lambda c, x: _fixed_loop(c, x)[0]))
    assert _status(checks.loop_final_state(...)) == "not attempted"
    assert _status(checks.loop_final_state(lambda c, x: None)) == "not attempted"
    assert (
        _status(checks.loop_final_state(_fixed_loop(torch.nn.RNNCell(1, 1), torch.ones(1, 1, 1))))
        == "incorrect"
    )


def _relu_final(weight_hh, bias_ih=4.0, bias_hh=5.0):
    h = 0.0
    for x in range(1, 10):
        h = max(0.0, 2 * x + bias_ih + weight_hh * h + bias_hh)
    return h


def test_forum_final_state():
    h = _relu_final(0.5)
    assert checks.forum_final_state(h)
    assert checks.forum_final_state(torch.tensor([[h]]))
    assert checks.forum_final_state(np.float32(h))
    assert checks.forum_final_state(torch.tensor(h, dtype=torch.float64))
    assert "tanh" in repr(checks.forum_final_state(1.0))
    assert "intermediate" in repr(checks.forum_final_state(11.0))
    assert "weight_hh = 3" in repr(checks.forum_final_state(_relu_final(3.0)))
    assert "bias_hh" in repr(checks.forum_final_state(_relu_final(0.5, bias_hh=0.0)))
    assert "bias_ih" in repr(checks.forum_final_state(_relu_final(0.5, bias_ih=0.0)))
    assert "relative error" in repr(checks.forum_final_state(h + 1.0))
    assert _status(checks.forum_final_state("many")) == "incorrect"
    assert _status(checks.forum_final_state(torch.ones(2))) == "incorrect"
    assert _status(checks.forum_final_state(())) == "incorrect"
    assert _status(checks.forum_final_state(...)) == "not attempted"


def test_results_never_print_the_expected_value():
    h = _relu_final(0.5)
    for result in (
        checks.forum_final_state(3.0),
        checks.forum_final_state(...),
        checks.cell_parameters((1, 1), (1, 1), 5),
        checks.cell_parameters((4, 7), (4, 4), 5),
    ):
        text = repr(result)
        assert f"{h:g}" not in text
        assert "(4, 7)" not in text
        assert "52" not in text


def test_checkers_leave_the_global_random_state_alone():
    before = torch.get_rng_state()
    checks.my_rnn_cell(_solution_step)
    checks.loop_final_state(_fixed_loop)
    checks.cell_parameters((4, 7), (4, 4), 52)
    assert torch.equal(torch.get_rng_state(), before)


def test_cell_weight_shapes_of_the_template():
    assert checks.cell_weight_shapes((3, 5), (3, 3))
    assert checks.cell_weight_shapes(torch.Size([3, 5]), [np.int64(3), 3])
    wrong = checks.cell_weight_shapes((5, 3), (3, 3))
    assert _status(wrong) == "incorrect"
    assert "transposed" in repr(wrong)
    assert "weight_hh" in repr(checks.cell_weight_shapes((3, 5), (3, 5)))
    assert _status(checks.cell_weight_shapes(..., ...)) == "not attempted"
    assert _status(checks.cell_weight_shapes("3x5", (3, 3))) == "incorrect"
    assert _status(checks.cell_weight_shapes((), (3, 3))) == "incorrect"
    assert "(3, 5)" not in repr(checks.cell_weight_shapes((1, 1), (1, 1)))


def test_an_endless_loop_is_stopped_and_reported(monkeypatch):
    from rnnlab.checks import rnn_cell

    monkeypatch.setattr(rnn_cell, "TIME_LIMIT", 0.2)

    def endless(*args):
        while True:
            pass

    for checker in (checks.my_rnn_cell, checks.loop_final_state, checks.last_step_states):
        result = checker(endless)
        assert _status(result) == "incorrect"
        assert "TimeoutError" in repr(result)
    assert checks.my_rnn_cell(_solution_step)  # the timer is off again
