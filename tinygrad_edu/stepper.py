"""A backward pass you can step through.

``record_backward(root)`` runs ``root.backward()`` and writes down every step of the chain rule:
which node is reached, the gradient dL/d(node) that has arrived there (complete, because every
node that used it has already been processed), and the share it sends on to each parent:

    dL/d(parent) += dL/d(node) * d(node)/d(parent)

``step_through_html(root)`` turns the steps into one self-contained HTML page: the picture of
``viz.draw_dot`` with every gradient unknown (``grad ?``), and Previous/Next buttons (or the
Left/Right arrow keys) that walk through the steps, highlighting the node being processed and
its parents, and filling in each gradient as it arrives. L is the value backward starts from.
The graph scrolls inside a box that fits the window and follows the highlighted nodes, shrinking
only when they would not fit at full size ("Fit to width" shrinks it all); ``page.html?step=N``
opens the page at step N.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Dict, List, Optional, Union

import graphviz
import numpy as np

from .pictures import GRAPHVIZ_MISSING, GraphvizMissing, file_name, write_file
from .viz import _collect, _format, draw_dot

@dataclass
class Send:
    """One share of the chain rule: what a node sends to one of its parents."""

    parent: str  # the parent's name in the picture ("v2")
    label: str  # the parent's label ("" if it has none)
    formula: str  # the share in words, such as "1.0000 * (1 - o**2)"
    amount: object  # dL/d(node) * d(node)/d(parent)
    numbers: str = ""  # the same with the values put in, such as "1.0000 * (1 - 0.7071**2)"


@dataclass
class Step:
    """One step of the backward pass, as the page shows it.

    The first step is the graph after the forward pass, before backward: no node, no gradient.
    Each step after it reaches one ``node`` and passes its gradient ``grad`` on (``sends``).
    The last step has no node either: its ``grads`` are the leaves' final gradients.
    """

    node: Optional[str]  # the node's name in the picture ("v0"), None for the first and last step
    label: str
    op: str
    grad: object  # dL/d(node), as it arrives
    sends: List[Send] = field(default_factory=list)
    grads: Dict[str, object] = field(default_factory=dict)  # gradients shown from this step on
    caption: str = ""


def _number(x) -> str:
    """A number or array as the picture prints it; a big array by its shape."""
    text = _format(x)
    return "an array of " + text if text.startswith("shape") else text


def _who(node) -> str:
    """A node in words: its label, or what it is."""
    if node.label:
        return node.label
    value = _number(node.data)
    return f"the {node.op.name} node (value {value})" if node.parents else f"the constant {value}"


def _symbol(node) -> str:
    """A node inside a formula: its label (in brackets unless a plain name), or its number."""
    if node.label:
        return node.label if node.label.isidentifier() else f"({node.label})"
    text = _number(node.data)
    return f"({text})" if text.startswith("-") else text


def _dl(node) -> str:
    """The gradient of a node in words: dL/dx, or dL/d(the constant 2.0000)."""
    return f"dL/d{_symbol(node)}" if node.label else f"dL/d({_who(node)})"


def _value_in_formula(node) -> str:
    """A node's value inside a formula: its number, in brackets when negative."""
    text = _number(node.data)
    return f"({text})" if text.startswith("-") else text


def share_in_words(node, i: int, grad: str, term=_symbol) -> str:
    """What ``node`` sends to its i-th parent, in words: the op's own ``words`` (see ``ops.py``),
    with ``grad`` standing for dL/d(node) and each number written by ``term`` (its symbol, or
    ``_value_in_formula`` for its value)."""
    op = node.op
    names = _Names(out=term(node), grad=grad)
    names.update((name, term(parent)) for name, parent in zip(op.inputs, node.parents))
    return op.words[i].format_map(names) if i < len(op.words) else ""


class _Names(dict):
    def __missing__(self, key: str) -> str:
        return key  # a name the op's words use but this node does not have


def _all_single_numbers(node) -> bool:
    """Whether the node and its parents each hold one number, so a formula can show their values."""
    return all(np.size(n.data) == 1 for n in (node, *node.parents))



