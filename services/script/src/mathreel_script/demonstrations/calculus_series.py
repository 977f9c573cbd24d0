"""Limits and series: values approaching a limit from both sides, partial sums settling, Taylor polynomials hugging."""

from __future__ import annotations

import re
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Indicate,
    PlotFunction,
    Remove,
    Scene,
    ShowAxes,
    ShowEquation,
    ShowNumberLine,
    ShowPoint,
    ShowSegment,
    ShowTable,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._calculus_common import (
    X,
    changed,
    fit_range,
    num,
    plot_expr,
    tex,
    voiced,
    y_range_of,
)
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import spoken

LimitKind = Literal["removable", "sinc", "jump", "infinity"]


class LimitParams(Params):
    kind: LimitKind = "removable"
    at: int = Field(default=2, ge=-3, le=3)


def _limit_function(kind: LimitKind, a: int) -> tuple[sympy.Expr, float, str]:
    """The function, where to approach, and what to call the point."""
    if kind == "removable":
        return (X**2 - a**2) / (X - a), float(a), str(a)
    if kind == "sinc":
        return sympy.sin(X) / X, 0.0, "0"
    if kind == "jump":
        return sympy.Abs(X - a) / (X - a), float(a), str(a)
    return 1 / X, 0.0, "0"


def _holes(a: float, left: sympy.Expr, right: sympy.Expr) -> list[ShowPoint]:
    """Open circles where the graph has no value: one hole where both sides meet, or the end of each side at a jump
    (none where the values run off to infinity)."""
    ends = [end for end in dict.fromkeys([left, right]) if end.is_finite]
    return [
        ShowPoint(id=f"hole{index}", at=(a, float(end)), axes="ax", hollow=True, color="blue")
        for index, end in enumerate(ends)
    ]


@demonstration("limit_table_approach", LimitParams)
@voiced
def limit_table_approach(params: LimitParams, facts: ContextFacts) -> list[Scene]:
    """Values of a function as x closes in on a point from both sides, tabulated, with the graph's gap or jump."""
    f, a, name = _limit_function(params.kind, params.at)
    a_s = sympy.nsimplify(a)
    left = sympy.limit(f, X, a_s, "-")
    right = sympy.limit(f, X, a_s, "+")
    steps = [sympy.Rational(1, 10), sympy.Rational(1, 100), sympy.Rational(1, 1000)]
    rows = [[num(a_s - h), num(f.subs(X, a_s - h)), num(a_s + h), num(f.subs(X, a_s + h))] for h in steps]
    low, high = a - 3, a + 3
    gap = 0.15
    y_low, y_high = (-6.0, 6.0) if params.kind == "infinity" else (None, None)
    y_axis = fit_range(y_low, y_high) if y_low is not None and y_high is not None else y_range_of(f, low, high)
    draft = SceneDraft("approach", "explanation", f"Closing in on x = {name}").beat(
        f"Take f of x equals {spoken(tex(f))}. At x equals {name} it has no value: the formula divides by zero.",
        ShowEquation(id="f", latex=f"f(x) = {tex(f)}", region="top"),
        ShowAxes(id="ax", x_range=fit_range(low, high), y_range=y_axis, region="left"),
        PlotFunction(id="lgraph", axes="ax", expression=plot_expr(f), x_range=(low, a - gap), color="blue"),
        PlotFunction(id="rgraph", axes="ax", expression=plot_expr(f), x_range=(a + gap, high), color="blue"),
        ShowSegment(id="at", start=(a, y_axis[0]), end=(a, y_axis[1]), axes="ax", dashed=True, color="grey"),
        *_holes(a, left, right),
    )
    draft.beat(
        f"From the left, at {rows[0][0]}, {rows[1][0]} and {rows[2][0]}, f is {rows[0][1]}, {rows[1][1]}, "
        f"then {rows[2][1]}.",
        ShowTable(id="tab", header=["x", "f(x)", "x", "f(x)"], rows=[[*r[:2], "", ""] for r in rows], region="right"),
    )
    draft.beat(
        f"From the right, at {rows[0][2]}, {rows[1][2]} and {rows[2][2]}, f is {rows[0][3]}, {rows[1][3]}, "
        f"then {rows[2][3]}.",
        Remove(targets=["tab"]),
        ShowTable(id="tab2", header=["x", "f(x)", "x", "f(x)"], rows=rows, region="right"),
    )
    if left == right and left.is_finite:
        draft.beat(
            f"Both sides close in on {num(left)}: the limit is {num(left)}, even though f of {name} does not exist.",
            changed("f", f"\\lim_{{x \\to {name}}} {tex(f)} = {tex(left)}", tex(left)),
        )
    elif left.is_finite and right.is_finite:
        draft.beat(
            f"The left side heads to {num(left)}, the right side to {num(right)}: they disagree, so there is no limit.",
            TransformEquation(
                target="f",
                latex=f"\\lim_{{x \\to {name}^-}} f = {tex(left)}, \\quad \\lim_{{x \\to {name}^+}} f = {tex(right)}",
            ),
        )
    else:
        draft.beat(
            "On the right the values grow without bound, on the left they fall without bound: no finite limit.",
            TransformEquation(
                target="f",
                latex=f"\\lim_{{x \\to {name}^+}} f = \\infty, \\quad \\lim_{{x \\to {name}^-}} f = -\\infty",
            ),
        )
    return [draft.build()]


