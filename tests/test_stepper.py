"""The step-through page: the recorded steps are the chain rule, and the page shows them.

The numbers are checked against the chain rule worked by hand on the neuron
o = tanh(x1*w1 + x2*w2 + b), the formulas in the captions against what each op's backward
computes, and the page in a real headless browser (skipped where chromium, chromedriver
or Graphviz's dot is not installed).
"""

import json
import math
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from demo_loader import load_demo

from tinygrad_edu import Tensor, Value
from tinygrad_edu.stepper import record_backward, share_in_words, save_step_through, step_through_html
from tinygrad_edu.viz import draw_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")

NEURON = load_demo("neuron")  # the neuron lesson's builder: the lesson and these tests share one neuron
X1, X2, W1, W2, B = (NEURON.INPUTS[name] for name in ("x1", "x2", "w1", "w2", "b"))
SUM = "x1*w1 + x2*w2"


def neuron():
    """o = tanh(x1*w1 + x2*w2 + b), every value labelled, as the lesson builds it."""
    return NEURON.build_neuron()["o"]


def by_hand():
    """The chain rule on the neuron, worked by hand.

    do/do = 1. tanh: do/dn = 1 - o**2. Each + passes its gradient to both inputs unchanged.
    Each * sends its gradient times the *other* input: dL/dx1 = dL/d(x1*w1) * w1.
    Returns the gradient arriving at each interior node and what it sends to each parent.
    """
    o = math.tanh(X1 * W1 + X2 * W2 + B)
    dn = 1.0 - o**2
    arriving = {"o": 1.0, "n": dn, SUM: dn, "x1*w1": dn, "x2*w2": dn}
    sends = {
        "o": {"n": 1.0 * dn},
        "n": {SUM: dn * 1.0, "b": dn * 1.0},
        SUM: {"x1*w1": dn * 1.0, "x2*w2": dn * 1.0},
        "x1*w1": {"x1": dn * W1, "w1": dn * X1},
        "x2*w2": {"x2": dn * W2, "w2": dn * X2},
    }
    leaves = {"x1": dn * W1, "w1": dn * X1, "x2": dn * W2, "w2": dn * X2, "b": dn}
    return arriving, sends, leaves


def labels_by_name(root):
    """{picture name: label}, read from the DOT source of draw_dot (records only)."""
    source = draw_dot(root).source
    return dict(re.findall(r'^\t(v\d+) \[label="\{ (.+?) \| data', source, flags=re.M))


def test_the_steps_are_the_chain_rule_worked_by_hand():
    root = neuron()
    steps = record_backward(root)
    arriving, sends, leaves = by_hand()
    assert steps[0].node is None and steps[-1].node is None  # before backward; the leaves at the end
    middle = steps[1:-1]
    assert sorted(step.label for step in middle) == sorted(arriving)  # one step per interior node
    for step in middle:
        assert step.grad == pytest.approx(arriving[step.label], abs=1e-12)
        received = {send.label: send.amount for send in step.sends}
        assert received == pytest.approx(sends[step.label], abs=1e-12)
    final = labels_by_name(root)
    assert {final[name]: grad for name, grad in steps[-1].grads.items()} == pytest.approx(leaves, abs=1e-12)


def test_each_step_names_its_node_as_the_picture_does():
    root = neuron()
    labels = labels_by_name(root)
    for step in record_backward(root)[1:-1]:
        assert labels[step.node] == step.label
        for send in step.sends:
            assert labels[send.parent] == send.label


def test_a_node_is_reached_only_after_every_node_that_uses_it():
    """Reverse topological order: when a node is reached, its gradient is complete."""
    users = {"n": {"o"}, SUM: {"n"}, "x1*w1": {SUM}, "x2*w2": {SUM}}
    seen = set()
    for step in record_backward(neuron())[1:-1]:
        assert users.get(step.label, set()) <= seen, step.label
        seen.add(step.label)


