"""The other side of the catalogue of misuse: what a learner naturally passes is accepted, and
gives exactly what its plainest form gives.

Checking arguments must not refuse the forms the lessons and the README use: a model passed
as ``predict``, a column of numbers where a flat list would do, whole numbers or float32 where
float64 would do. Each test compares the natural form with the plain one.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tinygrad_edu import Tensor, Value, no_grad
from tinygrad_edu.gradcheck import gradcheck, numerical_gradients
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.plots import plot_decision_boundary, plot_decision_regions, plot_loss_curve, plot_regression_fit
from tinygrad_edu.viz import draw_dot


def pixels(fig) -> np.ndarray:
    """The figure as drawn: its RGBA pixels."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


X = np.random.default_rng(0).normal(size=(20, 2))
LABELS = np.where(X[:, 0] + X[:, 1] > 0, 1.0, -1.0)


def test_a_model_itself_draws_the_decision_boundary_that_its_numbers_draw():
    """``plot_decision_boundary(model, X, y)``: the model returns a Tensor of shape (m, 1)."""
    model = TensorMLP(2, [8, 1], activation="tanh", seed=3)

    def numbers(points):
        with no_grad():
            return model(points).numpy().ravel().copy()

    assert np.array_equal(pixels(plot_decision_boundary(model, X, LABELS)), pixels(plot_decision_boundary(numbers, X, LABELS)))


def test_decision_regions_take_the_model_itself_and_labels_in_a_list():
    model = TensorMLP(2, [8, 3], seed=4)
    classes = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)

    def scores(points):
        with no_grad():
            return model(points).numpy().copy()

    plain = pixels(plot_decision_regions(scores, X, classes, resolution=40))
    assert np.array_equal(pixels(plot_decision_regions(model, X, classes, resolution=40)), plain)
    assert np.array_equal(pixels(plot_decision_regions(scores, X, list(classes), resolution=40)), plain)


def test_a_column_of_inputs_draws_the_same_fit_as_a_flat_list():
    """Inputs and predictions often come as columns, shape (n, 1), as a TensorMLP takes them."""
    x = np.linspace(-2, 2, 15)
    y = np.sin(x)
    fit = Tensor(0.9 * x.reshape(-1, 1))
    flat = pixels(plot_regression_fit(x, y, {"line": 0.9 * x}, truth=np.sin(x)))
    column = pixels(plot_regression_fit(x.reshape(-1, 1), y.reshape(-1, 1), {"line": fit}, truth=np.sin(x).reshape(-1, 1)))
    assert np.array_equal(column, flat)


def test_a_loss_curve_takes_a_tuple_an_array_or_a_tensor_of_losses():
    losses = [3.0, 2.0, 1.5, 1.25]
    plain = pixels(plot_loss_curve(losses))
    for same in (tuple(losses), np.array(losses, dtype=np.float32), Tensor(losses)):
        assert np.array_equal(pixels(plot_loss_curve(same)), plain)


def test_gradcheck_takes_whole_numbers_float32_arrays_and_tuples():
    """Whole numbers and float32 are checked in float64, as if they had been given so."""
    f = lambda a, b: (a * b).sum()  # noqa: E731
    assert gradcheck(f, (2, np.array([1, 2], dtype=np.int64)))
    assert gradcheck(f, [np.float32(2.0), np.array([1.0, 2.0], dtype=np.float32)])
    whole, plain = numerical_gradients(f, (2, [1, 2])), numerical_gradients(f, [2.0, np.array([1.0, 2.0])])
    for a, b in zip(whole, plain):
        assert a.dtype == np.float64 and np.array_equal(a, b)


def test_numpys_true_and_false_are_true_and_false_to_draw_dot():
    """``show_grads=(x > 0).all()`` is a NumPy bool, and means what True or False means."""
    out = (Value(2.0, label="x") * 3).tanh()
    out.backward()
    assert draw_dot(out, show_grads=np.True_, compact=np.False_).source == draw_dot(out, show_grads=True, compact=False).source
    assert draw_dot(out, show_grads=np.False_).source == draw_dot(out, show_grads=False).source


def test_value_functions_called_on_the_class_take_a_plain_number():
    """``Value.tanh(0.5)`` is ``Value(0.5).tanh()``, for every function of one number."""
    for name in ("tanh", "exp", "sqrt", "leaky_relu", "relu", "sigmoid"):
        assert getattr(Value, name)(0.5).data == getattr(Value(0.5), name)().data, name


def test_make_moons_takes_a_generator_of_ones_own_as_the_models_do():
    from tinygrad_edu.data import make_moons

    X1, y1 = make_moons(30, seed=np.random.default_rng(7))
    X2, y2 = make_moons(30, seed=7)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)


def test_fit_takes_a_loss_of_one_number_in_any_shape_as_pytorchs_backward_does():
    """A loss written as (p - y).T @ (p - y) / n has shape (1, 1): one number, as its mean form."""
    from tinygrad_edu import losses
    from tinygrad_edu.train import fit

    y = (X[:, :1] - X[:, 1:]) * 0.5
    shaped, plain = TensorMLP(2, [4, 1], seed=1), TensorMLP(2, [4, 1], seed=1)
    as_matrix = fit(shaped, X, y, epochs=3, lr=0.05, loss_fn=lambda p, t: losses.mean_squared_error(p, t).reshape(1, 1), progress=False)
    as_number = fit(plain, X, y, epochs=3, lr=0.05, loss_fn=losses.mean_squared_error, progress=False)
    assert as_matrix == as_number
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(shaped.parameters(), plain.parameters()))


def test_backward_takes_pytorchs_gradient_and_retain_graph_as_the_plain_call_does():
    """``backward(gradient=g)``, ``backward(g, retain_graph=True)`` and ``backward(grad=g)`` are ``backward(g)``."""
    seed = np.array([[0.5, -2.0, 1.5]])
    grads = []
    for call in (lambda out: out.backward(seed), lambda out: out.backward(gradient=seed), lambda out: out.backward(grad=seed),
                 lambda out: out.backward(Tensor(seed), retain_graph=True), lambda out: out.backward(seed, False, False)):
        w = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        call((w * w).tanh())
        grads.append(w.grad)
    assert all(np.array_equal(g, grads[0]) for g in grads)


def test_pytorchs_names_for_shape_count_axes_and_power_give_numpys_answers():
    t = Tensor(X[:6].reshape(2, 3, 2))
    assert t.size() == t.shape and [t.size(d) for d in (0, 1, 2, -1)] == [2, 3, 2, 2]
    assert t.numel() == t.size == t.numpy().size and t.dim() == t.ndim
    assert np.array_equal(t.pow(3).numpy(), (t**3).numpy()) and np.array_equal(t.pow(Tensor(2.0)).numpy(), (t ** Tensor(2.0)).numpy())
    assert np.array_equal(t.mT.numpy(), t.transpose(-2, -1).numpy())


def test_a_bool_array_or_python_bool_on_the_left_of_a_mask_gives_the_tensor_form():
    mask = Tensor(X[:, 0]) > 0
    other = X[:, 1] > 0
    for left, right in ((other & mask, mask & Tensor(other)), (other | mask, mask | Tensor(other)),
                        (other ^ mask, mask ^ Tensor(other)), (True & mask, mask & True), (False ^ mask, mask ^ False)):
        assert left.dtype == bool and np.array_equal(left.numpy(), right.numpy())
