"""Every op, from one table (``op_table.py``), on every backend it applies to, checked two ways.

1. against PyTorch: the output, and the gradient of every input for L = sum(out * w) with a
   fixed random w (``parity.py``); in float64 for ``Value`` and ``Tensor``, and in float32 for
   ``Tensor``, whose results must stay float32;
2. against central finite differences, (L(x + eps) - L(x - eps)) / (2 eps) for every element of
   every input: calculus from first principles, trusting no library (float64 only: float32's
   rounding would swamp the difference quotient).

A ``Value`` row is checked at several points of its domain; a Tensor row at one point, which
already holds many numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from op_table import ROWS
from parity import FLOAT32, VALUE, assert_matches_torch, output_weights
from tinygrad_edu.gradcheck import gradcheck
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.value import FUNCTIONS

VALUE_DRAWS = 5  # points per Value row


def cases(with_float32: bool) -> list:
    return [
        pytest.param(row, backend, draw, id=f"{backend}: {row}" + (f" #{draw}" if draw else ""))
        for row in ROWS
        for backend in row.backends
        if with_float32 or (backend is not FLOAT32 and row.finite_differences)
        for draw in range(VALUE_DRAWS if backend is VALUE else 1)
    ]


@pytest.mark.parametrize("row, backend, draw", cases(with_float32=True))
def test_op_matches_torch(row, backend, draw) -> None:
    """Output and every input gradient equal PyTorch's, in shape, dtype and numbers."""
    assert_matches_torch(row.ours(), row.theirs(), row.inputs(draw), backend)


@pytest.mark.parametrize("row, backend, draw", cases(with_float32=False))
def test_op_matches_finite_differences(row, backend, draw) -> None:
    """backward() agrees with (L(x + eps) - L(x - eps)) / (2 eps), element by element."""
    fn, inputs = row.ours(), row.inputs(draw)
    if backend is VALUE:
        assert gradcheck(fn, [float(x) for x in inputs])
    else:
        w = output_weights(fn(*[Tensor(x) for x in inputs]).shape)
        assert gradcheck(lambda *xs: (fn(*xs) * w).sum(), inputs)


def test_every_function_of_a_value_has_rows() -> None:
    """A function added to Value (and so to the command line) without a row of the table fails here."""
    spelled = " ".join(row.spelling for row in ROWS if VALUE in row.backends)
    for name in FUNCTIONS:
        assert f".{name}(" in spelled, name
    for symbol in ("+", "-", "*", "/", "**"):
        assert f" {symbol} " in spelled, symbol


def test_the_table_covers_broadcasting_both_ways() -> None:
    """Each binary op meets a broadcast on its left and on its right, and a 0-d operand."""
    for spelling in ("a + b", "a * b", "maximum(a, b)"):
        shapes = {row.shapes for row in ROWS if row.spelling == spelling}
        assert {((3,), (2, 3)), ((2, 3), (3,)), ((), (2, 3)), ((2, 1, 4), (3, 1))} <= shapes
    assert np.mean([len(row.backends) for row in ROWS]) > 2  # most rows run in float32 too


def test_the_readme_s_example_of_adding_an_op_works_as_written() -> None:
    """The README's "Adding an op" section: its class, exposed as it says, passes the same
    checks as every op of the table, on Value and on Tensor."""
    import re
    from pathlib import Path

    import torch.nn.functional as F

    from parity import FLOAT64, assert_matches_torch
    from tinygrad_edu import ops
    from tinygrad_edu.tensor.core import _unary as tensor_method
    from tinygrad_edu.value import _unary as value_method

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Adding an op")[1].split("\n## ")[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = vars(ops).copy()
    exec(code, namespace)
    softsign = namespace["Softsign"]()
    row = re.search(r'\("a\.softsign\(\)", \(\), "(.*?)"\)', section)  # the row it tells us to add
    assert row and row.group(1) == "F.softsign(a)"
    for x in (-2.0, 0.3, 1.7):
        assert_matches_torch(value_method(softsign), F.softsign, [x])
    assert_matches_torch(tensor_method(softsign), F.softsign, [np.linspace(-3, 3, 7).reshape(7, 1)], FLOAT64)
    assert gradcheck(value_method(softsign), [0.4])
