"""Parity of ``Tensor`` with PyTorch: the same function on our Tensors and on torch float64 tensors.

    assert_tensor_matches_torch(lambda a, b: a * b, lambda a, b: a * b, [x, y])

builds, from each input array, one ``Tensor(requires_grad=True)`` and one ``torch.float64``
tensor (``requires_grad=True``), runs both functions, and checks that the outputs have the same
shape and numbers. Then it differentiates both with the same random weighting

    L = sum(out * w)        so   dL/d(out) = w,

seeding ``backward(w)`` on both sides. Every output element has its own random weight, so every
element's gradient matters: a gradient that lands on the wrong element, or is summed where it
should not be, changes the result. (Seeding with ones, as ``out.sum()`` does, would let such
mistakes cancel.) Finally every input gradient must have its input's shape and PyTorch's numbers.

Tolerance. Both sides compute in IEEE float64, mostly with the same formulas, so they differ
only by rounding: a few units in the last place (1 ulp = 2.2e-16 relative) per op. ``RTOL =
1e-12`` leaves room for thousands of such roundings and still catches any wrong derivative;
``ATOL = 1e-12`` covers results that should be 0 but are rounding noise.
"""

from __future__ import annotations

from typing import Callable, List, Sequence, Tuple

import numpy as np
import torch

from tinygrad_edu.tensor import Tensor

RTOL = 1e-12
ATOL = 1e-12


def output_weights(shape: Tuple[int, ...], seed: int = 1234) -> np.ndarray:
    """A fixed random weight for every output element: L = sum(out * w)."""
    return np.random.default_rng(seed).normal(size=shape)


def run_ours(fn: Callable, inputs: Sequence[np.ndarray], weights: Callable = output_weights):
    """Our output and the gradient of L = sum(out * w) with respect to each input."""
    leaves = [Tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in inputs]
    out = fn(*leaves)
    out.backward(weights(out.shape))
    grads = [np.zeros(np.shape(x)) if t.grad is None else t.grad for t, x in zip(leaves, inputs)]
    return out.data, grads


def run_torch(fn: Callable, inputs: Sequence[np.ndarray], weights: Callable = output_weights):
    """PyTorch's output and the gradient of the same L, in float64."""
    leaves = [torch.tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in inputs]
    out = fn(*leaves)
    out.backward(torch.tensor(weights(tuple(out.shape))))
    grads = [np.zeros(np.shape(x)) if t.grad is None else t.grad.numpy() for t, x in zip(leaves, inputs)]
    return out.detach().numpy(), grads


def _mismatch(what: str, ours: np.ndarray, theirs: np.ndarray, rtol: float, atol: float) -> List[str]:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.shape != theirs.shape:
        return [f"{what}: ours has shape {ours.shape}, torch has shape {theirs.shape}"]
    if not np.allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True):
        return [f"{what}:\n    ours  {ours.tolist()}\n    torch {theirs.tolist()}"]
    return []


def assert_tensor_matches_torch(
    our_fn: Callable,
    torch_fn: Callable,
    inputs: Sequence[np.ndarray],
    rtol: float = RTOL,
    atol: float = ATOL,
) -> None:
    """Assert that the outputs and every input gradient agree (same shapes, same numbers)."""
    our_out, our_grads = run_ours(our_fn, inputs)
    torch_out, torch_grads = run_torch(torch_fn, inputs)
    problems = _mismatch("output", our_out, torch_out, rtol, atol)
    if our_out.dtype != np.float64:
        problems.append(f"output: dtype {our_out.dtype}, expected float64")
    for k, (ours, theirs) in enumerate(zip(our_grads, torch_grads)):
        problems += _mismatch(f"gradient of input {k} (shape {np.shape(inputs[k])})", ours, theirs, rtol, atol)
    if problems:
        shapes = [np.shape(x) for x in inputs]
        raise AssertionError(f"disagreement with PyTorch for inputs of shapes {shapes}:\n  " + "\n  ".join(problems))
