"""The checkers (and the figure) of 06_gradients_through_time: each checker with the worked
solution, a right answer written differently, each known mistake (its hint asserted), generated
wrong answers and the untouched stub; none touches the global random state."""

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
    grad_a = (grad_output_t + grad_next) * (1 - h_t**2)  # (N, H)
    return grad_a @ weight_hh, grad_a.T @ h_prev


def einsum_step(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_h = grad_next.clone()
    grad_h += grad_output_t
    grad_a = grad_h - grad_h * h_t * h_t
    return [torch.einsum("nj,jk->nk", grad_a, weight_hh), torch.einsum("ni,nj->ij", grad_a, h_prev)]


def no_next(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = grad_output_t * (1 - h_t**2)
    return grad_a @ weight_hh, grad_a.T @ h_prev


def pre_activation(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = (grad_output_t + grad_next) * (1 - torch.tanh(h_t) ** 2)
    return grad_a @ weight_hh, grad_a.T @ h_prev


def no_tanh(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = grad_output_t + grad_next
    return grad_a @ weight_hh, grad_a.T @ h_prev


def slope_of_prev(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = (grad_output_t + grad_next) * (1 - h_prev**2)
    return grad_a @ weight_hh, grad_a.T @ h_prev


def carry_transposed(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = (grad_output_t + grad_next) * (1 - h_t**2)
    return grad_a @ weight_hh.T, grad_a.T @ h_prev


def share_transposed(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = (grad_output_t + grad_next) * (1 - h_t**2)
    return grad_a @ weight_hh, h_prev.T @ grad_a


def share_of_h_t(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    grad_a = (grad_output_t + grad_next) * (1 - h_t**2)
    return grad_a @ weight_hh, grad_a.T @ h_t


def stub_step(grad_output_t, grad_next, h_t, h_prev, weight_hh): ...


def raising_step(grad_output_t, grad_next, h_t, h_prev, weight_hh):
    raise NotImplementedError


def test_backward_step_solution_and_a_right_answer_written_differently():
    for step in (solution_step, einsum_step):
        result = checks.backward_step(step)
        assert result, repr(result)
        assert "relative error below 1e-12" in repr(result)


@pytest.mark.parametrize(
    ("step", "hint"),
    [
        (no_next, "misses the contribution that comes back from step t+1"),
        (pre_activation, "tanh' of the pre-activation"),
        (no_tanh, "skips tanh"),
        (slope_of_prev, "not 1 - h_prev**2"),
        (carry_transposed, "not weight_hh.T"),
        (share_transposed, "dL/dweight_hh is transposed"),
        (share_of_h_t, "uses h_prev, not h_t"),
    ],
)
def test_backward_step_names_each_known_mistake(step, hint):
    result = checks.backward_step(step)
    assert _status(result) == "incorrect"
    assert hint in repr(result)
    assert "relative error" in repr(result)


def test_backward_step_stub_shapes_and_crashes():
    assert _status(checks.backward_step(...)) == "not attempted"
    assert _status(checks.backward_step(stub_step)) == "not attempted"
    assert _status(checks.backward_step(raising_step)) == "not attempted"
    assert "(N, H)" in repr(checks.backward_step(lambda g, n, h, p, w: (g.T, g.T @ p)))
    assert "(H, H)" in repr(checks.backward_step(lambda g, n, h, p, w: (g, g)))
    assert "pair" in repr(checks.backward_step(lambda *a: a[0]))
    assert "ZeroDivisionError" in repr(checks.backward_step(lambda *a: 1 / 0))
    assert _status(checks.backward_step(42)) == "incorrect"


@settings(max_examples=25, deadline=None)
@given(scale=st.floats(-3, 3).filter(lambda s: abs(s - 1) > 1e-3), which=st.integers(0, 1))
def test_backward_step_rejects_generated_wrong_answers(scale, which):
    def scaled(*args):
        carry, share = solution_step(*args)
        return (carry * scale, share) if which == 0 else (carry, share * scale)

    assert _status(checks.backward_step(scaled)) == "incorrect"


# --- predicted_norm -----------------------------------------------------------------------------


def _measured_norm():
    """The solution's measurement: a relu RNN, weight_hh = 1.2 x a permutation, 10 steps."""
    weight_hh = 1.2 * torch.eye(4, dtype=torch.float64)[[2, 0, 3, 1]]  # (H, H)
    x = torch.rand(10, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))

    def run(h):
        for t in range(10):
            h = torch.relu(x[t] + h @ weight_hh.T)
        return h

    jacobian = torch.autograd.functional.jacobian(run, torch.rand(4, dtype=torch.float64))
    return torch.linalg.matrix_norm(jacobian, ord=2)


def test_predicted_norm_solution_and_forms():
    assert checks.predicted_norm(1.2**10)
    assert checks.predicted_norm(_measured_norm())  # a 0-d tensor
    assert checks.predicted_norm(torch.tensor([6.19]))  # rounded, one element
    assert checks.predicted_norm("6.1917")  # a number written as text is still that number


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (12.0, "do not add"),
        (1.2**9, "one step short"),
        (1.2**11, "one step too many"),
        (1.2, "that is one step"),
        (1, "relu's slope is 1"),
        (1 / 1.2**10, "the norm grows"),
        (100.0, "permutation matrix"),
    ],
)
def test_predicted_norm_hints(answer, hint):
    result = checks.predicted_norm(answer)
    assert _status(result) == "incorrect"
    assert hint in repr(result)
    assert "relative error" in repr(result)
    assert "6.19" not in repr(result)


def test_predicted_norm_stub_and_junk():
    assert _status(checks.predicted_norm(...)) == "not attempted"
    assert _status(checks.predicted_norm([1, 2])) == "incorrect"


# --- clipped_step (find the bug) ----------------------------------------------------------------


def fixed_step(model, x, y, optimizer, max_norm):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    return loss.item()


def buggy_step(model, x, y, optimizer, max_norm):  # the notebook's bug: clipping after the step
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    optimizer.step()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
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


def no_zero_grad(model, x, y, optimizer, max_norm):
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()


def clip_before_backward(model, x, y, optimizer, max_norm):
    optimizer.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    loss.backward()
    optimizer.step()


def by_value(model, x, y, optimizer, max_norm):
    optimizer.zero_grad()
    ((model(x) - y) ** 2).mean().backward()
    nn.utils.clip_grad_value_(model.parameters(), max_norm)
    optimizer.step()


def no_step(model, x, y, optimizer, max_norm):
    optimizer.zero_grad()
    ((model(x) - y) ** 2).mean().backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    return 0.0


def test_clipped_step_solution_and_a_right_answer_written_differently():
    for step in (fixed_step, by_hand_step):
        result = checks.clipped_step(step)
        assert result, repr(result)


@pytest.mark.parametrize(
    ("step", "hint"),
    [
        (buggy_step, "the step used the unclipped gradient"),
        (clip_before_backward, "the step used the unclipped gradient"),
        (no_zero_grad, "zero_grad() first"),
        (by_value, "clip_grad_value_"),
        (no_step, "did not change"),
    ],
)
def test_clipped_step_names_each_known_mistake(step, hint):
    result = checks.clipped_step(step)
    assert _status(result) == "incorrect"
    assert hint in repr(result)


def stub_train_step(model, x, y, optimizer, max_norm): ...


def test_clipped_step_stub_and_crashes():
    assert _status(checks.clipped_step(...)) == "not attempted"
    assert _status(checks.clipped_step(stub_train_step)) == "not attempted"
    assert _status(checks.clipped_step(lambda *a: 1 / 0)) == "incorrect"
    assert _status(checks.clipped_step("train_step")) == "incorrect"


@settings(max_examples=10, deadline=None)
@given(lr=st.floats(0.01, 1.0).filter(lambda v: abs(v - 0.1) > 1e-3))
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
    checks.backward_step(no_next)
    checks.predicted_norm(3.0)
    checks.clipped_step(fixed_step)
    checks.clipped_step(buggy_step)
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
