"""The graph picture: ``draw_dot`` builds Graphviz DOT source, ``save`` renders it with ``dot``.

The DOT source is plain text, so most of the picture can be checked without drawing it: one
record per value (label | data | grad), one oval per op, and arrows from each input's record
to the op, and from the op to its output's record. Rendering needs Graphviz's ``dot``
program; those tests are skipped where it is not installed.
"""

import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter

import graphviz
import pytest

from tinygrad_edu import Value
from tinygrad_edu.nn import Neuron
from tinygrad_edu.viz import draw_dot, save

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")

NODE_LINE = re.compile(r'^\t(\w+) \[label=("(?:[^"\\]|\\.)*"|[^\s\]]+)(.*)\]$')
EDGE_LINE = re.compile(r"^\t(\w+) -> (\w+)")


def parse_dot(source):
    """``({node name: (label, other attributes)}, [(tail, head), ...])`` from DOT source."""
    nodes, edges = {}, []
    for line in source.splitlines():
        if match := EDGE_LINE.match(line):
            edges.append((match[1], match[2]))
        elif match := NODE_LINE.match(line):
            label = match[2][1:-1] if match[2].startswith('"') else match[2]
            nodes[match[1]] = (label, match[3])
    return nodes, edges


def record_fields(label):
    """Split a record label ``{ f1 | f2 | f3 }`` into its fields, reading escapes as Graphviz does.

    A backslash makes the next character plain text. An unescaped brace or angle bracket
    inside the record would change its structure (a nested record, a port), so it fails the test.
    """
    assert label.startswith("{") and label.endswith("}"), label
    fields, current, chars = [], "", iter(label[1:-1])
    for ch in chars:
        if ch == "\\":
            current += next(chars)
        elif ch == "|":
            fields.append(current.strip())
            current = ""
        else:
            assert ch not in "{}<>", f"unescaped {ch!r} in record label {label!r}"
            current += ch
    return fields + [current.strip()]


def shown(x):
    """How the picture prints a number: 4 decimals, or 4 significant digits when tiny or huge."""
    return f"{x:.4f}" if x == 0 or 1e-3 <= abs(x) < 1e4 else f"{x:.3e}"


def all_values(root):
    """Every Value that ``root`` was computed from, including itself."""
    seen, stack = {id(root): root}, [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return list(seen.values())


def picture(root):
    """Records ``{name: fields}``, ops ``{name: op label}`` and edges of ``draw_dot(root)``."""
    nodes, edges = parse_dot(draw_dot(root).source)
    records = {name: record_fields(label) for name, (label, attrs) in nodes.items() if "shape=record" in attrs}
    ops = {name: label for name, (label, attrs) in nodes.items() if "shape=oval" in attrs}
    assert len(records) + len(ops) == len(nodes)
    return records, ops, edges


def labelled_expression():
    """L = tanh(a*b + c) * k - (big*small)**2 / exp(a); every value labelled, gradients filled in."""
    a, b, c, k = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="k")
    big, small = Value(12345.678, label="big"), Value(1.234e-5, label="small")
    ab = a * b
    ab.label = "ab"
    n = ab + c
    n.label = "n"
    t = n.tanh()
    t.label = "t"
    tk = t * k
    tk.label = "tk"
    bs = big * small
    bs.label = "bs"
    sq = bs**2
    sq.label = "sq"
    ea = a.exp()
    ea.label = "ea"
    q = sq / ea
    q.label = "q"
    loss = tk - q
    loss.label = "L"
    loss.backward()
    return loss


def test_draw_dot_returns_a_graphviz_digraph():
    assert isinstance(draw_dot(Value(1.0)), graphviz.Digraph)


def test_every_value_is_one_record_showing_its_label_data_and_grad():
    root = labelled_expression()
    records, _, _ = picture(root)
    values = all_values(root)
    assert len(records) == len(values) == 15  # 6 leaves (a, b, c, k, big, small) + 9 computed values
    expected = sorted([v.label, f"data {shown(v.data)}", f"grad {shown(v.grad)}"] for v in values)
    assert sorted(records.values()) == expected
    by_label = {fields[0]: fields for fields in records.values()}
    assert by_label["big"][1] == "data 1.235e+04"  # 12345.678 is too wide for 4 decimals
    assert by_label["small"][1] == "data 1.234e-05"  # 0.00001234 with 4 decimals would read 0.0000


