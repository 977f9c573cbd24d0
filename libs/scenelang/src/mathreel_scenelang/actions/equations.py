"""Equation actions: show a formula, morph it into another, or write the next line of its working under it."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from mathreel_scenelang.base import LATEX_CHARS, ActionModel, CreatingAction, ObjectId

# The relation symbols a line of working is aligned on, as LaTeX writes them; a command must not run on into a
# longer name (``\le`` is not the start of ``\left``).
_RELATION = re.compile(r"\\(?:leq|geq|le|ge|neq|ne|approx|lt|gt|equiv)(?![A-Za-z])|<|>|=")


def relation_span(latex: str) -> tuple[int, int] | None:
    """Where the first relation symbol of ``latex`` outside braces stands, or None when there is none (or nothing
    on one side of it)."""
    depth = 0
    position = 0
    while position < len(latex):
        char = latex[position]
        if char == "\\" and latex[position + 1 : position + 2] in ("{", "}"):
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and (found := _RELATION.match(latex, position)) is not None:
            if latex[:position].strip() and latex[found.end() :].strip():
                return position, found.end()
            return None
        elif char == "\\" and (name := re.match(r"\\[A-Za-z]+", latex[position:])) is not None:
            # Skip a command's name so that its letters are not read as anything else.
            position += name.end()
            continue
        position += 1
    return None


def split_relation(latex: str) -> tuple[str, str, str] | None:
    """``latex`` cut at its first relation symbol outside braces: ``(left side, relation, right side)``, or None."""
    span = relation_span(latex)
    if span is None:
        return None
    start, end = span
    return latex[:start].strip(), latex[start:end], latex[end:].strip()


class ShowEquation(CreatingAction):
    op: Literal["equation"] = "equation"
    latex: str = Field(min_length=1, max_length=LATEX_CHARS)


class TransformEquation(ActionModel):
    """Morph equation ``target`` into new LaTeX; ``highlight`` names substrings of the new LaTeX to colour."""

    op: Literal["transform"] = "transform"
    target: ObjectId
    latex: str = Field(min_length=1, max_length=LATEX_CHARS)
    highlight: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(default_factory=list, max_length=4)


class WriteStep(ActionModel):
    """Write the next line of the working of equation ``target`` under its last line, as on a board: the relation
    symbol of the new line (``=``, ``<``, ``\\le`` ...) under the one above, ``note`` beside it, the earlier lines
    kept (dimmed unless ``dim`` is false) and ``box`` drawn round the line that gives the answer. The equation and
    everything written under it stay one object (``target``); when the column would run off the frame its oldest
    lines scroll away."""

    op: Literal["step"] = "step"
    target: ObjectId
    latex: str = Field(min_length=1, max_length=LATEX_CHARS, description="The new line; it must hold a relation")
    note: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="What was done to get this line, in a few words beside it: '−3 from both sides', '÷ 4'",
    )
    highlight: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(default_factory=list, max_length=4)
    dim: bool = Field(default=True, description="Dim the lines above, so the eye goes to the new one")
    box: bool = Field(default=False, description="Draw a box round this line: the answer")

    @model_validator(mode="after")
    def _has_relation(self) -> WriteStep:
        if split_relation(self.latex) is None:
            raise ValueError(
                "a step's latex needs a relation symbol (=, <, >, \\le, \\ge, \\approx, \\ne) with something on each "
                "side, outside braces: the lines of working are aligned on it"
            )
        return self
