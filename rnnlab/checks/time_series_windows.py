"""Exercises of the chapter on time-series windows (08), defined once.

Each exercise is an ``Exercise`` record (``rnnlab.checks._exercise``): the cells the student gets,
the worked solution, the probes, the known mistakes as runnable wrong answers with hints that climb
from a nudge to the fix. Probes use series, window lengths and steps of several sizes (some where
the last window ends one step before the series does), batches of several sizes and dtypes, and
outputs whose L, N and H all differ, so a transposed, off-by-one or hard-coded answer cannot pass.
``window_count`` is kept for copies made before its exercise was replaced.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import functools
from numbers import Integral

import numpy as np
import torch

from rnnlab.checks._exercise import (
    Exercise,
    FormError,
    Hints,
    Mistake,
    Part,
    Probe,
    _refused,
    checker,
    read,
)
from rnnlab.checks._verdict import CORRECT, INCORRECT, Result, _not_attempted

__all__ = [
    "EXERCISES",
    "flatten_outputs",
    "flatten_row_zero",
    "initial_state",
    "next_step_windows",
    "window_count",
]

CHAPTER = "08_time_series_windows"


# -- 1. next_step_windows: inputs and next-step targets from one series ------------------------


def _next_step_probes(generator):
    probes = []
    for T, H_in, L, step, dtype in (
        (30, 2, 5, 3, torch.float32),
        (17, 2, 6, 1, torch.float32),
        (23, 3, 4, 2, torch.float64),
        (33, 2, 8, 5, torch.float32),
    ):
        series = torch.randn(T, H_in, generator=generator, dtype=dtype)  # (T, H_in)
        label = f"T={T}, H_in={H_in}, L={L}, step={step}, {dtype}"
        probes.append(Probe(label, (series, L, step)))
    return probes


def _dtype_of(value):  # a tensor's or an array's dtype as torch names it; None for a list
    if isinstance(value, torch.Tensor):
        return value.dtype
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.empty(0, dtype=value.dtype)).dtype
    return None


def _next_step_call(next_step_windows, series, L, step):
    value = next_step_windows(series, L, step)
    if value is None:
        return None  # not attempted yet
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise FormError("return 2 values, inputs and targets")
    # a float32 RNN refuses windows of another dtype: both must keep the series' dtype (a list
    # has none; the tensor parts judge its form)
    kept = all(_dtype_of(v) in (None, series.dtype) for v in value)
    return (*value, int(kept))


NEXT_STEP_WINDOWS = Exercise(
    id=f"{CHAPTER}.next_step_windows",
    version=2,  # 2: the series' dtype kept is a part of its own
    title="Cut a series into windows, each with the next step as its target",
    points=3,
    kind="implement",
    starter="""\
def next_step_windows(series, L, step): ...


checks.next_step_windows(next_step_windows)""",
    solution="""\
def next_step_windows(series, L, step):  # series: (T, H_in)
    inputs = series[:-1].unfold(0, L, step).transpose(1, 2)  # (N, H_in, L) -> (N, L, H_in)
    N = inputs.shape[0]  # every window leaves room for the step after it
    targets = series[L : L + step * N : step]  # (N, H_in): the step right after each window
    return inputs, targets


