"""Optimizers: how to adjust each parameter once its gradient is known.

They use only ``p.grad``, arithmetic and ``p.add_(update, alpha)`` (PyTorch's in-place step),
so the same code updates a ``Value`` (a float) and a ``Tensor`` (a NumPy array, updated in
place, outside the graph). The update rules are PyTorch's.
"""

from __future__ import annotations

import math
from copy import copy
import numbers
from typing import Iterable, List

from .tensor import no_grad
from .tensor.grad_mode import current_tracer


class Optimizer:
    def __init__(self, parameters: Iterable, lr: float):
        self.parameters: List = _parameter_list(parameters, type(self).__name__)
        self.lr = _number(lr, f"{type(self).__name__}: the learning rate lr", above=0.0)

    def zero_grad(self) -> None:
        """Clear every gradient; call it before each ``backward()``, since gradients accumulate."""
        for p in self.parameters:
            p.zero_grad()

    def step(self) -> None:
        """Adjust every parameter once, from its gradient, outside the graph."""
        tracer = current_tracer()
        if tracer is not None:  # a step being recorded for replay (jit.py)
            tracer.optimizer_step(self)
        else:
            self.step_outside_the_graph()

    def step_outside_the_graph(self) -> None:
        with no_grad():
            self._step()

    def _step(self) -> None:
        raise NotImplementedError

    def replayable(self) -> bool:
        """Whether a step is a fixed function of ``settings()`` and the gradients, with no state
        of its own, so that a recording (``jit.py``) can redo it line by line."""
        return False

    def settings(self) -> tuple:
        return (self.lr,)


class SGD(Optimizer):
    """Gradient descent: ``p -= lr * grad``; with momentum, ``v = momentum * v + grad; p -= lr * v``.

    A parameter whose gradient is ``None`` (a Tensor the loss did not reach) is skipped. A
    ``Value``'s gradient is a number, 0.0 after ``zero_grad()``, so with momentum an unused
    Value still coasts on its velocity, as in PyTorch with ``zero_grad(set_to_none=False)``.
    """

    def __init__(self, parameters: Iterable, lr: float, momentum: float = 0.0):
        super().__init__(parameters, lr)
        self.momentum = _number(momentum, "SGD: momentum", at_least=0.0, below=1.0)
        self.velocity: List = [None] * len(self.parameters)

    def replayable(self) -> bool:
        return not self.momentum  # plain SGD: p -= lr * grad, nothing remembered between steps

    def settings(self) -> tuple:
        return (self.lr, self.momentum)

    def _step(self) -> None:
        minus_lr = -self.lr
        for i, p in enumerate(self.parameters):
            if p.grad is None:
                continue  # this parameter took no part in the last backward()
            step = p.grad
            if self.momentum:
                v = self.velocity[i]
                step = self.velocity[i] = copy(step) if v is None else self.momentum * v + step  # its own array
            p.add_(step, alpha=minus_lr)  # p -= lr * step


class Adam(Optimizer):
    """Adam: step by a running mean of gradients over the root of a running mean of their squares.

    ``m = b1 m + (1 - b1) g``;  ``v = b2 v + (1 - b2) g**2``;
    ``p -= lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - b1**t)``,
    ``v_hat = v / (1 - b2**t)`` correcting the zero start of both averages.
    """

    def __init__(self, parameters: Iterable, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(parameters, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam's betas are two numbers in [0, 1), such as (0.9, 0.999), got {type(betas).__name__} {betas!r}")
        self.beta1, self.beta2 = (_number(beta, f"Adam: betas[{i}]", at_least=0.0, below=1.0) for i, beta in enumerate(betas))
        self.eps = _number(eps, "Adam: eps", above=0.0)
        self.t: List[int] = [0] * len(self.parameters)  # steps taken, per parameter
        self.m: List = [0.0] * len(self.parameters)
        self.v: List = [0.0] * len(self.parameters)

    def _step(self) -> None:
        b1, b2 = self.beta1, self.beta2
        for i, p in enumerate(self.parameters):
            g = p.grad
            if g is None:
                continue  # as in PyTorch, a parameter counts only the steps it took part in
            self.t[i] += 1
            t = self.t[i]
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            m_hat = self.m[i] / (1 - b1**t)
            v_hat = self.v[i] / (1 - b2**t)
            p.add_(m_hat / (v_hat**0.5 + self.eps), alpha=-self.lr)  # p -= lr * m_hat / (sqrt(v_hat) + eps)


# --- checks --------------------------------------------------------------------------------


def _parameter_list(parameters: Iterable, optimizer: str) -> List:
    """The parameters as a list, each a Value or a Tensor that requires grad, each listed once."""
    if callable(getattr(parameters, "parameters", None)):
        raise TypeError(f"{optimizer} takes the model's parameters, not the model: pass model.parameters()")
    if hasattr(parameters, "grad") or isinstance(parameters, (str, bytes)) or not hasattr(parameters, "__iter__"):
        raise TypeError(
            f"{optimizer} takes a list of parameters, such as model.parameters() or [w, b], "
            f"got {type(parameters).__name__}"
        )
    parameters = list(parameters)
    if not parameters:
        raise ValueError("the optimizer was given no parameters; pass model.parameters()")
    seen = {}
    for i, p in enumerate(parameters):
        if not hasattr(p, "grad") or not getattr(p, "requires_grad", False):
            raise TypeError(
                f"the optimizer can only update Values or Tensors that require grad, got {p!r}"
            )
        if id(p) in seen:  # it would be stepped twice per step
            raise ValueError(
                f"{optimizer}: parameter {i} is parameter {seen[id(p)]} again; each parameter must be listed "
                "once, or it would be stepped twice (model.parameters() lists each once)"
            )
        seen[id(p)] = i
    return parameters


def _number(x: object, what: str, at_least=None, above=None, below=None) -> float:
    """A setting of an optimizer: a finite real number, greater than ``above`` or in
    [``at_least``, ``below``)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a number, got {type(x).__name__} {x!r}")
    number = float(x)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {x!r}")
    if above is not None and not number > above:
        raise ValueError(f"{what} must be positive, got {x!r}" if above == 0 else f"{what} must be above {above:g}, got {x!r}")
    if at_least is not None and not at_least <= number < below:
        raise ValueError(f"{what} must be in [{at_least:g}, {below:g}), got {x!r}")
    return number
