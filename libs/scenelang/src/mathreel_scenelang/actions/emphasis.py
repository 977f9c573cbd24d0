"""Emphasis and change: draw the eye to an object, recolour, move, remove, clear the screen."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mathreel_scenelang.base import ActionModel, Color, ObjectId, Point2, Region


class Indicate(ActionModel):
    op: Literal["indicate"] = "indicate"
    target: ObjectId


class Circumscribe(ActionModel):
    op: Literal["circumscribe"] = "circumscribe"
    target: ObjectId


class Recolor(ActionModel):
    op: Literal["color"] = "color"
    target: ObjectId
    color: Color


class Move(ActionModel):
    op: Literal["move"] = "move"
    target: ObjectId
    region: Region | None = None
    shift: Point2 | None = Field(
        default=None, description="Plane units for geometry (the scene's figure), frame units for anything else"
    )
    rotate_degrees: float | None = Field(default=None, ge=-360, le=360)
    scale: float | None = Field(default=None, gt=0, le=4)


class Remove(ActionModel):
    op: Literal["remove"] = "remove"
    targets: list[ObjectId] = Field(min_length=1, max_length=20)


class ClearScreen(ActionModel):
    op: Literal["clear"] = "clear"
