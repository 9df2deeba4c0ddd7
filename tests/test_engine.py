"""The backward driver (``engine.py``) on the graphs that broke other libraries.

A value used twice, two branches that rejoin, a chain a million nodes deep, ``backward()``
called twice, graphs freed without the cycle collector, and the same gradients in every
process. Each expected number comes from PyTorch (float64) or from calculus written here.
"""

from __future__ import annotations

import gc
import math
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from parity import assert_matches_torch
from tinygrad_edu.engine import backpropagate, topological_order
from tinygrad_edu.value import Value

REPO = Path(__file__).resolve().parents[1]


# --- graph shapes --------------------------------------------------------------------------


def diamond(a):
    """a feeds two branches, b = 2a and c = e**a, which rejoin in d = b*c; then d + a.

    dL/da = (2 e**a + 2a e**a) + 1: three paths from a to L, all added.
    """
    b = a * 2
    c = a.exp()
    d = b * c
    return d + a


def reused(x, y):
    """x appears in five places, y in three."""
    return x * y + x.tanh() + (x - y) / x + (x * x).sigmoid() * y


@pytest.mark.parametrize("a", [-1.5, 0.0, 0.7, 2.0])
def test_diamond_adds_the_gradient_of_every_path(a: float) -> None:
    """When one value feeds two branches that rejoin, its gradient is the sum over paths."""
    assert_matches_torch(diamond, diamond, [a])
    leaf = Value(a)
    diamond(leaf).backward()
    hand = 2 * math.exp(a) + 2 * a * math.exp(a) + 1
    assert math.isclose(leaf.grad, hand, rel_tol=1e-14, abs_tol=1e-15)


@pytest.mark.parametrize("x, y", [(0.5, -1.2), (-2.0, 3.0), (1.7, 0.25)])
def test_a_node_reused_in_several_places(x: float, y: float) -> None:
    assert_matches_torch(reused, reused, [x, y])


@pytest.mark.parametrize("x", [-3.0, 0.0, 1.25])
def test_x_times_x_is_2x(x: float) -> None:
    """x*x has the same node as both parents: dL/dx = x + x, not just x."""
    v = Value(x)
    (v * v).backward()
    assert v.grad == 2 * x
    assert_matches_torch(lambda t: t * t, lambda t: t * t, [x])


def test_a_chain_a_million_nodes_deep_needs_no_recursion() -> None:
    """x_{k+1} = x_k * c, a million times: x_N = c**N x_0, so dx_N/dx_0 = c**N.

    A recursive topological sort or backward would raise RecursionError after ~1000 levels.
    Each step rounds once, so the result may drift from c**N by at most about N ulps:
    N * 2**-53 = 1.1e-10 relative.
    """
    depth, c = 1_000_000, 1.0000001
    x0 = Value(1.5)
    x = x0
    for _ in range(depth):
        x = x * c
    x.backward()
    assert math.isclose(x0.grad, c**depth, rel_tol=2e-10)
    assert math.isclose(x.data, 1.5 * c**depth, rel_tol=2e-10)
    assert math.isclose(c**depth, math.e**0.1, rel_tol=1e-6)  # the number is not trivial: (1 + 1e-7)**1e6 ~ e**0.1


# --- calling backward() twice, zero_grad ------------------------------------------------------


def test_backward_twice_adds_up_in_leaves_like_torch() -> None:
    """Leaves accumulate across calls (PyTorch's rule, which is why training calls zero_grad).

    Interior nodes show the latest call only. (PyTorch would also accumulate an interior
    gradient kept with retain_grad(); ours is reset, since it exists to be looked at.)
    """
    x, y = Value(0.8), Value(-1.3)
    h = x * y + x.tanh()  # interior
    out = h * h + y
    out.backward()
    out.backward()

    tx = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(-1.3, dtype=torch.float64, requires_grad=True)
    th = tx * ty + tx.tanh()
    th.retain_grad()
    tout = th * th + ty
    tout.backward(retain_graph=True)
    one_call_h = th.grad.item()
    tout.backward()

    assert math.isclose(x.grad, tx.grad.item(), rel_tol=1e-12)
    assert math.isclose(y.grad, ty.grad.item(), rel_tol=1e-12)
    assert math.isclose(x.grad, 2 * (2 * th.item() * (-1.3 + 1 - math.tanh(0.8) ** 2)), rel_tol=1e-12)
    assert h.grad == 2 * h.data  # one call: d(h*h)/dh = 2h, not 4h
    assert math.isclose(h.grad, one_call_h, rel_tol=1e-12)
    assert out.grad == 1.0


