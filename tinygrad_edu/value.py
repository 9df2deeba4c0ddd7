"""``Value``: one number that remembers how it was computed, so its gradient can be found.

Every op has the same three beats:

1. turn the other operand into a ``Value``;
2. compute the output number with the op's forward rule (``ops.py``);
3. record the output's parents, the op, and the numbers its backward rule will need.

``backward()`` then asks each op, in reverse order, what it sends to its parents:
dL/d(parent) = dL/d(out) * d(out)/d(parent), summed over every use (see ``engine.py``). The
rules themselves live in ``ops.py``, written once for a ``Value``'s float and a ``Tensor``'s
array alike. A node holds its parents, its op and a few floats, never a closure over itself, so
a graph is freed by reference counting as soon as the last reference to its output goes.

Errors follow Python's own float rules: where ``1.0 / 0.0`` or ``math.log(0.0)`` would raise,
the matching ``Value`` op raises the same kind of exception (``ZeroDivisionError``,
``ValueError``, ``OverflowError``) with a message that names the op and the numbers: an op
never turns finite numbers into inf or nan. (The ``Tensor`` follows NumPy and PyTorch instead: IEEE
``inf`` and ``nan``.)
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, Sequence, Tuple, Union

from . import ops
from .checks import checked_label
from .engine import backpropagate
from .xp import SCALAR

Number = Union[int, float]


# How a rule of ops.py becomes a method: ``v + w`` calls ``apply(ops.ADD, v, w)``.


def _binary(op: ops.Op) -> Tuple[Callable, Callable]:
    """``v + w`` and, for a plain number on the left, ``2 + v`` (Python calls ``__radd__``)."""

    def forward(self: Value, other: object) -> Value:
        return apply(op, self, other if type(other) is Value else as_value(other, op.name))

    def reflected(self: Value, other: object) -> Value:
        return apply(op, as_value(other, op.name), self)

    forward.__doc__ = reflected.__doc__ = op.__doc__
    return forward, reflected


def _unary(op: ops.Op) -> Callable:
    def forward(self: Value) -> Value:
        return apply(op, self if type(self) is Value else as_value(self, op.name))  # Value.tanh(2.0) too

    forward.__doc__ = op.__doc__
    return forward


class Value:
    """A scalar in a computation graph: ``.data`` (the number), ``.grad`` (dL/d(this)).

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> loss = a * b + a
    >>> loss.backward()
    >>> a.grad, b.grad          # d(ab + a)/da = b + 1,  d(ab + a)/db = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "saved")

    requires_grad = True  # every Value takes part in backward (micrograd's rule)
    retains_grad = True  # interior nodes keep their gradient, so the graph picture can show it

    def __init__(self, data: Number, label: str = "", *, parents: tuple = (), op: ops.Op = None, saved: tuple = ()):
        self.data = data if type(data) is float else _as_float(data)
        self.grad = 0.0
        self.label = checked_label(label)
        self.op = op  # the op that produced this node (None for a leaf)
        self.parents = parents  # the nodes it was computed from, in order
        self.saved = saved  # the numbers the op's backward rule reads (see ops.Op)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # --- ops: each one is a rule in ops.py, applied to this Value's float -----------------

    __add__, __radd__ = _binary(ops.ADD)
    __sub__, __rsub__ = _binary(ops.SUB)
    __mul__, __rmul__ = _binary(ops.MUL)
    __truediv__, __rtruediv__ = _binary(ops.DIV)
    __neg__ = _unary(ops.NEG)
    exp, log, tanh = _unary(ops.EXP), _unary(ops.LOG), _unary(ops.TANH)
    sigmoid, softplus, relu = _unary(ops.SIGMOID), _unary(ops.SOFTPLUS), _unary(ops.RELU)
    abs, sin, cos = _unary(ops.ABS), _unary(ops.SIN), _unary(ops.COS)
    __abs__ = abs

    def __pow__(self, exponent: object) -> "Value":
        """``v ** n`` for a number n is the power rule (``ops.Power``); ``v ** w`` for a Value w
        differentiates with respect to both (``ops.Pow``)."""
        if isinstance(exponent, Value):
            return apply(ops.POW, self, exponent)
        return apply(ops.Power(_as_float(exponent, what="the exponent in Value ** n")), self)

    def __rpow__(self, base: object) -> "Value":
        return apply(ops.POW, as_value(base, "**"), self)

    def sqrt(self) -> "Value":
        """``sqrt(x)`` is ``x ** 0.5``: its slope 0.5 / sqrt(x) comes from the power rule."""
        return as_value(self, "sqrt") ** 0.5  # (as_value: Value.sqrt(4.0) too, as every function here)

    def leaky_relu(self, negative_slope: float = 0.01) -> "Value":
        """x for x > 0, else ``negative_slope * x`` (see ``ops.LeakyRelu``)."""
        return apply(ops.LeakyRelu(_as_float(negative_slope, what="negative_slope")), as_value(self, "leaky_relu"))

    # --- comparisons: of the numbers, giving a plain bool (no graph) ------------------------

    def __lt__(self, other: object) -> bool:
        return self.data < as_value(other, "<").data

    def __le__(self, other: object) -> bool:
        return self.data <= as_value(other, "<=").data

    def __gt__(self, other: object) -> bool:
        return self.data > as_value(other, ">").data

    def __ge__(self, other: object) -> bool:
        return self.data >= as_value(other, ">=").data

    __hash__ = object.__hash__  # == stays identity: a Value is a node of a graph

    # --- backward ---------------------------------------------------------------------------

    def chain_rule(self, grad: float) -> Sequence[float]:
        """dL/d(parent) for each parent: the op's backward rule on the saved numbers."""
        return self.op.backward(SCALAR, grad, *self.saved)

    def zero_grad(self) -> None:
        self.grad = 0.0

    def add_(self, other: Number, alpha: Number = 1.0) -> "Value":
        """``self.data += alpha * other``, in place and outside the graph (an optimizer's step)."""
        if type(other) is not float or type(alpha) is not float:
            other, alpha = _as_float(other, what="add_"), _as_float(alpha, what="add_(alpha=...)")
        self.data += other if alpha == 1.0 else alpha * other
        return self

    def backward(self, grad: Number = 1.0, on_step=None) -> None:
        """Compute dL/d(node) for every node this one depends on, with L = this Value.

        Leaf gradients add up across calls (call ``zero_grad()`` between steps, as in
        PyTorch); the gradients of interior nodes show the latest call. ``on_step(node, grad,
        parent_grads)``, if given, watches each step (see ``backpropagate``).
        """
        backpropagate(self, _as_float(grad, what="backward(grad)"), on_step=on_step)


