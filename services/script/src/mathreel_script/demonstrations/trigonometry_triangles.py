"""Trigonometry in triangles: the ratios of a right triangle's sides (and why they depend only on the angle), solving
right triangles for a side or an angle, exact values, the Pythagorean identity, and the laws of sines and cosines."""

from __future__ import annotations

import math
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Circumscribe,
    Remove,
    Scene,
    ShowAngle,
    ShowCircle,
    ShowEquation,
    ShowPoint,
    ShowPolygon,
    ShowSegment,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import check, context_ints, deg, given_ints, num, polar, pt
from mathreel_script.demonstrations._request import angle_in_degrees, right_triangle_sides, side_asked
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


class RightTriangleParams(Params):
    find: Literal["ratios", "side", "angle", "identity", "exact"] = "ratios"
    angle: int = Field(default=35, ge=10, le=80)
    hypotenuse: int = Field(default=10, ge=1, le=30)
    adjacent: int = Field(default=20, ge=1, le=100, description="The known side next to the angle (find side)")
    opposite: int = Field(default=3, ge=1, le=30, description="Legs given to find the angle")


def _right(adj: float, opp: float) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]]:
    return (0.0, 0.0), (adj, 0.0), (adj, opp)


@demonstration("right_triangle_ratios", RightTriangleParams)
def right_triangle_ratios(params: RightTriangleParams, facts: ContextFacts) -> list[Scene]:
    """A right triangle with an angle marked: sine, cosine and tangent as ratios of its sides (the same in a smaller
    copy), used to find a missing side or the angle; exact values from half squares and half equilateral triangles."""
    if params.find == "exact":
        return [_exact(params.angle if params.angle in (30, 45, 60) else 30)]
    if params.find == "angle":
        return [_find_angle(params, facts)]
    # An angle said in degrees is the angle; failing that, the first whole number that can be one.
    said_angle = angle_in_degrees(facts)
    found = context_ints(facts, 1, 10, 80)
    theta: float = said_angle if said_angle is not None else (found[0] if found else params.angle)
    theta = int(theta) if float(theta).is_integer() else theta
    rad = math.radians(theta)
    sides = right_triangle_sides(facts) if params.find == "ratios" else {}
    if params.find == "side":
        d = params.adjacent
        height = d * math.tan(rad)
        check(abs(height / d - math.tan(rad)) < 1e-12, "tangent")
        a, b, c = _right(float(d), height)
        draft = (
            SceneDraft("find_side", "example", "Finding a side")
            .beat(
                f"From {d} metres away, the top of a tower is seen at an angle of {theta} degrees. How tall is it?",
                ShowPolygon(id="tri", vertices=[a, b, c], color="blue"),
                ShowAngle(id="right", vertex=b, a=a, b=c, right=True),
                ShowSegment(id="ground", start=b, end=a, label=str(d), color="green"),
                ShowAngle(id="theta", vertex=a, a=b, b=c, label=deg(theta)),
            )
            .beat(
                "The height is opposite the angle and the distance is next to it, so use the tangent.",
                ShowSegment(id="height", start=b, end=c, label="h", color="yellow"),
                ShowEquation(id="calc", latex=f"\\tan {theta}^\\circ = \\frac{{h}}{{{d}}}", region="top"),
            )
            .beat(
                f"Multiply both sides by {d}: h is {d} times the tangent of {theta} degrees, about {num(height)}.",
                TransformEquation(
                    target="calc", latex=f"h = {d} \\tan {theta}^\\circ \\approx {num(height)}", highlight=[num(height)]
                ),
                ShowPoint(id="top", at=c, label=f"h \\approx {num(height)}", color="yellow"),
            )
        )
        return [draft.build()]
    h: float = 1 if params.find == "identity" else sides.get("hypotenuse", params.hypotenuse)
    if params.find == "ratios" and "hypotenuse" not in sides:
        # A leg the request gives decides the size: the hypotenuse is worked out from it.
        if "opposite" in sides:
            h = sides["opposite"] / math.sin(rad)
        elif "adjacent" in sides:
            h = sides["adjacent"] / math.cos(rad)
    opp, adj = h * math.sin(rad), h * math.cos(rad)
    a, b, c = _right(adj, opp)
    draft = SceneDraft("ratios", "explanation", "Ratios of the sides").beat(
        f"A right triangle with an angle of {theta} degrees and a hypotenuse of {num(h)}."
        if "hypotenuse" in sides or not sides
        else f"A right triangle with an angle of {theta} degrees and the side {_LEG_SAID[next(iter(sides))]} "
        f"{num(next(iter(sides.values())))}.",
        ShowPolygon(id="tri", vertices=[a, b, c], color="blue"),
        ShowAngle(id="right", vertex=b, a=a, b=c, right=True),
        ShowAngle(id="theta", vertex=a, a=b, b=c, label=deg(theta)),
        ShowSegment(id="hyp", start=c, end=a, label=num(h), color="red"),
    )
    draft.beat(
        f"Measured, the side opposite the angle is {num(opp)} and the side next to it is {num(adj)}.",
        ShowSegment(id="opp", start=b, end=c, label=num(opp), color="yellow"),
        ShowSegment(id="adj", start=b, end=a, label=num(adj), color="green"),
    )
    if params.find == "identity":
        s2, c2 = round(opp, 2) ** 2, round(adj, 2) ** 2
        check(abs(math.sin(rad) ** 2 + math.cos(rad) ** 2 - 1) < 1e-12, "identity")
        draft.beat(
            f"With hypotenuse 1, the legs are the cosine and the sine of {theta} degrees.",
            ShowEquation(
                id="legs",
                latex=f"\\cos {theta}^\\circ \\approx {num(adj)}, \\; \\sin {theta}^\\circ \\approx {num(opp)}",
                region="top",
            ),
        ).beat(
            f"Pythagoras says their squares add to 1 squared: {num(c2, 3)} plus {num(s2, 3)} is about 1.",
            ShowEquation(id="identity", latex=f"{num(c2, 3)} + {num(s2, 3)} \\approx 1", region="bottom"),
            Circumscribe(target="tri"),
        ).beat(
            "That holds for every angle: cosine squared plus sine squared equals 1.",
            TransformEquation(target="identity", latex="\\cos^2\\theta + \\sin^2\\theta = 1"),
            ShowCircle(id="unit", center=a, radius=1.0, color="grey", fill_opacity=0.0),
        )
        return [draft.build()]
    ratios = [
        ("sin", opp / h, f"\\frac{{{num(opp)}}}{{{num(h)}}}"),
        ("cos", adj / h, f"\\frac{{{num(adj)}}}{{{num(h)}}}"),
        ("tan", opp / adj, f"\\frac{{{num(opp)}}}{{{num(adj)}}}"),
    ]
    check(all(abs(v - getattr(math, n)(rad)) < 1e-9 for n, v, _ in ratios), "ratios")
    words = {"sin": "opposite over hypotenuse", "cos": "adjacent over hypotenuse", "tan": "opposite over adjacent"}
    names = {"sin": "sine", "cos": "cosine", "tan": "tangent"}
    for i, (name, value, frac) in enumerate(ratios):
        latex = f"\\{name} {theta}^\\circ = {frac} \\approx {num(value, 3)}"
        said = f"The {names[name]} is {words[name]}: about {num(value, 3)}."
        draft.beat(said, ShowEquation(id=f"r_{name}", latex=latex, region=("top_right", "right", "bottom_right")[i]))
    half = [(x / 2, y / 2) for x, y in (a, b, c)]
    draft.beat(
        "A smaller triangle with the same angle has shorter sides but exactly the same ratios: they depend only "
        "on the angle.",
        ShowPolygon(id="small", vertices=[pt(*p) for p in half], color="orange", fill_opacity=0.4),
        ShowSegment(id="small_opp", start=pt(*half[1]), end=pt(*half[2]), color="yellow"),
    )
    asked = side_asked(facts)
    if sides and asked is not None and asked not in sides:
        draft.beat(*_answer(asked, sides, theta, {"hypotenuse": h, "opposite": opp, "adjacent": adj}))
    return [draft.build()]


