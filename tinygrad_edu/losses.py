"""Loss functions: how wrong a prediction is, as one number to differentiate.

A loss of predictions is the mean of a per-example error, whose formula is written once for
both kinds of number: a list of ``Value`` predictions (averaged one by one) or a ``Tensor``
(averaged in one vectorized op). Three exceptions: on a Tensor the squared errors are one op,
``MeanSquaredError`` (the same numbers, faster); ``cross_entropy`` and ``nll_loss``, for
several classes, take a Tensor of scores only; ``l2_penalty`` is a sum over parameters. The
derivative each one hands to ``backward`` is noted beside it.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .checks import first_not_finite
from .ops import Elementwise, Op
from .tensor import Tensor, apply
from .tensor.conversions import promoted
from .tensor.dtypes import as_array
from .value import Value
from .value import apply as apply_to_values


def _mean_over_examples(error: Callable, predictions, targets, loss: str, labels: Callable = None):
    """mean_i error(prediction_i, target_i), for a Tensor or a sequence of Values.

    The targets are checked first: real, finite numbers, one per prediction, and (``labels``)
    of the kind this loss reads, so a mistake in the data is named instead of becoming a
    wrong loss.
    """
    if isinstance(predictions, Tensor):  # the formula broadcasts over all examples at once
        return error(predictions, _target_tensor(predictions, targets, loss, labels)).mean()
    if isinstance(predictions, Value):
        predictions = [predictions]
        targets = targets if isinstance(targets, (list, tuple, np.ndarray, Tensor)) else [targets]
    predictions = _values(predictions, loss)
    if not predictions:
        raise ValueError("a loss needs at least one prediction")
    targets = _target_numbers(targets, len(predictions), loss, labels)
    errors = [error(p, y) for p, y in zip(predictions, targets)]
    total = errors[0]
    for e in errors[1:]:
        total = total + e
    return total * (1.0 / len(errors))


def _values(predictions, loss: str) -> list:
    """The predictions as a list of Values; plain numbers are refused (they carry no gradient)."""
    if isinstance(predictions, (list, tuple)) and all(isinstance(p, Value) for p in predictions):
        return list(predictions)
    kind = type(predictions).__name__
    if isinstance(predictions, (list, tuple)):
        kind = f"a {kind} of " + ", ".join(sorted({type(p).__name__ for p in predictions}))
    raise TypeError(
        f"{loss} takes predictions that carry a gradient: a Tensor (a TensorMLP's output) or a list of "
        f"Values (an MLP's), got {kind}. To score plain numbers, wrap them: {loss}(Tensor(predictions), targets)"
    )


def _target_tensor(predictions: Tensor, targets, loss: str, labels) -> Tensor:
    """The targets as a Tensor of the predictions' shape (and dtype, for numbers given as data)."""
    array = targets._data if isinstance(targets, Tensor) else as_array(targets, predictions.dtype, what=f"{loss}(targets)")
    if array.shape != predictions.shape:
        raise ValueError(
            f"{loss}: predictions have shape {predictions.shape} but targets have shape {array.shape}; "
            "reshape the targets to match (for a column of predictions use y.reshape(-1, 1))"
        )
    _check_targets(array, loss, labels)
    return targets if isinstance(targets, Tensor) else Tensor._constant(array)


def _target_numbers(targets, n: int, loss: str, labels) -> list:
    """One float per Value prediction, from a list, an array or a Tensor of numbers."""
    array = as_array(targets._data if isinstance(targets, Tensor) else targets, np.float64, what=f"{loss}(targets)")
    if array.ndim != 1:
        raise ValueError(
            f"{loss}: a list of {n} Value predictions pairs with a flat list of {n} numbers, got targets "
            f"of shape {array.shape}" + (" (use y.ravel())" if array.size == n else "")
        )
    if len(array) != n:
        raise ValueError(f"got {n} predictions but {len(array)} targets; they must pair up")
    _check_targets(array, loss, labels)
    return array.tolist()


def _check_targets(array: np.ndarray, loss: str, labels) -> None:
    """Targets are data: finite numbers, and of the kind the loss reads (``labels``)."""
    found = first_not_finite(array)
    if found:
        raise ValueError(
            f"{loss}: the targets hold {found[1]} at index {found[0]}; that is a problem with the data "
            "(remove or fill in those examples)"
        )
    if labels is not None:
        labels(array, loss)


