"""No silent wrong answers: the cases where a gradient, a saved file or a picture could be wrong
without any error, each checked against PyTorch or against what must happen.

Threads (grad mode is per thread), numbers changed in place between forward and backward
(version counters), gradient numerics at the edges, labels that look like Graphviz's HTML,
saving files (their mode, fsync before the rename, errors naming the target), long formulas on
the command line, and fit's progress bar. The misuse that must be refused is in
test_catalogue.py.
"""

from __future__ import annotations

import html.parser
import os
import re
import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch

from tinygrad_edu import Tensor, Value, is_grad_enabled, no_grad, ops
from tinygrad_edu import io as files
from tinygrad_edu.cli import build_graph, main
from tinygrad_edu.losses import mean_squared_error
from tinygrad_edu.netviz import draw_network
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.optim import SGD
from tinygrad_edu.stepper import step_through_html
from tinygrad_edu.train import fit
from tinygrad_edu.value import apply
from tinygrad_edu.viz import draw_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


# --- grad mode belongs to a thread ---------------------------------------------------------------


def test_no_grad_in_one_thread_does_not_stop_another_from_recording():
    """A thread evaluating inside no_grad() must not switch recording off for a thread that is
    training at the same moment (PyTorch's grad mode is per thread too)."""
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def evaluate():
        with no_grad():
            seen["evaluator"] = is_grad_enabled()
            inside.set()
            done.wait(10)

    evaluator = threading.Thread(target=evaluate)
    evaluator.start()
    assert inside.wait(10)
    w = Tensor([1.0, 2.0], requires_grad=True)
    recorded = (w * w).sum()  # while the other thread is inside no_grad
    done.set()
    evaluator.join()
    assert seen["evaluator"] is False
    assert recorded.requires_grad and is_grad_enabled()
    recorded.backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


def test_a_thread_that_never_enters_no_grad_records_all_along_while_others_toggle():
    """Eight threads go in and out of no_grad() while a ninth trains: every op of the ninth is
    recorded, whatever the others are doing at that moment."""
    start, stop = threading.Barrier(9), threading.Event()

    def toggle():
        start.wait(10)
        data = Tensor(np.ones(50), requires_grad=True)
        while not stop.is_set():
            with no_grad():
                (data * 2).sum()  # some work inside, so that a switch can land here

    togglers = [threading.Thread(target=toggle) for _ in range(8)]
    for t in togglers:
        t.start()
    w = Tensor(np.ones(50), requires_grad=True)
    start.wait(10)
    try:
        recorded = [(w * 2).sum().requires_grad for _ in range(3000)]
    finally:
        stop.set()
        for t in togglers:
            t.join()
    assert all(recorded) and is_grad_enabled()


def test_no_grad_is_a_decorator_with_or_without_parentheses_and_a_block_without_them():
    w = Tensor([1.0], requires_grad=True)

    @no_grad
    def bare():
        return w * 2

    @no_grad()
    def called():
        return w * 2

    with no_grad:
        block = w * 2
    assert not bare().requires_grad and not called().requires_grad and not block.requires_grad
    assert (w * 2).requires_grad  # and recording is back on after each


# --- numbers changed in place between forward and backward ---------------------------------------


def test_numbers_written_after_forward_are_caught_at_backward_naming_the_tensor_and_the_op():
    """d(sum(a*b))/da = b: written after forward, b would give a gradient of the new numbers,
    silently wrong. As in PyTorch, backward() raises, and no leaf receives a half gradient."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True, label="b")
    loss = (a * b).sum()
    b.data[0] = 10.0
    with pytest.raises(RuntimeError, match=r"'b'.*'\*'.*changed in place"):
        loss.backward()
    assert a.grad is None and b.grad is None


def test_an_optimizer_step_before_backward_is_caught():
    """Steps taken in the wrong order (step, then backward of a loss computed before it) would
    differentiate the new weights; the saved weights' version gives it away."""
    model = TensorMLP(2, [3, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    early = mean_squared_error(model(np.ones((4, 2))), np.zeros((4, 1)))
    mean_squared_error(model(np.ones((4, 2))), np.zeros((4, 1))).backward()
    optimizer.step()
    with pytest.raises(RuntimeError, match="'weight'.*'linear'"):
        early.backward()


@pytest.mark.parametrize("detached", ["of an interior Tensor", "of a leaf"])
def test_relu_in_place_through_a_detach_is_caught(detached):
    """detach() shares the numbers, and so the count of their changes: relu_() on it overwrites
    what the graph saved, and backward() says so instead of using the new numbers."""
    x = Tensor([-1.0, 2.0], requires_grad=True)
    y = x * 1.0
    loss = (y * y).sum() if detached == "of an interior Tensor" else (x * x).sum()
    (y if detached == "of an interior Tensor" else x).detach().relu_()
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_writing_through_a_mask_changes_the_numbers_and_counts_as_a_change():
    """``t[t > 1] = 0``: a bool Tensor picks what to overwrite, as in PyTorch, and the graph that
    saved t sees that its numbers changed."""
    t, w = Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 1.0, 1.0], requires_grad=True)
    loss = (w * t).sum()
    t[t > 1] = 0.0
    np.testing.assert_array_equal(t.data, [1.0, 0.0, 0.0])
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_new_numbers_given_to_data_leave_the_saved_ones_alone():
    """``t.data = array`` gives t new numbers; what an op saved before is the old array, unchanged,
    so backward is right (PyTorch's ``.data =`` behaves the same)."""
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    loss = (a * b).sum()
    b.data = np.array([10.0, 20.0])
    loss.backward()
    np.testing.assert_array_equal(a.grad, [3.0, 4.0])


