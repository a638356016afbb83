"""Exercises of the chapter on variable-length sequences (09), defined once.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. Probes pad batches of several sizes whose lengths differ (some full, some
of one step), so an answer that reads the padding, or is off by one step, cannot pass.
``last_valid_outputs`` is kept for copies made before its exercise was replaced.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.nn.utils.rnn import pack_sequence

from rnnlab.checks._exercise import Exercise, FormError, Hints, Mistake, Part, Probe, checker
from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted, _run_student

__all__ = [
    "EXERCISES",
    "last_both_directions",
    "last_valid_outputs",
    "masked_mean",
    "masked_mean_divisors",
    "packed_batch_sizes",
]

CHAPTER = "09_variable_length"


def _padded(generator, lengths, H, features):
    """A padded batch-first tensor (N, L_max, features): random on real steps, 0 after each end
    (what pad_packed_sequence returns)."""
    lengths = torch.tensor(lengths)
    N, L = len(lengths), int(lengths.max())
    values = torch.randn(N, L, features, generator=generator)  # (N, L, features)
    real = torch.arange(L) < lengths.unsqueeze(1)  # (N, L)
    return values * real.unsqueeze(-1), lengths


# -- 1. last_both_directions: what a classifier reads from a padded bidirectional output -------


def _last_both_probes(generator):
    probes = []
    for lengths, H in (([6, 2, 5, 1], 3), ([3, 5, 4], 2), ([7, 7, 1, 4, 2], 4), ([2, 4], 5)):
        output, n = _padded(generator, lengths, H, 2 * H)  # (N, L, 2*H)
        label = f"N={len(lengths)}, L={max(lengths)}, H={H}, lengths={lengths}"
        probes.append(Probe(label, (output, n)))
    return probes


_LAST_BOTH_FORWARD = Hints(
    "the forward half: at which step does a short sequence really end?",
    "the forward half: after a sequence's end the padded output holds zeros, not its last state; "
    "sequence n's last real step is at index lengths[n] - 1",
    "forward = output[torch.arange(N), lengths - 1, :H]",
)

LAST_BOTH_DIRECTIONS = Exercise(
    id=f"{CHAPTER}.last_both_directions",
    version=1,
    title="Read each direction's final state from a padded bidirectional output",
    points=3,
    kind="implement",
    starter="""\
def last_both(output, lengths): ...


checks.last_both_directions(last_both)""",
    solution="""\
def last_both(output, lengths):  # output: (N, L_max, 2*H), padded, batch-first
    N, H = output.shape[0], output.shape[2] // 2
    forward = output[torch.arange(N), lengths - 1, :H]  # (N, H): its last real step
    reverse = output[:, 0, H:]  # (N, H): the reverse direction ends at step 1 (index 0)
    return torch.cat([forward, reverse], dim=1)  # (N, 2*H), what h_n holds


checks.last_both_directions(last_both)""",
    parts=(Part("result", "tensor"),),
    asked=("last_both",),
    probes=_last_both_probes,
    right="the forward direction's last real step and the reverse one's step 1 (index 0), like h_n",
    hints=Hints(
        "compare each half of your result with h_n of the packed batch: which step does each "
        "direction end at?",
        "the first H features of output are the forward direction, which ends at each sequence's "
        "last real step; the last H are the reverse direction, which ends at step 1 (index 0)",
        "torch.cat([output[torch.arange(N), lengths - 1, :H], output[:, 0, H:]], dim=1)",
    ),
    mistakes=(
        Mistake(
            "the last padded step",
            _LAST_BOTH_FORWARD,
            code="def last_both(output, lengths):\n    return output[:, -1]\n",
        ),
        Mistake(
            "both halves at the last real step",
            Hints(
                "the forward half is right. The reverse half: in which order does that direction "
                "read the sequence?",
                "the forward half is right. The reverse direction reads from the last real step "
                "back to step 1: its final state is at index 0",
                "reverse = output[:, 0, H:]",
            ),
            edit=("output[:, 0, H:]", "output[torch.arange(N), lengths - 1, H:]"),
        ),
        Mistake(
            "the forward half at the last padded step",
            _LAST_BOTH_FORWARD,
            edit=("output[torch.arange(N), lengths - 1, :H]", "output[:, -1, :H]"),
        ),
        Mistake(
            "off by one step",
            Hints(
                "the forward half: check the index of a sequence's last step",
                "a sequence of length l has its steps at indices 0 .. l - 1",
                "index the step with lengths - 1",
            ),
            edit=("lengths - 1", "(lengths - 2).clamp(min=0)"),
        ),
        Mistake(
            "the two directions read the other way round",
            Hints(
                "which half of output is which direction?",
                "the first H features are the forward direction (it ends at the last real step), "
                "the last H the reverse one (it ends at step 1, index 0)",
                "forward = output[range(N), lengths - 1, :H] and reverse = output[:, 0, H:]",
            ),
            code="""\