SeriesKind = Literal["geometric", "harmonic", "p_series", "alternating", "telescoping"]


class SeriesParams(Params):
    kind: SeriesKind = "geometric"
    ratio_den: int = Field(default=2, ge=2, le=10, description="A geometric series' ratio is 1 over this")


def _series(kind: SeriesKind, r_den: int) -> tuple[sympy.Expr, str]:
    n = sympy.Symbol("n", integer=True, positive=True)
    terms: dict[str, sympy.Expr] = {
        "geometric": sympy.Rational(1, r_den) ** n,
        "harmonic": 1 / n,
        "p_series": 1 / n**2,
        "alternating": (-1) ** (n + 1) / n,
        "telescoping": 1 / (n * (n + 1)),
    }
    return terms[kind], "n"


@demonstration("series_partial_sums", SeriesParams)
@voiced
def series_partial_sums(params: SeriesParams, facts: ContextFacts) -> list[Scene]:
    """Partial sums of a series, added term by term in a table and marked on a number line: settling or growing."""
    n = sympy.Symbol("n", integer=True, positive=True)
    r_den = params.ratio_den
    for value in facts.integers(2, 10):
        r_den = value
        break
    term, _ = _series(params.kind, r_den)
    total = sympy.summation(term, (n, 1, sympy.oo))
    counts = [1, 2, 3, 4, 10, 100] if params.kind == "harmonic" else [1, 2, 3, 4, 5, 10]
    partial = [sympy.summation(term, (n, 1, k)) for k in counts]
    floats = [float(p) for p in partial]
    series = f"\\sum_{{n=1}}^{{\\infty}} {tex(term)}"
    rows = [[str(k), num(term.subs(n, k)), num(s)] for k, s in zip(counts, partial, strict=True)]
    top = max(floats) if total.is_infinite else max(max(floats), float(total))
    line_range = fit_range(min(0.0, min(floats)), top, 6)
    draft = SceneDraft("partial", "explanation", "Adding one term at a time").beat(
        f"Add up the terms {spoken(tex(term))}, starting at n equals 1 and going on forever.",
        ShowEquation(id="s", latex=series, region="top"),
        ShowNumberLine(id="line", x_range=line_range, marks=floats[:1], region="bottom"),
        ShowTable(id="tab0", header=["n", "term", "sum so far"], rows=rows[:1], region="center"),
    )
    for index, stop in ((1, 4), (2, 6)):
        shown = rows[:stop]
        last = shown[-1]
        draft.beat(
            f"After {last[0]} terms the sum is {last[2]}."
            if index == 2
            else f"The sums so far: {', '.join(r[2] for r in shown)}.",
            Remove(targets=[f"tab{index - 1}", f"line{index - 1}" if index > 1 else "line"]),
            ShowTable(id=f"tab{index}", header=["n", "term", "sum so far"], rows=shown, region="center"),
            ShowNumberLine(id=f"line{index}", x_range=line_range, marks=floats[:stop], region="bottom"),
        )
    if total.is_infinite:
        draft.beat(
            "The sums never settle: they keep growing past every bound, so the series diverges, "
            "even though its terms shrink to zero.",
            TransformEquation(target="s", latex=f"{series} = \\infty"),
        )
    else:
        draft.beat(
            f"The marks crowd toward {num(total)}: the series converges, and its sum is {num(total)}.",
            changed(
                "s", f"{series} = {tex(total)}" + ("" if total.is_Rational else f" \\approx {num(total)}"), tex(total)
            ),
        )
    return [draft.build()]


TaylorFunction = Literal["exp", "sine", "cosine", "log1p", "geometric"]
TAYLOR: dict[str, tuple[sympy.Expr, tuple[float, float], list[int]]] = {
    "exp": (sympy.exp(X), (-3.0, 2.0), [1, 2, 4]),
    "sine": (sympy.sin(X), (-5.0, 5.0), [1, 3, 7]),
    "cosine": (sympy.cos(X), (-5.0, 5.0), [2, 4, 8]),
    "log1p": (sympy.log(1 + X), (-0.9, 1.5), [1, 2, 5]),
    "geometric": (1 / (1 - X), (-0.9, 0.9), [1, 2, 5]),
}


