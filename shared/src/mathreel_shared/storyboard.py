"""The storyboard language: what the script service writes and every later stage reads.

A storyboard is a title and scenes; a scene is narration split into beats (one sentence each); a beat names the
actions that happen on screen while its sentence is spoken. Actions are declarative: nothing in a storyboard is
code, so an LLM or a user can write one safely. Objects get ids so later beats can move, transform, highlight or
remove them.

Versioning: ``version`` is "1". Adding an optional field is not breaking; anything else adds a new version.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

STORYBOARD_VERSION: Literal["1"] = "1"

ObjectId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Object id: lowercase, digits, _")]
Color = Literal["white", "yellow", "blue", "green", "red", "orange", "purple", "teal", "gold", "pink", "grey"]
Region = Literal["top", "center", "bottom", "left", "right", "top_left", "top_right", "bottom_left", "bottom_right"]
Point2 = tuple[float, float]

_SHORT = 200
_LATEX = 300


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Creates(_Action):
    id: ObjectId
    region: Region | None = Field(default=None, description="Where the layout step places the object")
    color: Color | None = None


# --- text ----------------------------------------------------------------------------------------------------
class ShowTitle(_Creates):
    op: Literal["title"] = "title"
    text: str = Field(min_length=1, max_length=80)
    subtitle: str | None = Field(default=None, max_length=120)


class ShowText(_Creates):
    op: Literal["text"] = "text"
    text: str = Field(min_length=1, max_length=_SHORT)


class ShowBullets(_Creates):
    op: Literal["bullets"] = "bullets"
    items: list[Annotated[str, Field(min_length=1, max_length=120)]] = Field(min_length=1, max_length=6)


class ShowEquation(_Creates):
    op: Literal["equation"] = "equation"
    latex: str = Field(min_length=1, max_length=_LATEX)


class TransformEquation(_Action):
    """Morph equation ``target`` into new LaTeX; ``highlight`` names substrings of the new LaTeX to colour."""

    op: Literal["transform"] = "transform"
    target: ObjectId
    latex: str = Field(min_length=1, max_length=_LATEX)
    highlight: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(default_factory=list, max_length=4)


# --- geometry: every geometry object of a scene (up to a clear) shares ONE plane, fitted into its region as a figure
class ShowPoint(_Creates):
    op: Literal["point"] = "point"
    at: Point2
    label: str | None = Field(default=None, max_length=20)


class ShowSegment(_Creates):
    op: Literal["segment"] = "segment"
    start: Point2
    end: Point2
    label: str | None = Field(default=None, max_length=20)


class ShowPolygon(_Creates):
    op: Literal["polygon"] = "polygon"
    vertices: list[Point2] = Field(min_length=3, max_length=12)
    labels: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=12)
    fill_opacity: float = Field(default=0.3, ge=0, le=1)


class ShowCircle(_Creates):
    op: Literal["circle"] = "circle"
    center: Point2 = (0.0, 0.0)
    radius: float = Field(gt=0, le=50)
    show_radius: bool = False
    fill_opacity: float = Field(default=0.2, ge=0, le=1)


class ShowAngle(_Creates):
    """The angle at ``vertex`` between rays to ``a`` and ``b``; ``right`` draws the square mark."""

    op: Literal["angle"] = "angle"
    vertex: Point2
    a: Point2
    b: Point2
    label: str | None = Field(default=None, max_length=20)
    right: bool = False


# --- graphs ----------------------------------------------------------------------------------------------------
class ShowAxes(_Creates):
    op: Literal["axes"] = "axes"
    x_range: tuple[float, float, float] = (-5, 5, 1)
    y_range: tuple[float, float, float] = (-5, 5, 1)
    x_label: str = Field(default="x", max_length=20)
    y_label: str = Field(default="y", max_length=20)


class PlotFunction(_Creates):
    """Graph of ``expression`` in x (a plain arithmetic expression, e.g. ``x**2 - 1`` or ``sin(x)``)."""

    op: Literal["plot"] = "plot"
    axes: ObjectId
    expression: str = Field(min_length=1, max_length=120)
    x_range: tuple[float, float] | None = None
    label: str | None = Field(default=None, max_length=40)


class ShadeArea(_Creates):
    op: Literal["area"] = "area"
    graph: ObjectId
    x_range: tuple[float, float]
    rectangles: int | None = Field(
        default=None,
        ge=1,
        le=60,
        description="Shade as this many rectangles of equal width, each as high as the graph at its midpoint "
        "(a Riemann sum), instead of the exact region.",
    )


class ShowTangent(_Creates):
    op: Literal["tangent"] = "tangent"
    graph: ObjectId
    x: float


class ShowNumberLine(_Creates):
    op: Literal["number_line"] = "number_line"
    x_range: tuple[float, float, float] = (-5, 5, 1)
    marks: list[float] = Field(default_factory=list, max_length=12)


# --- tables and matrices -----------------------------------------------------------------------------------------
class ShowMatrix(_Creates):
    op: Literal["matrix"] = "matrix"
    rows: list[list[Annotated[str, Field(max_length=30)]]] = Field(min_length=1, max_length=6)

    @field_validator("rows")
    @classmethod
    def _rectangular(cls, rows: list[list[str]]) -> list[list[str]]:
        if len({len(r) for r in rows}) != 1 or not rows[0] or len(rows[0]) > 6:
            raise ValueError("matrix rows must all have the same length, 1 to 6 entries")
        return rows


class ShowTable(_Creates):
    op: Literal["table"] = "table"
    header: list[Annotated[str, Field(max_length=30)]] = Field(min_length=1, max_length=6)
    rows: list[list[Annotated[str, Field(max_length=30)]]] = Field(min_length=1, max_length=8)

    @model_validator(mode="after")
    def _rectangular(self) -> ShowTable:
        if any(len(r) != len(self.header) for r in self.rows):
            raise ValueError("every table row must have as many cells as the header")
        return self


# --- annotations ---------------------------------------------------------------------------------------------------
class ShowArrow(_Creates):
    op: Literal["arrow"] = "arrow"
    start: Point2 | None = None
    end: Point2 | None = None
    from_id: ObjectId | None = None
    to_id: ObjectId | None = None
    label: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _ends(self) -> ShowArrow:
        if (self.start is None) == (self.from_id is None) or (self.end is None) == (self.to_id is None):
            raise ValueError("give each end either as a point (start/end) or as an object (from_id/to_id)")
        return self


class ShowBrace(_Creates):
    op: Literal["brace"] = "brace"
    target: ObjectId
    direction: Literal["down", "up", "left", "right"] = "down"
    label: str | None = Field(default=None, max_length=40)


# --- emphasis and change ---------------------------------------------------------------------------------------------
class Indicate(_Action):
    op: Literal["indicate"] = "indicate"
    target: ObjectId


class Circumscribe(_Action):
    op: Literal["circumscribe"] = "circumscribe"
    target: ObjectId


class Recolor(_Action):
    op: Literal["color"] = "color"
    target: ObjectId
    color: Color


class Move(_Action):
    op: Literal["move"] = "move"
    target: ObjectId
    region: Region | None = None
    shift: Point2 | None = Field(
        default=None, description="Plane units for geometry (the scene's figure), frame units for anything else"
    )
    rotate_degrees: float | None = Field(default=None, ge=-360, le=360)
    scale: float | None = Field(default=None, gt=0, le=4)


class Remove(_Action):
    op: Literal["remove"] = "remove"
    targets: list[ObjectId] = Field(min_length=1, max_length=20)


class ClearScreen(_Action):
    op: Literal["clear"] = "clear"


Action = Annotated[
    ShowTitle
    | ShowText
    | ShowBullets
    | ShowEquation
    | TransformEquation
    | ShowPoint
    | ShowSegment
    | ShowPolygon
    | ShowCircle
    | ShowAngle
    | ShowAxes
    | PlotFunction
    | ShadeArea
    | ShowTangent
    | ShowNumberLine
    | ShowMatrix
    | ShowTable
    | ShowArrow
    | ShowBrace
    | Indicate
    | Circumscribe
    | Recolor
    | Move
    | Remove
    | ClearScreen,
    Field(discriminator="op"),
]

CREATING_OPS = frozenset(
    {
        "title",
        "text",
        "bullets",
        "equation",
        "point",
        "segment",
        "polygon",
        "circle",
        "angle",
        "axes",
        "plot",
        "area",
        "tangent",
        "number_line",
        "matrix",
        "table",
        "arrow",
        "brace",
    }
)

_SENTENCE_END = re.compile(r"[.!?…]\s*$")


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
        """Every reference names an object created earlier in the scene and not yet removed."""
        alive: set[str] = set()
        for b_index, beat in enumerate(self.beats):
            for a_index, action in enumerate(beat.actions):
                where = f"beats[{b_index}].actions[{a_index}]"
                for ref in _references(action):
                    if ref not in alive:
                        raise ValueError(f"{where}: '{ref}' is not on screen at this point")
                if action.op in CREATING_OPS:
                    new_id: str = action.id  # type: ignore[union-attr]
                    if new_id in alive:
                        raise ValueError(f"{where}: id '{new_id}' is already on screen")
                    alive.add(new_id)
                elif isinstance(action, Remove):
                    alive.difference_update(action.targets)
                elif isinstance(action, ClearScreen):
                    alive.clear()
        return self

    @property
    def narration(self) -> str:
        return " ".join(beat.narration for beat in self.beats)


def _references(action: BaseModel) -> list[str]:
    refs: list[str] = []
    for name in ("target", "axes", "graph", "from_id", "to_id"):
        value = getattr(action, name, None)
        if isinstance(value, str):
            refs.append(value)
    if isinstance(action, Remove):
        refs.extend(action.targets)
    return refs


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


class BeatTiming(BaseModel):
    """Measured narration timing of one beat, written by tts and read by visuals, render and captions."""

    model_config = ConfigDict(frozen=True)

    start: float = Field(ge=0, description="Seconds from the start of the scene")
    duration: float = Field(gt=0)
    text: str


class SceneTiming(BaseModel):
    model_config = ConfigDict(frozen=True)

    scene_index: int = Field(ge=0)
    duration: float = Field(gt=0, description="Seconds of narration audio, pauses included")
    beats: list[BeatTiming]
