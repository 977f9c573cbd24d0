"""Equations and inequalities from a context, solved the way a teacher writes them on the board.

A linear equation in any letter, with whole, decimal or fractional coefficients and the unknown on either side, is
solved by doing the same to both sides, one step per beat, each step a new line of working under the last (the
``=`` signs aligned, what was done written beside it, the answer boxed), and checked by putting the answer back
in; an equation whose given values leave one unknown ("1/f = 1/u + 1/v with u = 30 and v = 15") is worked out with
the values put in; a linear inequality is solved like an equation, the sign turned round when dividing by a negative
number, and drawn on a number line. Each solution is also seen in a picture: the two sides as graphs meeting, or
the ray.

Arithmetic is exact (SymPy rationals from the written decimals) and every answer is checked before it is narrated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction

import sympy

from mathreel_scenelang.storyboard import (
    PlotFunction,
    Scene,
    ShowAxes,
    ShowEquation,
    ShowInterval,
    ShowNumberLine,
    ShowPoint,
    WriteStep,
)
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import format_number, parse_plain, safe_latex, spoken, to_latex
from mathreel_script.safe_math import check_size, numeric

# Inequality signs as written in a context, in LaTeX, and read aloud.
RELATIONS = ("<=", ">=", "<", ">")
_REL_TEX = {"<": "<", "<=": "\\le", ">": ">", ">=": "\\ge"}
_REL_SAID = {"<": "less than", "<=": "at most", ">": "greater than", ">=": "at least"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
# An answer beyond this is not a classroom number: the scene would be all axis and no picture.
_MAX_ANSWER = 10**6
# The most characters a point's label holds (the storyboard's bound).
_MAX_LABEL = 20


def exact(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with its written decimals as exact fractions (0.1 is 1/10), so that steps add up exactly."""
    # doit(): the parser keeps "3 x - 4" unevaluated, as written; arithmetic needs it evaluated.
    return expr.xreplace({f: sympy.Rational(str(f)) for f in expr.atoms(sympy.Float)}).doit()


def number_tex(value: sympy.Rational, *, fractions: bool = False, cents: bool = False) -> str:
    """A number as written on the board: a decimal when it ends within four places, else a fraction; with
    ``fractions``, every number that is not whole as a fraction (the equation was written with fractions); with
    ``cents``, an amount of money that ends within two places to exactly two (0.10, 4.50)."""
    fraction = Fraction(int(value.p), int(value.q))
    if cents and fraction.denominator != 1 and (fraction * 100).denominator == 1:
        return f"{float(fraction):.2f}"
    denominator = fraction.denominator
    while denominator % 2 == 0:
        denominator //= 2
    while denominator % 5 == 0:
        denominator //= 5
    decimal = denominator == 1 and not (fractions and fraction.denominator != 1)
    if decimal and len(format_number(float(fraction)).partition(".")[2]) <= 4:
        return format_number(float(fraction))
    sign = "-" if fraction < 0 else ""
    return f"{sign}\\frac{{{abs(fraction.numerator)}}}{{{fraction.denominator}}}"


def value_tex(value: sympy.Expr) -> str:
    """An exact rational as ``number_tex`` writes it; any other real number rounded to two places."""
    if value.is_Rational:
        return number_tex(sympy.Rational(value))
    return format_number(round(float(value), 2))


@dataclass(frozen=True)
class Writing:
    """How the numbers of one column of working are written, the way the context wrote them.

    ``fractions``: the equation was written with fractions and no decimals, so every number that is not whole is a
    fraction, in the working and in its check alike. ``money``: the two sides are amounts of money, so they, and the
    rates that multiply the unknown, are written to the cent. ``unit``: what the unknown counts or measures
    ("minutes", "cm"), written after the answer.
    """

    fractions: bool = False
    money: bool = False
    unit: str | None = None
    # The unit for exactly one ("1 minute"), when it differs.
    unit_one: str | None = None

    def number(self, value: sympy.Rational, *, money: bool = False) -> str:
        return number_tex(value, fractions=self.fractions, cents=money and self.money)

    def value(self, value: sympy.Expr, *, money: bool = False) -> str:
        """Any real number: exact as ``number`` writes it, else rounded to two places."""
        if value.is_Rational:
            return self.number(sympy.Rational(value), money=money)
        return format_number(round(float(value), 2))

    def said(self, value: sympy.Expr, *, money: bool = False) -> str:
        text = spoken(self.value(value, money=money))
        return f"minus {text[1:]}" if text.startswith("-") else text

    def plain(self, value: sympy.Rational, *, money: bool = False) -> str:
        """A number as a note beside a line of working writes it, in plain text: ``0.25``, ``1/3``, ``−4``."""
        written = self.number(value, money=money)
        if written.lstrip("-").startswith("\\frac"):
            written = f"{'-' if value < 0 else ''}{abs(value.p)}/{value.q}"
        return written.replace("-", "\u2212")

    def unit_tex(self, one: bool = False) -> str:
        """The unknown's unit as written after its value: `` \\text{ minutes}``, `` \\text{ cm}^{2}``."""
        unit = (self.unit_one or self.unit) if one else self.unit
        if not unit:
            return ""
        name, _, power = unit.partition("^")
        return f" \\text{{ {name}}}" + (f"^{{{power}}}" if power else "")

    def answer(self, value: sympy.Expr) -> str:
        """The unknown's value with its unit: ``100 \\text{ minutes}``, ``1 \\text{ minute}``."""
        return self.value(value) + self.unit_tex(one=value == 1)


