"""Every exercise, tested from its one definition (rnnlab.checks._exercise.Exercise).

For each exercise: the worked solution is accepted, run as the notebook's cell; the untouched
starter is not attempted; every known mistake is rejected with its own hint, and gives a result
other than the solution's on at least one probe; a mutation sweep of the solution (swapped
dimensions, a constant in place of a size, a term dropped, an operator written another way, the
handed module changed) is rejected, or listed in the definition's ``equivalent`` with a reason;
the global random state and the objects handed to the checker are left as they were; the
notebook's cells are the definition's; no docstring states an answer; hints climb.
"""

from __future__ import annotations

import ast
import copy
import linecache
import random
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch

from rnnlab import checks
from rnnlab.checks import _exercise
from rnnlab.checks._exercise import Exercise, Hints

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = list(checks.EXERCISES.values())
IDS = [ex.id for ex in EXERCISES]
MISTAKES = [(ex, m) for ex in EXERCISES for m in ex.mistakes]
MISTAKE_IDS = [f"{ex.id}:{m.name}" for ex, m in MISTAKES]


@pytest.fixture(autouse=True)
def _fresh_tries():
    """Each test starts as a student's first try."""
    _exercise._TRIES.clear()
    _exercise._LAST.clear()
    yield
    _exercise._TRIES.clear()
    _exercise._LAST.clear()


def _checker(ex: Exercise):
    return getattr(checks, ex.name)


def _handed(ex: Exercise):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(ex.seed)
        return list(ex.defaults())


def _check_values(ex: Exercise, handed, values):
    return _checker(ex)(*handed, *values)


def _run_cell(source: str):
    """Run a cell's source as the notebook would; return the Result of its checker call."""
    seen = []

    class Recorder:
        def __getattr__(self, name):
            def call(*args, **kwargs):
                seen.append(getattr(checks, name)(*args, **kwargs))
                return seen[-1]

            return call

    namespace = {"torch": torch, "nn": torch.nn, "np": np, "checks": Recorder()}
    filename = f"<cell {abs(hash(source))}>"  # in linecache, as IPython keeps a cell's source
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - the course's own cells
    assert len(seen) == 1, "a cell ends with exactly one checker call"
    return seen[0]


# -- solution, starter, notebook --------------------------------------------------------------


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_the_solution_cell_is_accepted_and_the_starter_is_not_attempted(ex):
    assert _run_cell(ex.solution), ex.id
    assert _run_cell(ex.starter).status == "not attempted"
    if ex.kind == "find-the-bug":  # reviewers stuck on the buggy starter got no hint at all
        assert checks.hint(ex.name).message == ex.hints.pointer


