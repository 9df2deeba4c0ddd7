"""The chain rule on one neuron: o = tanh(x1*w1 + x2*w2 + b), worked by hand and by backward().

What to look at: the saved picture shows every intermediate value with its data and grad.
Read it right to left: do/do = 1; tanh passes 1 - o**2 = 0.5 back to n; each + passes 0.5 on
unchanged; each * sends 0.5 times the *other* input, so w1.grad = 0.5 * x1 = 1.0 and
x1.grad = 0.5 * w1 = -1.5. The printed table checks each number against that hand calculation.
"""

import argparse
from pathlib import Path

from tinygrad_edu import Value
from tinygrad_edu.viz import draw_dot, save


def build_neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")  # chosen so that n = 0.8814 and o = tanh(n) = 1/sqrt(2)
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, dict(x1=x1, x2=x2, w1=w1, w2=w2, b=b, n=n)


def main(out_dir: Path) -> None:
    o, v = build_neuron()
    o.backward()
    dn = 1 - o.data**2  # d tanh(n)/dn = 1 - tanh(n)**2
    by_hand = dict(n=dn, b=dn, x1=dn * v["w1"].data, w1=dn * v["x1"].data, x2=dn * v["w2"].data, w2=dn * v["x2"].data)
    print(f"o = tanh(n) = {o.data:.6f}")
    print(f"{'node':>4}  {'backward()':>11}  {'by hand':>11}")
    for name, expected in by_hand.items():
        print(f"{name:>4}  {v[name].grad:11.6f}  {expected:11.6f}")
    out_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("svg", "png"):
        print("saved", save(draw_dot(o), out_dir / f"neuron_graph.{suffix}"))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the pictures")
    main(parser.parse_args().out)
