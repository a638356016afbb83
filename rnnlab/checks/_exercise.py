"""Exercises defined once: the ``Exercise`` record and the checker made from it.

One ``Exercise`` per "Your turn" exercise, written as data next to its chapter's checker module
(``rnnlab/checks/batch_first.py`` holds chapter 03's). A definition holds the stable id and its
version, the chapter, title, points and kind (predict, implement, find-the-bug), the cell sources
the student gets (``starter``) and the worked one (``solution``), how an answer is probed, what it
is compared against, and the known mistakes as *runnable wrong answers*, each with hints that
climb from a nudge (the term at fault) to a pointer to the fix. The checker the notebook calls,
the tests (``tests/test_exercises.py``), ``HINTS.md``, the student copies and the nbgrader
course are all made from these records.

Two kinds of answer:

- a *value* (predict exercises, a tensor built in the cell): the checker receives the objects the
  exercise hands the student (``handed``) and the answer's parts, and compares the parts with
  ``reference(*handed)``, so an instructor who changes the sizes in the cell changes nothing else;
- a *function* or *class* (implement, find-the-bug): the checker runs it on every probe (several
  sizes and parameter values drawn from a local ``torch.Generator``), each time on fresh objects,
  and compares with the solution's result on the same probe; an answer that changes the objects it
  was handed is wrong whatever it returns.

A wrong answer is compared with every known mistake on the same probe: the first that gives the
same result (the same value on a part where the mistake is wrong, the same error, the same change
to a handed object) lends its hints. Hint level rises with the wrong tries in a row that get the
same hints, in this kernel: nudge, pointer, then the fix after ``FIX_AFTER`` such tries or on
``checks.hint(name)``. A different mistake starts again from its own nudge, so a student is never
handed the fix of a mistake they did not make.

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

import ast
import copy
import inspect
import linecache
import re
import textwrap
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from rnnlab.checks._verdict import (
    CORRECT,
    HINT,
    INCORRECT,
    NOT_ATTEMPTED,
    OUTDATED,
    Result,
    _as_shape,
    _OutOfTime,
    paused,
)

__all__ = [
    "FIX_AFTER",
    "KINDS",
    "REGISTRY",
    "Exercise",
    "FormError",
    "Hints",
    "Mistake",
    "Outcome",
    "Part",
    "Probe",
    "checker",
    "copy_versions",
    "drawn",
    "hint",
    "matrix_products",
    "outcome",
]

KINDS = ("predict", "implement", "find-the-bug")

#: Wrong tries in a row with the same hints after which the hint is the fix (sooner with
#: ``checks.hint``).
FIX_AFTER = 3

#: Every exercise defined so far, by id, in the order the chapter modules define them.
REGISTRY: dict[str, Exercise] = {}

_TRIES: dict[str, int] = {}  # wrong tries in a row with the same hints, per exercise id
_LAST: dict[str, Hints | None] = {}  # hints of the last wrong answer per id; None: it was right
_COPY_VERSIONS: dict[str, int] = {}  # exercise versions stamped in the student's copy


class FormError(Exception):
    """Raised by an exercise's ``call`` when the answer has the wrong form; the message is the
    hint (e.g. "keep the sizes: ...")."""


@dataclass(frozen=True)
class Hints:
    """Hints that climb: ``nudge`` names the term at fault, ``pointer`` says where to look,
    ``fix`` says what to write. Only ``fix`` may state the answer."""

    nudge: str
    pointer: str
    fix: str

    def level(self, k: int) -> str:
        return (self.nudge, self.pointer, self.fix)[min(k, 2)]


@dataclass(frozen=True)
class Mistake:
    """A known wrong answer, runnable, with its hints.

    For a value exercise ``answer(*handed)`` returns the wrong parts; for a function exercise the
    wrong code is ``code`` (a whole cell, defining the same name as the solution) or ``edit``, an
    ``(old, new)`` replacement applied to the solution's source (``on="starter"``: to the
    starter's).
    """

    name: str
    hints: Hints
    answer: Callable | None = None
    code: str | None = None
    edit: tuple[str, str] | None = None
    on: str = "solution"


@dataclass(frozen=True)
class Part:
    """One part of an answer: ``kind`` is ``shape``, ``tensor``, ``int``, ``number`` or
    ``value`` (anything compared with ==, e.g. the products ``matrix_products`` lists)."""

    name: str
    kind: str
    rtol: float = 1e-5
    unit: str = ""  # a tensor of indices: a wrong one is told "k of n <unit> differ"


@dataclass(frozen=True)
class Probe:
    """One configuration an answer is run on: ``args`` for the student's function (copied
    afresh for every run) and ``label``, the sizes named in the course notation."""

    label: str
    args: tuple


@dataclass
class Outcome:
    """What an answer gave on one probe: its parts, or the error it raised, and any change it
    made to the objects it was handed."""

    parts: tuple | None = None
    error: BaseException | None = None
    where: str = ""
    changed: str = ""
    pending: str = ""  # set when the answer is not attempted (NotImplementedError, None)
    form: str = ""  # set when the answer has the wrong form (not a tuple of two tensors...)
    kinds: tuple = ()  # per tensor part: (type name, dtype) of the value as returned


@dataclass(frozen=True)
class Exercise:
    """One exercise, defined once. See the module docstring; CONTRIBUTING.md has the recipes."""

    id: str  # stable: "<chapter stem>.<checker name>", e.g. "03_batch_first.run_batch_first"
    version: int  # raise it when what is asked changes (old copies then get the update command)
    title: str
    points: int
    kind: str
    starter: str  # the exercise cell the student gets (for find-the-bug, the buggy code)
    solution: str  # the worked solution cell
    parts: tuple[Part, ...]  # the answer's parts (a function's return value, split)
    right: str  # the message of a correct answer (no value the student had to find)
    hints: Hints  # for a wrong answer that no known mistake explains
    mistakes: tuple[Mistake, ...] = ()
    handed: tuple[str, ...] = ()  # value exercises: the objects the cell hands the checker
    asked: tuple[str, ...] = ()  # the names the student fills in (or defines)
    reference: Callable | None = None  # value exercises: reference(*handed) -> parts
    defaults: Callable | None = None  # value exercises: the cell's handed objects (old calls)
    check_handed: Callable | None = None  # value exercises: handed objects -> "" or a message
    variants: Callable | None = None  # value exercises: variants(generator) -> [handed, ...],
    # other sizes an instructor could hand (the tests check the hints on each)
    probes: Callable | None = None  # function exercises: probes(generator) -> [Probe, ...]
    call: Callable | None = None  # function exercises: call(answer, *args) -> value
    buggy_is_pending: bool = True  # find-the-bug: the untouched starter counts as not attempted
    equivalent: dict = field(default_factory=dict)  # mutants accepted on purpose: label -> reason
    seed: int = 0

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def chapter(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def is_function(self) -> bool:
        return self.probes is not None

    def runnable(self, source: str) -> Callable:
        """The answer a cell's source defines (the first name of ``asked``); the cell's own
        checker call does nothing here."""
        import math

        from rnnlab import manual, shapes

        namespace = {"torch": torch, "nn": nn, "np": np, "F": nn.functional, "copy": copy}
        namespace |= {"math": math, "manual": manual, "shapes": shapes}
        namespace["checks"] = _Silent()
        filename = f"<{self.id} {abs(hash(source))}>"  # its lines show in error hints
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        with torch.random.fork_rng(devices=[]):
            exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - course code
        return namespace[self.asked[0]]

    def mistake_source(self, mistake: Mistake) -> str:
        """A function exercise's mistake as a cell's source."""
        if mistake.code is not None:
            return mistake.code
        base = self.starter if mistake.on == "starter" else self.solution
        old, new = mistake.edit
        if old not in base:
            raise ValueError(
                f"{self.id}, mistake {mistake.name}: {old!r} is not in the {mistake.on}"
            )
        return base.replace(old, new, 1)

    def answer_of(self, mistake: Mistake):
        """A mistake's runnable answer (a function of the handed objects, or the student's)."""
        if mistake.answer is not None:
            return mistake.answer
        return self.runnable(self.mistake_source(mistake))


def drawn(generator: torch.Generator, factory: Callable, scale: float = 1.0) -> nn.Module:
    """A module built by ``factory()`` whose parameters are drawn from ``generator``, uniform in
    [-scale/2, scale/2): probes never use (or change) the global random state."""
    with torch.random.fork_rng(devices=[]):
        module = factory()
    with torch.no_grad():
        for p in module.parameters():
            p.copy_((torch.rand(p.shape, generator=generator, dtype=p.dtype) - 0.5) * scale)
    return module


def drawn_rnn(generator: torch.Generator, *args, **kwargs) -> nn.RNN:
    """An nn.RNN whose weights are drawn from ``generator`` (the global state is not used)."""
    return drawn(generator, lambda: nn.RNN(*args, **kwargs))


def directions(rnn: nn.RNNBase) -> int:
    """D: 2 for a bidirectional RNN, 1 otherwise."""
    return 2 if rnn.bidirectional else 1


_PRODUCTS = {"matmul", "__matmul__", "__rmatmul__", "mm", "addmm", "bmm", "baddbmm", "mv"}
_PRODUCTS |= {"addmv", "dot", "inner", "linear", "bilinear", "einsum", "tensordot", "chain_matmul"}
_FUSED = {"rnn_tanh_cell", "rnn_relu_cell", "rnn_tanh", "rnn_relu", "gru_cell", "lstm_cell"}
_FUSED |= {"gru", "lstm"}


def _inner_size(name: str, args) -> int | str:
    tensors = [a for a in args if isinstance(a, torch.Tensor)]
    if name == "einsum" and args and isinstance(args[0], str):
        inputs, _, output = args[0].replace(" ", "").partition("->")
        operands = inputs.split(",")
        sizes = {}
        for letters, t in zip(operands, tensors, strict=False):
            sizes.update({c: t.shape[i] for i, c in enumerate(letters) if i < t.dim()})
        summed = [c for c in sizes if c not in output and all(c in o for o in operands)]
        return int(np.prod([sizes[c] for c in summed])) if summed else "einsum"
    first = tensors[1] if name in ("addmm", "baddbmm", "addmv") and len(tensors) > 1 else None
    first = first if first is not None else (tensors[0] if tensors else None)
    return int(first.shape[-1]) if first is not None and first.dim() else name


def matrix_products(function: Callable, *args):
    """Run ``function(*args)`` and return ``(value, products)``: for every matrix product the
    call made from Python (``@``, ``torch.matmul``, ``F.linear``, ``torch.einsum``, ``addmm``...)
    its inner size K ((., K) @ (K, .)), and the name of every fused recurrent kernel it called
    (``rnn_tanh_cell`` for ``nn.RNNCell``, ``rnn_tanh`` for ``nn.RNN``...), in call order.

    It uses a ``TorchFunctionMode``, which costs nothing to enter and prints nothing (a
    ``TorchDispatchMode`` would import torch._dynamo, seconds on a first call)."""
    from torch.overrides import TorchFunctionMode

    seen: list = []

    class _Products(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            name = getattr(func, "__name__", "")
            if name in _PRODUCTS:
                seen.append(_inner_size(name, args))
            elif name in _FUSED:
                seen.append(name)
            return func(*args, **(kwargs or {}))

    with _Products():
        value = function(*args)
    return value, tuple(seen)


class _Silent:
    """Stands for ``checks`` while a definition's cell runs: the checker call does nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


