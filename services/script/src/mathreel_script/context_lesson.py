"""A lesson built from the mathematics in a context, for a topic the curriculum does not teach.

The planner never narrates a user's brief back. What it can teach from a context is what it can compute and draw:
a function of one variable is graphed (its intercepts found and marked, a point run along it); an equation in one
unknown is solved step by step and seen as two graphs meeting; a formula whose letters the context gives values is
evaluated step by step and graphed against one of its letters. When the context holds too little of that to show
in at least three drawn beats, there is no lesson, and the job fails with ``topic_not_supported``.

Every value is computed with floats through ``math`` (no arbitrary precision on user text: an overflow is an error,
never a hang), after a size check that refuses towers of powers, huge integers and long expressions.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable

import sympy

from mathreel_scenelang.storyboard import (
    PlotFunction,
    Region,
    Scene,
    ShowAxes,
    ShowBullets,
    ShowEquation,
    ShowPoint,
    Sweep,
    TransformEquation,
    WriteStep,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations.checks import drawing_beats
from mathreel_script.demonstrations.linear import LinearEquationParams, solve_linear_equation
from mathreel_script.draft import SceneDraft
from mathreel_script.equation_steps import Writing, exact, solve_inequality, solve_linear, solve_with_values
from mathreel_script.latex import format_number, parse_plain, spoken, to_latex
from mathreel_script.safe_math import UnsafeExpression, check_size, numeric
from mathreel_script.text import as_sentence

_PREFERRED_VARIABLES = ("x", "t", "n", "r")


def _nice_step(span: float) -> float:
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / 6
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= factor * magnitude:
            return float(factor * magnitude)
    return float(10 * magnitude)


def _axis(low: float, high: float) -> tuple[float, float, float]:
    step = _nice_step(high - low)
    # Rounded: 3 * 0.2 is 0.6000000000000001 in floats, and the axis would say so.
    return (round(math.floor(low / step) * step, 9), round(math.ceil(high / step) * step, 9), step)


def _said(value: float) -> str:
    """A value as written on screen: at most two decimals."""
    return format_number(round(value, 2))


def _say(value: float) -> str:
    """A value as the narration says it: "minus 2.5", not a hyphen the voice may skip."""
    text = _said(value)
    return f"minus {text[1:]}" if text.startswith("-") else text


def _plot_text(expr: sympy.Expr, variable: sympy.Symbol) -> str:
    return str(expr.subs(variable, sympy.Symbol("x")))


def _value_range(f: Callable[[float], float], low: float, high: float) -> tuple[float, float] | None:
    values = [f(low + (high - low) * i / 60) for i in range(61)]
    finite = sorted(v for v in values if not math.isnan(v))
    if len(finite) < 30:
        return None
    # The middle of the values: a pole's spike does not set the scale.
    lo, hi = finite[len(finite) // 20], finite[-1 - len(finite) // 20]
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-9:
        hi = lo + 1
    return lo, hi


def graph_function(name: str, expr: sympy.Expr, variable: sympy.Symbol, scene_id: str = "graph") -> Scene | None:
    """The graph of ``name = expr``: the curve, where it crosses the axes, and a point run along it."""
    f = numeric(expr, [variable])
    low, high = -5.0, 5.0
    span = _value_range(f, low, high)
    if span is None:
        return None
    x_axis, y_axis = _axis(low, high), _axis(*span)
    latex = f"{sympy.latex(sympy.Symbol(name))} = {sympy.latex(expr)}"
    var = str(variable)
    draft = SceneDraft(scene_id, "explanation", "The graph").beat(
        f"Here is the graph of {spoken(latex)}.",
        ShowEquation(id="rule", latex=latex, region="top"),
        ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, x_label=var, y_label=name, region="center"),
        PlotFunction(id="curve", axes="ax", expression=_plot_text(expr, variable), color="yellow"),
    )
    at_zero = f(0.0)
    if not math.isnan(at_zero):
        draft.beat(
            f"At {var} equals 0 the curve is at height {_say(at_zero)}.",
            ShowPoint(id="start", at=(0.0, round(at_zero, 3)), label=_said(at_zero), axes="ax", color="green"),
        )
    # A zero at 0 was just marked as the value there.
    roots = [r for r in _sign_changes(f, low, high) if math.isnan(at_zero) or at_zero != 0 or abs(r) > 1e-6]
    if roots:
        draft.beat(
            f"It crosses the axis where {var} is {_joined([_say(r) for r in roots[:3]])}.",
            *(
                ShowPoint(id=f"root_{i}", at=(round(r, 3), 0.0), label=_said(r), axes="ax", color="red")
                for i, r in enumerate(roots[:3])
            ),
        )
    draft.beat(
        "Follow a point along the curve and watch its coordinates change.",
        Sweep(id="runner", graph="curve", start=low / 2, end=high / 2, show=["dot", "coordinates"]),
    )
    return draft.build()


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sign_changes(f: Callable[[float], float], low: float, high: float) -> list[float]:
    """Roots of ``f`` in [low, high], by bisection between samples of opposite sign."""
    roots: list[float] = []
    xs = [low + (high - low) * i / 200 for i in range(201)]
    for a, b in itertools.pairwise(xs):
        fa, fb = f(a), f(b)
        if math.isnan(fa) or math.isnan(fb):
            continue
        if fa == 0:
            roots.append(a)
        elif fa * fb < 0:
            for _ in range(50):
                mid = (a + b) / 2
                fm = f(mid)
                if math.isnan(fm):
                    break
                a, b = (mid, b) if fa * fm > 0 else (a, mid)
            roots.append((a + b) / 2)
    return [r for i, r in enumerate(roots) if i == 0 or abs(r - roots[i - 1]) > 1e-6]


def solve_equation(
    lhs: sympy.Expr, rhs: sympy.Expr, variable: sympy.Symbol, writing: Writing | None = None
) -> list[Scene]:
    """Scenes solving ``lhs = rhs`` in ``variable`` (linear or quadratic with integer coefficients); ``writing``
    says whether its sides are money and what its unknown's unit is."""
    check_size(lhs - rhs)
    try:
        poly = sympy.Poly(sympy.expand(lhs - rhs), variable)
    except sympy.PolynomialError:
        return []
    coefficients = poly.all_coeffs()
    if poly.degree() not in (1, 2):
        return []
    if not all(c.is_Integer and abs(int(c)) <= 1000 for c in coefficients):
        return solve_linear(lhs, rhs, variable, writing=writing) if poly.degree() == 1 else []
    if poly.degree() == 1 and writing is not None and (writing.money or writing.unit):
        return solve_linear(lhs, rhs, variable, writing=writing)
    if poly.degree() == 1:
        a, b = (int(c) for c in coefficients)
        simple = str(variable) == "x" and rhs.is_Integer and not lhs.is_Integer and lhs.is_polynomial(variable)
        if simple and sympy.expand(lhs) == lhs and 2 <= a <= 12 and -30 <= b + int(rhs) <= 30:
            c_value = int(rhs)
            if -60 <= c_value <= 60:
                return solve_linear_equation(LinearEquationParams(a=a, b=b + c_value, c=c_value), ContextFacts())
        return solve_linear(lhs, rhs, variable, writing=writing)
    return _quadratic(poly, variable) if poly.degree() == 2 else []


