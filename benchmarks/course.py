"""Benchmark of the course: how long each chapter and the whole test suite take, and how close
``rnnlab.manual.rnn_forward`` comes to the fused ``nn.RNN``. Prints Markdown tables.

    .venv/bin/python benchmarks/course.py            # everything (about 3 minutes on 2 cores)
    .venv/bin/python benchmarks/course.py --quick    # chapters and rnn_forward, no suite runs
    .venv/bin/python benchmarks/course.py --refill-chapter-12  # after re-executing chapter 12
    .venv/bin/python benchmarks/course.py --refill-text-seeds  # the text chapter's seed runs

The floor is what no notebook can beat: a fresh kernel that imports torch and rnnlab, nothing
else. Chapters run as under nbval, one torch thread per kernel. Targets (issue 7): the notebooks'
share of a parallel run at most 1.5 x (notebooks x floor) / cores, the whole suite under 60 s,
rnn_forward within 1.5x of nn.RNN at L=100, N=64, H=64. Last, chapter 12's six programs (RNNCell,
two-product and hoisted loops, nn.RNN, LSTMCell loop, nn.LSTM) at its sizes, with their spread.
rnn_forward within 1.5x of nn.RNN at L=100, N=64, H=64; (issue 12) rnn_backward, the hand-written
backward pass, within 2x of autograd (nn.RNN's forward + backward) at the same sizes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import torch
from nbclient import NotebookClient
from torch import nn
from torch.utils import benchmark

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rnnlab import manual  # noqa: E402
from rnnlab.tooling.files import atomic_write  # noqa: E402
from rnnlab.tooling.outline import outline  # noqa: E402

os.environ.setdefault("OMP_NUM_THREADS", "1")  # as conftest.py sets it for the test run


def run_notebook(nb) -> float:
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT / "notebooks")}},
    ).execute()
    return time.perf_counter() - start


def floor(repeats: int) -> tuple[float, float]:
    """Median seconds of a kernel importing torch and rnnlab; and with a first assert_close."""
    cell = nbformat.v4.new_code_cell
    bare = nbformat.v4.new_notebook(cells=[cell("import torch\nimport rnnlab")])
    checked = nbformat.v4.new_notebook(
        cells=[
            cell(
                "import torch\nimport rnnlab\n"
                "torch.testing.assert_close(torch.ones(1), torch.ones(1))"
            )
        ]
    )
    return (
        statistics.median(run_notebook(bare) for _ in range(repeats)),
        statistics.median(run_notebook(checked) for _ in range(repeats)),
    )


def chapters() -> dict[str, float]:
    return {
        Path(c.file).stem: run_notebook(nbformat.read(ROOT / c.file, as_version=4))
        for c in outline()
    }


def pytest_wall(*args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *args], cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"pytest {' '.join(args)} failed:\n{result.stdout[-3000:]}")
    return time.perf_counter() - start


def command_startup(repeats: int = 3) -> dict[str, float]:
    """Median seconds of a fresh process: ``import nbformat`` as any Jupyter tool pays it, and
    ``rnnlab student`` on a folder already up to date (the tooling goes without rfc3987_syntax,
    whose import compiles its grammars: rnnlab/tooling/__init__.py)."""
    import tempfile

    def median(command: list[str]) -> float:
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    with tempfile.TemporaryDirectory() as folder:
        cli = [sys.executable, "-m", "rnnlab.tooling.cli", "student", folder]
        subprocess.run(cli, check=True, capture_output=True)
        return {
            "python -c 'import nbformat'": median([sys.executable, "-c", "import nbformat"]),
            "rnnlab student (up to date)": median(cli),
        }


def fused_versus_manual() -> list[tuple[str, int, float, float]]:
    rows = []
    torch.set_grad_enabled(False)
    for threads in sorted({1, torch.get_num_threads(), os.cpu_count() or 1}):
        torch.set_num_threads(threads)
        for name, config in (
            ("1 layer", {}),
            ("2 layers, bidirectional", {"num_layers": 2, "bidirectional": True}),
        ):
            torch.manual_seed(0)
            rnn = nn.RNN(64, 64, **config)
            x = torch.randn(100, 64, 64)  # (L, N, H_in)
            fused = benchmark.Timer("rnn(x)", globals={"rnn": rnn, "x": x})
            mine = benchmark.Timer(
                "f(rnn, x)", globals={"f": manual.rnn_forward, "rnn": rnn, "x": x}
            )
            rows.append(
                (
                    name,
                    threads,
                    fused.blocked_autorange(min_run_time=0.5).median,
                    mine.blocked_autorange(min_run_time=0.5).median,
                )
            )
    torch.set_grad_enabled(True)
    return rows


def chapter_12_programs(L=50, N=16, H_in=8, H=32) -> dict:
    """Chapter 12's programs at its sizes, as functions of x (L, N, H_in); the same weights."""
    torch.manual_seed(0)
    rnn, cell = nn.RNN(H_in, H), nn.RNNCell(H_in, H)
    cell.load_state_dict({k.removesuffix("_l0"): p for k, p in rnn.state_dict().items()})
    lstm, lstm_cell = nn.LSTM(H_in, H), nn.LSTMCell(H_in, H)
    lstm_cell.load_state_dict({k.removesuffix("_l0"): p for k, p in lstm.state_dict().items()})
    W_ih, W_hh, b_ih, b_hh = rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0

    def cell_loop(x):
        h = torch.zeros(x.shape[1], H)
        return torch.stack([h := cell(x_t, h) for x_t in x])

    def two_product_loop(x):
        h = torch.zeros(x.shape[1], H)
        return torch.stack([h := torch.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh) for x_t in x])

    def hoisted_loop(x):
        projected = x @ W_ih.T + b_ih + b_hh  # (L, N, H_in) -> (L, N, H)
        h = torch.zeros(x.shape[1], H)
        return torch.stack([h := torch.tanh(p_t + h @ W_hh.T) for p_t in projected])

    def lstm_cell_loop(x):
        state = (torch.zeros(x.shape[1], H), torch.zeros(x.shape[1], H))
        return torch.stack([(state := lstm_cell(x_t, state))[0] for x_t in x])

    programs = {
        "RNNCell loop": cell_loop,
        "two-product loop": two_product_loop,
        "hoisted loop": hoisted_loop,
        "nn.RNN": lambda x: rnn(x)[0],
        "LSTMCell loop": lstm_cell_loop,
        "nn.LSTM": lambda x: lstm(x)[0],
    }
    x = torch.randn(L, N, H_in)
    with torch.no_grad():
        for name, run in programs.items():  # same numbers before timing
            reference = programs["nn.LSTM" if "LSTM" in name else "nn.RNN"](x)
            torch.testing.assert_close(run(x), reference)
    return programs, x


