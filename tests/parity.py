"""Parity with PyTorch: the same function on our numbers and on torch's, compared.

    assert_matches_torch(lambda a, b: a * b + a, lambda a, b: a * b + a, [x, y], FLOAT64)

For each input it builds a leaf of ours (a ``Value``, or a ``Tensor`` of float64 or float32:
the *backend*) and a torch tensor of the same dtype with ``requires_grad=True``, runs both
functions, and checks that the outputs agree in shape, dtype and numbers. Then it
differentiates both with the same random weighting

    L = sum(out * w)        so   dL/d(out) = w,

seeding ``backward(w)`` on both sides. Every output element has its own random weight, so every
element's gradient matters: a gradient that lands on the wrong element, or is summed where it
should not be, changes the result (seeding with ones, as ``out.sum()`` does, would let such
mistakes cancel). Finally every input's gradient must have its input's shape, dtype and
PyTorch's numbers. An input the output does not depend on has gradient 0 (PyTorch: ``None``).

Tolerance. In float64 both sides differ only by rounding: a few units in the last place
(1 ulp = 2.2e-16 relative) per op, and exp, log, tanh come from different math libraries.
``rtol = 1e-12`` leaves room for thousands of roundings and still catches any wrong derivative;
``atol = 1e-12`` covers results that should be 0 but are rounding noise. In float32 (1 ulp =
1.2e-7) the two libraries also add up in different orders, so the float32 backend allows
``rtol = atol = 1e-5``. inf must match inf of the same sign, nan must match nan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Sequence

import numpy as np
import torch

from tinygrad_edu.tensor import Tensor
from tinygrad_edu.value import Value


@dataclass(frozen=True)
class Backend:
    name: str
    leaf: Callable  # an input (number or array) -> our leaf
    dtype: type  # the NumPy dtype of everything ours computes
    torch_dtype: torch.dtype
    rtol: float
    atol: float

    def __str__(self) -> str:
        return self.name


VALUE = Backend("Value", lambda x: Value(float(x)), np.float64, torch.float64, 1e-12, 1e-12)
FLOAT64 = Backend("Tensor float64", lambda x: Tensor(np.array(x, dtype=np.float64), requires_grad=True), np.float64, torch.float64, 1e-12, 1e-12)
FLOAT32 = Backend("Tensor float32", lambda x: Tensor(np.array(x, dtype=np.float32), requires_grad=True), np.float32, torch.float32, 1e-5, 1e-5)


def output_weights(shape, seed: int = 1234) -> np.ndarray:
    """A fixed random weight for every output element: L = sum(out * w)."""
    return np.random.default_rng(seed).normal(size=shape)


def run_ours(fn: Callable, inputs: Sequence, backend: Backend = FLOAT64, weights: Callable = output_weights):
    """Our output and the gradient of L = sum(out * w) with respect to each input."""
    leaves = [backend.leaf(x) for x in inputs]
    out = fn(*leaves)
    w = weights(np.shape(out.data))
    out.backward(float(w) if isinstance(out, Value) else w.astype(backend.dtype))
    grads = [np.zeros(np.shape(x), dtype=backend.dtype) if leaf.grad is None else np.asarray(leaf.grad) for leaf, x in zip(leaves, inputs)]
    return np.asarray(out.data), grads


def run_torch(fn: Callable, inputs: Sequence, backend: Backend = FLOAT64, weights: Callable = output_weights):
    """PyTorch's output and the gradient of the same L, in the backend's dtype."""
    leaves = [torch.tensor(np.asarray(x), dtype=backend.torch_dtype, requires_grad=True) for x in inputs]
    out = fn(*leaves)
    out.backward(torch.tensor(weights(tuple(out.shape)), dtype=out.dtype))
    grads = [np.zeros(np.shape(x), dtype=backend.dtype) if t.grad is None else t.grad.numpy() for t, x in zip(leaves, inputs)]
    return out.detach().numpy(), grads


def _mismatch(what: str, ours: np.ndarray, theirs: np.ndarray, backend: Backend) -> List[str]:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.shape != theirs.shape:
        return [f"{what}: ours has shape {ours.shape}, torch has shape {theirs.shape}"]
    if ours.dtype != theirs.dtype:
        return [f"{what}: ours has dtype {ours.dtype}, torch has {theirs.dtype}"]
    if not np.allclose(ours.astype(np.float64), theirs.astype(np.float64), rtol=backend.rtol, atol=backend.atol, equal_nan=True):
        return [f"{what}:\n    ours  {ours.tolist()!r}\n    torch {theirs.tolist()!r}"]
    return []


def assert_matches_torch(our_fn: Callable, torch_fn: Callable, inputs: Sequence, backend: Backend = VALUE) -> None:
    """Assert that the outputs and every input gradient agree (same shapes, dtypes, numbers)."""
    our_out, our_grads = run_ours(our_fn, inputs, backend)
    torch_out, torch_grads = run_torch(torch_fn, inputs, backend)
    problems = _mismatch("output", our_out, torch_out, backend)
    for k, (ours, theirs) in enumerate(zip(our_grads, torch_grads)):
        problems += _mismatch(f"gradient of input {k} (shape {np.shape(inputs[k])})", ours, theirs, backend)
    if problems:
        shown = [np.asarray(x).tolist() for x in inputs]
        raise AssertionError(f"{backend}: disagreement with PyTorch at inputs {shown!r}:\n  " + "\n  ".join(problems))