def _quadratic(poly: sympy.Poly, variable: sympy.Symbol) -> list[Scene]:
    expr = poly.as_expr()
    roots = sorted(r for r in sympy.solve(expr, variable) if r.is_real)
    var = str(variable)
    equation = f"{sympy.latex(expr)} = 0"
    draft = SceneDraft("solve", "example", "Solve it").beat(
        f"Solve {spoken(equation)}.", ShowEquation(id="eq", latex=equation, region="top")
    )
    factored = sympy.factor(expr)
    if not roots:
        draft.beat(
            "Its graph never meets the axis, so there is no real solution.",
            ShowEquation(id="none", latex="\\text{no real solution}", region="bottom"),
        )
    elif factored != expr and all(r.is_Rational for r in roots):
        draft.beat(
            f"It factors as {spoken(sympy.latex(factored))} equals 0.",
            WriteStep(target="eq", latex=f"{sympy.latex(factored)} = 0", note="factorise"),
        )
        answers = " \\text{ or } ".join(f"{var} = {sympy.latex(r)}" for r in roots)
        said = " or ".join(f"{var} equals {_say(float(r))}" for r in roots)
        draft.beat(
            f"A product is 0 only when a factor is 0, so {said}.",
            WriteStep(target="eq", latex=answers, note="a factor is 0", box=True),
        )
    else:
        values = [float(r) for r in roots]
        answers = " \\text{ or } ".join(f"{var} \\approx {_said(v)}" for v in values)
        draft.beat(
            f"The quadratic formula gives {_joined([_say(v) for v in values])}.",
            WriteStep(target="eq", latex=answers, note="quadratic formula", box=True),
        )
    scenes = [draft.build()]
    graph = graph_function("y", expr, variable, "roots_graph")
    if graph is not None:
        scenes.append(graph)
    return scenes