def last_both(output, lengths):
    N, H = output.shape[0], output.shape[2] // 2
    forward = output[:, 0, :H]
    reverse = output[torch.arange(N), lengths - 1, H:]
    return torch.cat([forward, reverse], dim=1)
""",
        ),
        Mistake(
            "the halves stacked instead of concatenated",
            Hints(
                "your halves are right: check your result's shape",
                "torch.stack puts the two (N, H) halves along a new dimension, (2, N, H); "
                "a head reads one row per sequence, both halves side by side, (N, 2*H)",
                "torch.cat([forward, reverse], dim=1)",
            ),
            edit=("torch.cat([forward, reverse], dim=1)", "torch.stack([forward, reverse])"),
        ),
        Mistake(
            "the halves concatenated in the other order",
            Hints(
                "your halves are right: in which order does h_n (and a head trained on it) "
                "expect them?",
                "output's features, and h_n's layers, put the forward direction first",
                "torch.cat([forward, reverse], dim=1)",
            ),
            edit=("torch.cat([forward, reverse], dim=1)", "torch.cat([reverse, forward], dim=1)"),
        ),
    ),
)


# -- 2. packed_batch_sizes: predict batch_sizes of a packed batch -----------------------------


def _batch_sizes_reference(lengths):
    sequences = [torch.zeros(int(n), 1) for n in lengths]
    return (pack_sequence(sequences, enforce_sorted=False).batch_sizes,)


def _batch_sizes_handed(lengths) -> str:
    if not isinstance(lengths, (list, tuple)) or not all(
        isinstance(n, int) and n > 0 for n in lengths
    ):
        return "pass the cell's lengths first (a list of positive whole numbers), then your answer"
    return ""


def _counted(rule):
    return lambda lengths: (tuple(rule(list(lengths))),)


_STEPS = Hints(
    "batch_sizes: what does each entry count?",
    "batch_sizes has one entry per time step of the longest sequence: how many sequences still "
    "have a step there?",
    "batch_sizes[i] = the number of lengths greater than i, for indices i = 0 .. max(lengths) - 1",
)

PACKED_BATCH_SIZES = Exercise(
    id=f"{CHAPTER}.packed_batch_sizes",
    version=1,
    title="Predict batch_sizes of a packed batch",
    points=1,
    kind="predict",
    starter="""\
lengths = [4, 2, 3, 2]
batch_sizes = ...  # predict without running pack_padded_sequence
checks.packed_batch_sizes(lengths, batch_sizes)""",
    solution="""\
