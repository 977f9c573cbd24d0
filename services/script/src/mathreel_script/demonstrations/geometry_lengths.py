"""Lengths in figures: the squares on the sides of a right triangle, and similar triangles whose sides scale by one
factor while their area scales by its square. Lengths are computed with SymPy (exact roots) and checked."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Circumscribe,
    Indicate,
    Scene,
    ShowAngle,
    ShowEquation,
    ShowPolygon,
    ShowSegment,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import check, context_ints, given_ints, num, pt
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


class PythagorasParams(Params):
    a: int = Field(default=3, ge=1, le=20)
    b: int = Field(default=4, ge=1, le=20)
    find: Literal["hypotenuse", "leg"] = "hypotenuse"


def _root_text(value: sympy.Expr) -> tuple[str, str]:
    """(latex, spoken) of an exact length: "5", or "\\sqrt{13} \\approx 3.61" / "about 3.61"."""
    if value.is_Integer:
        return str(value), str(value)
    approx = num(float(value))
    return f"{sympy.latex(value)} \\approx {approx}", f"about {approx}"


@demonstration("pythagoras_squares", PythagorasParams)
def pythagoras_squares(params: PythagorasParams, facts: ContextFacts) -> list[Scene]:
    """A right triangle with a square on each side: the two smaller squares' areas add to the largest one; then the
    hypotenuse (or a missing leg) is found from it."""
    legs = given_ints(facts, "ab", 1, 20) or context_ints(facts, 2, 1, 20)
    a, b = (legs[0], legs[1]) if legs else (params.a, params.b)
    if params.find == "leg" and a == b:
        b = a + 1
    c_squared = a * a + b * b
    c = sympy.sqrt(c_squared)
    check(sympy.simplify(c**2 - a**2 - b**2) == 0, "pythagoras")
    o, pa, pb = (0.0, 0.0), (float(a), 0.0), (0.0, float(b))
    square_a = [o, pa, (float(a), -float(a)), (0.0, -float(a))]
    square_b = [o, pb, (-float(b), float(b)), (-float(b), 0.0)]
    square_c = [pa, pb, (float(b), float(a + b)), (float(a + b), float(a))]
    c_latex, c_said = _root_text(c)
    squares = (
        SceneDraft("squares", "explanation", "Squares on the sides")
        .beat(
            f"Take a right triangle with legs {a} and {b}.",
            ShowPolygon(id="tri", vertices=[o, pa, pb], color="white", fill_opacity=0.4),
            ShowAngle(id="right", vertex=o, a=pa, b=pb, right=True),
            ShowSegment(id="leg_a", start=pa, end=o, label=str(a), color="blue"),
            ShowSegment(id="leg_b", start=o, end=pb, label=str(b), color="green"),
        )
        .beat(
            f"The square on the first leg has area {a} squared, which is {a * a}.",
            ShowPolygon(id="sq_a", vertices=square_a, color="blue"),
            ShowEquation(id="sum", latex=f"{a}^2 = {a * a}", region="top"),
        )
        .beat(
            f"The square on the other leg has area {b} squared, which is {b * b}.",
            ShowPolygon(id="sq_b", vertices=square_b, color="green"),
            TransformEquation(target="sum", latex=f"{a}^2 + {b}^2 = {a * a} + {b * b}"),
        )
        .beat(
            f"The square on the hypotenuse holds exactly both: {a * a} plus {b * b} is {c_squared}.",
            ShowPolygon(id="sq_c", vertices=square_c, color="red"),
            TransformEquation(target="sum", latex=f"c^2 = {a * a} + {b * b} = {c_squared}", highlight=[str(c_squared)]),
            Circumscribe(target="sq_c"),
        )
        .beat(
            f"So the hypotenuse is the square root of {c_squared}: {c_said}.",
            ShowSegment(id="hyp", start=pb, end=pa, label="c", color="red"),
            ShowEquation(
                id="result",
                latex=f"c = \\sqrt{{{c_squared}}} = {c_latex}" if c.is_Integer else f"c = {c_latex}",
                region="bottom",
            ),
        )
    )
    if params.find == "hypotenuse":
        return [squares.build()]
    # Missing leg: the hypotenuse and one leg given, the other leg found by subtracting squares.
    big, small = (max(a, b), min(a, b))
    hyp_sq = big * big + small * small
    hyp = sympy.sqrt(hyp_sq)
    hyp_latex = sympy.latex(hyp) if hyp.is_Integer else f"\\sqrt{{{hyp_sq}}}"
    leg = sympy.sqrt(hyp_sq - small * small)
    check(leg == big, "missing leg")
    s = 5.0 / max(big, small)
    q0, q1, q2 = (0.0, 0.0), (small * s, 0.0), (0.0, big * s)
    example = (
        SceneDraft("missing_leg", "example", "Finding a missing leg")
        .beat(
            f"Now the hypotenuse is {hyp_latex if hyp.is_Integer else 'the square root of ' + str(hyp_sq)} "
            f"and one leg is {small}; find the other leg.",
            ShowPolygon(id="tri2", vertices=[q0, q1, q2], color="blue"),
            ShowAngle(id="right2", vertex=q0, a=q1, b=q2, right=True),
            ShowSegment(id="known", start=q1, end=q0, label=str(small), color="green"),
            ShowSegment(id="hyp2", start=q2, end=q1, label=hyp_latex, color="red"),
            ShowSegment(id="unknown", start=q0, end=q2, label="b", color="yellow"),
        )
        .beat(
            f"The leg's square is what is left of the hypotenuse's square: {hyp_sq} minus {small * small}.",
            ShowEquation(id="calc", latex=f"b^2 = {hyp_sq} - {small}^2 = {hyp_sq} - {small * small}", region="top"),
        )
        .beat(
            f"That is {big * big}, so the leg is {big}.",
            TransformEquation(target="calc", latex=f"b^2 = {big * big}, \\quad b = {big}", highlight=[f"b = {big}"]),
            Indicate(target="unknown"),
        )
    )
    return [squares.build(), example.build()]


class SimilarParams(Params):
    base: int = Field(default=4, ge=2, le=12)
    left: int = Field(default=3, ge=2, le=12)
    right: int = Field(default=5, ge=2, le=12)
    scale_num: int = Field(default=2, ge=1, le=5)
    scale_den: int = Field(default=1, ge=1, le=4)
    focus: Literal["sides", "area"] = "sides"


@demonstration("similar_triangles_scale", SimilarParams)
def similar_triangles_scale(params: SimilarParams, facts: ContextFacts) -> list[Scene]:
    """A triangle and its enlargement by a scale factor: the angles stay, every side is multiplied by the factor,
    the ratio of matching sides is the same, and the area grows by the factor squared."""
    p, q, r = params.base, params.left, params.right
    if not (p + q > r and q + r > p and p + r > q):
        raise ValueError("the three sides do not make a triangle")
    k = Fraction(params.scale_num, params.scale_den)
    found = context_ints(facts, 1, 2, 5)
    if found:
        k = Fraction(found[0])
    if k == 1:
        raise ValueError("a scale factor of 1 gives the same triangle")
    apex_x = (p * p + q * q - r * r) / (2 * p)
    apex_y = math.sqrt(q * q - apex_x * apex_x)
    small = [(0.0, 0.0), (float(p), 0.0), pt(apex_x, apex_y)]
    gap = p + 1.5
    big = [pt(gap + x * float(k), y * float(k)) for x, y in small]
    half = sympy.Rational(p + q + r, 2)
    area = sympy.sqrt(half * (half - p) * (half - q) * (half - r))  # Heron's formula, exact
    check(abs(float(area) - p * apex_y / 2) < 1e-6, "area of the drawn triangle")
    sides = [Fraction(s) * k for s in (p, q, r)]
    check(all(s / o == k for s, o in zip(sides, (p, q, r), strict=True)), "side ratios")
    k_text = num(float(k))
    k2 = k * k
    k2_text = num(float(k2))
    draft = (
        SceneDraft("similar", "explanation", "Similar triangles")
        .beat(
            f"Here is a triangle with sides {p}, {q} and {r}.",
            ShowPolygon(id="small", vertices=small, color="blue"),
            ShowSegment(id="s_base", start=small[1], end=small[0], label=str(p), color="blue"),
            ShowSegment(id="s_left", start=small[0], end=small[2], label=str(q), color="blue"),
            ShowSegment(id="s_right", start=small[2], end=small[1], label=str(r), color="blue"),
        )
        .beat(
            f"Enlarge it by a scale factor of {k_text}: the angles stay the same, so the triangles are similar.",
            ShowPolygon(id="big", vertices=big, color="yellow"),
            ShowAngle(id="angle_small", vertex=small[0], a=small[1], b=small[2], label="\\alpha"),
            ShowAngle(id="angle_big", vertex=big[0], a=big[1], b=big[2], label="\\alpha"),
            ShowEquation(id="ratio", latex=f"k = {k_text}", region="top"),
        )
        .beat(
            f"Every side is multiplied by {k_text}: {num(float(sides[0]))}, {num(float(sides[1]))} and "
            f"{num(float(sides[2]))}.",
            ShowSegment(id="b_base", start=big[1], end=big[0], label=num(float(sides[0])), color="yellow"),
            ShowSegment(id="b_left", start=big[0], end=big[2], label=num(float(sides[1])), color="yellow"),
            ShowSegment(id="b_right", start=big[2], end=big[1], label=num(float(sides[2])), color="yellow"),
        )
        .beat(
            f"Matching sides all have the same ratio, {k_text}.",
            TransformEquation(
                target="ratio",
                latex=f"\\frac{{{num(float(sides[0]))}}}{{{p}}} = \\frac{{{num(float(sides[1]))}}}{{{q}}} = "
                f"\\frac{{{num(float(sides[2]))}}}{{{r}}} = {k_text}",
            ),
        )
    )
    if params.focus == "area":
        big_area = area * sympy.Rational(k2.numerator, k2.denominator)
        check(sympy.simplify(big_area / area - sympy.Rational(k2.numerator, k2.denominator)) == 0, "area ratio")
        draft.beat(
            f"The area grows by the factor squared: {k_text} squared is {k2_text}.",
            ShowEquation(
                id="areas",
                latex=f"\\frac{{\\text{{big area}}}}{{\\text{{small area}}}} = {k_text}^2 = {k2_text}",
                region="bottom",
            ),
            Indicate(target="big"),
        ).beat(
            f"Here the small area is {num(float(area))}, so the big one is {num(float(big_area))}.",
            TransformEquation(target="areas", latex=f"{num(float(area))} \\times {k2_text} = {num(float(big_area))}"),
        )
    return [draft.build()]
