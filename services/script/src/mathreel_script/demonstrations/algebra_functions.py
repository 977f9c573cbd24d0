"""Functions drawn: a table of values becoming a graph, a graph moved and stretched step by step, exponential growth
row by row, and a function mirrored in y = x into its inverse."""

from __future__ import annotations

from typing import Literal

import sympy
from pydantic import Field, field_validator, model_validator

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Indicate,
    MorphPlot,
    PlotFunction,
    Remove,
    Scene,
    ShowArrow,
    ShowAxes,
    ShowEquation,
    ShowPoint,
    ShowSegment,
    ShowTable,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._request import HalfLife, half_life
from mathreel_script.demonstrations.algebra_quadratics import X, axis, tex
from mathreel_script.demonstrations.arithmetic_numbers import said
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import format_number as num
from mathreel_script.latex import spoken

_FUNCTIONS = {"sqrt": sympy.sqrt, "abs": sympy.Abs, "Abs": sympy.Abs, "exp": sympy.exp, "log": sympy.log}


def parse_function(text: str) -> sympy.Expr:
    """An expression in x from a curriculum entry (only x, numbers, + - * / ** and a few functions)."""
    expr = sympy.sympify(text, locals={"x": X, **_FUNCTIONS}, rational=True)
    if expr.free_symbols - {X}:
        raise ValueError(f"only x may appear in {text!r}")
    return expr  # type: ignore[no-any-return]


def plot_text(expr: sympy.Expr) -> str:
    """The expression in the plot language (``abs`` not ``Abs``)."""
    return str(expr).replace("Abs", "abs")


def _value(expr: sympy.Expr, at: float) -> sympy.Expr | None:
    value = sympy.nsimplify(expr.subs(X, at))
    return value if value.is_real and value.is_finite else None


# --- a table becoming a graph -----------------------------------------------------------------------------------
class TableParams(Params):
    expression: str = Field(default="x**2 - 2*x", min_length=1, max_length=60)
    xs: list[int] = Field(default_factory=lambda: [-1, 0, 1, 2, 3], min_length=3, max_length=7)
    name: str = Field(default="f", pattern=r"^[a-z]$")

    @field_validator("expression")
    @classmethod
    def _parses(cls, text: str) -> str:
        parse_function(text)
        return text

    @model_validator(mode="after")
    def _defined(self) -> TableParams:
        expr = parse_function(self.expression)
        if any(_value(expr, x) is None for x in self.xs):
            raise ValueError("the function is defined at every x of the table")
        return self


@demonstration("function_table_plot", TableParams)
def function_table_plot(params: TableParams, facts: ContextFacts) -> list[Scene]:
    """A function as a rule: inputs go in, outputs come out, the pairs fill a table row by row, become points, and
    the points join into the graph."""
    expr = parse_function(params.expression)
    f = params.name
    values = [_value(expr, x) for x in params.xs]
    pairs = [(x, v) for x, v in zip(params.xs, values, strict=True) if v is not None]
    if any(sympy.simplify(expr.subs(X, x) - v) != 0 for x, v in pairs):
        raise ValueError("table values check failed")
    shown = [num(float(v)) for _, v in pairs]
    x_axis = axis([float(x) for x, _ in pairs], pad=False)
    y_axis = axis([float(v) for _, v in pairs], pad=False)
    rule = tex(expr)
    first_x = pairs[0][0]
    substituted = sympy.latex(expr.subs(X, sympy.Symbol("XQZ"))).replace("XQZ", f"\\left({first_x}\\right)")
    points: list[Action] = [
        ShowPoint(id=f"p{i}", at=(float(x), float(v)), axes="ax", color="yellow") for i, (x, v) in enumerate(pairs)
    ]
    rows = [[str(x), s] for (x, _), s in zip(pairs, shown, strict=True)]
    half = max(2, len(rows) // 2)
    draft = (
        SceneDraft("table", "explanation", "From a rule to a graph")
        .beat(
            f"The rule {f} of x equals {spoken(rule)} takes an input x and gives one output.",
            ShowEquation(id="rule", latex=f"{f}(x) = {rule}", region="top"),
        )
        .beat(
            f"Put in {said(first_x)}: {f} of {said(first_x)} is {shown[0].replace('-', 'minus ')}.",
            ShowEquation(
                id="sub",
                latex=f"{f}({first_x}) = {substituted} = {shown[0]}",
                region="bottom",
            ),
            ShowTable(id="t1", header=["x", f"{f}(x)"], rows=rows[:half], region="left"),
        )
        .beat(
            "Fill the table for the other inputs, and plot each pair as a point.",
            Remove(targets=["t1", "sub"]),
            ShowTable(id="t2", header=["x", f"{f}(x)"], rows=rows, region="left"),
            ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, region="right"),
            *points[:4],
        )
        .beat(
            f"Join them with the values in between, and we have the graph of {f}.",
            *points[4:],
            PlotFunction(id="g", axes="ax", expression=plot_text(expr), color="blue"),
        )
    )
    return [draft.build()]


