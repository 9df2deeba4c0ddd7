"""The lesson demos compute what the lessons claim, checked against independent computations.

Linear regression trained by backprop lands on the least-squares line (``np.linalg.lstsq``);
logistic regression on the maximum-likelihood estimates (Newton's method, written here);
the activations' derivatives from ``backward()`` are their closed forms; the ReLU spline's
RMSE is that of an independent least-squares fit; the chain-rule neuron's numbers are
PyTorch's; the spirals network's accuracy is recomputed in NumPy from its weights, and its
cross-entropy gradient with respect to the scores is PyTorch's. Each demo's pictures are saved
as real PNG files.

Demos are scripts in ``demos/``, not a package, so they are loaded from their file paths.
"""

import contextlib
import inspect
import io
import math
import re
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from demo_loader import PNG_MAGIC, load_demo

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.data import make_spirals, simulate_gp
from tinygrad_edu.losses import root_mean_squared_error
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.train import fit
from tinygrad_edu.viz import draw_dot



def assert_png(path):
    assert path.exists(), path
    assert path.read_bytes()[:8] == PNG_MAGIC, path


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- linear regression ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def linear_regression():
    return load_demo("linear_regression")


def lstsq_line(x, y):
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)
    return beta


def test_linear_regression_demo_matches_least_squares(linear_regression, tmp_path, capsys):
    result = linear_regression.main(tmp_path)
    bmi, sbp = result["bmi"], result["sbp"]
    assert len(bmi) == 100 and bmi.min() >= 18 and bmi.max() <= 40
    np.testing.assert_allclose(result["gradient_descent"], lstsq_line(bmi, sbp), rtol=0, atol=1e-6)
    out = capsys.readouterr().out
    assert "least squares" in out and "gradient descent" in out
    for name in ("linear_regression_network.png", "linear_regression_fit.png"):
        assert_png(tmp_path / name)
    assert (tmp_path / "linear_regression_network.svg").read_text().lstrip().startswith("<?xml")


def test_linear_regression_data_is_roughly_the_stated_model(linear_regression):
    """SBP = 90 + 1.2 BMI + noise(sd 10): with 2000 people the fitted line is near it."""
    bmi, sbp = linear_regression.simulate_blood_pressure(2000, seed=3)
    intercept, slope = lstsq_line(bmi, sbp)
    assert abs(slope - 1.2) < 0.15 and abs(intercept - 90) < 5
    assert np.std(sbp - (90 + 1.2 * bmi)) == pytest.approx(10, rel=0.1)


@pytest.mark.parametrize("n, seed", [(30, 5), (250, 11)])
def test_gradient_descent_finds_the_least_squares_line_for_other_data(linear_regression, n, seed):
    bmi, sbp = linear_regression.simulate_blood_pressure(n, seed)
    neuron, steps = linear_regression.fit_by_gradient_descent(bmi, sbp)
    assert steps < 1000
    np.testing.assert_allclose([neuron.b.data, neuron.w[0].data], lstsq_line(bmi, sbp), rtol=0, atol=1e-6)
    assert neuron([25.0]).data == pytest.approx(neuron.b.data + 25.0 * neuron.w[0].data)  # reads raw BMI


# --- logistic regression -------------------------------------------------------------------


@pytest.fixture(scope="module")
def logistic_regression():
    return load_demo("logistic_regression")


def maximum_likelihood(x, y):
    """Newton's method on the mean log-likelihood of logistic regression, from (0, 0)."""
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(100):
        p = sigmoid(X @ beta)
        gradient = X.T @ (y - p) / len(y)
        hessian = -(X.T * (p * (1 - p))) @ X / len(y)
        beta = beta - np.linalg.solve(hessian, gradient)
    p = sigmoid(X @ beta)
    assert np.max(np.abs(X.T @ (y - p))) < 1e-9  # the score equations hold: a maximum
    return beta


def test_the_lesson_example_is_one_over_one_plus_e(logistic_regression):
    expected = 1.0 / (1.0 + math.exp(1.0))  # sigmoid(-4 + 0.1*30) = sigmoid(-1)
    assert logistic_regression.lesson_example() == pytest.approx(expected, rel=1e-15)
    assert logistic_regression.lesson_example(0.0, 1.0, 2.0) == pytest.approx(1 / (1 + math.exp(-2.0)), rel=1e-15)


