"""Chapter 07's checkers beyond what tests/test_exercises.py derives from the definitions (right
answers written differently, answers of the wrong form, calls from older copies), and the legacy
``accuracy_value`` and ``head_in_features`` (older student copies still call them)."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnlab import checks, data
from rnnlab.checks import _exercise, classify_directions


def _verdict(result):
    return result.status


def test_accuracy_value():
    generator = torch.Generator().manual_seed(0)
    with torch.random.fork_rng():  # the weights must not depend on which tests ran before
        torch.manual_seed(0)
        model = nn.Sequential(nn.Flatten(), nn.Linear(8, 2))
    x = torch.randn(10, 4, 2, generator=generator)
    with torch.no_grad():
        y = model(x).argmax(1)
    y[:3] = 1 - y[:3]  # 7 of 10 right, whatever the model's random weights: never 0.5
    with torch.no_grad():
        right = (model(x).argmax(1) == y).float().mean().item()
    assert right == pytest.approx(0.7)
    assert checks.accuracy_value(model, x, y, right)
    assert checks.accuracy_value(model, x, y, np.float32(right))
    assert 0 < right < 1
    assert "count" in repr(checks.accuracy_value(model, x, y, right * 10))
    assert "error rate" in repr(checks.accuracy_value(model, x, y, 1 - right))
    assert _verdict(checks.accuracy_value(model, x, y, ...)) == "not attempted"


RNN_3 = nn.RNN(input_size=2, hidden_size=16, num_layers=3, bidirectional=True)


@pytest.mark.parametrize("answer", [32, np.int64(32), torch.tensor(32), 2 * 16])
def test_head_in_features_accepts_right_answers_written_differently(answer):
    assert checks.head_in_features(RNN_3, answer)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (16, "one direction"),
        (96, "every layer"),
        (48, "counts the layers"),
        (4, "uses H_in"),
        (7, "how many numbers"),
        (32.0, "whole number"),
        (True, "whole number"),
    ],
)
def test_head_in_features_names_the_mistake(answer, hint):
    result = checks.head_in_features(RNN_3, answer)
    assert _verdict(result) == "incorrect"
    assert hint in repr(result)


def test_head_in_features_stub():
    assert _verdict(checks.head_in_features(RNN_3, ...)) == "not attempted"


def test_head_input_however_written_older_copies_and_other_objects():
    x_3 = torch.zeros(5, 8, 2)
    assert checks.head_input(RNN_3, x_3, np.int64(32), [8, 32])
    assert checks.head_input(RNN_3, x_3, torch.tensor(32), torch.Size([8, 32]))
    assert checks.head_input(32, (8, 32))  # a copy without rnn_3 and x_3
    rnn = nn.RNN(3, 5, num_layers=2, batch_first=True)
    assert checks.head_input(rnn, torch.zeros(4, 7, 3), 5, (4, 5))
    assert _verdict(checks.head_input(RNN_3, x_3, 32.0, (8, 32))) == "incorrect"
    assert "rnn_3 and x_3" in checks.head_input(RNN_3, None, 32, (8, 32)).message
    assert _verdict(checks.head_input(RNN_3, x_3, ..., ...)) == "not attempted"


def test_head_input_version_2_tells_h_in_times_h_from_d_times_h():
    """Version 1 handed input_size = 2 = D, so H_in*H passed as D*H; version 2 hands H_in = 4,
    and a copy of version 1 (RNN_3, input_size = 2) still checks."""
    rnn_4 = nn.RNN(input_size=4, hidden_size=16, num_layers=3, bidirectional=True)
    x_4 = torch.zeros(5, 8, 4)  # (L, N, H_in)
    assert checks.head_input(rnn_4, x_4, 32, (8, 32))
    tries = dict(_exercise._TRIES)
    wrong = checks.head_input(rnn_4, x_4, 4 * 16, (8, 4 * 16))  # input_size * hidden_size
    _exercise._TRIES.clear()
    _exercise._TRIES.update(tries)  # the other tests see their first hint
    assert _verdict(wrong) == "incorrect"
    assert "which sizes did you multiply" in wrong.message
    assert checks.head_input(RNN_3, torch.zeros(5, 8, 2), 32, (8, 32))  # a version 1 copy


def test_head_input_version_3_hands_h_in_7_and_still_checks_version_2():
    """Version 3 hands H_in = 7: H_in*H = 112 is no other plausible answer (with H_in = 4,
    4*16 = 64 is also 4*H)."""
    rnn_7 = nn.RNN(input_size=7, hidden_size=16, num_layers=3, bidirectional=True)
    x_7 = torch.zeros(5, 8, 7)  # (L, N, H_in)
    assert checks.head_input(rnn_7, x_7, 32, (8, 32))
    tries = dict(_exercise._TRIES)
    wrong = checks.head_input(rnn_7, x_7, 7 * 16, (8, 7 * 16))  # input_size * hidden_size
    other = checks.head_input(rnn_7, x_7, 64, (8, 64))  # 4*H: not H_in*H any more
    _exercise._TRIES.clear()
    _exercise._TRIES.update(tries)  # the other tests see their first hint
    assert "which sizes did you multiply" in wrong.message
    assert _verdict(other) == "incorrect"
    assert "which sizes did you multiply" not in other.message
    assert checks.head_input(
        nn.RNN(4, 16, num_layers=3, bidirectional=True), torch.zeros(5, 8, 4), 32, (8, 32)
    )


def test_bidirectional_summary_right_answers_written_differently_and_wrong_forms():
    assert checks.bidirectional_summary(lambda h: torch.cat([h[-2], h[-1]], dim=1))
    assert checks.bidirectional_summary(lambda h: h[-2:].permute(1, 0, 2).reshape(h.shape[1], -1))
    assert checks.bidirectional_summary(lambda h: h[-2:].transpose(0, 1).flatten(1))
    as_numpy = checks.bidirectional_summary(lambda h: h[-2:].transpose(0, 1).flatten(1).numpy())
    assert _verdict(as_numpy) == "incorrect"
    assert "summary: the numbers are right, but its type is ndarray" in as_numpy.message
    for wrong, hint in [
        (lambda h: h[99], "raised IndexError"),
        (lambda h: 3, "should be a tensor"),
        (lambda h: h[-2:].sum(0).repeat(1, 2), "relative error"),
    ]:
        result = checks.bidirectional_summary(wrong)
        assert _verdict(result) == "incorrect"
        assert hint in result.message, result
    assert _verdict(checks.bidirectional_summary(...)) == "not attempted"
    assert _verdict(checks.bidirectional_summary(lambda h: None)) == "not attempted"


def _two_point_rule(x):
    position, first_step = x[:, 0], x[:, 1] - x[:, 0]  # (N, 2) each
    cross = position[:, 0] * first_step[:, 1] - position[:, 1] * first_step[:, 0]  # (N,)
    return (cross < 0).long()


def _three_point_rule(x):
    a, b = x[:, 1] - x[:, 0], x[:, 2] - x[:, 1]
    return (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0] < 0).long()


def _corner_lookup(x):
    corners = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, 1.0], [1.0, -1.0]])
    first = ((x[:, 0, None] - corners) ** 2).sum(-1).argmin(1)
    second = ((x[:, 1, None] - corners) ** 2).sum(-1).argmin(1)
    return ((second - first) % 4 == 1).long()


def test_direction_rule_accepts_right_answers_written_differently():
    assert checks.direction_rule(_two_point_rule)
    assert checks.direction_rule(lambda x: (_two_point_rule(x) == 1).tolist())
    assert checks.direction_rule(lambda x: _two_point_rule(x).numpy())
    assert checks.direction_rule(lambda x: _two_point_rule(x).bool())


@pytest.mark.parametrize(
    ("rule", "hint"),
    [
        (lambda x: torch.zeros(3), "one label 0 or 1 per walk"),
        (lambda x: "cw", "one label 0 or 1 per walk"),
        (lambda x: (x[:, 0, 0] > 0).long(), "of 64 labels differ"),
    ],
)
def test_direction_rule_answers_of_the_wrong_form(rule, hint):
    result = checks.direction_rule(rule)
    assert _verdict(result) == "incorrect"
    assert hint in result.message


def test_direction_rule_rejects_a_threshold_that_depends_on_the_size():
    def threshold(x):
        position, step = x[:, 0], x[:, 1] - x[:, 0]
        return (position[:, 0] * step[:, 1] - position[:, 1] * step[:, 0] < 1).long()

    result = checks.direction_rule(threshold)
    assert _verdict(result) == "incorrect"
    assert "scaled by 0.5" in result.message

    def size_dependent(x):  # the review's answer: reads the first two points, wrong at half size
        position, step = x[:, 0], x[:, 1] - x[:, 0]
        return (position[:, 0] * step[:, 1] - position[:, 1] * step[:, 0] < -1.0).long()

    result = checks.direction_rule(size_dependent)
    assert _verdict(result) == "incorrect"
    assert "size" in result.message or "with 0" in result.message  # nudge, pointer or fix
    assert "a constant" not in result.message


def test_head_input_output_layout_gets_a_hint_about_features_shape():
    rnn = nn.RNN(2, 16, num_layers=3, bidirectional=True)
    result = checks.head_input(rnn, torch.zeros(5, 8, 2), 32, (5, 8, 32))  # output's layout
    assert _verdict(result) == "incorrect"
    assert "features_shape" in result.message
    assert "in_features: " not in result.message


def test_direction_rule_stub_and_global_random_state():
    state = torch.random.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    assert _verdict(checks.direction_rule(...)) == "not attempted"
    assert checks.direction_rule(_two_point_rule)
    checks.bidirectional_summary(lambda h: h[-1])
    assert torch.equal(torch.random.get_rng_state(), state)
    assert np.array_equal(np.random.get_state()[1], numpy_state)


def test_direction_rule_rejects_the_last_two_points():
    """The review's answer: right on every walk as generated, but it reads the last two points,
    not the first two the exercise asks for; the probe with random later points tells."""

    def last_two(x):  # x: (N, L, 2)
        a, b = x[:, -2], x[:, -1] - x[:, -2]  # (N, 2) each
        return (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0] < 0).long()

    result = checks.direction_rule(last_two)
    assert _verdict(result) == "incorrect"
    assert "random" in result.message
    assert "a constant" not in result.message


def _cross(x):  # x: (N, L, 2) -> (N,): cross product of the first point and the first move
    position, step = x[:, 0], x[:, 1] - x[:, 0]
    return position[:, 0] * step[:, 1] - position[:, 1] * step[:, 0]


@pytest.mark.parametrize("threshold", [-0.3, -0.1, 0.3])
def test_direction_rule_rejects_thresholds_near_0(threshold):
    """The review's answers: right on the squares of side 1 and 2, wrong when scaled by 0.1."""
    result = checks.direction_rule(lambda x: (_cross(x) < threshold).long())
    assert _verdict(result) == "incorrect"
    assert "scaled by 0.1" in result.message
    assert "size" in result.message


