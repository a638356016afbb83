"""The checkers of chapter 11 (a character-level language model): each with the worked solution,
right answers written differently, each known mistake (its hint named), other wrong answers and
the untouched stub; none of them touches the global random state."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from rnnlab import checks
from rnnlab.checks import language_model


def _status(result):
    return result.status


class _CharModel(nn.Module):
    """The chapter's CharModel."""

    def __init__(self, kind="GRU", V=58, E=16, H=64):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.rnn = getattr(nn, kind)(E, H, batch_first=True)
        self.head = nn.Linear(H, V)

    def forward(self, x, h=None):
        output, h = self.rnn(self.embedding(x), h)
        return self.head(output), h


# --- exercise 1: the shapes ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_language_model_shapes(kind):
    model, x = _CharModel(kind), torch.zeros(5, 40, dtype=torch.int64)
    shapes = checks.language_model_shapes
    assert shapes(model, x, (5, 40, 58), (200, 58))
    assert shapes(model, x, torch.Size([5, 40, 58]), [200, 58])
    assert "RNN's output" in repr(shapes(model, x, (5, 40, 64), (200, 58)))
    assert "embedding's output" in repr(shapes(model, x, (5, 40, 16), (200, 58)))
    assert "batch-first" in repr(shapes(model, x, (40, 5, 58), (200, 58)))
    assert "transpose" in repr(shapes(model, x, (5, 58, 40), (200, 58)))
    assert "dimension 1" in repr(shapes(model, x, (5, 40, 58), (58, 200)))
    assert "how many" in repr(shapes(model, x, (5, 40, 58), (5, 2320)))
    assert _status(shapes(model, x, (5, 40, 58), (40, 58))) == "incorrect"
    assert _status(shapes(model, x, (5, 40), (200, 58))) == "incorrect"
    assert _status(shapes(model, x, "5, 40, 58", (200, 58))) == "incorrect"
    assert _status(shapes(model, x, ..., ...)) == "not attempted"
    assert _status(shapes(model, x, (5, 40, 58), ...)) == "not attempted"


def test_the_shapes_hint_never_states_the_answer():
    model, x = _CharModel(), torch.zeros(5, 40, dtype=torch.int64)
    for wrong in [(5, 40, 64), (40, 5, 58), (5, 58, 40), (1, 2, 3)]:
        message = repr(checks.language_model_shapes(model, x, wrong, (200, 58)))
        assert "(5, 40, 58)" not in message
        assert "58" not in message


# --- exercise 2: the loss (find the bug) ----------------------------------------------------------


def _solution(logits, y):
    N, L, V = logits.shape
    return F.cross_entropy(logits.reshape(N * L, V), y.reshape(N * L))


def _transposed(logits, y):
    return F.cross_entropy(logits.transpose(1, 2), y)


def _permuted_by_hand(logits, y):
    log_p = logits.log_softmax(dim=-1)  # (N, L, V)
    return -log_p.gather(2, y.unsqueeze(-1)).mean()


def _the_bug(logits, y):
    N, L, V = logits.shape
    return F.cross_entropy(logits.view(N, V, L), y)


def _as_is(logits, y):
    return F.cross_entropy(logits, y)


def _summed(logits, y):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), reduction="sum")


def _targets_transposed(logits, y):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.T.reshape(-1))


def test_lm_loss_accepts_every_right_layout():
    for right in (_solution, _transposed, _permuted_by_hand):
        result = checks.lm_loss(right)
        assert result, result
        assert "relative error" in repr(result)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_the_bug, "keeps the order"),
        (_as_is, "dimension 1"),
        (_summed, "added instead of averaged"),
        (_targets_transposed, "targets in another order"),
        (lambda logits, y: _solution(logits, y) * 1.01, "relative error 1.0e-02"),
        (lambda logits, y: torch.tensor([1.0, 2.0]), "one number"),
        (lambda logits, y: "loss", "one number"),
    ],
)
def test_lm_loss_names_each_known_mistake(wrong, hint):
    result = checks.lm_loss(wrong)
    assert not result
    assert hint in repr(result)


def test_lm_loss_stub_and_a_function_that_raises():
    assert _status(checks.lm_loss(...)) == "not attempted"

    def stub(logits, y): ...

    assert _status(checks.lm_loss(stub)) == "not attempted"
    assert _status(checks.lm_loss(lambda logits, y: 1 / 0)) == "incorrect"


def test_no_known_mistake_equals_the_right_loss_on_every_probe():
    """Every probe size differs, and one has L == V: each wrong variant misses at least once."""
    gen = torch.Generator().manual_seed(22)
    missed = set()
    for N, L, V in language_model._LOSS_PROBES:
        logits = torch.randn(N, L, V, generator=gen, dtype=torch.float64) * 2
        y = torch.randint(0, V, (N, L), generator=gen)
        variants = language_model._loss_variants(logits, y)
        missed |= {k for k, v in variants.items() if not torch.isclose(v, variants["right"])}
    assert missed == set(language_model._LOSS_HINTS)


