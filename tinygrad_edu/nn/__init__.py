"""Models built from the library's numbers: scalar ``Neuron``/``Layer``/``MLP`` on ``Value``."""

from .module import ACTIVATIONS, Module
from .scalar import MLP, Layer, Neuron

__all__ = ["ACTIVATIONS", "Module", "Neuron", "Layer", "MLP"]
