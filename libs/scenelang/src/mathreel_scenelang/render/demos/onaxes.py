"""Points, segments, polygons and arrows drawn in the coordinates of an ``axes`` or a ``plane``.

Such a shape belongs to the graph it names, not to the scene's geometry figure: it is placed by the axes' own
coordinates, moves with them, and is redrawn from its coordinates when ``apply_matrix`` maps the plane.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import (
    DOWN,
    DR,
    LEFT,
    RIGHT,
    UL,
    UP,
    Arrow,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    GrowArrow,
    GrowFromCenter,
    Line,
    Polygon,
    Text,
    VGroup,
    VMobject,
)
from manim.animation.animation import Animation

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos.common import Point, ToScene, centroid, math_label, set_parts
from mathreel_scenelang.render.demos.geometry import XY, Rect, clearest

_LABEL_GAP = 0.3
OnAxes = sb.ShowPoint | sb.ShowSegment | sb.ShowPolygon | sb.ShowArrow


@dataclass
class Shape:
    """A shape on axes: the group on screen, its coordinates, how to draw it at other coordinates, and how it
    appears."""

    mob: VGroup
    points: list[XY]
    draw: Callable[[Sequence[XY]], list[VMobject]]
    appear: Callable[[], list[Animation]]


def _normal(start: Point, end: Point) -> Point:
    """The unit normal of start→end that points up (or left when the line is vertical)."""
    d = end - start
    n = np.array([-d[1], d[0], 0.0])
    length = float(np.linalg.norm(n)) or 1.0
    n = n / length
    if n[1] < -1e-9 or (abs(n[1]) <= 1e-9 and n[0] > 0):
        n = -n
    return n


Obstacles = Callable[[], list[XY]]


def obstacles(axes: Any, curves: Sequence[Callable[[float], float]], shapes: Sequence[Shape]) -> Obstacles:
    """Points (in the scene, read when called) a label on these axes should keep clear of: the plotted curves, the
    axis lines and the shapes already drawn on the axes."""
    (x_lo, x_hi), (y_lo, y_hi) = (float(v) for v in axes.x_range[:2]), (float(v) for v in axes.y_range[:2])
    data: list[XY] = []
    for f in curves:
        data += [(float(x), f(float(x))) for x in np.linspace(x_lo, x_hi, 120)]
    base_x, base_y = min(max(0.0, x_lo), x_hi), min(max(0.0, y_lo), y_hi)
    data += [(base_x, float(y)) for y in np.linspace(y_lo, y_hi, 40)]
    data += [(float(x), base_y) for x in np.linspace(x_lo, x_hi, 40)]
    for shape in shapes:
        for p, q in zip(shape.points, [*shape.points[1:], shape.points[0]], strict=True):
            data += [(p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t) for t in np.linspace(0, 1, 12)]
    data = [(x, y) for x, y in data if math.isfinite(y) and y_lo <= y <= y_hi]

    def scene_points() -> list[XY]:
        points = [(float(p[0]), float(p[1])) for p in (axes.c2p(x, y) for x, y in data)]
        for text in (m for m in axes.get_family() if isinstance(m, Text)):  # tick numbers
            points += [
                (float(c[0]), float(c[1])) for c in (text.get_center(), text.get_corner(UL), text.get_corner(DR))
            ]
        return points

    return scene_points


def _label_boxes(anchor: Point, label: VMobject, directions: Sequence[Point], gap: float) -> list[Rect]:
    w, h = label.width, label.height
    out = []
    for d in directions:
        cx = anchor[0] + d[0] * (w / 2 + gap)
        cy = anchor[1] + d[1] * (h / 2 + gap)
        out.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    return out


def shape_on_axes(a: OnAxes, c2p: ToScene, color: str, avoid: Obstacles = list) -> Shape:
    """The mobjects of ``a`` placed by ``c2p``; labels are set once, placed clear of ``avoid`` where they can be,
    and only moved when the shape is redrawn."""
    if isinstance(a, sb.ShowPoint):
        return _point(a, c2p, color, avoid)
    if isinstance(a, sb.ShowSegment):
        return _segment(a, c2p, color, avoid)
    if isinstance(a, sb.ShowPolygon):
        return _polygon(a, c2p, color)
    return _arrow(a, c2p, color)


def _build(
    points: list[XY], draw: Callable[[Sequence[XY]], list[VMobject]], appear: Callable[[VGroup], list[Animation]]
) -> Shape:
    mob = VGroup()
    set_parts(mob, draw(points))
    return Shape(mob, points, draw, lambda: appear(mob))


_CORNERS = [UP + RIGHT, UP + LEFT, DOWN + RIGHT, DOWN + LEFT]
_SIDES = [RIGHT, LEFT, UP, DOWN]


def marker(at: np.ndarray, color: str, hollow: bool) -> VMobject:
    """A point's dot, or for a point left out an open circle (the background shows through it)."""
    if not hollow:
        return Dot(at, radius=0.08, color=color)
    ring = Circle(radius=0.09, color=color, stroke_width=3.5).move_to(at)
    return ring.set_fill(style.BACKGROUND, opacity=1.0)


