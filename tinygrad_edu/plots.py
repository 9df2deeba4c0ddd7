"""Plots of what a model learned. Each function returns a ``matplotlib.figure.Figure``.

The figures are built without pyplot, so a script that makes many keeps none of them alive;
in Jupyter a figure returned by a cell shows as a picture (see ``_show_figures_in_notebooks``).
"""

from __future__ import annotations

import io
import sys
from typing import Callable, Optional, Sequence

import numpy as np
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


def plot_loss_curve(losses: Sequence[float], ylabel: str = "loss", log_scale: bool = False) -> Figure:
    """Loss against training step."""
    fig = Figure(figsize=(5, 3.5))
    ax = fig.add_subplot()
    ax.plot(np.arange(1, len(losses) + 1), losses)
    ax.set_xlabel("step")
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


def _figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes, cropped to what is drawn (as Jupyter's inline backend does)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _show_figures_in_notebooks() -> None:
    """Inside Jupyter (or IPython), show a figure as a PNG picture instead of as its text.

    Jupyter's inline backend registers its picture formatter for figures only once pyplot is
    imported; a figure built without pyplot would show as ``<Figure size 500x350 with 1 Axes>``.
    So register one here, unless some image formatter for figures is already there (pyplot's, or
    one the user chose, such as SVG): that choice stands. Outside IPython this does nothing.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    if any(Figure in formatter for kind, formatter in formatters.items() if kind.startswith("image/")):
        return
    formatters["image/png"].for_type(Figure, _figure_png)


_show_figures_in_notebooks()
