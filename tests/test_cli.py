"""The command line: ``tinygrad-edu graph "formula" name=number ... -o file``.

The gradients it prints are checked against the chain rule worked by hand; every kind of input
it must refuse is refused with exit status 2 and a message that names what was refused.
"""

import math
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from demo_loader import lessons, load_demo

from tinygrad_edu import cli, formula
from tinygrad_edu.cli import build_graph, main

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")

B = 6.8813735870195432
NEURON = ["graph", "tanh(x1*w1 + x2*w2 + b)", "x1=2", "x2=0", "w1=-3", "w2=1", f"b={B!r}"]


def neuron_by_hand():
    """o = tanh(n), n = x1*w1 + x2*w2 + b. do/dn = 1 - o**2; d(x1*w1)/dx1 = w1, and so on."""
    x1, x2, w1, w2 = 2.0, 0.0, -3.0, 1.0
    o = math.tanh(x1 * w1 + x2 * w2 + B)
    dn = 1 - o**2
    return o, {"x1": dn * w1, "w1": dn * x1, "x2": dn * w2, "w2": dn * x2, "b": dn}


def printed(stdout):
    """The output value and the gradients that the command printed."""
    out = float(re.search(r"^out = .* = (\S+)$", stdout, flags=re.M).group(1))
    grads = {name: float(g) for name, g in re.findall(r"^dout/d(\w+) = (\S+)$", stdout, flags=re.M)}
    return out, grads


def assert_neuron_printed(stdout):
    out, grads = printed(stdout)
    expected_out, expected_grads = neuron_by_hand()
    assert out == pytest.approx(expected_out, rel=1e-5)
    assert grads.keys() == expected_grads.keys()
    for name, grad in expected_grads.items():
        assert grads[name] == pytest.approx(grad, rel=1e-5, abs=1e-9), name


@needs_dot
def test_the_example_draws_an_svg_with_every_label_and_prints_the_gradients(tmp_path, capsys):
    path = tmp_path / "neuron.svg"
    assert main(NEURON + ["-o", str(path)]) == 0
    texts = {t.text for t in ET.parse(path).iter("{http://www.w3.org/2000/svg}text")}
    assert {"x1", "x2", "w1", "w2", "b", "out", "tanh"} <= texts
    assert {"data 0.7071", "grad -1.5000", "grad 1.0000"} <= texts  # o, dL/dx1, dL/dw1
    assert_neuron_printed(capsys.readouterr().out)


@needs_dot
@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_the_format_follows_the_suffix(tmp_path, suffix, magic):
    path = tmp_path / f"neuron{suffix}"
    assert main(NEURON + ["-o", str(path)]) == 0
    assert path.read_bytes().startswith(magic)


@needs_dot
def test_step_writes_the_step_through_page(tmp_path, capsys):
    path = tmp_path / "neuron.html"
    assert main(NEURON + ["--step", "-o", str(path)]) == 0
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and 'type="application/json"' in page
    assert_neuron_printed(capsys.readouterr().out)


@needs_dot
def test_values_may_also_come_after_the_output_file(tmp_path, capsys):
    assert main(["graph", "x*y", "-o", str(tmp_path / "g.svg"), "x=2", "y=3"]) == 0
    assert printed(capsys.readouterr().out) == (6.0, {"x": 3.0, "y": 2.0})


def test_a_variable_used_twice_is_one_leaf_with_both_shares():
    """x*x + x: d/dx = 2x + 1 = 7 at x = 3 (the diamond)."""
    out, variables = build_graph("x*x + x", {"x": 3.0})
    out.backward()
    assert list(variables) == ["x"] and variables["x"].grad == 7.0
    assert out.label == "out" and variables["x"].label == "x"


