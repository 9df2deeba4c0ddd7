"""The ``Tensor``: a NumPy array that records the graph it was computed by.

Read ``core.py`` first (the Tensor, its backward, its elementwise ops) and ``recording.py``
(what every op does with its output: the graph), then the ops that only arrays have:
``shape_ops.py``, ``reductions.py``, ``matmul.py``; ``conversions.py`` for comparisons,
copies and casts; ``creation.py`` for Tensors made from nothing; ``spellings.py`` for PyTorch's
other names. Beside them, the engineering:
``dtypes.py``, ``grad_mode.py``, ``versions.py``.
"""

from .core import Tensor, maximum, minimum, where
from .creation import arange, eye, full, ones, ones_like, randn, zeros, zeros_like
from .grad_mode import is_grad_enabled, no_grad
from .matmul import linear, matmul
from .recording import apply
from .shape_ops import cat, stack

__all__ = [
    "Tensor", "no_grad", "is_grad_enabled", "apply",
    "where", "maximum", "minimum", "cat", "stack", "matmul", "linear",
    "zeros", "ones", "full", "arange", "eye", "randn", "zeros_like", "ones_like",
]
