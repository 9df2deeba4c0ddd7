"""PyTorch's everyday spellings on a ``Tensor``, each compared with PyTorch itself: ``backward``'s
keywords, ``pow``, ``.mT``, ``size()`` beside NumPy's ``size``, ``numel()``, ``dim()``; masks
combined with ``~ & | ^``; functions of real numbers on masks and whole numbers.

The refusals (``-mask``, ``~`` of numbers, ``create_graph=True``, ...) are lines of
``test_catalogue.py``; the spellings that must give what the plain form gives are in
``test_accepted.py``.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tinygrad_edu import Tensor
from tinygrad_edu.nn import TensorMLP

RNG = np.random.default_rng(8)
X = RNG.standard_normal((2, 3))


def pair(array: np.ndarray):
    """Our leaf and PyTorch's, of the same numbers, both requiring grad."""
    return Tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


# --- backward's keywords ----------------------------------------------------------------------


def test_backward_with_pytorchs_gradient_keyword_gives_pytorchs_gradient():
    seed = RNG.standard_normal((2, 3))
    ours, theirs = pair(X)
    (ours.tanh() * 3).backward(gradient=Tensor(seed))
    (theirs.tanh() * 3).backward(gradient=torch.tensor(seed))
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


def test_backward_twice_with_retain_graph_adds_up_as_in_pytorch():
    """Our graph is always kept; PyTorch keeps it when asked. Both then add the second pass."""
    ours, theirs = pair(X)
    loss, their_loss = (ours * ours).sum(), (theirs * theirs).sum()
    loss.backward(retain_graph=True)
    their_loss.backward(retain_graph=True)
    loss.backward(None, False)
    their_loss.backward(None, False)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, 4 * X, rtol=1e-12)  # 2x, twice


# --- pow and mT ---------------------------------------------------------------------------------


@pytest.mark.parametrize("exponent", [2, 0.5, -1.5, "tensor"])
def test_pow_method_gives_pytorchs_values_and_gradients(exponent):
    base = np.abs(X) + 0.5
    ours, theirs = pair(base)
    if exponent == "tensor":
        e_ours, e_theirs = pair(RNG.standard_normal(3))
        out, their_out = ours.pow(e_ours), theirs.pow(e_theirs)
    else:
        out, their_out = ours.pow(exponent), theirs.pow(exponent)
    np.testing.assert_allclose(out.numpy(), their_out.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    their_out.sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)
    if exponent == "tensor":
        np.testing.assert_allclose(e_ours.grad, e_theirs.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape", [(2, 3), (4, 2, 3), (2, 1, 3, 5)])
def test_mT_swaps_the_last_two_axes_as_in_pytorch(shape):
    ours, theirs = pair(RNG.standard_normal(shape))
    out, their_out = ours.mT, theirs.mT
    assert out.shape == tuple(their_out.shape)
    np.testing.assert_array_equal(out.numpy(), their_out.detach().numpy())
    seed = RNG.standard_normal(out.shape)
    out.backward(seed)
    their_out.backward(torch.tensor(seed))
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


# --- size, numel, dim -----------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 0, 4)])
def test_size_is_numpys_count_and_pytorchs_method(shape):
    array = np.zeros(shape)
    ours, theirs = Tensor(array), torch.tensor(array)
    assert ours.size == array.size and ours.numel() == theirs.numel() and ours.dim() == theirs.dim()
    assert ours.size() == tuple(theirs.size())
    for d in range(-len(shape), len(shape)):
        assert ours.size(d) == theirs.size(d) and ours.size(dim=d) == theirs.size(dim=d)


def test_size_behaves_as_the_int_it_is():
    """Arithmetic, formatting, NumPy and pickling see the number of elements."""
    size = Tensor(np.zeros((2, 3))).size
    assert size + 1 == 7 and type(size + 1) is int and f"{size}" == "6" and repr(size) == "6"
    assert np.zeros(size).shape == (6,) and list(range(size)) == [0, 1, 2, 3, 4, 5]
    copy = pickle.loads(pickle.dumps(size))
    assert copy == 6 and copy() == (2, 3)


def test_the_librarys_own_uses_of_size_still_count_elements():
    model = TensorMLP(2, [3, 1], seed=0)
    assert "# 13 parameters" in repr(model)  # (2*3 + 3) + (3*1 + 1), counted by hand
    with pytest.raises(ValueError, match=r"\(6 numbers\)"):
        Tensor(np.zeros((2, 3))).reshape(4, 2)
    with pytest.raises(RuntimeError, match="single number"):
        Tensor(np.zeros(2), requires_grad=True).backward()
    assert Tensor([[2.5]]).item() == 2.5 and bool(Tensor([[1.0]]))


# --- masks: ~ & | ^ ----------------------------------------------------------------------------

A = RNG.standard_normal((2, 3)) > 0
B = RNG.standard_normal(3) > 0  # broadcast against A's rows


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda a, b, na, nb: ~a, lambda a, b: ~a),
        (lambda a, b, na, nb: a & b, lambda a, b: a & b),
        (lambda a, b, na, nb: a | b, lambda a, b: a | b),
        (lambda a, b, na, nb: a ^ b, lambda a, b: a ^ b),
        (lambda a, b, na, nb: na & b, lambda a, b: a & b),  # a bool array on the left
        (lambda a, b, na, nb: na | b, lambda a, b: a | b),
        (lambda a, b, na, nb: na ^ b, lambda a, b: a ^ b),
        (lambda a, b, na, nb: a & nb.tolist(), lambda a, b: a & b),  # a list of bools on the right
        (lambda a, b, na, nb: True & a, lambda a, b: True & a),  # Python's bools, either side
        (lambda a, b, na, nb: False | a, lambda a, b: False | a),
        (lambda a, b, na, nb: True ^ a, lambda a, b: True ^ a),
        (lambda a, b, na, nb: a ^ True, lambda a, b: a ^ True),
    ],
    ids=["~a", "a & b", "a | b", "a ^ b", "array & b", "array | b", "array ^ b", "a & list", "True & a", "False | a",
         "True ^ a", "a ^ True"],
)
def test_masks_combine_as_pytorchs(ours, theirs):
    out = ours(Tensor(A), Tensor(B), A, B)
    expected = theirs(torch.tensor(A), torch.tensor(B)).numpy()
    assert out.dtype == bool and expected.dtype == bool
    np.testing.assert_array_equal(out.numpy(), expected)


