"""Chapter 08's checkers beyond what tests/test_exercises.py derives from the definitions: right
answers written differently, calls from older copies (without the handed objects), answers of
the wrong form, and the legacy ``window_count`` of copies made before its exercise was
replaced."""

import numpy as np
import pytest
import torch

from rnnlab import checks


def _status(result):
    return result.status


def test_window_count_of_older_copies():
    assert checks.window_count(117)
    assert checks.window_count(np.int64(117))
    assert _status(checks.window_count(116)) == "incorrect"
    assert "whole number" in repr(checks.window_count(117.0))
    assert _status(checks.window_count(...)) == "not attempted"


def test_next_step_windows_written_differently():
    def with_a_loop(series, L, step):
        starts = range(0, len(series) - L, step)  # each window's next step must exist
        inputs = torch.stack([series[s : s + L] for s in starts])  # (N, L, H_in)
        targets = torch.stack([series[s + L] for s in starts])  # (N, H_in)
        return inputs, targets

    def numpy_style(series, L, step):
        inputs, targets = with_a_loop(series, L, step)
        return inputs.numpy(), targets.tolist()

    assert checks.next_step_windows(with_a_loop)
    assert checks.next_step_windows(numpy_style)
    assert "return 2 values" in checks.next_step_windows(lambda s, L, step: s).message


def test_initial_state_written_differently():
    assert checks.initial_state(lambda x, num_layers, H: x.new_zeros(num_layers, len(x), H))
    assert checks.initial_state(
        lambda x, num_layers, H: torch.zeros(num_layers, x.size(0), H).to(x)
    )
    assert _status(checks.initial_state(lambda x, num_layers, H: None)) == "not attempted"
    assert _status(checks.initial_state(lambda x, num_layers, H: "zeros")) == "incorrect"
    on_the_cpu = checks.initial_state(
        lambda x, num_layers, H: torch.zeros(num_layers, x.shape[0], H, dtype=x.dtype)
    )
    assert _status(on_the_cpu) == "incorrect"
    assert "device" in on_the_cpu.message
    float64_written_in = checks.initial_state(  # device right, dtype not: the dtype is named
        lambda x, num_layers, H: torch.zeros(
            num_layers, x.shape[0], H, dtype=torch.float64, device=x.device
        )
    )
    assert _status(float64_written_in) == "incorrect"
    assert "dtype" in float64_written_in.message
    assert "device" not in float64_written_in.message


def test_flatten_row_zero_from_older_objects_and_wrong_forms():
    example = torch.zeros(4, 2, 3)  # (L, N, H)
    assert checks.flatten_row_zero(example, (0, 0, 1, 1), (0, 1, 0, 1))
    assert checks.flatten_row_zero([0, 0, 0, 1, 1], np.array([0, 1, 2, 0, 1]))  # older call
    assert _status(checks.flatten_row_zero(example, ..., ...)) == "not attempted"
    assert _status(checks.flatten_row_zero(example, (0.0, 0, 1, 1), (0, 1, 0, 1))) == "incorrect"
    assert "pass the cell's example" in checks.flatten_row_zero("x", (0,), (0,)).message


@pytest.mark.parametrize(
    "flatten",
    [
        lambda out: out.transpose(0, 1).reshape(out.shape[1], -1),
        lambda out: out.permute(1, 0, 2).flatten(1),
        lambda out: torch.cat(list(out), dim=1),
        lambda out: out.transpose(0, 1).contiguous().view(out.shape[1], -1),
    ],
)
def test_flatten_outputs_accepts_right_answers_written_differently(flatten):
    assert checks.flatten_outputs(flatten)


def test_flatten_outputs_wrong_forms():
    assert _status(checks.flatten_outputs(...)) == "not attempted"
    assert _status(checks.flatten_outputs(lambda out: None)) == "not attempted"
    assert "raised RuntimeError" in repr(checks.flatten_outputs(lambda out: out.view(7, 7)))
    assert "has shape" in repr(checks.flatten_outputs(lambda out: out.reshape(-1)))


def _one_of(hints, message):
    return any(h[1:].lower() in message.lower() for h in (hints.nudge, hints.pointer, hints.fix))


def test_flatten_row_zero_steps_counted_from_1_get_the_numbering_hint_not_the_order_one():
    from rnnlab.checks.time_series_windows import _ONE_BASED, _ROW_ZERO

    example = torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0))  # (L, N, H)
    for sequences in ((0, 1, 2, 0, 1), (1, 2, 3, 1, 2)):  # steps 1-based, sequences 0- or 1-based
        result = checks.flatten_row_zero(example, (1, 1, 1, 2, 2), sequences)
        assert _status(result) == "incorrect"
        assert _one_of(_ONE_BASED, result.message), result.message
        assert not _one_of(_ROW_ZERO, result.message), result.message


def test_flatten_outputs_one_row_per_step_is_not_told_its_shape_is_right():
    result = checks.flatten_outputs(lambda out: out.reshape(out.shape[0], -1))  # (L, N*H)
    assert _status(result) == "incorrect"
    assert "shape is right" not in result.message.lower(), result.message
    assert "count the rows" in result.message.lower() or "one row per" in result.message.lower()


def test_flatten_outputs_keeps_the_dtype():
    as_float64 = checks.flatten_outputs(
        lambda output: output.transpose(0, 1).reshape(output.shape[1], -1).double()
    )
    assert _status(as_float64) == "incorrect"
    assert "dtype" in as_float64.message
    assert checks.flatten_outputs(lambda output: output.permute(1, 0, 2).flatten(1))
