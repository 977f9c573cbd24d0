"""Measuring figures: areas of polygons found by cutting and moving pieces, the circle measured through inscribed
polygons, arcs, sectors and radians, and volumes of solids built from stacked slices (shown in 2D views)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Indicate,
    Move,
    Recolor,
    Remove,
    Scene,
    ShowAngle,
    ShowCircle,
    ShowEquation,
    ShowPolygon,
    ShowSegment,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import check, context_ints, deg, given_ints, num, polar, pt
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft

Shape = Literal["rectangle", "parallelogram", "triangle", "trapezoid"]


class ShapeAreaParams(Params):
    shape: Shape = "parallelogram"
    base: int = Field(default=6, ge=2, le=12)
    height: int = Field(default=4, ge=1, le=8)
    top: int = Field(default=3, ge=1, le=12, description="The top parallel side of a trapezoid")
    slant: int = Field(default=2, ge=1, le=4, description="How far the top is pushed to the right")


def _sides(params: ShapeAreaParams, facts: ContextFacts) -> tuple[int, int, int]:
    if params.shape == "trapezoid":
        found = given_ints(facts, "abh", 1, 12) or context_ints(facts, 3, 1, 12)
        if found and found[2] <= 8:
            return found[0], found[2], found[1]
        return params.base, params.height, params.top
    found = given_ints(facts, "bh", 1, 12) or context_ints(facts, 2, 1, 12)
    if found and found[0] >= 2 and found[1] <= 8:
        return found[0], found[1], params.top
    return params.base, params.height, params.top


@demonstration("shape_area_formula", ShapeAreaParams)
def shape_area_formula(params: ShapeAreaParams, facts: ContextFacts) -> list[Scene]:
    """Area by moving pieces: a rectangle counted in unit squares, a parallelogram's corner slid across into a
    rectangle, two copies of a triangle or trapezoid fitted into a parallelogram; then the formula, computed."""
    b, h, top = _sides(params, facts)
    o = params.slant
    draft = SceneDraft("area", "explanation", f"Area of a {params.shape}")
    base_seg = ShowSegment(id="base", start=(float(b), 0.0), end=(0.0, 0.0), label=str(b), color="yellow")
    if params.shape == "rectangle":
        area = b * h
        corners = [(0.0, 0.0), (float(b), 0.0), (float(b), float(h)), (0.0, float(h))]
        columns: list[Action] = [
            ShowSegment(id=f"col{k}", start=(float(k), 0.0), end=(float(k), float(h)), dashed=True, color="grey")
            for k in range(1, min(b, 8))
        ]
        rows: list[Action] = [
            ShowSegment(id=f"row{k}", start=(0.0, float(k)), end=(float(b), float(k)), dashed=True, color="grey")
            for k in range(1, min(h, 8))
        ]
        draft.beat(
            f"A rectangle {b} units wide and {h} units high.",
            ShowPolygon(id="shape", vertices=corners, color="blue"),
            base_seg,
            ShowSegment(id="side", start=(float(b), 0.0), end=(float(b), float(h)), label=str(h), color="green"),
        ).beat(f"Cut it into columns one unit wide: there are {b} of them.", *columns).beat(
            f"Cut across too: {h} rows, each of {b} unit squares.", *rows
        ).beat(
            f"So it holds {b} times {h}, which is {area} unit squares.",
            ShowEquation(id="formula", latex=f"A = b \\times h = {b} \\times {h} = {area}", region="top"),
            Indicate(target="shape"),
        )
        check(area == b * h, "rectangle")
        return [draft.build()]
    height = ShowSegment(
        id="height", start=(float(o), float(h)), end=(float(o), 0.0), label=str(h), dashed=True, color="green"
    )
    if params.shape == "parallelogram":
        area = b * h
        piece = [(0.0, 0.0), (float(o), 0.0), (float(o), float(h))]
        rest = [(float(o), 0.0), (float(b), 0.0), (float(b + o), float(h)), (float(o), float(h))]
        draft.beat(
            f"A parallelogram with base {b} and height {h}: the height is measured straight up, not along the slant.",
            ShowPolygon(id="rest", vertices=rest, color="blue", fill_opacity=0.4),
            ShowPolygon(id="piece", vertices=piece, color="blue", fill_opacity=0.4),
            base_seg,
            height,
        ).beat(
            "Cut off the triangle on the left along the height.",
            Recolor(target="piece", color="orange"),
        ).beat(
            "Slide it across to the right side: it fits exactly.",
            Remove(targets=["base"]),
            Move(target="piece", shift=(float(b), 0.0)),
        ).beat(
            f"Now it is a rectangle {b} by {h}, so the area is {b} times {h}, which is {area}.",
            ShowEquation(id="formula", latex=f"A = b \\times h = {b} \\times {h} = {area}", region="top"),
            ShowSegment(id="new_base", start=(float(b + o), 0.0), end=(float(o), 0.0), label=str(b), color="yellow"),
            ShowAngle(
                id="square", vertex=(float(b + o), 0.0), a=(float(o), 0.0), b=(float(b + o), float(h)), right=True
            ),
            Circumscribe(target="rest"),
        )
        return [draft.build()]
    if params.shape == "triangle":
        area2 = b * h
        half_area = Fraction(area2, 2)
        tri = [(0.0, 0.0), (float(b), 0.0), (float(o), float(h))]
        copy = [(float(b + o), float(h)), (float(o), float(h)), (float(b), 0.0)]
        lift = float(h) + 1.5
        draft.beat(
            f"A triangle with base {b} and height {h}.",
            ShowPolygon(id="tri", vertices=tri, color="blue"),
            base_seg,
            height,
        ).beat(
            "Take a second copy and turn it half way round.",
            ShowPolygon(id="copy", vertices=[pt(x, y + lift) for x, y in copy], color="orange"),
        ).beat(
            f"Fitted against the first, the two make a parallelogram with base {b} and height {h}.",
            Move(target="copy", shift=(0.0, -lift)),
            ShowEquation(id="whole", latex=f"{b} \\times {h} = {area2}", region="top"),
        ).beat(
            f"The parallelogram's area is {b} times {h}, which is {area2}; the triangle is half of it, "
            f"{num(float(half_area))}.",
            ShowEquation(
                id="formula",
                latex=f"A = \\frac{{1}}{{2}} b h = \\frac{{{b} \\times {h}}}{{2}} = {num(float(half_area))}",
                region="top",
            ),
            Indicate(target="tri"),
        )
        check(2 * half_area == b * h, "triangle")
        return [draft.build()]
    a, c = b, top
    trap_area = Fraction((a + c) * h, 2)
    trap = [(0.0, 0.0), (float(a), 0.0), (float(o + c), float(h)), (float(o), float(h))]
    copy = [(float(a + o + c), float(h)), (float(o + c), float(h)), (float(a), 0.0), (float(a + c), 0.0)]
    lift = float(h) + 1.5
    draft.beat(
        f"A trapezoid with parallel sides {a} and {c}, and height {h}.",
        ShowPolygon(id="trap", vertices=trap, color="blue"),
        base_seg,
        ShowSegment(id="top", start=(float(o), float(h)), end=(float(o + c), float(h)), label=str(c), color="yellow"),
        height,
    ).beat(
        "Take a second copy, turned half way round.",
        ShowPolygon(id="copy", vertices=[pt(x, y + lift) for x, y in copy], color="orange"),
    ).beat(
        f"Together they make a parallelogram whose base is {a} plus {c}, which is {a + c}.",
        Move(target="copy", shift=(0.0, -lift)),
        ShowEquation(id="formula", latex=f"{a} + {c} = {a + c}", region="top"),
    ).beat(
        f"Its area is {a + c} times {h}, and the trapezoid is half: {num(float(trap_area))}.",
        TransformEquation(
            target="formula",
            latex=f"A = \\frac{{(a + b)h}}{{2}} = \\frac{{{a + c} \\times {h}}}{{2}} = {num(float(trap_area))}",
            highlight=[num(float(trap_area))],
        ),
        Indicate(target="trap"),
    )
    check(2 * trap_area == (a + c) * h, "trapezoid")
    return [draft.build()]


class CircleParams(Params):
    kind: Literal["circumference", "area", "arc", "sector", "radian"] = "circumference"
    radius: int = Field(default=5, ge=1, le=20)
    angle: int = Field(default=120, ge=10, le=350, description="Central angle in degrees (arc, sector, radian)")


def _ngon(r: float, n: int) -> list[tuple[float, float]]:
    return [polar(r, 90 + 360 * k / n) for k in range(n)]


@demonstration("circle_measures", CircleParams)
def circle_measures(params: CircleParams, facts: ContextFacts) -> list[Scene]:
    """A circle measured: inscribed polygons with more and more sides close in on its circumference or area; an arc
    or sector is the fraction of the circle its angle takes; a radian is the angle whose arc equals the radius."""
    found = given_ints(facts, "r", 1, 20) or context_ints(facts, 1, 1, 20)
    r = found[0] if found else params.radius
    draw = 3.0  # the figure is drawn at this radius: the plane is scaled to fit anyway
    circle = ShowCircle(id="circle", center=(0.0, 0.0), radius=draw, color="blue", fill_opacity=0.05)
    radius = ShowSegment(id="radius", start=(0.0, 0.0), end=(draw, 0.0), label=str(r), color="yellow")
    draft = SceneDraft("circle", "explanation", "Measuring a circle").beat(f"A circle of radius {r}.", circle, radius)
    rr = sympy.Integer(r)
    if params.kind in ("circumference", "area"):
        is_length = params.kind == "circumference"
        rows = []
        for n in (6, 12):
            value = (
                (2 * n * rr * sympy.sin(sympy.pi / n)) if is_length else (n * rr**2 * sympy.sin(2 * sympy.pi / n) / 2)
            )
            rows.append((n, float(value)))
        exact = 2 * sympy.pi * rr if is_length else sympy.pi * rr**2
        check(rows[0][1] < rows[1][1] < float(exact), "inscribed polygons approach the circle from inside")
        name = "perimeter" if is_length else "area"
        letter = "P" if is_length else "A"
        draft.beat(
            f"Fit a hexagon inside: its {name} is {num(rows[0][1])}, a little less than the circle's.",
            ShowPolygon(id="hex", vertices=_ngon(draw, 6), color="orange", fill_opacity=0.15),
            ShowEquation(id="approx", latex=f"{letter}_{{6}} = {num(rows[0][1])}", region="top"),
        ).beat(
            f"With 12 sides the {name} grows to {num(rows[1][1])}, closer still.",
            Remove(targets=["hex"]),
            ShowPolygon(id="dodeca", vertices=_ngon(draw, 12), color="green", fill_opacity=0.15),
            TransformEquation(target="approx", latex=f"{letter}_{{12}} = {num(rows[1][1])}"),
        ).beat(
            f"As the sides multiply, the {name} closes in on "
            + (
                f"2 pi r: 2 times pi times {r}, about {num(float(exact))}."
                if is_length
                else f"pi r squared: pi times {r} squared, about {num(float(exact))}."
            ),
            ShowEquation(
                id="exact",
                latex=(
                    f"C = 2\\pi r = {sympy.latex(exact)} \\approx {num(float(exact))}"
                    if is_length
                    else f"A = \\pi r^2 = {sympy.latex(exact)} \\approx {num(float(exact))}"
                ),
                region="bottom",
            ),
            Circumscribe(target="circle"),
        )
        return [draft.build()]
    theta = params.angle
    end = polar(draw, theta)
    arc = [(0.0, 0.0)] + [polar(draw, theta * k / 10) for k in range(11)]
    if params.kind == "radian":
        one = math.degrees(1)
        arc1 = [(0.0, 0.0)] + [polar(draw, one * k / 10) for k in range(11)]
        as_pi = sympy.Rational(theta, 180) * sympy.pi
        check(abs(float(as_pi) - math.radians(theta)) < 1e-12, "radians")
        draft.beat(
            f"Lay a piece of string as long as the radius, {r}, along the circle.",
            ShowPolygon(id="sector", vertices=arc1, color="yellow", fill_opacity=0.25),
        ).beat(
            f"The angle it spans at the centre is one radian, about {num(one, 1)} degrees, whatever the radius.",
            ShowAngle(id="one", vertex=(0.0, 0.0), a=(draw, 0.0), b=polar(draw, one), label="1"),
            ShowEquation(id="calc", latex=f"1 \\text{{ rad}} \\approx {num(one, 1)}^\\circ", region="top"),
        ).beat(
            "A full turn holds 2 pi radiuses of string, so 360 degrees is 2 pi radians.",
            Circumscribe(target="circle"),
            ShowEquation(id="turn", latex="360^\\circ = 2\\pi \\text{ rad}", region="bottom"),
        ).beat(
            f"So {theta} degrees is {theta} times pi over 180, which is {spoken_pi(as_pi)} radians.",
            Remove(targets=["sector", "one"]),
            ShowPolygon(id="target", vertices=arc, color="green", fill_opacity=0.2),
            TransformEquation(
                target="calc", latex=f"{theta}^\\circ = {theta} \\times \\frac{{\\pi}}{{180}} = {sympy.latex(as_pi)}"
            ),
        )
        return [draft.build()]
    part = Fraction(theta, 360)
    whole = 2 * sympy.pi * rr if params.kind == "arc" else sympy.pi * rr**2
    value = whole * sympy.Rational(part.numerator, part.denominator)
    check(sympy.simplify(value * 360 / theta - whole) == 0, "arc fraction")
    frac = f"\\frac{{{part.numerator}}}{{{part.denominator}}}"
    what = "arc length" if params.kind == "arc" else "sector area"
    formula = "2\\pi r" if params.kind == "arc" else "\\pi r^2"
    whole_said = sympy.latex(whole).replace("\\pi", " pi")
    draft.beat(
        f"Open a central angle of {theta} degrees.",
        ShowSegment(id="edge", start=(0.0, 0.0), end=end, color="yellow"),
        ShowPolygon(id="sector", vertices=arc, color="orange", fill_opacity=0.35),
        ShowAngle(id="theta", vertex=(0.0, 0.0), a=(draw, 0.0), b=end, label=deg(theta)),
    ).beat(
        f"The {'arc' if params.kind == 'arc' else 'sector'} is {theta} out of 360 degrees of the circle: "
        f"{part.numerator} over {part.denominator} of it.",
        ShowEquation(id="calc", latex=f"\\frac{{{theta}}}{{360}} = {frac}", region="top"),
        *(
            ShowSegment(
                id=f"cut{k}", start=(0.0, 0.0), end=polar(draw, 360 * k / part.denominator), dashed=True, color="grey"
            )
            for k in range(1, part.denominator)
            if part.denominator <= 7 and 360 * k != theta * part.denominator
        ),
    ).beat(
        f"The whole circle's {'circumference' if params.kind == 'arc' else 'area'} is {whole_said}.",
        ShowEquation(id="whole", latex=f"{formula} = {sympy.latex(whole)}", region="bottom"),
    ).beat(
        f"So the {what} is {part.numerator} over {part.denominator} of that: about {num(float(value))}.",
        TransformEquation(
            target="calc",
            latex=f"{frac} \\times {sympy.latex(whole)} = {sympy.latex(value)} \\approx {num(float(value))}",
        ),
        Indicate(target="sector"),
    )
    return [draft.build()]


def spoken_pi(value: sympy.Expr) -> str:
    """A rational multiple of pi read aloud: "2 pi over 3"."""
    ratio = sympy.Rational(value / sympy.pi)
    top = "pi" if ratio.p == 1 else f"{ratio.p} pi"
    return top if ratio.q == 1 else f"{top} over {ratio.q}"
