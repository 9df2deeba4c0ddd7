"""A neural network made of ``Tensor`` s: ``Linear`` layers and ``TensorMLP``.

The same model as the scalar ``MLP``, one matrix per layer instead of one ``Value`` per
weight: a whole batch of inputs goes through each layer as one matrix product. Given the
same seed both draw the same weights, and a state dict moves between them unchanged.

A ``TensorMLP`` also crosses over to PyTorch and back (``to_torch``, ``from_torch``): the same
layers, the same weights, the same outputs and gradients, in the library learners go on to.
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

    def named_parameter_arrays(self) -> Iterator[Tuple[str, np.ndarray]]:
        yield "weight", self.weight.data  # torch.nn.Linear's names and shapes: (nout, nin), (nout,)
        yield "bias", self.bias.data

    def assign_parameter_array(self, name: str, array: np.ndarray) -> None:
        getattr(self, name).data[...] = array  # in place, keeping the layer's dtype

    def __repr__(self) -> str:
        nout, nin = self.weight.shape
        return f"Linear(nin={nin}, nout={nout})"


class TensorMLP(Module):
    """An MLP on batches: ``TensorMLP(1, [16, 32, 1])`` maps (n, 1) inputs to (n, 1) outputs.

    The constructor and methods mirror the scalar ``MLP``: ``nouts`` lists every layer's
    width, hidden layers use ``activation``, the last layer is linear.
    """

    # ReLU computed in place (relu_, like PyTorch's nn.ReLU(inplace=True)) keeps one array per
    # layer alive instead of two; benchmarks/bench_tensor.py measures what that saves.
    relu_in_place = True

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
                x = x.relu_() if self.relu_in_place else x.relu()  # in place: no one else sees the layer's output
            else:
                x = getattr(x, self.activation)()  # tanh or sigmoid
        return x

    def parameters(self) -> List[Tensor]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        widths = [layer.weight.shape[0] for layer in self.layers]
        nin = self.layers[0].weight.shape[1]
        count = sum(p.size for p in self.parameters())
        return f"TensorMLP(nin={nin}, nouts={widths}, activation={self.activation!r})  # {count} parameters"

    # --- the bridge to PyTorch -------------------------------------------------------------

    def to_torch(self):
        """The same network as a ``torch.nn.Sequential``, with the same weights in the same dtype.

        ``TensorMLP(2, [16, 3], activation="relu")`` becomes ``Sequential(Linear(2, 16), ReLU(),
        Linear(16, 3))``: the same outputs for the same inputs, and the same gradients. The
        weights are copied, so training one network leaves the other as it was. PyTorch is
        imported here, when asked for, never when tinygrad_edu is.
        """
        torch = _import_torch("TensorMLP.to_torch()")
        dtype = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}[self.dtype]
        modules = []
        for i, layer in enumerate(self.layers):
            nout, nin = layer.weight.shape
            # skip_init: no random initial weights, which would draw from torch's random numbers
            linear = torch.nn.utils.skip_init(torch.nn.Linear, nin, nout, dtype=dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.array(layer.weight.data)))
                linear.bias.copy_(torch.from_numpy(np.array(layer.bias.data)))
            modules.append(linear)
            if i < len(self.layers) - 1 and self.activation != "linear":
                modules.append(getattr(torch.nn, _TORCH_ACTIVATIONS[self.activation])())
        return torch.nn.Sequential(*modules)

    @classmethod
    def from_torch(cls, sequential) -> "TensorMLP":
        """Ours from theirs: a ``torch.nn.Sequential`` of ``Linear`` layers with one activation
        between each two (``ReLU``, ``Tanh`` or ``Sigmoid``, the same everywhere, or none at all)
        and none after the last becomes a ``TensorMLP`` with the same weights (copied) and dtype
        (float64 or float32). A layer it cannot represent (``Dropout``, ``Softmax``, ``Conv2d``,
        a ``Linear`` without bias, ...) is refused with an error that names it.
        """
        torch = _import_torch("TensorMLP.from_torch()")
        linears, activation, dtype = _read_sequential(torch, sequential)
        model = cls(linears[0].in_features, [linear.out_features for linear in linears], activation=activation,
                    dtype=dtype)
        state = {}
        for i, linear in enumerate(linears):
            state[f"layers.{i}.weight"] = linear.weight.detach().cpu().numpy()
            state[f"layers.{i}.bias"] = linear.bias.detach().cpu().numpy()
        model.load_state_dict(state)
        return model


# --- reading a PyTorch network: what a TensorMLP can be, and what it cannot -----------------

_TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}  # ours: torch.nn's


def _import_torch(caller: str):
    try:
        import torch
    except ImportError as error:
        raise ImportError(f"{caller} needs PyTorch, which is not installed here: install it with 'pip install torch'") from error
    return torch


def _read_sequential(torch, sequential):
    """The ``Linear`` layers of ``sequential``, the one activation between them, and their dtype."""
    if not isinstance(sequential, torch.nn.Sequential):
        raise TypeError(
            f"TensorMLP.from_torch takes a torch.nn.Sequential of Linear layers and activations, "
            f"got {type(sequential).__name__}"
            + (" (wrap it: torch.nn.Sequential(layer))" if isinstance(sequential, torch.nn.Linear) else "")
        )
    ours = {name: activation for activation, name in _TORCH_ACTIVATIONS.items()}
    takes = "a TensorMLP is Linear layers with one activation (ReLU, Tanh or Sigmoid) between each two"
    linears, after = [], []  # after[i]: the activation that follows linears[i], or None
    for position, module in enumerate(sequential):
        kind = type(module).__name__
        where = f"layer {position} ({module!r})"
        if type(module) is torch.nn.Linear:
            if module.bias is None:
                raise ValueError(f"TensorMLP.from_torch: {where} has no bias; every layer of a TensorMLP has one")
            if linears and module.in_features != linears[-1].out_features:
                raise ValueError(
                    f"TensorMLP.from_torch: {where} takes {module.in_features} inputs, but the layer before it "
                    f"gives {linears[-1].out_features} outputs"
                )
            linears.append(module)
            after.append(None)
        elif type(module) in (getattr(torch.nn, name) for name in ours):
            if not linears or after[-1] is not None:
                raise ValueError(f"TensorMLP.from_torch: {where} does not follow a Linear layer; {takes}")
            after[-1] = ours[kind]
        else:
            hint = (" (leave softmax to the loss: losses.cross_entropy takes the scores themselves)"
                    if kind in ("Softmax", "LogSoftmax") else "")
            raise TypeError(f"TensorMLP.from_torch cannot represent {where}{hint}; {takes}")
    if not linears:
        raise ValueError(f"TensorMLP.from_torch: the Sequential is empty; {takes}")
    if after[-1] is not None:
        raise ValueError(
            f"TensorMLP.from_torch: the network ends with {_TORCH_ACTIVATIONS[after[-1]]} after its last Linear "
            f"layer; the last layer of a TensorMLP has no activation"
        )
    between = set(after[:-1])
    if len(between) > 1:
        found = sorted(_TORCH_ACTIVATIONS[a] if a else "nothing" for a in between)
        raise ValueError(
            f"TensorMLP.from_torch: the Linear layers are joined by {' and by '.join(found)}; a TensorMLP uses one "
            f"activation between every two layers"
        )
    activation = between.pop() if between and None not in between else "linear"
    dtypes = {p.dtype for linear in linears for p in linear.parameters()}
    known = {torch.float64: np.float64, torch.float32: np.float32}
    if len(dtypes) > 1 or not dtypes <= set(known):
        raise TypeError(
            f"TensorMLP.from_torch takes weights all float64 or all float32, got {', '.join(sorted(map(str, dtypes)))}"
        )
    return linears, activation, known[dtypes.pop()]