_LEG_SAID = {"opposite": "opposite it", "adjacent": "next to it"}
_RATIO_OF = {  # (the asked side, the given side): the ratio linking them, and whether the asked side is its top
    ("opposite", "hypotenuse"): ("sin", True),
    ("adjacent", "hypotenuse"): ("cos", True),
    ("opposite", "adjacent"): ("tan", True),
    ("hypotenuse", "opposite"): ("sin", False),
    ("hypotenuse", "adjacent"): ("cos", False),
    ("adjacent", "opposite"): ("tan", False),
}


def _answer(asked: str, sides: dict[str, float], theta: float, lengths: dict[str, float]) -> tuple[str, ShowEquation]:
    """The beat that answers the request: the side it asks for, from the side it gives and the ratio linking them."""
    given = next(name for name in ("hypotenuse", "opposite", "adjacent") if name in sides)
    ratio, on_top = _RATIO_OF[(asked, given)]
    known = sides[given]
    value = (
        known * getattr(math, ratio)(math.radians(theta))
        if on_top
        else known / getattr(math, ratio)(math.radians(theta))
    )
    check(abs(value - lengths[asked]) < 1e-9 * max(1.0, value), "the side asked for")
    names = {"sin": "sine", "cos": "cosine", "tan": "tangent"}
    angle = f"{num(theta)}^\\circ"
    exact = abs(value - round(value, 2)) < 1e-9
    relation, about = ("=", "") if exact else ("\\approx", "about ")
    if on_top:
        latex = f"\\text{{{asked}}} = {num(known)} \\{ratio} {angle} {relation} {num(value)}"
        said = f"So the {asked} side is {num(known)} times the {names[ratio]} of {num(theta)} degrees: "
    else:
        latex = f"\\text{{{asked}}} = \\frac{{{num(known)}}}{{\\{ratio} {angle}}} {relation} {num(value)}"
        said = f"So the {asked} is {num(known)} divided by the {names[ratio]} of {num(theta)} degrees: "
    return f"{said}{about}{num(value)}.", ShowEquation(id="answer", latex=latex, region="bottom", color="yellow")