def inside_nn_rnn() -> list[tuple[str, int, float, float, int]]:
    """(program, threads, median s, IQR s, runs) for chapter 12's programs, wall clock."""
    programs, x = chapter_12_programs()
    rows = []
    for threads in sorted({1, os.cpu_count() or 1}):
        for name, run in programs.items():
            m = benchmark.Timer(
                "with torch.no_grad(): run(x)",
                globals={"torch": torch, "run": run, "x": x},
                num_threads=threads,
            ).blocked_autorange(min_run_time=0.5)
            rows.append((name, threads, m.median, m.iqr, len(m.times) * m.number_per_run))
    return rows


def backward_versus_autograd() -> list[tuple[str, int, float, float]]:
    """Median seconds of forward + backward: nn.RNN with autograd, and rnnlab.manual.rnn_backward
    (which reruns the forward pass itself, keeping every state), at L=100, N=64, H_in=H=64."""
    rows = []
    for threads in sorted({1, torch.get_num_threads(), os.cpu_count() or 1}):
        torch.set_num_threads(threads)
        for name, config in (
            ("1 layer", {}),
            ("2 layers, bidirectional", {"num_layers": 2, "bidirectional": True}),
        ):
            torch.manual_seed(0)
            rnn = nn.RNN(64, 64, **config)
            x = torch.randn(100, 64, 64, requires_grad=True)  # (L, N, H_in)
            grad_output = torch.randn(100, 64, 64 * (2 if config else 1))  # (L, N, D*H)

            def autograd(rnn=rnn, x=x, grad_output=grad_output):
                output, _ = rnn(x)
                torch.autograd.grad(output, [x, *rnn.parameters()], grad_output)

            def by_hand(rnn=rnn, x=x, grad_output=grad_output):
                manual.rnn_backward(rnn, x, grad_output=grad_output)

            timed = [
                benchmark.Timer("f()", globals={"f": f}).blocked_autorange(min_run_time=0.5)
                for f in (autograd, by_hand)
            ]
            rows.append((name, threads, timed[0].median, timed[1].median))
    return rows


