"""Tables and matrices, and boxes round their rows and columns."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from mathreel_scenelang.base import CreatingAction, ObjectId


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


# At most this many rows or columns, as a matrix or a table has.
_MAX_INDEX = 7


class ShowCells(CreatingAction):
    """A box round rows and columns of matrix or table ``target`` (counted from 0; a table's header row is not
    counted): the row of A and the column of B whose products make one entry of AB, the row of a table being read.
    With ``rows`` and ``columns`` both given, each row and each column gets its box; ``Remove`` takes them away."""

    op: Literal["cells"] = "cells"
    target: ObjectId
    rows: list[Annotated[int, Field(ge=0, le=_MAX_INDEX)]] = Field(default_factory=list, max_length=_MAX_INDEX + 1)
    columns: list[Annotated[int, Field(ge=0, le=_MAX_INDEX)]] = Field(default_factory=list, max_length=_MAX_INDEX + 1)

    @model_validator(mode="after")
    def _something_to_box(self) -> ShowCells:
        if not self.rows and not self.columns:
            raise ValueError("name at least one row or column to box")
        return self