def test_each_computed_value_has_one_op_node_between_its_inputs_and_itself():
    root = labelled_expression()
    records, ops, edges = picture(root)
    name_of = {fields[0]: name for name, fields in records.items()}  # labels are unique here
    values = all_values(root)
    interior = [v for v in values if v.parents]
    assert len(ops) == len(interior) == 9
    for v in interior:
        (op,) = [tail for tail, head in edges if head == name_of[v.label]]  # exactly one arrow in
        assert ops[op] == v.op.name
        arrows_into_op = Counter(tail for tail, head in edges if head == op)
        assert arrows_into_op == Counter(name_of[p.label] for p in v.parents)
    for v in values:
        if not v.parents:
            assert not [tail for tail, head in edges if head == name_of[v.label]]  # leaves: no op
    assert len(edges) == sum(len(v.parents) for v in interior) + len(interior)
    assert sorted(ops.values()) == sorted(["*", "+", "tanh", "*", "*", "**2", "exp", "/", "-"])


def test_a_value_used_twice_sends_two_arrows_into_the_op():
    """x * x: both inputs of * are x, so the picture shows two arrows from x's record."""
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    records, ops, edges = picture(y)
    name_of = {fields[0]: name for name, fields in records.items()}
    (op,) = ops
    assert Counter(edges) == Counter({(name_of["x"], op): 2, (op, name_of["y"]): 1})
    assert records[name_of["x"]] == ["x", "data 3.0000", f"grad {shown(2 * 3.0)}"]  # d(x*x)/dx = 2x


def test_a_neuron_with_three_inputs_has_the_expected_nodes_and_edges():
    """o = tanh(((b + w0*x0) + w1*x1) + w2*x2).

    Records: 3 inputs + 3 weights + 1 bias = 7 leaves, plus 3 products, 3 sums and the tanh: 14.
    Op nodes: one per computed value: 7. Edges: 2 into each * and +, 1 into tanh (13), and one
    from every op to its output (7): 20.
    """
    x = [Value(v, label=f"x{i}") for i, v in enumerate([0.5, -1.0, 2.0])]
    o = Neuron(3, activation="tanh", seed=0)(x)
    o.backward()
    records, ops, edges = picture(o)
    assert len(records) == 14
    assert sorted(ops.values()) == sorted(["*"] * 3 + ["+"] * 3 + ["tanh"])
    assert len(edges) == 20


def test_a_lone_leaf_is_one_record_and_nothing_else():
    records, ops, edges = picture(Value(0.25, label="w"))
    assert list(records.values()) == [["w", "data 0.2500", "grad 0.0000"]]
    assert ops == {} and edges == []


def test_an_unlabelled_value_shows_only_data_and_grad():
    records, _, _ = picture(Value(-1.5))
    assert list(records.values()) == [["data -1.5000", "grad 0.0000"]]


SPECIAL_LABELS = ["{x|y}", "<port>", "a|b|c", 'say "hi"', "back\\slash", "}{"]


@pytest.mark.parametrize("label", SPECIAL_LABELS)
def test_labels_with_record_special_characters_are_escaped(label):
    """{ } | < > structure a record; unescaped, they would split or nest it (or break the file)."""
    records, _, _ = picture(Value(1.0, label=label))
    assert list(records.values()) == [[label, "data 1.0000", "grad 0.0000"]]


def test_rankdir_is_passed_to_graphviz():
    assert draw_dot(Value(1.0)).graph_attr["rankdir"] == "LR"  # left to right by default
    graph = draw_dot(Value(1.0), rankdir="TB")
    assert graph.graph_attr["rankdir"] == "TB"
    assert "rankdir=TB" in graph.source


@pytest.mark.parametrize("rankdir", ["XY", "lr", ""])
def test_an_unknown_rankdir_is_refused(rankdir):
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(Value(1.0), rankdir=rankdir)


# --- rendering -----------------------------------------------------------------------------


def svg_texts(path):
    """The text of every <text> element in an SVG file (parsing fails if it is not XML)."""
    tree = ET.parse(path)
    return ["".join(element.itertext()) for element in tree.iter("{http://www.w3.org/2000/svg}text")]


