"""Shapes in the ``Tensor`` backend: broadcasting forward, and its undoing backward.

NumPy *broadcasting* lets ``a + b`` combine a (2, 3) array with a (3,) one: b is used once per
row, as if copied out to (2, 3). The chain rule then says the gradient of b is the sum of the
gradients of all its copies, so backward must *sum* over every axis that forward stretched.
A sum works the other way round: forward collapses axes, backward *spreads* the gradient back
over them. Those two moves, ``sum_to_shape`` and ``spread_to_shape``, are each other's
adjoint: a broadcasting op (``+``, ``@``) folds its gradients with the first, a sum or a mean
with the second. After them, the helpers that read and check an ``axis=`` (or ``dim=``)
argument.
"""

from __future__ import annotations

import numbers
from typing import Optional, Tuple

import numpy as np

Shape = Tuple[int, ...]


def sum_to_shape(grad: np.ndarray, shape: Shape) -> np.ndarray:
    """Undo broadcasting: sum ``grad`` down to ``shape``.

    When ``b`` of shape (3,) is added to ``a`` of shape (2, 3), each element of ``b`` is used
    twice, once per row, so its gradient is the sum of the gradients of both uses. In general:
    sum over the leading axes that broadcasting added, then over the axes that were 1 and
    were stretched (keeping them, as size 1).
    """
    if grad.shape == shape:
        return grad
    given, added = grad.shape, grad.ndim - len(shape)
    if added < 0:
        raise _not_from_broadcasting(given, shape)
    if added:
        grad = grad.sum(axis=tuple(range(added)))
    stretched = [axis for axis, size in enumerate(shape) if size == 1 and grad.shape[axis] != 1]
    if stretched:
        grad = grad.sum(axis=tuple(stretched), keepdims=True)
    if grad.shape != tuple(shape):
        raise _not_from_broadcasting(given, shape)
    return grad


def _not_from_broadcasting(given: Shape, shape: Shape) -> ValueError:
    return ValueError(
        f"sum_to_shape: a gradient of shape {given} cannot come from broadcasting shape {tuple(shape)}; "
        "the shape must broadcast to the gradient's (the same sizes, or 1, counted from the right)"
    )


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
    negative axes counted from the end, each checked against ``ndim``. A 0-d Tensor has one
    number and no axes; like PyTorch, axis 0 or -1 reduce it to itself."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    checked = tuple(sorted({normalize_axis(a, ndim, op) for a in axes}))
    if len(checked) != len(axes):
        raise ValueError(f"{op}: axis {tuple(axes)} names the same axis twice")
    return checked if ndim else ()


def normalize_axis(axis, ndim: int, op: str, extra: int = 0) -> int:
    """``axis`` as a position in 0 .. ndim - 1 (+ extra), negative ones counted from the end.

    ``extra = 1`` is for ops that insert an axis (``unsqueeze``, ``stack``), which can also go
    after the last one. A 0-d Tensor accepts 0 and -1, as in PyTorch.
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}: an axis is a whole number (0, 1, -1, ...), got {type(axis).__name__} {axis!r}")
    size = max(ndim + extra, 1)
    if not -size <= axis < size:
        low, high = -size, size - 1
        raise ValueError(f"{op}: axis {axis} is out of range for a Tensor with {ndim} dimensions (use {low} to {high})")
    return int(axis) % size


def one_spelling(op: str, numpy_name: str, numpy_value, torch_name: str, torch_value, default=None):
    """NumPy's ``axis=``/``keepdims=`` or PyTorch's ``dim=``/``keepdim=``: either, not both."""
    if numpy_value is not None and torch_value is not None:
        raise TypeError(f"{op}: give {numpy_name}= (NumPy's name) or {torch_name}= (PyTorch's), not both")
    return numpy_value if numpy_value is not None else torch_value if torch_value is not None else default


def kept_shape(shape: Shape, axes: Tuple[int, ...]) -> Shape:
    """The shape after reducing ``axes`` with keepdims=True: those axes become 1."""
    return tuple(1 if axis in axes else size for axis, size in enumerate(shape))


def check_keepdims(keepdims: Optional[bool], op: str) -> bool:
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"{op}: keepdims is True or False, got {type(keepdims).__name__} {keepdims!r}")
    return bool(keepdims)
