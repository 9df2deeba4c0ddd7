"""Optimizers: how to adjust each parameter once its gradient is known.

They use only ``p.grad``, arithmetic and ``p.add_(update, alpha)`` (PyTorch's in-place step),
so the same code updates a ``Value`` (a float) and a ``Tensor`` (a NumPy array, updated in
place, outside the graph). The update rules are PyTorch's.
"""

from __future__ import annotations

from typing import Iterable, List

from .tensor import no_grad
from .tensor.grad_mode import current_tracer


class Optimizer:
    def __init__(self, parameters: Iterable, lr: float):
        self.parameters: List = list(parameters)
        if not self.parameters:
            raise ValueError("the optimizer was given no parameters; pass model.parameters()")
        for p in self.parameters:
            if not hasattr(p, "grad") or not getattr(p, "requires_grad", False):
                raise TypeError(
                    f"the optimizer can only update Values or Tensors that require grad, got {p!r}"
                )
        if not lr > 0:
            raise ValueError(f"the learning rate must be positive, got lr={lr!r}")
        self.lr = lr

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
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.momentum = momentum
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
                step = self.velocity[i] = step if v is None else self.momentum * v + step
            p.add_(step, alpha=minus_lr)  # p -= lr * step


class Adam(Optimizer):
    """Adam: step by a running mean of gradients over the root of a running mean of their squares.

    ``m = b1 m + (1 - b1) g``;  ``v = b2 v + (1 - b2) g**2``;
    ``p -= lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - b1**t)``,
    ``v_hat = v / (1 - b2**t)`` correcting the zero start of both averages.
    """

    def __init__(self, parameters: Iterable, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(parameters, lr)
        if not all(0.0 <= beta < 1.0 for beta in betas) or len(betas) != 2:
            raise ValueError(f"Adam's betas must be two numbers in [0, 1), got {betas!r}")
        if not eps > 0:
            raise ValueError(f"Adam's eps must be positive, got {eps!r}")
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.t = 0
        self.m: List = [0.0] * len(self.parameters)
        self.v: List = [0.0] * len(self.parameters)

    def _step(self) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        for i, p in enumerate(self.parameters):
            g = p.grad
            if g is None:
                continue
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            m_hat = self.m[i] / (1 - b1**self.t)
            v_hat = self.v[i] / (1 - b2**self.t)
            p.add_(self.lr * m_hat / (v_hat**0.5 + self.eps), alpha=-1.0)  # p -= lr * m_hat / ...
