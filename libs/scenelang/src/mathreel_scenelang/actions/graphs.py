"""Graph actions: axes, a function plotted on them, the area under it, a tangent, a number line."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mathreel_scenelang.base import CreatingAction, ObjectId


class ShowAxes(CreatingAction):
    op: Literal["axes"] = "axes"
    x_range: tuple[float, float, float] = (-5, 5, 1)
    y_range: tuple[float, float, float] = (-5, 5, 1)
    x_label: str = Field(default="x", max_length=20)
    y_label: str = Field(default="y", max_length=20)


class PlotFunction(CreatingAction):
    """Graph of ``expression`` in x (a plain arithmetic expression, e.g. ``x**2 - 1`` or ``sin(x)``)."""

    op: Literal["plot"] = "plot"
    axes: ObjectId
    expression: str = Field(min_length=1, max_length=120)
    x_range: tuple[float, float] | None = None
    label: str | None = Field(default=None, max_length=40)


class ShadeArea(CreatingAction):
    op: Literal["area"] = "area"
    graph: ObjectId
    x_range: tuple[float, float]
    rectangles: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description="Shade as this many rectangles of equal width, each as high as the graph at its midpoint "
        "(a Riemann sum), instead of the exact region.",
    )


class ShowTangent(CreatingAction):
    op: Literal["tangent"] = "tangent"
    graph: ObjectId
    x: float


class ShowNumberLine(CreatingAction):
    op: Literal["number_line"] = "number_line"
    x_range: tuple[float, float, float] = (-5, 5, 1)
    marks: list[float] = Field(default_factory=list, max_length=12)
