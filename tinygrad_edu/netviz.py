"""Pictures of network architectures: which unit feeds which, drawn with Graphviz.

``draw_network`` draws a model (a scalar ``Neuron``, ``Layer`` or ``MLP``, a ``TensorMLP`` or a
``Linear``) or a plain list of layer sizes the way the lessons draw networks: the inputs on the
left, each hidden layer in a column, the outputs on the right, an arrow for every weight.

    draw_network([1, 1], bias=True)         1 -> Y <- X          (linear regression)
    draw_network([2, 2, 2, 1])              X1, X2 -> H11, H12 -> H21, H22 -> Y
    draw_network([1, 3, 1])                 X -> H11, H12, H13 -> Y

Hidden unit ``H21`` is layer 2, unit 1. For a trained model each arrow shows its weight: blue
for a positive weight, red for a negative one, thicker for a larger one (the width is
proportional to |w| / the largest |w| in the network). A layer wider than ``max_units`` is
drawn as its first three units, an ellipsis "... (n more)" and its last unit, with arrows only
between the units shown, so a deep, wide network stays readable. The result is a
``graphviz.Digraph`` (a ``pictures.Graph``, as ``draw_dot`` returns): in Jupyter it shows
inline, or says how to install Graphviz; ``viz.save(graph, "net.svg")`` renders it.
"""

from __future__ import annotations

from typing import List, NamedTuple, Optional, Sequence

import graphviz
import numpy as np

from .nn import MLP, Layer, Linear, Neuron, TensorMLP
from .pictures import Graph

POSITIVE = "#2563eb"  # blue: a positive weight
NEGATIVE = "#dc2626"  # red: a negative weight
PLAIN = "#4b5563"  # grey: a zero weight, or weights not shown

_FILL = {"input": "#dbeafe", "hidden": "#f3f4f6", "output": "#dcfce7", "bias": "#fef3c7"}
_FIRST_SHOWN = 3  # a collapsed layer shows this many units, then "...", then its last unit


class Architecture(NamedTuple):
    """What a network picture needs to know about a model."""

    sizes: List[int]  # units per layer, inputs first
    activations: List[Optional[str]]  # one per layer after the inputs (None: not known)
    weights: Optional[List[np.ndarray]]  # per layer, shape (nout, nin), as torch.nn.Linear
    biases: Optional[List[np.ndarray]]  # per layer, shape (nout,)


def architecture(model_or_sizes, activation: Optional[str] = None, output_activation: Optional[str] = None) -> Architecture:
    """Read sizes, activations, weights and biases from a model, or take a list of sizes.

    ``activation`` (hidden layers) and ``output_activation`` (the last layer) only apply to a
    list of sizes, which cannot say what its units compute; a model says it itself.
    """
    model = model_or_sizes
    if isinstance(model, (list, tuple)):
        sizes = list(model)
        if not all(isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) for n in sizes):
            raise TypeError(f"give the layer sizes as a list of whole numbers, inputs first, such as [2, 3, 1], got {model!r}")
        if len(sizes) < 2 or not all(n >= 1 for n in sizes):
            raise ValueError(f"give the layer sizes as a list of at least two positive whole numbers, inputs first, got {model!r}")
        for name, text in (("activation", activation), ("output_activation", output_activation)):
            if text is not None and not isinstance(text, str):
                raise TypeError(f"{name} is a caption (text), such as 'relu', got {type(text).__name__} {text!r}")
        return Architecture([int(n) for n in sizes], [activation] * (len(sizes) - 2) + [output_activation], None, None)
    if activation is not None or output_activation is not None:
        raise ValueError("activation and output_activation are for a list of sizes; a model knows its own activations")
    if isinstance(model, Neuron):
        weights = [np.array([[w.data for w in model.w]])]
        biases = [np.array([model.b.data])]
        activations = [model.activation]
    elif isinstance(model, (Layer, MLP)):
        layers = [model] if isinstance(model, Layer) else model.layers
        weights = [layer.weight_array() for layer in layers]
        biases = [layer.bias_array() for layer in layers]
        activations = [layer.activation for layer in layers]
    elif isinstance(model, (Linear, TensorMLP)):
        layers = [model] if isinstance(model, Linear) else model.layers
        weights = [np.array(layer.weight.data, dtype=float) for layer in layers]
        biases = [np.array(layer.bias.data, dtype=float) for layer in layers]
        hidden = model.activation if isinstance(model, TensorMLP) else None
        activations = [hidden] * (len(layers) - 1) + ["linear"]
    else:
        raise TypeError(
            f"draw_network takes a Neuron, Layer, MLP, Linear or TensorMLP, or a list of layer sizes "
            f"such as [2, 3, 1]; got {type(model).__name__}"
        )
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    return Architecture(sizes, activations, weights, biases)


