"""Geometry lessons: Pythagoras, the circle, triangle angles, the law of cosines, the unit circle."""

from __future__ import annotations

import math
from fractions import Fraction

from mathreel_scenelang.storyboard import (
    Circumscribe,
    Indicate,
    Move,
    Remove,
    ShowAngle,
    ShowBrace,
    ShowCircle,
    ShowEquation,
    ShowPoint,
    ShowPolygon,
    ShowSegment,
    ShowTable,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._request import hypotenuse_and_leg
from mathreel_script.draft import Lesson, SceneDraft
from mathreel_script.latex import format_number as num


def _p(x: float, y: float) -> tuple[float, float]:
    return (round(x, 3), round(y, 3))


def pythagorean_theorem(facts: ContextFacts) -> Lesson:
    legs = facts.integers(1, 40)
    a, b = (legs[0], legs[1]) if len(legs) >= 2 else (6, 8)
    c = math.hypot(a, b)
    c_text = num(c) if c == int(c) else f"\\approx {c:.2f}"

    statement = (
        SceneDraft("statement", "statement", "The statement")
        .beat(
            "In a right triangle, the legs a and b meet at the right angle.",
            ShowPolygon(id="tri", vertices=[(-2, -1.5), (2, -1.5), (-2, 1.5)], labels=["", "", ""], color="blue"),
            ShowAngle(id="right", vertex=(-2, -1.5), a=(2, -1.5), b=(-2, 1.5), right=True),
            # Each side is traced in the direction that puts its label outside the triangle.
            ShowSegment(id="side_a", start=(2, -1.5), end=(-2, -1.5), label="a", color="green"),
            ShowSegment(id="side_b", start=(-2, -1.5), end=(-2, 1.5), label="b", color="yellow"),
        )
        .beat(
            "The hypotenuse c faces it, and a squared plus b squared equals c squared.",
            ShowSegment(id="side_c", start=(-2, 1.5), end=(2, -1.5), label="c", color="red"),
            ShowEquation(id="law", latex="a^2 + b^2 = c^2", region="top"),
        )
    )
    # Triangle with legs 1.5 and 2 (a 3-4-5 triangle at half scale), a square built outward on each side.
    p, q, r = (-0.75, -0.5), (0.75, -0.5), (-0.75, 1.5)
    squares = (
        SceneDraft("squares", "proof", "Squares on the sides")
        .beat(
            "Build a square on each leg of a 3, 4, 5 triangle.",
            ShowEquation(id="sides", latex="a = 3,\\ b = 4,\\ c = 5", region="top"),
            ShowPolygon(id="tri", vertices=[p, q, r], color="white"),
            ShowPolygon(id="sq_a", vertices=[p, q, (0.75, -2), (-0.75, -2)], color="blue"),
            ShowPolygon(id="sq_b", vertices=[p, r, (-2.75, 1.5), (-2.75, -0.5)], color="green"),
        )
        .beat(
            "The square on the hypotenuse holds 25, exactly 9 plus 16.",
            TransformEquation(target="sides", latex="3^2 + 4^2 = 9 + 16 = 25 = 5^2", highlight=["25"]),
            ShowPolygon(id="sq_c", vertices=[q, r, (1.25, 3), (2.75, 1)], color="red"),
            Indicate(target="sq_a"),
            Indicate(target="sq_b"),
            Circumscribe(target="sq_c"),
        )
    )
    # Four copies of a triangle with legs 1.5 and 2.5 in a square of side 4, then slid into two rectangles.
    t1 = [(-2, -2), (-0.5, -2), (-2, 0.5)]
    t2 = [(-0.5, -2), (2, -2), (2, -0.5)]
    t3 = [(2, -0.5), (2, 2), (0.5, 2)]
    t4 = [(0.5, 2), (-2, 2), (-2, 0.5)]
    rearrangement = (
        SceneDraft("rearrangement", "proof", "A rearrangement proof")
        .beat(
            "Four copies of the triangle fit in a square of side a plus b.",
            *(
                ShowPolygon(id=f"t{i}", vertices=v, color="blue", fill_opacity=0.5)
                for i, v in enumerate((t1, t2, t3, t4), 1)
            ),
        )
        .beat(
            "They leave a tilted square of area c squared.",
            ShowPolygon(id="hole_c", vertices=[(-0.5, -2), (2, -0.5), (0.5, 2), (-2, 0.5)], color="red"),
        )
        .beat(
            "Slide them into two rectangles.",
            Remove(targets=["hole_c"]),
            Move(target="t1", shift=(0, 1.5)),
            Move(target="t3", shift=(-2.5, 0)),
            Move(target="t4", shift=(1.5, -2.5)),
        )
        .beat(
            "Now the gaps are a squared and b squared, so the areas match.",
            ShowPolygon(id="hole_a", vertices=[(-2, -2), (-0.5, -2), (-0.5, -0.5), (-2, -0.5)], color="green"),
            ShowPolygon(id="hole_b", vertices=[(-0.5, -0.5), (2, -0.5), (2, 2), (-0.5, 2)], color="yellow"),
        )
    )
    s = 4 / max(a, b)
    x0, y0 = -a * s / 2, -b * s / 2
    total = a * a + b * b
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            f"Now take legs {a} and {b}.",
            ShowPolygon(id="tri", vertices=[_p(x0, y0), _p(-x0, y0), _p(x0, -y0)], color="blue"),
            ShowBrace(id="leg_a", target="tri", direction="down", label=str(a)),
            ShowBrace(id="leg_b", target="tri", direction="left", label=str(b)),
        )
        .beat(
            f"Then c squared is {a * a} plus {b * b}, or {total}.",
            ShowEquation(id="calc", latex=f"c^2 = {a}^2 + {b}^2 = {a * a} + {b * b} = {total}", region="top"),
        )
        .beat(
            f"So c is {'exactly' if c == int(c) else 'about'} {num(round(c, 2))}.",
            TransformEquation(
                target="calc", latex=f"c = \\sqrt{{{total}}} {'= ' if c == int(c) else ''}{c_text}", highlight=[c_text]
            ),
        )
    )
    given = hypotenuse_and_leg(facts)
    if given is not None:
        example = _missing_leg(*given)
    return Lesson(
        title="The Pythagorean Theorem",
        hook="Why do the sides of every right triangle obey one simple rule?",
        formula="a^2 + b^2 = c^2",
        scenes=(statement.build(), squares.build(), rearrangement.build(), example.build()),
        key_points=("Only for right triangles", "a² + b² = c²", "c is the side facing the right angle"),
    )


