# %% [markdown]
"""The lecture's three network diagrams: a regression model drawn as a network.

Each circle is a number; each arrow into a circle is a weight that multiplies the number it
comes from; a circle adds up what arrives, plus its own bias, and (in a hidden layer) passes the
sum through an activation f, such as ReLU. The "1" node is a constant input, so its arrow is
the intercept. Hidden unit H21 is layer 2, unit 1.

1. ``1, X -> Y``: linear regression, Y = b + w X. Two parameters.
2. ``X1, X2 -> H11, H12 -> H21, H22 -> Y``: two hidden layers of two units,
       H1j = f(b1j + w1j1 X1 + w1j2 X2)               j = 1, 2
       H2k = f(b2k + w2k1 H11 + w2k2 H12)             k = 1, 2
       Y   = b3 + w31 H21 + w32 H22
   6 + 6 + 3 = 15 parameters.
3. ``X -> H11, H12, H13 -> Y``: one hidden layer of three units,
       H1j = f(b1j + w1j X)                            j = 1, 2, 3
       Y   = b2 + w21 H11 + w22 H12 + w23 H13
   6 + 4 = 10 parameters. With f = ReLU each unit is a bent line, so Y is a line that bends
   at up to three points: the ReLU-splines lesson builds on exactly this.

In diagrams 2 and 3 the biases are there but not drawn, as in the lecture.

What to look at: the three saved pictures (``network_*.png``, rendered at 200 dpi so the node
names are legible), and the printed count of weights and biases of each network, read from a
``TensorMLP`` of the same shape: one weight per arrow, one bias per unit after the inputs.
"""


# %%
import argparse
from pathlib import Path

from threadpoolctl import threadpool_limits

from tinygrad_edu.nn import TensorMLP
from tinygrad_edu.viz import draw_network, save

threadpool_limits(1)  # one BLAS thread: the same numbers at the same speed, however the lesson is run


# %% [markdown]
# ## The three networks: layer sizes, inputs first

# %%
NETWORKS = {  # file name: (layer sizes, draw the "1" node, the diagram as the lecture writes it)
    "network_linear_regression": ([1, 1], True, "1, X -> Y"),
    "network_two_hidden_layers": ([2, 2, 2, 1], False, "X1, X2 -> H11, H12 -> H21, H22 -> Y"),
    "network_one_hidden_layer": ([1, 3, 1], False, "X -> H11, H12, H13 -> Y"),
}
DPI = 200  # Graphviz renders PNGs at 96 dots per inch unless told; 200 keeps the names sharp


def parameter_count(sizes) -> tuple:
    """(weights, biases) of a ReLU network of these layer sizes, read from the model itself."""
    model = TensorMLP(sizes[0], sizes[1:], activation="relu")
    weights = sum(layer.weight.size for layer in model.layers)
    biases = sum(layer.bias.size for layer in model.layers)
    return weights, biases


# %% [markdown]
# ## Draw each one, and count what it has to learn

# %%
def main(out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    drawn = {}
    print(f"{'network':<36} {'weights':>7} {'biases':>7} {'parameters':>10}")
    for name, (sizes, bias, diagram) in NETWORKS.items():
        graph = draw_network(sizes, bias=bias, activation="relu" if len(sizes) > 2 else None, output_activation="linear")
        graph.graph_attr["dpi"] = str(DPI)
        save(graph, out_dir / f"{name}.png")
        weights, biases = parameter_count(sizes)
        print(f"{diagram:<36} {weights:7d} {biases:7d} {weights + biases:10d}")
        drawn[name] = {"graph": graph, "weights": weights, "biases": biases}
    print("saved", ", ".join(f"{name}.png" for name in NETWORKS), "in", out_dir)
    return drawn


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("output"), help="folder for the pictures")
    args, _ = parser.parse_known_args()  # known only: in a notebook, sys.argv holds the kernel's arguments
    main(args.out)