lengths = [4, 2, 3, 2]
batch_sizes = [4, 4, 2, 1]  # all four at steps 1 and 2, two at step 3, one at step 4
checks.packed_batch_sizes(lengths, batch_sizes)""",
    parts=(Part("batch_sizes", "shape"),),
    handed=("lengths",),
    asked=("batch_sizes",),
    reference=_batch_sizes_reference,
    defaults=lambda: ([4, 2, 3, 2],),
    check_handed=_batch_sizes_handed,
    variants=lambda generator: [([5, 1, 3],), ([2, 6, 6, 3, 1],), ([3, 3],), ([1, 4, 2],)],
    right="at step t, the number of sequences at least t long",
    hints=_STEPS,
    mistakes=(
        Mistake("the lengths, sorted", _STEPS, _counted(lambda n: sorted(n, reverse=True))),
        Mistake("the lengths", _STEPS, _counted(lambda n: n)),
        Mistake(
            "one step too many",
            Hints(
                "batch_sizes: count its entries",
                "the indices run from 0 to max(lengths) - 1; at index i a sequence of length l "
                "is running when i < l",
                "batch_sizes[i] = the number of lengths greater than i, for indices i = 0 .. "
                "max(lengths) - 1",
            ),
            _counted(lambda n: [sum(k >= t for k in n) for t in range(max(n))]),
        ),
        Mistake(
            "the sequences finished",
            Hints(
                "batch_sizes: does it count the sequences still running or those that ended?",
                "each entry is the batch of the RNN at that step: the sequences that still have "
                "a step there",
                "batch_sizes[i] = the number of lengths greater than i (index i is step i + 1)",
            ),
            _counted(lambda n: [sum(k <= t for k in n) for t in range(max(n))]),
        ),
    ),
)


# -- 3. masked_mean_divisors and masked_mean: predict, then fix a mean over padded steps ---------


def _divisors_reference(lengths, L):
    n_entries, n_real = len(lengths) * L, sum(lengths)  # .mean() counts N * L; the real steps
    return n_entries, n_real, n_entries - n_real


def _divisors_handed(lengths, L) -> str:
    if (
        not isinstance(lengths, (list, tuple))
        or not all(isinstance(n, int) and n > 0 for n in lengths)
        or not isinstance(L, int)
        or L < max(lengths)
    ):
        return "pass the cell's lengths and L first, then your three numbers"
    return ""


_DIVIDES = Hints(
    "buggy_divides_by: what does .mean() divide by?",
    "buggy_divides_by: .mean() divides the sum by the number of entries of its tensor, padded "
    "ones included",
    "buggy_divides_by = N * L",
)
_REAL = Hints(
    "buggy_divides_by is right. right_divides_by: which steps should the mean count?",
    "buggy_divides_by is right. right_divides_by: the mean over the real steps divides by how "
    "many real steps there are in the whole batch",
    "buggy_divides_by is right. right_divides_by = sum(lengths)",
)

MASKED_MEAN_DIVISORS = Exercise(
    id=f"{CHAPTER}.masked_mean_divisors",
    version=1,
    title="Predict how far a mean over padded steps is off",
    points=1,
    kind="predict",
    starter="""\
lengths, L = [4, 2, 3], 4
buggy_divides_by = ...  # what the buggy mean divides the masked sum by
right_divides_by = ...  # what it should divide by
zeros_counted = ...  # how many padded zeros the buggy mean counts as losses
checks.masked_mean_divisors(lengths, L, buggy_divides_by, right_divides_by, zeros_counted)""",
    solution="""\