def writing_for(*sides: sympy.Expr, money: bool = False, unit: str | None = None) -> Writing:
    """The ``Writing`` of an equation as written: fractions when it divides by a number or has a reciprocal term
    (``x/3 + 1/2``, ``1/u + 1/v``) and no decimal."""
    decimals = any(side.atoms(sympy.Float) for side in sides)
    fractions = any(
        (node.is_Pow and node.base.is_Integer and node.exp == -1) or (node.is_Rational and not node.is_Integer)
        for side in sides
        for node in sympy.preorder_traversal(side)
    ) or any(_is_reciprocal(term) for side in sides for term in sympy.Add.make_args(side))
    return Writing(fractions=fractions and not decimals, money=money, unit=unit)


def _is_reciprocal(term: sympy.Expr) -> bool:
    """Whether ``term`` is a whole number over a letter: ``1/u``, ``3/t``."""
    factors = sympy.Mul.make_args(term)
    over = [f for f in factors if f.is_Pow and f.exp == -1 and f.base.is_Symbol]
    return len(over) == 1 and all(f.is_Integer for f in factors if f is not over[0])


def _term(coefficient: sympy.Rational, var: str, writing: Writing | None = None) -> str:
    """``coefficient var`` as written: ``x``, ``-x``, ``0.10 m`` (a rate in money), ``\\frac{x}{3}``."""
    w = writing or Writing()
    if coefficient == 1:
        return var
    if coefficient == -1:
        return f"-{var}"
    if abs(coefficient.p) == 1 and not _undone_by_dividing(coefficient, w):
        return f"{'-' if coefficient < 0 else ''}\\frac{{{var}}}{{{coefficient.q}}}"
    return f"{w.number(coefficient, money=True)} {var}"


def _terms_in(expr: sympy.Expr, var: sympy.Symbol) -> int:
    """How many of the terms of ``expr``, as written (unevaluated sums opened), hold ``var``."""
    terms = list(sympy.Add.make_args(expr))
    count = 0
    while terms:
        term = terms.pop()
        if term.is_Add:
            terms.extend(term.args)
        elif var in term.free_symbols:
            count += 1
    return count


def linear_tex(a: sympy.Rational, b: sympy.Rational, var: str, writing: Writing | None = None) -> str:
    """``a var + b`` as written: ``0.1 m + 20``, ``-x - 7``, ``12`` (no zero terms)."""
    w = writing or Writing()
    if a == 0:
        return w.number(b, money=True)
    text = _term(a, var, w)
    if b > 0:
        text += f" + {w.number(b, money=True)}"
    elif b < 0:
        text += f" - {w.number(-b, money=True)}"
    return text


def _linear_parts(expr: sympy.Expr, var: sympy.Symbol) -> tuple[sympy.Rational, sympy.Rational] | None:
    """``(a, b)`` with ``expr = a var + b`` for rational ``a`` and ``b``, or ``None`` when it is not that."""
    expanded = sympy.expand(expr)
    if expanded.free_symbols - {var}:
        return None
    try:
        poly = sympy.Poly(expanded, var)
    except sympy.PolynomialError:
        return None
    if poly.degree() > 1 or not all(c.is_Rational for c in poly.all_coeffs()):
        return None
    a = poly.coeff_monomial(var)
    b = poly.coeff_monomial(1)
    return sympy.Rational(a), sympy.Rational(b)


def _axis(low: float, high: float) -> tuple[float, float, float]:
    span = high - low if high > low else 1.0
    raw = span / 6
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(f * magnitude for f in (1.0, 2.0, 2.5, 5.0, 10.0) if raw <= f * magnitude)
    return (float(math.floor(low / step) * step), float(math.ceil(high / step) * step), float(step))


def _as_x(expr: sympy.Expr, var: sympy.Symbol) -> str:
    return str(expr.subs(var, sympy.Symbol("x")))


def _move(amount: sympy.Rational, what: str) -> str:
    """ "Subtract 5 from both sides" / "Add 0.25 m to both sides": what undoes ``+ amount``."""
    return f"Subtract {what} from both sides" if amount > 0 else f"Add {what} to both sides"


def plain_number(value: sympy.Rational) -> str:
    """A number as a note beside a line of working writes it, in plain text: ``0.25``, ``1/3``, ``−4``."""
    return Writing().plain(value)