def _missing_leg(hypotenuse: Fraction, leg: Fraction) -> SceneDraft:
    """The example when the request gives the hypotenuse ("a 10 m ladder") and one leg: the other leg is what is
    left of the hypotenuse's square."""
    c, a = num(float(hypotenuse)), num(float(leg))
    c2, a2 = hypotenuse**2, leg**2
    rest = c2 - a2
    b = math.sqrt(rest)
    if abs(b**2 + float(a2) - float(c2)) > 1e-9:
        raise ValueError("missing leg check failed")
    exact = b == int(b)
    b_text = num(b) if exact else f"\\approx {b:.2f}"
    s = 4 / float(hypotenuse)
    x0, y0 = -float(leg) * s / 2, -b * s / 2
    return (
        SceneDraft("example", "example", "An example")
        .beat(
            f"Now the hypotenuse is {c} and one leg is {a}: find the other leg.",
            ShowPolygon(id="tri", vertices=[_p(x0, y0), _p(-x0, y0), _p(x0, -y0)], color="blue"),
            ShowBrace(id="leg_a", target="tri", direction="down", label=a),
            ShowEquation(id="hyp", latex=f"c = {c}", region="right", color="red"),
        )
        .beat(
            f"The other leg's square is what is left: {num(float(c2))} minus {num(float(a2))}, or {num(float(rest))}.",
            ShowEquation(
                id="calc",
                latex=f"b^2 = {c}^2 - {a}^2 = {num(float(c2))} - {num(float(a2))} = {num(float(rest))}",
                region="top",
            ),
        )
        .beat(
            f"So b is {'exactly' if exact else 'about'} {num(round(b, 2))}.",
            TransformEquation(
                target="calc",
                latex=f"b = \\sqrt{{{num(float(rest))}}} {'= ' if exact else ''}{b_text}",
                highlight=[b_text],
            ),
            ShowBrace(id="leg_b", target="tri", direction="left", label=num(round(b, 2))),
        )
    )