def test_a_changed_answer_that_gives_the_bug_s_result_is_told_so_not_called_unattempted():
    """A reviewer changed 08's reshape to view (the same numbers) and was told "not attempted";
    a comment added to the starter is still the starter."""
    ex = checks.EXERCISES["08_time_series_windows.flatten_outputs"]
    commented = ex.starter.replace("    L, N, H = output.shape", "    L, N, H = output.shape  # ?")
    assert commented != ex.starter
    assert _run_cell(commented).status == "not attempted"
    changed = _run_cell(ex.starter.replace("output.reshape(N, L * H)", "output.view(N, L * H)"))
    assert changed.status == "incorrect"
    assert "your change gives the same result as the buggy code" in changed.message


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_the_definition_is_complete(ex):
    assert ex.kind in _exercise.KINDS
    assert ex.points >= 1
    assert ex.version >= 1
    assert ex.mistakes, "at least one known mistake"
    names = [m.name for m in ex.mistakes]
    assert len(set(names)) == len(names), "each mistake has its own name"
    for m in ex.mistakes:
        assert all((m.hints.nudge, m.hints.pointer, m.hints.fix)), m.name
        assert len({m.hints.nudge, m.hints.pointer, m.hints.fix}) == 3, f"{m.name}: hints climb"
    if ex.is_function:
        assert not ex.handed
    else:
        assert ex.reference is not None
        assert ex.defaults is not None
        assert ex.variants is not None


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_the_notebook_cells_are_the_definition(ex):
    nb = nbformat.read(ROOT / "notebooks" / f"{ex.chapter}.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    exercises = [c.source for c, t in zip(nb.cells, tags, strict=True) if "exercise" in t]
    solutions = [c.source for c, t in zip(nb.cells, tags, strict=True) if "solution" in t]
    assert ex.starter in exercises, f"{ex.id}: the notebook's exercise cell is not the starter"
    assert ex.solution in solutions, f"{ex.id}: the notebook's solution cell is not the solution"


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_no_docstring_states_an_answer(ex):
    doc = _checker(ex).__doc__ or ""
    solution_lines = [line.strip() for line in ex.solution.splitlines() if len(line.strip()) > 12]
    assert not [line for line in solution_lines if line in doc]
    if not ex.is_function:
        with torch.no_grad():
            for value in ex.reference(*_handed(ex)):
                if isinstance(value, tuple):
                    assert str(value) not in doc
    for m in ex.mistakes:  # and no hint but the fix states the answer: at least not the cell's
        for text in (m.hints.nudge, m.hints.pointer):
            assert not [line for line in solution_lines if line in text]


# -- the known mistakes -----------------------------------------------------------------------


def _mistake_result(ex, mistake):
    """The checker's verdict on a mistake: for a value exercise, on the cell's own objects, or
    (a mistake about, say, two directions in a chapter whose cell has one) on the first
    variant where the mistake differs from the answer."""
    if ex.is_function:
        return _checker(ex)(ex.answer_of(mistake))
    for handed in _variants(ex):
        with torch.no_grad():
            values = mistake.answer(*copy.deepcopy(handed))
            right = ex.reference(*copy.deepcopy(handed))
        if not _same_parts(ex, tuple(values), tuple(right)):
            return _check_values(ex, handed, values)
    raise AssertionError(f"{mistake.name} equals the answer on every variant")


@pytest.mark.parametrize(("ex", "mistake"), MISTAKES, ids=MISTAKE_IDS)
def test_each_known_mistake_is_rejected_with_its_own_hint(ex, mistake):
    result = _mistake_result(ex, mistake)
    assert result.status == "incorrect", (mistake.name, result)
    assert mistake.hints.nudge in result.message, (mistake.name, result)
    assert mistake.hints.fix not in result.message, "the fix comes later"


@pytest.mark.parametrize(("ex", "mistake"), MISTAKES, ids=MISTAKE_IDS)
def test_no_known_mistake_equals_the_solution_on_every_probe(ex, mistake):
    if ex.is_function:
        generator = torch.Generator().manual_seed(ex.seed)
        probes = ex.probes(generator)
        solution, wrong = ex.runnable(ex.solution), ex.answer_of(mistake)
        differs = [
            not _exercise._correct(
                ex, _exercise.outcome(ex, wrong, p), _exercise.outcome(ex, solution, p)
            )
            for p in probes
        ]
        assert any(differs), f"{mistake.name} gives the solution's result on every probe"
        return
    coincide = 0
    for handed in _variants(ex):
        with torch.no_grad():
            want = tuple(ex.reference(*copy.deepcopy(handed)))
            got = tuple(mistake.answer(*copy.deepcopy(handed)))
        if _same_parts(ex, got, want):
            coincide += 1
            continue
        _exercise._TRIES.clear()  # a first try on each variant
        result = _check_values(ex, handed, got)  # wherever it differs, its own hint ...
        first = next(  # ... or that of an earlier mistake that gives the same answer there
            m for m in ex.mistakes if _same_parts(ex, tuple(m.answer(*copy.deepcopy(handed))), got)
        )
        assert not result
        assert first.hints.nudge in result.message, (mistake.name, result)
    assert coincide < len(_variants(ex)), f"{mistake.name} equals the answer on every variant"


def _variants(ex):
    generator = torch.Generator().manual_seed(ex.seed)
    with torch.random.fork_rng(devices=[]):
        return [_handed(ex), *ex.variants(generator)]


def _same_parts(ex, got, want):
    return all(
        _exercise.same(p, _exercise.read(p, g), _exercise.read(p, w))
        for p, g, w in zip(ex.parts, got, want, strict=True)
    )


@pytest.mark.parametrize("ex", [ex for ex in EXERCISES if not ex.is_function], ids=lambda ex: ex.id)
def test_a_value_exercise_is_checked_against_the_objects_it_hands(ex):
    """An instructor who changes the sizes in the cell changes nothing else."""
    for handed in _variants(ex):
        with torch.no_grad():
            right = ex.reference(*copy.deepcopy(handed))
        assert _check_values(ex, handed, right), handed


# -- hints that climb, errors that get a hint -------------------------------------------------


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_hints_climb_from_a_nudge_to_the_fix(ex):
    mistake = ex.mistakes[0]
    messages = [_mistake_result(ex, mistake).message for _ in range(_exercise.FIX_AFTER + 1)]
    assert mistake.hints.nudge in messages[0]
    assert mistake.hints.pointer in messages[1]
    assert mistake.hints.fix in messages[-1]
    assert all(mistake.hints.fix not in m for m in messages[: _exercise.FIX_AFTER])
    assert checks.hint(ex.name).message == mistake.hints.fix


@pytest.mark.parametrize("ex", [e for e in EXERCISES if len(e.mistakes) > 1], ids=lambda e: e.id)
def test_a_different_mistake_starts_again_from_its_nudge(ex):
    """Reviewers were handed the fix of a mistake they had not made: the level had climbed with
    other mistakes' tries. It climbs only while the same hints come back."""
    first, other = (
        ex.mistakes[0],
        next(m for m in ex.mistakes[1:] if m.hints != ex.mistakes[0].hints),
    )
    for _ in range(_exercise.FIX_AFTER + 1):
        _mistake_result(ex, first)
    assert first.hints.fix in checks.hint(ex.name).message
    message = _mistake_result(ex, other).message
    assert other.hints.nudge in message
    assert other.hints.fix not in message or other.hints.fix in other.hints.nudge
    assert other.hints.pointer in _mistake_result(ex, other).message


def test_hint_before_any_try_and_for_an_unknown_name():
    assert "first" in checks.hint("run_batch_first").message
    assert "no exercise" in checks.hint("nothing_like_this").message


def test_hint_after_a_correct_answer_says_it_was_correct():
    ex = checks.EXERCISES["01_rnn_cell.forum_final_state"]
    assert not checks.forum_final_state(1.0)  # a wrong try first: its fix is stored
    assert _checker(ex)(*_run_cell_values(ex))  # then the worked solution
    assert checks.hint("forum_final_state").message == (
        "your last answer to 'forum_final_state' was correct: nothing to fix"
    )


def _run_cell_values(ex: Exercise):
    """A value exercise's answer as its solution cell computes it."""
    namespace = {"checks": _exercise._Silent(), "torch": torch, "nn": torch.nn}
    exec(compile(ex.solution, f"<{ex.id}>", "exec"), namespace)  # noqa: S102 - course code
    return [namespace[name] for name in ex.asked]


@pytest.mark.parametrize(
    ("ex_id", "answer", "start"),
    [
        ("01_rnn_cell.forum_final_state", (12.5,), "h = max("),  # h is a name, not H
        ("02_nn_rnn.hidden_size_message", ((9, 9, 9), (9, 9, 9)), "expected is the shape"),
    ],
)
def test_a_hint_that_starts_with_a_name_is_not_capitalised(ex_id, answer, start):
    ex = checks.EXERCISES[ex_id]
    handed = _handed(ex)
    _check_values(ex, handed, answer)  # the first try: the nudge
    message = _check_values(ex, handed, answer).message  # the second: the pointer
    assert f"is not right. {start}" in message, message
    assert f"is not right. {start[:1].upper()}{start[1:]}" not in message


def test_a_hint_that_starts_a_sentence_is_capitalised():
    message = checks.forum_final_state(12.5).message
    assert "h_9 is not right. Apply the cell's equation" in message, message


def test_a_raw_pytorch_error_names_the_line_that_failed():
    def wrong_dim(rnn, x):
        output, h_n = rnn(x.permute(0, 2, 1))  # (N, H_in, L): not a layout the RNN accepts
        return output, h_n

    result = checks.run_batch_first(wrong_dim)
    assert result.status == "incorrect"
    assert "raised RuntimeError in `output, h_n = rnn(x.permute(0, 2, 1))" in result.message


# -- the mutation sweep -----------------------------------------------------------------------


class _Mutants(ast.NodeTransformer):
    """Every single-point mutant of a function's (or class's) source, with a label."""

    SWAP = {"permute": "reshape", "transpose": "swapaxes", "tanh": "sigmoid", "cat": "stack"}

    def __init__(self, tree: ast.Module, params: set[str], modules: set[str]):
        self.tree, self.params, self.modules = tree, params, modules

    def all(self):
        nodes = [n for n in ast.walk(self.tree) if self._skip(n) is False]
        for index, node in enumerate(nodes):
            for label, new in self._variants(node):
                tree = copy.deepcopy(self.tree)
                target = [n for n in ast.walk(tree) if self._skip(n) is False][index]
                _replace(tree, target, new)
                yield f"line {node.lineno}: {label}", ast.unparse(tree)
        function = next(n for n in self.tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef))
        if isinstance(function, ast.FunctionDef):
            for name in sorted(self.modules):
                flips = (f"{name}.train(not {name}.training)", f"{name}.requires_grad_(False)")
                for statement in flips:
                    tree = copy.deepcopy(self.tree)
                    body = next(n for n in tree.body if isinstance(n, ast.FunctionDef)).body
                    body.insert(0, ast.parse(statement).body[0])
                    yield f"handed module changed: {statement}", ast.unparse(tree)

    def _skip(self, node):
        if isinstance(node, ast.Call) and "checks." in ast.unparse(node.func):
            return True
        if isinstance(node, ast.Name):  # an argument read: "a parameter ignored"
            return not (node.id in self.params and isinstance(node.ctx, ast.Load))
        return not isinstance(node, ast.Constant | ast.BinOp | ast.Attribute)

    def _variants(self, node):
        if isinstance(node, ast.Constant) and isinstance(node.value, bool):
            yield f"{node.value} -> {not node.value}", ast.Constant(not node.value)
        elif isinstance(node, ast.Constant) and isinstance(node.value, int):
            for new in {node.value + 1, 0, 2} - {node.value}:
                yield f"{node.value} -> {new}", ast.Constant(new)
        elif isinstance(node, ast.Name):
            yield f"argument {node.id} -> 3", ast.Constant(3)
        elif isinstance(node, ast.BinOp):
            yield f"{ast.unparse(node)} -> its left term", node.left
            yield f"{ast.unparse(node)} -> its right term", node.right
            for old, new in ((ast.MatMult, ast.Mult), (ast.Add, ast.Sub), (ast.Sub, ast.Add)):
                if isinstance(node.op, old):
                    yield (
                        f"{type(old()).__name__} -> {new.__name__}",
                        ast.BinOp(node.left, new(), node.right),
                    )
        elif isinstance(node, ast.Attribute):
            if node.attr in self.SWAP:
                new = ast.Attribute(node.value, self.SWAP[node.attr], node.ctx)
                yield f".{node.attr} -> .{self.SWAP[node.attr]}", new
            if node.attr == "T":
                yield ".T dropped", node.value
            root = node.value
            if isinstance(root, ast.Name) and root.id in self.params and node.attr.endswith("size"):
                yield f"{ast.unparse(node)} -> 3", ast.Constant(3)


