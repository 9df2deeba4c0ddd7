"""Losses and optimizers on ``Value`` scalars, each set beside its PyTorch twin (float64).

A loss is checked twice over: its value, and the gradient it sends to every prediction. An
optimizer is checked by its trajectory: the same start, the same loss, several steps, and the
parameters must follow PyTorch's path to the last few digits.
"""

import math
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tinygrad_edu import Tensor, Value
from tinygrad_edu.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
    l2_penalty,
    mean_squared_error,
    root_mean_squared_error,
)
from tinygrad_edu.optim import SGD, Adam

RTOL = 1e-12  # both sides compute in float64; they differ only by rounding
ATOL = 1e-14


def our_loss_and_gradients(loss_fn, predictions, targets):
    values = [Value(p) for p in predictions]
    loss = loss_fn(values, targets)
    loss.backward()
    return loss.data, np.array([v.grad for v in values])


def torch_loss_and_gradients(loss_fn, predictions, targets):
    p = torch.tensor(predictions, dtype=torch.float64, requires_grad=True)
    loss = loss_fn(p, torch.tensor(targets, dtype=torch.float64))
    loss.backward()
    return loss.item(), p.grad.numpy()


@dataclass
class LossCase:
    name: str
    ours: Callable
    theirs: Callable
    predictions: Sequence[float]
    targets: Sequence[float]


LOSS_CASES = [
    LossCase("mse", mean_squared_error, F.mse_loss, [0.3, -1.2, 2.5, 0.0], [0.0, -1.0, 3.0, 0.5]),
    LossCase(
        "rmse",
        root_mean_squared_error,
        lambda p, y: torch.sqrt(F.mse_loss(p, y)),
        [0.3, -1.2, 2.5, 0.0],
        [0.0, -1.0, 3.0, 0.5],
    ),
    LossCase(
        "bce",
        binary_cross_entropy,
        F.binary_cross_entropy,
        [0.9, 0.2, 0.5, 0.01, 0.999, 0.7],
        [1.0, 0.0, 1.0, 0.0, 0.0, 0.3],  # the last target is a soft label
    ),
    LossCase(
        "bce_with_logits",
        binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits,
        [2.0, -0.5, 0.0, 7.5, -30.0, 0.3],
        [1.0, 0.0, 1.0, 0.0, 1.0, 0.3],
    ),
    LossCase(
        "bce_with_logits_extreme",
        binary_cross_entropy_with_logits,
        F.binary_cross_entropy_with_logits,
        [1000.0, -1000.0, 1000.0, -1000.0],
        [0.0, 1.0, 1.0, 0.0],  # two confidently wrong, two confidently right
    ),
    LossCase(
        "hinge",
        hinge_loss,
        lambda s, y: F.relu(1 - y * s).mean(),
        [2.0, 0.3, -0.5, 1.0, -1.5, 0.8],
        [1.0, 1.0, 1.0, 1.0, -1.0, -1.0],  # score 1.0 with label +1 sits exactly on the margin
    ),
    LossCase(
        "l2_penalty",
        lambda ps, _: l2_penalty(ps, alpha=0.01),
        lambda ps, _: 0.01 * (ps**2).sum(),
        [0.5, -1.5, 2.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],  # unused: the penalty looks at parameters only
    ),
]


@pytest.mark.parametrize("case", LOSS_CASES, ids=lambda case: case.name)
def test_loss_value_and_the_gradient_of_every_prediction_match_torch(case):
    loss, grads = our_loss_and_gradients(case.ours, case.predictions, case.targets)
    expected_loss, expected_grads = torch_loss_and_gradients(case.theirs, case.predictions, case.targets)
    assert math.isfinite(loss) and np.all(np.isfinite(grads))
    assert loss == pytest.approx(expected_loss, rel=RTOL, abs=ATOL)
    np.testing.assert_allclose(grads, expected_grads, rtol=RTOL, atol=ATOL)
    assert np.any(grads != 0.0)  # the comparison is not just 0 == 0


def test_targets_may_be_a_numpy_array():
    """The moons demo passes its labels as an ndarray."""
    scores, labels = [0.3, -2.0, 0.9], np.array([1.0, -1.0, -1.0])
    loss, grads = our_loss_and_gradients(hinge_loss, scores, labels)
    expected_loss, expected_grads = our_loss_and_gradients(hinge_loss, scores, labels.tolist())
    assert loss == expected_loss
    np.testing.assert_array_equal(grads, expected_grads)


