"""Exercises of the chapter on a character-level language model (11), defined once.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. The checkers the notebook calls are made from these records. Sizes are
all different (N != L != V != E != H), and the loss is also probed with L == V, where logits
passed as they are run without an error.

Shapes: N batch, L sequence length, V vocabulary size, E embedding size, H hidden size.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn

from rnnlab.checks._exercise import (
    Exercise,
    FormError,
    Hints,
    Mistake,
    Part,
    Probe,
    checker,
    drawn,
)

__all__ = ["EXERCISES", "language_model_shapes", "lm_loss", "sampling_loop"]

CHAPTER = "11_text_language_model"


# -- 1. language_model_shapes: predict the logits' shape and the shape cross_entropy gets -------


def _lm_sizes(embedding, rnn, head, x):
    """N, L, V, E, H of the handed model and indices."""
    N, L = x.shape
    return N, L, head.out_features, embedding.embedding_dim, rnn.hidden_size


def _lm_reference(embedding, rnn, head, x):
    logits = head(rnn(embedding(x))[0])  # (N, L) -> (N, L, E) -> (N, L, H) -> (N, L, V)
    N, L, V = logits.shape
    return tuple(logits.shape), (N * L, V)


def _lm(logits=None, flat=None):
    """A mistake of exercise 1: the wrong logits or flattened shape, the other part right."""

    def answer(embedding, rnn, head, x):
        N, L, V, E, H = _lm_sizes(embedding, rnn, head, x)
        sizes = {"N": N, "L": L, "V": V, "E": E, "H": H, "NL": N * L, "LV": L * V}
        sizes["NLV"] = N * L * V
        right = _lm_reference(embedding, rnn, head, x)
        out = right[0] if logits is None else tuple(sizes[s] for s in logits)
        fl = right[1] if flat is None else tuple(sizes[s] for s in flat)
        return out, fl

    return answer


def _lm_handed(embedding, rnn, head, x) -> str:
    if not (
        isinstance(embedding, nn.Embedding)
        and isinstance(rnn, nn.RNNBase)
        and isinstance(head, nn.Linear)
        and isinstance(x, torch.Tensor)
    ):
        return "pass the cell's embedding_1, rnn_1, head_1 and x_1 first, then your two shapes"
    if x.dim() != 2 or x.dtype != torch.int64 or not rnn.batch_first:
        return "pass x_1 as the cell makes it, (N, L) indices, and the batch-first rnn_1"
    return ""


def _lm_variants(generator):
    made = []
    for kind, N, L, V, E, H in (
        ("LSTM", 4, 9, 30, 6, 12),
        ("RNN", 7, 3, 11, 5, 8),
        ("GRU", 2, 25, 70, 10, 16),
    ):
        made.append(
            (
                nn.Embedding(V, E),
                getattr(nn, kind)(E, H, batch_first=True),
                nn.Linear(H, V),
                torch.randint(0, V, (N, L), generator=generator),
            )
        )
    return made


LANGUAGE_MODEL_SHAPES = Exercise(
    id=f"{CHAPTER}.language_model_shapes",
    version=1,
    title="Predict the shape of a language model's logits and of what cross_entropy gets",
    points=2,
    kind="predict",
    starter="""\
embedding_1 = nn.Embedding(58, 16)  # V = 58 characters, E = 16
rnn_1 = nn.GRU(16, 64, batch_first=True)  # H = 64
head_1 = nn.Linear(64, 58)
x_1 = torch.zeros(5, 40, dtype=torch.int64)  # 5 windows of 40 character indices
logits_shape = ...  # head_1(rnn_1(embedding_1(x_1))[0])
loss_input_shape = ...  # the logits flattened for cross_entropy
checks.language_model_shapes(embedding_1, rnn_1, head_1, x_1, logits_shape, loss_input_shape)""",
    solution="""\
