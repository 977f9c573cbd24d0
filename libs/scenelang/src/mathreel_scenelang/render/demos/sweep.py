"""``sweep``: a point sliding along a plotted graph, with what depends on it redrawn on every frame.

The parts are rebuilt from the point's x by one function, so a frame in the middle of the slide is as correct as
the last one: the coordinates and slope are live ``DecimalNumber``s, drop lines are ``DashedLine``s to the axes,
the tangent and the secant are cut to the axes' box, and the area runs from the anchor to the point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, DashedLine, DecimalNumber, Dot, Line, MathTex, Polygon, VGroup, VMobject
from manim.animation.animation import Animation

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.registry import ACTIONS
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos.common import Point, redraw, set_parts, to_scene
from mathreel_scenelang.render.demos.geometry import XY, Rect, clip_line, emptiest_spot, held, slope_at, spot_box

_NUMBER_SIZE = style.LABEL_SIZE * 0.8
_INSET = 0.15


def default_color(op: str) -> str:
    """The default colour of action ``op``: a sweep draws its tangent and area as those actions would."""
    name = ACTIONS[op].color
    assert name is not None
    return style.PALETTE[name]


@dataclass
class SweepDrawing:
    """A sweep on screen: its group, the function drawing its parts at a given x, and the x it is at now."""

    mob: VGroup
    draw: Callable[[float], list[VMobject]]
    x: float

    def slide(self, start: float, end: float) -> Animation:
        """Move the point from ``start`` to ``end`` over the step, holding still for a moment first."""
        return redraw(self.mob, lambda alpha: self.draw(start + (end - start) * held(alpha)))


def _clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def _number(color: str) -> DecimalNumber:
    return DecimalNumber(0, num_decimal_places=2, font_size=_NUMBER_SIZE, color=color)


def _inside(mob: VMobject, box: tuple[Point, Point]) -> VMobject:
    """Shift ``mob`` so it lies inside the box given by its lower-left and upper-right corners."""
    lo, hi = box
    dx = max(lo[0] + _INSET - mob.get_left()[0], 0.0) + min(hi[0] - _INSET - mob.get_right()[0], 0.0)
    dy = max(lo[1] + _INSET - mob.get_bottom()[1], 0.0) + min(hi[1] - _INSET - mob.get_top()[1], 0.0)
    return mob.shift(np.array([dx, dy, 0.0]))


def sweep_drawing(a: sb.Sweep, axes: Any, f: Callable[[float], float], color: str, taken: list[Rect]) -> SweepDrawing:
    """The drawing of ``a`` on ``axes`` for graph ``f``, set at its end (where the layout checks it); its slope
    goes where no label in ``taken`` is (and is added to them)."""
    c2p = to_scene(axes)
    (x_lo, x_hi), (y_lo, y_hi) = tuple(axes.x_range[:2]), tuple(axes.y_range[:2])
    base_y, base_x = _clamp(0.0, y_lo, y_hi), _clamp(0.0, x_lo, x_hi)
    show = set(a.show)
    # The live numbers are typeset once; each frame sets their values on copies (see ``set_parts``).
    x_number, y_number = _number(style.TEXT_COLOR), _number(style.TEXT_COLOR)
    open_p, comma, close_p = (MathTex(s, font_size=_NUMBER_SIZE, color=style.TEXT_COLOR) for s in ("(", ",", ")"))
    tangent_slope = "tangent" in show or "secant" not in show
    slope_color = default_color("tangent") if tangent_slope else style.PALETTE["teal"]
    slope_name = MathTex(r"\text{slope} =", font_size=_NUMBER_SIZE, color=slope_color)
    slope_number = _number(slope_color)
    slope_size = (slope_name.width + slope_number.width + 0.5, slope_name.height + 0.3)
    slope_corner = _free_corner(axes, f, slope_size, taken) if "slope" in show else (lambda: np.zeros(3))

    def box() -> tuple[Point, Point]:
        return c2p(x_lo, y_lo), c2p(x_hi, y_hi)

    def draw(x: float) -> list[VMobject]:
        y = f(x)
        seen = math.isfinite(y) and y_lo <= y <= y_hi
        parts: list[VMobject] = []
        if "area" in show and a.anchor is not None:
            parts += _area(c2p, f, a.anchor, x, (y_lo, y_hi), base_y)
        if "secant" in show and a.anchor is not None:
            parts += _secant(c2p, f, a.anchor, x, (x_lo, x_hi), (y_lo, y_hi))
        if not seen:
            return parts
        point = c2p(x, y)
        if "vertical" in show and abs(y - base_y) > 1e-9:
            parts.append(DashedLine(c2p(x, base_y), point, color=style.MUTED_COLOR, stroke_width=2.5))
        if "horizontal" in show and abs(x - base_x) > 1e-9:
            parts.append(DashedLine(c2p(base_x, y), point, color=style.MUTED_COLOR, stroke_width=2.5))
        m = slope_at(f, x)
        if "tangent" in show and math.isfinite(m):
            ends = clip_line((x_lo, x_hi), (y_lo, y_hi), x, y, m, span=(x_hi - x_lo) * 0.3)
            if ends is not None:
                line = Line(c2p(*ends[0]), c2p(*ends[1]), color=default_color("tangent"), stroke_width=3)
                parts.append(line)
        parts.append(Dot(point, radius=0.08, color=color))
        if "coordinates" in show:
            x_number.set_value(x)
            y_number.set_value(y)
            label = VGroup(open_p, x_number, comma, y_number, close_p).copy().arrange(RIGHT, buff=0.06)
            label[2].align_to(label[1], DOWN).shift(0.08 * DOWN)
            label[3:].shift(0.1 * RIGHT)  # a space after the comma
            right_half = point[0] > (box()[0][0] + box()[1][0]) / 2
            label.next_to(point, UP + (LEFT if right_half else RIGHT), buff=0.12)
            parts.append(_inside(label, box()))
        if "slope" in show:
            value = m if tangent_slope else _secant_slope(f, a.anchor, x)
            if math.isfinite(value):
                slope_number.set_value(value)
                group = VGroup(slope_name, slope_number).copy().arrange(RIGHT, buff=0.12)
                group[1].align_to(group[0], DOWN)
                parts.append(_inside(group.move_to(slope_corner()), box()))
        return parts

    mob = VGroup()
    set_parts(mob, draw(a.end))
    return SweepDrawing(mob, draw, a.end)


def _secant_slope(f: Callable[[float], float], anchor: float | None, x: float) -> float:
    if anchor is None or abs(x - anchor) < 1e-9:
        return math.nan
    return (f(x) - f(anchor)) / (x - anchor)


def _secant(
    c2p: Callable[[float, float], Point],
    f: Callable[[float], float],
    anchor: float,
    x: float,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> list[VMobject]:
    """The line through the graph at ``anchor`` and at ``x`` (reaching a little past both), and the anchor's dot."""
    ya, s = f(anchor), _secant_slope(f, anchor, x)
    parts: list[VMobject] = []
    if math.isfinite(s) and math.isfinite(ya):
        middle = (anchor + x) / 2
        span = abs(x - anchor) / 2 + (x_range[1] - x_range[0]) * 0.15
        ends = clip_line(x_range, y_range, middle, ya + s * (middle - anchor), s, span=span)
        if ends is not None:
            parts.append(Line(c2p(*ends[0]), c2p(*ends[1]), color=style.PALETTE["teal"], stroke_width=3))
    if math.isfinite(ya) and y_range[0] <= ya <= y_range[1]:
        parts.append(Dot(c2p(anchor, ya), radius=0.07, color=style.PALETTE["teal"]))
    return parts


