"""``Tensor`` beyond the op table (``test_ops.py`` checks every op against PyTorch and finite
differences): proof that those checks can fail, the one place broadcasting is undone, in-place
relu, saturation at +-1000, dtypes, copies, the graph switches (requires_grad, no_grad, detach,
retain_grad), accumulation and determinism.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from parity import FLOAT64, assert_matches_torch, output_weights, run_ours
from tinygrad_edu import ops
from tinygrad_edu.gradcheck import GradcheckError, gradcheck
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.shapes import spread_to_shape, sum_to_shape
from tinygrad_edu.tensor import Tensor, linear, no_grad

Shape = Tuple[int, ...]

def test_finite_differences_catch_a_broadcasting_bug() -> None:
    """Proof the check above can fail: forgetting to sum a broadcast gradient is caught.

    ``b`` of shape (3,) is added to every row of ``a`` (2, 3); its true gradient is the sum of
    both rows' gradients. Here the backward pass keeps only the first row's share.
    """

    class KeepsOnlyTheFirstRow(ops.Add):
        def backward(self, xp, grad):
            return grad, grad[0]  # should be grad, summed down to (3,)

    def buggy_add(a: Tensor, b: Tensor) -> Tensor:
        out = a + b
        out.op = KeepsOnlyTheFirstRow()
        return out

    with pytest.raises(GradcheckError, match="disagree"):
        gradcheck(lambda a, b: (buggy_add(a, b) * output_weights((2, 3))).sum(), [np.ones((2, 3)), np.ones(3)])


# --- sum_to_shape: the one place where broadcasting is undone -------------------------------


def sum_by_hand(grad: np.ndarray, shape: Shape) -> np.ndarray:
    """Send each element of the broadcast gradient back to the input element it was copied
    from: drop the leading axes broadcasting added, and read index 0 along stretched axes."""
    total = np.zeros(shape)
    added = grad.ndim - len(shape)
    for index in np.ndindex(grad.shape):
        source = tuple(0 if size == 1 else i for i, size in zip(index[added:], shape))
        total[source] += grad[index]
    return total


@pytest.mark.parametrize(
    "big, small",
    [((2, 3), (3,)), ((5, 5), (5, 1)), ((2, 3, 4), (2, 1, 4)), ((2, 3, 4), (3, 1)), ((2, 3), ()),
     ((2, 3), (1, 3)), ((2, 3), (2, 3))],
)
def test_sum_to_shape_adds_up_every_use_of_a_broadcast_element(big: Shape, small: Shape) -> None:
    """An element copied k times by broadcasting gets the sum of its k gradients."""
    grad = np.random.default_rng(0).normal(size=big)
    folded = sum_to_shape(grad, small)
    assert folded.shape == small
    np.testing.assert_allclose(folded, sum_by_hand(grad, small), rtol=1e-12, atol=1e-12)



@pytest.mark.parametrize("big, small", [((2, 3), (1, 3)), ((5, 5), (5, 1)), ((2, 3, 4), (2, 1, 4)), ((2, 3), (1, 1))])
def test_spread_to_shape_is_the_adjoint_of_sum_to_shape(big: Shape, small: Shape) -> None:
    """<spread(g), x> = <g, sum(x)> for every g and x: spreading is the backward of summing,
    and summing the backward of spreading (broadcasting). It is also a fresh, writable array."""
    rng = np.random.default_rng(3)
    g, x = rng.normal(size=small), rng.normal(size=big)
    spread = spread_to_shape(g, big)
    assert spread.shape == big and spread.flags.writeable and not np.shares_memory(spread, g)
    np.testing.assert_allclose(np.sum(spread * x), np.sum(g * sum_to_shape(x, small)), rtol=1e-12)
    np.testing.assert_array_equal(spread, np.broadcast_to(g, big))

# --- relu: the kink and the in-place version -------------------------------------------------


def test_relu_at_exactly_zero_has_gradient_zero() -> None:
    """max(0, x) has no slope at x = 0; like PyTorch we use 0 there (and at -0.0)."""
    x = np.array([-2.0, 0.0, -0.0, 3.0])
    out, (grad,) = run_ours(lambda a: a.relu(), [x], FLOAT64, weights=np.ones)
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.0, 3.0])
    np.testing.assert_array_equal(grad, [0.0, 0.0, 0.0, 1.0])
    assert_matches_torch(lambda a: a.relu(), torch.relu, [x], FLOAT64)


def test_relu_in_place_overwrites_the_linear_output_and_keeps_torch_gradients() -> None:
    """``relu_`` writes max(0, h) into h's own array; right after ``linear`` (whose backward
    reads its input x, not its output h) the gradients are those of torch.relu(F.linear(...))."""
    rng = np.random.default_rng(7)
    x, w, b = rng.normal(size=(6, 3)), rng.normal(size=(4, 3)), rng.normal(size=4)
    h = linear(Tensor(x), Tensor(w), Tensor(b))
    before = h.data.copy()
    assert (before < 0).any() and (before > 0).any()  # so the overwrite is visible
    out = h.relu_()
    assert np.shares_memory(out.data, h.data)  # no second array
    np.testing.assert_array_equal(h.data, np.maximum(before, 0))
    assert_matches_torch(
        lambda x, w, b: linear(x, w, b).relu_(),
        lambda x, w, b: torch.relu(F.linear(x, w, b)),
        [x, w, b],
        FLOAT64,
    )


# --- saturation: no overflow at +-1000 --------------------------------------------------------

SATURATING = [
    # spelling, torch, hand values at (-1000, 1000), hand slopes there
    ("sigmoid", torch.sigmoid, [0.0, 1.0], [0.0, 0.0]),  # s (1 - s): 0 at both ends
    ("tanh", torch.tanh, [-1.0, 1.0], [0.0, 0.0]),  # 1 - t**2 = 0
    ("softplus", F.softplus, [0.0, 1000.0], [0.0, 1.0]),  # log(1 + e**x) -> 0 or x; slope sigmoid(x)
]


@pytest.mark.parametrize("name, theirs, values, slopes", SATURATING, ids=[s[0] for s in SATURATING])
def test_saturating_functions_are_finite_and_exact_at_plus_minus_1000(name, theirs, values, slopes) -> None:
    """The stable forms never exponentiate a large positive number: no overflow, no nan."""
    x = np.array([-1000.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, (grad,) = run_ours(lambda a: getattr(a, name)(), [x], FLOAT64, weights=np.ones)
    np.testing.assert_allclose(out, values, rtol=1e-15, atol=0)
    np.testing.assert_allclose(grad, slopes, rtol=1e-15, atol=0)
    assert_matches_torch(lambda a: getattr(a, name)(), theirs, [x], FLOAT64)


# --- numbers that are not Tensors ----------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["x + a", "x - a", "x * a", "x / a", "x ** a", "m @ a"])
def test_numpy_array_on_the_left_gives_a_tensor(spelling: str) -> None:
    """``ndarray + Tensor`` must reach our ``__radd__``, not make NumPy build an array of Tensors."""
    x, m = np.array([1.5, 2.0, 2.5]), np.arange(6.0).reshape(2, 3)
    a = np.array([0.5, -1.0, 2.0])
    fn = eval(f"lambda a: {spelling}", {"x": x, "m": m})
    assert isinstance(fn(Tensor(a)), Tensor)
    assert_matches_torch(fn, eval(f"lambda a: {spelling}", {"x": torch.tensor(x), "m": torch.tensor(m)}), [a], FLOAT64)


FLOAT32_SPELLINGS = [
    "a + 2.5", "2.5 + a", "a - 1", "1 - a", "a * 3", "0.5 * a", "a / 2", "2 / a", "a ** 2", "a ** 0.5",
    "2 ** a", "-a", "a.exp()", "a.log()", "a.tanh()", "a.sigmoid()", "a.softplus()", "a.relu()",
    "a.sum(axis=0)", "a.mean()", "a.reshape(-1)", "a.T", "a @ a.T", "a + np.float64(1.5)",
]


@pytest.mark.parametrize("spelling", FLOAT32_SPELLINGS)
def test_float32_tensor_stays_float32_through_ops_with_python_numbers(spelling: str) -> None:
    """A Python number adopts the Tensor's dtype, as in PyTorch: float32 in, float32 out,
    float32 gradient (NumPy alone would promote to float64 in some of these)."""
    a = Tensor(np.array([[0.5, 1.0, 2.0], [1.5, 0.25, 3.0]], dtype=np.float32), requires_grad=True)
    out = eval(f"lambda a: {spelling}", {"np": np})(a)
    assert out.dtype == np.float32
    out.sum().backward()
    assert a.grad.dtype == np.float32


def test_linear_in_float32_stays_float32() -> None:
    x = Tensor(np.ones((4, 3), dtype=np.float32))
    w = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, dtype=np.float32), requires_grad=True)
    out = linear(x, w, b)
    assert out.dtype == np.float32
    out.sum().backward()
    assert w.grad.dtype == np.float32 and b.grad.dtype == np.float32


def test_mixed_dtypes_promote_forward_and_cast_each_gradient_back_as_pytorch() -> None:
    """float32 (x) float64 computes in float64, as in PyTorch and NumPy; every input, leaf or
    interior, receives its gradient in its own dtype, with PyTorch's numbers."""
    rng = np.random.default_rng(11)
    a32, b64 = rng.normal(size=(2, 3)).astype(np.float32), rng.normal(size=(3,))
    a, b = Tensor(a32, requires_grad=True), Tensor(b64, requires_grad=True)
    hidden = a.tanh()  # an interior float32 node
    hidden.retain_grad()
    out = (hidden * b + a / b).sum()
    out.backward()
    ta, tb = torch.tensor(a32, requires_grad=True), torch.tensor(b64, requires_grad=True)
    t_hidden = ta.tanh()
    t_hidden.retain_grad()
    t_out = (t_hidden * tb + ta / tb).sum()
    t_out.backward()
    assert out.dtype == np.float64 and t_out.dtype == torch.float64
    for ours, theirs in [(a.grad, ta.grad), (hidden.grad, t_hidden.grad), (b.grad, tb.grad)]:
        assert ours.dtype == theirs.numpy().dtype
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("spelling", ["a.sum()", "a.mean()", "(a.sum() ** 0.5).exp()", "a.sum() * a.sum()", "(a * a).sum().tanh()"])
def test_data_and_grad_stay_ndarrays_when_a_result_is_one_number(spelling: str) -> None:
    """NumPy hands back a scalar (np.float64) for 0-d results; a Tensor keeps a 0-d ndarray,
    so ``.data`` and ``.grad`` are always arrays, as for PyTorch's 0-d tensors."""
    a = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    scalar = Tensor(np.array(2.0), requires_grad=True)
    out = eval(f"lambda a: {spelling}")(a) * scalar
    out.backward()
    for array in (out.data, a.grad, scalar.grad):
        assert isinstance(array, np.ndarray)
    assert type(a.grad) is np.ndarray and type(scalar.grad) is np.ndarray  # gradients are plain arrays
    assert out.data.shape == () and scalar.grad.shape == ()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mean_gives_numpys_mean_to_the_last_bit(dtype) -> None:
    """``mean`` is written as sum / n; NumPy's ``mean`` does the same, so the numbers (and every
    printed figure of the lessons) are bit-for-bit NumPy's."""
    x = (np.random.default_rng(4).normal(size=(200, 3)) * 1e3).astype(dtype)
    for axis in [None, 0, 1, (0, 1)]:
        ours = Tensor(x).mean(axis=axis).data
        assert ours.dtype == dtype and np.array_equal(ours, np.asarray(x.mean(axis=axis)))


