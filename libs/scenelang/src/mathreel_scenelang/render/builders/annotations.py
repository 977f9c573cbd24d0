"""Annotations: an arrow between points of the figure or objects on screen, a brace along an object."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Brace, FadeIn, GrowArrow, GrowFromCenter, Mobject, VGroup, VMobject

from mathreel_scenelang.actions.annotations import ShowArrow, ShowBrace
from mathreel_scenelang.layout import Kind, LayoutItem
from mathreel_scenelang.render import style
from mathreel_scenelang.render.builders.geometry import on_axes
from mathreel_scenelang.render.graph_math import exit_point
from mathreel_scenelang.render.objects import Built, Point, box_of, glyph_px, math_label

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene

_DIRECTIONS = {"down": DOWN, "up": UP, "left": LEFT, "right": RIGHT}


def arrow_end(scene: StoryboardScene, object_id: str, toward: Point) -> Point:
    """Texts and blocks are pointed at from outside their box; a figure's part (a side, a point) at its middle."""
    op = scene.entries[object_id].op
    if op in scene.registry and scene.registry[op].placement == "plane":
        center: Point = scene.mob_of(object_id).get_center()
        d = toward - center
        n = float(np.linalg.norm(d))
        return center + d / n * 0.12 if n > 1e-9 else center
    box = box_of(scene.mob_of(object_id))
    return exit_point(np.array([*box.center, 0.0]), (box.width / 2, box.height / 2), toward)


def build_arrow(scene: StoryboardScene, action: ShowArrow) -> Built:
    if action.axes is not None and action.start is not None and action.end is not None:
        return on_axes(scene, action, action.axes)
    color = scene.color_of(action)
    plane = scene.ensure_plane() if (action.start is not None or action.end is not None) else None

    def center_of(object_id: str) -> Point:
        center: Point = scene.mob_of(object_id).get_center()
        return center

    far_start = plane.to_scene(action.start) if action.start is not None and plane else center_of(action.from_id or "")
    far_end = plane.to_scene(action.end) if action.end is not None and plane else center_of(action.to_id or "")
    start = arrow_end(scene, action.from_id, far_end) if action.from_id else far_start
    end = arrow_end(scene, action.to_id, far_start) if action.to_id else far_end
    arrow = Arrow(start, end, buff=0, color=color, stroke_width=4, max_tip_length_to_length_ratio=0.2)
    ends = [
        layout_id
        for object_id in (action.from_id, action.to_id)
        if object_id
        for layout_id in scene.entries[object_id].layout_ids
    ]
    # The arrow may touch what it connects, and the groups those belong to (a segment's whole figure).
    ignores = frozenset({*ends, *(scene.layout.root(layout_id) for layout_id in ends)})
    for layout_id in ignores:  # what an arrow points at must stay where the arrow points
        scene.layout.items[layout_id].movable = False
    # An arrow drawn between two plane points is part of the figure and moves with it.
    on_plane = plane.item_id if plane is not None and action.from_id is None and action.to_id is None else None
    items: list[tuple[LayoutItem, Mobject | None]] = [
        (
            LayoutItem(
                id=action.id, kind=Kind.MEMBER, box=box_of(arrow), movable=False, ignores=ignores, anchor=on_plane
            ),
            arrow,
        )
    ]
    parts: list[VMobject] = [arrow]
    if action.label:
        normal = np.array([-(end - start)[1], (end - start)[0], 0.0])
        normal = normal / (np.linalg.norm(normal) or 1.0)
        if normal[1] < 0:
            normal = -normal
        label = math_label(action.label, color, style.LABEL_SIZE * 0.9).move_to((start + end) / 2 + normal * 0.35)
        parts.append(label)
        label_item = LayoutItem(
            id=f"{action.id}.label",
            kind=Kind.ANNOTATION,
            box=box_of(label),
            glyph_px=glyph_px(label),
            anchor=action.id,
            movable=False,
            ignores=ignores,
        )
        items.append((label_item, label))
    return Built(lambda: [GrowArrow(arrow), *(FadeIn(p) for p in parts[1:])], VGroup(*parts), items)


def build_brace(scene: StoryboardScene, action: ShowBrace) -> Built:
    target = scene.mob_of(action.target)
    direction = _DIRECTIONS[action.direction]
    brace = Brace(target, direction=direction, color=scene.color_of(action), buff=0.12)
    parts: list[VMobject] = [brace]
    if action.label:
        label = math_label(action.label, style.TEXT_COLOR, style.LABEL_SIZE)
        label.next_to(brace, direction, buff=0.12)
        parts.append(label)
    mob = VGroup(*parts)
    root = scene.entries[action.target].layout_ids[0]
    item = LayoutItem(
        id=action.id, kind=Kind.ANNOTATION, box=box_of(mob), glyph_px=glyph_px(mob), anchor=root, movable=False
    )
    return Built(lambda: [GrowFromCenter(brace), *(FadeIn(p) for p in parts[1:])], mob, [(item, mob)])
