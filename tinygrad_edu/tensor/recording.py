"""Recording an op: what every Tensor op does after computing its output.

``apply(op, *inputs)`` runs the op's forward rule on the inputs' arrays and wraps the result
in a new Tensor. If any input needs a gradient (and recording is on, see ``grad_mode.py``),
the new Tensor remembers its parents and its op, and keeps what the op's backward rule reads
(``op.saves``): those arrays, and how many times each had been changed in place
(``versions.py``), which ``Tensor.chain_rule`` checks again before using them. That record
is the graph ``backward()`` walks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import ops
from ..xp import ARRAY
from .grad_mode import _mode
from .versions import Version

if TYPE_CHECKING:
    from .core import Tensor


def apply(op: ops.Op, *inputs: "Tensor") -> "Tensor":
    """The output of ``op`` on ``inputs``: its forward rule on their arrays, recorded.

    The output is linked to its inputs if any of them needs a gradient, and keeps what the
    op's backward reads (``op.saves``): those arrays, and how many times each had been changed
    in place, which ``chain_rule`` checks again before using them.
    """
    arrays = [t._data for t in inputs]
    try:
        out = op.forward(ARRAY, *arrays)
    except (ValueError, TypeError) as error:  # NumPy's refusals, said in our words (only errors pay)
        if op.broadcasts:
            raise _elementwise_error(op, arrays, error) from None
        raise
    wrapped = type(out) is not np.ndarray
    if wrapped:
        out = np.asarray(out)  # NumPy returns a scalar for a 0-d result; keep an array
    node = _new_tensor(type(inputs[0]))  # a Tensor, like its inputs
    node._data = out
    node._version = _version_of(out, inputs, arrays) if op.makes_views else Version()
    node.grad = None
    node.label = ""
    node.retains_grad = False
    node.saved = node.versions = node.parents = ()
    node.requires_grad, node.op = False, None
    if _mode.enabled and op.differentiable:
        for t in inputs:
            if t.requires_grad:
                node.requires_grad = True
                node.parents = inputs
                node.op = op
                if op.saves:
                    arrays.append(out)  # position -1: ops.OUT
                    node.saved = op.pick_saved(arrays)
                    node.versions = op.pick_saved([t._version.count for t in inputs] + [node._version.count])
                break
    if _mode.tracer is not None:  # a step being recorded for replay (jit.py)
        _mode.tracer.forward(op, inputs, node, wrapped)
    return node


def _elementwise_error(op: ops.Op, arrays: list, error: Exception) -> Exception:
    """Why NumPy refused an elementwise op: shapes that do not broadcast, or numbers it will not
    combine (whole numbers to a negative whole power; a bool Tensor minus another)."""
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = " and ".join(str(a.shape) for a in arrays)
        return ValueError(
            f"{op.name}: shapes {shapes} cannot be broadcast together. NumPy compares shapes from "
            "the right; each pair of sizes must be equal, or one of them 1 (reshape an operand to fix it)"
        )
    dtypes = " and ".join(str(a.dtype) for a in arrays)
    fix = "; use a float Tensor (dtype=float64, or t.double())" if "negative integer powers" in str(error) else ""
    kind = TypeError if isinstance(error, TypeError) else ValueError
    return kind(f"{op.name} of {dtypes} numbers: NumPy refuses it: {str(error).rstrip('.')}{fix}")


_new_tensor = object.__new__


def _version_of(out: np.ndarray, inputs: tuple, arrays: list) -> Version:
    """A view of an input shares that input's count of in-place changes; new numbers start at 0."""
    base = out.base
    for t, array in zip(inputs, arrays):
        if out is array or (base is not None and (base is array or base is array.base)):
            return t._version
    return Version()


def changed_in_place(tensor: "Tensor", op: ops.Op, then: int) -> RuntimeError:
    who = f"the Tensor labelled {tensor.label!r}" if tensor.label else f"a Tensor of shape {tensor.shape}"
    return RuntimeError(
        f"backward(): the numbers of {who}, saved by the op {op.name!r} for the backward pass, "
        f"were changed in place afterwards (version {tensor._version.count}, saved at version {then}), so its "
        "gradient would come out wrong. Change numbers only after backward() (for example, "
        "optimizer.step() after loss.backward()), or work on a copy (x.clone(), or "
        "x.detach().clone() outside the graph)."
    )
