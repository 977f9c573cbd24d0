"""Graphs: axes, a function plotted on them, the area under it (exact or as Riemann rectangles), a tangent, a number
line and an interval on it; a point sweeping along a graph and a graph morphing over a beat (drawn by
``render.demos``). The arithmetic is in ``graph_math``; here it becomes mobjects.

Curves, areas and tangents are drawn from sampled points rather than with Manim's ``plot``, ``get_area``,
``get_riemann_rectangles`` and ``TangentLine``: those sample, clip and style differently, and the gallery's
pictures are kept as they are.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Axes,
    Create,
    Dot,
    FadeIn,
    GrowFromCenter,
    LaggedStart,
    Line,
    Mobject,
    NumberLine,
    Polygon,
    VGroup,
    VMobject,
)

from mathreel_scenelang.actions.graphs import (
    MorphPlot,
    PlotFunction,
    ShadeArea,
    ShowAxes,
    ShowInterval,
    ShowNumberLine,
    ShowTangent,
    Sweep,
    SweepTo,
)
from mathreel_scenelang.expressions import compile_expression
from mathreel_scenelang.figure import free_area, region_room
from mathreel_scenelang.layout import Box, Kind, LayoutItem
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos import charts, morph, onaxes, sweep
from mathreel_scenelang.render.demos.geometry import clearest
from mathreel_scenelang.render.graph_math import (
    area_base,
    clip_line,
    clipped_height,
    curve_runs,
    decimals,
    derivative,
    riemann_corners,
    tick_values,
)
from mathreel_scenelang.render.objects import (
    Animate,
    Built,
    add_tick_labels,
    box_of,
    box_points,
    glyph_px,
    math_label,
    stretch_of,
)

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene

MAX_AXES = (9.0, 5.6)  # beyond this an axes box only spreads its ticks apart


def axes_of(scene: StoryboardScene, object_id: str) -> Axes:
    axes: Axes = scene.entries[object_id].extra["axes"]
    return axes


def y_range_of(axes: Axes) -> tuple[float, float]:
    return axes.y_range[0], axes.y_range[1]


def build_axes(scene: StoryboardScene, action: ShowAxes) -> Built:
    color = scene.color_of(action)
    area: Box | None = None
    if action.region is not None:
        area = region_room(scene.layout, action.region, scene.figure_plan().text_regions)
        # A region grown across the frame (the centre of a scene with nothing beside it) would only spread the
        # ticks apart beyond the widest useful graph.
        x_len, y_len = min(area.width - 0.8, MAX_AXES[0]), area.height - 0.7
    else:
        # Like a figure: as large as the part of the frame the scene's named texts leave free.
        area = free_area(scene.layout, scene.figure_plan().text_regions)
        x_len, y_len = min(area.width - 1.0, MAX_AXES[0]), min(area.height - 0.9, MAX_AXES[1])
    x_len, y_len = max(x_len, 2.0), max(y_len, 1.5)
    axes = Axes(
        x_range=list(action.x_range),
        y_range=list(action.y_range),
        x_length=x_len,
        y_length=y_len,
        tips=False,
        axis_config={"color": color, "stroke_width": 2.5, "include_ticks": True, "font_size": 28},
    )
    for axis, rng in ((axes.x_axis, action.x_range), (axes.y_axis, action.y_range)):
        add_tick_labels(axis, tick_values(rng), decimals(rng))
    labels = axes.get_axis_labels(
        math_label(action.x_label, style.TEXT_COLOR), math_label(action.y_label, style.TEXT_COLOR)
    )
    mob = VGroup(axes, labels)
    item = scene.text_item(action.id, mob, action.region, Kind.BLOCK)
    item.area = area
    return Built(lambda: [Create(axes), FadeIn(labels)], mob, [(item, mob)], {"axes": axes})


def _overlap(a: Mobject, b: Mobject) -> bool:
    """Whether the bounding boxes of ``a`` and ``b`` meet."""
    return bool(
        a.get_left()[0] < b.get_right()[0]
        and b.get_left()[0] < a.get_right()[0]
        and a.get_bottom()[1] < b.get_top()[1]
        and b.get_bottom()[1] < a.get_top()[1]
    )


# Where along its last visible run a curve's label may stand, from its end backwards (share of the run's points).
_LABEL_STOPS = (1.0, 0.85, 0.7, 0.55, 0.4, 0.25, 0.1)
_LABEL_GAP = 0.1


def later_curves(scene: StoryboardScene, action: PlotFunction) -> list[Callable[[float], float]]:
    """The functions the rest of the scene will plot on ``action``'s axes (until a ``clear``), each undefined
    outside its own x range: a label set now keeps clear of curves drawn after it."""
    stretch = stretch_of(scene.spec.scene, action)
    later = stretch[next(i for i, a in enumerate(stretch) if a is action) + 1 :]
    found: list[Callable[[float], float]] = []
    for other in later:
        if isinstance(other, PlotFunction) and other.axes == action.axes:
            g = compile_expression(other.expression)
            found.append(g if other.x_range is None else _within(g, *other.x_range))
    return found


def _within(g: Callable[[float], float], lo: float, hi: float) -> Callable[[float], float]:
    """``g`` on ``[lo, hi]``, undefined elsewhere."""
    return lambda x: g(x) if lo <= x <= hi else math.nan


def place_curve_label(
    scene: StoryboardScene, action: PlotFunction, label: Mobject, curves: list[VMobject], f: Callable[[float], float]
) -> None:
    """Move ``label`` to the first spot near its curve that is clear of every curve on the axes (its own, those
    already drawn and those the scene draws later), the axis lines and tick numbers, the other curves' labels and
    the shapes drawn there, and that stays inside the axes: beside the curve's end, above or below it, else further
    back along the curve."""
    axes_id = action.axes
    axes = axes_of(scene, axes_id)
    others = [g for graph_id, (g, on) in scene.functions.items() if on == axes_id and graph_id in scene.entries]
    others += later_curves(scene, action)
    members = [e for o, item in scene.layout.items.items() if item.anchor == axes_id and (e := scene.entries.get(o))]
    shapes = [e.extra["shape"] for e in members if "shape" in e.extra]
    avoid = onaxes.obstacles(axes, [*others, f], shapes)()
    for other in scene.curve_labels.get(axes_id, []):
        avoid += box_points(other)
    for shape in shapes:
        avoid += [p for part in shape.mob.submobjects[1:] for p in box_points(part)]  # their labels
    entry = scene.entries[axes_id]
    if entry.op == "axes":  # its axis labels (a plane has none)
        for axis_label in entry.mob[1]:
            avoid += box_points(axis_label)
    own = [(float(p[0]), float(p[1])) for curve in curves for p in curve.get_anchors()]
    avoid += own
    frame = box_of(axes)
    run = curves[-1].get_anchors()
    middle = axes.get_center()
    boxes = []
    for stop in _LABEL_STOPS:
        anchor = run[min(len(run) - 1, int(stop * (len(run) - 1)))]
        side = LEFT if anchor[0] > middle[0] else RIGHT
        for direction in (UP + side, DOWN + side, UP, DOWN, side):
            w, h = label.width, label.height
            cx = anchor[0] + direction[0] * (w / 2 + _LABEL_GAP)
            cy = anchor[1] + direction[1] * (h / 2 + _LABEL_GAP)
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if frame.x0 <= box[0] and box[2] <= frame.x1 and frame.y0 <= box[1] and box[3] <= frame.y1:
                boxes.append(box)
    if not boxes:  # a curve too short for any spot inside the axes: beside its end, as before
        end = run[-1]
        label.next_to(end, UP + (LEFT if end[0] > middle[0] else RIGHT), buff=_LABEL_GAP)
        return
    x0, y0, x1, y1 = boxes[clearest(boxes, avoid)]
    label.move_to(np.array([(x0 + x1) / 2, (y0 + y1) / 2, 0.0]))


def build_plot(scene: StoryboardScene, action: PlotFunction) -> Built:
    axes = axes_of(scene, action.axes)
    f = compile_expression(action.expression)
    x0, x1 = action.x_range if action.x_range else (axes.x_range[0], axes.x_range[1])
    color = scene.color_of(action)
    curves = []
    for run in curve_runs(f, x0, x1, y_range_of(axes)):
        curve = VMobject(color=color, stroke_width=style.STROKE_WIDTH)
        curve.set_points_as_corners([axes.c2p(x, y) for x, y in run])
        curves.append(curve)
    graph = VGroup(*curves)
    parts: list[VMobject] = [graph]
    if action.label and curves:
        label = math_label(action.label, color, style.LABEL_SIZE * 0.9)
        taken = scene.curve_labels.setdefault(action.axes, [])
        place_curve_label(scene, action, label, curves, f)
        taken.append(label)
        parts.append(label)
    if not curves:
        scene.report["warnings"].append(f"plot '{action.id}': {action.expression!r} is not visible on these axes")
    mob = VGroup(*parts)
    item = LayoutItem(
        id=action.id, kind=Kind.MEMBER, box=box_of(mob), glyph_px=glyph_px(mob), anchor=action.axes, movable=False
    )
    scene.functions[action.id] = (f, action.axes)
    return Built(lambda: [Create(graph), *(FadeIn(p) for p in parts[1:])], mob, [(item, mob)])


def build_area(scene: StoryboardScene, action: ShadeArea) -> Built:
    f, axes_id = scene.functions[action.graph]
    axes = axes_of(scene, axes_id)
    base = area_base(y_range_of(axes))
    height = clipped_height(f, y_range_of(axes), base)
    color = scene.color_of(action)
    region: VMobject
    animate: Animate
    if action.rectangles:
        region = VGroup(
            *(
                Polygon(
                    *(axes.c2p(x, y) for x, y in corners),
                    stroke_width=1.5,
                    stroke_color=color,
                    fill_color=color,
                    fill_opacity=0.45,
                )
                for corners in riemann_corners(height, action.x_range, action.rectangles, base)
            )
        )
        slices = list(region.submobjects)
        animate = lambda: [LaggedStart(*(FadeIn(r, shift=0.1 * UP) for r in slices), lag_ratio=0.15)]  # noqa: E731
    else:
        xs = np.linspace(action.x_range[0], action.x_range[1], 160)
        outline = [*(axes.c2p(x, height(float(x))) for x in xs), axes.c2p(xs[-1], base), axes.c2p(xs[0], base)]
        region = Polygon(*outline, stroke_width=0, fill_color=color, fill_opacity=0.35)
        animate = lambda: [FadeIn(region)]  # noqa: E731
    item = LayoutItem(id=action.id, kind=Kind.MEMBER, box=box_of(region), anchor=axes_id, movable=False)
    return Built(animate, region, [(item, region)])


def build_tangent(scene: StoryboardScene, action: ShowTangent) -> Built:
    f, axes_id = scene.functions[action.graph]
    axes = axes_of(scene, axes_id)
    y0, slope = derivative(f, action.x)
    color = scene.color_of(action)
    mob: Mobject
    if not (math.isfinite(y0) and math.isfinite(slope)):
        scene.report["warnings"].append(f"tangent '{action.id}': the graph has no tangent at x={action.x}")
        mob = VGroup()
    else:
        ends = clip_line((axes.x_range[0], axes.x_range[1]), y_range_of(axes), action.x, y0, slope)
        mob = VGroup(
            Line(axes.c2p(*ends[0]), axes.c2p(*ends[1]), color=color, stroke_width=3),
            Dot(axes.c2p(action.x, y0), radius=0.07, color=color),
        )
    item = LayoutItem(id=action.id, kind=Kind.MEMBER, box=box_of(mob), anchor=axes_id, movable=False)
    return Built(lambda: [Create(mob)] if mob.submobjects else [], mob, [(item, mob)])


def build_number_line(scene: StoryboardScene, action: ShowNumberLine) -> Built:
    color = scene.color_of(action)
    length = scene.max_width(action.region) * 0.85 if action.region else scene.layout.safe.width * 0.75
    line = NumberLine(x_range=list(action.x_range), length=length, color=color, include_numbers=False, stroke_width=2.5)
    lo, hi = action.x_range[0], action.x_range[1]
    values = [*tick_values(action.x_range), 0.0] if lo <= 0 <= hi else tick_values(action.x_range)
    add_tick_labels(line, values, decimals(action.x_range))
    marks = VGroup(*(Dot(line.n2p(m), radius=0.09, color=style.ACCENT_COLOR) for m in action.marks))
    mob = VGroup(line, marks)
    return Built(
        lambda: [Create(line), *([LaggedStart(*map(GrowFromCenter, marks))] if action.marks else [])],
        mob,
        [(scene.text_item(action.id, mob, action.region, Kind.BLOCK), mob)],
        {"line": line},
    )


# --- what moves on a graph over a beat, and what marks a stretch of a number line ---------------------------------
def member_item(object_id: str, mob: Mobject, anchor: str) -> LayoutItem:
    """The layout item of a part of the graph (or line) ``anchor``: it moves and goes with it."""
    return LayoutItem(object_id, Kind.MEMBER, box_of(mob), glyph_px(mob), anchor=anchor, movable=False)


def build_sweep(scene: StoryboardScene, action: Sweep) -> Built:
    f, axes_id = scene.functions[action.graph]
    taken = scene.entries[axes_id].extra.setdefault("label_spots", [])  # live values and labels on these axes
    drawing = sweep.sweep_drawing(action, axes_of(scene, axes_id), f, scene.color_of(action), taken)
    return Built(
        lambda: [drawing.slide(action.start, action.end)],
        drawing.mob,
        [(member_item(action.id, drawing.mob, axes_id), drawing.mob)],
        {"sweep": drawing},
    )


def build_sweep_to(scene: StoryboardScene, action: SweepTo) -> Built:
    drawing: sweep.SweepDrawing = scene.entries[action.target].extra["sweep"]
    start, drawing.x = drawing.x, action.end
    scene.end_state(action.target, lambda mob: mob, drawing.draw(action.end))
    return Built(lambda: [drawing.slide(start, action.end)])


def build_morph_plot(scene: StoryboardScene, action: MorphPlot) -> Built:
    taken = scene.entries[action.axes].extra.setdefault("label_spots", [])
    drawing = morph.morph_drawing(action, axes_of(scene, action.axes), scene.color_of(action), taken)
    scene.functions[action.id] = (drawing.last, action.axes)  # a sweep, area or tangent can follow the final graph
    return Built(
        lambda: [drawing.play()],
        drawing.mob,
        [(member_item(action.id, drawing.mob, action.axes), drawing.mob)],
        {"morph": drawing},
    )


def build_interval(scene: StoryboardScene, action: ShowInterval) -> Built:
    line = scene.entries[action.number_line].extra["line"]
    mob, appear = charts.interval(action, line, scene.color_of(action))
    return Built(appear, mob, [(member_item(action.id, mob, action.number_line), mob)])