@pytest.mark.parametrize("threshold", [0.015, 0.01, -0.01])
def test_direction_rule_rejects_thresholds_that_pass_at_0_1(threshold):
    """Right on every square down to the one scaled by 0.1 (|cross| >= 0.015 there), wrong on
    the one scaled by 0.001 (|cross| about 2e-6, still exact enough in float32 for the sign)."""
    result = checks.direction_rule(lambda x: (_cross(x) < threshold).long())
    assert _verdict(result) == "incorrect"
    assert "scaled by 0.001" in result.message
    assert "size" in result.message


def test_direction_rule_counts_wrong_labels():
    def one_flipped(x):
        labels = (_cross(x) < 0).long()
        labels[0] = 1 - labels[0]
        return labels

    result = checks.direction_rule(one_flipped)
    assert _verdict(result) == "incorrect"
    assert "1 of 64 labels differ" in result.message


@pytest.mark.parametrize(
    ("rule", "hint"),
    [
        (lambda x: torch.sigmoid(-_cross(x)), "not probabilities"),
        (lambda x: torch.where(_cross(x) < 0, 1, -1), "not -1 and 1"),
        (lambda x: torch.sign(-_cross(x)), "not -1 and 1"),
    ],
)
def test_direction_rule_names_probabilities_and_signs(rule, hint):
    result = checks.direction_rule(rule)
    assert _verdict(result) == "incorrect"
    assert hint in result.message