def _replace(tree, target, new):
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, new)
                return
            if isinstance(value, list) and any(v is target for v in value):
                value[[i for i, v in enumerate(value) if v is target][0]] = new
                return


def _function_mutants(ex: Exercise):
    tree = ast.parse(ex.solution)
    tree.body = [n for n in tree.body if not isinstance(n, ast.Expr)]  # drop the checker call
    definition = tree.body[0]
    params, modules = set(), set()
    if isinstance(definition, ast.FunctionDef):
        names = [a.arg for a in definition.args.args]
        params = set(names)
        probe = ex.probes(torch.Generator().manual_seed(ex.seed))[0]
        modules = {
            n for n, a in zip(names, probe.args, strict=False) if isinstance(a, torch.nn.Module)
        }
    yield from _Mutants(tree, params, modules).all()


def _value_mutants(ex: Exercise):
    with torch.no_grad():
        right = list(ex.reference(*_handed(ex)))
    for i, (part, value) in enumerate(zip(ex.parts, right, strict=True)):
        changed = []
        if part.kind == "shape":
            value = tuple(int(v) for v in value)  # a torch.Size, a list, or a 1-D tensor
            for k in range(len(value)):
                changed.append((f"dimension {k} + 1", (*value[:k], value[k] + 1, *value[k + 1 :])))
            changed.append(("dimensions reversed", value[::-1]))
            changed.append(("a leading 1", (1, *value)))
            changed.append(("first dimension dropped", value[1:]))
        elif part.kind == "int":
            changed += [("+ 1", value + 1), ("- 1", value - 1), ("doubled", 2 * value)]
        elif part.kind == "number":
            changed += [("+ 1", value + 1), ("x 1.001", value * 1.001), ("negated", -value)]
        elif part.kind == "tensor":
            changed += [
                ("last two dimensions swapped", value.transpose(-1, -2)),
                ("dimension 0 flipped", value.flip(0)),
                ("numbers reordered, same shape", value.flatten().flip(0).reshape(value.shape)),
                ("+ 1", value + 1),
            ]
        for label, new in changed:
            if _exercise.same(part, _exercise.read(part, new), _exercise.read(part, value)):
                continue  # not a mutant (a square shape reversed, a zero negated)
            values = list(right)
            values[i] = new
            yield f"{part.name}: {label}", values


