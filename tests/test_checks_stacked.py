"""Chapter 04's checkers beyond what tests/test_exercises.py derives from the definitions: right
answers written differently, answers of the wrong form, calls from older copies, and the legacy
``stacked_head`` (older student copies still call it)."""

import re

import pytest
import torch
from torch import nn

from rnnlab import checks
from rnnlab.checks import _exercise


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


def _copies(state, k):  # right: cloned tensors, an OrderedDict from a one-layer RNN's keys
    from collections import OrderedDict

    return OrderedDict((key, value.clone()) for key, value in _solution(state, k).items())


def test_layer_state_accepts_right_answers_written_differently():
    for right in (_solution, _with_regex, _copies):
        assert checks.layer_state(right), right.__name__


def _weights_only(state, k):
    return {name: value for name, value in _solution(state, k).items() if "weight" in name}


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (lambda state, k: list(state), "return a dict"),
        (
            lambda state, k: {},
            "does not load into a one-layer RNN (k=1 of a stack with D=1): it lacks",
        ),
        (lambda state, k: {**_solution(state, k), "extra": 1}, "a one-layer RNN has no extra"),
        (lambda state, k: dict.fromkeys(_solution(state, k), 1.0), "each value"),
        (lambda state, k: state["nope"], "raised KeyError"),
    ],
)
def test_layer_state_answers_of_the_wrong_form(answer, hint):
    result = checks.layer_state(answer)
    assert result.status == "incorrect"
    assert hint in result.message, result


def test_layer_state_weights_only_gets_its_own_hints():
    from rnnlab.checks.stacked import LAYER_STATE

    hints = next(m.hints for m in LAYER_STATE.mistakes if m.name == "only the weights")
    result = checks.layer_state(_weights_only)
    assert result.status == "incorrect"
    assert any(level in result.message for level in (hints.nudge, hints.pointer, hints.fix))


def test_layer_state_stub():
    def stub(state, k): ...

    assert checks.layer_state(...).status == "not attempted"
    assert checks.layer_state(stub).status == "not attempted"
    assert checks.layer_state(42).status == "incorrect"


# --- stacked_shapes ---------------------------------------------------------------------------

RNN_1 = nn.RNN(input_size=7, hidden_size=3, num_layers=4)
X_1 = torch.zeros(9, 5, 7)


def test_stacked_shapes_accepts_shapes_however_written_and_older_calls():
    assert checks.stacked_shapes(RNN_1, X_1, [9, 5, 3], torch.Size([4, 5, 3]))
    assert checks.stacked_shapes((9, 5, 3), (4, 5, 3))  # a copy without the handed objects
    assert checks.stacked_shapes((9, 5, 4), (4, 5, 3)).status == "incorrect"
    assert "rnn_1 and x_1" in checks.stacked_shapes(RNN_1, None, (9, 5, 3), (4, 5, 3)).message


def test_stacked_shapes_follows_the_objects_the_cell_hands():
    rnn = nn.RNN(2, 6, num_layers=3, batch_first=True, bidirectional=True)
    assert checks.stacked_shapes(rnn, torch.zeros(4, 5, 2), (4, 5, 12), (6, 4, 6))


def test_stacked_shapes_refuses_an_rnn_rewritten_to_one_layer():
    one_layer = nn.RNN(7, 3, num_layers=1)  # the right shapes for it, but not the exercise
    verdict = checks.stacked_shapes(one_layer, X_1, (9, 5, 3), (1, 5, 3))
    assert verdict.status == "incorrect"
    assert "keep the cell's rnn_1 as it is" in verdict.message


def test_layer_state_tells_a_tensor_under_another_entrys_name():
    def select(state, k):  # every key of layer k renamed, but the biases under each other's name
        swap = {"bias_ih": "bias_hh", "bias_hh": "bias_ih"}
        chosen = {}
        for name, value in state.items():
            stem, layer = name.split("_l", 1)
            number, _, direction = layer.partition("_")
            if int(number) == k:
                suffix = f"_{direction}" if direction else ""
                chosen[f"{swap.get(stem, stem)}_l0{suffix}"] = value
        return chosen

    verdict = checks.layer_state(select)
    assert verdict.status == "incorrect"
    assert "bias" in verdict.message

    def reverse_only(state, k):  # the same swap in the reverse direction only: the same hint
        chosen = _solution(state, k)
        for stem, swapped in (("bias_ih", "bias_hh"), ("bias_hh", "bias_ih")):
            if f"{stem}_l{k}_reverse" in state:
                chosen[f"{stem}_l0_reverse"] = state[f"{swapped}_l{k}_reverse"]
        return chosen

    variant = checks.layer_state(reverse_only)
    assert variant.status == "incorrect"
    assert "bias" in variant.message, variant
    assert "raised" not in variant.message, variant


def test_layer_state_tells_another_layer_s_tensors_as_a_verdict_that_climbs():
    from rnnlab.checks.stacked import LAYER_STATE

    def next_layer(state, k):  # another layer's tensors under layer 0's names
        return _solution(state, k + 1 if f"weight_hh_l{k + 1}" in state else k - 1)

    first = checks.layer_state(next_layer)
    assert first.status == "incorrect"
    assert LAYER_STATE.hints.nudge[1:] in first.message, first  # [1:]: it may start a sentence
    assert "raised" not in first.message
    assert "\n" not in first.message
    second = checks.layer_state(next_layer)  # the same mistake again: the next hint
    assert LAYER_STATE.hints.pointer[1:] in second.message, second


# --- stacked_forward --------------------------------------------------------------------------


