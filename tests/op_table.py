"""One table of every op, for every backend it applies to (``test_ops.py`` runs it).

A row says how an op is spelled on our numbers (Python over inputs a, b, c), how PyTorch
spells it (the same text unless given), the shapes of the inputs and where each input is drawn
from. The text is read twice, once with our functions and once with torch's, so one spelling
often serves both: ``cat([a, b], dim=1)`` is ``tinygrad_edu.cat`` on one side and ``torch.cat``
on the other.

Rows are made over the shapes that break gradient code: scalars (shape ()), (3,) with (2, 3),
(5, 1) with (5, 5), (2, 1, 4) with (3, 1). A broadcast input is used several times, so its
gradient is a sum; a wrong ``sum_to_shape`` fails here. Elementwise ops of numbers also run on
``Value``, from the rows where every shape is ().

Inputs come from a domain where the op is defined and smooth, so finite differences are honest:
no input within 0.5 of a kink (relu at 0, clip at its bounds), no ties for max and min.
Kinks, ties and saturation are tested on their own, against PyTorch's conventions.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

import tinygrad_edu
from tinygrad_edu import losses
from parity import FLOAT32, FLOAT64, VALUE

Shape = Tuple[int, ...]

# --- domains ---------------------------------------------------------------------------------


def anywhere(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    return rng.normal(size=shape)


def positive(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    return rng.uniform(0.5, 2.0, size=shape)


def away_from_zero(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """A divisor, or an input to relu or abs: |x| >= 0.5, so x +- eps never crosses 0."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def spread_out(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """Numbers at least 0.1 apart (a shuffled grid, jittered): max and min have no ties."""
    count = int(np.prod(shape))
    grid = (np.arange(count) - count / 2) * 0.3 + rng.uniform(-0.1, 0.1, size=count)
    return rng.permutation(grid).reshape(shape)


def away_from_bounds(rng: np.random.Generator, shape: Shape) -> np.ndarray:
    """For clip(-0.5, 0.5) and clip at 0.1 or 0.3: never within 0.05 of -0.5, 0.1, 0.3, 0.5."""
    pools = [(-2.0, -0.6), (-0.4, 0.0), (0.15, 0.25), (0.35, 0.45), (0.6, 2.0)]
    picks = rng.integers(len(pools), size=shape)
    low, high = np.array(pools).T
    return rng.uniform(low[picks], high[picks])


# --- a row -----------------------------------------------------------------------------------

CLASSES = [0, 2, 1, 1]  # class targets for the losses of several classes
LABELS = [0.0, 1.0, 0.25, 1.0]  # targets for binary cross-entropy (a soft one among them)
OURS = {"np": np, **{name: getattr(tinygrad_edu, name) for name in ("where", "maximum", "minimum", "cat", "stack", "linear")},
        "cross_entropy": losses.cross_entropy, "nll_loss": losses.nll_loss, "mean_squared_error": losses.mean_squared_error,
        "binary_cross_entropy": losses.binary_cross_entropy, "CLASSES": CLASSES, "LABELS": LABELS}
THEIRS = {"np": np, "F": F, "torch": torch, "where": torch.where, "maximum": torch.maximum, "minimum": torch.minimum,
          "cat": torch.cat, "stack": torch.stack, "linear": F.linear, "cross_entropy": F.cross_entropy, "nll_loss": F.nll_loss,
          "binary_cross_entropy": lambda p, y: F.binary_cross_entropy(p, torch.tensor(y, dtype=p.dtype)),
          "CLASSES": torch.tensor(CLASSES), "LABELS": LABELS}


@dataclass(frozen=True)
class Row:
    spelling: str  # Python over a, b, c, on our numbers
    shapes: Tuple[Shape, ...]
    domains: Tuple[Callable, ...]
    torch_spelling: str
    on_value: bool  # a Value has this op too (an elementwise op of numbers)
    finite_differences: bool = True  # False where float32 rounding would swamp the quotient

    @property
    def names(self) -> str:
        return ", ".join("abc"[: len(self.shapes)])

    def ours(self) -> Callable:
        return eval(f"lambda {self.names}: {self.spelling}", dict(OURS))

    def theirs(self) -> Callable:
        return eval(f"lambda {self.names}: {self.torch_spelling}", dict(THEIRS))

    def inputs(self, draw: int = 0) -> list:
        """The inputs, from a generator seeded by the row's text (and ``draw``): the same every run."""
        rng = np.random.default_rng(zlib.crc32(f"{self.spelling}{self.shapes}{draw}".encode()))
        return [np.asarray(domain(rng, shape), dtype=np.float64) for domain, shape in zip(self.domains, self.shapes)]

    @property
    def backends(self) -> tuple:
        scalars = all(shape == () for shape in self.shapes)
        return ((VALUE,) if self.on_value and scalars else ()) + (FLOAT64, FLOAT32)

    def __str__(self) -> str:
        shapes = ",".join(str(s).replace(" ", "") for s in self.shapes)
        return f"{self.spelling} @ {shapes}"


