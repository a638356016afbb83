"""checks.layer_state and checks.stacked_head (chapter 04): the solution, each known mistake with
its hint, right answers written differently, generated wrong answers, the stub, and the global
random state left alone."""

import re

import pytest
import torch
from torch import nn

from rnnlab import checks


def _solution(state, k):
    return {
        key.replace(f"_l{k}", "_l0"): value
        for key, value in state.items()
        if key.endswith(f"_l{k}") or key.endswith(f"_l{k}_reverse")
    }


def _with_regex(state, k):  # right, written differently: a regular expression, a list of pairs
    pairs = [
        (re.sub(rf"_l{k}(?=(_reverse)?$)", "_l0", key), value)
        for key, value in state.items()
        if re.search(rf"_l{k}(_reverse)?$", key)
    ]
    return dict(pairs)


def _not_renamed(state, k):
    return {key: value for key, value in state.items() if re.search(rf"_l{k}(_reverse)?$", key)}


def _forward_only(state, k):
    return {key.replace(f"_l{k}", "_l0"): v for key, v in state.items() if key.endswith(f"_l{k}")}


def _substring(state, k):  # "_l1" in "weight_ih_l11" is True
    return {re.sub(r"_l\d+", "_l0", key): v for key, v in state.items() if f"_l{k}" in key}


def _by_position(state, k):  # four entries per layer: wrong as soon as there are two directions
    items = list(state.items())[4 * k : 4 * k + 4]
    return {re.sub(r"_l\d+", "_l0", key): v for key, v in items}


def _wrong_tensors(state, k):
    other = (k + 1) % 3
    return {key.replace(f"_l{other}", "_l0"): v for key, v in _only(state, other).items()}


def _only(state, k):
    return {key: v for key, v in state.items() if re.search(rf"_l{k}(_reverse)?$", key)}


def test_layer_state_accepts_the_solution_and_other_right_answers():
    assert checks.layer_state(_solution)
    assert checks.layer_state(_with_regex)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (_not_renamed, "still name layer k"),
        (_forward_only, "_reverse"),
        (_substring, "'_l1' is also inside '_l10'"),
        (_by_position, "_reverse"),
        (_wrong_tensors, "another layer"),
        (lambda state, k: list(state), "return a dict"),
        (lambda state, k: {}, "select every key of layer k"),
    ],
)
def test_layer_state_names_each_mistake(answer, hint):
    result = checks.layer_state(answer)
    assert result.status == "incorrect"
    assert hint in repr(result)


def test_layer_state_stub_and_crashes():
    def stub(state, k): ...

    assert checks.layer_state(...).status == "not attempted"
    assert checks.layer_state(stub).status == "not attempted"
    assert "KeyError" in repr(checks.layer_state(lambda state, k: state["nope"]))
    assert checks.layer_state(42).status == "incorrect"


def _classifier(read):
    class Classifier(nn.Module):
        def __init__(self, input_size, hidden_size, num_layers, n_classes):
            super().__init__()
            self.rnn = nn.RNN(input_size, hidden_size, num_layers=num_layers, batch_first=True)
            self.head = nn.Linear(hidden_size, n_classes)

        def forward(self, x):
            output, h_n = self.rnn(x)  # (N, L, H), (num_layers, N, H)
            return self.head(read(output, h_n))  # (N, H) -> (N, n_classes)

    return Classifier


@pytest.mark.parametrize(
    "read",
    [
        lambda output, h_n: h_n[-1],
        lambda output, h_n: output[:, -1],
        lambda output, h_n: h_n[h_n.shape[0] - 1],
        lambda output, h_n: output[:, output.shape[1] - 1, :],
    ],
)
def test_stacked_head_accepts_every_right_reading(read):
    assert checks.stacked_head(_classifier(read))


@pytest.mark.parametrize(
    ("read", "hint"),
    [
        (lambda output, h_n: h_n[0], "you read h_n[0]"),
        (lambda output, h_n: h_n[1], "right for two layers only"),
        (lambda output, h_n: output[:, 0], "first time step"),
        (lambda output, h_n: h_n.mean(0), "relative error"),
        (lambda output, h_n: output.mean(1), "relative error"),
    ],
)
def test_stacked_head_names_each_mistake(read, hint):
    result = checks.stacked_head(_classifier(read))
    assert result.status == "incorrect"
    assert hint in repr(result)


def test_stacked_head_stub_junk_and_a_changed_model():
    class Renamed(nn.Module):
        def __init__(self, *sizes):
            super().__init__()
            self.lstm = nn.LSTM(3, 5)

    class OneLayer(nn.Module):
        def __init__(self, input_size, hidden_size, num_layers, n_classes):
            super().__init__()
            self.rnn = nn.RNN(input_size, hidden_size, batch_first=True)
            self.head = nn.Linear(hidden_size, n_classes)

    assert checks.stacked_head(...).status == "not attempted"
    assert checks.stacked_head(42).status == "incorrect"
    assert "self.rnn and self.head" in repr(checks.stacked_head(Renamed))
    assert "the bug is in forward" in repr(checks.stacked_head(OneLayer))
    assert checks.stacked_head(lambda *a: 1 / 0).status == "incorrect"


def test_checkers_leave_the_global_random_state_alone():
    torch.manual_seed(7)
    before = torch.random.get_rng_state()
    checks.layer_state(_solution)
    checks.stacked_head(_classifier(lambda output, h_n: h_n[-1]))
    assert torch.equal(torch.random.get_rng_state(), before)