embedding_1 = nn.Embedding(58, 16)  # V = 58 characters, E = 16
rnn_1 = nn.GRU(16, 64, batch_first=True)  # H = 64
head_1 = nn.Linear(64, 58)
x_1 = torch.zeros(5, 40, dtype=torch.int64)  # (N, L) = (5, 40)
logits_shape = (5, 40, 58)  # (N, L, V): the head turns H = 64 features into V = 58 scores
loss_input_shape = (200, 58)  # (N*L, V): one row of V scores per prediction
checks.language_model_shapes(embedding_1, rnn_1, head_1, x_1, logits_shape, loss_input_shape)""",
    parts=(Part("logits_shape", "shape"), Part("loss_input_shape", "shape")),
    handed=("embedding", "rnn", "head", "x"),
    asked=("logits_shape", "loss_input_shape"),
    reference=_lm_reference,
    defaults=lambda: (
        nn.Embedding(58, 16),
        nn.GRU(16, 64, batch_first=True),
        nn.Linear(64, 58),
        torch.zeros(5, 40, dtype=torch.int64),
    ),
    check_handed=_lm_handed,
    variants=_lm_variants,
    right="logits (N, L, V), a score per character at every step; cross_entropy gets one row "
    "of V scores per prediction",
    hints=Hints(
        "follow x_1 through the three layers, one shape at a time",
        "the embedding adds a dimension, the RNN replaces it with its hidden size, the head "
        "replaces that with one score per character; flattening keeps the scores as the last "
        "dimension",
        "logits are (N, L, V); cross_entropy gets them as (N*L, V)",
    ),
    mistakes=(
        Mistake(
            "logits with the hidden size",
            Hints(
                "logits_shape: which layer gives the last dimension?",
                "logits_shape: (N, L, H) is the RNN's output; the head maps each step's H "
                "features to something else",
                "logits_shape: the head nn.Linear(H, V) gives V scores per step: (N, L, V)",
            ),
            _lm(logits=("N", "L", "H")),
        ),
        Mistake(
            "logits with the embedding size",
            Hints(
                "logits_shape: which layer gives the last dimension?",
                "logits_shape: (N, L, E) is the embedding's output, two layers before the logits",
                "logits_shape: the head gives V scores per step: (N, L, V)",
            ),
            _lm(logits=("N", "L", "E")),
        ),
        Mistake(
            "logits sequence-first",
            Hints(
                "logits_shape: which dimension comes first?",
                "logits_shape: rnn_1 is batch-first, so its output, and the logits, keep N first",
                "logits_shape: (N, L, V), batch first like x_1",
            ),
            _lm(logits=("L", "N", "V")),
        ),
        Mistake(
            "logits with V in dimension 1",
            Hints(
                "logits_shape: where does the head put its scores?",
                "logits_shape: (N, V, L) is the layout cross_entropy can read, made with a "
                "transpose; nn.Linear acts on the last dimension and leaves it last",
                "logits_shape: the head's V scores are the last dimension: (N, L, V)",
            ),
            _lm(logits=("N", "V", "L")),
        ),
        Mistake(
            "flattened with the classes first",
            Hints(
                "logits_shape is right. loss_input_shape: in which dimension does cross_entropy "
                "read the classes?",
                "logits_shape is right. loss_input_shape: cross_entropy reads a 2-D input as "
                "(predictions, classes)",
                "logits_shape is right. loss_input_shape is (N*L, V)",
            ),
            _lm(flat=("V", "NL")),
        ),
        Mistake(
            "flattened steps and classes together",
            Hints(
                "logits_shape is right. loss_input_shape: how many predictions are there?",
                "logits_shape is right. loss_input_shape: each step of each window is one "
                "prediction with its own row of V scores; steps and classes must not mix",
                "logits_shape is right. loss_input_shape: N*L predictions of V scores, (N*L, V)",
            ),
            _lm(flat=("N", "LV")),
        ),
        Mistake(
            "the (N, V, L) layout given for the 2-D input",
            Hints(
                "logits_shape is right. loss_input_shape: how many dimensions does it have?",
                "logits_shape is right. loss_input_shape: (N, V, L) is the other layout "
                "cross_entropy reads, 3-D; the question asks for the 2-D one, and 2-D means "
                "flattened: every step of every window one row",
                "logits_shape is right. loss_input_shape: 2-D means flattened, (N*L, V)",
            ),
            _lm(flat=("N", "V", "L")),
        ),
        Mistake(
            "the targets' shape given for the scores",
            Hints(
                "logits_shape is right. loss_input_shape: that is the targets' shape; the scores "
                "keep V",
                "logits_shape is right. loss_input_shape: (N*L,) is what y becomes; the input "
                "has one row of V scores for each of those N*L targets",
                "logits_shape is right. loss_input_shape: N*L rows of V scores, (N*L, V)",
            ),
            _lm(flat=("NL",)),
        ),
        Mistake(
            "flattened to one dimension",
            Hints(
                "logits_shape is right. loss_input_shape: cross_entropy needs one row of V "
                "scores per prediction; how many dimensions is that?",
                "logits_shape is right. loss_input_shape: a 1-D input of N*L*V numbers has no "
                "rows; each of the N*L predictions needs its own row of V scores",
                "logits_shape is right. loss_input_shape: N*L rows of V scores, (N*L, V)",
            ),
            _lm(flat=("NLV",)),
        ),
        Mistake(
            "the RNN's output flattened, not the logits",
            Hints(
                "logits_shape is right. loss_input_shape: which tensor does cross_entropy get, "
                "the RNN's output or the logits?",
                "logits_shape is right. loss_input_shape: (N*L, H) is the RNN's output "
                "flattened; cross_entropy gets the head's scores, V per prediction",
                "logits_shape is right. loss_input_shape: flatten the logits, (N*L, V)",
            ),
            _lm(flat=("NL", "H")),
        ),
    ),
)


# -- 2. lm_loss: find the bug in a loss that reshapes where it should transpose ----------------


def _loss_probes(generator):
    probes = []
    for N, L, V in ((3, 5, 7), (2, 6, 6), (4, 2, 9)):  # the second: L == V
        logits = torch.randn(N, L, V, generator=generator, dtype=torch.float64) * 2  # (N, L, V)
        y = torch.randint(0, V, (N, L), generator=generator)  # (N, L)
        probes.append(Probe(f"N={N}, L={L}, V={V}", (logits, y)))
    return probes


_LM_LOSS_STARTER = """\
def lm_loss(logits, y):  # logits (N, L, V), y (N, L)
    N, L, V = logits.shape
    return nn.functional.cross_entropy(logits.view(N, V, L), y)


