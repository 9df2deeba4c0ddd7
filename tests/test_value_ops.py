"""``Value`` beyond the op table (``test_ops.py`` checks every op against PyTorch and finite
differences): the spellings a student types, the special points where libraries tend to go
wrong, and the errors: ``Value`` follows Python's float rules (``1.0 / 0.0`` raises, so
``Value(1.0) / 0`` raises too).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from parity import VALUE, assert_matches_torch, run_ours
from tinygrad_edu.value import Value

SPELLINGS = ["2 + v", "v + 2", "2 - v", "v - 2", "2 * v", "v * 2", "2 / v", "v / 2",
             "v ** 3", "v ** 0.5", "2 ** v", "0.5 ** v", "v ** v", "-v", "1 - 2 / (v ** 2 + 1)"]


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("x", [0.5, 1.5, 2.75])
def test_python_spellings_with_ints_and_floats(spelling: str, x: float) -> None:
    """The expressions a student types, with int and float constants, give PyTorch's answers."""
    fn = eval(f"lambda v: {spelling}")  # one function: Values and tensors share the operators
    assert_matches_torch(fn, fn, [x])


# --- special points -------------------------------------------------------------------------


@pytest.mark.parametrize("x", [0.0, -0.0])
def test_relu_at_exactly_zero_has_gradient_zero(x: float) -> None:
    """max(0, x) has no slope at the kink; like PyTorch we use 0 there."""
    v = Value(x)
    out = v.relu()
    out.backward()
    assert out.data == 0.0 and v.grad == 0.0
    assert_matches_torch(lambda a: a.relu(), torch.relu, [x])


@pytest.mark.parametrize("x", [-2.5, 0.0, 0.3, 7.0])
def test_x_times_x_sends_gradient_through_both_uses(x: float) -> None:
    """d(x*x)/dx = 2x: x is both parents of one node, and both shares must be added."""
    out, (grad,) = run_ours(lambda v: v * v, [x], VALUE, weights=np.ones)
    assert out == x * x and grad == 2 * x
    assert_matches_torch(lambda v: v * v, lambda t: t * t, [x])