def _caption(node, grad, sends, parents) -> str:
    """One step in words, each formula written twice: with symbols, then with their values.

    "tanh node o = 0.7071: receives dL/do = 1.0000; sends dL/do * (1 - o**2)
    = 1.0000 * (1 - 0.7071**2) = 0.5000 to n"
    """
    if node.label:
        text = f"{node.op.name} node {node.label} = {_number(node.data)}: receives {_dl(node)} = {_number(grad)}"
    else:
        text = f"{node.op.name} node (value {_number(node.data)}): receives dL/d(this node) = {_number(grad)}"
    shares = []
    for send, parent in zip(sends, parents):
        amount = _number(send.amount)
        worked = [words for words in (send.formula, send.numbers) if words and words != amount]
        shares.append(" = ".join(dict.fromkeys(worked + [amount])) + f" to {_who(parent)}")
    return text + ("; sends " + ", ".join(shares) if shares else "")


def record_backward(root) -> List[Step]:
    """Run ``root.backward()`` and return its steps, as listed in ``Step``.

    The steps show one backward pass from zero, whatever gradients the leaves held before.
    Recording is only looking: afterwards every ``.grad`` in the graph is restored to what it
    was, so gradients the caller accumulated are not lost. A parent's gradient is a running
    total: a value used twice shows one share after the first step that reaches it, the sum
    after the second.
    """
    nodes, _ = _collect(root)
    names = {id(node): f"v{i}" for i, node in enumerate(nodes)}  # the names draw_dot gives
    leaves = [node for node in nodes if not node.parents]
    saved = [(node, node.grad) for node in nodes]
    for leaf in leaves:
        leaf.zero_grad()
    start = (
        "After the forward pass: every value is known, no gradient yet. Backward starts at the "
        f"output L = {_who(root)}, with dL/dL = 1."
    )
    steps = [Step(node=None, label="", op="", grad=None, caption=start)]
    totals: Dict[str, object] = {}  # each node's gradient so far

    def on_step(node, grad, parent_grads):
        name = names[id(node)]
        totals[name] = grad
        sends, parents = [], []
        for i, (parent, amount) in enumerate(zip(node.parents, parent_grads)):
            if amount is None or not parent.requires_grad:
                continue  # plain data: no gradient flows into it
            to = names[id(parent)]
            totals[to] = amount if to not in totals else totals[to] + amount
            received = _dl(node) if node.label else "dL/d(this node)"
            formula = share_in_words(node, i, received)
            numbers = share_in_words(node, i, _number(grad), _value_in_formula) if _all_single_numbers(node) else ""
            sends.append(Send(to, parent.label, formula, amount, numbers))
            parents.append(parent)
        grads = {n: totals[n] for n in [name] + [send.parent for send in sends]}
        caption = _caption(node, grad, sends, parents)
        steps.append(Step(name, node.label, node.op.name, grad, sends, grads, caption))

    try:
        root.backward(on_step=on_step)
        finals = {names[id(leaf)]: leaf.grad for leaf in leaves}
        known = [f"{_dl(leaf)} = {_number(leaf.grad)}" for leaf in leaves if leaf.requires_grad]
    finally:
        for node, grad in saved:
            node.grad = grad
    done = "Done: every gradient is known. " + ", ".join(known)
    steps.append(Step(node=None, label="", op="", grad=None, grads=finals, caption=done))
    return steps


def _svg(graph: graphviz.Digraph) -> str:
    """The picture as an ``<svg>`` element, ready to sit inside an HTML page."""
    try:
        svg = graph.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing(GRAPHVIZ_MISSING) from None
    svg = svg[svg.index("<svg") :]  # drop the XML prologue and DOCTYPE: this is HTML now
    # inside HTML, <svg> needs no namespace declarations (and the page then names no URL)
    svg = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "")
    return svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")


def _json_for_html(data) -> str:
    """JSON that cannot end its <script> block early: <, > and & are written as \\u escapes."""
    text = json.dumps(data)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _have_grads(grads: Dict[str, object]) -> List[str]:
    """The names of the nodes that have a gradient (plain data in a Tensor graph has none)."""
    return [name for name, grad in grads.items() if grad is not None]


def step_through_html(root, title: str = "Backward, step by step", rankdir: str = "LR") -> str:
    """A self-contained HTML page that steps through ``root.backward()`` (runs it once).

    Everything is inline (picture, style, script), so the page opens without a network. The
    steps travel as JSON in a ``<script type="application/json">`` block that the script
    parses; user labels reach the page only through Graphviz's SVG escaping and that JSON.
    """
    _check_title(title)
    svg = _svg(draw_dot(root, rankdir=rankdir, show_grads=False))  # checks root and rankdir before backward runs
    steps = record_backward(root)
    page_steps = [
        {
            "node": step.node,
            "receiving": [send.parent for send in step.sends] if step.node else _have_grads(step.grads),
            "grads": {name: f"grad {_format(grad)}" for name, grad in step.grads.items()},
            "caption": step.caption,
        }
        for step in steps
    ]
    # one pass of substitution: text put into the page is never searched for more placeholders
    return PAGE.substitute(title=html.escape(title), svg=svg, steps=_json_for_html({"steps": page_steps}))