def _find_angle(params: RightTriangleParams, facts: ContextFacts) -> Scene:
    """The angle of a right triangle from its two legs, by the inverse tangent."""
    legs = given_ints(facts, "ab", 1, 30) or context_ints(facts, 2, 1, 30)
    opp, adj = (legs[0], legs[1]) if legs else (params.opposite, params.adjacent % 31 or 4)
    theta = math.degrees(math.atan2(opp, adj))
    check(abs(math.tan(math.radians(theta)) - opp / adj) < 1e-9, "arctangent")
    a, b, c = _right(float(adj), float(opp))
    draft = (
        SceneDraft("find_angle", "example", "Finding an angle")
        .beat(
            f"A ramp rises {opp} over a run of {adj}. What angle does it make?",
            ShowPolygon(id="tri", vertices=[a, b, c], color="blue"),
            ShowAngle(id="right", vertex=b, a=a, b=c, right=True),
            ShowSegment(id="run", start=b, end=a, label=str(adj), color="green"),
            ShowSegment(id="rise", start=b, end=c, label=str(opp), color="yellow"),
        )
        .beat(
            f"The tangent of the angle is opposite over adjacent: {opp} over {adj}.",
            ShowSegment(id="slope", start=a, end=c, color="red"),
            ShowAngle(id="theta", vertex=a, a=b, b=c, label="\\theta"),
            ShowEquation(id="calc", latex=f"\\tan\\theta = \\frac{{{opp}}}{{{adj}}}", region="top"),
        )
        .beat(
            f"The inverse tangent undoes the tangent: the angle is about {num(theta, 1)} degrees.",
            TransformEquation(
                target="calc",
                latex=f"\\theta = \\arctan \\frac{{{opp}}}{{{adj}}} \\approx {deg(theta)}",
                highlight=[deg(theta)],
            ),
            Remove(targets=["theta"]),
            ShowAngle(id="theta_value", vertex=a, a=b, b=c, label=deg(theta)),
        )
    )
    return draft.build()


