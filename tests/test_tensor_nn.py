"""The array network (``Linear``, ``TensorMLP``) checked against ``torch.nn`` and against the
scalar ``MLP``.

Three networks compute the same function: PyTorch's, the scalar ``MLP`` (one ``Value`` per
weight, one point at a time) and ``TensorMLP`` (one matrix per layer, a whole batch at once).
With the same weights, moved through the state dict, all three must give the same outputs
and the same gradient for every weight and bias.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tinygrad_edu import topological_order
from tinygrad_edu.losses import mean_squared_error
from tinygrad_edu.nn import MLP, Linear, TensorMLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.tensor import Tensor

RTOL = 1e-12  # float64 on every side; only rounding differs
ATOL = 1e-12

TORCH_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda x: x}


class TorchMLP(torch.nn.Module):
    """The same network in PyTorch; its state-dict names are ours: ``layers.{i}.weight``."""

    def __init__(self, nin: int, nouts, activation: str):
        super().__init__()
        sizes = [nin, *nouts]
        self.layers = torch.nn.ModuleList(torch.nn.Linear(a, b, dtype=torch.float64) for a, b in zip(sizes, sizes[1:]))
        self.activation = TORCH_ACTIVATIONS[activation]

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)


def torch_twin(model, nin: int, nouts, activation: str) -> TorchMLP:
    """A TorchMLP holding exactly our weights. ``strict=True``: every name and shape must fit."""
    twin = TorchMLP(nin, nouts, activation)
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()}, strict=True)
    return twin


def scalar_gradients(model: MLP) -> dict:
    """The scalar MLP's gradients in the state-dict layout (weight (nout, nin), bias (nout,))."""
    grads = {}
    for i, layer in enumerate(model.layers):
        grads[f"layers.{i}.weight"] = np.array([[w.grad for w in neuron.w] for neuron in layer.neurons])
        grads[f"layers.{i}.bias"] = np.array([neuron.b.grad for neuron in layer.neurons])
    return grads


def tensor_gradients(model: TensorMLP) -> dict:
    grads = {}
    for i, layer in enumerate(model.layers):
        grads[f"layers.{i}.weight"], grads[f"layers.{i}.bias"] = layer.weight.grad, layer.bias.grad
    return grads


def assert_same_arrays(ours: dict, theirs: dict, rtol: float = RTOL, atol: float = ATOL) -> None:
    assert ours.keys() == theirs.keys()
    for name in ours:
        assert np.shape(ours[name]) == np.shape(theirs[name]), name
        np.testing.assert_allclose(ours[name], theirs[name], rtol=rtol, atol=atol, err_msg=name)


# --- TensorMLP against torch.nn ---------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
def test_tensor_mlp_matches_torch_linear_layers_in_outputs_and_every_gradient(activation: str) -> None:
    """Same weights, same batch, same loss L = sum(out * w): same outputs, same gradients."""
    nin, nouts = 3, [6, 5, 2]
    model = TensorMLP(nin, nouts, activation=activation, seed=11)
    twin = torch_twin(model, nin, nouts, activation)
    rng = np.random.default_rng(12)
    x, w = rng.normal(size=(9, nin)), rng.normal(size=(9, nouts[-1]))

    out = model(x)
    (out * w).sum().backward()
    torch_out = twin(torch.from_numpy(x))
    (torch_out * torch.from_numpy(w)).sum().backward()

    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=RTOL, atol=ATOL)
    assert_same_arrays(tensor_gradients(model), {k: p.grad.numpy() for k, p in twin.named_parameters()})