# -- reading and comparing the parts of an answer ----------------------------------------------


def _as_tensor(value) -> torch.Tensor | None:
    if isinstance(value, torch.Tensor):
        if value.is_complex() or value.device.type == "meta":
            return None
        return value.detach().to(torch.float64)
    if isinstance(value, (bool, str, bytes)) or value is None or value is Ellipsis:
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        return None
    if array.ndim == 0:
        return None
    return torch.from_numpy(array.copy())


def _as_int(value) -> int | None:
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        value = value.item()
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    return None


def _as_float(value) -> float | None:
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.device.type != "meta":
        value = value.item()
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    return None


def read(part: Part, value):
    """A part of a student's answer in a comparable form, or None if it has the wrong type."""
    if part.kind == "value":
        return value
    return {"shape": _as_shape, "tensor": _as_tensor, "int": _as_int, "number": _as_float}[
        part.kind
    ](value)


def rel_error(got: torch.Tensor, want: torch.Tensor) -> float:
    """max |got - want| / max |want| in float64 (CS231n's rel_error)."""
    got, want = got.detach().to(torch.float64), want.detach().to(torch.float64)
    if got.numel() == 0:
        return 0.0
    return float((got - want).abs().max() / want.abs().max().clamp_min(1e-12))


def same(part: Part, got, want) -> bool:
    """Whether two read values of ``part`` agree (shapes and integers exactly, tensors and
    numbers to the part's relative tolerance)."""
    if got is None or want is None:
        return got is None and want is None
    if part.kind == "tensor":
        return tuple(got.shape) == tuple(want.shape) and rel_error(got, want) < part.rtol
    if part.kind == "number":
        return abs(got - want) <= part.rtol * max(abs(want), 1e-12)
    return got == want