checks.next_step_windows(next_step_windows)""",
    parts=(
        Part("inputs", "tensor"),
        Part("targets", "tensor"),
        Part("series' dtype kept (1 if so)", "int"),
    ),
    asked=("next_step_windows",),
    probes=_next_step_probes,
    call=_next_step_call,
    equivalent={"line 2: .transpose -> .swapaxes": "swapaxes is transpose under NumPy's name"},
    right="every window that has a next step, batch-first, each paired with that next step",
    hints=Hints(
        "take one window and its target by hand: which indices of the series does each hold?",
        "the window at index i holds indices i*step .. i*step + L - 1 and its target is index "
        "i*step + L, which must exist",
        "inputs = series[:-1].unfold(0, L, step).transpose(1, 2); targets = "
        "series[L : L + step * N : step]",
    ),
    mistakes=(
        Mistake(
            "a last window without a target",
            Hints(
                "inputs: does your last window have a next step to predict?",
                "inputs: a window that ends at the series' last step has no target; only windows "
                "that end by index T - 2 count",
                "cut the windows from series[:-1], then N targets",
            ),
            edit=("series[:-1].unfold", "series.unfold"),
        ),
        Mistake(
            "the window's last step as target",
            Hints(
                "inputs are right. targets: which step does each target hold?",
                "inputs are right. The target of a window is the step after it, not its own last "
                "step (that would be known already)",
                "inputs are right. targets start at index L, not L - 1",
            ),
            edit=("series[L : L + step * N : step]", "series[L - 1 : L - 1 + step * N : step]"),
        ),
        Mistake(
            "reshape instead of transpose",
            Hints(
                "inputs: right shape; how did you move the features last?",
                "inputs: unfold gives (N, H_in, L); reshape pours those numbers into (N, L, H_in) "
                "in row-major (logical) order, mixing features and steps",
                "inputs: unfold(...).transpose(1, 2), never reshape",
            ),
            edit=(".transpose(1, 2)", ".reshape(-1, L, series.shape[1])"),
        ),
        Mistake(
            "features in the middle",
            Hints(
                "inputs: check its layout",
                "inputs: unfold puts the window's steps last, (N, H_in, L); an RNN reads "
                "(N, L, H_in) when batch_first",
                "inputs: add .transpose(1, 2) after unfold",
            ),
            edit=(".transpose(1, 2)", ""),
        ),
        Mistake(
            "sequence-first inputs",
            Hints(
                "inputs: which dimension holds the batch?",
                "inputs: yours are sequence-first, (L, N, H_in); the exercise asks for "
                "batch-first inputs, (N, L, H_in), the layout an RNN with batch_first=True reads",
                "inputs: series[:-1].unfold(0, L, step).transpose(1, 2), with no further "
                "transpose or permute",
            ),
            edit=(".transpose(1, 2)", ".permute(2, 0, 1)"),
        ),
        Mistake(
            "a window at every step",
            Hints(
                "inputs: count your windows",
                "inputs: a new window starts every `step` steps: that is unfold's third argument",
                "inputs: unfold(0, L, step)",
            ),
            edit=("unfold(0, L, step)", "unfold(0, L, 1)"),
        ),
        Mistake(
            "another dtype",
            Hints(
                "inputs and targets are right. Their dtype: which dtype does the RNN expect?",
                "inputs and targets are right. A float32 RNN refuses float64 windows (the error "
                "reads 'RNN input dtype (torch.float64) does not match weight dtype'); windows "
                "should cut the series, not change its dtype",
                "inputs and targets are right. Drop the .double(): return inputs, targets",
            ),
            edit=("return inputs, targets", "return inputs.double(), targets.double()"),
        ),
        Mistake(
            "a dtype written in",
            Hints(
                "inputs and targets are right. Their dtype: does it follow the series' dtype "
                "for every series?",
                "inputs and targets are right. A dtype written into the code matches one dtype "
                "of series only; an RNN refuses windows whose dtype differs from its weights'",
                "inputs and targets are right. Drop the .float(): return inputs, targets",
            ),
            edit=("return inputs, targets", "return inputs.float(), targets.float()"),
        ),
    ),
)


# -- 2. initial_state: a zero h0 for any batch -------------------------------------------------


def _h0_probes(generator):
    probes = []
    for N, L, H_in, layers, H, dtype in (
        (4, 7, 2, 2, 5, torch.float32),
        (1, 3, 3, 1, 4, torch.float32),
        (9, 5, 2, 3, 2, torch.float64),
        (6, 2, 4, 2, 3, torch.float32),
    ):
        x = torch.randn(N, L, H_in, generator=generator, dtype=dtype)  # (N, L, H_in)
        label = f"N={N}, L={L}, H_in={H_in}, num_layers={layers}, H={H}, {dtype}"
        probes.append(Probe(label, (x, layers, H)))
    return probes


def _h0_call(make_h0, x, num_layers, H):
    h0 = make_h0(x, num_layers, H)
    if h0 is None:
        return None
    if not isinstance(h0, torch.Tensor):  # e.g. a NumPy array: nn.RNN takes tensors only
        what = "a NumPy array" if isinstance(h0, np.ndarray) else type(h0).__name__
        raise FormError(f"h0 is {what}, not a tensor: return a torch tensor, as nn.RNN expects")
    # The same batch on the "meta" device (shapes and dtypes, no values) tells whether the state
    # follows x's device, on a machine without a GPU too.
    on_meta = make_h0(x.to("meta"), num_layers, H)
    dtype_kept = isinstance(h0, torch.Tensor) and h0.dtype == x.dtype
    device_kept = isinstance(on_meta, torch.Tensor) and on_meta.device.type == "meta"
    return h0, int(dtype_kept), int(device_kept)


INITIAL_STATE = Exercise(
    id=f"{CHAPTER}.initial_state",
    version=3,  # 2: the second part checks x's device too; 3: dtype and device graded apart
    title="A zero initial state for any batch",
    points=2,
    kind="implement",
    starter="""\
