"""The checkers of chapter 9 (variable lengths): each with the worked solution, each known
mistake (the hint named), right answers written differently, generated wrong answers and the
untouched stub; none of them touches the global random state."""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlab import checks


def _verdict(result):
    return result.status


def test_last_valid_outputs():
    assert checks.last_valid_outputs(lambda out, n: out[torch.arange(out.shape[0]), n - 1])
    assert checks.last_valid_outputs(  # written differently: a loop and a stack
        lambda out, n: torch.stack([out[i, int(k) - 1] for i, k in enumerate(n)])
    )
    assert "last padded step" in repr(checks.last_valid_outputs(lambda out, n: out[:, -1]))
    assert "off by one" in repr(
        checks.last_valid_outputs(
            lambda out, n: out[torch.arange(out.shape[0]), n.clamp(max=out.shape[1] - 1)]
        )
    )
    assert _verdict(checks.last_valid_outputs(...)) == "not attempted"


def test_packed_batch_sizes():
    assert checks.packed_batch_sizes([4, 4, 2, 1])
    assert checks.packed_batch_sizes(torch.tensor([4, 4, 2, 1]))
    assert checks.packed_batch_sizes((4, 4, 2, 1))
    assert "those are the lengths" in repr(checks.packed_batch_sizes([4, 3, 2, 2]))
    assert "one entry per time step" in repr(checks.packed_batch_sizes([4, 4]))
    assert _verdict(checks.packed_batch_sizes(...)) == "not attempted"


def _solution(per_step, lengths):
    L = per_step.shape[1]
    mask = torch.arange(L) < lengths.unsqueeze(1)
    return (per_step * mask).sum() / mask.sum()


def test_masked_mean_solution_and_right_answers_written_differently():
    assert checks.masked_mean(_solution)

    def with_ignore_style(per_step, lengths):  # a loop over sequences
        total = sum(per_step[n, : int(k)].sum() for n, k in enumerate(lengths))
        return total / lengths.sum()

    def as_float(per_step, lengths):
        return float(_solution(per_step, lengths))

    def float32(per_step, lengths):
        return _solution(per_step.float(), lengths)

    assert checks.masked_mean(with_ignore_style)
    assert checks.masked_mean(as_float)
    assert checks.masked_mean(lambda p, n: _solution(p, n).reshape(1))
    assert checks.masked_mean(float32)  # float32 is close enough


def test_masked_mean_names_each_known_mistake():
    def all_steps(per_step, lengths):  # the chapter's bug
        mask = torch.arange(per_step.shape[1]) < lengths.unsqueeze(1)
        return (per_step * mask).mean()

    def off_by_one(per_step, lengths):
        mask = torch.arange(per_step.shape[1]) <= lengths.unsqueeze(1)
        return (per_step * mask).sum() / mask.sum()

    def per_sequence(per_step, lengths):
        mask = torch.arange(per_step.shape[1]) < lengths.unsqueeze(1)
        return ((per_step * mask).sum(1) / mask.sum(1)).mean()

    def total(per_step, lengths):
        return (per_step * (torch.arange(per_step.shape[1]) < lengths.unsqueeze(1))).sum()

    for wrong, hint in (
        (all_steps, "padded steps included"),
        (lambda p, n: p.mean(), "mask the padded steps out"),
        (off_by_one, "off by one"),
        (per_sequence, "averages each sequence first"),
        (total, "not their mean"),
    ):
        result = checks.masked_mean(wrong)
        assert _verdict(result) == "incorrect"
        assert hint in repr(result)
        assert "relative error" in repr(result)


def test_masked_mean_stub_and_broken_answers():
    assert _verdict(checks.masked_mean(...)) == "not attempted"

    def stub(per_step, lengths): ...

    assert _verdict(checks.masked_mean(stub)) == "not attempted"
    assert "raised ZeroDivisionError" in repr(checks.masked_mean(lambda p, n: 1 / 0))
    assert "one number" in repr(checks.masked_mean(lambda p, n: p))
    assert _verdict(checks.masked_mean(lambda p, n: float("nan"))) == "incorrect"
    assert _verdict(checks.masked_mean("mean")) == "incorrect"


@settings(max_examples=30, deadline=None)
@given(factor=st.floats(0.5, 2.0).filter(lambda f: abs(f - 1) > 1e-3))
def test_masked_mean_rejects_generated_wrong_answers(factor):
    result = checks.masked_mean(lambda p, n: _solution(p, n) * factor)
    assert _verdict(result) == "incorrect"
    assert "expected" not in repr(result)


def test_checkers_leave_the_global_random_state_alone():
    torch.manual_seed(0)
    before = torch.get_rng_state()
    checks.masked_mean(_solution)
    checks.last_valid_outputs(lambda out, n: out[:, -1])
    checks.packed_batch_sizes([4, 4, 2, 1])
    assert torch.equal(before, torch.get_rng_state())