def _split(ex: Exercise, value) -> tuple[tuple | None, str]:
    """A function's return value split into the exercise's parts, read; or a form message."""
    names = " and ".join(p.name for p in ex.parts)
    if len(ex.parts) > 1:
        if not isinstance(value, (tuple, list)) or len(value) != len(ex.parts):
            return None, f"return {len(ex.parts)} values, {names}"
        values = tuple(value)
    else:
        values = (value,)
    parts = tuple(read(p, v) for p, v in zip(ex.parts, values, strict=True))
    for p, v in zip(ex.parts, parts, strict=True):
        if v is None:
            what = {"shape": "a shape", "tensor": "a tensor", "int": "an integer"}
            return None, f"{p.name} should be {what.get(p.kind, 'a number')}"
    return parts, ""


# -- the objects an answer is handed: snapshots that show a change ----------------------------

_SIMPLE = (bool, int, float, str, type(None), tuple)


def _snapshot(obj):
    if isinstance(obj, torch.Tensor):
        return ("tensor", obj.detach().clone(), obj.requires_grad)
    if isinstance(obj, nn.Module):
        modules = {}
        for name, module in obj.named_modules():
            attrs = {k: v for k, v in vars(module).items() if isinstance(v, _SIMPLE)}
            modules[name] = attrs
        state = {k: v.detach().clone() for k, v in obj.state_dict().items()}
        grads = {k: v.requires_grad for k, v in obj.named_parameters()}
        return ("module", modules, state, grads)
    return ("other", None)


