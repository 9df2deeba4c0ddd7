"""A neural network made of ``Value`` scalars: ``Neuron``, ``Layer``, ``MLP``.

A neuron is a regression: ``activation(w . x + b)``. A layer is several neurons reading the
same inputs; an MLP is layers in a row, the last one linear. Every weight is a ``Value``, so
``loss.backward()`` reaches all of them through the graph.
"""

from __future__ import annotations

from typing import Iterator, List, Sequence, Tuple, Union

import numpy as np

from ..value import Value
from .module import Module, as_rng, check_activation, check_size, check_widths, he_normal

SeedLike = Union[int, np.random.Generator, None]


class Neuron(Module):
    """``activation(w0*x0 + w1*x1 + ... + b)`` with He-initialised weights and a zero bias."""

    def __init__(self, nin: int, activation: str = "relu", *, seed: SeedLike = 0, name: str = ""):
        nin = check_size(nin, "a neuron's number of inputs, nin,")
        self.activation = check_activation(activation)
        weights = he_normal(as_rng(seed), 1, nin)[0]
        self.w = [Value(float(w), label=f"{name}w{j}") for j, w in enumerate(weights)]
        self.b = Value(0.0, label=f"{name}b")

    def forward(self, x: Sequence) -> Value:
        if not hasattr(x, "__len__") or len(x) != len(self.w):
            raise _wrong_inputs(x, len(self.w), "neuron")
        act = self.b
        for w, xi in zip(self.w, x):
            act = act + w * xi
        if self.activation == "relu":
            return act.relu()
        if self.activation == "tanh":
            return act.tanh()
        if self.activation == "sigmoid":
            return act.sigmoid()
        return act

    def parameters(self) -> List[Value]:
        return self.w + [self.b]

    def named_parameter_arrays(self) -> Iterator[Tuple[str, np.ndarray]]:
        yield "weight", np.array([w.data for w in self.w])  # shape (nin,)
        yield "bias", np.array(self.b.data)  # shape ()

    def assign_parameter_array(self, name: str, array: np.ndarray) -> None:
        for p, value in zip({"weight": self.w, "bias": [self.b]}[name], array.reshape(-1)):
            p.data = float(value)

    def __repr__(self) -> str:
        return f"Neuron(nin={len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; always returns a list of ``nout`` Values."""

    def __init__(self, nin: int, nout: int, activation: str = "relu", *, seed: SeedLike = 0, name: str = ""):
        nin = check_size(nin, "a layer's number of inputs, nin,")
        nout = check_size(nout, "a layer's number of neurons, nout,")
        rng = as_rng(seed)
        self.neurons = [Neuron(nin, activation, seed=rng, name=f"{name}n{k}.") for k in range(nout)]
        self.nin, self.nout, self.activation = nin, nout, activation

    def forward(self, x: Sequence) -> List[Value]:
        if not hasattr(x, "__len__") or len(x) != self.nin:
            raise _wrong_inputs(x, self.nin, "layer")
        return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> List[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def weight_array(self) -> np.ndarray:
        """The weights as a ``(nout, nin)`` array, the layout of ``torch.nn.Linear.weight``."""
        return np.array([[w.data for w in neuron.w] for neuron in self.neurons])

    def bias_array(self) -> np.ndarray:
        return np.array([neuron.b.data for neuron in self.neurons])

    def named_parameter_arrays(self) -> Iterator[Tuple[str, np.ndarray]]:
        yield "weight", self.weight_array()
        yield "bias", self.bias_array()

    def assign_parameter_array(self, name: str, array: np.ndarray) -> None:
        for neuron, row in zip(self.neurons, array):
            neuron.assign_parameter_array(name, row)

    def __repr__(self) -> str:
        return f"Layer(nin={self.nin}, nout={self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` maps 2 inputs to 1 output.

    ``nouts`` lists every layer's width. Hidden layers use ``activation``; the last layer is
    linear, so the output is a raw score. When the last layer has one output, calling the
    model returns a single ``Value``; otherwise a list.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu", *, seed: SeedLike = 0):
        nin = check_size(nin, "MLP(nin, nouts): the number of inputs, nin,")
        nouts = check_widths(nouts, "MLP")
        rng = as_rng(seed)
        sizes = [nin, *nouts]
        self.activation = check_activation(activation)
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < len(nouts) - 1 else "linear", seed=rng, name=f"L{i}.")
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence) -> Union[Value, List[Value]]:
        if not hasattr(x, "__len__") or len(x) != self.layers[0].nin:
            raise _wrong_inputs(x, self.layers[0].nin, "MLP")
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> List[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        widths = [layer.nout for layer in self.layers]
        return (
            f"MLP(nin={self.layers[0].nin}, nouts={widths}, activation={self.activation!r})"
            f"  # {len(self.parameters())} parameters"
        )


def _wrong_inputs(x, nin: int, model: str) -> Exception:
    """Why ``x`` is not one example of ``nin`` numbers, the input of a scalar ``model``."""
    shape = np.shape(x) if isinstance(x, np.ndarray) or hasattr(x, "shape") else None
    if shape is not None and len(shape) == 2:
        return ValueError(
            f"this {model} takes one example at a time, a list of {nin} numbers, got an array of shape {shape}; "
            "call it on each row (or use TensorMLP, which takes a whole batch)"
        )
    if not hasattr(x, "__len__"):
        return TypeError(f"this {model} takes a list of {nin} numbers (or Values), got {type(x).__name__} {x!r}")
    return ValueError(f"this {model} takes {nin} inputs, got {len(x)}")
