"""Models built from the library's numbers: ``Neuron``/``Layer``/``MLP`` on ``Value`` scalars,
``Linear``/``TensorMLP`` on ``Tensor`` arrays."""

from .module import ACTIVATIONS, Module
from .scalar import MLP, Layer, Neuron
from .vector import Linear, TensorMLP

__all__ = ["ACTIVATIONS", "Module", "Neuron", "Layer", "MLP", "Linear", "TensorMLP"]
