"""``Tensor``: a NumPy array that remembers how it was computed, so its gradient can be found.

The same idea as ``Value``, on arrays. Every op has the same four beats:

1. turn the other operand into a ``Tensor``;
2. compute the output array with NumPy (the *forward rule*);
3. define ``backward(grad)``: given dL/d(out), return dL/d(each input), the vector-Jacobian
   product (a Jacobian of arrays would be far too large to store, so it is never formed);
4. return the output, linked to its inputs.

Broadcasting is undone in one place: an op's ``backward`` may return a gradient in the
broadcast shape of its output, and ``chain_rule`` folds it back to each input's shape with
``sum_to_shape`` (see ``shapes.py``).

Numbers follow NumPy and PyTorch: IEEE ``inf`` and ``nan`` (with NumPy's warnings) instead
of exceptions, so one bad element does not stop a whole batch; the training loop checks that
the loss stays finite.
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, Optional, Sequence, Union

import numpy as np

from .engine import backpropagate
from .shapes import broadcast, kept_shape, reduced_axes, spread_to_shape, sum_to_shape

ArrayLike = Union[np.ndarray, Sequence, float, int]
DTYPES = (np.float64, np.float32)

_grad_enabled = True  # switched off inside ``with no_grad():``


class no_grad:
    """Context manager: inside it, ops record no graph (for evaluation and weight updates)."""

    def __enter__(self) -> "no_grad":
        global _grad_enabled
        self._previous, _grad_enabled = _grad_enabled, False
        return self

    def __exit__(self, *exc) -> None:
        global _grad_enabled
        _grad_enabled = self._previous


def _checked_dtype(dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in DTYPES:
        raise ValueError(f"Tensor holds float64 (the default) or float32, not {dtype}")
    return dtype


class Tensor:
    """An array in a computation graph: ``.data`` (ndarray), ``.grad`` (ndarray or None).

    >>> w = Tensor([[1.0, 2.0]], requires_grad=True)
    >>> loss = (w * w).sum()
    >>> loss.backward()
    >>> w.grad                  # d(sum w**2)/dw = 2w
    array([[2., 4.]])
    """

    __slots__ = ("data", "grad", "requires_grad", "retains_grad", "parents", "op", "label", "backward_fn", "uses")

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype=None, label: str = ""):
        if isinstance(data, Tensor):
            data = data.data
        array = np.asarray(data)
        if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise TypeError(
                f"Tensor needs numbers, got {type(data).__name__}"
                + (f" of dtype {array.dtype}" if isinstance(data, np.ndarray) else "")
            )
        if np.iscomplexobj(array):
            raise TypeError("Tensor holds real numbers, not complex ones")
        if dtype is None:
            dtype = array.dtype if array.dtype in DTYPES else np.float64
        # np.array copies: the caller's array is never changed by training
        self.data = np.array(array, dtype=_checked_dtype(dtype))
        self.grad: Optional[np.ndarray] = None
        self.requires_grad = bool(requires_grad)
        self.retains_grad = False
        self.parents: tuple = ()
        self.op = ""
        self.label = label
        self.backward_fn: Optional[Callable] = None
        self.uses = 0  # how many recorded ops read this Tensor (an in-place op checks it)

    @staticmethod
    def from_op(data: np.ndarray, parents: tuple, op: str, backward_fn: Optional[Callable]) -> "Tensor":
        """The output of an op: linked to its inputs if any of them needs a gradient."""
        if type(data) is not np.ndarray:
            data = np.asarray(data)  # NumPy returns a scalar for a 0-d result; keep an array
        out = Tensor.__new__(Tensor)
        out.data, out.grad, out.label, out.op, out.retains_grad = data, None, "", op, False
        out.requires_grad, out.parents, out.backward_fn, out.uses = False, (), None, 0
        if _grad_enabled:
            for parent in parents:
                if parent.requires_grad:
                    out.requires_grad, out.parents, out.backward_fn = True, parents, backward_fn
                    for used in parents:
                        used.uses += 1
                    break
        return out

    # --- what it is ----------------------------------------------------------------------

    shape = property(lambda self: self.data.shape)
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)

    def __len__(self) -> int:
        return len(self.data)

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item() needs a Tensor with one element, this one has shape {self.shape}")
        return float(self.data.reshape(()))

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=20)
        extras = "".join(
            [
                f", dtype={self.dtype}" if self.dtype != np.float64 else "",
                ", requires_grad=True" if self.requires_grad else "",
                f", label={self.label!r}" if self.label else "",
            ]
        )
        return f"Tensor({body}{extras})"

    def detach(self) -> "Tensor":
        """The same numbers, cut from the graph (shares memory with ``self.data``, as in PyTorch)."""
        return Tensor.from_op(self.data, (), "detach", None)

    def retain_grad(self) -> None:
        """Keep this interior node's gradient after ``backward()`` (PyTorch's opt-in)."""
        self.retains_grad = True

    def zero_grad(self) -> None:
        self.grad = None

    # --- backward --------------------------------------------------------------------------

    def chain_rule(self, grad: np.ndarray) -> list:
        """dL/d(parent) for each parent: the op's vector-Jacobian product, folded back to each
        parent's shape (``sum_to_shape``) and dtype.

        A leaf keeps the array it is sent as its ``.grad``, so that array must be its own. Ops
        compute fresh arrays, except where they pass ``grad`` on unchanged (``+``) or as a view
        (``reshape``): a leaf is sent a copy of those, so no two gradients share memory.
        """
        parent_grads = []
        for g, parent in zip(self.backward_fn(grad), self.parents):
            if g is not None:
                g = sum_to_shape(g, parent.data.shape)
                if type(g) is not np.ndarray:
                    g = np.asarray(g)  # a 0-d result, which NumPy returns as a scalar
                if g.dtype != parent.data.dtype:  # a float32 input to a float64 op: cast back
                    g = g.astype(parent.data.dtype)
                elif (g is grad or g.base is not None) and (not parent.parents or parent.retains_grad):
                    g = g.copy()
            parent_grads.append(g)
        return parent_grads

    def backward(self, grad: Optional[ArrayLike] = None, on_step=None) -> None:
        """Compute dL/d(leaf) for every leaf with ``requires_grad``, with L = this Tensor.

        L must be a single number, unless ``grad`` gives dL/d(this) explicitly. Leaf gradients
        add up across calls: call ``zero_grad()`` between training steps, as in PyTorch.
        ``on_step(node, grad, parent_grads)``, if given, watches each step (see ``backpropagate``).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() on a Tensor that does not require grad: none of the Tensors it was "
                "computed from has requires_grad=True, or it was computed inside no_grad()"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() needs a single number to differentiate, but this Tensor has shape "
                    f"{self.shape}. Reduce it first (loss.mean() or loss.sum()), or pass dL/d(this) "
                    f"explicitly: t.backward(np.ones({self.shape}))"
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)  # a copy
            if grad.shape != self.shape:
                raise ValueError(f"backward(grad): grad has shape {grad.shape} but this Tensor has shape {self.shape}")
        backpropagate(self, grad, on_step=on_step)

    # --- making operands -------------------------------------------------------------------

    # ``array + tensor``: NumPy would otherwise add the Tensor to each element, returning an
    # array of Tensors. ``None`` tells NumPy to step aside, so Python calls ``__radd__``.
    __array_ufunc__ = None

    def _operand(self, other: object, op: str) -> "Tensor":
        """``other`` as a Tensor; a plain number becomes a constant of this Tensor's dtype."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (numbers.Real, np.ndarray)) and not isinstance(other, bool):
            return Tensor.from_op(np.asarray(other, dtype=self.data.dtype), (), "", None)  # a constant
        raise TypeError(f"cannot combine a Tensor with {type(other).__name__} {other!r} in {op}; use a number, an array or a Tensor")

    # --- elementwise binary ops (NumPy broadcasting; sum_to_shape undoes it in backward) ----

    def __add__(self, other: object) -> "Tensor":
        other = self._operand(other, "+")
        out = broadcast("+", np.add, self.data, other.data)

        def backward(grad):  # d(a+b)/da = 1,  d(a+b)/db = 1
            return grad, grad

        return Tensor.from_op(out, (self, other), "+", backward)

    def __sub__(self, other: object) -> "Tensor":
        other = self._operand(other, "-")
        out = broadcast("-", np.subtract, self.data, other.data)

        def backward(grad):  # d(a-b)/da = 1,  d(a-b)/db = -1
            return grad, -grad

        return Tensor.from_op(out, (self, other), "-", backward)

    def __mul__(self, other: object) -> "Tensor":
        other = self._operand(other, "*")
        a, b = self.data, other.data
        out = broadcast("*", np.multiply, self.data, other.data)

        def backward(grad):  # d(a*b)/da = b,  d(a*b)/db = a
            return grad * b, grad * a

        return Tensor.from_op(out, (self, other), "*", backward)

    def __truediv__(self, other: object) -> "Tensor":
        other = self._operand(other, "/")
        a, b = self.data, other.data
        out = broadcast("/", np.divide, self.data, other.data)

        def backward(grad):  # d(a/b)/da = 1/b,  d(a/b)/db = -a/b**2
            return grad / b, -grad * a / (b * b)

        return Tensor.from_op(out, (self, other), "/", backward)

    def __pow__(self, exponent: object) -> "Tensor":
        a = self.data
        if isinstance(exponent, numbers.Real) and not isinstance(exponent, bool):
            n = float(exponent)

            def power_rule(grad):  # d(a**n)/da = n * a**(n-1)   (0 when n == 0, as PyTorch)
                return (grad * (n * a ** (n - 1)) if n != 0 else np.zeros_like(grad),)

            return Tensor.from_op(a**n, (self,), f"**{n:g}", power_rule)

        exponent = self._operand(exponent, "**")
        b = exponent.data
        out = broadcast("**", np.power, self.data, exponent.data)

        def backward(grad):
            # d(a**b)/da = b * a**(b-1)   (0 where b == 0, as PyTorch)
            # d(a**b)/db = a**b * ln(a)   (0 where a == 0 and b >= 0, as PyTorch; nan where a < 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                da = grad * np.where(b == 0, 0.0, b * a ** (b - 1))
                db = grad * np.where((a == 0) & (b >= 0), 0.0, out * np.log(a))
            return da, db

        return Tensor.from_op(out, (self, exponent), "**", backward)

    # Reflected forms, for a number on the left: 2 + t, 2 - t, 2 * t, 2 / t, 2 ** t.
    def __radd__(self, other: object) -> "Tensor":
        return self._operand(other, "+") + self

    def __rsub__(self, other: object) -> "Tensor":
        return self._operand(other, "-") - self

    def __rmul__(self, other: object) -> "Tensor":
        return self._operand(other, "*") * self

    def __rtruediv__(self, other: object) -> "Tensor":
        return self._operand(other, "/") / self

    def __rpow__(self, base: object) -> "Tensor":
        return self._operand(base, "**") ** self

    # --- elementwise unary ops -------------------------------------------------------------

    def __neg__(self) -> "Tensor":
        # d(-a)/da = -1
        return Tensor.from_op(-self.data, (self,), "neg", lambda grad: (-grad,))

    def exp(self) -> "Tensor":
        """Forward ``e**x``; local derivative ``e**x``, the output itself."""
        out = np.exp(self.data)
        return Tensor.from_op(out, (self,), "exp", lambda grad: (grad * out,))

    def log(self) -> "Tensor":
        """Forward ``ln(x)``; local derivative ``1/x``. log(0) = -inf, log(x<0) = nan (IEEE)."""
        x = self.data
        return Tensor.from_op(np.log(x), (self,), "log", lambda grad: (grad / x,))

    def tanh(self) -> "Tensor":
        """Forward ``t = tanh(x)``; local derivative ``1 - t**2``, computed from the output."""
        t = np.tanh(self.data)
        return Tensor.from_op(t, (self,), "tanh", lambda grad: (grad * (1 - t * t),))

    def sigmoid(self) -> "Tensor":
        """Forward ``s = 1 / (1 + e**-x)``; local derivative ``s * (1 - s)``.

        ``_sigmoid`` only ever exponentiates -|x|, so no element can overflow.
        """
        s = _sigmoid(self.data)
        return Tensor.from_op(s, (self,), "sigmoid", lambda grad: (grad * s * (1 - s),))

    def softplus(self) -> "Tensor":
        """Forward ``log(1 + e**x)`` as ``max(x, 0) + log(1 + e**-|x|)``; local derivative ``sigmoid(x)``."""
        x = self.data
        out = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
        return Tensor.from_op(out, (self,), "softplus", lambda grad: (grad * _sigmoid(x),))

    def relu(self) -> "Tensor":
        """Forward ``max(0, x)``; local derivative 1 where x > 0, else 0 (0 at x = 0, as PyTorch)."""
        x = self.data
        return Tensor.from_op(np.maximum(x, 0), (self,), "relu", lambda grad: (grad * (x > 0),))

    def relu_(self) -> "Tensor":
        """``relu`` computed in place, overwriting this Tensor's numbers to save memory.

        The local derivative is read from the output instead (out > 0 exactly where x > 0), so
        the input's numbers are no longer needed, as long as no other op has read them: right
        after ``linear`` (whose backward needs its input, not its output), nothing has.
        PyTorch's ``nn.ReLU(inplace=True)`` relies on the same fact. ``TensorMLP`` uses it so
        that a layer keeps one array alive, not two. Where overwriting could make a gradient
        silently wrong, it refuses: on a leaf that requires grad, on a Tensor another op has
        already read, and on a view that shares its numbers with another Tensor.
        """
        if self.requires_grad and not self.parents:
            raise RuntimeError(
                "relu_() would overwrite a leaf Tensor that requires grad, whose numbers backward "
                "needs; use relu(), which leaves its input alone"
            )
        if self.uses:
            raise RuntimeError(
                f"relu_() would overwrite numbers that {self.uses} op(s) recorded in the graph have "
                "already read and may need for backward; use relu(), which leaves its input alone"
            )
        if self.data.base is not None:
            raise RuntimeError(
                "relu_() would also overwrite the Tensor this one is a view of (a reshape, "
                "transpose or detach shares its numbers); use relu(), which leaves its input alone"
            )
        out = np.maximum(self.data, 0, out=self.data)
        return Tensor.from_op(out, (self,), "relu", lambda grad: (grad * (out > 0),))

    # --- reductions ----------------------------------------------------------------------

    def sum(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Forward: add up along ``axis``. Backward: every input element gets the gradient of the
        sum it went into (d(sum)/dx_i = 1), so the gradient is spread back over the summed axes."""
        axes = reduced_axes(axis, self.ndim, "sum")
        shape, kept = self.shape, kept_shape(self.shape, axes)

        def backward(grad):
            return (spread_to_shape(grad.reshape(kept), shape),)

        return Tensor.from_op(self.data.sum(axis=axes, keepdims=keepdims), (self,), "sum", backward)

    def mean(self, axis=None, keepdims: bool = False) -> "Tensor":
        """Forward: the sum of n numbers along ``axis``, over n. Backward: d(mean)/dx_i = 1/n."""
        axes = reduced_axes(axis, self.ndim, "mean")
        shape, kept = self.shape, kept_shape(self.shape, axes)
        count = math.prod(shape[a] for a in axes)

        def backward(grad):
            return (spread_to_shape(grad.reshape(kept) / count, shape),)

        return Tensor.from_op(self.data.sum(axis=axes, keepdims=keepdims) / count, (self,), "mean", backward)

    # --- shapes (gradients move back to where each number came from) ----------------------

    def reshape(self, *shape) -> "Tensor":
        """Same numbers, new shape; backward reshapes the gradient back."""
        shape = tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        original = self.shape
        try:
            out = self.data.reshape(shape)
        except ValueError:
            raise ValueError(f"reshape: cannot reshape shape {original} ({self.size} numbers) into {shape}") from None
        return Tensor.from_op(out, (self,), "reshape", lambda grad: (grad.reshape(original),))

    def transpose(self, *axes) -> "Tensor":
        """Permute axes (reverse them by default); backward applies the inverse permutation."""
        axes = tuple(axes[0]) if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        axes = tuple(a % self.ndim if -self.ndim <= a < 0 else a for a in axes) or tuple(reversed(range(self.ndim)))
        if sorted(axes) != list(range(self.ndim)):
            raise ValueError(f"transpose: {axes} is not a permutation of the axes of shape {self.shape}")
        inverse = tuple(np.argsort(axes))
        return Tensor.from_op(self.data.transpose(axes), (self,), "transpose", lambda grad: (grad.transpose(inverse),))

    T = property(lambda self: self.transpose())

    # --- matrix product --------------------------------------------------------------------

    def __matmul__(self, other: object) -> "Tensor":
        """Forward ``A @ B``. Backward: dL/dA = dL/dC @ B.T,  dL/dB = A.T @ dL/dC.

        1-D operands are treated as a row (on the left) or a column (on the right), as NumPy does.
        """
        other = self._operand(other, "@")
        a, b = self.data, other.data
        if not (1 <= a.ndim <= 2 and 1 <= b.ndim <= 2):
            raise ValueError(f"@ takes 1-D or 2-D Tensors, got shapes {a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[0]:
            raise ValueError(
                f"@: shapes {a.shape} and {b.shape} do not fit: the left operand's last size "
                f"({a.shape[-1]}) must equal the right operand's first size ({b.shape[0]})"
            )
        a2, b2 = a.reshape(-1, a.shape[-1]), b.reshape(b.shape[0], -1)  # as 2-D matrices
        need_a, need_b = self.requires_grad, other.requires_grad

        def backward(grad):
            g2 = grad.reshape(a2.shape[0], b2.shape[1])
            da = (g2 @ b2.T).reshape(a.shape) if need_a else None
            db = (a2.T @ g2).reshape(b.shape) if need_b else None
            return da, db

        return Tensor.from_op(a @ b, (self, other), "@", backward)

    __rmatmul__ = lambda self, other: self._operand(other, "@") @ self  # noqa: E731


def linear(x: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """The affine map of a layer, ``x @ W.T + b``, as one op (PyTorch's ``F.linear``).

    Forward: out[n, j] = sum_i x[n, i] W[j, i] + b[j], with W of shape (nout, nin).
    Backward: dL/dx = g @ W,   dL/dW = g.T @ x,   dL/db = sum of g over the rows.
    One op instead of three (@, .T, +) keeps one array per layer alive instead of three.
    """
    if x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input of shape {x.shape} has {x.shape[-1]} features, but the weight of shape "
            f"{weight.shape} expects {weight.shape[1]}"
        )
    xd, wd = x.data, weight.data
    out = xd @ wd.T
    if bias is not None:
        out += bias.data
    parents = (x, weight) if bias is None else (x, weight, bias)
    need_x = x.requires_grad

    def backward(grad):
        grad_x = grad @ wd if need_x else None
        # one input (nin,), a batch (n, nin) or batches of batches (..., nin): as rows of a matrix
        g_rows, x_rows = grad.reshape(-1, grad.shape[-1]), xd.reshape(-1, xd.shape[-1])
        grad_w = g_rows.T @ x_rows
        return (grad_x, grad_w) if bias is None else (grad_x, grad_w, g_rows.sum(axis=0))

    return Tensor.from_op(out, parents, "linear", backward)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + e**-x)`` elementwise, exponentiating only -|x| so nothing overflows:
    for x >= 0 it is ``1 / (1 + e**-x)``; for x < 0 the same number is ``e**x / (1 + e**x)``."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