def test_a_value_used_twice_adds_up_its_two_shares():
    """L = u * v with u = 2a and v = a + 1: dL/da = 2v + u = 4a + 2 (= 14 at a = 3)."""
    a = Value(3.0, label="a")
    u = a * 2
    u.label = "u"
    v = a + 1
    v.label = "v"
    loss = u * v
    steps = record_backward(loss)
    shares = [send.amount for step in steps for send in step.sends if send.label == "a"]
    assert sorted(shares) == [2 * 3.0 * 1, (3.0 + 1) * 2]  # from v: dL/dv * 1 = u; from u: dL/du * 2 = 2v
    running = [step.grads[send.parent] for step in steps[1:-1] for send in step.sends if send.label == "a"]
    assert running[-1] == 4 * 3.0 + 2 and running[0] in shares  # one share first, then the sum


def test_recording_leaves_every_gradient_as_it_was():
    """Stepping through is only looking: a gradient the caller had accumulated is not lost."""
    a = Value(3.0, label="a")
    loss = (a * a + 1).tanh()
    loss.backward()
    before = a.grad
    steps = record_backward(loss)
    assert a.grad == before and loss.grad == 1.0
    # and yet the page shows this pass's gradients, counted from zero
    name_of_a = next(send.parent for step in steps for send in step.sends if send.label == "a")
    assert steps[-1].grads[name_of_a] == pytest.approx(before, rel=1e-12)


def test_the_leaves_start_from_zero_so_the_steps_show_one_pass():
    root = neuron()
    root.backward()
    root.backward()  # leaf gradients now hold two passes
    steps = record_backward(root)
    _, _, leaves = by_hand()
    final = labels_by_name(root)
    assert {final[name]: grad for name, grad in steps[-1].grads.items()} == pytest.approx(leaves, abs=1e-12)


def test_captions_say_each_step_in_words_with_the_values_beside_the_symbols():
    steps = {step.label: step for step in record_backward(neuron())}
    o = math.tanh(X1 * W1 + X2 * W2 + B)
    assert steps["o"].caption == (
        f"tanh node o = {o:.4f}: receives dL/do = 1.0000; "
        f"sends dL/do * (1 - o**2) = 1.0000 * (1 - {o:.4f}**2) = {1 - o**2:.4f} to n"
    )
    assert (
        "sends dL/d(x1*w1) * w1 = 0.5000 * (-3.0000) = -1.5000 to x1, "
        "dL/d(x1*w1) * x1 = 0.5000 * 2.0000 = 1.0000 to w1"
    ) in steps["x1*w1"].caption
    assert "sends dL/dn = 0.5000 to x1*w1 + x2*w2, dL/dn = 0.5000 to b" in steps["n"].caption
    first, last = record_backward(neuron())[0], record_backward(neuron())[-1]
    assert first.caption.startswith("After the forward pass") and "no gradient yet" in first.caption
    assert "dL/dx1 = -1.5000" in last.caption and "dL/db = 0.5000" in last.caption


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda a, b: a + b, ("g", "g")),
        (lambda a, b: a - b, ("g", "-g")),
        (lambda a, b: a * b, ("g * b", "g * a")),
        (lambda a, b: a / b, ("g / b", "-g * t / b")),
        (lambda a, b: a**b, ("g * b * a**(b - 1)", "g * t * log(a)")),
        (lambda a, b: a**3, ("g * 3 * a**2",)),
        (lambda a, b: -a, ("-g",)),
        (lambda a, b: a.exp(), ("g * t",)),
        (lambda a, b: a.log(), ("g / a",)),
        (lambda a, b: a.tanh(), ("g * (1 - t**2)",)),
        (lambda a, b: a.sigmoid(), ("g * t * (1 - t)",)),
        (lambda a, b: a.softplus(), ("g * sigmoid(a)",)),
        (lambda a, b: a.sin(), ("g * cos(a)",)),
        (lambda a, b: a.cos(), ("-g * sin(a)",)),
        (lambda a, b: a.abs(), ("g * sign(a)",)),
        (lambda a, b: a.relu(), ("g where t > 0, else 0",)),
        (lambda a, b: a.leaky_relu(0.2), ("g where a > 0, else g * 0.2",)),
    ],
)
def test_each_op_says_in_words_what_its_backward_computes(make, words):
    """The words are right twice: as text, and, read as a formula (with g = dL/dt), as the
    number backward sends to each parent."""
    a, b = Value(1.3, label="a"), Value(0.7, label="b")
    t = make(a, b)
    t.label = "t"
    formulas = tuple(share_in_words(t, i, "g") for i in range(len(t.parents)))
    assert formulas == words
    g = 0.37
    shares = t.chain_rule(g)
    names = {"g": g, "a": a.data, "b": b.data, "t": t.data, "exp": math.exp, "log": math.log, "sigmoid": sigmoid,
             "sin": math.sin, "cos": math.cos, "sign": lambda x: math.copysign(1.0, x)}
    for formula, share in zip(formulas, shares):
        python = re.sub(r"(.*) where (.*), else (.*)", r"(\1 if \2 else \3)", formula)  # the test's own reading
        assert eval(python, {}, names) == pytest.approx(share, rel=1e-12)