# --- moving and stretching a graph -------------------------------------------------------------------------------
_BASES: dict[str, tuple[str, str, tuple[float, float]]] = {
    "square": ("x**2", "x^2", (0, 0)),
    "abs": ("Abs(x)", "|x|", (0, 0)),
    "sqrt": ("sqrt(x)", "\\sqrt{x}", (0, 0)),
    "cube": ("x**3", "x^3", (0, 0)),
    "exp": ("2**x", "2^x", (0, 1)),
}


class TransformParams(Params):
    base: Literal["square", "abs", "sqrt", "cube", "exp"] = "square"
    a: float = Field(default=1, ge=-3, le=3)
    h: int = Field(default=2, ge=-4, le=4)
    k: int = Field(default=-3, ge=-5, le=5)

    @model_validator(mode="after")
    def _nonzero(self) -> TransformParams:
        if self.a == 0:
            raise ValueError("a is not 0")
        return self


@demonstration("graph_transform", TransformParams)
def graph_transform(params: TransformParams, facts: ContextFacts) -> list[Scene]:
    """y = a f(x - h) + k built from f step by step: shift right by h, stretch by a (flip when a is negative), shift
    up by k; a key point is followed through each move."""
    text, shown, key = _BASES[params.base]
    a, h, k = sympy.nsimplify(params.a), params.h, params.k
    f = parse_function(text)
    if a != 1 and key[1] == 0:
        # A stretch leaves a point on the x-axis where it is: follow (1, f(1)) instead, which it visibly moves.
        key = (1.0, float(f.subs(X, 1)))
    shifted = f.subs(X, X - h)
    stretched = a * shifted
    final = stretched + k
    moved = (key[0] + h, float(a) * key[1] + k)
    if sympy.simplify(final.subs(X, moved[0]) - moved[1]) != 0:
        raise ValueError("transformation check failed")
    ys = [float(v) for v in (final.subs(X, moved[0] + d) for d in (-2, -1, 1, 2)) if v.is_real] + [
        moved[1],
        *[float(v) for v in (f.subs(X, d) for d in (-2, 2)) if v.is_real],
    ]
    ys = [max(-10.0, min(10.0, y)) for y in ys]
    ax = ShowAxes(id="ax", x_range=(-6, 6, 2), y_range=axis(ys), region="center")
    a_text = num(float(a))
    final_tex = sympy.latex(final)
    draft = SceneDraft("transform", "explanation", "Moving a graph").beat(
        f"Start from y equals {spoken(shown)}, with the point {said(int(key[0]))}, {said(int(key[1]))} marked.",
        ShowEquation(id="eq", latex=f"y = {shown}", region="top"),
        ax,
        PlotFunction(id="base", axes="ax", expression=plot_text(f), color="grey", label=shown),
        ShowPoint(id="k0", at=key, axes="ax", label=f"({num(key[0])}, {num(key[1])})", color="yellow"),
    )
    previous = "k0"
    point = key
    steps: list[tuple[str, sympy.Expr, tuple[float, float]]] = []
    if h:
        steps.append(
            (
                f"Replace x by x {'minus' if h > 0 else 'plus'} {abs(h)}: the graph moves "
                f"{abs(h)} to the {'right' if h > 0 else 'left'}.",
                shifted,
                (key[0] + h, key[1]),
            )
        )
    if a != 1:
        steps.append(
            (
                f"Multiply by {a_text.replace('-', 'minus ')}: heights are stretched by {num(abs(float(a)))}"
                + (" and flipped upside down." if a < 0 else "."),
                stretched,
                (key[0] + h, float(a) * key[1]),
            )
        )
    if k:
        verb = "Add" if k > 0 else "Subtract"
        steps.append((f"{verb} {abs(k)}: the graph moves {abs(k)} {'up' if k > 0 else 'down'}.", final, moved))
    for index, (words, expr, to) in enumerate(steps, start=1):
        actions: list[Action] = []
        if index > 1:
            actions.append(Remove(targets=[f"g{index - 1}"]))
        actions += [
            PlotFunction(id=f"g{index}", axes="ax", expression=plot_text(expr), color="blue"),
            ShowArrow(id=f"a{index}", start=point, end=to, axes="ax", color="red"),
            ShowPoint(id=f"k{index}", at=to, axes="ax", label=f"({num(to[0])}, {num(to[1])})", color="yellow"),
            Remove(targets=[previous]),
            TransformEquation(target="eq", latex=f"y = {sympy.latex(expr)}"),
        ]
        draft.beat(words, *actions)
        previous, point = f"k{index}", to
    labels = [shown, *[sympy.latex(e) for _, e, _ in steps]]
    draft.beat(
        f"All together: y equals {spoken(final_tex)}, with the marked point now at {said(int(moved[0]))}, "
        f"{num(moved[1]).replace('-', 'minus ')}.",
        Remove(targets=[f"g{len(steps)}"]) if steps else Indicate(target="base"),
        MorphPlot(
            id="morph",
            axes="ax",
            expressions=[plot_text(f), *[plot_text(e) for _, e, _ in steps]][:8],
            labels=labels if all(len(label) <= 40 for label in labels) else [],
            color="blue",
        ),
        Circumscribe(target="eq"),
    )
    return [draft.build()]


