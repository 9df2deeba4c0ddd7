"""Matrix products: ``A @ B`` for any number of dimensions, and ``linear``, a layer's x @ W.T + b.

For C = A @ B, every C[i, j] = sum_k A[i, k] B[k, j], so dC[i, j]/dA[i, k] = B[k, j] and

    dL/dA = dL/dC @ B.T          dL/dB = A.T @ dL/dC

(check the shapes: (n, m) @ (m, k) gives A's (n, k)). With more dimensions the leading ones are
a batch of matrices, broadcast as NumPy and PyTorch do, and a batch axis that was broadcast
sums its gradient back (``sum_to_shape``). A 1-D operand is a row on the left, a column on the
right, and that axis is dropped from the result, as in ``np.matmul``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np

from ..ops import Op
from .recording import apply
from ..shapes import sum_to_shape

if TYPE_CHECKING:
    from .core import Tensor


class MatMul(Op):
    """out = a @ b.   dL/da = grad @ b.T,  dL/db = a.T @ grad (per matrix of a batch)."""

    name, words = "@", ("{grad} @ {b}.T", "{a}.T @ {grad}")

    def forward(self, xp, a, b):
        return xp.matmul(a, b)

    def backward(self, xp, grad, a, b):
        a2 = a[None, :] if a.ndim == 1 else a  # a row: (k,) -> (1, k)
        b2 = b[:, None] if b.ndim == 1 else b  # a column: (k,) -> (k, 1)
        if b.ndim == 1:
            grad = grad[..., None]  # the column's axis, dropped from the result, put back
        if a.ndim == 1:
            grad = grad[..., None, :]  # the row's axis
        grad_a = sum_to_shape(grad @ xp.swapaxes(b2, -1, -2), a2.shape)
        grad_b = sum_to_shape(xp.swapaxes(a2, -1, -2) @ grad, b2.shape)
        # a row or column made from a 1-D operand goes back to 1-D (a reshape, only where needed:
        # a view would make chain_rule copy a leaf's gradient)
        return grad_a.reshape(a.shape) if a.ndim == 1 else grad_a, grad_b.reshape(b.shape) if b.ndim == 1 else grad_b


class Linear(Op):
    """out = x @ W.T + b, a layer's affine map as one op (PyTorch's ``F.linear``).

    out[n, j] = sum_i x[n, i] W[j, i] + b[j], with W of shape (nout, nin). Backward:
    dL/dx = grad @ W,   dL/dW = grad.T @ x,   dL/db = grad summed over the rows.
    One op instead of three (@, .T, +) keeps one array per layer alive instead of three.
    """

    name, words = "linear", ("{grad} @ {weight}", "{grad}.T @ {x}", "{grad} summed over the rows")

    def __init__(self, need_x: bool = True, has_bias: bool = True):
        self.need_x = need_x  # the first layer's input is data: no gradient to compute for it
        self.has_bias = has_bias

    def forward(self, xp, x, weight, *bias):
        out = x @ weight.T
        if not bias:
            return out
        if bias[0].dtype == out.dtype:
            out += bias[0]  # in place: one array per layer, not two
            return out
        return out + bias[0]  # float32 + float64: promoted, as the composite x @ W.T + b would be

    def backward(self, xp, grad, x, weight):
        grad_x = grad @ weight if self.need_x else None
        if grad.ndim != 2:  # one input (nin,) or batches of batches (..., nin): as rows of a matrix
            grad, x = grad.reshape(-1, grad.shape[-1]), x.reshape(-1, x.shape[-1])
        grad_w = grad.T @ x
        return (grad_x, grad_w, grad.sum(axis=0)) if self.has_bias else (grad_x, grad_w)


class MatmulMethods:
    """``@`` for ``Tensor`` (mixed into it in ``core.py``)."""

    def __matmul__(self: "Tensor", other: object) -> "Tensor":
        return matmul(self, self._operand(other, "@"))

    def __rmatmul__(self: "Tensor", other: object) -> "Tensor":
        return matmul(self._operand(other, "@"), self)

    def matmul(self: "Tensor", other: object) -> "Tensor":
        return self @ other


def matmul(a: "Tensor", b: "Tensor") -> "Tensor":
    """``a @ b``: matrix products, batched over leading axes (see the module docstring)."""
    _tensors("matmul", a=a, b=b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"@ multiplies vectors and matrices, not single numbers: shapes {a.shape} and {b.shape} (use * for numbers)")
    inner_a, inner_b = a.shape[-1], b.shape[-2 if b.ndim > 1 else 0]
    if inner_a != inner_b:
        raise ValueError(
            f"@: shapes {a.shape} and {b.shape} do not fit: the left operand's last size ({inner_a}) "
            f"must equal the right operand's {'second-to-last' if b.ndim > 1 else 'only'} size ({inner_b})"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"@: the batch shapes {a.shape[:-2]} and {b.shape[:-2]} (of {a.shape} and {b.shape}) cannot be broadcast together") from None
    return apply(MatMul(), a, b)


def linear(x: "Tensor", weight: "Tensor", bias: Optional["Tensor"] = None) -> "Tensor":
    """``x @ weight.T + bias`` as one op (see ``Linear``); weight has shape (nout, nin)."""
    try:
        x_shape, w_shape = x._data.shape, weight._data.shape
        b_shape = None if bias is None else bias._data.shape
    except AttributeError:  # one of them is not a Tensor: say which
        _tensors("linear", x=x, weight=weight, bias=bias)
        raise
    if len(w_shape) != 2 or not x_shape or x_shape[-1] != w_shape[1]:
        raise ValueError(
            f"linear: input of shape {x_shape} has {x_shape[-1] if x_shape else 'no'} features, but the "
            f"weight of shape {w_shape} expects {w_shape[1] if len(w_shape) == 2 else 'a matrix (nout, nin)'}"
        )
    if bias is None:
        return apply(_LINEAR_NO_BIAS if x.requires_grad else _LINEAR_NO_BIAS_OF_DATA, x, weight)
    if b_shape != w_shape[:1]:
        raise ValueError(f"linear: the bias has shape {bias.shape}, but the weight of shape {w_shape} needs ({w_shape[0]},)")
    return apply(_LINEAR if x.requires_grad else _LINEAR_OF_DATA, x, weight, bias)


_LINEAR, _LINEAR_OF_DATA = Linear(need_x=True), Linear(need_x=False)
_LINEAR_NO_BIAS, _LINEAR_NO_BIAS_OF_DATA = Linear(need_x=True, has_bias=False), Linear(need_x=False, has_bias=False)


def _tensors(op: str, **operands) -> None:
    """Refuse an operand that is not a Tensor (``None`` is a missing bias), naming it."""
    from .core import Tensor

    for name, operand in operands.items():
        if not isinstance(operand, Tensor) and not (operand is None and name == "bias"):
            raise TypeError(
                f"{op}: {name} must be a Tensor, got {type(operand).__name__}; wrap numbers as Tensor(array)"
                + (" (or write a @ b, which wraps an array for you)" if op == "matmul" else "")
            )
