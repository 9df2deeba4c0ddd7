"""The network picture: ``draw_network`` builds Graphviz DOT source; ``viz.save`` renders it.

The lesson's pictures are checked through the DOT text: which units are drawn (by label), in
which column (rank) each one sits, and which arrows join them. Arrows drawn with
``style=invis`` only keep each column in order, so they are left out.
"""

import re
import shutil
import xml.etree.ElementTree as ET

import graphviz
import numpy as np
import pytest

from tinygrad_edu import netviz, viz
from tinygrad_edu.nn import MLP, Neuron, TensorMLP
from tinygrad_edu.viz import draw_network, save

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")

ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)')
NODE_LINE = re.compile(r"^\s+(\w+) \[(.*)\]$")
EDGE_LINE = re.compile(r"^\s+(\w+) -> (\w+)(?: \[(.*)\])?$")
SUBGRAPH_LINE = re.compile(r"^\s+subgraph (\w+) \{$")


def attributes(text):
    """``{name: value}`` from ``a=1 b="two words"``, quotes removed."""
    return {key: value[1:-1] if value.startswith('"') else value for key, value in ATTRIBUTE.findall(text or "")}


class Picture:
    """The parts of a network picture: nodes (with their column) and visible edges."""

    def __init__(self, graph):
        self.nodes, self.column, self.edges = {}, {}, []
        subgraph = None
        for line in graph.source.splitlines():
            if match := SUBGRAPH_LINE.match(line):
                subgraph = match[1]
            elif line.strip() == "}":
                subgraph = None
            elif match := EDGE_LINE.match(line):
                attrs = attributes(match[3])
                if attrs.get("style") != "invis":
                    self.edges.append((match[1], match[2], attrs))
            elif (match := NODE_LINE.match(line)) and match[1] not in ("graph", "node", "edge"):
                self.nodes[match[1]] = attributes(match[2])
                self.column[match[1]] = subgraph

    def label(self, node):
        return self.nodes[node]["label"]

    def units(self):
        """Nodes that stand for a number: not captions, not ellipses."""
        return [n for n, a in self.nodes.items() if a.get("shape") != "plaintext"]

    def columns(self):
        """Labels of the units in each column, left to right."""
        names = sorted({self.column[n] for n in self.units()}, key=lambda s: int(s.removeprefix("layer")))
        return [sorted(self.label(n) for n in self.units() if self.column[n] == name) for name in names]

    def arrows(self):
        """Visible arrows as (tail label, head label) pairs."""
        return sorted((self.label(tail), self.label(head)) for tail, head, _ in self.edges)

    def captions(self):
        """Caption texts, with DOT's line break written as a Python one."""
        plain = [a["label"] for a in self.nodes.values() if a.get("shape") == "plaintext" and "more" not in a["label"]]
        return [text.replace("\\n", "\n") for text in plain]


def every_pair(tails, heads):
    return sorted((t, h) for t in tails for h in heads)


# --- the lesson's three pictures -----------------------------------------------------------


def test_draw_network_returns_a_digraph_and_viz_re_exports_it():
    assert isinstance(draw_network([2, 1]), graphviz.Digraph)
    assert viz.draw_network is netviz.draw_network


def test_linear_regression_is_one_arrow_from_x_and_one_from_the_intercept_node():
    """1 -> Y <- X: the intercept "1" and the input X in one column, Y in the next."""
    picture = Picture(draw_network([1, 1], bias=True))
    assert picture.columns() == [["1", "X"], ["Y"]]
    assert picture.arrows() == [("1", "Y"), ("X", "Y")]


def test_linear_regression_with_the_lesson_names():
    neuron = Neuron(1, activation="linear")
    picture = Picture(draw_network(neuron, bias=True, input_names=["BMI"], output_names=["SBP"]))
    assert picture.columns() == [["1", "BMI"], ["SBP"]]
    assert picture.arrows() == [("1", "SBP"), ("BMI", "SBP")]
    assert "output\nlinear" in picture.captions()


def test_two_inputs_two_hidden_layers_of_two_one_output():
    """X1, X2 -> H11, H12 -> H21, H22 -> Y, every unit feeding every unit of the next layer."""
    picture = Picture(draw_network([2, 2, 2, 1]))
    assert picture.columns() == [["X1", "X2"], ["H11", "H12"], ["H21", "H22"], ["Y"]]
    expected = every_pair(["X1", "X2"], ["H11", "H12"]) + every_pair(["H11", "H12"], ["H21", "H22"]) + every_pair(["H21", "H22"], ["Y"])
    assert picture.arrows() == sorted(expected)
    assert "1" not in [picture.label(n) for n in picture.units()]  # no bias nodes by default


