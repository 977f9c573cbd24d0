"""Chart actions: bars over categories (and their values changing over a beat), an array of dots."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from mathreel_scenelang.base import ActionModel, Color, CreatingAction, ObjectId


class BarChart(CreatingAction):
    """Bars of ``values`` over ``categories`` (a distribution, a histogram, counts); values shown above the bars."""

    op: Literal["bar_chart"] = "bar_chart"
    categories: list[Annotated[str, Field(max_length=12)]] = Field(min_length=1, max_length=16)
    values: list[float] = Field(min_length=1, max_length=16)
    y_max: float | None = Field(default=None, gt=0)
    show_values: bool = True

    @model_validator(mode="after")
    def _same_length(self) -> BarChart:
        if len(self.categories) != len(self.values):
            raise ValueError("give one value per category")
        if any(v < 0 for v in self.values):
            raise ValueError("bar values must not be negative")
        return self


class BarsTo(ActionModel):
    """Grow or shrink the bars of chart ``target`` to new ``values`` over the beat (e.g. a simulation's counts)."""

    op: Literal["bars_to"] = "bars_to"
    target: ObjectId
    values: list[float] = Field(min_length=1, max_length=16)


class ShowDots(CreatingAction):
    """A ``rows`` by ``cols`` array of dots (multiplication, counting, fractions); the first ``highlight`` dots, row by
    row, in ``highlight_color``."""

    op: Literal["dots"] = "dots"
    rows: int = Field(ge=1, le=12)
    cols: int = Field(ge=1, le=16)
    highlight: int = Field(default=0, ge=0)
    highlight_color: Color = "yellow"
    label: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _highlight(self) -> ShowDots:
        if self.highlight > self.rows * self.cols:
            raise ValueError("cannot highlight more dots than there are")
        return self
