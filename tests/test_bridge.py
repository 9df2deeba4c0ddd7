"""The bridge to PyTorch: ``TensorMLP.to_torch()`` and ``TensorMLP.from_torch(sequential)``.

The same network on both sides gives the same outputs and the same gradients (float64, to
rounding), for every activation, both ways, before and after training; a TensorMLP with several
outputs trained by ``fit`` with ``cross_entropy`` takes the very steps PyTorch's SGD takes.
What a TensorMLP cannot be is refused by name.
"""

import sys

import numpy as np
import pytest

from tinygrad_edu import Tensor
from tinygrad_edu.data import make_spirals
from tinygrad_edu.losses import cross_entropy
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.train import fit

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

TIGHT = dict(rtol=1e-12, atol=1e-14)


def linears(sequential):
    return [module for module in sequential if isinstance(module, nn.Linear)]


def outputs_and_gradients(ours, theirs, X, y):
    """Both networks on the same batch: their outputs, losses (cross-entropy) and the gradients
    of the loss with respect to the input and to every weight and bias, as NumPy arrays."""
    x_ours = Tensor(X, requires_grad=True, dtype=ours.dtype)
    out_ours = ours(x_ours)
    loss_ours = cross_entropy(out_ours, y)
    ours.zero_grad()
    loss_ours.backward()
    x_theirs = torch.tensor(X, dtype=linears(theirs)[0].weight.dtype, requires_grad=True)
    out_theirs = theirs(x_theirs)
    loss_theirs = F.cross_entropy(out_theirs, torch.tensor(y))
    theirs.zero_grad()
    loss_theirs.backward()
    got = {"output": np.array(out_ours.data), "loss": float(loss_ours.data), "input": np.array(x_ours.grad)}
    expected = {"output": out_theirs.detach().numpy(), "loss": loss_theirs.item(), "input": x_theirs.grad.numpy()}
    for i, (layer, linear) in enumerate(zip(ours.layers, linears(theirs))):
        got[f"{i}.weight"], expected[f"{i}.weight"] = np.array(layer.weight.grad), linear.weight.grad.numpy()
        got[f"{i}.bias"], expected[f"{i}.bias"] = np.array(layer.bias.grad), linear.bias.grad.numpy()
    return got, expected


def assert_same_network(ours, theirs, X, y, **tolerance):
    got, expected = outputs_and_gradients(ours, theirs, X, y)
    assert got.keys() == expected.keys()
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], err_msg=name, **(tolerance or TIGHT))


def batch(n=12, nin=3, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, nin)), rng.integers(0, classes, size=n)


@pytest.mark.parametrize("activation, between", [("relu", "ReLU"), ("tanh", "Tanh"), ("sigmoid", "Sigmoid"), ("linear", None)])
def test_to_torch_is_the_same_network_outputs_and_gradients(activation, between):
    ours = TensorMLP(3, [8, 6, 4], activation=activation, seed=2)
    theirs = ours.to_torch()
    layout = ["Linear", between, "Linear", between, "Linear"]
    assert [type(m).__name__ for m in theirs] == [kind for kind in layout if kind]
    assert [(m.in_features, m.out_features) for m in linears(theirs)] == [(3, 8), (8, 6), (6, 4)]
    assert {p.dtype for p in theirs.parameters()} == {torch.float64}
    for layer, linear in zip(ours.layers, linears(theirs)):
        np.testing.assert_array_equal(linear.weight.detach().numpy(), layer.weight.data)  # the weights themselves
        np.testing.assert_array_equal(linear.bias.detach().numpy(), layer.bias.data)
    X, y = batch()
    assert_same_network(ours, theirs, X, y)


@pytest.mark.parametrize("between, activation", [(nn.ReLU, "relu"), (nn.Tanh, "tanh"), (nn.Sigmoid, "sigmoid"), (None, "linear")])
def test_from_torch_is_the_same_network_outputs_and_gradients(between, activation):
    torch.manual_seed(0)
    modules = [nn.Linear(3, 8), between and between(), nn.Linear(8, 6), between and between(), nn.Linear(6, 4)]
    theirs = nn.Sequential(*[m for m in modules if m is not None]).double()
    ours = TensorMLP.from_torch(theirs)
    assert ours.activation == activation and ours.dtype == np.float64
    assert [layer.weight.shape for layer in ours.layers] == [(8, 3), (6, 8), (4, 6)]
    X, y = batch(seed=1)
    assert_same_network(ours, theirs, X, y)