def test_tensor_copies_its_data() -> None:
    """Tensor(array) holds its own copy: changing either one later does not change the other."""
    array = np.array([1.0, 2.0, 3.0])
    t = Tensor(array)
    array[0] = 100.0
    assert t.data[0] == 1.0
    t.data[1] = -5.0
    assert array[1] == 2.0
    u = Tensor(t)  # from another Tensor: also a copy
    t.data[2] = 42.0
    assert u.data[2] == 3.0


# --- the graph switches ------------------------------------------------------------------------


def test_requires_grad_spreads_from_any_input() -> None:
    """An op's output needs a gradient if any input does; data alone records no graph."""
    data, weight = Tensor([1.0, 2.0]), Tensor([3.0, 4.0], requires_grad=True)
    assert not data.requires_grad
    assert (data * weight).requires_grad and (weight * data).requires_grad
    assert (weight * 2).requires_grad and (2 * weight).requires_grad
    plain = data * data + 1
    assert not plain.requires_grad and plain.parents == ()
    loss = (data * weight).sum()
    loss.backward()
    assert data.grad is None  # data is not differentiated
    np.testing.assert_array_equal(weight.grad, [1.0, 2.0])  # d(sum(data * w))/dw = data


def test_no_grad_records_no_graph_and_restores_the_previous_state() -> None:
    """Inside no_grad ops give plain Tensors; on the way out (normally, nested, or by an
    exception) the previous setting comes back."""
    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        inside = w * 3
        with no_grad():
            pass
        after_inner = w * 3  # leaving the inner block must not switch recording back on
    assert not inside.requires_grad and inside.parents == ()
    assert not after_inner.requires_grad
    assert (w * 3).requires_grad

    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    out = w * 3
    assert out.requires_grad and out.parents[0] is w