def _plain_term(coefficient: sympy.Rational, var: sympy.Symbol, writing: Writing) -> str:
    if coefficient == 1:
        return str(var)
    if abs(coefficient.p) == 1 and not _undone_by_dividing(coefficient, writing):
        return f"{var}/{coefficient.q}"
    return f"{writing.plain(coefficient, money=True)} {var}"


def move_note(amount: sympy.Rational, what: str) -> str:
    """The note beside the line that undoes ``+ amount``: "− 5 from both sides" / "+ 0.25 m to both sides"."""
    return f"\u2212 {what} from both sides" if amount > 0 else f"+ {what} to both sides"


def divide_note(by: sympy.Rational, writing: Writing | None = None) -> str:
    """The note beside the line that divides both sides by ``by``: "÷ 4", "÷ (−0.15)"."""
    written = (writing or Writing()).plain(by, money=True)
    return f"\u00f7 ({written})" if by < 0 else f"\u00f7 {written}"


def multiply_note(by: sympy.Rational, writing: Writing | None = None) -> str:
    """The note beside the line that multiplies both sides by ``by``: "× 3", "× 3/2", "× (−4)"."""
    written = (writing or Writing()).plain(by)
    return f"\u00d7 ({written})" if by < 0 else f"\u00d7 {written}"


def _undone_by_dividing(coefficient: sympy.Rational, writing: Writing) -> bool:
    """Whether a coefficient is undone by dividing by it (a whole number, a decimal as written: 4, 0.25) rather
    than by multiplying by its reciprocal (a fraction: x/4 is undone by × 4, 2/3 x by × 3/2)."""
    return coefficient.q == 1 or not writing.number(coefficient).lstrip("-").startswith("\\frac")


def undo_coefficient(coefficient: sympy.Rational, writing: Writing) -> tuple[str, str]:
    """What the voice says and the note writes to leave the unknown alone when it is multiplied by
    ``coefficient``: divide by a whole number or decimal, multiply by the reciprocal of a fraction."""
    if _undone_by_dividing(coefficient, writing):
        return f"Divide both sides by {writing.said(coefficient, money=True)}", divide_note(coefficient, writing)
    reciprocal = 1 / coefficient
    return f"Multiply both sides by {writing.said(reciprocal)}", multiply_note(reciprocal, writing)


def _boxed_last(steps: list[WriteStep]) -> list[WriteStep]:
    """The steps with the last one, the answer, boxed."""
    if not steps:
        return steps
    return [*steps[:-1], steps[-1].model_copy(update={"box": True})]


def _as_written(expr: sympy.Expr, writing: Writing, names: dict[sympy.Basic, sympy.Basic] | None = None) -> str:
    """``expr`` in LaTeX as the context wrote it, amounts of money to the cent (0.1 m as 0.10 m) and ``names``
    put in place of what they name."""
    replaced: dict[sympy.Basic, sympy.Basic] = dict(names or {})
    if writing.money:
        for f in expr.atoms(sympy.Float):
            cents = sympy.Symbol(writing.number(sympy.Rational(str(abs(f))), money=True))
            replaced[f] = cents if f > 0 else sympy.Mul(-1, cents, evaluate=False)
    if not replaced:
        return to_latex(expr)
    with sympy.evaluate(False):
        written = expr.xreplace(replaced)
    return to_latex(written)


def _rewritten(lhs: sympy.Expr, rhs: sympy.Expr, var: sympy.Symbol) -> tuple[str, str] | None:
    """The first line of working when a side as written is not yet ``a var + b``: its brackets multiplied out
    ("expand"), or its like terms collected ("collect like terms"); ``None`` when both sides already are."""
    if _has_brackets(lhs) or _has_brackets(rhs):
        return "Multiply out the brackets", "expand"
    if any(_terms_in(side, var) > 1 or _constants_in(side) > 1 for side in (lhs, rhs)):
        return "Collect like terms", "collect like terms"
    if any(_multiplied_numbers(term) for side in (lhs, rhs) for term in sympy.Add.make_args(side)):
        return "Work out the products of numbers", "work out"
    return None


def _multiplied_numbers(term: sympy.Expr) -> bool:
    """Whether ``term`` as written multiplies numbers still to be worked out: ``2 (7.5)``, ``2 (3 x)``; a fraction
    (``1/2``, ``x/3``) is not one."""
    numbers = [f for f in sympy.Mul.make_args(term) if f.is_Number and f != 1]
    return len(numbers) > 1


def _constants_in(expr: sympy.Expr) -> int:
    return sum(1 for term in sympy.Add.make_args(expr) if not term.free_symbols)


def _writing(lhs: sympy.Expr, rhs: sympy.Expr, writing: Writing | None) -> Writing:
    """``writing`` (the context's money and unit) with the fractions or decimals of the equation as written."""
    return replace(writing or Writing(), fractions=writing_for(lhs, rhs).fractions)