# --- exponential growth row by row -------------------------------------------------------------------------------
class GrowthParams(Params):
    initial: float = Field(default=100, gt=0, le=100000)
    percent: float = Field(default=50, ge=-90, le=200, description="Change per step, in per cent")
    steps: int = Field(default=4, ge=3, le=6)
    unit: str = Field(default="n", max_length=12)
    read_log: bool = Field(
        default=False, description="End by reading the last row backwards as a logarithm (a whole factor from 1)"
    )

    @model_validator(mode="after")
    def _changes(self) -> GrowthParams:
        if self.percent == 0:
            raise ValueError("the percent change is not 0")
        return self


@demonstration("exponential_table_plot", GrowthParams)
def exponential_table_plot(params: GrowthParams, facts: ContextFacts) -> list[Scene]:
    """Exponential change: each step multiplies by the same factor (not adds the same amount); the table grows row by
    row, the points climb (or fall) faster and faster, and the curve a times b to the n joins them."""
    halving = half_life(facts)
    if halving is not None:
        # A half-life question: the amount halves every period, and the question's time is read off the curve.
        return [_half_life_scene(halving)]
    initial, percent = sympy.nsimplify(params.initial), sympy.nsimplify(params.percent)
    steps = params.steps
    given = dict(facts.assignments)
    rate = next((p for p in facts.percents if 0 < p <= (90 if percent < 0 else 200)), None)
    if rate is not None:
        # A growth (or decay) in per cent the request states: its rate, its starting amount and its periods.
        percent = sympy.nsimplify(rate if percent > 0 else -rate)
        amount = next((q for q in facts.quantities() if 1 <= q <= 100000), None)
        if amount is not None:
            initial = sympy.nsimplify(amount)
        steps = next((n for n in facts.periods if 3 <= n <= 6), steps)
    if 0 < given.get("P", 0) <= 100000:
        initial = sympy.nsimplify(given["P"])
    factor = 1 + percent / 100
    values = [initial * factor**n for n in range(steps + 1)]
    for n in range(1, len(values)):
        if values[n] != values[n - 1] * factor:
            raise ValueError("growth check failed")
    shown = [num(float(v)) for v in values]
    rows = [[str(n), s] for n, s in enumerate(shown)]
    x_axis = (0.0, float(steps), 1.0)
    y_axis = axis([float(v) for v in values], pad=False)
    u = params.unit
    factor_text = num(float(factor))
    grow = "grows" if factor > 1 else "shrinks"
    draft = (
        SceneDraft("growth", "explanation", "Multiply by the same factor")
        .beat(
            f"Start with {shown[0]}; each step it {grow} by {num(abs(float(percent)))} per cent, "
            f"so it is multiplied by {factor_text}.",
            ShowEquation(
                id="rule",
                latex=f"A = {shown[0]} \\cdot {factor_text}^{{{u}}},\\quad 1 {'+' if percent > 0 else '-'} "
                f"{num(abs(float(percent)))}\\% = {factor_text}",
                region="top",
            ),
            ShowTable(id="t1", header=[u, "A"], rows=rows[:3], region="left"),
        )
        .beat(
            f"After 1 step: {shown[0]} times {factor_text} is {shown[1]}; after 2: {shown[2]}.",
            ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, x_label=u, y_label="A", region="right"),
            *[ShowPoint(id=f"p{n}", at=(n, float(v)), axes="ax", color="yellow") for n, v in enumerate(values[:3])],
        )
        .beat(
            f"Keep multiplying: {', '.join(shown[3:])}.",
            Remove(targets=["t1"]),
            ShowTable(id="t2", header=[u, "A"], rows=rows, region="left"),
            *[
                ShowPoint(id=f"p{n}", at=(n, float(v)), axes="ax", color="yellow")
                for n, v in enumerate(values)
                if n >= 3
            ],
        )
        .beat(
            "The changes themselves "
            + ("grow" if factor > 1 else "shrink")
            + f" each step: the curve {shown[0]} times {factor_text} to the {u} joins the points.",
            PlotFunction(id="g", axes="ax", expression=f"{float(initial)}*{float(factor)}**x", color="blue"),
        )
    )
    # Read backwards, the number of multiplications that reach the last value is its logarithm: shown when the
    # numbers make it whole (from 1, by a whole factor; a context's own starting amount may not).
    if params.read_log and initial == 1 and factor.is_Integer and factor > 1 and values[-1] == factor**steps:
        draft.beat(
            f"Read it backwards: it takes {steps} multiplications by {factor_text} to reach {shown[-1]}, so the "
            f"logarithm base {factor_text} of {shown[-1]} is {steps}.",
            ShowEquation(
                id="log",
                latex=rf"{factor_text}^{{{steps}}} = {shown[-1]} \iff \log_{{{factor_text}}} {shown[-1]} = {steps}",
                region="bottom",
                color="yellow",
            ),
            Indicate(target=f"p{steps}"),
        )
    return [draft.build()]


