"""The moons demo runs and says what it claims: the scalar MLP learns to separate the two moons
completely; and ``make_moons`` makes the data it describes.

Demos are scripts in ``demos/``, not a package, so they are loaded from their file paths.
"""

import math

import numpy as np
import pytest

from demo_loader import PNG_MAGIC, load_demo

from tinygrad_edu.data import make_moons



@pytest.fixture(scope="module")
def classify_moons():
    return load_demo("classify_moons")


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
