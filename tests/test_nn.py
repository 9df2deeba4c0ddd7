"""The scalar neural network (``Neuron``, ``Layer``, ``MLP``) checked against ``torch.nn``.

An MLP is only a recipe for a computation graph, so the strongest test is a twin: copy our
weights into ``torch.nn.Linear`` layers through the state dict, run both on the same inputs
and the same loss, and compare the outputs and the gradient of every single weight and bias.
The rest checks what a user relies on: the shape of what a model returns, He initialisation,
the parameter list, clear errors, and a state dict that saves and loads safely.
"""

import os
import re

import numpy as np
import pytest
import torch

from tinygrad_edu import Value
from tinygrad_edu.nn import MLP, Layer, Neuron

RTOL = 1e-12  # both sides compute in float64; they differ only by rounding
ATOL = 1e-12

TORCH_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


class TorchMLP(torch.nn.Module):
    """The same network in PyTorch. Its ``state_dict`` keys are ours: ``layers.{i}.weight``."""

    def __init__(self, nin, nouts, activation):
        super().__init__()
        sizes = [nin, *nouts]
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(a, b, dtype=torch.float64) for a, b in zip(sizes, sizes[1:])
        )
        self.activation = TORCH_ACTIVATIONS[activation]

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = self.activation(layer(x))
        return self.layers[-1](x)  # the last layer is linear: a raw score


def torch_twin(model, nin, nouts, activation):
    """A ``TorchMLP`` holding exactly our model's weights, copied through the state dict."""
    twin = TorchMLP(nin, nouts, activation)
    twin.load_state_dict({name: torch.from_numpy(array) for name, array in model.state_dict().items()})
    return twin


def gradients_by_name(model):
    """Our parameter gradients in the state-dict layout, to set beside PyTorch's ``.grad``."""
    grads = {}
    for i, layer in enumerate(model.layers):
        grads[f"layers.{i}.weight"] = np.array([[w.grad for w in neuron.w] for neuron in layer.neurons])
        grads[f"layers.{i}.bias"] = np.array([neuron.b.grad for neuron in layer.neurons])
    return grads


def as_list(out):
    return out if isinstance(out, list) else [out]


def assert_same_state(a, b):
    assert list(a) == list(b)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


# --- parity with torch.nn ------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("nouts", [[4, 4, 1], [16, 1, 1], [5, 3]], ids=["4-4-1", "16-1-1", "5-3"])
def test_mlp_matches_torch_linear_layers_in_outputs_and_every_gradient(activation, nouts):
    """Same weights, same inputs, same loss: same outputs and same dL/dw for every parameter."""
    nin = 3
    model = MLP(nin, nouts, activation=activation, seed=7)
    twin = torch_twin(model, nin, nouts, activation)
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(4, nin))
    targets = rng.normal(size=(4, nouts[-1]))

    # ours: loss = mean over examples and outputs of (output - target)**2
    outputs = [as_list(model(list(x))) for x in inputs]
    loss = sum(((o - t) ** 2 for row, trow in zip(outputs, targets) for o, t in zip(row, trow)), Value(0.0))
    loss = loss * (1.0 / targets.size)
    loss.backward()

    expected_outputs = twin(torch.from_numpy(inputs))
    expected_loss = ((expected_outputs - torch.from_numpy(targets)) ** 2).mean()
    expected_loss.backward()

    ours_out = [[o.data for o in row] for row in outputs]
    np.testing.assert_allclose(ours_out, expected_outputs.detach().numpy(), rtol=RTOL, atol=ATOL)
    assert loss.data == pytest.approx(expected_loss.item(), rel=RTOL, abs=ATOL)
    ours = gradients_by_name(model)
    assert any(np.any(g != 0.0) for g in ours.values())  # the comparison is not just 0 == 0
    for name, parameter in twin.named_parameters():
        np.testing.assert_allclose(ours[name], parameter.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)


def test_weights_from_a_torch_model_load_into_ours_and_give_the_same_outputs():
    """The layout works both ways: torch's own random weights, loaded into our MLP."""
    torch.manual_seed(0)
    twin = TorchMLP(2, [6, 6, 2], "tanh")
    model = MLP(2, [6, 6, 2], activation="tanh", seed=123)
    model.load_state_dict({name: p.detach().numpy() for name, p in twin.state_dict().items()})
    x = [0.3, -1.7]
    expected = twin(torch.tensor(x, dtype=torch.float64)).detach().numpy()
    np.testing.assert_allclose([o.data for o in model(x)], expected, rtol=RTOL, atol=ATOL)


# --- what a model returns ------------------------------------------------------------------


