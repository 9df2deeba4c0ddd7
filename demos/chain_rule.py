"""The chain rule, step by step, on one neuron: o = tanh(x1*w1 + x2*w2 + b).

With x1 = 2, x2 = 0, w1 = -3, w2 = 1 and b = 6.8813735870195432, the sum is n = 0.8814 and
o = tanh(n) = 1/sqrt(2) = 0.7071.

Two pictures of the same graph. Before ``backward()`` every grad is 0: the forward pass has
computed the numbers (left to right) but nothing is known yet about how o depends on them.
After ``backward()`` the gradients fill in from right to left, one chain-rule step per node:
    do/do = 1
    do/dn = 1 - o**2 = 0.5                     (tanh's local derivative, times 1)
    + passes 0.5 unchanged to b, x1*w1 + x2*w2, x1*w1 and x2*w2
    * sends 0.5 times the other factor:  do/dw1 = 0.5 * x1 = 1,  do/dx1 = 0.5 * w1 = -1.5,
                                         do/dw2 = 0.5 * x2 = 0,  do/dx2 = 0.5 * w2 = 0.5

What to look at: the two saved pictures (grad 0 everywhere, then every gradient), and the
printed table, where PyTorch's autograd (if installed) computes the same numbers beside ours.
"""

import argparse
from pathlib import Path

from tinygrad_edu import Value
from tinygrad_edu.viz import draw_dot, save

INPUTS = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
NAMES = ["o", "n", "x1*w1 + x2*w2", "x1*w1", "x2*w2", "x1", "w1", "x2", "w2", "b"]


def build_neuron():
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


def main(out_dir: Path) -> dict:
    v = build_neuron()
    out_dir.mkdir(parents=True, exist_ok=True)
    print("saved", save(draw_dot(v["o"]), out_dir / "chain_rule_before.png"))  # every grad still 0
    v["o"].backward()
    print("saved", save(draw_dot(v["o"]), out_dir / "chain_rule_after.png"))
    ours = {name: (v[name].data, v[name].grad) for name in NAMES}

    torch_numbers = pytorch_gradients()
    print(f"o = tanh(n) = {v['o'].data:.6f}")
    if torch_numbers is None:
        print("PyTorch is not installed: showing our numbers only")
        print(f"{'node':>13}  {'value':>10}  {'grad':>10}")
        for name, (data, grad) in ours.items():
            print(f"{name:>13}  {data:10.6f}  {grad:10.6f}")
    else:
        print(f"{'node':>13}  {'value':>10}  {'grad':>10}  {'torch grad':>10}")
        for name, (data, grad) in ours.items():
            print(f"{name:>13}  {data:10.6f}  {grad:10.6f}  {torch_numbers[name][1]:10.6f}")
        difference = max(abs(ours[name][i] - torch_numbers[name][i]) for name in NAMES for i in (0, 1))
        print(f"largest difference from PyTorch: {difference:.1e}")
    return {"ours": ours, "torch": torch_numbers}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the pictures")
    main(parser.parse_args().out)
