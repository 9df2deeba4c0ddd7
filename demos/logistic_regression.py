# %% [markdown]
"""Logistic regression is a neural network: linear regression's picture with a sigmoid output.

The lesson's example first: with intercept -4 and slope 0.1, a person with x = 30 has
probability sigmoid(-4 + 0.1 * 30) = sigmoid(-1) = 1 / (1 + e) = 0.2689... of the outcome.

Data: 200 simulated people, BMI between 18 and 40, hypertension (1) or not (0) drawn with
probability sigmoid(-4 + 0.1 * BMI). Model: ``Neuron(1, activation="sigmoid")`` of ``Value``
scalars, p = sigmoid(b + w * BMI): the network 1 -> hypertension <- BMI. Loss: binary
cross-entropy, mean(-(y log p + (1 - y) log(1 - p))), the negative log-likelihood divided by n,
so its minimum is the maximum-likelihood estimate. Training: gradient descent.

The loss is convex. As in linear regression the input is standardized, z = (BMI - mean) / sd,
which makes the Hessian mean(p (1 - p) [1 z; z z**2]) at most 1/4 times the identity
(p (1 - p) <= 1/4, and mean [1 z; z z**2] is the identity). A learning rate of 1/(1/4) = 4 is
then safe and fast. We stop when the gradient's norm is below 1e-10 and fold the
standardization back into the weights: w_BMI = w / sd, b_BMI = b - w * mean / sd.

What to look at: the weights from gradient descent equal the maximum-likelihood estimates
found by Newton's method (iteratively reweighted least squares, written below in NumPy) to
1e-6; the saved plot shows the fitted probability curve through the 0/1 data, over the BMIs
the data covers (18 to 40, where the curve is still in the lower half of its S), beside the true
curve sigmoid(-4 + 0.1 BMI), with the lecture's point x = 30 -> 0.2689 marked on it.
"""


# %%
import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits

from tinygrad_edu import Value
from tinygrad_edu.losses import binary_cross_entropy
from tinygrad_edu.nn import Neuron
from tinygrad_edu.optim import SGD
from tinygrad_edu.viz import draw_network, save

threadpool_limits(1)  # one BLAS thread: the same numbers at the same speed, however the lesson is run


# %% [markdown]
# ## The lecture's example

# %%
def lesson_example(intercept: float = -4.0, slope: float = 0.1, x: float = 30.0) -> float:
    """sigmoid(intercept + slope * x), with the library's own ``Value.sigmoid``."""
    return (Value(intercept) + Value(slope) * x).sigmoid().data


# %% [markdown]
# ## 1. Make the data: 200 simulated people

# %%
def simulate_hypertension(n: int = 200, seed: int = 0):
    """BMI ~ Uniform(18, 40); hypertension ~ Bernoulli(sigmoid(-4 + 0.1 * BMI))."""
    rng = np.random.default_rng(seed)
    bmi = rng.uniform(18.0, 40.0, size=n)
    probability = 1.0 / (1.0 + np.exp(-(-4.0 + 0.1 * bmi)))
    hypertension = (rng.uniform(size=n) < probability).astype(float)
    return bmi, hypertension


# %% [markdown]
# ## 2-4. The model (a sigmoid neuron), the loss (binary cross-entropy), training (gradient descent)

# %%
def fit_by_gradient_descent(bmi, y, lr: float = 4.0, tolerance: float = 1e-10, max_steps: int = 2000):
    """Train a sigmoid neuron on standardized BMI; return it in BMI units and the steps taken."""
    mean, sd = bmi.mean(), bmi.std()
    z = (bmi - mean) / sd
    neuron = Neuron(1, activation="sigmoid", seed=0)
    optimizer = SGD(neuron.parameters(), lr=lr)
    for step in range(1, max_steps + 1):
        probabilities = [neuron([zi]) for zi in z]  # 1. predict
        loss = binary_cross_entropy(probabilities, y)  # 2. measure
        optimizer.zero_grad()
        loss.backward()  # 3. differentiate
        gradient_norm = np.hypot(neuron.w[0].grad, neuron.b.grad)
        if gradient_norm < tolerance:  # the likelihood is at its maximum: the gradient is zero
            break
        optimizer.step()  # 4. adjust
    else:
        raise RuntimeError(f"gradient descent did not converge in {max_steps} steps (gradient norm {gradient_norm:.2e})")
    w, b = neuron.w[0].data, neuron.b.data
    neuron.w[0].data = w / sd  # b + w (BMI - mean) / sd  =  (b - w mean / sd) + (w / sd) BMI
    neuron.b.data = b - w * mean / sd
    return neuron, step