def test_a_layer_of_one_neuron_still_returns_a_list():
    out = Layer(3, 1, seed=0)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)


def test_mlp_with_width_one_hidden_layers_returns_a_single_value_that_backpropagates():
    """MLP(2, [16, 1, 1]): a hidden layer of width 1 feeds a list of one Value to the next layer.

    (micrograd's Layer returns a bare Value when it has one neuron, so the next layer crashes.)
    """
    model = MLP(2, [16, 1, 1], activation="tanh", seed=0)
    out = model([0.5, -0.2])
    assert isinstance(out, Value)
    out.backward()
    assert all(isinstance(p.grad, float) for p in model.parameters())


def test_mlp_with_a_wider_last_layer_returns_one_value_per_output():
    out = MLP(2, [4, 3], seed=0)([0.5, -0.2])
    assert isinstance(out, list) and len(out) == 3 and all(isinstance(o, Value) for o in out)


def test_inputs_may_be_values_and_receive_gradients():
    """Inputs are ordinary graph leaves: backward() reaches them too (d out / d x = w for a linear neuron)."""
    neuron = Neuron(2, activation="linear", seed=0)
    x = [Value(1.5), Value(-2.0)]
    neuron(x).backward()
    assert [xi.grad for xi in x] == [w.data for w in neuron.w]


# --- He initialisation ---------------------------------------------------------------------


def test_the_same_seed_gives_the_same_weights_and_another_seed_different_ones():
    assert_same_state(MLP(3, [8, 8, 1], seed=42).state_dict(), MLP(3, [8, 8, 1], seed=42).state_dict())
    a, b = MLP(3, [8, 8, 1], seed=42).state_dict(), MLP(3, [8, 8, 1], seed=43).state_dict()
    for name in a:
        if name.endswith(".weight"):
            assert not np.array_equal(a[name], b[name]), name


def test_a_numpy_generator_can_be_passed_as_the_seed():
    a = MLP(3, [4, 1], seed=np.random.default_rng(5)).state_dict()
    b = MLP(3, [4, 1], seed=np.random.default_rng(5)).state_dict()
    assert_same_state(a, b)


def test_no_two_neurons_and_no_two_layers_start_with_the_same_weights():
    """Identical neurons would get identical gradients and stay identical forever (symmetry)."""
    state = MLP(6, [6, 6, 6], seed=0).state_dict()
    weights = [state[f"layers.{i}.weight"] for i in range(3)]
    for w in weights:
        assert len({tuple(row) for row in w}) == len(w)  # one shared random stream, not one seed per neuron
    assert not np.array_equal(weights[0], weights[1]) and not np.array_equal(weights[1], weights[2])


def test_biases_start_at_zero():
    for name, array in MLP(3, [8, 8, 2], seed=1).state_dict().items():
        if name.endswith(".bias"):
            assert np.all(array == 0.0), name


@pytest.mark.parametrize("nin", [50, 400])
def test_he_initialisation_draws_weights_with_mean_0_and_variance_2_over_nin(nin):
    """Var(w) = 2 / nin keeps the signal through a ReLU layer from shrinking or growing."""
    nout = 40_000 // nin
    w = Layer(nin, nout, seed=3).weight_array()
    n = w.size
    expected_var = 2.0 / nin
    # the sample mean has standard error sqrt(var / n); the sample variance, var * sqrt(2 / n)
    assert abs(w.mean()) < 5 * np.sqrt(expected_var / n)
    assert w.var() == pytest.approx(expected_var, rel=5 * np.sqrt(2.0 / n))  # within about 3.5 %


# --- parameters and gradients --------------------------------------------------------------


def test_parameters_are_counted_and_ordered_like_the_state_dict():
    """Layer by layer, neuron by neuron: the neuron's weights, then its bias."""
    sizes = [2, 3, 4, 1]
    model = MLP(sizes[0], sizes[1:], seed=0)
    expected_count = sum((nin + 1) * nout for nin, nout in zip(sizes, sizes[1:]))  # 9 + 16 + 5
    params = model.parameters()
    assert len(params) == expected_count
    assert len({id(p) for p in params}) == expected_count  # no parameter is listed twice

    # give every parameter a different number, then read them back in parameters() order
    numbered = {}
    counter = 0.0
    for name, array in model.state_dict().items():
        numbered[name] = np.arange(counter, counter + array.size).reshape(array.shape)
        counter += array.size
    model.load_state_dict(numbered)
    expected = []
    for i in range(len(sizes) - 1):
        weight, bias = numbered[f"layers.{i}.weight"], numbered[f"layers.{i}.bias"]
        for k in range(len(bias)):
            expected += [*weight[k], bias[k]]
    assert [p.data for p in params] == expected