checks.lm_loss(lm_loss)"""


def _code_only(source: str) -> str:
    """A function's source without comments and whitespace: an edit that changes neither is
    no edit."""
    return "".join("".join(line.split("#", 1)[0].split()) for line in source.splitlines())


def _a_number(value) -> bool:
    """A Python number or a one-element tensor: what a loss is, graph or not."""
    if isinstance(value, torch.Tensor):
        return value.numel() == 1
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _call_loss(answer, logits, y):
    """Run a loss answer. Code that was edited and still gives the untouched bug's numbers (a
    reshape to (N, V, L) then undone by a transpose and a flattening reads the same scores) is
    told so, instead of being counted as not attempted; the untouched starter stays not
    attempted. The logits it gets require a gradient, as a model's do: a loss cut from the graph
    (.item(), .detach(), torch.no_grad()) has the right number and cannot train, and is told so."""
    value = answer(logits.detach().clone().requires_grad_(True), y)
    if _a_number(value) and not (isinstance(value, torch.Tensor) and value.requires_grad):
        raise FormError(
            "your loss has the right shape but no graph: training calls loss.backward() on it, "
            "which fails on a Python number or a tensor cut by .item(), .detach() or "
            "torch.no_grad(); return the tensor cross_entropy gives as it is"
        )
    N, L, V = logits.shape
    buggy = nn.functional.cross_entropy(logits.reshape(N, V, L), y)  # the starter's number
    try:
        same = torch.allclose(torch.as_tensor(value, dtype=buggy.dtype), buggy, rtol=1e-5)
        source = inspect.getsource(answer)
    except (TypeError, ValueError, RuntimeError, OSError):
        return value  # not a number, or no source to read: the usual verdicts apply
    starter = _LM_LOSS_STARTER.split("\n\n\n", 1)[0]
    if same and _code_only(source) not in (_code_only(starter), ""):
        raise FormError(
            "this still gives the bug's numbers: once logits are cut to (N, V, L) by view or "
            "reshape, the scores of a step come from several steps, and a transpose or a "
            "flattening after it keeps them so. Move V with logits.transpose(1, 2) instead"
        )
    return value


LM_LOSS = Exercise(
    id=f"{CHAPTER}.lm_loss",
    version=1,
    title="Find the bug in a language model's loss",
    points=2,
    kind="find-the-bug",
    starter=_LM_LOSS_STARTER,
    solution="""\