def test_cross_entropy_from_extreme_logits_is_finite_and_exact():
    """softplus(z) - y z never forms e**1000: a confidently wrong logit costs |z|, a right one 0.

    By hand, per example: z = 1000, y = 0 costs softplus(1000) = 1000; z = 1000, y = 1 costs
    1000 - 1000 = 0. The gradient sigmoid(z) - y is -1, 0 or +1 (then divided by n).
    """
    logits, targets = [1000.0, -1000.0, 1000.0, -1000.0], [0.0, 1.0, 1.0, 0.0]
    loss, grads = our_loss_and_gradients(binary_cross_entropy_with_logits, logits, targets)
    n = len(logits)
    assert loss == pytest.approx((1000.0 + 1000.0 + 0.0 + 0.0) / n, rel=RTOL)
    np.testing.assert_allclose(grads, np.array([1.0, -1.0, 0.0, 0.0]) / n, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("target", [0.0, 1.0, 0.25])
def test_cross_entropy_at_logit_zero_has_gradient_sigmoid_0_minus_y(target):
    """At z = 0 the model says 50/50: the loss is log 2 whatever y is, and dL/dz = 1/2 - y."""
    loss, grads = our_loss_and_gradients(binary_cross_entropy_with_logits, [0.0], [target])
    assert loss == pytest.approx(math.log(2.0), rel=RTOL)
    assert grads[0] == pytest.approx(0.5 - target, rel=RTOL, abs=ATOL)


def test_mean_squared_error_accepts_a_single_value_and_a_number():
    """(3 - 1)**2 = 4, and d/dp (p - y)**2 = 2 (p - y) = 4."""
    p = Value(3.0)
    loss = mean_squared_error(p, 1.0)
    loss.backward()
    assert (loss.data, p.grad) == (4.0, 4.0)


EDGES = [0.0, 1.0, 1.0, 0.0, 0.3, 1e-300], [0.0, 1.0, 0.0, 1.0, 0.6, 0.0]


def test_binary_cross_entropy_at_probabilities_of_exactly_0_and_1_is_pytorchs_on_values_and_tensors():
    """Each log kept at -100 or above, and the slope's denominator p (1 - p) at 1e-12 or above:
    certainty that is right costs 0 (not 0 * log 0 = nan), certainty that is wrong costs 100
    (not inf), as PyTorch computes them."""
    import torch

    probabilities, targets = EDGES
    p = torch.tensor(probabilities, dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy(p, torch.tensor(targets, dtype=torch.float64))
    expected.backward()
    by_hand = (0 + 0 + 100 + 100 - (0.6 * math.log(0.3) + 0.4 * math.log(0.7)) + 1e-300) / 6
    assert expected.item() == pytest.approx(by_hand, rel=1e-15)
    values = [Value(x) for x in probabilities]
    on_values = binary_cross_entropy(values, targets)
    on_values.backward()
    tensor = Tensor(probabilities, requires_grad=True)
    on_tensor = binary_cross_entropy(tensor, targets)
    on_tensor.backward()
    for loss, grads in [(on_values.data, [v.grad for v in values]), (float(on_tensor), tensor.grad)]:
        assert loss == pytest.approx(expected.item(), rel=1e-15)
        np.testing.assert_allclose(grads, p.grad.numpy(), rtol=1e-15, atol=0)


TARGET_LOSSES = [
    mean_squared_error,
    root_mean_squared_error,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
]


@pytest.mark.parametrize("loss_fn", TARGET_LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("n_predictions, n_targets", [(3, 2), (2, 3)])
def test_predictions_and_targets_of_different_lengths_are_refused(loss_fn, n_predictions, n_targets):
    """zip() would silently drop the extra ones; the loss must say both lengths instead."""
    predictions = [Value(0.5) for _ in range(n_predictions)]
    with pytest.raises(ValueError) as info:
        loss_fn(predictions, [1.0] * n_targets)
    message = str(info.value)
    assert re.search(rf"\b{n_predictions}\b", message) and re.search(rf"\b{n_targets}\b", message), message


@pytest.mark.parametrize("loss_fn", TARGET_LOSSES, ids=lambda f: f.__name__)
def test_a_loss_of_no_predictions_is_refused(loss_fn):
    with pytest.raises(ValueError, match="at least one"):
        loss_fn([], [])


def test_l2_penalty_of_no_parameters_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        l2_penalty([], alpha=0.1)


# --- optimizers ----------------------------------------------------------------------------

START = (0.5, -0.3, 0.8)
STEPS = 30


def toy_loss(a, b, c):
    """Non-convex, every parameter coupled; the formula reads the same for Values and torch scalars."""
    return (a * 2.0 + b - 1.0).tanh() ** 2 + (a * b - c) ** 2 + (c * 3.0).sigmoid() * 0.5


def our_trajectory(make_optimizer):
    params = [Value(x) for x in START]
    optimizer = make_optimizer(params)
    path = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        toy_loss(*params).backward()
        optimizer.step()
        path.append([p.data for p in params])
    return np.array(path)


def torch_trajectory(make_optimizer):
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in START]
    optimizer = make_optimizer(params)
    path = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        toy_loss(*params).backward()
        optimizer.step()
        path.append([p.item() for p in params])
    return np.array(path)


OPTIMIZERS = {
    "sgd": (lambda ps: SGD(ps, lr=0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
    "sgd_momentum": (
        lambda ps: SGD(ps, lr=0.05, momentum=0.9),
        lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
    ),
    "adam": (lambda ps: Adam(ps, lr=0.05), lambda ps: torch.optim.Adam(ps, lr=0.05)),
    "adam_custom": (
        lambda ps: Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
        lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
    ),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_follows_the_same_parameter_trajectory_as_torch(name):
    ours, theirs = OPTIMIZERS[name]
    path, expected = our_trajectory(ours), torch_trajectory(theirs)
    np.testing.assert_allclose(path, expected, rtol=RTOL, atol=ATOL)
    assert np.all(np.abs(path[-1] - START) > 1e-3)  # every parameter really moved


def test_momentum_changes_the_path():
    """With momentum each step also carries the previous ones, so the two paths part."""
    plain = our_trajectory(lambda ps: SGD(ps, lr=0.05))
    heavy = our_trajectory(lambda ps: SGD(ps, lr=0.05, momentum=0.9))
    np.testing.assert_array_equal(plain[0], heavy[0])  # the first step has no history yet
    assert not np.allclose(plain[-1], heavy[-1])


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1), lambda ps: Adam(ps)], ids=["SGD", "Adam"])
def test_an_optimizer_without_parameters_is_refused(make):
    with pytest.raises(ValueError, match="no parameters"):
        make([])
    with pytest.raises(ValueError, match="no parameters"):
        make(p for p in [])  # an empty generator, e.g. from a model with no layers


@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan")])
@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_a_learning_rate_that_is_not_positive_is_refused(optimizer, lr):
    with pytest.raises(ValueError, match="learning rate") as info:
        optimizer([Value(1.0)], lr=lr)
    assert repr(lr) in str(info.value)


def test_momentum_outside_0_to_1_is_refused():
    with pytest.raises(ValueError, match="momentum"):
        SGD([Value(1.0)], lr=0.1, momentum=1.0)


def test_plain_numbers_are_refused_as_parameters():
    """A float has no .grad: the optimizer could never update it."""
    with pytest.raises(TypeError, match="0.5"):
        SGD([0.5], lr=0.1)


@pytest.mark.parametrize("kwargs", [dict(betas=(1.0, 0.999)), dict(betas=(0.9, -0.1)), dict(eps=0.0)])
def test_adam_refuses_betas_outside_0_to_1_and_a_non_positive_eps(kwargs):
    with pytest.raises(ValueError, match="betas|eps"):
        Adam([Value(1.0)], lr=0.1, **kwargs)


def test_adam_counts_each_parameter_s_own_steps_as_pytorch() -> None:
    """A parameter the loss first reaches at step 3 starts its bias correction there (PyTorch
    keeps one step count per parameter, not one per optimizer)."""
    from tinygrad_edu import Tensor

    a, b = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    ta, tb = (torch.tensor([1.0], dtype=torch.float64, requires_grad=True) for _ in range(2))
    ours, theirs = Adam([a, b], lr=0.1), torch.optim.Adam([ta, tb], lr=0.1)
    for k in range(5):
        ((a * a).sum() + ((b * b).sum() if k >= 2 else 0)).backward()
        ((ta * ta).sum() + ((tb * tb).sum() if k >= 2 else 0)).backward()
        ours.step(), theirs.step()
        ours.zero_grad(), theirs.zero_grad()
    np.testing.assert_allclose([a.data[0], b.data[0]], [ta.item(), tb.item()], rtol=1e-12)


def test_sgd_momentum_keeps_its_own_copy_of_the_first_gradient() -> None:
    """The velocity starts as the first gradient; scaling that gradient afterwards (as a learner
    might, p.grad *= 0) must not change the optimizer's memory of it."""
    from tinygrad_edu import Tensor

    p = Tensor([1.0, 2.0], requires_grad=True)
    optimizer = SGD([p], lr=0.1, momentum=0.9)
    (p * p).sum().backward()
    optimizer.step()
    p.grad *= 0
    np.testing.assert_array_equal(optimizer.velocity[0], [2.0, 4.0])
