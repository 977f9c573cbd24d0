"""Number sense: jumps on a number line, rounding to the nearer mark, and an expression evaluated one operation at a
time in the order the rules of arithmetic give."""

from __future__ import annotations

import ast
from fractions import Fraction
from typing import Any

import sympy
from pydantic import Field, field_validator, model_validator

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Indicate,
    Remove,
    Scene,
    ShowArrow,
    ShowAxes,
    ShowEquation,
    ShowInterval,
    ShowNumberLine,
    ShowPoint,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


def said(value: int | Fraction) -> str:
    """A number as the narration says it, with digits: ``-3`` is "minus 3", ``3/4`` is "3 over 4"."""
    value = Fraction(value)
    sign = "minus " if value < 0 else ""
    value = abs(value)
    if value.denominator == 1:
        return f"{sign}{value.numerator}"
    return f"{sign}{value.numerator} over {value.denominator}"


def written(value: int | Fraction) -> str:
    """The same number as LaTeX."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    body = f"\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
    return f"-{body}" if value < 0 else body


# --- jumps on a number line -------------------------------------------------------------------------------------
class JumpParams(Params):
    start: int = Field(default=3, ge=-20, le=20)
    steps: list[int] = Field(default_factory=lambda: [5, -9], min_length=1, max_length=3)

    @field_validator("steps")
    @classmethod
    def _nonzero(cls, steps: list[int]) -> list[int]:
        if any(step == 0 or abs(step) > 20 for step in steps):
            raise ValueError("each step is a whole number from -20 to 20, not 0")
        return steps


def _tick(span: int) -> int:
    for step in (1, 2, 5, 10):
        if span / step <= 6:  # with a step of margin each side, at most eight numbered ticks
            return step
    return 20


@demonstration("number_line_jumps", JumpParams)
def number_line_jumps(params: JumpParams, facts: ContextFacts) -> list[Scene]:
    """Adding moves right and adding a negative (or subtracting) moves left: each step is an arrow on the line."""
    found = facts.integers(-20, 20)
    start, steps = params.start, list(params.steps)
    if len(found) >= 2 and all(n != 0 for n in found[1:3]):
        start, steps = found[0], found[1:3]
    positions = [start]
    for step in steps:
        positions.append(positions[-1] + step)
    low, high = min(positions), max(positions)
    tick = _tick(high - low + 2)
    low = (low // tick - 1) * tick
    high = (-(-high // tick) + 1) * tick
    if sum(steps) + start != positions[-1]:
        raise ValueError("number line jumps do not add up")
    draft = SceneDraft("jumps", "explanation", "Moves on the number line").beat(
        f"Start at {said(start)} on the number line.",
        ShowAxes(
            id="ax",
            x_range=(low, high, tick),
            y_range=(0, len(steps) + 1, 1),
            x_label="x",
            y_label="\\text{step}",
            region="center",
        ),
        ShowPoint(id="p0", at=(start, 0), label=str(start), axes="ax", color="yellow"),
    )
    expression = str(start)
    for index, step in enumerate(steps, start=1):
        before, after = positions[index - 1], positions[index]
        expression += f" + ({step})" if step < 0 else f" + {step}"
        height = float(index)
        way = "right" if step > 0 else "left"
        draft.beat(
            f"Add {said(step)}: move {abs(step)} to the {way}, landing on {said(after)}.",
            ShowArrow(
                id=f"j{index}",
                start=(before, height),
                end=(after, height),
                label=f"{'+' if step > 0 else ''}{step}",
                axes="ax",
                color="blue" if step > 0 else "red",
            ),
            ShowPoint(id=f"p{index}", at=(after, 0), label=str(after), axes="ax", color="green"),
        )
    draft.beat(
        f"So {' '.join(_words(start, steps))} equals {said(positions[-1])}.",
        ShowEquation(id="sum", latex=f"{expression} = {positions[-1]}", region="top"),
        Indicate(target=f"p{len(steps)}"),
    )
    return [draft.build()]


def _words(start: int, steps: list[int]) -> list[str]:
    words = [said(start)]
    for step in steps:
        words += ["plus", said(step)]
    return words


# --- rounding -------------------------------------------------------------------------------------------------
class RoundParams(Params):
    value: float = Field(default=4.37, ge=0, le=100000)
    place: float = Field(default=0.1, description="Round to a multiple of this: 1000, 100, 10, 1, 0.1 or 0.01")

    @field_validator("place")
    @classmethod
    def _place(cls, place: float) -> float:
        if place not in (1000, 100, 10, 1, 0.1, 0.01):
            raise ValueError("place is 1000, 100, 10, 1, 0.1 or 0.01")
        return place

    @model_validator(mode="after")
    def _between_marks(self) -> RoundParams:
        if Fraction(str(self.value)) % Fraction(str(self.place)) == 0:
            raise ValueError("the value lies between two marks of the place, not on one")
        return self


def _decimal(value: Fraction) -> str:
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return text


@demonstration("rounding_number_line", RoundParams)
def rounding_number_line(params: RoundParams, facts: ContextFacts) -> list[Scene]:
    """Rounding: the number lies between two marks of the chosen place; it rounds to the nearer one (half goes up)."""
    place = Fraction(str(params.place))
    value = Fraction(str(params.value))
    for number in facts.numbers:
        if 0 < number <= 100000 and Fraction(str(number)) % place != 0 and Fraction(str(number)) > place:
            value = Fraction(str(number))
            break
    below = (value // place) * place
    above = below + place
    middle = below + place / 2
    rounded = above if value >= middle else below
    if not below <= value < above or abs(value - rounded) > place / 2:
        raise ValueError("rounding check failed")
    step = float(place / 10)
    name = {1000: "thousand", 100: "hundred", 10: "ten", 1: "whole number", Fraction(1, 10): "tenth"}.get(
        place, "hundredth"
    )
    text_below, text_above, text_value = _decimal(below), _decimal(above), _decimal(value)
    draft = (
        SceneDraft("rounding", "explanation", "Round to the nearer mark")
        .beat(
            f"Where does {text_value} sit? Between {text_below} and {text_above}, the nearest marks of a {name}.",
            ShowNumberLine(id="nl", x_range=(float(below), float(above), step), marks=[float(value)], region="center"),
            ShowEquation(id="between", latex=f"{text_below} \\le {text_value} < {text_above}", region="top"),
        )
        .beat(
            f"Halfway between them is {_decimal(middle)}: from there on numbers round up to {text_above}, "
            f"below it down to {text_below}.",
            ShowInterval(
                id="down",
                number_line="nl",
                start=float(below),
                end=float(middle),
                include_end=False,
                label=f"\\to {text_below}",
                color="blue",
            ),
            ShowInterval(
                id="up",
                number_line="nl",
                start=float(middle),
                end=float(above),
                label=f"\\to {text_above}",
                color="green",
            ),
            ShowEquation(
                id="half", latex=f"\\frac{{{text_below} + {text_above}}}{{2}} = {_decimal(middle)}", region="bottom"
            ),
        )
        .beat(
            f"{text_value} is {'at or past' if value >= middle else 'before'} the halfway mark, "
            f"only {_decimal(abs(rounded - value))} from {_decimal(rounded)}, so it rounds to {_decimal(rounded)}.",
            Remove(targets=["half", "down", "up"]),
            ShowInterval(
                id="gap",
                number_line="nl",
                start=float(min(value, rounded)),
                end=float(max(value, rounded)),
                label=_decimal(abs(rounded - value)),
                color="yellow",
            ),
            ShowEquation(
                id="result",
                latex=f"|{_decimal(rounded)} - {text_value}| = {_decimal(abs(rounded - value))},\\quad "
                f"{text_value} \\approx {_decimal(rounded)}",
                region="bottom",
            ),
            Circumscribe(target="result"),
        )
    )
    return [draft.build()]


# --- order of operations --------------------------------------------------------------------------------------
_OPS: dict[type[ast.operator], tuple[int, str]] = {
    ast.Add: (1, "+"),
    ast.Sub: (1, "-"),
    ast.Mult: (2, "\\times"),
    ast.Div: (2, "\\div"),
    ast.Pow: (3, "^"),
}
_SAID = {ast.Add: "plus", ast.Sub: "minus", ast.Mult: "times", ast.Div: "divided by", ast.Pow: "to the power"}
_KIND = {ast.Add: "addition", ast.Sub: "subtraction", ast.Mult: "multiplication", ast.Div: "division", ast.Pow: "power"}


def _parse(expression: str) -> ast.expr:
    tree = ast.parse(expression, mode="eval").body
    for node in ast.walk(tree):
        allowed = isinstance(node, ast.BinOp | ast.UnaryOp | ast.USub | ast.Constant) or type(node) in _OPS
        if not allowed or (isinstance(node, ast.Constant) and not isinstance(node.value, int)):
            raise ValueError(f"only whole numbers and + - * / ** are allowed: {expression!r}")
    return tree


def _number(value: Fraction) -> ast.Constant:
    """A constant node holding an exact fraction (the tree is only ever read back by this module)."""
    node = ast.Constant(value=0)
    held: Any = value
    node.value = held
    return node


def _held(node: ast.Constant) -> Fraction:
    raw: Any = node.value
    return Fraction(raw)


def _value(node: ast.expr) -> Fraction | None:
    if isinstance(node, ast.Constant):
        return _held(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return -_held(node.operand)
    return None


def _latex(node: ast.expr, parent: int = 0, right: bool = False) -> str:
    value = _value(node)
    if value is not None:
        text = written(value)
        return f"\\left({text}\\right)" if value < 0 and parent else text
    if isinstance(node, ast.UnaryOp):
        return f"-{_latex(node.operand, 3)}"
    assert isinstance(node, ast.BinOp)
    level, symbol = _OPS[type(node.op)]
    left = _latex(node.left, level)
    inner = _latex(node.right, level, right=True)
    if isinstance(node.op, ast.Pow):
        text = f"{{{left}}}^{{{inner}}}"
    else:
        text = f"{left} {symbol} {inner}"
    if level < parent or (right and level == parent and not isinstance(node.op, ast.Pow)):
        return f"\\left({text}\\right)"
    return text


def _reduce(node: ast.expr) -> tuple[ast.expr, ast.BinOp | None, Fraction | None]:
    """One step: the first operation (by precedence, then left to right) whose operands are both numbers."""
    candidates: list[tuple[int, int, ast.BinOp]] = []
    order = 0
    for found in ast.walk(node):
        if isinstance(found, ast.BinOp) and _value(found.left) is not None and _value(found.right) is not None:
            candidates.append((-_OPS[type(found.op)][0], found.col_offset + order, found))
            order += 1
    if not candidates:
        return node, None, None
    target = min(candidates, key=lambda item: (item[0], item[1]))[2]
    left, right = _value(target.left), _value(target.right)
    assert left is not None
    assert right is not None
    if isinstance(target.op, ast.Add):
        result = left + right
    elif isinstance(target.op, ast.Sub):
        result = left - right
    elif isinstance(target.op, ast.Mult):
        result = left * right
    elif isinstance(target.op, ast.Div):
        if right == 0:
            raise ValueError("division by zero")
        result = left / right
    else:
        if right.denominator != 1 or abs(right) > 12:
            raise ValueError("powers are small whole numbers")
        result = left ** int(right)
    replacement: ast.expr = _number(result) if result >= 0 else ast.UnaryOp(op=ast.USub(), operand=_number(abs(result)))
    ast.copy_location(replacement, target)

    class Swap(ast.NodeTransformer):
        def visit_BinOp(self, visited: ast.BinOp) -> ast.expr:
            if visited is target:
                return replacement
            self.generic_visit(visited)
            return visited

    return Swap().visit(node), target, result


class EvaluateParams(Params):
    expression: str = Field(default="3 + 4 * (6 - 2) ** 2", min_length=3, max_length=60)
    fractions: bool = Field(default=False, description="Read a whole number over a whole number as a fraction")

    @model_validator(mode="after")
    def _valid(self) -> EvaluateParams:
        evaluation_steps(self.expression, self.fractions)
        return self


class _Fractions(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        if (
            isinstance(node.op, ast.Div)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.right, ast.Constant)
        ):
            if node.right.value != 0:
                return ast.copy_location(_number(_held(node.left) / _held(node.right)), node)
        return node


def evaluation_steps(expression: str, fractions: bool = False) -> list[tuple[str, str, str, Fraction, str]]:
    """(latex before, what is done in words, latex after, value of that step, the step as LaTeX) per operation."""
    node = _parse(expression)
    if fractions:
        node = _Fractions().visit(node)
    steps: list[tuple[str, str, str, Fraction, str]] = []
    while True:
        before = _latex(node)
        node, target, result = _reduce(node)
        if target is None or result is None:
            break
        left, right = _value(target.left), _value(target.right)
        assert left is not None
        assert right is not None
        words = f"{said(left)} {_SAID[type(target.op)]} {said(right)} is {said(result)}"
        work = f"{_latex(target)} = {written(result)}"
        steps.append((before, f"{_KIND[type(target.op)]}: {words}", _latex(node), result, work))
        if len(steps) > 8:
            raise ValueError("at most eight operations")
    if not steps:
        raise ValueError("nothing to evaluate")
    final = _value(node)
    expected = sympy.sympify(expression.replace("**", "^"), rational=True, convert_xor=True)
    if final is None or sympy.Rational(final.numerator, final.denominator) != expected:
        raise ValueError("evaluation check failed")
    return steps


@demonstration("evaluate_in_order", EvaluateParams)
def evaluate_in_order(params: EvaluateParams, facts: ContextFacts) -> list[Scene]:
    """An expression evaluated one operation at a time: brackets, then powers, then times and divide, then plus and
    minus, left to right; the number each step makes is highlighted."""
    steps = evaluation_steps(params.expression, params.fractions)
    draft = SceneDraft("evaluate", "example", "One operation at a time").beat(
        "Evaluate this expression one operation at a time.",
        ShowEquation(id="expr", latex=steps[0][0], region="center"),
    )
    for index, (_before, words, after, result, work) in enumerate(steps[:7]):
        actions: list[Action] = [Remove(targets=[f"w{index - 1}"])] if index else []
        actions += [
            ShowEquation(id=f"w{index}", latex=work, region="bottom", color="yellow"),
            TransformEquation(
                target="expr",
                latex=after,
                # Only an unambiguous highlight: the same digits elsewhere in the line would light up too.
                highlight=[written(abs(result))] if after.count(written(abs(result))) == 1 else [],
            ),
        ]
        draft.beat(f"First the {words}." if index == 0 else f"Next the {words}.", *actions)
    draft.beat(f"The value is {said(steps[-1][3])}.", Circumscribe(target="expr"))
    return [draft.build()]