def test_direction_rule_shoelace_area_gets_a_true_hint():
    def shoelace(x):  # signed area of the walk's polygon: 0 on a walk of two points
        area = (x[:, :, 0] * x[:, :, 1].roll(-1, dims=1)).sum(1)
        area = area - (x[:, :, 1] * x[:, :, 0].roll(-1, dims=1)).sum(1)
        return (area < 0).long()

    result = checks.direction_rule(shoelace)
    assert _verdict(result) == "incorrect"
    assert "L=2" in result.message
    assert "one label" in result.message


def test_bidirectional_summary_concatenated_along_dim_0():
    result = checks.bidirectional_summary(lambda h_n: torch.cat([h_n[-2], h_n[-1]], dim=0))
    assert _verdict(result) == "incorrect"
    assert "concatenate" in result.message


@pytest.mark.parametrize(
    ("shape", "hint"),
    [
        ((32,), "how many sequences"),
        ((1, 8, 32), "how many dimensions"),
        ((8, 1, 32), "how many dimensions"),
        ((2, 8, 16), "stacked or side by side"),
        ((8, 16), "in_features is right. features_shape: how many numbers"),
        ((8, 96), "in_features is right. features_shape: how many numbers"),
        ((8, 48), "in_features is right. features_shape: how many numbers"),
    ],
)
def test_head_input_plausible_shapes_get_their_own_hint(shape, hint):
    rnn = nn.RNN(input_size=4, hidden_size=16, num_layers=3, bidirectional=True)
    result = checks.head_input(rnn, torch.zeros(5, 8, 4), 32, shape)
    assert _verdict(result) == "incorrect"
    assert hint in result.message


