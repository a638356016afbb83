"""Chapter 01's checkers beyond what tests/test_exercises.py derives from the definitions: right
answers written differently, the review's wrong answers that used to pass, calls from older
copies, answers of the wrong form, and the template's ``cell_weight_shapes``."""

import numpy as np
import pytest
import torch
from torch import nn

from rnnlab import checks, manual
from rnnlab.checks import _exercise

CELL_1 = nn.RNNCell(input_size=7, hidden_size=4)


@pytest.fixture(autouse=True)
def _first_try():
    """Each test is a first try: the hint level depends on the wrong tries in this kernel."""
    _exercise._TRIES.clear()


def _status(result):
    return result.status


# --- cell_parameters --------------------------------------------------------------------------


def test_cell_parameters_accepts_the_answer_written_many_ways():
    assert checks.cell_parameters(CELL_1, (4, 7), (4, 4), 52)
    assert checks.cell_parameters(CELL_1, torch.Size([4, 7]), [4, 4], np.int64(52))
    assert checks.cell_parameters(CELL_1, np.array([4, 7]), (4, 4), torch.tensor(52))


def test_cell_parameters_from_an_older_copy_without_the_cell():
    assert checks.cell_parameters((4, 7), (4, 4), 52)
    assert _status(checks.cell_parameters((7, 4), (4, 4), 52)) == "incorrect"


def test_cell_parameters_follows_the_cell_it_is_handed():
    assert checks.cell_parameters(nn.RNNCell(3, 5), (5, 3), (5, 5), 50)


@pytest.mark.parametrize(
    ("answers", "status"),
    [
        (((4, 7), (4, 4), ...), "not attempted"),
        (((4, 7), (4, 4), 52.5), "incorrect"),
        ((("4", "7"), (4, 4), 52), "incorrect"),
        (((True, 7), (4, 4), 52), "incorrect"),
    ],
)
def test_cell_parameters_answers_of_the_wrong_form(answers, status):
    assert _status(checks.cell_parameters(CELL_1, *answers)) == status


def test_results_never_print_the_expected_value():
    for result in (
        checks.cell_parameters(CELL_1, (1, 1), (1, 1), 5),
        checks.cell_parameters(CELL_1, (4, 7), (4, 4), 5),
        checks.forum_final_state(3.0),
    ):
        text = repr(result)
        assert "(4, 7)" not in text
        assert "52" not in text
        assert "41.6" not in text


# --- my_rnn_cell: one matrix product ----------------------------------------------------------


def _solution_step(x, h, cell):
    xh = torch.cat([x, h], dim=1)  # (N, H_in + H)
    w = torch.cat([cell.weight_ih, cell.weight_hh], dim=1)  # (H, H_in + H)
    return torch.tanh(xh @ w.T + cell.bias_ih + cell.bias_hh)


def test_my_rnn_cell_right_answers_written_differently():
    def with_linear(x, h, cell):
        w = torch.cat([cell.weight_ih, cell.weight_hh], 1)
        return torch.nn.functional.linear(
            torch.cat([x, h], 1), w, cell.bias_ih + cell.bias_hh
        ).tanh()

    def with_einsum(x, h, cell):
        w = torch.cat([cell.weight_ih, cell.weight_hh], 1)
        return torch.tanh(
            torch.einsum("nk,hk->nh", torch.cat([x, h], 1), w) + cell.bias_ih + cell.bias_hh
        )

    def with_addmm(x, h, cell):
        w = torch.cat([cell.weight_ih, cell.weight_hh], 1)
        return torch.addmm(cell.bias_ih + cell.bias_hh, torch.hstack([x, h]), w.T).tanh()

    def as_numpy(x, h, cell):
        return _solution_step(x, h, cell).numpy()

    for step in (_solution_step, with_linear, with_einsum, with_addmm):
        assert checks.my_rnn_cell(step), step.__name__
    result = checks.my_rnn_cell(as_numpy)
    assert not result
    assert "the numbers are right, but its type is ndarray, not torch.Tensor" in result.message


