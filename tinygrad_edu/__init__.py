"""tinygrad_edu: backpropagation you can read in an evening.

``Value`` is a scalar and ``Tensor`` a NumPy array; both record the graph they were computed
by, and ``backward()`` runs the chain rule over it in reverse topological order, with the one
driver in ``engine.py``. Each op, forward and backward side by side, is one class in one
place: ``ops.py`` for the elementwise ops both share, ``tensor/`` for those only arrays have,
``losses.py`` for the losses' own (the mean squared error in one op, class numbers checked).
"""

from .engine import backpropagate, topological_order
from .gradcheck import GradcheckError, gradcheck
from .tensor import (
    Tensor, arange, cat, eye, full, is_grad_enabled, linear, matmul, maximum, minimum, no_grad, ones,
    ones_like, randn, stack, where, zeros, zeros_like,
)
from .value import Value
from .jit import jit

__all__ = [
    "Value", "Tensor", "jit", "no_grad", "is_grad_enabled", "gradcheck", "GradcheckError", "backpropagate", "topological_order",
    "where", "maximum", "minimum", "cat", "stack", "matmul", "linear",
    "zeros", "ones", "full", "arange", "eye", "randn", "zeros_like", "ones_like",
]
__version__ = "0.1.0"
