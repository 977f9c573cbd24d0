"""Volumes of solids in two views: the base seen from above and the solid from the side, filled slice by slice.
Prisms and cylinders are base times height; pyramids and cones a third of that; a sphere two thirds of its cylinder."""

from __future__ import annotations

from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Circumscribe,
    Indicate,
    Scene,
    ShowCircle,
    ShowEquation,
    ShowPolygon,
    ShowSegment,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import check, context_ints, given_ints, num
from mathreel_script.demonstrations._request import UNIT_WORDS, length_unit
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


class SolidParams(Params):
    solid: Literal["prism", "cylinder", "pyramid", "cone", "sphere"] = "cylinder"
    width: int = Field(default=4, ge=1, le=12, description="Base width of a prism or pyramid")
    depth: int = Field(default=3, ge=1, le=12, description="Base depth of a prism or pyramid")
    radius: int = Field(default=3, ge=1, le=10, description="Radius of a cylinder, cone or sphere")
    height: int = Field(default=5, ge=1, le=12)


def _value(expr: sympy.Expr, unit: str | None = None, power: int = 3) -> str:
    """Exact and decimal: "45\\pi \\approx 141.37", or just "60" when it is a whole number; with the request's unit
    of length to ``power`` ("\\text{ cm}^3") when it gives one."""
    suffix = f"\\text{{ {unit}}}^{power}" if unit else ""
    if expr.is_Integer:
        return f"{expr}{suffix}"
    return f"{sympy.latex(expr)} \\approx {num(float(expr))}{suffix}"


def _said(expr: sympy.Expr, unit: str | None = None, power: int = 3) -> str:
    said = str(expr) if expr.is_Integer else f"about {num(float(expr))}"
    if unit:
        said += f" {'square' if power == 2 else 'cubic'} {UNIT_WORDS.get(unit, unit)}"
    return said