def solve_linear(
    lhs: sympy.Expr, rhs: sympy.Expr, var: sympy.Symbol, scene_id: str = "solve", writing: Writing | None = None
) -> list[Scene]:
    """``lhs = rhs``, linear in ``var``, solved step by step and checked; then both sides as lines meeting at the
    answer. Empty when it is not linear in ``var`` or has no single answer. ``writing`` says whether the sides are
    money and what the unknown's unit is."""
    check_size(lhs - rhs)
    left, right = exact(lhs), exact(rhs)
    left_parts, right_parts = _linear_parts(left, var), _linear_parts(right, var)
    if left_parts is None or right_parts is None:
        return []
    (a1, b1), (a2, b2) = left_parts, right_parts
    a, b = a1 - a2, b2 - b1
    if a == 0:
        return []
    answer = sympy.Rational(b, a)
    if abs(answer) > _MAX_ANSWER or left.subs(var, answer) != right.subs(var, answer):
        return []
    w = _writing(lhs, rhs, writing)
    name = sympy.latex(var)
    said_name = spoken(name)
    written = f"{_as_written(lhs, w)} = {_as_written(rhs, w)}"
    draft = SceneDraft(scene_id, "example", "Solve it step by step").beat(
        f"Solve {spoken(written)}.", ShowEquation(id="eq", latex=written, region="top")
    )
    final = f"{name} = {w.answer(answer)}"
    # Each step: what the voice says, and the line written under the last.
    steps: list[tuple[str, WriteStep]] = []
    expanded = f"{linear_tex(a1, b1, name, w)} = {linear_tex(a2, b2, name, w)}"
    rewrite = _rewritten(lhs, rhs, var)
    if rewrite is not None and expanded != written:
        sentence, note = rewrite
        steps.append((f"{sentence}: {spoken(expanded)}.", WriteStep(target="eq", latex=expanded, note=note)))
    if a2 != 0:
        moved = f"{linear_tex(a, b1, name, w)} = {w.number(b2, money=True)}"
        steps.append(
            (
                f"{_move(a2, spoken(_term(abs(a2), name, w)))}, so that {said_name} appears on one side only: "
                f"{spoken(moved)}.",
                WriteStep(
                    target="eq",
                    latex=moved,
                    highlight=[_term(a, name, w)],
                    note=move_note(a2, _plain_term(abs(a2), var, w)),
                ),
            )
        )
    if b1 != 0:
        isolated = final if a == 1 else f"{_term(a, name, w)} = {w.number(b, money=True)}"
        steps.append(
            (
                f"{_move(b1, w.said(abs(b1), money=True))}: {spoken(isolated)}.",
                WriteStep(
                    target="eq",
                    latex=isolated,
                    highlight=[w.number(b, money=True)],
                    note=move_note(b1, w.plain(abs(b1), money=True)),
                ),
            )
        )
    if a != 1:
        sentence, note = undo_coefficient(a, w)
        steps.append(
            (
                f"{sentence}: {spoken(final)}.",
                WriteStep(target="eq", latex=final, highlight=[w.number(answer)], note=note),
            )
        )
    for (sentence, _), step in zip(steps, _boxed_last([step for _, step in steps]), strict=True):
        draft.beat(sentence, step)
    value_left, value_right = left.subs(var, answer), right.subs(var, answer)
    if value_left != value_right:
        raise ValueError("the checked answer does not satisfy the equation")
    draft.beat(
        f"Check: with {said_name} equal to {spoken(w.answer(answer))}, both sides come to "
        f"{w.said(value_left, money=True)}.",
        WriteStep(target="eq", latex=_check_line(lhs, rhs, var, answer, w), note="check", dim=False),
    )
    scenes = [draft.build()]
    meeting = _sides_meeting(left, right, var, answer, f"{scene_id}_graph", (lhs, rhs), w)
    if meeting is not None:
        scenes.append(meeting)
    return scenes


def _check_line(lhs: sympy.Expr, rhs: sympy.Expr, var: sympy.Symbol, answer: sympy.Rational, w: Writing) -> str:
    """The answer put back into each side as written, each side worked out: ``20 + 0.10 (100) = 30``, or
    ``40 + 5 (5) = 65 = 25 + 8 (5)`` when both sides hold the unknown. Numbers written as the working writes them."""
    value = w.number(sympy.Rational(exact(lhs).subs(var, answer)), money=True)
    sides = [_substituted(side, var, answer, w) for side in (lhs, rhs) if var in side.free_symbols]
    if len(sides) == 2:
        return f"{sides[0]} = {value} = {sides[1]}"
    return f"{sides[0]} = {value}" if var in lhs.free_symbols else f"{value} = {sides[0]}"


