# %% [markdown]
"""ReLU splines: a one-hidden-layer ReLU network is a spline whose knots it learns.

Data: 1000 points of sin(x) on [0, 4 pi] plus noise of sd 0.2.

A linear spline with knots k_1 .. k_30 is a sum of shifted ReLUs:
    f(x) = a + b x + c_1 (x - k_1)_+ + ... + c_30 (x - k_30)_+,     (u)_+ = max(u, 0),
a straight line that changes slope at each knot. With the knots fixed (evenly spaced here),
f is linear in its coefficients, so least squares finds them in one step (``np.linalg.lstsq``).

A network with one hidden layer of 30 ReLU units, ``TensorMLP(1, [30, 1])``, computes
    f(z) = c + v_1 relu(w_1 z + b_1) + ... + v_30 relu(w_30 z + b_30),
the same kind of function: unit j bends at z = -b_j / w_j. Now the bends are parameters too,
so the fit is no longer a least-squares problem; backprop and Adam (2000 steps on the mean
squared error) learn the bends and the slopes together. Two practical choices: the input is
standardized, z = (x - mean) / sd, and each unit's bias is set so that it starts bending at a
random point of the data (b_j = -w_j * k_j). With the usual zero biases every unit would start
bending at z = 0, and training would spend thousands of steps spreading the bends out.

What to look at: both curves follow the sine through the noise, and both printed RMSEs land
near the noise sd 0.2 (an RMSE far below 0.2 would mean fitting the noise).
"""

# %%
import argparse
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from tinygrad_edu import no_grad
from tinygrad_edu.losses import mean_squared_error
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.optim import Adam
from tinygrad_edu.plots import plot_regression_fit
from tinygrad_edu.train import fit

threadpool_limits(1)  # one BLAS thread: the same numbers at the same speed, however the lesson is run


# %%
def simulate_sine(n: int = 1000, noise: float = 0.2, seed: int = 0):
    """n evenly spaced x in [0, 4 pi]; y = sin(x) + Normal(0, noise)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 4 * np.pi, n)
    return x, np.sin(x) + rng.normal(0.0, noise, size=n)


# %%
def relu_basis(x, knots):
    """The design matrix [1, x, (x - k_1)_+, ..., (x - k_K)_+], one column per coefficient."""
    return np.column_stack([np.ones_like(x), x] + [np.maximum(x - k, 0.0) for k in knots])


# %%
def fit_spline(x, y, n_knots: int = 30):
    """Least squares on shifted ReLUs with evenly spaced interior knots; returns the fitted values."""
    knots = np.linspace(x.min(), x.max(), n_knots + 2)[1:-1]  # the two ends would repeat 1 and x
    basis = relu_basis(x, knots)
    coefficients, *_ = np.linalg.lstsq(basis, y, rcond=None)
    return basis @ coefficients


# %%
def fit_network(x, y, hidden: int = 30, epochs: int = 2000, lr: float = 0.02, seed: int = 0, progress: bool = True):
    """Train TensorMLP(1, [hidden, 1]) with ReLU by backprop; returns the model, fitted values, losses."""
    z = ((x - x.mean()) / x.std()).reshape(-1, 1)
    model = TensorMLP(1, [hidden, 1], activation="relu", seed=seed)
    first = model.layers[0]
    bends = np.random.default_rng(seed).uniform(z.min(), z.max(), size=hidden)
    first.bias.data[:] = -first.weight.data[:, 0] * bends  # unit j starts bending at z = bends[j]
    history = fit(model, z, y.reshape(-1, 1), epochs=epochs, loss_fn=mean_squared_error,
                  optimizer=Adam(model.parameters(), lr=lr), progress=progress)
    with no_grad():
        fitted = model(z).data.ravel()
    return model, fitted, history


# %%
def rmse(fitted, y) -> float:
    return float(np.sqrt(np.mean((fitted - y) ** 2)))


# %%
def main(out_dir: Path, epochs: int = 2000, progress: bool = True) -> dict:
    x, y = simulate_sine()
    spline = fit_spline(x, y)
    model, network, history = fit_network(x, y, epochs=epochs, progress=progress)
    print(model)
    print(f"spline, 30 ReLUs at fixed knots (least squares): RMSE {rmse(spline, y):.4f}")
    print(f"network, 30 ReLUs with learned bends ({epochs} Adam steps): RMSE {rmse(network, y):.4f}")
    print("noise sd: 0.2")
    out_dir.mkdir(parents=True, exist_ok=True)
    fig = plot_regression_fit(x, y, {f"ReLU spline (RMSE {rmse(spline, y):.3f})": spline,
                                     f"ReLU network (RMSE {rmse(network, y):.3f})": network},
                              truth=np.sin(x), truth_label="sin(x)", title="30 ReLUs: a spline and a network")
    fig.savefig(out_dir / "relu_splines.png", dpi=120)
    print("saved", out_dir / "relu_splines.png")
    return {"x": x, "y": y, "spline": spline, "network": network, "history": history}


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=2000, help="training steps for the network")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out, args.epochs)
