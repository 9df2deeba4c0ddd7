# %% [markdown]
"""Several classes: softmax turns a network's scores into probabilities, cross-entropy grades them.

**The data**: three spiral arms winding out of the centre, 100 points each, labelled 0, 1 and 2
(``tinygrad_edu.data.make_spirals``, seed 0, the recipe of Stanford's CS231n notes). No straight
line separates them.

**The model**, ``TensorMLP(2, [100, 3])``: one hidden layer of 100 ReLU units and three outputs,
one score per class, z = (z_0, z_1, z_2), often called the *logits*:

    h = relu(W_1 x + b_1)                          W_1: 100 x 2
    z = W_2 h + b_2                                W_2: 3 x 100; one score per class
    p_c = exp(z_c) / (exp(z_0) + exp(z_1) + exp(z_2))    softmax: probabilities that add up to 1

**The loss**, cross-entropy: minus the log of the probability the model gives the true class y,
averaged over the n examples, L = mean_i -log p_(y_i). A confident right answer costs almost
nothing, a confident wrong one a lot. ``losses.cross_entropy`` takes the scores z, not p: it
computes log p with ``log_softmax``, which stays exact for scores of 1000, where exp overflows.

**Its gradient** with respect to the scores is the famous

    dL/dz_(i,c) = (p_(i,c) - onehot_(i,c)) / n     onehot_(i,c) = 1 if c = y_i, else 0

predicted minus true probability, divided by the batch size: the several-class form of the
binary ``sigmoid(z) - y``. ``backward()`` is not told this formula; it finds it by the chain rule
through log_softmax, the picking of the true class, and the mean. The lesson checks the two
against each other.

**Training**: plain gradient descent, learning rate 1, 2000 epochs on all 300 points at once,
by ``tinygrad_edu.train.fit`` with ``loss_fn=cross_entropy``.

What to look at: the largest difference between ``backward()``'s gradient and the formula,
which is rounding in the last digit (about 1e-19, for gradients of about 1/n = 0.003); the gradient for the outermost point of each
arm, worked out both ways; the training accuracy, above 98%; and
``spirals_decision_regions.png``, three coloured regions that wind with the arms, the points on
top.
"""


# %%
import argparse
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from tinygrad_edu import Tensor, no_grad
from tinygrad_edu.data import make_spirals
from tinygrad_edu.losses import cross_entropy
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.plots import plot_decision_regions
from tinygrad_edu.train import fit

threadpool_limits(1)  # one BLAS thread: the same numbers at the same speed, however the lesson is run


# %% [markdown]
# ## 1. The data: three spiral arms

# %%
CLASSES = 3
X, y = make_spirals(n_per_class=100, classes=CLASSES, seed=0)  # X: (300, 2), y: 0, 1 or 2


# %% [markdown]
# ## 2. The model: three scores per point, and softmax makes them probabilities

# %%
def probabilities(model, points) -> np.ndarray:
    """The model's probability of each class for each point: softmax of its scores, row by row."""
    with no_grad():
        return model(points).softmax(axis=1).numpy()


# %% [markdown]
# ## 3. The loss, and its gradient with respect to the scores: backward() against the formula

# %%
def score_gradients(model, X, y):
    """dL/dz for the cross-entropy of the model's scores z, found two ways.

    Returns ``(by_backward, by_formula)``, each of shape (n, classes).
    """
    with no_grad():
        z = model(X).numpy()
    scores = Tensor(z, requires_grad=True)  # the scores as a leaf: backward() stops here
    cross_entropy(scores, y).backward()  # the chain rule, through log_softmax, picking, mean
    # the formula, in NumPy; softmax takes each row's largest score off first, so no exp overflows
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    onehot = np.eye(z.shape[1])[y]  # row i: 1 in column y_i, 0 elsewhere
    return np.array(scores.grad), (p - onehot) / len(y)


def show_gradients(by_backward, by_formula, p, y, rows) -> float:
    """Print the formula's pieces for a few rows, and return the largest difference overall."""
    n = len(y)

    def show(v, format="+.4f"):
        return "(" + ", ".join(f"{x:{format}}" for x in v) + ")"

    for i in rows:
        onehot = np.eye(p.shape[1])[y[i]]
        print(f"point {i} (class {y[i]}): softmax {show(p[i], '.4f')} - onehot {show(onehot, '.0f')}")
        print(f"{'':>{len(str(i)) + 17}}= {show(p[i] - onehot)};  n * backward(): {show(n * by_backward[i])}")
    largest = float(np.max(np.abs(by_backward - by_formula)))
    print(f"largest difference between backward() and (softmax - onehot) / n, over all {n} x {p.shape[1]} "
          f"scores: {largest:.1e}")
    return largest


# %% [markdown]
# ## 4. Train: gradient descent on the cross-entropy

# %%
def train(model, X, y, epochs: int, lr: float = 1.0, progress: bool = True) -> list:
    """Plain gradient descent on the whole batch; returns the loss of every epoch."""
    return fit(model, X, y, epochs=epochs, loss_fn=cross_entropy, optimizer=SGD(model.parameters(), lr=lr),
               progress=progress)


def accuracy(model, X, y) -> float:
    """The share of points whose highest score is their own class's."""
    with no_grad():
        return float(np.mean(model(X).numpy().argmax(axis=1) == y))


# %% [markdown]
# ## 5. Look: the gradient, the accuracy, and the decision regions

# %%
def main(out_dir: Path, epochs: int = 2000, progress: bool = True) -> dict:
    model = TensorMLP(2, [100, CLASSES], activation="relu", seed=0)
    print(model)
    outermost = [(k + 1) * len(X) // CLASSES - 1 for k in range(CLASSES)]  # each arm's last point, at radius 1
    print("before training, the gradient of the cross-entropy with respect to the scores:")
    by_backward, by_formula = score_gradients(model, X, y)
    largest = show_gradients(by_backward, by_formula, probabilities(model, X), y, outermost)

    history = train(model, X, y, epochs, progress=progress)
    trained = accuracy(model, X, y)
    print(f"cross-entropy at epoch 1: {history[0]:.4f}, at epoch {len(history)}: {history[-1]:.4f}")
    print(f"training accuracy: {trained:.1%} ({round(trained * len(y))} of {len(y)} points)")

    fig = plot_decision_regions(lambda points: probabilities(model, points), X, y,
                                title=f"TensorMLP(2, [100, 3]): {trained:.1%} correct")
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / "spirals_decision_regions.png", dpi=120)
    print("saved", out_dir / "spirals_decision_regions.png")
    return {"model": model, "X": X, "y": y, "history": history, "accuracy": trained, "largest_difference": largest,
            "gradients": (by_backward, by_formula), "figure": fig}


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=2000, help="training epochs")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out, args.epochs)
