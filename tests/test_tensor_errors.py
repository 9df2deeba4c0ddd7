"""Bad input gets a clear error: the kind of exception Python users expect, and a message that
names what was wrong (both shapes, the op, the axis, the type), so a student can fix it without
reading the library."""

from __future__ import annotations

import operator

import numpy as np
import pytest

from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.tensor import Tensor, linear, no_grad


def message_of(excinfo: pytest.ExceptionInfo) -> str:
    return str(excinfo.value)


BINARY = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


# --- shapes --------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
@pytest.mark.parametrize("left, right", [((2, 3), (4,)), ((5, 2), (5, 3)), ((3,), (2, 4))])
def test_shape_mismatch_names_both_shapes_and_the_op(op: str, left, right) -> None:
    """Shapes that cannot broadcast: NumPy compares from the right, sizes equal or one of them 1."""
    a, b = Tensor(np.ones(left), requires_grad=True), Tensor(np.ones(right))
    with pytest.raises(ValueError) as excinfo:
        BINARY[op](a, b)
    text = message_of(excinfo)
    assert str(left) in text and str(right) in text
    assert text.startswith(f"{op}:")


@pytest.mark.parametrize("left, right", [((2, 3), (4, 5)), ((3,), (4,)), ((2, 3), (2,)), ((4,), (3, 2))])
def test_matmul_mismatch_names_both_shapes(left, right) -> None:
    """A @ B needs A's last size to equal B's first size."""
    with pytest.raises(ValueError) as excinfo:
        Tensor(np.ones(left)) @ Tensor(np.ones(right))
    text = message_of(excinfo)
    assert "@" in text and str(left) in text and str(right) in text


def test_matmul_batches_that_cannot_broadcast_are_refused_naming_them() -> None:
    """Stacks of 2 and of 3 matrices do not pair up (NumPy and PyTorch agree)."""
    with pytest.raises(ValueError) as excinfo:
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((3, 4, 5)))
    assert "(2,)" in message_of(excinfo) and "(3,)" in message_of(excinfo) and "batch" in message_of(excinfo)


def test_linear_with_the_wrong_number_of_features_names_both_shapes() -> None:
    with pytest.raises(ValueError) as excinfo:
        linear(Tensor(np.ones((5, 3))), Tensor(np.ones((2, 4))))
    assert "(5, 3)" in message_of(excinfo) and "(2, 4)" in message_of(excinfo)


def test_reshape_to_an_impossible_shape_names_both_shapes() -> None:
    """6 numbers cannot fill a shape of 4 (or 9)."""
    t = Tensor(np.ones((2, 3)))
    for target in [(4,), (3, 3)]:
        with pytest.raises(ValueError) as excinfo:
            t.reshape(target)
        assert "(2, 3)" in message_of(excinfo) and str(target) in message_of(excinfo)


@pytest.mark.parametrize("method", ["sum", "mean"])
@pytest.mark.parametrize("axis", [2, -3, (0, 5)])
def test_bad_axis_in_a_reduction_names_the_axis(method: str, axis) -> None:
    """A (2, 3) Tensor has axes 0, 1 (or -1, -2)."""
    with pytest.raises(ValueError) as excinfo:
        getattr(Tensor(np.ones((2, 3))), method)(axis=axis)
    bad = axis if isinstance(axis, int) else axis[1]
    assert f"axis {bad}" in message_of(excinfo) and method in message_of(excinfo)


# --- backward ----------------------------------------------------------------------------------


def test_backward_on_a_non_scalar_says_to_reduce_first() -> None:
    """A gradient is of one number; an array of them needs .mean() or .sum() first."""
    out = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(RuntimeError) as excinfo:
        out.backward()
    text = message_of(excinfo)
    assert "(2, 3)" in text and "single number" in text
    assert ".mean()" in text and ".sum()" in text


def test_backward_with_a_wrong_shaped_gradient_names_both_shapes() -> None:
    out = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(ValueError) as excinfo:
        out.backward(np.ones((3, 2)))
    assert "(3, 2)" in message_of(excinfo) and "(2, 3)" in message_of(excinfo)


def test_backward_on_a_tensor_that_does_not_require_grad_says_why() -> None:
    data = Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad") as excinfo:
        (data * data).sum().backward()
    assert "requires_grad=True" in message_of(excinfo)

    w = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        loss = (w * w).sum()
    with pytest.raises(RuntimeError, match="no_grad"):
        loss.backward()


