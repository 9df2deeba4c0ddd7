"""The elementwise ops, each written once: its forward rule and its backward rule, side by side.

An op is a small class with two methods:

``forward(xp, *inputs)``
    The forward rule: the output, computed from the inputs' numbers.
``backward(xp, grad, ...)``
    The backward rule: given dL/d(out) = ``grad``, return dL/d(input) for each input. For an
    elementwise op that is the chain rule at one point, ``grad * d(out)/d(input)``: the
    gradient that arrived times the op's *local derivative*.

``backward`` names, as its parameters after ``grad``, the numbers it needs: some of the
inputs (by the names ``forward`` gives them) and/or ``out``, the output. Those, and only
those, are kept for the backward pass, and the Tensor checks that none of them was changed in
place before it is used.

``xp`` is the arithmetic of the numbers at hand (``xp.py``): ``SCALAR`` (Python's ``math``,
for the float inside a ``Value``) or ``ARRAY`` (NumPy, for the array inside a ``Tensor``); the
name is the Python array API's. The ops in this file are *elementwise*: each output number depends only on the
input numbers at the same place, so the same lines serve a ``Value`` (``value.py``) and a
``Tensor`` (``tensor/``), where NumPy broadcasting may have stretched an input and the Tensor
sums its gradient back (``shapes.sum_to_shape``). Ops that only make sense on arrays (sums,
reshapes, matrix products, indexing, comparisons, casts, ``relu_``) follow the same pattern in
``tensor/``, and the losses' own two in ``losses.py``.

Each op also carries ``name`` (the label in graph pictures) and ``words``: dL/d(input) in
words for the step-through page, with ``{grad}`` for dL/d(out) and ``{a}``, ``{b}``, ``{x}``,
``{out}`` for the numbers.

Derivatives at kinks and ties follow PyTorch: relu'(0) = 0, abs'(0) = 0, a tie of
``maximum`` gives each side half. Where a derivative is zero because the output does not
depend on an input at all (relu of a negative number), the backward *selects* (``where``)
instead of multiplying, so an infinite gradient arriving there gives 0, not inf * 0 = nan.
"""

from __future__ import annotations

import inspect
from operator import itemgetter
from typing import Tuple

OUT = -1  # in ``Op.saves``: the op's output, rather than one of its inputs


class Op:
    """The pattern every op follows; see the module docstring."""

    name = ""
    words: Tuple[str, ...] = ()  # dL/d(input) in words, one per input
    saves: Tuple[int, ...] = ()  # what backward reads, from its parameters' names: input
    # positions, or OUT for the output; pick_saved takes them from [*inputs, out]
    broadcasts = False  # whether forward broadcasts its inputs (an elementwise op does)
    makes_views = False  # whether the output may share its numbers with an input (a reshape)
    differentiable = True  # False for ops whose output takes no gradient (a comparison, argmax)

    def __init_subclass__(cls, **kwargs) -> None:
        """Read off which numbers ``backward`` needs from the names of its parameters."""
        super().__init_subclass__(**kwargs)
        inputs = _named_parameters(cls.forward)[2:]  # after self, xp
        needed = _named_parameters(cls.backward)[3:]  # after self, xp, grad
        unknown = [name for name in needed if name != "out" and name not in inputs]
        if unknown:
            raise TypeError(f"{cls.__name__}.backward asks for {unknown}, which forward does not take")
        cls.inputs = tuple(inputs)
        cls.saves = tuple(OUT if name == "out" else inputs.index(name) for name in needed)
        cls.pick_saved = staticmethod(_picker(cls.saves))

    def forward(self, xp, *inputs):
        raise NotImplementedError

    def backward(self, xp, grad, *saved):
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.name


def _picker(positions: Tuple[int, ...]):
    """A fast function from [*inputs, out] to the tuple of the numbers at ``positions``."""
    if len(positions) > 1:
        return itemgetter(*positions)
    if positions:
        (k,) = positions
        return lambda numbers: (numbers[k],)
    return lambda numbers: ()


def _named_parameters(method) -> list:
    return [name for name, p in inspect.signature(method).parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]


class Elementwise(Op):
    """An op computed number by number; its inputs broadcast against each other."""

    broadcasts = True


# --- arithmetic ------------------------------------------------------------------------------


class Add(Elementwise):
    """out = a + b.   d(out)/da = 1,  d(out)/db = 1: the gradient passes through unchanged."""

    name, words = "+", ("{grad}", "{grad}")

    def forward(self, xp, a, b):
        return a + b

    def backward(self, xp, grad):
        return grad, grad


class Sub(Elementwise):
    """out = a - b.   d(out)/da = 1,  d(out)/db = -1."""

    name, words = "-", ("{grad}", "-{grad}")

    def forward(self, xp, a, b):
        return a - b

    def backward(self, xp, grad):
        return grad, -grad


class Neg(Elementwise):
    """out = -x.   d(out)/dx = -1."""

    name, words = "neg", ("-{grad}",)

    def forward(self, xp, x):
        return -x

    def backward(self, xp, grad):
        return (-grad,)