def test_logistic_regression_demo_matches_maximum_likelihood(logistic_regression, tmp_path, capsys):
    result = logistic_regression.main(tmp_path)
    bmi, y = result["bmi"], result["y"]
    assert len(bmi) == 200 and set(np.unique(y)) == {0.0, 1.0}
    np.testing.assert_allclose(result["gradient_descent"], maximum_likelihood(bmi, y), rtol=0, atol=1e-6)
    np.testing.assert_allclose(result["newton"], maximum_likelihood(bmi, y), rtol=0, atol=1e-9)
    out = capsys.readouterr().out
    assert repr(1.0 / (1.0 + math.exp(1.0))) in out
    for name in ("logistic_regression_network.png", "logistic_regression_fit.png"):
        assert_png(tmp_path / name)


def test_logistic_gradient_descent_finds_the_maximum_likelihood_for_other_data(logistic_regression):
    bmi, y = logistic_regression.simulate_hypertension(120, seed=7)
    neuron, _ = logistic_regression.fit_by_gradient_descent(bmi, y)
    np.testing.assert_allclose([neuron.b.data, neuron.w[0].data], maximum_likelihood(bmi, y), rtol=0, atol=1e-6)
    assert neuron([30.0]).data == pytest.approx(sigmoid(neuron.b.data + 30.0 * neuron.w[0].data), rel=1e-12)


# --- activations ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def activations():
    return load_demo("activations")


CLOSED_FORMS = {  # name: (f, f'), written out by hand
    "identity": (lambda x: x, lambda x: np.ones_like(x)),
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
}


def test_backward_gives_each_activations_derivative_on_a_grid(activations):
    x = np.linspace(-5, 5, 401)
    curves = activations.activation_curves(x)
    assert set(curves) == set(CLOSED_FORMS)
    for name, (f, slope) in CLOSED_FORMS.items():
        y, dy = curves[name]
        np.testing.assert_allclose(y, f(x), rtol=1e-12, atol=1e-15, err_msg=name)
        np.testing.assert_allclose(dy, slope(x), rtol=1e-12, atol=1e-15, err_msg=name)


def test_activations_demo_prints_the_derivatives_and_saves_the_figure(activations, tmp_path, capsys):
    points = (-2.0, 0.0, 0.5, 3.0)
    result = activations.main(tmp_path, points)
    out = capsys.readouterr().out
    for name, (_, slope) in CLOSED_FORMS.items():
        np.testing.assert_allclose(result["derivatives"][name][1], slope(np.array(points)), rtol=1e-12, atol=1e-15, err_msg=name)
    assert f"{1 - math.tanh(0.5) ** 2:10.6f}" in out
    assert f"{sigmoid(-2.0) * (1 - sigmoid(-2.0)):10.6f}" in out
    assert_png(tmp_path / "activations.png")


def test_relu_prints_the_blogs_numbers(activations, tmp_path, capsys):
    """relu(x) = max(0, x) for x = -4, ..., 3: the blog's printout 0, 0, 0, 0, 0, 1, 2, 3."""
    x, relu = activations.relu_printout()
    assert x.tolist() == [-4, -3, -2, -1, 0, 1, 2, 3]
    assert relu.tolist() == [0, 0, 0, 0, 0, 1, 2, 3]
    activations.main(tmp_path)
    lines = capsys.readouterr().out.splitlines()
    assert [int(v) for v in lines[1].split("=")[1].split(",")] == [0, 0, 0, 0, 0, 1, 2, 3]


def test_the_output_activation_follows_the_outcome(activations, tmp_path, capsys):
    """identity keeps a real number, sigmoid makes a probability, softmax K probabilities that
    add up to 1; with scores (z, 0) softmax is sigmoid(z)."""
    outputs = activations.output_examples(1.5, (2.0, 1.0, 0.1))
    assert outputs["identity"] == 1.5
    assert outputs["sigmoid"] == pytest.approx(1 / (1 + math.exp(-1.5)), rel=1e-15)
    e = [math.exp(2.0), math.exp(1.0), math.exp(0.1)]
    np.testing.assert_allclose(outputs["softmax"], [v / sum(e) for v in e], rtol=1e-15)
    assert activations.softmax([0.7, 0.0])[0] == pytest.approx(1 / (1 + math.exp(-0.7)), rel=1e-15)
    assert np.all(np.isfinite(activations.softmax([1000.0, 0.0])))  # no overflow
    activations.main(tmp_path)
    out = capsys.readouterr().out
    for words in ("identity", "sigmoid", "softmax"):
        assert re.search(rf"^ .*{words} .*-> ", out, flags=re.M), words
    assert "(0.6590, 0.2424, 0.0986)" in out