def test_detach_cuts_the_graph_and_shares_the_numbers() -> None:
    """x * x.detach(): the detached copy is a constant, so d/dx = x.detach() (not 2x), as in torch."""
    x = np.array([0.5, -1.5, 2.0])
    t = Tensor(x, requires_grad=True)
    d = t.detach()
    assert not d.requires_grad and d.parents == ()
    assert np.shares_memory(d.data, t.data)  # like torch: no copy
    out, (grad,) = run_ours(lambda a: a * a.detach(), [x], FLOAT64, weights=np.ones)
    np.testing.assert_array_equal(grad, x)
    assert_matches_torch(lambda a: a * a.detach(), lambda a: a * a.detach(), [x], FLOAT64)


def test_retain_grad_keeps_an_interior_gradient_and_others_are_freed() -> None:
    """y = 2x, z = y*y, L = sum(z). Interior gradients are freed after backward() unless asked
    for: y.retain_grad() keeps dL/dy = 2y, z's stays None."""
    x_np = np.array([0.5, -1.0, 3.0])
    x = Tensor(x_np, requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = y * y
    z.sum().backward()
    np.testing.assert_array_equal(y.grad, 2 * (2 * x_np))
    assert z.grad is None
    np.testing.assert_array_equal(x.grad, 8 * x_np)  # dL/dx = 2y * 2 = 8x

    tx = torch.tensor(x_np, requires_grad=True)
    ty = tx * 2
    ty.retain_grad()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(y.grad, ty.grad.numpy(), rtol=1e-15)


def test_leaf_gradients_accumulate_over_backward_calls_until_zero_grad() -> None:
    """Two backward() calls add up, as in PyTorch; zero_grad() resets the gradient to None."""
    rng = np.random.default_rng(3)
    a_np, b_np = rng.normal(size=(2, 3)), rng.normal(size=3)
    a, b = Tensor(a_np, requires_grad=True), Tensor(b_np, requires_grad=True)
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    for _ in range(2):  # a fresh graph each time
        ((a * b).tanh() + b).sum().backward()
        ((ta * tb).tanh() + tb).sum().backward()
    loss = (a * b).sum()  # the same graph twice (torch needs retain_graph=True for that)
    loss.backward()
    loss.backward()
    tloss = (ta * tb).sum()
    tloss.backward(retain_graph=True)
    tloss.backward()
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-12, atol=1e-12)
    a.zero_grad()
    assert a.grad is None
    (a * b).sum().backward()
    np.testing.assert_array_equal(a.grad, np.broadcast_to(b_np, (2, 3)))  # one pass's share only


