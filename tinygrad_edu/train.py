"""The training loop: the five steps of every lesson, repeated.

    1. predict        prediction = model(X)
    2. measure        loss = loss_fn(prediction, y)
    3. differentiate  loss.backward()
    4. adjust         optimizer.step()
    5. reset          optimizer.zero_grad()

``fit`` runs them for a number of epochs with a progress bar (a widget in Jupyter) and records
the loss. Before the first step it checks what it was given, so that a problem with the data
is named as one; while training it stops with a clear message if the loss blows up.
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, List, Optional

import numpy as np
from tqdm.auto import tqdm

from .checks import first_not_finite
from .jit import jit as replay
from .optim import SGD, Optimizer
from .tensor import Tensor, no_grad
from .tensor.dtypes import as_array
from .value import Value

DIVERGED = 1000.0  # a loss more than this many times its first value means training blew up


class DivergenceError(FloatingPointError):
    """The loss became nan or inf, or grew to more than ``DIVERGED`` times its first value: the
    steps were too large and training blew up."""

    def __init__(self, message: str, history: List[float]):
        super().__init__(message)
        self.history = history  # the losses recorded before it happened


def fit(
    model,
    X,
    y,
    epochs: int,
    lr: Optional[float] = None,
    loss_fn: Optional[Callable] = None,
    optimizer: Optional[Optimizer] = None,
    progress: bool = True,
    desc: str = "training",
    jit: bool = False,
) -> List[float]:
    """Train ``model`` on (X, y) by full-batch gradient descent; return the loss of every epoch.

    Say what to minimise and how to step: ``loss_fn`` (such as ``losses.mean_squared_error``)
    and either ``lr`` (plain SGD with that learning rate) or an ``optimizer`` of your own.
    ``X`` and ``y`` may be NumPy arrays: for a ``TensorMLP`` they become Tensors (in the model's
    dtype), for a scalar ``MLP`` they are read row by row. The loss of epoch k is measured
    before its step; the progress bar ends on the loss of the model ``fit`` returns.

    Refused before any step, with a message saying what to fix: nan or inf in X or y (a
    problem with the data, not with the learning rate), X and y of different lengths, a model
    whose parameters are not finite. Raises ``DivergenceError`` naming the epoch if the loss
    becomes nan or inf, or grows past ``DIVERGED`` (1000) times its first value, after the
    last step included; the model keeps the parameters that produced that loss.

    ``jit=True`` (a ``TensorMLP``'s training) records the steps once and replays them (see
    ``jit.py``): the same losses and weights, bit for bit, in less time.
    """
    parameters = _parameters_of(model)
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
        raise TypeError(f"epochs is a whole number, such as 100, got {type(epochs).__name__} {epochs!r}")
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, got {epochs}")
    if loss_fn is None or not callable(loss_fn):
        raise TypeError(
            "fit needs loss_fn=, the function to minimise, such as losses.mean_squared_error (regression) or "
            f"losses.binary_cross_entropy_with_logits (two classes); got {loss_fn!r}"
        )
    for name, switch in (("progress", progress), ("jit", jit)):
        if not isinstance(switch, (bool, np.bool_)):
            raise TypeError(f"fit's {name} is True or False, got {type(switch).__name__} {switch!r:.40}")
    optimizer = _optimizer(parameters, lr, optimizer)
    batched = isinstance(parameters[0], Tensor)
    classes = not isinstance(y, Tensor) and np.asarray(y).dtype.kind in "iu"  # whole numbers: class labels, kept whole
    X, y = _data(X, "X"), _data(y, "y")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows (examples) but y has {len(y)}; they must pair up, one target per row of X")
    if batched:
        X = X if isinstance(X, Tensor) else Tensor(X, dtype=parameters[0].dtype)
        y = y if isinstance(y, Tensor) else Tensor(y, dtype="int64" if classes else parameters[0].dtype)
    else:  # a scalar MLP reads the rows one at a time
        X = np.asarray(X._data if isinstance(X, Tensor) else X, dtype=float).tolist()
    if jit and not batched:
        raise ValueError("fit(jit=True) replays the steps of a Tensor model (a TensorMLP); a scalar MLP trains eagerly")

    def predict(X):  # a Tensor model takes the batch at once, a scalar one row by row
        return model(X) if batched else [model(row) for row in X]

    def differentiate(X, y):
        loss = _checked_loss(loss_fn(predict(X), y))  # 1. predict, 2. measure
        loss.backward()  # 3. differentiate
        return loss

    def adjust():
        optimizer.step()  # 4. adjust
        optimizer.zero_grad()  # 5. reset

    if jit:  # recorded on the first epoch, replayed on the others
        differentiate, adjust = replay(differentiate), replay(adjust)
    history: List[float] = []
    with tqdm(total=epochs, desc=desc, disable=not progress, mininterval=0.25) as bar:
        for epoch in range(1, epochs + 1):
            value = _number(differentiate(X, y))
            _check_loss(value, epoch, epochs, history, optimizer)  # before the step: a bad loss changes nothing
            adjust()
            history.append(value)
            bar.update()
            if progress and epoch % 100 == 0:
                bar.set_postfix(loss=f"{value:.4f}", refresh=False)
        with no_grad():  # the loss of the model as it is returned, after the last step
            final = _number(loss_fn(predict(X), y))
        _check_loss(final, epochs + 1, epochs, history, optimizer)
        bar.set_postfix(loss=f"{final:.4f}")
    return history


# --- what fit checks -------------------------------------------------------------------------


def _parameters_of(model) -> list:
    """The model's parameters: Values or Tensors, all finite."""
    if not callable(getattr(model, "parameters", None)) or not callable(model):
        raise TypeError(f"fit trains a model (an MLP, a TensorMLP, a Linear layer), got {type(model).__name__}")
    parameters = list(model.parameters())
    if not parameters:
        raise ValueError(f"{type(model).__name__} has no parameters to train")
    for p in parameters:
        data = p._data if isinstance(p, Tensor) else p.data
        if not np.isfinite(data).all():
            raise ValueError(
                f"the model's parameters hold nan or inf before training (in {p!r:.60}); start again from a "
                "freshly initialised model (or load finite weights)"
            )
    return parameters