def lm_loss(logits, y):  # logits (N, L, V), y (N, L)
    N, L, V = logits.shape
    # the bug's view(N, V, L) reads every L-th number of logits[0] as the V scores for y[0, 0]:
    assert torch.equal(logits.view(N, V, L)[0, :, 0], logits[0].flatten()[::L])
    return nn.functional.cross_entropy(logits.transpose(1, 2), y)  # (N, L, V) -> (N, V, L)


checks.lm_loss(lm_loss)""",
    parts=(Part("loss", "number", rtol=1e-5),),  # float32 precision: a float32 loss is right too
    asked=("lm_loss",),
    probes=_loss_probes,
    call=_call_loss,
    right="V moved to dimension 1 (or N and L flattened): each step is scored on its own V scores",
    hints=Hints(
        "the shape of what cross_entropy gets is right; are its numbers where they belong?",
        "if logits are still cut to (N, V, L) by view or reshape: that keeps the order of the "
        "numbers in memory and only cuts them anew, so the scores it gives one step come from "
        "several steps (which call moves a dimension instead?). If that cut is gone and your "
        "scores are in place, check what y is matched with",
        "move V with logits.transpose(1, 2), or flatten: logits.reshape(N * L, V) with "
        "y.reshape(N * L)",
    ),
    mistakes=(
        Mistake(
            "logits passed as they are",
            Hints(
                "cross_entropy: in which dimension does it look for the classes?",
                "cross_entropy reads the classes in dimension 1, which holds the L steps here; "
                "it fails when L != V and silently mixes steps and classes when L == V",
                "give it logits.transpose(1, 2), (N, V, L), with y as it is",
            ),
            edit=("logits.transpose(1, 2), y)", "logits, y)"),
        ),
        Mistake(
            "logits flattened, targets not",
            Hints(
                "the logits are flattened; what about the targets?",
                "cross_entropy pairs row i of a 2-D input with target i: a (N*L, V) input needs "
                "(N*L,) targets",
                "flatten both: cross_entropy(logits.reshape(N * L, V), y.reshape(N * L))",
            ),
            edit=("logits.transpose(1, 2), y)", "logits.reshape(N * L, V), y)"),
        ),
        Mistake(
            "targets flattened in another order",
            Hints(
                "the scores are flattened in (N, L) order; are the targets?",
                "y.T.reshape(-1) lists the targets step by step, the scores window by window: "
                "row i of the scores is compared with another step's target",
                "flatten y the same way as the logits: y.reshape(N * L)",
            ),
            edit=("logits.transpose(1, 2), y)", "logits.reshape(N * L, V), y.T.reshape(N * L))"),
        ),
        Mistake(
            "softmax before cross_entropy",
            Hints(
                "what does cross_entropy expect: scores or probabilities?",
                "cross_entropy applies log_softmax itself; it expects raw scores (logits), so a "
                "softmax before it squashes them twice",
                "pass the logits themselves: cross_entropy(logits.transpose(1, 2), y)",
            ),
            edit=("logits.transpose(1, 2), y)", "logits.softmax(dim=-1).transpose(1, 2), y)"),
        ),
        Mistake(
            "summed, not averaged",
            Hints(
                "the right terms; how are they combined?",
                "reduction='sum' adds the N*L terms; the loss the chapter uses is their mean",
                "leave reduction at its default, 'mean'",
            ),
            edit=("logits.transpose(1, 2), y)", "logits.transpose(1, 2), y, reduction='sum')"),
        ),
        Mistake(
            "steps flattened first, targets windows first",
            Hints(
                "the scores are flattened; in which order are the rows, and the targets?",
                "logits.transpose(0, 1).reshape(-1, V) lists the rows step by step (L, N), "
                "y.reshape(-1) lists the targets window by window (N, L): row i is compared "
                "with another prediction's target",
                "flatten both in the same order: logits.reshape(N * L, V) with y.reshape(N * L), "
                "or logits.transpose(1, 2) with y as it is",
            ),
            edit=(
                "logits.transpose(1, 2), y)",
                "logits.transpose(0, 1).reshape(-1, V), y.reshape(-1))",
            ),
        ),
        Mistake(
            "transposed, then reshaped to (N*L, V)",
            Hints(
                "the transpose is right for the (N, V, L) layout; what does the reshape after "
                "it do?",
                "after transpose(1, 2) each window's numbers run character by character, all "
                "L steps of one character, then the next; reshape(N * L, V) cuts that order "
                "into rows of V numbers, so a row holds a few characters' scores at several "
                "steps instead of one step's V scores: the rows are mixed again",
                "keep one of the two: logits.transpose(1, 2) with y as it is, or "
                "logits.reshape(N * L, V) with y.reshape(N * L), without the transpose",
            ),
            edit=(
                "logits.transpose(1, 2), y)",
                "logits.transpose(1, 2).reshape(N * L, V), y.reshape(-1))",
            ),
        ),
        Mistake(
            "the sum divided by N",
            Hints(
                "the right terms; what do you divide their sum by?",
                "there are N*L predictions, one per step of each window; a sum divided by N "
                "is L times their mean",
                "leave reduction at its default, 'mean', which divides by N*L; no division after",
            ),
            edit=(
                "logits.transpose(1, 2), y)",
                "logits.transpose(1, 2), y, reduction='sum') / N",
            ),
        ),
        Mistake(
            "nll_loss on raw scores",
            Hints(
                "nll_loss: what does it expect as its input, scores or log-probabilities?",
                "nll_loss only picks -input[target]; it expects log-probabilities, and "
                "cross_entropy is log_softmax followed by nll_loss",
                "use cross_entropy(logits.transpose(1, 2), y), or nll_loss on "
                "logits.log_softmax(dim=-1).transpose(1, 2)",
            ),
            edit=(
                "cross_entropy(logits.transpose(1, 2), y)",
                "nll_loss(logits.transpose(1, 2), y)",
            ),
        ),
        Mistake(
            "log_softmax over the steps",
            Hints(
                "log_softmax: over which dimension does it normalise?",
                "the logits are (N, L, V): dim=1 normalises over the L steps, so a step's "
                "probabilities no longer sum to 1 over the V characters",
                "normalise over the characters, logits.log_softmax(dim=-1), before the "
                "transpose; or let cross_entropy(logits.transpose(1, 2), y) do it",
            ),
            edit=(
                "cross_entropy(logits.transpose(1, 2), y)",
                "nll_loss(logits.log_softmax(dim=1).transpose(1, 2), y)",
            ),
        ),
        Mistake(
            "log_softmax over the steps, then cross_entropy",
            Hints(
                "log_softmax: over which dimension does it normalise, and does cross_entropy "
                "need it?",
                "the logits are (N, L, V): log_softmax(1) normalises over the L steps, not the V "
                "characters, and cross_entropy applies its own log_softmax over the characters "
                "on top of it",
                "pass the logits themselves: cross_entropy(logits.transpose(1, 2), y)",
            ),
            edit=(
                "cross_entropy(logits.transpose(1, 2), y)",
                "cross_entropy(logits.log_softmax(1).transpose(1, 2), y)",
            ),
        ),
    ),
    equivalent={"line 5: .transpose -> .swapaxes": "swapaxes is another name of transpose"},
)


# -- 3. sampling_loop: sample a batch, one step at a time from the carried state --------------


class _CharModel(nn.Module):
    """The chapter's model, small: an embedding, a batch-first GRU and a Linear head."""

    def __init__(self, V: int, E: int, H: int):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.rnn = nn.GRU(E, H, batch_first=True)
        self.head = nn.Linear(H, V)

    def forward(self, x, h=None):  # x: (N, L) indices; h: the state carried in, or None
        output, h = self.rnn(self.embedding(x), h)  # (N, L) -> (N, L, E) -> (N, L, H)
        return self.head(output), h  # (N, L, V)