def test_unlabelled_values_appear_in_formulas_as_their_numbers():
    x = Value(2.0, label="x")
    y = x * -3.0  # the -3 is a constant with no label
    (step,) = record_backward(y)[1:-1]
    assert [send.formula for send in step.sends] == ["dL/d(this node) * (-3.0000)", "dL/d(this node) * x"]
    assert [send.numbers for send in step.sends] == ["1.0000 * (-3.0000)", "1.0000 * 2.0000"]
    assert "to the constant -3.0000" in step.caption
    assert "dL/d(this node) * x = 1.0000 * 2.0000 = 2.0000 to the constant" in step.caption


def test_backward_reports_each_step_to_on_step():
    calls = []
    neuron().backward(on_step=lambda node, grad, parent_grads: calls.append((node.label, grad)))
    assert [label for label, _ in calls][0] == "o" and len(calls) == 5
    w = Tensor([1.0, -2.0], requires_grad=True)
    tensor_calls = []
    (w * w).sum().backward(on_step=lambda node, grad, parent_grads: tensor_calls.append(node.op.name))
    assert tensor_calls == ["sum", "*"]


def test_a_tensor_graph_records_arrays_and_shapes():
    """L = sum(w * x) + sum(W): dL/dw = x, dL/dx = w (x is data: no gradient), dL/dW = 1."""
    w = Tensor([1.0, -2.0], requires_grad=True, label="w")
    x = Tensor([3.0, 4.0], label="x")
    big = Tensor(np.zeros((3, 4)), requires_grad=True, label="W")
    loss = (w * x).sum() + big.sum()
    steps = record_backward(loss)
    names = labels_by_name(loss)
    final = {names[name]: grad for name, grad in steps[-1].grads.items()}
    np.testing.assert_array_equal(final["w"], [3.0, 4.0])
    np.testing.assert_array_equal(final["W"], np.ones((3, 4)))
    assert final["x"] is None  # plain data: nothing flows into it
    assert all(send.label != "x" for step in steps for send in step.sends)
    captions = " ".join(step.caption for step in steps)
    assert "[3.0000 4.0000] (2,) to w" in captions and "an array of shape (3, 4) to W" in captions


@needs_dot
def test_a_tensor_graph_gets_a_page_too():
    w = Tensor([1.0, -2.0], requires_grad=True, label="w")
    loss = (w * Tensor([3.0, 4.0])).sum()
    _, steps = page_parts(step_through_html(loss))
    assert "grad [3.0000 4.0000] (2,)" in steps[-1]["grads"].values()


def page_parts(page):
    """The page's SVG element and its step data (parsed from the JSON block)."""
    svg = re.search(r"<svg.*</svg>", page, flags=re.S).group(0)
    data = re.search(r'<script type="application/json" id="steps">(.*?)</script>', page, flags=re.S).group(1)
    return svg, json.loads(data)["steps"]


@needs_dot
def test_the_page_is_self_contained():
    root = neuron()
    page = step_through_html(root, title="One neuron")
    for reference in ("http://", "https://", "src=", "href=", "url(", "@import", "<link"):
        assert reference not in page
    svg, steps = page_parts(page)
    assert len(steps) == 7  # before backward, five nodes, the leaves at the end
    texts = [t.text for t in ET.fromstring(svg).iter("text")]
    assert {"x1", "w1", "x2", "w2", "b", "o", "n", SUM} <= set(texts)
    grads = [t.replace("\u2007", "") for t in texts if t.startswith("grad")]
    assert grads == ["grad ?"] * 10  # before the first step, every gradient is unknown
    assert steps[1]["node"] == "v0" and steps[1]["grads"]["v0"] == "grad 1.0000"
    assert "<title>One neuron</title>" in page