def _exact(theta: int) -> Scene:
    """The exact sine, cosine and tangent of 30, 45 or 60 degrees from a half square or half equilateral triangle."""
    t = sympy.Integer(theta) * sympy.pi / 180
    sin, cos, tan = sympy.sin(t), sympy.cos(t), sympy.tan(t)
    if theta == 45:
        adj, opp, hyp = sympy.Integer(1), sympy.Integer(1), sympy.sqrt(2)
        shape = "Cut a square of side 1 along its diagonal."
    else:
        short, long_ = sympy.Integer(1), sympy.sqrt(3)
        adj, opp = (long_, short) if theta == 30 else (short, long_)
        hyp = sympy.Integer(2)
        shape = "Cut an equilateral triangle of side 2 in half, from a corner to the middle of the opposite side."
    check(sympy.simplify(opp / hyp - sin) == 0 and sympy.simplify(adj / hyp - cos) == 0, "exact values")
    check(sympy.simplify(opp / adj - tan) == 0, "exact tangent")
    a, b, c = _right(float(adj), float(opp))
    lx = sympy.latex
    if theta == 45:
        whole = ShowPolygon(id="whole", vertices=[a, b, c, (0.0, 1.0)], color="grey", fill_opacity=0.1)
        whole_side = ShowSegment(id="whole_side", start=(0.0, 1.0), end=(0.0, 0.0), label="1", color="grey")
    else:
        h3 = math.sqrt(3)
        whole_pts = [(0.0, 0.0), (h3, 1.0), (h3, -1.0)] if theta == 30 else [(0.0, 0.0), (1.0, h3), (2.0, 0.0)]
        whole = ShowPolygon(id="whole", vertices=[pt(*q) for q in whole_pts], color="grey", fill_opacity=0.1)
        whole_side = ShowSegment(
            id="whole_side", start=pt(*whole_pts[0]), end=pt(*whole_pts[2]), label="2", color="grey"
        )
    draft = (
        SceneDraft("exact", "explanation", "Exact values")
        .beat(shape, whole, whole_side)
        .beat(
            f"Keep one half, with its angle of {theta} degrees.",
            ShowPolygon(id="tri", vertices=[a, b, c], color="blue"),
            ShowAngle(id="right", vertex=b, a=a, b=c, right=True),
            ShowAngle(id="theta", vertex=a, a=b, b=c, label=deg(theta)),
        )
        .beat(
            f"Its sides are {spoken_root(adj)} next to the angle, {spoken_root(opp)} opposite it, and "
            f"{spoken_root(hyp)} "
            "along the hypotenuse.",
            ShowSegment(id="adj", start=b, end=a, label=lx(adj), color="green"),
            ShowSegment(id="opp", start=b, end=c, label=lx(opp), color="yellow"),
            ShowSegment(id="hyp", start=c, end=a, label=lx(hyp), color="red"),
        )
        .beat(
            f"So the sine of {theta} degrees is exactly {spoken_root(sin)}.",
            ShowEquation(id="sin", latex=f"\\sin {theta}^\\circ = {lx(sin)}", region="top_right"),
        )
        .beat(
            f"The cosine is {spoken_root(cos)}, and the tangent {spoken_root(tan)}.",
            ShowEquation(
                id="cos",
                latex=f"\\cos {theta}^\\circ = {lx(cos)}, \\; \\tan {theta}^\\circ = {lx(tan)}",
                region="bottom_right",
            ),
        )
    )
    return draft.build()


