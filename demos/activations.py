# %% [markdown]
"""Activation functions: what they do to a number, their derivatives, and which one ends a network.

ReLU first, as the blog prints it: relu(x) = max(0, x) for x = -4, -3, ..., 3 gives
0, 0, 0, 0, 0, 1, 2, 3. Negative inputs become 0; positive ones pass unchanged.

Four activations: identity, sigmoid, tanh and ReLU. Each derivative is not written out by
hand: it is what ``backward()`` computes. Put a grid of 401 points from -5 to 5 in one
``Tensor`` x, compute y = f(x) elementwise and call ``y.sum().backward()``. The sum is
f(x_1) + ... + f(x_n), and x_i appears in the i-th term only, so d(sum)/dx_i = f'(x_i):
one backward pass gives the derivative at every grid point at once, in ``x.grad``.

What to look at: the identity's slope is 1 everywhere; sigmoid's slope peaks at 1/4 and
tanh's at 1, both at 0, and both fade to 0 far from 0 (a saturated unit passes almost no
gradient back); ReLU's slope is 0 for negative inputs and 1 for positive ones (0 at exactly
0, as in PyTorch). The printed table gives the slopes at a few points.

Hidden layers may use any of them; the *output* activation is not a free choice. It follows
the outcome, as the lecture says, so that the output is a number of the right kind:

    a real number (blood pressure)      identity   y = z                       any real number
    yes or no (hypertension)            sigmoid    p = 1 / (1 + exp(-z))       a probability
    one of several classes              softmax    p_k = exp(z_k) / sum_j exp(z_j)
                                                   K probabilities that add up to 1

z is the output unit's weighted sum (its score). Softmax needs one score per class; with two
classes and scores (z, 0) it is the sigmoid again: exp(z) / (exp(z) + 1) = sigmoid(z). The
lesson prints each on an example, softmax in plain NumPy (written the stable way: subtracting
the largest score first changes nothing mathematically, and keeps exp from overflowing).
"""


# %%
import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from tinygrad_edu import Tensor

threadpool_limits(1)  # one BLAS thread: the same numbers at the same speed, however the lesson is run


# %% [markdown]
# ## ReLU on the blog's numbers

# %%
def relu_printout(low: int = -4, high: int = 3):
    """x = low, ..., high and relu(x), computed by the library's ``Tensor.relu``."""
    x = np.arange(low, high + 1)
    return x, Tensor(x.astype(float)).relu().data


# %% [markdown]
# ## Four activations and their derivatives, from ``backward()``

# %%
ACTIVATIONS = {
    "identity": lambda x: x,
    "sigmoid": Tensor.sigmoid,
    "tanh": Tensor.tanh,
    "relu": Tensor.relu,
}


# %%
def function_and_derivative(f, points):
    """f(x) and f'(x) at every point, the derivative from the library's backward pass."""
    x = Tensor(np.asarray(points, dtype=float), requires_grad=True)
    y = f(x)
    y.sum().backward()  # d(sum_i f(x_i))/dx_i = f'(x_i): every derivative in one pass
    return y.data.copy(), x.grad.copy()


# %%
def activation_curves(points):
    """``{name: (f(x), f'(x))}`` for each activation."""
    return {name: function_and_derivative(f, points) for name, f in ACTIVATIONS.items()}


# %%
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


# %% [markdown]
# ## The output activation follows the outcome

# %%
def softmax(scores):
    """exp(z_k) / sum_j exp(z_j), in plain NumPy; the largest score is subtracted first."""
    z = np.asarray(scores, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()


SCORE = 1.5  # one output unit's score z
CLASS_SCORES = (2.0, 1.0, 0.1)  # one score per class


def output_examples(score: float = SCORE, class_scores=CLASS_SCORES) -> dict:
    """One score through identity and sigmoid (the library's ops), several through softmax (NumPy)."""
    z = Tensor([score])
    return {"identity": z.data[0], "sigmoid": z.sigmoid().data[0], "softmax": softmax(class_scores)}


# %% [markdown]
# ## Print the numbers, draw the curves

# %%
def main(out_dir: Path, points=(-2.0, -0.5, 0.0, 0.5, 2.0)) -> dict:
    x, relu = relu_printout()
    print("x       = " + ", ".join(f"{v:>2d}" for v in x))
    print("relu(x) = " + ", ".join(f"{v:>2g}" for v in relu))
    print()

    at_points = activation_curves(points)
    print("derivatives computed by backward():")
    print(f"{'x':>6}" + "".join(f"{name:>10}" for name in ACTIVATIONS))
    for i, x in enumerate(points):
        print(f"{x:6.2f}" + "".join(f"{at_points[name][1][i]:10.6f}" for name in ACTIVATIONS))

    grid = np.linspace(-5.0, 5.0, 401)
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_activations(grid, activation_curves(grid)).savefig(out_dir / "activations.png", dpi=120)
    print("saved", out_dir / "activations.png")
    print()

    outputs = output_examples()
    z = f"z = {SCORE:g}"
    zs = "z = (" + ", ".join(f"{v:g}" for v in CLASS_SCORES) + ")"
    p = "(" + ", ".join(f"{v:.4f}" for v in outputs["softmax"]) + ")"
    print("the output activation follows the outcome:")
    print(f"  a real number           identity  {z:<17} -> {outputs['identity']:.4f}")
    print(f"  yes or no               sigmoid   {z:<17} -> {outputs['sigmoid']:.4f}")
    print(f"  one of {len(CLASS_SCORES)} classes        softmax   {zs:<17} -> {p}, adding up to {outputs['softmax'].sum():g}")
    return {"derivatives": at_points, "relu": (x, relu), "outputs": outputs}


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the picture")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out)
