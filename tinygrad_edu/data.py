"""Small data sets made with NumPy, seeded so every run gives the same numbers."""

from __future__ import annotations

from typing import Tuple

import numpy as np


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 1) -> Tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, the classic non-linear classification toy.

    Returns ``X`` of shape (n_samples, 2) and labels ``y`` in {-1, +1} (the hinge loss's
    convention): the upper moon is -1, the lower moon +1. The same construction as
    scikit-learn's ``make_moons``, with Gaussian noise of standard deviation ``noise``.
    """
    if n_samples < 2:
        raise ValueError(f"make_moons needs at least 2 samples, got {n_samples}")
    rng = np.random.default_rng(seed)
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    angle_upper = np.linspace(0, np.pi, n_upper)
    angle_lower = np.linspace(0, np.pi, n_lower)
    upper = np.column_stack([np.cos(angle_upper), np.sin(angle_upper)])
    lower = np.column_stack([1 - np.cos(angle_lower), 0.5 - np.sin(angle_lower)])
    X = np.vstack([upper, lower]) + rng.normal(0.0, noise, size=(n_samples, 2))
    y = np.concatenate([-np.ones(n_upper), np.ones(n_lower)])
    order = rng.permutation(n_samples)
    return X[order], y[order]
