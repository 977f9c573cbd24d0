"""Tables and matrices."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from mathreel_scenelang.base import CreatingAction


class ShowMatrix(CreatingAction):
    op: Literal["matrix"] = "matrix"
    rows: list[list[Annotated[str, Field(max_length=30)]]] = Field(min_length=1, max_length=6)

    @field_validator("rows")
    @classmethod
    def _rectangular(cls, rows: list[list[str]]) -> list[list[str]]:
        if len({len(r) for r in rows}) != 1 or not rows[0] or len(rows[0]) > 6:
            raise ValueError("matrix rows must all have the same length, 1 to 6 entries")
        return rows


class ShowTable(CreatingAction):
    op: Literal["table"] = "table"
    header: list[Annotated[str, Field(max_length=30)]] = Field(min_length=1, max_length=6)
    rows: list[list[Annotated[str, Field(max_length=30)]]] = Field(min_length=1, max_length=8)

    @model_validator(mode="after")
    def _rectangular(self) -> ShowTable:
        if any(len(r) != len(self.header) for r in self.rows):
            raise ValueError("every table row must have as many cells as the header")
        return self
