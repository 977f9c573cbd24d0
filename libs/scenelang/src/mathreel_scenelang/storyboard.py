"""The storyboard language: what the script service writes and every later stage reads.

A storyboard is a title and scenes; a scene is narration split into beats (one sentence each); a beat names the
actions that happen on screen while its sentence is spoken. Actions are declarative: nothing in a storyboard is
code, so an LLM or a user can write one safely. Objects get ids so later beats can move, transform, highlight or
remove them. The actions themselves are listed in ``mathreel_scenelang.registry``.

Versioning: ``version`` is "1". Adding an optional field is not breaking; anything else adds a new version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from mathreel_scenelang.actions.annotations import ShowArrow, ShowBrace
from mathreel_scenelang.actions.charts import BarChart, BarsTo, ShowDots
from mathreel_scenelang.actions.diagrams import ShowTree, ShowVenn, TreeBranch
from mathreel_scenelang.actions.emphasis import Circumscribe, ClearScreen, Indicate, Move, Recolor, Remove
from mathreel_scenelang.actions.equations import ShowEquation, TransformEquation, WriteStep, split_relation
from mathreel_scenelang.actions.geometry import ShowAngle, ShowCircle, ShowPoint, ShowPolygon, ShowSegment
from mathreel_scenelang.actions.graphs import (
    MorphPlot,
    PlotFunction,
    ShadeArea,
    ShowAxes,
    ShowInterval,
    ShowNumberLine,
    ShowTangent,
    Sweep,
    SweepPart,
    SweepTo,
)
from mathreel_scenelang.actions.plane import ApplyMatrix, ShowPlane
from mathreel_scenelang.actions.tables import ShowCells, ShowMatrix, ShowTable
from mathreel_scenelang.actions.text import ShowBullets, ShowText, ShowTitle
from mathreel_scenelang.base import ActionModel, Color, CreatingAction, ObjectId, Point2, Region
from mathreel_scenelang.registry import ACTIONS

__all__ = [
    "ACTIONS",
    "STORYBOARD_VERSION",
    "Action",
    "ActionModel",
    "ApplyMatrix",
    "BarChart",
    "BarsTo",
    "Beat",
    "Circumscribe",
    "ClearScreen",
    "Color",
    "CreatingAction",
    "Indicate",
    "MorphPlot",
    "Move",
    "ObjectId",
    "PlotFunction",
    "Point2",
    "Recolor",
    "Region",
    "Remove",
    "Scene",
    "ShadeArea",
    "ShowAngle",
    "ShowArrow",
    "ShowAxes",
    "ShowBrace",
    "ShowBullets",
    "ShowCells",
    "ShowCircle",
    "ShowDots",
    "ShowEquation",
    "ShowInterval",
    "ShowMatrix",
    "ShowNumberLine",
    "ShowPlane",
    "ShowPoint",
    "ShowPolygon",
    "ShowSegment",
    "ShowTable",
    "ShowTangent",
    "ShowText",
    "ShowTitle",
    "ShowTree",
    "ShowVenn",
    "Source",
    "Storyboard",
    "Sweep",
    "SweepPart",
    "SweepTo",
    "TransformEquation",
    "TreeBranch",
    "WriteStep",
    "split_relation",
    "storyboard_adapter",
    "storyboard_json_schema",
]

STORYBOARD_VERSION: Literal["1"] = "1"

if TYPE_CHECKING:
    Action = ActionModel
else:
    # Every registered action, told apart by its ``op``.
    Action = ACTIONS.action_type()


class Beat(BaseModel):
    """One sentence of narration and what happens on screen while it is spoken."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    narration: str = Field(min_length=1, max_length=400)
    actions: list[Action] = Field(default_factory=list, max_length=8)


class Scene(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: ObjectId
    title: str | None = Field(default=None, max_length=80)
    kind: Literal["title", "statement", "explanation", "example", "proof", "summary", "other"] = "other"
    beats: list[Beat] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _ids_resolve(self) -> Scene:
        """Every reference names an object created earlier in the scene and not yet removed; a step of working is
        written under an equation whose last line has a relation symbol to align on."""
        alive: set[str] = set()
        # equation id → its last line's LaTeX, for the steps written under it
        lines: dict[str, str] = {}
        for b_index, beat in enumerate(self.beats):
            for a_index, action in enumerate(beat.actions):
                where = f"beats[{b_index}].actions[{a_index}]"
                for ref in ACTIONS.references(action):
                    if ref not in alive:
                        raise ValueError(f"{where}: '{ref}' is not on screen at this point")
                if isinstance(action, WriteStep):
                    if action.target not in lines:
                        raise ValueError(f"{where}: a step is written under an equation; '{action.target}' is not one")
                    if split_relation(lines[action.target]) is None:
                        raise ValueError(
                            f"{where}: equation '{action.target}' has no relation symbol (=, <, \\le ...) for the "
                            "step to align on"
                        )
                if isinstance(action, ShowEquation | TransformEquation | WriteStep):
                    lines[action.id if isinstance(action, ShowEquation) else action.target] = action.latex
                elif isinstance(action, CreatingAction):
                    lines.pop(action.id, None)
                if isinstance(action, CreatingAction):
                    if action.id in alive:
                        raise ValueError(f"{where}: id '{action.id}' is already on screen")
                    alive.add(action.id)
                elif isinstance(action, Remove):
                    alive.difference_update(action.targets)
                elif isinstance(action, ClearScreen):
                    alive.clear()
        return self

    @property
    def narration(self) -> str:
        return " ".join(beat.narration for beat in self.beats)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(max_length=200)
    uri: str | None = Field(default=None, max_length=500)


class Storyboard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal["1"] = STORYBOARD_VERSION
    title: str = Field(min_length=1, max_length=120)
    scenes: list[Scene] = Field(min_length=1, max_length=20)
    sources: list[Source] = Field(default_factory=list, max_length=20)
    author: str = Field(default="offline-planner", max_length=120, description="Who wrote it: planner or model")

    @model_validator(mode="after")
    def _unique_scene_ids(self) -> Storyboard:
        ids = [scene.id for scene in self.scenes]
        if len(set(ids)) != len(ids):
            raise ValueError("scene ids must be unique")
        return self


storyboard_adapter: TypeAdapter[Storyboard] = TypeAdapter(Storyboard)


def storyboard_json_schema() -> dict[str, object]:
    """The JSON Schema exported to ``docs/storyboard.schema.json``."""
    return Storyboard.model_json_schema()
