"""Record a training step once, replay it: trace-and-replay, as every fast framework does.

An eager step pays for its graph on every call. For each op it builds a node, then
``backward()`` sorts the nodes and, for each one, checks what it saved, calls its backward rule
and folds every gradient back to its parent's shape and dtype: about 2-3 us of Python per node
(``benchmarks/bench_tensor.py`` measures it), which at N = 200 is a fifth of the arithmetic.
Yet a training step does the same thing every time: the same ops on arrays of the same shapes.

Measured on the Gaussian-process lesson (N = 200, float64, one thread; see the README's
Benchmarks): an eager epoch takes 1.24 times hand-written NumPy's time, a replayed one 1.04.
At N = 2, where the arithmetic is negligible, eager pays 79 us per epoch over NumPy's 68 us
for its 29 nodes, the replay 7 us: one call of the op's own rule per line.

``jit(step)`` runs the step once, eagerly, and writes down every array operation it performs:
each op's forward rule, each backward rule in the order the engine called it, how each
gradient was folded and where it was added, the optimizer's updates and the gradients it
cleared. From that record it writes a plain Python function, straight-line code with no
graph, no sort and no decisions about shapes, and later calls with inputs of the same shapes
and dtypes run that instead (``print(step.source)`` shows it). It calls the very same forward
and backward rules on the very same kinds of arrays, so every loss and weight is bit for bit
the eager one. New shapes or dtypes record again. PyTorch's CUDA graphs, tinygrad's TinyJit and
JAX's jit rest on the same idea.

What a recording cannot see: Python deciding something from the numbers. Code like
``if loss.item() > 1: ...`` would be replayed with the first call's decision. Reading numbers
out of a Tensor inside a recorded step (``item()``, ``float()``, ``bool()``, ``.data``,
``numpy()``, ``tolist()``) is therefore refused while recording; read them from what the step
returns. Tensors made inside the step from outside data (``Tensor(array)``) are recorded as
constants: pass changing data in as an argument. A step returns Tensors (or None), which the
replay returns holding the new numbers, outside any graph.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any, Callable, Dict, List

import numpy as np

from .shapes import sum_to_shape
from .tensor import Tensor
from .tensor.grad_mode import _mode, no_grad
from .tensor.core import constant
from .tensor.versions import LAYOUT
from .xp import ARRAY

STALE = object()  # what a replay returns when a setting it relies on (an optimizer's lr) changed


def jit(step: Callable) -> "Jitted":
    """``step`` recorded on its first call, replayed on later calls with the same input shapes.

    ``step``'s arguments are Tensors (NumPy arrays are made Tensors) and settings (numbers,
    strings: part of what selects a recording). It returns Tensors holding the step's results,
    outside the graph, from the first call on. See the module docstring for what it may not do.
    One call runs at a time (a lock): a replay reuses the ops it recorded.
    """
    if not callable(step):
        raise TypeError(f"jit records a function (the training step), got {type(step).__name__} {step!r:.60}")
    return Jitted(step)


class Jitted:
    """A step function with its recordings, one per signature of its inputs."""

    def __init__(self, step: Callable):
        self.step = step
        self.recordings: Dict[tuple, "Recording"] = {}
        self.source = ""  # the replay's code, as last recorded
        self.lock = threading.Lock()  # one call at a time: a replay reuses its ops' settings
        functools.update_wrapper(self, step)

    def __call__(self, *args, **kwargs):
        if kwargs or not all(type(a) is Tensor for a in args):  # (the common call: Tensors only)
            args = [Tensor(a) if isinstance(a, np.ndarray) else a for a in args]
            kwargs = {name: Tensor(a) if isinstance(a, np.ndarray) else a for name, a in kwargs.items()}
        if _mode.tracer is not None:  # called inside a step being recorded: be part of that recording
            return self.step(*args, **kwargs)
        key = _signature(args, kwargs)
        with self.lock:
            recording = self.recordings.get(key)
            if recording is not None:
                result = recording.replay(args, kwargs)
                if result is not STALE:
                    return result
            tracer = Tracer(args, kwargs)
            _mode.tracer = tracer
            try:
                result = self.step(*args, **kwargs)
            finally:
                _mode.tracer = None
            recording = tracer.finish(result)
            self.recordings[key] = recording
            self.source = recording.source
            return _outside_the_graph(result)  # as a replay returns it


def _outside_the_graph(result):
    if isinstance(result, Tensor):
        return constant(result._data)
    if isinstance(result, (tuple, list)):
        return type(result)(_outside_the_graph(x) for x in result)
    return result


def _signature(args, kwargs) -> tuple:
    """What selects a recording: each Tensor's shape, dtype and requires_grad; settings as they
    are; and which arguments are one and the same Tensor (``step(X, X)`` records X once)."""
    values = list(args) + [kwargs[name] for name in sorted(kwargs)] if kwargs else args
    key = [(x._data.shape, x._data.dtype, x.requires_grad) if type(x) is Tensor else _key(x) for x in values]
    if kwargs:
        key.append(tuple(sorted(kwargs)))
    if len(values) > 1:
        ids = [id(x) for x in values if isinstance(x, Tensor)]
        if len(set(ids)) < len(ids):
            key.append(tuple(ids.index(i) for i in ids))  # which arguments are the same Tensor
    return tuple(key)


def _key(x) -> tuple:
    if isinstance(x, Tensor):
        return (x._data.shape, x._data.dtype, x.requires_grad)
    try:
        hash(x)
    except TypeError:
        raise TypeError(
            f"jit: a step's arguments are Tensors, arrays or settings such as numbers; got "
            f"{type(x).__name__}, which cannot select a recording (it is unhashable)"
        ) from None
    return ("setting", x)


class Recording:
    """The replay: compiled Python source, and the objects it refers to."""

    def __init__(self, source: str, namespace: dict):
        self.source = source
        exec(compile(source, "<jit replay>", "exec"), namespace)  # noqa: S102 (code written by Tracer)
        self._replay = namespace["replay"]

    def replay(self, args, kwargs):
        return self._replay(*args, **kwargs)


class Tracer:
    """Writes down, while a step runs eagerly, the code that would redo its array work.

    The Tensors the step receives are ``a0``, ``a1``, ... (their arrays ``x0``, ...); those it
    reaches that were made before it ran (a model's parameters, constants) are ``E0``, ``E1``, ...
    (arrays ``e0``, ...); every array an op makes is ``v0``, ``v1``, ...; gradients are ``g...``.
    """

    def __init__(self, args, kwargs):
        self.lines: List[str] = []
        self.namespace: Dict[str, Any] = {"ARRAY": ARRAY, "asarray": np.asarray, "array": np.array, "sum_to_shape": sum_to_shape,
                                          "constant": constant, "no_grad": no_grad, "STALE": STALE, "LAYOUT": LAYOUT}
        self.tensor_names: Dict[int, str] = {}  # id of a Tensor -> the name of its array in the code
        self.array_names: Dict[int, str] = {}  # id of an array -> an expression for it
        self.keep: List[Any] = []  # everything named by id stays alive, so no id is reused
        self.externals: Dict[int, str] = {}  # id of an outside Tensor -> its name (E0, ...)
        self.outside: List[Tensor] = []  # those Tensors
        self.guards: List[str] = [f"LAYOUT.count != {LAYOUT.count}"]  # no Tensor's shape, dtype or requires_grad changed
        self.sizes: Dict[str, int] = {}  # how many numbers each named array holds
        self.count = 0
        self.silent = 0  # > 0 while code that is replayed as a whole call runs
        names = [f"a{i}" for i in range(len(args))] + [name for name in sorted(kwargs)]
        self.parameters = ", ".join([f"a{i}" for i in range(len(args))] + [f"{name}=None" for name in sorted(kwargs)])
        values = list(args) + [kwargs[name] for name in sorted(kwargs)]
        for i, (name, value) in enumerate(zip(names, values)):
            if isinstance(value, Tensor):
                self._name_tensor(value, f"x{i}")
                self.lines.append(f"x{i} = {name}._data")

    # --- naming ----------------------------------------------------------------------------

    def _new(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def _name_tensor(self, t: Tensor, name: str) -> None:
        self.sizes[name] = self.sizes["g" + name] = t._data.size  # (its gradient has its size)
        self.tensor_names[id(t)] = name
        self.array_names[id(t._data)] = name
        self.keep += [t, t._data]

    def _array_of(self, t: Tensor) -> str:
        """The name of a Tensor's array: made in the step, given to it, or from outside."""
        name = self.tensor_names.get(id(t))
        if name is None:  # from outside the step: read its array afresh on every replay
            outside = f"E{len(self.externals)}"
            self.externals[id(t)] = outside
            self.outside.append(t)
            self.namespace[outside] = t
            name = outside.lower()
            self.lines.insert(0, f"{name} = {outside}._data")
            self._name_tensor(t, name)
        return name

    def _holder(self, t: Tensor) -> str:
        """The name of the Tensor object itself, for its ``.grad``: only outside ones have one."""
        self._array_of(t)
        holder = self.externals.get(id(t))
        if holder is None:
            raise RuntimeError(
                "jit: backward() reaches a Tensor the step was given as an argument or computed "
                "outside it; a recorded step differentiates with respect to Tensors it reaches from "
                "outside (a model's parameters), not its arguments"
            )
        return holder

    def _expression(self, array) -> str:
        name = self.array_names.get(id(array))
        if name is None:
            raise RuntimeError(
                "jit: the step used numbers the recording cannot follow (an array computed by NumPy "
                "outside any Tensor op); compute them with Tensor ops inside the step, or pass them in"
            )
        return name

    def _bind(self, value, prefix: str) -> str:
        name = self._new(prefix)
        self.namespace[name] = value
        return name

    # --- what the Tensor code reports while the step runs -------------------------------------

    def forward(self, op, inputs, node: Tensor, wrapped: bool) -> None:
        """An op ran: its forward rule becomes one line."""
        if self.silent:
            return
        arguments = ", ".join(self._array_of(t) for t in inputs)
        rule = self._bind(op.forward, "F")
        name = self._new("v")
        call = f"{rule}(ARRAY, {arguments})"
        self.lines.append(f"{name} = {'asarray(' + call + ')' if wrapped else call}  # {op.name}")
        self._name_tensor(node, name)

    def backward_start(self, root: Tensor, seed, given) -> None:
        """``root.backward(given)``: the pass starts from dL/d(root) = ``seed``, ones by default."""
        if self.silent:
            return
        self.accumulated = set()  # the interior gradients that already hold a share in this pass
        name = self._gradient_of(root)
        if given is None:
            self.lines.append(f"{name} = {self._bind(seed, 'S')}.copy()  # dL/dL = 1")
        elif isinstance(given, Tensor):
            self.lines.append(f"{name} = array({self._array_of(given)}, dtype={self._bind(seed.dtype, 'D')})  # dL/d(root), given")
        else:
            self.refuse("backward(grad) with numbers from outside the step (pass them in as a Tensor)")
        self.accumulated.add(name)

    def _gradient_of(self, t: Tensor) -> str:
        return "g" + self._array_of(t)

    def chain_rule(self, node: Tensor, grad, shares, folded) -> None:
        """A node passed its gradient on: its backward rule, then each share folded and added."""
        if self.silent:
            return
        if id(node) not in self.tensor_names or id(node) in self.externals:
            raise RuntimeError(
                "jit: backward() reaches Tensors computed before the step began; compute them "
                "inside the step, or detach() them"
            )
        saved = "".join(", " + self._expression(array) for array in node.saved)
        rule = self._bind(node.op.backward, "B")
        names, additions = [], []
        for i, raw in enumerate(shares):
            share, parent = (folded[i], node.parents[i]) if i < len(folded) else (None, None)
            if share is None:
                names.append("_")  # a parent that takes no gradient (data, a mask)
                continue
            name = self._new("sv")
            self.sizes[name] = np.size(raw)
            expression = _fold(name, raw, grad, share, parent, self)
            if parent.parents:  # an interior node: its first share starts its gradient
                target = self._gradient_of(parent)
                if target in self.accumulated:
                    additions.append(f"{target} = {target} + {expression}")
                elif expression == name:
                    name = target  # the share is the gradient itself: name it so
                else:
                    additions.append(f"{target} = {expression}")
                self.accumulated.add(target)
            else:  # a leaf keeps adding up across passes, until zero_grad
                holder = self._holder(parent)
                additions.append(f"{holder}.grad = {expression} if {holder}.grad is None else {holder}.grad + {expression}")
            names.append(name)
        unpacked = ", ".join(names) + ("," if len(names) == 1 else "")
        self.lines.append(f"{unpacked} = {rule}(ARRAY, {self._gradient_of(node)}{saved})  # {node.op.name}")
        self.lines += additions

    def backward_end(self) -> None:
        """After a pass, the leaves' gradients can be named (an optimizer reads them)."""
        if self.silent:
            return
        for leaf in self.outside:
            if leaf.grad is not None:
                self.array_names[id(leaf.grad)] = f"{self.externals[id(leaf)]}.grad"
                self.keep.append(leaf.grad)

    def add_(self, target: Tensor, other, alpha: float) -> None:
        """``target += alpha * other`` in place (an optimizer's update)."""
        if self.silent:
            return
        array = self._array_of(target)
        holder = self.externals.get(id(target), None)
        if holder is not None and other is target.grad:  # p.add_(p.grad, alpha=-lr): read its gradient then
            other = f"{holder}.grad"
        elif isinstance(other, (int, float)):
            other = self._bind(target._operand(other, "add_")._data, "K")
        else:
            other = self._array_of(other) if isinstance(other, Tensor) else self._expression(other)
        update = other if alpha == 1.0 else f"{self._bind(alpha, 'K')} * {other}"
        self.lines.append(f"{array} += {update}")
        if holder is not None:
            self.lines.append(f"{holder}._version.count += 1")

    def zero_grad(self, t: Tensor) -> None:
        if not self.silent:
            self.lines.append(f"{self._holder(t)}.grad = None")

    def copies(self, t: Tensor) -> None:
        """``Tensor(t)`` copies t's numbers once: fine for an outside Tensor, not for one the step
        was given or computed, whose numbers change from call to call."""
        if id(t) in self.tensor_names and id(t) not in self.externals:
            self.refuse("copying a Tensor with Tensor(t) (use t.clone(), which is recorded)")

    def optimizer_step(self, optimizer) -> None:
        """An optimizer's step. Plain SGD updates every parameter by ``-lr * grad``: recorded
        line by line, with a check that its settings have not changed since. Others keep state
        (momentum, Adam's averages) and are replayed as a call of the whole step."""
        if optimizer.replayable():
            name = self._bind(optimizer, "O")
            self.guards.append(f"{name}.settings() != {self._bind(optimizer.settings(), 'G')}")
            with no_grad():
                optimizer._step()
            return
        call = self._bind(optimizer.step_outside_the_graph, "C")
        self.lines.append(f"{call}()")
        self.silent += 1
        try:
            optimizer.step_outside_the_graph()
        finally:
            self.silent -= 1

    def refuse(self, what: str) -> None:
        """Numbers read out of a Tensor, or changed in a way the replay cannot redo."""
        if not self.silent:
            raise RuntimeError(
                f"jit: {what} inside a step that is being recorded; the replay would not see it. "
                "Read numbers from what the step returns, after the call (loss = step(X, y); "
                "loss.item()), and change Tensors with Tensor ops inside the step"
            )

    # --- the program -------------------------------------------------------------------------

    def finish(self, result) -> Recording:
        returned = self._returned(result)
        guard = [f"    if {check}:\n        return STALE" for check in self.guards]
        body = "\n".join("    " + line for line in _freeing(self.lines + [f"return {returned}"], self.sizes))
        source = f"def replay({self.parameters}):\n" + "\n".join(guard + [body]) + "\n"
        return Recording(source, self.namespace)

    def _returned(self, result) -> str:
        if result is None:
            return "None"
        if isinstance(result, Tensor):
            return f"constant({self._expression(result._data)})"
        if isinstance(result, (tuple, list)):
            items = ", ".join(self._returned(x) for x in result)
            return f"({items},)" if isinstance(result, tuple) else f"[{items}]"
        raise TypeError(
            f"jit: a step returns Tensors (or None, or a tuple or list of them), got {type(result).__name__}; "
            "return the loss Tensor and read its number after the call"
        )


_ARRAY_NAME = re.compile(r"\b[gs]?v\d+\b")  # arrays ops make (v...), gradients (gv...), shares (sv...)
_SMALL = 256  # numbers; dropping an array this small early saves nothing worth a line


def _freeing(lines: List[str], sizes: Dict[str, int]) -> List[str]:
    """The lines, each array dropped (``del``) right after its last use, as the eager graph lets
    go of a gradient once passed on: otherwise a replay would hold every array of the step at
    once, twice the memory at large N. (The returned arrays are used on the return line.)"""
    last_use = {}
    for k, line in enumerate(lines):
        for name in _ARRAY_NAME.findall(line):
            last_use[name] = k
    dropped: Dict[int, List[str]] = {}
    for name, k in last_use.items():
        if sizes.get(name, _SMALL) >= _SMALL:
            dropped.setdefault(k, []).append(name)
    out = []
    for k, line in enumerate(lines):
        out.append(line)
        if k in dropped and k < len(lines) - 1:
            out.append("del " + ", ".join(sorted(dropped[k])))
    return out


def _fold(raw_name: str, raw, grad, share, parent: Tensor, tracer: Tracer) -> str:
    """The steps ``Tensor.chain_rule`` takes from a backward rule's raw result to the share it
    sends, as an expression, taken by the same rules and checked on the recorded numbers."""
    expression, value = raw_name, raw
    if np.shape(value) != parent._data.shape:
        expression, value = f"sum_to_shape({expression}, {parent._data.shape!r})", sum_to_shape(value, parent._data.shape)
    if type(value) is not np.ndarray:
        expression, value = f"asarray({expression})", np.asarray(value)
    if value.dtype != parent._data.dtype:
        expression, value = f"{expression}.astype({tracer._bind(parent._data.dtype, 'D')})", value.astype(parent._data.dtype)
    elif (value is grad or value.base is not None) and (not parent.parents or parent.retains_grad):
        expression, value = f"{expression}.copy()", value.copy()
    if value.dtype != share.dtype or value.shape != share.shape or not np.array_equal(value, share, equal_nan=True):
        raise AssertionError("jit: the recorded folding of a gradient does not reproduce chain_rule's")
    return expression
