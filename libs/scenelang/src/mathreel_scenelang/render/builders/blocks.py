"""Room for a block (a chart, a dot array, a plane, a diagram) and its layout item: in its named region, or, like
axes, in the part of the frame the scene's named texts leave free."""

from __future__ import annotations

from typing import TYPE_CHECKING

from manim import Mobject

from mathreel_scenelang.base import CreatingAction, Region
from mathreel_scenelang.figure import free_area, region_room
from mathreel_scenelang.layout import Box, Kind, LayoutItem
from mathreel_scenelang.render.builders.graphs import MAX_AXES

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene


def block_room(scene: StoryboardScene, region: Region | None) -> tuple[float, float, Box | None]:
    """(width, height) a block may fill, and the free area it prefers when it names no region (as axes do)."""
    if region is not None:
        box = region_room(scene.layout, region, scene.figure_plan().text_regions)
        return min(box.width, MAX_AXES[0] + 1.0), box.height, box
    area = free_area(scene.layout, scene.figure_plan().text_regions)
    return min(area.width, MAX_AXES[0] + 1.0), min(area.height, MAX_AXES[1] + 0.9), area


def block_item(scene: StoryboardScene, action: CreatingAction, mob: Mobject, area: Box | None) -> LayoutItem:
    item = scene.text_item(action.id, mob, action.region, Kind.BLOCK)
    item.area = area
    return item
