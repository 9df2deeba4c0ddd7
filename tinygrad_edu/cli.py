"""The ``tinygrad-edu`` command: draw the computation graph of a formula, with its gradients,
or run one of the lessons.

    tinygrad-edu graph "tanh(x1*w1 + x2*w2 + b)" x1=2 x2=0 w1=-3 w2=1 b=6.88 -o output/neuron.svg
    tinygrad-edu graph "tanh(x1*w1 + x2*w2 + b)" x1=2 x2=0 w1=-3 w2=1 b=6.88 --step -o output/neuron.html
    tinygrad-edu lesson --list
    tinygrad-edu lesson gp_regression --out output

The formula is read safely, never handed to ``eval`` (see ``formula.py``); what it does not
compute, or a picture too large to read, is refused with a message on stderr and exit status
2. The formula is the first argument that is not an option, even when it starts with "-".

The lessons are the scripts in the repository's ``demos/`` folder, installed as the package
``tinygrad_edu.lessons``; their order is the list in its ``lessons.txt``. A lesson is run by
calling its ``main(out_dir)``.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import importlib.resources
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import tinygrad_edu

from .engine import topological_order
from .formula import ALLOWED, Refused, build_graph, parse_values
from .stepper import save_step_through
from .viz import GraphvizMissing, draw_dot, save

MAX_VALUES = 200  # values in a picture: more cannot be read, and take Graphviz many seconds
GRAPH_SUFFIXES = (".svg", ".png", ".pdf")
LESSONS = "tinygrad_edu.lessons"  # the package the lessons (demos/ in the repository) install as


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygrad-edu", description="Backpropagation you can see: pictures of computation graphs, and the lessons."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {tinygrad_edu.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    graph = commands.add_parser(
        "graph",
        help="draw the graph of a formula with every value and gradient",
        description=f"Draw the computation graph of a formula: forward values and gradients. "
        f"The formula may use {ALLOWED}.",
        epilog='example: tinygrad-edu graph "tanh(x1*w1 + x2*w2 + b)" x1=2 x2=0 w1=-3 w2=1 b=6.88 -o neuron.svg\n'
        'The formula is the first argument that is not an option, even when it starts with -: '
        'tinygrad-edu graph "-x*y" x=1 y=2',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    graph.add_argument("expression", help='the formula, such as "tanh(x1*w1 + x2*w2 + b)"')
    # default=[]: without it argparse lists the values as required when the formula is missing ("2*3" needs none)
    graph.add_argument("values", nargs="*", default=[], metavar="name=number", help="a value for each variable, such as x1=2")
    graph.add_argument(
        "-o", "--output", type=Path, help="the file to write: .svg, .png or .pdf, or .html with --step (default graph.svg)"
    )
    graph.add_argument("--step", action="store_true", help="write an HTML page that steps through backward")
    lesson = commands.add_parser(
        "lesson",
        help="run one of the lessons, or list them",
        description="Run a lesson: it prints its numbers and saves its pictures. --list shows the lessons in "
        "the order of the story.",
        epilog="example: tinygrad-edu lesson gp_regression --out output",
    )
    lesson.add_argument("name", nargs="?", help="the lesson to run, such as gp_regression")
    lesson.add_argument("--list", action="store_true", help="list the lessons, in the order of the story")
    lesson.add_argument(
        "--out", type=Path, default=Path("output"), metavar="DIR", help="folder for the pictures (default output)"
    )
    return parser


def _graph(args: argparse.Namespace) -> int:
    """Compute the formula, run backward, write the picture (or the step-through page)."""
    output = args.output or Path("graph.html" if args.step else "graph.svg")
    suffix = output.suffix.lower()
    if args.step and suffix != ".html":
        raise Refused(f"--step writes an HTML page: give -o a name ending in .html, not {output.name!r}")
    if not args.step and suffix not in GRAPH_SUFFIXES:
        raise Refused(f"-o {output.name!r}: the picture can be .svg, .png or .pdf (or .html with --step)")
    values = parse_values(args.values)
    out, variables = build_graph(args.expression, values)
    size = len(topological_order(out))
    if size > MAX_VALUES:
        raise Refused(
            f"the graph of this formula has {size} values, more than a picture can show legibly "
            f"(at most {MAX_VALUES}); draw a shorter formula"
        )
    for name in values:
        if name not in variables:
            print(f"note: {name} is not used in the expression", file=sys.stderr)
    try:
        if output.is_dir():
            raise IsADirectoryError(errno.EISDIR, f"it is a folder; give a file name inside it, such as {output / ('graph' + suffix)}")
        _check_folder(output.parent)
        output.parent.mkdir(parents=True, exist_ok=True)
        if args.step:
            save_step_through(out, output, title=args.expression.strip())  # records its own backward pass
        out.backward()
        if not args.step:
            save(draw_dot(out), output)
    except GraphvizMissing as error:  # the message says how to install it
        print(f"tinygrad-edu: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"tinygrad-edu: cannot write {output}: {_why(error)}", file=sys.stderr)
        return 1
    print(f"wrote {output}")
    print(f"out = {args.expression.strip()} = {out.data:.6g}")
    for name, variable in variables.items():
        print(f"dout/d{name} = {variable.grad:.6g}")
    return 0


def lesson_titles() -> Dict[str, str]:
    """The lessons in the order of the story, each with its one-line title, as the lessons'
    ``lessons.txt`` lists them (a name, then the title; "#" starts a comment)."""
    text = importlib.resources.files(LESSONS).joinpath("lessons.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return dict((line.split(maxsplit=1) + [""])[:2] for line in lines if line and not line.startswith("#"))


def lesson_names() -> List[str]:
    return list(lesson_titles())


def _lesson(args: argparse.Namespace) -> int:
    """List the lessons, or run one: print its docstring, then call its ``main(out_dir)``."""
    try:
        names = lesson_names()
    except ModuleNotFoundError:
        print(f"tinygrad-edu: the lessons ({LESSONS}) are not installed with this copy of tinygrad_edu; "
              "install it with pip (see the README's Install section)", file=sys.stderr)
        return 1
    if args.list:
        for name, title in lesson_titles().items():
            print(f"{name:22s} {title}")
        return 0
    if args.name not in names:
        asked = "name a lesson to run" if args.name is None else f"there is no lesson named {args.name!r}"
        raise Refused(f"{asked}; the lessons are: {', '.join(names)}")
    module = importlib.import_module(f"{LESSONS}.{args.name}")
    try:
        _check_folder(args.out)
        print(f"{module.__doc__ or ''}\n(source: {module.__file__})\n", flush=True)
        module.main(args.out)
    except GraphvizMissing as error:  # the message says how to install it
        print(f"tinygrad-edu: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"tinygrad-edu: cannot write the lesson's pictures in {args.out}: {_why(error)}", file=sys.stderr)
        return 1
    return 0


def _check_folder(folder: Path) -> None:
    """Before anything is written: raise ``NotADirectoryError`` if a file stands where ``folder``,
    or a folder above it, should be (mkdir would only say "File exists")."""
    for place in (folder, *folder.parents):
        if place.exists():
            if not place.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, f"{place} is a file, not a folder", str(place))
            return


def _why(error: OSError) -> str:
    """What went wrong, in the words of the system (or of the error's own message)."""
    return error.strerror or str(error)


def _formula_first(argv: List[str]) -> List[str]:
    """The arguments, with the formula of ``graph`` marked as the formula.

    argparse reads any argument that starts with "-" as an option, so "-x*y" (or "-2*x") would
    be refused as an unknown option. The formula is the first argument after ``graph`` that is
    neither an option nor an option's file name; it is handed to argparse with a leading space,
    which argparse does not read as an option and ``parse_expression`` strips. A "--" before it
    (the usual way to say "not an option") is accepted too.
    """
    if argv[:1] != ["graph"]:
        return argv
    rest, i = argv[1:], 0
    while i < len(rest):
        kind = _graph_option(rest[i])
        if kind is not None:
            i += 2 if kind == "file" else 1  # -o FILE: skip the file name too
            continue
        if rest[i] == "--":
            del rest[i]
            if i == len(rest):
                break
        if rest[i].startswith("-"):
            rest[i] = " " + rest[i]
        break
    return ["graph", *rest]


def _graph_option(arg: str) -> Optional[str]:
    """"file" for an option followed by a file name (-o, --output), "flag" for one that stands
    alone (--step, -h, --output=FILE, -oFILE), None for anything else. Long options may be
    shortened (--out, --st), as argparse allows."""
    name, equals, _ = arg.partition("=")
    long_name = name.startswith("--") and len(name) > 2
    if name == "-o" or long_name and "--output".startswith(name):
        return "flag" if equals else "file"
    if name == "-h" or long_name and ("--step".startswith(name) or "--help".startswith(name)):
        return "flag"
    if arg.startswith("-o") and Path(arg[2:]).suffix.lower() in GRAPH_SUFFIXES + (".html",):
        return "flag"
    return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the exit status (0 done, 1 could not write, 2 refused)."""
    parser = _parser()
    args, extra = parser.parse_known_args(_formula_first(list(sys.argv[1:] if argv is None else argv)))
    # name=number pairs may also come after -o; anything else left over is a mistake
    unknown = [item for item in extra if args.command == "lesson" or item.startswith("-") or "=" not in item]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        if args.command == "lesson":
            return _lesson(args)
        args.values += extra
        return _graph(args)
    except Refused as error:
        print(f"tinygrad-edu: error: {error}", file=sys.stderr)
        return 2
