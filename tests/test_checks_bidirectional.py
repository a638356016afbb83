"""Chapter 05's checkers beyond what tests/test_exercises.py derives from the definitions: right
answers written differently, answers of the wrong form, calls from older copies, and the legacy
``bidirectional_head`` (older student copies still call it)."""

import pytest
import torch
from torch import nn

from rnnlab import checks
from rnnlab.checks import _exercise


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
        (lambda o, H: o, "return 2 values"),
        (lambda o, H: ("a", "b"), "forward_final should be a tensor"),
        (lambda o, H: (o[-1, :, :H], o[1, :, H:]), "forward_final is right"),
    ],
)
def test_final_states_answers_of_the_wrong_form(split, hint):
    result = checks.final_states(split)
    assert result.status == "incorrect"
    assert hint in result.message


def test_final_states_stub_and_crashes():
    def stub(output, H): ...

    assert checks.final_states(...).status == "not attempted"
    assert checks.final_states(stub).status == "not attempted"
    assert "IndexError" in repr(checks.final_states(lambda o, H: (o[9, 9, 99], o)))


# --- bidirectional_shapes ---------------------------------------------------------------------


def test_bidirectional_shapes_however_written_older_calls_and_other_objects():
    rnn_1, x_1 = nn.RNN(7, 3, num_layers=4, bidirectional=True), torch.zeros(9, 5, 7)
    assert checks.bidirectional_shapes(rnn_1, x_1, [9, 5, 6], torch.Size([8, 5, 3]))
    assert checks.bidirectional_shapes((9, 5, 6), (8, 5, 3))  # a copy without rnn_1 and x_1
    assert checks.bidirectional_shapes((9, 5, 3), (8, 5, 3)).status == "incorrect"
    rnn = nn.RNN(2, 4, num_layers=2, bidirectional=True, batch_first=True)
    assert checks.bidirectional_shapes(rnn, torch.zeros(3, 6, 2), (3, 6, 8), (4, 3, 4))


def test_bidirectional_shapes_refuses_an_rnn_rewritten_to_one_direction():
    one_way = nn.RNN(7, 3, num_layers=4)  # the right shapes for it, but not the exercise
    verdict = checks.bidirectional_shapes(one_way, torch.zeros(9, 5, 7), (9, 5, 3), (4, 5, 3))
    assert verdict.status == "incorrect"
    assert "bidirectional layers" in verdict.message


# --- bidirectional_by_hand --------------------------------------------------------------------


def _by_hand(forward_rnn, reverse_rnn, x, h0):
    forward_half, forward_last = forward_rnn(x, h0[0:1])
    reverse_half, reverse_last = reverse_rnn(x.flip(1), h0[1:2])
    output = torch.cat([forward_half, reverse_half.flip(1)], dim=2)
    return output, torch.cat([forward_last, reverse_last])


def _by_a_bidirectional_rnn(forward_rnn, reverse_rnn, x, h0):  # right: load both into nn.RNN
    both = nn.RNN(forward_rnn.input_size, forward_rnn.hidden_size, bidirectional=True)
    state = dict(forward_rnn.state_dict())
    state |= {f"{k}_reverse": v for k, v in reverse_rnn.state_dict().items()}
    both.load_state_dict(state)
    output, h_n = both(x.transpose(0, 1), h0)  # sequence-first, on purpose
    return output.transpose(0, 1), h_n


def _with_a_loop(forward_rnn, reverse_rnn, x, h0):  # right: the reverse direction step by step
    forward_half, forward_last = forward_rnn(x, h0[0:1])
    h, states = h0[1:2], [None] * x.shape[1]
    for t in reversed(range(x.shape[1])):
        _, h = reverse_rnn(x[:, t : t + 1], h)
        states[t] = h[0]
    return torch.cat([forward_half, torch.stack(states, 1)], 2), torch.cat([forward_last, h])


def test_bidirectional_by_hand_accepts_right_answers_written_differently():
    for right in (_by_hand, _by_a_bidirectional_rnn, _with_a_loop):
        assert checks.bidirectional_by_hand(right), right.__name__


def test_bidirectional_by_hand_rejects_changing_a_handed_rnn():
    def flag(forward_rnn, reverse_rnn, x, h0):
        reverse_rnn.batch_first = False
        reverse_rnn.batch_first = True
        reverse_rnn.weight_hh_l0.data.mul_(1.0)  # harmless: unchanged values
        forward_rnn.bias_ih_l0.data.zero_()
        return _by_hand(forward_rnn, reverse_rnn, x, h0)

    result = checks.bidirectional_by_hand(flag)
    assert result.status == "incorrect"
    assert "forward_rnn.bias_ih_l0 was changed" in result.message
    assert checks.bidirectional_by_hand(...).status == "not attempted"


# --- bidirectional_head (legacy) ----------------------------------------------------------------


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
    checks.bidirectional_by_hand(_with_a_loop)
    checks.bidirectional_head(_classifier(lambda o, h_n, H: torch.cat([h_n[-2], h_n[-1]], 1)))
    assert torch.equal(torch.random.get_rng_state(), before)


