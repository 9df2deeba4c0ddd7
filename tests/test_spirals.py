"""The spirals data set and the picture of decision regions for several classes.

``make_spirals`` is checked against the CS231n code it follows (written out here), and for the
shape of what it makes: each class an arm whose angle grows with its radius. The picture is
checked by its pixels: each region painted in its class's colour, the points of each class in
the same colour.
"""

import math

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tinygrad_edu.data import make_spirals
from tinygrad_edu.plots import plot_decision_regions


def cs231n_spirals(N, K, seed):
    """The spiral data of Stanford's CS231n notes, as written there, after np.random.seed(seed)."""
    np.random.seed(seed)
    D = 2
    X = np.zeros((N * K, D))
    y = np.zeros(N * K, dtype="uint8")
    for j in range(K):
        ix = range(N * j, N * (j + 1))
        r = np.linspace(0.0, 1, N)  # radius
        t = np.linspace(j * 4, (j + 1) * 4, N) + np.random.randn(N) * 0.2  # theta
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


# --- make_spirals ----------------------------------------------------------------------------


@pytest.mark.parametrize("n, classes, seed", [(100, 3, 0), (7, 5, 11), (2, 2, 4294967295)])
def test_make_spirals_is_the_cs231n_data(n, classes, seed):
    X, y = make_spirals(n, classes, seed)
    state = np.random.get_state()
    X_ref, y_ref = cs231n_spirals(n, classes, seed)
    np.random.set_state(state)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert X.shape == (n * classes, 2) and X.dtype == np.float64
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [n] * classes  # n each, 0 .. classes-1


def test_make_spirals_leaves_numpys_global_random_state_alone():
    np.random.seed(123)
    expected = np.random.rand(3)
    np.random.seed(123)
    make_spirals()
    np.testing.assert_array_equal(np.random.rand(3), expected)


def test_make_spirals_is_reproducible_by_seed():
    X1, y1 = make_spirals(seed=3)
    X2, y2 = make_spirals(seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, make_spirals(seed=4)[0])


def arm_angles(points):
    """The angle t of each point (x1, x2) = r (sin t, cos t), continued along the arm without
    jumps of 2 pi (the first point, at the centre, has no angle and is left out)."""
    return np.unwrap(np.arctan2(points[1:, 0], points[1:, 1]))


def turn(a):
    """An angle as a turn between -pi and pi: angles that differ by whole circles agree."""
    return (a + math.pi) % (2 * math.pi) - math.pi


def test_without_noise_each_class_is_an_arm_turning_4_radians_as_its_radius_grows_to_1():
    n, classes = 50, 3
    X, y = make_spirals(n, classes, seed=0, noise=0.0)
    for k in range(classes):
        arm = X[y == k]
        np.testing.assert_allclose(np.hypot(arm[:, 0], arm[:, 1]), np.linspace(0, 1, n), rtol=0, atol=1e-15)
        angle = arm_angles(arm)
        step = np.diff(angle)
        np.testing.assert_allclose(step, 4 / (n - 1), rtol=1e-9)  # the angle grows evenly with the radius
        start = angle[0] - 4 / (n - 1)  # the direction in which the arm leaves the centre
        assert turn(start - 4 * k) == pytest.approx(0, abs=1e-12)


def test_with_noise_only_the_angle_is_jittered_around_the_arm():
    """Noise 0.2 moves each angle by N(0, 0.2**2); the radius stays exact. The angle still
    grows with the radius along each arm: a straight line through (radius, angle) has a slope
    near 4 radians per unit radius and residuals of sd near 0.2."""
    n = 400
    X, y = make_spirals(n, 3, seed=1)
    radius = np.linspace(0, 1, n)
    for k in range(3):
        arm = X[y == k]
        np.testing.assert_allclose(np.hypot(arm[:, 0], arm[:, 1]), radius, rtol=0, atol=1e-15)
        angle = arm_angles(arm)
        slope, intercept = np.polyfit(radius[1:], angle, 1)
        assert slope == pytest.approx(4, abs=0.15)
        assert turn(intercept - 4 * k) == pytest.approx(0, abs=0.1)
        residual = angle - (slope * radius[1:] + intercept)
        assert np.std(residual) == pytest.approx(0.2, rel=0.15)


def test_make_spirals_takes_numpy_whole_numbers():
    X, y = make_spirals(np.int64(5), np.int32(2), np.int64(7))
    np.testing.assert_array_equal(X, make_spirals(5, 2, 7)[0])


