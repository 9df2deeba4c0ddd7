"""The Tensor backend against PyTorch eager and hand-written NumPy, measured in one run, interleaved.

Workload: the Gaussian-process lesson. A ReLU network 1 -> [16, 32, 64, 64, 32, 16] -> 1
trained by full-batch gradient descent on RMSE (lr 0.005). Every peer starts from the same
data and the same initial weights and does the same arithmetic, which is checked: after a few
epochs their losses agree to ~1e-12.

Peers:
- tinygrad_edu, float64 and float32, eager (a graph built and walked every epoch);
- tinygrad_edu float64 through ``jit``: the step recorded once and replayed;
- PyTorch eager on the CPU, float64, one thread (and, for reference, its default threads);
- hand-written NumPy backprop, float64: forward and backward written out by hand with the
  same memory habits a careful NumPy programmer would use (ReLU in place, its derivative read
  from the activations). It is the practical limit for a library built on NumPy.

How it is measured: BLAS (with threadpoolctl, when the script starts) and torch are pinned to
one thread, so the comparison is of the work each does, not of how the two noisy cores are
shared. Peers take turns, a block of epochs each, round after round; the median epoch time of
each is reported, and ratios, since absolute times on a shared machine mean little. Peak memory
is measured in a fresh process per (peer, N): the growth of the process's peak resident memory
during training, over what data and model already took.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_tensor.py [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from tinygrad_edu.data import simulate_gp
from tinygrad_edu.engine import topological_order
from tinygrad_edu.jit import jit
from tinygrad_edu.losses import root_mean_squared_error
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.tensor import Tensor

WIDTHS = [16, 32, 64, 64, 32, 16, 1]
LR = 0.005
DEFAULT_TORCH_THREADS = os.cpu_count() or 1  # torch's own default, before main() pins it to 1


def lesson_data():
    data = simulate_gp()
    return data.x_standardized.reshape(-1, 1), data.y.reshape(-1, 1)


def synthetic_data(n: int, seed: int = 0):
    """n inputs spread over [-2, 2] with a wiggly target: as much work per point as the lesson."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(n, 1))
    return x, np.sin(3 * x) + 0.3 * rng.normal(size=(n, 1))


def initial_weights(seed: int = 0):
    return TensorMLP(1, WIDTHS, seed=seed).state_dict()


# --- the peers: each has epoch() (one step of training) and loss (the last loss) ---------


class Ours:
    def __init__(self, X, y, state, dtype=np.float64, replay=False, relu_in_place=True):
        self.model = TensorMLP(1, WIDTHS, seed=0, dtype=dtype)
        self.model.load_state_dict(state)
        self.model.relu_in_place = relu_in_place
        self.X, self.y = Tensor(X, dtype=dtype), Tensor(y, dtype=dtype)
        self.optimizer = SGD(self.model.parameters(), lr=LR)
        self.step = jit(self.train_step) if replay else self.train_step

    def train_step(self, X, y):
        loss = root_mean_squared_error(self.model(X), y)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad()
        return loss

    def epoch(self):
        self.loss = self.step(self.X, self.y).item()


class Torch:
    def __init__(self, X, y, state, threads=1):
        self.threads = threads
        layers = []
        for i in range(len(WIDTHS)):
            weight = state[f"layers.{i}.weight"]
            linear = torch.nn.Linear(weight.shape[1], weight.shape[0], dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(weight))
                linear.bias.copy_(torch.from_numpy(state[f"layers.{i}.bias"]))
            layers += [linear, torch.nn.ReLU(inplace=True)] if i < len(WIDTHS) - 1 else [linear]
        self.model = torch.nn.Sequential(*layers)
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR)

    def epoch(self):
        torch.set_num_threads(self.threads)
        loss = torch.sqrt(torch.mean((self.model(self.X) - self.y) ** 2))
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad()
        self.loss = loss.item()
        torch.set_num_threads(1)


class HandWrittenNumpy:
    """Backprop written out by hand for this network: no graph, no autodiff."""

    def __init__(self, X, y, state):
        n_layers = len(WIDTHS)
        self.W = [state[f"layers.{i}.weight"].copy() for i in range(n_layers)]
        self.b = [state[f"layers.{i}.bias"].copy() for i in range(n_layers)]
        self.X, self.y = X, y

    def epoch(self):
        W, b, last = self.W, self.b, len(self.W) - 1
        activations = [self.X]  # forward: keep each layer's output for the backward pass
        for i in range(last + 1):
            z = activations[-1] @ W[i].T
            z += b[i]
            if i < last:
                np.maximum(z, 0, out=z)  # ReLU in place
            activations.append(z)
        residual = activations[-1] - self.y
        rmse = np.sqrt(np.mean(residual * residual))
        grad = residual / (residual.size * rmse)  # dRMSE/dprediction
        for i in range(last, -1, -1):  # backward: the chain rule, layer by layer
            if i < last:
                grad *= activations[i + 1] > 0  # ReLU'(z) = 1 where the output is positive
            grad_W = grad.T @ activations[i]
            grad_b = grad.sum(axis=0)
            if i > 0:
                grad = grad @ W[i]
            W[i] -= LR * grad_W
            b[i] -= LR * grad_b
        self.loss = float(rmse)