# %% [markdown]
# ## The answer to compare with: maximum likelihood by Newton's method

# %%
def newton_irls(x, y, iterations: int = 50):
    """Maximum likelihood for logistic regression by Newton's method; returns (intercept, slope).

    With X = [1, x] and p = sigmoid(X beta), the log-likelihood has gradient X.T (y - p) and
    Hessian -X.T W X, W = diag(p (1 - p)). Each Newton step solves (X.T W X) step = X.T (y - p):
    a weighted least-squares problem, hence "iteratively reweighted least squares".
    """
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-X @ beta))
        step = np.linalg.solve(X.T @ (X * (p * (1 - p))[:, None]), X.T @ (y - p))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-13:
            break
    return float(beta[0]), float(beta[1])


# %% [markdown]
# ## 5. Look: the fitted probability curve

# %%
def plot_probability_curve(bmi, y, intercept: float, slope: float) -> Figure:
    """The 0/1 outcomes (jittered a little so they do not overlap), the fitted p(BMI) and the true
    curve over the range of the data, and the lecture's point sigmoid(-4 + 0.1 * 30) marked."""
    grid = np.linspace(bmi.min(), bmi.max(), 300)  # the curve where there is data, no further
    jitter = np.random.default_rng(1).uniform(-0.03, 0.03, size=len(y))
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.scatter(bmi, y + jitter, s=10, color="0.5", label="people (1 = hypertension)")
    ax.plot(grid, 1 / (1 + np.exp(-(intercept + slope * grid))), linewidth=2,
            label=f"p = sigmoid({intercept:.2f} + {slope:.3f} BMI)")
    ax.plot(grid, 1 / (1 + np.exp(-(-4.0 + 0.1 * grid))), "k--", linewidth=1, label="truth: sigmoid(-4 + 0.1 BMI)")
    example = lesson_example()
    ax.plot([30.0], [example], "o", color="#dc2626", markersize=7, label=f"the lecture's x = 30: p = {example:.4f}")
    ax.annotate(f"sigmoid(-4 + 0.1 * 30) = {example:.4f}", (30.0, example), xytext=(8, -16),
                textcoords="offset points", fontsize=8, color="#dc2626")
    ax.set_xlabel("BMI (kg/m$^2$)")
    ax.set_ylabel("probability of hypertension")
    ax.set_title("Logistic regression: a one-neuron network with a sigmoid output")
    ax.legend(loc="center left", fontsize=8)
    fig.tight_layout()
    return fig


# %%
def main(out_dir: Path, n: int = 200, seed: int = 0) -> dict:
    example = lesson_example()
    print(f"the lesson's example: sigmoid(-4 + 0.1 * 30) = {example!r}")
    bmi, y = simulate_hypertension(n, seed)
    neuron, steps = fit_by_gradient_descent(bmi, y)
    gd = (neuron.b.data, neuron.w[0].data)
    newton = newton_irls(bmi, y)
    difference = max(abs(a - b) for a, b in zip(gd, newton))
    print(f"{int(y.sum())} of {n} people have hypertension")
    print(f"gradient descent ({steps} steps): intercept {gd[0]:.9f}  slope {gd[1]:.9f}")
    print(f"Newton / IRLS (maximum likelihood): intercept {newton[0]:.9f}  slope {newton[1]:.9f}")
    print(f"largest difference: {difference:.1e}")
    print(f"fitted probability at BMI 30: {neuron([30.0]).data:.4f}")

    out_dir.mkdir(parents=True, exist_ok=True)
    network = draw_network(neuron, bias=True, input_names=["BMI"], output_names=["hypertension"], weight_labels=True)
    print("saved", save(network, out_dir / "logistic_regression_network.svg"))
    network.graph_attr["dpi"] = "200"  # a sharp PNG (Graphviz's default is 96 dots per inch)
    print("saved", save(network, out_dir / "logistic_regression_network.png"))
    plot_probability_curve(bmi, y, *gd).savefig(out_dir / "logistic_regression_fit.png", dpi=120)
    print("saved", out_dir / "logistic_regression_fit.png")
    return {"example": example, "gradient_descent": gd, "newton": newton, "steps": steps, "bmi": bmi, "y": y}


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the pictures")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out)
