"""Shapes in the ``Tensor`` backend: broadcasting forward, and its undoing backward.

NumPy *broadcasting* lets ``a + b`` combine a (2, 3) array with a (3,) one: b is used once per
row, as if copied out to (2, 3). The chain rule then says the gradient of b is the sum of the
gradients of all its copies, so backward must *sum* over every axis that forward stretched.
A sum works the other way round: forward collapses axes, backward *spreads* the gradient back
over them. Those two moves, ``sum_to_shape`` and ``spread_to_shape``, are each other's
adjoint, and they are the only shape arithmetic that backpropagation needs.
"""

from __future__ import annotations

from typing import Callable, Tuple

import numpy as np

Shape = Tuple[int, ...]


def broadcast(op: str, forward: Callable, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``forward(a, b)`` with NumPy broadcasting; a shape mismatch names both shapes and the op."""
    try:
        return forward(a, b)
    except ValueError:
        raise ValueError(
            f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together. NumPy compares "
            "shapes from the right; each pair of sizes must be equal, or one of them 1 "
            "(reshape an operand to fix it)"
        ) from None


def sum_to_shape(grad: np.ndarray, shape: Shape) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` down to ``shape``.

    When ``b`` of shape (3,) is added to ``a`` of shape (2, 3), each element of ``b`` is used
    twice, once per row, so its gradient is the sum of the gradients of both uses. In general:
    sum over the leading axes that broadcasting added, then over the axes that were 1 and
    were stretched (keeping them, as size 1).
    """
    if grad.shape == shape:
        return grad
    added = grad.ndim - len(shape)
    if added:
        grad = grad.sum(axis=tuple(range(added)))
    stretched = [axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1]
    if stretched:
        grad = grad.sum(axis=tuple(stretched), keepdims=True)
    return grad


def spread_to_shape(grad: np.ndarray, shape: Shape) -> np.ndarray:
    """The reverse of ``sum_to_shape``: copy ``grad`` out along every axis where it has size 1.

    The backward rule of a sum: each input element went into one sum, so it receives that sum's
    gradient (d(sum)/dx_i = 1). The result is broadcasting written out as a fresh array.
    """
    spread = np.empty(shape, dtype=grad.dtype)
    spread[...] = grad
    return spread


def reduced_axes(axis, ndim: int, op: str) -> Tuple[int, ...]:
    """The axes a reduction such as ``sum(axis=...)`` collapses: all of them for ``None``,
    negative axes counted from the end, each checked against ``ndim``."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"{op}: axis {a} is out of range for a Tensor with {ndim} dimensions")
    return tuple(sorted(a % ndim for a in axes)) if ndim else ()


def kept_shape(shape: Shape, axes: Tuple[int, ...]) -> Shape:
    """The shape after reducing ``axes`` with keepdims=True: those axes become 1."""
    return tuple(1 if axis in axes else size for axis, size in enumerate(shape))
