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
import tokenize
from io import StringIO
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import tinygrad_edu

from .engine import topological_order
from .stepper import save_step_through
from .value import FUNCTIONS, Value
from .viz import GraphvizMissing, draw_dot, save

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 50  # levels of parentheses (a function's included): f(g(x)) is 2
MAX_LABEL = 24  # an intermediate value is labelled with its formula when it is this short
MAX_VALUES = 200  # values in a picture: more cannot be read, and take Graphviz many seconds
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


def _snippet(node: ast.AST, text: str) -> str:
    """The piece of the formula ``node`` was read from, shortened to 40 characters."""
    piece = ast.get_source_segment(text, node) if hasattr(node, "lineno") else None
    piece = " ".join((piece if piece is not None else ast.unparse(node)).split())
    return piece if len(piece) <= 40 else piece[:37] + "..."


def _nesting(text: str) -> int:
    """How many parentheses deep the formula goes, a function's own included: ``tanh(x*(y+1))``
    is 2. A long flat sum, x + x + ... + x, is not nested at all."""
    depth = deepest = 0
    for token in tokenize.generate_tokens(StringIO(text).readline):
        if token.type == tokenize.OP and token.string in "()":
            depth += 1 if token.string == "(" else -1
            deepest = max(deepest, depth)
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


def _check(node: ast.AST, text: str) -> None:
    """Refuse any piece of syntax that is not a number, a variable, an allowed op or function."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, str):
            raise Refused(f"strings are not allowed: {_snippet(node, text)}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Refused(f"{_snippet(node, text)} is not a real number")
        if abs(value) > 1e308:  # past the largest float (Python reads 1e400 as inf)
            raise Refused("a number in the expression is too large for a float (1e308 at most)")
    elif isinstance(node, ast.BinOp) and type(node.op) not in OPERATORS:
        symbol = SYMBOLS.get(type(node.op), type(node.op).__name__)
        raise Refused(f"the operator {symbol} is not allowed (in {_snippet(node, text)}); use + - * / **")
    elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.USub):
        symbol = SYMBOLS.get(type(node.op), type(node.op).__name__)
        raise Refused(f"the operator {symbol} is not allowed (in {_snippet(node, text)}); the only unary op is -")
    elif isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise Refused(f"calling {_snippet(node.func, text)} is not allowed; the functions are {', '.join(FUNCTIONS)}")
        if node.keywords:
            raise Refused(f"keyword arguments are not allowed: {_snippet(node, text)}; write {node.func.id}(x)")
        if len(node.args) != 1:
            raise Refused(f"{node.func.id} takes exactly one argument: {_snippet(node, text)}")
    elif not isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.operator, ast.unaryop)):
        kind = REFUSED.get(type(node), type(node).__name__)
        raise Refused(f"{kind} is not allowed: {_snippet(node, text)}; use only {ALLOWED}")


def parse_expression(text: str) -> ast.expr:
    """The syntax tree of ``text``, after refusing anything this command does not compute.

    Its limits are on what a person writes: ``MAX_LENGTH`` characters, ``MAX_DEPTH`` levels of
    parentheses. Within them any formula is computed, drawn and differentiated, however long
    its chains (x + x + ... or - - - x): nothing here recurses over the tree.
    """
    text = text.strip()
    if not text:
        raise Refused('the expression is empty; give a formula, such as "x*y + 1"')
    if len(text) > MAX_LENGTH:
        raise Refused(f"the expression is too long ({len(text)} characters, at most {MAX_LENGTH})")
    too_deep = f"the expression is nested too deeply (at most {MAX_DEPTH} levels of parentheses)"
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        if "too many nested parentheses" in str(error.msg):  # Python's own limit, 200
            raise Refused(too_deep) from None
        raise Refused(_not_an_expression(text, error)) from None
    except (RecursionError, MemoryError):
        raise Refused(too_deep) from None
    except ValueError:  # a null character
        raise Refused("not a valid expression: it contains a null character") from None
    if _nesting(text) > MAX_DEPTH:
        raise Refused(too_deep)
    for node in ast.walk(tree):
        _check(node, text)
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


def _operands(node: ast.expr) -> tuple:
    """The sub-formulas ``node`` is computed from (an exponent that is a plain number is not one:
    it is a setting of the power rule)."""
    if isinstance(node, ast.UnaryOp):
        return (node.operand,)
    if isinstance(node, ast.BinOp):
        plain_power = isinstance(node.op, ast.Pow) and _plain_number(node.right) is not None
        return (node.left,) if plain_power else (node.left, node.right)
    if isinstance(node, ast.Call):
        return (node.args[0],)
    return ()  # a number or a variable


def _compute(tree: ast.expr, variables: Dict[str, Value], text: str) -> Value:
    """The ``Value`` of a checked syntax tree, each node computed after its operands. The tree
    is walked with a stack, not by recursion: a flat sum of 300 terms is 300 levels deep.

    Each intermediate result is labelled with its formula when that is short. ``x ** 2`` (a
    plain number exponent) uses the power rule, so the 2 is a setting of the op, not an input
    that gets a gradient."""
    done: Dict[int, Value] = {}
    stack = [(tree, False)]
    while stack:
        node, operands_done = stack.pop()
        if not operands_done:
            stack.append((node, True))
            stack.extend((operand, False) for operand in reversed(_operands(node)))  # the left one first
            continue
        inputs = [done.pop(id(operand)) for operand in _operands(node)]
        done[id(node)] = _apply(node, inputs, variables, text)
    return done[id(tree)]


def _apply(node: ast.expr, inputs: List[Value], variables: Dict[str, Value], text: str) -> Value:
    """One node of the formula, computed from the Values of its operands."""
    if isinstance(node, ast.Constant):
        return Value(float(node.value))
    if isinstance(node, ast.Name):
        return variables[node.id]
    if isinstance(node, ast.UnaryOp):
        out = -inputs[0]
    elif isinstance(node, ast.BinOp):
        out = inputs[0] ** _plain_number(node.right) if len(inputs) == 1 else OPERATORS[type(node.op)](*inputs)
    else:  # a call of one of FUNCTIONS
        out = getattr(inputs[0], node.func.id)()
    out.label = _formula(node, text)
    return out


def _formula(node: ast.expr, text: str) -> str:
    """The node's formula, written as Python writes it (``x1 * w1``), if at most ``MAX_LABEL``
    characters long; else "" (a long piece is not rewritten at all, so nothing recurses deeply)."""
    if len(ast.get_source_segment(text, node)) > 4 * MAX_LABEL:
        return ""
    formula = ast.unparse(node)
    return formula if len(formula) <= MAX_LABEL else ""


def build_graph(expression: str, values: Dict[str, float]) -> Tuple[Value, Dict[str, Value]]:
    """Compute ``expression`` with ``Value``s: the output (labelled "out") and the variables."""
    tree, text = parse_expression(expression), expression.strip()
    names = variables_used(tree)
    missing = [name for name in names if name not in values]
    if missing:
        raise Refused(f"no value given for {', '.join(missing)}: add, for example, {missing[0]}=1.0")
    variables = {name: Value(values[name], label=name) for name in names}
    try:
        out = _compute(tree, variables, text)
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
        'The formula is the first argument that is not an option, even when it starts with -: '
        'tinygrad-edu graph "-x*y" x=1 y=2',
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
        output.parent.mkdir(parents=True, exist_ok=True)
        if args.step:
            save_step_through(out, output, title=args.expression.strip())  # records its own backward pass
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