# Chapter 12 quotes its stored timings in two markdown cells. After re-executing the chapter, run
#   .venv/bin/python benchmarks/course.py --refill-chapter-12
# to write the new numbers into those cells; it stops if a sentence no longer holds.
_CHAPTER_12 = ROOT / "notebooks" / "12_inside_nn_rnn.ipynb"
_CHAPTER_12_TEXT = {
    "In the run stored above": """\
In the run stored above (your numbers will differ; each difference is also given in IQRs, the
larger of the two medians' IQRs): calling `nn.RNNCell` at every step «module_text», while
hoisting the input projection saved about «hoist» µs per step («hoist_iqr» IQRs). On this machine
the extra products and additions cost more than the module calls. `nn.RNN`, which makes the same
products as the hoisted loop from C++ (with `addmm` and `add_`), «cpp_text» `nn.LSTM` ran
«lstm_ratio» times as fast as the LSTMCell loop, which launches about fifteen operators per step
(counted in section 2) where `nn.LSTM` launches one computing operator for the whole sequence
(and six that set it up); that gap combines every effect listed above for the LSTM (the Python
loop, the module calls, the input products inside the loop, the fusion), not the gain of the
fused call alone.""",
    "The ratio grows from": """\
The ratio grows from `L = 5` to `L = 50` and changes less after that. In the stored run (each
length timed by the same harness, in the cell above) the RNNCell loop took «r5» times as long as
`nn.RNN` at `L = 5`, «r50» times at `L = 50` and «r200» times at `L = 200`: short sequences are
where the built-in module wins **least**, not most. The times per step say why.
The loop's time per step hardly changes with `L` (from «loop5» to «loop200» µs), while
`nn.RNN`'s falls from «rnn5» µs at `L = 5` to «rnn200» µs at `L = 200`. A straight line through
its times at `L = 5` and `L = 200` (the second-last line printed) puts about «fixed» µs on each
call and «slope» µs on each step: a short sequence shares a fixed part among few steps. Two points
fix any line, so that split is a reading of two lengths, not a law for every `L`; the last line
printed tests it at a third length, `L = 50`: the line gives «pred» µs against «meas» µs measured,
«line_text» By `L = 50` the time per step of `nn.RNN` has nearly settled.""",
}


