"""Losses and optimizers on ``Tensor`` s, each set beside its PyTorch twin (float64).

A loss is written once, for both kinds of number; here it runs on a whole batch in one
vectorized pass, and must give PyTorch's value and PyTorch's gradient for every prediction,
and the same numbers as the scalar ``Value`` path. An optimizer updating Tensor parameters in
place must follow ``torch.optim``'s trajectory step by step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tinygrad_edu import Value
from tinygrad_edu.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    hinge_loss,
    l2_penalty,
    mean_squared_error,
    root_mean_squared_error,
)
from tinygrad_edu.optim import SGD, Adam
from tinygrad_edu.tensor import Tensor

RTOL = 1e-12  # both sides compute in float64; they differ only by rounding
ATOL = 1e-14


@dataclass
class LossCase:
    name: str
    ours: Callable
    theirs: Callable
    predictions: Sequence
    targets: Sequence

    def __str__(self) -> str:
        return self.name


LOSS_CASES = [
    LossCase("mse", mean_squared_error, F.mse_loss, [[0.3], [-1.2], [2.5], [0.0]], [[0.0], [-1.0], [3.0], [0.5]]),
    LossCase("mse_matrix", mean_squared_error, F.mse_loss, [[0.3, -1.2, 2.5], [0.0, 1.0, -0.7]],
             [[0.0, -1.0, 3.0], [0.5, 1.0, 0.2]]),  # the mean is over every element
    LossCase("rmse", root_mean_squared_error, lambda p, y: torch.sqrt(F.mse_loss(p, y)),
             [0.3, -1.2, 2.5, 0.0], [0.0, -1.0, 3.0, 0.5]),
    LossCase("bce", binary_cross_entropy, F.binary_cross_entropy,
             [0.9, 0.2, 0.5, 0.01, 0.999, 0.7], [1.0, 0.0, 1.0, 0.0, 0.0, 0.3]),  # 0.3: a soft label
    LossCase("bce_with_logits", binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits,
             [[2.0], [-0.5], [0.0], [7.5], [-30.0], [0.3]], [[1.0], [0.0], [1.0], [0.0], [1.0], [0.3]]),
    LossCase("bce_with_logits_extreme", binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits,
             [1000.0, -1000.0, 1000.0, -1000.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]),
    LossCase("hinge", hinge_loss, lambda s, y: F.relu(1 - y * s).mean(),
             [2.0, 0.3, -0.5, 1.5, -1.5, 0.8], [1.0, 1.0, 1.0, -1.0, -1.0, -1.0]),
]


def our_loss_and_gradient(loss_fn, predictions, targets):
    p = Tensor(predictions, requires_grad=True)
    loss = loss_fn(p, np.array(targets))
    loss.backward()
    return float(loss.data), p.grad


def torch_loss_and_gradient(loss_fn, predictions, targets):
    p = torch.tensor(predictions, dtype=torch.float64, requires_grad=True)
    loss = loss_fn(p, torch.tensor(targets, dtype=torch.float64))
    loss.backward()
    return loss.item(), p.grad.numpy()


@pytest.mark.parametrize("case", LOSS_CASES, ids=str)
def test_loss_on_a_tensor_matches_torch_in_value_and_gradient(case: LossCase) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grad = our_loss_and_gradient(case.ours, case.predictions, case.targets)
    expected_loss, expected_grad = torch_loss_and_gradient(case.theirs, case.predictions, case.targets)
    assert math.isfinite(loss) and np.all(np.isfinite(grad))
    assert loss == pytest.approx(expected_loss, rel=RTOL, abs=ATOL)
    assert grad.shape == np.shape(case.predictions)
    np.testing.assert_allclose(grad, expected_grad, rtol=RTOL, atol=ATOL)
    assert np.any(grad != 0.0)  # the comparison is not just 0 == 0


def test_cross_entropy_from_logits_plus_minus_1000_and_0_by_hand() -> None:
    """Per example softplus(z) - y z, slope sigmoid(z) - y, then divided by n = 4:
    z = 1000, y = 0 costs 1000 (slope 1); z = -1000, y = 1 costs 1000 (slope -1);
    z = 0 costs log 2 whatever y is (slope 1/2 - y)."""
    logits, targets = [1000.0, -1000.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.25]
    loss, grad = our_loss_and_gradient(binary_cross_entropy_with_logits, logits, targets)
    assert loss == pytest.approx((2000.0 + 2 * math.log(2.0)) / 4, rel=RTOL)
    np.testing.assert_allclose(grad, np.array([1.0, -1.0, -0.5, 0.25]) / 4, rtol=RTOL, atol=ATOL)


def test_l2_penalty_over_tensors_matches_torch() -> None:
    """alpha * (sum of every parameter's squares); d/dp = 2 alpha p, for each Tensor."""
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=())]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    penalty = l2_penalty(ours, alpha=0.03)
    penalty.backward()
    expected = 0.03 * sum((t**2).sum() for t in theirs)
    expected.backward()
    assert float(penalty.data) == pytest.approx(expected.item(), rel=RTOL)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(p.grad, 2 * 0.03 * p.data, rtol=RTOL)  # by hand