def make_h0(x, num_layers, H): ...


checks.initial_state(make_h0)""",
    solution="""\
def make_h0(x, num_layers, H):
    return torch.zeros(num_layers, x.shape[0], H, dtype=x.dtype, device=x.device)  # (layers, N, H)


checks.initial_state(make_h0)""",
    parts=(
        Part("h0", "tensor"),
        Part("x's dtype kept (1 if so)", "int"),
        Part("x's device kept (1 if so)", "int"),
    ),
    asked=("make_h0",),
    probes=_h0_probes,
    call=_h0_call,
    right="zeros of shape (num_layers, N, H) for any N, in x's dtype, on x's device, as nn.RNN's "
    "default",
    hints=Hints(
        "compare your h0 with what nn.RNN uses when h0 is left out",
        "nn.RNN's default h0 is zeros, one (N, H) state per layer, in x's dtype",
        "torch.zeros(num_layers, x.shape[0], H, dtype=x.dtype, device=x.device)",
    ),
    mistakes=(
        Mistake(
            "N read from the time dimension",
            Hints(
                "h0: where does x keep its batch size?",
                "h0: x is batch-first (N, L, H_in): dimension 1 is time",
                "h0: N is x.shape[0]",
            ),
            edit=("x.shape[0]", "x.shape[1]"),
        ),
        Mistake(
            "a batch size written in",
            Hints(
                "h0: try your function on a batch of another size",
                "h0: a number written into the code is right for one batch size only; the last "
                "batch of an epoch is often smaller",
                "h0: read N from x, x.shape[0]",
            ),
            edit=("x.shape[0]", "4"),
        ),
        Mistake(
            "ones",
            Hints(
                "h0: which values does the default initial state hold?",
                "h0: a constant start such as ones is not learned and shifts the first steps "
                "of every sequence; nn.RNN starts from zeros",
                "h0: torch.zeros(...)",
            ),
            edit=("torch.zeros(", "torch.ones("),
        ),
        Mistake(
            "batch-first h0",
            Hints(
                "h0: does h0 follow batch_first?",
                "h0: h0 and h_n are (num_layers, N, H) whatever batch_first says",
                "h0: torch.zeros(num_layers, x.shape[0], H, ...)",
            ),
            edit=("num_layers, x.shape[0], H,", "x.shape[0], num_layers, H,"),
        ),
        Mistake(
            "one layer only",
            Hints(
                "h0: how many initial states does a stack of layers need?",
                "h0: each layer starts from its own state: the first dimension counts layers",
                "h0: torch.zeros(num_layers, ...)",
            ),
            edit=("torch.zeros(num_layers,", "torch.zeros(1,"),
        ),
        Mistake(
            "float32 always",
            Hints(
                "h0 is right. Its dtype: what happens with a float64 x?",
                "h0 is right. nn.RNN refuses an h0 whose dtype differs from x's (the error reads "
                "'mat1 and mat2 must have the same dtype'); torch.zeros makes float32 unless "
                "told otherwise",
                "h0 is right. Pass dtype=x.dtype to torch.zeros",
            ),
            edit=(", dtype=x.dtype", ""),
        ),
        Mistake(
            "a dtype written in",
            Hints(
                "h0 is right. Its dtype: does it follow x's dtype for every x?",
                "h0 is right. nn.RNN refuses an h0 whose dtype differs from x's (the error reads "
                "'mat1 and mat2 must have the same dtype'); a dtype written into the code "
                "matches one dtype of x only",
                "h0 is right. Pass dtype=x.dtype to torch.zeros",
            ),
            edit=(", dtype=x.dtype", ", dtype=torch.float64"),
        ),
        Mistake(
            "made on the CPU always",
            Hints(
                "h0 is right. Its device: what happens when x lives on a GPU?",
                "h0 is right. nn.RNN refuses an h0 on another device than x; torch.zeros makes "
                "its tensor on the CPU unless told otherwise",
                "h0 is right. Pass device=x.device to torch.zeros",
            ),
            edit=(", device=x.device", ""),
        ),
    ),
)


# -- 3. flatten_row_zero and flatten_outputs: predict, then fix a flattened output -------------


def _row_zero_reference(output):
    L, N, H = output.shape
    # block j of row 0 starts at flat position j*H: index j // N along L, sequence j % N
    return tuple(j // N for j in range(L)), tuple(j % N for j in range(L))


def _row_zero_handed(output) -> str:
    if not isinstance(output, torch.Tensor) or output.dim() != 3:
        return "pass the cell's example (L, N, H) first, then your answer"
    return ""


def _blocks(rule):
    def answer(output):
        L, N, H = output.shape
        pairs = [rule(j, L, N) for j in range(L)]
        return tuple(t for t, _ in pairs), tuple(n for _, n in pairs)

    return answer


_ROW_ZERO = Hints(
    "in which order does reshape read output's numbers?",
    "reshape reads output in row-major (logical) order, step by step, and within a step "
    "sequence by sequence; row 0 takes the first L*H numbers",
    "block j comes from index j // N along L (output[j // N]) and sequence j % N",
)

_INDICES_FROM_1 = Hints(
    "row_0_sequences is right; row_0_indices is off by one: how are the blocks numbered?",
    "row_0_indices: steps are numbered 1 to L, but the question asks the index along L, counted "
    "from 0 as in code: step t is output[t - 1]",
    "row_0_indices: subtract 1 from each number; block j comes from output[j // N]",
)

_SEQUENCES_FROM_1 = Hints(
    "row_0_indices is right; row_0_sequences is off by one: how are the sequences numbered?",
    "row_0_sequences: the question asks each sequence's index along N, counted from 0 as in code",
    "row_0_sequences: subtract 1 from each number; block j comes from sequence j % N",
)

_BOTH_FROM_1 = Hints(
    "the order is right, but both lists are off by one: how are the blocks numbered?",
    "row_0_indices and row_0_sequences: the question asks indices, counted from 0 as in code: "
    "step t is output[t - 1]",
    "row_0_indices and row_0_sequences: subtract 1 from each number in both lists",
)

FLATTEN_ROW_ZERO = Exercise(
    id=f"{CHAPTER}.flatten_row_zero",
    version=2,  # 2: row_0_steps became row_0_indices (0-based, as in code)
    title="Predict what row 0 of a reshaped sequence-first output holds",
    points=2,
    kind="predict",
    starter="""\
example = torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0))  # (L, N, H)
# output.reshape(N, L * H): row 0 holds L blocks of H numbers; from which index along L
# (dimension 0, counted from 0) and which sequence does each come?
row_0_indices = ...  # L numbers: the index along L (output[i]) each block comes from
row_0_sequences = ...  # L numbers: the sequence of output each block comes from
checks.flatten_row_zero(example, row_0_indices, row_0_sequences)""",
    solution="""\
example = torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0))  # (L, N, H)
# output.reshape(N, L * H): row 0 holds L blocks of H numbers; from which index along L
# (dimension 0, counted from 0) and which sequence does each come?
row_0_indices = (0, 0, 0, 1, 1)  # row-major order: all N = 3 sequences of output[0] first,
row_0_sequences = (0, 1, 2, 0, 1)  # then output[1]'s: row 0 mixes three sequences
checks.flatten_row_zero(example, row_0_indices, row_0_sequences)""",
    parts=(Part("row_0_indices", "shape"), Part("row_0_sequences", "shape")),
    handed=("output",),
    asked=("row_0_indices", "row_0_sequences"),
    reference=_row_zero_reference,
    defaults=lambda: (torch.randn(5, 3, 4, generator=torch.Generator().manual_seed(0)),),
    check_handed=_row_zero_handed,
    variants=lambda generator: [
        (torch.randn(L, N, H, generator=generator),)
        for L, N, H in ((4, 2, 3), (6, 5, 2), (3, 4, 5))
    ],
    right="row 0 mixes the sequences: it is output's first L*H numbers in row-major (logical) "
    "order, also its memory order for nn.RNN's sequence-first output, which is contiguous",
    hints=_ROW_ZERO,
    mistakes=(
        Mistake(
            "sequence 0's steps",
            Hints(
                "row 0 as sequence 0's steps in order is what flatten should give; what does "
                "reshape give?",
                "reshape never moves numbers; in a sequence-first output, sequence "
                "0's steps are N*H numbers apart",
                "block j comes from index j // N along L (output[j // N]) and sequence j % N",
            ),
            _blocks(lambda j, L, N: (j, 0)),
        ),
        Mistake(
            "indices in order, sequences right",
            Hints(
                "row_0_sequences is right; row_0_indices: does row 0 take one block per index "
                "along L?",
                "row_0_sequences is right; row_0_indices: reshape reads step by step, and "
                "within a step sequence by sequence, so each index along L gives N blocks, one "
                "per sequence, before the next index starts",
                "row_0_indices: block j comes from index j // N along L (output[j // N])",
            ),
            _blocks(lambda j, L, N: (j, j % N)),
        ),
        Mistake("step and sequence swapped", _ROW_ZERO, _blocks(lambda j, L, N: (j % N, j // N))),
        Mistake(
            "steps counted from 1",
            _INDICES_FROM_1,
            _blocks(lambda j, L, N: (j // N + 1, j % N)),
        ),
        Mistake(
            "sequences counted from 1",
            _SEQUENCES_FROM_1,
            _blocks(lambda j, L, N: (j // N, j % N + 1)),
        ),
        Mistake(
            "steps and sequences counted from 1",
            _BOTH_FROM_1,
            _blocks(lambda j, L, N: (j // N + 1, j % N + 1)),
        ),
    ),
)


def _row_zero_lengths(check):
    """flatten_row_zero, saying "give L = 5 numbers" to a list of whole numbers of another length
    than the handed output's L (the generic message would only call it "not right")."""

    @functools.wraps(check)
    def checked(*args, **kwargs):
        result = check(*args, **kwargs)
        if result.status != INCORRECT:
            return result
        names = (*FLATTEN_ROW_ZERO.handed, *FLATTEN_ROW_ZERO.asked)
        values = dict(zip(names, args, strict=False)) | kwargs
        output = values.get("output")
        if len(args) + len(kwargs) < len(names) and "output" not in kwargs:  # an older call
            output, values = FLATTEN_ROW_ZERO.defaults()[0], dict(zip(names[1:], args)) | kwargs
        if not isinstance(output, torch.Tensor) or output.dim() != 3:
            return result
        L = output.shape[0]
        for part in FLATTEN_ROW_ZERO.parts:
            value = read(part, values.get(part.name))
            if value is not None and len(value) != L:
                return _refused(
                    FLATTEN_ROW_ZERO,
                    f"give {part.name} as L = {L} numbers, one per block of row 0 "
                    f"(it has {len(value)})",
                )
        return result

    return checked


