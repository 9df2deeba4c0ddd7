"""``Tensor``: a NumPy array that remembers how it was computed, so its gradient can be found.

The same idea as ``Value``, on arrays. Every op has the same beats:

1. turn the other operand into a ``Tensor``;
2. compute the output array with the op's forward rule;
3. record the output's parents, the op, and the arrays its backward rule will need.

The rules are in ``ops.py``, written once for ``Value`` and ``Tensor``: on arrays, the backward
rule of an elementwise op is a *vector-Jacobian product*, ``grad * local derivative`` number by
number (the Jacobian itself, n x n and diagonal, is never formed). Step 3 is ``apply`` in
``recording.py``. The other ops, which only arrays have, live beside this file: shapes and
indexing (``shape_ops.py``), sums and the softmax family (``reductions.py``), matrix products
(``matmul.py``); comparisons, masks, copies and casts (``conversions.py``); Tensors made from
nothing (``creation.py``); PyTorch's other names (``size()``, ``dim()``, ``.mT``: ``spellings.py``).

Broadcasting is undone in one place: an elementwise op's backward may return a gradient in the
broadcast shape of its output, and ``chain_rule`` folds it back to each input's shape with
``sum_to_shape`` (``shapes.py``).

Numbers follow NumPy and PyTorch: IEEE ``inf`` and ``nan``, without warnings as in PyTorch
(``xp.py``), instead of exceptions, so one bad element does not stop a whole batch; the
training loop checks that the loss stays finite. Numbers changed in place between forward and
backward are caught by version counters (``versions.py``).
"""

from __future__ import annotations

import math
import numbers
from typing import Optional, Sequence, Union

import numpy as np

from .. import ops
from ..engine import backpropagate
from ..xp import ARRAY
from ..checks import checked_label
from ..shapes import sum_to_shape
from .dtypes import as_array, checked_backward_options, checked_number, checked_requires_grad, is_float, not_differentiable, seed_gradient
from .grad_mode import _mode
from .conversions import ConversionMethods, as_numbers, promoted
from .matmul import MatmulMethods
from .recording import _new_tensor, apply, changed_in_place
from .reductions import PAIR, ReductionMethods, ValuesAndIndices
from .shape_ops import ShapeMethods
from .spellings import SpellingMethods
from .versions import LAYOUT, Version, WatchedArray

ArrayLike = Union[np.ndarray, Sequence, float, int]


# How a rule of ops.py becomes a method: ``t * u`` calls ``apply(ops.MUL, t, u)``.


def _binary(op: ops.Op):
    """``t + u`` and, for a number or array on the left, ``2 + t`` (Python calls ``__radd__``)."""

    def forward(self: "Tensor", other: object) -> "Tensor":
        return apply(op, *promoted(self, self._operand(other, op.name)))

    def reflected(self: "Tensor", other: object) -> "Tensor":
        return apply(op, *promoted(self._operand(other, op.name), self))

    forward.__doc__ = reflected.__doc__ = op.__doc__
    return forward, reflected


def _unary(op: ops.Op, real: bool = True):
    """``t.exp()``. A mask or whole numbers pass through ``as_numbers`` first: converted to float64
    for a function of ``real`` numbers (PyTorch's results are floats), passed on unconverted to
    ``-t``, ``relu`` and ``abs`` (``-mask`` is refused)."""

    def forward(self: "Tensor") -> "Tensor":
        if self._data.dtype.kind != "f":  # a float Tensor pays only this test
            self = as_numbers(self, op, real)
        return apply(op, self)

    forward.__doc__ = op.__doc__
    return forward