def _sampling_probes(generator):
    probes = []
    for N, L0, n, temperature, V, E, H in (
        (2, 3, 6, 0, 7, 3, 5),
        (3, 1, 5, 1.0, 9, 4, 6),
        (2, 4, 7, 0.5, 8, 5, 3),
        (4, 2, 5, 2.0, 6, 2, 7),
        (2, 2, 4, 0.01, 7, 3, 4),  # exp(scores / 0.01) overflows to inf; softmax stays finite
    ):
        model = drawn(generator, lambda V=V, E=E, H=H: _CharModel(V, E, H), scale=4.0)
        start = torch.randint(0, V, (N, L0), generator=generator)  # (N, L0)
        seed = int(torch.randint(0, 1000, (1,), generator=generator))
        draws = torch.Generator().manual_seed(seed)  # the generator the answer draws with
        label = f"N={N}, L0={L0}, n={n}, temperature={temperature}, V={V}"
        probes.append(Probe(label, (model, start, n, temperature, draws)))
    return probes


def _call_sampling(answer, model, start, n, temperature, generator):
    """Run a sampling answer, counting the characters the model reads: with the state carried,
    each row reads its L0 start characters and then one character per step, L0 + n; reading
    the whole text again at every step reads far more (over twice as many on every probe).
    Floats of the right shape are not character indices, and a list is not the (N, n) tensor.
    At temperature 0 the generator is not touched: the argmax draws nothing."""
    read = [0]
    model.embedding.register_forward_pre_hook(
        lambda m, inputs: read.__setitem__(0, read[0] + inputs[0].shape[-1])
    )
    state_before = generator.get_state()
    value = answer(model, start, n, temperature, generator)
    if value is not None and not isinstance(value, torch.Tensor):
        raise FormError(
            f"your function returned {type(value).__name__}: return a tensor of shape (N, n), "
            "e.g. torch.cat(new, dim=1)"
        )
    L0 = start.shape[1]
    if temperature == 0 and not torch.equal(generator.get_state(), state_before):
        raise FormError(
            "at temperature 0 your function drew from the generator: temperature 0 takes the "
            "argmax, with no draw (a very small temperature picks the same characters, and "
            "uses up draws that later texts from the same generator would get)"
        )
    if read[0] > 2 * (L0 + n):
        raise FormError(
            f"the model read {read[0]} characters per row, more than the {L0} of the start and "
            f"one per new character ({L0 + n}): read the start once, then feed only the new "
            "character with the state h carried, model(chosen, h)"
        )
    right_shape = isinstance(value, torch.Tensor) and tuple(value.shape) == (start.shape[0], n)
    if right_shape and value.is_floating_point():
        raise FormError(
            f"new characters are {value.dtype}: character indices are whole numbers "
            "(torch.int64, as argmax and multinomial give them), not floats"
        )
    return value


