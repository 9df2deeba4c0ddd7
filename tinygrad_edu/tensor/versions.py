"""How a Tensor notices that its numbers were changed in place, so no gradient is silently wrong.

Backward reads numbers that forward saved: ``a * b`` keeps ``a`` and ``b``, because
d(ab)/da = b. If ``b``'s numbers are overwritten between forward and backward (``b.data[0] =
10``, an optimizer step taken too early, an in-place ``relu_``), the gradient would be computed
with the new numbers: silently wrong. PyTorch's answer, and ours, is a *version counter*: every
Tensor counts the in-place changes to its numbers, each op writes down the count of what it
saved, and ``backward()`` raises if a count has moved since.

A view (a reshape, a transpose, ``detach()``, a slice) shares its numbers, and so its counter,
with the Tensor it views. ``tensor.data`` is a ``WatchedArray``: the Tensor's own numbers (no
copy), as an ordinary ndarray that counts writes made through it, by indexing (``x.data[0] =
10``), augmented assignment (``x.data -= 1``), a ufunc's ``out=``, ``np.copyto``, ``fill`` and
the like. (Writes that bypass it, through ``np.asarray(x.data)`` or ``.flat``, are not seen.)
"""

from __future__ import annotations

import numpy as np


class Version:
    """How many times some numbers have been changed in place (shared by a Tensor and its views)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


LAYOUT = Version()  # changes of any Tensor's shape, dtype or requires_grad (``t.data = new``,
# ``requires_grad_``): a recorded step (jit.py) that sees this count move records again


class WatchedArray(np.ndarray):
    """An ndarray view of a Tensor's numbers that bumps the Tensor's ``Version`` when written."""

    _version = None

    @staticmethod
    def of(array: np.ndarray, version: Version) -> "WatchedArray":
        watched = array.view(WatchedArray)
        watched._version = version
        return watched

    def __array_finalize__(self, obj) -> None:
        # a view of watched numbers is watched too; a copy is numbers of its own
        self._version = getattr(obj, "_version", None) if self.base is not None else None

    def _written(self) -> None:
        if self._version is not None:
            self._version.count += 1

    def __setitem__(self, index, value) -> None:
        self._written()
        np.ndarray.__setitem__(self, index, value)

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        if method == "at" and isinstance(inputs[0], WatchedArray):
            inputs[0]._written()  # np.add.at(x, index, values) writes into x
        if out is not None:
            for array in out:
                if isinstance(array, WatchedArray):
                    array._written()
            kwargs["out"] = tuple(_plain(array) for array in out)
        result = getattr(ufunc, method)(*(_plain(x) for x in inputs), **kwargs)
        if out is not None and len(out) == 1:
            return out[0]  # x.data += 1 hands back x.data itself
        return result

    def __array_function__(self, func, types, args, kwargs):
        if func in _WRITERS and args and isinstance(args[0], WatchedArray):
            args[0]._written()
        return super().__array_function__(func, types, args, kwargs)

    def fill(self, value) -> None:
        self._written()
        np.ndarray.fill(self, value)

    def sort(self, *args, **kwargs) -> None:
        self._written()
        np.ndarray.sort(self, *args, **kwargs)

    def put(self, *args, **kwargs) -> None:
        self._written()
        np.ndarray.put(self, *args, **kwargs)

    def copy(self, order="C") -> np.ndarray:
        return np.array(self, order=order)  # a plain array: new numbers, nothing to watch

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __reduce__(self):
        return np.array(self).__reduce__()


_WRITERS = {np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis}


def _plain(x):
    return x.view(np.ndarray) if isinstance(x, WatchedArray) else x

