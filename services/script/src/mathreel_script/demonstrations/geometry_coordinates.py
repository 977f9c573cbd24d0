"""Geometry on coordinate axes: a triangle moved by a translation, reflection, rotation or dilation with every
corner's coordinates computed by its rule; the distance and the midpoint of two points, from a right triangle."""

from __future__ import annotations

from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Indicate,
    Remove,
    Scene,
    ShowArrow,
    ShowAxes,
    ShowEquation,
    ShowPoint,
    ShowPolygon,
    ShowSegment,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import axis_range, check, context_ints, num
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft

Transformation = Literal["translate", "reflect_x", "reflect_y", "reflect_diagonal", "rotate_90", "rotate_180", "dilate"]

_RULES: dict[str, tuple[str, str]] = {
    "reflect_x": ("(x, y) \\to (x, -y)", "Reflect in the x axis: keep x and change the sign of y."),
    "reflect_y": ("(x, y) \\to (-x, y)", "Reflect in the y axis: change the sign of x and keep y."),
    "reflect_diagonal": ("(x, y) \\to (y, x)", "Reflect in the line y equals x: swap the two coordinates."),
    "rotate_90": (
        "(x, y) \\to (-y, x)",
        "Turn a quarter turn anticlockwise about the origin: x, y becomes minus y, x.",
    ),
    "rotate_180": ("(x, y) \\to (-x, -y)", "Turn a half turn about the origin: both coordinates change sign."),
}


class TransformParams(Params):
    kind: Transformation = "translate"
    dx: int = Field(default=3, ge=-5, le=5)
    dy: int = Field(default=-2, ge=-5, le=5)
    factor: int = Field(default=2, ge=2, le=3)


def _image(kind: str, x: int, y: int, dx: int, dy: int, k: int) -> tuple[int, int]:
    return {
        "translate": (x + dx, y + dy),
        "reflect_x": (x, -y),
        "reflect_y": (-x, y),
        "reflect_diagonal": (y, x),
        "rotate_90": (-y, x),
        "rotate_180": (-x, -y),
        "dilate": (k * x, k * y),
    }[kind]


def _pair(p: tuple[int, int]) -> str:
    return f"({p[0]}, {p[1]})"