@pytest.mark.parametrize(
    "step",
    [
        lambda x, h, c: torch.tanh(x @ c.weight_ih.T + c.bias_ih + h @ c.weight_hh.T + c.bias_hh),
        lambda x, h, c: manual.rnn_cell(x, h, c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh),
        lambda x, h, c: c(x, h),
        lambda x, h, c: torch.rnn_tanh_cell(x, h, c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh),
    ],
    ids=["two products", "manual.rnn_cell", "the cell", "rnn_tanh_cell"],
)
def test_my_rnn_cell_rejects_two_products_however_hidden(step):
    """Review of chapter 01: these used to get a tick for the "one product" exercise."""
    result = checks.my_rnn_cell(step)
    assert _status(result) == "incorrect"
    assert "the numbers are right" in result.message


def test_my_rnn_cell_rejects_an_elementwise_product_with_no_matrix_product():
    def elementwise(x, h, cell):
        xh = torch.cat([x, h], 1)  # (N, H_in + H)
        w = torch.cat([cell.weight_ih, cell.weight_hh], 1)  # (H, H_in + H)
        return torch.tanh((xh[:, None, :] * w).sum(-1) + cell.bias_ih + cell.bias_hh)

    assert _status(checks.my_rnn_cell(elementwise)) == "incorrect"


def test_my_rnn_cell_rejects_a_step_that_changes_the_cell():
    def frozen(x, h, cell):
        cell.weight_ih.requires_grad_(False)  # in place: the caller's cell changes
        return _solution_step(x, h, cell)

    result = checks.my_rnn_cell(frozen)
    assert _status(result) == "incorrect"
    assert "was changed" in result.message


def test_my_rnn_cell_checks_the_dtype():
    """Review of chapter 01: a float64 result used to pass."""

    def in_float64(x, h, cell):
        return _solution_step(x.double(), h.double(), cell.double())  # cell.double() is in place

    def copy_in_float64(x, h, cell):
        return _solution_step(x, h, cell).double()

    for step in (in_float64, copy_in_float64):
        result = checks.my_rnn_cell(step)
        assert _status(result) == "incorrect", step.__name__
        assert "dtype" in result.message, result


def test_my_rnn_cell_names_the_order_of_the_blocks():
    """Review of chapter 01: [h, x] with [weight_ih, weight_hh] got only the full formula."""

    def swapped(x, h, cell):
        xh = torch.cat([h, x], dim=1)  # (N, H + H_in): h first
        w = torch.cat([cell.weight_ih, cell.weight_hh], dim=1)  # (H, H_in + H): weight_ih first
        return torch.tanh(xh @ w.T + cell.bias_ih + cell.bias_hh)

    assert "order of the blocks" in checks.my_rnn_cell(swapped).message


def test_my_rnn_cell_stub_and_forms():
    def stub(x, h, cell): ...

    assert _status(checks.my_rnn_cell(stub)) == "not attempted"
    assert _status(checks.my_rnn_cell(...)) == "not attempted"
    assert "ZeroDivisionError" in checks.my_rnn_cell(lambda x, h, c: 1 / 0).message
    assert "has shape (2,)" in checks.my_rnn_cell(lambda x, h, c: [1.0, 2.0]).message


# --- loop_final_state -------------------------------------------------------------------------


def test_loop_final_state_right_answers_written_differently():
    def by_hand(cell, x):
        h = torch.zeros(x.shape[0], cell.hidden_size)
        for x_t in x.unbind(1):
            h = torch.tanh(
                x_t @ cell.weight_ih.T + cell.bias_ih + h @ cell.weight_hh.T + cell.bias_hh
            )
        return h

    def with_rnn(cell, x):
        h = None
        for t in range(x.shape[1]):
            h = cell(x[:, t], h)  # h = None: zeros
        return h

    for right in (by_hand, with_rnn):
        assert checks.loop_final_state(right), right.__name__
    assert _status(checks.loop_final_state(lambda c, x: None)) == "not attempted"