class Mul(Elementwise):
    """out = a * b.   d(out)/da = b,  d(out)/db = a: each factor's slope is the other factor."""

    name, words = "*", ("{grad} * {b}", "{grad} * {a}")

    def forward(self, xp, a, b):
        return a * b

    def backward(self, xp, grad, a, b):
        return grad * b, grad * a


class Div(Elementwise):
    """out = a / b.   d(out)/da = 1/b,  d(out)/db = -a/b**2, computed as -out/b.

    ``-out/b`` rather than ``-a/(b*b)``: for b = 1e160, b*b overflows to inf and the slope
    would come out as 0 instead of -a/b**2 = -1e-20 (at a = 1e300).
    """

    name, words = "/", ("{grad} / {b}", "-{grad} * {out} / {b}")

    def forward(self, xp, a, b):
        return xp.divide(a, b)

    def backward(self, xp, grad, b, out):
        return grad / b, -grad * out / b


class Power(Elementwise):
    """out = a ** n for a fixed number n (``x ** 2``, ``x ** 0.5``): the power rule,
    d(out)/da = n * a**(n - 1). For n = 0 the output is the constant 1, slope 0 (as PyTorch).

    ``sqrt(x)`` is ``x ** 0.5``: its slope 0.5 / sqrt(x) is infinite at 0, as PyTorch's.
    """

    def __init__(self, n: float):
        self.n = n

    name = property(lambda self: f"**{self.n:g}")
    words = property(lambda self: (f"{{grad}} * {self.n:g} * {{a}}**{self.n - 1:g}",))

    def forward(self, xp, a):
        return xp.power(a, self.n)

    def backward(self, xp, grad, a):
        n = self.n
        if n == 0:
            return (xp.zeros_like(grad),)
        if n == 2:
            return (grad * (2.0 * a),)  # the same numbers as 2 * a**1, one operation fewer
        return (grad * (n * xp.power(a, n - 1)),)


class Pow(Elementwise):
    """out = a ** b, both inputs variable.

    d(out)/da = b * a**(b - 1)    (0 where b = 0, as PyTorch)
    d(out)/db = a**b * ln(a)      (0 where a = 0 and b >= 0, as PyTorch; nan for a < 0)
    """

    name, words = "**", ("{grad} * {b} * {a}**({b} - 1)", "{grad} * {out} * log({a})")

    def forward(self, xp, a, b):
        return xp.power(a, b)

    def backward(self, xp, grad, a, b, out):
        # where() computes both branches; where one is discarded it reads 1 in place of b = 0 (or
        # a = 0), so a NumPy warning (0 ** -1, log(0)) can only come from a number that is kept
        da = xp.where(b == 0, 0.0, b * xp.power(a, xp.where(b == 0, 1.0, b) - 1))
        zero_base = (a == 0) & (b >= 0)
        db = xp.where(zero_base, 0.0, out * xp.log(xp.where(zero_base, 1.0, a)))
        return grad * da, grad * db


# --- functions ------------------------------------------------------------------------------


class Exp(Elementwise):
    """out = e**x.   d(out)/dx = e**x: the output itself, so backward reuses it."""

    name, words = "exp", ("{grad} * {out}",)

    def forward(self, xp, x):
        return xp.exp(x)

    def backward(self, xp, grad, out):
        return (grad * out,)


class Log(Elementwise):
    """out = ln(x).   d(out)/dx = 1/x."""

    name, words = "log", ("{grad} / {x}",)

    def forward(self, xp, x):
        return xp.log(x)

    def backward(self, xp, grad, x):
        return (grad / x,)


class Tanh(Elementwise):
    """t = tanh(x).   dt/dx = 1 - t**2, computed from the output t, which is at hand.

    ``tanh`` itself is exact at the extremes (tanh(1000) = 1), where the textbook
    ``(e**2x - 1) / (e**2x + 1)`` gives inf / inf = nan.
    """

    name, words = "tanh", ("{grad} * (1 - {out}**2)",)

    def forward(self, xp, x):
        return xp.tanh(x)

    def backward(self, xp, grad, out):
        return (grad * (1 - out * out),)


class Sigmoid(Elementwise):
    """s = 1 / (1 + e**-x).   ds/dx = s * (1 - s), from the output.

    Split by sign, so that ``e**`` only ever sees -|x| and cannot overflow: for x >= 0 it is
    ``1 / (1 + e**-x)``, for x < 0 the same number is ``e**x / (1 + e**x)``.
    """

    name, words = "sigmoid", ("{grad} * {out} * (1 - {out})",)

    def forward(self, xp, x):
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))

    def backward(self, xp, grad, out):
        return (grad * (out * (1 - out)),)


class Softplus(Elementwise):
    """out = log(1 + e**x), a smooth relu.   d(out)/dx = sigmoid(x).

    Computed as ``max(x, 0) + log(1 + e**-|x|)`` so ``e**`` never overflows; it is the stable
    heart of binary cross-entropy from logits.
    """

    name, words = "softplus", ("{grad} * sigmoid({x})",)

    def forward(self, xp, x):
        return xp.maximum(x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, xp, grad, x):
        return (grad * SIGMOID.forward(xp, x),)