def row(spelling: str, shapes: Sequence[Shape], domains: Sequence[Callable] = (), torch: str = "", on_value: bool = False) -> Row:
    domains = tuple(domains) + (anywhere,) * (len(shapes) - len(domains))
    in_float64 = ".float()" not in spelling  # a float32 result rounds away a finite difference
    return Row(spelling, tuple(tuple(s) for s in shapes), domains, torch or spelling, on_value, in_float64)


# --- the table -------------------------------------------------------------------------------

# Pairs of shapes NumPy broadcasts together: the left operand's, then the right operand's.
BROADCAST_PAIRS = [
    ((), ()), ((2, 3), (2, 3)), ((3,), (2, 3)), ((2, 3), (3,)), ((5, 1), (5, 5)), ((5, 5), (5, 1)),
    ((2, 1, 4), (3, 1)),  # both stretch: the result has shape (2, 3, 4)
    ((3, 1), (2, 1, 4)), ((), (2, 3)), ((2, 3), ()),
]

BINARY = [  # spelling, domains, torch spelling, on Value
    ("a + b", (), "", True),
    ("a - b", (), "", True),
    ("a * b", (), "", True),
    ("a / b", (anywhere, away_from_zero), "", True),
    ("a ** b", (positive, anywhere), "", True),  # a variable exponent needs a positive base: d/db = a**b ln(a)
    ("maximum(a, b)", (spread_out, spread_out), "", False),
    ("minimum(a, b)", (spread_out, spread_out), "", False),
    ("where(a > 0, a, b)", (away_from_zero, anywhere), "", False),
]

WITH_NUMBERS = [  # a Python number on either side: the number is a constant
    ("a + 2.5", ()), ("2.5 + a", ()), ("a + 2", ()), ("a - 2.5", ()), ("2.5 - a", ()), ("a * -1.5", ()),
    ("-1.5 * a", ()), ("3 * a", ()), ("a / 2.5", ()), ("2.5 / a", (away_from_zero,)), ("a ** 3", ()),
    ("a ** 2.5", (positive,)), ("a ** -1.5", (positive,)), ("a ** 0", ()),  # constant 1: gradient 0
    ("2 ** a", ()), ("0.5 ** a", ()),
]

UNARY = [  # spelling, domains, torch spelling
    ("-a", (), ""),
    ("a.exp()", (), ""),
    ("a.log()", (positive,), ""),
    ("a.tanh()", (), ""),
    ("a.sigmoid()", (), ""),
    ("a.softplus()", (), "F.softplus(a)"),
    ("a.relu()", (away_from_zero,), ""),
    ("a.leaky_relu()", (away_from_zero,), "F.leaky_relu(a)"),
    ("a.leaky_relu(0.2)", (away_from_zero,), "F.leaky_relu(a, 0.2)"),
    ("a.sqrt()", (positive,), ""),
    ("a.abs()", (away_from_zero,), ""),
    ("abs(a)", (away_from_zero,), ""),
    ("a.sin()", (), ""),
    ("a.cos()", (), ""),
]
UNARY_SHAPES = [(), (3,), (2, 3), (2, 1, 4)]

TENSOR_UNARY = [  # elementwise, but only a Tensor has them
    ("a.clip(-0.5, 0.5)", (away_from_bounds,), ""),
    ("a.clamp(min=0.1)", (away_from_bounds,), ""),
    ("a.clip(max=0.3)", (away_from_bounds,), ""),
    ("a.clone() * 2", (), ""),
    ("a.double() * a", (), ""),
    ("a.float()", (), ""),  # float64 -> float32: the gradient is cast back
]