def _optimizer(parameters: list, lr, optimizer) -> Optimizer:
    """The optimizer to step with: the one given, or plain SGD at ``lr``; exactly one of them."""
    if optimizer is None:
        if lr is None:
            raise TypeError("fit needs lr= (a learning rate for plain SGD, such as 0.01) or optimizer= (such as Adam(model.parameters()))")
        return SGD(parameters, lr=lr)
    if lr is not None:
        raise ValueError(f"give fit lr= or optimizer=, not both: the optimizer steps with its own learning rate ({getattr(optimizer, 'lr', '?')})")
    if isinstance(optimizer, type) or not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer= is an optimizer made for the model, such as SGD(model.parameters(), lr=0.01), got {optimizer!r}")
    stepped = {id(p) for p in getattr(optimizer, "parameters", ())}
    if stepped and not any(id(p) in stepped for p in parameters):
        raise ValueError("the optimizer updates none of this model's parameters: make it with this model's parameters()")
    return optimizer


def _data(data, name: str):
    """X or y: real, finite numbers with one row per example (a Tensor stays a Tensor)."""
    array = data._data if isinstance(data, Tensor) else as_array(data, None, what=f"fit's {name}")
    if array.ndim == 0:
        raise ValueError(f"fit's {name} holds one number; give one row per example")
    if len(array) == 0:
        raise ValueError(f"fit's {name} has no rows; give at least one example to learn from")
    found = first_not_finite(array)
    if found:
        index, number = found
        raise ValueError(
            f"fit's {name} holds {number} at index {index} ({int((~np.isfinite(array)).sum())} such numbers): that is a "
            "problem with the data, not with the learning rate; remove or fill in those examples before training"
        )
    return data if isinstance(data, Tensor) else array


def _checked_loss(loss):
    """What loss_fn returned, if it is a Value or a Tensor holding one number."""
    if not isinstance(loss, (Value, Tensor)) or getattr(loss, "size", 1) != 1:
        raise TypeError(
            f"loss_fn must return one number as a Value or a Tensor (so that fit can call backward on it), got "
            f"{type(loss).__name__} {loss!r:.60}"
        )
    return loss


def _number(loss) -> float:
    try:
        return float(loss._data.reshape(())) if isinstance(loss, Tensor) else float(loss.data)
    except (AttributeError, TypeError, ValueError):
        raise TypeError(f"loss_fn must return one number as a Value or a Tensor, got {type(loss).__name__}") from None


def _check_loss(value: float, epoch: int, epochs: int, history: List[float], optimizer) -> None:
    """Stop, with the reason, if the loss is not finite or has grown far past its start."""
    when = f"after the last step (epoch {epochs})" if epoch > epochs else f"at epoch {epoch} of {epochs}"
    if not history and not math.isfinite(value):
        raise ValueError(
            f"the loss of the untrained model is {value}, before any step: not a learning-rate problem; check "
            "the loss function and its inputs"
        )
    if math.isfinite(value) and not (history and history[0] > 0 and value > DIVERGED * history[0]):
        return
    lr = getattr(optimizer, "lr", None)
    if math.isfinite(value):
        what = f"grew from {history[0]:.4g} at epoch 1 to {value:.4g} {when}, more than {DIVERGED:g} times its start"
    else:
        what = f"became {value} {when}"
    rate, smaller = (f" (learning rate {lr:g})", f", such as {lr / 10:g}") if isinstance(lr, (int, float)) else ("", "")
    raise DivergenceError(
        f"training diverged: the loss {what}{rate}. The steps are too large; try a smaller learning rate{smaller}, "
        "and start again from a freshly initialised model.",
        history,
    )
