"""Grad mode: whether Tensor ops record the graph that ``backward()`` walks.

Recording costs memory (every intermediate array stays alive until backward), so evaluating a
model or updating its weights is done with recording switched off::

    with no_grad():                 # or, on a function:  @no_grad  /  @no_grad()
        prediction = model(X)

The switch is per thread, as PyTorch's is: one thread evaluating inside ``no_grad()`` does not
stop another thread from training.
"""

from __future__ import annotations

import functools
import threading


class _GradMode(threading.local):
    def __init__(self) -> None:  # runs once in each thread that looks at it
        self.enabled = True
        self.previous = []  # the settings to go back to, innermost last
        self.tracer = None  # while jit records a step: what it reports to (see jit.py)


_mode = _GradMode()


def current_tracer():
    """The jit recording in progress in this thread, or None (see ``jit.py``)."""
    return _mode.tracer


def is_grad_enabled() -> bool:
    """Whether ops in this thread record the graph (False inside ``no_grad``)."""
    return _mode.enabled


class _NoGradType(type):
    """Lets the class itself be used as ``with no_grad:`` (PyTorch needs the parentheses)."""

    def __enter__(cls) -> None:
        _switch_off()

    def __exit__(cls, *exc) -> None:
        _switch_back()


class no_grad(metaclass=_NoGradType):
    """Ops inside record no graph: ``with no_grad():``, ``@no_grad()`` or ``@no_grad``."""

    def __new__(cls, function=None):
        if function is None:
            return super().__new__(cls)
        if not callable(function):
            raise TypeError(
                f"no_grad takes no arguments, got {type(function).__name__} {function!r}; "
                "write `with no_grad():` or put `@no_grad` above a function"
            )
        return cls()(function)

    def __enter__(self) -> "no_grad":
        _switch_off()
        return self

    def __exit__(self, *exc) -> None:
        _switch_back()

    def __call__(self, function):
        """As a decorator: the function runs with recording switched off."""

        @functools.wraps(function)
        def without_grad(*args, **kwargs):
            with no_grad():
                return function(*args, **kwargs)

        return without_grad


def _switch_off() -> None:
    _mode.previous.append(_mode.enabled)
    _mode.enabled = False


def _switch_back() -> None:
    _mode.enabled = _mode.previous.pop()
