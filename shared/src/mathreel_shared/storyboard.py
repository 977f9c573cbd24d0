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
_ON_AXES = "Draw in the coordinates of these axes (or plane) instead of the scene's geometry figure"


class ShowPoint(_Creates):
    op: Literal["point"] = "point"
    at: Point2
    label: str | None = Field(default=None, max_length=20)
    axes: ObjectId | None = Field(default=None, description=_ON_AXES)


class ShowSegment(_Creates):
    op: Literal["segment"] = "segment"
    start: Point2
    end: Point2
    label: str | None = Field(default=None, max_length=20)
    dashed: bool = False
    axes: ObjectId | None = Field(default=None, description=_ON_AXES)


class ShowPolygon(_Creates):
    op: Literal["polygon"] = "polygon"
    vertices: list[Point2] = Field(min_length=3, max_length=12)
    labels: list[Annotated[str, Field(max_length=20)]] = Field(default_factory=list, max_length=12)
    fill_opacity: float = Field(default=0.3, ge=0, le=1)
    axes: ObjectId | None = Field(default=None, description=_ON_AXES)


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
    axes: ObjectId | None = Field(
        default=None, description="With start/end points: draw in these axes' (or plane's) coordinates, e.g. a vector"
    )

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


# --- demonstrations that move: driven by a value over the beat, redrawn as it changes -----------------------------
SweepPart = Literal["dot", "coordinates", "vertical", "horizontal", "tangent", "slope", "secant", "area"]


class Sweep(_Creates):
    """A point sliding along graph ``graph`` from x = ``start`` to x = ``end`` over the beat, with what depends on it
    redrawn as it moves: its ``coordinates`` label, ``vertical``/``horizontal`` drop lines to the axes, the
    ``tangent`` line and its ``slope`` value, the ``secant`` from x = ``anchor``, the ``area`` under the graph from
    x = ``anchor``. It stays at ``end`` afterwards; a later ``sweep_to`` moves it on."""

    op: Literal["sweep"] = "sweep"
    graph: ObjectId
    start: float
    end: float
    show: list[SweepPart] = Field(default_factory=lambda: list[SweepPart](["dot"]), min_length=1, max_length=6)
    anchor: float | None = Field(default=None, description="The fixed x of a secant or the left end of an area")

    @model_validator(mode="after")
    def _anchor(self) -> Sweep:
        if ("secant" in self.show or "area" in self.show) and self.anchor is None:
            raise ValueError("a secant or an area needs an anchor")
        return self


class SweepTo(_Action):
    """Move an existing sweep's point on to x = ``end`` over the beat."""

    op: Literal["sweep_to"] = "sweep_to"
    target: ObjectId
    end: float


class MorphPlot(_Creates):
    """A graph on ``axes`` that changes through ``expressions`` (2 to 8, in x) over the beat: n growing, a degree
    rising, a parameter changing; ``labels`` (one per expression, e.g. ``n = 3``) are shown as it passes each."""

    op: Literal["morph_plot"] = "morph_plot"
    axes: ObjectId
    expressions: list[Annotated[str, Field(min_length=1, max_length=160)]] = Field(min_length=2, max_length=8)
    labels: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=8)
    x_range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _labels(self) -> MorphPlot:
        if self.labels and len(self.labels) != len(self.expressions):
            raise ValueError("give one label per expression, or none")
        return self


class BarChart(_Creates):
    """Bars of ``values`` over ``categories`` (a distribution, a histogram, counts); values shown above the bars."""

    op: Literal["bar_chart"] = "bar_chart"
    categories: list[Annotated[str, Field(max_length=12)]] = Field(min_length=1, max_length=16)
    values: list[float] = Field(min_length=1, max_length=16)
    y_max: float | None = Field(default=None, gt=0)
    show_values: bool = True

    @model_validator(mode="after")
    def _same_length(self) -> BarChart:
        if len(self.categories) != len(self.values):
            raise ValueError("give one value per category")
        if any(v < 0 for v in self.values):
            raise ValueError("bar values must not be negative")
        return self


class BarsTo(_Action):
    """Grow or shrink the bars of chart ``target`` to new ``values`` over the beat (e.g. a simulation's counts)."""

    op: Literal["bars_to"] = "bars_to"
    target: ObjectId
    values: list[float] = Field(min_length=1, max_length=16)


class ShowInterval(_Creates):
    """The interval from ``start`` to ``end`` on number line ``number_line`` (no end: it runs on to infinity), with a
    filled dot at an included end and a hollow one at an excluded end."""

    op: Literal["interval"] = "interval"
    number_line: ObjectId
    start: float | None = None
    end: float | None = None
    include_start: bool = True
    include_end: bool = True
    label: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _ends(self) -> ShowInterval:
        if self.start is None and self.end is None:
            raise ValueError("an interval needs at least one end")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError("start must not be after end")
        return self


class ShowDots(_Creates):
    """A ``rows`` by ``cols`` array of dots (multiplication, counting, fractions); the first ``highlight`` dots, row by
    row, in ``highlight_color``."""

    op: Literal["dots"] = "dots"
    rows: int = Field(ge=1, le=12)
    cols: int = Field(ge=1, le=16)
    highlight: int = Field(default=0, ge=0)
    highlight_color: Color = "yellow"
    label: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _highlight(self) -> ShowDots:
        if self.highlight > self.rows * self.cols:
            raise ValueError("cannot highlight more dots than there are")
        return self


class ShowPlane(_Creates):
    """A coordinate grid with the basis vectors i and j drawn, ready for ``apply_matrix``."""

    op: Literal["plane"] = "plane"
    x_range: tuple[float, float, float] = (-4, 4, 1)
    y_range: tuple[float, float, float] = (-3, 3, 1)
    basis: bool = True


class ApplyMatrix(_Action):
    """Transform plane ``target`` (its grid, basis vectors and every arrow, point and polygon drawn on it) by the
    2 by 2 ``matrix`` over the beat."""

    op: Literal["apply_matrix"] = "apply_matrix"
    target: ObjectId
    matrix: tuple[tuple[float, float], tuple[float, float]]


class ShowVenn(_Creates):
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


class ShowTree(_Creates):
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
    | ClearScreen
    | Sweep
    | SweepTo
    | MorphPlot
    | BarChart
    | BarsTo
    | ShowInterval
    | ShowDots
    | ShowPlane
    | ApplyMatrix
    | ShowVenn
    | ShowTree,
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
        "sweep",
        "morph_plot",
        "bar_chart",
        "interval",
        "dots",
        "plane",
        "venn",
        "tree",
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
    for name in ("target", "axes", "graph", "from_id", "to_id", "number_line"):
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
