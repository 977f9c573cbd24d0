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


def exact(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with its written decimals as exact fractions (0.1 is 1/10), so that steps add up exactly."""
    # doit(): the parser keeps "3 x - 4" unevaluated, as written; arithmetic needs it evaluated.
    return expr.xreplace({f: sympy.Rational(str(f)) for f in expr.atoms(sympy.Float)}).doit()


def number_tex(value: sympy.Rational) -> str:
    """A number as written on the board: a decimal when it ends within four places, else a fraction."""
    fraction = Fraction(int(value.p), int(value.q))
    denominator = fraction.denominator
    while denominator % 2 == 0:
        denominator //= 2
    while denominator % 5 == 0:
        denominator //= 5
    if denominator == 1 and len(format_number(float(fraction)).partition(".")[2]) <= 4:
        return format_number(float(fraction))
    sign = "-" if fraction < 0 else ""
    return f"{sign}\\frac{{{abs(fraction.numerator)}}}{{{fraction.denominator}}}"


def value_tex(value: sympy.Expr) -> str:
    """An exact rational as ``number_tex`` writes it; any other real number rounded to two places."""
    if value.is_Rational:
        return number_tex(sympy.Rational(value))
    return format_number(round(float(value), 2))


def _said(value: sympy.Expr) -> str:
    text = spoken(value_tex(value))
    return f"minus {text[1:]}" if text.startswith("-") else text


def _term(coefficient: sympy.Rational, var: str) -> str:
    if coefficient == 1:
        return var
    if coefficient == -1:
        return f"-{var}"
    return f"{number_tex(coefficient)} {var}"


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


def linear_tex(a: sympy.Rational, b: sympy.Rational, var: str) -> str:
    """``a var + b`` as written: ``0.1 m + 20``, ``-x - 7``, ``12`` (no zero terms)."""
    if a == 0:
        return number_tex(b)
    text = _term(a, var)
    if b > 0:
        text += f" + {number_tex(b)}"
    elif b < 0:
        text += f" - {number_tex(-b)}"
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
    written = number_tex(value)
    if written.lstrip("-").startswith("\\frac"):
        written = f"{'-' if value < 0 else ''}{abs(value.p)}/{value.q}"
    return written.replace("-", "\u2212")


def _plain_term(coefficient: sympy.Rational, var: sympy.Symbol) -> str:
    if coefficient == 1:
        return str(var)
    return f"{plain_number(coefficient)} {var}"


def move_note(amount: sympy.Rational, what: str) -> str:
    """The note beside the line that undoes ``+ amount``: "− 5 from both sides" / "+ 0.25 m to both sides"."""
    return f"\u2212 {what} from both sides" if amount > 0 else f"+ {what} to both sides"


def divide_note(by: sympy.Rational) -> str:
    """The note beside the line that divides both sides by ``by``: "÷ 4", "÷ (−0.15)"."""
    written = plain_number(by)
    return f"\u00f7 ({written})" if by < 0 else f"\u00f7 {written}"


def _boxed_last(steps: list[WriteStep]) -> list[WriteStep]:
    """The steps with the last one, the answer, boxed."""
    if not steps:
        return steps
    return [*steps[:-1], steps[-1].model_copy(update={"box": True})]


def solve_linear(lhs: sympy.Expr, rhs: sympy.Expr, var: sympy.Symbol, scene_id: str = "solve") -> list[Scene]:
    """``lhs = rhs``, linear in ``var``, solved step by step and checked; then both sides as lines meeting at the
    answer. Empty when it is not linear in ``var`` or has no single answer."""
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
    name = sympy.latex(var)
    said_name = spoken(name)
    written = f"{to_latex(lhs)} = {to_latex(rhs)}"
    draft = SceneDraft(scene_id, "example", "Solve it step by step").beat(
        f"Solve {spoken(written)}.", ShowEquation(id="eq", latex=written, region="top")
    )
    # Each step: what the voice says, and the line written under the last.
    steps: list[tuple[str, WriteStep]] = []
    expanded = f"{linear_tex(a1, b1, name)} = {linear_tex(a2, b2, name)}"
    if _has_brackets(lhs) or _has_brackets(rhs):
        steps.append(
            (f"Multiply out the brackets: {spoken(expanded)}.", WriteStep(target="eq", latex=expanded, note="expand"))
        )
    if a2 != 0:
        moved = f"{linear_tex(a, b1, name)} = {number_tex(b2)}"
        steps.append(
            (
                f"{_move(a2, spoken(_term(abs(a2), name)))}, so that {said_name} appears on one side only: "
                f"{spoken(moved)}.",
                WriteStep(
                    target="eq",
                    latex=moved,
                    highlight=[_term(a, name)],
                    note=move_note(a2, _plain_term(abs(a2), var)),
                ),
            )
        )
    if b1 != 0:
        isolated = f"{_term(a, name)} = {number_tex(b)}"
        steps.append(
            (
                f"{_move(b1, _said(abs(b1)))}: {spoken(isolated)}.",
                WriteStep(
                    target="eq", latex=isolated, highlight=[number_tex(b)], note=move_note(b1, plain_number(abs(b1)))
                ),
            )
        )
    final = f"{name} = {number_tex(answer)}"
    if a != 1:
        steps.append(
            (
                f"Divide both sides by {_said(a)}: {spoken(final)}.",
                WriteStep(target="eq", latex=final, highlight=[number_tex(answer)], note=divide_note(a)),
            )
        )
    for (sentence, _), step in zip(steps, _boxed_last([step for _, step in steps]), strict=True):
        draft.beat(sentence, step)
    value_left, value_right = left.subs(var, answer), right.subs(var, answer)
    check = f"{_substituted(lhs, var, answer)} = {number_tex(value_left)} = {_substituted(rhs, var, answer)}"
    draft.beat(
        f"Check: with {said_name} equal to {_said(answer)}, both sides come to {_said(value_left)}.",
        WriteStep(target="eq", latex=check, note="check", dim=False),
    )
    if value_left != value_right:
        raise ValueError("the checked answer does not satisfy the equation")
    scenes = [draft.build()]
    meeting = _sides_meeting(left, right, var, answer, f"{scene_id}_graph", (lhs, rhs))
    if meeting is not None:
        scenes.append(meeting)
    return scenes


def _has_brackets(expr: sympy.Expr) -> bool:
    """Whether ``expr`` as written multiplies a bracket out: ``0.5 (10 - x)``, ``(x + 1)^2``."""
    return any(
        (node.is_Mul or node.is_Pow) and any(arg.is_Add for arg in node.args) for node in sympy.preorder_traversal(expr)
    )


def _substituted(expr: sympy.Expr, var: sympy.Symbol, value: sympy.Rational) -> str:
    """``expr`` with ``value`` written in place of ``var``, in brackets: ``0.1 (100) + 20``."""
    if expr == var:
        return number_tex(value)
    with sympy.evaluate(False):
        written = expr.xreplace({var: sympy.Symbol(f"({number_tex(value)})")})
    return to_latex(written)


def _label(side: sympy.Expr) -> str | None:
    """A side of the equation as the label of its graph, when it is short enough to sit beside the curve."""
    text = f"y = {to_latex(side)}"
    return text if len(text) <= 40 else None


def _sides_meeting(
    left: sympy.Expr,
    right: sympy.Expr,
    var: sympy.Symbol,
    answer: sympy.Expr,
    scene_id: str,
    written: tuple[sympy.Expr, sympy.Expr] | None = None,
) -> Scene | None:
    """Each side of the equation as a graph in ``var`` (labelled as ``written``): they meet above the answer."""
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
    point = f"({value_tex(answer)}, {value_tex(middle_value)})"
    return (
        SceneDraft(scene_id, "explanation", "Both sides as graphs")
        .beat(
            f"Draw each side as a graph in {said_name}: the left side in yellow, the right side in blue.",
            ShowAxes(id="ax", x_range=_axis(low, high), y_range=_axis(y_low, y_high), x_label=name, region="center"),
            PlotFunction(
                id="left_side", axes="ax", expression=_as_x(left, var), color="yellow", label=_label(left_written)
            ),
            PlotFunction(
                id="right_side", axes="ax", expression=_as_x(right, var), color="blue", label=_label(right_written)
            ),
        )
        .beat(
            f"They meet where {said_name} is {_said(answer)}: there both sides are {_said(middle_value)}.",
            ShowPoint(id="meet", at=(round(at, 4), round(middle, 4)), axes="ax", label=point, color="red"),
        )
        .build()
    )


def solve_with_values(
    lhs: sympy.Expr, rhs: sympy.Expr, values: dict[str, float], var: sympy.Symbol, scene_id: str = "solve"
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
        linear = solve_linear(lhs, rhs, var, scene_id)
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
    name = sympy.latex(var)
    said_name = spoken(name)
    formula = f"{to_latex(lhs)} = {to_latex(rhs)}"
    draft = SceneDraft(scene_id, "example", f"Find {said_name}").beat(
        f"Take {spoken(formula)}.", ShowEquation(id="eq", latex=formula, region="top")
    )
    with sympy.evaluate(False):
        unknown_side = lhs.xreplace(_as_symbols(given))
    with_values = formula
    if given:
        ordered = sorted(given.items(), key=lambda item: str(item[0]))
        said = " and ".join(f"{s} equal to {_said(v)}" for s, v in ordered)
        note = "put in " + ", ".join(f"{s} = {plain_number(v)}" for s, v in ordered)
        with sympy.evaluate(False):
            put_in = rhs.xreplace(_as_symbols(given))
        with_values = f"{to_latex(unknown_side)} = {to_latex(put_in)}"
        draft.beat(
            f"Put in {said}.",
            WriteStep(target="eq", latex=with_values, note=note if len(note) <= 40 else "put in the values"),
        )
    worked = f"{to_latex(unknown_side)} = {number_tex(sympy.Rational(right))}" if right.is_Rational else ""
    # Nothing to work out when the values put in already left one number on the right: P = 0, or 1/f = 1/10.
    one_number = len(rhs.free_symbols) == 1 and any(exact(rhs) in (s, 1 / s) for s in rhs.free_symbols)
    if known is not None and right.is_Rational and worked != with_values and not one_number:
        draft.beat(
            f"The right side works out to {_said(right)}.",
            WriteStep(
                target="eq", latex=worked, highlight=[number_tex(sympy.Rational(right))], note="work out the right side"
            ),
        )
    parts = _linear_parts(left, var) if right.is_Rational else None
    # Like terms written apart (6 n - 2.5 n - 35) are collected in a step of their own: 3.5 n - 35.
    if parts is not None and parts[0] != 0 and _terms_in(unknown_side, var) > 1:
        collected = f"{linear_tex(*parts, name)} = {number_tex(sympy.Rational(right))}"
        draft.beat(
            f"Collect the terms in {said_name}: {spoken(collected)}.",
            WriteStep(target="eq", latex=collected, highlight=[_term(parts[0], name)], note="collect like terms"),
        )
    # A number added to the unknown's term goes to the other side first: 1/15 + 1/v = 1/10 gives 1/v = 1/30.
    constant = sum((t for t in sympy.Add.make_args(left) if not t.free_symbols), sympy.Integer(0))
    if constant != 0 and constant.is_Rational and right.is_Rational and left != constant:
        rest = right - constant
        rest_side = _term(parts[0], name) if parts is not None and parts[0] != 0 else to_latex(left - constant)
        isolated = f"{rest_side} = {number_tex(sympy.Rational(rest))}"
        draft.beat(
            f"{_move(constant, _said(abs(constant)))}: {spoken(isolated)}.",
            WriteStep(
                target="eq",
                latex=isolated,
                highlight=[number_tex(sympy.Rational(rest))],
                note=move_note(sympy.Rational(constant), plain_number(abs(sympy.Rational(constant)))),
            ),
        )
    exactly = answer.is_Rational
    relation = "=" if exactly else "\\approx"
    final = f"{name} {relation} {value_tex(answer)}"
    draft.beat(
        f"So {said_name} is {'' if exactly else 'about '}{_said(answer)}.",
        WriteStep(target="eq", latex=final, highlight=[value_tex(answer)], note=f"solve for {var}", box=True),
    )
    if exactly and right.is_Rational:
        value = left.subs(var, answer)
        if value != right:
            raise ValueError("the checked answer does not satisfy the equation")
        draft.beat(
            f"Check: with {said_name} equal to {_said(answer)}, the left side comes to {_said(value)}, as it should.",
            WriteStep(
                target="eq",
                latex=f"{_substituted(unknown_side, var, sympy.Rational(answer))} = {number_tex(value)}",
                note="check",
                dim=False,
            ),
        )
    scenes = [draft.build()]
    # Labelled as the working wrote them (6n - 2.5n - 35, not -35 + 7n/2).
    meeting = _sides_meeting(left, right, var, answer, f"{scene_id}_graph", (unknown_side, right))
    if meeting is not None:
        scenes.append(meeting)
    return scenes


def _as_symbols(given: dict[sympy.Symbol, sympy.Rational]) -> dict[sympy.Symbol, sympy.Symbol]:
    """The given values as symbols named by how they are written, so that they print where the letters stood."""
    return {s: sympy.Symbol(number_tex(v) if v >= 0 else f"({number_tex(v)})") for s, v in given.items()}


def solve_inequality(
    lhs: sympy.Expr, relation: str, rhs: sympy.Expr, var: sympy.Symbol, scene_id: str = "inequality"
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
    final = _FLIP[relation] if a < 0 else relation
    solution = sympy.solve_univariate_inequality(
        sympy.sympify(f"({left}) {relation} ({right})", locals={str(var): var}), var, relational=False
    )
    name = sympy.latex(var)
    said_name = spoken(name)
    right_side = final in (">", ">=")
    step = sympy.Rational(_axis(float(bound) - 3, float(bound) + 3)[2])
    inside = bound + (step if right_side else -step)
    if (inside in solution) is not True or (bound in solution) != (final in ("<=", ">=")):
        raise ValueError("the inequality's solution does not check")
    written = f"{to_latex(lhs)} {_REL_TEX[relation]} {to_latex(rhs)}"
    low, high, tick = _axis(float(bound) - 3 * float(step), float(bound) + 3 * float(step))
    draft = SceneDraft(scene_id, "example", "Solve, then draw").beat(
        f"Solve {spoken(written)}.",
        ShowEquation(id="ineq", latex=written, region="top"),
        ShowNumberLine(id="line", x_range=(low, high, tick), region="bottom"),
    )
    steps: list[tuple[str, WriteStep]] = []
    if a2 != 0:
        moved = f"{linear_tex(a, b1, name)} {_REL_TEX[relation]} {number_tex(b2)}"
        steps.append(
            (
                f"{_move(a2, spoken(_term(abs(a2), name)))}, as in an equation: {spoken(moved)}.",
                WriteStep(target="ineq", latex=moved, note=move_note(a2, _plain_term(abs(a2), var))),
            )
        )
    if b1 != 0:
        isolated = f"{_term(a, name)} {_REL_TEX[relation]} {number_tex(b)}"
        steps.append(
            (
                f"{_move(b1, _said(abs(b1)))}: {spoken(isolated)}.",
                WriteStep(target="ineq", latex=isolated, note=move_note(b1, plain_number(abs(b1)))),
            )
        )
    answer = f"{name} {_REL_TEX[final]} {number_tex(bound)}"
    if a < 0:
        steps.append(
            (
                f"Divide by {_said(a)}. Dividing by a negative number reverses the order, so the sign turns round: "
                f"{spoken(answer)}.",
                WriteStep(
                    target="ineq", latex=answer, highlight=[_REL_TEX[final]], note=divide_note(a) + ", sign turns"
                ),
            )
        )
    elif a != 1:
        steps.append(
            (
                f"Divide by {_said(a)}; it is positive, so the sign stays: {spoken(answer)}.",
                WriteStep(target="ineq", latex=answer, note=divide_note(a)),
            )
        )
    for (sentence, _), step in zip(steps, _boxed_last([step for _, step in steps]), strict=True):
        draft.beat(sentence, step)
    closed = final in ("<=", ">=")
    draft.beat(
        f"On the number line: every {said_name} {_REL_SAID[final]} {_said(bound)}, "
        + ("the end included, a filled dot." if closed else "the end left out, a hollow dot."),
        ShowInterval(
            id="ray",
            number_line="line",
            start=float(bound) if right_side else None,
            end=None if right_side else float(bound),
            include_start=closed,
            include_end=closed,
            label=answer,
            color="yellow",
        ),
    )
    value_left, value_right = left.subs(var, inside), right.subs(var, inside)
    right_text = (
        number_tex(value_right)
        if not rhs.free_symbols
        else f"{number_tex(value_right)} = {_substituted(rhs, var, inside)}"
    )
    test = f"{_substituted(lhs, var, inside)} = {number_tex(value_left)} {_REL_TEX[relation]} {right_text}"
    draft.beat(
        f"Test {said_name} equal to {_said(inside)}: the left side is {_said(value_left)}, "
        f"{_REL_SAID[relation]} {_said(value_right)}, as the drawing says.",
        WriteStep(target="ineq", latex=test, note=f"test {var} = {plain_number(inside)}", dim=False),
    )
    return [draft.build()]


def inequality_latex(left: str, relation: str, right: str) -> str | None:
    """An inequality of the context (as ``ContextFacts.inequalities`` holds it) in LaTeX, or ``None``."""
    sides = parse_plain(f"{left} = {right}")
    if not sides or len(sides) != 2 or relation not in _REL_TEX:
        return None
    return safe_latex(f"{to_latex(sides[0])} {_REL_TEX[relation]} {to_latex(sides[1])}")
