"""Habits: comparisons, a Tensor as Python numbers and lists, copies and casts, and changes
made in place.

``t > 0`` is a bool Tensor of the numbers, recording no graph: a mask for ``t[mask]`` or
``where``. (Since ``==`` is elementwise, a Tensor hashes by identity, as PyTorch's does.)
Masks combine with ``~`` (not), ``&`` (and), ``|`` (or), ``^`` (xor), into masks. A function of
real numbers (``exp``, ``sigmoid``, ...) computes a mask or whole numbers as float64 numbers
(``as_numbers``), as PyTorch gives float results for them.

``float(t)``, ``t.item()``, ``t.tolist()``, ``t.numpy()`` leave the graph; ``t.clone()`` and
``t.float()`` / ``t.double()`` stay in it (their backward passes the gradient through, cast
back to the input's dtype by ``chain_rule``). ``add_``, ``mul_``, ``zero_`` and ``t[i] = v``
change numbers in place, outside the graph, so they are refused on a Tensor that requires
grad unless recording is off (``no_grad``), as an optimizer's step is; each one counts as a
change for the version counter (``versions.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

import numpy as np

from .. import ops
from ..checks import short
from .recording import apply
from .dtypes import as_array, as_dtype
from .grad_mode import _mode
from .shape_ops import _filled, _index_and_arrays
from .versions import WatchedArray

if TYPE_CHECKING:
    from .core import Tensor


class ConversionMethods:
    """The habits of ``Tensor`` (mixed into it in ``core.py``), and its comparisons."""

    # --- comparisons: a bool Tensor of the numbers, recording no graph ----------------------

    def _compare(self: "Tensor", compare: "Compare", other: object) -> "Tensor":
        """In the dtype PyTorch compares in (``promoted``): an array with axes keeps its own, so a
        float32 Tensor meets a float64 array in float64; a number takes this Tensor's (x32 == 0.1)."""
        if isinstance(other, np.ndarray) and other.ndim and other.dtype.kind == "f":
            other = self._constant(np.asarray(other))
        other = other if hasattr(other, "_data") else self._operand(other, compare.name)
        return apply(compare, *promoted(self, other))

    __lt__ = lambda self, other: self._compare(LESS, other)  # noqa: E731
    __le__ = lambda self, other: self._compare(LESS_EQUAL, other)  # noqa: E731
    __gt__ = lambda self, other: self._compare(GREATER, other)  # noqa: E731
    __ge__ = lambda self, other: self._compare(GREATER_EQUAL, other)  # noqa: E731
    __eq__ = lambda self, other: self._compare(EQUAL, other)  # noqa: E731
    __ne__ = lambda self, other: self._compare(NOT_EQUAL, other)  # noqa: E731

    # --- masks: ~, &, |, ^ on bool Tensors, a bool Tensor recording no graph ------------------

    def __invert__(self: "Tensor") -> "Tensor":
        return apply(NOT, _mask(self, "~"))

    def _logic(self: "Tensor", logic: "Logic", a: object, b: object) -> "Tensor":
        return apply(logic, _mask(a, logic.name, self), _mask(b, logic.name, self))

    __and__ = lambda self, other: self._logic(AND, self, other)  # noqa: E731
    __rand__ = lambda self, other: self._logic(AND, other, self)  # noqa: E731  (a bool array or True on the left)
    __or__ = lambda self, other: self._logic(OR, self, other)  # noqa: E731
    __ror__ = lambda self, other: self._logic(OR, other, self)  # noqa: E731
    __xor__ = lambda self, other: self._logic(XOR, self, other)  # noqa: E731
    __rxor__ = lambda self, other: self._logic(XOR, other, self)  # noqa: E731

    def isfinite(self: "Tensor") -> "Tensor":
        """A mask: True where the number is neither inf nor nan."""
        return apply(IS_FINITE, self)

    __hash__ = object.__hash__  # == is elementwise, so a Tensor hashes by identity, as PyTorch's

    # --- Python numbers, lists, copies, casts -------------------------------------------

    def item(self: "Tensor") -> Union[float, int, bool]:
        """The one number this Tensor holds, as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item() needs a Tensor with one element, this one has shape {self.shape}")
        if _mode.tracer is not None:
            _mode.tracer.refuse("reading a number with item(), float(), int() or bool()")
        return self._data.reshape(()).item()

    def __float__(self: "Tensor") -> float:
        return float(self.item())

    def __int__(self: "Tensor") -> int:
        return int(self.item())

    def __bool__(self: "Tensor") -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"the truth of a Tensor of shape {self.shape} is ambiguous: use (t > 0).any() or "
                "(t > 0).all() to ask about all of its numbers"
            )
        return bool(self.item())

    def __len__(self: "Tensor") -> int:
        if not self.ndim:
            raise TypeError("len() of a 0-d Tensor: it holds one number and has no length (use .item())")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def numpy(self: "Tensor") -> WatchedArray:
        """The numbers as an ndarray (no copy, no graph), as PyTorch's ``numpy()``."""
        return self.data

    def tolist(self: "Tensor") -> list:
        if _mode.tracer is not None:
            _mode.tracer.refuse("reading numbers with tolist()")
        return self._data.tolist()

    def clone(self: "Tensor") -> "Tensor":
        """A copy of the numbers that stays in the graph: gradients flow back through it."""
        return apply(Clone(), self)

    def float(self: "Tensor") -> "Tensor":
        """As float32 (PyTorch's ``float``), staying in the graph."""
        return self.to(np.float32)

    def double(self: "Tensor") -> "Tensor":
        """As float64 (PyTorch's ``double``), staying in the graph."""
        return self.to(np.float64)

    def to(self: "Tensor", dtype) -> "Tensor":
        """Cast to ``dtype``; the gradient is cast back on the way (``Cast``)."""
        dtype = as_dtype(dtype)
        if dtype == self.dtype:
            return self
        return apply(Cast(dtype), self)

    # --- in place, outside the graph (an optimizer's step, ``t[mask] = 0``) ------------------

    def add_(self: "Tensor", other: object, alpha: float = 1.0) -> "Tensor":
        """``self += alpha * other`` in place (PyTorch's spelling; optimizers use it)."""
        if self.requires_grad and _mode.enabled:
            self._check_in_place("add_")
        if type(alpha) is not float:
            alpha = _checked_alpha(alpha)
        if _mode.tracer is not None:  # a step being recorded for replay (jit.py)
            _mode.tracer.add_(self, other, alpha)
        if type(other) is not np.ndarray:  # (an optimizer's step is an ndarray: no conversion)
            other = other._data if hasattr(other, "_data") else self._operand(other, "add_")._data
        value = other if alpha == 1.0 else alpha * other
        data = self._data
        if type(value) is np.ndarray and value.dtype is data.dtype and value.shape == data.shape:
            data += value  # an optimizer's step: nothing to check
            self._version.count += 1
        else:
            _in_place(np.add, self, value, "add_")
        return self

    def mul_(self: "Tensor", other: object) -> "Tensor":
        self._check_in_place("mul_")
        other = other._data if hasattr(other, "_data") else self._operand(other, "mul_")._data
        _in_place(np.multiply, self, other, "mul_")
        return self

    def zero_(self: "Tensor") -> "Tensor":
        self._check_in_place("zero_")
        self._data[...] = 0
        self._version.count += 1
        return self

    def __setitem__(self: "Tensor", index, value) -> None:
        self._check_in_place("t[...] = value")
        if getattr(value, "requires_grad", False) and _mode.enabled:
            raise RuntimeError(
                "t[...] = value copies numbers outside the graph, and this value requires grad, so its "
                "gradient would be lost without a word. Build the Tensor with ops instead (tinygrad_edu.cat, "
                "stack or where), or copy the numbers on purpose: t[...] = value.detach()"
            )
        value = value._data if hasattr(value, "_data") else as_array(value, self.dtype, what="t[...] = value")
        index, arrays = _index_and_arrays(index, self)  # a mask or indices may be Tensors or lists, as in t[index]
        index = _filled(index, [array._data for array in arrays])
        target = self.data
        try:
            target[index]  # the index alone, checked with NumPy's rules before anything is written
        except (IndexError, TypeError, ValueError) as error:
            raise IndexError(f"t[...] = value on a Tensor of shape {self.shape}: {str(error).replace('array', 'Tensor')}") from None
        try:
            np.broadcast_to(value, np.shape(target[index]))
        except ValueError:
            raise ValueError(
                f"t[...] = value: a value of shape {np.shape(value)} does not fit the {np.shape(target[index])} numbers it would replace"
            ) from None
        target[index] = value  # through .data: the version count

    def _check_in_place(self: "Tensor", what: str) -> None:
        if _mode.tracer is not None:
            _mode.tracer.refuse(f"changing numbers with {what}")
        if self.requires_grad and _mode.enabled:  # (optimizers step inside no_grad)
            raise RuntimeError(
                f"{what} on a Tensor that requires grad would change numbers the graph depends on "
                "without recording it; do it inside `with no_grad():` (as an optimizer's step "
                "does), or compute a new Tensor instead (x = x + 1)"
            )