def test_two_identical_runs_give_bit_identical_gradients() -> None:
    """Parents are tuples and the walk is ordered, so gradients do not depend on luck."""

    def gradients() -> list:
        model = TensorMLP(3, [8, 8, 1], activation="tanh", seed=5)
        x = np.random.default_rng(9).normal(size=(16, 3))
        ((model(x) - 1.0) ** 2).mean().backward()
        return [p.grad.copy() for p in model.parameters()]

    first, second = gradients(), gradients()
    assert all(np.array_equal(g, h) for g, h in zip(first, second))


def test_transpose_swaps_two_axes_as_in_pytorch_and_refuses_numpys_meaning():
    """``x.transpose(0, 1)`` swaps (PyTorch); NumPy's ``transpose()`` or ``transpose(axes)``
    would reorder every axis, and silently return a matrix unchanged for (1, 0) on a 2-D
    one: refused, naming permute and .T."""
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(Tensor(a).transpose(0, 1).data, a.T)
    np.testing.assert_array_equal(Tensor(a).transpose(1, 0).data, a.T)
    for spelling in ["t.transpose()", "t.transpose((1, 0))", "t.transpose(1, 2, 0)"]:
        t = Tensor(np.zeros((2, 3, 4)))
        with pytest.raises(TypeError, match=r"permute.*\.T"):
            eval(spelling)


