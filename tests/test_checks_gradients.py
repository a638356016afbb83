"""Chapter 06's checkers beyond what tests/test_exercises.py derives from the definitions (right
answers written differently, answers of the wrong form, calls from older copies, generated wrong
answers), and the chapter's figure."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from test_bad_input import _clear_or_fine, junk  # noqa: E402
from torch import nn  # noqa: E402

from rnnlab import checks, plots  # noqa: E402


def _status(result):
    return result.status


# --- backward_step ------------------------------------------------------------------------------


def solution_step(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = (grad_output_t + grad_next) * (h_t > 0)  # (N, H): a relu RNN
    return grad_a @ weight_hh, grad_a.T @ h_prev


def einsum_step(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_h = grad_next.clone()
    grad_h += grad_output_t
    grad_a = torch.where(h_t > 0, grad_h, torch.zeros_like(grad_h))  # relu's slope, 1 or 0
    return [torch.einsum("nj,jk->nk", grad_a, weight_hh), torch.einsum("ni,nj->ij", grad_a, h_prev)]


def stub_step(grad_output_t, grad_next, h_t, h_prev, weight_hh): ...


def test_backward_step_solution_and_a_right_answer_written_differently():
    for step in (solution_step, einsum_step):
        result = checks.backward_step(step)
        assert result, repr(result)


def test_backward_step_answers_of_the_wrong_form():
    assert _status(checks.backward_step(...)) == "not attempted"
    assert _status(checks.backward_step(stub_step)) == "not attempted"
    assert "shaped like h_prev" in repr(checks.backward_step(lambda g, n, h, p, w: (g.T, g.T @ p)))
    assert "shaped like weight_hh" in repr(checks.backward_step(lambda g, n, h, p, w: (g, g)))
    assert "pair" in repr(checks.backward_step(lambda *a: a[0]))
    assert "ZeroDivisionError" in repr(checks.backward_step(lambda *a: 1 / 0))
    assert _status(checks.backward_step(42)) == "incorrect"


def test_backward_step_in_float32_is_told_the_dtype_not_wrong_numbers():
    """Read F of chapter 06: a right formula computed in float32 (relative error 8.5e-9) was told
    "wrong numbers", and later handed the whole solution."""

    def in_float32(grad_output_t, grad_next, h_t, h_prev, weight_hh):
        grad_a = ((grad_output_t + grad_next) * (h_t > 0)).float()
        return grad_a @ weight_hh.float(), grad_a.T @ h_prev.float()

    message = repr(checks.backward_step(in_float32))
    assert "grad_h_prev is torch.float32" in message
    assert "keep float64" in message


def test_backward_step_with_a_float32_round_trip_inside_is_told_precision_was_lost():
    """Review z4 of chapter 06: float64 returned after a float32 step inside (relative error
    about 6e-9, over the 1e-9 tolerance) got the generic "write the forward equation"."""

    def round_trip(grad_output_t, grad_next, h_t, h_prev, weight_hh):
        f32 = [t.float() for t in (grad_output_t, grad_next, h_t, h_prev, weight_hh)]
        grad_a = (f32[0] + f32[1]) * (f32[2] > 0)
        return (grad_a @ f32[4]).double(), (grad_a.T @ f32[3]).double()

    result = checks.backward_step(round_trip)
    assert _status(result) == "incorrect"
    assert "close: precision lost, keep float64 throughout" in result.message
    doubled = checks.backward_step(lambda g, n, h, p, w: (g @ w, (g.T @ p) * 2))
    assert "precision" not in doubled.message  # a far answer is not told it is close


@settings(max_examples=25, deadline=None)
@given(scale=st.floats(-3, 3).filter(lambda s: abs(s - 1) > 1e-3), which=st.integers(0, 1))
def test_backward_step_rejects_generated_wrong_answers(scale, which):
    def scaled(*args):
        carry, share = solution_step(*args)
        return (carry * scale, share) if which == 0 else (carry, share * scale)

    assert _status(checks.backward_step(scaled)) == "incorrect"


def test_backward_step_probes_reference_is_autograd():
    """The checker compares with the worked solution run on hand-unrolled states: tie that to
    autograd on every probe (h0 random or zeros, relu, float64)."""
    from rnnlab.checks import gradients

    cases = gradients._backward_cases(torch.Generator().manual_seed(gradients.BACKWARD_STEP.seed))
    assert {c["label"].rsplit(" ", 1)[1] for c in cases} == {"randn", "zeros"}
    for case in cases:
        weight_hh = case["weight_hh"].clone().requires_grad_()
        h0 = case["h0"].clone().requires_grad_()
        h, states = h0, []
        for t in range(case["x"].shape[0]):
            h = torch.relu(case["x"][t] @ case["weight_ih"].T + case["bias"] + h @ weight_hh.T)
            states.append(h)
        torch.testing.assert_close(torch.stack(states), case["states"][1:], rtol=0, atol=0)
        loss = (torch.stack(states) * case["grad_output"]).sum()
        want = torch.autograd.grad(loss, [weight_hh, h0])
        got = gradients._backward_call(
            solution_step, case["states"], case["weight_hh"], case["grad_output"]
        )
        torch.testing.assert_close(got[0], want[0], rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(got[1], want[1], rtol=1e-12, atol=1e-12)
    assert any((c["h0"] < 0).any() for c in cases)  # h0 is not a relu state


def test_backward_step_rejects_a_threshold_above_zero_and_accepts_sign():
    """Review j4 of chapter 06: (h_t > c) passed for every c up to 0.03, since no probe had states
    in (0, 0.03). One probe now has many states in (0, 0.01) (small inputs and bias, relu, float64),
    and a threshold gets its own hints."""
    from rnnlab.checks import gradients

    cases = gradients._backward_cases(torch.Generator().manual_seed(gradients.BACKWARD_STEP.seed))
    small = [((c["states"][1:] > 0) & (c["states"][1:] < 0.01)).sum().item() for c in cases]
    assert max(small) >= 100, small
    threshold_hints = [gradients._THRESHOLD.level(k) for k in range(3)]
    for c in (1e-5, 1e-3, 0.01, 0.03, 0.5):

        def above(grad_output_t, grad_next, h_t, h_prev, weight_hh, c=c):
            grad_a = (grad_output_t + grad_next) * (h_t > c)
            return grad_a @ weight_hh, grad_a.T @ h_prev

        result = checks.backward_step(above)
        assert _status(result) == "incorrect", c
        assert any(text in result.message for text in threshold_hints), (c, result.message)
    for mask in (torch.sign, lambda h: h != 0):

        def masked(grad_output_t, grad_next, h_t, h_prev, weight_hh, mask=mask):
            grad_a = (grad_output_t + grad_next) * mask(h_t)
            return grad_a @ weight_hh, grad_a.T @ h_prev

        assert checks.backward_step(masked)


def test_backward_step_rejects_a_carry_masked_by_h0():
    def masked(grad_output_t, grad_next, h_t, h_prev, weight_hh):
        grad_a = (grad_output_t + grad_next) * (h_t > 0)
        return (grad_a @ weight_hh) * (h_prev > 0), grad_a.T @ h_prev

    result = checks.backward_step(masked)
    assert _status(result) == "incorrect"
    assert "dL/dweight_hh is right" in result.message  # its own hints, not the generic ones


# --- predicted_norm -----------------------------------------------------------------------------

WEIGHT_HH_2 = 1.2 * torch.eye(4, dtype=torch.float64)[[2, 0, 3, 1]]  # (H, H)


def _measured_norm():
    """The solution's measurement: a relu RNN, weight_hh = 1.2 x a permutation, 10 steps."""
    x = torch.rand(10, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))

    def run(h):
        for t in range(10):
            h = torch.relu(x[t] + h @ WEIGHT_HH_2.T)
        return h

    return torch.autograd.functional.jacobian(run, torch.rand(4, dtype=torch.float64))


