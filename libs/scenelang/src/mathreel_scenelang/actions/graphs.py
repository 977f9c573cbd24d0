"""Graph actions: axes, a function plotted on them, the area under it, a tangent, a number line; and what moves on
a graph over a beat (a point sweeping along it, a graph morphing) or marks a stretch of a number line."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from mathreel_scenelang.base import ActionModel, CreatingAction, ObjectId


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


# --- demonstrations that move: driven by a value over the beat, redrawn as it changes -----------------------------
SweepPart = Literal["dot", "coordinates", "vertical", "horizontal", "tangent", "slope", "secant", "area"]


class Sweep(CreatingAction):
    """A point sliding along graph ``graph`` from x = ``start`` to x = ``end`` over the beat, with what depends on it
    redrawn as it moves: its ``coordinates`` label, ``vertical``/``horizontal`` drop lines to the axes, the
    ``tangent`` line and its ``slope`` value, the ``secant`` from x = ``anchor``, the ``area`` under the graph from
    x = ``anchor``. It stays at ``end`` afterwards; a later ``sweep_to`` moves it on."""

    op: Literal["sweep"] = "sweep"
    graph: ObjectId
    start: float
    end: float
    show: list[SweepPart] = Field(default_factory=lambda: list[SweepPart](["dot"]), min_length=1, max_length=6)
    anchor: float | None = Field(default=None, description="The fixed x of a secant or the left end of an area")

    @model_validator(mode="after")
    def _anchor(self) -> Sweep:
        if ("secant" in self.show or "area" in self.show) and self.anchor is None:
            raise ValueError("a secant or an area needs an anchor")
        return self


class SweepTo(ActionModel):
    """Move an existing sweep's point on to x = ``end`` over the beat."""

    op: Literal["sweep_to"] = "sweep_to"
    target: ObjectId
    end: float


class MorphPlot(CreatingAction):
    """A graph on ``axes`` that changes through ``expressions`` (2 to 8, in x) over the beat: n growing, a degree
    rising, a parameter changing; ``labels`` (one per expression, e.g. ``n = 3``) are shown as it passes each."""

    op: Literal["morph_plot"] = "morph_plot"
    axes: ObjectId
    expressions: list[Annotated[str, Field(min_length=1, max_length=160)]] = Field(min_length=2, max_length=8)
    labels: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=8)
    x_range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _labels(self) -> MorphPlot:
        if self.labels and len(self.labels) != len(self.expressions):
            raise ValueError("give one label per expression, or none")
        return self


class ShowInterval(CreatingAction):
    """The interval from ``start`` to ``end`` on number line ``number_line`` (no end: it runs on to infinity), with a
    filled dot at an included end and a hollow one at an excluded end."""

    op: Literal["interval"] = "interval"
    number_line: ObjectId
    start: float | None = None
    end: float | None = None
    include_start: bool = True
    include_end: bool = True
    label: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _ends(self) -> ShowInterval:
        if self.start is None and self.end is None:
            raise ValueError("an interval needs at least one end")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("start must not be after end")
        return self