def _changed(label: str, before, obj) -> str:
    """A sentence naming what changed in a handed object, or ''."""
    after = _snapshot(obj)
    if before[0] == "tensor":
        b, a = before[1], after[1]
        if b.dtype != a.dtype or b.shape != a.shape or not torch.equal(b, a):
            return f"{label} was changed in place"
        return ""
    if before[0] == "module":
        for name, attrs in before[1].items():
            now = after[1].get(name, {})
            for key, value in attrs.items():
                if now.get(key, value) != value and not key.startswith("_"):
                    where = f"{label}.{name}" if name else label
                    return f"{where}.{key} was changed from {value!r} to {now.get(key)!r}"
        for key, value in before[2].items():
            new = after[2].get(key)
            if new is None or new.dtype != value.dtype:
                return f"{label}.{key} was changed (its dtype or presence)"
            if new.shape != value.shape or not torch.equal(new, value):
                return f"{label}.{key} was changed"
        for key, flag in before[3].items():
            if after[3].get(key, flag) != flag:
                return f"{label}.{key}.requires_grad was changed from {flag} to {not flag}"
    return ""


def _where(err: BaseException) -> str:
    """The student's line where the error was raised (the last frame outside torch/rnnlab)."""
    frames = traceback.extract_tb(err.__traceback__)
    for frame in reversed(frames):
        name = frame.filename.replace("\\", "/")
        if "/torch/" in name or "/rnnlab/" in name or "/site-packages/" in name:
            continue
        line = frame.line or linecache.getline(frame.filename, frame.lineno).strip()
        if line:
            return line.strip()
    return ""


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return " ".join(text.splitlines()[0].split())[:200] if text else ""


# -- running an answer -------------------------------------------------------------------------


def outcome(ex: Exercise, answer, probe: Probe) -> Outcome:
    """Run a function exercise's answer on one probe, on fresh copies of the probe's objects."""
    args = copy.deepcopy(probe.args)
    names = _arg_names(ex, len(args))
    before = [_snapshot(a) for a in args]
    call = ex.call or (lambda f, *a: f(*a))
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(ex.seed)
            value = call(answer, *args)
    except _OutOfTime:
        raise
    except NotImplementedError:
        return Outcome(pending="your code still raises NotImplementedError")
    except FormError as err:
        return Outcome(form=str(err))
    except Exception as err:  # noqa: BLE001 - an error in the student's code is an answer
        return Outcome(error=err, where=_where(err))
    if value is None:
        return Outcome(
            pending="your function returns None: replace the ... in its body with a return "
            "statement"
        )
    changed = next(
        (c for c in (_changed(n, b, a) for n, b, a in zip(names, before, args)) if c), ""
    )
    parts, form = _split(ex, value)
    return Outcome(parts=parts, changed=changed, form=form, kinds=_kinds(ex, value))


def _kinds(ex: Exercise, value) -> tuple:
    """What each tensor part of a function's return value is: its type and dtype. The numbers
    are compared in float64; these say whether it is the torch.Tensor, of the dtype, that the
    code it stands for would give."""
    values = tuple(value) if len(ex.parts) > 1 and isinstance(value, (tuple, list)) else (value,)
    return tuple(
        (
            isinstance(v, torch.Tensor),
            type(v).__name__,
            getattr(v, "dtype", None),
            bool(getattr(v, "requires_grad", False)),
        )
        for p, v in zip(ex.parts, values, strict=False)
        if p.kind == "tensor"
    )


def _kind_message(ex: Exercise, got: Outcome, want: Outcome, agree: str = "are right") -> str:
    """ "" when a right answer's tensors are torch.Tensors of the solution's dtype, in the autograd
    graph where the solution's are; otherwise the one line that says which part is not. ``agree``
    says how far the numbers agree ("are right", or "agree up to rounding")."""
    names = [p.name for p in ex.parts if p.kind == "tensor"]
    for name, (g_is, g_type, g_dtype, g_grad), (w_is, _, w_dtype, w_grad) in zip(
        names, got.kinds, want.kinds, strict=False
    ):
        if w_is and not g_is:
            return (
                f"{name}: the numbers {agree}, but its type is {g_type}, not torch.Tensor: "
                "return the tensor your PyTorch code computes, without converting it"
            )
        if w_is and g_dtype != w_dtype:
            return (
                f"{name}: the numbers {agree}, but its dtype is {g_dtype}, not {w_dtype}: "
                f"compute it in {w_dtype}, the dtype of the tensors you are handed"
            )
        if w_grad and not g_grad:
            return (
                f"{name}: the numbers {agree}, but it is cut from the autograd graph "
                "(requires_grad is False), so a loss computed from it could not train the "
                "weights: drop the .detach(), .data or torch.no_grad() that cut it"
            )
    return ""


