"""Checkers for the "Your turn" exercises, one module per chapter.

Each checker takes the student's answer and returns a ``Result`` that prints one of three
verdicts: correct; not quite, with a hint aimed at the likely mistake; or not attempted yet (the
answer is still the ``...`` placeholder). A checker never prints the expected value.
The design follows Kaggle's learntools (``EqualityCheckProblem``, ``NotAttempted``).

Where things are:

- ``rnnlab.checks._exercise``: ``Exercise``, one definition per exercise (starter, solution,
  probes, known mistakes as runnable wrong answers with hints that climb, points), and the
  checker made from it; ``checks.hint("name")`` gives the fix of the last wrong answer;
- ``rnnlab.checks._verdict``: ``Result``, the three verdicts and the helpers every checker uses
  (running the student's function, reading a number or a shape from an answer) and
  ``guarded``, which every public checker runs under (no crash, a time limit, the global random
  state left alone);
- one module per chapter, named after the chapter's topic: ``rnn_cell``, ``nn_rnn``,
  ``batch_first``, ``stacked``, ``bidirectional``, ``gradients``, ``classify_directions``,
  ``time_series_windows``, ``variable_length``, ``gru_lstm``, ``language_model``,
  ``inside_nn_rnn``.

Notebooks call every checker through this package (``checks.my_rnn_cell(...)``).

Shapes: L sequence length, N batch, H_in input features, H hidden size, D directions.
"""

from __future__ import annotations

from rnnlab.checks import _verdict
from rnnlab.checks._exercise import REGISTRY, hint
from rnnlab.checks._exercise import copy_versions as copy_versions  # the student copies' stamp
from rnnlab.checks._verdict import Result
from rnnlab.checks.batch_first import (
    fixed_classifier,
    run_batch_first,
    single_steps,
    to_sequence_first,
    windows_batch,
)
from rnnlab.checks.bidirectional import (
    bidirectional_by_hand,
    bidirectional_head,
    bidirectional_shapes,
    final_states,
)
from rnnlab.checks.classify_directions import (
    accuracy_value,
    bidirectional_summary,
    direction_rule,
    head_in_features,
    head_input,
)
from rnnlab.checks.gradients import backward_step, clipped_step, predicted_norm
from rnnlab.checks.gru_lstm import (
    forget_bias,
    forget_gate_rows,
    gru_step,
    lstm_classifier,
    lstm_shapes,
)
from rnnlab.checks.inside_nn_rnn import fixed_loop, matmul_count, projected_loop
from rnnlab.checks.language_model import language_model_shapes, lm_loss, sampling_loop
from rnnlab.checks.nn_rnn import hidden_size_message, last_step_states, predicted_shapes
from rnnlab.checks.rnn_cell import (
    cell_parameters,
    cell_weight_shapes,
    forum_final_state,
    loop_final_state,
    my_rnn_cell,
)
from rnnlab.checks.stacked import layer_state, stacked_forward, stacked_head, stacked_shapes
from rnnlab.checks.time_series_windows import (
    flatten_outputs,
    flatten_row_zero,
    initial_state,
    next_step_windows,
    window_count,
)
from rnnlab.checks.variable_length import (
    last_both_directions,
    last_valid_outputs,
    masked_mean,
    masked_mean_divisors,
    packed_batch_sizes,
)

#: Every exercise defined once (``rnnlab.checks._exercise.Exercise``), by id, in course order
#: as far as chapters are ported; the tooling (hints page, student copies, grading) reads it.
EXERCISES = REGISTRY

#: The chapter modules, in course order; the tooling reads the checkers' hints from them.
CHAPTER_MODULES = (
    "rnn_cell",
    "nn_rnn",
    "batch_first",
    "stacked",
    "bidirectional",
    "gradients",
    "classify_directions",
    "time_series_windows",
    "variable_length",
    "gru_lstm",
    "language_model",
    "inside_nn_rnn",
)

__all__ = [
    "Result",
    "accuracy_value",
    "backward_step",
    "bidirectional_by_hand",
    "bidirectional_head",
    "bidirectional_shapes",
    "bidirectional_summary",
    "cell_parameters",
    "cell_weight_shapes",
    "clipped_step",
    "direction_rule",
    "final_states",
    "fixed_classifier",
    "fixed_loop",
    "flatten_outputs",
    "flatten_row_zero",
    "forget_bias",
    "forget_gate_rows",
    "forum_final_state",
    "gru_step",
    "head_in_features",
    "head_input",
    "hint",
    "hidden_size_message",
    "initial_state",
    "language_model_shapes",
    "last_both_directions",
    "last_step_states",
    "last_valid_outputs",
    "layer_state",
    "lm_loss",
    "loop_final_state",
    "lstm_classifier",
    "lstm_shapes",
    "masked_mean",
    "masked_mean_divisors",
    "matmul_count",
    "my_rnn_cell",
    "next_step_windows",
    "packed_batch_sizes",
    "predicted_norm",
    "predicted_shapes",
    "projected_loop",
    "run_batch_first",
    "sampling_loop",
    "single_steps",
    "stacked_forward",
    "stacked_head",
    "stacked_shapes",
    "to_sequence_first",
    "window_count",
    "windows_batch",
]

# Every checker runs guarded: it never crashes, never hangs (the student's code gets
# _verdict.TIME_LIMIT seconds) and leaves the global random generators as they were.
for _name in __all__:
    if _name != "Result":
        globals()[_name] = _verdict.guarded(globals()[_name])
