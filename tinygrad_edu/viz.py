"""Pictures of computation graphs, drawn with Graphviz.

``draw_dot(root)`` returns a ``graphviz.Digraph`` (a ``pictures.Graph``): in Jupyter it shows
inline (or, without Graphviz's ``dot`` program, says how to install it); ``save(graph,
"graph.svg")`` renders it to a file. Each value is a record (label | data | grad); each op
that produced a value is a small oval between its inputs and its output, so the picture reads
like the formula.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import graphviz
import numpy as np

from .checks import short
from .engine import topological_order
from .pictures import GRAPHVIZ_MISSING, Graph, GraphvizMissing, save  # noqa: F401  (viz.save draws either picture)

_LEAF_COLOUR = "#dbeafe"  # inputs and parameters: where gradients end up
_CONSTANT_COLOUR = "#f3f4f6"  # unlabelled numbers written into the formula
_OUTPUT_COLOUR = "#dcfce7"  # the value backward() starts from


def _format_number(x: float) -> str:
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.4f}"
    return f"{x:.3e}"


def _format(data) -> str:
    """A number as 4 decimals; an array by its shape (and its values when it is tiny)."""
    if data is None:
        return "None"
    array = np.asarray(data)
    if array.ndim == 0:
        return _format_number(float(array))
    if array.size <= 4:
        return "[" + " ".join(_format_number(float(v)) for v in array.ravel()) + f"] {array.shape}"
    return f"shape {array.shape}"


def _escape_record(text: str) -> str:
    """Backslash the characters that structure a Graphviz record label."""
    for ch in "\\{}|<>\"":
        text = text.replace(ch, "\\" + ch)
    return text


def _collect(root) -> Tuple[List, List[Tuple[int, int]]]:
    """Every node reachable from ``root`` (numbered in discovery order) and its parent edges."""
    if not hasattr(root, "parents") or not hasattr(root, "op"):
        raise TypeError(
            f"a computation graph ends in a Value or a Tensor (the result of a computation, such as loss), "
            f"got {type(root).__name__} {short(root)}"
        )
    index: Dict[int, int] = {id(root): 0}
    nodes, edges, stack = [root], [], [root]
    while stack:
        node = stack.pop()
        for parent in getattr(node, "parents", ()):
            if id(parent) not in index:
                index[id(parent)] = len(nodes)
                nodes.append(parent)
                stack.append(parent)
            edges.append((index[id(parent)], index[id(node)]))
    for node in nodes:
        if not isinstance(node.label, str):  # set after the node was made: .label = ...
            raise TypeError(f"a label is text: give a str, got {type(node.label).__name__} {short(node.label)} on {short(node)}")
    return nodes, edges




COMPACT_ABOVE = 60  # values; a larger graph is drawn compact unless told otherwise


def _group(label: str) -> str:
    """The group a parameter belongs to, from a dotted label: ``"L0.n3.w1"`` -> ``"L0.n3"``."""
    return label.rsplit(".", 1)[0] if "." in label else ""


def _groups(root) -> Dict[int, str]:
    """Assign each value to the group (a neuron, say) whose parameters it was computed from.

    A leaf's group comes from its dotted label; an interior value joins the group of its first
    labelled leaf parent (the weight in ``w * x``), else of its first grouped parent. Walking in
    topological order means every parent is placed before the values computed from it.
    """
    group: Dict[int, str] = {}

    def group_of(node) -> str:
        return group[id(node)] if node.parents else _group(node.label)

    for node in topological_order(root):
        if node.parents:
            from_leaves = [group_of(p) for p in node.parents if not p.parents and group_of(p)]
            from_values = [group_of(p) for p in node.parents if group_of(p)]
            group[id(node)] = (from_leaves or from_values or [""])[0]
    return group


def draw_dot(root, rankdir: str = "LR", show_grads: bool = True, compact: Optional[bool] = None) -> graphviz.Digraph:
    """The computation graph that produced ``root``, as a ``graphviz.Digraph``.

    One record per value (its label, ``data`` and ``grad``), one oval per op. Run
    ``root.backward()`` first to see the gradients filled in. ``rankdir="TB"`` draws it top
    to bottom. ``show_grads=False`` writes every gradient as ``grad ?``: the graph after the
    forward pass, before backward.

    Large graphs stay legible: above ``COMPACT_ABOVE`` values (or with ``compact=True``) each
    op is written into the record of the value it produced, plain numbers shrink to small
    text, and values computed from parameters with dotted labels (an MLP's ``L0.n3.w1``) are
    boxed by neuron. On Tensor graphs, an edge into a broadcasting op whose operand has a
    different shape from the result is labelled with the shape its gradient is summed back to.
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of LR, RL, TB, BT, got {rankdir!r}")
    if not isinstance(show_grads, (bool, np.bool_)) or compact is not None and not isinstance(compact, (bool, np.bool_)):
        raise TypeError(f"show_grads and compact are True or False, got show_grads={show_grads!r}, compact={compact!r}")
    nodes, edges = _collect(root)
    compact = len(nodes) > COMPACT_ABOVE if compact is None else compact
    dot = Graph(
        "computation_graph",
        # nslimit caps dot's placement passes: the same picture for small graphs, seconds
        # instead of minutes for a long formula that uses one variable a hundred times
        graph_attr={"rankdir": rankdir, "nodesep": "0.15", "ranksep": "0.3", "nslimit": "1"},
        node_attr={"fontname": "Helvetica", "fontsize": "10", "height": "0.3"},
        edge_attr={"arrowsize": "0.6"},
    )
    groups = _groups(root) if compact else {}
    clusters: Dict[str, graphviz.Digraph] = {}
    for i, node in enumerate(nodes):
        name = f"v{i}"
        is_leaf = not node.parents
        group = groups.get(id(node), _group(node.label)) if compact else ""
        if group and group not in clusters:
            clusters[group] = graphviz.Digraph(name=f"cluster_{len(clusters)}")
            clusters[group].attr(label=graphviz.escape(group), style="rounded,dashed", color="grey60", fontsize="9")
        canvas = clusters[group] if group else dot
        if compact and is_leaf and not node.label:  # a plain number written into the formula
            canvas.node(name, label=_escape_record(_format(node.data)), shape="plaintext", fontsize="8")
            continue
        colour = _OUTPUT_COLOUR if node is root else (_LEAF_COLOUR if node.label else _CONSTANT_COLOUR) if is_leaf else "white"
        fields = [node.label] if node.label else []
        if compact and not is_leaf:
            fields.insert(0, node.op.name)
        if show_grads:
            grad = _format(node.grad)
        else:  # "?" with room (figure spaces: as wide as a digit) for the widest gradient of this
            # shape, so the box still fits the gradient when it is filled in later
            widest = _format(np.broadcast_to(-1.234e-05, np.shape(node.data)))
            grad = "?".center(len(widest), "\u2007")
        fields += [f"data {_format(node.data)}", f"grad {grad}"]
        record = "{ " + " | ".join(_escape_record(f) for f in fields) + " }"
        canvas.node(name, label=record, shape="record", style="filled", fillcolor=colour)
        if not is_leaf and not compact:
            canvas.node(f"{name}op", label=graphviz.escape(node.op.name), shape="oval", fontsize="9", margin="0.02")
            canvas.edge(f"{name}op", name)
    for cluster in clusters.values():
        dot.subgraph(cluster)
    for parent, child in edges:
        target = f"v{child}" if compact else f"v{child}op"
        dot.edge(f"v{parent}", target, **_broadcast_note(nodes[parent], nodes[child]))
    return dot


def _broadcast_note(parent, child) -> Dict[str, str]:
    """Edge attributes saying where backward sums a broadcast gradient back to a smaller shape."""
    parent_shape, child_shape = np.shape(parent.data), np.shape(child.data)
    if child.op.broadcasts and parent_shape != child_shape:
        return {"label": f"grad summed to {parent_shape}", "fontsize": "8", "fontcolor": "#b45309"}
    return {}


from .netviz import draw_network  # noqa: E402,F401  (viz.draw_network: pictures of architectures)