# --- ReLU splines --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def relu_splines():
    return load_demo("relu_splines")


def test_the_sine_data_is_as_described(relu_splines):
    x, y = relu_splines.simulate_sine()
    assert len(x) == 1000 and x.min() == 0 and x.max() == pytest.approx(4 * np.pi)
    assert np.std(y - np.sin(x)) == pytest.approx(0.2, rel=0.1)


def test_the_lectures_spline_design_repeats_x_first_ends_in_zeros_and_has_rank_29(relu_splines):
    """knots = linspace(0, 4 pi, 30), columns (x - k) * (x > k): the first column is x, the last
    all zeros (no x exceeds the largest x), so the 30 columns have rank 29."""
    x, _ = relu_splines.simulate_sine()
    knots = relu_splines.lecture_knots(x)
    np.testing.assert_array_equal(knots, np.linspace(0.0, 4 * np.pi, 30))
    columns = relu_splines.relu_columns(x, knots)
    assert columns.shape == (1000, 30)
    np.testing.assert_array_equal(columns[:, 0], x)
    np.testing.assert_array_equal(columns[:, -1], np.zeros(1000))
    for j in (5, 17):  # a column in the middle is a ReLU shifted to its knot, computed another way
        np.testing.assert_allclose(columns[:, j], np.where(x > knots[j], x - knots[j], 0.0), rtol=0, atol=1e-15)
    assert np.linalg.matrix_rank(columns) == 29


def test_relu_spline_is_the_least_squares_fit_with_an_intercept(relu_splines):
    """The same fit as scikit-learn's LinearRegression: centre X and y, solve by QR, add back."""
    x, y = relu_splines.simulate_sine()
    knots = np.linspace(0, 4 * np.pi, 30)
    X = np.stack([np.where(x > k, x - k, 0.0) for k in knots[:-1]], axis=1)  # the zero column adds nothing
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    q, r = np.linalg.qr(Xc)
    slopes = np.linalg.solve(r, q.T @ yc)
    expected = y.mean() + Xc @ slopes
    spline, rank = relu_splines.fit_spline(x, y)
    np.testing.assert_allclose(spline, expected, rtol=0, atol=1e-9)
    assert rank == 29
    assert 0.17 < np.sqrt(np.mean((spline - y) ** 2)) < 0.23  # near the noise sd 0.2


def test_relu_network_follows_the_sine_over_the_whole_range(relu_splines, tmp_path, capsys):
    """Cut [0, 4 pi] in ten pieces: in each, the network is close to sin(x), the last piece too."""
    result = relu_splines.main(tmp_path, epochs=2000, progress=False)
    x, y, network = result["x"], result["y"], result["network"]
    edges = np.linspace(0, 4 * np.pi, 11)
    for low, high in zip(edges, edges[1:]):
        piece = (x >= low) & (x <= high)
        distance = np.sqrt(np.mean((network[piece] - np.sin(x[piece])) ** 2))
        assert distance < 0.1, f"the network misses the sine on [{low:.2f}, {high:.2f}]: RMSE {distance:.3f}"
    network_rmse = np.sqrt(np.mean((network - y) ** 2))
    spline_rmse = np.sqrt(np.mean((result["spline"] - y) ** 2))
    assert 0.17 < network_rmse < 0.23
    assert result["history"][-1] < 0.1 * result["history"][0]
    out = capsys.readouterr().out
    assert f"RMSE {network_rmse:.4f}" in out and f"RMSE {spline_rmse:.4f}" in out and "(rank 29 + intercept)" in out
    inside = np.sum((result["bends"] >= 0) & (result["bends"] <= 4 * np.pi))
    assert f"bends at {inside} points inside" in out
    assert_png(tmp_path / "relu_splines.png")


