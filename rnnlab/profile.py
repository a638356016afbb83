"""Count the operators a piece of PyTorch code launches, without a profiler and without output.

``count_operators(function, *args)`` runs ``function(*args)`` under a
``TorchDispatchMode`` that counts every ATen operator reaching the dispatcher (``addmm``,
``tanh``, ``mkldnn_rnn_layer``...), after autograd and after composite operators such as
``matmul`` or ``linear`` have been decomposed into the kernels that really run. Unlike
``torch.profiler``, which writes timestamped lines to the process's stderr, it prints nothing,
and its counts are the same on every run, so a notebook can compare them.

``matrix_products`` reads the number of matrix products from such a count, and
``output_shapes(name, function, *args)`` lists the shape of every result of one operator, in
the order they ran (which product multiplies the whole input, which one a single step).
``count_with_warnings`` also returns the ``UserWarning`` messages a count gave.
``operators_inside(function, *args)`` shows what a count does not: which operator ran inside
which other one (``aten::cat`` inside ``aten::stack``), read from ``torch.autograd.profiler``.

Reference: ``torch.utils._python_dispatch.TorchDispatchMode`` (PyTorch's mode for intercepting
operators below autograd, used by its own FLOP counter, ``torch.utils.flop_counter``).

Shapes: L sequence length, N batch, H_in input features, H hidden size.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Callable

import torch
from torch.utils._python_dispatch import TorchDispatchMode

__all__ = [
    "MATRIX_PRODUCTS",
    "OperatorCounter",
    "count_operators",
    "matrix_products",
    "operators_inside",
    "output_shapes",
    "summary",
]

#: ATen operators that multiply matrices (or batches of them, or a matrix by a vector).
MATRIX_PRODUCTS = frozenset(
    {"mm", "addmm", "bmm", "baddbmm", "addbmm", "mv", "addmv", "dot", "vdot", "_addmm_activation"}
)


class OperatorCounter(TorchDispatchMode):
    """A dispatch mode that counts the ATen operators run inside its ``with`` block.

    ``counts`` maps each operator's name (``"addmm"``, ``"tanh"``, ``"add_"``) to how many times
    it ran. Nothing is printed and nothing about the computation changes.

    Used in: 12_inside_nn_rnn.
    """

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # TorchDispatchMode wraps a subclass's __torch_dispatch__ so that torch.compile skips it;
        # the wrapper imports torch._dynamo (about a second) on first use. Counting never runs
        # under torch.compile, so this mode opts out, as PyTorch's own docstring shows.
        return False

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.counts[func.overloadpacket.__name__] += 1
        return func(*args, **(kwargs or {}))


def count_operators(function: Callable, *args, **kwargs) -> Counter:
    """Run ``function(*args, **kwargs)`` once and return how many times each operator ran.

    Shapes: whatever ``function`` takes; e.g. ``count_operators(rnn, x)`` with x (L, N, H_in).

    Raises:
        TypeError: ``function`` is not callable.
        Whatever ``function`` raises, unchanged.

    Used in: 12_inside_nn_rnn.
    """
    if not callable(function):
        raise TypeError(
            "count_operators expects a function to run, such as count_operators(rnn, x); "
            f"got {type(function).__name__}"
        )
    with OperatorCounter() as counter:
        function(*args, **kwargs)
    return counter.counts


def count_with_warnings(function: Callable, *args, **kwargs) -> tuple[Counter, list[str]]:
    """``count_operators(function, *args, **kwargs)``, and the messages of the ``UserWarning``
    it gave, in order (Python's filters are set to show each one; none is printed).

    A warning that PyTorch gives once per process from its C++ code (``proj_size`` on the
    oneDNN path) appears at the first call in a process only, whatever the filters say.

    Shapes: whatever ``function`` takes; e.g. ``count_with_warnings(lstm, x)``, x (L, N, H_in).

    Raises:
        TypeError: ``function`` is not callable.
        Whatever ``function`` raises, unchanged.

    Used in: 12_inside_nn_rnn.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = count_operators(function, *args, **kwargs)
    return counts, [str(w.message) for w in caught if issubclass(w.category, UserWarning)]


def matrix_products(counts: Counter | dict) -> int:
    """How many matrix products a count holds (``mm``, ``addmm``, ``bmm``... added up).

    Raises:
        TypeError: ``counts`` is not a mapping from operator names to counts.

    Used in: 12_inside_nn_rnn.
    """
    if not isinstance(counts, dict):
        raise TypeError(
            "matrix_products expects the Counter returned by count_operators, "
            f"got {type(counts).__name__}"
        )
    return sum(n for name, n in counts.items() if name in MATRIX_PRODUCTS)


def summary(counts: Counter | dict) -> str:
    """One line listing each operator and how many times it ran, by name, e.g. ``addmm x51``.

    Raises:
        TypeError: ``counts`` is not a mapping from operator names to counts.

    Used in: 12_inside_nn_rnn.
    """
    if not isinstance(counts, dict):
        raise TypeError(
            f"summary expects the Counter returned by count_operators, got {type(counts).__name__}"
        )
    return ", ".join(f"{name} x{n}" for name, n in sorted(counts.items()))


class _ShapeRecorder(OperatorCounter):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.shapes: list[tuple[int, ...]] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if func.overloadpacket.__name__ == self.name and hasattr(result, "shape"):
            self.shapes.append(tuple(result.shape))
        return result


def output_shapes(name: str, function: Callable, *args, **kwargs) -> list[tuple[int, ...]]:
    """Run ``function(*args, **kwargs)`` once; the shape of each result of operator ``name``.

    Shapes: e.g. ``output_shapes("addmm", rnn, x)`` with x (L, N, H_in) lists one (L*N, H) for
    the input projection of all steps, then (N, H) for each step.

    Raises:
        TypeError: ``name`` is not an operator name such as "addmm", or ``function`` is not
            callable.
        Whatever ``function`` raises, unchanged.

    Used in: 12_inside_nn_rnn.
    """
    if not isinstance(name, str):
        raise TypeError(
            f"output_shapes expects an operator name such as 'addmm' first, got {name!r}"
        )
    if not callable(function):
        raise TypeError(
            "output_shapes expects a function to run after the name, such as "
            f"output_shapes('addmm', rnn, x); got {type(function).__name__}"
        )
    with _ShapeRecorder(name) as recorder:
        function(*args, **kwargs)
    return recorder.shapes


def operators_inside(function: Callable, *args, **kwargs) -> set[tuple[str, str]]:
    """Run ``function(*args, **kwargs)`` once under ``torch.autograd.profiler``; return each
    operator it ran with the operator it ran inside, ``("aten::cat", "aten::stack")``, or
    ``"-"`` for one called directly.

    Unlike a dispatch mode, the profiler records the operators an operator kernel calls inside
    itself. It also writes two lines of its own to the process's error output (file descriptor
    2, below Python's ``sys.stderr``), which this function sends to ``os.devnull``.

    Shapes: whatever ``function`` takes; e.g. ``operators_inside(torch.stack, [a, b])``.

    Raises:
        TypeError: ``function`` is not callable.
        Whatever ``function`` raises, unchanged (the error output restored).

    Used in: 12_inside_nn_rnn.
    """
    if not callable(function):
        raise TypeError(
            "operators_inside expects a function to run, such as operators_inside(torch.stack, "
            f"[a, b]); got {type(function).__name__}"
        )
    saved_stderr = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            with torch.autograd.profiler.profile(use_kineto=False) as recorded:
                function(*args, **kwargs)
    finally:
        os.dup2(saved_stderr, 2)  # the error output back
        os.close(saved_stderr)
    return {
        (event.name, event.cpu_parent.name if event.cpu_parent else "-")
        for event in recorded.function_events
    }