def test_one_input_three_hidden_units_one_output():
    """X -> H11, H12, H13 -> Y."""
    picture = Picture(draw_network([1, 3, 1]))
    assert picture.columns() == [["X"], ["H11", "H12", "H13"], ["Y"]]
    assert picture.arrows() == sorted(every_pair(["X"], ["H11", "H12", "H13"]) + every_pair(["H11", "H12", "H13"], ["Y"]))


def test_several_outputs_are_numbered_and_names_replace_labels():
    picture = Picture(draw_network([3, 2], input_names=["age", "BMI", "smoker"], output_names=["SBP", "DBP"]))
    assert picture.columns() == [["BMI", "age", "smoker"], ["DBP", "SBP"]]
    assert len(picture.arrows()) == 6
    assert Picture(draw_network([1, 2])).columns() == [["X"], ["Y1", "Y2"]]


def test_names_must_match_the_layer_sizes():
    with pytest.raises(ValueError, match="input_names"):
        draw_network([2, 1], input_names=["BMI"])
    with pytest.raises(ValueError, match="output_names"):
        draw_network([2, 1], output_names=["a", "b"])


# --- bias nodes ----------------------------------------------------------------------------


def test_bias_nodes_feed_every_unit_of_their_layer_when_asked():
    without = Picture(draw_network([2, 3, 1]))
    with_bias = Picture(draw_network([2, 3, 1], bias=True))
    assert "1" not in [without.label(n) for n in without.units()]
    assert with_bias.columns() == [["1", "X1", "X2"], ["1", "H11", "H12", "H13"], ["Y"]]
    bias_arrows = [(with_bias.column[t], with_bias.label(h)) for t, h, _ in with_bias.edges if with_bias.label(t) == "1"]
    assert sorted(bias_arrows) == [("layer0", "H11"), ("layer0", "H12"), ("layer0", "H13"), ("layer1", "Y")]
    assert len(with_bias.edges) == len(without.edges) + 4 == 2 * 3 + 3 * 1 + 4


# --- weights: colour by sign, width by size ------------------------------------------------


WEIGHTS = {
    "layers.0.weight": np.array([[1.0, -2.0], [0.5, -0.25]]),
    "layers.0.bias": np.array([0.1, -0.3]),
    "layers.1.weight": np.array([[-4.0, 3.0]]),
    "layers.1.bias": np.array([0.0]),
}


def weight_of(picture, tail, head):
    """The weight on the arrow tail -> head, looked up in WEIGHTS by the lesson's labels."""
    inputs, hidden = ["X1", "X2"], ["H11", "H12"]
    if head in hidden:
        row = hidden.index(head)
        return WEIGHTS["layers.0.bias"][row] if tail == "1" else WEIGHTS["layers.0.weight"][row, inputs.index(tail)]
    return WEIGHTS["layers.1.bias"][0] if tail == "1" else WEIGHTS["layers.1.weight"][0, hidden.index(tail)]


@pytest.mark.parametrize("make_model", [lambda: MLP(2, [2, 1]), lambda: TensorMLP(2, [2, 1])], ids=["MLP", "TensorMLP"])
def test_arrow_colour_follows_the_sign_and_width_the_size_of_each_weight(make_model):
    model = make_model()
    model.load_state_dict(WEIGHTS)
    picture = Picture(draw_network(model, bias=True))
    assert len(picture.edges) == 2 * 2 + 2 + 2 + 1
    widths = []
    for tail, head, attrs in picture.edges:
        w = weight_of(picture, picture.label(tail), picture.label(head))
        expected = netviz.POSITIVE if w > 0 else netviz.NEGATIVE if w < 0 else netviz.PLAIN
        assert attrs["color"] == expected, (picture.label(tail), picture.label(head), w)
        widths.append((abs(w), float(attrs["penwidth"])))
    widths.sort()
    assert [width for _, width in widths] == sorted(width for _, width in widths)  # larger |w|, wider arrow
    assert widths[0][1] < widths[-1][1]
    heaviest = [picture.label(t) + picture.label(h) for t, h, a in picture.edges if float(a["penwidth"]) == widths[-1][1]]
    assert heaviest == ["H11Y"]  # the weight -4, the largest in size


def test_both_backends_draw_the_same_picture_from_the_same_weights():
    scalar, vector = MLP(2, [2, 1]), TensorMLP(2, [2, 1])
    scalar.load_state_dict(WEIGHTS)
    vector.load_state_dict(WEIGHTS)
    assert draw_network(scalar, bias=True).source == draw_network(vector, bias=True).source


