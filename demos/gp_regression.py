# %% [markdown]
"""A deep ReLU network learns a function drawn from a Gaussian process, by gradient descent.

**The data** come from the blog's simulation, a smooth random function observed with noise:

    y_i ~ N(f(x_i), sigma)                        sigma = 0.7: noise around the function
    f ~ GP:  (f(x_1), ..., f(x_n)) ~ MVN(0, K)    the smooth function itself
    K_ij = eta**2 exp(-d_ij**2 / (2 rho**2))      d_ij = x_i - x_j,  eta = 3,  rho = 10

with x = -50, -49.5, ..., 49.5 (n = 200) and seed 33 (``tinygrad_edu.data.simulate_gp``). rho is
how far apart two inputs must be before their outputs stop resembling each other; eta how far
the function strays from 0.

**The model**, ``TensorMLP(1, [16, 32, 64, 64, 32, 16, 1])``, six hidden ReLU layers:

    h_1   = relu(W_1 z + b_1)                      W_1: 16 x 1
    h_l   = relu(W_l h_(l-1) + b_l)                l = 2, ..., 6; widths 32, 64, 64, 32, 16
    y_hat = W_7 h_6 + b_7                          W_7: 1 x 16; no activation: y is a real number

(each W_l stored out x in, as ``torch.nn.Linear``), 9473 weights and biases in all.

**Why x is standardized.** The network sees z = (x - mean) / sd, which runs from -1.7 to 1.7,
not x, which runs from -50 to 50. A ReLU layer passes the scale of its input straight through
(relu(c a) = c relu(a) for c > 0), so with raw x every layer's activations, the first
predictions and the gradients would all be some 30 times too large: predictions near 50 where
y stays within 8, first steps at learning rate 0.005 that overshoot (the RMSE starts near 44
and jumps above 100 by the third step), and a network that ends up little better than
predicting the mean. With z the input, and so every layer, starts on the scale of 1, the
scale He initialisation is made for.

**Why He initialisation.** Each W_l starts as N(0, 2 / fan_in) numbers, fan_in being the
width of the layer before. A ReLU zeroes about half of what it receives, which halves the
variance of what it passes on; the factor 2 makes up for that, so the activations keep their
scale through all six layers (the lesson prints their standard deviations at the start),
instead of shrinking layer by layer towards 0, where no signal and no gradient is left, or
growing without bound.

**Training** is the five steps of every lesson, repeated for 8000 epochs on all 200 points at
once: 1. predict, 2. measure (the loss: root mean squared error), 3. differentiate
(``backward``), 4. adjust (the optimizer: plain gradient descent, learning rate 0.005),
5. reset the gradients. ``tinygrad_edu.train.fit`` runs the same loop.

What to look at: ``gp_data.png``, the data alone, as the blog first shows it;
``gp_loss_curve.png``, the RMSE against the epoch, falling from about 5 towards the dashed
noise level 0.7, wobbling on the way, and ending a little below it; ``gp_fit.png``, the
network's line following the dashed latent function through the noisy points. The final RMSE
is printed once, the number the progress bar ends on: about 0.63, below the noise sd 0.7, so the
network has fitted a little of the noise as well as the function (the true latent function
itself scores 0.67 on these points). The exact digits depend on the seed of the initial
weights and on the order of floating-point sums; ``gp_blog_program.py`` shows the spread.
"""


# %%
import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.data import simulate_gp
from tinygrad_edu.losses import root_mean_squared_error
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.plots import plot_loss_curve, plot_regression_fit

threadpool_limits(1)  # one BLAS thread: the same numbers at the same speed, however the lesson is run


# %% [markdown]
# ## 1. Make the data, and look at it alone

# %%
def plot_data(x, y) -> Figure:
    """The observations alone: what the network is given."""
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.scatter(x, y, s=10, color="0.3")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("200 noisy observations of a Gaussian-process sample")
    fig.tight_layout()
    return fig


# %% [markdown]
# ## 2. The model: six hidden ReLU layers, He initialisation

# %%
HIDDEN = [16, 32, 64, 64, 32, 16]