def circle_area(facts: ContextFacts) -> Lesson:
    radii = facts.integers(1, 50)
    r = radii[0] if radii else 3
    statement = (
        SceneDraft("statement", "statement", "The statement")
        .beat(
            "A circle is every point at the same distance, the radius r, from its centre.",
            ShowCircle(id="disc", radius=2, color="blue"),
            ShowSegment(id="radius", start=(0, 0), end=(2, 0), label="r", color="yellow"),
        )
        .beat("Its area is pi times the radius squared.", ShowEquation(id="law", latex="A = \\pi r^2", region="top"))
    )
    proof = (
        SceneDraft("wedges", "proof", "Slicing into wedges")
        .beat(
            "Cut the circle into many thin wedges, like slices of a pie.",
            # Circle and strip are one figure on one plane: the strip is drawn to the circle's right.
            ShowCircle(id="disc", center=(-3.5, 0), radius=1.5, color="blue"),
        )
        .beat(
            "Lay them side by side, tips alternating up and down, and they form almost a rectangle.",
            ShowPolygon(
                id="strip",
                vertices=[(-1.2, -0.75), (3.3, -0.75), (3.6, 0.75), (-0.9, 0.75)],
                color="blue",
            ),
        )
        .beat(
            "Its height is the radius, and its length is half the circumference, pi times r.",
            Remove(targets=["disc"]),
            ShowBrace(id="length", target="strip", direction="down", label="\\pi r"),
            ShowBrace(id="height", target="strip", direction="left", label="r"),
        )
        .beat(
            "So the area is pi r times r, which is pi r squared.",
            ShowEquation(id="area", latex="A = \\pi r \\cdot r", region="top"),
            TransformEquation(target="area", latex="A = \\pi r^2", highlight=["r^2"]),
        )
    )
    area = math.pi * r * r
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            f"Take a circle of radius {r}.",
            ShowCircle(id="disc", radius=2, color="green"),
            ShowSegment(id="radius", start=(0, 0), end=(2, 0), label=str(r), color="yellow"),
        )
        .beat(
            f"Its area is pi times {r * r}, about {area:.2f} square units.",
            ShowEquation(id="calc", latex=f"A = \\pi \\cdot {r}^2 = {r * r}\\pi", region="top"),
            TransformEquation(target="calc", latex=f"A \\approx {area:.2f}", highlight=[f"{area:.2f}"]),
        )
    )
    return Lesson(
        title="The Area of a Circle",
        hook="Where does pi r squared come from?",
        formula="A = \\pi r^2",
        scenes=(statement.build(), proof.build(), example.build()),
        key_points=("A = πr²", "Wedges rearrange into a rectangle", "Height r, length πr"),
    )


def _triangle_from_angles(alpha: float, beta: float) -> list[tuple[float, float]]:
    """A triangle on a base of length 5 centred at the origin with base angles ``alpha`` and ``beta`` degrees."""
    gamma = 180 - alpha - beta
    side = 5 * math.sin(math.radians(beta)) / math.sin(math.radians(gamma))
    apex = (-2.5 + side * math.cos(math.radians(alpha)), -1.5 + side * math.sin(math.radians(alpha)))
    height = apex[1] + 1.5
    scale = min(1.0, 4.5 / height)
    return [_p(-2.5 * scale, -1.5), _p(2.5 * scale, -1.5), _p(apex[0] * scale, -1.5 + height * scale)]