@needs_dot
def test_labels_and_title_from_users_are_escaped():
    tricky = '</script><script>alert("x")</script>'
    quoted = "it's \"quoted\" & <b>bold</b>"
    x, y = Value(1.0, label=tricky), Value(2.0, label=quoted)
    out = x * y
    out.label = "{steps} $svg"  # placeholders of the page template: must stay plain text
    page = step_through_html(out, title=tricky)
    assert page.count("<script") == 2 and page.count("</script>") == 2  # the JSON block and the code
    assert tricky not in page and quoted not in page
    svg, steps = page_parts(page)
    texts = [t.text for t in ET.fromstring(svg).iter("text")]
    assert tricky in texts and quoted in texts and "{steps} $svg" in texts  # exactly, once unescaped
    assert tricky in steps[1]["caption"] and quoted in steps[1]["caption"]
    assert "<title>&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</title>" in page


@needs_dot
def test_save_step_through_writes_the_page(tmp_path):
    path = save_step_through(neuron(), tmp_path / "neuron.html")
    assert path == tmp_path / "neuron.html"
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page


# --- in a real browser ---------------------------------------------------------------------

BROWSER_MISSING = [name for name in ("chromium", "chromedriver", "dot") if shutil.which(name) is None]

STATE = """
const grads = {};
for (const g of document.querySelectorAll("#graph g.node")) {
  const texts = g.querySelectorAll("text");
  grads[g.querySelector("title").textContent] = texts[texts.length - 1].textContent.replace(/\\u2007/g, "");
}
const titles = (selector) => [...document.querySelectorAll(selector)].map(g => g.querySelector("title").textContent);
return {
  counter: document.getElementById("counter").textContent,
  caption: document.getElementById("caption").textContent,
  current: titles("#graph g.node.current").sort(),
  receiving: titles("#graph g.node.receiving").sort(),
  grads: grads,
};
"""