@settings(max_examples=25, deadline=None)
@given(scale=st.floats(0.5, 2.0).filter(lambda s: abs(s - 1) > 1e-3))
def test_lm_loss_refuses_scaled_answers(scale):
    assert not checks.lm_loss(lambda logits, y: _solution(logits, y) * scale)


# --- exercise 3: the sampling loop ---------------------------------------------------------------


def _sample(model, start, n, temperature, generator):
    logits, h = model(start)  # (N, L0, V)
    new = []
    for _ in range(n):
        scores = logits[:, -1]  # (N, V)
        if temperature == 0:
            chosen = scores.argmax(dim=-1, keepdim=True)  # (N, 1)
        else:
            p = torch.softmax(scores / temperature, dim=-1)
            chosen = torch.multinomial(p, 1, generator=generator)  # (N, 1)
        new.append(chosen)
        logits, h = model(chosen, h)
    return torch.cat(new, dim=1)  # (N, n)


def _sample_as_list(model, start, n, temperature, generator):
    """Right, written differently: indices collected in a list of lists, the state read from
    each call, the start read one character at a time."""
    h = None
    for t in range(start.shape[1]):
        logits, h = model(start[:, t : t + 1], h)
    rows = [[] for _ in range(start.shape[0])]
    for _ in range(n):
        scores = logits[:, -1]
        if temperature:
            chosen = torch.multinomial(
                (scores / temperature).softmax(-1), num_samples=1, generator=generator
            )
        else:
            chosen = scores.argmax(-1).unsqueeze(1)
        for row, value in zip(rows, chosen[:, 0].tolist(), strict=True):
            row.append(value)
        logits, h = model(chosen, h)
    return rows


def _row_by_row(model, start, n, temperature, generator):
    """Right too: one multinomial call per row draws the same numbers as one call per step."""
    logits, h = model(start)
    new = []
    for _ in range(n):
        scores = logits[:, -1]
        if temperature == 0:
            chosen = scores.argmax(dim=-1, keepdim=True)
        else:
            p = torch.softmax(scores / temperature, dim=-1)
            chosen = torch.stack([torch.multinomial(row, 1, generator=generator) for row in p])
        new.append(chosen)
        logits, h = model(chosen, h)
    return torch.cat(new, dim=1)


def test_sampling_loop_solution_and_a_right_answer_written_differently():
    for right in (_sample, _sample_as_list, _row_by_row):
        result = checks.sampling_loop(right)
        assert result, result


def _fresh_state(model, start, n, temperature, generator):
    return language_model._sample(model, start, n, temperature, generator, "fresh state")


def _no_temperature(model, start, n, temperature, generator):
    return language_model._sample(model, start, n, temperature, generator, "no temperature")


def _times(model, start, n, temperature, generator):
    return language_model._sample(model, start, n, temperature, generator, "times")


def _global_generator(model, start, n, temperature, generator):
    return _sample(model, start, n, temperature, None)


def _with_the_start(model, start, n, temperature, generator):
    return torch.cat([start, _sample(model, start, n, temperature, generator)], dim=1)


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_fresh_state, "carry h"),
        (_no_temperature, "divide the scores"),
        (_times, "multiplied by the temperature"),
        (_global_generator, "generator=generator"),
        (_with_the_start, "not the start"),
        (lambda model, start, n, t, g: torch.zeros(start.shape[0], n), "differ"),
        (lambda model, start, n, t, g: torch.zeros(n), "(N, n) tensor"),
        (lambda model, start, n, t, g: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_sampling_loop_names_each_known_mistake(wrong, hint):
    result = checks.sampling_loop(wrong)
    assert not result
    assert hint in repr(result)


def test_sampling_loop_stub():
    def sample(model, start, n, temperature, generator): ...

    assert _status(checks.sampling_loop(sample)) == "not attempted"
    assert _status(checks.sampling_loop(...)) == "not attempted"


def test_each_sampling_mistake_differs_from_the_right_loop_on_some_probe():
    model = language_model._tiny_model()
    V = model.head.out_features
    for name in language_model._SAMPLING_HINTS:
        differs = False
        for N, L0, n, temperature, seed in language_model._SAMPLING_PROBES:
            start_gen = torch.Generator().manual_seed(seed + 50)
            start = torch.randint(0, V, (N, L0), generator=start_gen)
            with torch.no_grad():
                right = language_model._sample(
                    model, start, n, temperature, torch.Generator().manual_seed(seed)
                )
                wrong = language_model._sample(
                    model, start, n, temperature, torch.Generator().manual_seed(seed), name
                )
            differs |= not torch.equal(right, wrong)
        assert differs, name


def test_checkers_leave_the_global_random_state_alone():
    before = torch.random.get_rng_state()
    checks.sampling_loop(_sample)
    checks.sampling_loop(_global_generator)
    checks.lm_loss(_solution)
    assert torch.equal(before, torch.random.get_rng_state())
