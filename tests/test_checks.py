"""Each exercise checker with the worked solution, a known wrong answer and the untouched stub."""

import torch

from rnnlab import checks


def _verdict(result):
    return result.status


def test_to_sequence_first():
    assert checks.to_sequence_first(lambda out: out.permute(1, 0, 2))
    assert checks.to_sequence_first(lambda out: out.transpose(0, 1))
    wrong = checks.to_sequence_first(lambda out: out.reshape(out.shape[1], out.shape[0], -1))
    assert "numbers moved" in repr(wrong)
    assert _verdict(checks.to_sequence_first(lambda out: None)) == "not attempted"
    assert _verdict(checks.to_sequence_first(...)) == "not attempted"


def test_windows_batch():
    a = torch.arange(1.0, 11.0)
    series = torch.stack([a, a + 100], dim=1)
    assert checks.windows_batch(series.unfold(0, 4, 2).transpose(1, 2))
    assert "transpose(1, 2)" in repr(checks.windows_batch(series.unfold(0, 4, 2)))
    assert "every 2 steps" in repr(checks.windows_batch(series.unfold(0, 4, 1).transpose(1, 2)))
    assert "sequence-first" in repr(
        checks.windows_batch(series.unfold(0, 4, 2).transpose(1, 2).permute(1, 0, 2))
    )
    assert _verdict(checks.windows_batch(...)) == "not attempted"


def test_matmul_count():
    assert checks.matmul_count(200, 101)
    assert "product too" in repr(checks.matmul_count(200, 100))
    assert "W_ih and h by W_hh" in repr(checks.matmul_count(100, 101))
    assert _verdict(checks.matmul_count(..., ...)) == "not attempted"


def _projected_loop(rnn, x, with_bias_ih=True):
    projected = x @ rnn.weight_ih_l0.T + (rnn.bias_ih_l0 if with_bias_ih else 0)
    h = torch.zeros(x.shape[1], rnn.hidden_size)
    outputs = []
    for t in range(x.shape[0]):
        h = torch.tanh(projected[t] + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0)
        outputs.append(h)
    return torch.stack(outputs)


def test_projected_loop():
    def solution(rnn, x):
        return _projected_loop(rnn, x)

    def one_bias(rnn, x):
        return _projected_loop(rnn, x, with_bias_ih=False)

    assert checks.projected_loop(solution)
    assert "biases" in repr(checks.projected_loop(one_bias))
    assert "shapes" in repr(checks.projected_loop(lambda rnn, x: x @ rnn.weight_ih_l0))
    assert _verdict(checks.projected_loop(...)) == "not attempted"