@pytest.mark.parametrize(
    "arguments, error, words",
    [
        (dict(n_per_class=1), ValueError, "n_per_class must be at least 2"),
        (dict(n_per_class=-3), ValueError, "n_per_class must be at least 2"),
        (dict(n_per_class=2.5), TypeError, "n_per_class must be a whole number"),
        (dict(n_per_class=True), TypeError, "n_per_class must be a whole number"),
        (dict(n_per_class="100"), TypeError, "n_per_class must be a whole number"),
        (dict(classes=1), ValueError, "classes must be at least 2"),
        (dict(classes=3.0), TypeError, "classes must be a whole number"),
        (dict(seed=-1), ValueError, "seed must be at least 0"),
        (dict(seed=2**32), ValueError, "seed must be 0 .. 2**32 - 1"),
        (dict(seed=None), TypeError, "seed must be a whole number"),
        (dict(noise=-0.1), ValueError, "noise is a standard deviation"),
        (dict(noise=float("nan")), ValueError, "noise is a standard deviation"),
        (dict(noise=float("inf")), ValueError, "noise is a standard deviation"),
        (dict(noise="0.2"), TypeError, "noise is the standard deviation"),
    ],
)
def test_make_spirals_refuses_bad_arguments_by_name(arguments, error, words):
    with pytest.raises(error, match="make_spirals") as raised:
        make_spirals(**arguments)
    assert words in str(raised.value)


# --- plot_decision_regions -------------------------------------------------------------------


POINTS = np.array([[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0], [-0.2, 0.1]])
LABELS = np.array([0, 1, 2, 0])


def three_sectors(points):
    """Class 0 left of x1 = 0, class 1 on the upper right, class 2 on the lower right."""
    return np.where(points[:, 0] < 0, 0, np.where(points[:, 1] >= 0, 1, 2))


def scores_for(classes):
    """Scores (one column per class) whose largest entry is each point's class."""
    return lambda points: np.eye(3)[classes(points)] * 5.0 - 1.0


def tab10(k):
    return np.array(colormaps["tab10"](k)[:3])


def colour_at(fig, x1, x2):
    """The RGB colour (0 to 1) of the drawn picture at the data point (x1, x2)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())
    column, row = fig.axes[0].transData.transform((x1, x2))
    return pixels[pixels.shape[0] - int(round(row)), int(round(column)), :3] / 255.0


@pytest.mark.parametrize("predict", [scores_for(three_sectors), three_sectors], ids=["scores", "class numbers"])
def test_each_region_is_painted_in_its_class_colour(predict):
    fig = plot_decision_regions(predict, POINTS, LABELS, resolution=101)
    region_colour = [0.3 * tab10(k) + 0.7 for k in range(3)]  # the class's colour, faded over white
    for (x1, x2), k in {(-0.6, 0.6): 0, (-0.6, -0.4): 0, (0.5, 0.4): 1, (0.5, -0.4): 2}.items():
        seen = colour_at(fig, x1, x2)
        nearest = int(np.argmin([np.abs(seen - c).max() for c in region_colour]))
        assert nearest == k, f"at ({x1}, {x2}) the picture shows class {nearest}'s colour, expected class {k}'s"
        np.testing.assert_allclose(seen, region_colour[k], atol=2 / 255)


def test_the_points_of_each_class_are_drawn_in_its_colour_and_named_in_the_legend():
    fig = plot_decision_regions(scores_for(three_sectors), POINTS, LABELS, title="three sectors")
    ax = fig.axes[0]
    drawn = [c for c in ax.collections if len(c.get_offsets()) and c.get_label() in ("class 0", "class 1", "class 2")]
    assert [c.get_label() for c in drawn] == ["class 0", "class 1", "class 2"]
    for k, collection in enumerate(drawn):
        np.testing.assert_array_equal(collection.get_offsets(), POINTS[LABELS == k])
        np.testing.assert_allclose(collection.get_facecolor()[0][:3], tab10(k))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]
    assert ax.get_title() == "three sectors"
    lower, upper = ax.get_xlim()
    assert lower < POINTS[:, 0].min() and upper > POINTS[:, 0].max()  # every point inside the picture


@pytest.mark.parametrize(
    "X, y, predict, words",
    [
        (np.zeros((4, 3)), LABELS, three_sectors, "2 input features, got X of shape (4, 3)"),
        (POINTS, LABELS.astype(float), three_sectors, "one class number 0, 1, 2, ... per point"),
        (POINTS, LABELS[:3], three_sectors, "shape (4,); got shape (3,)"),
        (POINTS, LABELS, lambda points: three_sectors(points)[:10], "predict must return class scores"),
        (POINTS, LABELS, lambda points: np.zeros((len(points), 3, 1)), "got shape"),
    ],
)
def test_plot_decision_regions_refuses_what_it_cannot_draw(X, y, predict, words):
    with pytest.raises(ValueError) as raised:
        plot_decision_regions(predict, X, y, resolution=20)
    assert words in str(raised.value)