SAMPLING_LOOP = Exercise(
    id=f"{CHAPTER}.sampling_loop",
    version=1,
    title="Sample a batch of texts one step at a time",
    points=3,
    kind="implement",
    starter="""\
def sample(model, start, n, temperature, generator): ...


checks.sampling_loop(sample)""",
    solution="""\
def sample(model, start, n, temperature, generator):
    with torch.no_grad():
        out, h = model(start)  # (N, L0, V) logits: read the starts
        new = []
        for _ in range(n):
            scores = out[:, -1]  # (N, V): the last step's scores
            if temperature == 0:
                chosen = scores.argmax(dim=-1, keepdim=True)  # (N, 1)
            else:
                p = torch.softmax(scores / temperature, dim=-1)  # (N, V)
                chosen = torch.multinomial(p, 1, generator=generator)  # (N, 1)
            new.append(chosen)
            out, h = model(chosen, h)  # (N, 1) -> (N, 1, V), the state carried
    return torch.cat(new, dim=1)  # n x (N, 1) -> (N, n)


checks.sampling_loop(sample)""",
    parts=(Part("new characters", "tensor", unit="characters"),),
    asked=("sample",),
    probes=_sampling_probes,
    call=_call_sampling,
    right="one step at a time from h, softmax(scores / temperature), drawn with your generator "
    "(multinomial normalises its weights, so exp(scores / temperature) draws the same while it "
    "stays finite; softmax is the safe form)",
    hints=Hints(
        "compare your characters with the model's, one step at a time",
        "at each step: the last step's scores (N, V), divided by the temperature, softmax, one "
        "draw per row with the generator you were given, fed back as (N, 1) with the state h "
        "(draws are compared one for one: draw with torch.multinomial and that generator, "
        "as the exercise asks)",
        "each step: take the last step's scores, scores = out[:, -1]; draw chosen = "
        "torch.multinomial(torch.softmax(scores / temperature, dim=-1), 1, "
        "generator=generator) (argmax when temperature == 0); feed it back with the state, "
        "out, h = model(chosen, h)",
    ),
    mistakes=(
        Mistake(
            "exp weights",
            Hints(
                "what happens at a small temperature such as 0.01?",
                "exp(scores / temperature) overflows to inf once a score over the temperature "
                "passes about 88 (float32), and multinomial refuses inf weights; softmax "
                "subtracts the largest score first and stays finite",
                "p = torch.softmax(scores / temperature, dim=-1)",
            ),
            edit=(
                "torch.softmax(scores / temperature, dim=-1)  # (N, V)",
                "torch.exp(scores / temperature)  # (N, V)",
            ),
        ),
        Mistake(
            "a fresh state at every step",
            Hints(
                "what does each step start from?",
                "model(chosen) without h starts every step from a zero state: the model only "
                "ever sees the last character",
                "carry the state: out, h = model(chosen, h)",
            ),
            edit=("out, h = model(chosen, h)", "out, h = model(chosen)"),
        ),
        Mistake(
            "the same stale state at every step",
            Hints(
                "which state does each step continue from?",
                "each step returns a new state; feeding the same h every time (out, _ = "
                "model(chosen, h), for one) throws it away: every step starts again from the "
                "state after the start, so the model sees the start and only the last new "
                "character",
                "keep the state each step returns: out, h = model(chosen, h)",
            ),
            edit=("out, h = model(chosen, h)", "out, _ = model(chosen, h)"),
        ),
        Mistake(
            "the temperature left out",
            Hints(
                "where does the temperature act?",
                "the temperature divides the scores before the softmax; without it every "
                "temperature but 0 draws from the same distribution",
                "p = torch.softmax(scores / temperature, dim=-1)",
            ),
            edit=("scores / temperature", "scores"),
        ),
        Mistake(
            "scores times the temperature",
            Hints(
                "how does the temperature act on the scores?",
                "a temperature below 1 should sharpen the distribution: multiplying the scores "
                "by it flattens it instead",
                "divide: torch.softmax(scores / temperature, dim=-1)",
            ),
            edit=("scores / temperature", "scores * temperature"),
        ),
        Mistake(
            "no argmax at temperature 0",
            Hints(
                "what happens at temperature 0?",
                "scores / 0 gives infinities and softmax then NaN, which multinomial refuses: "
                "temperature 0 needs its own branch",
                "if temperature == 0: chosen = scores.argmax(dim=-1, keepdim=True)",
            ),
            edit=("if temperature == 0:", "if False:"),
        ),
        Mistake(
            "the global random generator",
            Hints(
                "which random generator do your draws use?",
                "torch.multinomial without generator= draws from the global generator: the "
                "text then depends on every random call before it",
                "torch.multinomial(p, 1, generator=generator)",
            ),
            edit=("torch.multinomial(p, 1, generator=generator)", "torch.multinomial(p, 1)"),
        ),
        Mistake(
            "the first step's scores",
            Hints(
                "which step's scores predict the next character?",
                "out[:, 0] scores the character after the first one of the start; the next "
                "character follows the last step",
                "scores = out[:, -1]",
            ),
            edit=("scores = out[:, -1]", "scores = out[:, 0]"),
        ),
        Mistake(
            "the start returned too",
            Hints(
                "how many characters does your function return per row?",
                "the exercise asks for the n new characters only, (N, n), not the start before "
                "them",
                "return torch.cat(new, dim=1)",
            ),
            edit=("return torch.cat(new, dim=1)", "return torch.cat([start, *new], dim=1)"),
        ),
        Mistake(
            "the characters stacked step-first",
            Hints(
                "in which order are the dimensions of what you return?",
                "each step gives an (N, 1) column; stacking them on dimension 0 gives (n, N), "
                "one row per step instead of one row per text",
                "join the columns side by side: torch.cat(new, dim=1), (N, n)",
            ),
            edit=("return torch.cat(new, dim=1)", "return torch.cat(new, dim=1).T"),
        ),
        Mistake(
            "one step too many",
            Hints(
                "how many new characters does your loop draw?",
                "the loop should run n times, one new character per step",
                "for _ in range(n):",
            ),
            edit=("for _ in range(n):", "for _ in range(n + 1):"),
        ),
        Mistake(
            "one step too few",
            Hints(
                "how many new characters does your loop draw?",
                "the loop should run n times, one new character per step",
                "for _ in range(n):",
            ),
            edit=("for _ in range(n):", "for _ in range(n - 1):"),
        ),
        Mistake(
            "the start's state dropped",
            Hints(
                "what state does the first new character start from?",
                "the state the model reaches after reading the start is what the first step "
                "should continue from; dropping it starts the new text from a zero state",
                "keep both: out, h = model(start), then out, h = model(chosen, h)",
            ),
            edit=("out, h = model(start)", "out, h = model(start)[0], None"),
        ),
        Mistake(
            "inverse-CDF draws",
            Hints(
                "how are your draws compared with the model's?",
                "draws are compared one for one: a uniform number against p.cumsum draws from "
                "the same distribution, but other characters than torch.multinomial given the "
                "same generator",
                "replace the uniform number and the cumsum with one call, "
                "torch.multinomial(p, 1, generator=generator), at every step",
            ),
            edit=(
                "chosen = torch.multinomial(p, 1, generator=generator)  # (N, 1)",
                "u = torch.rand(p.shape[0], 1, generator=generator)  # (N, 1)\n"
                "                chosen = (p.cumsum(-1) < u).sum(-1, keepdim=True)  # (N, 1)\n"
                "                chosen = chosen.clamp(max=p.shape[-1] - 1)  # cumsum may end < 1",
            ),
        ),
    ),
    equivalent={},
)


EXERCISES = (LANGUAGE_MODEL_SHAPES, LM_LOSS, SAMPLING_LOOP)

language_model_shapes = checker(LANGUAGE_MODEL_SHAPES)
lm_loss = checker(LM_LOSS)
sampling_loop = checker(SAMPLING_LOOP)
