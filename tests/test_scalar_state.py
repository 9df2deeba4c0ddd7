"""A scalar ``Neuron`` and ``Layer`` have state dicts, as an ``MLP`` has: a layer's "weight"
(nout, nin) and "bias" (nout,) in ``torch.nn.Linear``'s layout, a neuron's "weight" (nin,) and
"bias" (a single number). Saved and loaded into another, it computes the same numbers.
"""

from __future__ import annotations

import numpy as np
import torch

from tinygrad_edu import Value
from tinygrad_edu.nn import MLP, Layer, Neuron

X = [0.5, -1.25, 2.0]


def numbers(outputs) -> list:
    return [v.data for v in (outputs if isinstance(outputs, list) else [outputs])]


def test_a_neuron_saved_and_loaded_into_another_gives_the_same_number(tmp_path):
    saved, other = Neuron(3, "tanh", seed=1), Neuron(3, "tanh", seed=2)
    saved.b.data = 0.75  # a bias that is not the initial zero
    assert numbers(saved(X)) != numbers(other(X))
    other.load(saved.save(tmp_path / "neuron.npz"))
    assert numbers(other(X)) == numbers(saved(X))
    assert [p.data for p in other.parameters()] == [p.data for p in saved.parameters()]


def test_a_layer_has_torch_nn_linears_layout_and_the_same_outputs():
    layer = Layer(3, 2, activation="linear", seed=1)
    layer.neurons[1].b.data = -0.5
    theirs = torch.nn.Linear(3, 2, dtype=torch.float64)
    state = layer.state_dict()
    assert list(state) == list(theirs.state_dict()) == ["weight", "bias"]
    theirs.load_state_dict({name: torch.from_numpy(array) for name, array in state.items()})
    expected = theirs(torch.tensor(X, dtype=torch.float64)).detach().numpy()
    np.testing.assert_allclose(numbers(layer(X)), expected, rtol=1e-15)


def test_a_layer_loads_into_another_and_an_mlps_state_is_its_layers(tmp_path):
    saved, other = Layer(3, 2, "linear", seed=1), Layer(3, 2, "linear", seed=3)
    other.load(saved.save(tmp_path / "layer.npz"))
    assert numbers(other(X)) == numbers(saved(X))
    mlp = MLP(3, [2, 1], seed=0)
    for key, array in mlp.layers[0].state_dict().items():
        np.testing.assert_array_equal(mlp.state_dict()[f"layers.0.{key}"], array)


def test_loading_a_layer_puts_each_row_into_its_neuron():
    layer = Layer(2, 2, seed=1)
    layer.load_state_dict({"weight": np.array([[1.0, 2.0], [3.0, 4.0]]), "bias": np.array([5.0, 6.0])})
    assert [[w.data for w in n.w] for n in layer.neurons] == [[1.0, 2.0], [3.0, 4.0]]
    assert [n.b.data for n in layer.neurons] == [5.0, 6.0]