def _mask(x: object, op: str, t: "Tensor" = None) -> "Tensor":
    """``x`` as a bool Tensor for ``op`` (True, False or a bool array become constants), else a
    refusal saying that these ops are for masks."""
    if isinstance(x, (bool, np.bool_, np.ndarray, list, tuple)):
        array = as_array(x, None, what=f"the operand of {op}", copy=True)
        if array.dtype == bool:
            return t._constant(array)
    elif hasattr(x, "_data") and x.dtype == bool:
        return x
    what = f"{x.dtype} numbers" if hasattr(x, "_data") else f"{type(x).__name__} {short(x)}"
    example = "~(x > 0)" if op == "~" else f"(x > 0) {op} (x < 1)"
    raise TypeError(f"{op} is for masks (bool Tensors, such as x > 0), not {what}: compare first, as in {example}")


def as_numbers(t: "Tensor", op: ops.Op, real: bool) -> "Tensor":
    """A mask or whole numbers as ``op`` takes them: as float64 numbers for a function of real
    numbers (``real``), else as they are; ``-mask`` is refused, as in PyTorch."""
    if op is ops.NEG and t.dtype == bool:
        raise TypeError("-mask: negating a bool Tensor is not supported; use ~mask to invert a mask, or 1 - mask.double() for numbers")
    return t.double() if real else t


