"""Where learners work: a Jupyter notebook. Executed headless (nbclient, ipykernel), a cell that
returns a graph shows an SVG picture and a cell that returns a plot shows a PNG picture; without
Graphviz's ``dot`` the graph cell shows how to install it. In a script, plots keep no figure alive.
"""

import base64
import gc
import shutil
import weakref

import numpy as np
import pytest

from demo_loader import PNG_MAGIC

from tinygrad_edu import Value
from tinygrad_edu.plots import plot_loss_curve, plot_regression_fit
from tinygrad_edu.viz import GRAPHVIZ_MISSING, draw_dot

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

GRAPH_CELL = """\
from tinygrad_edu import Value
from tinygrad_edu.viz import draw_dot
x = Value(2.0, label="x")
y = (x * x).tanh()
y.label = "y"
y.backward()
draw_dot(y)"""

PLOT_CELL = """\
from tinygrad_edu.plots import plot_loss_curve
plot_loss_curve([3.0, 2.0, 1.5, 1.2])"""


@pytest.fixture(autouse=True)
def fresh_ipython_profile(tmp_path, monkeypatch):
    """The kernel starts from an empty IPython profile: no startup file of this machine's user
    (one that imports pyplot or chooses SVG figures, say) changes what is shown."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


def run_notebook(*cells):
    """Execute a notebook of these code cells in a fresh kernel; return each cell's outputs."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return [cell.outputs for cell in notebook.cells]


def shown(outputs):
    """The mime bundles a cell displayed (its result and any display() calls)."""
    return [output["data"] for output in outputs if output["output_type"] in ("execute_result", "display_data")]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_a_graph_cell_shows_svg_and_a_plot_cell_shows_png_once():
    graph, plot = run_notebook(GRAPH_CELL, PLOT_CELL)

    [bundle] = shown(graph)
    svg = bundle["image/svg+xml"]
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "data 2.0000" in svg and "grad" in svg  # the picture of x, with its numbers

    [bundle] = shown(plot)  # one picture: shown as the cell's result, not a second time by pyplot
    assert base64.b64decode(bundle["image/png"])[:8] == PNG_MAGIC


def test_a_plot_shows_in_the_format_the_notebook_chose():
    """A teacher who set the inline backend to SVG (or retina) gets that, here as for pyplot."""
    _, plot = run_notebook("%config InlineBackend.figure_formats = ['svg']", PLOT_CELL)
    [bundle] = shown(plot)
    assert "image/png" not in bundle and "<svg" in bundle["image/svg+xml"]


def test_without_dot_a_graph_cell_says_how_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # the kernel inherits a PATH where dot is not found
    graph, plot = run_notebook(GRAPH_CELL, PLOT_CELL)

    assert all(output["output_type"] != "error" for output in graph)
    assert "ExecutableNotFound" not in str(graph)
    [bundle] = shown(graph)
    assert bundle == {"text/plain": GRAPHVIZ_MISSING}
    # plots need no dot
    [bundle] = shown(plot)
    assert base64.b64decode(bundle["image/png"])[:8] == PNG_MAGIC


def test_without_dot_displaying_a_graph_gives_the_install_hint(tmp_path, monkeypatch):
    """What IPython asks a graph for when it shows it, outside a notebook as well."""
    monkeypatch.setenv("PATH", str(tmp_path))
    bundle = draw_dot(Value(1.0, label="x"))._repr_mimebundle_()
    assert bundle == {"text/plain": GRAPHVIZ_MISSING}


def test_in_a_script_a_plot_that_is_dropped_is_freed():
    """Plots are not registered with pyplot, which would keep every figure until plt.close."""
    x = np.array([0.0, 1.0, 2.0])
    figures = [plot_loss_curve([3.0, 2.0, 1.0]), plot_regression_fit(x, x, {"fit": x})]
    alive = [weakref.ref(figure) for figure in figures]
    del figures
    gc.collect()
    assert [ref() for ref in alive] == [None, None]