def test_no_two_gradients_share_memory():
    """+ passes its gradient on unchanged to both inputs, reshape and sum pass views: each leaf
    must still own its .grad, or scaling one gradient in place would silently change another."""
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones((2, 3)), requires_grad=True)
    c = Tensor(np.ones(6), requires_grad=True)
    middle = a + b
    middle.retain_grad()
    seed = np.full((2, 3), 2.0)
    (middle + c.reshape(2, 3)).backward(seed)
    grads = [a.grad, b.grad, c.grad, middle.grad, seed]
    for i in range(len(grads)):
        for j in range(i + 1, len(grads)):
            assert not np.shares_memory(grads[i], grads[j])
    a.grad *= 10  # gradient scaling done in place, as learners do
    assert np.array_equal(b.grad, seed) and np.array_equal(middle.grad, seed)
    assert np.array_equal(c.grad, seed.ravel())


def test_a_leaf_given_a_view_of_a_gradient_gets_a_writeable_array_of_its_own():
    w = Tensor(np.arange(3.0), requires_grad=True)
    w.sum().backward()  # sum's backward is a broadcast view of one number
    assert w.grad.flags.writeable and w.grad.flags.owndata
    w.grad[0] = 5.0
    assert np.array_equal(w.grad, [5.0, 1.0, 1.0])


