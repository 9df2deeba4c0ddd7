# %% [markdown]
"""ReLU splines: a one-hidden-layer ReLU network is a spline whose knots it learns.

Data: n = 1000 evenly spaced x on [0, 4 pi], y = sin(x) plus noise of sd 0.2 (seeded).

**The spline, as the lecture builds it.** Thirty knots, ``knots = np.linspace(x.min(), x.max(), 30)``,
and one column per knot, ``(x - k) * (x > k)``: 0 left of the knot, a line of slope 1 right of
it, a shifted ReLU. Least squares with an intercept (``np.linalg.lstsq`` on [1, columns], which
is what scikit-learn's ``LinearRegression`` computes) fits

    f(x) = a + c_1 (x - k_1)_+ + ... + c_30 (x - k_30)_+,

a line that changes slope by c_j at each knot k_j. Look at the two ends of this design:

* the first knot is min(x) = 0, so its column (x - 0) * (x > 0) is x itself: c_1 is simply
  the slope of the first piece;
* the last knot is max(x) = 4 pi, and x > 4 pi never holds, so its column is all zeros and
  c_30 cannot be determined (lstsq, like LinearRegression, returns 0 for it).

So the 30 columns have rank 29: with the intercept, 30 numbers are fitted, an intercept, a
starting slope and 28 changes of slope at the interior knots, 4 pi / 29 apart. The lesson
prints the rank. This demo used to build the design another way, [1, x, (x - k)_+] with 30
*interior* knots (``linspace(min, max, 32)[1:-1]``): 32 columns of full rank, 30 changes of
slope 4 pi / 31 apart. Its knots sit elsewhere, so neither design contains the other, and two
more numbers to fit buy nothing here: on this data the two RMSEs differ in the fourth decimal
(the lesson prints both) and the two curves are hard to tell apart.

**The network.** ``TensorMLP(1, [30, 1])`` with ReLU computes

    f(z) = c + v_1 relu(w_1 z + b_1) + ... + v_30 relu(w_30 z + b_30),

the same kind of function: unit j bends at z = -b_j / w_j. Now the bends are parameters too,
so the fit is no longer least squares; backprop and Adam (2000 steps, learning rate 0.02, on
the mean squared error) learn the bends and the slopes together. The input is standardized,
z = (x - mean) / sd, and unit j starts bending at the spline's knot j (b_j = -w_j k_j, with k_j
standardized). With the usual zero biases every unit would start bending at z = 0; with bends
drawn at random, stretches of the range (in this data, the end near 4 pi) may hold no bend at
all, and the network then cuts the last hump of the sine short.

What to look at: the figure shows the noisy data, the true sine (dashed) and both fits, which
follow the sine over the whole range, from 0 to 4 pi. Both are visibly made of straight pieces.
Along the bottom, the grey ticks are the spline's 30 knots, evenly spaced; the orange ticks are
where the network's units bend after training. Training has moved them off the even spacing:
some have bunched together, leaving wider gaps elsewhere, and some units have moved their bend
out of [0, 4 pi] altogether (the lesson prints how many remain inside), where they only add a
straight line. Both printed RMSEs land near the noise sd 0.2 (an RMSE far below 0.2 would mean
fitting the noise), and both fits are within an RMSE of 0.05 of the true sine (also printed).
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


# %% [markdown]
# ## 1. Make the data: a noisy sine

# %%
def simulate_sine(n: int = 1000, noise: float = 0.2, seed: int = 0):
    """n evenly spaced x in [0, 4 pi]; y = sin(x) + Normal(0, noise)."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0.0, 4 * np.pi, n)
    return x, np.sin(x) + rng.normal(0.0, noise, size=n)


# %% [markdown]
# ## 2. The spline: shifted ReLUs at fixed knots, fitted by least squares

# %%
def lecture_knots(x, n_knots: int = 30):
    """The lecture's knots: evenly spaced from the smallest x to the largest, both included."""
    return np.linspace(x.min(), x.max(), n_knots)


def relu_columns(x, knots):
    """One column per knot, (x - k) * (x > k): the lecture's design, without the intercept."""
    return np.column_stack([(x - k) * (x > k) for k in knots])


def least_squares_fit(columns, y):
    """Least squares with an intercept: the fitted values of y ~ a + columns @ c."""
    design = np.column_stack([np.ones(len(y)), columns])
    coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
    return design @ coefficients


