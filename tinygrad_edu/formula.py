"""A formula typed on the command line, read safely and computed with ``Value`` ops.

    build_graph("tanh(x1*w1 + x2*w2 + b)", {"x1": 2.0, ...})  ->  (out, {"x1": Value, ...})

The formula is read with Python's ``ast`` module and computed by walking its tree with
``Value`` ops; it is never handed to ``eval``. Only numbers, variables, ``+ - * / **``, unary
minus and the functions in ``FUNCTIONS`` are accepted; anything else is refused (``Refused``)
with a message that names the piece and says what is allowed. The limits are on what a person
writes, ``MAX_LENGTH`` characters and ``MAX_DEPTH`` levels of parentheses; within them any
formula is computed, however long its chains (x + x + ... + x, or - - - x), since nothing here
recurses over the tree.
"""

from __future__ import annotations

import ast
import math
import numbers
import operator
import tokenize
from io import StringIO
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from .checks import as_float, short
from .value import FUNCTIONS, Value

MAX_LENGTH = 1000  # characters
MAX_DEPTH = 50  # levels of parentheses (a function's included): f(g(x)) is 2
MAX_LABEL = 24  # an intermediate value is labelled with its formula when it is this short

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
    if not isinstance(text, str):
        raise TypeError(f'the formula is text, such as "x*y + 1", got {type(text).__name__} {short(text)}')
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
    if not isinstance(tree, ast.AST):
        raise TypeError(f"variables_used reads the syntax tree of a formula, parse_expression(text), got {type(tree).__name__}")
    functions = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in functions]
    names.sort(key=lambda node: (node.lineno, node.col_offset))
    return list(dict.fromkeys(node.id for node in names))


def parse_values(items: Sequence[str]) -> Dict[str, float]:
    """``["x1=2", "w1=-3"]`` -> ``{"x1": 2.0, "w1": -3.0}``; a value must be a finite number."""
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
        raise TypeError(f"the values are a list of texts name=number, such as ['x1=2', 'w1=-3'], got {short(items)}")
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
    """Compute ``expression`` with ``Value``s: the output (labelled "out") and the variables.

    ``values`` maps each variable's name to a finite number, as ``parse_values`` gives them.
    """
    tree, text = parse_expression(expression), expression.strip()
    _check_values(values)
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


def _check_values(values) -> None:
    """The variables' values: a mapping from names to finite real numbers."""
    if not isinstance(values, Mapping):
        raise TypeError(f"the values are a dict from names to numbers, such as {{'x': 2.0}}, got {type(values).__name__} {short(values)}")
    for name, number in values.items():
        if not isinstance(name, str) or isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise TypeError(f"the values map names (text) to numbers, such as {{'x': 2.0}}, got {short(name)}: {short(number)}")
        if not math.isfinite(as_float(number)):
            raise Refused(f"the value of {name} must be a finite number, not {as_float(number):g}")

