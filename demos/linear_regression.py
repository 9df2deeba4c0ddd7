# %% [markdown]
"""Linear regression is a neural network: one input, an intercept node "1", one linear output.

Data: 100 simulated people, body-mass index (BMI) between 18 and 40, systolic blood pressure
SBP = 90 + 1.2 * BMI + noise (sd 10 mmHg). Model: a single ``Neuron(1, activation="linear")``
of ``Value`` scalars, SBP_hat = b + w * BMI: the network 1 -> SBP <- BMI, where the arrow from
the "1" node is the intercept b. Loss: mean squared error. Training: gradient descent.

The loss is a convex quadratic, so gradient descent finds its one minimum, the least-squares
line. To get there quickly the input is standardized, z = (BMI - mean) / sd. Then the loss
L(b, w) = mean((b + w z - y)**2) has Hessian 2 * identity (mean z = 0, mean z**2 = 1): a round
bowl, so every step with learning rate 0.25 halves the distance to the bottom. We stop when the
gradient's norm is below 1e-9, then fold the standardization back into the weights:
w_BMI = w / sd and b_BMI = b - w * mean / sd.

What to look at: the printed weights from gradient descent equal the least-squares
coefficients from ``np.linalg.lstsq`` to 1e-6 (in fact to about 1e-9); the saved network
picture shows the two arrows with their fitted weights; the plot shows the fitted line.
"""


# %%
import argparse
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from tinygrad_edu.losses import mean_squared_error
from tinygrad_edu.nn import Neuron
from tinygrad_edu.optim import SGD
from tinygrad_edu.plots import plot_regression_fit
from tinygrad_edu.viz import draw_network, save

threadpool_limits(1)  # one BLAS thread: the same numbers at the same speed, however the lesson is run


# %% [markdown]
# ## 1. Make the data: 100 simulated people

# %%
def simulate_blood_pressure(n: int = 100, seed: int = 0):
    """BMI ~ Uniform(18, 40) and SBP = 90 + 1.2 * BMI + Normal(0, 10), in mmHg."""
    rng = np.random.default_rng(seed)
    bmi = rng.uniform(18.0, 40.0, size=n)
    sbp = 90.0 + 1.2 * bmi + rng.normal(0.0, 10.0, size=n)
    return bmi, sbp


# %% [markdown]
# ## 2-4. The model (one linear neuron), the loss (mean squared error), training (gradient descent)

# %%
def fit_by_gradient_descent(bmi, sbp, lr: float = 0.25, tolerance: float = 1e-9, max_steps: int = 1000):
    """Train a linear neuron by gradient descent on standardized BMI; return it in BMI units.

    Returns the neuron (its weight and bias now read raw BMI) and the number of steps taken.
    """
    mean, sd = bmi.mean(), bmi.std()
    z = (bmi - mean) / sd
    neuron = Neuron(1, activation="linear", seed=0)
    optimizer = SGD(neuron.parameters(), lr=lr)
    for step in range(1, max_steps + 1):
        predictions = [neuron([zi]) for zi in z]  # 1. predict
        loss = mean_squared_error(predictions, sbp)  # 2. measure
        optimizer.zero_grad()
        loss.backward()  # 3. differentiate: dL/dw and dL/db
        gradient_norm = np.hypot(neuron.w[0].grad, neuron.b.grad)
        if gradient_norm < tolerance:  # at the bottom of the bowl: the gradient is zero
            break
        optimizer.step()  # 4. adjust: w -= lr * dL/dw, b -= lr * dL/db
    else:
        raise RuntimeError(f"gradient descent did not converge in {max_steps} steps (gradient norm {gradient_norm:.2e})")
    w, b = neuron.w[0].data, neuron.b.data
    neuron.w[0].data = w / sd  # b + w (BMI - mean) / sd  =  (b - w mean / sd) + (w / sd) BMI
    neuron.b.data = b - w * mean / sd
    return neuron, step


# %% [markdown]
# ## The answer to compare with: least squares

# %%
def least_squares(bmi, sbp):
    """The textbook answer: minimize |X beta - y|**2 with X = [1, BMI]; returns (intercept, slope)."""
    X = np.column_stack([np.ones_like(bmi), bmi])
    beta, *_ = np.linalg.lstsq(X, sbp, rcond=None)
    return float(beta[0]), float(beta[1])


# %% [markdown]
# ## 5. Look: the weights beside least squares, the network with its weights, the fitted line

# %%
def main(out_dir: Path, n: int = 100, seed: int = 0) -> dict:
    bmi, sbp = simulate_blood_pressure(n, seed)
    neuron, steps = fit_by_gradient_descent(bmi, sbp)
    gd = (neuron.b.data, neuron.w[0].data)
    ls = least_squares(bmi, sbp)
    difference = max(abs(a - b) for a, b in zip(gd, ls))
    print(f"gradient descent ({steps} steps):  intercept {gd[0]:.9f}  slope {gd[1]:.9f}")
    print(f"least squares (np.linalg.lstsq): intercept {ls[0]:.9f}  slope {ls[1]:.9f}")
    print(f"largest difference: {difference:.1e}")
    print(f"predicted SBP at BMI 30: {neuron([30.0]).data:.2f} mmHg")

    out_dir.mkdir(parents=True, exist_ok=True)
    network = draw_network(neuron, bias=True, input_names=["BMI"], output_names=["SBP"], weight_labels=True)
    print("saved", save(network, out_dir / "linear_regression_network.svg"))
    network.graph_attr["dpi"] = "200"  # a sharp PNG (Graphviz's default is 96 dots per inch)
    print("saved", save(network, out_dir / "linear_regression_network.png"))
    fitted = np.array([neuron([x]).data for x in bmi])
    fig = plot_regression_fit(bmi, sbp, {f"SBP = {gd[0]:.1f} + {gd[1]:.2f} BMI": fitted},
                              title="Linear regression: a one-neuron network")
    fig.axes[0].set_xlabel("BMI (kg/m$^2$)")
    fig.axes[0].set_ylabel("systolic blood pressure (mmHg)")
    fig.savefig(out_dir / "linear_regression_fit.png", dpi=120)
    print("saved", out_dir / "linear_regression_fit.png")
    return {"gradient_descent": gd, "least_squares": ls, "steps": steps, "bmi": bmi, "sbp": sbp}


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the pictures")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out)
