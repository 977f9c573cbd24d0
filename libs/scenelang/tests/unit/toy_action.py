"""A toy action, as a newcomer would add one: the model and its builder in one module. Its registry line is in
``test_registry``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from manim import GrowFromCenter, Star
from pydantic import Field

from mathreel_scenelang.base import CreatingAction
from mathreel_scenelang.render.objects import Built

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene


class ShowStar(CreatingAction):
    """A five-pointed star."""

    op: Literal["star"] = "star"
    size: float = Field(default=1.0, gt=0, le=3)


def build_star(scene: StoryboardScene, action: ShowStar) -> Built:
    star = Star(outer_radius=action.size, color=scene.color_of(action), fill_opacity=0.5)
    return Built(lambda: [GrowFromCenter(star)], star, [(scene.text_item(action.id, star, action.region), star)])
