"""Chapter 10's checkers beyond what tests/test_exercises.py derives from the definitions: right
answers written differently, calls from older copies (without the handed objects), answers of
the wrong form, and the legacy ``forget_gate_rows`` and ``gru_step`` of copies made before their
exercises were replaced."""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnnlab import checks
from rnnlab.checks import gru_lstm


def _verdict(result):
    return result.status


def _gates(x, h, cell):
    x_r, x_z, x_n = (x @ cell.weight_ih.T + cell.bias_ih).chunk(3, dim=1)
    h_r, h_z, h_cand = (h @ cell.weight_hh.T + cell.bias_hh).chunk(3, dim=1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    return r, z, x_n, h_cand


def _solution(x, h, cell):
    r, z, x_n, h_cand = _gates(x, h, cell)
    n = torch.tanh(x_n + r * h_cand)
    return (1 - z) * n + z * h


def test_forget_gate_rows():
    def solution(lstm):
        H = lstm.hidden_size
        return lstm.weight_ih_l0.detach()[H : 2 * H]

    def input_gate(lstm):
        return lstm.weight_ih_l0.detach()[: lstm.hidden_size]

    assert checks.forget_gate_rows(solution)
    assert checks.forget_gate_rows(lambda lstm: lstm.weight_ih_l0.chunk(4)[1].detach())
    assert "input gate" in repr(checks.forget_gate_rows(input_gate))
    assert _verdict(checks.forget_gate_rows(lambda lstm: lstm.weight_ih_l0)) == "incorrect"
    assert _verdict(checks.forget_gate_rows(...)) == "not attempted"


def test_lstm_shapes_written_differently_and_from_an_older_copy():
    lstm = nn.LSTM(3, 5, proj_size=2, batch_first=True)
    x = torch.zeros(4, 6, 3)
    assert checks.lstm_shapes(lstm, x, (4, 6, 2), (1, 4, 2), (1, 4, 5))
    assert checks.lstm_shapes(lstm, x, [4, 6, 2], torch.Size([1, 4, 2]), np.array([1, 4, 5]))
    assert checks.lstm_shapes((5, 8, 3), (1, 5, 3), (1, 5, 6))  # a copy without lstm_2, x_2
    assert "c_n" in repr(checks.lstm_shapes(lstm, x, (4, 6, 2), (1, 4, 2), (1, 4, 2)))
    assert _verdict(checks.lstm_shapes(lstm, x, ..., ..., ...)) == "not attempted"
    assert "pass the cell's lstm_2" in checks.lstm_shapes(nn.GRU(3, 5), x, (1,), (1,), (1,)).message


def test_lstm_shapes_names_the_state_that_is_batch_first():
    # the fourth review's answer: h_n right, only c_n batch-first, must not be told about h_n
    lstm = nn.LSTM(input_size=4, hidden_size=6, proj_size=3, batch_first=True)
    x = torch.zeros(5, 8, 4)
    only_c = checks.lstm_shapes(lstm, x, (5, 8, 3), (1, 5, 3), (5, 1, 6)).message
    assert "c_n: does it follow batch_first?" in only_c
    assert "h_n:" not in only_c
    both = checks.lstm_shapes(lstm, x, (5, 8, 3), (5, 1, 3), (5, 1, 6)).message
    assert "h_n: does it follow batch_first?" in both


def test_lstm_shapes_says_both_states_lost_their_layer_dimension():
    lstm = nn.LSTM(input_size=4, hidden_size=6, proj_size=3, batch_first=True)
    x = torch.zeros(5, 8, 4)  # (N, L, H_in)
    message = checks.lstm_shapes(lstm, x, (5, 8, 3), (5, 3), (5, 6)).message
    assert "h_n and c_n are both wrong" in message


def test_forget_bias_written_differently():
    def with_chunks(lstm):
        rows = []
        for k in range(lstm.num_layers):
            for suffix in ("", "_reverse")[: 1 + lstm.bidirectional]:
                b = getattr(lstm, f"bias_ih_l{k}{suffix}") + getattr(lstm, f"bias_hh_l{k}{suffix}")
                rows.append(b.chunk(4)[1])  # i, f, g, o
        return torch.stack(rows)

    assert checks.forget_bias(with_chunks)
    as_numpy = checks.forget_bias(lambda lstm: with_chunks(lstm).detach().numpy())
    assert _verdict(as_numpy) == "incorrect"
    assert "forget_bias: the numbers are right, but its type is ndarray" in as_numpy.message
    assert _verdict(checks.forget_bias(lambda lstm: lstm.bias_ih_l0)) == "incorrect"


def test_lstm_classifier_written_differently_and_wrong_forms():
    class LastOutput(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(input_size=4, hidden_size=6, num_layers=2, batch_first=True)
            self.head = nn.Linear(6, 3)

        def forward(self, x):
            output, _ = self.rnn(x)  # (N, L, H)
            return self.head(output[:, -1])  # the top layer's last step is its final h

    class Smaller(LastOutput):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(input_size=4, hidden_size=6, num_layers=1, batch_first=True)

    assert checks.lstm_classifier(LastOutput)
    assert "keep the sizes" in checks.lstm_classifier(Smaller).message
    assert "the class itself" in checks.lstm_classifier(LastOutput()).message


def _classifier_cell(source):
    namespace = {"nn": nn, "torch": torch, "checks": checks}
    exec(source.split("\n\n\nchecks.", 1)[0], namespace)  # noqa: S102 - the cell's class
    return namespace["Classifier"]


def test_lstm_classifier_tells_the_untouched_starter_from_reading_c_n():
    """The starter reads c_n[-1] through the tuple; an answer that unpacks (h, c) and reads
    c[-1] gives the same scores, yet it was edited: it gets the cell state's hint, and
    checks.hint then gives the fix (a not-attempted verdict would leave hint with nothing)."""
    starter = gru_lstm.LSTM_CLASSIFIER.starter
    untouched = _classifier_cell(starter.replace("# was self.head", "# before: self.head"))
    assert checks.lstm_classifier(untouched).status == "not attempted"  # a comment edited only
    reads_c = _classifier_cell(
        starter.replace("output, h_n = self.rnn(x)", "o, (h, c) = self.rnn(x)").replace(
            "self.head(h_n[-1][-1])", "self.head(c[-1])"
        )
    )
    result = checks.lstm_classifier(reads_c)
    assert result.status == "incorrect"
    assert "cell state" in result.message  # the nudge or the pointer, by the tries so far
    assert "h_n[-1]" in checks.hint("lstm_classifier").message


def test_gru_step_solution_and_right_answers_written_differently():
    assert checks.gru_step(_solution)

    def one_matrix_per_gate(x, h, cell):  # nine blocks, written out
        W_ir, W_iz, W_in = cell.weight_ih.chunk(3)
        W_hr, W_hz, W_hn = cell.weight_hh.chunk(3)
        b_ir, b_iz, b_in = cell.bias_ih.chunk(3)
        b_hr, b_hz, b_hn = cell.bias_hh.chunk(3)
        r = torch.sigmoid(x @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
        z = torch.sigmoid(x @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
        n = torch.tanh(x @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))
        return n + z * (h - n)  # the same as (1 - z) * n + z * h

    assert checks.gru_step(one_matrix_per_gate)
    assert checks.gru_step(lambda x, h, cell: _solution(x.float(), h.float(), _Float32(cell)))


class _Float32:
    def __init__(self, cell):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            setattr(self, name, getattr(cell, name).float())


def test_gru_step_names_each_known_mistake():
    def convention(x, h, cell):  # the chapter's bug
        r, z, x_n, h_cand = _gates(x, h, cell)
        n = torch.tanh(x_n + r * h_cand)
        return z * n + (1 - z) * h

    def reset_before(x, h, cell):
        r, z, x_n, _ = _gates(x, h, cell)
        W_hn, b_hn = cell.weight_hh.chunk(3)[2], cell.bias_hh.chunk(3)[2]
        return (1 - z) * torch.tanh(x_n + (r * h) @ W_hn.T + b_hn) + z * h

    def b_hn_outside(x, h, cell):
        r, z, x_n, _ = _gates(x, h, cell)
        W_hn, b_hn = cell.weight_hh.chunk(3)[2], cell.bias_hh.chunk(3)[2]
        return (1 - z) * torch.tanh(x_n + r * (h @ W_hn.T) + b_hn) + z * h

    def order(x, h, cell):
        r, z, x_n, h_cand = _gates(x, h, cell)
        z, r = r, z
        return (1 - z) * torch.tanh(x_n + r * h_cand) + z * h

    for wrong, hint in (
        (convention, "other texts' convention"),
        (reset_before, "r multiplies h before weight_hh"),
        (b_hn_outside, "r multiplies b_hn as well"),
        (order, "r and z are swapped"),
    ):
        result = checks.gru_step(wrong)
        assert _verdict(result) == "incorrect"
        assert hint in repr(result)
        assert "relative error" in repr(result)


def test_gru_step_stub_and_broken_answers():
    assert _verdict(checks.gru_step(...)) == "not attempted"

    def stub(x, h, cell): ...

    assert _verdict(checks.gru_step(stub)) == "not attempted"
    calls_the_cell = checks.gru_step(lambda x, h, cell: cell(x, h))
    assert _verdict(calls_the_cell) == "incorrect"
    assert "calling the cell" in repr(calls_the_cell)
    assert "(N, H)" in repr(checks.gru_step(lambda x, h, cell: h.T))
    assert _verdict(checks.gru_step(lambda x, h, cell: h)) == "incorrect"


@settings(max_examples=30, deadline=None)
@given(shift=st.floats(1e-4, 1.0), row=st.integers(0, 3), col=st.integers(0, 4))
def test_gru_step_rejects_generated_wrong_answers(shift, row, col):
    def nudged(x, h, cell):
        out = _solution(x, h, cell).clone()
        out[row, col] += shift
        return out

    result = checks.gru_step(nudged)
    assert _verdict(result) == "incorrect"
    assert "relative error" in repr(result)


def test_forget_bias_layer_0_forward_row_only_is_told_the_rows_asked():
    # the z8 review's answer: one (1, H) row where (D*num_layers, H) is asked
    def layer_0_only(lstm):
        H = lstm.hidden_size
        return (lstm.bias_ih_l0 + lstm.bias_hh_l0)[H : 2 * H][None]

    result = checks.forget_bias(layer_0_only)
    assert _verdict(result) == "incorrect"
    assert "one row per layer and direction, (D*num_layers, H)" in result.message
    assert "which biases does it add" not in result.message