def test_predicted_norm_answers_however_written_and_older_calls():
    jacobian = _measured_norm()
    norm = torch.linalg.matrix_norm(jacobian, ord=2)  # a 0-d tensor
    assert checks.predicted_norm(WEIGHT_HH_2, 10, norm, tuple(jacobian.shape))
    assert checks.predicted_norm(WEIGHT_HH_2, 10, 6.19, [4, 4])  # rounded, a list
    assert checks.predicted_norm(WEIGHT_HH_2, 10, torch.tensor([6.1917]), torch.Size([4, 4]))
    assert checks.predicted_norm(1.2**10)  # an older copy: the norm only, no weight_hh
    assert _status(checks.predicted_norm(12.0)) == "incorrect"


def test_predicted_norm_refuses_a_changed_cell():
    """Review y4: the checker trusted what it was handed, so steps_2 = 1 with 1.2, or
    weight_hh_2 = 1.0 * permutation with 1.0, passed although the question is 1.2 ** 10."""
    permutation = WEIGHT_HH_2 / 1.2
    cases = (
        ((WEIGHT_HH_2, 1, 1.2, (4, 4)), "you changed steps_2: run the cell as given"),
        ((1.0 * permutation, 10, 1.0, (4, 4)), "you changed weight_hh_2: run the cell as given"),
        ((WEIGHT_HH_2.float(), 10, 1.2**10, (4, 4)), "you changed weight_hh_2: run"),
        ((0.9 * torch.eye(3, dtype=torch.float64), 6, 0.9**6, (3, 3)), "weight_hh_2 and steps_2"),
    )
    for args, message in cases:
        result = checks.predicted_norm(*args)
        assert _status(result) == "incorrect", args
        assert message in result.message, result.message
    assert checks.predicted_norm(1.2 * permutation, 10, 1.2**10, (4, 4))  # the cell's own