def test_zero_grad_resets_so_the_next_backward_starts_fresh() -> None:
    x, y = Value(0.8), Value(-1.3)
    out = x * y + x.exp()
    out.backward()
    once = (x.grad, y.grad)
    out.backward()
    # each path's share is added to the leaf separately, so "doubled" holds up to rounding
    assert math.isclose(x.grad, 2 * once[0], rel_tol=1e-15) and y.grad == 2 * once[1]
    x.zero_grad()
    y.zero_grad()
    assert (x.grad, y.grad) == (0.0, 0.0)
    out.backward()
    assert (x.grad, y.grad) == once
    assert once == (-1.3 + math.exp(0.8), 0.8)  # d(xy + e**x)/dx = y + e**x, d/dy = x


def test_backward_from_an_interior_node_then_from_the_output() -> None:
    """A second backward() from a different root resets the shared interior nodes first."""
    x = Value(3.0)
    h = x * x  # h = 9
    out = h * 2 + x  # out = 21
    h.backward()
    assert (x.grad, h.grad) == (6.0, 1.0)  # dh/dx = 2x
    out.backward()
    assert h.grad == 2.0  # d(out)/dh, this pass only
    assert x.grad == 6.0 + (2 * 6.0 + 1)  # leaf: 6 from before, plus d(out)/dx = 2 * 2x + 1


# --- graphs are freed by reference counting alone -------------------------------------------


