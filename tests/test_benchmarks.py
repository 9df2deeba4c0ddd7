"""The benchmarks' ratios compare like with like only if every peer does the same work.

Timing is never asserted here; what is checked is the premise of the comparison: from the same
data and weights, our Tensor backend, PyTorch and the hand-written NumPy backprop follow the
same training trajectory, so any difference in time is overhead, not arithmetic.
"""

from __future__ import annotations

import numpy as np

from demo_loader import load_benchmark

bench = load_benchmark("bench_tensor")


def test_tensor_benchmark_peers_train_the_same_network_the_same_way() -> None:
    X, y = bench.lesson_data()
    state = bench.initial_weights()
    assert bench.check_same_arithmetic(X, y, state, epochs=5) < 1e-12
    # and they really train: five epochs move the loss by far more than the agreement above
    peer = bench.HandWrittenNumpy(X, y, state)
    peer.epoch()
    first = peer.loss
    for _ in range(4):
        peer.epoch()
    assert first - peer.loss > 1e-4


def test_hand_written_numpy_gradients_match_the_tensor_backend_on_synthetic_data() -> None:
    """One epoch on the scaling table's synthetic inputs: after one update the two models hold
    the same weights, so the hand-written backward pass computed the same gradients."""
    X, y = bench.synthetic_data(50)
    state = bench.initial_weights()
    ours, theirs = bench.Ours(X, y, state), bench.HandWrittenNumpy(X, y, state)
    ours.epoch()
    theirs.epoch()
    for i, layer in enumerate(ours.model.layers):
        np.testing.assert_allclose(layer.weight.data, theirs.W[i], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(layer.bias.data, theirs.b[i], rtol=1e-12, atol=1e-15)
        assert not np.array_equal(layer.weight.data, state[f"layers.{i}.weight"])  # it did move


def test_every_variant_of_ours_computes_the_same_numbers_as_eager() -> None:
    """The jit row and the rows without the in-place ReLU time the same arithmetic, to the bit:
    they differ only in what they cost."""
    X, y = bench.lesson_data()
    state = bench.initial_weights()
    names = ["tinygrad_edu float64", "tinygrad_edu jit float64", "tinygrad_edu, relu not in place",
             "tinygrad_edu jit, relu not in place"]
    peers = [bench.PEERS[name](X, y, state) for name in names]
    for _ in range(5):
        losses = set()
        for peer in peers:
            peer.epoch()
            losses.add(peer.loss)
        assert len(losses) == 1
