"""Reductions: many numbers in, fewer out (sums, means, maxima), and the softmax family.

Two primitives carry hand-written derivatives:

- ``Sum``: every number summed has slope 1, so backward *spreads* the gradient back over the
  summed axes (``shapes.spread_to_shape``, the adjoint of broadcasting's ``sum_to_shape``);
- ``Extremum`` (amax, amin): the gradient goes to the number that was the maximum; numbers
  tied for it share it equally, as ``torch.amax``.

(``Mean`` is a third, though the composite sum / n would do, with the same numbers: one op
records one node instead of two for every ``mean()``.) ``Position`` (argmax, argmin) and
``Truth`` (any, all) are ops too, whose outputs take no gradient. Everything else here is a
*composite*, written with ops that already have derivatives, so its gradient comes free from
the chain rule. That is the lesson of the whole library:

    var(x)           = sum((x - mean(x))**2) / (n - correction)
    std(x)           = sqrt(var(x)), with 0 sent back where var = 0 (see ``std``)
    logsumexp(x)     = m + log(sum(exp(x - m))),  m = max(x), a constant  (no overflow)
    log_softmax(x)   = (x - m) - log(sum(exp(x - m)))   (exact at logits of +-1000)
    softmax(x)       = exp(x - m) / sum(exp(x - m))
    max(x, dim)      = x at argmax(x, dim): a pick by index (``t[...]``), whose gradient goes
                       to the one number picked, as PyTorch's ``max(dim)``

Shifting by the maximum changes nothing mathematically (its two appearances cancel, so it
needs no gradient: it enters as a constant), but keeps every ``exp`` at or below e**0 = 1.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..ops import WHERE, Op
from .recording import apply
from ..shapes import check_keepdims, kept_shape, one_spelling, reduced_axes, spread_to_shape

if TYPE_CHECKING:
    from .core import Tensor


class Sum(Op):
    """out = the sum over ``axes``.   d(out)/dx_i = 1 for every x_i summed, so backward spreads
    the gradient back over the summed axes."""

    name, words = "sum", ("{grad} spread over the summed axes",)

    def __init__(self, axes: tuple, keepdims: bool):
        self.axes, self.keepdims = axes, keepdims

    def forward(self, xp, x):
        self.shape, self.kept = x.shape, kept_shape(x.shape, self.axes)
        return xp.add.reduce(x, axis=self.axes, keepdims=self.keepdims)  # x.sum(...), called here directly

    def backward(self, xp, grad):
        return (spread_to_shape(grad.reshape(self.kept), self.shape),)


class Mean(Op):
    """out = the mean over ``axes``: sum / n.   d(out)/dx_i = 1/n for every x_i averaged.

    A composite could say this, ``sum(x) / n``, and the gradient would come free; it is one op
    instead, for speed: one node, not two, for every mean. Its forward is NumPy's own formula
    (sum, then divide by n), so the numbers agree with ``np.mean`` to the last bit.
    """

    name, words = "mean", ("{grad} / n, spread over the averaged axes",)

    def __init__(self, axes: tuple, keepdims: bool):
        self.axes, self.keepdims = axes, keepdims

    def forward(self, xp, x):
        self.shape, self.kept = x.shape, kept_shape(x.shape, self.axes)
        self.count = math.prod(x.shape[a] for a in self.axes)
        return xp.add.reduce(x, axis=self.axes, keepdims=self.keepdims) / self.count

    def backward(self, xp, grad):
        return (spread_to_shape(grad.reshape(self.kept) / self.count, self.shape),)


class Extremum(Op):
    """out = the largest (or smallest) number over ``axes``.

    d(out)/dx_i = 1 for the number that is the maximum, 0 for the others. When k numbers tie
    for it, each gets 1/k of the gradient (``torch.amax``'s rule: the average over which of
    them one calls "the" maximum).
    """

    def __init__(self, axes: tuple, keepdims: bool, largest: bool, nan_ties: bool = False):
        self.axes, self.keepdims, self.largest = axes, keepdims, largest
        self.nan_ties = nan_ties  # PyTorch's max() of every number counts each nan as the maximum
        self.name = "max" if largest else "min"
        self.words = (f"{{grad}} to the {self.name}imum (shared on a tie)",)

    def forward(self, xp, x):
        self.kept = kept_shape(x.shape, self.axes)
        reduce = xp.max if self.largest else xp.min
        return reduce(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, xp, grad, x, out):
        winners = x == out.reshape(self.kept)  # none where the maximum is nan: then each share is nan,
        if self.nan_ties:  # as torch.amax's; max() of every number shares among the nans instead
            winners |= (x != x) & (out.reshape(self.kept) != out.reshape(self.kept))
        return (grad.reshape(self.kept) / winners.sum(axis=self.axes, keepdims=True) * winners,)


class Position(Op):
    """out = where the maximum (or minimum) is, as int64: a position, which takes no gradient."""

    differentiable = False

    def __init__(self, find, axis, keepdims: bool):
        self.find, self.axis, self.keepdims, self.name = find, axis, keepdims, find.__name__

    def forward(self, xp, x):
        return xp.asarray(self.find(x, axis=self.axis, keepdims=self.keepdims), dtype=xp.int64)


class Truth(Op):
    """out = whether any (or all) of the numbers over ``axes`` are nonzero: no gradient."""

    differentiable = False

    def __init__(self, reduce, axes: tuple, keepdims: bool):
        self.reduce, self.axes, self.keepdims, self.name = reduce, axes, keepdims, reduce.__name__

    def forward(self, xp, x):
        return self.reduce(x, axis=self.axes, keepdims=self.keepdims)


class ReductionMethods:
    """The reductions and the softmax family of ``Tensor`` (mixed into it in ``core.py``).

    Each takes NumPy's ``axis=``/``keepdims=`` or PyTorch's ``dim=``/``keepdim=``.
    """

    def sum(self: "Tensor", axis=None, keepdims=None, *, dim=None, keepdim=None) -> "Tensor":
        """The sum over ``axis`` (all of them by default)."""
        axes, keep = _axes(self, "sum", axis, dim, keepdims, keepdim)
        return apply(Sum(axes, keep), self)

    def mean(self: "Tensor", axis=None, keepdims=None, *, dim=None, keepdim=None) -> "Tensor":
        """The mean over ``axis`` (all of them by default), NumPy's ``np.mean`` to the last bit."""
        axes, keep = _axes(self, "mean", axis, dim, keepdims, keepdim)
        return apply(Mean(axes, keep), self)

    def amax(self: "Tensor", axis=None, keepdims=None, *, dim=None, keepdim=None) -> "Tensor":
        """The largest number over ``axis`` (all of them by default), as ``torch.amax`` and
        NumPy's ``max``: the values only; tied maxima share the gradient equally."""
        axes, keep = _axes(self, "amax", axis, dim, keepdims, keepdim, nonempty=True)
        return apply(Extremum(axes, keep, largest=True), self)

    def amin(self: "Tensor", axis=None, keepdims=None, *, dim=None, keepdim=None) -> "Tensor":
        """The smallest number over ``axis`` (``torch.amin``); tied minima share the gradient."""
        axes, keep = _axes(self, "amin", axis, dim, keepdims, keepdim, nonempty=True)
        return apply(Extremum(axes, keep, largest=False), self)

    def max(self: "Tensor", dim=None, keepdim=None, *, axis=None, keepdims=None):
        """PyTorch's ``max``: of all the numbers, one number (tied maxima share the gradient,
        as ``amax``); along a ``dim``, the pair ``(values, indices)``, the gradient going to the
        number picked (the first of tied maxima). Another Tensor: ``maximum``."""
        return _extremum(self, "max", dim, keepdim, axis, keepdims)

    def min(self: "Tensor", dim=None, keepdim=None, *, axis=None, keepdims=None):
        """PyTorch's ``min``: one number, or ``(values, indices)`` along a ``dim`` (see ``max``)."""
        return _extremum(self, "min", dim, keepdim, axis, keepdims)

    def argmax(self: "Tensor", axis=None, keepdims=None, *, dim=None, keepdim=None) -> "Tensor":
        """Where the maximum is (an int64 Tensor, no gradient); over all numbers, flattened, by default."""
        return _position(self, "argmax", np.argmax, axis, dim, keepdims, keepdim)

    def argmin(self: "Tensor", axis=None, keepdims=None, *, dim=None, keepdim=None) -> "Tensor":
        """Where the minimum is (an int64 Tensor, no gradient)."""
        return _position(self, "argmin", np.argmin, axis, dim, keepdims, keepdim)

    def logsumexp(self: "Tensor", axis=None, keepdims=None, *, dim=None, keepdim=None) -> "Tensor":
        """``log(sum(exp(x)))`` over ``axis``, computed as ``m + log(sum(exp(x - m)))`` with m the
        maximum, so that no exp overflows. Its gradient is softmax(x)."""
        axes, keep = _axes(self, "logsumexp", axis, dim, keepdims, keepdim, required=True, nonempty=True)
        shift = _largest(self, axes)
        out = (self - shift).exp().sum(axes, keepdims=True).log() + shift
        return out if keep else out.reshape(*(size for a, size in enumerate(out.shape) if a not in axes))

    def log_softmax(self: "Tensor", axis=None, *, dim=None) -> "Tensor":
        """``x - logsumexp(x)`` along ``axis``, computed as ``(x - m) - log(sum(exp(x - m)))``:
        log-probabilities, exact at logits of +-1000 (``x - (m + log ...)`` would round twice)."""
        axes, _ = _axes(self, "log_softmax", axis, dim, None, None, required=True, single=True)
        shifted = self - _largest(self, axes)
        return shifted - shifted.exp().sum(axes, keepdims=True).log()

    def softmax(self: "Tensor", axis=None, *, dim=None) -> "Tensor":
        """``exp(x) / sum(exp(x))`` along ``axis``, shifted by the maximum m: probabilities that
        add up to 1. Its derivative comes from the composite: d/dx of softmax(x) . g is
        softmax(x) * (g - sum(softmax(x) * g))."""
        axes, _ = _axes(self, "softmax", axis, dim, None, None, required=True, single=True)
        exps = (self - _largest(self, axes)).exp()
        return exps / exps.sum(axes, keepdims=True)

    def var(self: "Tensor", dim=None, unbiased=None, keepdim=None, *, axis=None, keepdims=None, correction=None,
            ddof=None) -> "Tensor":
        """The variance over ``dim``: ``sum((x - mean)**2) / (n - correction)``.

        PyTorch's signature, ``var(dim, unbiased, keepdim)`` or ``var(dim, correction=...)``:
        ``correction=1`` by default (the unbiased estimate), ``unbiased=False`` is
        ``correction=0``. NumPy's ``ddof`` means the same but defaults to 0, so pass
        ``correction=0`` (or ``ddof=0``) for NumPy's number.
        """
        axes, keep = _axes(self, "var", axis, dim, keepdims, keepdim)
        correction = _correction("var", unbiased, correction, ddof)
        deviation = self - self.mean(axes, keepdims=True)
        count = math.prod(self.shape[a] for a in axes)
        # as PyTorch: n - correction stops at 0 (an infinite variance, not a negative one)
        return (deviation * deviation).sum(axes, keep) / max(count - correction, 0)

    def std(self: "Tensor", dim=None, unbiased=None, keepdim=None, *, axis=None, keepdims=None, correction=None,
            ddof=None) -> "Tensor":
        """``sqrt(var)``, with ``var``'s arguments (``correction=1`` by default, as in PyTorch).

        Where every number is the same, var = 0 and sqrt's slope there is infinite, which
        var's slope (0) would turn into inf * 0 = nan. PyTorch sends 0 there instead, and so
        does this composite, by taking the root of 1 where var is 0 and then selecting 0
        (``where`` passes no gradient to the branch it does not choose).
        """
        from .core import where

        var = self.var(dim, unbiased, keepdim, axis=axis, keepdims=keepdims, correction=correction, ddof=ddof)
        zero = var.detach() == 0
        return where(zero, 0.0, where(zero, 1.0, var).sqrt())

    def any(self: "Tensor", axis=None, keepdims=None, *, dim=None, keepdim=None) -> "Tensor":
        """Whether any number is nonzero (True), over ``axis``: a bool Tensor, no gradient."""
        axes, keep = _axes(self, "any", axis, dim, keepdims, keepdim)
        return apply(Truth(np.any, axes, keep), self)

    def all(self: "Tensor", axis=None, keepdims=None, *, dim=None, keepdim=None) -> "Tensor":
        """Whether every number is nonzero (True), over ``axis``: a bool Tensor, no gradient."""
        axes, keep = _axes(self, "all", axis, dim, keepdims, keepdim)
        return apply(Truth(np.all, axes, keep), self)


