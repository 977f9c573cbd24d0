"""Bar charts, intervals on a number line and arrays of dots.

The bars are built on Manim's ``Axes`` rather than with ``BarChart``: ``BarChart`` sets every name and number with
LaTeX, sizes itself to the frame rather than to a layout box, and changes bar values by stretching, which loses a
bar that reaches zero. Here the numbers are plain text, the chart fills the box it is given, and ``bars_to`` redraws
the bars from values blended frame by frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Axes,
    Circle,
    Create,
    Dot,
    FadeIn,
    GrowFromCenter,
    LaggedStart,
    Line,
    NumberLine,
    Polygon,
    Rectangle,
    Text,
    VGroup,
    VMobject,
)
from manim.animation.animation import Animation

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos.common import math_label, redraw, set_parts
from mathreel_scenelang.render.demos.geometry import chart_top, decimals_for, ease, format_value

_BAR_SHARE = 0.7  # of each category's width
_MIN_TEXT = 17  # font size whose capitals are still 10 px high at 480p, with a margin


@dataclass
class Chart:
    """A bar chart on screen: the whole group, the bars redrawn by ``bars_to``, and how to draw given values."""

    mob: VGroup
    bars: VGroup
    values: list[float]
    draw: Callable[[Sequence[float], int | None], list[VMobject]]

    def change(self, values: Sequence[float]) -> Animation:
        """Grow and shrink the bars from their values now to ``values`` over the step; the numbers count with
        them, in as many decimals as the values have (whole counts stay whole on the way)."""
        old, new = list(self.values), list(values)
        self.values = new
        places = decimals_for([*old, *new])
        pairs = list(zip(old, new, strict=True))
        return redraw(self.bars, lambda alpha: self.draw([a + (b - a) * ease(alpha) for a, b in pairs], places))


def _fit_text(texts: Sequence[str], width: float, size: float) -> list[Text]:
    """Texts each no wider than ``width``: set smaller (down to a readable size) and then turned 40 degrees."""
    out = [Text(t or " ", font=style.FONT, font_size=size, color=style.TEXT_COLOR) for t in texts]
    widest = max(m.width for m in out)
    if widest > width:
        smaller = max(_MIN_TEXT, size * width / widest)
        out = [Text(t or " ", font=style.FONT, font_size=smaller, color=style.TEXT_COLOR) for t in texts]
        if max(m.width for m in out) > width:
            for m in out:
                m.rotate(math.radians(40))
    return out


def bar_chart(a: sb.BarChart, later: Sequence[float], width: float, height: float, color: str) -> Chart:
    """Bars of ``a`` filling about ``width`` × ``height`` scene units, value axis numbered in round steps up to
    ``y_max`` or past every value the bars take, ``later`` ones (from ``bars_to``) included."""
    n = len(a.values)
    top, step = chart_top([*a.values, *later], a.y_max)
    names = _fit_text(a.categories, (width - 0.8) / n * 0.92, style.TICK_SIZE + 4)
    name_room = max(m.height for m in names) + 0.2
    axes = Axes(
        x_range=[0, n, 1],
        y_range=[0, top, step],
        x_length=max(width - 0.8, 1.0),
        y_length=max(height - name_room - 0.55, 1.0),
        tips=False,
        axis_config={"color": style.MUTED_COLOR, "stroke_width": 2.5, "include_ticks": True},
        x_axis_config={"include_ticks": False},
    )
    places = decimals_for([step, top])
    for value in np.arange(step, top + step / 2, step):
        tick = Text(f"{value:.{places}f}", font=style.FONT, font_size=style.TICK_SIZE, color=style.MUTED_COLOR)
        axes.add(tick.next_to(axes.c2p(0, value), LEFT, buff=0.15))
    for i, name in enumerate(names):
        axes.add(name.next_to(axes.c2p(i + 0.5, 0), DOWN, buff=0.15))
    unit = (axes.c2p(1, 0) - axes.c2p(0, 0))[0]
    number_size = min(style.TICK_SIZE + 2, max(_MIN_TEXT, (style.TICK_SIZE + 2) * unit / 0.9))

    def draw(values: Sequence[float], places: int | None = None) -> list[VMobject]:
        parts: list[VMobject] = []
        for i, value in enumerate(values):
            shown = min(max(value, 0.0), top)
            left, right = i + 0.5 - _BAR_SHARE / 2, i + 0.5 + _BAR_SHARE / 2
            if shown > 0:
                corners = [axes.c2p(left, 0), axes.c2p(right, 0), axes.c2p(right, shown), axes.c2p(left, shown)]
                parts.append(Polygon(*corners, stroke_color=color, stroke_width=2, fill_color=color, fill_opacity=0.6))
            if a.show_values:
                text = format_value(round(value, 3) if places is None else round(value, places))
                label = Text(text, font=style.FONT, font_size=number_size, color=style.TEXT_COLOR)
                parts.append(label.next_to(axes.c2p(i + 0.5, shown), UP, buff=0.1))
        return parts

    # Room above the top for the numbers, so the chart's box holds whatever values bars_to brings.
    plot_width, plot_height = float(axes.x_length or 1.0), float(axes.y_length or 1.0)
    headroom = Rectangle(width=plot_width, height=plot_height + 0.45, stroke_opacity=0, fill_opacity=0)
    headroom.move_to(axes.c2p(n / 2, 0), DOWN)
    bars = VGroup()
    set_parts(bars, draw(a.values))
    mob = VGroup(headroom, axes, bars)
    return Chart(mob, bars, list(a.values), draw)


def chart_appears(chart: Chart) -> list[Animation]:
    axes = chart.mob[1]
    return [Create(axes), LaggedStart(*(FadeIn(p, shift=0.15 * UP) for p in chart.bars), lag_ratio=0.1)]


def interval(a: sb.ShowInterval, line: NumberLine, color: str) -> tuple[VGroup, Callable[[], list[Animation]]]:
    """A thick band over the interval, a filled dot at an included end, a hollow one at an excluded end, and an
    arrow running off the end of the line where the interval has no end; and how it appears."""
    lo, hi = float(line.x_range[0]), float(line.x_range[1])
    start = lo if a.start is None else min(max(a.start, lo), hi)
    end = hi if a.end is None else min(max(a.end, lo), hi)
    p, q = line.n2p(start), line.n2p(end)
    band: VMobject
    if (a.start is not None and a.end is not None) or (a.start is None and a.end is None):
        band = Line(p, q, color=color, stroke_width=9)
    else:
        tail, tip = (q, p + LEFT * 0.35) if a.start is None else (p, q + RIGHT * 0.35)
        band = Arrow(tail, tip, buff=0, color=color, stroke_width=9, max_tip_length_to_length_ratio=0.12)
    ends: list[VMobject] = []
    for value, included, given in ((start, a.include_start, a.start), (end, a.include_end, a.end)):
        if given is None:
            continue
        if included:
            ends.append(Dot(line.n2p(value), radius=0.12, color=color))
        else:
            ring = Circle(radius=0.11, color=color, stroke_width=4).move_to(line.n2p(value))
            ends.append(ring.set_fill(style.BACKGROUND, opacity=1.0))
    labels = [math_label(a.label, color).next_to((p + q) / 2, UP, buff=0.22)] if a.label else []
    mob = VGroup(band, *ends, *labels)

    def appear() -> list[Animation]:
        return [Create(band), *(GrowFromCenter(m) for m in ends), *(FadeIn(m) for m in labels)]

    return mob, appear


def dot_array(a: sb.ShowDots, color: str, highlight: str, width: float, height: float) -> VGroup:
    """``rows`` × ``cols`` dots as large as ``width`` × ``height`` allows, the first ``highlight`` of them (row by
    row) in the highlight colour; a label below."""
    spacing = min(0.8, (width - 0.4) / a.cols, (height - (0.9 if a.label else 0.3)) / a.rows)
    radius = spacing * 0.3
    dots = VGroup(
        *(
            Dot(
                np.array([c * spacing, -r * spacing, 0.0]),
                radius=radius,
                color=highlight if r * a.cols + c < a.highlight else color,
            )
            for r in range(a.rows)
            for c in range(a.cols)
        )
    )
    group = VGroup(dots)
    if a.label:
        group.add(math_label(a.label, style.TEXT_COLOR).next_to(dots, DOWN, buff=0.3))
    return group


def dots_appear(mob: VGroup) -> list[Animation]:
    """The dots one after another in reading order (the parts animated are the object's own, so it stays whole)."""
    return [FadeIn(mob[0], shift=0.1 * RIGHT, lag_ratio=0.08), *(FadeIn(m) for m in mob[1:])]
