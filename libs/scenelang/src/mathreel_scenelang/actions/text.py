"""Text actions: a title, a line of text, a bulleted list."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mathreel_scenelang.base import SHORT_TEXT, CreatingAction


class ShowTitle(CreatingAction):
    op: Literal["title"] = "title"
    text: str = Field(min_length=1, max_length=80)
    subtitle: str | None = Field(default=None, max_length=120)


class ShowText(CreatingAction):
    op: Literal["text"] = "text"
    text: str = Field(min_length=1, max_length=SHORT_TEXT)


class ShowBullets(CreatingAction):
    op: Literal["bullets"] = "bullets"
    items: list[Annotated[str, Field(min_length=1, max_length=120)]] = Field(min_length=1, max_length=6)