def test_an_inplace_relu_is_a_relu():
    torch.manual_seed(1)
    theirs = nn.Sequential(nn.Linear(2, 5), nn.ReLU(inplace=True), nn.Linear(5, 3)).double()
    ours = TensorMLP.from_torch(theirs)
    assert ours.activation == "relu"
    assert_same_network(ours, theirs, *batch(nin=2, classes=3))


def test_float32_crosses_as_float32_both_ways():
    ours = TensorMLP(3, [8, 4], dtype=np.float32, seed=3)
    theirs = ours.to_torch()
    assert {p.dtype for p in theirs.parameters()} == {torch.float32}
    X, y = batch()
    assert_same_network(ours, theirs, X, y, rtol=1e-5, atol=1e-6)
    back = TensorMLP.from_torch(theirs)
    assert back.dtype == np.float32 and {p.dtype for p in back.parameters()} == {np.dtype(np.float32)}
    for layer, linear in zip(back.layers, linears(theirs)):
        np.testing.assert_array_equal(layer.weight.data, linear.weight.detach().numpy())


def test_there_and_back_again_keeps_every_weight_exactly():
    ours = TensorMLP(2, [16, 16, 3], activation="tanh", seed=4)
    back = TensorMLP.from_torch(ours.to_torch())
    assert back.activation == "tanh"
    assert back.state_dict().keys() == ours.state_dict().keys()
    for name, array in ours.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[name], array, err_msg=name)
    torch.manual_seed(5)
    theirs = nn.Sequential(nn.Linear(2, 7), nn.Sigmoid(), nn.Linear(7, 3)).double()
    again = TensorMLP.from_torch(theirs).to_torch()
    assert [type(m) for m in again] == [type(m) for m in theirs]
    for (name, value), (other, original) in zip(again.state_dict().items(), theirs.state_dict().items()):
        assert name == other and torch.equal(value, original), name


def test_the_weights_are_copied_not_shared():
    ours = TensorMLP(2, [4, 3], seed=0)
    before = ours.state_dict()
    theirs = ours.to_torch()
    with torch.no_grad():
        for p in theirs.parameters():
            p.add_(1.0)
    for name, array in ours.state_dict().items():
        np.testing.assert_array_equal(array, before[name], err_msg=name)
    back = TensorMLP.from_torch(theirs)
    copied = back.state_dict()
    with torch.no_grad():
        for p in theirs.parameters():
            p.mul_(3.0)
    for name, array in back.state_dict().items():
        np.testing.assert_array_equal(array, copied[name], err_msg=name)


def test_to_torch_draws_none_of_torchs_random_numbers():
    """Seeding torch, then converting, then drawing, gives the numbers seeding then drawing gives."""
    torch.manual_seed(7)
    expected = torch.rand(5)
    torch.manual_seed(7)
    TensorMLP(2, [32, 3]).to_torch()
    assert torch.equal(torch.rand(5), expected)


# --- several outputs, trained by cross-entropy ------------------------------------------------