PEERS = {
    "tinygrad_edu float64": lambda X, y, s: Ours(X, y, s, np.float64),
    "tinygrad_edu float32": lambda X, y, s: Ours(X, y, s, np.float32),
    "tinygrad_edu jit float64": lambda X, y, s: Ours(X, y, s, np.float64, replay=True),
    "tinygrad_edu, relu not in place": lambda X, y, s: Ours(X, y, s, np.float64, relu_in_place=False),
    "tinygrad_edu jit, relu not in place": lambda X, y, s: Ours(X, y, s, np.float64, replay=True, relu_in_place=False),
    "PyTorch float64, 1 thread": lambda X, y, s: Torch(X, y, s, threads=1),
    f"PyTorch float64, {DEFAULT_TORCH_THREADS} threads": lambda X, y, s: Torch(X, y, s, threads=DEFAULT_TORCH_THREADS),
    "hand-written NumPy float64": lambda X, y, s: HandWrittenNumpy(X, y, s),
}
OURS, JIT, TORCH1, NUMPY = "tinygrad_edu float64", "tinygrad_edu jit float64", "PyTorch float64, 1 thread", "hand-written NumPy float64"
LESSON_PEERS = [OURS, "tinygrad_edu float32", JIT, TORCH1, f"PyTorch float64, {DEFAULT_TORCH_THREADS} threads", NUMPY]


def interleaved_epoch_times(peers: dict, rounds: int, epochs: int) -> dict:
    times = {name: [] for name in peers}
    for _ in range(rounds):
        for name, peer in peers.items():
            gc.collect()
            for _ in range(epochs):
                start = time.perf_counter()
                peer.epoch()
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def check_same_arithmetic(X, y, state, epochs: int = 5) -> float:
    """Largest loss difference between the float64 peers after a few epochs."""
    peers = [Ours(X, y, state), Ours(X, y, state, replay=True), Torch(X, y, state), HandWrittenNumpy(X, y, state)]
    for peer in peers:
        for _ in range(epochs):
            peer.epoch()
    losses = [peer.loss for peer in peers]
    return max(losses) - min(losses)


# --- peak memory, one fresh process per measurement ---------------------------------------


def _current_and_peak_rss_kib():
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def measure_peak_here(peer_name: str, n: int, epochs: int) -> None:
    """Child process: set up, reset the peak-memory mark, train, print the growth in MiB."""
    X, y = synthetic_data(n)
    peer = PEERS[peer_name](X, y, initial_weights())
    peer.epoch()  # first epoch: lazy allocations of the library itself
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # Linux: reset the peak resident size to the current size
    except OSError:
        pass
    before, _ = _current_and_peak_rss_kib()
    for _ in range(epochs):
        peer.epoch()
    _, peak = _current_and_peak_rss_kib()
    print(json.dumps({"peak_growth_mib": (peak - before) / 1024}))


def peak_memory_mib(peer_name: str, n: int, epochs: int = 2) -> float:
    result = subprocess.run(
        [sys.executable, __file__, "--measure-peak", peer_name, str(n), str(epochs)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])["peak_growth_mib"]


# --- report ------------------------------------------------------------------------------


def lesson_report(rounds: int, epochs: int) -> None:
    X, y = lesson_data()
    state = initial_weights()
    print(f"same arithmetic: after 5 epochs the float64 peers' losses differ by {check_same_arithmetic(X, y, state):.1e}")
    peers = {name: PEERS[name](X, y, state) for name in LESSON_PEERS}
    median = interleaved_epoch_times(peers, rounds, epochs)
    print(f"\nthe lesson (N = {len(X)}), median time per epoch over {rounds} x {epochs} interleaved epochs:")
    for name, seconds in median.items():
        print(f"  {name:32s} {seconds * 1e6:8.0f} us")
    print("ratios:")
    print(f"  eager float64 / PyTorch float64 1 thread   = {median[OURS] / median[TORCH1]:.3f}  (target <= 0.6)")
    print(f"  hand-written NumPy / PyTorch 1 thread      = {median[NUMPY] / median[TORCH1]:.3f}  "
          "(the floor for any library that computes with NumPy)")
    print(f"  eager float64 / hand-written NumPy float64 = {median[OURS] / median[NUMPY]:.3f}  (target <= 1.25)")
    print(f"  jit float64 / hand-written NumPy float64   = {median[JIT] / median[NUMPY]:.3f}  (target <= 1.03)")
    print(f"  jit float64 / eager float64                = {median[JIT] / median[OURS]:.3f}")
    print(f"  jit float64 / PyTorch float64 1 thread     = {median[JIT] / median[TORCH1]:.3f}")
    print(f"  eager float32 / eager float64              = {median['tinygrad_edu float32'] / median[OURS]:.3f}  (target < 1)")