def shown_units(n: int, max_units: int) -> List[int]:
    """Which units of a layer of ``n`` are drawn: all of them, or the first three and the last."""
    if n <= max_units:
        return list(range(n))
    return list(range(_FIRST_SHOWN)) + [n - 1]


def unit_label(layer: int, unit: int, size: int, last_layer: int) -> str:
    """X1, X2 for inputs (X if alone), H21 for layer 2 unit 1, Y1, Y2 for outputs (Y if alone).

    Layer and unit numbers count from 1; past 9 a comma keeps them apart (H1,16).
    """
    if layer == 0 or layer == last_layer:
        letter = "X" if layer == 0 else "Y"
        return letter if size == 1 else f"{letter}{unit + 1}"
    separator = "" if layer < 10 and unit + 1 < 10 else ","
    return f"H{layer}{separator}{unit + 1}"


def caption(layer: int, size: int, activation: Optional[str], last_layer: int) -> str:
    """The text under a layer: how many units, and what they compute (two lines of text)."""
    if layer == 0:
        return "input" if size == 1 else f"{size} inputs"
    if layer == last_layer:
        text = "output" if size == 1 else f"{size} outputs"
    else:
        text = f"{size} unit" + ("" if size == 1 else "s")
    return text + (f"\n{activation}" if activation else "")


def _text(text: str) -> str:
    """``text`` as a Graphviz label that shows exactly these characters: never read as an
    HTML-like label (``<...>``), backslashes shown as backslashes, each line on a line."""
    return graphviz.nohtml("\\n".join(line.replace("\\", "\\\\") for line in text.split("\n")))


def _check_names(names: Optional[Sequence[str]], size: int, what: str) -> Optional[List[str]]:
    if names is None:
        return None
    if isinstance(names, str) or not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        raise TypeError(f"{what} is a list of names (text), one per unit, such as ['age', 'weight'], got {names!r}")
    names = list(names)
    if len(names) != size:
        raise ValueError(f"{what} has {len(names)} names, but the network has {size} {what.split('_')[0]}s")
    return names