@pytest.mark.parametrize("dtype, epochs, tolerance", [
    (np.float64, 200, dict(rtol=1e-8, atol=1e-11)),
    (np.float32, 50, dict(rtol=2e-4, atol=2e-5)),  # float32 rounds differently on each side: looser
])
def test_fit_with_cross_entropy_takes_the_steps_pytorchs_sgd_takes(dtype, epochs, tolerance):
    """A TensorMLP with three outputs, trained by ``fit`` on the spirals with ``cross_entropy``
    and plain gradient descent, and its PyTorch copy trained by torch.optim.SGD with
    F.cross_entropy: the same loss at every epoch and the same weights at the end."""
    X, y = make_spirals(30, 3, seed=2)
    ours = TensorMLP(2, [32, 3], activation="relu", seed=6, dtype=dtype)
    theirs = ours.to_torch()
    history = fit(ours, X, y, epochs=epochs, loss_fn=cross_entropy, lr=0.5, progress=False)
    optimizer = torch.optim.SGD(theirs.parameters(), lr=0.5)
    inputs, targets = torch.tensor(X, dtype=linears(theirs)[0].weight.dtype), torch.tensor(y)
    expected = []
    for _ in range(epochs):
        loss = F.cross_entropy(theirs(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        expected.append(loss.item())
    np.testing.assert_allclose(history, expected, rtol=tolerance["rtol"] / 10)
    assert history[-1] < 0.7 * history[0]  # it learned something
    for layer, linear in zip(ours.layers, linears(theirs)):
        assert layer.weight.dtype == dtype
        np.testing.assert_allclose(layer.weight.data, linear.weight.detach().numpy(), **tolerance)
        np.testing.assert_allclose(layer.bias.data, linear.bias.detach().numpy(), **tolerance)
    assert_same_network(ours, theirs, X, y, **tolerance)


def test_a_network_trained_in_pytorch_comes_over_with_its_outputs_and_gradients():
    X, y = make_spirals(30, 3, seed=3)
    torch.manual_seed(8)
    theirs = nn.Sequential(nn.Linear(2, 24), nn.Tanh(), nn.Linear(24, 24), nn.Tanh(), nn.Linear(24, 3)).double()
    optimizer = torch.optim.Adam(theirs.parameters(), lr=0.02)
    inputs, targets = torch.tensor(X), torch.tensor(y)
    for _ in range(100):
        loss = F.cross_entropy(theirs(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    ours = TensorMLP.from_torch(theirs)
    assert ours.activation == "tanh"
    assert_same_network(ours, theirs, X, y)
    assert np.mean(np.array(ours(X).data).argmax(axis=1) == y) > 0.6  # trained: far better than a third


# --- what a TensorMLP cannot be -----------------------------------------------------------------


@pytest.mark.parametrize(
    "build, error, words",
    [
        (lambda: nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.5), nn.Linear(8, 3)), TypeError,
         "cannot represent layer 1 (Dropout(p=0.5, inplace=False))"),
        (lambda: nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1)), TypeError,
         "layer 3 (Softmax(dim=1)) (leave softmax to the loss"),
        (lambda: nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(), nn.Linear(8, 3)), TypeError,
         "cannot represent layer 1 (LeakyReLU(negative_slope=0.01))"),
        (lambda: nn.Sequential(nn.Sequential(nn.Linear(2, 3))), TypeError, "cannot represent layer 0 (Sequential("),
        (lambda: nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3), nn.ReLU()), ValueError,
         "ends with ReLU after its last Linear layer"),
        (lambda: nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3)), ValueError,
         "joined by ReLU and by Tanh"),
        (lambda: nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 8), nn.Linear(8, 3)), ValueError,
         "joined by ReLU and by nothing"),
        (lambda: nn.Sequential(nn.ReLU(), nn.Linear(2, 3)), ValueError, "layer 0 (ReLU()) does not follow a Linear layer"),
        (lambda: nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.ReLU(), nn.Linear(8, 3)), ValueError,
         "layer 2 (ReLU()) does not follow a Linear layer"),
        (lambda: nn.Sequential(nn.Linear(2, 8, bias=False), nn.ReLU(), nn.Linear(8, 3)), ValueError,
         "layer 0 (Linear(in_features=2, out_features=8, bias=False)) has no bias"),
        (lambda: nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(6, 3)), ValueError,
         "layer 2 (Linear(in_features=6, out_features=3, bias=True)) takes 6 inputs, but the layer before it gives 8"),
        (lambda: nn.Sequential(), ValueError, "the Sequential is empty"),
        (lambda: nn.Sequential(nn.Linear(2, 3)).half(), TypeError, "all float64 or all float32, got torch.float16"),
        (lambda: nn.Sequential(nn.Linear(2, 3).double(), nn.Tanh(), nn.Linear(3, 1)), TypeError,
         "got torch.float32, torch.float64"),
        (lambda: nn.Linear(2, 3), TypeError, "takes a torch.nn.Sequential of Linear layers and activations, got Linear (wrap it"),
        (lambda: [nn.Linear(2, 3)], TypeError, "got list"),
    ],
)
def test_from_torch_refuses_what_a_tensor_mlp_cannot_be_naming_it(build, error, words):
    with pytest.raises(error, match="TensorMLP.from_torch") as raised:
        TensorMLP.from_torch(build())
    assert words in str(raised.value)


def test_without_pytorch_both_ways_say_how_to_install_it(monkeypatch):
    model = TensorMLP(2, [4, 3])
    monkeypatch.setitem(sys.modules, "torch", None)  # makes ``import torch`` raise ImportError
    with pytest.raises(ImportError, match=r"TensorMLP.to_torch\(\) needs PyTorch.*pip install torch"):
        model.to_torch()
    with pytest.raises(ImportError, match=r"TensorMLP.from_torch\(\) needs PyTorch.*pip install torch"):
        TensorMLP.from_torch(object())