def _sweep(ex: Exercise):
    accepted, total = {}, 0
    warnings.simplefilter("ignore")  # mutants build odd modules (zero-size Linear, ...)
    if ex.is_function:
        for label, source in _function_mutants(ex):
            try:
                answer = ex.runnable(source)
            except Exception:  # noqa: BLE001, S112 - a mutant that does not even define the name
                continue
            total += 1
            if _checker(ex)(answer):
                accepted[label] = source
    else:
        handed = _handed(ex)
        for label, values in _value_mutants(ex):
            total += 1
            if _check_values(ex, handed, values):
                accepted[label] = values
    return accepted, total


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_the_mutation_sweep_is_rejected_or_listed_with_a_reason(ex):
    accepted, total = _sweep(ex)
    assert total >= 3, "the sweep found too few mutants"
    unlisted = {k: v for k, v in accepted.items() if k not in ex.equivalent}
    assert not unlisted, f"{ex.id} accepts mutants that are not listed as equivalent: {unlisted}"
    stale = set(ex.equivalent) - set(accepted)
    assert not stale, f"{ex.id} lists mutants as equivalent that are now rejected: {stale}"
    assert all(reason.strip() for reason in ex.equivalent.values())


# -- the student's random state and objects ---------------------------------------------------


def _states():
    return random.getstate(), np.random.get_state()[1].copy(), torch.random.get_rng_state()


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_the_random_state_and_the_handed_objects_are_left_alone(ex):
    torch.manual_seed(5)
    before = _states()
    if ex.is_function:
        results = [_checker(ex)(ex.runnable(ex.solution))]
        results += [_checker(ex)(ex.answer_of(m)) for m in ex.mistakes]
    else:
        handed = _handed(ex)
        kept = copy.deepcopy(handed)
        with torch.no_grad():
            results = [_check_values(ex, handed, ex.reference(*kept))]
            results += [_check_values(ex, handed, m.answer(*kept)) for m in ex.mistakes]
        for h, k in zip(handed, kept, strict=True):
            assert _exercise._changed("handed", _exercise._snapshot(k), h) == ""
    after = _states()
    assert before[0] == after[0]
    assert np.array_equal(before[1], after[1])
    assert torch.equal(before[2], after[2])
    assert results[0]


