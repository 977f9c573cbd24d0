"""Geometry actions: every geometry object of a scene (up to a clear) shares ONE plane, fitted into its region as a
figure (``mathreel_scenelang.figure``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mathreel_scenelang.base import CreatingAction, ObjectId, Point2

ON_AXES = "Draw in the coordinates of these axes (or plane) instead of the scene's geometry figure"


class ShowPoint(CreatingAction):
    op: Literal["point"] = "point"
    at: Point2
    label: str | None = Field(default=None, max_length=20)
    axes: ObjectId | None = Field(default=None, description=ON_AXES)
    hollow: bool = Field(
        default=False, description="An open circle: a point left out, such as the hole in a graph where it has no value"
    )


class ShowSegment(CreatingAction):
    op: Literal["segment"] = "segment"
    start: Point2
    end: Point2
    label: str | None = Field(default=None, max_length=20)
    dashed: bool = False
    axes: ObjectId | None = Field(default=None, description=ON_AXES)


class ShowPolygon(CreatingAction):
    op: Literal["polygon"] = "polygon"
    vertices: list[Point2] = Field(min_length=3, max_length=12)
    labels: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=12)
    fill_opacity: float = Field(default=0.3, ge=0, le=1)
    axes: ObjectId | None = Field(default=None, description=ON_AXES)


class ShowCircle(CreatingAction):
    op: Literal["circle"] = "circle"
    center: Point2 = (0.0, 0.0)
    radius: float = Field(gt=0, le=50)
    show_radius: bool = False
    fill_opacity: float = Field(default=0.2, ge=0, le=1)


class ShowAngle(CreatingAction):
    """The angle at ``vertex`` between rays to ``a`` and ``b``; ``right`` draws the square mark."""

    op: Literal["angle"] = "angle"
    vertex: Point2
    a: Point2
    b: Point2
    label: str | None = Field(default=None, max_length=20)
    right: bool = False