def test_predicted_norm_wrong_shapes_and_two_digits_get_their_own_hints():
    for shape in ((4, 3), (1, 4, 4)):  # (H, H_in); a batch dimension
        result = checks.predicted_norm(WEIGHT_HH_2, 10, 6.19, shape)
        assert _status(result) == "incorrect"
        assert "predicted_norm is right. " in result.message  # the shape's own hints
        assert "jacobian_shape = (H, H)" in checks.hint("predicted_norm").message
    result = checks.predicted_norm(WEIGHT_HH_2, 10, 6.2, (4, 4))
    assert "3 significant digits" in result.message
    assert checks.predicted_norm(WEIGHT_HH_2, 10, 6.192, (4, 4))


def test_predicted_norm_one_row_per_step_gets_its_own_hint():
    result = checks.predicted_norm(WEIGHT_HH_2, 10, 6.19, (10, 4))  # (L - t, H)
    assert _status(result) == "incorrect"
    assert "depend on L - t" in result.message
    assert "whatever L - t is" in checks.hint("predicted_norm").message


def test_predicted_norm_wrong_forms():
    assert _status(checks.predicted_norm(WEIGHT_HH_2, 10, ..., ...)) == "not attempted"
    assert _status(checks.predicted_norm(WEIGHT_HH_2, 10, [1, 2], (4, 4))) == "incorrect"
    assert "weight_hh (H, H)" in checks.predicted_norm(torch.zeros(2, 3), 10, 1.0, (2, 3)).message
    result = checks.predicted_norm(WEIGHT_HH_2, 10, 100.0, (4, 4))
    assert _status(result) == "incorrect"
    assert "6.19" not in result.message


# --- clipped_step (find the bug) ----------------------------------------------------------------


def fixed_step(model, x, y, optimizer, max_norm):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    return loss.item()


