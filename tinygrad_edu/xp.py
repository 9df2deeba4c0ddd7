"""``xp``: the arithmetic the ops of ``ops.py`` call, for an array (``ARRAY``) and for one float
(``SCALAR``).

An op is written once, as ``xp.exp(x)`` or ``xp.where(x > 0, grad, 0.0)``; a ``Tensor`` passes
``ARRAY`` (NumPy's functions, for its arrays) and a ``Value`` passes ``SCALAR`` (the same
functions for one Python float, written with ``math``, which is far faster than NumPy on a
single number). The name ``xp`` is the one the Python array API uses for "the array library at
hand".
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np

# A Tensor's arithmetic gives IEEE inf and nan quietly, as PyTorch's does: NumPy's "divide by
# zero encountered in log" is silenced for this library's own lines only, and after any filter of
# the caller's own (python -W error, or a np.errstate such as over="raise", still applies).
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"tinygrad_edu\.", append=True)


class _NumPyByDefault(type):
    def __getattr__(cls, name: str):
        function = getattr(np, name)
        setattr(cls, name, function)  # found once, then an ordinary attribute
        return function


class ARRAY(metaclass=_NumPyByDefault):
    """NumPy, as the ops call it on ``xp`` for a Tensor's arrays: ``ARRAY.exp`` is ``np.exp``.

    One exception: ``power`` is the operator ``a ** n``, which NumPy computes as ``sqrt`` for
    n = 0.5, two to four times as fast as ``np.power``. (For the float n = 2.0 that the ops
    pass, ``a ** 2.0`` and ``np.power`` cost the same, twice ``a * a`` or more.)
    """

    power = staticmethod(operator.pow)



class SCALAR:
    """The functions the ops above call on ``xp``, for one Python float.

    Written with ``math`` (far faster than NumPy on a single number), with NumPy's IEEE
    results where Python would raise: ``divide(1.0, 0.0)`` is inf, ``log(0.0)`` is -inf,
    ``power(0.0, -0.5)`` is inf. ``Value`` then refuses to *produce* such a number from finite
    inputs, in Python's own terms (see ``Value``); inside a backward rule they are the right
    answers (the slope of sqrt at 0 is infinite).
    """

    tanh, sin, cos = math.tanh, math.sin, math.cos

    @staticmethod
    def exp(x: float) -> float:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    @staticmethod
    def log(x: float) -> float:
        if x > 0:
            return math.log(x)
        return -math.inf if x == 0 else math.nan

    @staticmethod
    def log1p(x: float) -> float:
        if x > -1:
            return math.log1p(x)
        return -math.inf if x == -1 else math.nan

    @staticmethod
    def divide(a: float, b: float) -> float:
        if b != 0:
            return a / b
        if a == 0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)

    @staticmethod
    def power(a: float, n: float) -> float:
        try:
            result = a**n
        except ZeroDivisionError:  # 0.0 ** negative: the pole, signed for odd whole n
            negative = math.copysign(1.0, a) < 0 and float(n).is_integer() and n % 2 == 1
            return -math.inf if negative else math.inf
        except OverflowError:  # |a| ** n past the largest float
            negative = a < 0 and float(n).is_integer() and n % 2 == 1
            return -math.inf if negative else math.inf
        return math.nan if isinstance(result, complex) else result  # (-8) ** (1/3) is not real

    @staticmethod
    def abs(x: float) -> float:
        return abs(x)

    @staticmethod
    def sign(x: float) -> float:
        return 1.0 if x > 0 else -1.0 if x < 0 else 0.0 * x  # 0 at 0, nan for nan

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return a if a >= b or a != a else b  # nan wins, as NumPy's

    @staticmethod
    def minimum(a: float, b: float) -> float:
        return a if a <= b or a != a else b

    @staticmethod
    def zeros_like(x: float) -> float:
        return 0.0

    @staticmethod
    def where(cond: bool, a: float, b: float) -> float:
        return a if cond else b