def _by_index(layers, x, h0):  # right, written differently: an index loop, h0[k][None]
    finals = []
    for k in range(len(layers)):
        x, h = layers[k](x, h0[k][None])
        finals.append(h[0])
    return x, torch.stack(finals)


def _through_sequence_first(layers, x, h0):  # right: each layer run on a sequence-first copy
    finals = []
    for k, layer in enumerate(layers):
        twin = nn.RNN(layer.input_size, layer.hidden_size)
        twin.load_state_dict(layer.state_dict())
        out, h = twin(x.transpose(0, 1), h0[k : k + 1])
        x = out.transpose(0, 1)
        finals.append(h)
    return x, torch.cat(finals)


def test_stacked_forward_accepts_right_answers_written_differently():
    for right in (_by_index, _through_sequence_first):
        assert checks.stacked_forward(right), right.__name__


def test_stacked_forward_names_layer_0s_output_and_layer_state_a_transposed_weight_hh():
    """Fourth review of chapter 04: these got hints about the initial states and the picking."""

    def layer_0_output(layers, x, h0):  # h_n right, output from the first layer
        outputs, finals = [], []
        for k, layer in enumerate(layers):
            x, h = layer(x, h0[k : k + 1])
            outputs.append(x)
            finals.append(h)
        return outputs[0], torch.cat(finals)

    def transposed(state, k):  # the right keys, weight_hh transposed (written with .t())
        chosen = _solution(state, k)
        return {key: v.t() if "weight_hh" in key else v for key, v in chosen.items()}

    result = checks.stacked_forward(layer_0_output)
    assert result.status == "incorrect"
    assert "which layer's states" in result.message
    assert "initial state" not in result.message
    result = checks.layer_state(transposed)
    assert result.status == "incorrect"
    assert "as the state_dict holds it" in result.message
    assert "which tensors did you pick" not in result.message


def test_stacked_forward_names_reading_x_everywhere_and_a_2d_h0():
    def every_layer_reads_x(layers, x, h0):
        finals = []
        for k, layer in enumerate(layers):
            states, h = layer(x, h0[k : k + 1])  # x, not the layer below's states
            finals.append(h)
        return states, torch.cat(finals)

    def two_dimensional_h0(layers, x, h0):
        finals = []
        for k, layer in enumerate(layers):
            x, h = layer(x, h0[k])  # (N, H): the layer dimension dropped
            finals.append(h)
        return x, torch.cat(finals)

    result = checks.stacked_forward(every_layer_reads_x)
    assert result.status == "incorrect"
    assert "a number written into the code" not in result.message
    assert any(words in result.message for words in ("each layer read", "not x"))  # by tries
    assert "pass each layer's output on to the next" in checks.hint("stacked_forward").message
    result = checks.stacked_forward(two_dimensional_h0)
    assert "h0[k]" in result.message
    assert "input size" not in result.message
    assert "h0[k:k+1]" in checks.hint("stacked_forward").message


def test_stacked_forward_rejects_changing_the_handed_layers():
    def batch_first_off(layers, x, h0):
        for layer in layers:
            layer.batch_first = False
        return _through_sequence_first(layers, x, h0)

    result = checks.stacked_forward(batch_first_off)
    assert result.status == "incorrect"
    assert "batch_first was changed" in result.message


# --- stacked_head (legacy) ----------------------------------------------------------------


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
    checks.stacked_forward(_by_index)
    checks.stacked_head(_classifier(lambda output, h_n: h_n[-1]))
    assert torch.equal(torch.random.get_rng_state(), before)


def _reverse_onto_forward(state, k):  # "_reverse" dropped: layer k's reverse tensors come later
    chosen = {}
    for key, value in state.items():
        if key.endswith((f"_l{k}", f"_l{k}_reverse")):
            chosen[key.removesuffix("_reverse").replace(f"_l{k}", "_l0")] = value
    return chosen


def _forward_only(state, k):
    return {key: value for key, value in _solution(state, k).items() if "reverse" not in key}


@pytest.mark.parametrize(
    ("answer", "hint", "not_said"),
    [
        (_reverse_onto_forward, "your _reverse entries were renamed onto the forward keys", "left"),
        (_forward_only, "a bidirectional layer has more entries", "renamed onto"),
    ],
)
def test_layer_state_tells_reverse_renamed_onto_forward_from_reverse_left_out(
    answer, hint, not_said
):
    """w3 review of chapter 04: a rename that drops "_reverse" (the reverse tensors overwrite the
    forward ones) was told "which did you leave out?": the student left nothing out."""
    _exercise._TRIES.clear()  # a first try: the hint level depends on the tries in this kernel
    result = checks.layer_state(answer)
    assert result.status == "incorrect"
    assert hint in result.message
    assert not_said not in result.message


@pytest.mark.parametrize(
    ("output_shape", "h_n_shape", "words"),
    [((5, 9, 3), (4, 5, 3), "time, which the batch"), ((9, 5, 3), (4, 5, 7), "how many features")],
)
def test_stacked_shapes_names_l_and_n_exchanged_and_h_in_for_h(output_shape, h_n_shape, words):
    verdict = checks.stacked_shapes(RNN_1, X_1, output_shape, h_n_shape)
    assert verdict.status == "incorrect"
    assert words in verdict.message, verdict


def test_layer_state_names_a_tensor_of_another_layer_s_shape_in_one_line():
    def always_layer_0(state, k):  # layer 0's weight_ih is (H, H_in), layer k's (H, D*H)
        return _solution(state, 0)

    verdict = checks.layer_state(always_layer_0)
    assert verdict.status == "incorrect"
    assert "holds the state_dict's weight_ih_l0, (2, 5), but layer k's weight_ih_l1" in str(verdict)
    assert "raised" not in verdict.message
