"""Check a backward pass against calculus from first principles: central finite differences.

    df/dx  ~=  (f(x + eps) - f(x - eps)) / (2 eps)        (error of order eps**2)

``gradcheck(f, inputs)`` runs ``f`` on ``Value`` inputs (for numbers) or ``Tensor`` inputs (for
arrays), calls ``backward()``, and compares every gradient with the finite difference. It
raises ``GradcheckError`` naming each input that disagrees, so a wrong local derivative cannot
hide. Like ``torch.autograd.gradcheck``, it returns True when everything agrees.
"""

from __future__ import annotations

import inspect
import math
import numbers
from typing import Callable, List, Sequence

import numpy as np

from .checks import as_float, first_not_finite, short
from .tensor import Tensor
from .tensor.dtypes import as_array
from .value import Value


class GradcheckError(RuntimeError):
    """The gradients from ``backward()`` disagree with finite differences."""


def _evaluate(f: Callable, inputs: Sequence, leaves: Callable) -> float:
    out = _output(f(*leaves(inputs)))
    return float(np.asarray(out.data, dtype=np.float64).reshape(()))


def _output(out):
    """What ``f`` returned, if it is one number that ``backward()`` can start from."""
    if not (isinstance(out, (Value, Tensor))):
        raise TypeError(
            f"gradcheck needs f to return a Value or a Tensor computed from its inputs (such as a * b), "
            f"got {type(out).__name__} {short(out)}"
        )
    if np.size(out.data) != 1:
        raise ValueError(f"gradcheck needs f to return a single number, got shape {np.shape(out.data)}; sum it first")
    return out


def numerical_gradients(f: Callable, inputs: Sequence, eps: float = 1e-6) -> List:
    """Central differences of ``f`` with respect to each input (each element of each array)."""
    inputs = _checked(f, inputs)
    eps = _setting("eps", eps, positive=True)
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
    inputs = _checked(f, inputs)
    made = _leaf_maker(inputs)(inputs)
    out = _output(f(*made))
    out.backward()
    return [np.zeros(np.shape(x)) if leaf.grad is None else np.array(leaf.grad, dtype=np.float64) for leaf, x in zip(made, inputs)]


def gradcheck(f: Callable, inputs: Sequence, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-4) -> bool:
    """Raise ``GradcheckError`` unless backward() agrees with finite differences for every input.

    ``inputs`` are numbers (``f`` receives ``Value`` s) or arrays (``f`` receives ``Tensor`` s).
    Agreement means ``|analytic - numerical| <= atol + rtol * |numerical|`` element by element.
    """
    inputs = _checked(f, inputs)
    eps = _setting("eps", eps, positive=True)
    atol, rtol = _setting("atol", atol), _setting("rtol", rtol)
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


# --- what gradcheck is given: a function, and plain numbers or arrays for it ---------------------


def _checked(f: Callable, inputs: Sequence) -> List:
    """The inputs as float (a number) or float64 arrays, after refusing what cannot be checked:
    an ``f`` that is not a function or cannot take one argument per input, inputs that are not
    a list, and inputs that are not finite real numbers."""
    if not callable(f):
        raise TypeError(f"gradcheck(f, inputs): f is the function to check, such as lambda a, b: a * b, got {type(f).__name__} {short(f)}")
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(
            "gradcheck(f, inputs): inputs is a list with one number or array per argument of f, such as "
            f"[0.5, -3.0] or [np.ones(3)], got {type(inputs).__name__} {short(inputs)}"
        )
    if not inputs:
        raise ValueError("gradcheck(f, inputs): inputs is empty; give one number or array per argument of f")
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # a built-in function that does not say what it takes
        signature = None
    if signature is not None:
        try:
            signature.bind(*inputs)
        except TypeError:
            raise TypeError(
                f"gradcheck calls f with one argument per input, but f{signature} cannot be called with "
                f"{len(inputs)} argument{'s' if len(inputs) != 1 else ''}"
            ) from None
    return [_checked_input(k, x) for k, x in enumerate(inputs)]


def _checked_input(k: int, x) -> object:
    what = f"gradcheck: input {k}"
    if isinstance(x, (Value, Tensor)):
        raise TypeError(
            f"{what} is a {type(x).__name__}; gradcheck makes its own Values and Tensors from plain numbers: "
            f"pass {'x.data' if isinstance(x, Value) else 'x.numpy()'}"
        )
    array = as_array(x, what=what)  # refuses text, None, complex numbers, ragged lists
    if array.dtype == bool:
        raise TypeError(f"{what} holds True/False; gradcheck needs real numbers, such as 1.0")
    found = first_not_finite(array)
    if found:
        raise ValueError(f"{what} holds {found[1]}; finite differences need finite numbers")
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return float(array)  # a number: f receives a Value
    return array.astype(np.float64)  # an array: f receives a Tensor


def _setting(name: str, value, positive: bool = False) -> float:
    """eps (a finite number > 0), atol or rtol (a finite number >= 0)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"gradcheck: {name} is a number, such as 1e-6, got {type(value).__name__} {short(value)}")
    number = as_float(value)
    if not (number > 0 if positive else number >= 0) or not math.isfinite(number):
        raise ValueError(f"gradcheck: {name} must be a finite number {'> 0' if positive else '>= 0'}, got {number:g}")
    return number

