"""``Module``: what every model has in common, whatever kind of number it is built from.

A model owns parameters (``Value`` or ``Tensor`` leaves), can list them, zero their gradients,
and move their numbers in and out as a *state dict*: a plain ``{name: float64 ndarray}`` in
PyTorch's layout, so weights can be compared with ``torch.nn`` or saved to ``.npz`` without
pickle (the file work itself is in ``io.py``).
"""

from __future__ import annotations

import numbers
import os
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Tuple, Union

import numpy as np

from ..io import load_arrays, save_arrays
from ..checks import first_not_finite, short
from ..tensor.dtypes import as_array, as_dtype

StateDict = Dict[str, np.ndarray]
PathLike = Union[str, os.PathLike]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


def check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    return activation


def check_size(n: object, what: str) -> int:
    """A number of inputs or units: a whole number of at least 1."""
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} is a whole number, such as 3, got {type(n).__name__} {short(n)}")
    if n < 1:
        raise ValueError(f"{what} must be at least 1, got {n}")
    return int(n)


def check_widths(nouts: object, model: str) -> List[int]:
    """The widths of a model's layers, ``nouts``: a non-empty list of whole numbers."""
    if isinstance(nouts, numbers.Integral) and not isinstance(nouts, (bool, np.bool_)):
        raise TypeError(
            f"{model}(nin, nouts): nouts is a list of layer widths, such as [16, 1], got the number {nouts} "
            f"(for one layer of {nouts} outputs write [{nouts}])"
        )
    if isinstance(nouts, np.ndarray):
        nouts = nouts.tolist()
    if not isinstance(nouts, (list, tuple, range)):
        raise TypeError(f"{model}(nin, nouts): nouts is a list of layer widths, such as [16, 1], got {type(nouts).__name__} {short(nouts)}")
    if not nouts:
        raise ValueError("an MLP needs at least one layer: give nouts as a list of widths, e.g. [16, 1]")
    return [check_size(n, f"{model}: the width of layer {i} (nouts[{i}])") for i, n in enumerate(nouts)]


def check_float_dtype(dtype, model: str) -> np.dtype:
    """The dtype of a model's weights: float64 or float32, since weights take gradients."""
    checked = as_dtype(dtype)
    if checked.kind != "f":
        raise ValueError(f"{model}'s weights take gradients, so they are float64 or float32, not {checked}")
    return checked


def as_rng(seed: Union[int, np.random.Generator, None]) -> np.random.Generator:
    """A NumPy Generator from a seed (reproducible) or an existing Generator (shared stream)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed is not None and seed < 0:
            raise ValueError(f"seed must be a whole number of at least 0, got {seed}")
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int or a numpy.random.Generator, got {type(seed).__name__}")


def he_normal(rng: np.random.Generator, nout: int, nin: int) -> np.ndarray:
    """He initialisation: weights ~ N(0, 2/nin), which keeps ReLU activations from shrinking."""
    return rng.normal(0.0, np.sqrt(2.0 / nin), size=(nout, nin))


class Module:
    """Base class: subclasses define ``forward`` and ``named_parameter_arrays``."""

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def parameters(self) -> List:
        """Every trainable leaf, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Clear every parameter's gradient before the next ``backward()``."""
        for p in self.parameters():
            p.zero_grad()

    # --- state dicts: subclasses say which named arrays they hold --------------------------

    def named_parameter_arrays(self) -> Iterator[Tuple[str, np.ndarray]]:
        """Yield ``(name, array)`` pairs in PyTorch's layout. A model made of ``self.layers``
        names each layer's own arrays ``layers.{i}.{name}``, as ``torch.nn.Sequential`` does;
        a layer defines its own."""
        for i, layer in enumerate(getattr(self, "layers", ())):
            for name, array in layer.named_parameter_arrays():
                yield f"layers.{i}.{name}", array

    def assign_parameter_array(self, name: str, array: np.ndarray) -> None:
        """Copy ``array`` (already checked for shape) into the parameter called ``name``."""
        if not hasattr(self, "layers"):
            raise NotImplementedError(f"{type(self).__name__} must define assign_parameter_array()")
        _, index, own_name = name.split(".", 2)  # "layers.0.weight"
        self.layers[int(index)].assign_parameter_array(own_name, array)

    def state_dict(self) -> StateDict:
        """``{name: float64 array}``, copies: changing them does not change the model."""
        state = {name: np.array(array, dtype=np.float64) for name, array in self.named_parameter_arrays()}
        if not state and self.parameters():  # an empty dict would save and load nothing, silently
            raise NotImplementedError(
                f"{type(self).__name__} does not name its parameters (named_parameter_arrays), so it has no "
                "state dict to save or load; a TensorMLP or MLP does"
            )
        return state

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Copy the arrays in ``state`` into the model.

        Everything is checked before anything is copied: a state dict that does not fit (a
        missing or unknown name, a wrong shape, something other than finite real numbers, a
        number too large for the model's dtype) raises a ``ValueError`` or ``TypeError`` naming
        the entry and leaves the model exactly as it was. The arrays in ``state`` are never
        modified.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"a state dict is a mapping {{name: array}}, such as model.state_dict(), got {type(state).__name__}"
            )
        current = dict(self.named_parameter_arrays())
        missing = [name for name in current if name not in state]
        unexpected = [name for name in state if name not in current]
        if missing or unexpected:
            raise ValueError(
                f"state dict does not fit {type(self).__name__}: "
                f"missing {missing or 'nothing'}, unexpected {unexpected or 'nothing'}"
            )
        checked = {name: _checked_entry(name, state[name], np.asarray(array)) for name, array in current.items()}
        for name, array in checked.items():
            self.assign_parameter_array(name, array)

    def save(self, path: PathLike) -> Path:
        """Write the state dict to ``path`` as ``.npz`` (no pickle), atomically, with the
        permissions an ordinary write would give (see ``io.py``); return the path.

        Numbers that are not finite (nan, inf: a diverged training) are refused, naming the
        entry, since such a file could not be loaded back; nothing is written then.
        """
        state = self.state_dict()
        for name, array in state.items():
            _check_finite(name, array)
        return save_arrays(state, path)

    def load(self, path: PathLike) -> None:
        """Load a state dict saved by ``save``: data only, never pickled code. A file that is not
        a saved model, or does not fit this model, is refused, naming the file, and the model is
        left as it was."""
        state = load_arrays(path)
        try:
            self.load_state_dict(state)
        except (TypeError, ValueError) as error:
            raise type(error)(f"{path}: {error}") from None


def _checked_entry(name: str, value: object, current: np.ndarray) -> np.ndarray:
    """``value`` as a new array of the parameter's shape and dtype, or why it cannot be one."""
    array = as_array(value, current.dtype, what=f"state dict entry {name!r}", copy=True)  # refuses a cast to inf
    if array.shape != current.shape:
        raise ValueError(
            f"state dict entry {name!r} has shape {array.shape}, but the model's parameter has shape {current.shape}"
        )
    _check_finite(name, array)
    return array


def _check_finite(name: str, array: np.ndarray) -> None:
    found = first_not_finite(array)
    if found:
        index, number = found
        raise ValueError(
            f"state dict entry {name!r} holds {number} at index {index}: a model's numbers must be "
            "finite (a nan or inf usually means training diverged)"
        )