_UNIT_SAID = {"g": "grams", "mg": "milligrams", "kg": "kilograms"}
_MAX_HALVINGS = 6


def _half_life_scene(given: HalfLife) -> Scene:
    """The amount halving once every period, as a table and as points on its curve, then the amount at the time
    the request asks about, worked out from A = A0 (1/2)^(t/h) and marked on the curve."""
    a0, h = sympy.Rational(given.initial), sympy.Rational(given.period)
    asked = sympy.Rational(given.after) if given.after is not None else None
    halvings = 4 if asked is None else min(max(int(sympy.ceiling(asked / h)), 4), _MAX_HALVINGS)
    times = [k * h for k in range(halvings + 1)]
    amounts = [a0 / 2**k for k in range(halvings + 1)]
    for k in range(1, len(amounts)):
        if amounts[k] * 2 != amounts[k - 1]:
            raise ValueError("half-life check failed")
    unit, period_unit = given.unit, given.time_unit
    unit_tex = f"\\text{{ {unit}}}" if unit else ""
    unit_said = f" {_UNIT_SAID.get(unit, unit)}" if unit else ""
    shown = [num(float(a)) for a in amounts]
    at = [num(float(t)) for t in times]
    rows = [[t, a] for t, a in zip(at, shown, strict=True)]
    header = [f"t ({period_unit})"[:30], f"A ({unit})" if unit else "A"]
    rule = f"A = {num(float(a0))} \\cdot \\left(\\tfrac{{1}}{{2}}\\right)^{{t/{num(float(h))}}}"
    x_axis = (0.0, float(times[-1]), float(h))
    y_axis = axis([float(a0), 0.0], pad=False)
    draft = (
        SceneDraft("half_life", "example", "Halving every period")
        .beat(
            f"Start with {shown[0]}{unit_said}; every {at[1]} {period_unit} half of what is left decays.",
            ShowEquation(id="rule", latex=rule, region="top"),
            ShowTable(id="t1", header=header, rows=rows[:3], region="left"),
        )
        .beat(
            f"After {at[1]} {period_unit}, {shown[1]}{unit_said} are left; after {at[2]}, {shown[2]}.",
            ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, x_label="t", y_label="A", region="right"),
            *[ShowPoint(id=f"p{k}", at=(float(times[k]), float(amounts[k])), axes="ax") for k in range(3)],
        )
        .beat(
            f"Each {at[1]} {period_unit} it halves again: {', '.join(shown[3:])}.",
            Remove(targets=["t1"]),
            ShowTable(id="t2", header=header, rows=rows, region="left"),
            *[ShowPoint(id=f"p{k}", at=(float(times[k]), float(amounts[k])), axes="ax") for k in range(3, len(times))],
        )
        .beat(
            f"The curve {shown[0]} times one half to the power t over {at[1]} joins the points: it never reaches zero.",
            PlotFunction(id="g", axes="ax", expression=f"{float(a0)}*0.5**(x/{float(h)})", color="blue"),
        )
    )
    if asked is not None:
        value = a0 * sympy.Rational(1, 2) ** (asked / h)
        value_text = num(round(float(value), 2))
        exact = value.is_Rational
        relation = "=" if exact else "\\approx"
        latex = (
            f"A = {num(float(a0))} \\cdot \\left(\\tfrac{{1}}{{2}}\\right)^{{{num(float(asked))}/{num(float(h))}}}"
            f" {relation} {value_text}{unit_tex}"
        )
        beat_actions: list[Action] = [TransformEquation(target="rule", latex=latex, highlight=[value_text])]
        if asked <= times[-1]:
            beat_actions += [
                ShowPoint(
                    id="asked",
                    at=(float(asked), float(value)),
                    axes="ax",
                    color="red",
                    label=f"({num(float(asked))}, {value_text})",
                ),
                ShowSegment(
                    id="drop",
                    start=(float(asked), float(value)),
                    end=(float(asked), 0.0),
                    axes="ax",
                    color="red",
                    dashed=True,
                ),
            ]
        draft.beat(
            f"After {num(float(asked))} {period_unit}: {shown[0]} times one half to the power {num(float(asked))} "
            f"over {at[1]}, which is {'' if exact else 'about '}{value_text}{unit_said}.",
            *beat_actions,
        )
    return draft.build()