# --- one neuron: the chain rule ----------------------------------------------------------


@pytest.fixture(scope="module")
def neuron():
    return load_demo("neuron")


def torch_neuron():
    """o = tanh(x1*w1 + x2*w2 + b) in PyTorch, float64: {name: (value, gradient)}."""
    torch = pytest.importorskip("torch")
    x1, x2, w1, w2, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (2.0, 0.0, -3.0, 1.0, 6.8813735870195432))
    n = x1 * w1 + x2 * w2 + b
    n.retain_grad()
    o = torch.tanh(n)
    o.retain_grad()
    o.backward()
    return {name: (t.item(), t.grad.item()) for name, t in dict(o=o, n=n, x1=x1, x2=x2, w1=w1, w2=w2, b=b).items()}


def test_neuron_gradients_are_the_chain_rule_by_hand(neuron):
    """o = tanh(n), n = x1*w1 + x2*w2 + b.

    do/dn = 1 - tanh(n)**2; each + passes it on unchanged (dn/db = 1); each * sends it times
    the other factor: do/dw1 = do/dn * x1, do/dx1 = do/dn * w1, and so on.
    """
    v = neuron.build_neuron()
    v["o"].backward()
    x1, x2, w1, w2, b = (v[name].data for name in ("x1", "x2", "w1", "w2", "b"))
    n = x1 * w1 + x2 * w2 + b
    assert v["o"].data == pytest.approx(math.tanh(n), rel=1e-15)
    do_dn = 1 - math.tanh(n) ** 2
    by_hand = {"n": do_dn, "b": do_dn, "x1": do_dn * w1, "w1": do_dn * x1, "x2": do_dn * w2, "w2": do_dn * x2}
    for name, expected in by_hand.items():
        assert v[name].grad == pytest.approx(expected, rel=1e-12, abs=1e-15), name


def test_neuron_numbers_are_the_ones_the_docstring_promises(neuron):
    """b is chosen so that o = 1/sqrt(2); then do/dn = 1 - 1/2 = 0.5, w1.grad = 0.5 * x1 = 1.0
    and x1.grad = 0.5 * w1 = -1.5."""
    v = neuron.build_neuron()
    v["o"].backward()
    assert v["o"].data == pytest.approx(1 / math.sqrt(2), rel=1e-12)
    assert v["n"].grad == pytest.approx(0.5, rel=1e-12)
    assert (v["w1"].grad, v["x1"].grad, v["w2"].grad, v["x2"].grad) == pytest.approx((1.0, -1.5, 0.0, 0.5), rel=1e-12)


