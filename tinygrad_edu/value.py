"""``Value``: one number that remembers how it was computed, so its gradient can be found.

Every op has the same three beats:

1. turn the other operand into a ``Value``;
2. compute the output number (the *forward rule*);
3. record the output's parents and its *local derivatives* d(out)/d(parent), also numbers.

For scalars a local derivative is a single number, so it is computed right beside the forward
rule and stored on the node. ``backward()`` then needs nothing but multiplication:
dL/d(parent) = dL/d(out) * d(out)/d(parent), summed over every use (see ``engine.py``).
Nodes hold their parents and a few floats, never a closure over themselves, so a graph is freed
by reference counting as soon as the last reference to its output goes.

Errors follow Python's own float rules: where ``1.0 / 0.0`` or ``math.log(0.0)`` would raise,
the matching ``Value`` op raises the same kind of exception (``ZeroDivisionError``,
``ValueError``, ``OverflowError``) with a message that names the op and the number.
(The ``Tensor`` backend follows NumPy and PyTorch instead: IEEE ``inf`` and ``nan``.)
"""

from __future__ import annotations

import math
import numbers
from typing import Sequence, Union

from .engine import backpropagate

Number = Union[int, float]


def _as_float(data: object, what: str = "Value") -> float:
    """Convert a real number to float; refuse anything else with a message naming its type."""
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        raise TypeError(
            f"{what} needs a real number (int or float), got {type(data).__name__} {data!r}. "
            "Convert it first, for example Value(float(x))."
        )
    return float(data)


def as_value(x: object, op: str = "combine") -> "Value":
    """Return ``x`` if it is already a ``Value``, otherwise wrap a plain number as a constant."""
    if isinstance(x, Value):
        return x
    return Value(_as_float(x, what=f"Value {op}"))


def _power(base: float, exponent: float, op: str) -> float:
    """``base ** exponent`` as a real number, refusing the cases where Python's floats refuse."""
    if base == 0.0 and exponent < 0:
        raise ZeroDivisionError(f"{op}: 0.0 cannot be raised to the negative power {exponent!r}")
    if base < 0.0 and not float(exponent).is_integer():
        raise ValueError(
            f"{op}: {base!r} ** {exponent!r} is not a real number "
            "(a negative base needs a whole-number exponent)"
        )
    try:
        return base**exponent
    except OverflowError:
        raise OverflowError(f"{op}: {base!r} ** {exponent!r} is too large for a float") from None


def _power_slope(base: float, exponent: float) -> float:
    """d(base**n)/d(base) = n * base**(n - 1), the power rule; 0 when n == 0 (as in PyTorch)."""
    if exponent == 0:
        return 0.0
    if base == 0.0 and exponent < 1:
        return math.inf  # the slope of sqrt(x) at 0, say: infinite, as PyTorch reports it
    try:
        return exponent * base ** (exponent - 1)
    except OverflowError:
        # |base ** (n-1)| is past the largest float: infinite, negative only for a negative base
        # and odd n - 1 (a negative base gets here only with a whole-number n)
        negative = base < 0.0 and (exponent - 1) % 2 == 1
        return exponent * (-math.inf if negative else math.inf)


def _log_of_base(base: float, out: float) -> float:
    """d(base**x)/dx = base**x * ln(base); 0 for a zero base (as in PyTorch), nan if negative."""
    if base > 0.0:
        return out * math.log(base)
    if base == 0.0:
        return 0.0
    return math.nan  # ln of a negative base is not real; PyTorch also reports nan


