"""A network picture in a Jupyter notebook behaves as a graph picture does: with Graphviz's
``dot`` it shows as SVG; without it the cell shows how to install Graphviz, never an
``ExecutableNotFound`` traceback. Executed headless, as in test_notebook.py.
"""

import shutil

import pytest

from test_notebook import fresh_ipython_profile, run_notebook, shown  # noqa: F401  (the fixture, too)

from tinygrad_edu.netviz import draw_network
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.viz import GRAPHVIZ_MISSING

NETWORK_CELL = """\
from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.viz import draw_network
draw_network(TensorMLP(2, [3, 1], seed=0), bias=True, input_names=["age", "BMI"])"""


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_a_network_cell_shows_svg():
    [outputs] = run_notebook(NETWORK_CELL)
    [bundle] = shown(outputs)
    svg = bundle["image/svg+xml"]
    assert "<svg" in svg and ">age<" in svg and ">BMI<" in svg  # the picture of this network


def test_without_dot_a_network_cell_says_how_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # the kernel inherits a PATH where dot is not found
    [outputs] = run_notebook(NETWORK_CELL)
    assert all(output["output_type"] != "error" for output in outputs)
    assert "ExecutableNotFound" not in str(outputs)
    [bundle] = shown(outputs)
    assert bundle == {"text/plain": GRAPHVIZ_MISSING}


@pytest.mark.parametrize("model", [[2, 3, 1], TensorMLP(2, [3, 1], seed=0)], ids=["sizes", "model"])
def test_without_dot_displaying_a_network_gives_the_install_hint(tmp_path, monkeypatch, model):
    """What IPython asks a picture for when it shows it, outside a notebook as well."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert draw_network(model)._repr_mimebundle_() == {"text/plain": GRAPHVIZ_MISSING}