def triangle_angle_sum(facts: ContextFacts) -> Lesson:
    angles = facts.integers(1, 178)
    alpha, beta = (angles[0], angles[1]) if len(angles) >= 2 and angles[0] + angles[1] < 180 else (50, 60)
    gamma = 180 - alpha - beta
    left, right, top = (-3.0, -1.5), (2.5, -1.5), (-0.5, 1.5)
    statement = (
        SceneDraft("statement", "statement", "The statement")
        .beat(
            "Draw any triangle, with angles alpha, beta and gamma.",
            ShowPolygon(id="tri", vertices=[left, right, top], color="blue"),
            ShowAngle(id="a", vertex=left, a=right, b=top, label="\\alpha", color="yellow"),
            ShowAngle(id="b", vertex=right, a=top, b=left, label="\\beta", color="green"),
            ShowAngle(id="c", vertex=top, a=left, b=right, label="\\gamma", color="red"),
        )
        .beat(
            "However you draw it, the three angles add up to 180 degrees.",
            ShowEquation(id="law", latex="\\alpha + \\beta + \\gamma = 180^\\circ", region="top"),
        )
    )
    proof = (
        SceneDraft("parallel", "proof", "A parallel line")
        .beat(
            "Mark the two angles at the base, alpha and beta.",
            ShowPolygon(id="tri", vertices=[left, right, top], color="blue"),
            ShowAngle(id="base_a", vertex=left, a=right, b=top, label="\\alpha", color="yellow"),
            ShowAngle(id="base_b", vertex=right, a=top, b=left, label="\\beta", color="green"),
        )
        .beat(
            "Draw a line through the top corner, parallel to the base.",
            ShowSegment(id="line", start=(-4.5, 1.5), end=(4, 1.5), color="white"),
        )
        .beat(
            "Alternate angles are equal, so alpha and beta appear again at the top, on either side of gamma.",
            Remove(targets=["base_a", "base_b"]),
            ShowAngle(id="top_a", vertex=top, a=(-4.5, 1.5), b=left, label="\\alpha", color="yellow"),
            ShowAngle(id="top_g", vertex=top, a=left, b=right, label="\\gamma", color="red"),
            ShowAngle(id="top_b", vertex=top, a=right, b=(4, 1.5), label="\\beta", color="green"),
        )
        .beat(
            "Together they fill a straight line, which is 180 degrees.",
            Circumscribe(target="line"),
            ShowEquation(id="straight", latex="\\alpha + \\beta + \\gamma = 180^\\circ", region="bottom"),
        )
    )
    corners = _triangle_from_angles(alpha, beta)
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            f"Suppose two angles are {alpha} and {beta} degrees.",
            ShowPolygon(id="tri", vertices=corners, color="blue"),
            ShowAngle(id="ang_a", vertex=corners[0], a=corners[1], b=corners[2], label=f"{alpha}^\\circ"),
            ShowAngle(id="ang_b", vertex=corners[1], a=corners[2], b=corners[0], label=f"{beta}^\\circ"),
        )
        .beat(
            f"The third must be 180 minus {alpha + beta}, which is {gamma} degrees.",
            ShowEquation(id="calc", latex=f"\\gamma = 180^\\circ - {alpha + beta}^\\circ", region="top"),
            TransformEquation(target="calc", latex=f"\\gamma = {gamma}^\\circ", highlight=[f"{gamma}"]),
        )
    )
    return Lesson(
        title="The Angles of a Triangle",
        hook="Why do a triangle's angles always add up to the same number?",
        formula="\\alpha + \\beta + \\gamma = 180^\\circ",
        scenes=(statement.build(), proof.build(), example.build()),
        key_points=("α + β + γ = 180°", "A parallel line copies the base angles", "Holds for every triangle"),
    )


def law_of_cosines(facts: ContextFacts) -> Lesson:
    vertex, b_end, a_end = (-2.5, -1.5), (2.5, -1.5), (0.5, 1.8)
    statement = (
        SceneDraft("statement", "statement", "The statement")
        .beat(
            "Take any triangle with sides a and b around an angle gamma, and c opposite it.",
            ShowPolygon(id="tri", vertices=[vertex, b_end, a_end], color="blue"),
            ShowAngle(id="gamma", vertex=vertex, a=b_end, b=a_end, label="\\gamma", color="yellow"),
        )
        .beat(
            "Then c squared is a squared plus b squared, minus two a b cosine gamma.",
            ShowEquation(id="law", latex="c^2 = a^2 + b^2 - 2ab\\cos\\gamma", region="top"),
        )
    )
    proof = (
        SceneDraft("height", "proof", "Where it comes from")
        .beat(
            "Drop a height from the top corner to the base.",
            ShowPolygon(id="tri", vertices=[vertex, b_end, a_end], color="blue"),
            ShowSegment(id="h", start=a_end, end=(0.5, -1.5), label="h", color="green"),
            ShowAngle(id="foot", vertex=(0.5, -1.5), a=b_end, b=a_end, right=True),
        )
        .beat(
            "It splits the triangle into two right triangles, and Pythagoras on each gives the formula.",
            ShowEquation(id="law", latex="c^2 = a^2 + b^2 - 2ab\\cos\\gamma", region="top"),
        )
        .beat(
            "When gamma is a right angle, its cosine is zero and the extra term vanishes.",
            TransformEquation(target="law", latex="c^2 = a^2 + b^2 - 2ab \\cdot 0", highlight=["0"]),
        )
        .beat(
            "What is left is the Pythagorean theorem itself.",
            TransformEquation(target="law", latex="c^2 = a^2 + b^2", highlight=["a^2 + b^2"]),
        )
    )
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            "Let a be 5, b be 8, and the angle between them 60 degrees.",
            ShowEquation(id="given", latex="a = 5,\\ b = 8,\\ \\gamma = 60^\\circ", region="top"),
            ShowPolygon(id="tri", vertices=[(-2.5, -1.5), (2.5, -1.5), (-0.94, 1.2)], color="blue"),
            ShowAngle(id="gamma", vertex=(-2.5, -1.5), a=(2.5, -1.5), b=(-0.94, 1.2), label="60^\\circ"),
        )
        .beat(
            "The cosine of 60 degrees is one half, so c squared is 25 plus 64 minus 40.",
            Remove(targets=["given"]),
            ShowEquation(
                id="calc",
                latex="c^2 = 25 + 64 - 2 \\cdot 5 \\cdot 8 \\cdot \\tfrac{1}{2} = 25 + 64 - 40",
                region="top",
            ),
        )
        .beat(
            "That is 49, so c is exactly 7.",
            TransformEquation(target="calc", latex="c^2 = 49, \\; c = 7", highlight=["c = 7"]),
        )
    )
    return Lesson(
        title="The Law of Cosines",
        hook="How long is the third side of a triangle that has no right angle?",
        formula="c^2 = a^2 + b^2 - 2ab\\cos\\gamma",
        scenes=(statement.build(), proof.build(), example.build()),
        key_points=("c² = a² + b² − 2ab cos γ", "Works for every triangle", "γ = 90° gives Pythagoras"),
    )


