"""Pictures of computation graphs, drawn with Graphviz.

``draw_dot(root)`` returns a ``graphviz.Digraph``: in Jupyter it shows inline; ``save(graph,
"graph.svg")`` renders it to a file. Each value is a record (label | data | grad); each op that
produced a value is a small oval between its inputs and its output, so the picture reads like
the formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple, Union

import graphviz
import numpy as np

GRAPHVIZ_MISSING = (
    "Graphviz's `dot` program was not found, so the graph cannot be rendered to a file. "
    "Install it with `apt-get install -y graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS) or from https://graphviz.org/download/, then try again. The graph's DOT source is "
    "still available as `graph.source`."
)

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
    return nodes, edges


def draw_dot(root, rankdir: str = "LR", show_grads: bool = True) -> graphviz.Digraph:
    """The computation graph that produced ``root``, as a ``graphviz.Digraph``.

    One record per value (its label, ``data`` and ``grad``), one oval per op. Run
    ``root.backward()`` first to see the gradients filled in. ``rankdir="TB"`` draws it top
    to bottom. ``show_grads=False`` writes every gradient as ``grad ?``: the graph after the
    forward pass, before backward.
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of LR, RL, TB, BT, got {rankdir!r}")
    nodes, edges = _collect(root)
    dot = graphviz.Digraph(
        "computation_graph",
        graph_attr={"rankdir": rankdir, "nodesep": "0.15", "ranksep": "0.3"},
        node_attr={"fontname": "Helvetica", "fontsize": "10", "height": "0.3"},
        edge_attr={"arrowsize": "0.6"},
    )
    for i, node in enumerate(nodes):
        name = f"v{i}"
        is_leaf = not node.parents
        colour = _OUTPUT_COLOUR if node is root else (_LEAF_COLOUR if node.label else _CONSTANT_COLOUR) if is_leaf else "white"
        fields = [node.label] if node.label else []
        grad = _format(node.grad) if show_grads else "?"
        fields += [f"data {_format(node.data)}", f"grad {grad}"]
        record = "{ " + " | ".join(_escape_record(f) for f in fields) + " }"
        dot.node(name, label=record, shape="record", style="filled", fillcolor=colour)
        if not is_leaf:
            dot.node(f"{name}op", label=node.op, shape="oval", fontsize="9", margin="0.02")
            dot.edge(f"{name}op", name)
    for parent, child in edges:
        dot.edge(f"v{parent}", f"v{child}op")
    return dot


def save(graph: graphviz.Digraph, path: Union[str, Path]) -> Path:
    """Render ``graph`` to ``path``; the format comes from the suffix (.svg, .png, .pdf).

    Raises ``RuntimeError`` with installation instructions if Graphviz's ``dot`` is missing.
    """
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if not fmt:
        raise ValueError(f"give the file a suffix that names the format, such as {path}.svg or {path}.png")
    try:
        picture = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise RuntimeError(GRAPHVIZ_MISSING) from None
    path.write_bytes(picture)  # only the requested file is written; no DOT file beside it
    return path


from .netviz import draw_network
