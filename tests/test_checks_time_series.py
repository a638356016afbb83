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
    result = checks.next_step_windows(numpy_style)
    assert not result
    assert "inputs: the numbers are right, but its type is ndarray" in result.message
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


def test_flatten_row_zero_off_by_one_hints_name_the_list_that_is_off():
    from rnnlab.checks import time_series_windows as t

    example = torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0))  # (L, N, H)
    indices, sequences = (0, 0, 0, 1, 1), (0, 1, 2, 0, 1)
    plus_1 = lambda values: tuple(v + 1 for v in values)  # noqa: E731
    for answer, hints, named, not_named in (
        ((plus_1(indices), sequences), t._INDICES_FROM_1, "row_0_indices", "row_0_sequences:"),
        ((indices, plus_1(sequences)), t._SEQUENCES_FROM_1, "row_0_sequences", "row_0_indices:"),
        ((plus_1(indices), plus_1(sequences)), t._BOTH_FROM_1, "row_0_sequences", None),
    ):
        result = checks.flatten_row_zero(example, *answer)
        assert _status(result) == "incorrect"
        assert _one_of(hints, result.message), result.message
        assert not _one_of(t._ROW_ZERO, result.message), result.message
        fix = checks.hint("flatten_row_zero").message
        assert fix == hints.fix, fix
        assert named in fix, fix
        if not_named is not None:
            assert not_named not in fix, fix


def test_initial_state_dtype_hint_quotes_the_real_error():
    from rnnlab.checks.time_series_windows import INITIAL_STATE

    quoted = "mat1 and mat2 must have the same dtype"
    rnn = torch.nn.RNN(2, 3, batch_first=True)  # float32, CPU
    x = torch.randn(4, 5, 2)  # (N, L, H_in), float32
    with pytest.raises(RuntimeError, match=quoted):
        rnn(x, torch.zeros(1, 4, 3, dtype=torch.float64))  # an h0 of another dtype
    dtype_mistakes = [m for m in INITIAL_STATE.mistakes if "dtype" in m.hints.fix]
    assert len(dtype_mistakes) == 2
    assert all(quoted in m.hints.pointer for m in dtype_mistakes)


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


def test_next_step_windows_keeps_the_dtype_and_quotes_the_real_error():
    from rnnlab.checks.time_series_windows import NEXT_STEP_WINDOWS

    quoted = "RNN input dtype (torch.float64) does not match weight dtype"
    rnn = torch.nn.RNN(2, 3, batch_first=True)  # float32, CPU
    with pytest.raises(ValueError, match=quoted.replace("(", r"\(").replace(")", r"\)")):
        rnn(torch.randn(4, 5, 2, dtype=torch.float64))  # (N, L, H_in) windows in float64
    assert any(quoted in m.hints.pointer for m in NEXT_STEP_WINDOWS.mistakes)

    def right(series, L, step):
        inputs = series[:-1].unfold(0, L, step).transpose(1, 2)  # (N, L, H_in)
        return inputs, series[L : L + step * inputs.shape[0] : step]

    for convert in ("double", "float"):  # float: right for a float32 series only
        result = checks.next_step_windows(
            lambda s, L, step, c=convert: tuple(getattr(v, c)() for v in right(s, L, step))
        )
        assert _status(result) == "incorrect", convert
        assert "dtype" in result.message, result.message
    as_float64_array = checks.next_step_windows(
        lambda s, L, step: tuple(v.double().numpy() for v in right(s, L, step))
    )
    assert _status(as_float64_array) == "incorrect"
    assert "dtype" in as_float64_array.message


def test_flatten_outputs_numpy_is_not_a_tensor_not_a_dtype():
    result = checks.flatten_outputs(
        lambda output: output.transpose(0, 1).reshape(output.shape[1], -1).numpy()
    )
    assert _status(result) == "incorrect"
    assert "NumPy array, not a tensor" in result.message, result.message
    assert "dtype" not in result.message, result.message


def test_initial_state_numpy_h0_is_not_a_tensor_not_a_dtype():
    result = checks.initial_state(lambda x, num_layers, H: np.zeros((num_layers, len(x), H)))
    assert not result
    assert "h0 is a NumPy array, not a tensor: return a torch tensor" in result.message
    assert "dtype" not in result.message


def test_flatten_row_zero_right_sequences_are_not_pointed_away():
    example = torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0))  # (L, N, H)
    message = checks.flatten_row_zero(example, (0, 1, 2, 3, 4), (0, 1, 2, 0, 1)).message
    assert message.startswith("row_0_sequences is right; row_0_indices")
    assert "what flatten should give" not in message
    message = checks.flatten_row_zero(example, (0, 1, 2, 3, 4), (0, 0, 0, 0, 0)).message
    assert "what flatten should give" in message  # both parts as flatten: the flatten mistake


def test_flatten_row_zero_of_another_length_is_told_how_many_to_give():
    example = torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0))  # L = 5
    message = checks.flatten_row_zero(example, (0, 0, 0, 1), (0, 1, 2, 0)).message
    assert message == "give row_0_indices as L = 5 numbers, one per block of row 0 (it has 4)"
    message = checks.flatten_row_zero(example, (0, 0, 0, 1, 1), (0, 1, 2, 0, 1, 2)).message
    assert message.startswith("give row_0_sequences as L = 5 numbers")
    assert "L = 5 numbers" in checks.flatten_row_zero([0, 0, 0, 1], [0, 1, 2, 0]).message  # older
    other = torch.randn(4, 2, 3)  # L = 4
    assert "L = 4 numbers" in checks.flatten_row_zero(other, (0, 0, 1), (0, 1, 0)).message
    assert checks.flatten_row_zero(other, row_0_indices=(0, 0, 1, 1), row_0_sequences=(0, 1, 0, 1))