def test_neuron_lesson_prints_backward_beside_the_hand_calculation_and_pytorch(neuron, tmp_path, capsys):
    expected = torch_neuron()
    result = neuron.main(tmp_path)
    for name, (value, grad) in expected.items():
        assert result["ours"][name][0] == pytest.approx(value, rel=1e-14, abs=1e-15), name
        assert result["ours"][name][1] == pytest.approx(grad, rel=1e-14, abs=1e-15), name
        assert result["by_hand"][name] == pytest.approx(grad, rel=1e-14, abs=1e-15), name
    out = capsys.readouterr().out
    assert "PyTorch" in out and "by hand" in out
    assert re.search(r"^ +x1 +2\.000000 +-1\.500000 +-1\.500000 +-1\.500000$", out, flags=re.M), out
    for name in ("neuron_before.png", "neuron_after.png"):
        assert_png(tmp_path / name)
    assert (tmp_path / "neuron_steps.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_before_backward_every_grad_is_zero_and_after_they_are_filled_in(neuron):
    v = neuron.build_neuron()
    before = draw_dot(v["o"]).source
    assert before.count("grad 0.0000") == len(v) and "grad -1.5000" not in before
    v["o"].backward()
    after = draw_dot(v["o"]).source
    assert "grad -1.5000" in after and "grad 1.0000" in after  # x1 and w1 (and o)


def test_neuron_lesson_runs_without_pytorch(neuron, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes ``import torch`` raise ImportError
    result = neuron.main(tmp_path)
    assert result["torch"] is None
    assert "not installed" in capsys.readouterr().out
    assert result["ours"]["x1"][1] == pytest.approx(-1.5)


# --- the lecture's three network diagrams ---------------------------------------------------


@pytest.fixture(scope="module")
def network_diagrams():
    return load_demo("network_diagrams")


def png_size(path):
    """(width, height) in pixels, from the PNG's header (the IHDR chunk right after the magic)."""
    header = path.read_bytes()[:24]
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def svg_texts_and_size(graph):
    """The words drawn in the picture, its width in points, and the node font size in points."""
    root = ET.fromstring(graph.pipe(format="svg"))
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    sizes = [float(t.get("font-size")) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    return texts, float(root.get("width").removesuffix("pt")), max(sizes)


LECTURE_DIAGRAMS = {  # the lecture's node names, and its layer sizes (inputs first)
    "network_linear_regression": ({"1", "X", "Y"}, [1, 1]),
    "network_two_hidden_layers": ({"X1", "X2", "H11", "H12", "H21", "H22", "Y"}, [2, 2, 2, 1]),
    "network_one_hidden_layer": ({"X", "H11", "H12", "H13", "Y"}, [1, 3, 1]),
}


def test_the_three_diagrams_carry_the_lectures_names_at_a_legible_size(network_diagrams, tmp_path, capsys):
    drawn = network_diagrams.main(tmp_path)
    assert set(drawn) == set(LECTURE_DIAGRAMS)
    out = capsys.readouterr().out
    for name, (names, sizes) in LECTURE_DIAGRAMS.items():
        graph = drawn[name]["graph"].copy()
        del graph.graph_attr["dpi"]  # the same picture at Graphviz's own scale, to measure it in points
        texts, width_pt, font_pt = svg_texts_and_size(graph)
        units = {t for t in texts if t in names or t.startswith(("X", "H", "Y")) or t == "1"}
        assert units == names, name
        width_px, _ = png_size(tmp_path / f"{name}.png")
        assert font_pt * width_px / width_pt >= 24, f"{name}: node names only {font_pt * width_px / width_pt:.0f} px tall"
        weights = sum(a * b for a, b in zip(sizes, sizes[1:]))  # one per arrow
        biases = sum(sizes[1:])  # one per unit after the inputs
        assert (drawn[name]["weights"], drawn[name]["biases"]) == (weights, biases)
        assert re.search(rf" {weights} +{biases} +{weights + biases}$", out, flags=re.M), (name, out)


def test_the_probability_curve_spans_the_data_and_marks_the_lectures_point(logistic_regression):
    bmi, y = logistic_regression.simulate_hypertension(200, seed=0)
    ax = logistic_regression.plot_probability_curve(bmi, y, -4.5, 0.11).axes[0]
    curves = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
    assert len(curves) == 2  # the fit and the truth
    for line in curves:
        assert (min(line.get_xdata()), max(line.get_xdata())) == (bmi.min(), bmi.max())
    points = [line for line in ax.get_lines() if len(line.get_xdata()) == 1]
    assert [(line.get_xdata()[0], line.get_ydata()[0]) for line in points] == [(30.0, pytest.approx(1 / (1 + math.e), rel=1e-15))]
    assert any("0.2689" in text.get_text() for text in ax.texts + ax.get_legend().get_texts())


# --- several classes: the spirals lesson -----------------------------------------------------


@pytest.fixture(scope="module")
def classify_spirals():
    return load_demo("classify_spirals")


def run_quietly(function, *args, **kwargs):
    """``function(*args, **kwargs)`` and what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = function(*args, **kwargs)
    return result, printed.getvalue()


@pytest.fixture(scope="module")
def spirals_lesson(classify_spirals, tmp_path_factory):
    """The whole lesson, 2000 epochs, with its printout."""
    out = tmp_path_factory.mktemp("spirals")
    result, printed = run_quietly(classify_spirals.main, out, progress=False)
    return result, printed, out


def forward_in_numpy(state, X):
    """TensorMLP(2, [100, 3])'s scores from its state dict, written out in NumPy."""
    hidden = np.maximum(X @ state["layers.0.weight"].T + state["layers.0.bias"], 0.0)
    return hidden @ state["layers.1.weight"].T + state["layers.1.bias"]


def test_the_spirals_network_classifies_at_least_98_percent_of_its_training_points(spirals_lesson):
    result, printed, _ = spirals_lesson
    X, y = make_spirals(100, 3, seed=0)
    np.testing.assert_array_equal(result["X"], X)
    predicted = forward_in_numpy(result["model"].state_dict(), X).argmax(axis=1)
    correct = int(np.sum(predicted == y))
    assert correct >= 0.98 * len(y), f"only {correct} of {len(y)} points classified right"
    assert result["accuracy"] == correct / len(y)
    assert f"training accuracy: {correct / len(y):.1%} ({correct} of 300 points)" in printed
    history = result["history"]
    assert len(history) == 2000 and history[-1] < 0.05 * history[0]
    assert f"at epoch 2000: {history[-1]:.4f}" in printed


def torch_score_gradient(scores, y):
    """dL/dscores of PyTorch's F.cross_entropy (mean over the batch), float64."""
    torch = pytest.importorskip("torch")
    z = torch.tensor(scores, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.cross_entropy(z, torch.tensor(y)).backward()
    return z.grad.numpy()


def test_the_gradient_of_cross_entropy_is_softmax_minus_onehot_over_n(spirals_lesson, classify_spirals):
    """backward()'s gradient with respect to the scores is PyTorch's, and so is the lesson's
    formula (softmax - onehot) / n; the printed largest difference is theirs, at rounding size."""
    result, printed, _ = spirals_lesson
    X, y = result["X"], result["y"]
    untrained = forward_in_numpy(TensorMLP(2, [100, 3], activation="relu", seed=0).state_dict(), X)
    expected = torch_score_gradient(untrained, y)
    by_backward, by_formula = result["gradients"]
    np.testing.assert_allclose(by_backward, expected, rtol=1e-12, atol=1e-17)
    np.testing.assert_allclose(by_formula, expected, rtol=1e-12, atol=1e-17)
    largest = np.max(np.abs(by_backward - by_formula))
    assert result["largest_difference"] == largest and largest < 1e-17
    assert re.search(rf"over all 300 x 3 scores: {largest:.1e}$", printed, flags=re.M), printed
    for i in (99, 199, 299):  # the outermost point of each arm, its row of n * gradient as printed
        row = "(" + ", ".join(f"{v:+.4f}" for v in 300 * expected[i]) + ")"
        assert re.search(rf"^ +{re.escape('= ' + row)};  n \* backward\(\): {re.escape(row)}$", printed, flags=re.M), (i, printed)
    # the same identity after training, where the softmax is nearly the onehot itself
    trained_backward, trained_formula = classify_spirals.score_gradients(result["model"], X, y)
    trained_expected = torch_score_gradient(forward_in_numpy(result["model"].state_dict(), X), y)
    np.testing.assert_allclose(trained_backward, trained_expected, rtol=1e-10, atol=1e-17)
    np.testing.assert_allclose(trained_formula, trained_expected, rtol=1e-10, atol=1e-17)


def test_the_spirals_lesson_saves_its_picture_and_prints_the_same_numbers_every_run(spirals_lesson, classify_spirals, tmp_path):
    result, printed, out = spirals_lesson
    assert_png(out / "spirals_decision_regions.png")
    assert png_size(out / "spirals_decision_regions.png") == (600, 540)  # 5 x 4.5 inches at 120 dpi
    ax = result["figure"].axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1", "class 2"]
    assert f"{result['accuracy']:.1%} correct" in ax.get_title()
    _, again = run_quietly(classify_spirals.main, tmp_path, progress=False)
    assert again.replace(str(tmp_path), "OUT") == printed.replace(str(out), "OUT")


def test_the_spirals_docstring_states_what_the_code_does(classify_spirals, spirals_lesson):
    _, printed, _ = spirals_lesson
    doc = classify_spirals.__doc__
    assert "TensorMLP(2, [100, 3])" in doc and printed.startswith("TensorMLP(nin=2, nouts=[100, 3], activation='relu')")
    assert "2000 epochs" in doc and inspect.signature(classify_spirals.main).parameters["epochs"].default == 2000
    assert "learning rate 1" in doc and inspect.signature(classify_spirals.train).parameters["lr"].default == 1.0
    assert "100 points each" in doc and "seed 0" in doc
    assert "dL/dz_(i,c) = (p_(i,c) - onehot_(i,c)) / n" in doc


# --- the Gaussian-process lesson -------------------------------------------------------------


@pytest.fixture(scope="module")
def gp_regression():
    return load_demo("gp_regression")


@pytest.fixture(scope="module")
def gp_lesson(gp_regression, tmp_path_factory):
    """The whole lesson, 8000 epochs, with its printout and its progress bar."""
    out = tmp_path_factory.mktemp("gp")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        result = gp_regression.main(out, epochs=8000, progress=True)
    return result, stdout.getvalue(), stderr.getvalue(), out


def test_gp_lesson_prints_one_final_rmse_the_one_its_progress_bar_ends_on(gp_lesson):
    result, printed, bar, _ = gp_lesson
    data = result["data"]
    finals = re.findall(r"^final RMSE: (\d\.\d{4})\b", printed, flags=re.M)
    assert len(finals) == 1, printed
    assert re.findall(r"rmse=(\d\.\d{4})", bar)[-1] == finals[0]  # the bar's last word
    trained = np.sqrt(np.mean((result["prediction"] - data.y) ** 2))  # the trained network, recomputed
    assert f"{trained:.4f}" == finals[0]
    assert 0.55 < trained < 0.70
    fit_labels = [t.get_text() for t in result["figures"]["gp_fit.png"].axes[0].get_legend().get_texts()]
    assert f"network (RMSE {finals[0]})" in fit_labels
    other_numbers = set(re.findall(r"\b0\.6\d{2,}", printed)) - {finals[0], f"{np.sqrt(np.mean((data.latent - data.y) ** 2)):.4f}"}
    assert other_numbers <= {"0.63"}, other_numbers  # the blog's "about 0.63", nothing else near it


def test_gp_lesson_draws_the_data_alone_and_the_loss_by_epoch_against_the_noise_level(gp_lesson):
    result, _, _, out = gp_lesson
    data = result["data"]
    ax = result["figures"]["gp_data.png"].axes[0]
    assert ax.get_lines() == [] and len(ax.collections) == 1  # points only: no fit, no truth
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), np.column_stack([data.x, data.y]))
    ax = result["figures"]["gp_loss_curve.png"].axes[0]
    assert ax.get_xlabel() == "epoch"
    curve, reference = ax.get_lines()
    np.testing.assert_array_equal(curve.get_xdata(), np.arange(1, 8001))
    assert list(reference.get_ydata()) == [0.7, 0.7] and "0.7" in reference.get_label()
    for name in ("gp_data.png", "gp_loss_curve.png", "gp_fit.png"):
        assert_png(out / name)


def test_gp_lesson_docstring_states_the_numbers_the_code_uses(gp_regression, gp_lesson):
    _, printed, _, _ = gp_lesson
    doc = gp_regression.__doc__
    defaults = inspect.signature(simulate_gp).parameters
    for name in ("eta", "rho"):
        assert f"{name} = {defaults[name].default:g}" in doc, name
    assert f"sigma = {defaults['sigma'].default:g}" in doc and f"seed {defaults['seed'].default}" in doc
    assert f"TensorMLP(1, {gp_regression.HIDDEN + [1]})" in doc
    assert re.search(r"# (\d+) parameters", printed)[1] in doc
    assert "N(0, 2 / fan_in)" in doc and "z = (x - mean) / sd" in doc
    assert "K_ij = eta**2 exp(-d_ij**2 / (2 rho**2))" in doc


def test_he_initialisation_keeps_the_activations_on_one_scale_through_the_layers(gp_lesson):
    result, printed, _, _ = gp_lesson
    scales = result["scales"]
    assert len(scales) == 6 and all(0.3 < s < 3 for s in scales)
    assert " ".join(f"{s:.2f}" for s in scales) in printed


def test_raw_x_overshoots_as_the_docstring_says():
    """With x from -50 to 50 instead of z, the same network and learning rate start with an RMSE
    near 44, jump above 100 within three steps, and end little better than the mean."""
    data = simulate_gp()
    model = TensorMLP(1, [16, 32, 64, 64, 32, 16, 1], activation="relu", seed=0)
    history = fit(model, data.x.reshape(-1, 1), data.y.reshape(-1, 1), epochs=300, loss_fn=root_mean_squared_error,
                  optimizer=SGD(model.parameters(), lr=0.005), progress=False)
    assert 35 < history[0] < 55 and max(history[:3]) > 100
    assert history[-1] > 0.75 * data.y.std()  # the mean alone scores data.y.std()


# --- the blog's own program ------------------------------------------------------------------


@pytest.fixture(scope="module")
def blog():
    return load_demo("gp_blog_program")


def test_init_pars_is_the_library_network_stored_nodes_as_columns(blog):
    hidden = [16, 32, 64, 64, 32, 16]
    pars = blog.init_pars(1, hidden, seed=5)
    model = TensorMLP(1, hidden + [1], activation="relu", seed=5)
    assert [W.shape for W, _ in pars] == [(a, b) for a, b in zip([1] + hidden, hidden + [1])]  # J x H
    for (W, b), layer in zip(pars, model.layers):
        np.testing.assert_array_equal(W.data, layer.weight.data.T)
        np.testing.assert_array_equal(b.data, layer.bias.data)
    X = np.linspace(-1.7, 1.7, 9).reshape(-1, 1)
    np.testing.assert_allclose(blog.NN(pars).forward(Tensor(X)).data, model(X).data, rtol=1e-12, atol=1e-12)


def test_optimizer_nn_trains_exactly_as_the_librarys_five_steps(blog, gp_regression):
    data = simulate_gp()
    X, y = data.x_standardized.reshape(-1, 1), data.y.reshape(-1, 1)
    optimizer = blog.OptimizerNN(blog.NN(blog.init_pars(1, gp_regression.HIDDEN, seed=0)), X, y, lr=0.005)
    optimizer.train(40, progress=False)
    model = TensorMLP(1, gp_regression.HIDDEN + [1], activation="relu", seed=0)
    history = fit(model, X, y, epochs=40, loss_fn=root_mean_squared_error, optimizer=SGD(model.parameters(), lr=0.005),
                  progress=False)
    np.testing.assert_allclose(optimizer.loss_values(), history, rtol=1e-10)
    with no_grad():
        np.testing.assert_allclose(optimizer.pred_values(), model(X).data.ravel(), rtol=1e-9, atol=1e-12)
    assert optimizer.loss_values()[-1] < optimizer.loss_values()[0]


def test_the_blog_program_prints_the_blogs_rmse_beside_its_own_and_the_spread_over_seeds(blog, tmp_path, capsys):
    result = blog.main(tmp_path, epochs=8000, seeds=2, progress=False)
    out = capsys.readouterr().out
    assert "0.6291500277106367" in out and repr(result["rmse"]) in out
    assert abs(result["rmse"] - 0.6291500277106367) < 0.05 and len(result["losses"]) == 8000
    assert len(result["spread"]) == 2 and result["spread"][0] == result["rmse"]
    assert "seeds 0 to 1:" in out and f"{min(result['spread']):.4f} to {max(result['spread']):.4f}" in out
    assert_png(tmp_path / "gp_blog_program.png")


def test_the_blog_programs_table_names_what_exists(blog):
    """Every name in the left column is in the program; every library name on the right exists."""
    import tinygrad_edu.losses
    import tinygrad_edu.optim
    import tinygrad_edu.train

    for name in ("init_pars", "NN", "rmse", "OptimizerNN"):
        assert f"{name}(" in blog.__doc__ and hasattr(blog, name), name
    for method in ("_calc_loss", "_adjust", "_zero", "_epoch", "train", "loss_values", "pred_values"):
        assert f".{method}(" in blog.__doc__ and callable(getattr(blog.OptimizerNN, method)), method
    assert hasattr(tinygrad_edu.train, "fit") and hasattr(tinygrad_edu.losses, "root_mean_squared_error")
    assert callable(tinygrad_edu.optim.SGD.step) and callable(tinygrad_edu.optim.SGD.zero_grad)
    for words in ("train.fit(model, X, y", "TensorMLP(J, H_list + [1]", "losses.root_mean_squared_error",
                  "optimizer.step()", "optimizer.zero_grad()", "out x in"):
        assert words in blog.__doc__, words
