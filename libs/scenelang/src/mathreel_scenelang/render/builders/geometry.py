"""Geometry: points, segments, polygons, circles and angles, all drawn on the scene's one plane (its figure); a
point, segment, polygon or arrow that names ``axes`` is drawn in those axes' (or plane's) coordinates instead."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from manim import (
    UP,
    Arc,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    GrowFromCenter,
    Line,
    Mobject,
    Polygon,
    VGroup,
    VMobject,
)

from mathreel_scenelang.actions.geometry import ShowAngle, ShowCircle, ShowPoint, ShowPolygon, ShowSegment
from mathreel_scenelang.base import CreatingAction
from mathreel_scenelang.figure import geometry_points
from mathreel_scenelang.layout import Kind, LayoutItem
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos import onaxes
from mathreel_scenelang.render.demos.common import to_scene
from mathreel_scenelang.render.demos.onaxes import marker
from mathreel_scenelang.render.graph_math import angle_sweep, bisector, outward
from mathreel_scenelang.render.objects import Animate, Built, box_of, box_points, glyph_px, math_label

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import Plane, StoryboardScene

LABEL_GAP = 0.3
RIGHT_ANGLE_MARK = 0.32
ANGLE_ARC_RADIUS = 0.5


def member(action: CreatingAction, mob: Mobject, plane: Plane, animate: Animate) -> Built:
    """A part of the figure: anchored to the plane's item, carrying its plane coordinates for later moves."""
    item = LayoutItem(
        id=action.id, kind=Kind.MEMBER, box=box_of(mob), glyph_px=glyph_px(mob), anchor=plane.item_id, movable=False
    )
    return Built(animate, mob, [(item, mob)], {"plane_points": geometry_points(action)})


def on_axes(scene: StoryboardScene, action: onaxes.OnAxes, axes_id: str) -> Built:
    """A point, segment, polygon or arrow in the coordinates of axes or a plane: a member of that graph, kept clear
    of the curves and shapes already drawn there."""
    axes, items = scene.entries[axes_id].extra["axes"], scene.layout.items
    curves = [f for graph_id, (f, on) in scene.functions.items() if on == axes_id and graph_id in scene.entries]
    members = [object_id for object_id, item in items.items() if item.anchor == axes_id]
    drawn = [e.extra["shape"] for o in members if (e := scene.entries.get(o)) is not None and "shape" in e.extra]
    around = onaxes.obstacles(axes, curves, drawn)
    labels = scene.curve_labels.get(axes_id, [])

    def avoid() -> list[tuple[float, float]]:
        # The curves' own labels too: a point where two curves meet is labelled clear of what names them.
        return around() + [p for label in labels for p in box_points(label)]

    shape = onaxes.shape_on_axes(action, to_scene(axes), scene.color_of(action), avoid)
    item = LayoutItem(action.id, Kind.MEMBER, box_of(shape.mob), glyph_px(shape.mob), anchor=axes_id, movable=False)
    return Built(shape.appear, shape.mob, [(item, shape.mob)], {"shape": shape})


def build_point(scene: StoryboardScene, action: ShowPoint) -> Built:
    if action.axes is not None:
        return on_axes(scene, action, action.axes)
    plane = scene.ensure_plane()
    color = scene.color_of(action)
    dot = marker(plane.to_scene(action.at), color, action.hollow)
    parts: list[VMobject] = [dot]
    if action.label:
        # Outward from the figure, tilted up: below-right is where radii and axes usually run.
        direction = outward(action.at, plane.math_center) + 0.8 * UP
        direction = direction / np.linalg.norm(direction)
        parts.append(math_label(action.label, color).next_to(dot, direction, buff=0.12))
    mob = VGroup(*parts)
    return member(action, mob, plane, lambda: [GrowFromCenter(mob)])


