"""Every lesson is also a notebook, from the same file: jupytext reads the percent-format script
(``# %%`` code cells, ``# %% [markdown]`` text cells, the docstring the first of them) and the
notebook runs headless in a fresh kernel, in an empty folder, with no error and every figure
drawn. And the list of lessons in demos/lessons.txt is the one the Makefile and the README use.

Training lessons run with fewer epochs here (``QUICK``): these tests check that each notebook
runs from top to bottom and draws its pictures; the numbers each lesson prints after its full
training are checked in test_lessons.py and test_demos.py. Each lesson sets one BLAS thread
itself, so a notebook prints the numbers a direct run prints.
"""

import ast
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from demo_loader import PNG_MAGIC, ROOT, lessons

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

DEMOS = ROOT / "demos"
NAMES = [name for name, _ in lessons()]

QUICK = {  # command-line arguments that shorten training, added to the kernel's own
    "relu_splines": ["--epochs", "50"],
    "classify_moons": ["--steps", "2"],
    "classify_spirals": ["--epochs", "50"],
    "gp_regression": ["--epochs", "50"],
    "gp_blog_program": ["--epochs", "50", "--seeds", "2"],
}

FIGURES = {  # what each lesson draws, in output/ beside the notebook
    "neuron": ["neuron_before.png", "neuron_after.png", "neuron_after.svg", "neuron_steps.html"],
    "network_diagrams": ["network_linear_regression.png", "network_two_hidden_layers.png", "network_one_hidden_layer.png"],
    "linear_regression": ["linear_regression_network.png", "linear_regression_network.svg", "linear_regression_fit.png"],
    "logistic_regression": ["logistic_regression_network.png", "logistic_regression_network.svg", "logistic_regression_fit.png"],
    "activations": ["activations.png"],
    "relu_splines": ["relu_splines.png"],
    "classify_moons": ["moons_decision_boundary.png"],
    "classify_spirals": ["spirals_decision_regions.png"],
    "gp_regression": ["gp_data.png", "gp_loss_curve.png", "gp_fit.png"],
    "gp_blog_program": ["gp_blog_program.png"],
}


def test_the_list_of_lessons_is_the_demos_folder():
    assert sorted(NAMES) == sorted(p.stem for p in DEMOS.glob("*.py") if not p.stem.startswith("_"))
    assert len(set(NAMES)) == len(NAMES) and set(FIGURES) == set(NAMES)
    assert all(title and not title.endswith(".") for _, title in lessons())


def test_the_readme_table_lists_the_lessons_in_the_order_of_the_list():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- lessons:start -->\n(.*?)<!-- lessons:end -->", readme, flags=re.S)[1]
    rows = re.findall(r"^\| (.+?) \| `demos/(\w+)\.py` \|$", table, flags=re.M)
    assert [(name, title) for title, name in rows] == lessons()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lessons_runs_them_in_the_order_of_the_list():
    commands = subprocess.run(["make", "-n", "lessons"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert re.search(r"for demo in ([\w ]+); do", commands)[1].split() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_a_lesson_saved_from_jupyter_keeps_its_docstring_and_its_code(name):
    """Jupyter saves a text notebook back through jupytext, with demos/jupytext.toml's settings:
    the docstring must come back as a docstring, the code cells as they were."""
    from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

    config = load_jupytext_configuration_file(find_jupytext_configuration_file(str(DEMOS)))
    source = (DEMOS / f"{name}.py").read_text(encoding="utf-8")
    notebook = jupytext.reads(source, fmt="py:percent")
    assert notebook.cells[0].cell_type == "markdown"
    saved = jupytext.writes(notebook, fmt={"extension": ".py", "format_name": "percent", "cell_markers": config.cell_markers})
    assert ast.get_docstring(ast.parse(saved)).strip() == ast.get_docstring(ast.parse(source)).strip()
    again = jupytext.reads(saved, fmt="py:percent")
    assert [c.source for c in again.cells if c.cell_type == "code"] == [c.source for c in notebook.cells if c.cell_type == "code"]


@pytest.mark.parametrize("name", NAMES)
def test_each_lesson_runs_as_a_notebook_and_draws_its_figures(name, tmp_path):
    notebook = jupytext.read(DEMOS / f"{name}.py")
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.strip()
    # The kernel's own arguments (-f kernel.json) stay in sys.argv: the lesson must ignore them.
    notebook.cells.insert(0, nbformat.v4.new_code_cell(f"import sys\nsys.argv += {QUICK.get(name, [])!r}"))
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the traceback, if a cell fails
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.output_type == "error"]
    printed = "".join(output.get("text", "") for output in outputs if output.get("name") == "stdout")
    assert "saved" in printed
    for figure in FIGURES[name]:
        path = tmp_path / "output" / figure
        assert path.exists(), f"{name} did not draw {figure}"
        if figure.endswith(".png"):
            assert path.read_bytes()[:8] == PNG_MAGIC, figure


def test_each_lesson_sets_one_blas_thread_itself():
    """Run directly, from make, in a notebook or imported: a lesson makes NumPy's BLAS use one
    thread, whatever the environment asked for, so it prints the same numbers at the same speed."""
    script = f"""
import importlib.util, json, sys
from threadpoolctl import threadpool_info, threadpool_limits
found = {{}}
for name in {NAMES!r}:
    threadpool_limits(2)  # as a machine with OPENBLAS_NUM_THREADS=2 would start
    spec = importlib.util.spec_from_file_location("lesson_" + name, {str(DEMOS)!r} + "/" + name + ".py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    found[name] = sorted({{pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}})
print(json.dumps(found))
"""
    env = {key: value for key, value in os.environ.items() if not key.endswith("_NUM_THREADS")}
    env.update(OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2", MKL_NUM_THREADS="2")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {name: [1] for name in NAMES}
