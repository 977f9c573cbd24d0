"""Trigonometric functions as graphs: a point turning on the unit circle linked to the wave its height (or width, or
slope) traces; and a sine wave stretched, squeezed and slid by amplitude, period, phase shift and midline."""

from __future__ import annotations

import math
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Action,
    Indicate,
    MorphPlot,
    PlotFunction,
    Remove,
    Scene,
    ShowAngle,
    ShowAxes,
    ShowCircle,
    ShowEquation,
    ShowPoint,
    ShowSegment,
    Sweep,
    SweepTo,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import check, context_ints, deg, num, polar
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft

_CIRC = "^\\circ"
_DEG = "*pi/180"  # the graphs are drawn against degrees, so their ticks are the angles the narration says


class UnitCircleParams(Params):
    function: Literal["sin", "cos", "tan"] = "sin"
    angle: int = Field(default=60, ge=10, le=350)


@demonstration("unit_circle_trace", UnitCircleParams)
def unit_circle_trace(params: UnitCircleParams, facts: ContextFacts) -> list[Scene]:
    """A point turning on the unit circle, its coordinates read off as cosine and sine, and beside it the graph those
    values trace as the angle sweeps a full turn (for the tangent, the slope of the radius, with its asymptotes)."""
    found = context_ints(facts, 1, 10, 350)
    theta = found[0] if found else params.angle
    fn = params.function
    if fn == "tan" and theta % 180 == 90:
        theta += 10
    rad = math.radians(theta)
    cos, sin = math.cos(rad), math.sin(rad)
    check(abs(cos**2 + sin**2 - 1) < 1e-12, "unit circle")
    p = polar(1.0, theta)
    draft = (
        SceneDraft("unit_circle", "explanation", "The unit circle")
        .beat(
            f"On a circle of radius 1, turn from the positive x axis by {theta} degrees.",
            ShowCircle(id="circle", center=(0.0, 0.0), radius=1.0, color="blue", fill_opacity=0.05, region="left"),
            ShowSegment(id="axis", start=(-1.2, 0.0), end=(1.2, 0.0), color="grey"),
            ShowSegment(id="radius", start=(0.0, 0.0), end=p, label="1", color="white"),
            ShowAngle(id="theta", vertex=(0.0, 0.0), a=(1.0, 0.0), b=p, label=deg(theta)),
        )
        .beat(
            f"The point lands at x about {num(cos)}, the cosine, and y about {num(sin)}, the sine.",
            ShowPoint(id="p", at=p, label=f"({num(cos)}, {num(sin)})", color="yellow"),
            ShowSegment(id="height", start=p, end=(p[0], 0.0), dashed=True, color="red"),
            ShowSegment(id="width", start=(0.0, 0.0), end=(p[0], 0.0), color="green"),
        )
    )
    if fn == "tan":
        tan = math.tan(rad)
        check(abs(tan - sin / cos) < 1e-9, "tangent")
        draft.beat(
            f"The tangent is the sine over the cosine, the slope of the radius: about {num(tan)}.",
            ShowEquation(
                id="value",
                latex=f"\\tan {theta}^\\circ = \\frac{{{num(sin)}}}{{{num(cos)}}} \\approx {num(tan)}",
                region="top_right",
            ),
            ShowAxes(
                id="ax",
                x_range=(0, 360, 90),
                y_range=(-4, 4, 2),
                x_label="\\theta",
                y_label="\\tan\\theta",
                region="right",
            ),
            PlotFunction(id="graph", axes="ax", expression=f"tan(x{_DEG})", color="yellow"),
        ).beat(
            "Where the cosine is 0, at 90 and 270 degrees, the radius stands upright and the tangent has no value: "
            "the graph breaks at asymptotes.",
            ShowSegment(id="asym1", axes="ax", start=(90.0, -4.0), end=(90.0, 4.0), dashed=True, color="grey"),
            ShowSegment(id="asym2", axes="ax", start=(270.0, -4.0), end=(270.0, 4.0), dashed=True, color="grey"),
        ).beat(
            "Between them it climbs through every value, repeating every 180 degrees.",
            Sweep(id="trace", graph="graph", start=100.0, end=260.0, show=["dot", "coordinates"]),
        )
        return [draft.build()]
    value = sin if fn == "sin" else cos
    name = "sine" if fn == "sin" else "cosine"
    draft.beat(
        f"Plot the {name} against the angle: at {theta} degrees it is about {num(value)}.",
        ShowAxes(
            id="ax",
            x_range=(0, 360, 90),
            y_range=(-1, 1, 1),
            x_label="\\theta",
            y_label=f"\\{fn}\\theta",
            region="right",
        ),
        PlotFunction(id="graph", axes="ax", expression=f"{fn}(x{_DEG})", x_range=(0, 360), color="grey"),
        Sweep(id="trace", graph="graph", start=0.0, end=float(theta), show=["dot", "vertical"]),
        ShowPoint(id="mark", axes="ax", at=(float(theta), round(value, 3)), label=num(value), color="yellow"),
    ).beat(
        "Keep turning: one full turn of 360 degrees traces one full wave.",
        SweepTo(target="trace", end=360.0),
    ).beat(
        f"The {name} stays between minus 1 and 1 and repeats every 360 degrees.",
        Indicate(target="graph"),
        ShowEquation(id="range", latex=f"-1 \\le \\{fn}\\theta \\le 1", region="top_right"),
    )
    return [draft.build()]