def _flatten_probes(generator):
    probes = []
    for L, N, H in ((5, 3, 4), (4, 6, 2), (7, 2, 3), (3, 5, 6)):
        output = torch.randn(L, N, H, generator=generator)  # (L, N, H)
        probes.append(Probe(f"L={L}, N={N}, H={H}", (output,)))
    return probes


def _flatten_call(flatten, output):
    flat = flatten(output)
    if flat is None:
        return None
    if not isinstance(flat, torch.Tensor):  # e.g. a NumPy array: its dtype is not the question
        what = "a NumPy array" if isinstance(flat, np.ndarray) else type(flat).__name__
        raise FormError(
            f"flat is {what}, not a tensor: return a torch tensor, the Linear(L*H, 1) head is a "
            "torch module"
        )
    # the head is a float32 Linear: a row of another dtype (a .double() say) would break it
    return flat, int(isinstance(flat, torch.Tensor) and flat.dtype == output.dtype)


FLATTEN_OUTPUTS = Exercise(
    id=f"{CHAPTER}.flatten_outputs",
    version=2,  # 2: output's dtype kept is a part of its own
    title="Find the bug in a flattened sequence-first output",
    points=2,
    kind="find-the-bug",
    starter="""\
def flatten(output):  # output: (L, N, H), sequence-first
    L, N, H = output.shape
    return output.reshape(N, L * H)  # (L, N, H) -> (N, L*H)


checks.flatten_outputs(flatten)""",
    solution="""\
def flatten(output):  # output: (L, N, H), sequence-first
    L, N, H = output.shape
    return output.transpose(0, 1).reshape(N, L * H)  # (L, N, H) -> (N, L, H) -> (N, L*H)


checks.flatten_outputs(flatten)""",
    parts=(Part("flat", "tensor"), Part("output's dtype kept (1 if so)", "int")),
    asked=("flatten",),
    probes=_flatten_probes,
    call=_flatten_call,
    equivalent={"line 3: .transpose -> .swapaxes": "swapaxes is transpose under NumPy's name"},
    right="each row is one sequence, its steps in time order",
    hints=Hints(
        "which numbers does row 0 of flat hold, and is flat (N, L*H)?",
        "reshape reads the numbers in row-major order, and a sequence-first output holds step 1 "
        "of every sequence first: each row mixes sequences",
        "move N first with output.transpose(0, 1), then reshape(N, L * H)",
    ),
    mistakes=(
        Mistake(
            "one row per step",
            Hints(
                "count the rows: how many sequences are there?",
                "the head reads one row per sequence, (N, L*H); reshape(L, N * H) gives one row "
                "per step, each holding every sequence's output at that step",
                "move N first with output.transpose(0, 1), then reshape(N, L * H)",
            ),
            edit=("output.transpose(0, 1).reshape(N, L * H)", "output.reshape(L, N * H)"),
        ),
        Mistake(
            "grouped by feature",
            Hints(
                "one row per sequence: in which order are its numbers?",
                "the Linear(L*H, 1) head expects step 1's H features, then step 2's, ...; "
                "your row lists feature 0 at every step first",
                "transpose(0, 1) (or permute(1, 0, 2)) keeps each step's H features together",
            ),
            edit=("output.transpose(0, 1).reshape", "output.permute(1, 2, 0).reshape"),
        ),
        Mistake(
            "one step only",
            Hints(
                "count the numbers in each row",
                "the head reads every step's output: L*H numbers per sequence",
                "flatten all L steps: output.transpose(0, 1).reshape(N, L * H)",
            ),
            code="def flatten(output):\n    return output[-1]\n",
        ),
        Mistake(
            "view after transpose",
            Hints(
                "which call raised, and why?",
                "view needs the numbers to lie in memory in the new order; after transpose "
                "they do not",
                "use reshape (it copies when it must), or .contiguous().view(...)",
            ),
            edit=("transpose(0, 1).reshape", "transpose(0, 1).view"),
        ),
        Mistake(
            "another dtype",
            Hints(
                "flat is right. Its dtype: which dtype does the Linear(L*H, 1) head expect?",
                "flat is right. A float32 Linear refuses a float64 input; flatten should move "
                "numbers, not change their dtype",
                "flat is right. Drop the .double(): output.transpose(0, 1).reshape(N, L * H)",
            ),
            edit=(".reshape(N, L * H)  #", ".reshape(N, L * H).double()  #"),
        ),
        Mistake(
            "steps reversed",
            Hints(
                "each row is one sequence: in which order are its steps?",
                "row n holds sequence n's outputs, but its last step comes first; the head "
                "expects step 1's H features first, then step 2's, ...",
                "drop the flip: output.transpose(0, 1).reshape(N, L * H)",
            ),
            edit=("output.transpose(0, 1).reshape", "output.flip(0).transpose(0, 1).reshape"),
        ),
    ),
)

next_step_windows = checker(NEXT_STEP_WINDOWS)
initial_state = checker(INITIAL_STATE)
flatten_row_zero = _row_zero_lengths(checker(FLATTEN_ROW_ZERO))
flatten_outputs = checker(FLATTEN_OUTPUTS)

EXERCISES = (NEXT_STEP_WINDOWS, INITIAL_STATE, FLATTEN_ROW_ZERO, FLATTEN_OUTPUTS)


# -- kept for copies made before next_step_windows replaced it ---------------------------------


def window_count(count) -> Result:
    """Exercise of copies made before December 2026: how many overlapping windows of 20 steps,
    one starting every 5 steps, fit in a series of T = 600 steps?

    Used in: 08_time_series_windows (older copies).
    """
    pending = _not_attempted(count)
    if pending is not None:
        return pending
    if isinstance(count, bool) or not isinstance(count, Integral):
        return Result(INCORRECT, "give a whole number")
    T, size, step = 600, 20, 5
    if int(count) == (T - size) // step + 1:
        return Result(CORRECT, "the number of starts that leave room for a whole window")
    return Result(INCORRECT, "a window can start at 0, 5, 10, ... as long as it ends by T")
