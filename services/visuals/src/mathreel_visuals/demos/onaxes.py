"""Points, segments, polygons and arrows drawn in the coordinates of an ``axes`` or a ``plane``.

Such a shape belongs to the graph it names, not to the scene's geometry figure: it is placed by the axes' own
coordinates, moves with them, and is redrawn from its coordinates when ``apply_matrix`` maps the plane.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from manim import (
    UP,
    Arrow,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    GrowArrow,
    GrowFromCenter,
    Line,
    Polygon,
    VGroup,
    VMobject,
)
from manim.animation.animation import Animation

from mathreel_shared import storyboard as sb
from mathreel_visuals import style
from mathreel_visuals.demos.common import Point, ToScene, centroid, math_label, set_parts
from mathreel_visuals.demos.geometry import XY

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


def shape_on_axes(a: OnAxes, c2p: ToScene, color: str) -> Shape:
    """The mobjects of ``a`` placed by ``c2p``; labels are set once and only moved when the shape is redrawn."""
    if isinstance(a, sb.ShowPoint):
        return _point(a, c2p, color)
    if isinstance(a, sb.ShowSegment):
        return _segment(a, c2p, color)
    if isinstance(a, sb.ShowPolygon):
        return _polygon(a, c2p, color)
    return _arrow(a, c2p, color)


def _build(
    points: list[XY], draw: Callable[[Sequence[XY]], list[VMobject]], appear: Callable[[VGroup], list[Animation]]
) -> Shape:
    mob = VGroup()
    set_parts(mob, draw(points))
    return Shape(mob, points, draw, lambda: appear(mob))


def _point(a: sb.ShowPoint, c2p: ToScene, color: str) -> Shape:
    label = math_label(a.label, color) if a.label else None

    def draw(points: Sequence[XY]) -> list[VMobject]:
        dot = Dot(c2p(*points[0]), radius=0.08, color=color)
        if label is None:
            return [dot]
        return [dot, label.copy().next_to(dot, UP + np.array([0.6, 0.0, 0.0]), buff=0.1)]

    return _build([a.at], draw, lambda mob: [GrowFromCenter(mob)])


def _segment(a: sb.ShowSegment, c2p: ToScene, color: str) -> Shape:
    label = math_label(a.label, color) if a.label else None

    def draw(points: Sequence[XY]) -> list[VMobject]:
        start, end = c2p(*points[0]), c2p(*points[1])
        kind = DashedLine if a.dashed else Line
        line = kind(start, end, color=color, stroke_width=style.STROKE_WIDTH - (1 if a.dashed else 0))
        if label is None:
            return [line]
        return [line, label.copy().move_to((start + end) / 2 + _normal(start, end) * _LABEL_GAP * 1.2)]

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