# How a request names the function to expand: "e^x", "sin x", "ln(1 + x)", "1/(1 - x)".
_TAYLOR_NAMES: tuple[tuple[TaylorFunction, re.Pattern[str]], ...] = (
    ("exp", re.compile(r"\be\s*\^\s*\{?\s*x\b|\bexp\s*\(\s*x|\be to the x\b|\bexponential function\b", re.I)),
    ("log1p", re.compile(r"\b(?:ln|log)\s*\(\s*1\s*\+\s*x\s*\)", re.I)),
    ("geometric", re.compile(r"\b1\s*/\s*\(\s*1\s*-\s*x\s*\)", re.I)),
    ("sine", re.compile(r"\bsin(?:e)?\s*\(?\s*x\b", re.I)),
    ("cosine", re.compile(r"\bcos(?:ine)?\s*\(?\s*x\b", re.I)),
)
_DEGREE = re.compile(r"\bdegree\s+(\d{1,2})\b|\b(\d{1,2})(?:st|nd|rd|th)[- ]degree\b", re.I)
_MAX_DEGREE = 8


def taylor_function_named(facts: ContextFacts) -> TaylorFunction | None:
    """The function the request asks to expand, the first it names; ``None`` when it names none."""
    text = " ".join(facts.sentences)
    found = [(match.start(), name) for name, pattern in _TAYLOR_NAMES if (match := pattern.search(text))]
    return min(found)[1] if found else None


def _degrees_up_to(function: TaylorFunction, facts: ContextFacts) -> list[int] | None:
    """Up to three rising degrees ending at the degree the request names ("up to degree 3"), keeping those that add
    a term (sine has odd terms only, cosine even); ``None`` when it names no usable degree."""
    found = _DEGREE.search(" ".join(facts.sentences))
    if found is None:
        return None
    top = int(found.group(1) or found.group(2))
    parity = {"sine": 1, "cosine": 0}.get(function)
    usable = [d for d in range(1, min(top, _MAX_DEGREE) + 1) if parity is None or d % 2 == parity]
    return usable[-3:] if len(usable) >= 2 else None


class TaylorParams(Params):
    function: TaylorFunction = "exp"
    at: float = Field(default=1, ge=-2, le=2, description="Where the polynomials are compared with the function")


@demonstration("taylor_polynomials", TaylorParams)
@voiced
def taylor_polynomials(params: TaylorParams, facts: ContextFacts) -> list[Scene]:
    """Taylor polynomials of rising degree wrapped ever closer around a function; their values at a point converge."""
    function = taylor_function_named(facts) or params.function
    f, (low, high), degrees = TAYLOR[function]
    degrees = _degrees_up_to(function, facts) or degrees
    at = sympy.nsimplify(params.at)
    given = dict(facts.assignments).get("x")
    if given is not None and low < given < high and given != 0:
        at = sympy.nsimplify(given)
    if not low < at < high:
        raise ValueError("the comparison point must lie where the series converges")
    true = f.subs(X, at)
    polys = [sympy.series(f, X, 0, d + 1).removeO() for d in degrees]
    errors = [abs(float(p.subs(X, at) - true)) for p in polys]
    if not errors[0] >= errors[-1]:
        raise ValueError("higher degree should approximate better")
    y_axis = y_range_of(f, low, high)
    draft = SceneDraft("taylor", "explanation", "Polynomials that hug a curve").beat(
        f"Here is f of x equals {spoken(tex(f))}, near x equals 0.",
        ShowEquation(id="p", latex=f"f(x) = {tex(f)}", region="top"),
        ShowAxes(id="ax", x_range=fit_range(low, high), y_range=y_axis, region="left"),
        PlotFunction(id="graph", axes="ax", expression=plot_expr(f), x_range=(low, high), color="blue"),
    )
    rows: list[list[str]] = []
    for index, (degree, poly) in enumerate(zip(degrees, polys, strict=True)):
        value = poly.subs(X, at)
        rows.append([str(degree), num(value)])
        gone = [Remove(targets=[f"poly{index - 1}", f"tab{index - 1}"])] if index else []
        clip = (max(low, -6.0), min(high, 6.0))
        draft.beat(
            f"The polynomial of degree {degree} matches f and its derivatives up to order {degree} at 0; "
            f"at x equals {num(at)} it gives {num(value)}.",
            *gone,
            PlotFunction(id=f"poly{index}", axes="ax", expression=plot_expr(poly), x_range=clip, color="orange"),
            TransformEquation(target="p", latex=f"T_{{{degree}}}(x) = {sympy.latex(poly, order='rev-lex')}"),
            ShowTable(id=f"tab{index}", header=["degree", f"value at {num(at)}"], rows=list(rows), region="right"),
        )
    draft.beat(
        f"The true value is {num(true)}: each added term brings the polynomial closer.",
        TransformEquation(target="p", latex=f"f({num(at)}) = {num(true)}"),
        Indicate(target=f"tab{len(degrees) - 1}"),
    )
    return [draft.build()]


