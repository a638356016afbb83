"""Checkers of the chapter on a character-level language model (real text).

Shapes: N batch, L sequence length, V vocabulary size, E embedding size, H hidden size.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn

from rnnlab.checks._verdict import (
    CORRECT,
    INCORRECT,
    Result,
    _as_shape,
    _not_attempted,
    _run_student,
)

__all__ = ["language_model_shapes", "lm_loss", "sampling_loop"]


def language_model_shapes(model, x, logits_shape, loss_input_shape) -> Result:
    """Exercise: predict the shape of the logits ``model(x)`` returns, and of the 2-D tensor
    ``cross_entropy`` is given after flattening them.

    Shapes: x (N, L) indices; the model (embedding, batch-first RNN, Linear head) returns logits
    (N, L, V) and a state.

    Used in: 11_text_language_model.
    """
    pending = _not_attempted(logits_shape, loss_input_shape)
    if pending is not None:
        return pending
    answers = [_as_shape(a) for a in (logits_shape, loss_input_shape)]
    if any(a is None for a in answers):
        return Result(INCORRECT, "give each shape as a tuple of whole numbers, such as (2, 3, 4)")
    logits_answer, flat_answer = answers
    with torch.no_grad():
        logits = model(x)[0]
    N, L, V = logits.shape
    H = getattr(getattr(model, "rnn", None), "hidden_size", None)
    E = getattr(getattr(model, "embedding", None), "embedding_dim", None)
    if logits_answer != (N, L, V):
        if logits_answer == (N, L, H):
            return Result(INCORRECT, "(N, L, H) is the RNN's output; the head maps H to what?")
        if logits_answer == (N, L, E):
            return Result(INCORRECT, "(N, L, E) is the embedding's output, two layers earlier")
        if logits_answer == (L, N, V):
            return Result(INCORRECT, "the RNN is batch-first: which dimension comes first?")
        if logits_answer == (N, V, L):
            return Result(
                INCORRECT,
                "that is the layout cross_entropy can read, made with transpose; the Linear "
                "head acts on the last dimension and leaves it last",
            )
        if len(logits_answer) != 3:
            return Result(INCORRECT, "the logits keep a batch and a step dimension: three numbers")
        return Result(INCORRECT, "one score per character of the vocabulary, at every step")
    if flat_answer != (N * L, V):
        if flat_answer == (V, N * L):
            return Result(
                INCORRECT,
                "the logits are right. cross_entropy reads the classes in dimension 1",
            )
        if flat_answer == (N, L * V):
            return Result(
                INCORRECT,
                "the logits are right. Each prediction is one row of V scores: how many "
                "predictions are there?",
            )
        return Result(INCORRECT, "the logits are right. Flatten the batch and the steps together")
    return Result(CORRECT, "logits (N, L, V) and (N*L, V) for cross_entropy, one row per step")


def _loss_variants(logits: torch.Tensor, y: torch.Tensor) -> dict:
    """The right loss and the known ways to get it wrong (float64)."""
    N, L, V = logits.shape
    variants = {
        "right": F.cross_entropy(logits.reshape(N * L, V), y.reshape(N * L)),
        "view": F.cross_entropy(logits.reshape(N, V, L), y),
        "sum": F.cross_entropy(logits.reshape(N * L, V), y.reshape(N * L), reduction="sum"),
        "targets": F.cross_entropy(logits.reshape(N * L, V), y.T.reshape(N * L)),
    }
    if L == V:
        variants["as is"] = F.cross_entropy(logits, y)
    return variants


_LOSS_HINTS = {
    "view": "view or reshape to (N, V, L) keeps the order of the numbers: the scores read for one "
    "step come from several steps. Which call moves a dimension instead?",
    "as is": "the logits went in as (N, L, V): cross_entropy takes dimension 1 for the classes, "
    "and here L == V, so it ran without an error",
    "sum": "the right scores, added instead of averaged over the N*L predictions",
    "targets": "the scores are flattened in (N, L) order but the targets in another order",
}

#: (N, L, V) of each probe: all different, then L == V, where the unchanged logits also run.
_LOSS_PROBES = ((3, 5, 7), (2, 6, 6), (4, 2, 9))


def lm_loss(loss: Callable) -> Result:
    """Exercise (find the bug): fix ``loss(logits, y)``, the mean cross-entropy of a language
    model's logits against the next characters.

    Shapes: logits (N, L, V), y (N, L) int64 -> a scalar; checked in float64 with three
    (N, L, V), one of them with L == V, and the relative error is printed.

    Used in: 11_text_language_model.
    """
    pending = _not_attempted(loss)
    if pending is not None:
        return pending
    if not callable(loss):
        return Result(INCORRECT, "give a function, def loss(logits, y): ...")
    gen = torch.Generator().manual_seed(22)
    worst = 0.0
    for N, L, V in _LOSS_PROBES:
        logits = torch.randn(N, L, V, generator=gen, dtype=torch.float64) * 2  # (N, L, V)
        y = torch.randint(0, V, (N, L), generator=gen)  # (N, L)
        variants = _loss_variants(logits, y)
        got, failed = _run_student(loss, logits.clone(), y.clone())
        if failed is not None:
            if "size" in failed.message or "shape" in failed.message:
                return Result(
                    INCORRECT,
                    f"{failed.message[len('your function raised ') :]}: cross_entropy reads the "
                    "classes in dimension 1",
                )
            return failed
        value = torch.as_tensor(got).detach().to(torch.float64) if _is_number(got) else None
        if value is None or value.numel() != 1:
            return Result(INCORRECT, "return the loss as one number (a 0-d tensor)")
        want = variants["right"]
        error = (abs(value.reshape(()) - want) / want.abs()).item()
        worst = max(worst, error)
        if error < 1e-6:
            continue
        for name, hint in _LOSS_HINTS.items():
            if name in variants and torch.isclose(value.reshape(()), variants[name], rtol=1e-9):
                return Result(INCORRECT, f"{hint} (relative error {error:.1e})")
        return Result(
            INCORRECT,
            f"relative error {error:.1e} at (N, L, V) = {(N, L, V)}: compare your loss with the "
            "two right layouts of section 2",
        )
    return Result(
        CORRECT, f"V goes to dimension 1, or N and L are flattened (relative error {worst:.1e})"
    )


def _is_number(value) -> bool:
    if isinstance(value, torch.Tensor):
        return value.dtype.is_floating_point and value.device.type != "meta"
    return isinstance(value, float)


class _TinyModel(nn.Module):
    """The chapter's model, small: an embedding, a batch-first GRU and a Linear head."""

    def __init__(self, V: int = 7, E: int = 3, H: int = 5):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.rnn = nn.GRU(E, H, batch_first=True)
        self.head = nn.Linear(H, V)

    def forward(self, x, h=None):  # x: (N, L) indices
        output, h = self.rnn(self.embedding(x), h)  # (N, L, H)
        return self.head(output) * 2, h  # (N, L, V): sharper scores, so argmax ties are rare


