"""Plots of what a model learned. Each function returns a ``matplotlib.figure.Figure``.

The figures are built without pyplot, so a script that makes many keeps none of them alive;
in Jupyter a figure returned by a cell shows as a picture (see ``_show_figures_in_notebooks``).
"""

from __future__ import annotations

import sys
from typing import Callable, Optional, Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex
from matplotlib.figure import Figure


def plot_decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    resolution: int = 60,
    title: Optional[str] = None,
) -> Figure:
    """Colour the plane by the sign of ``predict`` (scores for an (n, 2) array) and overlay the data."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"a decision boundary is drawn for 2 input features, got X of shape {X.shape}")
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    scores = np.asarray(predict(np.column_stack([grid_x.ravel(), grid_y.ravel()]))).reshape(grid_x.shape)
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
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision regions are drawn for 2 input features, got X of shape {X.shape}")
    if y.shape != (len(X),) or y.dtype.kind not in "iu" or (y < 0).any():
        raise ValueError(
            f"y must hold one class number 0, 1, 2, ... per point of X, shape ({len(X)},); "
            f"got shape {y.shape}, dtype {y.dtype}"
        )
    pad = 0.1 * np.ptp(X, axis=0).max()
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    scores = np.asarray(predict(points))
    if scores.shape[:1] != (len(points),) or scores.ndim not in (1, 2):
        raise ValueError(
            f"predict must return class scores of shape ({len(points)}, classes) or class numbers of shape "
            f"({len(points)},) for {len(points)} points, got shape {scores.shape}"
        )
    regions = (scores.argmax(axis=1) if scores.ndim == 2 else scores.astype(int)).reshape(grid_x.shape)
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
    """Data as points, the true function (if known) dashed, and each named fit as a line."""
    order = np.argsort(x)
    fig = Figure(figsize=(7, 4))
    ax = fig.add_subplot()
    ax.scatter(x, y, s=8, color="0.6", label="data")
    if truth is not None:
        ax.plot(x[order], np.asarray(truth)[order], "k--", linewidth=1.2, label=truth_label)
    for name, prediction in fits.items():
        ax.plot(x[order], np.asarray(prediction).ravel()[order], linewidth=2, label=name)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="best", fontsize=8)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


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
