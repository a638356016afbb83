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


def test_predicted_shapes():
    from torch import nn

    rnn = nn.RNN(3, 5, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.zeros(4, 7, 3)  # (N, L, H_in)
    assert checks.predicted_shapes(rnn, x, (4, 7, 10), (4, 4, 5))
    assert "swapped" in repr(checks.predicted_shapes(rnn, x, (7, 4, 10), (4, 4, 5)))
    assert "D*H" in repr(checks.predicted_shapes(rnn, x, (4, 7, 5), (4, 4, 5)))
    assert "AND" in repr(checks.predicted_shapes(rnn, x, (4, 7, 10), (2, 4, 5)))
    assert _verdict(checks.predicted_shapes(rnn, x, ..., ...)) == "not attempted"
    seq = nn.RNN(3, 5)
    assert "never follows batch_first" in repr(
        checks.predicted_shapes(seq, torch.zeros(7, 4, 3), (7, 4, 5), (4, 1, 5))
    )
    assert checks.predicted_shapes(seq, torch.zeros(7, 3), (7, 5), (1, 5))


def test_forum_inputs():
    assert checks.forum_inputs(torch.arange(1.0, 10.0).reshape(9, 1), torch.zeros(1, 1))
    assert checks.forum_inputs(torch.arange(1.0, 10.0).reshape(9, 1, 1), torch.zeros(1, 1, 1))
    assert "feature dimension" in repr(
        checks.forum_inputs(torch.arange(1.0, 10.0), torch.zeros(1, 1))
    )
    assert "float32" in repr(
        checks.forum_inputs(torch.arange(1, 10).reshape(9, 1), torch.zeros(1, 1))
    )
    assert "sequence length is not" in repr(
        checks.forum_inputs(torch.arange(1.0, 10.0).reshape(9, 1), torch.zeros(1, 9))
    )
    assert "as many dimensions" in repr(
        checks.forum_inputs(torch.arange(1.0, 10.0).reshape(9, 1), torch.zeros(1, 1, 1))
    )
    assert "one time step of 9" in repr(
        checks.forum_inputs(torch.arange(1.0, 10.0).reshape(1, 9, 1), torch.zeros(1, 9, 1))
    )
    assert _verdict(checks.forum_inputs(..., ...)) == "not attempted"


def test_layer_state():
    def solution(state, k):
        return {
            key.replace(f"_l{k}", "_l0"): value
            for key, value in state.items()
            if key.endswith(f"_l{k}") or key.endswith(f"_l{k}_reverse")
        }

    def not_renamed(state, k):
        return {key: value for key, value in state.items() if f"_l{k}" in key}

    def forward_only(state, k):
        return {
            key.replace(f"_l{k}", "_l0"): value
            for key, value in state.items()
            if key.endswith(f"_l{k}")
        }

    assert checks.layer_state(solution)
    assert "still name layer k" in repr(checks.layer_state(not_renamed))
    assert "_reverse" in repr(checks.layer_state(forward_only))
    assert _verdict(checks.layer_state(...)) == "not attempted"


def test_final_states():
    assert checks.final_states(lambda out, H: (out[:, -1, :H], out[:, 0, H:]))
    wrong = checks.final_states(lambda out, H: (out[:, -1, :H], out[:, -1, H:]))
    assert "where does it end" in repr(wrong)
    assert _verdict(checks.final_states(lambda out, H: None)) == "not attempted"
    assert _verdict(checks.final_states(lambda out, H: out)) == "incorrect"


def test_bidirectional_features():
    assert checks.bidirectional_features(lambda h: torch.cat([h[-2], h[-1]], dim=1))
    assert "first layer" in repr(
        checks.bidirectional_features(lambda h: torch.cat([h[0], h[1]], dim=1))
    )
    assert "one direction" in repr(checks.bidirectional_features(lambda h: h[-1]))
    assert "every layer" in repr(
        checks.bidirectional_features(lambda h: h.permute(1, 0, 2).reshape(h.shape[1], -1))
    )
    assert "forward first" in repr(
        checks.bidirectional_features(lambda h: torch.cat([h[-1], h[-2]], dim=1))
    )
    assert _verdict(checks.bidirectional_features(...)) == "not attempted"


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