def by_hand_step(model, x, y, optimizer, max_norm):  # right, written differently: no helper
    for p in model.parameters():
        p.grad = None
    loss = nn.functional.mse_loss(model(x), y)
    grads = torch.autograd.grad(loss, list(model.parameters()))
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    factor = min(1.0, max_norm / (total.item() + 1e-6))
    for p, g in zip(model.parameters(), grads):
        p.grad = g * factor
    optimizer.step()
    return loss  # a 0-d tensor: read as a number


def test_clipped_step_solution_and_a_right_answer_written_differently():
    for step in (fixed_step, by_hand_step):
        result = checks.clipped_step(step)
        assert result, repr(result)


def stub_train_step(model, x, y, optimizer, max_norm): ...


def test_clipped_step_clipping_the_gradients_is_told_to_pass_the_parameters():
    """Review z4 of chapter 06: clip_grad_norm_ given [p.grad ...] returns 0 and clips nothing;
    the hint said "when does your clipping run?", though it ran at the right time."""

    def grads_clipped(model, x, y, optimizer, max_norm):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        returned = nn.utils.clip_grad_norm_([p.grad for p in model.parameters()], max_norm)
        assert returned.item() == 0.0  # no .grad found: nothing measured, nothing clipped
        optimizer.step()
        return loss.item()

    def clipped_late(model, x, y, optimizer, max_norm):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        return loss.item()

    message = checks.clipped_step(grads_clipped).message
    assert "which tensors did you give clip_grad_norm_?" in message
    assert "pass the parameters" in checks.hint("clipped_step").message
    late = checks.clipped_step(clipped_late).message
    assert "when does your clipping run?" in late
    assert "which tensors" not in late
    assert nn.utils.clip_grad_norm_.__name__ == "clip_grad_norm_"  # given back after the check


def test_clipped_step_stub_crashes_and_a_changed_model():
    def eval_mode(model, x, y, optimizer, max_norm):
        model.eval()
        return fixed_step(model, x, y, optimizer, max_norm)

    assert _status(checks.clipped_step(...)) == "not attempted"
    assert _status(checks.clipped_step(stub_train_step)) == "not attempted"
    assert _status(checks.clipped_step(lambda *a: 1 / 0)) == "incorrect"
    assert _status(checks.clipped_step("train_step")) == "incorrect"
    assert "train() and eval()" in checks.clipped_step(eval_mode).message


def test_clipped_step_rejects_a_step_always_rescaled_and_a_summed_loss():
    def normalised(model, x, y, optimizer, max_norm):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        total = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
        for p in model.parameters():
            p.grad *= max_norm / total
        optimizer.step()
        return loss.item()

    def summed(model, x, y, optimizer, max_norm):
        fixed_step(model, x, y, optimizer, max_norm)
        return ((model(x) - y) ** 2).sum().item()

    assert _status(checks.clipped_step(normalised)) == "incorrect"
    assert _status(checks.clipped_step(summed)) == "incorrect"
    assert "return the loss" in checks.clipped_step(lambda *a: fixed_step(*a) and None).message


def zero_grad_after_backward(model, x, y, optimizer, max_norm):
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.zero_grad()  # .grad is None again (set_to_none=True by default)
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    return loss.item()


def no_step(model, x, y, optimizer, max_norm):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    return loss.item()


def test_clipped_step_tells_zero_grad_after_backward_from_a_missing_step():
    # both leave the parameters where they were; only what step() found in .grad differs
    result = checks.clipped_step(zero_grad_after_backward)
    assert _status(result) == "incorrect"
    assert "zero_grad() runs" in result.message
    assert "zero_grad() must come before backward()" in checks.hint("clipped_step").message
    result = checks.clipped_step(no_step)
    assert _status(result) == "incorrect"
    assert "zero_grad" not in result.message
    assert "call optimizer.step() after clipping" in checks.hint("clipped_step").message


def test_clipped_step_names_zero_grad_after_backward_that_keeps_zeros():
    def zeros_kept(model, x, y, optimizer, max_norm):
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.zero_grad(set_to_none=False)  # .grad holds zeros instead of None
        nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        return loss.item()

    assert "zero_grad() runs" in checks.clipped_step(zeros_kept).message


