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


def test_accuracy_value():
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(8, 2))
    x, y = torch.randn(10, 4, 2), torch.randint(0, 2, (10,))
    right = (model(x).argmax(1) == y).float().mean().item()
    assert checks.accuracy_value(model, x, y, right)
    assert 0 < right < 1
    assert "count" in repr(checks.accuracy_value(model, x, y, right * 10))
    assert "error rate" in repr(checks.accuracy_value(model, x, y, 1 - right))
    assert _verdict(checks.accuracy_value(model, x, y, ...)) == "not attempted"


def test_head_in_features():
    from torch import nn

    rnn = nn.RNN(2, 4, num_layers=2, bidirectional=True)
    assert checks.head_in_features(rnn, 8)
    assert "one direction" in repr(checks.head_in_features(rnn, 4))
    assert "every layer" in repr(checks.head_in_features(rnn, 16))
    assert _verdict(checks.head_in_features(rnn, ...)) == "not attempted"


def test_window_count():
    assert checks.window_count(117)
    assert "do not overlap" in repr(checks.window_count(30))
    assert "run past the end" in repr(checks.window_count(120))
    assert "off by one" in repr(checks.window_count(116))
    assert _verdict(checks.window_count(...)) == "not attempted"


def test_initial_state():
    def solution(x, num_layers, H):
        return torch.zeros(num_layers, x.shape[0], H, dtype=x.dtype)

    def hard_coded(x, num_layers, H):
        return torch.zeros(num_layers, 4, H)

    def ones(x, num_layers, H):
        return torch.ones(num_layers, x.shape[0], H, dtype=x.dtype)

    def time_as_batch(x, num_layers, H):
        return torch.zeros(num_layers, x.shape[1], H, dtype=x.dtype)

    assert checks.initial_state(solution)
    assert "read N" in repr(checks.initial_state(hard_coded))
    assert "start from zeros" in repr(checks.initial_state(ones))
    assert "x.shape[0]" in repr(checks.initial_state(time_as_batch))
    assert _verdict(checks.initial_state(...)) == "not attempted"


def test_last_valid_outputs():
    assert checks.last_valid_outputs(lambda out, n: out[torch.arange(out.shape[0]), n - 1])
    assert "last padded step" in repr(checks.last_valid_outputs(lambda out, n: out[:, -1]))
    assert "off by one" in repr(
        checks.last_valid_outputs(
            lambda out, n: out[torch.arange(out.shape[0]), n.clamp(max=out.shape[1] - 1)]
        )
    )
    assert _verdict(checks.last_valid_outputs(...)) == "not attempted"


def test_packed_batch_sizes():
    assert checks.packed_batch_sizes([4, 4, 2, 1])
    assert checks.packed_batch_sizes(torch.tensor([4, 4, 2, 1]))
    assert "those are the lengths" in repr(checks.packed_batch_sizes([4, 3, 2, 2]))
    assert "one entry per time step" in repr(checks.packed_batch_sizes([4, 4]))
    assert _verdict(checks.packed_batch_sizes(...)) == "not attempted"


def test_forget_gate_rows():
    def solution(lstm):
        H = lstm.hidden_size
        return lstm.weight_ih_l0.detach()[H : 2 * H]

    def input_gate(lstm):
        return lstm.weight_ih_l0.detach()[: lstm.hidden_size]

    assert checks.forget_gate_rows(solution)
    assert "input gate" in repr(checks.forget_gate_rows(input_gate))
    assert _verdict(checks.forget_gate_rows(lambda lstm: lstm.weight_ih_l0)) == "incorrect"
    assert _verdict(checks.forget_gate_rows(...)) == "not attempted"


def test_lstm_shapes():
    from torch import nn

    lstm = nn.LSTM(3, 5, proj_size=2, batch_first=True)
    x = torch.zeros(4, 6, 3)
    assert checks.lstm_shapes(lstm, x, (4, 6, 2), (1, 4, 2), (1, 4, 5))
    assert "never projected" in repr(checks.lstm_shapes(lstm, x, (4, 6, 2), (1, 4, 2), (1, 4, 2)))
    assert "projected too" in repr(checks.lstm_shapes(lstm, x, (4, 6, 2), (1, 4, 5), (1, 4, 5)))
    assert "D*proj_size" in repr(checks.lstm_shapes(lstm, x, (4, 6, 5), (1, 4, 2), (1, 4, 5)))
    assert _verdict(checks.lstm_shapes(lstm, x, ..., ..., ...)) == "not attempted"


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