def _angles(x):  # x: (N, L, 2) -> two (N,): the first two points' angles, seen from the centre
    return torch.atan2(x[:, 0, 1], x[:, 0, 0]), torch.atan2(x[:, 1, 1], x[:, 1, 0])


def test_direction_rule_atan2_difference_without_the_wrap_gets_its_own_hints():
    """The review's answer: the angle difference of the first two points, unwrapped, is wrong on
    the walks whose first move crosses the negative x axis; its hints name atan2's jump, and the
    wrapped difference is accepted."""

    def unwrapped(x):
        before, after = _angles(x)
        return (after - before < 0).long()

    def unwrapped_degrees(x):  # the same mistake written another way
        before, after = _angles(x)
        return (torch.rad2deg(after) - torch.rad2deg(before) <= 0).int()

    def wrapped(x):
        before, after = _angles(x)
        turn = torch.remainder(after - before + torch.pi, 2 * torch.pi) - torch.pi  # [-pi, pi)
        return (turn < 0).long()

    x, _ = data.square_walks(64, L=4, seed=13)
    before, after = _angles(x)
    assert ((after - before).abs() > torch.pi).any()  # the probes hold walks across the axis
    for answer in (unwrapped, unwrapped_degrees, unwrapped, unwrapped):  # nudge, pointer, fix
        result = checks.direction_rule(answer)
        assert _verdict(result) == "incorrect"
        assert "atan2" in result.message
    assert "remainder" in result.message  # the last hint: the fix
    assert checks.direction_rule(wrapped)


@pytest.mark.parametrize("threshold", [1e-7, 1e-9])
def test_direction_rule_rejects_thresholds_that_pass_at_0_001(threshold):
    """The review's answer (cross < 1e-7): right down to the square scaled by 0.001 (|cross|
    about 2e-6 there), wrong on the one scaled by 1e-6, where |cross| is about 2e-12."""
    result = checks.direction_rule(lambda x: (_cross(x) < threshold).long())
    assert _verdict(result) == "incorrect"
    assert "scaled by 1e-6" in result.message
    assert "size" in result.message


def test_direction_rule_probe_scaled_by_1e_6_keeps_the_sign():
    """On the probe scaled by 1e-6 the float32 cross product is about 2e-12 (the _THRESHOLD
    hint's number) and has the sign of the float64 one of the unscaled walks: the labels."""
    rule = classify_directions.DIRECTION_RULE
    probes = rule.probes(torch.Generator().manual_seed(rule.seed))
    (x,) = next(p.args for p in probes if "scaled by 1e-6" in p.label)
    unscaled, labels = data.square_walks(48, L=2, angle=60.0, seed=20)  # (48, 2, 2), (48,)
    assert x.dtype == torch.float32
    torch.testing.assert_close(x, unscaled * 1e-6)
    magnitude = _cross(x).abs()  # (48,)
    assert magnitude.min() > 1e-12
    assert magnitude.max() < 3e-12
    assert torch.equal((_cross(x) < 0).long(), labels)
    assert torch.equal((_cross(unscaled.double()) < 0).long(), labels)