def _near_miss(ex: Exercise, got: Outcome, want: Outcome) -> str:
    """The kind message for an answer whose tensors differ from the solution's only by rounding
    (float32 against float64, say): their dtype, not their numbers, is what to fix."""
    if got.parts is None or got.changed or not got.kinds or got.kinds == want.kinds:
        return ""
    for p, g, w in zip(ex.parts, got.parts, want.parts, strict=True):
        if p.kind == "tensor":
            if tuple(g.shape) != tuple(w.shape) or rel_error(g, w) > 1e-4:
                return ""
        elif not same(p, g, w):
            return ""
    return _kind_message(ex, got, want, agree="agree up to rounding")


def _arg_names(ex: Exercise, n: int) -> list[str]:
    try:
        params = list(inspect.signature(ex.runnable(ex.solution)).parameters)
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"argument {i + 1}" for i in range(n)]


def _code(line: str) -> str:
    return "".join(line.split("#", 1)[0].split())


def _same_error(a: BaseException | None, b: BaseException | None) -> bool:
    return a is not None and b is not None and type(a) is type(b) and str(a) == str(b)


def _mistake_matches(
    ex: Exercise, got: Outcome, want: Outcome, wrong: Outcome, exact: bool = True
) -> bool:
    """Whether the student's outcome is the mistake's: the same change to a handed object, the
    same error (``exact``: on the same line), or the same parts (``exact``: all of them;
    otherwise the first part the student has wrong is wrong the mistake's way)."""
    if wrong.changed:
        return got.changed == wrong.changed
    if wrong.error is not None or got.error is not None:  # exact: on the same line too
        same_line = _code(got.where) == _code(wrong.where)
        return _same_error(got.error, wrong.error) and (same_line or not exact)
    if got.parts is None or wrong.parts is None or want.parts is None:
        return False
    rows = list(zip(ex.parts, got.parts, wrong.parts, want.parts, strict=True))
    if exact:  # the student's answer is the mistake's, part for part
        return not all(same(p, w, r) for p, _, w, r in rows) and all(
            same(p, g, w) for p, g, w, _ in rows
        )
    # else: the first part the student has wrong is wrong the mistake's way
    first = next((row for row in rows if not same(row[0], row[1], row[3])), None)
    return first is not None and not same(first[0], first[2], first[3]) and same(*first[:3])


def _correct(ex: Exercise, got: Outcome, want: Outcome) -> bool:
    return (
        got.parts is not None
        and not got.changed
        and all(same(p, g, w) for p, g, w in zip(ex.parts, got.parts, want.parts, strict=True))
    )


def _value_outcome(ex: Exercise, function, handed) -> Outcome:
    """A value exercise's reference or mistake, computed from the handed objects."""
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(ex.seed)
        try:
            values = function(*copy.deepcopy(handed))
        except Exception as err:  # noqa: BLE001 - a mistake may raise, as the student's would
            return Outcome(error=err)
    return Outcome(parts=tuple(read(p, v) for p, v in zip(ex.parts, values, strict=True)))


# -- the verdict -------------------------------------------------------------------------------


def _wrong(ex: Exercise, hints: Hints, lead: str = "") -> Result:
    same = _LAST.get(ex.id) == hints  # the same mistake again: the next level
    tries = _TRIES[ex.id] = _TRIES.get(ex.id, 0) + 1 if same else 1
    _LAST[ex.id] = hints
    level = 2 if tries > FIX_AFTER else min(tries - 1, 1)
    text = hints.level(level)
    if lead.endswith(". "):  # a new sentence: capitalised, unless it starts with a name
        text = _sentence_start(ex, text)
    if level < 2:
        text += f' (checks.hint("{ex.name}") for more)'
    return Result(INCORRECT, f"{lead}{text}")


#: Tensors named in every chapter (docs/notation.md): a hint starting with one starts with a name.
_NOTATION_NAMES = frozenset({"output", "logits"})


def _code_names(ex: Exercise) -> frozenset[str]:
    """The variable names of an exercise's two cells, and its handed, asked and part names."""
    names = set(ex.handed) | set(ex.asked) | {p.name for p in ex.parts} | _NOTATION_NAMES
    for source in (ex.starter, ex.solution):
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    return frozenset(names)


def _sentence_start(ex: Exercise, text: str) -> str:
    """``text`` with its first letter capitalised, unless its first word is a name in code (a
    one-letter name such as h or x, a variable of the exercise's cells, output): ``h = ...`` must
    not become ``H = ...``, the hidden size."""
    word = re.match(r"([a-z]+) ", text)
    if word is None or word.group(1) in _code_names(ex):
        return text
    if len(word.group(1)) == 1 and word.group(1) != "a":  # h, x: a name, the article a is not
        return text
    return text[:1].upper() + text[1:]


