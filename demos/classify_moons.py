# %% [markdown]
"""A neural network of scalars learns a curved decision boundary (micrograd's classic demo).

Data: two interleaving half moons, labels -1 and +1. Model: MLP(2, [16, 16, 1]) with ReLU,
built from ``Value`` scalars, so every one of its 337 weights gets its gradient from the
computation graph. Loss: the hinge loss max(0, 1 - y*score), plus a small L2 penalty.
Training: plain gradient descent with a learning rate that decays from 1.0 to 0.1.

What to look at: the printed accuracy reaches 100%, and the saved picture shows the boundary
bending between the two moons.
"""


# %%
import argparse
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from tinygrad_edu.data import make_moons
from tinygrad_edu.losses import hinge_loss, l2_penalty
from tinygrad_edu.nn import MLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.plots import plot_decision_boundary

threadpool_limits(1)  # one BLAS thread: the same numbers at the same speed, however the lesson is run


# %% [markdown]
# ## One step: predict, measure (hinge loss + L2), differentiate, adjust

# %%
def training_step(model, optimizer, X, y):
    """One step of gradient descent; returns the loss and the accuracy before the update."""
    scores = [model(x.tolist()) for x in X]  # predict
    loss = hinge_loss(scores, y) + l2_penalty(model.parameters(), alpha=1e-4)  # how wrong
    accuracy = np.mean([(s.data > 0) == (label > 0) for s, label in zip(scores, y)])
    optimizer.zero_grad()
    loss.backward()  # the gradient of the loss for every one of the 337 weights
    optimizer.step()  # adjust each weight against its gradient
    return loss.data, accuracy


# %% [markdown]
# ## The data, the model, and 100 steps of training

# %%
def train(steps: int = 100, seed: int = 0, progress: bool = True):
    X, y = make_moons(n_samples=100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], activation="relu", seed=seed)
    optimizer = SGD(model.parameters(), lr=1.0)
    history = []
    for step in tqdm(range(steps), desc="training", disable=not progress):
        optimizer.lr = 1.0 - 0.9 * step / steps  # smaller steps as we get closer
        history.append(training_step(model, optimizer, X, y))
    return model, X, y, history


# %% [markdown]
# ## Look: the loss, the accuracy and the decision boundary

# %%
def main(out_dir: Path, steps: int = 100) -> dict:
    model, X, y, history = train(steps)
    print(model)
    for step in list(range(0, steps, max(1, steps // 10))) + [steps - 1]:
        loss, accuracy = history[step]
        print(f"step {step:3d}  loss {loss:.4f}  accuracy {accuracy:.0%}")

    def predict(points):
        return np.array([model(p.tolist()).data for p in points])

    final_accuracy = np.mean((predict(X) > 0) == (y > 0))
    print(f"final training accuracy: {final_accuracy:.0%}")
    fig = plot_decision_boundary(predict, X, y, resolution=50, title=f"MLP(2, [16, 16, 1]): {final_accuracy:.0%} correct")
    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / "moons_decision_boundary.png", dpi=120)
    print("saved", out_dir / "moons_decision_boundary.png")
    return {"accuracy": final_accuracy, "history": history}


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the picture")
    parser.add_argument("--steps", type=int, default=100, help="training steps")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out, args.steps)
