"""Annotations: an arrow between points or objects, a brace under an object."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from mathreel_scenelang.base import CreatingAction, ObjectId, Point2


class ShowArrow(CreatingAction):
    op: Literal["arrow"] = "arrow"
    start: Point2 | None = None
    end: Point2 | None = None
    from_id: ObjectId | None = None
    to_id: ObjectId | None = None
    label: str | None = Field(default=None, max_length=40)
    axes: ObjectId | None = Field(
        default=None, description="With start/end points: draw in these axes' (or plane's) coordinates, e.g. a vector"
    )

    @model_validator(mode="after")
    def _ends(self) -> ShowArrow:
        if (self.start is None) == (self.from_id is None) or (self.end is None) == (self.to_id is None):
            raise ValueError("give each end either as a point (start/end) or as an object (from_id/to_id)")
        return self


class ShowBrace(CreatingAction):
    op: Literal["brace"] = "brace"
    target: ObjectId
    direction: Literal["down", "up", "left", "right"] = "down"
    label: str | None = Field(default=None, max_length=40)
