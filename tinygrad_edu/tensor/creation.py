"""Tensors made from nothing: ``zeros``, ``ones``, ``full``, ``arange``, ``eye``, ``randn`` and the
``_like`` forms, spelled as in PyTorch (``zeros(2, 3)``) and as in NumPy (``zeros((2, 3))``).

Each takes ``dtype=`` (float64 by default, or as the data says) and ``requires_grad=``.
``randn`` draws from a seeded generator, so the same seed gives the same numbers every run.
"""

from __future__ import annotations

import math
import numbers
from typing import Union

import numpy as np

from .core import Tensor
from .dtypes import as_array
from .shape_ops import _shape_argument

Seed = Union[int, np.random.Generator, None]


def _made(array: np.ndarray, dtype, requires_grad: bool) -> Tensor:
    return Tensor(array, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return _made(np.zeros(_sizes(shape, "zeros")), dtype, requires_grad)


def ones(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return _made(np.ones(_sizes(shape, "ones")), dtype, requires_grad)


def full(shape, fill_value: float, dtype=None, requires_grad: bool = False) -> Tensor:
    """Every number ``fill_value``; one that does not fit ``dtype`` is refused, as ``Tensor(...)`` does."""
    shape = _sizes(shape if isinstance(shape, (tuple, list)) else (shape,), "full")
    if isinstance(fill_value, (bool, np.bool_)) and dtype is None:
        dtype = bool
    elif not isinstance(fill_value, (numbers.Real, np.number)):
        raise TypeError(f"full: fill_value is a number, got {type(fill_value).__name__} {fill_value!r}")
    value = as_array(fill_value, np.float64 if dtype is None else dtype, what="full(fill_value)")  # 1e300 in float32: refused
    return _made(np.full(shape, value), dtype, requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return zeros(*_tensor(t, "zeros_like").shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return ones(*_tensor(t, "ones_like").shape, dtype=t.dtype if dtype is None else dtype, requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """``start, start + step, ...`` up to, not including, ``end`` (``arange(5)``: 0 .. 4).

    As in PyTorch and NumPy, whole-number arguments give int64, any fraction float64.
    """
    for x in (start, end, step):
        if x is not None and (isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, np.number))):
            raise TypeError(f"arange takes numbers, got {type(x).__name__} {x!r}")
    if step == 0:
        raise ValueError("arange: step must not be 0")
    numbers_given = [x for x in (start, end, step) if x is not None]
    whole = all(isinstance(x, (numbers.Integral, np.integer)) for x in numbers_given)
    if not all(isinstance(x, (numbers.Integral, np.integer)) or math.isfinite(x) for x in numbers_given):
        raise ValueError(f"arange: start, end and step must be finite numbers, got {numbers_given}")
    try:
        array = np.arange(start, end, step) if end is not None else np.arange(0, start, step)
    except ValueError:  # NumPy's "Maximum allowed size exceeded"
        raise ValueError(f"arange{tuple(numbers_given)} would hold more numbers than an array can") from None
    if dtype is None:
        dtype = np.int64 if whole else np.float64
    return _made(array, dtype, requires_grad)


def eye(n: int, m: int = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """The identity matrix, n x n (or n x m): ones on the diagonal."""
    n, m = _sizes((n, n if m is None else m), "eye")
    return _made(np.eye(n, m), dtype, requires_grad)


def randn(*shape, seed: Seed = None, dtype=None, requires_grad: bool = False) -> Tensor:
    """Numbers from the standard normal distribution. ``seed`` (an int or a NumPy Generator)
    makes them reproducible; without one they differ on every call, as in PyTorch."""
    if seed is not None and not isinstance(seed, (numbers.Integral, np.random.Generator)) or isinstance(seed, bool):
        raise TypeError(f"randn: seed is an int or a numpy.random.Generator, got {type(seed).__name__} {seed!r}")
    if isinstance(seed, numbers.Integral) and seed < 0:
        raise ValueError(f"randn: seed is a whole number of at least 0, got {seed}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return _made(rng.standard_normal(_sizes(shape, "randn")), dtype, requires_grad)


def _sizes(shape: tuple, op: str) -> tuple:
    """A shape to fill: whole numbers (checked by ``_shape_argument``), none of them negative."""
    sizes = _shape_argument(shape, op)
    if any(size < 0 for size in sizes):
        raise ValueError(f"{op}: sizes are whole numbers of at least 0, got {sizes}")
    return sizes


def _tensor(t, op: str) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{op} takes a Tensor, got {type(t).__name__}")
    return t