def _area(
    c2p: Callable[[float, float], Point],
    f: Callable[[float], float],
    anchor: float,
    x: float,
    y_range: tuple[float, float],
    base: float,
) -> list[VMobject]:
    """The region between the graph and the x-axis from ``anchor`` to ``x`` (either way round)."""
    lo, hi = sorted((anchor, x))
    if hi - lo < 1e-6:
        return []
    xs = np.linspace(lo, hi, max(8, min(160, int((hi - lo) * 40))))
    heights = [f(float(v)) for v in xs]
    tops = [_clamp(h, *y_range) if math.isfinite(h) else base for h in heights]
    outline = [*(c2p(float(v), t) for v, t in zip(xs, tops, strict=True)), c2p(hi, base), c2p(lo, base)]
    color = default_color("area")
    return [Polygon(*outline, stroke_width=0, fill_color=color, fill_opacity=0.35)]


def _free_corner(axes: Any, f: Callable[[float], float], size: XY, taken: list[Rect]) -> Callable[[], Point]:
    """Where the slope reads best: the spot in the axes' box (nearest the top) clear of the graph and the axis
    lines. Returns a function, so it follows the axes when they move."""
    (x_lo, x_hi), (y_lo, y_hi) = tuple(axes.x_range[:2]), tuple(axes.y_range[:2])
    unit_x, unit_y = axes.x_axis.unit_size, axes.y_axis.unit_size
    samples = [(float(v), f(float(v))) for v in np.linspace(x_lo, x_hi, 200)]
    samples = [(x, y) for x, y in samples if math.isfinite(y) and y_lo <= y <= y_hi]
    base_x, base_y = _clamp(0.0, x_lo, x_hi), _clamp(0.0, y_lo, y_hi)
    samples += [(base_x, float(v)) for v in np.linspace(y_lo, y_hi, 60)]
    samples += [(float(v), base_y) for v in np.linspace(x_lo, x_hi, 60)]
    room = (size[0] / unit_x, size[1] / unit_y)
    spot = emptiest_spot(samples, (x_lo, y_lo, x_hi, y_hi), room, taken)
    taken.append(spot_box(spot, room))
    c2p = to_scene(axes)
    return lambda: c2p(*spot)