def test_a_combined_mask_is_numpys_and_selects_numbers():
    x = Tensor(X, requires_grad=True)
    mask = ~((x > 0) & (x < 1) | (x > 2) ^ (x < -1))
    np.testing.assert_array_equal(mask.numpy(), ~((X > 0) & (X < 1) | (X > 2) ^ (X < -1)))
    np.testing.assert_array_equal(x[mask].numpy(), X[mask.numpy()])


def test_masks_combined_record_no_graph_even_from_a_mask_set_to_require_grad():
    """As a comparison's: a mask takes no gradient (one set to require grad by hand included)."""
    mask = Tensor([True, False])
    mask.requires_grad = True
    for out in (~mask, mask & mask, mask | True, False ^ mask):
        assert not out.requires_grad and out.is_leaf


# --- functions of real numbers on masks and whole numbers --------------------------------------

REAL_FUNCTIONS = [
    ("exp", lambda t: t.exp(), torch.exp),
    ("log", lambda t: t.log(), torch.log),
    ("tanh", lambda t: t.tanh(), torch.tanh),
    ("sin", lambda t: t.sin(), torch.sin),
    ("cos", lambda t: t.cos(), torch.cos),
    ("sigmoid", lambda t: t.sigmoid(), torch.sigmoid),
    ("softplus", lambda t: t.softplus(), F.softplus),
    ("sqrt", lambda t: t.sqrt(), torch.sqrt),
]
MASK = np.array([[True, False], [False, True]])
WHOLE = np.array([[3, 0], [7, 12]])


@pytest.mark.parametrize("name, ours, theirs", REAL_FUNCTIONS, ids=[f[0] for f in REAL_FUNCTIONS])
@pytest.mark.parametrize("numbers", [MASK, WHOLE], ids=["bool", "int64"])
def test_functions_of_real_numbers_take_masks_and_whole_numbers_as_float64(name, ours, theirs, numbers):
    """PyTorch gives a float for these; ours is the library's default float, float64."""
    out = ours(Tensor(numbers, dtype=numbers.dtype))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.numpy(), theirs(torch.tensor(numbers, dtype=torch.float64)).numpy(), rtol=1e-14)
    if name != "softplus":  # PyTorch itself computes these on bool and int64 (in float32): the same meaning
        np.testing.assert_allclose(out.numpy(), theirs(torch.tensor(numbers)).numpy(), rtol=1e-6)


def test_negation_keeps_whole_numbers_whole_as_in_pytorch():
    out = -Tensor(WHOLE, dtype="int64")
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.numpy(), (-torch.tensor(WHOLE)).numpy())


def test_negative_powers_of_floats_made_from_whole_numbers_are_fine():
    """The fix named by the refusal of int64 ** negative int64 works: a float base."""
    base = Tensor([2, 4], dtype="int64")
    out = base.double() ** Tensor([-1, -2], dtype="int64")
    np.testing.assert_allclose(out.numpy(), (torch.tensor([2, 4]).double() ** torch.tensor([-1, -2])).numpy(), rtol=1e-15)
