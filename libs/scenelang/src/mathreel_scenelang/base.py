"""The types every action model is made of: ids, colours, regions, points, and the two action base classes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

ObjectId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Object id: lowercase, digits, _")]
Color = Literal["white", "yellow", "blue", "green", "red", "orange", "purple", "teal", "gold", "pink", "grey"]
Region = Literal["top", "center", "bottom", "left", "right", "top_left", "top_right", "bottom_left", "bottom_right"]
Point2 = tuple[float, float]

SHORT_TEXT = 200
LATEX_CHARS = 300


class ActionModel(BaseModel):
    """An action of a beat; each subclass has an ``op`` literal naming it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    if TYPE_CHECKING:  # each subclass declares it last among its own fields, as a literal (the JSON keeps that order)
        op: str


class CreatingAction(ActionModel):
    """An action that puts a new object on screen under ``id``."""

    id: ObjectId
    region: Region | None = Field(default=None, description="Where the layout step places the object")
    color: Color | None = None
