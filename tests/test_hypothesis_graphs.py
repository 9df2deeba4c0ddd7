"""Random expression graphs, built twice: with our ``Value`` and with torch float64 tensors.

Hypothesis draws a few leaves and a list of steps; each step applies one op to earlier nodes
(any earlier node, so values get reused and paths rejoin: diamonds everywhere). The output is
the last node plus every node nobody used, so each step matters. Ours and PyTorch must agree
on the output and on the gradient of every leaf.

Staying in the domain: ops are written so they cannot fail (log only of softplus(x) > 0,
division only by 1 + b*b >= 1, powers only of a base in (0.5, 1.5)), and a step whose value
would leave [-LIMIT, LIMIT] is replaced by tanh of its first operand, so nothing overflows.
"""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from parity import assert_matches_torch
from tinygrad_edu.engine import topological_order
from tinygrad_edu.value import Value

LIMIT = 20.0


def softplus(x):
    """log(1 + e**x) on either backend.

    torch's ``F.softplus`` returns x itself once x > 20 (its ``threshold``), off by e**-x;
    ``logaddexp(x, 0) = log(e**x + e**0)`` is the exact function, computed stably, as ours is.
    """
    return x.softplus() if isinstance(x, Value) else torch.logaddexp(x, torch.zeros_like(x))


# Each op is spelled once and runs on both backends (Values and tensors share these methods).
OPS = {
    "a + b": lambda a, b: a + b,
    "a - b": lambda a, b: a - b,
    "a * b": lambda a, b: a * b,
    "a / (1 + b*b)": lambda a, b: a / (1 + b * b),
    "(sigmoid(a) + 0.5) ** b": lambda a, b: (a.sigmoid() + 0.5) ** b,
    "-a": lambda a: -a,
    "a ** 2": lambda a: a**2,
    "a ** 3": lambda a: a**3,
    "2 ** a": lambda a: 2**a,
    "exp": lambda a: a.exp(),
    "log(softplus(a))": lambda a: softplus(a).log(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "softplus": softplus,
}
ARITY = {name: fn.__code__.co_argcount for name, fn in OPS.items()}


@st.composite
def recipes(draw, max_leaves: int = 4, max_steps: int = 14):
    """Leaf values, and steps (op name, indices of earlier nodes) to build a graph from them."""
    n_leaves = draw(st.integers(1, max_leaves))
    leaves = draw(st.lists(st.floats(-2.0, 2.0), min_size=n_leaves, max_size=n_leaves))
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        name = draw(st.sampled_from(sorted(OPS)))
        operands = tuple(draw(st.integers(0, n_leaves + k - 1)) for _ in range(ARITY[name]))
        steps.append((name, operands))
    return leaves, steps


def build(leaves: list, steps: list):
    """Run the steps on the leaves (Values or tensors); return the output node."""
    nodes = list(leaves)
    for name, operands in steps:
        nodes.append(OPS[name](*(nodes[i] for i in operands)))
    used = {i for _, operands in steps for i in operands}
    out = nodes[-1]
    for i, node in enumerate(nodes[:-1]):
        if i not in used:
            out = out + node
    return out


def keep_in_domain(leaves: list, steps: list) -> list:
    """The same steps, with tanh(first operand) wherever a value would leave [-LIMIT, LIMIT]."""
    nodes = [Value(x) for x in leaves]
    kept = []
    for name, operands in steps:
        node = OPS[name](*(nodes[i] for i in operands))
        if abs(node.data) > LIMIT:
            name, operands = "tanh", operands[:1]
            node = nodes[operands[0]].tanh()
        kept.append((name, operands))
        nodes.append(node)
    return kept


@settings(max_examples=300)
@given(recipes())
def test_random_graphs_match_torch(recipe) -> None:
    """Output and every leaf gradient of a random DAG equal PyTorch's (float64)."""
    leaves, steps = recipe
    steps = keep_in_domain(leaves, steps)
    fn = lambda *xs: build(list(xs), steps)  # noqa: E731  (one function, both backends)
    assert_matches_torch(fn, fn, leaves)


@given(recipes(max_steps=30))
def test_random_graphs_are_ordered_parents_first(recipe) -> None:
    """topological_order lists every node of a random DAG once, after all of its parents."""
    leaves, steps = recipe
    out = build([Value(x) for x in leaves], keep_in_domain(leaves, steps))
    order = topological_order(out)
    position = {node: k for k, node in enumerate(order)}
    assert len(position) == len(order) and order[-1] is out
    for node in order:
        assert all(position[parent] < position[node] for parent in node.parents)
