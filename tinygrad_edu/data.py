"""Small data sets made with NumPy, seeded so every run gives the same numbers."""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple, Optional, Tuple

import numpy as np

from .checks import as_float, first_not_finite
from .tensor.dtypes import as_array


def make_moons(n_samples: int = 100, noise: float = 0.1, seed: int = 1) -> Tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, the classic non-linear classification toy.

    Returns ``X`` of shape (n_samples, 2) and labels ``y`` in {-1, +1} (the hinge loss's
    convention): the upper moon is -1, the lower moon +1. The same construction as
    scikit-learn's ``make_moons``, with Gaussian noise of standard deviation ``noise``.
    """
    n_samples = _whole_number("make_moons", "n_samples", n_samples, at_least=2, why="one point for each moon")
    noise = _real_number("make_moons", "noise", noise, "the standard deviation of the noise")
    if not isinstance(seed, np.random.Generator):  # a generator of one's own, as the models take
        seed = _whole_number("make_moons", "seed", seed, at_least=0, why="NumPy's random generators take seeds of 0 or more")
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


def make_spirals(n_per_class: int = 100, classes: int = 3, seed: int = 0, noise: float = 0.2) -> Tuple[np.ndarray, np.ndarray]:
    """Spiral arms winding out of the origin, one per class: the classic several-class toy.

    The recipe of Stanford's CS231n notes. Arm k has ``n_per_class`` points; point i of it sits at

        radius r_i = i / (n_per_class - 1)                 from the centre (0) out to 1
        angle  t_i = 4k + 4 r_i + noise * N(0, 1)          4 radians per arm, jittered
        x_i = (r_i sin t_i, r_i cos t_i)

    so each arm turns a further 4 radians (about 230 degrees) as it goes out, and the arms start
    4 radians apart: no straight line separates them. Only the angle is noisy; every radius is
    exact. Returns ``X`` of shape (n_per_class * classes, 2), float64, and the labels ``y``,
    int64, class 0's points first, then class 1's, and so on (not shuffled).

    It draws from its own ``np.random.RandomState(seed)``: the same numbers as the CS231n code
    after ``np.random.seed(seed)`` (one ``np.random.randn(n_per_class)`` per arm), without
    touching NumPy's global random state.
    """
    who = "make_spirals"
    n_per_class = _whole_number(who, "n_per_class", n_per_class, at_least=2, why="an arm runs from the centre out to radius 1")
    classes = _whole_number(who, "classes", classes, at_least=2, why="telling classes apart takes at least two")
    seed = _random_state_seed(who, seed)
    if isinstance(noise, (bool, np.bool_)) or not isinstance(noise, numbers.Real):
        raise TypeError(f"make_spirals: noise is the standard deviation of the angle, a number, got {type(noise).__name__}")
    if not 0 <= noise < float("inf"):
        raise ValueError(f"make_spirals: noise is a standard deviation, a finite number >= 0, got {noise}")
    rng = np.random.RandomState(seed)
    radius = np.linspace(0.0, 1.0, n_per_class)
    X = np.empty((n_per_class * classes, 2))
    y = np.repeat(np.arange(classes, dtype=np.int64), n_per_class)
    for k in range(classes):
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), n_per_class) + noise * rng.randn(n_per_class)
        X[k * n_per_class:(k + 1) * n_per_class] = np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])
    return X, y


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
    who = "squared_exponential_kernel"
    x = _inputs(who, x)
    eta = _real_number(who, "eta", eta, "how far the function strays from 0", positive=True)
    rho = _real_number(who, "rho", rho, "how far apart inputs must be to stop resembling each other", positive=True)
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
    who = "simulate_gp"
    x = np.arange(-50, 50, 0.5) if x is None else _inputs(who, x)
    eta = _real_number(who, "eta", eta, "how far the function strays from 0", positive=True)
    rho = _real_number(who, "rho", rho, "how far apart inputs must be to stop resembling each other", positive=True)
    sigma = _real_number(who, "sigma", sigma, "the standard deviation of the noise")
    jitter = _real_number(who, "jitter", jitter, "added to K's diagonal to keep it invertible")
    seed = _random_state_seed(who, seed)
    rng = np.random.RandomState(seed)
    K = squared_exponential_kernel(x, eta, rho) + jitter * np.eye(x.size)
    try:
        L = np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{who}: K is not positive definite at jitter={jitter:g} (inputs too close together for rho={rho:g}); "
            "raise jitter, such as 1e-6"
        ) from None
    latent = L @ rng.normal(size=x.size)
    y = latent + rng.normal(0.0, sigma, size=x.size)
    return GPSample(x=x, x_standardized=(x - x.mean()) / x.std(), latent=latent, y=y)


# --- the settings of the data sets, checked before anything is drawn ---------------------------


def _whole_number(who: str, name: str, value, at_least: int, why: str) -> int:
    """``value`` as an int, refused (naming ``name``) unless it is a whole number >= ``at_least``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{who}: {name} must be a whole number, got {value!r} ({type(value).__name__})")
    if value < at_least:
        raise ValueError(f"{who}: {name} must be at least {at_least} ({why}), got {value}")
    return int(value)


def _random_state_seed(who: str, seed) -> int:
    seed = _whole_number(who, "seed", seed, at_least=0, why="a seed of NumPy's RandomState is 0 .. 2**32 - 1")
    if seed >= 2**32:
        raise ValueError(f"{who}: seed must be 0 .. 2**32 - 1 (NumPy's RandomState), got {seed}")
    return seed


def _real_number(who: str, name: str, value, what: str, positive: bool = False) -> float:
    """``value`` as a float, refused unless it is a finite number >= 0 (> 0 if ``positive``);
    ``what`` says what the setting is."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{who}: {name} is {what}, a number, got {value!r} ({type(value).__name__})")
    number = as_float(value)
    if not math.isfinite(number) or number < 0 or positive and number == 0:
        raise ValueError(f"{who}: {name} must be a finite number {'> 0' if positive else '>= 0'} ({what}), got {number:g}")
    return number


def _inputs(who: str, x) -> np.ndarray:
    """The inputs of a Gaussian process: at least 2 finite numbers, not all the same, in a 1-D array."""
    x = as_array(x, np.float64, what=f"{who}: x")
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"{who}: x must be a 1-D array of at least 2 inputs, got shape {x.shape}")
    found = first_not_finite(x)
    if found:
        raise ValueError(f"{who}: x holds {found[1]}; the inputs must be finite numbers")
    if np.all(x == x[0]):
        raise ValueError(f"{who}: every input in x is {x[0]}; give at least two different inputs")
    return x
