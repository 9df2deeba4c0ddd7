"""Shapes and indexing: ops that move numbers around without changing them.

Each output number is a copy of one input number, so backward only has to send each gradient
back to where its number came from: reshape it back, permute it back, or (for ``t[index]``)
scatter it into zeros, *adding* where an index picked the same number twice. ``cat`` splits
its gradient back into the pieces; ``stack`` unstacks it.

Two primitives carry the family of views: ``Reshape`` and ``Permute``. ``view``, ``flatten``,
``unsqueeze`` and ``squeeze`` are reshapes; ``transpose`` and ``.T`` are permutations.
``GetItem``, ``Cat`` and ``Stack`` are primitives of their own.
Like NumPy's, most of them are views: they share their numbers (and the count of in-place
changes, see ``versions.py``) with their input.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..ops import Op
from .recording import apply
from ..shapes import normalize_axis, one_spelling

if TYPE_CHECKING:
    from .core import Tensor


class Reshape(Op):
    """out = the same numbers in a new shape.   Backward: the gradient reshaped back."""

    name, words = "reshape", ("{grad} reshaped back to the shape of {x}",)

    makes_views = True

    def __init__(self, shape: tuple):
        self.shape = shape

    def forward(self, xp, x):
        self.input_shape = x.shape
        return x.reshape(self.shape)

    def backward(self, xp, grad):
        return (grad.reshape(self.input_shape),)


class Permute(Op):
    """out = x with its axes reordered: out axis k is input axis dims[k].
    Backward: the inverse permutation puts every gradient back on its input axis."""

    name, words = "permute", ("{grad} with the axes put back",)

    makes_views = True

    def __init__(self, dims: tuple):
        self.dims = dims
        self.inverse = tuple(np.argsort(dims))

    def forward(self, xp, x):
        return x.transpose(self.dims)

    def backward(self, xp, grad):
        return (grad.transpose(self.inverse),)


class GetItem(Op):
    """out = x[index].   Backward: zeros in x's shape, with each gradient added where its
    number was taken from (twice taken, twice added: ``np.add.at``).

    Index arrays (lists, masks, Tensors of positions) are inputs of the op, not settings of it,
    so a recorded step reads them afresh (see ``jit.py``); they take no gradient.
    """

    name, words = "[]", ("{grad} put back where each number was taken from",)
    makes_views = True

    def __init__(self, index):
        self.index = index  # the index, each array in it replaced by ARRAY_PART
        self.advanced = any(part is ARRAY_PART for part in _parts(index))

    def forward(self, xp, x, *arrays):
        self.input_shape = x.shape
        # copies: backward must put the gradient where the numbers came from, even if the
        # caller changes the index array afterwards
        self.filled = _filled(self.index, [array.copy() for array in arrays])
        return x[self.filled]

    def backward(self, xp, grad):
        spread = xp.zeros(self.input_shape, dtype=grad.dtype)
        if self.advanced:
            xp.add.at(spread, self.filled, grad)  # an index listed twice collects both gradients
        else:
            spread[self.filled] = grad  # ints and slices pick each number at most once
        return (spread,)


ARRAY_PART = object()  # in GetItem.index: "the next of the op's index arrays goes here"


def _parts(index) -> tuple:
    return index if isinstance(index, tuple) else (index,)


def _filled(index, arrays):
    arrays = iter(arrays)
    parts = tuple(next(arrays) if part is ARRAY_PART else part for part in _parts(index))
    return parts if isinstance(index, tuple) else parts[0]


class Cat(Op):
    """out = the inputs joined along ``axis``.   Backward: the gradient cut back into pieces."""

    name, words = "cat", ("{grad}, the piece that came from this input",)

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, xp, *pieces):
        self.ends = np.cumsum([piece.shape[self.axis] for piece in pieces])[:-1]
        return xp.concatenate(pieces, axis=self.axis)

    def backward(self, xp, grad):
        return xp.split(grad, self.ends, axis=self.axis)


class Stack(Op):
    """out = the inputs stacked along a new ``axis``.   Backward: the gradient unstacked."""

    name, words = "stack", ("{grad}, the slice that came from this input",)

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, xp, *pieces):
        return xp.stack(pieces, axis=self.axis)

    def backward(self, xp, grad):
        return tuple(xp.moveaxis(grad, self.axis, 0))


class ShapeMethods:
    """The shape and indexing methods of ``Tensor`` (mixed into it in ``core.py``)."""

    def reshape(self: "Tensor", *shape) -> "Tensor":
        """Same numbers, new shape; one size may be -1 (worked out from the others)."""
        shape = _shape_argument(shape, "reshape")
        if any(size < -1 for size in shape):
            raise ValueError(f"reshape: a size is 0 or more, or -1 for the one size worked out from the others, got {shape}")
        try:
            return apply(Reshape(shape), self)
        except ValueError:  # NumPy's words for sizes that do not multiply out; ours name both shapes
            raise ValueError(f"reshape: cannot reshape shape {self.shape} ({self.size} numbers) into {shape}") from None

    def view(self: "Tensor", *shape) -> "Tensor":
        """PyTorch's name for ``reshape`` (it shares the numbers, as reshape does here)."""
        return self.reshape(*shape)

    def flatten(self: "Tensor", start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        """Axes start_dim .. end_dim merged into one (all of them by default)."""
        if self.ndim == 0:
            return self.reshape(1)
        start, end = normalize_axis(start_dim, self.ndim, "flatten"), normalize_axis(end_dim, self.ndim, "flatten")
        if start > end:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape
        return self.reshape(*shape[:start], math.prod(shape[start : end + 1]), *shape[end + 1 :])

    def unsqueeze(self: "Tensor", dim: int) -> "Tensor":
        """A new axis of size 1 at position ``dim`` (-1: after the last)."""
        dim = normalize_axis(dim, self.ndim, "unsqueeze", extra=1)
        return self.reshape(*self.shape[:dim], 1, *self.shape[dim:])

    def squeeze(self: "Tensor", dim=None) -> "Tensor":
        """Axes of size 1 removed: all of them, or those named by ``dim``. As in PyTorch, a named
        axis whose size is not 1 is left as it is (NumPy would raise)."""
        if dim is None:
            dims = [d for d, size in enumerate(self.shape) if size == 1]
        else:
            named = dim if isinstance(dim, (tuple, list)) else (dim,)
            dims = [d for d in (normalize_axis(d, self.ndim, "squeeze") for d in named) if self.ndim and self.shape[d] == 1]
        return self.reshape(*(size for d, size in enumerate(self.shape) if d not in dims))

    def permute(self: "Tensor", *dims) -> "Tensor":
        """Reorder all the axes: out axis k is input axis dims[k] (NumPy's ``transpose(axes)``)."""
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        dims = tuple(normalize_axis(d, self.ndim, "permute") for d in dims)
        if sorted(dims) != list(range(self.ndim)):
            raise ValueError(f"permute: {dims} is not an ordering of all the axes 0 .. {self.ndim - 1} of shape {self.shape}")
        return apply(Permute(dims), self)

    def transpose(self: "Tensor", *dims) -> "Tensor":
        """Swap two axes: ``x.transpose(0, 1)`` (PyTorch's meaning). To reorder all the axes, as
        NumPy's ``transpose(axes)`` does, use ``permute``; to reverse them, ``.T``."""
        if len(dims) != 2 or not all(isinstance(d, (numbers.Integral, np.integer)) for d in dims):
            raise TypeError(
                f"transpose swaps two axes, as in PyTorch: transpose(0, 1), got transpose{dims!r}. "
                "To reorder every axis use permute(...) (NumPy's transpose(axes)); to reverse them use .T"
            )
        first, second = (normalize_axis(d, self.ndim, "transpose") for d in dims)
        order = list(range(self.ndim))
        order[first], order[second] = order[second], order[first]
        return apply(Permute(tuple(order)), self)

    T = property(lambda self: self.permute(*reversed(range(self.ndim))), doc="The axes reversed (a matrix transposed).")

    def __getitem__(self: "Tensor", index) -> "Tensor":
        """``t[...]`` as in NumPy and PyTorch: ints, slices, None, ..., integer lists or arrays
        (a repeated index adds up in the gradient), boolean masks (an array or a bool Tensor)."""
        index, arrays = _index_and_arrays(index, self)
        try:
            return apply(GetItem(index), self, *arrays)
        except IndexError as error:  # NumPy's reasons, reworded: out of range, mask of another shape...
            raise IndexError(f"t[{_show(index)}] on a Tensor of shape {self.shape}: {_reason(error)}") from None
        except (TypeError, ValueError) as error:
            raise IndexError(f"t[{_show(index)}]: {_reason(error)}") from None


def cat(tensors: Sequence["Tensor"], dim: int = None, *, axis: int = None) -> "Tensor":
    """The Tensors joined end to end along an existing axis (``dim`` or ``axis``, default 0)."""
    tensors = _tensors(tensors, "cat")
    for k, t in enumerate(tensors):
        if not t.ndim:
            raise ValueError(f"cat joins along an axis, and the Tensor at position {k} is one number with no axis; "
                             "use stack([...]) to make a new axis, or t.reshape(1)")
    axis = normalize_axis(one_spelling("cat", "axis", axis, "dim", dim, 0), tensors[0].ndim, "cat")
    shapes = [t.shape for t in tensors]
    if any(len(s) != len(shapes[0]) or s[:axis] + s[axis + 1 :] != shapes[0][:axis] + shapes[0][axis + 1 :] for s in shapes):
        raise ValueError(f"cat: shapes {shapes} must match except along axis {axis}")
    return apply(Cat(axis), *tensors)


def stack(tensors: Sequence["Tensor"], dim: int = None, *, axis: int = None) -> "Tensor":
    """The Tensors, all of one shape, stacked along a new axis (``dim`` or ``axis``, default 0)."""
    tensors = _tensors(tensors, "stack")
    axis = normalize_axis(one_spelling("stack", "axis", axis, "dim", dim, 0), tensors[0].ndim, "stack", extra=1)
    shapes = [t.shape for t in tensors]
    if len(set(shapes)) != 1:
        raise ValueError(f"stack: every Tensor must have the same shape, got {shapes}")
    return apply(Stack(axis), *tensors)


# --- helpers ---------------------------------------------------------------------------------


def _shape_argument(shape: tuple, op: str) -> tuple:
    """``reshape(2, 3)`` and ``reshape((2, 3))`` alike; every size a whole number."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for size in shape:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (numbers.Integral, np.integer)):
            example = f"{op}(2, 3) or {op}(-1)" if op in ("reshape", "view") else f"{op}(2, 3)"
            raise TypeError(f"{op}: sizes are whole numbers, such as {example}, got {type(size).__name__} {size!r}")
    return tuple(int(size) for size in shape)


def _tensors(tensors, op: str) -> list:
    from .core import Tensor

    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{op} takes a non-empty list of Tensors, such as {op}([a, b], dim=0)")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op} takes a list of Tensors, got a {type(t).__name__} in it")
    return list(tensors)


def _index_and_arrays(index, tensor: "Tensor"):
    """The index with each array in it (a Tensor, list or ndarray of positions or a mask)
    replaced by ``ARRAY_PART``, and those arrays as Tensors; floats refused."""
    from .core import Tensor

    if isinstance(index, list) and any(isinstance(part, (slice, type(None), type(Ellipsis))) for part in index):
        raise IndexError(f"t[{index!r}]: a list holds positions; for an index with slices, None or ..., write a tuple: t[tuple(...)]")
    if isinstance(index, list) and any(isinstance(part, (list, tuple, np.ndarray, Tensor)) for part in index):
        raise IndexError(
            f"t[{index!r}]: a list of lists is read two ways: NumPy takes it as one array of positions, PyTorch "
            "(for now) as one list per axis. Say which: t[np.array(...)] for the first, t[tuple(...)] for the second"
        )
    parts, arrays = [], []
    for part in _parts(index):
        if isinstance(part, list):
            try:
                part = np.asarray(part)
            except ValueError:  # nested lists of different lengths
                raise IndexError(f"t[{part!r}]: a list of indices must be rectangular (rows of equal length)") from None
        if isinstance(part, (Tensor, np.ndarray)):
            array = part if isinstance(part, Tensor) else tensor._constant(part)
            if array.dtype.kind not in "iub":
                raise IndexError(f"t[...]: an index array must hold whole numbers or booleans, got dtype {array.dtype}")
            parts.append(ARRAY_PART)
            arrays.append(array)
        elif isinstance(part, (float, np.floating)):
            raise IndexError(f"t[{part!r}]: an index is a whole number, a slice, a list of whole numbers or a mask")
        else:
            parts.append(part)
    return (tuple(parts) if isinstance(index, tuple) else parts[0]), arrays


def _show(index) -> str:
    def one(p) -> str:
        if p is ARRAY_PART:
            return "[...]"
        return "..." if p is Ellipsis else f"{p.start or ''}:{p.stop or ''}" if isinstance(p, slice) else repr(p)

    return ", ".join(one(p) for p in _parts(index))


def _reason(error: Exception) -> str:
    """NumPy's reason, reworded where it speaks of arrays."""
    return str(error).replace("array", "Tensor")