def save_step_through(root, path: Union[str, Path], title: str = "Backward, step by step") -> Path:
    """Write ``step_through_html(root)`` to ``path`` (an .html file) and return the path."""
    path = file_name(path, "save_step_through")
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"save_step_through writes an HTML page: give a file name ending in .html, not {path.name!r}")
    _check_title(title)
    return write_file(path, step_through_html(root, title=title).encode("utf-8"), example="backward.html")


def _check_title(title) -> None:
    if not isinstance(title, str):
        raise TypeError(f"the page's title is text: give a str, got {type(title).__name__} {title!r}")


PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2937;
         margin: 1rem 1.5rem; line-height: 1.4; }
  h1 { font-size: 1.3rem; margin: 0 0 0.3rem; }
  p.help { color: #4b5563; margin: 0; max-width: 60rem; }
  .controls { display: flex; align-items: center; gap: 0.8rem; margin: 0.8rem 0 0.5rem; flex-wrap: wrap; }
  button { font: inherit; padding: 0.3rem 0.9rem; border: 1px solid #9ca3af; border-radius: 0.4rem;
           background: #f9fafb; cursor: pointer; }
  button:hover:enabled { background: #e5e7eb; }
  button:disabled { opacity: 0.4; cursor: default; }
  button[aria-pressed="true"] { background: #e5e7eb; border-color: #4b5563; }
  #counter { font-variant-numeric: tabular-nums; min-width: 7rem; text-align: center; }
  .legend { font-size: 0.85rem; color: #4b5563; }
  .swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: -0.1em;
            border: 2px solid; margin: 0 0.3em 0 0.8em; }
  .swatch.current { background: #fde68a; border-color: #d97706; }
  .swatch.receiving { background: #bbf7d0; border-color: #16a34a; }
  #caption { min-height: 1.4em; padding: 0.5rem 0.9rem; background: #f3f4f6; border-radius: 0.3rem;
             border-left: 4px solid #f59e0b; font-family: ui-monospace, Menlo, Consolas, monospace;
             font-size: 0.9rem; margin-bottom: 0.6rem; }
  /* The graph scrolls inside its own box, which fits the window: the page itself never needs
     scrolling, and the script keeps the highlighted nodes inside the box at every step. */
  #graph { overflow: auto; border: 1px solid #e5e7eb; border-radius: 0.3rem; }
  #graph svg { display: block; }
  #graph g.node.current polygon, #graph g.node.current ellipse {
    fill: #fde68a; stroke: #d97706; stroke-width: 2; }
  #graph g.node.receiving polygon { fill: #bbf7d0; stroke: #16a34a; stroke-width: 2; }
  #graph g.node.current text:last-of-type { fill: #92400e; }
  #graph g.node.receiving text:last-of-type { fill: #166534; }
</style>
</head>
<body>
<h1>$title</h1>
<p class="help">Backward applies the chain rule from the output back to the inputs, one node at
a time: dL/d(parent) += dL/d(node) &times; d(node)/d(parent). Use the buttons or the
&larr; and &rarr; keys; add <code>?step=N</code> to the address to open at step N.</p>
<div class="controls">
  <button id="prev" type="button">&larr; Previous</button>
  <span id="counter">step 0 of 0</span>
  <button id="next" type="button">Next &rarr;</button>
  <button id="fit" type="button" aria-pressed="false" title="shrink the whole graph to the width of the window">Fit to width</button>
  <span class="legend"><span class="swatch current"></span>node being processed
    <span class="swatch receiving"></span>nodes receiving a gradient</span>
</div>
<div id="caption"></div>
<noscript><p>Turn on JavaScript to step through backward; the picture shows the graph
before it.</p></noscript>
<div id="graph">
$svg
</div>
<script type="application/json" id="steps">$steps</script>
<script>
"use strict";
const steps = JSON.parse(document.getElementById("steps").textContent).steps;
const box = document.getElementById("graph");
const svg = box.querySelector("svg");
const nodes = {};      // picture name ("v3", "v3op") -> its <g> element in the SVG
const gradText = {};   // value name -> the <text> showing its gradient (its record's last field)
const unknown = {};    // value name -> that text before backward ("grad ?")
for (const g of document.querySelectorAll("#graph g.node")) {
  const name = g.querySelector("title").textContent;
  nodes[name] = g;
  const texts = g.querySelectorAll("text");
  const last = texts[texts.length - 1];
  if (last && last.textContent.startsWith("grad")) {  // not an op, nor a number drawn as plain text
    gradText[name] = last;
    unknown[name] = last.textContent;
  }
}
const natural = { width: svg.getBoundingClientRect().width, height: svg.getBoundingClientRect().height };
let current = 0;
let fitToWidth = false;

// The graph's box takes the height left in the window below it, so the page does not scroll.
function sizeBox() {
  const top = box.getBoundingClientRect().top + window.scrollY;
  box.style.maxHeight = Math.max(160, window.innerHeight - top - 24) + "px";  // less the margin below
}

function setScale(scale) {
  svg.style.width = natural.width * scale + "px";
  svg.style.height = natural.height * scale + "px";
}

// The smallest rectangle around the highlighted nodes, in the box's scrolled coordinates.
function highlighted() {
  const marked = [...box.querySelectorAll("g.node.current, g.node.receiving")];
  if (marked.length === 0 && nodes["v0"]) marked.push(nodes["v0"]);  // before backward: the output
  if (marked.length === 0) return null;
  const frame = box.getBoundingClientRect();
  const rects = marked.map((g) => g.getBoundingClientRect());
  const left = Math.min(...rects.map((r) => r.left)) - frame.left + box.scrollLeft;
  const top = Math.min(...rects.map((r) => r.top)) - frame.top + box.scrollTop;
  const right = Math.max(...rects.map((r) => r.right)) - frame.left + box.scrollLeft;
  const bottom = Math.max(...rects.map((r) => r.bottom)) - frame.top + box.scrollTop;
  return { left, top, width: right - left, height: bottom - top };
}

// Keep the highlighted nodes in view: shrink the graph only if they cannot fit at full size
// (or the reader asked to fit it to the width), then scroll the box to centre them.
function bringIntoView() {
  sizeBox();
  const fit = fitToWidth ? Math.min(1, (box.clientWidth - 4) / natural.width) : 1;
  setScale(fit);
  let area = highlighted();
  if (area === null) return;
  const room = Math.min(1, (box.clientWidth - 16) / area.width, (box.clientHeight - 16) / area.height);
  if (room < 1) {
    setScale(fit * room);
    area = highlighted();
  }
  box.scrollLeft = area.left + area.width / 2 - box.clientWidth / 2;
  box.scrollTop = area.top + area.height / 2 - box.clientHeight / 2;
}

function show(k) {
  current = Math.max(0, Math.min(k, steps.length - 1));
  for (const name in gradText) gradText[name].textContent = unknown[name];
  for (let i = 1; i <= current; i++) {
    for (const [name, text] of Object.entries(steps[i].grads)) {
      if (gradText[name]) gradText[name].textContent = text;
    }
  }
  for (const g of Object.values(nodes)) g.classList.remove("current", "receiving");
  const step = steps[current];
  for (const name of step.receiving) nodes[name].classList.add("receiving");
  if (step.node !== null) {
    nodes[step.node].classList.add("current");
    if (nodes[step.node + "op"]) nodes[step.node + "op"].classList.add("current");
  }
  document.getElementById("caption").textContent = step.caption;
  document.getElementById("counter").textContent = "step " + current + " of " + (steps.length - 1);
  document.getElementById("prev").disabled = current === 0;
  document.getElementById("next").disabled = current === steps.length - 1;
  bringIntoView();
}

document.getElementById("prev").addEventListener("click", () => show(current - 1));
document.getElementById("next").addEventListener("click", () => show(current + 1));
document.getElementById("fit").addEventListener("click", (event) => {
  fitToWidth = !fitToWidth;
  event.currentTarget.setAttribute("aria-pressed", String(fitToWidth));
  bringIntoView();
});
document.addEventListener("keydown", (event) => {
  if (event.key === "ArrowRight") show(current + 1);
  if (event.key === "ArrowLeft") show(current - 1);
});
window.addEventListener("resize", bringIntoView);
const asked = Number.parseInt(new URLSearchParams(window.location.search).get("step"), 10);
show(Number.isNaN(asked) ? 0 : asked);  // page.html?step=N opens at step N
</script>
</body>
</html>
""")