# A Value's functions of one number, which a formula on the command line may call as f(x).
FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "softplus", "relu", "leaky_relu", "sqrt", "abs", "sin", "cos")


def apply(op: ops.Op, *inputs: Value) -> Value:
    """The output of ``op`` on ``inputs``, linked to them, with the numbers its backward needs."""
    if len(inputs) == 2:
        a, b = inputs
        numbers = (a.data, b.data)
        out = op.forward(SCALAR, a.data, b.data)
    else:
        numbers = (inputs[0].data,)
        out = op.forward(SCALAR, inputs[0].data)
    if out - out != 0.0 and all(math.isfinite(x) for x in numbers):  # out is inf or nan
        raise _float_error(op, out, numbers)
    node = _new_value(Value)  # __init__'s checks are for numbers from outside, not needed here
    node.data = out
    node.grad = 0.0
    node.label = ""
    node.op = op
    node.parents = inputs
    node.saved = op.pick_saved((*numbers, out))  # ops.OUT is position -1
    return node


_new_value = object.__new__


# --- turning things into Values, and refusing what a float would refuse ------------------------


def _as_float(data: object, what: str = "Value") -> float:
    """Convert a real number to float; refuse anything else with a message naming its type."""
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        raise TypeError(
            f"{what} needs a real number (int or float), got {type(data).__name__} {data!r}. "
            "Convert it first, for example Value(float(x))."
        )
    try:
        return float(data)
    except OverflowError:
        raise OverflowError(
            f"{what} got a number too large for a float (the largest is about 1.8e308); scale it down first"
        ) from None




def as_value(x: object, op: str = "combine") -> Value:
    """Return ``x`` if it is already a ``Value``, otherwise wrap a plain number as a constant."""
    if isinstance(x, Value):
        return x
    constant = _new_value(Value)  # Value(x) without re-checking the number and label
    constant.data = x if type(x) is float else _as_float(x, what=f"Value {op}")
    constant.grad, constant.label, constant.op, constant.parents, constant.saved = 0.0, "", None, (), ()
    return constant


def _float_error(op: ops.Op, out: float, numbers: list) -> ArithmeticError:
    """The exception Python's floats raise where ``op`` on ``numbers`` is not a finite number."""
    if isinstance(op, ops.Power):
        call = f"{numbers[0]!r} ** {op.n!r}"
        base, exponent = numbers[0], op.n
    elif len(numbers) == 2:
        call = f"{numbers[0]!r} {op.name} {numbers[1]!r}"
        base, exponent = numbers
    else:
        call = f"{op.name}({numbers[0]!r})"
        base = exponent = None
    if isinstance(op, ops.Div) and numbers[1] == 0:
        return ZeroDivisionError(f"division by zero in Value / Value: {call}")
    if isinstance(op, (ops.Power, ops.Pow)) and base == 0 and exponent < 0:
        return ZeroDivisionError(f"{call}: 0.0 cannot be raised to a negative power")
    if isinstance(op, (ops.Power, ops.Pow)) and out != out:
        return ValueError(f"{call} is not a real number (a negative base needs a whole-number exponent)")
    if isinstance(op, ops.Log):
        return ValueError(f"{call} is undefined: log needs a positive number")
    if out != out:
        return ValueError(f"{call} is not a real number")
    if isinstance(op, ops.Exp):
        return OverflowError(f"{call} is too large for a float (exp overflows above x = 709.78); scale the inputs down")
    return OverflowError(f"{call} is too large for a float (the largest is about 1.8e308)")
