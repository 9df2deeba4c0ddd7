"""tinygrad_edu: backpropagation you can read in an evening.

``Value`` is a scalar and ``Tensor`` a NumPy array; both record the graph they were computed
by, and ``backward()`` runs the chain rule over it in reverse topological order, with the one
driver in ``engine.py``.
"""

from .engine import backpropagate, topological_order
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor, no_grad
from .value import Value

__all__ = ["Value", "Tensor", "no_grad", "gradcheck", "GradcheckError", "backpropagate", "topological_order"]
__version__ = "0.1.0"