def _put_in(value: float) -> str:
    """A value as it is put into a formula: a negative one in brackets."""
    text = format_number(value)
    return f"({text})" if value < 0 else text


def evaluate_formula(name: sympy.Symbol, expr: sympy.Expr, values: dict[str, float]) -> list[Scene]:
    """``name = expr`` with the context's values put in, worked out, then graphed against one of its letters."""
    symbols = sorted(expr.free_symbols, key=str)
    if not symbols or any(str(s) not in values for s in symbols) or len(symbols) > 5:
        return []
    f = numeric(expr, symbols)
    given = [values[str(s)] for s in symbols]
    result = f(*given)
    if math.isnan(result) or abs(result) > 1e9:
        return []
    with sympy.evaluate(False):
        # A negative value goes in brackets: (-1)^2 is 1, while -1^2 would read as -1.
        substituted = expr.xreplace({s: sympy.Symbol(_put_in(values[str(s)])) for s in symbols})
    formula = f"{to_latex(name)} = {to_latex(expr)}"
    with_values = f"{to_latex(name)} = {to_latex(substituted)}"
    relation = "=" if result == round(result, 2) else "\\approx"
    said_values = ", ".join(f"{s} equals {format_number(values[str(s)])}" for s in symbols)
    draft = (
        SceneDraft("evaluate", "example", "Work it out")
        .beat(f"Take {spoken(formula)}.", ShowEquation(id="formula", latex=formula, region="top"))
        .beat(f"Put in {said_values}.", WriteStep(target="formula", latex=with_values, note="put in the values"))
        .beat(
            f"That gives {spoken(to_latex(name))} equals about {_said(result)}."
            if result != round(result, 2)
            else f"That gives {spoken(to_latex(name))} equals {_said(result)}.",
            WriteStep(
                target="formula",
                latex=f"{to_latex(name)} {relation} {_said(result)}",
                highlight=[_said(result)],
                note="work it out",
                box=True,
            ),
        )
    )
    scenes = [draft.build()]
    graph = _graph_against(name, expr, symbols, values, result)
    if graph is not None:
        scenes.append(graph)
    return scenes


def _graph_against(
    name: sympy.Symbol, expr: sympy.Expr, symbols: list[sympy.Symbol], values: dict[str, float], result: float
) -> Scene | None:
    """How ``name`` changes with one letter, the others held at the context's values, the worked value marked."""
    order = sorted(symbols, key=lambda s: _PREFERRED_VARIABLES.index(str(s)) if str(s) in _PREFERRED_VARIABLES else 9)
    variable = order[0]
    at = values[str(variable)]
    if at <= 0:
        return None
    fixed = {s: values[str(s)] for s in symbols if s != variable}
    one_letter = expr.subs(fixed)
    f = numeric(one_letter, [variable])
    high = at * 2
    span = _value_range(f, 0.0, high)
    if span is None:
        return None
    var = str(variable)
    held = ", ".join(f"{s} at {format_number(v)}" for s, v in fixed.items())
    held_latex = ",\\; ".join(f"{sympy.latex(s)} = {format_number(v)}" for s, v in fixed.items())
    return (
        SceneDraft("dependence", "explanation", f"How {name} depends on {var}")
        .beat(
            f"Hold {_joined(held.split(', '))} and let {var} vary." if held else f"Let {var} vary.",
            *([ShowEquation(id="held", latex=held_latex, region="top")] if held else []),
            ShowAxes(
                id="ax", x_range=_axis(0.0, high), y_range=_axis(*span), x_label=var, y_label=str(name), region="center"
            ),
            PlotFunction(id="curve", axes="ax", expression=_plot_text(one_letter, variable), color="yellow"),
        )
        .beat(
            f"Our case, {var} equals {format_number(at)}, sits on the curve at {_say(result)}.",
            ShowPoint(
                id="case",
                at=(round(at, 4), round(result, 4)),
                label=f"({format_number(at)}, {_said(result)})",
                axes="ax",
                color="red",
            ),
        )
        .beat(
            f"Moving {var} along its axis traces how {spoken(sympy.latex(name))} grows or shrinks with it.",
            Sweep(id="runner", graph="curve", start=0.0, end=high, show=["dot", "vertical"]),
        )
        .build()
    )


