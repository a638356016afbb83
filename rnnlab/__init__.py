"""RNN Lab: the helper package of the course.

The notebooks keep the teaching code (loops, matrix products, ``permute``) in their cells; this
package holds what would distract from it, one module per concept:

- ``rnnlab.data``: the square-direction dataset and time-series windows;
- ``rnnlab.manual``: reference implementations of ``nn.RNNCell``, ``nn.RNN`` (forward and
  backward), ``nn.GRU`` and ``nn.LSTM`` built from tensor operations, and the state-dict
  surgery that splits an RNN into its layers and directions;
- ``rnnlab.shapes``: what shapes an RNN expects and returns, and clear errors when they are wrong;
- ``rnnlab.plots``: the course's figures (matplotlib, imported on first use);
- ``rnnlab.explorer``: an interactive shape explorer (ipywidgets, imported only by
  ``from rnnlab import explorer``, never by ``import rnnlab``);
- ``rnnlab.checks``: the checkers of the "Your turn" exercises, one module per chapter;
- ``rnnlab.train``: the training loop of the applied chapters;
- ``rnnlab.profile``: counts of the ATen operators a piece of code launches (chapter 12).

The course tooling (book, slides, student copies, doctor, the ``rnnlab`` command) lives in
``rnnlab.tooling``; ``import rnnlab`` loads none of it.

Notation everywhere is PyTorch's: L sequence length, N batch, H_in input features, H hidden size,
D directions.
"""

from __future__ import annotations

import importlib
import random

__all__ = [
    "checks",
    "data",
    "environment",
    "explorer",
    "manual",
    "plots",
    "profile",
    "set_seed",
    "shapes",
    "train",
]
__version__ = "0.1.0"


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch, so a notebook is repeatable.

    Raises:
        TypeError: when ``seed`` is not an integer.
        ValueError: when ``seed`` is negative (NumPy accepts only 0 <= seed < 2**32).

    Used in: every notebook's setup cell.
    """
    import numpy as np
    import torch

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"set_seed expects an integer seed such as 19, got {type(seed).__name__}")
    if not 0 <= int(seed) < 2**32:
        raise ValueError(f"set_seed expects a seed between 0 and 2**32 - 1, got {seed}")
    random.seed(int(seed))
    np.random.seed(int(seed))
    torch.manual_seed(int(seed))


def environment() -> str:
    """One line naming the torch version and the device the course computes on (always the CPU).

    The setup cell of every notebook prints it, so the stored outputs say what made them.
    """
    import torch

    version = torch.__version__.split("+")[0]
    return f"torch {version}, computing on the CPU"


_SUBMODULES = ("checks", "data", "explorer", "manual", "plots", "profile", "shapes", "train")


def __getattr__(name: str):
    # Submodules load on first use: `import rnnlab` alone imports neither torch nor matplotlib,
    # so the tooling (rnnlab doctor) runs even where torch is missing or broken.
    if name in _SUBMODULES:
        return importlib.import_module(f"rnnlab.{name}")
    raise AttributeError(f"module 'rnnlab' has no attribute {name!r}")
