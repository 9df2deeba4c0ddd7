"""``gradcheck`` can fail: proof that the finite-difference checks elsewhere mean something.

A check that never fails proves nothing. Here we build Values whose backward rule was
tampered with after the op computed them, and gradcheck must refuse them, naming the input
and giving both numbers, backward()'s and the finite difference.
"""

from __future__ import annotations

import math

import pytest

from tinygrad_edu import ops
from tinygrad_edu.gradcheck import GradcheckError, analytic_gradients, gradcheck, numerical_gradients
from tinygrad_edu.value import Value


class Tampered(ops.Op):
    """Another op's rules, with what backward sends to one parent scaled by ``factor``."""

    def __init__(self, op: ops.Op, parent: int, factor: float):
        self.op, self.parent, self.factor, self.name = op, parent, factor, op.name

    def backward(self, xp, grad, *saved):
        grads = list(self.op.backward(xp, grad, *saved))
        grads[self.parent] *= self.factor
        return grads


def tampered(node: Value, parent: int, factor: float) -> Value:
    """Multiply one share d(node)/d(parent) by ``factor``: a deliberately wrong backward."""
    node.op = Tampered(node.op, parent, factor)
    return node


CORRECT = [
    ("a * b + tanh(a)", lambda a, b: a * b + a.tanh(), [0.7, -1.9]),
    ("a / b", lambda a, b: a / b, [1.3, -0.6]),
    ("log(a) * exp(b)", lambda a, b: a.log() * b.exp(), [2.5, 0.4]),
    ("a ** b", lambda a, b: a**b, [1.7, -1.1]),
    ("sigmoid(a) - softplus(a) + relu(a)", lambda a: a.sigmoid() - a.softplus() + a.relu(), [0.9]),
]


@pytest.mark.parametrize("name, f, inputs", CORRECT, ids=[c[0] for c in CORRECT])
def test_gradcheck_accepts_correct_ops(name, f, inputs) -> None:
    assert gradcheck(f, inputs) is True


def test_a_wrong_local_derivative_is_caught_and_named() -> None:
    """d(ab)/da should be b; we make it 2b. The message names input 0 and both numbers."""
    f = lambda a, b: tampered(a * b, parent=0, factor=2.0)  # noqa: E731
    inputs = [0.5, -3.0]
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, inputs)
    message = str(caught.value)
    backward_says = 2 * inputs[1]  # the wrong slope we planted: 2b
    finite_differences_say = float(numerical_gradients(f, inputs)[0])
    assert math.isclose(finite_differences_say, inputs[1], rel_tol=1e-8)  # the true slope: b
    assert "input 0" in message and "input 1" not in message  # d(ab)/db = a was left alone
    assert repr(backward_says) in message
    assert repr(finite_differences_say) in message


def test_only_the_wrong_input_is_named() -> None:
    """Tamper with the second operand's slope: gradcheck blames input 1, not input 0."""
    f = lambda a, b: tampered(a * b, parent=1, factor=-1.0) + a.exp()  # noqa: E731
    with pytest.raises(GradcheckError, match="input 1") as caught:
        gradcheck(f, [0.5, -3.0])
    assert "input 0" not in str(caught.value)


def test_a_forgotten_square_in_tanh_is_caught() -> None:
    """A classic slip: d tanh(x)/dx written as 1 - t instead of 1 - t**2."""

    class ForgottenSquare(ops.Tanh):
        def backward(self, xp, grad, out):
            return (grad * (1 - out),)

    def wrong_tanh(x: Value) -> Value:
        out = x.tanh()
        out.op = ForgottenSquare()
        return out

    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(wrong_tanh, [0.8])


def test_a_wrong_slope_deep_inside_a_graph_is_caught() -> None:
    """An error one part in a thousand, two ops below the output, still shows."""
    f = lambda a, b: (tampered(a.sigmoid(), parent=0, factor=1.001) * b).tanh()  # noqa: E731
    with pytest.raises(GradcheckError, match="input 0"):
        gradcheck(f, [0.3, 1.2])


def test_finite_differences_match_hand_calculus() -> None:
    """d(x**3)/dx = 3x**2 = 12 at x = 2; d(x*y)/dy = x. Central differences are this close."""
    dx, dy = numerical_gradients(lambda x, y: x**3 + x * y, [2.0, 5.0])
    assert math.isclose(float(dx), 3 * 2.0**2 + 5.0, rel_tol=1e-8)
    assert math.isclose(float(dy), 2.0, rel_tol=1e-8)


def test_an_unused_input_has_gradient_zero() -> None:
    """f(a, b) = a * a does not depend on b: both methods say 0 for b."""
    f = lambda a, b: a * a  # noqa: E731
    assert float(analytic_gradients(f, [1.5, 4.0])[1]) == 0.0
    assert float(numerical_gradients(f, [1.5, 4.0])[1]) == 0.0
    assert gradcheck(f, [1.5, 4.0])
