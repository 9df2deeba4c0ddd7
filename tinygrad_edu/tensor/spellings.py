"""PyTorch's names for what a Tensor already tells: ``size()``, ``numel()``, ``dim()``, ``pow()``, ``.mT``.

``size`` is the one name the two libraries give different meanings: NumPy's ``a.size`` is the
number of elements, PyTorch's ``t.size()`` the shape. A Tensor's ``size`` is both (``Size``).
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .core import Tensor


class Size(int):
    """The number of elements (NumPy's ``t.size``, an int: ``t.size == 6``) that can also be
    called as PyTorch's method: ``t.size()`` is the shape, ``t.size(d)`` the size of axis d
    (``-1``: the last). One small object per read, which keeps the shape beside the count;
    arithmetic on it gives plain ints."""

    def __new__(cls, count: int, shape: tuple) -> "Size":
        size = super().__new__(cls, count)
        size.shape = shape
        return size

    def __call__(self, dim=None):
        if dim is None:
            return self.shape
        ndim = len(self.shape)
        if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (numbers.Integral, np.integer)):
            raise TypeError(f"size(dim): dim is a whole number (0, 1, -1, ...), got {type(dim).__name__} {dim!r}")
        if not -ndim <= dim < ndim:
            axes = f"has axes {-ndim} to {ndim - 1}" if ndim else "is 0-d: it has no axes, and size() is ()"
            raise IndexError(f"size({dim}): dim is out of range, a Tensor of shape {self.shape} {axes}")
        return self.shape[dim]

    def __reduce__(self):
        return Size, (int(self), self.shape)


class SpellingMethods:
    """PyTorch's spellings (mixed into ``Tensor`` in ``core.py``)."""

    size = property(lambda self: Size(self._data.size, self._data.shape), doc=Size.__doc__)

    def numel(self: "Tensor") -> int:
        """The number of elements (PyTorch's name for NumPy's ``size``)."""
        return self._data.size

    def dim(self: "Tensor") -> int:
        """The number of axes (PyTorch's name for ``ndim``)."""
        return self._data.ndim

    def pow(self: "Tensor", exponent) -> "Tensor":
        """``t ** exponent``."""
        return self**exponent

    @property
    def mT(self: "Tensor") -> "Tensor":
        """The last two axes swapped: each matrix of a batch transposed (PyTorch's ``mT``)."""
        if self._data.ndim < 2:
            raise ValueError(
                f"mT transposes matrices (the last two axes), but this Tensor has shape {self.shape}; "
                "for a vector as a column use t.reshape(-1, 1)"
            )
        return self.transpose(-2, -1)