def _refused(ex: Exercise, message: str) -> Result:
    """An answer of the wrong form: the message says what to give, and checks.hint repeats it."""
    _LAST[ex.id] = Hints(message, message, message)
    _TRIES.pop(ex.id, None)
    return Result(INCORRECT, message)


#: What an integer part asks for: 3.0 is a whole number, but a float, not an int.
_WHOLE = "a whole number written as an int (a float such as 3.0 is not one)"

#: Errors whose message speaks of sizes: a size written into the code is a likely cause.
_SIZE_WORDS = ("size", "shape", "dimension", "mat1", "mat2", "out of range", "out of bounds")


def _error_hints(out: Outcome) -> Hints:
    err = out.error
    where = f" in `{out.where}`" if out.where else ""
    said = f"{type(err).__name__}{where}: {_first_line(err)}"
    if not any(word in str(err).lower() for word in _SIZE_WORDS):  # a name, a type, a value...
        return Hints(
            f"your code raised {said}",
            f"your code raised {said}. Read the line it names: what does it use that is not "
            "there, or not of the kind it expects?",
            f"your code raised {said}. Run your function on the cell's example and print what "
            "that line uses, just before it",
        )
    return Hints(
        f"your code raised {said}",
        f"your code raised {said}. Print the .shape of each tensor that line combines and "
        "compare with the sizes the call expects, dimension by dimension",
        f"your code raised {said}. Each probe uses other sizes: a number written into the code "
        "instead of a size read from the objects (x.shape, rnn.hidden_size) fails on some of them",
    )