@pytest.mark.parametrize(
    "formula, value, derivative",
    [
        ("exp(x)", lambda x: math.exp(x), lambda x: math.exp(x)),
        ("log(x)", lambda x: math.log(x), lambda x: 1 / x),
        ("tanh(x)", lambda x: math.tanh(x), lambda x: 1 - math.tanh(x) ** 2),
        ("sigmoid(x)", lambda x: 1 / (1 + math.exp(-x)), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
        ("softplus(x)", lambda x: math.log(1 + math.exp(x)), lambda x: 1 / (1 + math.exp(-x))),
        ("relu(x) + relu(-x)", lambda x: abs(x), lambda x: 1.0),
        ("x / (1 + x**2)", lambda x: x / (1 + x * x), lambda x: (1 - x * x) / (1 + x * x) ** 2),
        ("-x**3", lambda x: -(x**3), lambda x: -3 * x * x),
        ("2**x - x**-1", lambda x: 2**x - 1 / x, lambda x: 2**x * math.log(2) + 1 / x**2),
    ],
)
def test_each_allowed_piece_computes_the_right_value_and_gradient(formula, value, derivative):
    x = 0.8
    out, variables = build_graph(formula, {"x": x})
    out.backward()
    assert out.data == pytest.approx(value(x), rel=1e-12)
    assert variables["x"].grad == pytest.approx(derivative(x), rel=1e-12)


def test_a_power_of_a_plain_number_has_no_gradient_for_the_number():
    out, _ = build_graph("x**2", {"x": -3.0})
    assert out.op.name == "**2" and len(out.parents) == 1


LONG = "x" + " + x" * 300
DEEP = "tanh(" * 60 + "x" + ")" * 60


@pytest.mark.parametrize(
    "formula, values, named",
    [
        ("x.real", ["x=1"], "attribute access"),
        ("foo(x)", ["x=1"], "calling foo"),
        ("__import__('os').system('true')", [], "calling __import__('os').system"),
        ("__import__('os')", [], "calling __import__"),
        ("import os", [], "statements (import)"),
        ("lambda: x", ["x=1"], "lambda"),
        ("x[0]", ["x=1"], "subscript"),
        ("x < 1", ["x=1"], "comparison"),
        ("x + 'a'", ["x=1"], "strings"),
        ("tanh(x=1)", [], "keyword arguments"),
        ("x % 2", ["x=1"], "operator %"),
        ("+x", ["x=1"], "operator unary +"),
        ("exp(x, x)", ["x=1"], "exactly one argument"),
        ("True * x", ["x=1"], "True is not a real number"),
        ("(y := 2) * x", ["x=1"], "assignment"),
        ("[x, x]", ["x=1"], "list"),
        (LONG, ["x=1"], "too long (1201 characters"),
        (DEEP, ["x=1"], "nested too deeply"),
        ("x * y + z", ["x=1"], "no value given for y, z"),
        ("x * y", ["x=1", "y=two"], "the value of y is not a number: 'two'"),
        ("x * y", ["x=1", "y=inf"], "the value of y must be a finite number"),
        ("x", ["x"], "'x' is not of the form name=number"),
        ("x", ["x=1", "x=2"], "x is given a value twice"),
        ("log(x)", ["x=0"], "cannot compute log(x)"),
    ],
)
def test_refused_input_exits_with_status_2_and_says_what_was_refused(tmp_path, capsys, formula, values, named):
    path = tmp_path / "out.svg"
    assert main(["graph", formula, *values, "-o", str(path)]) == 2
    captured = capsys.readouterr()
    assert named in captured.err and captured.out == ""
    assert not path.exists()


@pytest.mark.parametrize(
    "options, named",
    [(["-o", "graph.txt"], ".svg, .png or .pdf"), (["--step", "-o", "graph.svg"], "ending in .html")],
)
def test_an_output_file_of_the_wrong_kind_is_refused(capsys, options, named):
    assert main(["graph", "x", "x=1", *options]) == 2
    assert named in capsys.readouterr().err


def test_an_unknown_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["graph", "x", "x=1", "--bogus"])
    assert exit.value.code == 2 and "--bogus" in capsys.readouterr().err


def test_the_formula_is_never_handed_to_eval():
    for module in (cli, formula):
        source = Path(module.__file__).read_text()
        assert "eval(" not in source and "exec(" not in source


def test_without_dot_it_says_how_to_install_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where no program, dot included, is found
    assert main(NEURON + ["-o", str(tmp_path / "neuron.svg")]) == 1
    assert "apt-get install -y graphviz" in capsys.readouterr().err


def command():
    """The installed ``tinygrad-edu`` script next to this Python, else ``python -m tinygrad_edu``."""
    script = Path(sys.executable).with_name("tinygrad-edu")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tinygrad_edu"]