# --- what a Tensor can hold and be combined with ----------------------------------------------


@pytest.mark.parametrize(
    "data, named",
    [("abc", "str"), (None, "NoneType"), ([1 + 2j, 3j], "complex"), ({"a": 1.0}, "dict"), (["1.0", "2.0"], "list")],
)
def test_tensor_of_non_numbers_is_refused_naming_the_type(data, named: str) -> None:
    with pytest.raises(TypeError, match=named):
        Tensor(data)


def test_tensor_of_integers_becomes_float64_and_other_dtypes_are_refused_by_name() -> None:
    """Numbers to differentiate are float64 by default, ints included; int64 and bool are for
    indices and masks; anything else is refused by name."""
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor([1, 2, 3], dtype="int64").dtype == np.int64 and Tensor([True, False]).dtype == bool
    for dtype in [np.int32, np.float16, np.complex128]:
        with pytest.raises(ValueError, match=np.dtype(dtype).name):
            Tensor([1.0, 2.0], dtype=dtype)
    with pytest.raises(RuntimeError, match="floating-point"):
        Tensor([1, 2], dtype="int64", requires_grad=True)


NON_NUMBERS = {
    "t + 'abc'": lambda t: t + "abc",
    "'abc' + t": lambda t: "abc" + t,
    "t * 'abc'": lambda t: t * "abc",
    "t - 'abc'": lambda t: t - "abc",
    "t / 'abc'": lambda t: t / "abc",
    "t ** 'abc'": lambda t: t ** "abc",
    "t @ 'abc'": lambda t: t @ "abc",
    "t + None": lambda t: t + None,
    "None * t": lambda t: None * t,
}


@pytest.mark.parametrize("spelling", list(NON_NUMBERS))
def test_combining_a_tensor_with_a_non_number_raises_type_error_naming_the_type(spelling: str) -> None:
    t = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError) as excinfo:
        NON_NUMBERS[spelling](t)
    assert ("str" if "abc" in spelling else "NoneType") in message_of(excinfo)


# --- models ----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 3), (3,), (5, 2, 1), ()])
def test_tensor_mlp_given_the_wrong_input_shape_names_the_shapes(shape) -> None:
    model = TensorMLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError) as excinfo:
        model(np.ones(shape))
    text = message_of(excinfo)
    assert "(n, 2)" in text and f"got shape {shape}" in text


def test_tensor_mlp_with_one_input_suggests_a_column_for_a_flat_array() -> None:
    """The commonest slip: passing x of shape (n,) to a model that takes (n, 1)."""
    model = TensorMLP(1, [4, 1], seed=0)
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        model(np.ones(10))


def test_relu_in_place_refuses_to_overwrite_a_leaf_that_requires_grad():
    """As PyTorch: the leaf's numbers are what backward differentiates with respect to."""
    leaf = Tensor(np.array([-1.0, 2.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        leaf.relu_()
    assert np.array_equal(leaf.data, [-1.0, 2.0])  # untouched


def test_overwriting_numbers_an_op_saved_is_caught_at_backward():
    """Here dL/dw = h: overwriting h by ``relu_`` after ``h * w`` was recorded would make w's
    gradient silently wrong. As in PyTorch, backward() raises, naming the op that saved h."""
    h = linear(Tensor([[1.0, -2.0]]), Tensor([[1.0, 0.5], [-1.0, 1.0]], requires_grad=True))
    h.label = "h"
    w = Tensor([[3.0, 4.0]], requires_grad=True)
    product = (h * w).sum()
    h.relu_()
    with pytest.raises(RuntimeError, match=r"'h'.*'\*'.*changed in place") as excinfo:
        product.backward()
    assert "version 1, saved at version 0" in message_of(excinfo)
    assert w.grad is None  # nothing was half-computed into the leaves


def test_relu_in_place_through_a_view_is_caught_too():
    """A reshape shares its numbers, and the count of changes to them, with its input."""
    h = linear(Tensor([[1.0, -2.0]]), Tensor([[1.0, 0.5], [-1.0, 1.0]], requires_grad=True))
    w = Tensor([[3.0, 4.0]], requires_grad=True)
    product = (h * w).sum()
    h.reshape(-1).relu_()
    with pytest.raises(RuntimeError, match="changed in place"):
        product.backward()