def promoted(*tensors: "Tensor") -> tuple:
    """The operands of an elementwise op, cast to the dtype PyTorch computes it in where NumPy's
    differs: a single number (a 0-d Tensor) takes the dtype of the Tensors with axes of its kind,
    so ``x32 * Tensor(2.0)`` stays float32; whole numbers or booleans beside floats take the
    floats' dtype, so ``x32 * an int64 Tensor`` is float32 (NumPy makes both float64). A cast
    stays in the graph: the gradient is cast back."""
    first = tensors[0]._data.dtype
    if all(t._data.dtype is first for t in tensors):
        return tensors  # the common case: one dtype, nothing to decide
    top = max(_KIND[t._data.dtype.kind] for t in tensors)
    kind = [t for t in tensors if _KIND[t._data.dtype.kind] == top]
    target = np.result_type(*[t._data for t in ([t for t in kind if t._data.ndim] or kind)])
    if target.kind != "f":
        return tensors  # masks and whole numbers: NumPy's dtype is PyTorch's
    return tuple(t.to(target) if t._data.dtype != target else t for t in tensors)


_KIND = {"b": 0, "u": 1, "i": 1, "f": 2}  # PyTorch's categories: a higher one decides the dtype


def _in_place(ufunc, t: "Tensor", other, what: str) -> None:
    """``t = t (ufunc) other`` in the Tensor's own numbers, counted as a change; refused when the
    result would not fit (another shape, or fractions in whole numbers)."""
    try:
        ufunc(t._data, other, out=t._data, casting="same_kind")
    except ValueError:
        raise ValueError(f"{what}: a value of shape {np.shape(other)} cannot update a Tensor of shape {t.shape} in place") from None
    except TypeError:  # NumPy's casting error: fractions into whole numbers, or not numbers at all
        raise TypeError(f"{what}: a {t.dtype} Tensor cannot be updated in place with numbers of dtype {np.asarray(other).dtype}") from None
    t._version.count += 1


def _checked_alpha(alpha) -> float:
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise TypeError(f"add_(alpha=...) is a number, got {type(alpha).__name__} {alpha!r}")
    return float(alpha)


class Clone(ops.Op):
    """out = a copy of x.   The gradient passes through unchanged."""

    name, words = "clone", ("{grad}",)

    def forward(self, xp, x):
        return x.copy()

    def backward(self, xp, grad):
        return (grad,)


class Cast(ops.Op):
    """out = x in another dtype (``float()``, ``double()``).   The gradient is cast back (in
    ``chain_rule``, which gives every input its gradient in its own dtype)."""

    words = ("{grad}",)

    def __init__(self, dtype: np.dtype):
        self.dtype = dtype
        self.name = f"to {dtype}"
        self.differentiable = dtype.kind == "f"  # whole numbers or booleans take no gradient, as in PyTorch

    def forward(self, xp, x):
        return x.astype(self.dtype)

    def backward(self, xp, grad):
        return (grad,)


class Compare(ops.Op):
    """out = a < b (or <=, >, >=, ==, !=), number by number: a mask, which takes no gradient."""

    differentiable, broadcasts = False, True

    def __init__(self, name: str, ufunc):
        self.name, self.ufunc = name, ufunc

    def forward(self, xp, a, b):
        return self.ufunc(a, b)


LESS, LESS_EQUAL, GREATER, GREATER_EQUAL = Compare("<", np.less), Compare("<=", np.less_equal), Compare(">", np.greater), Compare(">=", np.greater_equal)
EQUAL, NOT_EQUAL = Compare("==", np.equal), Compare("!=", np.not_equal)


class Logic(Compare):
    """out = a and b (or a or b, a xor b), number by number, on masks: a mask, which takes no gradient."""


AND, OR, XOR = Logic("&", np.logical_and), Logic("|", np.logical_or), Logic("^", np.logical_xor)


class Not(ops.Op):
    """out = not x, number by number, on a mask (``~mask``): a mask, which takes no gradient."""

    name, differentiable = "~", False

    def forward(self, xp, x):
        return xp.logical_not(x)


NOT = Not()


class IsFinite(ops.Op):
    """out = True where x is neither inf nor nan: a mask, which takes no gradient."""

    name, differentiable = "isfinite", False

    def forward(self, xp, x):
        return xp.isfinite(x)


IS_FINITE = IsFinite()
