"""``plane`` and ``apply_matrix``: a coordinate grid with the basis vectors, and a 2 by 2 matrix acting on it.

The plane keeps its original grid, faint, as the reference; over it a second grid, the basis vectors î and ĵ and
every shape drawn with ``axes`` = the plane are carried by the map. The moving grid is redrawn on every frame from
the matrix part-way done (what ``ApplyMatrix`` interpolates), each line cut to the plane's box, so a shear or a
stretch never spills out of the plane's place on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from manim import Arrow, Create, FadeIn, GrowArrow, Line, NumberPlane, VGroup, VMobject
from manim.animation.animation import Animation

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos.common import math_label, redraw, set_parts, to_scene
from mathreel_scenelang.render.demos.geometry import XY, Matrix2, apply, clip_segment, held, matrix_at
from mathreel_scenelang.render.demos.onaxes import Shape

IDENTITY: Matrix2 = ((1.0, 0.0), (0.0, 1.0))
_MAX_LINES = 40


def compose(outer: Matrix2, inner: Matrix2) -> Matrix2:
    """The matrix of applying ``inner`` and then ``outer``."""
    (a, b), (c, d) = outer
    (e, f), (g, h) = inner
    return ((a * e + b * g, a * f + b * h), (c * e + d * g, c * f + d * h))


def grid_lines(matrix: Matrix2, x_range: Sequence[float], y_range: Sequence[float]) -> list[tuple[XY, XY, bool]]:
    """The images under ``matrix`` of the grid lines x = k·step and y = k·step, cut to the box ``x_range`` ×
    ``y_range``: (start, end, is an axis) for each line that crosses the box."""
    x0, x1, xs = x_range
    y0, y1, ys = y_range
    (a, b), (c, d) = matrix
    det = a * d - b * c
    corners = [(x0, y0), (x0, y1), (x1, y0), (x1, y1)]
    if abs(det) > 1e-9:
        inverse = ((d / det, -b / det), (-c / det, a / det))
        pre = [apply(inverse, p) for p in corners]
    else:
        pre = corners
    diagonal = math.hypot(x1 - x0, y1 - y0)
    out: list[tuple[XY, XY, bool]] = []
    for step, axis, direction in ((xs, 0, (b, d)), (ys, 1, (a, c))):
        length = math.hypot(*direction)
        if step <= 0 or length < 1e-9:
            continue
        values = [p[axis] for p in (*pre, *corners)]
        lo, hi = math.floor(min(values) / step), math.ceil(max(values) / step)
        middle = (lo + hi) // 2
        lo, hi = max(lo, middle - _MAX_LINES), min(hi, middle + _MAX_LINES)
        for k in range(lo, hi + 1):
            base = apply(matrix, (k * step, 0.0) if axis == 0 else (0.0, k * step))
            reach = (diagonal + math.hypot(*base)) / length
            p = (base[0] - direction[0] * reach, base[1] - direction[1] * reach)
            q = (base[0] + direction[0] * reach, base[1] + direction[1] * reach)
            clipped = clip_segment(p, q, (x0, x1), (y0, y1))
            if clipped is not None:
                out.append((clipped[0], clipped[1], k == 0))
    return out


@dataclass
class PlaneDrawing:
    plane: NumberPlane
    grid: VGroup
    matrix: Matrix2
    draw: Callable[[Matrix2], list[VMobject]]

    def act(self, matrix: Matrix2, shapes: Sequence[tuple[Shape, list[XY]]]) -> list[Animation]:
        """Animations carrying the grid, the basis and ``shapes`` (each with its coordinates before the map) by
        ``matrix`` over the step, after what the plane has been through already."""
        before = self.matrix

        def at(alpha: float) -> Matrix2:
            return matrix_at(matrix, held(alpha))

        self.matrix = compose(matrix, before)
        anims = [redraw(self.grid, lambda alpha: self.draw(compose(at(alpha), before)))]
        for shape, points in shapes:
            anims.append(redraw(shape.mob, _carried(shape, points, at)))
        return anims


def _carried(shape: Shape, points: list[XY], at: Callable[[float], Matrix2]) -> Callable[[float], list[VMobject]]:
    return lambda alpha: shape.draw([apply(at(alpha), p) for p in points])


def carry(shape: Shape, matrix: Matrix2) -> list[XY]:
    """Map a shape's coordinates by ``matrix``; return the ones it had."""
    before = list(shape.points)
    shape.points = [apply(matrix, p) for p in before]
    return before


def plane_drawing(a: sb.ShowPlane, width: float, height: float, color: str) -> PlaneDrawing:
    """A plane of equal units on both axes (so a rotation looks like one) filling ``width`` × ``height``."""
    x_span, y_span = a.x_range[1] - a.x_range[0], a.y_range[1] - a.y_range[0]
    unit = min((width - 0.4) / x_span, (height - 0.4) / y_span)
    plane = NumberPlane(
        x_range=list(a.x_range),
        y_range=list(a.y_range),
        x_length=x_span * unit,
        y_length=y_span * unit,
        background_line_style={"stroke_color": style.MUTED_COLOR, "stroke_width": 1, "stroke_opacity": 0.3},
        axis_config={"stroke_color": style.MUTED_COLOR, "stroke_width": 1.5, "stroke_opacity": 0.6},
    )
    c2p = to_scene(plane)
    names = [math_label(r"\hat{i}", style.PALETTE["green"]), math_label(r"\hat{j}", style.PALETTE["red"])]

    def draw(matrix: Matrix2) -> list[VMobject]:
        parts: list[VMobject] = []
        for p, q, axis in grid_lines(matrix, a.x_range, a.y_range):
            shade, width_, opacity = (style.TEXT_COLOR, 2.5, 0.9) if axis else (color, 1.8, 0.75)
            parts.append(Line(c2p(*p), c2p(*q), stroke_color=shade, stroke_width=width_, stroke_opacity=opacity))
        if a.basis:
            for (x, y), name, shade in zip(((1.0, 0.0), (0.0, 1.0)), names, ("green", "red"), strict=True):
                tip = apply(matrix, (x, y))
                if math.hypot(*tip) < 1e-6:
                    continue
                start, end = c2p(0, 0), c2p(*tip)
                parts.append(Arrow(start, end, buff=0, color=style.PALETTE[shade], stroke_width=6))
                along = (end - start) / (float(np.linalg.norm(end - start)) or 1.0)
                parts.append(name.copy().move_to(end + along * 0.32))
        return parts

    grid = VGroup()
    set_parts(grid, draw(IDENTITY))
    return PlaneDrawing(plane, grid, IDENTITY, draw)


def plane_appears(drawing: PlaneDrawing) -> list[Animation]:
    lines = [p for p in drawing.grid if isinstance(p, Line) and not isinstance(p, Arrow)]
    rest = [p for p in drawing.grid if not (isinstance(p, Line) and not isinstance(p, Arrow))]
    return [
        Create(drawing.plane),
        *(Create(line) for line in lines),
        *(GrowArrow(p) if isinstance(p, Arrow) else FadeIn(p) for p in rest),
    ]