def test_weights_can_be_hidden_and_written_out():
    model = MLP(2, [2, 1])
    model.load_state_dict(WEIGHTS)
    plain = Picture(draw_network(model, show_weights=False))
    assert all("color" not in attrs and "penwidth" not in attrs for _, _, attrs in plain.edges)
    labelled = Picture(draw_network(model, weight_labels=True))
    assert sorted(attrs["label"] for _, _, attrs in labelled.edges) == sorted(["1", "-2", "0.5", "-0.25", "-4", "3"])


def test_a_list_of_sizes_has_no_weights_to_show():
    picture = Picture(draw_network([2, 2, 1], weight_labels=True))
    assert all("color" not in attrs and "label" not in attrs for _, _, attrs in picture.edges)


def test_a_single_neuron_with_a_negative_weight_is_red():
    neuron = Neuron(1, activation="sigmoid")
    neuron.w[0].data, neuron.b.data = -0.5, 2.0
    picture = Picture(draw_network(neuron, bias=True))
    colours = {picture.label(t): attrs["color"] for t, _, attrs in picture.edges}
    assert colours == {"X": netviz.NEGATIVE, "1": netviz.POSITIVE}
    assert "output\nsigmoid" in picture.captions()


# --- wide layers collapse; captions -------------------------------------------------------


def test_a_deep_wide_network_collapses_to_a_readable_picture():
    sizes = [1, 16, 32, 64, 64, 32, 16, 1]
    picture = Picture(draw_network(TensorMLP(1, sizes[1:])))
    every_weight = sum(a * b for a, b in zip(sizes, sizes[1:]))
    assert every_weight == 9248
    assert len(picture.edges) < every_weight / 50
    ellipses = sorted(a["label"] for a in picture.nodes.values() if "more" in a["label"])
    assert ellipses == sorted(f"... ({n - 4} more)" for n in sizes if n > 8)
    for tail, head, _ in picture.edges:  # arrows join shown units only
        assert "more" not in picture.label(tail) and "more" not in picture.label(head)
    columns = picture.columns()
    assert [len(c) for c in columns] == [min(n, 4) for n in sizes]
    assert columns[1] == sorted(["H11", "H12", "H13", "H1,16"])  # first three and the last
    assert columns[3] == sorted(["H31", "H32", "H33", "H3,64"])


def test_a_layer_of_max_units_is_drawn_whole():
    picture = Picture(draw_network([2, 8, 9, 1], max_units=8))
    assert [len(c) for c in picture.columns()] == [2, 8, 4, 1]
    assert len(picture.edges) == 2 * 8 + 8 * 4 + 4 * 1


def test_each_layer_has_a_caption_with_its_size_and_activation():
    picture = Picture(draw_network(TensorMLP(2, [16, 32, 1], activation="tanh")))
    assert sorted(picture.captions()) == sorted(["2 inputs", "16 units\ntanh", "32 units\ntanh", "output\nlinear"])
    sizes_only = Picture(draw_network([2, 5, 1], activation="relu", output_activation="sigmoid"))
    assert sorted(sizes_only.captions()) == sorted(["2 inputs", "5 units\nrelu", "output\nsigmoid"])
    assert Picture(draw_network([2, 5, 1], captions=False)).captions() == []


def test_bad_arguments_are_refused_with_a_message():
    with pytest.raises(ValueError, match="at least two"):
        draw_network([3])
    with pytest.raises(ValueError, match="positive"):
        draw_network([2, 0, 1])
    with pytest.raises(TypeError, match="list of layer sizes"):
        draw_network("2-3-1")
    with pytest.raises(ValueError, match="knows its own"):
        draw_network(MLP(2, [3, 1]), activation="relu")
    with pytest.raises(ValueError, match="max_units"):
        draw_network([2, 1], max_units=3)


# --- rendering -----------------------------------------------------------------------------


@needs_dot
def test_the_network_renders_to_svg_with_its_labels(tmp_path):
    model = MLP(2, [2, 2, 1])
    path = save(draw_network(model, bias=True), tmp_path / "network.svg")
    texts = ["".join(t.itertext()) for t in ET.parse(path).iter("{http://www.w3.org/2000/svg}text")]
    assert {"X1", "X2", "H11", "H12", "H21", "H22", "Y", "1"} <= set(texts)


@needs_dot
def test_the_collapsed_network_renders_to_png(tmp_path):
    path = save(draw_network([1, 16, 32, 64, 64, 32, 16, 1], activation="relu"), tmp_path / "network.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