def _has_brackets(expr: sympy.Expr) -> bool:
    """Whether ``expr`` as written multiplies a bracket out: ``0.5 (10 - x)``, ``(x + 1)^2``."""
    return any(
        (node.is_Mul or node.is_Pow) and any(arg.is_Add for arg in node.args) for node in sympy.preorder_traversal(expr)
    )


def _substituted(expr: sympy.Expr, var: sympy.Symbol, value: sympy.Rational, writing: Writing | None = None) -> str:
    """``expr`` with ``value`` written in place of ``var``, in brackets: ``0.1 (100) + 20``."""
    w = writing or Writing()
    if expr == var:
        return w.number(value)
    return _as_written(expr, w, {var: sympy.Symbol(f"({w.number(value)})")})


def _label(side: str) -> str | None:
    """A side of the equation as the label of its graph, when it is short enough to sit beside the curve."""
    text = f"y = {side}"
    return text if len(text) <= 40 else None


def _sides_meeting(
    left: sympy.Expr,
    right: sympy.Expr,
    var: sympy.Symbol,
    answer: sympy.Expr,
    scene_id: str,
    written: tuple[sympy.Expr, sympy.Expr] | None = None,
    writing: Writing | None = None,
) -> Scene | None:
    """Each side of the equation as a graph in ``var`` (labelled as ``written``): they meet above the answer."""
    w = writing or Writing()
    left_written, right_written = written or (left, right)
    at = float(answer)
    half = max(5.0, abs(at) * 0.6)
    low, high = at - half, at + half
    f, g = numeric(left, [var]), numeric(right, [var])
    values = [h(x) for h in (f, g) for x in (low + (high - low) * i / 40 for i in range(41))]
    finite = sorted(v for v in values if math.isfinite(v))
    if len(finite) < 40:
        return None
    middle_value = left.subs(var, answer)
    middle = float(middle_value)
    y_low, y_high = min(finite[len(finite) // 20], middle, 0.0), max(finite[-1 - len(finite) // 20], middle, 0.0)
    name = sympy.latex(var)
    said_name = spoken(name)
    point = f"({w.value(answer)}, {w.value(middle_value, money=True)})"
    if len(point) > _MAX_LABEL:  # two fractions: the answer alone fits beside the point
        point = f"{name} = {w.value(answer)}"
    return (
        SceneDraft(scene_id, "explanation", "Both sides as graphs")
        .beat(
            f"Draw each side as a graph in {said_name}: the left side in yellow, the right side in blue.",
            ShowAxes(id="ax", x_range=_axis(low, high), y_range=_axis(y_low, y_high), x_label=name, region="center"),
            PlotFunction(
                id="left_side",
                axes="ax",
                expression=_as_x(left, var),
                color="yellow",
                label=_label(_as_written(left_written, w)),
            ),
            PlotFunction(
                id="right_side",
                axes="ax",
                expression=_as_x(right, var),
                color="blue",
                label=_label(_as_written(right_written, w)),
            ),
        )
        .beat(
            f"They meet where {said_name} is {spoken(w.answer(answer))}: there both sides are "
            f"{w.said(middle_value, money=True)}.",
            ShowPoint(id="meet", at=(round(at, 4), round(middle, 4)), axes="ax", label=point, color="red"),
        )
        .build()
    )


def _relation(exactly: bool) -> str:
    return "=" if exactly else "\\approx"


# The last step of finding a letter that is raised to a power: what undoes the power, as the note names it.
_UNDO_POWER = {
    2: ("Take the square root of both sides", "square root of both sides"),
    3: ("Take the cube root of both sides", "cube root of both sides"),
    -1: ("Turn both sides upside down", "reciprocal of both sides"),
    sympy.Rational(1, 2): ("Square both sides", "square both sides"),
}


def _isolating_steps(
    side: sympy.Expr, value: sympy.Rational, var: sympy.Symbol, answer: sympy.Expr, w: Writing
) -> list[tuple[str, str, str]] | None:
    """The last steps from ``side = value`` to the answer, each as (what is said, the line, its note): the number
    multiplying the unknown undone (÷ 4, × 3), then the power undone (√ both sides, reciprocal of both sides).
    ``None`` when ``side`` is not a number times a power of the unknown."""
    coefficient, power = side.as_coeff_Mul()
    if not coefficient.is_Rational or coefficient == 0:
        return None
    base, exponent = power.as_base_exp()
    if base != var or exponent not in (1, *_UNDO_POWER):
        return None
    name = sympy.latex(var)
    exactly = answer.is_Rational
    final = f"{name} {_relation(exactly)} {w.answer(answer)}"
    said_final = f"{spoken(name)} is {'' if exactly else 'about '}{spoken(w.answer(answer))}"
    steps: list[tuple[str, str, str]] = []
    if coefficient != 1:
        sentence, note = undo_coefficient(sympy.Rational(coefficient), w)
        if exponent == 1:
            return [(f"{sentence}: {said_final}.", final, note)]
        alone = sympy.Rational(value, coefficient)
        line = f"{to_latex(power)} = {w.number(alone)}"
        steps.append((f"{sentence}: {spoken(line)}.", line, note))
    if exponent != 1:
        sentence, note = _UNDO_POWER[exponent]
        positive = " (the positive root)" if exponent == 2 else ""
        steps.append((f"{sentence}{positive}: {said_final}.", final, note))
    return steps


def solve_with_values(
    lhs: sympy.Expr,
    rhs: sympy.Expr,
    values: dict[str, float],
    var: sympy.Symbol,
    scene_id: str = "solve",
    writing: Writing | None = None,
) -> list[Scene]:
    """A formula with the context's values put in, leaving one unknown ``var``, worked out to its value: the values
    in, the known side computed, the unknown found and checked; then the unknown side as a graph meeting the value.
    Empty unless there is exactly one positive or one real answer."""
    check_size(lhs - rhs)
    given = {s: sympy.Rational(str(values[str(s)])) for s in (lhs - rhs).free_symbols if str(s) in values}
    left, right = exact(lhs).xreplace(given), exact(rhs).xreplace(given)
    if left.free_symbols | right.free_symbols != {var}:
        return []
    if not given:
        linear = solve_linear(lhs, rhs, var, scene_id, writing)
        if linear:
            return linear
    if right.free_symbols and not left.free_symbols:
        lhs, rhs, left, right = rhs, lhs, right, left
    # The side without the unknown, as written: worked out to one number in a step of its own.
    known = rhs if not right.free_symbols and not rhs.is_Number else None
    answers = [r for r in sympy.solve(sympy.Eq(left, right), var) if r.is_real]
    if len(answers) > 1:
        answers = [r for r in answers if r > 0]
    if len(answers) != 1 or not answers[0].is_number or abs(float(answers[0])) > _MAX_ANSWER:
        return []
    (answer,) = answers
    if abs(float(left.subs(var, answer) - right.subs(var, answer))) > 1e-9:
        return []
    w = replace(writing or Writing(), fractions=writing_for(lhs.xreplace(given), rhs.xreplace(given)).fractions)
    name = sympy.latex(var)
    said_name = spoken(name)
    formula = f"{to_latex(lhs)} = {to_latex(rhs)}"
    draft = SceneDraft(scene_id, "example", f"Find {said_name}").beat(
        f"Take {spoken(formula)}.", ShowEquation(id="eq", latex=formula, region="top")
    )
    put = _as_symbols(given, w)
    with sympy.evaluate(False):
        unknown_side = lhs.xreplace(put)
    with_values = formula
    if given:
        ordered = sorted(given.items(), key=lambda item: str(item[0]))
        said = " and ".join(f"{s} equal to {w.said(v, money=True)}" for s, v in ordered)
        note = "put in " + ", ".join(f"{s} = {w.plain(v, money=True)}" for s, v in ordered)
        with sympy.evaluate(False):
            put_in = rhs.xreplace(put)
        with_values = f"{to_latex(unknown_side)} = {to_latex(put_in)}"
        draft.beat(
            f"Put in {said}.",
            WriteStep(target="eq", latex=with_values, note=note if len(note) <= 40 else "put in the values"),
        )
    right_text = w.number(sympy.Rational(right), money=True) if right.is_Rational else ""
    worked = f"{to_latex(unknown_side)} = {right_text}" if right.is_Rational else ""
    # Nothing to work out when the values put in already left one number on the right: P = 0, or 1/f = 1/10.
    one_number = len(rhs.free_symbols) == 1 and any(exact(rhs) in (s, 1 / s) for s in rhs.free_symbols)
    if known is not None and right.is_Rational and worked != with_values and not one_number:
        draft.beat(
            f"The right side works out to {w.said(right, money=True)}.",
            WriteStep(target="eq", latex=worked, highlight=[right_text], note="work out the right side"),
        )
    parts = _linear_parts(left, var) if right.is_Rational else None
    # Like terms written apart (6 n - 2.5 n - 35) are collected in a step of their own: 3.5 n - 35.
    if parts is not None and parts[0] != 0 and _terms_in(unknown_side, var) > 1:
        collected = f"{linear_tex(*parts, name, w)} = {right_text}"
        draft.beat(
            f"Collect the terms in {said_name}: {spoken(collected)}.",
            WriteStep(target="eq", latex=collected, highlight=[_term(parts[0], name, w)], note="collect like terms"),
        )
    # A number added to the unknown's term goes to the other side first: 1/15 + 1/v = 1/10 gives 1/v = 1/30.
    constant = sum((t for t in sympy.Add.make_args(left) if not t.free_symbols), sympy.Integer(0))
    alone, alone_value = left, right
    if constant != 0 and constant.is_Rational and right.is_Rational and left != constant:
        alone, alone_value = left - constant, right - constant
        rest_text = w.number(sympy.Rational(alone_value), money=True)
        rest_side = _term(parts[0], name, w) if parts is not None and parts[0] != 0 else to_latex(alone)
        isolated = f"{rest_side} = {rest_text}"
        draft.beat(
            f"{_move(constant, w.said(abs(constant), money=True))}: {spoken(isolated)}.",
            WriteStep(
                target="eq",
                latex=isolated,
                highlight=[rest_text],
                note=move_note(sympy.Rational(constant), w.plain(abs(sympy.Rational(constant)), money=True)),
            ),
        )
    exactly = answer.is_Rational
    isolating = (
        _isolating_steps(alone, sympy.Rational(alone_value), var, answer, w) if alone_value.is_Rational else None
    )
    if isolating is None:
        final = f"{name} {_relation(exactly)} {w.answer(answer)}"
        said_final = f"{said_name} is {'' if exactly else 'about '}{spoken(w.answer(answer))}"
        isolating = [(f"So {said_final}.", final, f"solve for {var}")]
    for index, (sentence, line, note) in enumerate(isolating):
        last = index == len(isolating) - 1
        draft.beat(
            sentence,
            WriteStep(target="eq", latex=line, highlight=[w.value(answer)] if last else [], note=note, box=last),
        )
    if exactly and right.is_Rational:
        value = left.subs(var, answer)
        if value != right:
            raise ValueError("the checked answer does not satisfy the equation")
        draft.beat(
            f"Check: with {said_name} equal to {spoken(w.answer(answer))}, the left side comes to "
            f"{w.said(value, money=True)}, as it should.",
            WriteStep(
                target="eq",
                latex=f"{_substituted(unknown_side, var, sympy.Rational(answer), w)} = {right_text}",
                note="check",
                dim=False,
            ),
        )
    scenes = [draft.build()]
    # Labelled as the working wrote them (6n - 2.5n - 35, not -35 + 7n/2).
    meeting = _sides_meeting(left, right, var, answer, f"{scene_id}_graph", (unknown_side, right), w)
    if meeting is not None:
        scenes.append(meeting)
    return scenes


def _as_symbols(given: dict[sympy.Symbol, sympy.Rational], w: Writing) -> dict[sympy.Symbol, sympy.Symbol]:
    """The given values as symbols named by how they are written, so that they print where the letters stood."""
    named = {s: (v, w.number(v, money=True)) for s, v in given.items()}
    return {s: sympy.Symbol(text if v >= 0 else f"({text})") for s, (v, text) in named.items()}


def solve_inequality(
    lhs: sympy.Expr,
    relation: str,
    rhs: sympy.Expr,
    var: sympy.Symbol,
    scene_id: str = "inequality",
    writing: Writing | None = None,
) -> list[Scene]:
    """A linear inequality solved like an equation (the sign turned round when dividing by a negative number),
    then drawn as a ray on a number line and checked with a test point. Empty when it is not linear in ``var``."""
    check_size(lhs - rhs)
    left, right = exact(lhs), exact(rhs)
    left_parts, right_parts = _linear_parts(left, var), _linear_parts(right, var)
    if left_parts is None or right_parts is None or relation not in _REL_TEX:
        return []
    (a1, b1), (a2, b2) = left_parts, right_parts
    a, b = a1 - a2, b2 - b1
    if a == 0:
        return []
    bound = sympy.Rational(b, a)
    if abs(bound) > _MAX_ANSWER:
        return []
    w = _writing(lhs, rhs, writing)
    final = _FLIP[relation] if a < 0 else relation
    solution = sympy.solve_univariate_inequality(
        sympy.sympify(f"({left}) {relation} ({right})", locals={str(var): var}), var, relational=False
    )
    name = sympy.latex(var)
    said_name = spoken(name)
    right_side = final in (">", ">=")
    step = sympy.Rational(_axis(float(bound) - 3, float(bound) + 3)[2])
    inside = bound + (step if right_side else -step)
    # A whole number to test with when one lies near the end: x = 3 rather than x = 10/3.
    whole = sympy.floor(bound) + 1 if right_side else sympy.ceiling(bound) - 1
    if abs(whole - bound) <= 3 * step:
        inside = sympy.Integer(whole)
    if (inside in solution) is not True or (bound in solution) != (final in ("<=", ">=")):
        raise ValueError("the inequality's solution does not check")
    written = f"{_as_written(lhs, w)} {_REL_TEX[relation]} {_as_written(rhs, w)}"
    low, high, tick = _axis(float(bound) - 3 * float(step), float(bound) + 3 * float(step))
    draft = SceneDraft(scene_id, "example", "Solve, then draw").beat(
        f"Solve {spoken(written)}.",
        ShowEquation(id="ineq", latex=written, region="top"),
        ShowNumberLine(id="line", x_range=(low, high, tick), region="bottom"),
    )
    answer = f"{name} {_REL_TEX[final]} {w.answer(bound)}"
    steps: list[tuple[str, WriteStep]] = []
    expanded = f"{linear_tex(a1, b1, name, w)} {_REL_TEX[relation]} {linear_tex(a2, b2, name, w)}"
    rewrite = _rewritten(lhs, rhs, var)
    if rewrite is not None and expanded != written:
        sentence, note = rewrite
        steps.append((f"{sentence}: {spoken(expanded)}.", WriteStep(target="ineq", latex=expanded, note=note)))
    if a2 != 0:
        moved = f"{linear_tex(a, b1, name, w)} {_REL_TEX[relation]} {w.number(b2, money=True)}"
        steps.append(
            (
                f"{_move(a2, spoken(_term(abs(a2), name, w)))}, as in an equation: {spoken(moved)}.",
                WriteStep(target="ineq", latex=moved, note=move_note(a2, _plain_term(abs(a2), var, w))),
            )
        )
    if b1 != 0:
        isolated = answer if a == 1 else f"{_term(a, name, w)} {_REL_TEX[relation]} {w.number(b, money=True)}"
        steps.append(
            (
                f"{_move(b1, w.said(abs(b1), money=True))}: {spoken(isolated)}.",
                WriteStep(target="ineq", latex=isolated, note=move_note(b1, w.plain(abs(b1), money=True))),
            )
        )
    if a != 1:
        sentence, note = undo_coefficient(a, w)
        if a < 0:
            steps.append(
                (
                    f"{sentence}. That is by a negative number, which reverses the order, so the sign turns round: "
                    f"{spoken(answer)}.",
                    WriteStep(target="ineq", latex=answer, highlight=[_REL_TEX[final]], note=note + ", sign turns"),
                )
            )
        else:
            steps.append(
                (
                    f"{sentence}; that is by a positive number, so the sign stays: {spoken(answer)}.",
                    WriteStep(target="ineq", latex=answer, note=note),
                )
            )
    for (sentence, _), step in zip(steps, _boxed_last([step for _, step in steps]), strict=True):
        draft.beat(sentence, step)
    closed = final in ("<=", ">=")
    draft.beat(
        f"On the number line: every {said_name} {_REL_SAID[final]} {spoken(w.answer(bound))}, "
        + ("the end included, a filled dot." if closed else "the end left out, a hollow dot."),
        ShowInterval(
            id="ray",
            number_line="line",
            start=float(bound) if right_side else None,
            end=None if right_side else float(bound),
            include_start=closed,
            include_end=closed,
            label=f"{name} {_REL_TEX[final]} {w.number(bound)}",
            color="yellow",
        ),
    )
    value_left, value_right = left.subs(var, inside), right.subs(var, inside)
    left_text, right_text = w.number(value_left, money=True), w.number(value_right, money=True)
    right_line = right_text if not rhs.free_symbols else f"{right_text} = {_substituted(rhs, var, inside, w)}"
    left_line = f"{_substituted(lhs, var, inside, w)} = {left_text}" if lhs.free_symbols else left_text
    test = f"{left_line} {_REL_TEX[relation]} {right_line}"
    draft.beat(
        f"Test {said_name} equal to {w.said(inside)}: the left side is {w.said(value_left, money=True)}, "
        f"{_REL_SAID[relation]} {w.said(value_right, money=True)}, as the drawing says.",
        WriteStep(target="ineq", latex=test, note=f"test {var} = {w.plain(inside)}", dim=False),
    )
    return [draft.build()]


def _money_in(sides: list[sympy.Expr], amounts: tuple[float, ...]) -> bool:
    """Whether a number written in ``sides`` is one of the context's amounts of money."""
    numbers = {abs(float(n)) for side in sides for n in sympy.preorder_traversal(side) if isinstance(n, sympy.Number)}
    return any(abs(amount - n) < 1e-9 for amount in amounts for n in numbers if n != 0)


def money_latex(plain: str, amounts: tuple[float, ...]) -> str | None:
    """A plain formula in LaTeX with its amounts of money to the cent (``20 + 0.10 m = 30``), when one of its
    numbers is one of the context's ``amounts``; ``None`` otherwise."""
    sides = parse_plain(plain)
    if not sides or not _money_in(sides, amounts):
        return None
    return safe_latex(" = ".join(_as_written(side, Writing(money=True)) for side in sides))


def inequality_latex(left: str, relation: str, right: str, money: tuple[float, ...] = ()) -> str | None:
    """An inequality of the context (as ``ContextFacts.inequalities`` holds it) in LaTeX, or ``None``; its amounts
    of money (numbers among the context's ``money``) to the cent."""
    sides = parse_plain(f"{left} = {right}")
    if not sides or len(sides) != 2 or relation not in _REL_TEX:
        return None
    w = Writing(money=_money_in(sides, money))
    return safe_latex(f"{_as_written(sides[0], w)} {_REL_TEX[relation]} {_as_written(sides[1], w)}")
