"""Activation functions and their derivatives, drawn from the library's own ops and backward.

Four activations: identity, sigmoid, tanh and ReLU. Each derivative is not written out by
hand: it is what ``backward()`` computes. Put a grid of 401 points from -5 to 5 in one
``Tensor`` x, compute y = f(x) elementwise and call ``y.sum().backward()``. The sum is
f(x_1) + ... + f(x_n), and x_i appears in the i-th term only, so d(sum)/dx_i = f'(x_i):
one backward pass gives the derivative at every grid point at once, in ``x.grad``.

What to look at: the identity's slope is 1 everywhere; sigmoid's slope peaks at 1/4 and
tanh's at 1, both at 0, and both fade to 0 far from 0 (a saturated unit passes almost no
gradient back); ReLU's slope is 0 for negative inputs and 1 for positive ones (0 at exactly
0, as in PyTorch). The printed table gives the slopes at a few points.
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from tinygrad_edu import Tensor

ACTIVATIONS = {
    "identity": lambda x: x,
    "sigmoid": Tensor.sigmoid,
    "tanh": Tensor.tanh,
    "relu": Tensor.relu,
}


def function_and_derivative(f, points):
    """f(x) and f'(x) at every point, the derivative from the library's backward pass."""
    x = Tensor(np.asarray(points, dtype=float), requires_grad=True)
    y = f(x)
    y.sum().backward()  # d(sum_i f(x_i))/dx_i = f'(x_i): every derivative in one pass
    return y.data.copy(), x.grad.copy()


def activation_curves(points):
    """``{name: (f(x), f'(x))}`` for each activation."""
    return {name: function_and_derivative(f, points) for name, f in ACTIVATIONS.items()}


def plot_activations(x, curves) -> Figure:
    """One panel per activation: the function (solid) and its derivative (dashed)."""
    fig = Figure(figsize=(8, 6))
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (name, (y, slope)) in zip(axes, curves.items()):
        ax.axhline(0.0, color="0.8", linewidth=0.8)
        ax.axvline(0.0, color="0.8", linewidth=0.8)
        ax.plot(x, y, linewidth=2, label=f"{name}(x)")
        ax.plot(x, slope, "--", linewidth=2, label="derivative (backward)")
        ax.set_title(name)
        ax.legend(loc="upper left", fontsize=8)
    for ax in axes[2:]:
        ax.set_xlabel("x")
    fig.tight_layout()
    return fig


def main(out_dir: Path, points=(-2.0, -0.5, 0.0, 0.5, 2.0)) -> dict:
    at_points = activation_curves(points)
    print("derivatives computed by backward():")
    print(f"{'x':>6}" + "".join(f"{name:>10}" for name in ACTIVATIONS))
    for i, x in enumerate(points):
        print(f"{x:6.2f}" + "".join(f"{at_points[name][1][i]:10.6f}" for name in ACTIVATIONS))

    grid = np.linspace(-5.0, 5.0, 401)
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_activations(grid, activation_curves(grid)).savefig(out_dir / "activations.png", dpi=120)
    print("saved", out_dir / "activations.png")
    return at_points


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the picture")
    main(parser.parse_args().out)
