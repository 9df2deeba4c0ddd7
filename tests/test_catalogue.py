"""The catalogue of misuse: one table, one line per bad input, across every public function and
the command line.

Each line says what is done wrong, the exception the library must raise (the kind Python users
expect: TypeError for the wrong kind of thing, ValueError for the wrong value, IndexError for a
bad index, RuntimeError for a wrong moment, an OSError naming the file for a file that cannot
be read or written) and words its message must contain: what was wrong, and how to fix it.
Every line is checked four ways:

1. the exception is exactly the one in the table;
2. its message holds the table's words;
3. the library raised it itself: the innermost frame of the traceback (Python or Cython) is in
   ``tinygrad_edu``, never a raw NumPy, zipfile, pathlib or Python-internals message passed through;
4. nothing changed: every model (its state dict and gradients), a Tensor with a gradient, and
   every file in the folder (its bytes and mode, and no new or temporary file) have the same
   fingerprint after the refusal as before it.

A line of the command line runs ``tinygrad-edu`` in this process: it must exit with status 2
(refused) or 1 (the file cannot be written), say why on stderr with no traceback, and write
nothing.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import warnings
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Tuple

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, Value, backpropagate, cli, gradcheck, losses, no_grad, topological_order
from tinygrad_edu.data import make_moons, make_spirals, simulate_gp
from tinygrad_edu.formula import Refused, build_graph, parse_values
from tinygrad_edu.netviz import draw_network
from tinygrad_edu.nn import MLP, Layer, Linear, Neuron, TensorMLP
from tinygrad_edu.optim import SGD, Adam
from tinygrad_edu.io import save_arrays
from tinygrad_edu.plots import plot_decision_boundary, plot_decision_regions, plot_loss_curve, plot_regression_fit
from tinygrad_edu.shapes import sum_to_shape
from tinygrad_edu.stepper import record_backward, save_step_through, step_through_html
from tinygrad_edu.train import fit
from tinygrad_edu.viz import draw_dot, save

PACKAGE = Path(tg.__file__).parent


class World:
    """Everything a misuse could damage: four models, a Tensor holding a gradient, and a
    folder with a saved model and files that are not saved models."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.mlp = MLP(2, [3, 1], seed=0)
        self.tmlp = TensorMLP(2, [3, 1], seed=1)
        self.tmlp32 = TensorMLP(2, [3, 1], seed=2, dtype=np.float32)
        self.linear = Linear(2, 3, seed=4)
        self.w = Tensor([1.0, -2.0], requires_grad=True, label="w")
        (self.w * self.w).sum().backward()  # w.grad = 2w
        self.v = Value(2.0, label="v")
        self.X = np.linspace(-1, 1, 16).reshape(8, 2)
        self.y = self.X.sum(axis=1, keepdims=True)
        self.saved = self.tmlp.save(folder / "model.npz")
        good = self.saved.read_bytes()
        (folder / "empty.npz").write_bytes(b"")
        (folder / "text.npz").write_text("layers.0.weight = [[1, 2], [3, 4]]\n")
        np.save(folder / "array.npy", np.ones(3))
        (folder / "objects.pkl").write_bytes(pickle.dumps({"layers.0.weight": [[1.0, 2.0]]}))
        (folder / "truncated.npz").write_bytes(good[: len(good) // 2])
        (folder / "corrupted.npz").write_bytes(_corrupted(good))
        np.savez(folder / "pickled.npz", **{"layers.0.weight": np.array([{"a": 1}], dtype=object)})
        with zipfile.ZipFile(folder / "notes.npz", "w") as archive:
            archive.writestr("notes.txt", "not an array")
        TensorMLP(2, [4, 1], seed=3).save(folder / "other_shape.npz")
        huge = {name: np.full(np.shape(array), 1e300) for name, array in self.tmlp32.named_parameter_arrays()}
        np.savez(folder / "huge.npz", **huge)
        (folder / "page.html").mkdir()  # folders named like files
        (folder / "picture.svg").mkdir()

    @property
    def params(self) -> list:
        return self.tmlp.parameters()

    def path(self, name: str) -> Path:
        return self.folder / name

    def fingerprint(self) -> dict:
        """Hashes of every model's arrays and gradients, the Tensor's, and every file's bytes and mode."""
        prints = {}
        for name in ("mlp", "tmlp", "tmlp32", "linear"):
            model = getattr(self, name)
            for key, array in model.named_parameter_arrays():
                prints[f"{name}.{key}"] = _hash(np.asarray(array))
            prints[f"{name}.grads"] = [_hash(np.asarray(p.grad)) if p.grad is not None else None for p in model.parameters()]
        prints["w"] = (_hash(self.w._data), _hash(self.w.grad), self.w._version.count, self.w.requires_grad)
        prints["v"] = (self.v.data, self.v.grad)
        for path in sorted(self.folder.rglob("*")):
            stat = path.stat()
            prints[str(path.relative_to(self.folder))] = (
                hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder",
                stat.st_mode,
            )
        return prints


def _hash(array: np.ndarray) -> str:
    return f"{array.dtype}{array.shape}" + hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def _corrupted(archive: bytes) -> bytes:
    """The archive with the first numbers of its first array inverted: its checksum no longer fits."""
    start = archive.index(b"\x93NUMPY")
    header = int.from_bytes(archive[start + 8 : start + 10], "little")
    data = start + 10 + header
    flipped = bytes(b ^ 0xFF for b in archive[data : data + 8])
    return archive[:data] + flipped + archive[data + 8 :]


class CommandRefused(Exception):
    """``tinygrad-edu`` exited with a status other than 0; the message is its status and stderr."""


def command(*argv: str) -> Callable[[World], str]:
    """Run ``tinygrad-edu ARGV`` in this process ({folder} in an argument is the world's folder)."""

    def run(world: World) -> str:
        arguments = [a.format(folder=world.folder) for a in argv]
        err, out = io.StringIO(), io.StringIO()
        with redirect_stderr(err), redirect_stdout(out):
            try:
                status = cli.main(arguments)
            except SystemExit as exit:  # argparse's own usage errors
                status = exit.code
        if status != 0:
            raise CommandRefused(f"status {status}: {err.getvalue()}")
        return out.getvalue()

    return run


def changed_in_place_before_backward(_world):
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True, label="b")
    loss = (a * b).sum()
    b.data[0] = 10.0
    loss.backward()


def stepped_before_backward(_world):
    model = TensorMLP(2, [3, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    loss = model(np.ones((4, 2))).sum()
    first = model(np.ones((4, 2))).sum()
    first.backward()
    optimizer.step()  # changes the weights that `loss` saved
    loss.backward()


def relu_in_place_through_detach(_world):
    x = Tensor([-1.0, 2.0], requires_grad=True)
    y = x * 1.0
    loss = (y * y).sum()
    y.detach().relu_()
    loss.backward()


def nan_model_saved(world):
    model = TensorMLP(2, [3, 1], seed=0)
    with no_grad():
        model.layers[0].weight[0, 0] = float("nan")
    model.save(world.path("diverged.npz"))


def nan_model_trained(world):
    model = TensorMLP(2, [3, 1], seed=0)
    with no_grad():
        model.layers[0].weight[0, 0] = float("nan")
    fit(model, world.X, world.y, epochs=2, lr=0.1, loss_fn=losses.mean_squared_error, progress=False)


def load_huge_with_warnings_as_errors(world):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        world.tmlp32.load_state_dict({name: np.full(np.shape(a), 1e300) for name, a in world.tmlp32.named_parameter_arrays()})


def relabelled(label):
    """v * 2 whose label was set, after it was made, to something that is not text."""
    out = Value(2.0, label="v") * 2
    out.label = label
    return out


def state_with(world, name: str, value):
    state = world.tmlp.state_dict()
    state[name] = value
    world.tmlp.load_state_dict(state)


def trained(world, **kwargs):
    """fit on the world's TensorMLP, with what a line changes."""
    arguments = dict(model=world.tmlp, X=world.X, y=world.y, epochs=3, lr=0.1, loss_fn=losses.mean_squared_error,
                     progress=False)
    arguments.update(kwargs)
    if arguments.pop("no_lr", False):
        del arguments["lr"]
    return fit(**arguments)


@dataclass(frozen=True)
class Misuse:
    what: str  # the line's name
    call: Callable[[World], object]
    error: type  # exactly this exception
    words: Tuple[str, ...]  # the message holds each of these


T = lambda: Tensor([1.0, 2.0], requires_grad=True)  # noqa: E731  a fresh Tensor for ops
P = lambda: Tensor([[0.2], [0.7]], requires_grad=True)  # noqa: E731  two predictions, a column
LOGITS = lambda: Tensor(np.zeros((2, 3)), requires_grad=True)  # noqa: E731  2 examples, 3 classes
FIRST = lambda points: points[:, 0]  # noqa: E731  a score for each point of a plane
SQUARE = lambda x: x * x  # noqa: E731  a function for gradcheck
LONG = "x" + " + x" * 300
FLAT_201 = "+".join(["x"] * 201)
DEEP = "(" * 51 + "x" + ")" * 51

CATALOGUE = [
    # --- Value --------------------------------------------------------------------------------
    Misuse("Value of a str", lambda w: Value("a"), TypeError, ("real number", "str")),
    Misuse("Value of None", lambda w: Value(None), TypeError, ("real number", "NoneType")),
    Misuse("Value of a bool", lambda w: Value(True), TypeError, ("real number", "bool")),
    Misuse("Value of an array", lambda w: Value(np.ones(2)), TypeError, ("real number", "ndarray")),
    Misuse("Value with a non-string label", lambda w: Value(1.0, label=3), TypeError, ("label is text", "int")),
    Misuse("Value + str", lambda w: w.v + "a", TypeError, ("Value +", "str")),
    Misuse("Value + Tensor", lambda w: w.v + T(), TypeError, ("Value +", "Tensor")),
    Misuse("Value ** str", lambda w: w.v ** "a", TypeError, ("exponent", "str")),
    Misuse("Value < str", lambda w: w.v < "a", TypeError, ("Value <", "str")),
    Misuse("Value.backward(grad=str)", lambda w: (w.v * 2).backward("a"), TypeError, ("backward(grad)", "str")),
    Misuse("Value.backward(on_step=3)", lambda w: (w.v * 2).backward(on_step=3), TypeError, ("on_step", "function")),
    Misuse("Value.leaky_relu(str)", lambda w: w.v.leaky_relu("a"), TypeError, ("negative_slope",)),
    Misuse("Value / 0", lambda w: Value(1.0) / Value(0.0), ZeroDivisionError, ("division by zero", "1.0 / 0.0")),
    Misuse("log of a negative Value", lambda w: Value(-1.0).log(), ValueError, ("log(-1.0)", "positive")),
    Misuse("exp of a Value past a float", lambda w: Value(1000.0).exp(), OverflowError, ("exp(1000.0)", "too large")),
    Misuse("Value.add_(str)", lambda w: Value(1.0).add_("a"), TypeError, ("add_", "str")),
    Misuse("Value of an int past a float", lambda w: Value(10**400), OverflowError, ("too large for a float", "1.8e308")),
    Misuse("Value + an int past a float", lambda w: w.v + 10**400, OverflowError, ("Value +", "too large for a float")),
    Misuse("Value.tanh of a str", lambda w: Value.tanh("a"), TypeError, ("Value tanh", "real number", "str")),
    # --- making a Tensor ------------------------------------------------------------------------
    Misuse("Tensor of ragged lists", lambda w: Tensor([[1, 2], [3]]), ValueError, ("rectangular", "different lengths")),
    Misuse("Tensor of an unknown dtype name", lambda w: Tensor([1.0], dtype="float8"), TypeError, ("'float8'", "float64")),
    Misuse("Tensor of float16", lambda w: Tensor([1.0], dtype=np.float16), ValueError, ("float16", "float32")),
    Misuse("Tensor requires_grad='no'", lambda w: Tensor([1.0], requires_grad="no"), TypeError, ("requires_grad", "'no'")),
    Misuse("Tensor of complex numbers", lambda w: Tensor(np.array([1 + 2j])), TypeError, ("complex", ".real")),
    Misuse("Tensor of objects", lambda w: Tensor(np.array([1, None], dtype=object)), TypeError, ("real numbers", "object")),
    Misuse("Tensor of a str", lambda w: Tensor("abc"), TypeError, ("real numbers", "str")),
    Misuse("Tensor of Values", lambda w: Tensor([Value(1.0)]), TypeError, ("real numbers", "Value")),
    Misuse("Tensor with a non-string label", lambda w: Tensor([1.0], label=3), TypeError, ("label is text",)),
    Misuse("int64 Tensor requiring grad", lambda w: Tensor([1, 2], dtype="int64", requires_grad=True), RuntimeError,
           ("floating-point", "float64 or float32")),
    Misuse("1e300 as float32", lambda w: Tensor(1e300, dtype="float32"), ValueError, ("1e+300", "does not fit in float32")),
    Misuse("fractions as int64", lambda w: Tensor([1.5], dtype="int64"), ValueError, ("int64", "whole numbers")),
    Misuse("uint64 past int64", lambda w: Tensor(np.array([2**63 + 5], dtype=np.uint64), dtype="int64"), ValueError,
           ("9223372036854775813", "too large for int64")),
    Misuse("a whole number past int64 as int64", lambda w: Tensor([2**70], dtype="int64"), ValueError, ("too large for int64",)),
    # --- Tensor ops -------------------------------------------------------------------------------
    Misuse("Tensor + str", lambda w: T() + "abc", TypeError, ("str", "+")),
    Misuse("Tensor + complex array", lambda w: T() + np.array([1 + 1j, 2]), TypeError, ("complex",)),
    Misuse("Tensor + object array", lambda w: T() + np.array([1, None], dtype=object), TypeError, ("object",)),
    Misuse("shapes that do not broadcast", lambda w: T() + np.ones(3), ValueError, ("(2,) and (3,)", "broadcast")),
    Misuse("@ of shapes that do not fit", lambda w: T() @ Tensor(np.ones((3, 2))), ValueError, ("(2,)", "(3, 2)")),
    Misuse("@ with a single number", lambda w: Tensor(1.0) @ T(), ValueError, ("single numbers", "use *")),
    Misuse("@ with a str", lambda w: T() @ "a", TypeError, ("str", "@")),
    Misuse("sum(axis=True)", lambda w: T().sum(axis=True), TypeError, ("axis", "bool")),
    Misuse("sum(axis=1.0)", lambda w: T().sum(axis=1.0), TypeError, ("axis", "float")),
    Misuse("sum(axis='a')", lambda w: T().sum(axis="a"), TypeError, ("axis", "str")),
    Misuse("sum(axis=2) of a vector", lambda w: T().sum(axis=2), ValueError, ("axis 2", "out of range")),
    Misuse("sum over one axis twice", lambda w: Tensor(np.ones((2, 2))).sum(axis=[0, 0]), ValueError, ("same axis twice",)),
    Misuse("sum(keepdims='yes')", lambda w: T().sum(0, keepdims="yes"), TypeError, ("keepdims", "True or False")),
    Misuse("mean(axis=, dim=)", lambda w: T().mean(axis=0, dim=0), TypeError, ("axis=", "dim=", "not both")),
    Misuse("reshape('a')", lambda w: T().reshape("a"), TypeError, ("reshape", "whole numbers")),
    Misuse("reshape into too many numbers", lambda w: T().reshape(3), ValueError, ("(2,)", "(3,)")),
    Misuse("softmax without an axis", lambda w: T().softmax(), TypeError, ("softmax", "axis=-1")),
    Misuse("permute(0, 0)", lambda w: Tensor(np.ones((2, 2))).permute(0, 0), ValueError, ("permute", "ordering")),
    Misuse("transpose of one axis", lambda w: T().transpose(0), TypeError, ("transpose", "permute")),
    Misuse("index by a float", lambda w: T()[1.0], IndexError, ("1.0", "whole number")),
    Misuse("index out of bounds", lambda w: T()[5], IndexError, ("index 5", "shape (2,)")),
    Misuse("index by a str", lambda w: T()["a"], IndexError, ("'a'", "valid indices")),
    Misuse("index by ragged lists", lambda w: Tensor(np.ones((2, 2)))[[0, 1], [[0, 1], [0]]], IndexError, ("rectangular",)),
    Misuse("index by a list of lists", lambda w: Tensor(np.ones((3, 4)))[[[0, 1], [1, 2]]], IndexError, ("read two ways", "np.array", "tuple")),
    Misuse("t[...] = a value that requires grad", lambda w: tg.zeros(3).__setitem__(slice(0, 2), w.w * 2), RuntimeError,
           ("gradient would be lost", "detach()", "where")),
    Misuse("a pair from max(dim) in arithmetic", lambda w: T() - T().reshape(1, 2).max(1, keepdim=True), TypeError, ("(values, indices)", ".values")),
    Misuse("an index list holding a slice", lambda w: Tensor(np.ones((2, 2)))[[slice(None), 0]], IndexError, ("with slices", "tuple(...)")),
    Misuse("backward(inputs=...)", lambda w: (w.w * 1.0).sum().backward(inputs=[w.w]), TypeError, ("inputs", ".grad")),
    Misuse("cat of single numbers", lambda w: tg.cat([Tensor(1.0), Tensor(2.0)]), ValueError, ("position 0", "stack")),
    Misuse("reshape(-2, 1)", lambda w: T().reshape(-2, 1), ValueError, ("reshape", "-1", "-2")),
    Misuse("len() of a 0-d Tensor", lambda w: len(Tensor(1.0)), TypeError, ("0-d", ".item()")),
    Misuse("item() of two numbers", lambda w: T().item(), ValueError, ("one element", "(2,)")),
    Misuse("truth of two numbers", lambda w: bool(T()), RuntimeError, ("ambiguous", ".any()")),
    Misuse("to an unknown dtype", lambda w: T().to("foo"), TypeError, ("'foo'", "float64")),
    Misuse("clip() without bounds", lambda w: T().clip(), ValueError, ("clip", "min")),
    Misuse("clip to bounds that do not broadcast", lambda w: T().clip(min=[1.0, 2.0, 3.0]), ValueError, ("(2,) and (3,)",)),
    Misuse("sum(dim=()), read two ways", lambda w: T().sum(dim=()), ValueError, ("NumPy", "PyTorch", "sum()")),
    Misuse("max over two dims", lambda w: Tensor(np.ones((2, 2))).max(dim=(0, 1)), TypeError, ("one dim", "amax(dim=(0, 1))")),
    Misuse("max(dim) used as a Tensor", lambda w: Tensor(np.ones((2, 2))).max(1) + 1, TypeError, ("(values, indices)", ".values")),
    Misuse("a method of max(dim)'s pair", lambda w: Tensor(np.ones((2, 2))).min(0).sum(), AttributeError, ("(values, indices)", ".values.sum")),
    Misuse("var(unbiased=1)", lambda w: T().var(0, 1), TypeError, ("unbiased", "True or False")),
    Misuse("var(unbiased=, correction=)", lambda w: T().var(unbiased=False, correction=0), TypeError, ("unbiased=", "correction=", "not both")),
    Misuse("leaky_relu(str)", lambda w: T().leaky_relu("a"), TypeError, ("negative_slope", "str")),
    Misuse("backward() of many numbers", lambda w: (T() * 2).backward(), RuntimeError, ("single number", ".sum()")),
    Misuse("backward(grad=str)", lambda w: (T() * 2).backward(grad="a"), TypeError, ("backward(grad)", "str")),
    Misuse("backward(grad) of the wrong shape", lambda w: (T() * 2).backward(grad=np.ones(3)), ValueError, ("(3,)", "(2,)")),
    Misuse("backward(on_step=3)", lambda w: (T() * 2).sum().backward(on_step=3), TypeError, ("on_step", "function")),
    Misuse("backward() of data", lambda w: Tensor([1.0]).sum().backward(), RuntimeError, ("does not require grad",)),
    Misuse("relu_() of a leaf", lambda w: w.w.relu_(), RuntimeError, ("leaf", "relu()")),
    Misuse("add_ to a parameter while recording", lambda w: w.w.add_(1.0), RuntimeError, ("add_", "no_grad")),
    Misuse("t[i] = v on a parameter while recording", lambda w: w.w.__setitem__(0, 5.0), RuntimeError, ("no_grad",)),
    Misuse("add_(str)", lambda w: Tensor([1.0]).add_("a"), TypeError, ("add_", "str")),
    Misuse("add_ of another shape", lambda w: Tensor([1.0]).add_(np.ones(3)), ValueError, ("add_", "(3,)", "(1,)")),
    Misuse("add_ of fractions to whole numbers", lambda w: Tensor([1], dtype="int64").add_(0.5), TypeError, ("int64", "in place")),
    Misuse("add_(alpha=str)", lambda w: Tensor([1.0]).add_(1.0, alpha="a"), TypeError, ("alpha", "str")),
    Misuse("t[5] = v", lambda w: Tensor([1.0]).__setitem__(5, 1.0), IndexError, ("index 5", "shape (1,)")),
    Misuse("t[0] = str", lambda w: Tensor([1.0]).__setitem__(0, "a"), TypeError, ("real numbers", "str")),
    Misuse("t[0] = two numbers", lambda w: Tensor([1.0]).__setitem__(0, [1.0, 2.0]), ValueError, ("(2,)", "does not fit")),
    Misuse("requires_grad_(False) inside a graph", lambda w: (T() * 1).requires_grad_(False), RuntimeError, ("detach()",)),
    Misuse("numbers written between forward and backward", changed_in_place_before_backward, RuntimeError,
           ("'b'", "'*'", "changed in place")),
    Misuse("an optimizer step before backward", stepped_before_backward, RuntimeError, ("'weight'", "'linear'", "backward()")),
    Misuse("relu_ through a detach", relu_in_place_through_detach, RuntimeError, ("'*'", "changed in place", "clone()")),
    Misuse("no_grad(3)", lambda w: no_grad(3), TypeError, ("no_grad", "with no_grad():")),
    # --- functions on Tensors -------------------------------------------------------------------
    Misuse("cat([])", lambda w: tg.cat([]), TypeError, ("cat", "list of Tensors")),
    Misuse("cat of unlike shapes", lambda w: tg.cat([T(), Tensor(np.ones((2, 2)))]), ValueError, ("cat", "(2, 2)")),
    Misuse("cat with an array in the list", lambda w: tg.cat([T(), np.ones(2)]), TypeError, ("cat", "ndarray")),
    Misuse("stack of unlike shapes", lambda w: tg.stack([T(), Tensor(np.ones(3))]), ValueError, ("same shape",)),
    Misuse("where with a condition of numbers", lambda w: tg.where(np.array([1, 0]), T(), T()), TypeError, ("booleans", "x > 0")),
    Misuse("maximum of two numbers", lambda w: tg.maximum(1.0, 2.0), TypeError, ("at least one Tensor", "max()")),
    Misuse("minimum of two arrays", lambda w: tg.minimum(np.ones(2), np.ones(2)), TypeError, ("at least one Tensor",)),
    Misuse("matmul of arrays", lambda w: tg.matmul(np.ones((2, 2)), np.ones((2, 2))), TypeError, ("matmul", "Tensor(array)")),
    Misuse("linear with a str bias", lambda w: tg.linear(Tensor(np.ones((2, 3))), Tensor(np.ones((4, 3))), "b"), TypeError,
           ("bias", "str")),
    Misuse("zeros(-1)", lambda w: tg.zeros(-1), ValueError, ("zeros", "at least 0")),
    Misuse("zeros(2.5)", lambda w: tg.zeros(2.5), TypeError, ("zeros", "whole numbers")),
    Misuse("full with a str", lambda w: tg.full(2, "a"), TypeError, ("fill_value", "str")),
    Misuse("full of a negative size", lambda w: tg.full((-2,), 1.0), ValueError, ("full", "at least 0")),
    Misuse("arange(nan)", lambda w: tg.arange(float("nan")), ValueError, ("arange", "finite")),
    Misuse("arange with step 0", lambda w: tg.arange(0, 10, 0), ValueError, ("step", "0")),
    Misuse("arange past any array", lambda w: tg.arange(1e20), ValueError, ("arange", "more numbers")),
    Misuse("eye(-1)", lambda w: tg.eye(-1), ValueError, ("eye", "at least 0")),
    Misuse("randn with a negative seed", lambda w: tg.randn(2, seed=-1), ValueError, ("seed", "at least 0")),
    Misuse("randn with a str seed", lambda w: tg.randn(2, seed="a"), TypeError, ("seed", "str")),
    Misuse("zeros_like of an array", lambda w: tg.zeros_like(np.ones(2)), TypeError, ("zeros_like", "ndarray")),
    # --- gradcheck and the driver --------------------------------------------------------------------
    Misuse("gradcheck of a str function", lambda w: gradcheck("f", [1.0]), TypeError, ("f is the function to check", "str")),
    Misuse("gradcheck of inputs in a str", lambda w: gradcheck(SQUARE, "a"), TypeError, ("inputs is a list", "str 'a'")),
    Misuse("gradcheck of a bare number", lambda w: gradcheck(SQUARE, 1.0), TypeError, ("inputs is a list", "[0.5, -3.0]")),
    Misuse("gradcheck of a text input", lambda w: gradcheck(SQUARE, ["a"]), TypeError, ("input 0", "real numbers", "str")),
    Misuse("gradcheck of None", lambda w: gradcheck(SQUARE, [None]), TypeError, ("input 0", "NoneType")),
    Misuse("gradcheck of ragged lists", lambda w: gradcheck(SQUARE, [[[1.0, 2.0], [3.0]]]), ValueError, ("input 0", "rectangular")),
    Misuse("gradcheck of a Tensor input", lambda w: gradcheck(SQUARE, [w.w]), TypeError, ("input 0 is a Tensor", "x.numpy()")),
    Misuse("gradcheck of an infinite input", lambda w: gradcheck(SQUARE, [np.array([1.0, np.inf])]), ValueError,
           ("input 0 holds inf", "finite")),
    Misuse("gradcheck of no inputs", lambda w: gradcheck(SQUARE, []), ValueError, ("inputs is empty",)),
    Misuse("gradcheck of too few inputs for f", lambda w: gradcheck(lambda a, b: a * b, [1.0]), TypeError,
           ("one argument per input", "f(a, b)", "1 argument")),
    Misuse("gradcheck of f returning a float", lambda w: gradcheck(lambda x: 3.0, [1.0]), TypeError,
           ("return a Value or a Tensor", "float 3.0")),
    Misuse("gradcheck of f returning many numbers", lambda w: gradcheck(lambda x: x * 2, [np.ones(2)]), ValueError,
           ("single number", "(2,)", "sum it")),
    Misuse("gradcheck with eps 0", lambda w: gradcheck(SQUARE, [1.0], eps=0.0), ValueError, ("eps", "> 0")),
    Misuse("gradcheck with a str atol", lambda w: gradcheck(SQUARE, [1.0], atol="a"), TypeError, ("atol", "str")),
    Misuse("backpropagate from a float", lambda w: backpropagate(3.0, 1.0), TypeError, ("Value or a Tensor", "float 3.0")),
    Misuse("topological_order of None", lambda w: topological_order(None), TypeError, ("Value or a Tensor", "NoneType")),
    # --- models -----------------------------------------------------------------------------------
    Misuse("MLP(2, 3)", lambda w: MLP(2, 3), TypeError, ("nouts", "list of layer widths", "[3]")),
    Misuse("MLP with a float width", lambda w: MLP(2, [3.0, 1]), TypeError, ("nouts[0]", "whole number", "3.0")),
    Misuse("MLP with a float nin", lambda w: MLP(2.0, [3, 1]), TypeError, ("nin", "whole number")),
    Misuse("MLP with no inputs", lambda w: MLP(0, [3, 1]), ValueError, ("nin", "at least 1")),
    Misuse("MLP with no layers", lambda w: MLP(2, []), ValueError, ("at least one layer",)),
    Misuse("MLP with widths in a str", lambda w: MLP(2, "ab"), TypeError, ("nouts", "str")),
    Misuse("MLP with a bool width", lambda w: MLP(2, [True, 1]), TypeError, ("nouts[0]", "bool")),
    Misuse("MLP with an unknown activation", lambda w: MLP(2, [3, 1], activation="foo"), ValueError, ("'foo'", "relu")),
    Misuse("MLP with a negative seed", lambda w: MLP(2, [3, 1], seed=-1), ValueError, ("seed", "at least 0")),
    Misuse("MLP with a float seed", lambda w: MLP(2, [3, 1], seed=1.5), TypeError, ("seed", "float")),
    Misuse("MLP of too few inputs", lambda w: w.mlp([1.0]), ValueError, ("2 inputs", "got 1")),
    Misuse("MLP of a batch", lambda w: w.mlp(np.ones((5, 2))), ValueError, ("one example at a time", "TensorMLP")),
    Misuse("MLP of a number", lambda w: w.mlp(1.0), TypeError, ("list of 2 numbers", "float")),
    Misuse("Neuron(True)", lambda w: Neuron(True), TypeError, ("nin", "bool")),
    Misuse("Layer of no neurons", lambda w: Layer(2, 0), ValueError, ("nout", "at least 1")),
    Misuse("Linear of a list", lambda w: Linear([1, 2], 3), TypeError, ("nin", "whole number", "list")),
    Misuse("Linear of an array", lambda w: Linear(np.ones(2), 3), TypeError, ("nin", "ndarray")),
    Misuse("Linear of a float size", lambda w: Linear(2, 3.5), TypeError, ("nout", "3.5")),
    Misuse("Linear of int64 weights", lambda w: Linear(2, 3, dtype="int64"), ValueError, ("float64 or float32", "int64")),
    Misuse("Linear of an array input", lambda w: Linear(2, 3)(np.ones((4, 2))), TypeError, ("Tensor(array)",)),
    Misuse("TensorMLP(2, 3)", lambda w: TensorMLP(2, 3), TypeError, ("nouts", "[3]")),
    Misuse("TensorMLP of float16", lambda w: TensorMLP(2, [3, 1], dtype=np.float16), ValueError, ("float16",)),
    Misuse("TensorMLP of the wrong width", lambda w: w.tmlp(np.ones((5, 3))), ValueError, ("(n, 2)", "(5, 3)")),
    Misuse("TensorMLP of ragged rows", lambda w: w.tmlp([[1.0, 2.0], [3.0]]), ValueError, ("rectangular",)),
    # --- state dicts ------------------------------------------------------------------------------
    Misuse("load_state_dict(None)", lambda w: w.tmlp.load_state_dict(None), TypeError, ("mapping", "model.state_dict()")),
    Misuse("load_state_dict({})", lambda w: w.tmlp.load_state_dict({}), ValueError, ("missing", "layers.0.weight")),
    Misuse("a state dict entry of text", lambda w: state_with(w, "layers.1.bias", "abc"), TypeError,
           ("'layers.1.bias'", "real numbers")),
    Misuse("a state dict entry of the wrong shape", lambda w: state_with(w, "layers.1.weight", np.ones((3, 1))), ValueError,
           ("'layers.1.weight'", "(3, 1)", "(1, 3)")),
    Misuse("a state dict entry of nan", lambda w: state_with(w, "layers.1.weight", np.full((1, 3), np.nan)), ValueError,
           ("'layers.1.weight'", "nan", "finite")),
    Misuse("a scalar MLP given inf", lambda w: w.mlp.load_state_dict({**w.mlp.state_dict(), "layers.0.bias": np.full(3, np.inf)}),
           ValueError, ("'layers.0.bias'", "inf")),
    Misuse("1e300 into a float32 model", lambda w: w.tmlp32.load_state_dict({**w.tmlp32.state_dict(), "layers.1.bias": np.array([1e300])}),
           ValueError, ("'layers.1.bias'", "1e+300", "float32")),
    Misuse("1e300 into float32, warnings as errors", load_huge_with_warnings_as_errors, ValueError, ("1e+300", "float32")),
    # --- files ------------------------------------------------------------------------------------
    Misuse("load(3)", lambda w: w.tmlp.load(3), TypeError, ("file name", "int")),
    Misuse("load a missing file", lambda w: w.tmlp.load(w.path("missing.npz")), FileNotFoundError, ("missing.npz",)),
    Misuse("load a folder", lambda w: w.tmlp.load(w.folder), IsADirectoryError, (str(Path("/")),)),
    Misuse("load an empty file", lambda w: w.tmlp.load(w.path("empty.npz")), ValueError, ("empty.npz", "not a saved model", "empty")),
    Misuse("load a text file", lambda w: w.tmlp.load(w.path("text.npz")), ValueError, ("text.npz", "not a saved model", "text")),
    Misuse("load an .npy", lambda w: w.tmlp.load(w.path("array.npy")), ValueError, ("array.npy", "not a saved model", ".npy")),
    Misuse("load a pickle", lambda w: w.tmlp.load(w.path("objects.pkl")), ValueError, ("objects.pkl", "not a saved model", "pickled")),
    Misuse("load a truncated file", lambda w: w.tmlp.load(w.path("truncated.npz")), ValueError, ("truncated.npz", "cut short")),
    Misuse("load a corrupted file", lambda w: w.tmlp.load(w.path("corrupted.npz")), ValueError, ("corrupted.npz", "damaged")),
    Misuse("load an .npz of pickled objects", lambda w: w.tmlp.load(w.path("pickled.npz")), ValueError,
           ("pickled.npz", "not a saved model", "unpickling")),
    Misuse("load a zip that holds no arrays", lambda w: w.tmlp.load(w.path("notes.npz")), ValueError,
           ("notes.npz", "'notes.txt'", "not a NumPy array")),
    Misuse("load another model's file", lambda w: w.tmlp.load(w.path("other_shape.npz")), ValueError,
           ("other_shape.npz", "'layers.0.weight'", "shape")),
    Misuse("load 1e300 into a float32 model", lambda w: w.tmlp32.load(w.path("huge.npz")), ValueError,
           ("huge.npz", "'layers.0.weight'", "float32")),
    Misuse("save(3)", lambda w: w.tmlp.save(3), TypeError, ("file name", "int")),
    Misuse("save over a folder", lambda w: w.tmlp.save(w.folder), IsADirectoryError, ("folder", "model.npz")),
    Misuse("save into a missing folder", lambda w: w.tmlp.save(w.path("missing/model.npz")), FileNotFoundError,
           ("missing/model.npz'",)),
    Misuse("save a model of nan", nan_model_saved, ValueError, ("'layers.0.weight'", "nan", "diverged")),
    Misuse("load a TensorMLP's file into a Linear", lambda w: w.linear.load(w.path("model.npz")), ValueError,
           ("model.npz", "does not fit Linear", "missing ['weight', 'bias']")),
    Misuse("a Linear state dict with a bias of the wrong shape",
           lambda w: w.linear.load_state_dict({"weight": np.ones((3, 2)), "bias": np.zeros(5)}), ValueError,
           ("'bias'", "(5,)", "(3,)")),
    Misuse("a Linear state dict of text", lambda w: w.linear.load_state_dict({"weight": "abc", "bias": np.zeros(3)}), TypeError,
           ("'weight'", "real numbers")),
    # --- losses -----------------------------------------------------------------------------------
    Misuse("mse of arrays", lambda w: losses.mean_squared_error(np.ones(2), np.ones(2)), TypeError,
           ("ndarray", "Tensor(predictions)")),
    Misuse("mse of a list of floats", lambda w: losses.mean_squared_error([0.2, 0.7], [0.0, 1.0]), TypeError,
           ("list of float", "Tensor(predictions)")),
    Misuse("rmse of a str", lambda w: losses.root_mean_squared_error("a", "b"), TypeError, ("str",)),
    Misuse("binary cross-entropy of label 2", lambda w: losses.binary_cross_entropy(P(), [[0.0], [2.0]]), ValueError,
           ("0 or 1", "2.0", "[1, 0]")),
    Misuse("binary cross-entropy of labels -1/+1", lambda w: losses.binary_cross_entropy(P(), [[-1.0], [1.0]]), ValueError,
           ("0 or 1", "(y + 1) / 2")),
    Misuse("binary cross-entropy of a raw score", lambda w: losses.binary_cross_entropy(Tensor([[0.2], [1.5]]), [[0.0], [1.0]]),
           ValueError, ("probabilities in [0, 1]", "1.5", "apply sigmoid", "_with_logits")),
    Misuse("binary cross-entropy of a negative Value", lambda w: losses.binary_cross_entropy([Value(-0.5)], [1.0]),
           ValueError, ("probabilities in [0, 1]", "-0.5", "_with_logits")),
    Misuse("binary cross-entropy with logits of label 2",
           lambda w: losses.binary_cross_entropy_with_logits([Value(0.1), Value(0.2)], [1.0, 2.0]), ValueError, ("0 or 1", "2.0")),
    Misuse("binary cross-entropy with logits of labels -1/+1",
           lambda w: losses.binary_cross_entropy_with_logits(P(), np.array([[-1.0], [1.0]])), ValueError, ("(y + 1) / 2",)),
    Misuse("hinge loss of labels 0/1", lambda w: losses.hinge_loss(P(), [[0.0], [1.0]]), ValueError, ("-1 or +1", "2 * y - 1")),
    Misuse("hinge loss of label 0.5", lambda w: losses.hinge_loss([Value(0.1)], [0.5]), ValueError, ("-1 or +1", "0.5")),
    Misuse("targets holding nan", lambda w: losses.mean_squared_error(P(), [[np.nan], [1.0]]), ValueError, ("nan", "data")),
    Misuse("targets of another shape", lambda w: losses.mean_squared_error(P(), np.ones(2)), ValueError,
           ("(2, 1)", "(2,)", "reshape(-1, 1)")),
    Misuse("targets of text", lambda w: losses.mean_squared_error(P(), "a"), TypeError, ("targets", "str")),
    Misuse("fewer targets than predictions", lambda w: losses.mean_squared_error([Value(0.1), Value(0.2)], [1.0]), ValueError,
           ("2 predictions but 1 targets",)),
    Misuse("a column of targets for Values", lambda w: losses.mean_squared_error([Value(0.1), Value(0.2)], np.ones((2, 1))),
           ValueError, ("flat list", "y.ravel()")),
    Misuse("a loss of no predictions", lambda w: losses.mean_squared_error([], []), ValueError, ("at least one prediction",)),
    Misuse("cross_entropy of an array", lambda w: losses.cross_entropy(np.ones((2, 3)), [0, 1]), TypeError, ("Tensor(array)",)),
    Misuse("cross_entropy of class 3 of 3", lambda w: losses.cross_entropy(LOGITS(), [0, 3]), ValueError, ("target 3", "0 .. 2")),
    Misuse("cross_entropy of fractional classes", lambda w: losses.cross_entropy(LOGITS(), [0.5, 1.0]), TypeError,
           ("whole numbers",)),
    Misuse("nll_loss of a row of targets", lambda w: losses.nll_loss(LOGITS(), [[0, 1]]), ValueError, ("(2,)", "(1, 2)")),
    Misuse("l2_penalty of the model", lambda w: losses.l2_penalty(w.tmlp, 0.1), TypeError, ("model.parameters()",)),
    Misuse("l2_penalty of floats", lambda w: losses.l2_penalty([1.0, 2.0], 0.1), TypeError, ("Values or Tensors", "float")),
    Misuse("l2_penalty with a str alpha", lambda w: losses.l2_penalty(w.params, "a"), TypeError, ("alpha", "str")),
    Misuse("l2_penalty of nothing", lambda w: losses.l2_penalty([], 0.1), ValueError, ("at least one parameter",)),
    # --- optimizers -------------------------------------------------------------------------------
    Misuse("SGD(model)", lambda w: SGD(w.tmlp, lr=0.1), TypeError, ("not the model", "model.parameters()")),
    Misuse("Adam(model)", lambda w: Adam(w.tmlp), TypeError, ("model.parameters()",)),
    Misuse("SGD of one Tensor", lambda w: SGD(w.w, lr=0.1), TypeError, ("list of parameters", "[w, b]")),
    Misuse("SGD of no parameters", lambda w: SGD([], lr=0.1), ValueError, ("no parameters", "model.parameters()")),
    Misuse("SGD of data", lambda w: SGD([Tensor([1.0])], lr=0.1), TypeError, ("require grad",)),
    Misuse("a parameter listed twice", lambda w: SGD(w.params + w.params[:1], lr=0.1), ValueError,
           ("parameter 4 is parameter 0", "twice")),
    Misuse("a str learning rate", lambda w: SGD(w.params, lr="0.1"), TypeError, ("learning rate", "str")),
    Misuse("a learning rate of 0", lambda w: SGD(w.params, lr=0), ValueError, ("learning rate", "positive")),
    Misuse("an infinite learning rate", lambda w: SGD(w.params, lr=float("inf")), ValueError, ("learning rate", "finite")),
    Misuse("a bool learning rate", lambda w: SGD(w.params, lr=True), TypeError, ("learning rate", "bool")),
    Misuse("a str momentum", lambda w: SGD(w.params, lr=0.1, momentum="0.9"), TypeError, ("momentum", "str")),
    Misuse("momentum of 1", lambda w: SGD(w.params, lr=0.1, momentum=1.0), ValueError, ("momentum", "[0, 1)")),
    Misuse("betas of a str", lambda w: Adam(w.params, betas="ab"), TypeError, ("betas", "two numbers")),
    Misuse("a str beta", lambda w: Adam(w.params, betas=(0.9, "0.99")), TypeError, ("betas[1]", "str")),
    Misuse("a beta of 1", lambda w: Adam(w.params, betas=(1.0, 0.99)), ValueError, ("betas[0]", "[0, 1)")),
    Misuse("an eps of 0", lambda w: Adam(w.params, eps=0.0), ValueError, ("eps", "positive")),
    # --- fit ----------------------------------------------------------------------------------------
    Misuse("fit for 2.5 epochs", lambda w: trained(w, epochs=2.5), TypeError, ("epochs", "whole number", "2.5")),
    Misuse("fit for True epochs", lambda w: trained(w, epochs=True), TypeError, ("epochs", "bool")),
    Misuse("fit for 0 epochs", lambda w: trained(w, epochs=0), ValueError, ("epochs", "at least 1")),
    Misuse("fit without loss_fn", lambda w: trained(w, loss_fn=None), TypeError, ("loss_fn=", "mean_squared_error")),
    Misuse("fit with the loss's name", lambda w: trained(w, loss_fn="mse"), TypeError, ("loss_fn=", "'mse'")),
    Misuse("fit without lr or optimizer", lambda w: trained(w, no_lr=True), TypeError, ("lr=", "optimizer=")),
    Misuse("fit with lr and optimizer", lambda w: trained(w, optimizer=SGD(w.params, lr=0.2)), ValueError, ("not both",)),
    Misuse("fit with the optimizer's class", lambda w: trained(w, lr=None, optimizer=SGD), TypeError,
           ("SGD(model.parameters(), lr=0.01)",)),
    Misuse("fit with another model's optimizer", lambda w: trained(w, lr=None, optimizer=SGD(TensorMLP(2, [3, 1]).parameters(), lr=0.1)),
           ValueError, ("none of this model's parameters",)),
    Misuse("fit with a str learning rate", lambda w: trained(w, lr="a"), TypeError, ("learning rate", "str")),
    Misuse("fit on X holding nan", lambda w: trained(w, X=np.where(w.X > 0.5, np.nan, w.X)), ValueError,
           ("X holds nan", "problem with the data, not with the learning rate")),
    Misuse("fit on y holding inf", lambda w: trained(w, y=np.where(w.y > 1, np.inf, w.y)), ValueError,
           ("y holds inf", "not with the learning rate")),
    Misuse("fit on X and y of different lengths", lambda w: trained(w, X=w.X[:5]), ValueError, ("5 rows", "8")),
    Misuse("fit on text", lambda w: trained(w, X="a"), TypeError, ("X", "str")),
    Misuse("fit of something that is not a model", lambda w: trained(w, model="a"), TypeError, ("trains a model", "str")),
    Misuse("fit of a model holding nan", nan_model_trained, ValueError, ("nan or inf before training", "freshly initialised")),
    Misuse("fit with progress='yes'", lambda w: trained(w, progress="yes"), TypeError, ("progress", "True or False", "'yes'")),
    Misuse("fit with jit=1", lambda w: trained(w, jit=1), TypeError, ("jit", "True or False", "int")),
    Misuse("fit on no rows", lambda w: trained(w, X=w.X[:0], y=w.y[:0]), ValueError, ("no rows", "at least one example")),
    Misuse("fit of a loss_fn returning a float", lambda w: trained(w, loss_fn=lambda p, y: 0.5), TypeError,
           ("loss_fn must return one number", "Value or a Tensor", "float")),
    Misuse("fit of a loss_fn returning every error", lambda w: trained(w, loss_fn=lambda p, y: (p - y) ** 2), TypeError,
           ("loss_fn must return one number", "backward")),
    Misuse("jit of a str", lambda w: tg.jit("step"), TypeError, ("jit records a function", "str")),
    # --- io -------------------------------------------------------------------------------------------
    Misuse("save_arrays of a list", lambda w: save_arrays([np.ones(2)], w.path("x.npz")), TypeError,
           ("dict of name -> array", "list")),
    Misuse("save_arrays named by an int", lambda w: save_arrays({1: np.ones(2)}, w.path("x.npz")), TypeError,
           ("non-empty str", "1")),
    Misuse("save_arrays of text", lambda w: save_arrays({"a": np.array(["x"])}, w.path("x.npz")), TypeError,
           ("'a'", "needs real numbers", "<U1")),
    Misuse("save_arrays of ragged lists", lambda w: save_arrays({"a": [[1.0], [1.0, 2.0]]}, w.path("x.npz")), ValueError,
           ("'a'", "rectangular", "different lengths")),
    Misuse("save_arrays of an array named file", lambda w: save_arrays({"file": np.ones(2)}, w.path("x.npz")), ValueError,
           ("'file'", "rename it")),
    # --- shapes ---------------------------------------------------------------------------------------
    Misuse("sum_to_shape to a shape that does not reduce", lambda w: sum_to_shape(np.ones((2, 3)), (4,)), ValueError,
           ("(2, 3)", "(4,)", "broadcast")),
    # --- pictures -----------------------------------------------------------------------------------
    Misuse("draw_dot(3.0)", lambda w: draw_dot(3.0), TypeError, ("Value or a Tensor", "float")),
    Misuse("draw_dot(None)", lambda w: draw_dot(None), TypeError, ("Value or a Tensor", "NoneType")),
    Misuse("draw_dot of a model", lambda w: draw_dot(w.tmlp), TypeError, ("Value or a Tensor", "TensorMLP")),
    Misuse("draw_dot rankdir='XX'", lambda w: draw_dot(w.v, rankdir="XX"), ValueError, ("rankdir", "'XX'")),
    Misuse("draw_dot show_grads='a'", lambda w: draw_dot(w.v, show_grads="a"), TypeError, ("show_grads", "True or False")),
    Misuse("save a str as a picture", lambda w: save("a", w.path("x.svg")), TypeError, ("draw_dot", "str")),
    Misuse("save a picture to 3", lambda w: save(draw_dot(w.v), 3), TypeError, ("file name", "int")),
    Misuse("save a picture without a suffix", lambda w: save(draw_dot(w.v), w.path("x")), ValueError, ("suffix", ".svg")),
    Misuse("save a picture as .foo", lambda w: save(draw_dot(w.v), w.path("x.foo")), ValueError, (".foo", ".svg")),
    Misuse("draw_network of a str", lambda w: draw_network("a"), TypeError, ("list of layer sizes", "str")),
    Misuse("draw_network of one layer", lambda w: draw_network([2]), ValueError, ("at least two",)),
    Misuse("draw_network names in a str", lambda w: draw_network([2, 1], input_names="ab"), TypeError,
           ("input_names", "list of names")),
    Misuse("draw_network names that are not text", lambda w: draw_network([2, 1], input_names=[1, 2]), TypeError,
           ("input_names", "text")),
    Misuse("draw_network of too few names", lambda w: draw_network([2, 1], input_names=["a"]), ValueError, ("1 names", "2 inputs")),
    Misuse("draw_network max_units=3", lambda w: draw_network([2, 1], max_units=3), ValueError, ("max_units", "at least 4")),
    Misuse("draw_network of a model with captions", lambda w: draw_network(w.tmlp, activation="relu"), ValueError,
           ("a model knows its own",)),
    Misuse("draw_dot of a node labelled with a number", lambda w: draw_dot(relabelled(3)), TypeError, ("label is text", "int")),
    Misuse("record_backward(3.0)", lambda w: record_backward(3.0), TypeError, ("Value or a Tensor",)),
    Misuse("step_through_html of a node labelled None", lambda w: step_through_html(relabelled(None)), TypeError,
           ("label is text", "NoneType")),
    Misuse("step_through_html(None)", lambda w: step_through_html(None), TypeError, ("Value or a Tensor",)),
    Misuse("step_through_html with a title of 3", lambda w: step_through_html(w.v * 2, title=3), TypeError, ("title is text", "int")),
    Misuse("save_step_through to 3", lambda w: save_step_through(w.v * 2, 3), TypeError, ("file name", "int")),
    Misuse("save_step_through to an .svg", lambda w: save_step_through(w.v * 2, w.path("page.svg")), ValueError,
           ("HTML page", ".html", "'page.svg'")),
    Misuse("save_step_through over a folder", lambda w: save_step_through(w.v * 2, w.path("page.html")), IsADirectoryError,
           ("page.html: it is a folder", "backward.html")),
    Misuse("save_step_through into a missing folder", lambda w: save_step_through(w.v * 2, w.path("missing/page.html")),
           FileNotFoundError, ("missing/page.html'",)),
    Misuse("save_step_through with a title of None", lambda w: save_step_through(w.v * 2, w.path("new.html"), title=None), TypeError,
           ("title is text", "NoneType")),
    Misuse("save a picture over a folder", lambda w: save(draw_dot(w.v), w.path("picture.svg")), IsADirectoryError,
           ("picture.svg: it is a folder", "graph.svg")),
    Misuse("save a picture into a missing folder", lambda w: save(draw_dot(w.v), w.path("missing/x.svg")), FileNotFoundError,
           ("missing/x.svg'",)),
    Misuse("draw_network bias='yes'", lambda w: draw_network([2, 1], bias="yes"), TypeError, ("bias", "True or False")),
    Misuse("draw_network max_units=8.0", lambda w: draw_network([2, 1], max_units=8.0), TypeError, ("max_units", "float")),
    Misuse("draw_network of a float size", lambda w: draw_network([2, 1.0]), TypeError, ("whole numbers", "[2, 1.0]")),
    Misuse("draw_network with a caption of 3", lambda w: draw_network([2, 1], activation=3), TypeError, ("activation", "text")),
    # --- plots and data sets ---------------------------------------------------------------------
    Misuse("plot_loss_curve of a str", lambda w: plot_loss_curve("a"), TypeError, ("losses", "one number per step", "str")),
    Misuse("plot_loss_curve of None", lambda w: plot_loss_curve(None), TypeError, ("losses", "NoneType")),
    Misuse("plot_loss_curve of no losses", lambda w: plot_loss_curve([]), ValueError, ("flat list", "(0,)")),
    Misuse("plot_loss_curve of Values", lambda w: plot_loss_curve([w.v, w.v * 2]), TypeError, ("Values or Tensors", "v.data")),
    Misuse("plot_loss_curve with a str reference", lambda w: plot_loss_curve([1.0], reference="a"), TypeError,
           ("reference", "'a'")),
    Misuse("plot_loss_curve with log_scale='yes'", lambda w: plot_loss_curve([1.0], log_scale="yes"), TypeError,
           ("log_scale", "True or False")),
    Misuse("plot_decision_boundary of None", lambda w: plot_decision_boundary(None, w.X, w.y), TypeError,
           ("predict is a function", "NoneType")),
    Misuse("plot_decision_boundary of text X", lambda w: plot_decision_boundary(FIRST, "a", w.y), TypeError, ("X", "real numbers", "str")),
    Misuse("plot_decision_boundary of too few labels", lambda w: plot_decision_boundary(FIRST, w.X, w.y[:3]), ValueError,
           ("y", "(8,)", "(3, 1)")),
    Misuse("plot_decision_boundary at resolution 2.5", lambda w: plot_decision_boundary(FIRST, w.X, w.y, resolution=2.5), TypeError,
           ("resolution", "2.5")),
    Misuse("plot_decision_boundary at resolution 0", lambda w: plot_decision_boundary(FIRST, w.X, w.y, resolution=0), ValueError,
           ("resolution", "2 .. 1000")),
    Misuse("plot_decision_boundary of two scores a point", lambda w: plot_decision_boundary(lambda p: p, w.X, w.y, resolution=10),
           ValueError, ("what predict returned", "(100, 2)")),
    Misuse("plot_decision_boundary of X holding nan", lambda w: plot_decision_boundary(FIRST, np.where(w.X > 0.5, np.nan, w.X), w.y),
           ValueError, ("X holds nan",)),
    Misuse("plot_decision_regions of None", lambda w: plot_decision_regions(None, w.X, np.arange(8) % 2), TypeError,
           ("predict is a function",)),
    Misuse("plot_decision_regions of no points", lambda w: plot_decision_regions(FIRST, np.zeros((0, 2)), []), ValueError,
           ("2 input features", "(0, 2)")),
    Misuse("plot_decision_regions of fractional classes", lambda w: plot_decision_regions(FIRST, w.X, np.arange(8) % 2, resolution=10),
           ValueError, ("class numbers", "whole numbers")),
    Misuse("plot_decision_regions of nan scores",
           lambda w: plot_decision_regions(lambda p: np.full((len(p), 2), np.nan), w.X, np.arange(8) % 2, resolution=10),
           ValueError, ("what predict returned holds nan",)),
    Misuse("plot_regression_fit of a list of fits", lambda w: plot_regression_fit(w.X[:, 0], w.y, [w.y]), TypeError,
           ("fits maps", "list")),
    Misuse("plot_regression_fit of a short fit", lambda w: plot_regression_fit(w.X[:, 0], w.y, {"net": w.y[:3]}), ValueError,
           ("fits['net']", "(8,)", "(3, 1)")),
    Misuse("plot_regression_fit of text x", lambda w: plot_regression_fit("a", w.y, {}), TypeError, ("x", "str")),
    Misuse("plot_regression_fit of a fit named 3", lambda w: plot_regression_fit(w.X[:, 0], w.y, {3: w.y}), TypeError,
           ("names (text)", "3")),
    Misuse("make_moons('a')", lambda w: make_moons("a"), TypeError, ("n_samples", "whole number", "str")),
    Misuse("make_moons of 2.5 samples", lambda w: make_moons(2.5), TypeError, ("n_samples", "2.5")),
    Misuse("make_moons with negative noise", lambda w: make_moons(10, noise=-1.0), ValueError, ("noise", ">= 0")),
    Misuse("make_moons with a str seed", lambda w: make_moons(10, seed="a"), TypeError, ("seed", "str")),
    Misuse("make_spirals of one class", lambda w: make_spirals(classes=1), ValueError, ("classes", "at least 2")),
    Misuse("simulate_gp of text x", lambda w: simulate_gp(x="a"), TypeError, ("x", "real numbers", "str")),
    Misuse("simulate_gp of one input repeated", lambda w: simulate_gp(x=[1.0, 1.0]), ValueError, ("two different inputs",)),
    Misuse("simulate_gp with rho 0", lambda w: simulate_gp(rho=0), ValueError, ("rho", "> 0")),
    Misuse("simulate_gp with a str eta", lambda w: simulate_gp(eta="a"), TypeError, ("eta", "str")),
    Misuse("simulate_gp with negative sigma", lambda w: simulate_gp(sigma=-1.0), ValueError, ("sigma", ">= 0")),
    Misuse("simulate_gp with a seed past RandomState", lambda w: simulate_gp(seed=2**32), ValueError, ("seed", "2**32 - 1")),
    Misuse("simulate_gp without jitter", lambda w: simulate_gp(x=[0.0, 1e-12, 1.0], jitter=0.0), ValueError,
           ("positive definite", "raise jitter")),
    # --- the command line ---------------------------------------------------------------------------
    Misuse("build_graph of a number", lambda w: build_graph(3, {}), TypeError, ("formula is text", "int 3")),
    Misuse("build_graph with values in a list", lambda w: build_graph("x", [1.0]), TypeError, ("dict from names to numbers", "list")),
    Misuse("build_graph with a value of text", lambda w: build_graph("x", {"x": "a"}), TypeError, ("names (text) to numbers", "'a'")),
    Misuse("build_graph with an infinite value", lambda w: build_graph("x * 2", {"x": float("inf")}), Refused,
           ("value of x", "finite", "inf")),
    Misuse("parse_values of one text", lambda w: parse_values("x=1"), TypeError, ("list of texts", "'x=1'")),
    Misuse("save a picture to ''", lambda w: save(draw_dot(w.v), ""), ValueError, ("file name", "graph.svg")),
    Misuse("command: attribute access", command("graph", "x.real", "x=1", "-o", "{folder}/g.svg"), CommandRefused,
           ("status 2", "attribute access")),
    Misuse("command: __import__", command("graph", "__import__('os')", "-o", "{folder}/g.svg"), CommandRefused,
           ("calling __import__",)),
    Misuse("command: %", command("graph", "x % 2", "x=1", "-o", "{folder}/g.svg"), CommandRefused, ("operator %",)),
    Misuse("command: a string", command("graph", "x + 'a'", "x=1", "-o", "{folder}/g.svg"), CommandRefused, ("strings",)),
    Misuse("command: an empty formula", command("graph", "  ", "-o", "{folder}/g.svg"), CommandRefused, ("empty",)),
    Misuse("command: too long", command("graph", LONG, "x=1", "-o", "{folder}/g.svg"), CommandRefused, ("too long", "1000")),
    Misuse("command: 51 parentheses deep", command("graph", DEEP, "x=1", "-o", "{folder}/g.svg"), CommandRefused,
           ("nested too deeply", "parentheses")),
    Misuse("command: 201 values to draw", command("graph", FLAT_201, "x=1", "-o", "{folder}/g.svg"), CommandRefused,
           ("201 values", "at most 200")),
    Misuse("command: a value missing", command("graph", "x*y", "x=1", "-o", "{folder}/g.svg"), CommandRefused,
           ("no value given for y", "y=1.0")),
    Misuse("command: a value that is not a number", command("graph", "x", "x=abc", "-o", "{folder}/g.svg"), CommandRefused,
           ("the value of x is not a number",)),
    Misuse("command: an infinite value", command("graph", "x", "x=inf", "-o", "{folder}/g.svg"), CommandRefused, ("finite",)),
    Misuse("command: a value given twice", command("graph", "x", "x=1", "x=2", "-o", "{folder}/g.svg"), CommandRefused,
           ("twice",)),
    Misuse("command: not name=number", command("graph", "x", "=1", "-o", "{folder}/g.svg"), CommandRefused, ("name=number",)),
    Misuse("command: a .txt picture", command("graph", "x", "x=1", "-o", "{folder}/g.txt"), CommandRefused, (".svg, .png or .pdf",)),
    Misuse("command: --step to .svg", command("graph", "x", "x=1", "--step", "-o", "{folder}/g.svg"), CommandRefused,
           ("ending in .html",)),
    Misuse("command: log(0)", command("graph", "log(x)", "x=0", "-o", "{folder}/g.svg"), CommandRefused, ("cannot compute log(x)",)),
    Misuse("command: an unknown option", command("graph", "x", "x=1", "--bogus"), CommandRefused, ("status 2", "--bogus")),
    Misuse("command: an unknown command", command("nope"), CommandRefused, ("invalid choice", "'nope'")),
    Misuse("command: an unknown lesson", command("lesson", "no_such_lesson"), CommandRefused, ("no lesson named",)),
    Misuse("command: no formula", command("graph"), CommandRefused, ("status 2", "required: expression\n")),
    Misuse("command: -o inside a file", command("graph", "x", "x=1", "-o", "{folder}/model.npz/g.svg"), CommandRefused,
           ("status 1", "cannot write", "model.npz is a file, not a folder")),
    Misuse("command: -o a folder", command("graph", "x", "x=1", "-o", "{folder}/picture.svg"), CommandRefused,
           ("status 1", "picture.svg: it is a folder", "picture.svg/graph.svg")),
    Misuse("command: --step -o a folder", command("graph", "x", "x=1", "--step", "-o", "{folder}/page.html"), CommandRefused,
           ("status 1", "page.html: it is a folder", "page.html/graph.html")),
    Misuse("command: a lesson's --out inside a file", command("lesson", "neuron", "--out", "{folder}/model.npz"), CommandRefused,
           ("status 1", "lesson's pictures", "model.npz is a file, not a folder")),
    # --- the Tensor: PyTorch's spellings, masks, whole numbers ---------------------------------------
    Misuse("backward with gradient= and grad=", lambda w: (T() * 2).backward(gradient=np.ones(2), grad=np.ones(2)), TypeError,
           ("gradient= (PyTorch's name) or grad=", "not both")),
    Misuse("backward(retain_graph=1)", lambda w: (T() * 2).sum().backward(retain_graph=1), TypeError, ("retain_graph", "int 1")),
    Misuse("backward(create_graph='yes')", lambda w: (T() * 2).sum().backward(create_graph="yes"), TypeError, ("create_graph", "str")),
    Misuse("backward(create_graph=True)", lambda w: (T() * 2).sum().backward(create_graph=True), ValueError,
           ("create_graph=True", "no gradients of gradients", "create_graph=False")),
    Misuse("mT of a vector", lambda w: T().mT, ValueError, ("mT", "last two axes", "(2,)")),
    Misuse("size(2) of a matrix", lambda w: Tensor(np.zeros((2, 3))).size(2), IndexError, ("size(2)", "(2, 3)", "-2 to 1")),
    Misuse("size(0) of a 0-d Tensor", lambda w: Tensor(1.0).size(0), IndexError, ("size(0)", "no axes")),
    Misuse("size('a')", lambda w: T().size("a"), TypeError, ("size(dim)", "whole number", "str")),
    Misuse("~ of numbers", lambda w: ~T(), TypeError, ("~ is for masks", "bool Tensors", "float64", "~(x > 0)")),
    Misuse("mask & numbers", lambda w: (T() > 0) & T(), TypeError, ("& is for masks", "float64", "(x > 0) & (x < 1)")),
    Misuse("numbers | mask", lambda w: T() | (T() > 0), TypeError, ("| is for masks", "float64")),
    Misuse("mask ^ 1", lambda w: (T() > 0) ^ 1, TypeError, ("^ is for masks", "int 1")),
    Misuse("a list of numbers & mask", lambda w: [1, 0] & (T() > 0), TypeError, ("& is for masks", "list [1, 0]")),
    Misuse("masks that do not broadcast", lambda w: (T() > 0) & np.ones(3, dtype=bool), ValueError, ("&", "(2,) and (3,)", "broadcast")),
    Misuse("-mask", lambda w: -(T() > 0), TypeError, ("-mask", "bool Tensor", "~mask", "1 - mask.double()")),
    Misuse("mask - mask", lambda w: (T() > 0) - (T() > 1), TypeError, ("- of bool and bool", "^")),
    Misuse("full of 1e300 in float32", lambda w: tg.full((2,), 1e300, dtype="float32"), ValueError,
           ("full(fill_value)", "1e+300", "float32")),
    Misuse("full of 1.5 in int64", lambda w: tg.full((2,), 1.5, dtype="int64"), ValueError, ("full(fill_value)", "whole numbers")),
    Misuse("int64 ** a negative int64", lambda w: Tensor([2], dtype="int64") ** Tensor([-1], dtype="int64"), ValueError,
           ("** of int64 and int64", "negative integer powers", "float Tensor")),
    Misuse("int64 set by hand to require grad", lambda w: _by_hand(Tensor([1, 2], dtype="int64"), lambda t: (t * 2.5).sum()),
           RuntimeError, ("backward()", "only floating-point", "int64", "dtype=float64")),
    Misuse("a mask set by hand to require grad", lambda w: _by_hand(Tensor([True, False]), lambda t: (t * 1.0).sum()),
           RuntimeError, ("only floating-point", "bool")),
    Misuse("backward of an int64 leaf set by hand", lambda w: _by_hand(Tensor([3], dtype="int64"), lambda t: t), RuntimeError,
           ("backward()", "only floating-point", "int64")),
]


def _by_hand(t: Tensor, loss):
    """``t.requires_grad = True`` set on the attribute (``requires_grad_()`` refuses it at once), then backward."""
    t.requires_grad = True
    loss(t).backward()


def test_the_catalogue_is_long_and_every_line_is_named_once():
    assert len(CATALOGUE) >= 120
    names = [m.what for m in CATALOGUE]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("misuse", CATALOGUE, ids=lambda m: m.what)
def test_each_misuse_is_refused_by_name_and_changes_nothing(misuse: Misuse, tmp_path: Path):
    world = World(tmp_path)
    before = world.fingerprint()
    with pytest.raises(Exception) as excinfo:
        misuse.call(world)
    error = excinfo.value
    message = str(error)
    assert type(error) is misuse.error, f"{type(error).__name__}: {message}"
    for words in misuse.words:
        assert words in message, f"{words!r} not in: {message}"
    if isinstance(error, CommandRefused):
        assert "Traceback" not in message
    else:
        innermost = Path(excinfo.traceback[-1].path)
        assert PACKAGE in innermost.parents, f"raised in {innermost}, not by the library: {message}"
    assert world.fingerprint() == before, "the refusal changed a model or a file"