def test_the_catalog_is_the_definitions():
    """rnnlab/checks/catalog.json (what student copies and releases read, without torch) is what
    the definitions give; `python -m rnnlab.tooling.exercises --catalog` rewrites it."""
    from rnnlab.tooling import exercises

    assert exercises.CATALOG.read_bytes() == exercises.catalog_bytes(), (
        "the exercises' catalog is out of date: python -m rnnlab.tooling.exercises --catalog"
    )


@pytest.mark.parametrize("arguments", [["nope.ipynb"], ["--bogus"], ["book.yml"]])
def test_the_exercises_tool_refuses_what_is_not_a_notebook_in_one_line(arguments, capsys):
    """`python -m rnnlab.tooling.exercises --help` once ran the course's notebook code on a file
    named "--help" and ended in a traceback; a wrong argument is now one line, before any write."""
    from rnnlab.tooling import exercises

    before = exercises.CATALOG.stat().st_mtime_ns
    assert exercises.main(arguments) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "usage:" in err
    assert exercises.CATALOG.stat().st_mtime_ns == before
    assert exercises.main(["--help"]) == 0
    assert "usage:" in capsys.readouterr().out


def test_a_later_part_at_fault_is_not_given_the_first_part_s_hint():
    """With no known mistake matching, the exercise's own hints speak of its first part; a wrong
    later part gets hints that name it instead."""
    ex = checks.EXERCISES["01_rnn_cell.cell_parameters"]
    cell = torch.nn.RNNCell(7, 4)
    _exercise._TRIES.pop(ex.id, None)
    first = checks.cell_parameters(cell, (9, 9), (4, 4), 52).message  # no mistake gives (9, 9)
    _exercise._TRIES.pop(ex.id, None)
    later = checks.cell_parameters(cell, (4, 7), (9, 9), 52).message
    _exercise._TRIES.pop(ex.id, None)
    assert ex.hints.nudge[1:] in first
    assert ex.hints.nudge[1:] not in later
    assert "weight_hh_shape is not right. Compare weight_hh_shape" in later