def _probabilities(array: np.ndarray, loss: str) -> None:
    """Binary cross-entropy reads a target as the probability of the positive class."""
    outside = (array < 0) | (array > 1)
    if outside.any():
        hint = " Labels -1 and +1 (the hinge loss's) become 0 and 1 by (y + 1) / 2." if (array == -1).any() else ""
        raise ValueError(
            f"{loss}: the targets are 0 or 1 (or a probability in between), got {array[outside][0]} at index "
            f"{_index(outside)}.{hint}"
        )


def _signs(array: np.ndarray, loss: str) -> None:
    """The hinge loss reads a target as a side: -1 or +1."""
    outside = (array != -1) & (array != 1)
    if outside.any():
        hint = " Labels 0 and 1 become -1 and +1 by 2 * y - 1." if (array == 0).any() else ""
        raise ValueError(f"{loss}: the targets are -1 or +1, got {array[outside][0]} at index {_index(outside)}.{hint}")


def _index(mask: np.ndarray) -> list:
    """The position of the first True in ``mask``, as a list of indices."""
    return [int(i) for i in np.argwhere(mask)[0]]


def _squared_error(p, y):
    return (p - y) ** 2  # d/dp = 2 (p - y)


def mean_squared_error(predictions, targets):
    """``mean((p - y)**2)``; dL/dp_i = 2 (p_i - y_i) / n."""
    return _mean_squared_error(predictions, targets, "mean_squared_error")


def root_mean_squared_error(predictions, targets):
    """``sqrt(mean((p - y)**2))``, in the units of y; dL/dp_i = (p_i - y_i) / (n * RMSE)."""
    return _mean_squared_error(predictions, targets, "root_mean_squared_error") ** 0.5


def _mean_squared_error(predictions, targets, loss: str):
    if isinstance(predictions, Tensor):
        targets = _target_tensor(predictions, targets, loss, None)
        return apply(MeanSquaredError(targets.requires_grad), predictions, targets)
    return _mean_over_examples(_squared_error, predictions, targets, loss)


class MeanSquaredError(Op):
    """out = mean((p - y)**2), PyTorch's ``F.mse_loss``.   dL/dp = grad * 2 (p - y) / n, and
    dL/dy is the same with the opposite sign.

    The composite ``((p - y) ** 2).mean()`` gives these very numbers, to the last bit, and its
    gradient for free; this is one op instead of three (-, **2, mean) for speed only: it is the
    lessons' loss, computed every epoch.
    """

    name, words = "mse", ("{grad} * 2 * ({p} - {y}) / n", "-{grad} * 2 * ({p} - {y}) / n")

    def __init__(self, need_y: bool = True):
        self.need_y = need_y  # targets are data: no gradient to compute for them

    def forward(self, xp, p, y):
        self.difference = p - y  # kept for backward (p and y themselves are not needed)
        self.count = self.difference.size
        return (self.difference**2).sum(axis=tuple(range(self.difference.ndim))) / self.count

    def backward(self, xp, grad):
        share = (grad / self.count) * (2.0 * self.difference)
        return share, -share if self.need_y else None


class BinaryCrossEntropy(Elementwise):
    """out = -(y log p + (1 - y) log(1 - p)) for one example, PyTorch's ``F.binary_cross_entropy``:
    each log is kept at -100 or above, so a probability of exactly 0 or 1 costs at most 100, and
    a right answer given with certainty (p = y = 1) costs 0, not 0 * log 0 = nan.

    dL/dp = grad * (p - y) / (p (1 - p)): the two slopes -y/p + (1 - y)/(1 - p) over one
    denominator, kept at 1e-12 or above as PyTorch keeps it (so the slope is 0 where p = y is 0
    or 1). dL/dy = grad * (log(1 - p) - log(p)), computed only for targets that take a gradient.
    The composite ``-(y * p.log() + (1 - y) * (1 - p).log())`` gives the same numbers inside
    (0, 1); this is one op for PyTorch's numbers at the edges.
    """

    name, words = "bce", ("{grad} * ({p} - {y}) / ({p} (1 - {p}))", "{grad} * (log(1 - {p}) - log({p}))")

    def __init__(self, need_y: bool):
        self.need_y = need_y

    def forward(self, xp, p, y):
        return (y - 1) * xp.maximum(xp.log1p(-p), -100.0) - y * xp.maximum(xp.log(p), -100.0)

    def backward(self, xp, grad, p, y):
        grad_p = grad * (p - y) / xp.maximum((1 - p) * p, _SMALLEST_DENOMINATOR)
        return grad_p, grad * (xp.log1p(-p) - xp.log(p)) if self.need_y else None


