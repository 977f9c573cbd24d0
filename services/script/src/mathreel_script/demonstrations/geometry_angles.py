"""Angles in figures: pairs of angles at crossing lines, the angle sum of a triangle and of a polygon, and angles
inscribed in a circle. Every angle is measured from the drawn coordinates and the sums are checked exactly."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

from pydantic import Field

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Indicate,
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
from mathreel_script.demonstrations._figure_tools import check, context_ints, deg, num, polar, pt
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


class AnglePairParams(Params):
    angle: int = Field(default=55, ge=15, le=165)
    kind: Literal["vertical", "supplementary", "complementary", "parallel"] = "vertical"


@demonstration("angle_relationships", AnglePairParams)
def angle_relationships(params: AnglePairParams, facts: ContextFacts) -> list[Scene]:
    """Crossing lines: vertical angles equal, a straight line's angles add to 180, a right angle's to 90, and a
    transversal meets parallel lines at equal corresponding and alternate angles."""
    high = 75 if params.kind == "complementary" else 165
    found = context_ints(facts, 1, 15, high)
    a = found[0] if found else min(params.angle, high)
    draft = SceneDraft("angles", "explanation", "Angles that come in pairs")
    if params.kind == "complementary":
        other = 90 - a
        check(a + other == 90, "complementary")
        o, east, north, ray = (0.0, 0.0), (5.0, 0.0), (0.0, 5.0), polar(5, a)
        draft.beat(
            "Two rays at a right angle make a corner of 90 degrees.",
            ShowSegment(id="base", start=o, end=east, color="white"),
            ShowSegment(id="up", start=o, end=north, color="white"),
            ShowAngle(id="right", vertex=o, a=east, b=north, right=True, label="90^\\circ"),
        ).beat(
            f"A third ray splits the corner, making an angle of {a} degrees with the floor.",
            ShowSegment(id="ray", start=o, end=ray, color="yellow"),
            ShowAngle(id="first", vertex=o, a=east, b=ray, label=deg(a)),
        ).beat(
            f"The rest of the corner is 90 minus {a}, which is {other} degrees.",
            ShowAngle(id="second", vertex=o, a=ray, b=north, label=deg(other)),
            ShowEquation(id="sum", latex=f"{a}^\\circ + {other}^\\circ = 90^\\circ", region="top"),
        ).beat(
            "Two angles that add to a right angle are complementary.",
            Circumscribe(target="sum"),
        )
        return [draft.build()]
    other = 180 - a
    o, east, west = (0.0, 0.0), (5.0, 0.0), (-5.0, 0.0)
    ray, back = polar(4.5, a), polar(4.5, a + 180)
    draft.beat(
        f"A line crosses a straight line, making an angle of {a} degrees.",
        ShowSegment(id="line", start=west, end=east, color="white"),
        ShowSegment(id="cross", start=back, end=ray, color="yellow"),
        ShowAngle(id="first", vertex=o, a=east, b=ray, label=deg(a)),
    ).beat(
        f"Next to it, on the same straight line, the angle is 180 minus {a}, which is {other} degrees.",
        ShowAngle(id="second", vertex=o, a=ray, b=west, label=deg(other)),
        ShowEquation(id="sum", latex=f"{a}^\\circ + {other}^\\circ = 180^\\circ", region="top"),
    )
    check(a + other == 180, "supplementary")
    if params.kind == "supplementary":
        a2 = a + 30 if a + 30 <= 165 else a - 30
        ray2, back2 = polar(4.5, a2), polar(4.5, a2 + 180)
        draft.beat(
            "Angles that together make a straight line are supplementary.",
            Circumscribe(target="sum"),
        ).beat(
            f"Turn the crossing line to {a2} degrees: the other angle becomes {180 - a2} degrees, and the sum "
            "stays 180.",
            Remove(targets=["cross", "first", "second"]),
            ShowSegment(id="cross2", start=back2, end=ray2, color="yellow"),
            ShowAngle(id="first2", vertex=o, a=east, b=ray2, label=deg(a2)),
            ShowAngle(id="second2", vertex=o, a=ray2, b=west, label=deg(180 - a2)),
            TransformEquation(target="sum", latex=f"{a2}^\\circ + {180 - a2}^\\circ = 180^\\circ"),
        )
        return [draft.build()]
    if params.kind == "vertical":
        draft.beat(
            f"Opposite the first angle sits its vertical angle: it is also 180 minus {other}, so {a} degrees.",
            ShowAngle(id="third", vertex=o, a=west, b=back, label=deg(a)),
            TransformEquation(
                target="sum", latex=f"180^\\circ - {other}^\\circ = {a}^\\circ", highlight=[f"{a}^\\circ"]
            ),
        ).beat(
            "Vertical angles are always equal, and so are the other pair.",
            ShowAngle(id="fourth", vertex=o, a=back, b=east, label=deg(other)),
        )
        return [draft.build()]
    # parallel: a second line parallel to the first, crossed by the same transversal.
    shift = 3.0
    dx = shift / math.tan(math.radians(a))
    o2 = pt(dx, shift)
    far = pt(o2[0] + 5, shift)
    near = pt(o2[0] - 5, shift)
    top = polar(3.0, a, o2)
    draft.beat(
        "Draw a second line parallel to the first, crossed by the same transversal.",
        Remove(targets=["sum"]),
        ShowSegment(id="line2", start=near, end=far, color="white"),
        ShowSegment(id="cross2", start=o2, end=top, color="yellow"),
    ).beat(
        f"The corresponding angle up there is {a} degrees too: the transversal meets both lines the same way.",
        ShowAngle(id="corr", vertex=o2, a=far, b=top, label=deg(a)),
    ).beat(
        f"And the alternate angle below the top line is also {a} degrees, on the other side of the transversal.",
        ShowAngle(id="alt", vertex=o2, a=near, b=o, label=deg(a)),
        ShowEquation(id="rule", latex="\\text{corresponding} = \\text{alternate}", region="top"),
    )
    return [draft.build()]


class TriangleAngleParams(Params):
    a: int = Field(default=50, ge=15, le=140, description="Angle at A (at C, the apex, when isosceles)")
    b: int = Field(default=60, ge=15, le=140)
    kind: Literal["sum", "exterior", "isosceles"] = "sum"


def _triangle(a: float, b: float, base: float = 6.0) -> tuple[tuple[float, float], ...]:
    c = 180 - a - b
    side = base * math.sin(math.radians(b)) / math.sin(math.radians(c))
    return (0.0, 0.0), (base, 0.0), polar(side, a)


@demonstration("triangle_angle_sum", TriangleAngleParams)
def triangle_angle_sum(params: TriangleAngleParams, facts: ContextFacts) -> list[Scene]:
    """A triangle's angles: a line through the apex parallel to the base shows them filling a straight line, the
    exterior angle equals the two far angles, and an isosceles triangle folds onto itself."""
    if params.kind == "isosceles":
        found = context_ints(facts, 1, 20, 140)
        apex = found[0] if found else params.a
        base_angle = Fraction(180 - apex, 2)
        check(2 * base_angle + apex == 180, "isosceles")
        b_val = float(base_angle)
        pa, pb, pc = _triangle(b_val, b_val)
        mid = pt(3.0, 0.0)
        scene = (
            SceneDraft("isosceles", "explanation", "Two equal sides, two equal angles")
            .beat(
                f"Here is a triangle with two equal sides, C A and C B, and an angle of {apex} degrees at C.",
                ShowPolygon(id="tri", vertices=[pa, pb, pc], labels=["A", "B", "C"], color="blue"),
                ShowAngle(id="at_c", vertex=pc, a=pa, b=pb, label=deg(apex)),
            )
            .beat(
                "Fold it along the line from C to the middle of A B: the two halves match exactly.",
                ShowSegment(id="fold", start=pc, end=mid, dashed=True, color="yellow"),
            )
            .beat(
                "So the base angles at A and B are equal.",
                ShowAngle(id="at_a", vertex=pa, a=pb, b=pc, label="x"),
                ShowAngle(id="at_b", vertex=pb, a=pc, b=pa, label="x"),
            )
            .beat(
                f"Together the angles make 180 degrees, so each base angle is 180 minus {apex}, halved: "
                f"{num(b_val, 1)} degrees.",
                ShowEquation(
                    id="calc", latex=f"x = \\frac{{180^\\circ - {apex}^\\circ}}{{2}} = {deg(b_val)}", region="top"
                ),
            )
        )
        return [scene.build()]
    found = context_ints(facts, 2, 15, 140)
    a, b = (found[0], found[1]) if found and sum(found) <= 165 else (params.a, params.b)
    if a + b > 165:
        raise ValueError("the two angles must leave at least 15 degrees for the third")
    c = 180 - a - b
    check(a + b + c == 180, "angle sum")
    pa, pb, pc = _triangle(a, b)
    draft = SceneDraft("triangle", "explanation", "The angles of a triangle").beat(
        f"Here is a triangle whose angles at A and B measure {a} and {b} degrees.",
        ShowPolygon(id="tri", vertices=[pa, pb, pc], labels=["A", "B", "C"], color="blue"),
        ShowAngle(id="at_a", vertex=pa, a=pb, b=pc, label=deg(a)),
        ShowAngle(id="at_b", vertex=pb, a=pc, b=pa, label=deg(b)),
    )
    if params.kind == "exterior":
        beyond = (9.0, 0.0)
        draft.beat(
            f"The angle at C is what is left of 180 degrees: {c} degrees.",
            ShowAngle(id="at_c", vertex=pc, a=pa, b=pb, label=deg(c)),
            ShowEquation(id="sum", latex=f"180^\\circ - {a}^\\circ - {b}^\\circ = {c}^\\circ", region="top"),
        ).beat(
            "Extend the side A B past B.",
            ShowSegment(id="ext", start=pb, end=beyond, dashed=True, color="yellow"),
        ).beat(
            f"The exterior angle at B is 180 minus {b}, which is {a + c} degrees.",
            ShowAngle(id="outside", vertex=pb, a=beyond, b=pc, label=deg(a + c)),
            Remove(targets=["sum"]),
            ShowEquation(id="calc", latex=f"180^\\circ - {b}^\\circ = {a + c}^\\circ", region="top"),
        ).beat(
            f"That is exactly the two far angles together, {a} plus {c}.",
            TransformEquation(
                target="calc", latex=f"{a}^\\circ + {c}^\\circ = {a + c}^\\circ", highlight=[f"{a + c}^\\circ"]
            ),
            Indicate(target="at_a"),
            Indicate(target="at_c"),
        )
        return [draft.build()]
    left, right = pt(pc[0] - 4, pc[1]), pt(pc[0] + 4, pc[1])
    draft.beat(
        "Draw the line through C parallel to the side A B.",
        ShowSegment(id="parallel", start=left, end=right, dashed=True, color="yellow"),
    ).beat(
        f"The angle between that line and side C A is an alternate angle: it equals the angle at A, {a} degrees.",
        ShowAngle(id="copy_a", vertex=pc, a=left, b=pa, label=deg(a)),
    ).beat(
        f"In the same way, on the right, the angle equals the angle at B, {b} degrees.",
        ShowAngle(id="copy_b", vertex=pc, a=pb, b=right, label=deg(b)),
    ).beat(
        f"With the angle at C they fill the straight line, so C is 180 minus {a} minus {b}, which is {c} degrees.",
        ShowAngle(id="at_c", vertex=pc, a=pa, b=pb, label=deg(c)),
        ShowEquation(id="calc", latex=f"{a}^\\circ + {b}^\\circ + {c}^\\circ = 180^\\circ", region="top"),
    )
    return [draft.build()]


class PolygonAngleParams(Params):
    sides: int = Field(default=6, ge=4, le=10)
    exterior: bool = False


@demonstration("polygon_angle_sum", PolygonAngleParams)
def polygon_angle_sum(params: PolygonAngleParams, facts: ContextFacts) -> list[Scene]:
    """A polygon cut into triangles from one corner: n sides give n minus 2 triangles, so the angles add to (n - 2)
    times 180; a regular polygon shares that equally, and its exterior angles make one full turn of 360."""
    named = [sides for sides in facts.polygon_sides if 4 <= sides <= 10]
    found = named[:1] or context_ints(facts, 1, 4, 10)
    n = found[0] if found else params.sides
    total = (n - 2) * 180
    each = Fraction(total, n)
    outside = Fraction(360, n)
    check(each + outside == 180 and outside * n == 360, "polygon angles")
    corners = [polar(3.0, 90 + 360 * k / n) for k in range(n)]
    diagonals = [ShowSegment(id=f"d{k}", start=corners[0], end=corners[k], color="yellow") for k in range(2, n - 1)]
    draft = SceneDraft("polygon", "explanation", "Angles of a polygon").beat(
        f"Here is a regular polygon with {n} sides.",
        ShowPolygon(id="shape", vertices=corners, labels=[str(k + 1) for k in range(n)], color="blue"),
    )
    if params.exterior:
        start = corners[0]
        nxt = corners[1]
        beyond = pt(2 * nxt[0] - start[0], 2 * nxt[1] - start[1])
        after = corners[2 % n]
        draft.beat(
            "Walk around its edge: at every corner you turn by the exterior angle.",
            ShowSegment(id="ext", start=nxt, end=beyond, dashed=True, color="yellow"),
            ShowAngle(id="turn", vertex=nxt, a=beyond, b=after, label=deg(float(outside))),
        ).beat(
            f"After {n} turns you face the way you started: one full turn of 360 degrees.",
            ShowEquation(id="calc", latex=f"{n} \\times \\text{{exterior angle}} = 360^\\circ", region="top"),
        ).beat(
            f"So each exterior angle is 360 divided by {n}, which is {num(float(outside), 1)} degrees.",
            TransformEquation(target="calc", latex=f"\\frac{{360^\\circ}}{{{n}}} = {deg(float(outside))}"),
            Indicate(target="turn"),
        ).beat(
            f"With the interior angle of {num(float(each), 1)} degrees it makes a straight line.",
            ShowAngle(id="inside", vertex=nxt, a=start, b=after, label=deg(float(each))),
        )
        return [draft.build()]
    draft.beat(
        f"From one corner, draw the diagonals: they cut it into {n - 2} triangles.",
        *diagonals,
        ShowEquation(id="count", latex=f"{n} - 2 = {n - 2}", region="top"),
    ).beat(
        f"Each triangle's angles add to 180 degrees, so the polygon's add to {n - 2} times 180, which is {total}.",
        TransformEquation(
            target="count", latex=f"{n - 2} \\times 180^\\circ = {total}^\\circ", highlight=[f"{total}^\\circ"]
        ),
    ).beat(
        f"All {n} angles of a regular polygon are equal, so each is {total} divided by {n}: "
        f"{num(float(each), 1)} degrees.",
        ShowAngle(id="one", vertex=corners[1], a=corners[0], b=corners[2 % n], label=deg(float(each))),
        ShowEquation(id="each", latex=f"\\frac{{{total}^\\circ}}{{{n}}} = {deg(float(each))}", region="bottom"),
    )
    return [draft.build()]


class InscribedParams(Params):
    central: int = Field(default=100, ge=40, le=180, description="The central angle in degrees (180: a semicircle)")


@demonstration("inscribed_angle", InscribedParams)
def inscribed_angle(params: InscribedParams, facts: ContextFacts) -> list[Scene]:
    """An arc of a circle seen from the centre and from points on the circle: every inscribed angle is half the
    central angle, wherever the point moves; on a diameter it is a right angle."""
    found = context_ints(facts, 1, 40, 180)
    central = found[0] if found else params.central
    r = 3.0
    o = (0.0, 0.0)
    a, b = polar(r, 270 - central / 2), polar(r, 270 + central / 2)
    half = Fraction(central, 2)
    viewers = [polar(r, 90 + t) for t in (-35, 10, 50)]
    for p in viewers:  # measure the inscribed angle at each viewer from the coordinates
        u = (a[0] - p[0], a[1] - p[1])
        v = (b[0] - p[0], b[1] - p[1])
        measured = math.degrees(math.acos((u[0] * v[0] + u[1] * v[1]) / (math.hypot(*u) * math.hypot(*v))))
        check(abs(measured - float(half)) < 0.05, "inscribed angle")
    semicircle = central == 180
    draft = (
        SceneDraft("inscribed", "explanation", "Angles in a circle")
        .beat(
            "Take a circle and an arc from A to B.",
            ShowCircle(id="circle", center=o, radius=r, color="blue", fill_opacity=0.05),
            ShowPoint(id="pa", at=a, label="A"),
            ShowPoint(id="pb", at=b, label="B"),
        )
        .beat(
            f"Seen from the centre, the arc makes a central angle of {central} degrees."
            if not semicircle
            else "Here A and B are the ends of a diameter: the central angle is a straight 180 degrees.",
            ShowSegment(id="oa", start=o, end=a, color="yellow"),
            ShowSegment(id="ob", start=o, end=b, color="yellow"),
            ShowAngle(id="at_o", vertex=o, a=a, b=b, label=deg(central)),
        )
    )
    for k, p in enumerate(viewers):
        label = "90^\\circ" if semicircle else deg(float(half))
        said = (
            f"From a point on the circle, the same arc is seen at half of that: {num(float(half), 1)} degrees."
            if k == 0
            else "Move the point along the circle: the angle stays the same."
        )
        actions: list[Action] = [
            ShowSegment(id=f"va{k}", start=p, end=a, color="green"),
            ShowSegment(id=f"vb{k}", start=p, end=b, color="green"),
            ShowAngle(id=f"at_p{k}", vertex=p, a=a, b=b, label=label, right=semicircle),
        ]
        if k:
            actions.insert(0, Remove(targets=[f"va{k - 1}", f"vb{k - 1}", f"at_p{k - 1}"]))
        draft.beat(said, *actions)
    draft.beat(
        f"The inscribed angle is half the central angle: {central} divided by 2 is {num(float(half), 1)}."
        if not semicircle
        else "An angle in a semicircle is always a right angle: 180 divided by 2 is 90.",
        ShowEquation(id="rule", latex=f"\\frac{{{central}^\\circ}}{{2}} = {deg(float(half))}", region="top"),
    )
    return [draft.build()]