def _axes(t: "Tensor", op: str, axis, dim, keepdims, keepdim, required=False, nonempty=False, single=False):
    """The reduced axes and keepdims, from either library's spelling, checked."""
    if axis is None and dim is None and keepdims is None and keepdim is None and not required and t._data.size:
        return tuple(range(t.ndim)), False  # all of them: the common case, made quick
    axis = one_spelling(op, "axis", axis, "dim", dim)
    if axis is None and required:
        raise TypeError(f"{op} needs the axis to work along: {op}(axis=-1) for each row's last axis (or dim=-1)")
    if single and isinstance(axis, (tuple, list)):
        raise TypeError(f"{op} works along one axis, got {axis!r}")
    if isinstance(axis, (tuple, list)) and not axis and t.ndim:
        raise ValueError(
            f"{op}: dim={axis!r} means no axis to NumPy (nothing reduced) and every axis to PyTorch; "
            f"say which: {op}() for every axis, or leave {op} out for none"
        )
    axes = reduced_axes(axis, t.ndim, op)
    keep = check_keepdims(one_spelling(op, "keepdims", keepdims, "keepdim", keepdim, False), op)
    if nonempty and (any(t.shape[a] == 0 for a in axes) or not t.ndim and t._data.size == 0):
        raise ValueError(f"{op} of no numbers: the Tensor of shape {t.shape} is empty along the reduced axes")
    return axes, keep