REDUCTION_AXES = [None, 0, 1, -1, (0, 2), (-1, 0)]


def reductions() -> list:
    rows = []
    for axis in REDUCTION_AXES:
        for keep in (False, True):
            for method in ("sum", "mean"):
                rows.append(row(f"a.{method}(axis={axis!r}, keepdims={keep})", [(2, 3, 4)], (), f"a.{method}(dim={axis!r}, keepdim={keep})"))
            for method in ("amax", "amin"):  # the values, ties shared
                rows.append(row(f"a.{method}(axis={axis!r}, keepdims={keep})", [(2, 3, 4)], (spread_out,),
                                f"a.{method}(dim={axis if axis is not None else ()!r}, keepdim={keep})"))
            rows.append(row(f"a.var(axis={axis!r}, keepdims={keep})", [(2, 3, 4)], (), f"a.var(dim={axis!r}, keepdim={keep})"))
    for axis in (0, 1, -1):
        rows += [
            row(f"a.max({axis}).values", [(2, 3, 4)], (spread_out,)),  # PyTorch's (values, indices)
            row(f"a.min(dim={axis}, keepdim=True)[0]", [(2, 3, 4)], (spread_out,)),
            row(f"a.logsumexp({axis})", [(2, 3, 4)]),
            row(f"a.logsumexp(dim={axis}, keepdim=True)", [(2, 3, 4)]),
            row(f"a.softmax({axis})", [(2, 3, 4)]),
            row(f"a.log_softmax(axis={axis})", [(2, 3, 4)], (), f"a.log_softmax(dim={axis})"),
            row(f"a.std({axis})", [(2, 3, 4)]),
        ]
    rows += [
        row("a.sum()", [()]), row("a.mean()", [()]), row("a.sum()", [(5, 1)]), row("a.mean()", [(2, 1, 4)]),
        row("a.sum(-1)", [()]), row("a.max()", [(3, 4)], (spread_out,)), row("a.min()", [(3, 4)], (spread_out,)),
        row("a.amax(1)", [(3, 4)], (spread_out,)), row("a.var()", [(3, 4)]), row("a.std()", [(3, 4)]),
        row("a.var(0, correction=0)", [(3, 4)]), row("a.var(1, ddof=0)", [(3, 4)], (), "a.var(1, correction=0)"),
        row("a.softmax(dim=0)", [(5,)]), row("a.logsumexp(0)", [(5,)]),
    ]
    return rows


SHAPES = [
    row("a.reshape(3, 2)", [(2, 3)]), row("a.reshape((6,))", [(2, 3)]), row("a.reshape(-1)", [(2, 1, 4)]),
    row("a.reshape(1, 6, 1)", [(2, 3)]), row("a.reshape(())", [(1, 1)]), row("a.view(3, 2)", [(2, 3)]),
    row("a.T", [(2, 3)]), row("a.T", [(2, 3, 4)], (), "a.permute(2, 1, 0)"),
    row("a.permute(2, 0, 1)", [(2, 3, 4)]), row("a.permute((0, 2, 1))", [(2, 3, 4)]), row("a.permute(-1, 0, 1)", [(2, 3, 4)]),
    row("a.transpose(0, 1)", [(2, 3)]), row("a.transpose(0, 2)", [(2, 3, 4)]), row("a.transpose(-1, 0)", [(2, 3, 4)]),
    row("a.unsqueeze(0)", [(2, 3)]), row("a.unsqueeze(-1)", [(2, 3)]), row("a.unsqueeze(0)", [()]),
    row("a.squeeze()", [(2, 1, 3, 1)]), row("a.squeeze(1)", [(2, 1, 3)]), row("a.squeeze(0)", [(2, 1, 3)]),
    row("a.flatten()", [(2, 3, 4)]), row("a.flatten(1)", [(2, 3, 4)]), row("a.flatten(0, 1)", [(2, 3, 4)]),
    row("a[0]", [(3, 4)]), row("a[-1]", [(3, 4)]), row("a[1:]", [(3, 4)]), row("a[::2]", [(5, 2)]), row("a[::-1]", [(4,)], (), "a.flip(0)"),
    row("a[:, 1]", [(3, 4)]), row("a[..., 0]", [(2, 3, 4)]), row("a[None]", [(3,)]), row("a[0, None]", [(3, 4)]),
    row("a[1, 2]", [(3, 4)]), row("a[[0, 0, 2]]", [(3, 4)]),  # row 0 twice: its gradient adds up
    row("a[[1, 0], [2, 2]]", [(3, 4)]), row("a[:, [2, 0, 2]]", [(3, 4)]), row("a[np.array([3, 3, 0])]", [(4,)]),
    row("a[a > 0]", [(3, 4)], (away_from_zero,)), row("a[a.abs() > 1]", [(6,)], (away_from_bounds,)),
    row("cat([a, b])", [(2, 3), (4, 3)]), row("cat([a, b], dim=1)", [(2, 3), (2, 1)]),
    row("cat([a, b, a], axis=-1)", [(2, 3), (2, 2)], (), "cat([a, b, a], dim=-1)"),
    row("stack([a, b])", [(2, 3), (2, 3)]), row("stack([a, b], dim=-1)", [(2, 3), (2, 3)]), row("stack([a, b], 1)", [(4,), (4,)]),
]