@pytest.mark.parametrize(
    ("index", "steps", "nudge"),
    [
        ("t", "range(1, L)", "which input does your loop read first?"),
        ("t - 1", "range(L)", "which input does each step read?"),
        ("t", "reversed(range(L))", "in which order does your loop read the steps?"),
    ],
    ids=["step 1 skipped", "inputs shifted", "reverse order"],
)
def test_loop_final_state_names_what_is_wrong_with_the_steps(index, steps, nudge):
    """Review of chapter 01: these pass h along, yet were told the loop kept the same state."""
    source = f"""
def final_state(cell, x):
    N, L, _ = x.shape
    h = torch.zeros(N, cell.hidden_size)
    for t in {steps}:
        h = cell(x[:, {index}], h)
    return h
"""
    namespace = {"torch": torch}
    exec(source, namespace)  # noqa: S102 - a student's answer
    message = checks.loop_final_state(namespace["final_state"]).message
    assert nudge in message
    assert "same one" not in message


@pytest.mark.parametrize("call", ["cell(x[:, t])", "cell(x[:, t], h0)"])
def test_loop_final_state_state_left_out_is_an_attempt(call):
    """Review of chapter 01: cell(x[:, t]) was told 'not attempted', as the buggy starter."""
    source = f"""
def final_state(cell, x):
    N, L, _ = x.shape
    h0 = torch.zeros(N, cell.hidden_size)
    h = h0
    for t in range(L):
        h = {call}
    return h
"""
    namespace = {"torch": torch}
    exec(source, namespace)  # noqa: S102 - a student's answer
    result = checks.loop_final_state(namespace["final_state"])
    assert _status(result) == "incorrect"
    assert "which state does each call of cell receive?" in result.message
    second = checks.loop_final_state(namespace["final_state"])  # a second try: the pointer
    assert "each call still starts from zeros: pass the state" in second.message


def test_loop_final_state_names_time_read_from_the_batch_dimension():
    """Fourth review of chapter 01: x[t] for x[:, t] fails on the sizes and was told "a number
    written into the code"; it gets its own hints, which climb."""

    def final_state(cell, x):
        N, L, _ = x.shape
        h = torch.zeros(N, cell.hidden_size)
        for t in range(L):
            h = cell(x[t], h)  # x[t] is a sequence, (L, H_in)
        return h

    first = checks.loop_final_state(final_state).message
    assert "which dimension of x does x[t] index?" in first
    assert "written into the code" not in first
    second = checks.loop_final_state(final_state).message
    assert "x[t] is the sequence at index t" in second
    assert "x[:, t]" in checks.hint("loop_final_state").message


# --- forum_final_state ------------------------------------------------------------------------


def test_forum_final_state_forms():
    h = 0.0
    for x in range(1, 10):
        h = max(0.0, 2 * x + 4 + 0.5 * h + 5)
    rights = (h, torch.tensor(h, dtype=torch.float64), np.float32(h), torch.tensor([h]))
    for right in (*rights, np.array([[h]])):
        assert checks.forum_final_state(right)
    assert checks.forum_final_state(round(h, 3))  # three decimals, rounded (h = 49.97265625)
    assert "decimals" in checks.forum_final_state(round(h, 1)).message  # 50.0
    assert "decimals" in checks.forum_final_state(round(h, 2)).message  # 49.97: too few now
    assert "last decimal" in checks.forum_final_state(49.972).message  # cut, not rounded
    _exercise._TRIES.clear()
    cut = checks.forum_final_state(49.9).message  # cut, not rounded: fourth review of 01
    assert "decimals" in cut
    assert "Apply the cell's equation" not in cut
    for wrong in ("many", torch.ones(2), (), 49.96):
        assert _status(checks.forum_final_state(wrong)) == "incorrect"
    said = checks.forum_final_state("49.97").message  # a number, not "a whole number"
    assert "a number" in said
    assert "whole" not in said
    assert _status(checks.forum_final_state(...)) == "not attempted"


# --- cell_weight_shapes (the template's example) ----------------------------------------------