SequenceKind = Literal["reciprocal", "ratio", "compound", "alternating"]


class SequenceParams(Params):
    kind: SequenceKind = "ratio"
    epsilon_hundredths: int = Field(default=10, ge=2, le=50, description="The band's half-width, in hundredths")


@demonstration("sequence_terms_converge", SequenceParams)
@voiced
def sequence_terms_converge(params: SequenceParams, facts: ContextFacts) -> list[Scene]:
    """The terms of a sequence plotted one by one close in on their limit; past some N they all stay in a band."""
    n = sympy.Symbol("n", integer=True, positive=True)
    terms: dict[str, sympy.Expr] = {
        "reciprocal": 1 / n,
        "ratio": n / (n + 1),
        "compound": (1 + 1 / n) ** n,
        "alternating": (-1) ** n / n,
    }
    limits: dict[str, sympy.Expr] = {"reciprocal": 0, "ratio": 1, "compound": sympy.E, "alternating": 0}
    a_n, limit = terms[params.kind], sympy.sympify(limits[params.kind])
    if abs(float(a_n.subs(n, sympy.Float(10**6)) - limit)) > 1e-5:
        raise ValueError("sequence limit check failed")
    eps = sympy.Rational(params.epsilon_hundredths, 100)
    count = 12
    values = [a_n.subs(n, k) for k in range(1, count + 1)]
    inside = [abs(v - limit) < eps for v in values]
    big_n = next((k for k in range(count) if all(inside[k:])), None)
    if big_n is None:
        raise ValueError("no term of the first twelve stays within the band; widen it")
    floats = [float(v) for v in values]
    low = min(min(floats), float(limit - eps))
    high = max(max(floats), float(limit + eps))
    y_axis = fit_range(min(low, 0.0), high, 5)
    rows = [[str(k + 1), num(v)] for k, v in enumerate(values[:6])] + [[str(count), num(values[-1])]]
    top, bottom = float(limit + eps), float(limit - eps)
    draft = (
        SceneDraft("sequence", "explanation", "Terms closing in")
        .beat(
            f"Take the sequence a n equals {spoken(tex(a_n))}, for n equals 1, 2, 3 and on.",
            ShowEquation(id="a", latex=f"a_n = {tex(a_n)}", region="top"),
            ShowAxes(id="ax", x_range=(0, count + 1, 2), y_range=y_axis, x_label="n", y_label="a_n", region="left"),
            ShowTable(id="t0", header=["n", "$a_n$"], rows=rows[:3], region="right"),
        )
        .beat(
            f"Plot the terms: {rows[0][1]}, {rows[1][1]}, {rows[2][1]}, and so on.",
            *[ShowPoint(id=f"p{k}", at=(k + 1, round(floats[k], 4)), axes="ax", color="yellow") for k in range(6)],
        )
        .beat(
            f"Later terms: by n equals {count} the term is {rows[-1][1]}.",
            Remove(targets=["t0"]),
            ShowTable(id="t1", header=["n", "$a_n$"], rows=rows, region="right"),
            *[
                ShowPoint(id=f"p{k}", at=(k + 1, round(floats[k], 4)), axes="ax", color="yellow")
                for k in range(6, count)
            ],
        )
        .beat(
            f"They close in on {num(limit)}, the limit.",
            ShowSegment(id="lim", start=(0, float(limit)), end=(count + 1, float(limit)), axes="ax", color="green"),
            changed(
                "a",
                f"\\lim_{{n \\to \\infty}} {tex(a_n)} = {tex(limit)}"
                + ("" if limit.is_Rational else f" \\approx {num(limit)}"),
                tex(limit),
            ),
        )
        .beat(
            f"Draw a band of {num(eps)} either side: from n equals {big_n + 1} on, every term stays inside it. "
            "However thin the band, such a point exists: that is what converging means.",
            ShowSegment(id="up", start=(0, top), end=(count + 1, top), axes="ax", dashed=True, color="orange"),
            ShowSegment(id="down", start=(0, bottom), end=(count + 1, bottom), axes="ax", dashed=True, color="orange"),
            ShowEquation(
                id="band",
                latex=f"|a_n - {tex(limit)}| < {num(eps)} \\text{{ for }} n \\geq {big_n + 1}",
                region="bottom",
            ),
        )
    )
    return [draft.build()]