_SPECIAL_ANGLES = {
    0: ("1", "0"),
    30: ("\u221a3/2", "1/2"),
    45: ("\u221a2/2", "\u221a2/2"),
    60: ("1/2", "\u221a3/2"),
    90: ("0", "1"),
    180: ("-1", "0"),
}


def unit_circle(facts: ContextFacts) -> Lesson:
    theta = 40.0
    tip = _p(2.5 * math.cos(math.radians(theta)), 2.5 * math.sin(math.radians(theta)))
    statement = (
        SceneDraft("statement", "statement", "The unit circle")
        .beat(
            "The unit circle has radius 1 and its centre at the origin.",
            ShowCircle(id="circle", radius=2.5, color="blue"),
            ShowSegment(id="radius", start=(0, 0), end=tip, label="1", color="white"),
        )
        .beat(
            "Turn the radius by an angle theta from the positive x axis.",
            ShowAngle(id="theta", vertex=(0, 0), a=(2.5, 0), b=tip, label="\\theta", color="yellow"),
        )
        .beat(
            "The point it reaches has x coordinate cosine theta and y coordinate sine theta.",
            # Drawn so each label falls outside the triangle (a label sits left of its segment's direction).
            ShowSegment(id="cos", start=(tip[0], 0), end=(0, 0), label="\\cos\\theta", color="green"),
            ShowSegment(id="sin", start=tip, end=(tip[0], 0), label="\\sin\\theta", color="red"),
        )
        .beat(
            # Said while the right triangle is on screen: its legs are cos and sin, its hypotenuse the radius 1.
            "Because the radius is 1, Pythagoras gives cosine squared plus sine squared equals 1.",
            ShowEquation(id="identity", latex="\\cos^2\\theta + \\sin^2\\theta = 1", region="right"),
        )
    )
    explanation = SceneDraft("values", "explanation", "Special angles").beat(
        "At the special angles the coordinates take simple exact values.",
        ShowTable(
            id="table",
            header=["\u03b8", "cos \u03b8", "sin \u03b8"],
            rows=[[f"{angle}°", *_SPECIAL_ANGLES[angle]] for angle in (0, 30, 45, 60, 90)],
        ),
    )
    example_tip = (-2.5, 0.0)
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            "Turn halfway round, to 180 degrees.",
            ShowCircle(id="circle", radius=2.5, color="blue"),
            ShowAngle(id="theta", vertex=(0, 0), a=(2.5, 0), b=example_tip, label="180^\\circ", color="yellow"),
            ShowSegment(id="radius", start=(0, 0), end=example_tip, color="white"),
            ShowPoint(id="point", at=example_tip, label="(-1, 0)"),
        )
        .beat(
            "The point is minus 1 on the x axis, so cosine is minus 1 and sine is 0.",
            ShowEquation(id="calc", latex="(\\cos 180^\\circ, \\sin 180^\\circ) = (-1, 0)", region="top"),
        )
    )
    return Lesson(
        title="The Unit Circle",
        hook="How does one circle define sine and cosine for every angle?",
        formula="(\\cos\\theta, \\sin\\theta)",
        scenes=(statement.build(), explanation.build(), example.build()),
        key_points=("Radius 1, centre at the origin", "Point = (cos θ, sin θ)", "cos² θ + sin² θ = 1"),
    )