def test_cell_weight_shapes_of_the_template():
    assert checks.cell_weight_shapes((3, 5), (3, 3))
    assert checks.cell_weight_shapes(torch.Size([3, 5]), [np.int64(3), 3])
    wrong = checks.cell_weight_shapes((5, 3), (3, 3))
    assert _status(wrong) == "incorrect"
    assert "transposed" in repr(wrong)
    assert "weight_hh" in repr(checks.cell_weight_shapes((3, 5), (3, 5)))
    assert _status(checks.cell_weight_shapes(..., ...)) == "not attempted"
    assert _status(checks.cell_weight_shapes("3x5", (3, 3))) == "incorrect"
    assert "(3, 5)" not in repr(checks.cell_weight_shapes((1, 1), (1, 1)))


def test_forum_final_state_says_a_bool_is_not_a_number():
    """Third review of chapter 01: True was told "(not a string)"."""
    for wrong in (True, False, np.bool_(True)):
        said = checks.forum_final_state(wrong).message
        assert "True and False are not numbers" in said
        assert "string" not in said


@pytest.mark.parametrize("total", [56, 61, 62])
def test_cell_parameters_first_reply_to_an_unknown_total_is_a_nudge(total):
    """Third review of chapter 01: an unrecognised n_params must not get the formula at once."""
    result = checks.cell_parameters(CELL_1, (4, 7), (4, 4), total)
    assert _status(result) == "incorrect"
    assert "n_params is not right" in result.message
    assert "H*H_in" not in result.message
    assert "52" not in result.message


def test_cell_parameters_names_weight_hh_counted_twice():
    """Fourth review of chapter 01: 60 = 4*7 + 2*4*4 got only "print n_params"."""
    first = checks.cell_parameters(CELL_1, (4, 7), (4, 4), 60)
    assert "add up each parameter once" in first.message
    again = checks.cell_parameters(CELL_1, (4, 7), (4, 4), 60)
    assert "weight_hh H*H" in again.message


def test_loop_final_state_names_the_last_row():
    """Fourth review of chapter 01: returning h[-1], shape (H,), got the generic nudge."""

    def final_state(cell, x):
        h = torch.zeros(x.shape[0], cell.hidden_size)
        for t in range(x.shape[1]):
            h = cell(x[:, t], h)
        return h[-1]

    checks.loop_final_state(final_state)
    said = checks.loop_final_state(final_state).message
    assert "last row" in said
    assert "(N, H)" in said


def test_my_rnn_cell_numpy_product_is_told_to_use_torch():
    """Fourth review of chapter 01: a NumPy xh @ w.T was only told to "multiply with @"."""

    def step(x, h, cell):
        xh = torch.cat([x, h], dim=1).numpy()
        w = torch.cat([cell.weight_ih, cell.weight_hh], dim=1).detach().numpy()
        return torch.tanh(torch.from_numpy(xh @ w.T) + cell.bias_ih + cell.bias_hh)

    checks.my_rnn_cell(step)
    said = checks.my_rnn_cell(step).message
    assert "NumPy" in said or "torch tensors" in said, said


@pytest.mark.parametrize("h0", [0.5, 1.0, 2.0, 2.5, 3.0])
def test_forum_final_state_refuses_a_start_other_than_zero(h0):
    """Fifth review of 01: the loop from h0 = 1, 2 or 2.5 passed (rtol 1e-4); now none of them."""
    h = h0
    for x in range(1, 10):
        h = max(0.0, 2 * x + 4 + 0.5 * h + 5)
    for answer in (h, round(h, 3)):
        assert _status(checks.forum_final_state(answer)) == "incorrect", (h0, answer)
    _exercise._TRIES.clear()
    _exercise._LAST.clear()
    if h0 == 1.0:  # the likeliest wrong start, a state of ones, is named
        assert "the state you start from" in checks.forum_final_state(h).message


def test_cell_parameters_names_weight_hh_in_the_textbook_layout():
    """Fifth review of 01: weight_hh_shape = (H_in, H) got only the generic ladder."""
    said = checks.cell_parameters(CELL_1, (4, 7), (7, 4), 52).message
    assert "weight_hh_shape: which dimension holds the hidden units" in said


