"""The checkers of chapter 11 (a character-level language model) beyond what
tests/test_exercises.py derives from their definitions: right answers written differently,
answers of the wrong form, and calls as a student writes them."""

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab import checks
from rnnlab.checks import _exercise, language_model


def _status(result):
    return result.status


def setup_function():
    _exercise._TRIES.clear()
    _exercise._LAST.clear()


# --- exercise 1: the shapes ---------------------------------------------------------------


def _handed(kind="GRU", N=5, L=40, V=58, E=16, H=64):
    return (
        nn.Embedding(V, E),
        getattr(nn, kind)(E, H, batch_first=True),
        nn.Linear(H, V),
        torch.zeros(N, L, dtype=torch.int64),
    )


def test_shapes_read_however_they_are_written():
    handed = _handed()
    shapes = checks.language_model_shapes
    assert shapes(*handed, (5, 40, 58), (200, 58))
    assert shapes(*handed, torch.Size([5, 40, 58]), [200, 58])
    assert shapes(*handed, torch.tensor([5, 40, 58]), (200, 58))
    assert _status(shapes(*handed, "5, 40, 58", (200, 58))) == "incorrect"
    assert _status(shapes(*handed, (5, 40, 58), ...)) == "not attempted"


def test_shapes_follow_the_handed_model_and_never_state_the_answer():
    handed = _handed("LSTM", N=3, L=11, V=29, E=7, H=13)
    assert checks.language_model_shapes(*handed, (3, 11, 29), (33, 29))
    for wrong in [(3, 11, 13), (11, 3, 29), (3, 29, 11), (3, 11, 7), (1, 2, 3)]:
        result = checks.language_model_shapes(*handed, wrong, (33, 29))
        assert not result
        assert "(3, 11, 29)" not in result.message
        assert "29" not in result.message


def test_shapes_everything_flattened_is_told_one_row_per_prediction():
    result = checks.language_model_shapes(*_handed(), (5, 40, 58), (11600,))  # N*L*V numbers
    assert _status(result) == "incorrect"
    assert "one row of V scores per prediction" in result.message


def test_shapes_called_without_the_handed_objects_use_the_cell_s():
    assert checks.language_model_shapes((5, 40, 58), (200, 58))
    result = checks.language_model_shapes(_handed()[0], None, None, None, (5, 40, 58), (200, 58))
    assert "pass the cell's" in result.message


# --- exercise 2: the loss (find the bug) ---------------------------------------------------


def _flattened(logits, y):
    N, L, V = logits.shape
    return F.cross_entropy(logits.reshape(N * L, V), y.reshape(N * L))


def _by_hand(logits, y):
    log_p = logits.log_softmax(dim=-1)  # (N, L, V)
    return -log_p.gather(2, y.unsqueeze(-1)).mean()


def _permuted(logits, y):
    return F.cross_entropy(logits.permute(0, 2, 1), y)


def test_lm_loss_accepts_every_right_layout():
    for right in (_flattened, _by_hand, _permuted):
        result = checks.lm_loss(right)
        assert result, (right.__name__, result)


def test_lm_loss_a_reshape_is_the_bug_itself():
    def reshaped(logits, y):
        N, L, V = logits.shape
        return F.cross_entropy(logits.reshape(N, V, L), y)

    def undone(logits, y):  # the bug's (N, V, L), then transposed and flattened: the same numbers
        N, L, V = logits.shape
        return F.cross_entropy(
            logits.reshape(N, V, L).transpose(1, 2).reshape(-1, V), y.reshape(-1)
        )

    def lm_loss(logits, y):  # the starter, its comment changed: no edit
        N, L, V = logits.shape  # the sizes
        return nn.functional.cross_entropy(logits.view(N, V, L), y)

    for edited in (reshaped, undone):  # edited code that still gives the bug's numbers
        result = checks.lm_loss(edited)
        assert _status(result) == "incorrect", (edited.__name__, result)
        assert "still gives the bug's numbers" in result.message
        assert "transpose(1, 2)" in result.message
    assert _status(checks.lm_loss(lm_loss)) == "not attempted"  # the untouched bug


def test_lm_loss_answers_of_the_wrong_form():
    assert "a number" in checks.lm_loss(lambda logits, y: torch.tensor([1.0, 2.0])).message
    assert "a number" in checks.lm_loss(lambda logits, y: "loss").message
    assert not checks.lm_loss(lambda logits, y: _flattened(logits, y) * 1.01)
    assert "give the lm_loss" in checks.lm_loss(3).message


# --- exercise 3: the sampling loop --------------------------------------------------------


def _sample_as_lists(model, start, n, temperature, generator):
    """Right, written differently: the start read one character at a time, the indices
    collected in lists, made a tensor at the end."""
    h = None
    for t in range(start.shape[1]):
        logits, h = model(start[:, t : t + 1], h)
    rows = [[] for _ in range(start.shape[0])]
    for _ in range(n):
        scores = logits[:, -1]
        if temperature:
            p = (scores / temperature).softmax(-1)
            chosen = torch.multinomial(p, num_samples=1, generator=generator)
        else:
            chosen = scores.argmax(-1).unsqueeze(1)
        for row, value in zip(rows, chosen[:, 0].tolist(), strict=True):
            row.append(value)
        logits, h = model(chosen, h)
    return torch.tensor(rows)  # (N, n)


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


def test_sampling_loop_right_answers_written_differently():
    for right in (_sample_as_lists, _row_by_row):
        result = checks.sampling_loop(right)
        assert result, (right.__name__, result)


def test_sampling_loop_a_list_is_not_the_tensor_asked_for():
    def as_list(model, start, n, temperature, generator):
        return _sample_as_lists(model, start, n, temperature, generator).tolist()

    result = checks.sampling_loop(as_list)
    assert not result
    assert "return a tensor of shape (N, n)" in result.message


