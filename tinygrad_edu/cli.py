"""The ``tinygrad-edu`` command: draw the computation graph of a formula, with its gradients,
or run one of the lessons.

    tinygrad-edu graph "tanh(x1*w1 + x2*w2 + b)" x1=2 x2=0 w1=-3 w2=1 b=6.88 -o output/neuron.svg
    tinygrad-edu graph "tanh(x1*w1 + x2*w2 + b)" x1=2 x2=0 w1=-3 w2=1 b=6.88 --step -o output/neuron.html
    tinygrad-edu lesson --list
    tinygrad-edu lesson gp_regression --out output

The formula is read with Python's ``ast`` module and computed by walking its tree with
``Value`` ops; it is never handed to ``eval``. Only numbers, variables, ``+ - * / **``, unary
minus and the functions in ``FUNCTIONS`` are accepted. Anything else is refused with a
message on stderr and exit status 2.

The lessons are the scripts in the repository's ``demos/`` folder, installed as the package
``tinygrad_edu.lessons``; their order is the list in its ``lessons.txt``. A lesson is run by
calling its ``main(out_dir)``.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.resources
import math
import operator
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import tinygrad_edu

from .stepper import save_step_through
from .value import FUNCTIONS, Value
from .viz import GraphvizMissing, draw_dot, save

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 50  # levels of the syntax tree
MAX_LABEL = 24  # an intermediate value is labelled with its formula when it is this short
GRAPH_SUFFIXES = (".svg", ".png", ".pdf")
LESSONS = "tinygrad_edu.lessons"  # the package the lessons (demos/ in the repository) install as

OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv, ast.Pow: operator.pow}

# How a refused piece of syntax is named in the error message.
REFUSED = {
    ast.Attribute: "attribute access",
    ast.Subscript: "a subscript",
    ast.Compare: "a comparison",
    ast.Lambda: "a lambda",
    ast.BoolOp: "and/or",
    ast.IfExp: "an if-else expression",
    ast.NamedExpr: "an assignment",
    ast.JoinedStr: "a string",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Starred: "* unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}
SYMBOLS = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.UAdd: "unary +",
    ast.Not: "not",
    ast.Invert: "~",
}
ALLOWED = "numbers, variables, + - * / **, unary - and the functions " + ", ".join(FUNCTIONS)


class Refused(ValueError):
    """The input is not something this command computes; the message says what and why."""


def _snippet(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _depth(tree: ast.AST) -> int:
    """The number of levels of the syntax tree (counted with a stack, not recursion)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _not_an_expression(text: str, error: SyntaxError) -> str:
    """Why ``text`` did not parse as an expression, naming a statement if it is one."""
    try:
        statements = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        statements = None
    if not statements:
        return f"not a valid expression: {error.msg}"
    kind = type(statements[0]).__name__.lower()
    if isinstance(statements[0], (ast.Import, ast.ImportFrom)):
        kind = "import"
    return f"statements ({kind}) are not allowed, only an expression made of {ALLOWED}"


def _check(node: ast.AST) -> None:
    """Refuse any piece of syntax that is not a number, a variable, an allowed op or function."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str):
            raise Refused(f"strings are not allowed: {_snippet(node)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Refused(f"{_snippet(node)} is not a real number")
        if abs(value) > 1e308:  # past the largest float (Python reads 1e400 as inf)
            raise Refused("a number in the expression is too large for a float (1e308 at most)")
    elif isinstance(node, ast.BinOp) and type(node.op) not in OPERATORS:
        symbol = SYMBOLS.get(type(node.op), type(node.op).__name__)
        raise Refused(f"the operator {symbol} is not allowed (in {_snippet(node)}); use + - * / **")
    elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.USub):
        symbol = SYMBOLS.get(type(node.op), type(node.op).__name__)
        raise Refused(f"the operator {symbol} is not allowed (in {_snippet(node)}); the only unary op is -")
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise Refused(f"calling {_snippet(node.func)} is not allowed; the functions are {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise Refused(f"keyword arguments are not allowed: {_snippet(node)}; write {node.func.id}(x)")
        if len(node.args) != 1:
            raise Refused(f"{node.func.id} takes exactly one argument: {_snippet(node)}")
    elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.operator, ast.unaryop)):
        kind = REFUSED.get(type(node), type(node).__name__)
        raise Refused(f"{kind} is not allowed: {_snippet(node)}; use only {ALLOWED}")


def parse_expression(text: str) -> ast.expr:
    """The syntax tree of ``text``, after refusing anything this command does not compute."""
    if len(text) > MAX_LENGTH:
        raise Refused(f"the expression is too long ({len(text)} characters, at most {MAX_LENGTH})")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise Refused(_not_an_expression(text.strip(), error)) from None
    except (RecursionError, MemoryError, ValueError):
        raise Refused(f"the expression is nested too deeply (at most {MAX_DEPTH} levels)") from None
    if _depth(tree) > MAX_DEPTH:
        raise Refused(f"the expression is nested too deeply (at most {MAX_DEPTH} levels)")
    for node in ast.walk(tree):
        _check(node)
    return tree.body


def variables_used(tree: ast.AST) -> List[str]:
    """The variables of the formula, in the order they first appear (function names excluded)."""
    functions = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in functions]
    names.sort(key=lambda node: (node.lineno, node.col_offset))
    return list(dict.fromkeys(node.id for node in names))


def parse_values(items: Sequence[str]) -> Dict[str, float]:
    """``["x1=2", "w1=-3"]`` -> ``{"x1": 2.0, "w1": -3.0}``; a value must be a finite number."""
    values: Dict[str, float] = {}
    for item in items:
        name, equals, text = item.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise Refused(f"{item!r} is not of the form name=number, such as x1=2")
        if name in values:
            raise Refused(f"{name} is given a value twice")
        try:
            number = float(text)
        except ValueError:
            raise Refused(f"the value of {name} is not a number: {text!r}") from None
        if not math.isfinite(number):
            raise Refused(f"the value of {name} must be a finite number, not {text!r}")
        values[name] = number
    return values


def _plain_number(node: ast.AST) -> Optional[float]:
    """The number ``node`` stands for if it is one (``2`` or ``-2``), else None."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return -float(node.operand.value)
    return None