def refill_chapter_12(path: Path = _CHAPTER_12) -> dict[str, str]:
    """Write the stored run's numbers into chapter 12's prose, checking each claim it makes."""
    import re
    import textwrap

    nb = nbformat.read(path, as_version=4)
    texts = [
        "".join(o.get("text", "") for o in c.outputs) for c in nb.cells if c.cell_type == "code"
    ]
    table = next(t for t in texts if "runs (blocks x calls)" in t)
    steps = next(t for t in texts if "per step  (" in t)
    lengths = next(t for t in texts if "(median, IQR in µs)" in t)
    med = {
        m[1].strip(): float(m[2])
        for m in re.finditer(r"^(\S.*?)\s+(\d+) µs\s+[\d.]+ µs", table, re.M)
    }
    st = {
        m[1].strip(): (float(m[2]), m[3], float(m[4]))
        for m in re.finditer(
            r"^(.*?)\s+(-?[\d.]+) µs per step  \(.* = ([\d.]+)\), (-?[\d.]+) IQR", steps, re.M
        )
    }
    ratio = {
        int(m[1]): m[2]
        for m in re.finditer(r"^\s*(\d+)\s.*IQR.*IQR [\d.]+\s+([\d.]+)$", lengths, re.M)
    }
    per_step = {
        m[1]: [float(v) for v in m[2].split(", ")]
        for m in re.finditer(
            r"(RNNCell loop|nn.RNN): µs per step at L = 5, 50, 200: (.*)$", lengths, re.M
        )
    }
    line = re.search(r"and 200: (-?\d+) µs per call \+ ([\d.]+) µs per step", lengths)
    at_50 = re.search(r"at L = 50: (\d+) µs, measured (\d+) µs, off by ([\d.]+) IQR", lengths)
    predicted, measured, off = int(at_50[1]), int(at_50[2]), float(at_50[3])
    module, hoist = st["going through nn.RNNCell"][0], st["hoisting the input projection"][0]
    cpp = st["the loop in C++ (and add_, addmm)"][0]
    loop, rnn = per_step["RNNCell loop"], per_step["nn.RNN"]
    claims = {
        "the extra products cost more than the module calls": hoist > module,
        "hoisting resolved (over two IQRs)": st["hoisting the input projection"][2] > 2,
        "LSTMCell loop slowest, nn.LSTM fastest": max(med, key=med.get) == "LSTMCell loop"
        and min(med, key=med.get) == "nn.LSTM",
        "nn.RNN ahead of the Python loops": med["nn.RNN"] < med["hoisted loop"],
        "the ratio grows from L = 5 to L = 50": float(ratio[5]) < float(ratio[50]),
        "the ratio changes less from 50 to 200 than from 5 to 50": abs(
            float(ratio[200]) - float(ratio[50])
        )
        < float(ratio[50]) - float(ratio[5]),
        "the loop's time per step hardly changes": max(loop) / min(loop) < 1.25,
        "nn.RNN's time per step falls, nearly settled by L = 50": rnn[0] > 1.3 * rnn[2]
        and rnn[1] / rnn[2] < 1.15,
        "nn.RNN has a fixed cost per call": int(line[1]) > 0,
    }
    broken = [claim for claim, holds in claims.items() if not holds]
    if broken:
        raise SystemExit(f"chapter 12: the stored run no longer supports: {broken}; edit the prose")
    module_iqr = st["going through nn.RNNCell"][2]
    module_text = (
        f"cost about {abs(module):.1f} µs per step {'more' if module > 0 else 'less'} than "
        f"writing its arithmetic out ({module_iqr:.1f} IQRs"
        f"{': within two, not resolved' if abs(module_iqr) < 2 else ''})"
    )
    cpp_iqr, cpp_ratio = (
        st["the loop in C++ (and add_, addmm)"][2],
        st["the loop in C++ (and add_, addmm)"][1],
    )
    if abs(cpp_iqr) < 2:  # the two medians are within two IQRs: the run does not resolve it
        cpp_text = (
            f"differed from it by {cpp:.1f} µs per step (hoisted loop / `nn.RNN` = {cpp_ratio}), "
            f"{cpp_iqr:.1f} IQRs: within two IQRs, a difference this measurement does not resolve."
        )
    elif cpp > 0:
        cpp_text = (
            f"saved another {cpp:.1f} µs per step ({cpp_iqr:.1f} IQRs): it ran {cpp_ratio} times "
            "as fast as the hoisted Python loop."
        )
    else:
        cpp_text = (
            f"was {-cpp:.1f} µs per step slower ({cpp_iqr:.1f} IQRs): hoisted loop / `nn.RNN` = "
            f"{cpp_ratio}."
        )
    gap = abs(predicted - measured) / measured * 100  # percent of the measured median
    line_text = (
        f"{gap:.1f}% apart, but {off:.1f} IQRs, more than the blocks' spread: the line is an "
        "approximation."
        if off > 2
        else f"{gap:.1f}% apart, {off:.1f} IQRs: within the blocks' spread at that length."
    )
    values = {
        "module_text": module_text,
        "hoist": f"{hoist:.1f}",
        "hoist_iqr": f"{st['hoisting the input projection'][2]:.1f}",
        "cpp_text": cpp_text,
        "lstm_ratio": st["everything at once (LSTM)"][1],
        "r5": ratio[5],
        "r50": ratio[50],
        "r200": ratio[200],
        "loop5": f"{loop[0]:.1f}",
        "loop200": f"{loop[2]:.1f}",
        "rnn5": f"{rnn[0]:.1f}",
        "rnn200": f"{rnn[2]:.1f}",
        "fixed": line[1],
        "slope": line[2],
        "pred": str(predicted),
        "meas": str(measured),
        "line_text": line_text,
    }
    for cell in nb.cells:
        for start, text in _CHAPTER_12_TEXT.items():
            if cell.cell_type == "markdown" and cell.source.startswith(start):
                for key, value in values.items():
                    text = text.replace(f"«{key}»", value)
                cell.source = textwrap.fill(  # one paragraph, lines of at most 99 characters
                    " ".join(text.split()), 99, break_long_words=False, break_on_hyphens=False
                )
    nbformat.write(nb, path)
    return values


