"""Equation actions: show a formula, morph it into another."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mathreel_scenelang.base import LATEX_CHARS, ActionModel, CreatingAction, ObjectId


class ShowEquation(CreatingAction):
    op: Literal["equation"] = "equation"
    latex: str = Field(min_length=1, max_length=LATEX_CHARS)


class TransformEquation(ActionModel):
    """Morph equation ``target`` into new LaTeX; ``highlight`` names substrings of the new LaTeX to colour."""

    op: Literal["transform"] = "transform"
    target: ObjectId
    latex: str = Field(min_length=1, max_length=LATEX_CHARS)
    highlight: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(default_factory=list, max_length=4)
