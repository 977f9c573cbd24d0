"""A coordinate plane with its basis vectors, and a matrix acting on it and on every shape drawn on it (drawn by
``render.demos.plane``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from manim import VGroup

from mathreel_scenelang.actions.plane import ApplyMatrix, ShowPlane
from mathreel_scenelang.render.builders.blocks import block_item, block_room
from mathreel_scenelang.render.demos import plane
from mathreel_scenelang.render.objects import Built

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene


def build_plane(scene: StoryboardScene, action: ShowPlane) -> Built:
    width, height, area = block_room(scene, action.region)
    drawing = plane.plane_drawing(action, width, height, scene.color_of(action))
    mob = VGroup(drawing.plane, drawing.grid)
    return Built(
        lambda: plane.plane_appears(drawing),
        mob,
        [(block_item(scene, action, mob, area), mob)],
        {"axes": drawing.plane, "plane": drawing},  # shapes with axes = this plane use its coordinates
    )


def build_apply_matrix(scene: StoryboardScene, action: ApplyMatrix) -> Built:
    drawing: plane.PlaneDrawing = scene.entries[action.target].extra["plane"]
    items = scene.layout.items
    on_plane = [(o, e.extra["shape"]) for o, e in scene.entries.items() if "shape" in e.extra and o in items]
    moved = []
    for object_id, shape in [(o, shape) for o, shape in on_plane if items[o].anchor == action.target]:
        moved.append((shape, plane.carry(shape, action.matrix)))
        scene.end_state(object_id, lambda mob: mob, shape.draw(shape.points))
    animations = drawing.act(action.matrix, moved)
    scene.end_state(action.target, lambda mob: mob[1], drawing.draw(drawing.matrix))
    return Built(lambda: animations)
