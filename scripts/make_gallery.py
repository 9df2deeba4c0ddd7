"""Regenerate the README's gallery from today's code (run: make gallery).

Runs the lessons that the gallery shows, copies their pictures to docs/images, and rewrites two
parts of README.md: the gallery, its captions' numbers taken from what the lessons return (a
wide picture on a row of its own, so that its text stays legible; small ones two to a row), and
the table of lessons, read from demos/lessons.txt. Each part sits between its two marker comments.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
README = ROOT / "README.md"
sys.path.insert(0, str(ROOT))

from tinygrad_edu.cli import lesson_titles  # noqa: E402  (demos/lessons.txt, as the command reads it)


def load_lesson(name: str):
    spec = importlib.util.spec_from_file_location(f"lesson_{name}", ROOT / "demos" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lesson_table() -> str:
    rows = ["| lesson | demo |", "|---|---|"]
    rows += [f"| {title} | `demos/{name}.py` |" for name, title in lesson_titles().items()]
    return "\n".join(rows)


def replace_between(text: str, marker: str, body: str) -> str:
    """Put ``body`` between ``<!-- marker:start -->`` and ``<!-- marker:end -->``."""
    pattern = re.compile(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)", flags=re.S)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no <!-- {marker}:start --> ... <!-- {marker}:end --> markers")
    return pattern.sub(lambda m: m[1] + body + "\n" + m[2], text)


def cell(picture: str, alt: str, caption: str, colspan: int = 1) -> str:
    span = f' colspan="{colspan}"' if colspan > 1 else ' width="50%"'
    return f'<td{span}><img src="docs/images/{picture}" alt="{alt}"><br>{caption}</td>'


def make_pictures(out: Path) -> dict:
    """Run the lessons the gallery shows; return what their captions need."""
    numbers = {}
    load_lesson("neuron").main(out)
    load_lesson("network_diagrams").main(out)
    gp = load_lesson("gp_regression").main(out, progress=False)
    numbers["gp"] = gp["rmse"]
    splines = load_lesson("relu_splines").main(out, progress=False)
    rmse = load_lesson("relu_splines").rmse
    numbers["spline"], numbers["network"] = rmse(splines["spline"], splines["y"]), rmse(splines["network"], splines["y"])
    numbers["moons"] = load_lesson("classify_moons").main(out)["accuracy"]
    numbers["spirals"] = load_lesson("classify_spirals").main(out, progress=False)["accuracy"]

    from tinygrad_edu.viz import draw_network, save

    architecture = draw_network([1, 16, 32, 64, 64, 32, 16, 1], activation="relu", output_activation="linear")
    architecture.graph_attr["dpi"] = "120"  # sharper than Graphviz's 96, and it is wide already
    save(architecture, out / "network.png")
    return numbers


def gallery(n: dict) -> str:
    """The gallery as an HTML table: a wide picture fills a row, smaller ones go two to a row."""
    rows = [
        [("neuron.png", "A computation graph with its gradients",
          "One neuron, <code>tanh(x1*w1 + x2*w2 + b)</code>, after <code>backward()</code>: every value with its "
          "<code>data</code> and <code>grad</code> (<code>demos/neuron.py</code>).")],
        [("network_two_hidden_layers.png", "The lecture's network with two hidden layers",
          "The lecture's X1, X2 &rarr; H11, H12 &rarr; H21, H22 &rarr; Y, one of its three network diagrams "
          "(<code>demos/network_diagrams.py</code>).")],
        [("network.png", "The Gaussian-process network",
          "The Gaussian-process network, six hidden ReLU layers, wide layers collapsed "
          "(<code>tinygrad_edu.viz.draw_network</code>).")],
        [("gp_fit.png", "A deep ReLU network fitted to a Gaussian-process sample",
          f"It learns 200 noisy points of a Gaussian-process sample by gradient descent and lands at RMSE "
          f"{n['gp']:.4f} against noise of sd 0.7 (<code>demos/gp_regression.py</code>).")],
        [("gp_loss_curve.png", "The loss by epoch",
          "Its RMSE by epoch, falling to the noise level 0.7 (<code>demos/gp_regression.py</code>).")],
        [("moons_decision_boundary.png", "Decision boundary",
          f"<code>MLP(2, [16, 16, 1])</code> of scalars separates two moons, {n['moons']:.0%} correct "
          f"(<code>demos/classify_moons.py</code>)."),
         ("spirals_decision_regions.png", "Decision regions of three classes",
          f"<code>TensorMLP(2, [100, 3])</code>, trained by cross-entropy, sorts three spiral arms, "
          f"{n['spirals']:.1%} correct (<code>demos/classify_spirals.py</code>).")],
        [("relu_splines.png", "ReLU splines",
          f"Least squares on the lecture's 30 shifted ReLUs (RMSE {n['spline']:.4f}) and a 30-unit ReLU network "
          f"(RMSE {n['network']:.4f}) fit the same noisy sine; the ticks are the spline's knots and the network's "
          f"learned bends (<code>demos/relu_splines.py</code>).")],
    ]
    html = ["<tr>" + "".join(cell(*picture, colspan=2 if len(row) == 1 else 1) for picture in row) + "</tr>" for row in rows]
    return "<table>\n" + "\n".join(html) + "\n</table>"


SOURCES = {  # picture in docs/images: the file a lesson writes
    "neuron.png": "neuron_after.png",
    "gp_fit.png": "gp_fit.png",
    "gp_loss_curve.png": "gp_loss_curve.png",
    "relu_splines.png": "relu_splines.png",
    "network_two_hidden_layers.png": "network_two_hidden_layers.png",
    "network.png": "network.png",
    "moons_decision_boundary.png": "moons_decision_boundary.png",
    "spirals_decision_regions.png": "spirals_decision_regions.png",
}


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        numbers = make_pictures(out)
        for picture, source in SOURCES.items():
            shutil.copy(out / source, IMAGES / picture)
    for stale in set(p.name for p in IMAGES.glob("*.png")) - set(SOURCES):
        (IMAGES / stale).unlink()
    text = README.read_text(encoding="utf-8")
    text = replace_between(text, "gallery", gallery(numbers))
    text = replace_between(text, "lessons", lesson_table())
    README.write_text(text, encoding="utf-8")
    print("gallery written to", IMAGES, "and", README)


if __name__ == "__main__":
    main()