def test_an_array_operand_is_copied_so_changing_it_later_changes_no_gradient() -> None:
    """x * a keeps a for backward (d(xa)/dx = a); the caller's array may change afterwards."""
    a = np.array([3.0, 4.0])
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * a).sum()
    a[:] = 10.0
    y.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_relu_in_place_refuses_a_view_of_a_parameter() -> None:
    w = Tensor([-1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="view of a leaf"):
        w.reshape(2).relu_()
    np.testing.assert_array_equal(w.data, [-1.0, 2.0])


def test_linear_promotes_a_bias_of_another_dtype_as_the_composite_does() -> None:
    x, w = Tensor(np.ones((2, 3), dtype=np.float32)), Tensor(np.ones((4, 3), dtype=np.float32), requires_grad=True)
    b = Tensor(np.full(4, 0.1), requires_grad=True)  # float64
    assert linear(x, w, b).dtype == (x @ w.T + b).dtype == np.float64
    np.testing.assert_array_equal(linear(x, w, b).data, (x @ w.T + b).data)


def test_the_maximum_of_numbers_with_a_nan_passes_nan_back_as_pytorch() -> None:
    x = np.array([[1.0, np.nan, 2.0], [0.5, 3.0, 3.0]])
    assert_matches_torch(lambda a: a.amax(axis=1), lambda a: a.amax(dim=1), [x], FLOAT64)
    assert_matches_torch(lambda a: a.max(1).values, lambda a: a.max(1).values, [x], FLOAT64)


# --- the softmax family at extreme logits; max and min along a dim; var and std ---------------

EXTREME_LOGITS = [[-1000.0, -1000.0, -1000.0], [1000.0, 1000.0], [1000.0, -1000.0, 0.0], [5e4, 5e4 + 1], [-1e10, -1e10]]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("logits", EXTREME_LOGITS, ids=str)
@pytest.mark.parametrize("name", ["log_softmax", "softmax", "logsumexp"])
def test_softmax_family_is_exact_at_extreme_logits_as_pytorch(name: str, logits, dtype) -> None:
    """(x - m) - log(sum(exp(x - m))) rounds once where x - (m + log ...) rounds twice: in float32
    at logits of -1000 the second gives -1.0986328 for log(1/3) = -1.0986123."""
    x = np.array(logits, dtype=dtype)
    a = Tensor(x, requires_grad=True)
    out = getattr(a, name)(0)
    (out * Tensor(np.arange(1.0, 1.0 + out.size, dtype=dtype).reshape(out.shape))).sum().backward()
    t = torch.tensor(x, requires_grad=True)
    expected = getattr(t, name)(0)
    (expected * torch.arange(1.0, 1.0 + expected.numel(), dtype=t.dtype).reshape(expected.shape)).sum().backward()
    tight = 1e-15 if dtype == np.float64 else 2e-7
    assert out.dtype == dtype and a.grad.dtype == dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=tight, atol=0)
    if name == "logsumexp":  # PyTorch's slope, exp(x - logsumexp(x)), is the rounded one here
        exps = np.exp(np.array(logits) - max(logits))
        np.testing.assert_allclose(a.grad, exps / exps.sum(), rtol=tight, atol=0)  # softmax, exactly
    else:
        np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=tight, atol=tight)


def test_cross_entropy_in_float32_at_plus_minus_1000_is_pytorchs() -> None:
    from tinygrad_edu.losses import cross_entropy

    logits = np.array([[1000.0, -1000.0], [1000.0, 1000.0]], dtype=np.float32)
    a = Tensor(logits, requires_grad=True)
    loss = cross_entropy(a, np.array([0, 1]))
    loss.backward()
    t = torch.tensor(logits, requires_grad=True)
    expected = F.cross_entropy(t, torch.tensor([0, 1]))
    expected.backward()
    assert float(loss) == pytest.approx(expected.item(), rel=2e-7)  # log(2) / 2, not 0.346588
    np.testing.assert_allclose(a.grad, t.grad.numpy(), rtol=2e-7, atol=1e-7)


TIES = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [-1.0, -1.0, -1.0]])


@pytest.mark.parametrize("method", ["max", "min"])
@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, False), (-1, True), (0, True)])
def test_max_along_a_dim_gives_values_and_indices_as_pytorch(method: str, dim: int, keepdim: bool) -> None:
    """PyTorch's max(dim) is a pair; the gradient goes to the number picked (the first of tied
    maxima), unlike amax, which shares it among them."""
    a = Tensor(TIES, requires_grad=True)
    values, indices = getattr(a, method)(dim, keepdim)
    (values * Tensor(np.arange(1.0, 1.0 + values.size).reshape(values.shape))).sum().backward()
    t = torch.tensor(TIES, requires_grad=True)
    expected = getattr(t, method)(dim, keepdim)
    (expected.values * torch.arange(1.0, 1.0 + expected.values.numel(), dtype=t.dtype).reshape(expected.values.shape)).sum().backward()
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    assert indices.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(a.grad, t.grad.numpy())


def test_max_of_one_number_along_dim_0_and_max_of_another_tensor_are_pytorchs() -> None:
    values, indices = Tensor(3.0).max(0)
    assert float(values) == 3.0 and int(indices.data) == 0 and values.shape == indices.shape == ()
    np.testing.assert_array_equal(Tensor(TIES).max(Tensor(np.full(3, 1.5))).data, np.maximum(TIES, 1.5))