def draw_network(
    model_or_sizes,
    *,
    bias: bool = False,
    input_names: Optional[Sequence[str]] = None,
    output_names: Optional[Sequence[str]] = None,
    show_weights: bool = True,
    weight_labels: bool = False,
    activation: Optional[str] = None,
    output_activation: Optional[str] = None,
    max_units: int = 8,
    captions: bool = True,
) -> graphviz.Digraph:
    """The architecture of a network as a ``graphviz.Digraph``, inputs left, outputs right.

    ``model_or_sizes``: a ``Neuron``, ``Layer``, ``MLP``, ``Linear`` or ``TensorMLP``, or the
    layer sizes, inputs first (``[2, 2, 2, 1]``).
    ``bias``: draw a "1" node feeding each layer; its arrows are the biases (an intercept).
    ``input_names``, ``output_names``: labels instead of X1, X2, ... and Y1, Y2, ...
    ``show_weights``: colour each arrow by its weight's sign (blue +, red -) and set its width
    by |w| relative to the largest |w|; ``weight_labels`` also writes each weight beside it.
    Both need a model; a list of sizes has no weights.
    ``activation``, ``output_activation``: captions for a list of sizes (a model knows its own).
    ``max_units``: a layer wider than this (at least 4) is collapsed to its first three
    units, "... (n more)" and its last unit.
    ``captions``: write each layer's size and activation under it.
    """
    switches = dict(bias=bias, show_weights=show_weights, weight_labels=weight_labels, captions=captions)
    for name, value in switches.items():
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"draw_network: {name} is True or False, got {type(value).__name__} {value!r}")
    if isinstance(max_units, (bool, np.bool_)) or not isinstance(max_units, (int, np.integer)):
        raise TypeError(f"max_units must be a whole number of at least 4, got {type(max_units).__name__} {max_units!r}")
    if max_units < 4:
        raise ValueError(f"max_units must be a whole number of at least 4, got {max_units!r}")
    net = architecture(model_or_sizes, activation, output_activation)
    sizes, last = net.sizes, len(net.sizes) - 1
    input_names = _check_names(input_names, sizes[0], "input_names")
    output_names = _check_names(output_names, sizes[-1], "output_names")
    has_weights = show_weights and net.weights is not None
    largest = 0.0
    if has_weights:
        arrays = net.weights + (net.biases if bias else [])
        largest = max(float(np.max(np.abs(a))) for a in arrays)

    dot = Graph(
        "network",
        graph_attr={"rankdir": "LR", "splines": "line", "ranksep": "1.0", "nodesep": "0.2", "ordering": "out"},
        node_attr={"fontname": "Helvetica", "fontsize": "11", "style": "filled", "penwidth": "0.8"},
        edge_attr={"arrowsize": "0.5", "color": PLAIN},
    )

    def unit_id(layer: int, unit: int) -> str:
        return f"L{layer}_{unit}"

    # One column (rank) per layer, top to bottom: the bias node feeding the next layer, the
    # units (collapsed if wide), the caption. ``columns`` keeps each column's order.
    columns = []
    for layer, size in enumerate(sizes):
        kind = "input" if layer == 0 else "output" if layer == last else "hidden"
        names = input_names if layer == 0 else output_names if layer == last else None
        order = []
        with dot.subgraph(name=f"layer{layer}") as column:
            column.attr(rank="same")
            if bias and layer < last:
                order.append(f"bias{layer + 1}")
                column.node(order[-1], label="1", shape="circle", fillcolor=_FILL["bias"], width="0.3", fontsize="10")
            for unit in shown_units(size, max_units):
                if unit == size - 1 and size > max_units:
                    order.append(f"L{layer}_more")
                    column.node(order[-1], label=f"... ({size - _FIRST_SHOWN - 1} more)", shape="plaintext", style="")
                label = names[unit] if names else unit_label(layer, unit, size, last)
                order.append(unit_id(layer, unit))
                column.node(order[-1], label=_text(label), shape="ellipse" if names else "circle", fillcolor=_FILL[kind])
            if captions:
                text = caption(layer, size, net.activations[layer - 1] if layer else None, last)
                order.append(f"caption{layer}")
                column.node(order[-1], label=_text(text), shape="plaintext", style="", fontsize="9", fontcolor="#6b7280")
        columns.append(order)

    def weight_attrs(w: Optional[float]) -> dict:
        """Colour by sign, width by size, for one weight (nothing if weights are not shown)."""
        if w is None:
            return {}
        attrs = {
            "color": POSITIVE if w > 0 else NEGATIVE if w < 0 else PLAIN,
            "penwidth": f"{0.3 + 3.2 * abs(w) / largest:.2f}" if largest > 0 else "1",
            "tooltip": f"w = {w:.4g}",
        }
        if weight_labels:
            attrs.update(label=f"{w:.3g}", fontsize="9", fontcolor=attrs["color"])
        return attrs

    # Arrows: from every shown unit of one layer (and its bias node) to every shown unit of
    # the next; the weight on the arrow i -> j is W[j, i], the bias on 1 -> j is b[j].
    for layer in range(1, last + 1):
        for j in shown_units(sizes[layer], max_units):
            head = unit_id(layer, j)
            if bias:
                b = float(net.biases[layer - 1][j]) if has_weights else None
                dot.edge(f"bias{layer}", head, **weight_attrs(b))
            for i in shown_units(sizes[layer - 1], max_units):
                w = float(net.weights[layer - 1][j, i]) if has_weights else None
                dot.edge(unit_id(layer - 1, i), head, **weight_attrs(w))
    # Invisible arrows down each column keep its nodes in order.
    for order in columns:
        for upper, lower in zip(order, order[1:]):
            dot.edge(upper, lower, style="invis")
    return dot
