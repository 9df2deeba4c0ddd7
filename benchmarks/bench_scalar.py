"""The scalar engine against micrograd 0.1.0 (from PyPI), measured in one run, interleaved.

Workload: one training step of the moons classifier (MLP(2, [16, 16, 1]), hinge loss + L2,
SGD) over 100 points: forward, backward, update. Both libraries start from the same weights
and run the same sequence of ops.

How it is measured, and why:
- Python's garbage collector stays on, as users run it. Each library runs a block of
  consecutive steps, the way a training loop does, so each pays for the garbage its own
  earlier steps left behind; ``gc.collect()`` runs between blocks so neither pays for the
  other's. Blocks alternate between the libraries, round after round, and the median step
  time of each is reported (the machine is shared and noisy: ratios, not absolute times).
- Memory per node: ``tracemalloc`` over the forward graph of the same step, divided by its
  node count.
- Deepest chain: the longest chain ``x = x * 1.0000001`` whose ``backward()`` completes.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_scalar.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc

import micrograd.engine
import micrograd.nn

from tinygrad_edu import Value, topological_order
from tinygrad_edu.data import make_moons
from tinygrad_edu.nn import MLP

X, Y = make_moons(n_samples=100, noise=0.1, seed=1)
ALPHA = 1e-4  # L2 strength
LR = 0.05


# --- the same step, written once per library ---------------------------------------------


def ours_model():
    return MLP(2, [16, 16, 1], activation="relu", seed=0)


def micrograd_model(reference):
    """A micrograd MLP holding exactly ``reference``'s weights, neuron by neuron."""
    model = micrograd.nn.MLP(2, [16, 16, 1])
    for ours_layer, their_layer in zip(reference.layers, model.layers):
        for ours_neuron, their_neuron in zip(ours_layer.neurons, their_layer.neurons):
            for w_ours, w_theirs in zip(ours_neuron.w, their_neuron.w):
                w_theirs.data = w_ours.data
            their_neuron.b.data = ours_neuron.b.data
    return model


def forward_loss(model, Value_):
    """Predict, hinge loss, L2 penalty: micrograd's demo, for either library's Value."""
    scores = [model([Value_(float(a)) for a in x]) for x in X]
    losses = [(1 + -float(y) * s).relu() for y, s in zip(Y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def step(model, Value_):
    loss = forward_loss(model, Value_)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= LR * p.grad
    return loss.data


# --- measurements --------------------------------------------------------------------------


def time_steps(model, Value_, steps: int) -> list:
    gc.collect()  # start each block clean: no other library's garbage
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step(model, Value_)
        times.append(time.perf_counter() - start)
    return times[1:]  # the first step of a block starts from an unrealistically clean heap


def bytes_per_node(model, Value_, count_nodes) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    loss = forward_loss(model, Value_)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / count_nodes(loss)


def micrograd_node_count(root) -> int:
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


def deepest_chain(Value_, depths) -> int:
    """The largest depth in ``depths`` whose backward() completes (a RecursionError stops it)."""
    deepest = 0
    for depth in depths:
        x = Value_(1.0)
        for _ in range(depth):
            x = x * 1.0000001
        try:
            x.backward()
        except RecursionError:
            break
        finally:
            del x
            gc.collect()
        deepest = depth
    return deepest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="alternating blocks per library")
    parser.add_argument("--steps", type=int, default=6, help="consecutive training steps per block")
    args = parser.parse_args()

    ours = ours_model()
    theirs = micrograd_model(ours)
    print(f"Python {sys.version.split()[0]}; garbage collector on (thresholds {gc.get_threshold()})")
    print(f"workload: one training step of MLP(2, [16, 16, 1]) on {len(X)} points, hinge + L2, SGD")
    first_ours, first_theirs = forward_loss(ours, Value).data, forward_loss(theirs, micrograd.engine.Value).data
    print(f"same starting loss: tinygrad_edu {first_ours:.12f}, micrograd {first_theirs:.12f}")

    times = {"tinygrad_edu": [], "micrograd": []}
    for round_ in range(args.rounds):
        times["micrograd"] += time_steps(theirs, micrograd.engine.Value, args.steps)
        times["tinygrad_edu"] += time_steps(ours, Value, args.steps)
    ours_ms = statistics.median(times["tinygrad_edu"]) * 1e3
    theirs_ms = statistics.median(times["micrograd"]) * 1e3
    print(f"\nstep time, median of {len(times['micrograd'])} steps each:")
    print(f"  micrograd     {theirs_ms:8.1f} ms")
    print(f"  tinygrad_edu  {ours_ms:8.1f} ms")
    print(f"  ratio tinygrad_edu / micrograd = {ours_ms / theirs_ms:.3f}  (target <= 0.333)")

    ours_bytes = bytes_per_node(ours, Value, lambda root: len(topological_order(root)))
    theirs_bytes = bytes_per_node(theirs, micrograd.engine.Value, micrograd_node_count)
    print("\nmemory per graph node (tracemalloc over one forward graph):")
    print(f"  micrograd     {theirs_bytes:8.0f} bytes")
    print(f"  tinygrad_edu  {ours_bytes:8.0f} bytes")
    print(f"  ratio tinygrad_edu / micrograd = {ours_bytes / theirs_bytes:.3f}  (target <= 0.5)")

    depths = [100, 500, 900, 990, 996, 997, 1_000, 10_000, 100_000, 1_000_000]
    print("\ndeepest chain x = x * 1.0000001 whose backward() completes (tried up to 1,000,000):")
    print(f"  micrograd     {deepest_chain(micrograd.engine.Value, depths):>9,}")
    print(f"  tinygrad_edu  {deepest_chain(Value, depths):>9,}")


if __name__ == "__main__":
    main()