# --- gradient numerics at the edges, against PyTorch ----------------------------------------------


def test_the_divisor_gradient_neither_overflows_nor_underflows():
    """d(a/b)/db = -a/b**2 = -1e-20 at a = 1e300, b = 1e160, where b*b overflows to inf and
    a/(b*b) would give -0.0."""
    expected = -1e-20
    tb = torch.tensor(1e160, dtype=torch.float64, requires_grad=True)
    (torch.tensor(1e300, dtype=torch.float64) / tb).backward()
    assert tb.grad.item() == pytest.approx(expected, rel=1e-12, abs=0)

    a, b = Value(1e300), Value(1e160)
    (a / b).backward()
    assert b.grad == pytest.approx(expected, rel=1e-12, abs=0)
    ta, tb = Tensor([1e300], requires_grad=True), Tensor([1e160], requires_grad=True)
    (ta / tb).sum().backward()
    assert tb.grad[0] == pytest.approx(expected, rel=1e-12, abs=0)


def test_an_infinite_gradient_times_a_zero_slope_is_zero_not_nan():
    """sqrt(relu(x)) at x = -1: relu sends back 0 (it does not depend on x there), though sqrt's
    slope at 0 is infinite. inf * 0 would be nan; PyTorch gives 0, and so do Value and Tensor."""
    tx = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)
    (torch.relu(tx) ** 0.5).sum().backward()
    assert tx.grad.item() == 0.0

    v = Value(-1.0)
    (v.relu() ** 0.5).backward()
    assert v.grad == 0.0
    t = Tensor([-1.0], requires_grad=True)
    (t.relu() ** 0.5).sum().backward()
    assert t.grad[0] == 0.0