@demonstration("figure_transformation", TransformParams)
def figure_transformation(params: TransformParams, facts: ContextFacts) -> list[Scene]:
    """A triangle on axes and its image under a rule: each corner's new coordinates computed and joined to the old by
    an arrow, then lengths compared (kept by a rigid motion, multiplied by the factor in a dilation)."""
    kind, dx, dy, k = params.kind, params.dx, params.dy, params.factor
    if kind == "translate":
        found = context_ints(facts, 2, -5, 5)
        if found and found != [0, 0]:
            dx, dy = found
    elif kind == "dilate":
        found = context_ints(facts, 1, 2, 3)
        k = found[0] if found else k
    corners = [(1, 1), (3, 1), (1, 2)] if kind == "dilate" else [(2, 1), (5, 1), (2, 3)]
    images = [_image(kind, x, y, dx, dy, k) for x, y in corners]
    sym = sympy.Matrix
    before = sympy.sqrt(sum((sym(corners[1]) - sym(corners[2])).applyfunc(lambda v: v**2)))
    after = sympy.sqrt(sum((sym(images[1]) - sym(images[2])).applyfunc(lambda v: v**2)))
    check(sympy.simplify(after - (k if kind == "dilate" else 1) * before) == 0, "lengths under the transformation")
    xs = [p[0] for p in corners + images]
    ys = [p[1] for p in corners + images]
    names = ["A", "B", "C"]
    if kind == "translate":
        rule = f"(x, y) \\to (x {'+' if dx >= 0 else '-'} {abs(dx)}, y {'+' if dy >= 0 else '-'} {abs(dy)})"
        said = (
            f"Translate by the rule: {'add' if dx >= 0 else 'subtract'} {abs(dx)} to every x, "
            f"and {'add' if dy >= 0 else 'subtract'} {abs(dy)} to every y."
        )
    elif kind == "dilate":
        rule = f"(x, y) \\to ({k}x, {k}y)"
        said = f"Dilate from the origin by a factor of {k}: multiply both coordinates by {k}."
    else:
        rule, said = _RULES[kind]
    draft = (
        SceneDraft("transform", "explanation", "Moving a figure by a rule")
        .beat(
            f"Triangle A B C has corners at {', '.join(_pair(p) for p in corners[:2])} and {_pair(corners[2])}.",
            ShowAxes(id="ax", x_range=axis_range(xs), y_range=axis_range(ys), region="center"),
            ShowPolygon(
                id="shape",
                axes="ax",
                vertices=[(float(x), float(y)) for x, y in corners],
                labels=[f"{n}{_pair(p)}" for n, p in zip(names, corners, strict=True)],
                color="blue",
            ),
        )
        .beat(said, ShowEquation(id="rule", latex=rule, region="top"))
        .beat(
            f"Each corner follows the rule: A goes from {_pair(corners[0])} to {_pair(images[0])}."
            if not kind.startswith("rotate")
            else f"Each corner turns about the origin: A goes from {_pair(corners[0])} to {_pair(images[0])}.",
            *_tracks(kind, corners, images),
            ShowPoint(
                id="a_image",
                axes="ax",
                at=(float(images[0][0]), float(images[0][1])),
                label=_pair(images[0]),
                color="yellow",
            ),
        )
        .beat(
            f"Joining the new corners, {_pair(images[1])} and {_pair(images[2])} with it, gives the image.",
            Remove(targets=["a_image"]),
            ShowPolygon(
                id="image",
                axes="ax",
                vertices=[(float(x), float(y)) for x, y in images],
                labels=[f"{n}'{_pair(p)}" for n, p in zip(names, images, strict=True)],
                color="yellow",
            ),
        )
    )
    b_text, a_text = sympy.latex(before), sympy.latex(after)
    if kind == "dilate":
        draft.beat(
            f"Every length is multiplied by {k}: side B C grows from {_spoken(before)} to {_spoken(after)}, and the "
            "angles stay the same.",
            ShowEquation(id="lengths", latex=f"B'C' = {k} \\times {b_text} = {a_text}", region="bottom"),
            Circumscribe(target="image"),
        )
    else:
        draft.beat(
            f"Lengths and angles do not change: side B C is {_spoken(before)} before and after, so the image is "
            "congruent to the triangle.",
            ShowEquation(id="lengths", latex=f"BC = B'C' = {b_text}", region="bottom"),
            Indicate(target="image"),
        )
    return [draft.build()]


def _tracks(kind: str, corners: list[tuple[int, int]], images: list[tuple[int, int]]) -> list[Action]:
    """How each corner travels: an arrow straight to its image, or for a turn, the two arms from the origin."""
    if kind.startswith("rotate"):
        a, a_image = corners[0], images[0]
        return [
            ShowSegment(
                id="arm", axes="ax", start=(0.0, 0.0), end=(float(a[0]), float(a[1])), dashed=True, color="grey"
            ),
            ShowSegment(
                id="arm_image",
                axes="ax",
                start=(0.0, 0.0),
                end=(float(a_image[0]), float(a_image[1])),
                dashed=True,
                color="yellow",
            ),
        ]
    return [
        ShowArrow(
            id=f"move{i}", axes="ax", start=(float(p[0]), float(p[1])), end=(float(q[0]), float(q[1])), color="grey"
        )
        for i, (p, q) in enumerate(zip(corners, images, strict=True))
        if p != q
    ]


def _spoken(length: sympy.Expr) -> str:
    if length.is_Integer:
        return str(length)
    coefficient, root = length.as_coeff_Mul()
    inside = root**2
    if not inside.is_Integer or sympy.sqrt(inside) != root:
        return f"about {num(float(length))}"
    return f"the square root of {inside}" if coefficient == 1 else f"{coefficient} times the square root of {inside}"


class TwoPointParams(Params):
    x1: int = Field(default=1, ge=-8, le=8)
    y1: int = Field(default=2, ge=-8, le=8)
    x2: int = Field(default=7, ge=-8, le=8)
    y2: int = Field(default=10, ge=-8, le=12)
    show: Literal["distance", "midpoint"] = "distance"