# --- an inverse as a mirror image -------------------------------------------------------------------------------
_INVERSES: dict[str, tuple[str, str, str, str, list[float]]] = {
    "exp2": ("2**x", "log(x)/log(2)", "2^x", "\\log_2 x", [1, 2, 3]),
    "exp3": ("3**x", "log(x)/log(3)", "3^x", "\\log_3 x", [1, 2]),
    "square": ("x**2", "sqrt(x)", "x^2", "\\sqrt{x}", [1, 2]),
    "linear": ("2*x + 1", "(x - 1)/2", "2x + 1", "\\frac{x - 1}{2}", [0, 1, 2]),
}


class InverseParams(Params):
    function: Literal["exp2", "exp3", "square", "linear"] = "exp2"


@demonstration("inverse_mirror", InverseParams)
def inverse_mirror(params: InverseParams, facts: ContextFacts) -> list[Scene]:
    """A function and its inverse: every point (a, b) of one is (b, a) on the other, so the graphs are mirror images
    in the line y = x; for 2 to the x the mirror image is the logarithm base 2."""
    text, inverse_text, shown, inverse_shown, inputs = _INVERSES[params.function]
    f, g = parse_function(text), parse_function(inverse_text)
    pairs = [(sympy.Integer(int(a)), f.subs(X, int(a))) for a in inputs]
    for a, b in pairs:
        if sympy.simplify(g.subs(X, b) - a) != 0:
            raise ValueError("inverse check failed")
    top = float(max(b for _, b in pairs)) + 1
    rng = axis([-1.0 if params.function != "square" else 0.0, top], pad=False)
    domain = (0.0, top) if params.function == "square" else None
    a0, b0 = pairs[-1]
    draft = (
        SceneDraft("inverse", "explanation", "A mirror image in y = x")
        .beat(
            f"Here is y equals {spoken(shown)}.",
            ShowAxes(id="ax", x_range=rng, y_range=rng, region="center"),
            PlotFunction(id="f", axes="ax", expression=text, color="blue", label=shown, x_range=domain),
        )
        .beat(
            "It sends "
            + ", ".join(f"{a} to {num(float(b))}" for a, b in pairs)
            + ": the inverse sends each output back to its input.",
            *[
                ShowPoint(id=f"p{i}", at=(float(a), float(b)), axes="ax", color="yellow")
                for i, (a, b) in enumerate(pairs)
            ],
            ShowTable(
                id="pairs",
                header=["x", shown if len(shown) < 12 else "f(x)"],
                rows=[[str(a), num(float(b))] for a, b in pairs],
                region="top_left",
            ),
        )
        .beat(
            f"Swap each pair: the point {a0}, {num(float(b0))} becomes {num(float(b0))}, {a0}, its mirror image in the "
            "line y equals x.",
            ShowSegment(id="mirror", start=(rng[0], rng[0]), end=(rng[1], rng[1]), dashed=True, axes="ax"),
            *[
                ShowPoint(id=f"q{i}", at=(float(b), float(a)), axes="ax", color="green")
                for i, (a, b) in enumerate(pairs)
            ],
            ShowArrow(id="swap", start=(float(a0), float(b0)), end=(float(b0), float(a0)), axes="ax", color="red"),
        )
        .beat(
            f"The mirrored points lie on the inverse, y equals {spoken(inverse_shown)}.",
            PlotFunction(
                id="g",
                axes="ax",
                expression=inverse_text,
                color="green",
                label=inverse_shown,
                x_range=(0.05 if params.function.startswith("exp") else rng[0], rng[1]),
            ),
            ShowEquation(
                id="rel",
                latex=f"y = {shown} \\iff x = {inverse_shown.replace('x', 'y')}",
                region="bottom",
                color="yellow",
            ),
        )
    )
    return [draft.build()]
