"""A curriculum topic as data a teacher can review: what is taught, and which demonstration shows it.

An entry holds no numbers of its own beyond the parameters of its demonstrations: every value the lesson states is
computed by the demonstration (with SymPy where there is algebra to do) and checked in the tests.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

Area = Literal[
    "arithmetic",
    "algebra",
    "geometry",
    "trigonometry",
    "precalculus",
    "calculus",
    "linear_algebra",
    "probability_statistics",
    "discrete",
]
AREAS: tuple[Area, ...] = get_args(Area)

TopicKey = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")]
_Sentence = Annotated[str, Field(min_length=8, max_length=320)]
_Phrase = Annotated[str, Field(min_length=2, max_length=80)]
_SENTENCE_END = re.compile(r"[.!?]$")


class DemoCall(BaseModel):
    """A registered demonstration and the parameters it is called with (validated by its own params model)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,59}$")]
    params: dict[str, Any] = Field(default_factory=dict)


class TopicEntry(BaseModel):
    """One curriculum topic.

    ``statement``, ``intuition`` and ``mistake`` are spoken: plain sentences, maths in words (no LaTeX, no symbols).
    ``formulas`` are LaTeX shown on screen. ``demonstration`` is the visual heart of the lesson; ``example`` is a
    worked example whose numbers the demonstration computes (and adapts to numbers the user's context gives).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: TopicKey
    title: Annotated[str, Field(min_length=3, max_length=70)]
    area: Area
    aliases: list[_Phrase] = Field(default_factory=list, max_length=12)
    keywords: list[_Phrase] = Field(
        default_factory=list,
        max_length=20,
        description="Words a context about this topic tends to use; they confirm a match made on the topic's name",
    )
    prerequisites: list[TopicKey] = Field(default_factory=list, max_length=6)
    statement: _Sentence
    formulas: list[Annotated[str, Field(min_length=1, max_length=160)]] = Field(default_factory=list, max_length=3)
    intuition: _Sentence
    demonstration: DemoCall
    example: DemoCall | None = Field(
        default=None, description="None only when the demonstration already works an example (the hand-built lessons)"
    )
    mistake: _Sentence
    summary: list[Annotated[str, Field(min_length=3, max_length=90)]] = Field(min_length=2, max_length=4)

    @field_validator("statement", "intuition", "mistake")
    @classmethod
    def _spoken(cls, value: str) -> str:
        if not _SENTENCE_END.search(value):
            raise ValueError("must end like a sentence (. ! or ?)")
        if any(ch in value for ch in "\\$^_{}=<>"):
            raise ValueError("is spoken: write the maths in words, without LaTeX or symbols")
        return value