lengths, L = [4, 2, 3], 4
buggy_divides_by = 3 * 4  # .mean() counts all N * L entries, padded ones included
right_divides_by = 4 + 2 + 3  # the real steps: the buggy value is 9/12 of the right one
zeros_counted = 0 + 2 + 1  # each sequence's L - length padded steps
checks.masked_mean_divisors(lengths, L, buggy_divides_by, right_divides_by, zeros_counted)""",
    parts=(
        Part("buggy_divides_by", "int"),
        Part("right_divides_by", "int"),
        Part("zeros_counted", "int"),
    ),
    handed=("lengths", "L"),
    asked=("buggy_divides_by", "right_divides_by", "zeros_counted"),
    reference=_divisors_reference,
    defaults=lambda: ([4, 2, 3], 4),
    check_handed=_divisors_handed,
    variants=lambda generator: [([5, 1, 3], 6), ([2, 2], 3), ([1, 4, 4, 2], 5)],
    right="the same masked sum divided by N * L instead of the real steps: the buggy mean is "
    "too small by that ratio",
    hints=Hints(
        "both means add the same numbers; what does each divide by?",
        ".mean() divides by every entry of the (N, L) tensor; a mean over real steps divides by "
        "their number",
        "buggy_divides_by = N * L, right_divides_by = sum(lengths), and zeros_counted is "
        "their difference",
    ),
    mistakes=(
        Mistake(
            "the padded entries left out",
            _DIVIDES,
            lambda lengths, L: (sum(lengths), sum(lengths), 0),
        ),
        Mistake(
            "divided by the batch", _DIVIDES, lambda lengths, L: (len(lengths), sum(lengths), 0)
        ),
        Mistake(
            "the right mean divides by N * L too",
            _REAL,
            lambda lengths, L: (len(lengths) * L, len(lengths) * L, 0),
        ),
        Mistake(
            "the right mean divides by N",
            _REAL,
            lambda lengths, L: (len(lengths) * L, len(lengths), len(lengths) * (L - 1)),
        ),
        Mistake(
            "the zeros of the longest sequence counted",
            Hints(
                "buggy_divides_by and right_divides_by are right. zeros_counted: whose zeros?",
                "buggy_divides_by and right_divides_by are right. Each sequence is padded from "
                "its own end to L: count its padded steps, L - its length",
                "buggy_divides_by and right_divides_by are right. zeros_counted = N * L - "
                "sum(lengths)",
            ),
            lambda lengths, L: (len(lengths) * L, sum(lengths), L - min(lengths)),
        ),
        Mistake(
            "no zeros counted",
            Hints(
                "buggy_divides_by and right_divides_by are right. zeros_counted: does the buggy "
                "mean count any padded entry?",
                "buggy_divides_by and right_divides_by are right. The buggy mean divides by every "
                "entry, padded ones included: each padded step adds a zero loss it counts",
                "buggy_divides_by and right_divides_by are right. zeros_counted = N * L - "
                "sum(lengths)",
            ),
            lambda lengths, L: (len(lengths) * L, sum(lengths), 0),
        ),
        Mistake(
            "every entry counted as a zero",
            Hints(
                "buggy_divides_by and right_divides_by are right. zeros_counted: is every entry "
                "a padded zero?",
                "buggy_divides_by and right_divides_by are right. The real steps hold real losses; "
                "only the entries after each sequence's end are padded zeros",
                "buggy_divides_by and right_divides_by are right. zeros_counted = N * L - "
                "sum(lengths)",
            ),
            lambda lengths, L: (len(lengths) * L, sum(lengths), len(lengths) * L),
        ),
        Mistake(
            "the real steps counted",
            Hints(
                "buggy_divides_by and right_divides_by are right. zeros_counted: real steps or "
                "padded ones?",
                "buggy_divides_by and right_divides_by are right. sum(lengths) counts the real "
                "steps; the zeros are the padded entries, after each sequence's end",
                "buggy_divides_by and right_divides_by are right. zeros_counted = N * L - "
                "sum(lengths)",
            ),
            lambda lengths, L: (len(lengths) * L, sum(lengths), sum(lengths)),
        ),
    ),
)


def _masked_probes(generator):
    probes = []
    for lengths, L in (([5, 2, 3], 5), ([4, 4, 1, 2], 6), ([3, 7], 7), ([2, 2, 2], 4)):
        N = len(lengths)
        per_step = torch.rand(N, L, generator=generator, dtype=torch.float64) + 0.5  # (N, L)
        label = f"N={N}, L={L}, lengths={lengths}"
        probes.append(Probe(label, (per_step, torch.tensor(lengths))))
    return probes


def _call_mean(answer, per_step, lengths):
    """Run a masked_mean answer on losses that require a gradient, as a model's do: a mean cut
    from the graph (.item(), .detach(), torch.no_grad()) has the right number and cannot train,
    and is told so."""
    value = answer(per_step.detach().clone().requires_grad_(True), lengths)
    one_number = (
        value.numel() == 1
        if isinstance(value, torch.Tensor)
        else isinstance(value, (int, float)) and not isinstance(value, bool)
    )
    if one_number and not (isinstance(value, torch.Tensor) and value.requires_grad):
        raise FormError(
            "your mean is one number but has no graph: training calls loss.backward() on it, "
            "which fails on a Python number or a tensor cut by .item(), .detach() or "
            "torch.no_grad(); return the tensor your arithmetic gives as it is"
        )
    return value


_DIVISOR = Hints(
    "the masked sum is right; what must it be divided by?",
    "a mean over the real steps divides their summed losses by how many real steps there are "
    "in the whole batch, nothing added or taken away",
    "return (per_step * mask).sum() / mask.sum()",
)

_MASK = Hints(
    "which steps does your mean include?",
    "a sequence of length l has its real steps at indices 0 .. l - 1; the mask keeps the "
    "indices i < lengths[n]",
    "mask = torch.arange(L) < lengths.unsqueeze(1)",
)

MASKED_MEAN = Exercise(
    id=f"{CHAPTER}.masked_mean",
    version=1,
    title="Find the bug in a mean loss over the real steps of a padded batch",
    points=2,
    kind="find-the-bug",
    starter="""\