SATURATING = [
    # name, ours, torch, x, hand value, hand slope
    ("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, 1000.0, 1.0, 0.0),  # s(1 - s) = 1 * 0
    ("sigmoid", lambda a: a.sigmoid(), torch.sigmoid, -1000.0, 0.0, 0.0),  # e**-1000 underflows to 0
    ("tanh", lambda a: a.tanh(), torch.tanh, 1000.0, 1.0, 0.0),  # 1 - t**2 = 0
    ("tanh", lambda a: a.tanh(), torch.tanh, -1000.0, -1.0, 0.0),
    ("softplus", lambda a: a.softplus(), F.softplus, 1000.0, 1000.0, 1.0),  # log(1 + e**x) ~ x, slope sigmoid(x) = 1
    ("softplus", lambda a: a.softplus(), F.softplus, -1000.0, 0.0, 0.0),  # log(1 + e**x) ~ e**x = 0
]


@pytest.mark.parametrize("name, ours, torch_fn, x, value, slope", SATURATING, ids=[f"{s[0]}({s[3]:g})" for s in SATURATING])
def test_saturating_functions_do_not_overflow_at_plus_minus_1000(name, ours, torch_fn, x, value, slope) -> None:
    """The textbook formulas compute e**1000 = inf here and return nan; the stable forms do not."""
    out, (grad,) = run_ours(ours, [x], VALUE, weights=np.ones)
    assert math.isfinite(out) and math.isfinite(grad)
    assert (out, grad) == (value, slope)
    assert_matches_torch(ours, torch_fn, [x])


POWER_EDGES = [
    # description, function (ours and torch alike), inputs, hand value, hand gradients
    ("v ** 0 at 2: the slope of the constant 1", lambda v: v**0, [2.0], 1.0, [0.0]),
    ("v ** 0 at 0: 0 ** 0 = 1, slope 0", lambda v: v**0, [0.0], 1.0, [0.0]),
    ("v ** 0 at -3", lambda v: v**0, [-3.0], 1.0, [0.0]),
    ("0 ** 2: slope 2 * 0 = 0", lambda v: v**2, [0.0], 0.0, [0.0]),
    ("0 ** 1: slope 1 * 0 ** 0 = 1", lambda v: v**1, [0.0], 0.0, [1.0]),
    ("0 ** 0.5: the slope of sqrt at 0 is infinite", lambda v: v**0.5, [0.0], 0.0, [math.inf]),
    ("(-2) ** 3: slope 3 * (-2) ** 2 = 12", lambda v: v**3, [-2.0], -8.0, [12.0]),
    ("0 ** b with b = 0: d/db is 0, as PyTorch", lambda a, b: a**b, [0.0, 0.0], 1.0, [0.0, 0.0]),
    ("0 ** b with b = 0.5: d/da infinite, d/db 0", lambda a, b: a**b, [0.0, 0.5], 0.0, [math.inf, 0.0]),
    ("0 ** b with b = 2: d/da = 2 * 0 = 0, d/db 0", lambda a, b: a**b, [0.0, 2.0], 0.0, [0.0, 0.0]),
    ("(-2) ** b with b = 3: d/db = 8 ln(-2) is not real: nan", lambda a, b: a**b, [-2.0, 3.0], -8.0, [12.0, math.nan]),
    ("(-1e-110) ** -2: slope -2 * (-1e-110) ** -3 = +inf (overflows)", lambda v: v**-2, [-1e-110], 1e220, [math.inf]),
    ("(1e-200) ** -1: slope -1 * (1e-200) ** -2 = -inf (overflows)", lambda v: v**-1, [1e-200], 1e200, [-math.inf]),
    ("1 / 1e-200: d/db = -1 / b**2 = -inf (b**2 underflows)", lambda a, b: a / b, [1.0, 1e-200], 1e200, [1e200, -math.inf]),
]


@pytest.mark.parametrize("description, fn, inputs, value, grads", POWER_EDGES, ids=[e[0] for e in POWER_EDGES])
def test_power_and_division_edge_cases_match_hand_calculus_and_torch(description, fn, inputs, value, grads) -> None:
    """Zero bases, zero exponents, negative bases, overflowing slopes: value and gradients
    are the limits calculus gives, and the same numbers PyTorch reports."""
    out, our_grads = run_ours(fn, inputs, VALUE, weights=np.ones)
    assert math.isclose(out, value, rel_tol=1e-15)
    for ours, hand in zip(our_grads, grads):
        assert (math.isnan(ours) and math.isnan(hand)) or ours == hand, (float(ours), hand)
    assert_matches_torch(fn, fn, inputs)


# --- errors: Python's float rules, with messages that say what went wrong -------------------

FLOAT_ERRORS = [
    # description, Value op, the same op on Python floats, exception, words the message must contain
    ("1 / 0", lambda: Value(1.0) / Value(0.0), lambda: 1.0 / 0.0, ZeroDivisionError, ["/", "1.0", "0.0"]),
    ("int / Value(0)", lambda: 1 / Value(0.0), lambda: 1 / 0.0, ZeroDivisionError, ["/", "1.0", "0.0"]),
    ("Value / int 0", lambda: Value(1.5) / 0, lambda: 1.5 / 0, ZeroDivisionError, ["/", "1.5", "0.0"]),
    ("0 ** -1", lambda: Value(0.0) ** -1, lambda: 0.0**-1.0, ZeroDivisionError, ["**", "0.0", "-1.0"]),
    ("log(0)", lambda: Value(0.0).log(), lambda: math.log(0.0), ValueError, ["log", "0.0"]),
    ("log(-1)", lambda: Value(-1.0).log(), lambda: math.log(-1.0), ValueError, ["log", "-1.0"]),
    ("exp(1000)", lambda: Value(1000.0).exp(), lambda: math.exp(1000.0), OverflowError, ["exp", "1000"]),
    ("10 ** 400", lambda: Value(10.0) ** 400, lambda: 10.0**400.0, OverflowError, ["**", "10.0", "400"]),
    ("(-8) ** (1/3)", lambda: Value(-8.0) ** (1 / 3), lambda: math.pow(-8.0, 1 / 3), ValueError, ["**", "-8.0", "0.333"]),
    ("(-8) ** Value(1/3)", lambda: Value(-8.0) ** Value(1 / 3), lambda: math.pow(-8.0, 1 / 3), ValueError, ["**", "-8.0"]),
    ("(-8) ** Value(1/3), number base", lambda: (-8) ** Value(1 / 3), lambda: math.pow(-8.0, 1 / 3), ValueError, ["**", "-8.0"]),
]


@pytest.mark.parametrize("description, ours, floats, error, words", FLOAT_ERRORS, ids=[e[0] for e in FLOAT_ERRORS])
def test_value_raises_where_python_floats_raise(description, ours, floats, error, words) -> None:
    """Same exception type as Python's own floats, and a message naming the op and the numbers."""
    with pytest.raises(error):
        floats()
    with pytest.raises(error) as caught:
        ours()
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} missing from {message!r}"


TYPE_ERRORS = [
    ("Value('3')", lambda: Value("3"), "str"),
    ("Value(None)", lambda: Value(None), "NoneType"),
    ("Value(True)", lambda: Value(True), "bool"),
    ("Value([1.0])", lambda: Value([1.0]), "list"),
    ("Value(1) + 'a'", lambda: Value(1) + "a", "str"),
    ("'a' + Value(1)", lambda: "a" + Value(1), "str"),
    ("'a' * Value(1)", lambda: "a" * Value(1), "str"),
    ("Value(1) * None", lambda: Value(1) * None, "NoneType"),
    ("Value(2) ** '2'", lambda: Value(2) ** "2", "str"),
    ("backward(grad='1')", lambda: Value(2).backward(grad="1"), "str"),
]


@pytest.mark.parametrize("description, make, type_name", TYPE_ERRORS, ids=[e[0] for e in TYPE_ERRORS])
def test_non_numbers_raise_type_error_naming_the_type(description, make, type_name) -> None:
    """Only real numbers become Values. bool is refused although Python counts it as an int:
    ``Value(True)`` is almost always a bug. (``"a" * 3`` is string repetition, but
    ``"a" * Value(1)`` is not: a Value is not an int.)"""
    with pytest.raises(TypeError) as caught:
        make()
    assert type_name in str(caught.value)


def test_ints_are_accepted_and_stored_as_floats() -> None:
    """Value(1) is the number 1.0: data is always a float, so no integer arithmetic sneaks in."""
    v = Value(1)
    assert type(v.data) is float and v.data == 1.0
    assert type((Value(3) / 2).data) is float
