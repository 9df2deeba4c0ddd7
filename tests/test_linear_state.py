"""A ``Linear`` layer has a state dict, as ``torch.nn.Linear`` has: keys "weight" (nout, nin) and
"bias" (nout,). It saves and loads like the other models, and moves to and from PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.nn import Linear, TensorMLP

X = np.random.default_rng(5).normal(size=(4, 3))


def outputs(layer: Linear) -> np.ndarray:
    with no_grad():
        return layer(Tensor(X, dtype=layer.weight.dtype)).numpy().copy()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_linear_layer_saved_and_loaded_into_another_gives_the_same_numbers(tmp_path, dtype):
    saved, other = Linear(3, 2, seed=1, dtype=dtype), Linear(3, 2, seed=2, dtype=dtype)
    with no_grad():
        saved.bias.add_(np.array([0.5, -1.5]))  # a bias that is not the initial zeros
    assert not np.array_equal(outputs(saved), outputs(other))
    other.load(saved.save(tmp_path / "linear.npz"))
    for mine, theirs in zip(other.parameters(), saved.parameters()):
        assert mine.dtype == dtype and np.array_equal(mine.numpy(), theirs.numpy())
    assert np.array_equal(outputs(other), outputs(saved))


def test_the_state_dict_has_torch_nn_linears_keys_and_loads_into_it():
    ours = Linear(3, 2, seed=1)
    with no_grad():
        ours.bias.add_(np.array([0.25, -0.75]))
    theirs = torch.nn.Linear(3, 2, dtype=torch.float64)
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict()) == ["weight", "bias"]
    theirs.load_state_dict({name: torch.from_numpy(array) for name, array in state.items()})  # strict: same keys, shapes
    np.testing.assert_array_equal(theirs.weight.detach().numpy(), ours.weight.numpy())
    np.testing.assert_array_equal(theirs.bias.detach().numpy(), ours.bias.numpy())
    np.testing.assert_allclose(theirs(torch.from_numpy(X)).detach().numpy(), outputs(ours), rtol=1e-12, atol=1e-15)


def test_torch_nn_linears_state_dict_loads_into_ours():
    torch.manual_seed(0)
    theirs = torch.nn.Linear(3, 2, dtype=torch.float64)
    ours = Linear(3, 2, seed=9)
    ours.load_state_dict({name: tensor.detach().numpy() for name, tensor in theirs.state_dict().items()})
    np.testing.assert_array_equal(ours.weight.numpy(), theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.numpy(), theirs.bias.detach().numpy())
    np.testing.assert_allclose(outputs(ours), theirs(torch.from_numpy(X)).detach().numpy(), rtol=1e-12, atol=1e-15)


def test_a_layer_of_a_tensor_mlp_holds_the_models_entries_for_it():
    model = TensorMLP(3, [4, 2], seed=6)
    whole = model.state_dict()
    for i, layer in enumerate(model.layers):
        for name, array in layer.state_dict().items():
            assert np.array_equal(array, whole[f"layers.{i}.{name}"])


def test_a_state_dict_that_does_not_fit_leaves_the_layer_as_it_was():
    layer = Linear(3, 2, seed=1)
    before = layer.state_dict()
    with pytest.raises(ValueError, match="'bias'"):
        layer.load_state_dict({"weight": np.zeros((2, 3)), "bias": np.zeros(3)})
    for name, array in layer.state_dict().items():
        assert np.array_equal(array, before[name])