def masked_mean(per_step, lengths):  # per_step: (N, L) losses, lengths: (N,)
    L = per_step.shape[1]
    mask = torch.arange(L) < lengths.unsqueeze(1)  # (N, L)
    return (per_step * mask).mean()


checks.masked_mean(masked_mean)""",
    solution="""\
def masked_mean(per_step, lengths):  # per_step: (N, L) losses, lengths: (N,)
    L = per_step.shape[1]
    mask = torch.arange(L) < lengths.unsqueeze(1)  # (N, L): True on real steps
    return (per_step * mask).sum() / mask.sum()  # divide by the real steps, not N * L


checks.masked_mean(masked_mean)""",
    parts=(Part("mean", "number"),),
    asked=("masked_mean",),
    probes=_masked_probes,
    right="the masked sum over the number of real steps, as cross_entropy on packed.data",
    call=_call_mean,
    hints=Hints(
        "check both the masked sum and what it is divided by",
        "the mean over the real steps divides by how many real steps there are; .mean() would "
        "divide by every entry, N * L, padded steps included",
        "return (per_step * mask).sum() / mask.sum()",
    ),
    mistakes=(
        Mistake(
            "no mask",
            _MASK,
            code="def masked_mean(per_step, lengths):\n    return per_step.mean()\n",
        ),
        Mistake(
            "off by one",
            _MASK,
            edit=("torch.arange(L) < lengths", "torch.arange(L) <= lengths"),
        ),
        Mistake(
            "off by one in the count",
            _DIVISOR,
            edit=(
                "(per_step * mask).sum() / mask.sum()",
                "(per_step * mask).sum() / (mask.sum() - 1)",
            ),
        ),
        Mistake(
            "one too many in the count",
            _DIVISOR,
            edit=(
                "(per_step * mask).sum() / mask.sum()",
                "(per_step * mask).sum() / (mask.sum() + 1)",
            ),
        ),
        Mistake(
            "divided by the mean length",
            Hints(
                "the masked sum is right; what must it be divided by?",
                "the mean length is the real steps per sequence; the masked sum holds the real "
                "steps of all N sequences, so divide by all of them",
                "return (per_step * mask).sum() / mask.sum()",
            ),
            edit=(
                "(per_step * mask).sum() / mask.sum()",
                "(per_step * mask).sum() / lengths.float().mean()",
            ),
        ),
        Mistake(
            "per sequence first",
            Hints(
                "how much does each real step weigh in your mean?",
                "averaging each sequence first gives a short sequence's steps more weight; the "
                "loss of packed.data weighs every real step the same",
                "sum over all real steps at once, then divide by their count, mask.sum()",
            ),
            edit=(
                "(per_step * mask).sum() / mask.sum()",
                "((per_step * mask).sum(dim=1) / mask.sum(dim=1)).mean()",
            ),
        ),
        Mistake(
            "the numerator not masked",
            Hints(
                "the divisor counts the real steps; does the sum add only real steps?",
                "per_step.sum() adds the padded steps' losses too; multiply by the mask before "
                "summing",
                "return (per_step * mask).sum() / mask.sum()",
            ),
            edit=("(per_step * mask).sum() / mask.sum()", "per_step.sum() / mask.sum()"),
        ),
        Mistake(
            "off by one in the mask, right divisor",
            Hints(
                "the divisor is right; which steps does your mask keep?",
                "a sequence of length l has its real steps at indices 0 .. l - 1; <= also keeps "
                "index l, a padded step",
                "mask = torch.arange(L) < lengths.unsqueeze(1)",
            ),
            code="""\
