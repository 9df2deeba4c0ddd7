"""The training loop: the five steps of every lesson, repeated.

    1. predict        prediction = model(X)
    2. measure        loss = loss_fn(prediction, y)
    3. differentiate  loss.backward()
    4. adjust         optimizer.step()
    5. reset          optimizer.zero_grad()

``fit`` runs them for a number of epochs with a progress bar, records the loss, and stops
with a clear message if the loss stops being a finite number.
"""

from __future__ import annotations

import math
from typing import Callable, List, Optional

import numpy as np
from tqdm import tqdm

from .losses import root_mean_squared_error
from .optim import SGD, Optimizer
from .tensor import Tensor


class DivergenceError(FloatingPointError):
    """The loss became nan or inf: the steps were too large and training blew up."""

    def __init__(self, message: str, history: List[float]):
        super().__init__(message)
        self.history = history  # the finite losses recorded before it happened


def fit(
    model,
    X,
    y,
    epochs: int,
    lr: float = 0.005,
    loss_fn: Callable = root_mean_squared_error,
    optimizer: Optional[Optimizer] = None,
    progress: bool = True,
    desc: str = "training",
) -> List[float]:
    """Train ``model`` on (X, y) by full-batch gradient descent; return the loss of every epoch.

    ``X`` and ``y`` may be NumPy arrays: for a ``TensorMLP`` they become Tensors (in the
    model's dtype), for a scalar ``MLP`` they are read row by row. The optimizer defaults to
    plain SGD with learning rate ``lr``. Raises ``DivergenceError`` naming the epoch if the
    loss becomes nan or inf; the model keeps the parameters that produced that loss.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    optimizer = optimizer if optimizer is not None else SGD(model.parameters(), lr=lr)
    first = model.parameters()[0]
    batched = isinstance(first, Tensor)  # a Tensor model takes the whole batch at once
    if batched:
        X = X if isinstance(X, Tensor) else Tensor(X, dtype=first.dtype)
        y = y if isinstance(y, Tensor) else Tensor(y, dtype=first.dtype)
    else:  # a scalar MLP reads the rows one at a time
        X, y = np.asarray(X, dtype=float).tolist(), np.asarray(y, dtype=float)
    history: List[float] = []
    bar = tqdm(range(1, epochs + 1), desc=desc, disable=not progress, mininterval=0.25)
    for epoch in bar:
        prediction = model(X) if batched else [model(row) for row in X]  # 1. predict
        loss = loss_fn(prediction, y)  # 2. measure
        value = float(loss.data)
        if not math.isfinite(value):
            bar.close()
            raise DivergenceError(
                f"training diverged: the loss became {value} at epoch {epoch} of {epochs} "
                f"(learning rate {optimizer.lr:g}). The steps are too large; try a smaller learning "
                f"rate, such as {optimizer.lr / 10:g}, and start again from a freshly initialised model.",
                history,
            )
        loss.backward()  # 3. differentiate
        optimizer.step()  # 4. adjust
        optimizer.zero_grad()  # 5. reset
        history.append(value)
        if progress and epoch % 100 == 0:
            bar.set_postfix(loss=f"{value:.4f}", refresh=False)
    return history