class ValuesAndIndices(NamedTuple):
    """What ``max(dim)`` and ``min(dim)`` give, as PyTorch's: the values and where they are."""

    values: "Tensor"
    indices: "Tensor"

    def __getattr__(self, name: str):
        raise AttributeError(f"{PAIR}, which has no {name!r}: use .values.{name} (or t.amax(dim), t.amin(dim) for the values alone)")

    def _not_a_tensor(self, *other):
        raise TypeError(f"{PAIR}, not a Tensor: use .values (or t.amax(dim), t.amin(dim) for the values alone)")

    # a tuple's + and * would join or repeat the pair: refused, with the rest of a Tensor's arithmetic
    __add__ = __radd__ = __mul__ = __rmul__ = __sub__ = __rsub__ = __truediv__ = __rtruediv__ = _not_a_tensor
    __neg__ = __pow__ = __rpow__ = __matmul__ = __rmatmul__ = __lt__ = __le__ = __gt__ = __ge__ = _not_a_tensor


PAIR = "max(dim) and min(dim) give a pair (values, indices), as in PyTorch"


def _extremum(t: "Tensor", op: str, dim, keepdim, axis, keepdims):
    """``t.max()``, ``t.max(dim)`` or ``t.max(other)``, as PyTorch reads them (and ``min``)."""
    from .core import Tensor, maximum, minimum

    if isinstance(dim, Tensor) or isinstance(axis, Tensor):  # t.max(u) is PyTorch's maximum(t, u)
        return (maximum if op == "max" else minimum)(t, dim if axis is None else axis)
    dim = one_spelling(op, "axis", axis, "dim", dim)
    if dim is None:  # of all the numbers: one number, as amax (but a nan is the maximum, as PyTorch's max())
        axes, keep = _axes(t, op, None, None, keepdims, keepdim, nonempty=True)
        return apply(Extremum(axes, keep, largest=op == "max", nan_ties=True), t)
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{op} works along one dim, got {dim!r}; for the values along several, use a{op}(dim={tuple(dim)!r})")
    axes, keep = _axes(t, op, dim, None, keepdims, keepdim, nonempty=True)
    find = np.argmax if op == "max" else np.argmin
    if not t.ndim:  # one number: it is its own maximum, at position 0
        return ValuesAndIndices(t.clone(), _position(t, "arg" + op, find, None, None, None, None))
    (axis,) = axes
    indices = _position(t, "arg" + op, find, axis, None, True, None)  # kept as size 1 along axis
    # the pick: every other axis indexed by its own positions 0, 1, 2, ... (NumPy's open grid),
    # this one by the indices, all broadcast to one number per line; t[...] sends it the gradient
    index = list(np.indices(t.shape, sparse=True))
    index[axis] = indices
    values = t[tuple(index)]
    return ValuesAndIndices(values, indices) if keep else ValuesAndIndices(values.squeeze(axis), indices.squeeze(axis))