def _compute(node: ast.expr, variables: Dict[str, Value]) -> Value:
    """The ``Value`` of a checked syntax tree; each intermediate result is labelled with its
    formula when that is short. ``x ** 2`` (a plain number exponent) uses the power rule, so
    the 2 is a setting of the op, not an input that gets a gradient."""
    if isinstance(node, ast.Constant):
        return Value(float(node.value))
    if isinstance(node, ast.Name):
        return variables[node.id]
    if isinstance(node, ast.UnaryOp):
        out = -_compute(node.operand, variables)
    elif isinstance(node, ast.BinOp):
        left = _compute(node.left, variables)
        exponent = _plain_number(node.right) if isinstance(node.op, ast.Pow) else None
        if exponent is not None:
            out = left**exponent
        else:
            out = OPERATORS[type(node.op)](left, _compute(node.right, variables))
    else:  # a call of one of FUNCTIONS
        out = getattr(_compute(node.args[0], variables), node.func.id)()
    formula = ast.unparse(node)
    out.label = formula if len(formula) <= MAX_LABEL else ""
    return out


def build_graph(expression: str, values: Dict[str, float]) -> Tuple[Value, Dict[str, Value]]:
    """Compute ``expression`` with ``Value``s: the output (labelled "out") and the variables."""
    tree = parse_expression(expression)
    names = variables_used(tree)
    missing = [name for name in names if name not in values]
    if missing:
        raise Refused(f"no value given for {', '.join(missing)}: add, for example, {missing[0]}=1.0")
    variables = {name: Value(values[name], label=name) for name in names}
    try:
        out = _compute(tree, variables)
    except (ArithmeticError, ValueError) as error:
        raise Refused(f"cannot compute {expression} at these values: {error}") from None
    if not any(out is v for v in variables.values()):
        out.label = "out"
    return out, variables


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
        'A formula that starts with - goes after --, as in: tinygrad-edu graph -- "-x*y" x=1 y=2',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    graph.add_argument("expression", help='the formula, such as "tanh(x1*w1 + x2*w2 + b)"')
    graph.add_argument("values", nargs="*", metavar="name=number", help="a value for each variable, such as x1=2")
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
    for name in values:
        if name not in variables:
            print(f"note: {name} is not used in the expression", file=sys.stderr)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        if args.step:
            save_step_through(out, output, title=args.expression)  # records its own backward pass
        out.backward()
        if not args.step:
            save(draw_dot(out), output)
    except RuntimeError as error:  # Graphviz's dot is missing: the message says how to install it
        print(f"tinygrad-edu: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"tinygrad-edu: cannot write {output}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {output}")
    print(f"out = {args.expression} = {out.data:.6g}")
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
    print(f"{module.__doc__ or ''}\n(source: {module.__file__})\n", flush=True)
    try:
        module.main(args.out)
    except GraphvizMissing as error:  # the message says how to install it
        print(f"tinygrad-edu: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"tinygrad-edu: cannot write the lesson's pictures in {args.out}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; return the exit status (0 done, 1 could not write, 2 refused)."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
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