MATMUL = [
    [(2, 3), (3, 4)], [(3,), (3, 4)], [(2, 3), (3,)], [(3,), (3,)],  # row times matrix, matrix times column, dot
    [(5, 2, 3), (3, 4)], [(2, 3), (5, 3, 4)], [(5, 2, 3), (5, 3, 4)],  # batches, one side broadcast
    [(5, 1, 2, 3), (4, 3, 2)], [(3,), (5, 3, 2)], [(5, 2, 3), (3,)],
    [(2, 0), (0, 3)],  # inner size 0: zeros out, zeros back (as PyTorch)
]

LINEAR = [
    ("linear(a, b, c)", [(4, 3), (2, 3), (2,)]), ("linear(a, b, c)", [(3,), (2, 3), (2,)]),  # a batch; one point
    ("linear(a, b)", [(4, 3), (2, 3)]), ("linear(a, b)", [(3,), (2, 3)]),
    ("linear(a, b, c)", [(2, 4, 3), (2, 3), (2,)]), ("linear(a, b, c)", [(4, 4, 3), (1, 3), (1,)]),  # batches of batches
]

LOSSES = [  # several classes (composites of log_softmax and indexing), and the fused losses
    row("cross_entropy(a, CLASSES)", [(4, 3)]), row("cross_entropy(a * 300, CLASSES)", [(4, 3)]),  # large logits
    row("nll_loss(a.log_softmax(1), CLASSES)", [(4, 3)]),
    row("binary_cross_entropy(a.sigmoid(), LABELS)", [(4,)]),
    row("mean_squared_error(a, b)", [(5, 1), (5, 1)], (), "F.mse_loss(a, b)"), row("mean_squared_error(a, b)", [(2, 3), (2, 3)], (), "F.mse_loss(a, b)"), row("cross_entropy(a, CLASSES[0])" , [(3,)], (), "cross_entropy(a, CLASSES[0])"),
]

COMPOSITIONS = [  # x used twice (x*x), a diamond, chains through broadcasting
    row("a * a", [(2, 3)]), row("(a + b) * (a - b)", [(3,), (2, 3)]),
    row("((a @ b).tanh() * c).sum(axis=0).sigmoid()", [(4, 3), (3, 2), (2,)], (), "((a @ b).tanh() * c).sum(dim=0).sigmoid()"),
    row("(a * b).log_softmax(1)[[0, 1], [2, 0]].mean()", [(2, 3), (3,)]),
    row("(a - a.mean(0)).abs().max(0).values + a.std(0)", [(4, 3)], (spread_out,)),
    row("a.exp().sqrt().log() * 2 - a", [()], (), "", on_value=True),
]

ROWS = (
    [row(s, pair, d, t, on_value=v) for s, d, t, v in BINARY for pair in BROADCAST_PAIRS]
    + [row(s, [shape], d, on_value=True) for s, d in WITH_NUMBERS for shape in [(), (2, 3)]]
    + [row(s, [shape], d, t, on_value=True) for s, d, t in UNARY for shape in UNARY_SHAPES]
    + [row(s, [shape], d, t) for s, d, t in TENSOR_UNARY for shape in [(), (2, 3)]]
    + reductions()
    + SHAPES
    + [row("a @ b", shapes) for shapes in MATMUL]
    + [row(s, shapes) for s, shapes in LINEAR]
    + LOSSES
    + COMPOSITIONS
)