def bookkeeping_report(rounds: int, epochs: int) -> None:
    """At N = 2 the arithmetic costs next to nothing, so what is left is each peer's fixed cost
    per epoch: NumPy's call overhead for both, plus, for us, building and walking the graph."""
    X, y = synthetic_data(2)
    state = initial_weights()
    peers = {OURS: Ours(X, y, state), JIT: Ours(X, y, state, replay=True), NUMPY: HandWrittenNumpy(X, y, state)}
    median = interleaved_epoch_times(peers, rounds, epochs)
    ours = peers[OURS]
    graph = topological_order(root_mean_squared_error(ours.model(ours.X), ours.y))
    ops = sum(1 for node in graph if node.parents)
    extra, replay_extra = (median[OURS] - median[NUMPY]) * 1e6, (median[JIT] - median[NUMPY]) * 1e6
    print(f"\nfixed cost per epoch at N = 2, where the arithmetic is negligible ({rounds} x {epochs} interleaved epochs):")
    print(f"  eager {median[OURS] * 1e6:6.0f} us, jit {median[JIT] * 1e6:6.0f} us, hand-written NumPy {median[NUMPY] * 1e6:6.0f} us")
    print(f"  the graph's own cost: {extra:.0f} us per epoch for {ops} ops and {len(graph) - ops} parameters, "
          f"{extra / len(graph):.1f} us per node; the replay's: {replay_extra:.0f} us per epoch")


def _memory_ratio(ours: float, numpy: float) -> str:
    """Peak memory against NumPy's, where NumPy's is large enough to divide by (at N = 200 the
    growth during training is under the resolution of the process's peak, a few pages)."""
    return f"{ours / numpy:.3f}" if numpy >= 1.0 else "- (under 1 MiB)"


def in_place_report(sizes, rounds: int) -> None:
    """ReLU in place (relu_) against a fresh array (relu), eager and replayed: time and peak memory."""
    names = [OURS, "tinygrad_edu, relu not in place", JIT, "tinygrad_edu jit, relu not in place"]
    print("\nReLU in place or not (time and peak memory, each against hand-written NumPy):")
    for n in sizes:
        X, y = synthetic_data(n)
        state = initial_weights()
        epochs = max(1, min(100, 200_000 // n))
        median = interleaved_epoch_times({name: PEERS[name](X, y, state) for name in names + [NUMPY]}, rounds, epochs)
        peaks = {name: peak_memory_mib(name, n) for name in names + [NUMPY]}
        for name in names:
            print(f"  N = {n:6d}  {name:36s} time {median[name] / median[NUMPY]:.3f}  "
                  f"peak memory {_memory_ratio(peaks[name], peaks[NUMPY])} ({peaks[name]:.1f} MiB)")


def scaling_report(sizes, rounds: int) -> None:
    names = [OURS, JIT, "tinygrad_edu float32", TORCH1, NUMPY]
    print("\nhow time per epoch and peak memory grow with N (synthetic inputs):")
    header = "".join(f"{name:>28s}" for name in names)
    print(f"{'N':>8s}{header}")
    for n in sizes:
        X, y = synthetic_data(n)
        state = initial_weights()
        epochs = max(1, min(100, 200_000 // n))
        median = interleaved_epoch_times({name: PEERS[name](X, y, state) for name in names}, rounds, epochs)
        peaks = {name: peak_memory_mib(name, n) for name in names}
        cells = "".join(f"{median[name] * 1e3:14.2f} ms {peaks[name]:7.1f} MiB" for name in names)
        print(f"{n:8d}{cells}")
        print(
            f"{'':8s}  against hand-written NumPy: eager time {median[OURS] / median[NUMPY]:.3f}, "
            f"jit time {median[JIT] / median[NUMPY]:.3f}, eager peak memory {_memory_ratio(peaks[OURS], peaks[NUMPY])};  "
            f"against PyTorch: eager {median[OURS] / median[TORCH1]:.3f}, jit {median[JIT] / median[TORCH1]:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds and sizes (a smoke run)")
    parser.add_argument("--measure-peak", nargs=3, metavar=("PEER", "N", "EPOCHS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    threadpool_limits(1)  # BLAS and OpenMP: one thread, whatever the machine has
    torch.set_num_threads(1)
    if args.measure_peak:
        peer, n, epochs = args.measure_peak
        measure_peak_here(peer, int(n), int(epochs))
        return
    print(f"NumPy {np.__version__}, PyTorch {torch.__version__}; BLAS pinned to 1 thread with "
          f"threadpoolctl; torch.set_num_threads(1) except where a row says otherwise")
    if args.quick:
        lesson_report(rounds=3, epochs=50)
        bookkeeping_report(rounds=3, epochs=50)
        in_place_report([200, 20_000], rounds=2)
        scaling_report([200, 20_000], rounds=2)
    else:
        lesson_report(rounds=10, epochs=200)
        bookkeeping_report(rounds=10, epochs=200)
        in_place_report([200, 20_000], rounds=5)
        scaling_report([200, 2_000, 20_000, 200_000], rounds=5)


if __name__ == "__main__":
    main()