def test_every_hint_is_text_without_placeholders():
    for ex in EXERCISES:
        for hints in (ex.hints, *(m.hints for m in ex.mistakes)):
            assert isinstance(hints, Hints)
            for text in (hints.nudge, hints.pointer, hints.fix):
                assert "{" not in text, text
                assert "}" not in text, text


def test_a_checker_called_from_an_older_copy_of_a_changed_exercise_says_so():
    ex = checks.EXERCISES["03_batch_first.run_batch_first"]
    try:
        checks.copy_versions({ex.id: ex.version - 1})  # as an older copy's setup cell would
        result = checks.run_batch_first(lambda rnn, x: 1 / 0)
        assert result.status == "outdated"
        assert f"rnnlab student FOLDER --force {ex.chapter}" in result.message
        assert "✗" not in repr(result)
        checks.copy_versions({ex.id: ex.version})  # a current copy: checked as usual
        assert checks.run_batch_first(lambda rnn, x: 1 / 0).status == "incorrect"
    finally:
        _exercise._COPY_VERSIONS.clear()
    checks.copy_versions("junk")  # ignored
    assert not _exercise._COPY_VERSIONS


# -- what a right answer must be besides its numbers: a torch.Tensor of the solution's dtype, in
# the autograd graph where the solution's result is --------------------------------------------

_SCALE = Exercise(
    id="00_test.scale",
    version=1,
    title="Scale a tensor (a test exercise)",
    points=1,
    kind="implement",
    starter="def scale(w, x): ...\n",
    solution="def scale(w, x):\n    return torch.tanh(x @ w.T)\n",
    parts=(_exercise.Part("y", "tensor", rtol=1e-9),),
    right="right",
    hints=Hints("nudge", "pointer", "fix"),
    asked=("scale",),
    probes=lambda generator: [
        _exercise.Probe(
            "N=3, H=4",
            (
                torch.nn.Parameter(torch.randn(4, 5, generator=generator)),
                torch.randn(3, 5, generator=generator),
            ),
        )
    ],
)


def _scale_solution(w, x):
    return torch.tanh(x @ w.T)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (lambda w, x: _scale_solution(w, x).detach().numpy(), "its type is ndarray, not torch"),
        (lambda w, x: _scale_solution(w.double(), x.double()), "agree up to rounding, but its"),
        (lambda w, x: _scale_solution(w, x).double(), "are right, but its dtype is torch.float64"),
        (lambda w, x: _scale_solution(w, x).detach(), "cut from the autograd graph"),
        (lambda w, x: _scale_solution(w.data, x), "cut from the autograd graph"),
    ],
)
def test_right_numbers_of_another_kind_are_refused_with_one_line(answer, words):
    assert _exercise.check_function(_SCALE, _scale_solution)
    result = _exercise.check_function(_SCALE, answer)
    assert not result
    assert words in result.message, result.message


def test_numbers_that_differ_by_more_than_rounding_are_wrong_numbers_whatever_the_dtype():
    result = _exercise.check_function(_SCALE, lambda w, x: _scale_solution(w, x).double() * 1.01)
    assert not result
    assert "wrong numbers" in result.message