@demonstration("coordinate_distance_midpoint", TwoPointParams)
def coordinate_distance_midpoint(params: TwoPointParams, facts: ContextFacts) -> list[Scene]:
    """Two points on axes: the distance between them is the hypotenuse of the right triangle their coordinate
    differences make; the midpoint averages their coordinates."""
    found = context_ints(facts, 4, -8, 12)
    x1, y1, x2, y2 = (
        found
        if found and (found[0], found[1]) != (found[2], found[3])
        else (params.x1, params.y1, params.x2, params.y2)
    )
    if (x1, y1) == (x2, y2):
        raise ValueError("the two points must differ")
    xs, ys = [x1, x2], [y1, y2]
    p, q = (float(x1), float(y1)), (float(x2), float(y2))
    draft = SceneDraft("two_points", "explanation", "Two points on a grid").beat(
        f"Take the points P at {_pair((x1, y1))} and Q at {_pair((x2, y2))}.",
        ShowAxes(id="ax", x_range=axis_range(xs), y_range=axis_range(ys), region="center"),
        ShowPoint(id="p", axes="ax", at=p, label=f"P{_pair((x1, y1))}", color="yellow"),
        ShowPoint(id="q", axes="ax", at=q, label=f"Q{_pair((x2, y2))}", color="yellow"),
    )
    if params.show == "distance":
        run, rise = abs(x2 - x1), abs(y2 - y1)
        square = run**2 + rise**2
        dist = sympy.sqrt(square)
        check(dist**2 == (x2 - x1) ** 2 + (y2 - y1) ** 2, "distance")
        corner = (float(x2), float(y1))
        value = str(dist) if dist.is_Integer else f"{sympy.latex(dist)} \\approx {num(float(dist))}"
        draft.beat(
            f"Go across from P: the x coordinates differ by {run}.",
            ShowSegment(id="run", axes="ax", start=p, end=corner, label=str(run), dashed=True, color="blue"),
        ).beat(
            f"Then up to Q: the y coordinates differ by {rise}.",
            ShowSegment(id="rise", axes="ax", start=corner, end=q, label=str(rise), dashed=True, color="green"),
        ).beat(
            f"P Q is the hypotenuse of that right triangle, so its square is {run} squared plus {rise} squared, "
            f"{square}.",
            ShowSegment(id="pq", axes="ax", start=p, end=q, label="d", color="red"),
            ShowEquation(id="calc", latex=f"d^2 = {run}^2 + {rise}^2 = {square}", region="top"),
        ).beat(
            f"The distance is the square root of {square}: {_spoken(dist)}.",
            ShowEquation(
                id="result",
                latex=f"d = \\sqrt{{{square}}} = {value}" if dist.is_Integer else f"d = {value}",
                region="bottom",
            ),
            Indicate(target="pq"),
        )
        return [draft.build()]
    mx, my = sympy.Rational(x1 + x2, 2), sympy.Rational(y1 + y2, 2)
    check(2 * mx == x1 + x2 and 2 * my == y1 + y2, "midpoint")
    mxt, myt = num(float(mx)), num(float(my))
    draft.beat(
        "Join them: the midpoint is halfway along.",
        ShowSegment(id="pq", axes="ax", start=p, end=q, color="blue"),
    ).beat(
        f"Halfway across, its x is the average of {x1} and {x2}: {mxt}.",
        ShowSegment(
            id="drop", axes="ax", start=(float(mx), float(my)), end=(float(mx), 0.0), dashed=True, color="grey"
        ),
        ShowPoint(id="mx", axes="ax", at=(float(mx), 0.0), label=mxt, color="green"),
    ).beat(
        f"Halfway up, its y is the average of {y1} and {y2}: {myt}.",
        ShowSegment(
            id="across", axes="ax", start=(float(mx), float(my)), end=(0.0, float(my)), dashed=True, color="grey"
        ),
        ShowPoint(id="my", axes="ax", at=(0.0, float(my)), label=myt, color="green"),
    ).beat(
        f"So the midpoint M is at {mxt}, {myt}.",
        ShowPoint(id="m", axes="ax", at=(float(mx), float(my)), label="M", color="red"),
        ShowEquation(
            id="calc",
            latex=f"M = \\left(\\frac{{{x1} + {x2}}}{{2}}, \\frac{{{y1} + {y2}}}{{2}}\\right) = ({mxt}, {myt})",
            region="top",
        ),
    )
    return [draft.build()]