def _values_left_for_the_cycle_collector(build) -> int:
    """Build a graph, drop it, and count the Values only the cycle collector could free."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # keep what the collector finds, so we can look at it
    try:
        build()
        gc.collect()
        found = sum(isinstance(obj, Value) for obj in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    return found


def _train_like_step() -> None:
    x, w, b = Value(0.5), Value(-1.5), Value(0.25)
    loss = ((x * w + b).tanh() - 1) ** 2 + (x * w).sigmoid().log()
    loss.backward()
    assert w.grad != 0.0


def test_a_graph_is_freed_without_the_cycle_collector() -> None:
    """No node refers back to itself, so dropping the output frees the whole graph at once.

    (micrograd's backward closure refers to its own output node, ``out._backward`` closing
    over ``out``: a cycle per node, left for ``gc`` to find. In a training loop that means
    most of the time is spent in the cycle collector.)
    """
    assert _values_left_for_the_cycle_collector(_train_like_step) == 0


def test_the_cycle_check_itself_can_see_a_cycle() -> None:
    """Control: a Value made to be its own parent is found, so the check above is not vacuous."""

    def build_a_cycle() -> None:
        v = Value(1.0)
        v.parents = (v,)

    assert _values_left_for_the_cycle_collector(build_a_cycle) == 1


def test_value_uses_slots_and_has_no_instance_dict() -> None:
    """``__slots__``: a few fixed fields per node, less memory, and typos raise."""
    v = Value(1.0)
    assert not hasattr(v, "__dict__")
    with pytest.raises(AttributeError):
        v.gard = 1.0  # a typo for .grad


# --- the same gradients in every process ------------------------------------------------------

DETERMINISM_SCRIPT = textwrap.dedent(
    """
    import random
    from tinygrad_edu.value import Value

    rng = random.Random(7)
    xs = [Value(rng.uniform(-2, 2)) for _ in range(6)]
    nodes = list(xs)
    for _ in range(300):
        a, b = rng.choice(nodes), rng.choice(nodes)
        op = rng.randrange(4)  # ops that keep every value within [-2, 2]
        nodes.append([(a + b).tanh(), a * b.tanh(), a.sigmoid() * b, (a - b) * 0.5][op])
    total = nodes[0]
    for node in nodes[1:]:
        total = total + node * 1e-3
    total.backward()
    print(" ".join(x.grad.hex() for x in xs))
    """
)


def _gradients_in_a_fresh_process(hash_seed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", DETERMINISM_SCRIPT], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_gradients_are_bit_identical_across_processes() -> None:
    """Floating-point addition is not associative, so the order gradients are summed in
    matters in the last bits. Parents are tuples and the walk is a fixed stack, never a set's
    order, so two processes (different hash seeds, different memory addresses) agree exactly."""
    first = _gradients_in_a_fresh_process("0")
    second = _gradients_in_a_fresh_process("12345")
    assert first == second
    grads = [float.fromhex(h) for h in first.split()]
    assert len(grads) == 6 and all(math.isfinite(g) and g != 0.0 for g in grads)
    namespace: dict = {}
    exec(DETERMINISM_SCRIPT.replace("print(", "result = ("), namespace)
    assert namespace["result"] == first


# --- the driver's own tools: on_step and topological_order ----------------------------------


def test_on_step_sees_each_interior_node_once_with_its_gradients() -> None:
    """L = (ab + a)**2 at a = 2, b = -3, built as c = ab, d = c + a, L = d*d.

    By hand: d = -4, dL/dd = 2d = -8, dL/dc = -8, and c = ab sends -8 * b = 24 to a and
    -8 * a = -16 to b. So dL/da = 24 + (-8) = 16 = 2(ab + a)(b + 1) and dL/db = -16 = 2(ab + a)a.
    """
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c + a
    L = d * d
    steps = []
    backpropagate(L, 1.0, on_step=lambda node, grad, parent_grads: steps.append((node, grad, list(parent_grads))))
    assert [s[0] for s in steps] == [L, d, c]  # output first, leaves never
    assert steps[0][1:] == (1.0, [-4.0, -4.0])  # d(d*d)/dd = d for each of the two uses
    assert steps[1][1:] == (-8.0, [-8.0, -8.0])  # + passes its gradient on unchanged
    assert steps[2][1:] == (-8.0, [24.0, -16.0])  # * multiplies by the other operand
    assert (a.grad, b.grad) == (16.0, -16.0)


def _random_graph(rng: random.Random, n_leaves: int, n_ops: int) -> Value:
    nodes = [Value(rng.uniform(-1, 1), label=f"x{k}") for k in range(n_leaves)]
    for _ in range(n_ops):
        a, b = rng.choice(nodes), rng.choice(nodes)
        nodes.append(rng.choice([lambda: a + b, lambda: a * b, lambda: a.tanh(), lambda: a - b])())
    out = nodes[-1]
    for node in nodes[:-1]:
        out = out + node
    return out


def _ancestors(root: Value) -> set:
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(node.parents)
    return seen


@pytest.mark.parametrize("seed", range(20))
def test_topological_order_puts_every_node_after_its_parents(seed: int) -> None:
    """Each node exactly once, after all of its parents, the root last."""
    root = _random_graph(random.Random(seed), n_leaves=1 + seed % 4, n_ops=5 + 3 * seed)
    order = topological_order(root)
    position = {node: k for k, node in enumerate(order)}
    assert len(position) == len(order)  # no node twice
    assert set(order) == _ancestors(root)  # every node the root depends on
    assert order[-1] is root
    for node in order:
        for parent in node.parents:
            assert position[parent] < position[node]


def test_topological_order_of_a_diamond() -> None:
    """a -> (b, c) -> d: a first, d last, b before c (parents are visited in order)."""
    a = Value(1.0)
    b, c = a * 2, a * 3
    d = b + c
    assert topological_order(d) == [a, b.parents[1], b, c.parents[1], c, d]
