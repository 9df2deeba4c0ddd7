"""Load a demo or benchmark script as a module: they are scripts in ``demos/`` and
``benchmarks/``, not packages."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"  # the first bytes of every PNG file


def _load_script(folder: str, name: str):
    spec = importlib.util.spec_from_file_location(f"{folder}_{name}", ROOT / folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_demo(name: str):
    return _load_script("demos", name)


def load_benchmark(name: str):
    return _load_script("benchmarks", name)


def lessons():
    """``[(module name, one-line title), ...]``, from demos/lessons.txt: the order of the story."""
    rows = []
    for line in (ROOT / "demos" / "lessons.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, title = line.split(maxsplit=1)
            rows.append((name, title.strip()))
    return rows
