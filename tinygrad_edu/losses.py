"""Loss functions: how wrong a prediction is, as one number to differentiate.

Each loss is the mean of a per-example error. The per-example formula is written once and
serves both kinds of number: a list of ``Value`` predictions (averaged one by one) or a
``Tensor`` of predictions (averaged in one vectorized op). The derivative each one hands to
``backward`` is noted beside it.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .ops import Op
from .tensor import Tensor, apply
from .value import Value


def _mean_over_examples(error: Callable, predictions, targets):
    """mean_i error(prediction_i, target_i), for a Tensor or a sequence of Values."""
    if isinstance(predictions, Tensor):  # the formula broadcasts over all examples at once
        return error(predictions, _as_target_tensor(predictions, targets)).mean()
    if isinstance(predictions, Value):
        predictions = [predictions]
        targets = [targets] if not isinstance(targets, Sequence) else targets
    if len(predictions) != len(targets):
        raise ValueError(f"got {len(predictions)} predictions but {len(targets)} targets; they must pair up")
    if not predictions:
        raise ValueError("a loss needs at least one prediction")
    errors = [error(p, float(y)) for p, y in zip(predictions, targets)]
    total = errors[0]
    for e in errors[1:]:
        total = total + e
    return total * (1.0 / len(errors))


def _as_target_tensor(predictions, targets):
    targets = targets if isinstance(targets, Tensor) else Tensor(targets, dtype=predictions.dtype)
    if targets.shape != predictions.shape:
        raise ValueError(
            f"predictions have shape {predictions.shape} but targets have shape {targets.shape}; "
            "reshape the targets to match (for a column of predictions use y.reshape(-1, 1))"
        )
    return targets


def _squared_error(p, y):
    return (p - y) ** 2  # d/dp = 2 (p - y)


def mean_squared_error(predictions, targets):
    """``mean((p - y)**2)``; dL/dp_i = 2 (p_i - y_i) / n."""
    return _mean_over_examples(_squared_error, predictions, targets)


def root_mean_squared_error(predictions, targets):
    """``sqrt(mean((p - y)**2))``, in the units of y; dL/dp_i = (p_i - y_i) / (n * RMSE)."""
    return mean_squared_error(predictions, targets) ** 0.5


def _cross_entropy(p, y):
    # d/dp = -y/p + (1 - y)/(1 - p) = (p - y) / (p (1 - p))
    return -(y * p.log() + (1 - y) * (1 - p).log())


def binary_cross_entropy(probabilities, targets):
    """``mean(-(y log p + (1 - y) log(1 - p)))`` for probabilities p in (0, 1).

    The textbook formula. A probability of exactly 0 or 1 gives an infinite loss (a ``Value``
    raises; a ``Tensor`` gives inf); ``binary_cross_entropy_with_logits`` never does.
    """
    return _mean_over_examples(_cross_entropy, probabilities, targets)


def _cross_entropy_from_logit(z, y):
    # -(y log s(z) + (1 - y) log(1 - s(z))) simplifies to softplus(z) - y z;  d/dz = sigmoid(z) - y
    return z.softplus() - y * z


def binary_cross_entropy_with_logits(logits, targets):
    """Binary cross-entropy of ``sigmoid(z)``, computed from the logit z without overflow.

    Per example ``softplus(z) - y z``, whose derivative is the famous ``sigmoid(z) - y``:
    prediction minus target.
    """
    return _mean_over_examples(_cross_entropy_from_logit, logits, targets)


def _hinge(score, y):
    return (1 - y * score).relu()  # d/dscore = -y while the margin y*score < 1, else 0


def hinge_loss(scores, targets):
    """``mean(max(0, 1 - y * score))`` for labels y in {-1, +1} (a support vector machine's loss)."""
    return _mean_over_examples(_hinge, scores, targets)


def cross_entropy(logits, targets):
    """Cross-entropy for several classes, from raw scores: PyTorch's ``F.cross_entropy``.

    ``logits`` has one row per example and one column per class, shape (n, C) (or (C,) for one
    example); ``targets`` holds each example's class, a whole number 0 .. C-1. It is
    ``nll_loss(log_softmax(logits), targets)``, a composite: log_softmax keeps it exact at
    logits of +-1000, and its gradient comes free from the chain rule. Worked out, it is the
    famous dL/dlogits = (softmax(logits) - onehot(targets)) / n: predicted minus true
    probability, as for the binary ``sigmoid(z) - y``.
    """
    logits = _as_logits(logits, "cross_entropy")
    return _negative_log_likelihood(logits.log_softmax(axis=-1), targets, "cross_entropy")


def nll_loss(log_probs, targets):
    """``mean_i -log_probs[i, targets[i]]``, the negative log-likelihood of the true classes
    (PyTorch's ``F.nll_loss``, mean reduction). d/d(log_probs[i, c]) = -1/n where c is the
    true class of example i, else 0: picking numbers out (``t[rows, classes]``) sends each
    gradient back to where it was picked."""
    return _negative_log_likelihood(_as_logits(log_probs, "nll_loss"), targets, "nll_loss")


def _negative_log_likelihood(log_probs: Tensor, targets, op: str) -> Tensor:
    if not isinstance(targets, Tensor):
        targets = Tensor(np.asarray(targets), dtype="int64" if np.asarray(targets).dtype.kind in "iu" else None)
    expected = log_probs.shape[:-1]
    if targets.shape != expected:
        raise ValueError(
            f"{op}: scores of shape {log_probs.shape} need one target per example, shape {expected}; got shape {targets.shape}"
        )
    classes = apply(ClassIndices(log_probs.shape[-1], op), targets)
    if log_probs.ndim == 1:
        return -log_probs[classes]
    return -log_probs[np.arange(len(targets)), classes].mean()


def _as_logits(scores, op: str) -> Tensor:
    if not isinstance(scores, Tensor):
        raise TypeError(
            f"{op} takes a Tensor of scores, one row per example and one column per class, got "
            f"{type(scores).__name__}; wrap data as Tensor(array) (a model's output already is one)"
        )
    if scores.ndim not in (1, 2) or scores.shape[-1] == 0:
        raise ValueError(f"{op} takes scores of shape (n, classes) or (classes,), got shape {scores.shape}")
    return scores


class ClassIndices(Op):
    """out = the targets as class numbers 0 .. C-1 (int64), checked: a position, no gradient."""

    name, differentiable = "classes", False

    def __init__(self, classes: int, op: str):
        self.classes, self.op = classes, op

    def forward(self, xp, targets):
        last = self.classes - 1
        if targets.dtype.kind not in "iuf" or targets.dtype.kind == "f" and not xp.array_equal(targets, xp.round(targets)):
            raise TypeError(f"{self.op}: the targets are class numbers 0 .. {last}, whole numbers; got {_show(targets)}")
        outside = (targets < 0) | (targets > last)
        if outside.any():
            where = int(xp.argwhere(outside.reshape(-1))[0][0])
            raise ValueError(
                f"{self.op}: target {targets.reshape(-1)[where].item()!r} (example {where}) is not a class: with "
                f"{self.classes} columns of scores the classes are 0 .. {last}"
            )
        return targets.astype(xp.int64)


def _show(array: np.ndarray) -> str:
    text = np.array2string(array, threshold=6)
    return f"{text} (dtype {array.dtype})"


def l2_penalty(parameters: Sequence, alpha: float):
    """``alpha * sum(p**2)``, weight decay; d/dp = 2 alpha p."""
    total = None
    for p in parameters:
        term = (p * p).sum() if isinstance(p, Tensor) else p * p
        total = term if total is None else total + term
    if total is None:
        raise ValueError("l2_penalty needs at least one parameter")
    return total * alpha
