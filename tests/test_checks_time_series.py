"""Checkers of 08_time_series_windows: each with its solution, each known mistake (asserting
the hint), a right answer written differently, and the untouched stub."""

import numpy as np
import pytest
import torch

from rnnlab import checks


def _verdict(result):
    return result.status


def test_window_count():
    assert checks.window_count(117)
    assert checks.window_count(np.int64(117))
    assert "do not overlap" in repr(checks.window_count(30))
    assert "run past the end" in repr(checks.window_count(120))
    assert "off by one" in repr(checks.window_count(116))
    assert "whole number" in repr(checks.window_count(117.0))
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

    def like_x(x, num_layers, H):
        return x.new_zeros(num_layers, len(x), H)

    assert checks.initial_state(solution)
    assert checks.initial_state(like_x)
    assert "read N" in repr(checks.initial_state(hard_coded))
    assert "start from zeros" in repr(checks.initial_state(ones))
    assert "x.shape[0]" in repr(checks.initial_state(time_as_batch))
    assert _verdict(checks.initial_state(...)) == "not attempted"


def test_initial_state_leaves_the_global_random_state_alone():
    state = torch.random.get_rng_state()
    checks.initial_state(lambda x, num_layers, H: torch.zeros(num_layers, x.shape[0], H))
    assert torch.equal(torch.random.get_rng_state(), state)


@pytest.mark.parametrize(
    "flatten",
    [
        lambda out: out.transpose(0, 1).reshape(out.shape[1], -1),
        lambda out: out.permute(1, 0, 2).flatten(1),
        lambda out: torch.cat(list(out), dim=1),
        lambda out: out.transpose(0, 1).contiguous().view(3, 20),
    ],
)
def test_flatten_outputs_accepts_right_answers_written_differently(flatten):
    assert checks.flatten_outputs(flatten)


@pytest.mark.parametrize(
    ("flatten", "hint"),
    [
        (lambda out: out.reshape(out.shape[1], -1), "transpose(0, 1), then reshape"),
        (lambda out: out.permute(1, 2, 0).reshape(3, -1), "grouped by feature"),
        (lambda out: out[-1], "one step only"),
        (lambda out: out.reshape(-1), "(N, L*H) = (3, 20)"),
        (lambda out: out.transpose(0, 1).reshape(3, -1).flip(1), "output[0, n], output[1, n]"),
        (lambda out: out.view(7, 7), "raised RuntimeError"),
    ],
)
def test_flatten_outputs_names_the_mistake(flatten, hint):
    result = checks.flatten_outputs(flatten)
    assert _verdict(result) == "incorrect"
    assert hint in repr(result)


def test_flatten_outputs_stub():
    assert _verdict(checks.flatten_outputs(...)) == "not attempted"
    assert _verdict(checks.flatten_outputs(lambda out: None)) == "not attempted"
