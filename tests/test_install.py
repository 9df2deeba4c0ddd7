"""tinygrad_edu as a learner installs it: ``pip install`` into a fresh virtual environment outside
the repository, then the command, its version and a lesson, run from there.

No network: pip builds and installs only tinygrad_edu itself (``--no-index --no-deps
--no-build-isolation``), from a copy of the repository; its dependencies, and pip and setuptools
to install it, are this environment's, reached through a ``.pth`` file in the new environment. The lessons must come from the
installed package, not from the repository's ``demos/`` folder.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from demo_loader import PNG_MAGIC, ROOT, lessons

import tinygrad_edu

DEPENDENCIES = ("numpy", "matplotlib", "graphviz", "tqdm", "threadpoolctl", "pip", "setuptools")
SKIP = shutil.ignore_patterns(".venv", ".git", "output", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis")


def run(command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with tinygrad_edu pip-installed from a copy of the repository."""
    tmp = tmp_path_factory.mktemp("install")
    source, env = tmp / "source", tmp / "env"
    shutil.copytree(ROOT, source, ignore=SKIP)
    run([sys.executable, "-m", "venv", "--without-pip", str(env)])
    python = env / "bin" / "python"
    site_packages = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    found = {Path(importlib.util.find_spec(name).origin).parent.parent for name in DEPENDENCIES}  # found, not imported
    (site_packages / "dependencies_of_this_test.pth").write_text("".join(f"{path}\n" for path in found))
    run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--no-build-isolation", str(source)],
        cwd=tmp)
    return env


def command(env, *arguments, cwd):
    """Run the installed ``tinygrad-edu`` from ``cwd``, outside the repository, with no PYTHONPATH."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([str(env / "bin" / "tinygrad-edu"), *arguments], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_the_installed_command_says_the_package_version(installed, tmp_path):
    done = command(installed, "--version", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"tinygrad-edu {tinygrad_edu.__version__}"


def test_a_lesson_runs_from_the_installed_package(installed, tmp_path):
    out = tmp_path / "pictures"
    done = command(installed, "lesson", "activations", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (out / "activations.png").read_bytes()[:8] == PNG_MAGIC
    source = Path(done.stdout.split("(source: ")[1].split(")")[0]).resolve()
    assert source.is_relative_to(installed.resolve()) and source.name == "activations.py"  # not demos/ in the repository
    assert "derivatives computed by backward()" in done.stdout


def test_the_installed_list_is_the_story_of_demos_lessons_txt(installed, tmp_path):
    done = command(installed, "lesson", "--list", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    listed = [line.split()[0] for line in done.stdout.splitlines()]
    assert listed == [name for name, _ in lessons()]


def test_the_wheel_holds_every_module_the_lessons_and_the_type_marker(installed, tmp_path):
    package = Path(run([str(installed / "bin" / "python"), "-c", "import tinygrad_edu; print(tinygrad_edu.__file__)"],
                       cwd=tmp_path).stdout.strip()).resolve().parent
    assert package.is_relative_to(installed.resolve())
    in_repository = {p.relative_to(ROOT / "tinygrad_edu") for p in (ROOT / "tinygrad_edu").rglob("*.py")}
    in_repository |= {Path("lessons") / p.relative_to(ROOT / "demos") for p in (ROOT / "demos").rglob("*.py")}
    assert in_repository <= {p.relative_to(package) for p in package.rglob("*.py")}
    assert (package / "py.typed").exists() and (package / "lessons" / "lessons.txt").exists()
