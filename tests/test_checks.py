"""Each exercise checker with the worked solution, a known wrong answer and the untouched stub."""

import torch

from rnnlab import checks


def _verdict(result):
    return result.status


def test_to_sequence_first():
    assert checks.to_sequence_first(lambda out: out.permute(1, 0, 2))
    assert checks.to_sequence_first(lambda out: out.transpose(0, 1))
    wrong = checks.to_sequence_first(lambda out: out.reshape(out.shape[1], out.shape[0], -1))
    assert "numbers moved" in repr(wrong)
    assert _verdict(checks.to_sequence_first(lambda out: None)) == "not attempted"
    assert _verdict(checks.to_sequence_first(...)) == "not attempted"


def test_windows_batch():
    a = torch.arange(1.0, 11.0)
    series = torch.stack([a, a + 100], dim=1)
    assert checks.windows_batch(series.unfold(0, 4, 2).transpose(1, 2))
    assert "transpose(1, 2)" in repr(checks.windows_batch(series.unfold(0, 4, 2)))
    assert "every 2 steps" in repr(checks.windows_batch(series.unfold(0, 4, 1).transpose(1, 2)))
    assert "sequence-first" in repr(
        checks.windows_batch(series.unfold(0, 4, 2).transpose(1, 2).permute(1, 0, 2))
    )
    assert _verdict(checks.windows_batch(...)) == "not attempted"