def _by_hand_with(
    h_n_join=torch.cat,
    flip=lambda t: t.flip(1),
    h0_of=lambda h0: h0,
    halves=lambda forward, reverse: [forward, reverse],
    reverse_with=lambda forward_rnn, reverse_rnn: reverse_rnn,
    finals=lambda forward, reverse: [forward, reverse],
    reverse_row=1,
):
    def bidirectional_by_hand(forward_rnn, reverse_rnn, x, h0):
        h0 = h0_of(h0)
        forward_half, forward_last = forward_rnn(x, h0[0:1])
        reverse_h0 = h0[reverse_row : reverse_row + 1]
        reverse_half, reverse_last = reverse_with(forward_rnn, reverse_rnn)(x.flip(1), reverse_h0)
        output = torch.cat(halves(forward_half, flip(reverse_half)), dim=2)
        return output, h_n_join(finals(forward_last, reverse_last))

    return bidirectional_by_hand


@pytest.mark.parametrize(
    ("function", "hint", "not_said"),
    [
        (_by_hand_with(h_n_join=torch.stack), "h_n: count its dimensions", "flip"),
        (_by_hand_with(flip=lambda t: t[:, ::-1]), "no negative steps", "Print the .shape"),
        (_by_hand_with(h0_of=lambda h0: h0.flip(1)), "which dimension of h0", "reverse half"),
    ],
)
def test_bidirectional_by_hand_names_stack_negative_steps_and_a_flipped_h0(
    function, hint, not_said
):
    _exercise._TRIES.clear()  # a first try: the hint level depends on the tries in this kernel
    result = checks.bidirectional_by_hand(function)
    assert result.status == "incorrect"
    assert hint in result.message
    assert not_said not in result.message


@pytest.mark.parametrize(
    ("function", "hint"),
    [
        (_by_hand_with(halves=lambda f, r: [r, f]), "which direction's states come first"),
        (_by_hand_with(reverse_with=lambda f, r: f), "which RNN computes the reverse half"),
        (_by_hand_with(finals=lambda f, r: [r, f]), "which direction's final state is row 0"),
        (_by_hand_with(reverse_row=0), "which row of h0 does reverse_rnn start from"),
    ],
)
def test_bidirectional_by_hand_names_swapped_halves_one_rnn_twice_and_swapped_h_n(function, hint):
    """Third review of chapter 05: these three got hints about flipping the reverse half (the
    fourth review: so did the reverse direction started from h0[0:1], a copy-paste slip)."""
    _exercise._TRIES.clear()  # a first try: the hint level depends on the tries in this kernel
    result = checks.bidirectional_by_hand(function)
    assert result.status == "incorrect"
    assert hint in result.message
    assert "flip" not in result.message


def _reverse_from_forward_last(forward_rnn, reverse_rnn, x, h0):
    forward_half, forward_last = forward_rnn(x, h0[:1])
    reverse_half, reverse_last = reverse_rnn(torch.flip(x, [1]), forward_last)
    output = torch.cat((forward_half, torch.flip(reverse_half, [1])), 2)
    return output, torch.cat((forward_last, reverse_last), 0)


def _reverse_from_zeros(forward_rnn, reverse_rnn, x, h0):
    forward_half, forward_last = forward_rnn(x, h0[:1])
    reverse_half, reverse_last = reverse_rnn(torch.flip(x, [1]))  # h0 left out, reverse only
    output = torch.cat((forward_half, torch.flip(reverse_half, [1])), 2)
    return output, torch.cat((forward_last, reverse_last), 0)


@pytest.mark.parametrize("function", [_reverse_from_forward_last, _reverse_from_zeros])
def test_bidirectional_by_hand_names_the_reverse_start_without_flip_hints(function):
    """Third review of chapters 04-05: the reverse RNN started from forward_last, or from zeros
    while the forward one had h0[0:1], got the generic hints about flipping."""
    _exercise._TRIES.clear()  # a first try: the hint level depends on the tries in this kernel
    result = checks.bidirectional_by_hand(function)
    assert result.status == "incorrect"
    assert "which row of h0 does reverse_rnn start from" in result.message
    assert "flip" not in result.message


def _features_flipped(forward_rnn, reverse_rnn, x, h0):  # the reverse half's H features reversed
    forward_half, forward_last = forward_rnn(x, h0[:1])
    reverse_half, reverse_last = reverse_rnn(torch.flip(x, [1]), h0[1:])
    output = torch.cat((forward_half, reverse_half.flip(-1)), 2)
    return output, torch.cat((forward_last, reverse_last), 0)


def _batch_and_time_flipped(forward_rnn, reverse_rnn, x, h0):  # flip(0, 1): the batch reversed too
    forward_half, forward_last = forward_rnn(x, h0[:1])
    reverse_half, reverse_last = reverse_rnn(torch.flip(x, [1]), h0[1:])
    output = torch.cat((forward_half, torch.flip(reverse_half, [0, 1])), 2)
    return output, torch.cat((forward_last, reverse_last), 0)


@pytest.mark.parametrize(
    ("function", "hints"),
    [
        (
            _features_flipped,
            ("which dimension of the reverse half", "dimension 2 (also -1) holds the H features"),
        ),
        (
            _batch_and_time_flipped,
            ("along which dimensions", "reverses time and the batch too"),
        ),
    ],
)
def test_bidirectional_by_hand_names_features_and_batch_flips(function, hints):
    """w3 review of chapter 05: flip(-1) (features, not time) and flip(0, 1) (the batch too) got
    the generic time-order hints and reached the fix only at the third."""
    _exercise._TRIES.clear()  # a first try: the hint level depends on the tries in this kernel
    first, second = checks.bidirectional_by_hand(function), checks.bidirectional_by_hand(function)
    assert first.status == second.status == "incorrect"
    assert hints[0] in first.message
    assert hints[1] in second.message
    assert "at which index of x" not in first.message + second.message