def test_clipped_step_accepts_zero_grad_after_the_step():
    def tidy_step(model, x, y, optimizer, max_norm):
        loss = fixed_step(model, x, y, optimizer, max_norm)
        optimizer.zero_grad()  # after step(): harmless, a common habit
        return loss

    assert checks.clipped_step(tidy_step)


def test_clipped_step_below_max_norm_is_not_told_it_moves_too_far():
    def under(model, x, y, optimizer, max_norm):  # clipped to 0.99 * max_norm: a shorter step
        return fixed_step(model, x, y, optimizer, 0.99 * max_norm)

    result = checks.clipped_step(under)
    assert _status(result) == "incorrect"
    assert "not the clipped one" in str(result)
    assert "how far" not in str(result)


def test_clipped_step_clipping_twice_is_told_to_clip_once():
    """Review j4 of chapter 06: clipping twice (relative error about 4e-8) was told "compare the
    two in length and in direction"."""

    def twice(model, x, y, optimizer, max_norm):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        nn.utils.clip_grad_norm_(model.parameters(), max_norm)  # divides by norm + 1e-6 again
        optimizer.step()
        return loss.item()

    result = checks.clipped_step(twice)
    assert _status(result) == "incorrect"
    assert "how many times did you clip" in result.message
    assert "clip once" in checks.hint("clipped_step").message


@settings(max_examples=10, deadline=None)
@given(lr=st.floats(0.01, 1.0).filter(lambda v: v not in (0.1, 0.05, 0.2)))
def test_clipped_step_rejects_generated_wrong_answers(lr):
    def other_rate(model, x, y, optimizer, max_norm):
        for group in optimizer.param_groups:
            group["lr"] = lr
        fixed_step(model, x, y, optimizer, max_norm)

    assert _status(checks.clipped_step(other_rate)) == "incorrect"


# --- all checkers -------------------------------------------------------------------------------


def test_checkers_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    checks.backward_step(solution_step)
    checks.predicted_norm(WEIGHT_HH_2, 10, 3.0, (4, 4))
    checks.clipped_step(fixed_step)
    assert torch.equal(torch.random.get_rng_state(), before)


# --- the figure ---------------------------------------------------------------------------------


def test_gradient_norms_draws_one_panel_per_activation_and_one_line_per_radius():
    panels = {
        "tanh": {"radius 0.5": [1.0, 0.5, 0.25], "radius 1.5": torch.tensor([1.0, 1.5, 2.25])},
        "relu": {"radius 0.5": [1.0, 0.5, 0.25]},
    }
    fig = plots.gradient_norms(panels, title="demo")
    assert [ax.get_title() for ax in fig.axes] == ["tanh", "relu"]
    assert [len(ax.get_lines()) for ax in fig.axes] == [3, 2]  # lines + the dotted 1.0
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)


@pytest.mark.parametrize(
    "panels",
    [
        {},
        {"tanh": {}},
        {"tanh": {"a": [1.0, 0.0]}},
        {"tanh": {"a": []}},
        [1.0],
        None,
        {"tanh": {"a": [1.0, 1.06e287]}},  # matplotlib's log ticks overflow there
        {"tanh": {"a": [1e-250]}},
    ],
)
def test_gradient_norms_bad_input(panels):
    with pytest.raises(ValueError, match="gradient_norms needs|must map|finite and positive|lie"):
        plots.gradient_norms(panels)


@settings(max_examples=40, deadline=None)
@given(value=st.data())
def test_gradient_norms_junk_gets_a_clear_error_or_works(value):
    panel = value.draw(junk)
    _clear_or_fine(lambda: plots.gradient_norms(panel))
    _clear_or_fine(lambda: plots.gradient_norms({"tanh": panel}))
    _clear_or_fine(lambda: plots.gradient_norms({"tanh": {"radius 1": panel}}))
