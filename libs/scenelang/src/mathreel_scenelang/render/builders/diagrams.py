"""Diagrams: a Venn diagram of two or three sets and a tree drawn left to right (drawn by
``render.demos.diagrams``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mathreel_scenelang.actions.diagrams import ShowTree, ShowVenn
from mathreel_scenelang.render.builders.blocks import block_item, block_room
from mathreel_scenelang.render.demos import diagrams
from mathreel_scenelang.render.objects import Built

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene


def build_venn(scene: StoryboardScene, action: ShowVenn) -> Built:
    width, height, area = block_room(scene, action.region)
    mob, appear = diagrams.venn(action, width, height)
    return Built(appear, mob, [(block_item(scene, action, mob, area), mob)])


def build_tree(scene: StoryboardScene, action: ShowTree) -> Built:
    width, height, area = block_room(scene, action.region)
    mob, appear = diagrams.tree(action, width, height)
    return Built(appear, mob, [(block_item(scene, action, mob, area), mob)])