def _point(a: sb.ShowPoint, c2p: ToScene, color: str, avoid: Obstacles) -> Shape:
    label = math_label(a.label, color) if a.label else None

    def draw(points: Sequence[XY]) -> list[VMobject]:
        dot = marker(c2p(*points[0]), color, a.hollow)
        if label is None:
            return [dot]
        center = dot.get_center()
        boxes = _label_boxes(center, label, _CORNERS, 0.12) + _label_boxes(center, label, _SIDES + _CORNERS, 0.4)
        x0, y0, x1, y1 = boxes[clearest(boxes, avoid())]
        return [dot, label.copy().move_to(np.array([(x0 + x1) / 2, (y0 + y1) / 2, 0.0]))]

    return _build([a.at], draw, lambda mob: [GrowFromCenter(mob)])


def _segment(a: sb.ShowSegment, c2p: ToScene, color: str, avoid: Obstacles) -> Shape:
    label = math_label(a.label, color) if a.label else None

    def draw(points: Sequence[XY]) -> list[VMobject]:
        start, end = c2p(*points[0]), c2p(*points[1])
        kind = DashedLine if a.dashed else Line
        line = kind(start, end, color=color, stroke_width=style.STROKE_WIDTH - (1 if a.dashed else 0))
        if label is None:
            return [line]
        middle, normal = (start + end) / 2, _normal(start, end)
        boxes = _label_boxes(middle, label, [normal, -normal], 0.12)
        x0, y0, x1, y1 = boxes[clearest(boxes, avoid())]
        return [line, label.copy().move_to(np.array([(x0 + x1) / 2, (y0 + y1) / 2, 0.0]))]

    def appear(mob: VGroup) -> list[Animation]:
        return [Create(mob[0]), *(FadeIn(p) for p in mob[1:])]

    return _build([a.start, a.end], draw, appear)


def _polygon(a: sb.ShowPolygon, c2p: ToScene, color: str) -> Shape:
    labels = [(i, math_label(text, style.TEXT_COLOR)) for i, text in enumerate(a.labels[: len(a.vertices)]) if text]

    def draw(points: Sequence[XY]) -> list[VMobject]:
        corners = [c2p(*p) for p in points]
        shape = Polygon(*corners, color=color, stroke_width=style.STROKE_WIDTH, fill_opacity=a.fill_opacity)
        middle = c2p(*centroid(points))
        parts: list[VMobject] = [shape]
        for i, label in labels:
            out = corners[i] - middle
            out = out / (float(np.linalg.norm(out)) or 1.0)
            parts.append(label.copy().move_to(corners[i] + out * _LABEL_GAP * 1.1))
        return parts

    def appear(mob: VGroup) -> list[Animation]:
        return [Create(mob[0]), *(FadeIn(p) for p in mob[1:])]

    return _build(list(a.vertices), draw, appear)


def _arrow(a: sb.ShowArrow, c2p: ToScene, color: str) -> Shape:
    assert a.start is not None
    assert a.end is not None
    label = math_label(a.label, color, style.LABEL_SIZE * 0.9) if a.label else None

    def draw(points: Sequence[XY]) -> list[VMobject]:
        start, end = c2p(*points[0]), c2p(*points[1])
        if float(np.linalg.norm(end - start)) < 1e-6:
            arrow: VMobject = Dot(start, radius=0.05, color=color)
        else:
            arrow = Arrow(start, end, buff=0, color=color, stroke_width=5, max_tip_length_to_length_ratio=0.2)
        if label is None:
            return [arrow]
        # Beside the tip, on the side away from the arrow's line: where a vector's name is written.
        along = (end - start) / (float(np.linalg.norm(end - start)) or 1.0)
        return [arrow, label.copy().move_to(end + along * 0.3 + _normal(start, end) * 0.25)]

    def appear(mob: VGroup) -> list[Animation]:
        first = mob[0]
        grow: Animation = GrowArrow(first) if isinstance(first, Arrow) else FadeIn(first)
        return [grow, *(FadeIn(p) for p in mob[1:])]

    return _build([a.start, a.end], draw, appear)
