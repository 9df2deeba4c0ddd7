"""The package as a learner installs it: importable without the test-only dependencies."""

import subprocess
import sys

MODULES = [
    "tinygrad_edu", "tinygrad_edu.engine", "tinygrad_edu.value", "tinygrad_edu.tensor",
    "tinygrad_edu.nn", "tinygrad_edu.losses", "tinygrad_edu.optim", "tinygrad_edu.train",
    "tinygrad_edu.gradcheck", "tinygrad_edu.data", "tinygrad_edu.viz", "tinygrad_edu.netviz",
    "tinygrad_edu.plots", "tinygrad_edu.stepper", "tinygrad_edu.cli",
]


def test_importing_every_module_never_imports_torch():
    """torch is for the tests and benchmarks only: the library must work where it is absent."""
    code = "import sys\n" + "".join(f"import {m}\n" for m in MODULES) + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'selenium', 'pytest', 'hypothesis')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