def _largest(t: "Tensor", axes: tuple) -> "Tensor":
    """The maximum over ``axes`` (kept as size-1 axes), a constant: the shift of the softmax family.
    Where all the numbers are -inf (or inf) it is 0 instead, so that x - m stays -inf (not nan)."""
    if not t._data.size:  # no numbers, no maximum: nothing to shift (an empty result, as PyTorch's)
        return t._constant(np.zeros(kept_shape(t.shape, axes), dtype=t.dtype))
    largest = t.detach().amax(axes, keepdims=True)
    return apply(WHERE, largest.isfinite(), largest, largest._operand(0.0, "softmax"))


def _correction(op: str, unbiased, correction, ddof):
    correction = one_spelling(op, "ddof", ddof, "correction", correction)
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"{op}: unbiased is True or False (PyTorch's var(dim, unbiased)), got {unbiased!r}")
        if correction is not None:
            raise TypeError(f"{op}: give unbiased= or correction= (unbiased=False is correction=0), not both")
        return int(unbiased)
    if correction is None:
        return 1
    if isinstance(correction, bool) or not isinstance(correction, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: correction is a number (1 for the unbiased estimate), got {correction!r}")
    return correction


def _position(t: "Tensor", op: str, find, axis, dim, keepdims, keepdim) -> "Tensor":
    axis = one_spelling(op, "axis", axis, "dim", dim)
    if isinstance(axis, (tuple, list)):
        raise TypeError(f"{op} works along one axis (or all of them, flattened), got {axis!r}")
    axes, keep = _axes(t, op, axis, None, keepdims, keepdim, nonempty=True)
    return apply(Position(find, axes[0] if axis is not None and t.ndim else None, keep), t)