@pytest.mark.parametrize(
    ("shape", "hint"),
    [
        ((8, 2, 16), "in a dimension of their own or side by side"),
        ((40, 32), "one row per what"),
    ],
)
def test_head_input_directions_apart_and_every_step_a_row_get_their_own_hint(shape, hint):
    """The review's answers: (N, D, H), torch.stack([h_n[-2], h_n[-1]], dim=1); and
    (L*N, D*H), output flattened to one row per step."""
    result = checks.head_input(RNN_3, torch.zeros(5, 8, 2), 32, shape)
    assert _verdict(result) == "incorrect"
    assert hint in result.message


@pytest.mark.parametrize(
    ("shape", "hint"),
    [
        (lambda n: (n, 1), "return shape (N,), not (N, 1)"),
        (lambda n: (1, n), "one label 0 or 1 per walk, shape (N,)"),
    ],
)
def test_direction_rule_refuses_labels_of_two_dimensions(shape, hint):
    """The review's answer: right labels of shape (N, 1); (rule(x) == y) would broadcast them
    against y of shape (N,) to (N, N)."""
    x, y = data.square_walks(6, L=3, seed=5)  # (6, 3, 2), (6,)
    assert (_two_point_rule(x)[:, None] == y).shape == (6, 6)  # what (N, 1) labels do
    result = checks.direction_rule(lambda x: _two_point_rule(x).reshape(shape(x.shape[0])))
    assert _verdict(result) == "incorrect"
    assert hint in result.message


def test_direction_rule_probe_scaled_by_1e_12_catches_a_threshold_of_1e_20():
    """The review's answer (cross < 1e-20) passes every probe down to the one scaled by 1e-6
    (|cross| about 2e-12); on the one scaled by 1e-12 the float32 cross product, about 2e-24,
    still has the labels' sign, and the threshold fails."""
    rule = classify_directions.DIRECTION_RULE
    probes = rule.probes(torch.Generator().manual_seed(rule.seed))
    (x,) = next(p.args for p in probes if "scaled by 1e-12" in p.label)
    unscaled, labels = data.square_walks(48, L=3, angle=45.0, seed=21)  # (48, 3, 2), (48,)
    assert x.dtype == torch.float32
    assert _cross(x).abs().max() < 3e-24
    assert torch.equal((_cross(x) < 0).long(), labels)
    assert torch.equal((_cross(unscaled.double()) < 0).long(), labels)
    result = checks.direction_rule(lambda x: (_cross(x) < 1e-20).long())
    assert _verdict(result) == "incorrect"
    assert "scaled by 1e-12" in result.message
    assert checks.direction_rule(_two_point_rule)


def test_direction_rule_turn_rule_with_an_l_2_fallback_is_told_it_reads_a_later_point():
    """Review z5's answer: the turn rule on moves 1-2 for L >= 3, the cross product of the first
    point and the first move for L = 2. It handles L = 2; what fails is its read of point 3,
    which the probe with random later points changes: the hint says that, not "L = 2"."""

    def turn_with_fallback(x):  # x: (N, L, 2)
        if x.shape[1] == 2:
            return (_cross(x) < 0).long()
        a, b = x[:, 1] - x[:, 0], x[:, 2] - x[:, 1]  # (N, 2) each: moves 1 and 2
        return (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0] < 0).long()

    result = checks.direction_rule(turn_with_fallback)
    assert _verdict(result) == "incorrect"
    assert "points after the second are random" in result.message  # the probe it fails on
    assert "reads a point after the second" in result.message
    assert "L = 2" not in result.message

    def turn_only(x):  # no fallback: fails on the first probe of L = 2
        a, b = x[:, 1] - x[:, 0], x[:, 2] - x[:, 1]
        return (a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0] < 0).long()

    result = checks.direction_rule(turn_only)
    assert _verdict(result) == "incorrect"
    assert "how many points does a walk of L = 2 have?" in result.message