def fit_spline(x, y, n_knots: int = 30):
    """The lecture's spline: returns its fitted values and the rank of its knot columns."""
    columns = relu_columns(x, lecture_knots(x, n_knots))
    return least_squares_fit(columns, y), np.linalg.matrix_rank(columns)


def fit_interior_spline(x, y, n_knots: int = 30):
    """The design this demo used before: [x, (x - k)_+] at n_knots interior knots (and the intercept)."""
    knots = np.linspace(x.min(), x.max(), n_knots + 2)[1:-1]
    columns = np.column_stack([x, relu_columns(x, knots)])
    return least_squares_fit(columns, y), np.linalg.matrix_rank(columns)


# %% [markdown]
# ## 3. The network: 30 ReLU units whose bends start at the spline's knots, trained by backprop

# %%
def fit_network(x, y, hidden: int = 30, epochs: int = 2000, lr: float = 0.02, seed: int = 0, progress: bool = True):
    """Train TensorMLP(1, [hidden, 1]) with ReLU by Adam on the mean squared error.

    Returns the model, its fitted values, the loss of every epoch, and where each unit bends
    (in units of x) after training.
    """
    mean, sd = x.mean(), x.std()
    z = ((x - mean) / sd).reshape(-1, 1)
    model = TensorMLP(1, [hidden, 1], activation="relu", seed=seed)
    first = model.layers[0]
    knots = (lecture_knots(x, hidden) - mean) / sd
    first.bias.data[:] = -first.weight.data[:, 0] * knots  # unit j starts bending at knot j
    history = fit(model, z, y.reshape(-1, 1), epochs=epochs, loss_fn=mean_squared_error,
                  optimizer=Adam(model.parameters(), lr=lr), progress=progress)
    with no_grad():
        fitted = model(z).data.ravel()
    bends = mean + sd * (-first.bias.data / first.weight.data[:, 0])  # relu(w z + b) bends at z = -b/w
    return model, fitted, history, bends


def rmse(fitted, y) -> float:
    return float(np.sqrt(np.mean((fitted - y) ** 2)))


# %% [markdown]
# ## 4. Look: both fits beside the sine, knots and learned bends along the bottom

# %%
def main(out_dir: Path, epochs: int = 2000, progress: bool = True) -> dict:
    x, y = simulate_sine()
    spline, rank = fit_spline(x, y)
    interior, interior_rank = fit_interior_spline(x, y)
    model, network, history, bends = fit_network(x, y, epochs=epochs, progress=progress)
    print(model)
    print(f"spline, the lecture's 30 knots (rank {rank} + intercept): RMSE {rmse(spline, y):.4f}")
    print(f"spline, x and 30 interior knots (rank {interior_rank} + intercept): RMSE {rmse(interior, y):.4f}")
    print(f"network, 30 ReLUs with learned bends ({epochs} Adam steps): RMSE {rmse(network, y):.4f}")
    print(f"noise sd: 0.2; distance from the true sine: spline {rmse(spline, np.sin(x)):.4f}, "
          f"network {rmse(network, np.sin(x)):.4f}")
    fig = plot_regression_fit(x, y, {f"ReLU spline, 30 fixed knots (RMSE {rmse(spline, y):.3f})": spline,
                                     f"ReLU network, 30 learned bends (RMSE {rmse(network, y):.3f})": network},
                              truth=np.sin(x), truth_label="sin(x)", title="30 ReLUs: a spline and a network")
    ax = fig.axes[0]
    low = y.min() - 0.25
    ax.plot(lecture_knots(x), np.full(30, low), "|", color="0.45", markersize=10, label="spline knots")
    shown = bends[(bends >= x.min()) & (bends <= x.max())]
    print(f"the network bends at {len(shown)} points inside [0, 4 pi]; {30 - len(shown)} units bend outside the data")
    ax.plot(shown, np.full(len(shown), low + 0.2), "|", color="C1", markersize=10, label="network bends")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3, fontsize=8)
    fig.set_size_inches(7, 4.8)
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / "relu_splines.png", dpi=120)
    print("saved", out_dir / "relu_splines.png")
    return {"x": x, "y": y, "spline": spline, "rank": rank, "interior": interior, "network": network,
            "history": history, "bends": bends}


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=2000, help="training steps for the network")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out, args.epochs)
