"""Emphasis and change: indicate, circumscribe, recolour, move, remove, clear. They create nothing; they act on
objects already on screen (or on the copies that hold their end-of-beat state)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from manim import Circumscribe as CircumscribeAnimation
from manim import FadeOut, Mobject, Transform
from manim import Indicate as IndicateAnimation

from mathreel_scenelang.actions.emphasis import Circumscribe, ClearScreen, Indicate, Move, Recolor, Remove
from mathreel_scenelang.figure import moved_points
from mathreel_scenelang.render import style
from mathreel_scenelang.render.objects import Built, box_of, glyph_px, unique

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene


def build_indicate(scene: StoryboardScene, action: Indicate) -> Built:
    return Built(
        lambda: (
            [IndicateAnimation(scene.entries[action.target].mob, color=style.HIGHLIGHT_COLOR)]
            if action.target in scene.entries
            else []
        )
    )


def build_circumscribe(scene: StoryboardScene, action: Circumscribe) -> Built:
    return Built(
        lambda: (
            [CircumscribeAnimation(scene.entries[action.target].mob, color=style.HIGHLIGHT_COLOR)]
            if action.target in scene.entries
            else []
        )
    )


def build_color(scene: StoryboardScene, action: Recolor) -> Built:
    return Built(
        lambda: (
            [scene.entries[action.target].mob.animate.set_color(style.PALETTE[action.color]).build()]
            if action.target in scene.entries
            else []
        )
    )


def build_move(scene: StoryboardScene, action: Move) -> Built:
    entry = scene.entries[action.target]
    layout_ids = entry.layout_ids
    root = scene.layout.root(layout_ids[0])
    # Moving a root carries what is anchored to it (a plot with its axes); moving a member moves it alone.
    group = scene.layout.group(root) if root == layout_ids[0] else list(layout_ids)
    shift = np.array([*(action.shift or (0.0, 0.0)), 0.0])
    points = entry.extra.get("plane_points")
    if points and scene.plane is not None and scene.plane.item_id == root:
        # A shape of the figure moves on the figure's plane: the pivot is its centre there and the shift is
        # in plane units, exactly as the figure was fitted to (see ``figure``).
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        pivot = scene.plane.to_scene(((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2))
        shift = shift * scene.plane.scale
        entry.extra["plane_points"] = moved_points(points, action)
    else:
        boxes = [scene.layout.items[layout_id].box for layout_id in group if layout_id in scene.layout.items]
        whole = boxes[0]
        for box in boxes[1:]:
            whole = whole.union(box)
        pivot = np.array([*whole.center, 0.0])
    touched = []
    for layout_id in group:
        if layout_id not in scene.mobs:
            continue
        target = scene.pending_mob(layout_id)
        if action.scale is not None:
            target.scale(action.scale, about_point=pivot)
        if action.rotate_degrees is not None:
            target.rotate(math.radians(action.rotate_degrees), about_point=pivot)
        if action.shift is not None:
            target.shift(shift)
        item = scene.layout.items[layout_id]
        item.box = box_of(target)
        item.glyph_px = glyph_px(target)
        item.scale *= action.scale or 1.0
        touched.append(layout_id)
    if action.region is not None and root == layout_ids[0] and scene.layout.items[root].movable:
        scene.layout.items[root].region = action.region
        scene.beat.pending_place.append(root)
    copies = scene.beat.copies
    scene.beat.claimed.update(layout_id for layout_id in touched if layout_id in copies)
    pairs = [copies[layout_id] for layout_id in touched if layout_id in copies]
    if any(layout_id not in copies for layout_id in touched):
        scene.report["warnings"].append(f"move of '{action.target}' in the beat that creates it shows the end state")
    if not pairs:
        return Built(None)
    return Built(lambda: [Transform(mob, end_state) for mob, end_state in pairs])


def build_remove(scene: StoryboardScene, action: Remove) -> Built:
    candidates: list[Mobject] = []
    for object_id in action.targets:
        if object_id not in scene.entries:
            continue
        for layout_id in scene.entries[object_id].layout_ids:
            for gone in scene.layout.remove(layout_id):
                scene.beat.removed.add(gone)
                for mob in (scene.beat.on_screen_before.get(gone), scene.mobs.get(gone)):
                    if mob is not None:
                        candidates.append(mob)
                if gone in scene.beat.copies:
                    candidates.append(scene.beat.copies[gone][0])
    # A figure whose every part is gone stops reserving its space.
    empty = [i for i in scene.layout.items if i.startswith("_figure") and len(scene.layout.group(i)) == 1]
    for figure_id in empty:
        scene.layout.remove(figure_id)
        scene.entries.pop(figure_id, None)
    # Decided at play time: what is on screen then may be the original, a copy or a replacement.
    return Built(lambda: [FadeOut(mob) for mob in unique(candidates) if scene.is_shown(mob)])


def build_clear(scene: StoryboardScene, action: ClearScreen) -> Built:
    scene.beat.removed.update(scene.layout.items)
    scene.layout.items.clear()
    scene.mobs.clear()
    scene.entries.clear()
    scene.beat.copies.clear()
    scene.plane = None
    scene.segment += 1
    return Built(lambda: [FadeOut(mob) for mob in list(scene.mobjects)])
