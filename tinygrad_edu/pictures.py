"""What every Graphviz picture shares: shown in Jupyter, or saved to a file.

``draw_dot`` (a computation graph, ``viz.py``) and ``draw_network`` (an architecture,
``netviz.py``) both return a ``Graph``: a ``graphviz.Digraph`` that, shown in Jupyter where
Graphviz's ``dot`` program is missing, says how to install it instead of raising
``ExecutableNotFound``. ``save(graph, "graph.svg")`` renders either to a file, the format
named by the suffix; the step-through page (``stepper.py``) is written with ``write_file`` too,
so a file that cannot be written is refused naming it, whatever wrote it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Union

import graphviz

GRAPHVIZ_MISSING = (
    "Graphviz's `dot` program was not found, so the graph cannot be drawn. "
    "Install it with `apt-get install -y graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS) or from https://graphviz.org/download/, then try again. The graph's DOT source is "
    "still available as `graph.source`."
)


class GraphvizMissing(RuntimeError):
    """Graphviz's ``dot`` program is not installed; the message (``GRAPHVIZ_MISSING``) says how
    to install it."""


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` that, shown in Jupyter without Graphviz's ``dot``, says how to
    install it (``GRAPHVIZ_MISSING``, as ``save`` does) instead of raising ``ExecutableNotFound``."""

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            return {"text/plain": GRAPHVIZ_MISSING}


def save(graph: graphviz.Digraph, path: Union[str, Path]) -> Path:
    """Render ``graph`` to ``path``; the format comes from the suffix (.svg, .png, .pdf).

    Raises ``GraphvizMissing`` (a ``RuntimeError``) with installation instructions if Graphviz's
    ``dot`` is missing.
    """
    if not isinstance(graph, graphviz.Digraph):
        raise TypeError(f"save writes a picture made by draw_dot or draw_network, got {type(graph).__name__}")
    path = file_name(path, "save")
    fmt = path.suffix.lstrip(".").lower()
    if not path.name:
        raise ValueError(f"give save a file name, such as graph.svg, got {str(path)!r}")
    if not fmt:
        raise ValueError(f"give the file a suffix that names the format, such as {path}.svg or {path}.png")
    if fmt not in graphviz.FORMATS:
        raise ValueError(f"{path.name}: Graphviz cannot write .{fmt} files; use .svg, .png or .pdf")
    try:
        picture = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(GRAPHVIZ_MISSING) from None
    return write_file(path, picture, example="graph.svg")  # only the requested file: no DOT file beside it


def file_name(path, action: str) -> Path:
    """``path`` as a ``Path``, refused unless it is a file name (a str or a pathlib.Path)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{action} takes a file name (a str or a pathlib.Path), got {type(path).__name__} {path!r}")
    return Path(path)


def write_file(path: Path, data: bytes, example: str) -> Path:
    """Write ``data`` to the file ``path``. A folder is refused (give a file name inside it, such
    as ``example``), and any error names the file."""
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a folder; give a file name, such as {path / example}")
    try:
        path.write_bytes(data)
    except OSError as error:
        if error.errno is None:
            raise
        raise OSError(error.errno, error.strerror, str(path)) from None  # the same kind (errno picks it), naming the file
    return path