def test_a_tensor_gives_inf_and_nan_quietly_as_pytorch_and_an_errstate_still_applies():
    """IEEE numbers, not NumPy's RuntimeWarning about them: the learner sees what PyTorch shows.
    Run as a learner's script runs (pytest resets warning filters set while importing tests)."""
    script = (
        "import numpy as np\n"
        "from tinygrad_edu import Tensor\n"
        "t = Tensor([0.0, -1.0, float('nan')], requires_grad=True)\n"
        "out = t.log() + 1 / t + t.max() + Tensor([1e308, 1e308]).sum()\n"
        "out.sum().backward()\n"
        "print(out.tolist(), t.grad.tolist())\n"
        "with np.errstate(divide='raise'):\n"
        "    try:\n"
        "        Tensor([0.0]).log()\n"
        "    except FloatingPointError:\n"
        "        print('raised')\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    expected = torch.tensor([0.0, -1.0, float("nan")], dtype=torch.float64)
    expected = expected.log() + 1 / expected + expected.max() + torch.tensor([1e308, 1e308], dtype=torch.float64).sum()
    assert run.stdout.splitlines()[0].startswith(repr(expected.tolist()))
    assert run.stdout.splitlines()[1] == "raised"
    assert run.stderr == ""


def test_a_matrix_product_with_inner_size_0_gives_zeros_as_pytorch():
    a, b = Tensor(np.ones((2, 0)), requires_grad=True), Tensor(np.ones((0, 3)), requires_grad=True)
    out = a @ b
    ta, tb = torch.ones((2, 0), dtype=torch.float64, requires_grad=True), torch.ones((0, 3), dtype=torch.float64, requires_grad=True)
    expected = ta @ tb
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    out.sum().backward()
    expected.sum().backward()
    assert a.grad.shape == tuple(ta.grad.shape) and b.grad.shape == tuple(tb.grad.shape)


def test_sum_over_axis_minus_1_of_a_0d_tensor_is_the_number_as_pytorch():
    t = Tensor(2.5, requires_grad=True)
    out = t.sum(-1)
    expected = torch.tensor(2.5, dtype=torch.float64).sum(-1)
    assert out.shape == tuple(expected.shape) and out.item() == expected.item()
    out.backward()
    assert t.grad == 1.0


def test_a_variance_with_a_correction_past_its_count_is_infinite_not_negative():
    """n - correction stops at 0, as in PyTorch: var of 2 numbers with correction 5 is inf."""
    x = [1.0, 2.0]
    with np.errstate(divide="ignore"), pytest.warns(UserWarning, match="degrees of freedom"):
        ours = Tensor(x).var(correction=5).item()
        theirs = torch.tensor(x, dtype=torch.float64).var(correction=5).item()
    assert ours == theirs == float("inf")


def test_a_cast_to_whole_numbers_takes_no_gradient_as_in_pytorch():
    """Whole numbers are steps, with no slope: the cast is a constant, not a path for gradients."""
    x = Tensor([1.7, 2.2], requires_grad=True)
    assert not x.to(np.int64).requires_grad
    assert not torch.tensor([1.7, 2.2], requires_grad=True).to(torch.int64).requires_grad


# --- labels are text, not HTML ---------------------------------------------------------------------

HTML_LABEL = '<<TABLE><TR><TD HREF="javascript:alert(1)">click</TD></TR></TABLE>>'


class EvilOp(ops.Elementwise):
    """The identity, with a name shaped like a Graphviz HTML-like label."""

    name, words = HTML_LABEL, ("{grad}",)

    def forward(self, xp, x):
        return x

    def backward(self, xp, grad):
        return (grad,)


def labelled_graph():
    """x * y, every label and the op shaped like a Graphviz HTML-like label."""
    x, y = Value(2.0, label=HTML_LABEL), Value(3.0, label="y")
    out = apply(EvilOp(), x * y)
    out.label = HTML_LABEL
    return out


class Links(html.parser.HTMLParser):
    """Every link in a page or an SVG: <a> elements and href attributes of any element."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        self.links += [(tag, value) for name, value in attrs if name in ("href", "xlink:href")]
        if tag == "a":
            self.links.append((tag, dict(attrs)))


def links_in(text: str) -> list:
    parser = Links()
    parser.feed(text)
    return parser.links


def test_labels_and_op_names_reach_dot_quoted_never_as_html():
    """In DOT, ``label=<...>`` is HTML; ``label="..."`` is text. Every label must be text."""
    out = labelled_graph()
    out.backward()
    for compact in (False, True):
        source = draw_dot(out, compact=compact).source
        assert "TABLE" in source  # the labels are there, as text
        assert not re.search(r"label=<", source), source


@needs_dot
def test_an_html_shaped_label_puts_no_link_into_the_picture_or_the_step_through_page():
    out = labelled_graph()
    out.backward()
    svg = draw_dot(out).pipe(format="svg", encoding="utf-8")
    assert links_in(svg) == [] and "&lt;&lt;TABLE&gt;" in svg  # shown as the characters typed
    page = step_through_html(labelled_graph(), title=HTML_LABEL)
    assert links_in(page) == []
    assert "&lt;&lt;TABLE&gt;" in page


@needs_dot
def test_network_names_and_captions_are_text():
    picture = draw_network([2, 3, 1], input_names=[HTML_LABEL, "a\\lb"], output_names=[HTML_LABEL], activation=HTML_LABEL)
    assert not re.search(r"label=<", picture.source)
    svg = picture.pipe(format="svg", encoding="utf-8")
    assert links_in(svg) == []
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "a\\lb" in texts  # a backslash is shown, not read as a Graphviz escape
    assert sum("&lt;&lt;TABLE&gt;" in t for t in texts) >= 3  # two names and a caption, as typed


# --- saving files ------------------------------------------------------------------------------------


def test_saving_finds_the_file_mode_without_touching_the_umask(tmp_path, monkeypatch):
    """The umask is the process's: setting it, even for a moment, can make another thread's
    new file world-writable. A save must give the mode of an ordinary write (0o666 less the
    umask, here 0o027) without calling os.umask; an existing file keeps its own mode."""
    previous = os.umask(0o027)
    try:
        def no_umask(mask):
            raise AssertionError("os.umask was called while saving")

        monkeypatch.setattr(os, "umask", no_umask)
        path = TensorMLP(2, [3, 1], seed=0).save(tmp_path / "model.npz")
        assert path.stat().st_mode & 0o777 == 0o640
        os.chmod(path, 0o604)
        TensorMLP(2, [3, 1], seed=1).save(path)
        assert path.stat().st_mode & 0o777 == 0o604
    finally:
        monkeypatch.undo()
        os.umask(previous)


def test_the_temporary_file_is_synced_to_disk_before_it_replaces_the_target(tmp_path, monkeypatch):
    """Renamed before its bytes reach the disk, a crash could leave an empty file where the
    model was. The temporary file is flushed and fsync-ed first, then renamed."""
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else fd))
        real_fsync(fd)

    def replace(source, target):
        events.append(("replace", str(source)))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    TensorMLP(2, [3, 1], seed=0).save(tmp_path / "model.npz")
    kinds = [kind for kind, _ in events]
    assert "fsync" in kinds and "replace" in kinds and kinds.index("fsync") < kinds.index("replace")
    temporary = dict((kind, name) for kind, name in events if kind == "replace")["replace"]
    if os.path.exists("/proc/self/fd"):  # the file synced is the one renamed
        assert events[kinds.index("fsync")][1] == temporary


@pytest.mark.parametrize("failing", ["os.open", "os.replace"])
def test_a_permission_error_names_the_target_not_the_temporary_file(tmp_path, monkeypatch, failing):
    """A folder the user cannot write to refuses the temporary file (os.open) or the rename
    (os.replace); either way the message names the file the user asked for, and nothing is
    left behind. (Simulated: the tests may run as root, who may write anywhere.)"""
    target = tmp_path / "model.npz"
    real = getattr(os, failing.split(".")[1])

    def refuse(path, *args, **kwargs):
        if ".tmp" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, failing.split(".")[1], refuse)
    with pytest.raises(PermissionError) as excinfo:
        TensorMLP(2, [3, 1], seed=0).save(target)
    assert excinfo.value.filename == str(target) and ".tmp" not in str(excinfo.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write into any folder")
def test_saving_into_a_read_only_folder_names_the_target(tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError, match=re.escape(str(folder / "model.npz"))):
            TensorMLP(2, [3, 1], seed=0).save(folder / "model.npz")
    finally:
        folder.chmod(0o755)


def test_a_saved_model_loads_back_exactly_through_io(tmp_path):
    """save_arrays and load_arrays, the files' own module: the numbers come back bit for bit."""
    arrays = {"a": np.array([[1.5, -2.0]]), "b": np.arange(3.0)}
    files.save_arrays(arrays, tmp_path / "arrays.npz")
    loaded = files.load_arrays(tmp_path / "arrays.npz")
    assert loaded.keys() == arrays.keys()
    for name in arrays:
        np.testing.assert_array_equal(loaded[name], arrays[name])


# --- the command line: long formulas, and formulas that start with - ---------------------------------


def test_a_flat_sum_of_300_terms_is_computed_without_recursion():
    """300 terms is 300 levels of the syntax tree, but not nested: it is within the length limit
    and computes (drawing it is refused for its size, in those words: see the catalogue)."""
    out, variables = build_graph("+".join(["x"] * 300), {"x": 1.5})
    out.backward()
    assert out.data == 450.0 and variables["x"].grad == 300.0
    minus, variables = build_graph("-" * 999 + "x", {"x": 2.0})
    minus.backward()
    assert minus.data == -2.0 and variables["x"].grad == -1.0


@needs_dot
def test_a_flat_sum_of_61_terms_is_drawn(tmp_path, capsys):
    path = tmp_path / "sum.svg"
    assert main(["graph", "+".join(["x"] * 61), "x=1", "-o", str(path)]) == 0
    assert path.exists() and "dout/dx = 61" in capsys.readouterr().out


@needs_dot
@pytest.mark.parametrize(
    "arguments",
    [["-x*y", "x=2", "y=3", "-o", "{out}"], ["-o", "{out}", "-x*y", "x=2", "y=3"], ["--", "-x*y", "x=2", "y=3", "-o", "{out}"],
     ["--output={out}", "-x*y", "x=2", "y=3"]],
    ids=["first", "after -o", "after --", "after --output="],
)
def test_a_formula_may_start_with_minus(tmp_path, capsys, arguments):
    """argparse would read "-x*y" as an unknown option; the formula is the first argument that
    is not an option, whatever it starts with."""
    out = tmp_path / "g.svg"
    assert main(["graph", *[a.format(out=out) for a in arguments]]) == 0
    printed = capsys.readouterr().out
    assert out.exists() and "out = -x*y = -6" in printed and "dout/dx = -3" in printed and "dout/dy = -2" in printed


# --- fit's progress bar --------------------------------------------------------------------------------


def test_the_progress_bar_ends_on_the_loss_of_the_model_fit_returns(capsys):
    """The losses fit records are each measured before a step; the bar's last number is the
    loss after the last step: the model the caller gets."""
    X = np.linspace(-1, 1, 20).reshape(-1, 1)
    y = X**2
    model = TensorMLP(1, [8, 1], seed=0)
    history = fit(model, X, y, epochs=30, lr=0.1, loss_fn=mean_squared_error, progress=True)
    shown = float(re.findall(r"loss=([-\d.e+]+)", capsys.readouterr().err)[-1])
    with no_grad():
        final = float(mean_squared_error(model(X), y).data)
    assert shown == pytest.approx(final, abs=5e-5) and shown != pytest.approx(history[-1], abs=5e-5)
