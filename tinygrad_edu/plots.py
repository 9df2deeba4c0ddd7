"""Plots of what a model learned. Each function returns a ``matplotlib.figure.Figure``."""

from __future__ import annotations

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
