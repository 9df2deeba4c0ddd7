"""The demos run, and say what they claim: the neuron's gradients are the chain rule by hand,
and the scalar MLP learns to separate the two moons completely.

Demos are scripts in ``demos/``, not a package, so they are loaded from their file paths.
"""

import math
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from demo_loader import PNG_MAGIC, load_demo

from tinygrad_edu.data import make_moons



@pytest.fixture(scope="module")
def neuron_graph():
    return load_demo("neuron_graph")


@pytest.fixture(scope="module")
def classify_moons():
    return load_demo("classify_moons")


# --- neuron_graph: the chain rule on one neuron --------------------------------------------


def test_neuron_gradients_are_the_chain_rule_by_hand(neuron_graph):
    """o = tanh(n), n = x1*w1 + x2*w2 + b.

    do/dn = 1 - tanh(n)**2; each + passes it on unchanged (dn/db = 1); each * sends it times
    the other factor: do/dw1 = do/dn * x1, do/dx1 = do/dn * w1, and so on.
    """
    o, v = neuron_graph.build_neuron()
    o.backward()
    x1, x2, w1, w2, b = (v[name].data for name in ("x1", "x2", "w1", "w2", "b"))
    n = x1 * w1 + x2 * w2 + b
    assert o.data == pytest.approx(math.tanh(n), rel=1e-15)
    do_dn = 1 - math.tanh(n) ** 2
    by_hand = {"n": do_dn, "b": do_dn, "x1": do_dn * w1, "w1": do_dn * x1, "x2": do_dn * w2, "w2": do_dn * x2}
    for name, expected in by_hand.items():
        assert v[name].grad == pytest.approx(expected, rel=1e-12, abs=1e-15), name


def test_neuron_numbers_are_the_ones_the_docstring_promises(neuron_graph):
    """b is chosen so that o = 1/sqrt(2); then do/dn = 1 - 1/2 = 0.5, w1.grad = 0.5 * x1 = 1.0
    and x1.grad = 0.5 * w1 = -1.5."""
    o, v = neuron_graph.build_neuron()
    o.backward()
    assert o.data == pytest.approx(1 / math.sqrt(2), rel=1e-12)
    assert v["n"].grad == pytest.approx(0.5, rel=1e-12)
    assert v["w1"].grad == pytest.approx(0.5 * v["x1"].data, rel=1e-12)
    assert v["x1"].grad == pytest.approx(0.5 * v["w1"].data, rel=1e-12)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_neuron_demo_saves_its_pictures(neuron_graph, tmp_path, capsys):
    out = tmp_path / "pictures"
    neuron_graph.main(out)
    assert sorted(p.name for p in out.iterdir()) == ["neuron_graph.png", "neuron_graph.svg"]
    svg = ET.parse(out / "neuron_graph.svg")
    texts = ["".join(t.itertext()) for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert {"x1", "x2", "w1", "w2", "b", "n", "o", "tanh"} <= set(texts)
    assert (out / "neuron_graph.png").read_bytes()[:8] == PNG_MAGIC
    assert "o = tanh(n)" in capsys.readouterr().out


# --- classify_moons: a scalar MLP learns the moons -----------------------------------------


@pytest.fixture(scope="module")
def trained(classify_moons):
    """The demo's full training run (100 steps of gradient descent), shared by the tests below."""
    return classify_moons.train(steps=100, progress=False)


def test_moons_mlp_reaches_100_percent_training_accuracy(trained):
    model, X, y, history = trained
    predictions = np.array([model(x.tolist()).data for x in X])
    assert np.all((predictions > 0) == (y > 0))


def test_moons_training_history_records_every_step_and_the_loss_falls(trained):
    _, _, _, history = trained
    assert len(history) == 100
    losses = [loss for loss, _ in history]
    assert all(math.isfinite(loss) for loss in losses)
    assert losses[-1] < 0.25 * losses[0]


def test_moons_main_saves_the_decision_boundary_picture(classify_moons, tmp_path, capsys):
    classify_moons.main(tmp_path, steps=3)  # a few steps: this test is about the picture, not the accuracy
    assert [p.name for p in tmp_path.iterdir()] == ["moons_decision_boundary.png"]
    assert (tmp_path / "moons_decision_boundary.png").read_bytes()[:8] == PNG_MAGIC
    assert "final training accuracy" in capsys.readouterr().out


# --- make_moons ----------------------------------------------------------------------------


def test_make_moons_is_reproducible_by_seed():
    X1, y1 = make_moons(50, seed=3)
    X2, y2 = make_moons(50, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make_moons(50, seed=4)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("n", [2, 7, 100])
def test_make_moons_is_balanced_with_labels_minus_one_and_plus_one(n):
    X, y = make_moons(n, seed=0)
    assert X.shape == (n, 2) and y.shape == (n,)
    assert set(np.unique(y)) <= {-1.0, 1.0}
    assert abs(np.sum(y == 1.0) - np.sum(y == -1.0)) == n % 2  # half each (one extra if n is odd)


def test_without_noise_the_moons_are_two_half_circles():
    """Upper moon (label -1): the unit circle's top half. Lower moon (+1): the same circle,
    moved to centre (1, 0.5) and flipped, so its points lie at or below y = 0.5."""
    X, y = make_moons(40, noise=0.0, seed=0)
    upper, lower = X[y == -1.0], X[y == 1.0]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, rtol=1e-12)
    assert np.all(upper[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-12)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_make_moons_needs_two_samples():
    with pytest.raises(ValueError, match="at least 2"):
        make_moons(1)
