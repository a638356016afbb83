"""Checkers for the "Your turn" exercises, one module per chapter.

Each checker takes the student's answer and returns a ``Result`` that prints one of three
verdicts: correct; not quite, with a hint aimed at the likely mistake; or not attempted yet (the
answer is still the ``...`` placeholder). A checker never prints the expected value.
The design follows Kaggle's learntools (``EqualityCheckProblem``, ``NotAttempted``).

Where things are:

- ``rnnlab.checks._verdict``: ``Result``, the three verdicts and the helpers every checker uses
  (running the student's function, reading a number or a shape from an answer);
- one module per chapter, named after the chapter's topic: ``rnn_cell``, ``nn_rnn``,
  ``batch_first``, ``stacked``, ``bidirectional``, ``classify_directions``,
  ``time_series_windows``, ``variable_length``, ``gru_lstm``, ``why_fused_is_fast``.

Notebooks call every checker through this package (``checks.my_rnn_cell(...)``).

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from rnnlab.checks._verdict import Result
from rnnlab.checks.batch_first import (
    fixed_classifier,
    run_batch_first,
    single_steps,
    to_sequence_first,
    windows_batch,
)
from rnnlab.checks.bidirectional import bidirectional_features, final_states
from rnnlab.checks.classify_directions import accuracy_value, head_in_features
from rnnlab.checks.gru_lstm import forget_gate_rows, lstm_shapes
from rnnlab.checks.nn_rnn import forum_inputs, predicted_shapes
from rnnlab.checks.rnn_cell import cell_weight_shapes, forum_final_state, my_rnn_cell
from rnnlab.checks.stacked import layer_state
from rnnlab.checks.time_series_windows import initial_state, window_count
from rnnlab.checks.variable_length import last_valid_outputs, packed_batch_sizes
from rnnlab.checks.why_fused_is_fast import matmul_count, projected_loop

#: The chapter modules, in course order; the tooling reads the checkers' hints from them.
CHAPTER_MODULES = (
    "rnn_cell",
    "nn_rnn",
    "batch_first",
    "stacked",
    "bidirectional",
    "classify_directions",
    "time_series_windows",
    "variable_length",
    "gru_lstm",
    "why_fused_is_fast",
)

__all__ = [
    "Result",
    "accuracy_value",
    "bidirectional_features",
    "cell_weight_shapes",
    "final_states",
    "fixed_classifier",
    "forget_gate_rows",
    "forum_final_state",
    "forum_inputs",
    "head_in_features",
    "initial_state",
    "last_valid_outputs",
    "layer_state",
    "lstm_shapes",
    "matmul_count",
    "my_rnn_cell",
    "packed_batch_sizes",
    "predicted_shapes",
    "projected_loop",
    "run_batch_first",
    "single_steps",
    "to_sequence_first",
    "window_count",
    "windows_batch",
]