def test_sampling_loop_answers_of_the_wrong_form():
    result = checks.sampling_loop(lambda model, start, n, t, g: torch.zeros(n))
    assert not result
    assert "shape" in result.message
    assert _status(checks.sampling_loop(lambda model, start, n, t, g: None)) == "not attempted"


def test_the_chapter_s_checkers_are_registered_in_order():
    names = [ex.name for ex in checks.EXERCISES.values() if ex.chapter == language_model.CHAPTER]
    assert names == ["language_model_shapes", "lm_loss", "sampling_loop"]
    assert "language_model" in checks.CHAPTER_MODULES


def test_lm_loss_a_float32_loss_is_right():
    def float32(logits, y):
        return F.cross_entropy(logits.float().transpose(1, 2), y)

    assert checks.lm_loss(float32)


def _solution(model, start, n, temperature, generator):
    return _row_by_row(model, start, n, temperature, generator)


def test_sampling_loop_float_indices_are_refused():
    result = checks.sampling_loop(lambda *args: _solution(*args).float())
    assert not result
    assert "torch.int64" in result.message


def test_sampling_loop_the_prefix_read_again_is_refused():
    def prefix_again(model, start, n, temperature, generator):
        text, new = start, []
        for _ in range(n):
            scores = model(text)[0][:, -1]  # the whole text read again at every step
            if temperature == 0:
                chosen = scores.argmax(dim=-1, keepdim=True)
            else:
                p = torch.softmax(scores / temperature, dim=-1)
                chosen = torch.multinomial(p, 1, generator=generator)
            new.append(chosen)
            text = torch.cat([text, chosen], dim=1)
        return torch.cat(new, dim=1)

    result = checks.sampling_loop(prefix_again)
    assert not result
    assert "state h carried" in result.message


def test_sampling_loop_wrong_characters_are_counted_and_the_first_hint_nudges():
    result = checks.sampling_loop(lambda *args: _solution(*args).flip(1))
    assert not result
    assert "6 of 12 characters differ" in result.message, result.message
    assert language_model.SAMPLING_LOOP.hints.nudge in result.message.lower()
    assert "multinomial" not in result.message


def test_the_stored_seed_runs_are_as_the_refill_writes_them():
    """rnnlab/text_seeds.json (read by the chapter) has the refill's layout and 10 x 5 losses."""
    import importlib.util
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("course", root / "benchmarks" / "course.py")
    course = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course)
    text = course.TEXT_SEEDS.read_text()
    stored = json.loads(text)
    assert course.text_seeds_json(stored) == text
    assert list(stored) == ["RNN", "GRU", "LSTM"]
    for runs in stored.values():
        assert torch.tensor(runs["losses"]).shape == (10, 5)
        assert len(runs["largest"]) == 10


def test_lm_loss_transposed_then_reshaped_is_named():
    def mixed(logits, y):  # (N, V, L) by transpose, then cut into (N*L, V) rows: mixed again
        N, L, V = logits.shape
        return F.cross_entropy(logits.transpose(1, 2).reshape(N * L, V), y.reshape(-1))

    result = checks.lm_loss(mixed)
    assert _status(result) == "incorrect", result
    assert "what does the reshape after it do" in result.message, result.message
    assert "view(N, V, L)" not in result.message


def test_lm_loss_cut_from_the_graph_is_refused():
    for cut in (
        lambda logits, y: _flattened(logits, y).item(),
        lambda logits, y: _flattened(logits, y).detach(),
    ):
        result = checks.lm_loss(cut)
        assert _status(result) == "incorrect", result
        assert "no graph" in result.message
        assert "backward()" in result.message


def test_sampling_loop_a_draw_at_temperature_0_is_refused():
    def tiny_temperature(model, start, n, temperature, generator):  # 0 read as 1e-3: draws
        return _solution(model, start, n, temperature or 1e-3, generator)

    result = checks.sampling_loop(tiny_temperature)
    assert _status(result) == "incorrect", result
    assert "at temperature 0 your function drew from the generator" in result.message


def test_sampling_loop_the_same_stale_state_at_every_step_is_pointed_at_the_state():
    def stale(model, start, n, temperature, generator):  # the start's state fed at every step
        logits, h_start = model(start)
        new = []
        for _ in range(n):
            scores = logits[:, -1]
            if temperature == 0:
                chosen = scores.argmax(dim=-1, keepdim=True)
            else:
                p = torch.softmax(scores / temperature, dim=-1)
                chosen = torch.multinomial(p, 1, generator=generator)
            new.append(chosen)
            logits, h = model(chosen, h_start)  # h is never fed back
        return torch.cat(new, dim=1)

    first = checks.sampling_loop(stale)
    assert not first
    assert "which state does each step continue from?" in first.message.lower(), first.message
    second = checks.sampling_loop(stale)
    assert "feeding the same h every time" in second.message, second.message


def test_sampling_loop_exp_weights_fail_at_a_low_temperature():
    def exp_weights(model, start, n, temperature, generator):
        with torch.no_grad():
            out, h = model(start)
            new = []
            for _ in range(n):
                scores = out[:, -1]
                if temperature == 0:
                    chosen = scores.argmax(dim=-1, keepdim=True)
                else:
                    weights = torch.exp(scores / temperature)  # inf at temperature 0.01
                    chosen = torch.multinomial(weights, 1, generator=generator)
                new.append(chosen)
                out, h = model(chosen, h)
        return torch.cat(new, dim=1)

    result = checks.sampling_loop(exp_weights)
    assert not result
    assert "temperature=0.01" in result.message
    assert "small temperature" in result.message