@needs_dot
def test_the_command_runs_as_a_program(tmp_path):
    path = tmp_path / "neuron.svg"
    done = subprocess.run(command() + NEURON + ["-o", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert path.exists()
    assert_neuron_printed(done.stdout)


def test_the_program_refuses_with_status_2_on_stderr():
    done = subprocess.run(command() + ["graph", "open('x')"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "calling open is not allowed" in done.stderr and done.stdout == ""


@needs_dot
def test_the_output_folder_is_made_when_it_is_missing(tmp_path, capsys):
    path = tmp_path / "output" / "graphs" / "neuron.svg"
    assert main(NEURON + ["-o", str(path)]) == 0
    assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_version_is_the_installed_distribution_s_version(capsys):
    """The version the command says is the one pip recorded when it installed the package."""
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit:
        main(["--version"])
    assert exit.value.code == 0
    assert capsys.readouterr().out.strip() == f"tinygrad-edu {version('tinygrad_edu')}"


# --- tinygrad-edu lesson --------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "demos"


def story_order():
    """The lessons as demos/lessons.txt lists them, in the order of the story."""
    return [name for name, _ in lessons()]


def test_every_demo_is_in_the_list_once_and_has_main_out_dir():
    """A demo added to demos/ but not to the list would be missing from the command and from
    make lessons; each is run by calling main(out_dir), so every other argument needs a default."""
    import inspect

    from demo_loader import load_demo

    names = story_order()
    assert len(names) == len(set(names))
    scripts = sorted(p.stem for p in LESSONS.glob("*.py") if not p.stem.startswith("_"))
    assert sorted(names) == scripts
    for name in names:
        parameters = list(inspect.signature(load_demo(name).main).parameters.values())
        assert parameters[0].name == "out_dir", name
        assert all(p.default is not inspect.Parameter.empty for p in parameters[1:]), name


def test_the_list_shows_each_lesson_in_the_story_s_order_with_its_title(capsys):
    assert main(["lesson", "--list"]) == 0
    rows = [tuple(line.split(maxsplit=1)) for line in capsys.readouterr().out.splitlines()]
    assert rows == lessons()


@pytest.mark.parametrize("arguments, named", [(["lesson", "no_such_lesson"], "no lesson named 'no_such_lesson'"),
                                              (["lesson"], "name a lesson to run")])
def test_a_lesson_that_does_not_exist_is_refused_with_status_2_and_the_list(capsys, arguments, named):
    assert main(arguments) == 2
    err = capsys.readouterr().err
    assert named in err
    assert all(name in err for name in story_order())


def test_a_lesson_runs_its_main_and_saves_its_pictures_in_out(tmp_path, capsys):
    out = tmp_path / "pictures"
    assert main(["lesson", "activations", "--out", str(out)]) == 0
    assert (out / "activations.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert printed.startswith(load_demo("activations").__doc__.split(".")[0])  # the docstring comes first
    # the lesson's own table: relu'(2) = 1 and sigmoid'(0) = 1/4, as backward() computes them
    rows = {line.split()[0]: line.split()[1:] for line in printed.splitlines() if re.match(r"^\s*-?\d+\.\d\d\s", line)}
    assert float(rows["2.00"][3]) == 1.0 and float(rows["0.00"][1]) == pytest.approx(0.25)


def test_the_readme_table_of_lessons_follows_the_list():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Where each lesson lives")[1].split("\n## ")[0]
    assert re.findall(r"^\|.*`demos/(\w+)\.py` \|$", section, flags=re.M) == story_order()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lessons_runs_the_list_in_order():
    done = subprocess.run(["make", "-n", "lessons"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loop = re.search(r"for demo in (.*?);", done.stdout)
    assert loop and loop.group(1).split() == story_order()


def test_a_lesson_without_dot_says_how_to_install_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where no program, dot included, is found
    assert main(["lesson", "neuron", "--out", str(tmp_path / "out")]) == 1
    assert "apt-get install -y graphviz" in capsys.readouterr().err


def test_a_lesson_that_cannot_write_its_pictures_says_where(tmp_path, capsys):
    taken = tmp_path / "a_file"
    taken.write_text("not a folder")
    assert main(["lesson", "activations", "--out", str(taken)]) == 1
    assert f"cannot write the lesson's pictures in {taken}" in capsys.readouterr().err


def test_without_the_lessons_installed_the_command_says_how_to_get_them(capsys, monkeypatch):
    monkeypatch.setattr(cli, "LESSONS", "tinygrad_edu.not_installed")  # as from a copy never pip-installed
    assert main(["lesson", "--list"]) == 1
    assert "install it with pip" in capsys.readouterr().err