def check_computation(lhs: sympy.Expr, rhs: sympy.Expr, scene_id: str) -> Scene | None:
    """A computation the context states with numbers only ("1000 * 1.05^3 = 1157.63"), worked out, if it checks
    out to the precision it is written with; a wrong one is never shown."""
    if any(side.has(sympy.sin, sympy.cos, sympy.tan) for side in (lhs, rhs)):
        return None  # degrees or radians: the context rarely says, and the check could not tell
    left, right = numeric(lhs, [])(), numeric(rhs, [])()
    if math.isnan(left) or math.isnan(right) or abs(left - right) > 0.006 * max(1.0, abs(right)):
        return None
    expression = to_latex(lhs)
    equation = f"{expression} = {to_latex(rhs)}"
    return (
        SceneDraft(scene_id, "example", "Check the computation")
        .beat(f"Work out {spoken(expression)}.", ShowEquation(id="calc", latex=expression, region="center"))
        .beat(
            f"It comes to {_say(right)}, as stated.",
            TransformEquation(target="calc", latex=equation, highlight=[to_latex(rhs)]),
        )
        .build()
    )


def legend_scene(formula: str, legend: tuple[tuple[str, str], ...]) -> Scene:
    """The formula at the top, then what each of its letters stands for, as the context explains them."""
    draft = SceneDraft("legend", "explanation", "What the letters mean")
    draft.beat(
        "Each letter in the formula stands for something.", ShowEquation(id="formula", latex=formula, region="top")
    )
    halves = (legend[:3], legend[3:6]) if len(legend) > 3 else (legend,)
    for index, half in enumerate(h for h in halves if h):
        region: Region = "center" if len(halves) == 1 else ("left" if index == 0 else "right")
        items = [f"{symbol}: {meaning}" for symbol, meaning in half]
        # Led by a word, so that capitalising the sentence never turns the letter t into T.
        said = ("Here, " if index == 0 else "And ") + ", ".join(f"{symbol} is {meaning}" for symbol, meaning in half)
        draft.beat(as_sentence(said, max_words=36), ShowBullets(id=f"legend_{index}", items=items, region=region))
    return draft.build()


# The left side of a function's definition, "f(x) =", "g(t) =": the function's letter and its variable.
_FUNCTION_DEFINITION = re.compile(r"^\s*([A-Za-z])\s*\(\s*[a-z]\s*\)\s*=(?!=)")


def teach_formulas(facts: ContextFacts) -> list[Scene]:
    """Scenes for the first formulas of the context that can be graphed, solved or worked out."""
    scenes: list[Scene] = []
    if facts.formulas and facts.legend:
        scenes.append(legend_scene(facts.formulas[0], facts.legend))
    if facts.formulas and facts.word_problem:
        setup = SceneDraft("setup", "explanation", "From words to an equation")
        if facts.word_parts:
            setup.beat(
                as_sentence(facts.word_problem, max_words=48),
                ShowBullets(id="setup_parts", items=list(facts.word_parts), region="center"),
            ).beat(
                f"So the equation is {spoken(facts.formulas[0])}.",
                ShowEquation(id="setup_equation", latex=facts.formulas[0], region="bottom"),
            )
        else:
            setup.beat(
                as_sentence(facts.word_problem, max_words=48),
                ShowEquation(id="setup_equation", latex=facts.formulas[0], region="center"),
            )
        scenes.append(setup.build())
    values = dict(facts.assignments)
    for text in facts.plain_formulas[:3]:
        # "f(x) = x^3 - 2x" defines f; read as f times x it would be "solved" for f.
        text = _FUNCTION_DEFINITION.sub(r"\1 =", text, count=1)
        sides = parse_plain(text)
        if not sides or len(sides) != 2:
            continue
        lhs, rhs = sides
        try:
            scenes.extend(_teach_one(lhs, rhs, values, len(scenes), facts))
        except UnsafeExpression:
            continue
    for left, relation, right in facts.inequalities:
        sides = parse_plain(f"{left} = {right}")
        if not sides or len(sides) != 2 or len((sides[0] - sides[1]).free_symbols) != 1:
            continue
        (variable,) = (sides[0] - sides[1]).free_symbols
        try:
            writing = equation_writing(facts, sides[0], sides[1], variable)
            scenes.extend(
                solve_inequality(sides[0], relation, sides[1], variable, f"inequality_{len(scenes)}", writing)
            )
        except UnsafeExpression:
            continue
    return scenes


