"""A neural network made of ``Tensor`` s: ``Linear`` layers and ``TensorMLP``.

The same model as the scalar ``MLP``, one matrix per layer instead of one ``Value`` per
weight: a whole batch of inputs goes through each layer as one matrix product. Given the
same seed both draw the same weights, and a state dict moves between them unchanged.
"""

from __future__ import annotations

from typing import Iterator, List, Sequence, Tuple, Union

import numpy as np

from ..tensor import Tensor, linear
from .module import Module, as_rng, check_activation, check_float_dtype, check_size, check_widths, he_normal

SeedLike = Union[int, np.random.Generator, None]


class Linear(Module):
    """``y = x @ W.T + b`` with W of shape (nout, nin), as ``torch.nn.Linear``.

    He initialisation (W ~ N(0, 2/nin)) and a zero bias; ``dtype`` float64 or float32.
    """

    def __init__(self, nin: int, nout: int, *, seed: SeedLike = 0, dtype=np.float64):
        nin, nout = check_size(nin, "Linear(nin, nout): nin"), check_size(nout, "Linear(nin, nout): nout")
        dtype = check_float_dtype(dtype, "Linear")
        self.weight = Tensor(he_normal(as_rng(seed), nout, nin), requires_grad=True, dtype=dtype, label="weight")
        self.bias = Tensor(np.zeros(nout), requires_grad=True, dtype=dtype, label="bias")

    def forward(self, x: Tensor) -> Tensor:
        return linear(x, self.weight, self.bias)

    def parameters(self) -> List[Tensor]:
        return [self.weight, self.bias]

    def __repr__(self) -> str:
        nout, nin = self.weight.shape
        return f"Linear(nin={nin}, nout={nout})"


class TensorMLP(Module):
    """An MLP on batches: ``TensorMLP(1, [16, 32, 1])`` maps (n, 1) inputs to (n, 1) outputs.

    The constructor and methods mirror the scalar ``MLP``: ``nouts`` lists every layer's
    width, hidden layers use ``activation``, the last layer is linear.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu", *, seed: SeedLike = 0, dtype=np.float64):
        nin = check_size(nin, "TensorMLP(nin, nouts): the number of inputs, nin,")
        nouts = check_widths(nouts, "TensorMLP")
        dtype = check_float_dtype(dtype, "TensorMLP")
        rng = as_rng(seed)
        sizes = [nin, *nouts]
        self.activation = check_activation(activation)
        self.layers = [Linear(sizes[i], sizes[i + 1], seed=rng, dtype=dtype) for i in range(len(nouts))]
        self.dtype = np.dtype(dtype)

    def forward(self, x) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(x, dtype=self.dtype)
        nin = self.layers[0].weight.shape[1]
        if x.ndim not in (1, 2) or x.shape[-1] != nin:
            raise ValueError(
                f"this MLP takes inputs of shape (n, {nin}) (a batch) or ({nin},) (one point), "
                f"got shape {x.shape}" + (" (use x.reshape(-1, 1) for a column of numbers)" if nin == 1 and x.ndim == 1 else "")
            )
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i == last or self.activation == "linear":
                continue
            if self.activation == "relu":
                x = x.relu_()  # in place: the layer's output is seen by no one else
            else:
                x = getattr(x, self.activation)()  # tanh or sigmoid
        return x

    def parameters(self) -> List[Tensor]:
        return [p for layer in self.layers for p in layer.parameters()]

    def named_parameter_arrays(self) -> Iterator[Tuple[str, np.ndarray]]:
        for i, layer in enumerate(self.layers):
            yield f"layers.{i}.weight", layer.weight.data
            yield f"layers.{i}.bias", layer.bias.data

    def assign_parameter_array(self, name: str, array: np.ndarray) -> None:
        _, index, kind = name.split(".")
        tensor = getattr(self.layers[int(index)], kind)
        tensor.data[...] = array  # in place, keeping the layer's dtype

    def __repr__(self) -> str:
        widths = [layer.weight.shape[0] for layer in self.layers]
        nin = self.layers[0].weight.shape[1]
        count = sum(p.size for p in self.parameters())
        return f"TensorMLP(nin={nin}, nouts={widths}, activation={self.activation!r})  # {count} parameters"