_SMALLEST_DENOMINATOR = float(np.float32(1e-12))  # PyTorch's 1e-12, a float32 number: 9.99999996e-13
_BCE, _BCE_AND_TARGETS = BinaryCrossEntropy(need_y=False), BinaryCrossEntropy(need_y=True)  # targets of data; targets that take a gradient


def _cross_entropy(p, y):
    if isinstance(p, Tensor):
        return apply(_BCE_AND_TARGETS if y.requires_grad else _BCE, *promoted(p, y))
    return apply_to_values(_BCE_AND_TARGETS, p, Value(y))  # a Value's engine adds up every parent's share


def binary_cross_entropy(probabilities, targets):
    """``mean(-(y log p + (1 - y) log(1 - p)))`` for probabilities p in [0, 1] (see
    ``BinaryCrossEntropy``: each log kept at -100 or above, as in PyTorch).

    Probabilities outside [0, 1] are refused, as PyTorch refuses them. From a model's raw
    scores, ``binary_cross_entropy_with_logits`` is exact everywhere, with no clipping.
    """
    _check_probabilities(probabilities)
    return _mean_over_examples(_cross_entropy, probabilities, targets, "binary_cross_entropy", _probabilities)


def _check_probabilities(probabilities) -> None:
    """binary_cross_entropy reads its input as probabilities: numbers in [0, 1]."""
    if isinstance(probabilities, Tensor):
        numbers = probabilities._data
    elif isinstance(probabilities, Value):
        numbers = np.array([probabilities.data])
    elif isinstance(probabilities, (list, tuple)) and all(isinstance(p, Value) for p in probabilities):
        numbers = np.array([p.data for p in probabilities])
    else:
        return  # named by the loss's own checks
    outside = ~((numbers >= 0) & (numbers <= 1))  # nan included, as PyTorch
    if outside.any():
        raise ValueError(
            f"binary_cross_entropy: the predictions are probabilities in [0, 1], got {numbers[outside][0]} at index "
            f"{_index(outside)}; apply sigmoid first, or give the raw scores to binary_cross_entropy_with_logits"
        )


def _cross_entropy_from_logit(z, y):
    # -(y log s(z) + (1 - y) log(1 - s(z))) simplifies to softplus(z) - y z;  d/dz = sigmoid(z) - y
    return z.softplus() - y * z


def binary_cross_entropy_with_logits(logits, targets):
    """Binary cross-entropy of ``sigmoid(z)``, computed from the logit z without overflow.

    Per example ``softplus(z) - y z``, whose derivative is the famous ``sigmoid(z) - y``:
    prediction minus target.
    """
    return _mean_over_examples(_cross_entropy_from_logit, logits, targets, "binary_cross_entropy_with_logits", _probabilities)


def _hinge(score, y):
    return (1 - y * score).relu()  # d/dscore = -y while the margin y*score < 1, else 0


def hinge_loss(scores, targets):
    """``mean(max(0, 1 - y * score))`` for labels y in {-1, +1} (a support vector machine's loss)."""
    return _mean_over_examples(_hinge, scores, targets, "hinge_loss", _signs)


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
    if callable(getattr(parameters, "parameters", None)):
        raise TypeError("l2_penalty takes the model's parameters, not the model: pass model.parameters()")
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise TypeError(f"l2_penalty: alpha is a number, such as 1e-4, got {type(alpha).__name__} {alpha!r}")
    total = None
    for p in parameters:
        if not isinstance(p, (Value, Tensor)):
            raise TypeError(f"l2_penalty takes parameters (Values or Tensors), such as model.parameters(), got a {type(p).__name__}")
        term = (p * p).sum() if isinstance(p, Tensor) else p * p
        total = term if total is None else total + term
    if total is None:
        raise ValueError("l2_penalty needs at least one parameter")
    return total * alpha