def masked_mean(per_step, lengths):
    L = per_step.shape[1]
    mask = torch.arange(L) <= lengths.unsqueeze(1)
    return (per_step * mask).sum() / lengths.sum()
""",
        ),
        Mistake(
            "the sum",
            Hints(
                "is that a mean?",
                "the masked sum adds the real steps' losses; a mean divides it by how many there "
                "are",
                "return (per_step * mask).sum() / mask.sum()",
            ),
            edit=("(per_step * mask).sum() / mask.sum()", "(per_step * mask).sum()"),
        ),
        Mistake(
            "divided by N",
            Hints(
                "what does your mean divide by?",
                "dividing by N (or by L) counts sequences (or steps of one sequence), not the "
                "real steps",
                "divide by mask.sum(), the number of real steps",
            ),
            edit=("/ mask.sum()", "/ per_step.shape[0]"),
        ),
    ),
)

last_both_directions = checker(LAST_BOTH_DIRECTIONS)
packed_batch_sizes = checker(PACKED_BATCH_SIZES)
masked_mean_divisors = checker(MASKED_MEAN_DIVISORS)
masked_mean = checker(MASKED_MEAN)

EXERCISES = (LAST_BOTH_DIRECTIONS, PACKED_BATCH_SIZES, MASKED_MEAN_DIVISORS, MASKED_MEAN)


# -- kept for copies made before last_both_directions replaced it ------------------------------


def last_valid_outputs(pick: Callable) -> Result:
    """Exercise of copies made before December 2026: ``pick(output, lengths)`` returning each
    sequence's output at its last real step, from a padded batch-first output.

    Shapes: output (N, L, H), lengths (N,) -> (N, H).

    Used in: 09_variable_length (older copies).
    """
    pending = _not_attempted(pick)
    if pending is not None:
        return pending
    if not callable(pick):
        return Result(INCORRECT, "give a function, def pick(output, lengths): ...")
    output = torch.arange(4 * 5 * 3, dtype=torch.float32).reshape(4, 5, 3)  # (N, L, H)
    lengths = torch.tensor([5, 2, 4, 1])
    got, failed = _run_student(pick, output, lengths)
    if failed is not None:
        return failed
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != (4, 3):
        return Result(INCORRECT, "the result has one row per sequence: (N, H)")
    want = output[torch.arange(4), lengths - 1]
    if torch.equal(got, want):
        return Result(CORRECT, "each sequence's own last step")
    if torch.equal(got, output[:, -1]):
        return Result(INCORRECT, "that is the last padded step; short sequences end earlier")
    if torch.equal(got, output[torch.arange(4), lengths.clamp(max=4)]):
        return Result(INCORRECT, "off by one: a sequence of length l ends at index l - 1")
    return Result(INCORRECT, "for sequence n, take time step lengths[n] - 1")