def _sigmoid(x: float) -> float:
    """``1 / (1 + e**-x)``, split by sign so ``e**`` only ever sees a non-positive number.

    For x >= 0 use ``1 / (1 + e**-x)``; for x < 0 the same number is ``e**x / (1 + e**x)``.
    The textbook form alone overflows at x = -1000 (``e**1000``).
    """
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class Value:
    """A scalar in a computation graph: ``.data`` (the number), ``.grad`` (dL/d(this)).

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> loss = a * b + a
    >>> loss.backward()
    >>> a.grad, b.grad          # d(ab + a)/da = b + 1,  d(ab + a)/db = a
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "local_grads")

    requires_grad = True  # every Value takes part in backward (micrograd's rule)
    retains_grad = True  # interior nodes keep their gradient, so the graph picture can show it

    def __init__(
        self,
        data: Number,
        label: str = "",
        *,
        parents: tuple = (),
        op: str = "",
        local_grads: tuple = (),
    ):
        self.data = data if type(data) is float else _as_float(data)
        self.grad = 0.0
        self.label = label
        self.op = op  # the op that produced this node ("" for a leaf)
        self.parents = parents  # the nodes it was computed from, in order
        self.local_grads = local_grads  # d(self)/d(parent), one number per parent

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # --- binary ops: forward rule, then the local derivative for each operand ---------------

    def __add__(self, other: object) -> "Value":
        other = as_value(other, "+")
        # d(a+b)/da = 1,  d(a+b)/db = 1
        return Value(self.data + other.data, parents=(self, other), op="+", local_grads=(1.0, 1.0))

    def __sub__(self, other: object) -> "Value":
        other = as_value(other, "-")
        # d(a-b)/da = 1,  d(a-b)/db = -1
        return Value(self.data - other.data, parents=(self, other), op="-", local_grads=(1.0, -1.0))

    def __mul__(self, other: object) -> "Value":
        other = as_value(other, "*")
        a, b = self.data, other.data
        # d(a*b)/da = b,  d(a*b)/db = a
        return Value(a * b, parents=(self, other), op="*", local_grads=(b, a))

    def __truediv__(self, other: object) -> "Value":
        other = as_value(other, "/")
        a, b = self.data, other.data
        if b == 0.0:
            raise ZeroDivisionError(f"division by zero in Value / Value: {a!r} / {b!r}")
        out = a / b
        # d(a/b)/da = 1/b,  d(a/b)/db = -a/b**2 = -out/b  (b*b would underflow to 0 for tiny b)
        return Value(out, parents=(self, other), op="/", local_grads=(1.0 / b, -out / b))

    def __pow__(self, exponent: object) -> "Value":
        if isinstance(exponent, Value):
            a, b = self.data, exponent.data
            out = _power(a, b, "Value ** Value")
            # d(a**b)/da = b * a**(b-1),  d(a**b)/db = a**b * ln(a)
            grads = (_power_slope(a, b), _log_of_base(a, out))
            return Value(out, parents=(self, exponent), op="**", local_grads=grads)
        n = _as_float(exponent, what="the exponent in Value ** n")
        a = self.data
        # d(a**n)/da = n * a**(n-1)
        return Value(
            _power(a, n, f"Value ** {n!r}"),
            parents=(self,),
            op=f"**{n:g}",
            local_grads=(_power_slope(a, n),),
        )

    # Reflected forms, for a plain number on the left: 2 + v, 2 - v, 2 * v, 2 / v, 2 ** v.
    def __radd__(self, other: object) -> "Value":
        return as_value(other, "+") + self

    def __rsub__(self, other: object) -> "Value":
        return as_value(other, "-") - self

    def __rmul__(self, other: object) -> "Value":
        return as_value(other, "*") * self

    def __rtruediv__(self, other: object) -> "Value":
        return as_value(other, "/") / self

    def __rpow__(self, base: object) -> "Value":
        return as_value(base, "**") ** self

    # --- unary ops ------------------------------------------------------------------------

    def __neg__(self) -> "Value":
        # d(-a)/da = -1
        return Value(-self.data, parents=(self,), op="neg", local_grads=(-1.0,))

    def exp(self) -> "Value":
        """Forward ``e**x``; local derivative ``e**x``, the output itself."""
        x = self.data
        try:
            out = math.exp(x)
        except OverflowError:
            raise OverflowError(
                f"exp({x!r}) is too large for a float (exp overflows above x = 709.78); "
                "scale the inputs down"
            ) from None
        return Value(out, parents=(self,), op="exp", local_grads=(out,))

    def log(self) -> "Value":
        """Forward ``ln(x)`` for x > 0; local derivative ``1/x``."""
        x = self.data
        if x <= 0.0:
            raise ValueError(f"log({x!r}) is undefined: log needs a positive number")
        return Value(math.log(x), parents=(self,), op="log", local_grads=(1.0 / x,))

    def tanh(self) -> "Value":
        """Forward ``t = tanh(x)``; local derivative ``1 - t**2``.

        The derivative is computed from the output t, which is already at hand. ``math.tanh``
        is exact at the extremes (tanh(1000) = 1.0) where the textbook formula
        ``(e**2x - 1) / (e**2x + 1)`` would overflow to inf/inf = nan.
        """
        t = math.tanh(self.data)
        return Value(t, parents=(self,), op="tanh", local_grads=(1.0 - t * t,))

    def sigmoid(self) -> "Value":
        """Forward ``s = 1 / (1 + e**-x)``; local derivative ``s * (1 - s)``.

        Computed in a form that cannot overflow at any x (see ``_sigmoid``).
        """
        s = _sigmoid(self.data)
        return Value(s, parents=(self,), op="sigmoid", local_grads=(s * (1.0 - s),))

    def softplus(self) -> "Value":
        """Forward ``log(1 + e**x)``, a smooth relu; local derivative ``sigmoid(x)``.

        Computed as ``max(x, 0) + log(1 + e**-|x|)`` so ``e**`` never overflows. It is the
        stable heart of binary cross-entropy from logits.
        """
        x = self.data
        out = max(x, 0.0) + math.log1p(math.exp(-abs(x)))
        return Value(out, parents=(self,), op="softplus", local_grads=(_sigmoid(x),))

    def relu(self) -> "Value":
        """Forward ``max(0, x)``; local derivative 1 for x > 0, else 0 (0 at x = 0, as PyTorch)."""
        x = self.data
        if x > 0.0:
            return Value(x, parents=(self,), op="relu", local_grads=(1.0,))
        return Value(0.0, parents=(self,), op="relu", local_grads=(0.0,))

    # --- backward ---------------------------------------------------------------------------

    def chain_rule(self, grad: float) -> Sequence[float]:
        """dL/d(parent) = dL/d(self) * d(self)/d(parent), for each parent."""
        return [grad * local for local in self.local_grads]

    def zero_grad(self) -> None:
        self.grad = 0.0

    def backward(self, grad: Number = 1.0, on_step=None) -> None:
        """Compute dL/d(node) for every node this one depends on, with L = this Value.

        Leaf gradients add up across calls (call ``zero_grad()`` between steps, as in
        PyTorch); the gradients of interior nodes show the latest call. ``on_step(node, grad,
        parent_grads)``, if given, watches each step (see ``backpropagate``).
        """
        backpropagate(self, _as_float(grad, what="backward(grad)"), on_step=on_step)
