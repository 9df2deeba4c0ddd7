"""Small data sets made with NumPy, seeded so every run gives the same numbers."""

from __future__ import annotations

from typing import NamedTuple, Optional, Tuple

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


class GPSample(NamedTuple):
    """A sample from a Gaussian process: inputs, latent function, noisy observations."""

    x: np.ndarray  # inputs, as given
    x_standardized: np.ndarray  # (x - mean) / sd: what the network sees
    latent: np.ndarray  # f(x), the smooth function drawn from the GP
    y: np.ndarray  # f(x) + noise


def squared_exponential_kernel(x: np.ndarray, eta: float, rho: float) -> np.ndarray:
    """``K[i, j] = eta**2 * exp(-(x_i - x_j)**2 / (2 rho**2))``: nearby inputs, similar outputs.

    eta sets how far the function strays from 0; rho how far apart two inputs must be before
    their outputs stop resembling each other.
    """
    distance = x[:, None] - x[None, :]
    return eta**2 * np.exp(-(distance**2) / (2 * rho**2))


def simulate_gp(
    x: Optional[np.ndarray] = None,
    eta: float = 3.0,
    rho: float = 10.0,
    sigma: float = 0.7,
    jitter: float = 1e-9,
    seed: int = 33,
) -> GPSample:
    """Draw one function from a Gaussian process and observe it with noise (the lesson's data).

    The recipe, with the lesson's defaults (200 points, x from -50 to 49.5 in steps of 0.5):

        np.random.seed(33)
        K = eta**2 * exp(-(x_i - x_j)**2 / (2 rho**2)) + 1e-9 * I    # jitter keeps K invertible
        L = cholesky(K)                                               # K = L L^T
        f = L @ np.random.normal(size=n)                              # f ~ N(0, K)
        y = f + np.random.normal(0, sigma, size=n)                    # noise with sd sigma

    It draws from its own ``np.random.RandomState(seed)``, which yields exactly the numbers of
    ``np.random.seed(seed)`` followed by ``np.random.normal`` without touching NumPy's global
    random state.
    """
    x = np.arange(-50, 50, 0.5) if x is None else np.asarray(x, dtype=float)
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D array of at least 2 inputs, got shape {x.shape}")
    rng = np.random.RandomState(seed)
    K = squared_exponential_kernel(x, eta, rho) + jitter * np.eye(x.size)
    L = np.linalg.cholesky(K)
    latent = L @ rng.normal(size=x.size)
    y = latent + rng.normal(0.0, sigma, size=x.size)
    return GPSample(x=x, x_standardized=(x - x.mean()) / x.std(), latent=latent, y=y)
