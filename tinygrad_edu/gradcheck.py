"""Check a backward pass against calculus from first principles: central finite differences.

    df/dx  ~=  (f(x + eps) - f(x - eps)) / (2 eps)        (error of order eps**2)

``gradcheck(f, inputs)`` runs ``f`` on ``Value`` inputs (for numbers) or ``Tensor`` inputs (for
arrays), calls ``backward()``, and compares every gradient with the finite difference. It
raises ``GradcheckError`` naming each input that disagrees, so a wrong local derivative cannot
hide. Like ``torch.autograd.gradcheck``, it returns True when everything agrees.
"""

from __future__ import annotations

from typing import Callable, List, Sequence

import numpy as np

from .tensor import Tensor
from .value import Value


class GradcheckError(RuntimeError):
    """The gradients from ``backward()`` disagree with finite differences."""


def _evaluate(f: Callable, inputs: Sequence, leaves: Callable) -> float:
    out = f(*leaves(inputs))
    data = np.asarray(out.data, dtype=np.float64)
    if data.size != 1:
        raise ValueError(f"gradcheck needs f to return a single number, got shape {data.shape}; sum it first")
    return float(data.reshape(()))


def numerical_gradients(f: Callable, inputs: Sequence, eps: float = 1e-6) -> List:
    """Central differences of ``f`` with respect to each input (each element of each array)."""
    arrays = [np.array(x, dtype=np.float64) for x in inputs]
    leaves = _leaf_maker(inputs)
    grads = []
    for array in arrays:
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            original = array[index]
            array[index] = original + eps
            f_plus = _evaluate(f, _unpack(arrays, inputs), leaves)
            array[index] = original - eps
            f_minus = _evaluate(f, _unpack(arrays, inputs), leaves)
            array[index] = original
            grad[index] = (f_plus - f_minus) / (2 * eps)
        grads.append(grad)
    return grads


def analytic_gradients(f: Callable, inputs: Sequence) -> List:
    """The gradients ``backward()`` computes for each input."""
    made = _leaf_maker(inputs)(inputs)
    out = f(*made)
    out.backward()
    return [np.zeros(np.shape(x)) if leaf.grad is None else np.array(leaf.grad, dtype=np.float64) for leaf, x in zip(made, inputs)]


def gradcheck(f: Callable, inputs: Sequence, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4) -> bool:
    """Raise ``GradcheckError`` unless backward() agrees with finite differences for every input.

    ``inputs`` are numbers (``f`` receives ``Value`` s) or arrays (``f`` receives ``Tensor`` s).
    Agreement means ``|analytic - numerical| <= atol + rtol * |numerical|`` element by element.
    """
    analytic = analytic_gradients(f, inputs)
    numerical = numerical_gradients(f, inputs, eps)
    problems = []
    for k, (a, n) in enumerate(zip(analytic, numerical)):
        bad = ~(np.abs(a - n) <= atol + rtol * np.abs(n))
        for index in zip(*np.nonzero(bad)) if a.ndim else ([()] if bad else []):
            where = f"input {k}" + (f"{list(index)}" if a.ndim else "")
            problems.append(f"{where}: backward() gives {float(a[index])!r}, finite differences give {float(n[index])!r}")
    if problems:
        raise GradcheckError("gradients disagree with finite differences:\n  " + "\n  ".join(problems))
    return True


def _leaf_maker(inputs: Sequence) -> Callable:
    if all(np.ndim(x) == 0 and not isinstance(x, np.ndarray) for x in inputs):
        return lambda xs: [Value(float(x)) for x in xs]
    return lambda xs: [Tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in xs]


def _unpack(arrays: List[np.ndarray], inputs: Sequence) -> List:
    """Hand the perturbed copies back in the form the caller gave (numbers stay numbers)."""
    return [a.item() if np.ndim(x) == 0 and not isinstance(x, np.ndarray) else a for a, x in zip(arrays, inputs)]
