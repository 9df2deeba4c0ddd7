"""The package as a learner installs and reads it: importable without the test-only
dependencies, and layered from the bottom up, as the README promises."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import tinygrad_edu

PACKAGE = Path(tinygrad_edu.__file__).parent
MODULES = ["tinygrad_edu"] + [
    info.name for info in pkgutil.walk_packages([str(PACKAGE)], prefix="tinygrad_edu.") if not info.name.endswith("__main__")
]

# From the bottom up: the driver and shape arithmetic; the two kinds of numbers; what is built
# from them; what looks at them; the command line and the package's front door.
LAYER = {
    "engine": 0, "shapes": 0, "xp": 0, "ops": 0, "checks": 0,
    "value": 1, "tensor": 1,
    "nn": 2, "io": 2, "losses": 2, "optim": 2, "train": 2, "gradcheck": 2, "data": 2, "jit": 2,
    "formula": 2,
    "pictures": 3, "viz": 3, "netviz": 3, "plots": 3, "stepper": 3,
    "cli": 4, "__main__": 4, "__init__": 4,
}


def test_importing_every_module_never_imports_torch():
    """torch is for the tests and benchmarks only: the library must work where it is absent."""
    assert "tinygrad_edu.shapes" in MODULES and "tinygrad_edu.nn.vector" in MODULES  # discovery works
    code = "import sys\n" + "".join(f"import {m}\n" for m in MODULES) + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'selenium', 'pytest', 'hypothesis')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def _package_imports(path: Path):
    """The top-level tinygrad_edu modules that the file at ``path`` imports, anywhere in it."""
    here = path.relative_to(PACKAGE).with_suffix("").parts  # e.g. ("nn", "vector")
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            module = node.module.split(".") if node.module else []
            if node.level:  # relative: climb from this file's package
                target = list(here[: len(here) - node.level]) + module
            elif module[:1] == ["tinygrad_edu"]:
                target = module[1:]
            else:
                continue
            yield from [target[0]] if target else [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "tinygrad_edu" and len(parts) > 1:
                    yield parts[1]


def test_nothing_lower_imports_anything_higher():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) == len(MODULES) + 1  # the walk below sees every module (+1: __main__)
    for path in files:
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        layer = LAYER[parts[0]]
        for imported in _package_imports(path):
            assert imported in LAYER, f"{path.name} imports {imported}, which has no layer"
            assert LAYER[imported] <= layer, f"{'/'.join(parts)} (layer {layer}) imports {imported} (layer {LAYER[imported]})"


def test_the_readme_s_quick_starts_run_as_written(tmp_path, monkeypatch):
    """Every ``python`` block of the README that needs no other set-up runs, as a learner would
    paste it (the "adding an op" class is run by test_ops.py; the jit block needs a model)."""
    import re

    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    runnable = [block for block in blocks if block.startswith(("from tinygrad_edu import Value", "import numpy", "import tinygrad_edu"))]
    assert len(runnable) == 3
    monkeypatch.chdir(tmp_path)  # the Value quick start saves graph.svg
    for block in runnable:
        namespace: dict = {}
        exec(block.replace("range(2000)", "range(20)"), namespace)
    assert namespace["x"].grad.shape == (4, 3)
