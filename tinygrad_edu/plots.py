"""Plots of what a model learned. Each function returns a ``matplotlib.figure.Figure``.

The figures are built without pyplot, so a script that makes many keeps none of them alive;
in Jupyter a figure returned by a cell shows as a picture (see ``_show_figures_in_notebooks``).
"""

from __future__ import annotations

import numbers
import sys
from typing import Callable, Mapping, Optional, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from .checks import first_not_finite, short
from .tensor import Tensor
from .tensor.dtypes import as_array
from .value import Value


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 60,
    title: Optional[str] = None,
) -> Figure:
    """Colour the plane by the sign of ``predict`` (scores for an (n, 2) array) and overlay the data.

    ``predict`` maps an (m, 2) array of points to one score per point, shape (m,) or (m, 1) (an
    array or a Tensor: a ``TensorMLP`` itself will do); ``y`` holds one number per point of X.
    """
    who = "plot_decision_boundary"
    _check_function(predict, who)
    X = _points(X, who)
    y = _per_point(y, len(X), f"{who}: y")
    resolution = _resolution(resolution, who)
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    scores = _per_point(_predicted(predict, points, who), len(points), f"{who}: what predict returned").reshape(grid_x.shape)
    fig = Figure(figsize=(5, 4.5))
    ax = fig.add_subplot()
    ax.contourf(grid_x, grid_y, scores > 0, levels=1, cmap="RdBu", alpha=0.35)
    ax.contour(grid_x, grid_y, scores, levels=[0.0], colors="black", linewidths=1)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolors="black", s=25)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_decision_regions(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 200,
    title: Optional[str] = None,
) -> Figure:
    """Colour the plane by the class ``predict`` chooses, and overlay the data: several classes.

    ``predict`` maps an (m, 2) array of points to class scores of shape (m, C) (logits or
    probabilities: each point takes the class of its largest score) or to class numbers of
    shape (m,). ``y`` holds the data's classes 0 .. C-1; each class keeps one colour, in the
    regions and in the points.
    """
    who = "plot_decision_regions"
    _check_function(predict, who)
    X = _points(X, who)
    labels = _numbers(y, f"{who}: y")  # real numbers: text, None and ragged lists are refused here
    kind = y.dtype.kind if isinstance(y, Tensor) else np.asarray(y).dtype.kind
    if labels.shape != (len(X),) or kind not in "iu" or (labels < 0).any():
        raise ValueError(
            f"y must hold one class number 0, 1, 2, ... per point of X, shape ({len(X)},); "
            f"got shape {labels.shape}, dtype {y.dtype if isinstance(y, Tensor) else np.asarray(y).dtype}"
        )
    y = labels.astype(np.int64)
    resolution = _resolution(resolution, who)
    pad = 0.1 * np.ptp(X, axis=0).max() or 0.5  # a margin around the data (around a single point: 0.5)
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    scores = _predicted(predict, points, who)
    if scores.shape[:1] != (len(points),) or scores.ndim not in (1, 2) or scores.ndim == 2 and not scores.shape[1]:
        raise ValueError(
            f"{who}: predict must return class scores of shape ({len(points)}, classes) or class numbers of shape "
            f"({len(points)},) for {len(points)} points, got shape {scores.shape}"
        )
    if scores.ndim == 1 and not _class_numbers(scores):
        raise ValueError(
            f"{who}: predict returned one number per point, so they are read as class numbers, but they are not "
            f"all whole numbers 0, 1, 2, ... (such as {short(scores[:3])}); return scores of shape ({len(points)}, classes) "
            "to colour each point by its largest score"
        )
    regions = (scores.argmax(axis=1) if scores.ndim == 2 else scores.astype(np.int64)).reshape(grid_x.shape)
    classes = max(int(y.max()) + 1, scores.shape[1] if scores.ndim == 2 else int(regions.max()) + 1)
    colours = [_class_colour(k) for k in range(classes)]
    fig = Figure(figsize=(5, 4.5))
    ax = fig.add_subplot()
    ax.contourf(grid_x, grid_y, regions, levels=np.arange(classes + 1) - 0.5, colors=colours, alpha=0.3)
    for k in range(classes):
        mine = y == k
        if mine.any():
            ax.scatter(X[mine, 0], X[mine, 1], color=colours[k], edgecolors="black", linewidths=0.5, s=20, label=f"class {k}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def _class_colour(k: int) -> str:
    """Class k's colour: the k-th of matplotlib's ten distinct colours (tab10)."""
    return to_hex(colormaps["tab10"](k % 10))


def plot_loss_curve(
    losses: Sequence[float],
    ylabel: str = "loss",
    log_scale: bool = False,
    xlabel: str = "step",
    reference: Optional[float] = None,
    reference_label: Optional[str] = None,
) -> Figure:
    """Loss against training step (or epoch: ``xlabel="epoch"``), counted from 1.

    ``reference`` draws a dashed horizontal line at that loss, such as the noise level a
    regression cannot beat on new data; ``reference_label`` names it in a legend.
    """
    who = "plot_loss_curve"
    if not isinstance(losses, (list, tuple, np.ndarray, Tensor)):
        raise TypeError(
            f"{who} takes the losses, one number per step, such as the list fit returns, "
            f"got {type(losses).__name__} {short(losses)}"
        )
    losses = _numbers(losses, f"{who}: losses")
    if losses.ndim != 1 or not losses.size:
        raise ValueError(f"{who}: give the losses as a flat list, one number per step, got shape {losses.shape}")
    if not isinstance(log_scale, (bool, np.bool_)):
        raise TypeError(f"{who}: log_scale is True or False, got {short(log_scale)}")
    if reference is not None:
        if isinstance(reference, (bool, np.bool_)) or not isinstance(reference, numbers.Real) or not np.isfinite(reference):
            raise TypeError(f"{who}: reference is the loss to draw a line at, a finite number, got {short(reference)}")
    fig = Figure(figsize=(5, 3.5))
    ax = fig.add_subplot()
    ax.plot(np.arange(1, len(losses) + 1), losses, label=ylabel)
    if reference is not None:
        ax.axhline(reference, color="0.3", linestyle="--", linewidth=1, label=reference_label or f"{reference:g}")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_scale:
        ax.set_yscale("log")
    fig.tight_layout()
    return fig


def plot_regression_fit(
    x: np.ndarray,
    y: np.ndarray,
    fits: dict,
    truth: Optional[np.ndarray] = None,
    title: Optional[str] = None,
    truth_label: str = "true function",
) -> Figure:
    """Data as points, the true function (if known) dashed, and each named fit as a line.

    ``x``, ``y``, ``truth`` and every fit hold one number per point, shape (n,) or (n, 1);
    ``fits`` maps each fit's name to its predictions (an array or a Tensor).
    """
    who = "plot_regression_fit"
    x = _numbers(x, f"{who}: x")
    if x.ndim not in (1, 2) or x.ndim == 2 and x.shape[1] != 1 or not x.size:
        raise ValueError(f"{who}: x holds one number per point, shape (n,) or (n, 1), got shape {x.shape}")
    x = _finite(x.ravel(), f"{who}: x")
    y = _per_point(y, len(x), f"{who}: y")
    truth = None if truth is None else _per_point(truth, len(x), f"{who}: truth")
    if not isinstance(fits, Mapping):
        raise TypeError(
            f"{who}: fits maps each fit's name to its predictions, such as {{'network': predictions}}, "
            f"got {type(fits).__name__} {short(fits)}"
        )
    for name in fits:
        if not isinstance(name, str):
            raise TypeError(f"{who}: fits maps names (text) to predictions, got the name {short(name)}")
    fits = {name: _per_point(prediction, len(x), f"{who}: fits[{name!r}]") for name, prediction in fits.items()}
    order = np.argsort(x)
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.scatter(x, y, s=8, color="0.6", label="data")
    if truth is not None:
        ax.plot(x[order], truth[order], "k--", linewidth=1.2, label=truth_label)
    for name, prediction in fits.items():
        ax.plot(x[order], prediction[order], linewidth=2, label=name)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


# --- what the plots are given: numbers, checked before anything is drawn --------------------------


def _numbers(data, what: str) -> np.ndarray:
    """``data`` as float64 numbers: an array, nested lists, or a Tensor's numbers; refused (naming
    ``what``) if it is text, None, complex numbers or ragged lists."""
    if isinstance(data, Tensor):
        data = data.numpy()
    elif isinstance(data, (list, tuple)) and any(isinstance(item, (Value, Tensor)) for item in data):
        raise TypeError(
            f"{what} holds Values or Tensors; give their numbers (v.data of a Value, t.item() of a Tensor), "
            "which also lets their graphs be freed"
        )
    return as_array(data, np.float64, what=what, copy=True)


def _finite(array: np.ndarray, what: str) -> np.ndarray:
    found = first_not_finite(array)
    if found:
        raise ValueError(f"{what} holds {found[1]}; only finite numbers can be drawn (a nan often means training diverged)")
    return array


def _per_point(data, n: int, what: str) -> np.ndarray:
    """One finite number per point: shape (n,) or (n, 1), returned as (n,)."""
    array = _numbers(data, what)
    if array.shape not in ((n,), (n, 1)):
        raise ValueError(f"{what} needs one number per point, shape ({n},) or ({n}, 1), got shape {array.shape}")
    return _finite(array.reshape(n), what)


def _points(X, who: str) -> np.ndarray:
    """The data's inputs: finite numbers of shape (n, 2), at least one point."""
    X = _numbers(X, f"{who}: X")
    if X.ndim != 2 or X.shape[1] != 2 or not len(X):
        raise ValueError(f"{who}: the plane is drawn for 2 input features, got X of shape {X.shape}; give X of shape (n, 2)")
    return _finite(X, f"{who}: X")


def _check_function(predict, who: str) -> None:
    if not callable(predict):
        raise TypeError(
            f"{who}: predict is a function from an (m, 2) array of points to their scores, such as "
            f"lambda points: model(points), got {type(predict).__name__} {short(predict)}"
        )


def _predicted(predict: Callable, points: np.ndarray, who: str) -> np.ndarray:
    """What ``predict`` returns for ``points``, as finite numbers."""
    return _finite(_numbers(predict(points), f"{who}: what predict returned"), f"{who}: what predict returned")


MAX_RESOLUTION = 1000  # points along each side of the grid: finer than a figure can show


def _resolution(resolution, who: str) -> int:
    if isinstance(resolution, (bool, np.bool_)) or not isinstance(resolution, numbers.Integral):
        raise TypeError(f"{who}: resolution is a whole number of grid points per side, such as 60, got {short(resolution)}")
    if not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"{who}: resolution must be 2 .. {MAX_RESOLUTION} grid points per side, got {resolution}")
    return int(resolution)


def _class_numbers(array: np.ndarray) -> bool:
    """Whether every number is a class number: whole, 0 or more."""
    return bool(np.all(array >= 0) and np.all(array == np.round(array)))




def _show_figures_in_notebooks() -> None:
    """In Jupyter, show a figure that a cell returns as a picture, not as its text.

    Jupyter's inline backend registers its picture formatters for figures only once pyplot is
    used; until then a figure built without pyplot shows as ``<Figure size 500x350 with 1 Axes>``.
    So register them here, in the formats the inline backend is set to use (PNG, unless
    ``%config InlineBackend.figure_formats`` chose others), unless pyplot already has. Where no
    picture can be shown (a script, IPython in a terminal) this does nothing.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not any(kind.startswith("image/") for kind in shell.display_formatter.active_types):
        return
    formatters = shell.display_formatter.formatters
    if any(Figure in formatter for kind, formatter in formatters.items() if kind.startswith("image/")):
        return
    from IPython.core.pylabtools import select_figure_formats
    from matplotlib_inline.config import InlineBackend

    config = InlineBackend.instance(parent=shell)
    select_figure_formats(shell, config.figure_formats, **config.print_figure_kwargs)


_show_figures_in_notebooks()