def _code_key(obj):
    """What a function or class says, as the syntax tree of its source (comments, blank lines,
    layout and the defined name left out); None when its source cannot be read."""
    if isinstance(obj, type):  # a class: its methods, whose sources can be read
        methods = sorted((k, v) for k, v in vars(obj).items() if inspect.isfunction(v))
        keys = tuple((name, _code_key(f)) for name, f in methods)
        return keys if keys and all(k is not None for _, k in keys) else None
    try:
        node = ast.parse(textwrap.dedent(inspect.getsource(obj))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return None
    if hasattr(node, "name"):
        node.name = "_"
    return ast.dump(node)


def _untouched(ex: Exercise, answer) -> bool:
    """Whether a find-the-bug answer is the starter's code as given (unknown counts as given)."""
    mine, given = _code_key(answer), _code_key(ex.runnable(ex.starter))
    return mine is None or given is None or mine == given


def _verdict_of(
    ex: Exercise, got: Outcome, want: Outcome, wrongs, label: str, untouched=lambda: True
) -> Result | None:
    """None when ``got`` is right; otherwise the verdict with the matching mistake's hints.
    ``untouched()`` says whether a find-the-bug answer is still the starter's code."""
    if got.pending:
        return Result(NOT_ATTEMPTED, got.pending)
    if _correct(ex, got, want):
        return None
    on = f"on {label}: " if label else ""
    known = list(wrongs())
    for exact in (True, False):  # a mistake that explains every wrong part first
        for mistake, wrong in known:
            if not _mistake_matches(ex, got, want, wrong, exact):
                continue
            if mistake.name == "starter" and ex.buggy_is_pending and exact:
                if untouched():
                    # a stuck student's checks.hint gets the pointer (not yet the fix)
                    _LAST[ex.id] = Hints(ex.hints.nudge, ex.hints.pointer, ex.hints.pointer)
                    _TRIES.pop(ex.id, None)
                    return Result(
                        NOT_ATTEMPTED,
                        "this still gives what the buggy code gives: find the bug, fix it, run "
                        "the cell again",
                    )
                on += "your change gives the same result as the buggy code. "
            return _wrong(ex, mistake.hints, on)
    if got.changed:
        return _wrong(
            ex,
            Hints(
                f"{got.changed} while your code ran: leave the objects you are handed as they are",
                f"{got.changed}: the caller still uses that object after your call. Work on "
                "a copy, or change the tensors you pass to it instead",
                f"{got.changed}: do not assign to the object's attributes or change its "
                "weights; change the input's layout with permute (a new view) instead",
            ),
            on,
        )
    if got.error is not None:
        return _wrong(ex, _error_hints(got), on)
    if got.form:
        return _wrong(ex, Hints(got.form, got.form, got.form), on)
    lead = on
    hints = ex.hints  # they speak of the first part: a later part at fault gets its own below
    for i, (p, g, w) in enumerate(zip(ex.parts, got.parts, want.parts, strict=True)):
        if same(p, g, w):
            lead += f"{p.name} is right. "
            continue
        if i > 0:
            hints = _later_part_hints(ex, p)
        if p.kind == "tensor" and tuple(g.shape) != tuple(w.shape):
            lead += f"{p.name} has shape {tuple(g.shape)}, not the one asked for. "
        elif p.kind == "tensor" and p.unit:
            differ = int((g != w).sum())
            lead += f"{p.name}: {differ} of {g.numel()} {p.unit} differ from the right ones. "
        elif p.kind == "tensor":
            lead += f"{p.name} has the right shape, wrong numbers (relative error "
            lead += f"{rel_error(g, w):.1e}). "
        else:
            lead += f"{p.name} is not right. "
        break
    return _wrong(ex, hints, lead)


def _later_part_hints(ex: Exercise, p: Part) -> Hints:
    """Hints for a part at fault after right ones: the exercise's own hints speak of the first
    part. A predicted value has no code to look at; a function's part comes from its lines."""
    piece = ", dimension by dimension," if p.kind == "shape" else ""
    piece = ", piece by piece," if p.kind == "tensor" else piece
    if ex.probes is None:  # a value exercise: the student predicted or computed the part
        return Hints(
            f"compare {p.name}{piece} with what the exercise asks for",
            f"the parts before {p.name} are right: work {p.name} out again from the sizes and "
            "settings of the objects the cell hands you, one piece at a time",
            f"write down the rule the chapter gives for {p.name}, put in this cell's sizes and "
            f"settings, and compare the result with your {p.name}, piece by piece",
        )
    first = " (its shape first, then its numbers)" if p.kind == "tensor" else ""
    return Hints(
        f"compare {p.name}{piece} with what the exercise asks for",
        f"print {p.name} next to the value you expect{first}: the parts before it are right, so "
        f"look at the code that gives {p.name}",
        f"the parts before {p.name} are right, so the fault is only in the lines that give "
        f"{p.name}: work {p.name} out by hand for the smallest case and check each of those "
        "lines against it",
    )


def check_function(ex: Exercise, answer) -> Result:
    """The verdict on a function exercise's answer: run on every probe."""
    if answer is Ellipsis or answer is None:
        return Result(NOT_ATTEMPTED, "replace each ... with your answer, then run the cell again")
    if not callable(answer):
        return _refused(ex, f"give the {ex.asked[0]} you defined, without calling it")
    solution = ex.runnable(ex.solution)
    generator = torch.Generator().manual_seed(ex.seed)
    with torch.random.fork_rng(devices=[]), paused():
        probes = ex.probes(generator)
    for probe in probes:
        got = outcome(ex, answer, probe)  # the student's code: on the clock
        with paused():  # the checker's own work is not
            want = outcome(ex, solution, probe)

        def wrongs(probe=probe):
            for mistake in _mistakes(ex):
                with paused():
                    wrong = outcome(ex, ex.answer_of(mistake), probe)
                yield mistake, wrong

        label = probe.label if len(probes) > 1 else ""
        near = _near_miss(ex, got, want) if not _correct(ex, got, want) else ""
        if near:
            return _refused(ex, near)
        verdict = _verdict_of(ex, got, want, wrongs, label, lambda: _untouched(ex, answer))
        if verdict is not None:
            return verdict
        kind = _kind_message(ex, got, want)
        if kind:
            return _refused(ex, kind)
    n = len(probes)
    _LAST[ex.id] = None  # checks.hint says the last answer was right
    return Result(CORRECT, f"{ex.right} ({n} probes of different sizes)" if n > 1 else ex.right)


def _mistakes(ex: Exercise):
    """The known mistakes, the find-the-bug starter (the untouched bug) first."""
    starter = (Mistake("starter", ex.hints, code=ex.starter),) if ex.kind == "find-the-bug" else ()
    return (*starter, *ex.mistakes)


def check_values(ex: Exercise, handed: Sequence, answers: Sequence) -> Result:
    """The verdict on a value exercise's answer, against ``reference(*handed)``."""
    if any(a is Ellipsis or a is None for a in answers):
        return Result(NOT_ATTEMPTED, "replace each ... with your answer, then run the cell again")
    if ex.check_handed is not None:
        problem = ex.check_handed(*handed)
        if problem:
            return _refused(ex, problem)
    before = [_snapshot(h) for h in handed]
    parts = []
    for p, a in zip(ex.parts, answers, strict=False):
        value = read(p, a)
        if value is None:
            what = {
                "shape": "a tuple of whole numbers, written like (5, 8)",
                "tensor": "a tensor",
                "number": "a number, e.g. 2.5 or a one-element tensor (not a string)",
            }
            return _refused(ex, f"give {p.name} as {what.get(p.kind, _WHOLE)}")
        parts.append(value)
    used = ex.parts[: len(parts)]
    trimmed = _trim(ex, used)
    got = Outcome(parts=tuple(parts))
    with paused():  # the checker's own work (chapter 12 counts operators) is off the clock
        want = _value_outcome(trimmed, _first(ex.reference, len(parts)), handed)
    changed = [_changed(n, b, h) for n, b, h in zip(ex.handed, before, handed, strict=True)]
    if any(changed):  # the reference never changes what it is handed; guard anyway
        raise RuntimeError(f"the checker changed {', '.join(c for c in changed if c)}")
    if want.error is not None:
        return Result(
            INCORRECT,
            f"the objects the cell hands the checker do not run ({type(want.error).__name__}: "
            f"{_first_line(want.error)}); run the exercise cell as it was given",
        )

    def wrongs():
        for mistake in _mistakes(ex):
            with paused():
                wrong = _value_outcome(trimmed, _first(ex.answer_of(mistake), len(parts)), handed)
            yield mistake, wrong

    verdict = _verdict_of(trimmed, got, want, wrongs, "")
    if verdict is not None:
        return verdict
    _LAST[ex.id] = None  # checks.hint says the last answer was right
    return Result(CORRECT, ex.right)


def _trim(ex: Exercise, parts) -> Exercise:
    if len(parts) == len(ex.parts):
        return ex
    from dataclasses import replace

    return replace(ex, parts=tuple(parts))


def _first(function, n: int):
    return lambda *handed: tuple(function(*handed))[:n]


# -- the public checker ------------------------------------------------------------------------


def checker(ex: Exercise) -> Callable:
    """The function the notebook calls, made from the definition, registered in ``REGISTRY``.

    A value exercise's checker takes the handed objects, then the answer's parts; called with the
    parts only (a copy made before the objects were handed), it uses the cell's default objects.
    """
    if ex.kind not in KINDS:
        raise ValueError(f"{ex.id}: kind {ex.kind!r} is not one of {KINDS}")
    REGISTRY[ex.id] = ex

    def check(*args, **kwargs):
        outdated = _outdated(ex)
        if outdated is not None:
            return outdated
        if ex.is_function:
            answer = args[0] if args else kwargs.get(ex.asked[0], Ellipsis)
            return check_function(ex, answer)
        names = (*ex.handed, *ex.asked)
        values = dict(zip(names, args, strict=False)) | kwargs
        full = len(args) + len(kwargs) >= len(names) or any(h in kwargs for h in ex.handed)
        if full:
            handed = [values.get(h) for h in ex.handed]
            answers = [values.get(a, Ellipsis) for a in ex.asked]
        else:  # an older call without the handed objects: the cell's default objects
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(ex.seed)
                handed = list(ex.defaults())
            answers = list(args) + [kwargs[a] for a in ex.asked if a in kwargs]
            if not answers:
                answers = [Ellipsis]
        return check_values(ex, handed, answers)

    parameters = [
        inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        for n in ((*ex.handed, *ex.asked) if not ex.is_function else ex.asked[:1])
    ]
    check.__signature__ = inspect.Signature(parameters)
    check.__name__ = check.__qualname__ = ex.name
    check.__module__ = "rnnlab.checks"
    check.__doc__ = (
        f"Check exercise {ex.name!r} of chapter {ex.chapter}: {ex.title}.\n\n"
        f"Kind: {ex.kind}; {ex.points} point{'s' if ex.points != 1 else ''}. Prints correct, "
        "not quite with a hint, or not attempted; never the expected answer.\n\n"
        f"Used in: {ex.chapter}."
    )
    check.exercise = ex
    return check


def _outdated(ex: Exercise) -> Result | None:
    stamped = _COPY_VERSIONS.get(ex.id)
    if stamped is None or stamped >= ex.version:
        return None
    return Result(
        OUTDATED,
        f"this exercise changed since your copy was made (version {stamped}, now {ex.version}): "
        f"`rnnlab student FOLDER --force {ex.chapter}` updates your copy (yours is saved as a "
        ".bak file first)",
    )


def copy_versions(versions: dict[str, int]) -> None:
    """Record the exercise versions a student copy was made with (its setup cell calls this);
    anything but a mapping of ids to whole numbers is ignored."""
    if isinstance(versions, dict):
        _COPY_VERSIONS.update(
            {k: int(v) for k, v in versions.items() if isinstance(k, str) and isinstance(v, int)}
        )


def hint(name: str) -> Result:
    """The next hint for the exercise ``name`` (its checker's name): the fix of the last wrong
    answer checked in this kernel, or that the last answer checked was right."""
    if not isinstance(name, str):
        return Result(INCORRECT, 'give the exercise\'s checker name, e.g. checks.hint("step")')
    found = [ex for ex in REGISTRY.values() if name in (ex.id, ex.name)]
    if not found:
        return Result(INCORRECT, f"no exercise is called {name[:40]!r}; give its checker's name")
    ex = found[0]
    if ex.id not in _LAST:
        return Result(INCORRECT, f"run the checker of {ex.name!r} on your answer first")
    if _LAST[ex.id] is None:
        return Result(HINT, f"your last answer to {ex.name!r} was correct: nothing to fix")
    return Result(HINT, _LAST[ex.id].fix)
