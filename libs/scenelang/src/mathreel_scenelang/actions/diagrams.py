"""Diagram actions: a Venn diagram of two or three sets, a tree drawn left to right."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mathreel_scenelang.base import CreatingAction


class ShowVenn(CreatingAction):
    """Two or three overlapping sets with their ``labels``; ``regions`` writes text (counts, elements) in the regions,
    keyed by the sets they belong to: ``"A"``, ``"B"``, ``"AB"``, ``"ABC"``, ``"outside"``..."""

    op: Literal["venn"] = "venn"
    labels: list[Annotated[str, Field(min_length=1, max_length=12)]] = Field(min_length=2, max_length=3)
    regions: dict[
        Annotated[str, Field(pattern=r"^(A|B|C|AB|AC|BC|ABC|outside)$")], Annotated[str, Field(max_length=20)]
    ] = Field(default_factory=dict)


class TreeBranch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1, max_length=16)
    edge: str | None = Field(default=None, max_length=16, description="Text on the edge, e.g. a probability")
    children: list[TreeBranch] = Field(default_factory=list, max_length=4)


class ShowTree(CreatingAction):
    """A tree drawn left to right from ``root`` (a probability tree, a counting tree, a factor tree): up to three
    levels, at most 16 leaves."""

    op: Literal["tree"] = "tree"
    root: str = Field(default="", max_length=16)
    branches: list[TreeBranch] = Field(min_length=1, max_length=6)

    @model_validator(mode="after")
    def _size(self) -> ShowTree:
        def depth(nodes: list[TreeBranch]) -> int:
            return 1 + max((depth(n.children) for n in nodes if n.children), default=0)

        def leaves(nodes: list[TreeBranch]) -> int:
            return sum(leaves(n.children) if n.children else 1 for n in nodes)

        if depth(self.branches) > 3 or leaves(self.branches) > 16:
            raise ValueError("a tree has at most three levels and 16 leaves")
        return self
