"""Chapter 09's checkers beyond what tests/test_exercises.py derives from the definitions: right
answers written differently, calls from older copies (without the handed objects), answers of
the wrong form, generated wrong answers, and the legacy ``last_valid_outputs``."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlab import checks


def _status(result):
    return result.status


def test_last_valid_outputs_of_older_copies():
    assert checks.last_valid_outputs(lambda out, n: out[torch.arange(out.shape[0]), n - 1])
    assert "last padded step" in repr(checks.last_valid_outputs(lambda out, n: out[:, -1]))
    assert _status(checks.last_valid_outputs(...)) == "not attempted"


def test_last_both_directions_accepts_right_answers_written_differently():
    def with_a_loop(output, lengths):
        H = output.shape[-1] // 2
        rows = [
            torch.cat([output[n, int(k) - 1, :H], output[n, 0, H:]]) for n, k in enumerate(lengths)
        ]
        return torch.stack(rows)  # N x (2*H,) -> (N, 2*H)

    def with_gather(output, lengths):
        N, _, two_h = output.shape
        index = (lengths - 1).view(N, 1, 1).expand(N, 1, two_h)  # (N, 1, 2*H)
        last = output.gather(1, index).squeeze(1)  # (N, 2*H)
        return torch.cat([last[:, : two_h // 2], output[:, 0, two_h // 2 :]], dim=1)

    assert checks.last_both_directions(with_a_loop)
    assert checks.last_both_directions(with_gather)
    as_numpy = checks.last_both_directions(lambda o, n: with_gather(o, n).numpy())
    assert not as_numpy
    assert "the numbers are right, but its type is ndarray" in as_numpy.message


def test_last_both_directions_answers_of_the_wrong_form():
    assert _status(checks.last_both_directions(...)) == "not attempted"
    assert "raised ZeroDivisionError" in repr(checks.last_both_directions(lambda o, n: 1 / 0))
    assert "has shape" in repr(checks.last_both_directions(lambda o, n: o))
    assert _status(checks.last_both_directions(lambda o, n: "h_n")) == "incorrect"


def test_packed_batch_sizes_written_differently_and_from_an_older_copy():
    lengths = [4, 2, 3, 2]
    for answer in ([4, 4, 2, 1], (4, 4, 2, 1), torch.tensor([4, 4, 2, 1])):
        assert checks.packed_batch_sizes(lengths, answer)
        assert checks.packed_batch_sizes(answer)  # a copy made before lengths was handed
    assert _status(checks.packed_batch_sizes([4, 3, 2, 2])) == "incorrect"
    assert _status(checks.packed_batch_sizes(lengths, ...)) == "not attempted"
    assert "whole numbers" in checks.packed_batch_sizes(lengths, [4.5, 4]).message
    assert "pass the cell's lengths" in checks.packed_batch_sizes("abc", [4]).message


def test_masked_mean_divisors_of_other_objects_and_wrong_forms():
    assert checks.masked_mean_divisors([5, 1, 3], 6, 18, 9, 9)
    assert checks.masked_mean_divisors([4, 2, 3], 4, torch.tensor(12), 9, 3)
    assert _status(checks.masked_mean_divisors([4, 2, 3], 4, 12, 9, ...)) == "not attempted"
    assert _status(checks.masked_mean_divisors([4, 2, 3], 4, 12.0, 9, 3)) == "incorrect"
    message = checks.masked_mean_divisors([4, 2, 3], 2, 6, 9, 3).message
    assert "pass the cell's lengths and L first, then your three numbers" in message


def test_masked_mean_divisors_unlisted_zeros_counted_climbs_without_the_other_answers():
    # zeros_counted = 1 is no known mistake: the hints climb and never hand over the two
    # divisors, which the student already has right
    assert checks.masked_mean_divisors([4, 2, 3], 4, 12, 9, 3)  # a right answer: level 0 next
    first = checks.masked_mean_divisors([4, 2, 3], 4, 12, 9, 1).message
    second = checks.masked_mean_divisors([4, 2, 3], 4, 12, 9, 1).message
    hint = checks.hint("masked_mean_divisors").message
    assert first != second  # the second try gets the next level
    for text in (first, second, hint):
        assert "zeros_counted" in text
        assert "sum(lengths)" not in text
        assert "N * L" not in text


@pytest.mark.parametrize(("zeros", "says"), [(12, "is every entry"), (9, "real steps or")])
def test_masked_mean_divisors_zeros_counted_of_all_or_real_entries(zeros, says):
    assert says in checks.masked_mean_divisors([4, 2, 3], 4, 12, 9, zeros).message


def _mask(per_step, lengths):
    return torch.arange(per_step.shape[1]) < lengths.unsqueeze(1)  # (N, L)


def _solution(per_step, lengths):
    mask = _mask(per_step, lengths)
    return (per_step * mask).sum() / mask.sum()


def test_masked_mean_accepts_right_answers_written_differently():
    def with_a_loop(per_step, lengths):
        total = sum(per_step[n, : int(k)].sum() for n, k in enumerate(lengths))
        return total / lengths.sum()

    assert checks.masked_mean(with_a_loop)
    assert checks.masked_mean(lambda p, n: _solution(p, n).reshape(1))
    assert checks.masked_mean(lambda p, n: _solution(p.float(), n))  # float32 is close enough


def test_masked_mean_answers_of_the_wrong_form():
    assert _status(checks.masked_mean(...)) == "not attempted"

    def stub(per_step, lengths): ...

    assert _status(checks.masked_mean(stub)) == "not attempted"
    assert "raised ZeroDivisionError" in repr(checks.masked_mean(lambda p, n: 1 / 0))
    assert "should be a number" in repr(checks.masked_mean(lambda p, n: p))
    assert _status(checks.masked_mean(lambda p, n: float("nan"))) == "incorrect"
    assert _status(checks.masked_mean("mean")) == "incorrect"


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")  # float(tensor)
def test_masked_mean_tells_a_mean_without_a_graph():
    for cut in (
        lambda p, n: _solution(p, n).item(),
        lambda p, n: float(_solution(p, n)),
        lambda p, n: _solution(p, n).detach(),
        lambda p, n: _solution(p.detach(), n),
    ):
        result = checks.masked_mean(cut)
        assert _status(result) == "incorrect", result
        assert "no graph" in result.message
        assert "backward()" in result.message
    assert checks.masked_mean(_solution)  # the same numbers, graph kept


def test_masked_mean_divisor_mistakes_ask_about_the_divisor():
    for wrong in (
        lambda p, n: (p * _mask(p, n)).sum() / (_mask(p, n).sum() + 1),
        lambda p, n: (p * _mask(p, n)).sum() / n.float().mean(),
    ):
        result = checks.masked_mean(wrong)
        assert _status(result) == "incorrect", result
        assert "what must it be divided by?" in result.message
        assert ".mean()" not in result.message


@settings(max_examples=30, deadline=None)
@given(factor=st.floats(0.5, 2.0).filter(lambda f: abs(f - 1) > 1e-3))
def test_masked_mean_rejects_generated_wrong_answers(factor):
    result = checks.masked_mean(lambda p, n: _solution(p, n) * factor)
    assert _status(result) == "incorrect"


def test_packed_batch_sizes_says_steps_counted_from_1():
    result = checks.packed_batch_sizes([4, 2, 3, 2], [4, 4, 2, 1])
    assert result
    assert "at least t long" in result.message  # at step t = 2 all four, not those longer than 2


def test_last_both_directions_stacked_halves_are_told_the_shape():
    def stacked(output, lengths):  # (2, N, H), not (N, 2*H)
        N, H = output.shape[0], output.shape[2] // 2
        return torch.stack([output[torch.arange(N), lengths - 1, :H], output[:, 0, H:]])

    first = checks.last_both_directions(stacked).message
    assert "your halves are right: check your result's shape" in first
    assert "(2, N, H)" in checks.last_both_directions(stacked).message