# --- Seed sweeps (issue 19): the chapters' own training code over more seeds --------------------
# Each sweep executes a chapter's code cells up to a marker (skipping cells tagged
# raises-exception and cells that read the stored sweeps), then runs a short program with the
# functions the page defined. The results go to rnnlab/_sweeps_data.py, which the pages read
# through rnnlab.sweeps.stored. About 4 minutes on 2 cores.

SWEEP_SEEDS = list(range(20))

SWEEPS = {
    "07": (
        "## 8. What did it learn?",
        """
out = {"H = 5 validation": [], "H = 2 validation": [], "left-trained on C or D": []}
out |= {name: [] for name in tests}
out |= {"bi h_n reverse, fitted": [], "bi h_n reverse, fresh": []}
out |= {"bi output reverse, fitted": [], "bi output reverse, fresh": []}
out |= {"bi h_n validation": [], "bi output validation": []}
out |= {"bi output, reverse half replaced by its mean": []}
out |= {"bi output, forward half replaced by its mean": []}
x_fresh, y_fresh = data.square_walks(4000, seed=99)
for seed in SEEDS:
    m5, a5 = train_classifier(seed, hidden_size=5)
    out["H = 5 validation"].append(a5)
    out["H = 2 validation"].append(train_classifier(seed, hidden_size=2)[1])
    for name, (x, y) in tests.items():
        out[name].append(accuracy(m5, x, y))
    left, _ = train_classifier(seed, x=x_train[starts_left], y=y_train[starts_left])
    out["left-trained on C or D"].append(accuracy(left, x_right, y_right))
    for read in ("h_n", "output"):
        bi_model, bi_accuracy = train_classifier(seed, bidirectional=True, read=read)
        out[f"bi {read} validation"].append(bi_accuracy)
        with torch.no_grad():
            o, h = bi_model.rnn(x_val)
            o_f, h_f = bi_model.rnn(x_fresh)
        rev = h[-1] if read == "h_n" else o[:, -1, 5:]
        rev_f = h_f[-1] if read == "h_n" else o_f[:, -1, 5:]
        out[f"bi {read} reverse, fitted"].append(train.linear_probe(rev, y_val))
        out[f"bi {read} reverse, fresh"].append(
            train.linear_probe(rev, y_val, held_out=(rev_f, y_fresh))
        )
        if read == "output":  # the head on the fresh walks, one half of output[:, -1] blanked
            last = o_f[:, -1]  # (4000, 10): forward [:5], reverse [5:]
            for half, cols in (("reverse", slice(5, 10)), ("forward", slice(0, 5))):
                blanked = last.clone()
                blanked[:, cols] = last[:, cols].mean(dim=0)  # every walk gets the mean
                with torch.no_grad():
                    right = bi_model.classifier(blanked).argmax(dim=1) == y_fresh
                out[f"bi output, {half} half replaced by its mean"].append(
                    right.float().mean().item()
                )
""",
    ),
    "08": (
        "## 7. Five misconceptions, tested",
        """
out = {}
for name, make in [
    ("course", ManyToOne),
    ("forum", ForumModel),
    ("forum, tanh", lambda: ForumModel(nonlinearity="tanh")),
    ("course, relu", lambda: ManyToOne(nonlinearity="relu")),
]:
    out[name] = [train_model(make, s, y_train, y_val)[1].val_loss[-1] for s in SEEDS]
for warm_up in (10, 0):
    runs = [train_many_to_many(s, warm_up) for s in SEEDS]
    out[f"warm-up {warm_up}, epochs 21-30"] = [sum(curve[-10:]) / 10 for _, curve in runs]
with torch.no_grad():  # the runs of warm-up 0: trained on every step
    errors = [(m(x_val) - s_val).abs().mean(dim=(0, 2)) for m, _ in runs]  # (L,) each
out["warm-up 0, error steps 1-5 / steps 21-40"] = [e[:5].mean() / e[20:].mean() for e in errors]
""",
    ),
    "09": (
        "## Summary",
        """
out = {"packed": [], "packed, 4 more padded steps": [], "padded": []}
out["padded, 4 more padded steps"] = []
for seed in SEEDS:
    for pack, name in ((True, "packed"), (False, "padded")):
        model = train_classifier(pack, seed)
        out[name].append(accuracy(model, collate(test_pairs, pack=pack)))
        more = accuracy(model, collate(test_pairs, pack=pack, extra_padding=4))
        out[name + ", 4 more padded steps"].append(more)
""",
    ),
    "10": (
        "## 8. The gradient that reaches the first step",
        """
out = {}
for name, (kind, keep) in {**configs, "GRU": ("GRU", 0.0), "LSTM": ("LSTM", 0.0)}.items():
    for T in (LENGTHS if keep or kind == "RNN" else (32,)):
        out[f"{name}, T = {T}"] = [train_memory(kind, T, s, keep_bias=keep)[1] for s in SEEDS]
""",
    ),
}