@demonstration("solid_volume", SolidParams)
def solid_volume(params: SolidParams, facts: ContextFacts) -> list[Scene]:
    """A solid's volume from its slices: the base's area, copies of the base stacked to the height, then the
    volume formula computed; a pointed solid fills a third of its prism or cylinder, a sphere two thirds."""
    round_solid = params.solid in ("cylinder", "cone", "sphere")
    unit = length_unit(facts)
    w, d, r, h = params.width, params.depth, params.radius, params.height
    if params.solid == "sphere":
        found = given_ints(facts, "r", 1, 10) or context_ints(facts, 1, 1, 10)
        r = found[0] if found else r
        h = 2 * r
    elif round_solid:
        found = given_ints(facts, "rh", 1, 12) or context_ints(facts, 2, 1, 12)
        if found and found[0] <= 10:
            r, h = found
    else:
        found = context_ints(facts, 3, 1, 12)
        if found:
            w, d, h = found
    base_area = sympy.pi * r**2 if round_solid else sympy.Integer(w * d)
    full = base_area * h
    # Side view: the solid seen from the front is a rectangle as wide as the base, beside the base seen from above.
    span = 2 * r if round_solid else w
    left = float(max(span, 2) + 2)
    x0, x1 = left, left + span
    draft = SceneDraft("volume", "explanation", f"Volume of a {params.solid}")
    base: ShowCircle | ShowPolygon
    if round_solid:
        base = ShowCircle(id="base", center=(float(r), float(h) / 2), radius=float(r), color="blue", fill_opacity=0.3)
        base_edge = ShowSegment(
            id="r", start=(float(r), float(h) / 2), end=(float(2 * r), float(h) / 2), label=str(r), color="yellow"
        )
        base_latex = f"B = \\pi r^2 = {_value(base_area, unit, 2)}"
        base_said = (
            f"The base is a circle of radius {r}: its area is pi times {r} squared, {_said(base_area, unit, 2)}."
        )
    else:
        corners = [(0.0, 1.0), (float(w), 1.0), (float(w), float(1 + d)), (0.0, float(1 + d))]
        base = ShowPolygon(id="base", vertices=corners, color="blue", fill_opacity=0.3)
        base_edge = ShowSegment(id="r", start=(0.0, 1.0), end=(float(w), 1.0), label=str(w), color="yellow")
        base_latex = f"B = {w} \\times {d} = {_value(sympy.Integer(w * d), unit, 2)}"
        base_said = f"The base is a rectangle {w} by {d}: its area is {_said(sympy.Integer(w * d), unit, 2)}."
    if params.solid == "sphere":
        draft.beat(
            f"A sphere of radius {r}, seen from the side, fits exactly in a cylinder of radius {r} and height {h}.",
            ShowCircle(id="ball", center=((x0 + x1) / 2, float(r)), radius=float(r), color="green", fill_opacity=0.3),
            ShowPolygon(
                id="side",
                vertices=[(x0, 0.0), (x1, 0.0), (x1, float(h)), (x0, float(h))],
                color="blue",
                fill_opacity=0.1,
            ),
            ShowSegment(id="rad", start=((x0 + x1) / 2, float(r)), end=(x1, float(r)), label=str(r), color="yellow"),
            ShowSegment(id="tall", start=(x1 + 0.6, 0.0), end=(x1 + 0.6, float(h)), label=str(h), color="grey"),
        )
        cyl = sympy.pi * r**2 * h
        ball = sympy.Rational(4, 3) * sympy.pi * r**3
        check(sympy.simplify(ball - sympy.Rational(2, 3) * cyl) == 0, "Archimedes")
        low = float(r) / 2
        chord = 2 * (r * r - (r - low) ** 2) ** 0.5
        mid_x = (x0 + x1) / 2
        draft.beat(
            f"The cylinder's volume is pi times {r} squared times {h}, which is {_said(cyl)}.",
            ShowEquation(id="calc", latex=f"\\pi r^2 \\cdot 2r = {_value(cyl)}", region="top"),
            ShowSegment(id="slice_cyl", start=(x0, low), end=(x1, low), color="blue"),
        ).beat(
            "Slice both at the same height: the sphere's slice is a smaller disc, and Archimedes showed the sphere "
            "fills exactly two thirds of the cylinder.",
            ShowSegment(id="slice_ball", start=(mid_x - chord / 2, low), end=(mid_x + chord / 2, low), color="yellow"),
            Indicate(target="ball"),
            ShowEquation(id="ratio", latex="V = \\frac{2}{3} \\cdot 2\\pi r^3 = \\frac{4}{3}\\pi r^3", region="bottom"),
        ).beat(
            f"So the sphere's volume is four thirds pi times {r} cubed: {_said(ball, unit)}.",
            TransformEquation(
                target="calc",
                latex=f"V = \\frac{{4}}{{3}} \\pi \\cdot {r}^3 = {_value(ball, unit)}",
                highlight=[num(float(ball))],
            ),
            Circumscribe(target="ball"),
        )
        return [draft.build()]
    layers = [
        ShowSegment(id=f"layer{k}", start=(x0, float(k)), end=(x1, float(k)), color="grey", dashed=True)
        for k in range(1, min(h, 7))
    ]
    draft.beat(base_said, base, base_edge, ShowEquation(id="calc", latex=base_latex, region="top")).beat(
        f"Stack copies of the base, slice on slice, up to a height of {h}.",
        ShowPolygon(
            id="side", vertices=[(x0, 0.0), (x1, 0.0), (x1, float(h)), (x0, float(h))], color="blue", fill_opacity=0.2
        ),
        ShowSegment(id="tall", start=(x1 + 0.6, 0.0), end=(x1 + 0.6, float(h)), label=str(h), color="grey"),
        *layers,
    ).beat(
        f"Every slice has the base's area, so the volume is the base times the height: {_said(full, unit)}.",
        TransformEquation(target="calc", latex=f"V = B h = {_value(full, unit)}", highlight=[num(float(full))]),
        Indicate(target="side"),
    )
    if params.solid in ("pyramid", "cone"):
        point = ShowPolygon(
            id="point", vertices=[(x0, 0.0), (x1, 0.0), ((x0 + x1) / 2, float(h))], color="orange", fill_opacity=0.5
        )
        third = full / 3
        check(sympy.simplify(3 * third - full) == 0, "a third")
        draft.beat(
            f"A {params.solid} with the same base and height rises to a single point.",
            point,
        ).beat(
            f"Its slices shrink as they rise, and together they fill exactly one third: {_said(third, unit)}.",
            ShowEquation(id="third", latex=f"V = \\frac{{1}}{{3}} B h = {_value(third, unit)}", region="bottom"),
            Circumscribe(target="point"),
        )
    else:
        shift = float(span) / 2
        lean = [
            (x1 + 1.5, 0.0),
            (x1 + 1.5 + span, 0.0),
            (x1 + 1.5 + span + shift, float(h)),
            (x1 + 1.5 + shift, float(h)),
        ]
        draft.beat(
            "Push the slices sideways into a leaning stack: each slice keeps its area, so the volume stays the same.",
            ShowPolygon(id="lean", vertices=lean, color="green", fill_opacity=0.2),
        )
    return [draft.build()]