@needs_dot
def test_save_renders_an_svg_with_every_label_and_nothing_else(tmp_path):
    root = labelled_expression()
    path = save(draw_dot(root), tmp_path / "graph.svg")
    assert path == tmp_path / "graph.svg"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.svg"]  # no DOT file left beside it
    texts = svg_texts(path)
    for v in all_values(root):
        assert v.label in texts
    assert "tanh" in texts and f"grad {shown(root.grad)}" in texts


@needs_dot
def test_save_renders_a_png(tmp_path):
    path = save(draw_dot(labelled_expression()), tmp_path / "graph.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.png"]


@needs_dot
def test_special_characters_survive_rendering(tmp_path):
    values = [Value(float(i), label=label) for i, label in enumerate(SPECIAL_LABELS)]
    total = values[0]
    for v in values[1:]:
        total = total + v
    texts = svg_texts(save(draw_dot(total), tmp_path / "special.svg"))
    for label in SPECIAL_LABELS:
        assert label in texts


def test_save_needs_a_suffix_naming_the_format(tmp_path):
    with pytest.raises(ValueError, match="suffix"):
        save(draw_dot(Value(1.0)), tmp_path / "graph")


def test_without_dot_save_explains_how_to_install_graphviz(tmp_path, monkeypatch):
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no program named dot can be found
    with pytest.raises(RuntimeError) as info:
        save(draw_dot(Value(1.0)), tmp_path / "graph.svg")
    message = str(info.value)
    assert "dot" in message and "install" in message.lower() and "graphviz" in message.lower()
    assert "apt-get install" in message or "brew install" in message
    assert not (tmp_path / "graph.svg").exists()


# --- large graphs stay legible ---------------------------------------------------------------


def _mlp_graph_of_one_point():
    from tinygrad_edu.nn import MLP

    model = MLP(2, [4, 4, 1], seed=0)
    out = model([0.5, -1.0])
    out.backward()
    return model, out


def test_a_large_graph_is_drawn_compact_with_each_op_inside_its_value_record():
    """Above COMPACT_ABOVE values, the op ovals are folded into the records they produce."""
    from tinygrad_edu.viz import COMPACT_ABOVE

    _, out = _mlp_graph_of_one_point()
    source = draw_dot(out).source
    n_values = len(re.findall(r"^\s*v\d+ \[", source, flags=re.M))
    assert n_values > COMPACT_ABOVE
    assert not re.search(r"^\s*v\d+op ", source, flags=re.M)  # no separate op nodes
    assert re.search(r'label="\{ relu \| data', source)  # the op opens the record


def test_compact_can_be_forced_either_way():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    small = a * b
    assert "v0op" in draw_dot(small).source
    assert "v0op" not in draw_dot(small, compact=True).source
    _, out = _mlp_graph_of_one_point()
    assert re.search(r"^\s*v\d+op ", draw_dot(out, compact=False).source, flags=re.M)


def test_an_mlp_graph_is_boxed_by_neuron_from_the_dotted_parameter_labels():
    """Every neuron of MLP(2, [4, 4, 1]) gets a cluster named like its parameters (L0.n3)."""
    model, out = _mlp_graph_of_one_point()
    source = draw_dot(out).source
    cluster_labels = set(re.findall(r'subgraph cluster_\d+ \{\s*[^\n]*label="([\w.]+)"', source))
    expected = {f"L{i}.n{k}" for i, layer in enumerate(model.layers) for k in range(layer.nout)}
    assert cluster_labels == expected


def test_plain_numbers_shrink_to_small_text_in_a_compact_graph():
    _, out = _mlp_graph_of_one_point()
    source = draw_dot(out).source
    assert re.search(r'label="?-1\.0000"? fontsize=8 shape=plaintext', source)


def test_a_tensor_edge_into_a_broadcasting_op_names_the_shape_the_gradient_is_summed_to():
    """b of shape (3,) is broadcast over the rows of a (2, 3): its gradient is summed back."""
    import numpy as np

    from tinygrad_edu import Tensor

    a = Tensor(np.ones((2, 3)), requires_grad=True, label="a")
    b = Tensor([1.0, 2.0, 3.0], requires_grad=True, label="b")
    source = draw_dot((a * b).sum()).source
    notes = re.findall(r'(v\d+) -> v\d+op \[label="grad summed to \(3,\)"', source)
    assert len(notes) == 1
    b_node = re.search(r'(v\d+) \[label="\{ b \|', source).group(1)
    assert notes == [b_node]  # only b's edge, not a's (same shape as the product)
