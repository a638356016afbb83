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

Reference: ``torch.utils._python_dispatch.TorchDispatchMode`` (PyTorch's mode for intercepting
operators below autograd, used by its own FLOP counter, ``torch.utils.flop_counter``).

Shapes: L sequence length, N batch, H_in input features, H hidden size.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from torch.utils._python_dispatch import TorchDispatchMode

__all__ = [
    "MATRIX_PRODUCTS",
    "OperatorCounter",
    "count_operators",
    "matrix_products",
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