def spoken_root(value: sympy.Expr) -> str:
    """1/2 → "1 over 2", sqrt(3)/2 → "the square root of 3 over 2", sqrt(2) → "the square root of 2"."""
    num_part, den = sympy.fraction(sympy.nsimplify(value))

    def word(e: sympy.Expr) -> str:
        if e.is_Integer:
            return str(e)
        coefficient, root = e.as_coeff_Mul()
        base = f"the square root of {root**2}"
        return base if coefficient == 1 else f"{coefficient} times {base}"

    return word(num_part) if den == 1 else f"{word(num_part)} over {word(den)}"


def _sines_given(facts: ContextFacts) -> tuple[int, int, int] | None:
    """The angles A and B and the side a a request gives ("angle A = 40 degrees, angle B = 60 degrees, side a =
    10"), when they make a triangle this demonstration draws."""
    given = dict(facts.assignments)
    values = [given.get(name) for name in ("A", "B", "a")]
    if any(value is None or value != int(value) for value in values):
        return None
    a_ang, b_ang, side = (int(value) for value in values if value is not None)
    if not (10 <= a_ang <= 150 and 10 <= b_ang <= 150 and a_ang + b_ang < 170 and 1 <= side <= 30):
        return None
    return a_ang, b_ang, side


class LawParams(Params):
    law: Literal["cosines", "sines", "area"] = "cosines"
    side1: int = Field(default=5, ge=1, le=30)
    side2: int = Field(default=7, ge=1, le=30)
    angle1: int = Field(default=60, ge=10, le=150)
    angle2: int = Field(default=45, ge=10, le=150)