class Tensor(ShapeMethods, ReductionMethods, MatmulMethods, ConversionMethods, SpellingMethods):
    """An array in a computation graph: ``.data`` (its numbers), ``.grad`` (dL/d(this) or None).

    >>> w = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> loss = (w * w).sum()
    >>> loss.backward()
    >>> w.grad                  # d(sum w**2)/dw = 2w
    array([[2., 4.]])
    """

    __slots__ = ("_data", "_version", "grad", "requires_grad", "retains_grad", "parents", "op", "saved", "versions", "label")

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype=None, label: str = ""):
        """``data``: numbers (nested lists, an ndarray, another Tensor), always copied.

        Floating-point data keeps its dtype (float64 or float32); whole numbers become float64
        (numbers to differentiate), unless ``dtype`` says otherwise; booleans stay a mask.
        """
        if isinstance(data, Tensor):
            if _mode.tracer is not None:
                _mode.tracer.copies(data)
            data = data._data
        self._data = as_array(data, dtype, what="Tensor", copy=True)
        self._version = Version()
        self.grad: Optional[np.ndarray] = None
        self.requires_grad = checked_requires_grad(requires_grad, self._data.dtype)
        self.retains_grad = False
        self.parents: tuple = ()
        self.op: Optional[ops.Op] = None
        self.saved: tuple = ()
        self.versions: tuple = ()
        self.label = checked_label(label)

    # --- what it is ----------------------------------------------------------------------

    @property
    def data(self) -> WatchedArray:
        """The numbers, as an ndarray (no copy): writing into it changes this Tensor."""
        if _mode.tracer is not None:
            _mode.tracer.refuse("reading t.data")
        return WatchedArray.of(self._data, self._version)

    @data.setter
    def data(self, value: ArrayLike) -> None:
        if isinstance(value, WatchedArray) and value._version is self._version and _same_memory(value, self._data):
            return  # ``t.data -= 1`` hands back its own view, already written in place
        if _mode.tracer is not None:
            _mode.tracer.refuse("replacing a Tensor's numbers with t.data = ...")
        self._data = as_array(value, self._data.dtype, what="Tensor.data", copy=True)
        self._version = Version()  # new numbers: nothing saved so far refers to them
        LAYOUT.count += 1

    shape = property(lambda self: self._data.shape)
    dtype = property(lambda self: self._data.dtype)
    ndim = property(lambda self: self._data.ndim)
    is_leaf = property(lambda self: not self.parents, doc="Made by the user, not by an op (PyTorch's name).")

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="Tensor(", threshold=20)
        extras = "".join(
            [
                f", dtype={self.dtype}" if self.dtype != np.float64 else "",
                ", requires_grad=True" if self.requires_grad else "",
                f", label={self.label!r}" if self.label else "",
            ]
        )
        return f"Tensor({body}{extras})"

    # --- the graph -------------------------------------------------------------------------

    @staticmethod
    def _constant(array: np.ndarray) -> "Tensor":
        return constant(array)

    def _operand(self, other: object, op: str) -> "Tensor":
        """``other`` as a Tensor: a number or array becomes a constant, in this Tensor's dtype
        when this one is floating point (so float32 stays float32, as in PyTorch)."""
        if isinstance(other, Tensor):
            return other
        if type(other) in (float, int) and is_float(self._data.dtype):  # the common case, made quick
            number = np.array(other, dtype=self._data.dtype)
            if math.isfinite(number) or not math.isfinite(other):  # no overflow to float32's inf
                return constant(number)
        if isinstance(other, ValuesAndIndices):  # x - x.max(1): PyTorch's pair, not a Tensor
            raise TypeError(f"{PAIR}, not a Tensor: use .values in {op} (or t.amax(dim) for the values alone)")
        if isinstance(other, (numbers.Real, np.ndarray, list, tuple)) and not isinstance(other, (bool, np.bool_)):
            dtype = self.dtype if is_float(self.dtype) else None
            # a copy: the graph may keep it for backward, and the caller may change the array later
            return constant(as_array(other, dtype, what=f"the operand of {op}", copy=True))
        raise TypeError(
            f"cannot combine a Tensor with {type(other).__name__} {other!r} in {op}; use a number, an array or a Tensor"
        )

    def chain_rule(self, grad: np.ndarray) -> list:
        """dL/d(parent) for each parent: the op's backward rule (a vector-Jacobian product),
        folded back to each parent's shape (``sum_to_shape``) and dtype.

        First it checks that nothing the op saved has been changed in place since. A leaf
        keeps the array it is sent as its ``.grad``, so that array must be its own: a gradient
        passed on unchanged (``+``) or as a view (``reshape``) is copied for a leaf.
        """
        if self.versions:  # has anything the op saved been changed in place since?
            for count, position in zip(self.versions, self.op.saves):
                saved = self if position == ops.OUT else self.parents[position]
                if saved._version.count != count:
                    raise changed_in_place(saved, self.op, count)
        parent_grads = []
        shares = self.op.backward(ARRAY, grad, *self.saved)
        for g, parent in zip(shares, self.parents):
            if g is None or not parent.requires_grad:
                parent_grads.append(None)
                continue
            data = parent._data
            if g.shape != data.shape:  # broadcasting stretched this input: undo it
                g = sum_to_shape(g, data.shape)
            if type(g) is not np.ndarray:
                g = np.asarray(g)  # a 0-d result, which NumPy returns as a scalar
            if g.dtype is not data.dtype and g.dtype != data.dtype:  # a float32 input to a float64 op: cast back
                if data.dtype.kind != "f":  # requires_grad set by hand on whole numbers: refused, not truncated
                    raise not_differentiable(data.dtype, "backward(): ")
                g = g.astype(data.dtype)
            elif (g is grad or g.base is not None) and (not parent.parents or parent.retains_grad):
                g = g.copy()
            parent_grads.append(g)
        if _mode.tracer is not None:  # a step being recorded for replay (jit.py)
            _mode.tracer.chain_rule(self, grad, shares, parent_grads)
        return parent_grads

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None, *, grad=None, on_step=None) -> None:
        """Compute dL/d(leaf) for every leaf with ``requires_grad``, with L = this Tensor.

        L must be a single number, unless ``gradient`` (or ``grad``) gives dL/d(this) explicitly.
        Leaf gradients add up across calls: call ``zero_grad()`` between training steps, as in
        PyTorch. The graph is always kept, so backward() may run again: ``retain_graph`` (PyTorch's)
        is accepted and changes nothing. ``create_graph=True`` is refused (no gradients of gradients).
        ``on_step(node, grad, parent_grads)``, if given, watches each step (see ``backpropagate``).
        """
        given = checked_backward_options(gradient, grad, retain_graph, create_graph, inputs)
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a Tensor that does not require grad: none of the Tensors it was "
                "computed from has requires_grad=True, or it was computed inside no_grad()"
            )
        if not is_float(self._data.dtype):  # requires_grad set by hand on whole numbers or booleans
            raise not_differentiable(self.dtype, "backward(): ")
        grad = seed_gradient(self._data, given)
        tracer = _mode.tracer
        if tracer is not None:  # a step being recorded for replay (jit.py)
            tracer.backward_start(self, grad, given)
        backpropagate(self, grad, on_step=on_step)
        if tracer is not None:
            tracer.backward_end()

    def retain_grad(self) -> None:
        """Keep this interior node's gradient after ``backward()`` (PyTorch's opt-in)."""
        self.retains_grad = True

    def zero_grad(self) -> None:
        if _mode.tracer is not None:
            _mode.tracer.zero_grad(self)
        self.grad = None

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Switch gradients on (or off) for this leaf, in place; returns the Tensor."""
        requires_grad = checked_requires_grad(requires_grad, self.dtype)
        if self.parents and not requires_grad:
            raise RuntimeError("requires_grad_(False) on a Tensor computed by ops: use detach() to cut it from the graph")
        if self.requires_grad != (requires_grad or bool(self.parents)):
            self.requires_grad = not self.requires_grad
            LAYOUT.count += 1
        return self

    def detach(self) -> "Tensor":
        """The same numbers, cut from the graph. Shares memory (and the count of in-place
        changes) with this Tensor, as in PyTorch: use ``clone()`` for numbers of its own."""
        return apply(DETACH, self)

    # --- arithmetic: the rules of ops.py (NumPy broadcasting; sum_to_shape undoes it) -------

    __add__, __radd__ = _binary(ops.ADD)
    __sub__, __rsub__ = _binary(ops.SUB)
    __mul__, __rmul__ = _binary(ops.MUL)
    __truediv__, __rtruediv__ = _binary(ops.DIV)
    __neg__ = _unary(ops.NEG, real=False)

    def __pow__(self, exponent: object) -> "Tensor":
        """``t ** n`` for a number n is the power rule (``ops.Power``); ``t ** u`` for a Tensor u
        differentiates with respect to both (``ops.Pow``)."""
        if type(exponent) in (float, int) or isinstance(exponent, numbers.Real) and not isinstance(exponent, (bool, np.bool_)):
            return apply(ops.Power(float(exponent)), self)
        return apply(ops.POW, *promoted(self, self._operand(exponent, "**")))

    def __rpow__(self, base: object) -> "Tensor":
        return apply(ops.POW, *promoted(self._operand(base, "**"), self))

    # ``array + tensor``: NumPy would otherwise add the Tensor to each element, returning an
    # array of Tensors. ``None`` tells NumPy to step aside, so Python calls ``__radd__``.
    __array_ufunc__ = None

    exp, log, tanh = _unary(ops.EXP), _unary(ops.LOG), _unary(ops.TANH)
    sigmoid, softplus, relu = _unary(ops.SIGMOID), _unary(ops.SOFTPLUS), _unary(ops.RELU, real=False)
    abs, sin, cos = _unary(ops.ABS, real=False), _unary(ops.SIN), _unary(ops.COS)
    __abs__ = abs

    def sqrt(self) -> "Tensor":
        """``sqrt(x)`` is ``x ** 0.5``: its slope 0.5 / sqrt(x) comes from the power rule."""
        return self**0.5

    def leaky_relu(self, negative_slope: float = 0.01) -> "Tensor":
        """x for x > 0, else ``negative_slope * x`` (see ``ops.LeakyRelu``)."""
        return apply(ops.LeakyRelu(checked_number(negative_slope, "leaky_relu(negative_slope)")), self)

    def maximum(self, other: object) -> "Tensor":
        return maximum(self, other)

    def minimum(self, other: object) -> "Tensor":
        return minimum(self, other)

    def clip(self, min=None, max=None) -> "Tensor":
        """Each number limited to [min, max] (either may be None); PyTorch also calls it ``clamp``.

        A composite: ``where(x < min, min, x)``, then the same for max, so its gradient comes
        from ``where``: it passes where min <= x <= max, bounds included (as PyTorch's), and is
        0 outside, where the output no longer moves with x.
        """
        if min is None and max is None:
            raise ValueError("clip needs min, max or both; clip(min=0.0) keeps numbers >= 0")
        out = self
        if min is not None:
            out = where(out < min, min, out)
        if max is not None:
            out = where(out > max, max, out)
        return out

    clamp = clip

    def relu_(self) -> "Tensor":
        """``relu`` computed in place, overwriting this Tensor's numbers to save memory.

        Backward reads relu's output, not its input (out > 0 exactly where x > 0), so the
        input's numbers are no longer needed, as long as no other op saved them: right after
        ``linear`` (whose backward needs its input, not its output), none has. PyTorch's
        ``nn.ReLU(inplace=True)`` relies on the same fact. If another op did save them (or a
        view of them), the version counter sees the change and ``backward()`` raises rather
        than compute a wrong gradient. A leaf that requires grad, or a view of one (a reshape of
        a weight), is refused at once, as in PyTorch.
        """
        viewed = self
        while viewed.op is not None and viewed.op.makes_views:  # back through reshapes and slices
            viewed = viewed.parents[0]
        if viewed.requires_grad and not viewed.parents:
            raise RuntimeError(
                f"relu_() would overwrite {'a leaf Tensor' if viewed is self else 'a view of a leaf Tensor'} that "
                "requires grad, whose numbers backward needs; use relu(), which leaves its input alone"
            )
        self._version.count += 1  # the numbers are about to change
        return apply(RELU_IN_PLACE, self)


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.strides == b.strides and a.__array_interface__["data"] == b.__array_interface__["data"]


def constant(array: np.ndarray) -> Tensor:
    """A Tensor of ``array`` (not copied) that records nothing: data, a mask, a number in a formula."""
    node = _new_tensor(Tensor)
    node._data = array if type(array) is np.ndarray else np.asarray(array)
    node._version, node.grad, node.requires_grad, node.retains_grad = Version(), None, False, False
    node.parents, node.op, node.saved, node.versions, node.label = (), None, (), (), ""
    return node


# --- elementwise functions with several Tensors (also at the top level: tinygrad_edu.where) ----


def where(condition, a, b) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (PyTorch's and NumPy's ``where``).

    ``condition`` is a bool Tensor or array (``x > 0``); ``a`` and ``b`` are Tensors or
    numbers, broadcast together. The gradient of each goes back to where it was chosen.
    """
    if not isinstance(condition, Tensor):
        condition = constant(as_array(condition, None, what="where()'s condition"))
    if condition.dtype != bool:
        raise TypeError(f"where() needs a condition of booleans, such as x > 0, got dtype {condition.dtype}")
    first = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    if first is None:
        first = constant(as_array(a, None, what="where()"))
    return apply(ops.WHERE, condition, *promoted(first._operand(a, "where"), first._operand(b, "where")))


def maximum(a, b) -> Tensor:
    """The larger of ``a`` and ``b``, number by number; a tie gives each half the gradient."""
    first = _a_tensor(a, b, "maximum")
    return apply(ops.MAXIMUM, *promoted(first._operand(a, "maximum"), first._operand(b, "maximum")))


def minimum(a, b) -> Tensor:
    """The smaller of ``a`` and ``b``, number by number; a tie gives each half the gradient."""
    first = _a_tensor(a, b, "minimum")
    return apply(ops.MINIMUM, *promoted(first._operand(a, "minimum"), first._operand(b, "minimum")))


class Detach(ops.Op):
    """out = x, the same numbers, recording no graph: no gradient flows back through it."""

    name, differentiable, makes_views = "detach", False, True

    def forward(self, xp, x):
        return x


DETACH = Detach()


def _a_tensor(a, b, op: str) -> Tensor:
    """The Tensor among ``a`` and ``b`` (the other may be a number or an array)."""
    if isinstance(a, Tensor):
        return a
    if isinstance(b, Tensor):
        return b
    raise TypeError(
        f"{op}() compares Tensors: give at least one Tensor, got {type(a).__name__} and {type(b).__name__} "
        f"(for plain numbers use Python's {op[:3]}() or np.{op}())"
    )


class ReluInPlace(ops.Relu):
    """relu, whose output is its input's own numbers, overwritten (``relu_``)."""

    makes_views = True  # the output shares the input's numbers, and their count of changes

    def forward(self, xp, x):
        return xp.maximum(x, 0.0, out=x)


RELU_IN_PLACE = ReluInPlace()