def test_cell_parameters_names_each_bias_counted_as_one_number():
    """Fifth review of 01: n_params = 46 = 4*7 + 4*4 + 2 got only the generic ladder."""
    said = checks.cell_parameters(CELL_1, (4, 7), (4, 4), 46).message
    assert "how many numbers does each bias hold" in said


def test_my_rnn_cell_tells_a_list_its_type():
    """Sixth review of 01: a step returning .tolist() was told its dtype, not its type."""

    def step(x, h, cell):
        return _solution_step(x, h, cell).tolist()

    for _ in range(3):  # every hint level
        said = checks.my_rnn_cell(step).message
        assert "its type is list, not torch.Tensor" in said, said
        assert "dtype" not in said


def test_forum_final_state_takes_three_decimals_rounded_or_the_loop_value():
    """Sixth review of 01: rtol 1e-5 took 49.9725 and 49.9728 but not 49.972."""
    for right in (49.973, 49.97265625, torch.tensor(49.973), np.float32(49.973)):
        assert checks.forum_final_state(right), right
    for wrong in (49.9725, 49.9728, 49.972, 49.974, 49.97265625 + 2e-6):
        _exercise._TRIES.clear()
        assert _status(checks.forum_final_state(wrong)) == "incorrect", wrong
    for h0 in np.linspace(0.5, 3.0, 26):  # every start from 0.5 to 3 in steps of 0.1
        h = float(h0)
        for x in range(1, 10):
            h = max(0.0, 2 * x + 4 + 0.5 * h + 5)
        for answer in (h, round(h, 3)):
            assert _status(checks.forum_final_state(answer)) == "incorrect", (h0, answer)


def test_forum_final_state_calls_close_answers_close_on_both_sides():
    """Review z1 of 01: 49.9727 and 49.974 got "h_9 is not right", 49.97 and 49.972 "close"."""
    cases = {
        49.9727: "right value: give three decimals, rounded",  # four decimals
        49.97266: "right value: give three decimals, rounded",  # five decimals
        49.974: "close: check the last decimal",  # one above, upward
        49.9728: "close: check the last decimal",  # four decimals, not h_9's
        49.9695: "close: check the last decimal",  # below, no named mistake
    }
    for answer, nudge in cases.items():
        _exercise._TRIES.clear()
        _exercise._LAST.clear()
        said = checks.forum_final_state(answer)
        assert _status(said) == "incorrect", answer
        assert said.message.startswith(nudge), (answer, said.message)
    _exercise._TRIES.clear()
    _exercise._LAST.clear()
    assert "the state you start from" in checks.forum_final_state(49.974609375).message  # h0 = 1
    assert "close" not in checks.forum_final_state(49.96).message  # 0.0127 away: not close


def test_my_rnn_cell_cat_hint_fits_the_weights_joined_along_dim_0():
    """Review j1 of chapter 01: weights joined along dim 0 were told to fix the x/h cat."""

    def weights_dim0(x, h, cell):
        xh = torch.cat([x, h], dim=1)
        w = torch.cat([cell.weight_ih, cell.weight_hh], 0)  # (2H, ...) fails: H_in != H
        return torch.tanh(xh @ w.T + cell.bias_ih + cell.bias_hh)

    def xh_dim0(x, h, cell):
        xh = torch.cat([x, h], 0)  # fails: H_in != H
        w = torch.cat([cell.weight_ih, cell.weight_hh], dim=1)
        return torch.tanh(xh @ w.T + cell.bias_ih + cell.bias_hh)

    for step in (weights_dim0, xh_dim0):
        _exercise._TRIES.clear()
        first = checks.my_rnn_cell(step).message
        assert "torch.cat failed" in first, first
        assert "x and h sit" not in first, first
        second = checks.my_rnn_cell(step).message
        assert "weight_ih (H, H_in)" in second, second
        assert "h (N, H)" in second, second
