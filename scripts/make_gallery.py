"""Regenerate the README's gallery in docs/images from the demos (run: make gallery)."""

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
PICTURES = {  # demo -> the pictures of it the README shows
    "neuron_graph": ["neuron_graph.png"],
    "gp_regression": ["gp_fit.png"],
    "relu_splines": ["relu_splines.png"],
    "classify_moons": ["moons_decision_boundary.png"],
}


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        for demo, pictures in PICTURES.items():
            subprocess.run([sys.executable, str(ROOT / "demos" / f"{demo}.py"), "--out", out], check=True)
            for picture in pictures:
                shutil.copy(Path(out) / picture, IMAGES / picture)
    sys.path.insert(0, str(ROOT))
    from tinygrad_edu.viz import draw_network, save

    save(draw_network([1, 16, 32, 64, 64, 32, 16, 1]), IMAGES / "network.png")
    print("gallery written to", IMAGES)


if __name__ == "__main__":
    main()