def test_the_demo_network_has_337_parameters():
    """MLP(2, [16, 16, 1]): (2+1)*16 + (16+1)*16 + (16+1)*1 = 48 + 272 + 17."""
    assert len(MLP(2, [16, 16, 1]).parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1


def test_zero_grad_clears_the_gradients_that_backward_accumulated():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    model([0.5, -1.0]).backward()
    first = [p.grad for p in model.parameters()]
    assert any(g != 0.0 for g in first)
    model([0.5, -1.0]).backward()  # without zero_grad the gradients add up
    assert [p.grad for p in model.parameters()] == pytest.approx([2 * g for g in first], rel=1e-15)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_repr_names_the_architecture_and_the_parameter_count():
    text = repr(MLP(2, [16, 16, 1], activation="tanh"))
    assert "MLP" in text and "nin=2" in text and "[16, 16, 1]" in text and "tanh" in text
    assert f"{(2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1} parameters" in text
    assert repr(Layer(3, 5, activation="sigmoid")) == "Layer(nin=3, nout=5, activation='sigmoid')"
    assert repr(Neuron(4, activation="relu")) == "Neuron(nin=4, activation='relu')"


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [lambda: Neuron(2, "softmax"), lambda: Layer(2, 3, "softmax"), lambda: MLP(2, [3, 1], "softmax")]
)
def test_an_unknown_activation_is_refused_with_the_choices_listed(make):
    with pytest.raises(ValueError, match="softmax") as info:
        make()
    for name in ("relu", "tanh", "sigmoid"):
        assert name in str(info.value)


def test_the_wrong_number_of_inputs_is_refused_naming_both_numbers():
    with pytest.raises(ValueError) as info:
        MLP(3, [4, 1], seed=0)([1.0, 2.0, 3.0, 4.0, 5.0])
    message = str(info.value)
    assert re.search(r"\b3\b", message) and re.search(r"\b5\b", message), message


def test_an_mlp_without_layers_is_refused():
    with pytest.raises(ValueError, match="at least one layer"):
        MLP(2, [])


@pytest.mark.parametrize("make", [lambda: Neuron(0), lambda: Layer(2, 0), lambda: MLP(2, [3, 0])])
def test_zero_sized_neurons_and_layers_are_refused(make):
    with pytest.raises(ValueError):
        make()


# --- state dicts ---------------------------------------------------------------------------


def test_state_dict_uses_torch_layout_and_float64():
    model = MLP(3, [5, 2], seed=0)
    state = model.state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert [state[name].shape for name in state] == [(5, 3), (5,), (2, 5), (2,)]
    assert all(array.dtype == np.float64 for array in state.values())
    assert state["layers.1.weight"][1, 4] == model.layers[1].neurons[1].w[4].data  # row = neuron, column = input


def test_state_dict_returns_copies_not_views_of_the_model():
    model = MLP(3, [5, 2], seed=0)
    before = model.state_dict()
    state = model.state_dict()
    for array in state.values():
        array += 100.0  # changing the copy ...
    assert_same_state(model.state_dict(), before)  # ... leaves the model alone
    model.parameters()[0].data += 1.0  # and changing the model leaves an earlier copy alone
    np.testing.assert_array_equal(state["layers.0.weight"], before["layers.0.weight"] + 100.0)


def _shifted_state(model):
    """A complete, valid state dict that differs from the model in every number."""
    return {name: array + 1.0 for name, array in model.state_dict().items()}


def test_load_state_dict_copies_every_number_in():
    model = MLP(3, [5, 2], seed=0)
    state = _shifted_state(model)
    model.load_state_dict(state)
    assert_same_state(model.state_dict(), state)


def test_a_wrong_shape_is_refused_naming_both_shapes_and_the_model_is_unchanged():
    """The classic mistake, a transposed weight. Entries before it are fine: none may be copied."""
    model = MLP(3, [4, 2], seed=0)
    before = model.state_dict()
    state = _shifted_state(model)
    state["layers.1.weight"] = state["layers.1.weight"].T  # (4, 2) instead of (2, 4)
    with pytest.raises(ValueError, match="layers.1.weight") as info:
        model.load_state_dict(state)
    assert "(4, 2)" in str(info.value) and "(2, 4)" in str(info.value)
    assert_same_state(model.state_dict(), before)


def test_a_missing_key_is_refused_and_the_model_is_unchanged():
    model = MLP(3, [4, 2], seed=0)
    before = model.state_dict()
    state = _shifted_state(model)
    del state["layers.1.bias"]
    with pytest.raises(ValueError, match=re.escape("layers.1.bias")):
        model.load_state_dict(state)
    assert_same_state(model.state_dict(), before)