TARGET_LOSSES = [mean_squared_error, root_mean_squared_error, binary_cross_entropy,
                 binary_cross_entropy_with_logits, hinge_loss]


@pytest.mark.parametrize("loss_fn", TARGET_LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("prediction_shape, target_shape", [((5, 1), (5,)), ((5,), (5, 1)), ((5,), (4,))])
def test_targets_of_another_shape_are_refused_naming_both_shapes(loss_fn, prediction_shape, target_shape) -> None:
    """(5, 1) against (5,) would broadcast to a (5, 5) table of every pair: a silent wrong loss."""
    predictions = Tensor(np.full(prediction_shape, 0.5), requires_grad=True)
    with pytest.raises(ValueError) as excinfo:
        loss_fn(predictions, np.full(target_shape, 1.0))
    assert str(prediction_shape) in str(excinfo.value) and str(target_shape) in str(excinfo.value)


@pytest.mark.parametrize("case", [c for c in LOSS_CASES if c.name != "mse_matrix"], ids=str)
def test_a_loss_on_values_and_on_a_tensor_of_the_same_numbers_agrees(case: LossCase) -> None:
    """One formula, two kinds of number: the list of Values and the Tensor give the same loss
    and the same gradient for every prediction."""
    flat_p, flat_y = np.ravel(case.predictions).tolist(), np.ravel(case.targets).tolist()
    values = [Value(p) for p in flat_p]
    value_loss = case.ours(values, flat_y)
    value_loss.backward()
    tensor_loss, tensor_grad = our_loss_and_gradient(case.ours, case.predictions, case.targets)
    assert tensor_loss == pytest.approx(value_loss.data, rel=RTOL, abs=ATOL)
    np.testing.assert_allclose(tensor_grad.ravel(), [v.grad for v in values], rtol=RTOL, atol=ATOL)


def test_l2_penalty_on_values_and_on_a_tensor_agrees() -> None:
    numbers = [0.5, -1.5, 2.0, 0.0]
    values = [Value(x) for x in numbers]
    tensor = Tensor(numbers, requires_grad=True)
    by_value, by_tensor = l2_penalty(values, alpha=0.1), l2_penalty([tensor], alpha=0.1)
    by_value.backward()
    by_tensor.backward()
    assert float(by_tensor.data) == pytest.approx(by_value.data, rel=RTOL)
    np.testing.assert_allclose(tensor.grad, [v.grad for v in values], rtol=RTOL, atol=ATOL)


# --- optimizers on Tensor parameters --------------------------------------------------------

STEPS = 15
RNG = np.random.default_rng(8)
X, Y = RNG.normal(size=(10, 3)), RNG.normal(size=(10, 2))
START = [RNG.normal(size=(3, 4)), RNG.normal(size=4), RNG.normal(size=(4, 2))]


def two_layer_loss(x, y, w1, b1, w2):
    """mean((tanh(x W1 + b1) W2 - y)**2): every parameter coupled; reads the same in torch."""
    return (((x @ w1 + b1).tanh() @ w2 - y) ** 2).mean()


def as_numpy(p) -> np.ndarray:
    return p.data.copy() if isinstance(p, Tensor) else p.detach().numpy().copy()


def trajectory(make_leaf, make_optimizer, constant) -> np.ndarray:
    """The parameters after every step, flattened, as rows of a float64 array."""
    x, y = constant(X), constant(Y)
    params = [make_leaf(a) for a in START]
    optimizer = make_optimizer(params)
    path = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        two_layer_loss(x, y, *params).backward()
        optimizer.step()
        path.append(np.concatenate([as_numpy(p).ravel() for p in params]))
    return np.array(path)


def our_trajectory(make_optimizer) -> np.ndarray:
    return trajectory(lambda a: Tensor(a, requires_grad=True), make_optimizer, Tensor)


def torch_trajectory(make_optimizer) -> np.ndarray:
    return trajectory(lambda a: torch.tensor(a, requires_grad=True), make_optimizer, torch.tensor)


OPTIMIZERS = {
    "sgd_momentum": (lambda ps: SGD(ps, lr=0.05, momentum=0.9), lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    "adam": (lambda ps: Adam(ps, lr=0.05), lambda ps: torch.optim.Adam(ps, lr=0.05)),
    "adam_custom": (lambda ps: Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
                    lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6)),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_on_tensor_parameters_follows_torchs_trajectory(name: str) -> None:
    """Same start, same loss, 15 steps: every element of every parameter on PyTorch's path."""
    ours, theirs = OPTIMIZERS[name]
    path, expected = our_trajectory(ours), torch_trajectory(theirs)
    np.testing.assert_allclose(path, expected, rtol=RTOL, atol=1e-12)
    start = np.concatenate([a.ravel() for a in START])
    assert np.all(np.abs(path[-1] - start) > 1e-4)  # every parameter really moved


def test_optimizer_updates_tensor_parameters_in_place() -> None:
    """A step writes into p's own array, so a model holding the Tensor (or a view of its numbers)
    sees the change."""
    p = Tensor([1.0, 2.0], requires_grad=True)
    array = p.data
    (p * p).sum().backward()
    SGD([p], lr=0.25).step()
    assert np.shares_memory(p.data, array)
    np.testing.assert_array_equal(array, [0.5, 1.0])
    np.testing.assert_array_equal(p.data, [0.5, 1.0])  # p - 0.25 * 2p = p / 2


@pytest.mark.parametrize("shape", [(200, 1), (3, 4), (7,), ()])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_fused_mean_squared_error_is_the_composite_to_the_last_bit(shape, dtype) -> None:
    """mean_squared_error on Tensors is one op (for speed); ((p - y) ** 2).mean(), whose
    gradient the chain rule gives, must agree with it exactly: value and both gradients."""
    from tinygrad_edu.losses import mean_squared_error

    rng = np.random.default_rng(len(shape))
    p0, y0 = rng.normal(size=shape).astype(dtype), rng.normal(size=shape).astype(dtype)
    fused = [Tensor(p0, requires_grad=True), Tensor(y0, requires_grad=True)]
    composite = [Tensor(p0, requires_grad=True), Tensor(y0, requires_grad=True)]
    loss, reference = mean_squared_error(*fused), ((composite[0] - composite[1]) ** 2).mean()
    loss.backward()
    reference.backward()
    assert loss.op.name == "mse" and loss.dtype == dtype
    assert np.array_equal(loss.data, reference.data)
    for ours, theirs in zip(fused, composite):
        assert ours.grad.dtype == dtype and np.array_equal(ours.grad, theirs.grad)
