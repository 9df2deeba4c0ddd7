"""What the library's refusals share: a short picture of what was given, a label's check, and
the first number that is not finite, so that a message can point at the number to fix."""

from __future__ import annotations

import math
import numbers

import numpy as np


def short(x: object) -> str:
    """``repr(x)``, cut to 40 characters: enough to recognise it in a message."""
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


def checked_label(label: object) -> str:
    """A label is text (a Value's or a Tensor's, drawn in pictures)."""
    if not isinstance(label, str):
        raise TypeError(f"a label is text: give a str, got {type(label).__name__} {label!r}")
    return label


def as_float(x: numbers.Real) -> float:
    """``float(x)`` for any real number (a Fraction, a Decimal), and inf for an int too large
    for a float, so that a check of finiteness can name it rather than crash."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def first_not_finite(array: np.ndarray):
    """``(index, number)`` of the first nan or inf in ``array`` (index as a list), or None."""
    bad = ~np.isfinite(array)
    if not bad.any():
        return None
    index = [int(i) for i in np.argwhere(bad)[0]]
    return index, array[tuple(index)]
