"""The backward driver: the chain rule applied in reverse topological order.

This file is the whole of reverse-mode automatic differentiation. It knows nothing about
floats or arrays; it serves the scalar ``Value`` and the array ``Tensor`` alike. A node only
has to offer:

``node.parents``
    The nodes it was computed from, in a fixed order (a tuple, so gradients are deterministic).
``node.chain_rule(grad)``
    Given dL/d(node), return dL/d(parent) for each parent, in the same order.
``node.requires_grad``
    Whether gradients should flow into it at all (a Tensor of data does not need one).
``node.grad``
    Where dL/d(node) is collected, one share at a time (``None`` means "nothing yet"). A
    share is whatever ``chain_rule`` returned, so ``+`` adds floats and arrays alike.
``node.retains_grad``
    Whether an interior node keeps the gradient of the latest pass in ``.grad``.

The driver walks the graph with an explicit stack instead of recursion, so a graph a million
nodes deep backpropagates as easily as a small one.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from .checks import short


def topological_order(root: Any) -> list:
    """Return every node that ``root`` depends on, each one after all of its parents.

    Depth-first search with an explicit stack. A node is pushed twice: once to *expand* it
    (push its parents), once more to *emit* it, which happens only after every parent pushed
    above it has been emitted. A leaf, with no parents to wait for, is emitted at once. Nodes
    that do not require gradients are not visited, so no gradient is ever computed for plain
    data. Nodes are kept in a set, hashed by identity.
    """
    _check_root(root)
    order = []
    expanded = set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in expanded:
            expanded.add(node)
            if not node.parents:  # a leaf has no parents to wait for: emit it at once
                order.append(node)
                continue
            stack.append((node, True))
            for parent in reversed(node.parents):  # reversed: the first parent is expanded first
                if parent.requires_grad and parent not in expanded:
                    stack.append((parent, False))
    return order


def _check_root(root: Any) -> None:
    """Refuse, once and before the walk, a root that is not a node (a float, an array, None)."""
    if not (hasattr(root, "parents") and hasattr(root, "requires_grad") and hasattr(root, "chain_rule")):
        raise TypeError(
            "a computation graph ends in a Value or a Tensor (the result of a computation, such as loss), "
            f"got {type(root).__name__} {short(root)}"
        )


StepObserver = Callable[[Any, Any, Sequence], None]


def backpropagate(root: Any, root_grad: Any, on_step: Optional[StepObserver] = None) -> None:
    """Fill in ``.grad`` of every node that ``root`` depends on, given dL/d(root) = ``root_grad``.

    Each node's ``.grad`` collects dL/d(node), one share from every node that used it. Walking
    from the output back to the inputs guarantees that when a node is reached, every node that
    used it has already delivered its share, so its ``.grad`` is complete and can be passed on:

        dL/d(parent) += dL/d(node) * d(node)/d(parent)        (the chain rule)

    Interior nodes start each pass from nothing; leaves keep adding up across passes (PyTorch's
    rule: call ``zero_grad()`` between training steps). ``on_step(node, grad, parent_grads)``,
    if given, is called once per interior node with the gradient it received and what it sends
    to each parent: a backward pass you can watch, one step at a time.
    """
    if on_step is not None and not callable(on_step):
        raise TypeError(f"backward(on_step=...) takes a function f(node, grad, parent_grads), got {type(on_step).__name__} {on_step!r}")
    order = topological_order(root)  # refuses a root that is not a Value or a Tensor
    for node in order:
        if node.parents:
            node.grad = None  # interior: this pass's gradient starts from nothing
    root.grad = root_grad if root.grad is None else root.grad + root_grad  # a leaf root adds up too
    for node in reversed(order):
        if not node.parents:
            continue  # a leaf: its .grad already holds everything sent to it
        grad = node.grad
        parent_grads = node.chain_rule(grad)
        if on_step is not None:
            on_step(node, grad, parent_grads)
        for parent, parent_grad in zip(node.parents, parent_grads):
            if parent.requires_grad:  # dL/d(parent) += this share
                parent.grad = parent_grad if parent.grad is None else parent.grad + parent_grad
        if not node.retains_grad:
            node.grad = None  # not kept (a Tensor's intermediate gradient): free its memory

