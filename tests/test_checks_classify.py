"""Checkers of 07_classify_directions: each with its solution, each known mistake (asserting
the hint), a right answer written differently, and the untouched stub."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnlab import checks


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


def test_bidirectional_summary():
    assert checks.bidirectional_summary(lambda h: torch.cat([h[-2], h[-1]], dim=1))
    assert checks.bidirectional_summary(lambda h: h[-2:].permute(1, 0, 2).reshape(5, -1))
    assert checks.bidirectional_summary(lambda h: h.view(3, 2, 5, 4)[-1].transpose(0, 1).flatten(1))
    cases = [
        (lambda h: h[-2:].reshape(h.shape[1], -1), "mixes numbers of different sequences"),
        (lambda h: h[-2:].view(h.shape[1], -1), "mixes numbers of different sequences"),
        (lambda h: torch.cat([h[-1], h[-2]], dim=1), "forward (h_n[-2]) first"),
        (lambda h: torch.cat([h[0], h[1]], dim=1), "first layer"),
        (lambda h: h[-1], "one direction only"),
        (lambda h: h.permute(1, 0, 2).reshape(5, -1), "every layer"),
        (lambda h: h[-2:].sum(0).repeat(1, 2), "h_n[-2] and h_n[-1]"),
        (lambda h: h[99], "raised IndexError"),
        (lambda h: 3, "return a tensor"),
    ]
    for wrong, hint in cases:
        result = checks.bidirectional_summary(wrong)
        assert _verdict(result) == "incorrect"
        assert hint in repr(result)
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
        (lambda x: 1 - _two_point_rule(x), "every answer is flipped"),
        (_three_point_rule, "reads a third point"),
        (_corner_lookup, "right on the upright square"),
        (lambda x: torch.zeros(len(x)), "cross product"),
        (lambda x: torch.zeros(3), "one label per walk"),
        (lambda x: "cw", "one label"),
    ],
)
def test_direction_rule_names_the_mistake(rule, hint):
    result = checks.direction_rule(rule)
    assert _verdict(result) == "incorrect"
    assert hint in repr(result)


def test_direction_rule_stub_and_global_random_state():
    state = torch.random.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()
    assert _verdict(checks.direction_rule(...)) == "not attempted"
    assert checks.direction_rule(_two_point_rule)
    checks.bidirectional_summary(lambda h: h[-1])
    assert torch.equal(torch.random.get_rng_state(), state)
    assert np.array_equal(np.random.get_state()[1], numpy_state)