def _tiny_model() -> _TinyModel:
    with torch.random.fork_rng(devices=[]):  # building a module draws from the global generator
        torch.manual_seed(5)
        return _TinyModel().eval()


def _sample(model, start, n, temperature, generator, variant="right"):
    """The reference sampling loop (``variant="right"``) and the known ways to get it wrong."""
    logits, h = model(start)  # (N, L0, V)
    new = []
    for _ in range(n):
        scores = logits[:, -1]  # (N, V)
        if variant == "times":
            scores = scores * temperature if temperature else scores
        elif variant != "no temperature" and temperature:
            scores = scores / temperature
        if temperature == 0:
            chosen = scores.argmax(dim=-1, keepdim=True)  # (N, 1)
        else:
            p = torch.softmax(scores, dim=-1)  # (N, V)
            chosen = torch.multinomial(p, 1, generator=generator)  # (N, 1)
        new.append(chosen)
        carried = None if variant == "fresh state" else h
        logits, h = model(chosen, carried)  # (N, 1) -> (N, 1, V)
    return torch.cat(new, dim=1)  # n x (N, 1) -> (N, n)


_SAMPLING_HINTS = {
    "fresh state": "each step starts from a fresh state: carry h from one step to the next",
    "no temperature": "the temperature is not used: divide the scores by it before the softmax",
    "times": "the scores are multiplied by the temperature: divide them instead",
}

#: (N, L0, n, temperature, generator seed) of each probe.
_SAMPLING_PROBES = ((2, 3, 6, 0, 0), (3, 1, 5, 1.0, 7), (2, 4, 7, 0.5, 3), (1, 2, 5, 2.0, 9))


def sampling_loop(sample: Callable) -> Result:
    """Exercise: write ``sample(model, start, n, temperature, generator)``, which continues each
    row of ``start`` by ``n`` characters, one step at a time from the carried state.

    Shapes: start (N, L0) int64 -> (N, n) int64; at every step the scores (N, V), one call
    ``torch.multinomial(p, 1, generator=generator)`` -> (N, 1), fed back with the state;
    ``temperature == 0`` takes the argmax. Checked on a small GRU model with four (N, L0, n,
    temperature) probes.

    Used in: 11_text_language_model.
    """
    pending = _not_attempted(sample)
    if pending is not None:
        return pending
    if not callable(sample):
        return Result(
            INCORRECT, "give a function, def sample(model, start, n, temperature, generator): ..."
        )
    model = _tiny_model()
    V = model.head.out_features
    for N, L0, n, temperature, seed in _SAMPLING_PROBES:
        start = torch.randint(0, V, (N, L0), generator=torch.Generator().manual_seed(seed + 50))
        with torch.no_grad():
            got, failed = _run_student(
                sample, model, start.clone(), n, temperature, torch.Generator().manual_seed(seed)
            )
            if failed is not None:
                return failed
            got = torch.as_tensor(got) if isinstance(got, (list, tuple)) else got
            if isinstance(got, torch.Tensor) and tuple(got.shape) == (N, L0 + n):
                return Result(INCORRECT, "return only the n new characters, not the start")
            if not isinstance(got, torch.Tensor) or tuple(got.shape) != (N, n):
                shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                return Result(
                    INCORRECT,
                    f"return the new indices as an (N, n) tensor; got {shape} for N = {N}, n = {n}",
                )
            got = got.to(torch.int64)
            right = _sample(model, start, n, temperature, torch.Generator().manual_seed(seed))
            if torch.equal(got, right):
                continue
            for name, hint in _SAMPLING_HINTS.items():
                wrong = _sample(
                    model, start, n, temperature, torch.Generator().manual_seed(seed), name
                )
                if torch.equal(got, wrong):
                    return Result(INCORRECT, hint)
            where = f"temperature {temperature}" + (" (the argmax)" if temperature == 0 else "")
            return Result(
                INCORRECT,
                f"at {where} the characters differ from the model's: "
                + (
                    "take the argmax of the last step's scores, then feed it back with h"
                    if temperature == 0
                    else "draw with one call torch.multinomial(p, 1, generator=generator) per "
                    "step, on the last step's scores"
                ),
            )
    return Result(
        CORRECT,
        "one step at a time from h, softmax(scores / temperature), drawn with your generator",
    )
