"""tinygrad_edu: backpropagation you can read in an evening.

``Value`` is a scalar that records the graph it was computed by; ``backward()`` runs the chain
rule over that graph in reverse topological order (``engine.py``).
"""

from .engine import backpropagate, topological_order
from .value import Value

__all__ = ["Value", "backpropagate", "topological_order"]
__version__ = "0.1.0"