def test_var_and_std_read_pytorchs_positional_unbiased_and_keepdim() -> None:
    x = np.random.default_rng(3).normal(size=(3, 4, 5))
    t = torch.tensor(x)
    for ours, theirs in [
        (Tensor(x).var(0, False), t.var(0, False)),
        (Tensor(x).var(1, True, True), t.var(1, True, True)),
        (Tensor(x).std(-1, unbiased=False), t.std(-1, unbiased=False)),
        (Tensor(x).std(dim=(0, 2), keepdim=True, correction=2), t.std(dim=(0, 2), keepdim=True, correction=2)),
    ]:
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-14)


def test_std_of_equal_numbers_sends_zero_back_as_pytorch() -> None:
    """var = 0 there, sqrt's slope is infinite, var's slope is 0: the composite picks 0, not nan."""
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
    assert_matches_torch(lambda a: a.std(1), lambda a: a.std(1), [x], FLOAT64)
    assert_matches_torch(lambda a: a.std(), lambda a: a.std(), [[5.0, 5.0]], FLOAT64)


def test_an_index_array_changed_after_the_pick_still_gets_the_gradient_right() -> None:
    """Backward puts the gradient where the numbers came from at the pick, not where the index
    array points later (PyTorch raises instead; here the pick keeps its own copy)."""
    for make_index in (lambda: np.array([0, 0]), lambda: Tensor(np.array([0, 0]), dtype="int64"),
                       lambda: np.array([True, False, False])):
        x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        index = make_index()
        picked = x[index]
        array = index if isinstance(index, np.ndarray) else index.data
        array[...] = np.array([2, 1]) if array.dtype != bool else np.array([False, False, True])
        picked.sum().backward()
        expected = [1.0, 0.0, 0.0] if index.dtype == bool else [2.0, 0.0, 0.0]
        np.testing.assert_array_equal(x.grad, expected)


@pytest.mark.parametrize("compare", ["==", "!=", "<", "<=", ">", ">="])
def test_a_float32_tensor_is_compared_with_a_float64_array_in_float64_as_pytorch(compare: str) -> None:
    """0.1 in float32 is not 0.1 in float64: PyTorch compares in the wider dtype (an array is a
    Tensor of its own dtype to it), while a Python number takes the Tensor's (x32 == 0.1 holds)."""
    x, y = np.float32([0.1, 0.2, 0.3]), np.array([0.1, 0.25, 0.3])
    ours = eval(f"a {compare} b", {"a": Tensor(x), "b": y})
    theirs = eval(f"a {compare} b", {"a": torch.tensor(x), "b": torch.tensor(y)})
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    number = eval(f"a {compare} 0.1", {"a": Tensor(x)})
    np.testing.assert_array_equal(number.data, eval(f"a {compare} 0.1", {"a": torch.tensor(x)}).numpy())


PROMOTIONS = ["x32 * s64", "s64 + x32", "x32 - i64", "i64 / x32", "x32 ** s64", "where(x32 > 2, x32, s64)",
              "maximum(x32, i64)", "minimum(s64, x32)", "x32 * y64", "s32 * s64", "i64 * s64"]