def test_linear_uses_torch_layout_and_computes_x_times_w_transposed_plus_b() -> None:
    """W has shape (nout, nin), as torch.nn.Linear.weight, so weights copy across unchanged."""
    layer, twin = Linear(3, 5, seed=2), torch.nn.Linear(3, 5, dtype=torch.float64)
    assert layer.weight.shape == tuple(twin.weight.shape) == (5, 3)
    assert layer.bias.shape == tuple(twin.bias.shape) == (5,)
    layer.bias.data[...] = np.random.default_rng(3).normal(size=5)  # a non-zero bias, to be seen
    with torch.no_grad():
        twin.weight.copy_(torch.from_numpy(layer.weight.data))
        twin.bias.copy_(torch.from_numpy(layer.bias.data))
    x = np.random.default_rng(4).normal(size=(7, 3))
    np.testing.assert_allclose(layer(Tensor(x)).data, twin(torch.from_numpy(x)).detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(layer(Tensor(x)).data, x @ layer.weight.data.T + layer.bias.data, rtol=RTOL, atol=ATOL)


# --- TensorMLP against the scalar MLP ---------------------------------------------------------


def test_scalar_mlp_and_tensor_mlp_from_the_same_seed_have_identical_state_dicts() -> None:
    """Both draw the same He-initialised weights, neuron by neuron, from the same stream."""
    scalar, tensor = MLP(2, [4, 3, 1], seed=21), TensorMLP(2, [4, 3, 1], seed=21)
    ours, theirs = scalar.state_dict(), tensor.state_dict()
    assert ours.keys() == theirs.keys()
    assert all(np.array_equal(ours[k], theirs[k]) for k in ours)
    other = TensorMLP(2, [4, 3, 1], seed=22).state_dict()
    assert not np.array_equal(other["layers.0.weight"], theirs["layers.0.weight"])


def mse_on_scalar_mlp(model: MLP, x: np.ndarray, y: np.ndarray):
    """One point at a time, as the scalar model works; returns predictions and the loss."""
    predictions = [model(row) for row in x.tolist()]
    loss = mean_squared_error(predictions, y.tolist())
    loss.backward()
    return np.array([p.data for p in predictions]), loss.data


def mse_on_tensor_mlp(model: TensorMLP, x: np.ndarray, y: np.ndarray):
    """The whole batch at once; the (n, 1) output is compared with y as a column."""
    predictions = model(x)
    loss = mean_squared_error(predictions, y.reshape(-1, 1))
    loss.backward()
    return predictions.data.ravel(), float(loss.data)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("direction", ["scalar to tensor", "tensor to scalar"])
def test_a_state_dict_moved_between_the_scalar_and_tensor_mlp_gives_the_same_outputs_and_gradients(
    activation: str, direction: str
) -> None:
    """Load one model's state dict into the other (built from a different seed); on the same
    points and the same loss, both give the same predictions, loss and every gradient."""
    nin, nouts = 2, [5, 4, 1]
    scalar = MLP(nin, nouts, activation=activation, seed=31)
    tensor = TensorMLP(nin, nouts, activation=activation, seed=32)
    if direction == "scalar to tensor":
        tensor.load_state_dict(scalar.state_dict())
    else:
        scalar.load_state_dict(tensor.state_dict())
    rng = np.random.default_rng(33)
    x, y = rng.normal(size=(12, nin)), rng.normal(size=12)

    scalar_pred, scalar_loss = mse_on_scalar_mlp(scalar, x, y)
    tensor_pred, tensor_loss = mse_on_tensor_mlp(tensor, x, y)

    np.testing.assert_allclose(tensor_pred, scalar_pred, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(tensor_loss, scalar_loss, rtol=RTOL, atol=ATOL)
    assert_same_arrays(tensor_gradients(tensor), scalar_gradients(scalar))


# --- state dicts -------------------------------------------------------------------------------


def test_state_dict_save_and_load_round_trip(tmp_path) -> None:
    """save() writes .npz; load() into a model from another seed makes it the same model."""
    x = np.random.default_rng(41).normal(size=(6, 3))
    model = TensorMLP(3, [7, 2], activation="tanh", seed=41)
    path = model.save(tmp_path / "model.npz")
    other = TensorMLP(3, [7, 2], activation="tanh", seed=42)
    assert not np.array_equal(other(x).data, model(x).data)
    other.load(path)
    saved = model.state_dict()
    assert all(np.array_equal(other.state_dict()[k], saved[k]) for k in saved)
    np.testing.assert_array_equal(other(x).data, model(x).data)


def test_state_dict_holds_copies_and_load_keeps_the_models_own_arrays() -> None:
    """Changing a state dict afterwards changes nothing in the model, and loading writes into
    the existing parameter arrays (an optimizer holding them still sees the new numbers)."""
    model = TensorMLP(2, [3, 1], seed=5)
    weight = model.layers[0].weight
    state = model.state_dict()
    state["layers.0.weight"][...] = 7.0
    assert not np.any(weight.data == 7.0)
    model.load_state_dict(state)
    assert model.layers[0].weight is weight and np.all(weight.data == 7.0)
    state["layers.0.weight"][...] = 8.0  # the loaded arrays were copied in, not kept
    assert np.all(weight.data == 7.0)


# --- float32 ---------------------------------------------------------------------------------


def test_float32_tensor_mlp_is_float32_throughout_and_close_to_float64() -> None:
    """Every parameter, every node of the graph, every gradient and every updated weight stays
    float32; the numbers agree with the float64 model to float32 precision (~1e-7 relative)."""
    x = np.random.default_rng(51).normal(size=(10, 3))  # float64 input: the model converts it
    y = np.random.default_rng(52).normal(size=(10, 1))
    model32 = TensorMLP(3, [8, 8, 1], activation="relu", seed=50, dtype=np.float32)
    model64 = TensorMLP(3, [8, 8, 1], activation="relu", seed=50)
    assert all(p.dtype == np.float32 for p in model32.parameters())

    loss = mean_squared_error(model32(x), y)
    graph = topological_order(loss)
    assert len(graph) > 10 and all(node.dtype == np.float32 for node in graph)
    loss.backward()
    assert all(p.grad.dtype == np.float32 for p in model32.parameters())
    SGD(model32.parameters(), lr=0.1).step()
    assert all(p.dtype == np.float32 for p in model32.parameters())

    loss64 = mean_squared_error(model64(x), y)
    loss64.backward()
    np.testing.assert_allclose(float(loss.data), float(loss64.data), rtol=1e-5)
    for p32, p64 in zip(model32.parameters(), model64.parameters()):
        np.testing.assert_allclose(p32.grad, p64.grad, rtol=1e-4, atol=1e-5)


def test_float32_model_loads_a_float64_state_dict_and_stays_float32() -> None:
    model = TensorMLP(2, [3, 1], seed=6, dtype=np.float32)
    model.load_state_dict(TensorMLP(2, [3, 1], seed=7).state_dict())
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert model.state_dict()["layers.0.weight"].dtype == np.float64  # the dict itself is float64