def activation_scales(model, X) -> list:
    """The standard deviation of each hidden layer's output, for inputs X (no training)."""
    scales, h = [], Tensor(X)
    with no_grad():
        for layer in model.layers[:-1]:
            h = layer(h).relu()
            scales.append(float(h.data.std()))
    return scales


# %% [markdown]
# ## 3-4. The loss and the optimizer, and the five steps of training

# %%
def measure(model, X, y, loss_fn) -> float:
    """The loss of the model as it is now, without recording a graph."""
    with no_grad():
        return float(loss_fn(model(Tensor(X)), Tensor(y)).data)


def train(model, X, y, loss_fn, optimizer, epochs: int, progress: bool = True) -> list:
    """The five steps, once per epoch; returns the loss of every epoch.

    The progress bar ends on the loss of the trained model, measured after the last step.
    """
    X_, y_ = Tensor(X), Tensor(y)
    history = []
    bar = tqdm(total=epochs, desc="training", disable=not progress, mininterval=0.25)
    for epoch in range(1, epochs + 1):
        prediction = model(X_)  # 1. predict
        loss = loss_fn(prediction, y_)  # 2. measure
        loss.backward()  # 3. differentiate
        optimizer.step()  # 4. adjust
        optimizer.zero_grad()  # 5. reset
        history.append(float(loss.data))
        bar.update()
        if epoch % 100 == 0:
            bar.set_postfix(rmse=f"{history[-1]:.4f}", refresh=False)
    bar.set_postfix(rmse=f"{measure(model, X, y, loss_fn):.4f}")
    bar.close()
    return history


def run(epochs: int = 8000, lr: float = 0.005, seed: int = 0, progress: bool = True):
    """Steps 1 to 4 of the lesson; returns the data, the trained model, the losses, its predictions."""
    data = simulate_gp()  # 200 points, eta 3, rho 10, sigma 0.7, seed 33
    X = data.x_standardized.reshape(-1, 1)  # one column: one input feature, standardized
    y = data.y.reshape(-1, 1)
    model = TensorMLP(1, HIDDEN + [1], activation="relu", seed=seed)
    loss_fn = root_mean_squared_error
    optimizer = SGD(model.parameters(), lr=lr)
    history = train(model, X, y, loss_fn, optimizer, epochs, progress)
    with no_grad():
        prediction = model(Tensor(X)).data.ravel()
    return data, model, history, prediction


# %% [markdown]
# ## 5. Look: the loss falling towards the noise level, and the fitted function

# %%
def main(out_dir: Path, epochs: int = 8000, progress: bool = True) -> dict:
    data, model, history, prediction = run(epochs, progress=progress)
    X, y = data.x_standardized.reshape(-1, 1), data.y.reshape(-1, 1)
    rmse = measure(model, X, y, root_mean_squared_error)  # the number the progress bar ended on
    scales = activation_scales(TensorMLP(1, HIDDEN + [1], activation="relu", seed=0), X)  # as training began
    print(model)
    print("sd of each hidden layer's output at the start:", " ".join(f"{s:.2f}" for s in scales))
    print(f"RMSE at epoch 1: {history[0]:.4f}")
    print(f"final RMSE: {rmse:.4f}  (noise sd 0.7; the blog reports about 0.63)")
    print(f"RMSE of the true latent function: {np.sqrt(np.mean((data.latent - data.y) ** 2)):.4f}")
    figures = {
        "gp_data.png": plot_data(data.x, data.y),
        "gp_loss_curve.png": plot_loss_curve(history, ylabel="RMSE", xlabel="epoch", reference=0.7,
                                             reference_label="noise sd 0.7"),
        "gp_fit.png": plot_regression_fit(data.x, data.y, {f"network (RMSE {rmse:.4f})": prediction},
                                          truth=data.latent, truth_label="latent GP",
                                          title="A deep ReLU network fitted to a Gaussian-process sample"),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, fig in figures.items():
        fig.savefig(out_dir / name, dpi=120)
    print("saved", ", ".join(figures), "in", out_dir)
    return {"data": data, "history": history, "prediction": prediction, "rmse": rmse, "scales": scales, "figures": figures}


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the pictures")
    parser.add_argument("--epochs", type=int, default=8000, help="training epochs")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out, args.epochs)
