"""What a Tensor can hold, and turning the user's numbers into an array of it, with clear refusals.

float64 (the default) and float32 hold numbers to differentiate; int64 and bool hold indices,
class labels and masks (``x > 0``), which take no gradient. A dtype may be given as NumPy
spells it (``np.float32``, ``"float32"``) or as PyTorch does (``torch.float32``).
"""

from __future__ import annotations

import numbers

import numpy as np

from ..checks import short

DTYPES = (np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.int64), np.dtype(bool))
_TORCH_NAMES = {"float64": "float64", "double": "float64", "float32": "float32", "float": "float32",
                "int64": "int64", "long": "int64", "bool": "bool"}
_NAMES = "float64 (the default), float32, int64 or bool"


def is_float(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def as_dtype(dtype) -> np.dtype:
    """``dtype`` as one of ``DTYPES``, refusing others by name."""
    if type(dtype).__module__ == "torch":  # torch.float32 and friends, without importing torch
        dtype = _TORCH_NAMES.get(str(dtype).rsplit(".", 1)[-1], str(dtype))
    try:
        checked = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{dtype!r} is not a dtype; a Tensor holds {_NAMES}") from None
    if checked not in DTYPES:
        raise ValueError(f"a Tensor holds {_NAMES}, not {checked}")
    return checked


def as_array(data, dtype=None, what: str = "Tensor", copy: bool = False) -> np.ndarray:
    """``data`` as an ndarray of a Tensor's dtype: ``dtype`` if given, else float64 or float32
    as the data has it, float64 for whole numbers, bool for booleans. Refuses what is not real
    numbers, and a cast that would turn finite numbers into inf (1e300 as float32)."""
    if isinstance(data, np.ndarray):
        array = data.view(np.ndarray) if type(data) is not np.ndarray else data
    else:
        try:
            array = np.asarray(data)
        except (ValueError, TypeError):
            raise ValueError(
                f"{what} needs a rectangular array of numbers, but the nested lists of {short(data)} "
                "have different lengths (every row must be as long as the others)"
            ) from None
    if array.dtype == object and array.size and all(_is_real(x) for x in array.flat):
        array = _big_whole_numbers(array, dtype, what)  # Python ints past int64, kept as objects
    kind = array.dtype.kind
    if kind == "c":
        raise TypeError(f"{what} holds real numbers, not complex ones (got {array.dtype}); take .real or abs() first")
    if kind not in "fiub":
        found = f"{type(data).__name__}" + (f" of dtype {array.dtype}" if isinstance(data, np.ndarray) else "")
        if isinstance(data, (list, tuple)) and kind in "USO":
            found += " of " + ", ".join(sorted({type(x).__name__ for x in np.ravel(np.asarray(data, dtype=object))}))
        raise TypeError(f"{what} needs real numbers, got {found}")
    if dtype is not None:
        target = as_dtype(dtype)
    elif array.dtype in DTYPES and kind != "i":
        target = array.dtype
    else:
        target = np.dtype(bool) if kind == "b" else np.dtype(np.float64)
    if target == array.dtype:
        return array.copy() if copy else array
    return _cast(array, target, what)




def _cast(array: np.ndarray, target: np.dtype, what: str) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        cast = array.astype(target)
    if target.kind == "f" and array.dtype.kind == "f":
        lost = np.isfinite(array) & ~np.isfinite(cast)
        if lost.any():
            where = tuple(int(i) for i in np.argwhere(lost)[0])
            raise ValueError(
                f"{what}: {array[where].item()!r}{f' at index {list(where)}' if where else ''} does not fit in {target} (the largest "
                f"{target} is {np.finfo(target).max:.3g}); scale the numbers down or keep float64"
            )
    elif target.kind in "ib" and array.dtype.kind == "f":
        if not np.array_equal(cast, array):
            raise ValueError(f"{what}: {target} holds whole numbers, but these have fractions, nan or inf, or are too large")
    elif target.kind == "i" and array.dtype.kind == "u" and array.size and array.max() > np.iinfo(target).max:
        raise ValueError(f"{what}: {array.max()} is too large for {target} (at most {np.iinfo(target).max})")
    return cast


def _is_real(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _big_whole_numbers(array: np.ndarray, dtype, what: str) -> np.ndarray:
    """Numbers NumPy kept as Python objects because a whole number is past int64: as float64
    (the default for whole numbers), or refused if int64 was asked for."""
    if dtype is not None and as_dtype(dtype).kind in "ib":
        raise ValueError(f"{what}: a whole number in {short(array.tolist())} is too large for {as_dtype(dtype)}")
    try:
        return array.astype(np.float64)
    except OverflowError:
        raise ValueError(f"{what}: a number in {short(array.tolist())} is too large for a float (1.8e308 at most)") from None




# --- the other settings of a Tensor -------------------------------------------------------


def checked_requires_grad(requires_grad: object, dtype: np.dtype) -> bool:
    if not isinstance(requires_grad, (bool, np.bool_)):
        raise TypeError(f"requires_grad must be True or False, got {type(requires_grad).__name__} {requires_grad!r}")
    if requires_grad and not is_float(dtype):
        raise not_differentiable(dtype)
    return bool(requires_grad)


def not_differentiable(dtype: np.dtype, what: str = "") -> RuntimeError:
    """The refusal of a gradient for whole numbers or booleans (``what`` says where it was met)."""
    return RuntimeError(
        f"{what}only floating-point Tensors can require grad (a gradient is a real number), this one "
        f"holds {dtype}; make it with dtype=float64 or float32"
    )


def checked_backward_options(gradient, grad, retain_graph, create_graph, inputs=None):
    """``backward``'s settings, PyTorch's names beside ours: dL/d(this) as ``gradient=`` or
    ``grad=`` (one of them), ``retain_graph`` True, False or None (the graph is kept anyway),
    ``create_graph`` False (a gradient here is an array, outside the graph)."""
    if gradient is not None and grad is not None:
        raise TypeError("backward: give gradient= (PyTorch's name) or grad=, not both")
    if retain_graph is not None and not isinstance(retain_graph, (bool, np.bool_)):
        raise TypeError(f"backward: retain_graph is True, False or None, got {type(retain_graph).__name__} {retain_graph!r}")
    if not isinstance(create_graph, (bool, np.bool_)):
        raise TypeError(f"backward: create_graph is True or False, got {type(create_graph).__name__} {create_graph!r}")
    if inputs is not None:
        raise TypeError(
            "backward(inputs=...) is not supported: backward() gives every leaf that requires grad its "
            "gradient; read the ones you need from their .grad"
        )
    if create_graph:
        raise ValueError(
            "backward(create_graph=True) would record the backward pass to differentiate it again, but here a "
            "gradient is a plain array outside the graph: no gradients of gradients. Leave create_graph=False"
        )
    return gradient if gradient is not None else grad


def seed_gradient(data: np.ndarray, given) -> np.ndarray:
    """dL/d(this), where ``backward()`` starts: 1 for a single number, else the array given, checked
    against this Tensor's ``data`` (its shape, and its dtype, which it takes)."""
    if given is None:
        if data.size != 1:
            raise RuntimeError(
                f"backward() needs a single number to differentiate, but this Tensor has shape "
                f"{data.shape}. Reduce it first (loss.mean() or loss.sum()), or pass dL/d(this) "
                f"explicitly: t.backward(np.ones({data.shape}))"
            )
        return np.ones_like(data)
    grad = as_array(getattr(given, "_data", given), data.dtype, what="backward(grad)", copy=True)
    if grad.shape != data.shape:
        raise ValueError(f"backward(grad): grad has shape {grad.shape} but this Tensor has shape {data.shape}")
    return grad


def checked_number(x: object, what: str) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {type(x).__name__} {x!r}")
    return float(x)