@demonstration("triangle_law_solve", LawParams)
def triangle_law_solve(params: LawParams, facts: ContextFacts) -> list[Scene]:
    """Any triangle solved from what is known: two sides and the angle between them give the third side (law of
    cosines) or the area; two angles and a side give another side (law of sines). Drawn to scale."""
    if params.law == "sines":
        a_ang, b_ang, a = _sines_given(facts) or (params.angle1, params.angle2, params.side1)
        if a_ang + b_ang >= 170:
            raise ValueError("two angles must leave room for a third")
        c_ang = 180 - a_ang - b_ang
        b = a * math.sin(math.radians(b_ang)) / math.sin(math.radians(a_ang))
        c = a * math.sin(math.radians(c_ang)) / math.sin(math.radians(a_ang))
        check(abs(b / math.sin(math.radians(b_ang)) - c / math.sin(math.radians(c_ang))) < 1e-9, "law of sines")
        # Vertices: A at the origin, side c along the base, C from the angle at A and side b.
        pa, pb, pc = (0.0, 0.0), (c, 0.0), polar(b, a_ang)
        draft = (
            SceneDraft("law_sines", "example", "The law of sines")
            .beat(
                f"A triangle has angles of {a_ang} and {b_ang} degrees, and the side opposite the first is {a}.",
                ShowPolygon(id="tri", vertices=[pa, pb, pt(*pc)], labels=["A", "B", "C"], color="blue"),
                ShowAngle(id="at_a", vertex=pa, a=pb, b=pc, label=deg(a_ang)),
                ShowAngle(id="at_b", vertex=pb, a=pc, b=pa, label=deg(b_ang)),
                ShowSegment(id="side_a", start=pb, end=pt(*pc), label=str(a), color="yellow"),
            )
            .beat(
                "Each side divided by the sine of its opposite angle gives the same number.",
                ShowEquation(id="law", latex="\\frac{a}{\\sin A} = \\frac{b}{\\sin B}", region="top"),
                ShowSegment(id="side_b", start=pt(*pc), end=pa, label="b", color="green"),
            )
            .beat(
                f"So b is {a} times the sine of {b_ang} degrees, over the sine of {a_ang} degrees: about {num(b)}.",
                TransformEquation(
                    target="law",
                    latex=f"b = \\frac{{{a} \\sin {b_ang}^\\circ}}{{\\sin {a_ang}^\\circ}} \\approx {num(b)}",
                    highlight=[num(b)],
                ),
                Remove(targets=["side_b"]),
                ShowSegment(id="side_b_value", start=pt(*pc), end=pa, label=num(b), color="green"),
            )
        )
        return [draft.build()]
    found = context_ints(facts, 2, 1, 30)
    b, c = found if found else (params.side1, params.side2)
    ang = params.angle1
    pa, pb, pc = (0.0, 0.0), (float(c), 0.0), polar(b, ang)
    base = SceneDraft(
        f"law_{params.law}", "example", "The law of cosines" if params.law == "cosines" else "Area from two sides"
    ).beat(
        f"Two sides of a triangle are {b} and {c}, with an angle of {ang} degrees between them.",
        ShowPolygon(id="tri", vertices=[pa, pb, pc], labels=["A", "B", "C"], color="blue"),
        ShowSegment(id="side_b", start=pc, end=pa, label=str(b), color="green"),
        ShowSegment(id="side_c", start=pa, end=pb, label=str(c), color="green"),
        ShowAngle(id="at_a", vertex=pa, a=pb, b=pc, label=deg(ang)),
    )
    cos_a = math.cos(math.radians(ang))
    if params.law == "area":
        height = b * math.sin(math.radians(ang))
        area = c * height / 2
        check(abs(area - 0.5 * b * c * math.sin(math.radians(ang))) < 1e-9, "area")
        foot = (pc[0], 0.0)
        base.beat(
            f"The height to the base is {b} times the sine of {ang} degrees, about {num(height)}.",
            ShowSegment(id="height", start=pc, end=foot, label=num(height), dashed=True, color="yellow"),
            ShowEquation(id="calc", latex=f"h = {b} \\sin {ang}^\\circ \\approx {num(height)}", region="top"),
        ).beat(
            f"Half of base times height: the area is one half times {b} times {c} times the sine of {ang} degrees, "
            f"about {num(area)}.",
            TransformEquation(
                target="calc",
                latex=f"\\text{{Area}} = \\frac{{1}}{{2}} \\cdot {b} \\cdot {c} \\sin {ang}^\\circ \\approx "
                f"{num(area)}",
                highlight=[num(area)],
            ),
            ShowPolygon(id="filled", vertices=[pa, pb, pc], color="yellow", fill_opacity=0.5),
        )
        return [base.build()]
    square = b * b + c * c - 2 * b * c * cos_a
    exact = abs(square - round(square)) < 1e-9  # the cosines of 60 and 120 degrees are exact halves
    relation = "=" if exact else "\\approx"
    side = math.sqrt(square)
    check(abs(math.dist(pb, pc) - side) < 1e-2, "law of cosines against the drawing")
    base.beat(
        "The third side a is across from that angle.",
        ShowSegment(id="side_a", start=pb, end=pc, label="a", color="yellow"),
        ShowEquation(id="law", latex="a^2 = b^2 + c^2 - 2bc \\cos A", region="top"),
    ).beat(
        f"Substitute: {b} squared plus {c} squared, minus 2 times {b} times {c} times the cosine of {ang} degrees, "
        f"is {'' if exact else 'about '}{num(square)}.",
        TransformEquation(
            target="law",
            latex=f"a^2 = {b}^2 + {c}^2 - 2 \\cdot {b} \\cdot {c} \\cos {ang}^\\circ {relation} {num(square)}",
        ),
    ).beat(
        f"So a is the square root of that: about {num(side)}.",
        ShowEquation(id="result", latex=f"a \\approx {num(side)}", region="bottom"),
        Remove(targets=["side_a"]),
        ShowSegment(id="side_a_value", start=pb, end=pc, label=num(side), color="yellow"),
    )
    return [base.build()]