def _numbers_in(expr: sympy.Expr) -> set[float]:
    return {abs(float(n)) for n in sympy.preorder_traversal(expr) if isinstance(n, sympy.Number)}


def equation_writing(
    facts: ContextFacts,
    lhs: sympy.Expr,
    rhs: sympy.Expr,
    variable: sympy.Symbol,
    values: dict[str, float] | None = None,
) -> Writing:
    """How the context's equation in ``variable`` is written: to the cent when its numbers are the context's amounts
    of money, and its answer in the unit the context reads it in. The unit is the one a rate multiplying the unknown
    is per ("$0.10 per minute" and 0.1 m: minutes), else the one the question asks for ("how many days"), else the
    one unit every measured number of the equation is in ("perimeter 30 cm" and 2 x + 15 = 30: cm) when the
    unknown is multiplied by plain numbers only and the context states no rate. Letters given ``values`` count as
    those numbers ("d = v t" with v = 60 km/h: t is in hours). No unit when the context does not say it plainly."""
    known = values or {}
    given = {s: sympy.Rational(str(known[str(s)])) for s in (lhs - rhs).free_symbols if str(s) in known}
    written = _numbers_in(lhs) | _numbers_in(rhs) | {abs(float(value)) for value in given.values()}
    money = any(abs(amount - n) < 1e-9 for amount in facts.money for n in written if n != 0)
    # Each term's own number as written (60 t + 90 t: 60 and 90), and each side's once collected (150).
    terms = [term for side in (lhs, rhs) for term in (*sympy.Add.make_args(side), side)]
    coefficients = [sympy.expand(exact(term).xreplace(given)).coeff(variable) for term in terms]
    factors = {abs(float(c)) for c in coefficients if c.is_Number and c != 0}
    per = [(one, many) for rate, one, many in facts.rates if any(abs(rate - c) < 1e-9 for c in factors)]
    unit: tuple[str, str] | None = per[0] if len(set(per)) == 1 else None
    if unit is None and not per:
        unit = facts.asked_unit
    if unit is None and not money and not facts.rates:
        measured = {
            u for value, u in facts.measures if u != str(variable) and any(abs(value - n) < 1e-9 for n in written)
        }
        rated = any(abs(value - c) < 1e-9 for value, _ in facts.measures for c in factors)
        if len(measured) == 1 and not rated:
            (only,) = measured
            unit = (only, only)
    return Writing(money=money, unit=unit[1] if unit else None, unit_one=unit[0] if unit else None)


def _teach_one(
    lhs: sympy.Expr, rhs: sympy.Expr, values: dict[str, float], index: int, facts: ContextFacts | None = None
) -> list[Scene]:
    free = (lhs - rhs).free_symbols
    if not free:
        checked = check_computation(lhs, rhs, f"check_{index}")
        return [checked] if checked else []
    unknown = [s for s in free if str(s) not in values]
    if isinstance(lhs, sympy.Symbol) and lhs not in rhs.free_symbols:
        # A rule for one letter: worked out when the context gives every letter it depends on, graphed when it
        # depends on one letter the context leaves free, solved for the one unknown when the letter itself is given.
        check_size(rhs)
        inputs_unknown = [s for s in rhs.free_symbols if str(s) not in values]
        if not inputs_unknown and rhs.free_symbols:
            return evaluate_formula(lhs, rhs, values)
        if str(lhs) not in values:
            if len(rhs.free_symbols) == 1:
                (variable,) = rhs.free_symbols
                graph = graph_function(str(lhs), rhs, variable, f"graph_{index}")
                return [graph] if graph else []
            return []
    if len(unknown) != 1:
        return []
    (variable,) = unknown
    writing = equation_writing(facts, lhs, rhs, variable, values) if facts is not None else None
    if len(free) == 1:
        solved = solve_equation(lhs, rhs, variable, writing)
        if solved:
            return solved
    return solve_with_values(lhs, rhs, values, variable, f"solve_{index}", writing)


def context_scenes(facts: ContextFacts) -> list[Scene] | None:
    """The scenes of a lesson taught from the context's mathematics, or ``None`` when it shows too little: at least
    one thing worked (graphed, solved, evaluated or checked) and three beats that show mathematics, not words."""
    scenes = teach_formulas(facts)
    worked = [scene for scene in scenes if scene.id not in ("legend", "setup")]
    return scenes if worked and drawing_beats(scenes) >= 3 else None