@pytest.mark.parametrize("spelling", PROMOTIONS)
def test_mixed_dtypes_take_pytorchs_dtype_where_numpy_would_take_another(spelling: str) -> None:
    """A single number (0-d) of float64 beside float32 Tensors with axes, or whole numbers beside
    floats: PyTorch keeps float32 where NumPy goes to float64. Values and gradients, each
    gradient in its own input's dtype."""
    import tinygrad_edu

    numbers = {"x32": np.float32([1.5, 2.5, 3.0]), "y64": np.array([0.5, -1.0, 2.0]), "s64": np.float64(2.0),
               "s32": np.float32(0.75), "i64": np.array([1, 2, 3])}
    ours = {name: Tensor(np.asarray(a), requires_grad=name[0] != "i", dtype=np.asarray(a).dtype) for name, a in numbers.items()}
    theirs = {name: torch.tensor(np.asarray(a), requires_grad=name[0] != "i") for name, a in numbers.items()}
    out = eval(spelling, {"where": tinygrad_edu.where, "maximum": tinygrad_edu.maximum, "minimum": tinygrad_edu.minimum}, ours)
    expected = eval(spelling, {"where": torch.where, "maximum": torch.maximum, "minimum": torch.minimum}, theirs)
    assert out.dtype == expected.detach().numpy().dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-6)
    out.sum().backward()
    expected.sum().backward()
    for name in numbers:
        if name[0] != "i" and theirs[name].grad is not None:
            assert ours[name].grad.dtype == theirs[name].grad.numpy().dtype, name
            np.testing.assert_allclose(ours[name].grad, theirs[name].grad.numpy(), rtol=1e-6)


def test_review_fixes_targets_comparisons_nan_maximum_empty_softmax_and_replayed_casts() -> None:
    """Each against PyTorch: BCE sends a gradient to targets that require one; a float32 Tensor
    meets a 0-d float64 number in float32; max() of every number shares among its nans; softmax
    over an empty axis is empty; a cast to whole numbers inside a recorded step is replayed."""
    from tinygrad_edu import jit
    from tinygrad_edu.losses import binary_cross_entropy

    p, y = Tensor([0.2, 0.7], requires_grad=True), Tensor([0.0, 0.4], requires_grad=True)
    binary_cross_entropy(p, y).backward()
    tp, ty = torch.tensor([0.2, 0.7], requires_grad=True, dtype=torch.float64), torch.tensor([0.0, 0.4], requires_grad=True, dtype=torch.float64)
    F.binary_cross_entropy(tp, ty).backward()
    np.testing.assert_allclose(y.grad, ty.grad.numpy(), rtol=1e-15)

    x32 = np.float32([0.1, 0.5])
    for other in (np.array(0.1), Tensor(0.1), np.array([0.1, 0.5])):
        theirs = torch.tensor(np.asarray(other.data if isinstance(other, Tensor) else other))
        np.testing.assert_array_equal((Tensor(x32) == other).data, (torch.tensor(x32) == theirs).numpy())

    a, t = Tensor([1.0, np.nan, np.nan], requires_grad=True), torch.tensor([1.0, np.nan, np.nan], requires_grad=True, dtype=torch.float64)
    a.max().backward()
    t.max().backward()
    np.testing.assert_array_equal(a.grad, t.grad.numpy())  # [0, 0.5, 0.5]

    assert Tensor(np.zeros((0, 3))).log_softmax(0).shape == tuple(torch.zeros(0, 3).log_softmax(0).shape)

    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)

    def step(x):
        loss = (w * x.to(np.int64)).sum()
        loss.backward()
        w.zero_grad()
        return loss

    replayed = jit(step)
    replayed(Tensor([1.5, 2.5, 3.5]))
    assert float(replayed(Tensor([0.5, 0.5, 2.5]))) == float(step(Tensor([0.5, 0.5, 2.5]))) == 6.0


@pytest.mark.parametrize("spelling", ["a.relu()", "maximum(a, b)", "minimum(a, b)", "maximum(b, a)"])
def test_a_nan_at_a_kink_passes_the_gradient_as_pytorch(spelling: str) -> None:
    """PyTorch's tests are "out <= 0 gives 0" (relu) and "the smaller side gives 0" (maximum):
    a nan fails both, so it passes the gradient on, to both sides of maximum."""
    from tinygrad_edu import maximum, minimum

    a, b = np.array([np.nan, 0.5, -0.5, 1.0]), np.array([0.0, np.nan, 0.0, 1.0])
    assert_matches_torch(eval(f"lambda a, b: {spelling}", {"maximum": maximum, "minimum": minimum}),
                         eval(f"lambda a, b: {spelling}", {"maximum": torch.maximum, "minimum": torch.minimum}), [a, b], FLOAT64)
