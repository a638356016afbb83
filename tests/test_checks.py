"""Each exercise checker with the worked solution, a known wrong answer and the untouched stub."""

import torch

from rnnlab import checks


def _verdict(result):
    return result.status


def test_cell_weight_shapes():
    assert checks.cell_weight_shapes((3, 5), (3, 3))
    assert checks.cell_weight_shapes(torch.Size([3, 5]), torch.Size([3, 3]))
    wrong = checks.cell_weight_shapes((5, 3), (3, 3))
    assert _verdict(wrong) == "incorrect"
    assert "transposed" in repr(wrong)
    assert _verdict(checks.cell_weight_shapes((3, 5), (3, 5))) == "incorrect"
    assert _verdict(checks.cell_weight_shapes(..., ...)) == "not attempted"
    assert _verdict(checks.cell_weight_shapes("3x5", (3, 3))) == "incorrect"


def test_my_rnn_cell():
    def solution(x, h, cell):
        return torch.tanh(x @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh)

    def no_bias(x, h, cell):
        return torch.tanh(x @ cell.weight_ih.T + h @ cell.weight_hh.T)

    def untransposed(x, h, cell):
        return torch.tanh(x @ cell.weight_ih + h @ cell.weight_hh)

    def stub(x, h, cell):
        raise NotImplementedError

    def placeholder(x, h, cell): ...

    assert checks.my_rnn_cell(solution)
    assert "biases are missing" in repr(checks.my_rnn_cell(no_bias))
    assert "transposed" in repr(checks.my_rnn_cell(untransposed))
    assert _verdict(checks.my_rnn_cell(...)) == "not attempted"
    assert _verdict(checks.my_rnn_cell(stub)) == "not attempted"
    assert _verdict(checks.my_rnn_cell(placeholder)) == "not attempted"
    assert _verdict(checks.my_rnn_cell(42)) == "incorrect"


def _relu_final(weight_hh):
    h = 0.0
    for x in range(1, 10):
        h = max(0.0, 2 * x + 4 + weight_hh * h + 5)
    return h


def test_forum_final_state():
    h = _relu_final(0.5)
    assert checks.forum_final_state(h)
    assert checks.forum_final_state(torch.tensor([[h]]))
    assert "tanh" in repr(checks.forum_final_state(1.0))
    assert "intermediate" in repr(checks.forum_final_state(11.0))
    assert "weight_hh = 3" in repr(checks.forum_final_state(_relu_final(3.0)))
    assert _verdict(checks.forum_final_state("many")) == "incorrect"
    assert _verdict(checks.forum_final_state(...)) == "not attempted"


def test_results_never_print_the_expected_value():
    h = _relu_final(0.5)
    for result in (
        checks.forum_final_state(3.0),
        checks.forum_final_state(...),
        checks.cell_weight_shapes((1, 1), (1, 1)),
    ):
        text = repr(result)
        assert f"{h:g}" not in text
        assert "(3, 5)" not in text