class SinusoidParams(Params):
    amplitude: int = Field(default=2, ge=1, le=4)
    frequency: int = Field(default=2, ge=1, le=4)
    shift: int = Field(default=0, ge=-90, le=90, description="Phase shift in degrees, to the right")
    midline: int = Field(default=0, ge=-3, le=3)


def _signed_term(value: int, unit: str = "") -> str:
    return f"+ {value}{unit}" if value >= 0 else f"- {-value}{unit}"


@demonstration("sinusoid_transform", SinusoidParams)
def sinusoid_transform(params: SinusoidParams, facts: ContextFacts) -> list[Scene]:
    """The graph of y = A sin(B(x - C)) + D built from y = sin x one change at a time: A stretches it to its
    amplitude, B squeezes the period to 360 over B, C slides it, D lifts its midline."""
    given = dict(facts.assignments)
    a = int(given["A"]) if given.get("A") in {1.0, 2.0, 3.0, 4.0} else params.amplitude
    b = int(given["B"]) if given.get("B") in {1.0, 2.0, 3.0, 4.0} else params.frequency
    c, d = params.shift, params.midline
    x = sympy.Symbol("x")
    final = a * sympy.sin(b * (x - c) * sympy.pi / 180) + d
    period = sympy.Rational(360, b)
    check(sympy.simplify(final.subs(x, x + period) - final) == 0, "period")
    check(sympy.maximum(final, x, sympy.Interval(0, 360)) == a + d, "amplitude")
    top = a + abs(d) + 1
    stages: list[tuple[str, str, str, str]] = [("sin(x*pi/180)", "y = \\sin x", "", "")]
    if a != 1:
        stages.append(
            (
                f"{a}*sin(x*pi/180)",
                f"y = {a}\\sin x",
                f"Multiply by {a}: the wave now reaches {a} and minus {a}; {a} is the amplitude.",
                "",
            )
        )
    if b != 1:
        stages.append(
            (
                f"{a}*sin({b}*x*pi/180)",
                f"y = {a}\\sin({b}x)",
                f"Multiply x by {b}: the wave runs {b} times as fast, so its period is 360 over {b}, which is "
                f"{period} degrees.",
                f"T = \\frac{{360^\\circ}}{{{b}}} = {period}^\\circ",
            )
        )
    if c != 0:
        stages.append(
            (
                f"{a}*sin({b}*(x - ({c}))*pi/180)",
                f"y = {a}\\sin({b}(x {_signed_term(-c, _CIRC)}))",
                f"Replace x by x minus {c}: the whole wave slides {abs(c)} degrees to the "
                f"{'right' if c > 0 else 'left'}."
                if c > 0
                else f"Replace x by x plus {-c}: the whole wave slides {abs(c)} degrees to the left.",
                "",
            )
        )
    if d != 0:
        stages.append(
            (
                f"{a}*sin({b}*(x - ({c}))*pi/180) + ({d})",
                f"y = {a}\\sin({b}(x {_signed_term(-c, _CIRC)})) {_signed_term(d)}"
                if c
                else f"y = {a}\\sin({b}x) {_signed_term(d)}",
                f"Add {d}: the midline moves to y equals {d}."
                if d > 0
                else f"Subtract {-d}: the midline moves to y equals minus {-d}.",
                "",
            )
        )
    if len(stages) < 3:
        raise ValueError("choose at least two changes to make to the sine wave")
    draft = SceneDraft("sinusoid", "explanation", "Shaping a sine wave").beat(
        "Start from y equals sine x: it rises to 1, falls to minus 1, and repeats every 360 degrees.",
        ShowAxes(id="ax", x_range=(0, 360, 90), y_range=(-top, top, 1), region="center"),
        PlotFunction(id="base", axes="ax", expression=stages[0][0], x_range=(0, 360), color="grey"),
        ShowEquation(id="rule", latex=stages[0][1], region="top"),
    )
    for k in range(1, len(stages)):
        expression, latex, said, extra = stages[k]
        # The new equation (and its note) first, then the wave morphs while the sentence describes it: the morph
        # fills most of the beat, so anything after it would appear only as the sentence ends.
        actions: list[Action] = [TransformEquation(target="rule", latex=latex)]
        if extra:
            actions.append(ShowEquation(id=f"note{k}", latex=extra, region="bottom"))
        if k > 1:
            actions.insert(0, Remove(targets=[f"wave{k - 1}", *(["peak"] if k == 2 and a != 1 else [])]))
        if k == 1 and a != 1:
            # The amplitude said is the height marked: a dashed line at y = A, labelled with it.
            actions.append(
                ShowSegment(
                    id="peak",
                    start=(0.0, float(a)),
                    end=(360.0, float(a)),
                    axes="ax",
                    dashed=True,
                    color="yellow",
                    label=str(a),
                )
            )
        actions.append(
            MorphPlot(
                id=f"wave{k}", axes="ax", expressions=[stages[k - 1][0], expression], x_range=(0, 360), color="yellow"
            )
        )
        draft.beat(said, *actions)
    if d != 0:
        draft.beat(
            f"The wave swings {a} above and below its midline.",
            PlotFunction(id="mid", axes="ax", expression=str(d), x_range=(0, 360), color="green", label=f"y = {d}"),
        )
    return [draft.build()]