class Relu(Elementwise):
    """out = max(0, x).   d(out)/dx = 1 where x > 0, else 0 (0 at x = 0, as PyTorch).

    The slope is read from the output (out > 0 exactly where x > 0), so an in-place relu,
    which overwrites x, still has what it needs. Where the slope is 0 the gradient is
    selected away (``where``), not multiplied by 0: an infinite gradient gives 0, as PyTorch.
    The test is "out <= 0 gives 0", PyTorch's, so a nan passes the gradient on.
    """

    name, words = "relu", ("{grad} where {out} > 0, else 0",)

    def forward(self, xp, x):
        return xp.maximum(x, 0.0)

    def backward(self, xp, grad, out):
        return (xp.where(out <= 0, 0.0, grad),)


class LeakyRelu(Elementwise):
    """out = x for x > 0, else slope * x.   d(out)/dx = 1 for x > 0, else slope (slope at 0,
    as PyTorch)."""

    def __init__(self, negative_slope: float = 0.01):
        self.slope = negative_slope

    name = property(lambda self: "leaky_relu" if self.slope == 0.01 else f"leaky_relu({self.slope:g})")
    words = property(lambda self: (f"{{grad}} where {{x}} > 0, else {{grad}} * {self.slope:g}",))

    def forward(self, xp, x):
        return xp.where(x > 0, x, x * self.slope)

    def backward(self, xp, grad, x):
        return (xp.where(x > 0, grad, grad * self.slope),)


class Abs(Elementwise):
    """out = |x|.   d(out)/dx = sign(x): 1, -1, and 0 at x = 0 (as PyTorch)."""

    name, words = "abs", ("{grad} * sign({x})",)

    def forward(self, xp, x):
        return xp.abs(x)

    def backward(self, xp, grad, x):
        return (grad * xp.sign(x),)


class Sin(Elementwise):
    """out = sin(x).   d(out)/dx = cos(x)."""

    name, words = "sin", ("{grad} * cos({x})",)

    def forward(self, xp, x):
        return xp.sin(x)

    def backward(self, xp, grad, x):
        return (grad * xp.cos(x),)


class Cos(Elementwise):
    """out = cos(x).   d(out)/dx = -sin(x)."""

    name, words = "cos", ("-{grad} * sin({x})",)

    def forward(self, xp, x):
        return xp.cos(x)

    def backward(self, xp, grad, x):
        return (-grad * xp.sin(x),)


class Maximum(Elementwise):
    """out = the larger of a and b, number by number.

    The gradient goes to the input that was larger; on a tie (a = b) each gets half, as
    PyTorch: either could be the maximum, and half each is the average of the two choices.
    """

    name, words = "maximum", ("{grad} where {a} > {b} (half on a tie)", "{grad} where {b} > {a} (half on a tie)")

    def forward(self, xp, a, b):
        return xp.maximum(a, b)

    def backward(self, xp, grad, a, b):
        return _share_of_the_larger(xp, grad, a, b), _share_of_the_larger(xp, grad, b, a)


class Minimum(Elementwise):
    """out = the smaller of a and b, number by number; ties split as in ``Maximum``."""

    name, words = "minimum", ("{grad} where {a} < {b} (half on a tie)", "{grad} where {b} < {a} (half on a tie)")

    def forward(self, xp, a, b):
        return xp.minimum(a, b)

    def backward(self, xp, grad, a, b):
        return _share_of_the_larger(xp, grad, -a, -b), _share_of_the_larger(xp, grad, -b, -a)


def _share_of_the_larger(xp, grad, mine, other):
    """The gradient where ``mine`` won, half of it on a tie, 0 where ``other`` won (so, as in
    PyTorch, a nan on either side sends the whole gradient to both)."""
    return xp.where(mine < other, 0.0, xp.where(mine == other, grad / 2, grad))


class Where(Elementwise):
    """out = a where cond holds, else b (``cond`` is data, a mask: it takes no gradient).

    d(out)/da = 1 where cond, else 0;  d(out)/db = the opposite: each gradient is routed
    back to the input that was chosen.
    """

    name, words = "where", ("", "{grad} where {cond}, else 0", "{grad} where not {cond}, else 0")

    def forward(self, xp, cond, a, b):
        return xp.where(cond, a, b)

    def backward(self, xp, grad, cond):
        return None, xp.where(cond, grad, 0.0), xp.where(cond, 0.0, grad)


ADD, SUB, NEG, MUL, DIV, POW = Add(), Sub(), Neg(), Mul(), Div(), Pow()
EXP, LOG, TANH, SIGMOID, SOFTPLUS, RELU = Exp(), Log(), Tanh(), Sigmoid(), Softplus(), Relu()
ABS, SIN, COS, MAXIMUM, MINIMUM, WHERE = Abs(), Sin(), Cos(), Maximum(), Minimum(), Where()