def _run_chapter_prefix(chapter: str, marker: str) -> dict:
    """Execute a chapter's code cells before the cell that contains ``marker``."""
    path = next((ROOT / "notebooks").glob(f"{chapter}_*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__sweep__"}
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        for cell in nb.cells:
            if marker in cell.source:
                return namespace
            if (
                cell.cell_type != "code"
                or "sweeps.stored" in cell.source
                or "stored[" in cell.source
            ):
                continue  # prose, or a cell that reads what this run is about to write
            try:
                exec(compile(cell.source, f"{path.name}", "exec"), namespace)
            except Exception:
                if "raises-exception" not in cell.metadata.get("tags", []):
                    raise  # only the cells meant to fail may fail
    finally:
        os.chdir(cwd)
    raise ValueError(f"{marker!r} not found in {path.name}")


def _write_sweeps(results: dict) -> None:
    """Write rnnlab/_sweeps_data.py atomically (temporary file, fsync, replace)."""
    import json
    import textwrap

    lines = [
        '"""Written by benchmarks/course.py --seed-sweeps; read it with rnnlab.sweeps.stored."""',
        "",
        "# fmt: off",
        "RESULTS: dict = {",
    ]
    for chapter in sorted(results):
        lines.append(f"    {json.dumps(chapter)}: {{")
        for key in sorted(results[chapter]):
            value = results[chapter][key]
            if isinstance(value, str):
                lines.append(f"        {json.dumps(key, ensure_ascii=False)}: {json.dumps(value)},")
                continue
            lines.append(f"        {json.dumps(key, ensure_ascii=False)}: [")
            numbers = ", ".join(repr(v) for v in value) + ","
            lines += textwrap.wrap(numbers, 99, initial_indent=" " * 12, subsequent_indent=" " * 12)
            lines.append("        ],")
        lines.append("    },")
    lines += ["}", "# fmt: on"]
    target = ROOT / "rnnlab" / "_sweeps_data.py"
    temporary = target.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def seed_sweeps(chapters: list[str] | None = None) -> dict:
    """Run each chapter's sweep over SWEEP_SEEDS; write rnnlab/_sweeps_data.py atomically."""
    import matplotlib

    matplotlib.use("Agg")
    from rnnlab._sweeps_data import RESULTS

    results = dict(RESULTS)
    for chapter in chapters or sorted(SWEEPS):
        marker, program = SWEEPS[chapter]
        start = time.perf_counter()
        namespace = _run_chapter_prefix(chapter, marker)
        namespace["SEEDS"] = SWEEP_SEEDS if chapter != "08" else SWEEP_SEEDS[:10]
        exec(program, namespace)
        out = {k: [round(float(v), 4) for v in values] for k, values in namespace["out"].items()}
        out["seeds"] = list(namespace["SEEDS"])
        out["conditions"] = f"CPU, float32, torch {torch.__version__}, one thread"
        results[chapter] = out
        _write_sweeps(results)  # after each chapter: a failure later keeps it
        print(f"chapter {chapter}: {len(out) - 2} series in {time.perf_counter() - start:.0f} s")
    return results


_TEXT_CHAPTER = ROOT / "notebooks" / "11_text_language_model.ipynb"
#: Where the text chapter's seed runs are stored; its cell that starts with TEXT_STORED reads it.
TEXT_SEEDS = ROOT / "rnnlab" / "text_seeds.json"
#: The first line of the text chapter's cell that holds the stored seed runs.
TEXT_STORED = "# Written by benchmarks/course.py --refill-text-seeds"


def text_seeds_json(stored: dict) -> str:
    """The seed runs as ``rnnlab/text_seeds.json`` stores them: one run's losses per line."""
    import json

    lines = ["{"]
    for k, (kind, runs) in enumerate(stored.items()):
        rows = [f"      {json.dumps(losses)}" for losses in runs["losses"]]
        lines += [f'  "{kind}": {{', '    "losses": [', ",\n".join(rows), "    ],"]
        lines.append(f'    "largest": {json.dumps(runs["largest"])}')
        lines.append("  }," if k < len(stored) - 1 else "  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def refill_text_seeds(path: Path = _TEXT_CHAPTER, seeds: int = 10, epochs: int = 5) -> dict:
    """Train the text chapter's plain RNN, GRU and LSTM for ``seeds`` seeds with the chapter's
    own cells (every code cell above the stored one, then its ``train_model``), and write the
    held-out losses and largest gradient norms into ``rnnlab/text_seeds.json`` (atomically), which
    the stored cell reads. Re-execute the chapter
    afterwards; about 7 minutes on 2 cores (measured at the refill for issue 22)."""
    import json

    nb = nbformat.read(path, as_version=4)
    where = next(i for i, c in enumerate(nb.cells) if c.source.startswith(TEXT_STORED))
    sweep = (
        (
            "import json\n"
            "runs = {kind: [train_model(kind, seed, epochs=EPOCHS)[1:] for seed in range(SEEDS)]\n"
            "        for kind in ('RNN', 'GRU', 'LSTM')}\n"
            "print(json.dumps({kind: {'losses': [[round(v, 4) for v in l] for l, _ in r],\n"
            "                         'largest': [round(m, 3) for _, m in r]}\n"
            "                  for kind, r in runs.items()}))"
        )
        .replace("EPOCHS", str(epochs))
        .replace("SEEDS", str(seeds))
    )
    cells = [c for c in nb.cells[:where] if c.cell_type == "code"]
    run = nbformat.v4.new_notebook(cells=[*cells, nbformat.v4.new_code_cell(sweep)])
    NotebookClient(
        run,
        timeout=3600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    stored = json.loads("".join(o.get("text", "") for o in run.cells[-1].outputs))
    atomic_write(TEXT_SEEDS, text_seeds_json(stored))
    return stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the pytest suite runs")
    parser.add_argument("--repeats", type=int, default=3, help="runs of the floor kernel")
    parser.add_argument(
        "--refill-chapter-12",
        action="store_true",
        help="only write chapter 12's stored timings into its prose (after re-executing it)",
    )
    parser.add_argument(
        "--refill-text-seeds",
        action="store_true",
        help="only train the text chapter's models over 10 seeds and store the figures in it",
    )
    parser.add_argument(
        "--seed-sweeps",
        nargs="*",
        metavar="CHAPTER",
        help="only run the stored seed sweeps (all, or the chapters named: 07 08 09 10)",
    )
    args = parser.parse_args()
    if args.seed_sweeps is not None:
        torch.set_num_threads(1)
        seed_sweeps(args.seed_sweeps or None)
        return
    if args.refill_text_seeds:
        print(refill_text_seeds())
        return
    if args.refill_chapter_12:
        print(refill_chapter_12())
        return
    cores = os.cpu_count() or 1

    bare, checked = floor(args.repeats)
    times = chapters()
    n = len(times)
    print(f"machine: {cores} cores, torch {torch.__version__}, one torch thread per kernel\n")
    print("| chapter | seconds | x floor |")
    print("|---|---:|---:|")
    for stem, seconds in times.items():
        print(f"| {stem} | {seconds:.1f} | {seconds / bare:.1f} |")
    total = sum(times.values())
    print(f"| **all {n}, serial** | **{total:.1f}** | **{total / bare:.1f}** |\n")
    print(
        f"floor: kernel + import torch + rnnlab = {bare:.2f} s; with torch's first "
        f"assert_close (it imports torch.distributed.tensor) = {checked:.2f} s"
    )
    target = 1.5 * n * bare / cores
    print(f"target for the notebooks' share: 1.5 x {n} x {bare:.2f} / {cores} = {target:.1f} s\n")

    if not args.quick:
        nb_parallel = pytest_wall("notebooks")
        nb_serial = pytest_wall("notebooks", "-n", "0")
        suite_parallel = pytest_wall()
        suite_serial = pytest_wall("-n", "0")
        print("| run (pytest) | serial | parallel (xdist, loadfile) | speed-up |")
        print("|---|---:|---:|---:|")
        print(
            f"| notebooks under nbval | {nb_serial:.1f} s | {nb_parallel:.1f} s | "
            f"{nb_serial / nb_parallel:.2f} |"
        )
        print(
            f"| whole suite | {suite_serial:.1f} s | {suite_parallel:.1f} s | "
            f"{suite_serial / suite_parallel:.2f} |\n"
        )
        print(
            f"notebooks' share, parallel: {nb_parallel:.1f} s = {nb_parallel / bare:.1f} x "
            f"floor (target {target:.1f} s: {'met' if nb_parallel <= target else 'missed'}); "
            f"whole suite {suite_parallel:.1f} s (target 60 s: "
            f"{'met' if suite_parallel < 60 else 'missed'})\n"
        )

    print("| a fresh process | median seconds |")
    print("|---|---:|")
    for name, seconds in command_startup().items():
        print(f"| {name} | {seconds:.2f} |")
    print()

    print("| rnn_forward vs nn.RNN, L=100 N=64 H=64 | threads | nn.RNN | manual | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, threads, fused, mine in fused_versus_manual():
        print(
            f"| {name} | {threads} | {fused * 1e3:.2f} ms | {mine * 1e3:.2f} ms | "
            f"{mine / fused:.2f} |"
        )

    print("\n| chapter 12, L=50 N=16 H_in=8 H=32, no grad | threads | median | IQR | runs |")
    print("|---|---:|---:|---:|---:|")
    for name, threads, median, iqr, runs in inside_nn_rnn():
        print(f"| {name} | {threads} | {median * 1e6:.0f} µs | {iqr * 1e6:.1f} µs | {runs} |")
    print(
        "\n| rnn_backward vs autograd (forward + backward), L=100 N=64 H=64 | threads | autograd "
        "| by hand | ratio |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, threads, autograd, by_hand in backward_versus_autograd():
        print(
            f"| {name} | {threads} | {autograd * 1e3:.2f} ms | {by_hand * 1e3:.2f} ms | "
            f"{by_hand / autograd:.2f} |"
        )


if __name__ == "__main__":
    main()