def test_an_unexpected_key_is_refused_and_the_model_is_unchanged():
    model = MLP(3, [4, 2], seed=0)
    before = model.state_dict()
    state = _shifted_state(model)
    state["layers.2.weight"] = np.zeros((1, 2))
    with pytest.raises(ValueError, match=re.escape("layers.2.weight")):
        model.load_state_dict(state)
    assert_same_state(model.state_dict(), before)


def test_non_real_numbers_are_refused_and_the_model_is_unchanged():
    model = MLP(3, [4, 2], seed=0)
    before = model.state_dict()
    state = _shifted_state(model)
    state["layers.1.bias"] = state["layers.1.bias"] + 1j
    with pytest.raises(TypeError, match="layers.1.bias"):
        model.load_state_dict(state)
    assert_same_state(model.state_dict(), before)


def test_load_state_dict_never_modifies_or_keeps_the_callers_arrays():
    model = MLP(3, [4, 2], seed=0)
    state = _shifted_state(model)
    for array in state.values():
        array.flags.writeable = False  # any write into them would raise
    originals = {name: array.copy() for name, array in state.items()}
    model.load_state_dict(state)
    for p in model.parameters():  # training the model afterwards ...
        p.data -= 0.5
    assert_same_state(state, originals)  # ... does not reach the caller's arrays


# --- saving and loading --------------------------------------------------------------------


def test_save_and_load_round_trip_through_npz(tmp_path):
    model = MLP(2, [5, 3, 1], activation="tanh", seed=0)
    path = model.save(tmp_path / "model.npz")
    assert path == tmp_path / "model.npz"
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]  # no temporary file left behind
    with np.load(path, allow_pickle=False) as archive:  # a plain .npz of float64 arrays
        assert sorted(archive.files) == sorted(model.state_dict())
        assert all(archive[name].dtype == np.float64 for name in archive.files)

    other = MLP(2, [5, 3, 1], activation="tanh", seed=99)
    other.load(path)
    assert_same_state(other.state_dict(), model.state_dict())
    assert other([0.3, -0.7]).data == model([0.3, -0.7]).data


class _Tripwire:
    """An object whose unpickling creates a directory: if the directory appears, pickle ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_load_refuses_pickled_objects_instead_of_running_them(tmp_path):
    """``.npz`` files can hold pickles, and unpickling runs code; ``load`` must not."""
    marker = tmp_path / "pickle_ran"
    path = tmp_path / "evil.npz"
    tripwire = np.empty((1, 1), dtype=object)
    tripwire[0, 0] = _Tripwire(str(marker))
    np.savez(path, **{"layers.0.weight": tripwire, "layers.0.bias": np.zeros(1)})  # savez pickles the object array
    model = MLP(1, [1], seed=0)
    before = model.state_dict()

    with pytest.raises(ValueError, match="allow_pickle"):
        model.load(path)
    assert not marker.exists()
    assert_same_state(model.state_dict(), before)

    with np.load(path, allow_pickle=True) as archive:  # proof that the tripwire works
        archive["layers.0.weight"]
    assert marker.exists()


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()], ids=["OSError", "KeyboardInterrupt"])
def test_a_save_that_fails_halfway_leaves_the_old_file_untouched_and_no_temp_files(tmp_path, monkeypatch, error):
    """Saving writes a temporary file and renames it into place only once it is complete."""
    path = tmp_path / "model.npz"
    MLP(2, [3, 1], seed=0).save(path)
    original = path.read_bytes()

    def savez_that_fails_halfway(file, **arrays):
        file.write(b"PK\x03\x04 the first bytes of a zip file")
        raise error

    monkeypatch.setattr(np, "savez", savez_that_fails_halfway)
    with pytest.raises(type(error)):
        MLP(2, [3, 1], seed=1).save(path)
    assert path.read_bytes() == original
    with pytest.raises(type(error)):
        MLP(2, [3, 1], seed=1).save(tmp_path / "new.npz")
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_a_saved_file_gets_the_permissions_an_ordinary_write_would_give(tmp_path):
    """The temporary file is owner-only; the saved one follows the umask like any other file."""
    import os

    umask = os.umask(0o022)
    try:
        path = MLP(2, [3, 1], seed=0).save(tmp_path / "weights.npz")
        assert path.stat().st_mode & 0o777 == 0o644
        os.chmod(path, 0o600)  # a file the user made private stays private when overwritten
        MLP(2, [3, 1], seed=1).save(path)
        assert path.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(umask)
