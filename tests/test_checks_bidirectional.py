"""checks.final_states and checks.bidirectional_head (chapter 05): the solution, each known
mistake with its hint, right answers written differently, generated wrong answers, the stub, and
the global random state left alone."""

import pytest
import torch
from torch import nn

from rnnlab import checks


def _solution(output, H):
    return output[-1, :, :H], output[0, :, H:]


@pytest.mark.parametrize(
    "split",
    [
        _solution,
        lambda output, H: [output[-1, :, :H], output[0, :, H:]],  # a list
        lambda output, H: tuple(output[[-1, 0]].unflatten(-1, (2, H)).diagonal(0, 0, 2).unbind(-1)),
        lambda output, H: (output.narrow(2, 0, H)[-1], output.flip(0)[-1, :, H:]),
        lambda output, H: (output.transpose(0, 1)[:, -1, :H], output.transpose(0, 1)[:, 0, H:]),
    ],
)
def test_final_states_accepts_right_answers(split):
    assert checks.final_states(split)


@pytest.mark.parametrize(
    ("split", "hint"),
    [
        (lambda o, H: (o[-1, :, :H], o[-1, :, H:]), "reverse direction's state from the last step"),
        (lambda o, H: (o[0, :, :H], o[0, :, H:]), "forward direction's state from step 0"),
        (lambda o, H: (o[0, :, H:], o[-1, :, :H]), "swapped"),
        (lambda o, H: (o[-1, :, H:], o[0, :, H:]), "first H features"),
        (lambda o, H: (o[-1, :, :H], o[0, :, :H]), "last H features"),
        (lambda o, H: (o[-1], o[0]), "both directions"),
        (lambda o, H: (o[:, -1], o[:, 0]), "both directions"),
        (lambda o, H: (o[-1, :, :H], o[1, :, H:]), "last H features"),
        (lambda o, H: (o[:, -1, :H], o[:, 0, H:]), "time is dimension 0"),  # batch-first habit
        (lambda o, H: o, "a pair"),
        (lambda o, H: (o[-1, 0, :H], o[0, 0, H:]), "(N, H)"),
        (lambda o, H: ("a", "b"), "two tensors"),
    ],
)
def test_final_states_names_each_mistake(split, hint):
    result = checks.final_states(split)
    assert result.status == "incorrect"
    assert hint in repr(result)


def test_final_states_stub_and_crashes():
    def stub(output, H): ...

    assert checks.final_states(...).status == "not attempted"
    assert checks.final_states(stub).status == "not attempted"
    assert "IndexError" in repr(checks.final_states(lambda o, H: (o[9, 9, 99], o)))


def _classifier(read):
    class Classifier(nn.Module):
        def __init__(self, input_size, hidden_size, num_layers, n_classes):
            super().__init__()
            self.rnn = nn.RNN(
                input_size, hidden_size, num_layers, batch_first=True, bidirectional=True
            )
            self.head = nn.Linear(2 * hidden_size, n_classes)

        def forward(self, x):
            output, h_n = self.rnn(x)  # (N, L, 2*H), (2*num_layers, N, H)
            H = self.rnn.hidden_size
            return self.head(read(output, h_n, H))  # (N, 2*H) -> (N, n_classes)

    return Classifier


@pytest.mark.parametrize(
    "read",
    [
        lambda o, h_n, H: torch.cat([h_n[-2], h_n[-1]], dim=1),
        lambda o, h_n, H: torch.cat([o[:, -1, :H], o[:, 0, H:]], dim=-1),
        lambda o, h_n, H: h_n.view(-1, 2, h_n.shape[1], H)[-1].permute(1, 0, 2).flatten(1),
        lambda o, h_n, H: torch.hstack((h_n[-2], h_n[-1])),
    ],
)
def test_bidirectional_head_accepts_every_right_reading(read):
    assert checks.bidirectional_head(_classifier(read))


@pytest.mark.parametrize(
    ("read", "hint"),
    [
        (lambda o, h_n, H: o[:, -1], "reads output[:, -1]"),
        (lambda o, h_n, H: torch.cat([h_n[-1], h_n[-2]], dim=1), "forward first"),
        (lambda o, h_n, H: torch.cat([h_n[0], h_n[1]], dim=1), "right for one layer only"),
        (lambda o, h_n, H: o[:, 0], "relative error"),
        (lambda o, h_n, H: o.mean(1), "relative error"),
        (  # layer 0's two states, written another way: the same mistake
            lambda o, h_n, H: h_n.permute(1, 0, 2).reshape(h_n.shape[1], -1)[:, : 2 * H],
            "right for one layer only",
        ),
    ],
)
def test_bidirectional_head_names_each_mistake(read, hint):
    result = checks.bidirectional_head(_classifier(read))
    assert result.status == "incorrect"
    assert hint in repr(result)


def test_bidirectional_head_stub_and_junk():
    assert checks.bidirectional_head(...).status == "not attempted"
    assert checks.bidirectional_head(42).status == "incorrect"
    wrong_size = _classifier(lambda o, h_n, H: h_n[-1])  # Linear(2*H, .) fed (N, H): raises
    assert "RuntimeError" in repr(checks.bidirectional_head(wrong_size))


def test_checkers_leave_the_global_random_state_alone():
    torch.manual_seed(7)
    before = torch.random.get_rng_state()
    checks.final_states(_solution)
    checks.bidirectional_head(_classifier(lambda o, h_n, H: torch.cat([h_n[-2], h_n[-1]], 1)))
    assert torch.equal(torch.random.get_rng_state(), before)
