"""``Module``: what every model has in common, whatever kind of number it is built from.

A model owns parameters (``Value`` or ``Tensor`` leaves), can list them, zero their gradients,
and move their numbers in and out as a *state dict*: a plain ``{name: float64 ndarray}`` in
PyTorch's layout, so weights can be compared with ``torch.nn`` or saved to ``.npz`` without
pickle.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Tuple, Union

import numpy as np

StateDict = Dict[str, np.ndarray]
PathLike = Union[str, os.PathLike]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


def check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
    return activation


def as_rng(seed: Union[int, np.random.Generator, None]) -> np.random.Generator:
    """A NumPy Generator from a seed (reproducible) or an existing Generator (shared stream)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int or a numpy.random.Generator, got {type(seed).__name__}")


def he_normal(rng: np.random.Generator, nout: int, nin: int) -> np.ndarray:
    """He initialisation: weights ~ N(0, 2/nin), which keeps ReLU activations from shrinking."""
    return rng.normal(0.0, np.sqrt(2.0 / nin), size=(nout, nin))


def _file_mode(path: Path) -> int:
    """The permissions an ordinary write would give: the existing file's, else 0o666 less umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


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
        """Yield ``(name, array)`` pairs in PyTorch's layout; overridden by models."""
        return iter(())

    def assign_parameter_array(self, name: str, array: np.ndarray) -> None:
        """Copy ``array`` (already checked for shape) into the parameter called ``name``."""
        raise NotImplementedError(f"{type(self).__name__} must define assign_parameter_array()")

    def state_dict(self) -> StateDict:
        """``{name: float64 array}``, copies: changing them does not change the model."""
        return {name: np.array(array, dtype=np.float64) for name, array in self.named_parameter_arrays()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Copy the arrays in ``state`` into the model.

        Everything is checked before anything is copied, so a state dict that does not fit
        (a missing or unknown name, a wrong shape) raises a ``ValueError`` and leaves the model
        exactly as it was. The arrays in ``state`` are never modified.
        """
        expected = {name: np.shape(array) for name, array in self.named_parameter_arrays()}
        missing = [name for name in expected if name not in state]
        unexpected = [name for name in state if name not in expected]
        if missing or unexpected:
            raise ValueError(
                f"state dict does not fit {type(self).__name__}: "
                f"missing {missing or 'nothing'}, unexpected {unexpected or 'nothing'}"
            )
        checked = {}
        for name, shape in expected.items():
            array = np.asarray(state[name])
            if array.shape != shape:
                raise ValueError(
                    f"state dict entry {name!r} has shape {array.shape}, but the model's "
                    f"parameter has shape {shape}"
                )
            if not np.issubdtype(array.dtype, np.number) or np.iscomplexobj(array):
                raise TypeError(f"state dict entry {name!r} must hold real numbers, got dtype {array.dtype}")
            checked[name] = np.array(array, dtype=np.float64)  # a copy: the caller's array is untouched
        for name, array in checked.items():
            self.assign_parameter_array(name, array)

    def save(self, path: PathLike) -> Path:
        """Write the state dict to ``path`` as ``.npz`` (no pickle), atomically.

        The file is written next to its destination under a temporary name and renamed into
        place, so an interrupted save never leaves a half-written file where a good one was.
        """
        path = Path(path)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        try:
            with os.fdopen(fd, "wb") as tmp:
                np.savez(tmp, **self.state_dict())
            os.chmod(tmp_name, _file_mode(path))  # mkstemp makes owner-only files; match a normal save
            os.replace(tmp_name, path)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise
        return path

    def load(self, path: PathLike) -> None:
        """Load a state dict saved by ``save`` (``allow_pickle=False``: data only, never code)."""
        with np.load(Path(path), allow_pickle=False) as archive:
            state = {name: archive[name] for name in archive.files}
        self.load_state_dict(state)
