"""Parity with PyTorch: run the same function on our numbers and on torch float64 tensors.

    assert_matches_torch(lambda a, b: a * b + a, lambda a, b: a * b + a, [2.0, -3.0])

builds one leaf of ours and one ``torch.float64`` tensor (``requires_grad=True``) from each
input, runs both functions, calls ``backward()`` on both outputs, and checks that the outputs
agree and that every input's gradient agrees. An input the output does not depend on has
gradient 0 (PyTorch leaves it as ``None``).

Tolerance. Both sides compute in IEEE float64, mostly with the same formulas, so they differ
only by rounding: a few units in the last place (1 ulp = 2.2e-16 relative) per op, and ``exp``,
``log`` and ``tanh`` come from different math libraries. ``RTOL = 1e-12`` leaves room for
thousands of such roundings and still catches any wrong derivative. ``ATOL = 1e-12`` is for
results that should be 0 but come out as rounding noise (like ``x - x*1``). ``inf`` must
match ``inf`` of the same sign, and ``nan`` must match ``nan``.

Our leaves are made by ``leaf`` (``Value`` by default). Nothing else here is specific to
scalars: inputs may be numbers or arrays, and results are compared element by element, so an
array backend can pass its own leaf maker, e.g. ``leaf=lambda a: Tensor(a, requires_grad=True)``.
"""

from __future__ import annotations

from typing import Callable, List, Sequence, Tuple

import numpy as np
import torch

from tinygrad_edu.value import Value

RTOL = 1e-12
ATOL = 1e-12


def _value_leaf(x: object) -> Value:
    return Value(float(x))


def run_ours(fn: Callable, inputs: Sequence, leaf: Callable = _value_leaf) -> Tuple[np.ndarray, List[np.ndarray]]:
    """Our output and the gradient of each input, as float64 arrays."""
    leaves = [leaf(x) for x in inputs]
    out = fn(*leaves)
    out.backward()
    grads = [np.zeros(np.shape(x)) if x_leaf.grad is None else np.asarray(x_leaf.grad, dtype=np.float64) for x_leaf, x in zip(leaves, inputs)]
    return np.asarray(out.data, dtype=np.float64), grads


def run_torch(fn: Callable, inputs: Sequence) -> Tuple[np.ndarray, List[np.ndarray]]:
    """PyTorch's output and the gradient of each input, computed in float64."""
    leaves = [torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True) for x in inputs]
    out = fn(*leaves)
    out.sum().backward()  # sum() is a no-op for one number; for arrays it seeds every grad with 1, like ours
    grads = [np.zeros(np.shape(x)) if t.grad is None else t.grad.numpy() for t, x in zip(leaves, inputs)]
    return out.detach().numpy(), grads


def close(ours: object, theirs: object, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Element by element: |ours - theirs| <= atol + rtol * |theirs|; inf equals inf of the same sign, nan equals nan."""
    return bool(np.all(np.isclose(np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64), rtol=rtol, atol=atol, equal_nan=True)))


def _show(x: np.ndarray) -> str:
    return repr(float(x)) if np.ndim(x) == 0 else np.array2string(x, precision=17)


def assert_matches_torch(
    our_fn: Callable,
    torch_fn: Callable,
    inputs: Sequence,
    rtol: float = RTOL,
    atol: float = ATOL,
    leaf: Callable = _value_leaf,
) -> None:
    """Assert that ``our_fn`` and ``torch_fn`` agree on the output and on every input gradient."""
    our_out, our_grads = run_ours(our_fn, inputs, leaf)
    torch_out, torch_grads = run_torch(torch_fn, inputs)
    problems = []
    if not close(our_out, torch_out, rtol, atol):
        problems.append(f"output: ours {_show(our_out)}, torch {_show(torch_out)}")
    for k, (ours, theirs) in enumerate(zip(our_grads, torch_grads)):
        if not close(ours, theirs, rtol, atol):
            problems.append(f"gradient of input {k}: ours {_show(ours)}, torch {_show(theirs)}")
    if problems:
        raise AssertionError(f"disagreement with PyTorch at inputs {list(inputs)!r}:\n  " + "\n  ".join(problems))