def build_segment(scene: StoryboardScene, action: ShowSegment) -> Built:
    if action.axes is not None:
        return on_axes(scene, action, action.axes)
    plane = scene.ensure_plane()
    color = scene.color_of(action)
    kind = DashedLine if action.dashed else Line
    line = kind(plane.to_scene(action.start), plane.to_scene(action.end), color=color, stroke_width=style.STROKE_WIDTH)
    parts: list[VMobject] = [line]
    if action.label:
        direction = line.copy().rotate(math.pi / 2).get_unit_vector()
        parts.append(math_label(action.label, color).move_to(line.get_center() + direction * LABEL_GAP * 1.2))
    mob = VGroup(*parts)
    return member(action, mob, plane, lambda: [Create(line), *(FadeIn(p) for p in parts[1:])])


def build_polygon(scene: StoryboardScene, action: ShowPolygon) -> Built:
    if action.axes is not None:
        return on_axes(scene, action, action.axes)
    plane = scene.ensure_plane()
    color = scene.color_of(action)
    corners = [plane.to_scene(v) for v in action.vertices]
    shape = Polygon(*corners, color=color, stroke_width=style.STROKE_WIDTH, fill_opacity=action.fill_opacity)
    count = len(action.vertices)
    centroid = (sum(v[0] for v in action.vertices) / count, sum(v[1] for v in action.vertices) / count)
    labels = []
    for vertex, corner, text in zip(action.vertices, corners, action.labels, strict=False):
        if text:
            direction = outward(vertex, centroid)
            labels.append(math_label(text, style.TEXT_COLOR).move_to(corner + direction * LABEL_GAP * 1.1))
    mob = VGroup(shape, *labels)
    return member(action, mob, plane, lambda: [Create(shape), *(FadeIn(label) for label in labels)])


def build_circle(scene: StoryboardScene, action: ShowCircle) -> Built:
    plane = scene.ensure_plane()
    color = scene.color_of(action)
    center = plane.to_scene(action.center)
    circle = Circle(radius=action.radius * plane.scale, color=color, stroke_width=style.STROKE_WIDTH)
    circle.set_fill(color, opacity=action.fill_opacity).move_to(center)
    parts: list[VMobject] = [circle]
    if action.show_radius:
        edge = plane.to_scene((action.center[0] + action.radius, action.center[1]))
        radius = Line(center, edge, color=style.TEXT_COLOR, stroke_width=3)
        parts += [radius, Dot(center, radius=0.06, color=style.TEXT_COLOR)]
        parts.append(math_label("r", style.TEXT_COLOR).next_to(radius, UP, buff=0.1))
    mob = VGroup(*parts)
    return member(action, mob, plane, lambda: [Create(circle), *(FadeIn(p) for p in parts[1:])])


def build_angle(scene: StoryboardScene, action: ShowAngle) -> Built:
    """An arc between the rays, or the square mark of a right angle, drawn by hand rather than with Manim's
    ``Angle``/``RightAngle``: those build their marks from two lines and draw them differently, and the gallery's
    pictures are kept as they are."""
    plane = scene.ensure_plane()
    color = scene.color_of(action)
    vertex = plane.to_scene(action.vertex)
    ray_a = plane.to_scene(action.a) - vertex
    ray_b = plane.to_scene(action.b) - vertex
    if np.linalg.norm(ray_a) < 1e-9 or np.linalg.norm(ray_b) < 1e-9:
        raise ValueError("angle: a ray has zero length")
    ray_a, ray_b = ray_a / np.linalg.norm(ray_a), ray_b / np.linalg.norm(ray_b)
    start, sweep = angle_sweep(ray_a, ray_b)
    mark: VMobject
    if action.right:
        size = RIGHT_ANGLE_MARK
        mark = VMobject(color=color, stroke_width=3)
        mark.set_points_as_corners([vertex + size * ray_a, vertex + size * (ray_a + ray_b), vertex + size * ray_b])
    else:
        size = ANGLE_ARC_RADIUS
        mark = Arc(radius=size, start_angle=start, angle=sweep, arc_center=vertex, color=color, stroke_width=3)
    parts: list[VMobject] = [mark]
    if action.label:
        label = math_label(action.label, color, style.LABEL_SIZE)
        parts.append(label.move_to(vertex + bisector(ray_a, ray_b) * (size + 0.36)))
    mob = VGroup(*parts)
    return member(action, mob, plane, lambda: [Create(mark), *(FadeIn(p) for p in parts[1:])])
