# %% [markdown]
"""The chain rule on one neuron: o = tanh(x1*w1 + x2*w2 + b), by hand and by ``backward()``.

With x1 = 2, x2 = 0, w1 = -3, w2 = 1 and b = 6.8813735870195432, the sum is n = 0.8814 and
o = tanh(n) = 1/sqrt(2) = 0.7071 (b is chosen for that round number).

The forward pass computes the values left to right; nothing is known yet about how o depends
on them, so every grad is 0. ``o.backward()`` then fills the gradients in from right to left,
one chain-rule step per node:

    do/do = 1
    do/dn = 1 - o**2 = 0.5                     tanh's local derivative, times 1
    +     passes 0.5 unchanged to b, to x1*w1 + x2*w2, and on to x1*w1 and x2*w2
    *     sends 0.5 times the *other* factor:  do/dw1 = 0.5 * x1 = 1,  do/dx1 = 0.5 * w1 = -1.5,
                                               do/dw2 = 0.5 * x2 = 0,  do/dx2 = 0.5 * w2 = 0.5

What to look at: the two pictures of the same graph, before ``backward()`` (grad 0 everywhere)
and after (every gradient); the printed table, where each gradient from ``backward()`` stands
beside the hand calculation above and beside PyTorch's autograd (if installed); and the page
``neuron_steps.html``, which walks through the backward pass one node at a time (open it in a
browser, use the arrow keys).
"""


# %%
import argparse
from pathlib import Path

from threadpoolctl import threadpool_limits

from tinygrad_edu import Value
from tinygrad_edu.stepper import save_step_through
from tinygrad_edu.viz import draw_dot, save

threadpool_limits(1)  # one BLAS thread: the same numbers at the same speed, however the lesson is run


# %% [markdown]
# ## The neuron, one labelled value per step of the formula

# %%
INPUTS = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
NAMES = ["o", "n", "x1*w1 + x2*w2", "x1*w1", "x2*w2", "x1", "w1", "x2", "w2", "b"]  # right to left


def build_neuron() -> dict:
    """o = tanh(x1*w1 + x2*w2 + b) as a graph of labelled Values; returns ``{label: Value}``."""
    v = {name: Value(number, label=name) for name, number in INPUTS.items()}
    v["x1*w1"] = v["x1"] * v["w1"]
    v["x2*w2"] = v["x2"] * v["w2"]
    v["x1*w1 + x2*w2"] = v["x1*w1"] + v["x2*w2"]
    v["n"] = v["x1*w1 + x2*w2"] + v["b"]
    v["o"] = v["n"].tanh()
    for name in ("x1*w1", "x2*w2", "x1*w1 + x2*w2", "n", "o"):
        v[name].label = name
    return v


# %% [markdown]
# ## The chain rule by hand, node by node from the output

# %%
def gradients_by_hand(v: dict) -> dict:
    """do/d(node) for every node, worked out with the local derivatives written in the docstring."""
    x1, x2, w1, w2 = (v[name].data for name in ("x1", "x2", "w1", "w2"))
    do_dn = 1 - v["o"].data ** 2  # tanh: d tanh(n)/dn = 1 - tanh(n)**2
    return {
        "o": 1.0,
        "n": do_dn,
        "x1*w1 + x2*w2": do_dn, "b": do_dn,  # + passes its gradient on unchanged
        "x1*w1": do_dn, "x2*w2": do_dn,
        "x1": do_dn * w1, "w1": do_dn * x1,  # * sends it times the other factor
        "x2": do_dn * w2, "w2": do_dn * x2,
    }


def pytorch_gradients():
    """The same neuron in PyTorch (float64): ``{name: (value, gradient)}``, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    t = {name: torch.tensor(number, dtype=torch.float64, requires_grad=True) for name, number in INPUTS.items()}
    t["x1*w1"] = t["x1"] * t["w1"]
    t["x2*w2"] = t["x2"] * t["w2"]
    t["x1*w1 + x2*w2"] = t["x1*w1"] + t["x2*w2"]
    t["n"] = t["x1*w1 + x2*w2"] + t["b"]
    t["o"] = torch.tanh(t["n"])
    for name in ("x1*w1", "x2*w2", "x1*w1 + x2*w2", "n", "o"):
        t[name].retain_grad()  # PyTorch keeps the gradients of leaves only, unless asked
    t["o"].backward()
    return {name: (t[name].item(), t[name].grad.item()) for name in NAMES}


# %% [markdown]
# ## Forward, backward, and a look at both

# %%
def main(out_dir: Path) -> dict:
    v = build_neuron()
    out_dir.mkdir(parents=True, exist_ok=True)
    print("saved", save(draw_dot(v["o"]), out_dir / "neuron_before.png"))  # every grad still 0
    v["o"].backward()
    for suffix in ("png", "svg"):
        print("saved", save(draw_dot(v["o"]), out_dir / f"neuron_after.{suffix}"))
    print("saved", save_step_through(build_neuron()["o"], out_dir / "neuron_steps.html", title="One neuron, step by step"))

    ours = {name: (v[name].data, v[name].grad) for name in NAMES}
    by_hand = gradients_by_hand(v)
    torch_numbers = pytorch_gradients()
    print(f"o = tanh(n) = {v['o'].data:.6f}")
    header = f"{'node':>13}  {'value':>10}  {'backward()':>10}  {'by hand':>10}"
    print(header + ("" if torch_numbers is None else f"  {'PyTorch':>10}"))
    for name, (data, grad) in ours.items():
        row = f"{name:>13}  {data:10.6f}  {grad:10.6f}  {by_hand[name]:10.6f}"
        print(row + ("" if torch_numbers is None else f"  {torch_numbers[name][1]:10.6f}"))
    if torch_numbers is None:
        print("PyTorch is not installed: no PyTorch column")
    else:
        difference = max(abs(ours[name][i] - torch_numbers[name][i]) for name in NAMES for i in (0, 1))
        print(f"largest difference from PyTorch: {difference:.1e}")
    return {"ours": ours, "by_hand": by_hand, "torch": torch_numbers}


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the pictures and the page")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out)