@pytest.fixture(scope="module")
def browser():
    if BROWSER_MISSING:
        pytest.skip(f"the browser test needs {', '.join(BROWSER_MISSING)} (not found on PATH)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    profile = tempfile.TemporaryDirectory()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
        f"--user-data-dir={profile.name}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(15)
    yield driver
    driver.quit()
    profile.cleanup()


def test_the_page_steps_through_backward_in_a_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    root = neuron()
    steps = record_backward(root)
    names = {step.label: step.node for step in steps[1:-1]}
    names.update({send.label: send.parent for step in steps for send in step.sends})
    browser.get(save_step_through(root, tmp_path / "neuron.html").as_uri())
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe

    state = browser.execute_script(STATE)
    assert state["counter"] == "step 0 of 6" and state["current"] == []
    assert {state["grads"][names[label]] for label in ("o", "n", "x1")} == {"grad ?"}

    browser.find_element(By.ID, "next").click()
    state = browser.execute_script(STATE)
    assert state["counter"] == "step 1 of 6"
    assert state["current"] == sorted([names["o"], names["o"] + "op"])
    assert state["receiving"] == [names["n"]]
    assert state["grads"][names["o"]] == "grad 1.0000" and state["grads"][names["n"]] == "grad 0.5000"
    assert state["grads"][names["x1"]] == "grad ?"
    assert state["caption"].startswith("tanh node o = 0.7071: receives dL/do = 1.0000")

    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    state = browser.execute_script(STATE)
    assert state["counter"] == "step 2 of 6"
    assert state["current"] == sorted([names["n"], names["n"] + "op"])
    assert state["receiving"] == sorted([names[SUM], names["b"]])
    assert state["grads"][names["b"]] == "grad 0.5000"
    assert state["caption"].startswith("+ node n = 0.8814: receives dL/dn = 0.5000")

    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
    state = browser.execute_script(STATE)
    assert state["counter"] == "step 1 of 6" and state["grads"][names["b"]] == "grad ?"

    for _ in range(7):  # past the end: stays at the last step
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    state = browser.execute_script(STATE)
    assert state["counter"] == "step 6 of 6" and state["current"] == []
    assert state["grads"][names["x1"]] == "grad -1.5000" and state["grads"][names["w1"]] == "grad 1.0000"
    assert not browser.find_element(By.ID, "next").is_enabled()
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe


def test_the_address_opens_the_page_at_step_n(browser, tmp_path):
    root = neuron()
    steps = record_backward(root)
    names = {step.label: step.node for step in steps[1:-1]}
    page = save_step_through(root, tmp_path / "neuron.html").as_uri()
    browser.get(page + "?step=2")
    state = browser.execute_script(STATE)
    assert state["counter"] == "step 2 of 6"
    assert state["current"] == sorted([names["n"], names["n"] + "op"])
    assert state["grads"][names["o"]] == "grad 1.0000" and state["grads"][names["n"]] == "grad 0.5000"
    browser.get(page + "?step=99")  # past the end: the last step
    assert browser.execute_script(STATE)["counter"] == "step 6 of 6"
    browser.get(page + "?step=next")  # not a number: the first step
    assert browser.execute_script(STATE)["counter"] == "step 0 of 6"
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe


VIEW = """
const box = document.getElementById("graph").getBoundingClientRect();
const inside = (r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
return {
  window: {width: window.innerWidth, height: window.innerHeight},
  page: {height: document.documentElement.scrollHeight, width: document.documentElement.scrollWidth},
  box: {left: box.left, top: box.top,
        right: box.left + document.getElementById("graph").clientWidth,
        bottom: box.top + document.getElementById("graph").clientHeight},
  svgWidth: document.querySelector("#graph svg").getBoundingClientRect().width,
  marked: [...document.querySelectorAll("#graph g.node.current, #graph g.node.receiving")].map(
    (g) => ({name: g.querySelector("title").textContent, ...inside(g.getBoundingClientRect())})),
};
"""


def wide_chain(layers=10):
    """h = tanh(h * w_i + b_i), ten times over: a graph drawn left to right, many windows wide."""
    h = Value(0.5, label="x")
    for i in range(layers):
        h = (h * Value(0.9, label=f"w{i}") + Value(0.1, label=f"b{i}")).tanh()
        h.label = f"h{i}"
    return h


def test_the_node_being_processed_is_always_in_view_on_a_wide_graph(browser, tmp_path):
    """At 1280 x 800, with a graph over twice as wide as the window, every step shows the node
    being processed and the nodes receiving a gradient inside the window, without scrolling
    the page, and (except at the end, where every leaf lights up) at full size."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1280, 800)
    root = wide_chain()
    browser.get(save_step_through(root, tmp_path / "wide.html").as_uri())
    view = browser.execute_script(VIEW)
    full_width = view["svgWidth"]
    assert full_width >= 2 * view["window"]["width"]
    assert view["window"]["width"] <= 1280 and view["window"]["height"] <= 800
    count = len(record_backward(root)) - 1
    for step in range(count + 1):
        state, view = browser.execute_script(STATE), browser.execute_script(VIEW)
        assert state["counter"] == f"step {step} of {count}"
        assert view["page"]["height"] <= view["window"]["height"] and view["page"]["width"] <= view["window"]["width"]
        assert view["marked"] or step == 0
        for node in view["marked"]:
            where = f"step {step}: {node['name']} at {node}, graph box {view['box']}"
            assert view["box"]["left"] - 1 <= node["left"] and node["right"] <= view["box"]["right"] + 1, where  # 1 px: rounding
            assert view["box"]["top"] - 1 <= node["top"] and node["bottom"] <= view["box"]["bottom"] + 1, where
            assert 0 <= node["left"] and node["right"] <= view["window"]["width"], where
            assert 0 <= node["top"] and node["bottom"] <= view["window"]["height"], where
        if 0 < step < count:
            assert view["svgWidth"] == pytest.approx(full_width), f"step {step} shrank the graph"
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)

    browser.find_element(By.ID, "fit").click()  # the whole graph at once, as wide as the window
    view = browser.execute_script(VIEW)
    assert view["svgWidth"] <= view["window"]["width"]
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not severe, severe
