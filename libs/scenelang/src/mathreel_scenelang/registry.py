"""One entry per action: everything the language, the script service and the renderer need to know about it.

An entry names the action's model, the function that builds it on screen, its default colour, the natural run time
of its animation, how the layout places what it creates and which of its fields name other objects. Adding an
action is its module (model and builder) plus one line in :data:`ACTIONS`; an entry with a piece missing or
inconsistent fails here, at import, rather than falling back to a default somewhere downstream.

Builders are named as ``"package.module:function"`` (or given as the function itself) so that this module, and with
it the storyboard models, never imports Manim: ``mathreel_scenelang.render`` resolves them, and fails at its own
import when one does not resolve.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

from pydantic import Field

from mathreel_scenelang.actions.annotations import ShowArrow, ShowBrace
from mathreel_scenelang.actions.charts import BarChart, BarsTo, ShowDots
from mathreel_scenelang.actions.diagrams import ShowTree, ShowVenn
from mathreel_scenelang.actions.emphasis import Circumscribe, ClearScreen, Indicate, Move, Recolor, Remove
from mathreel_scenelang.actions.equations import ShowEquation, TransformEquation, WriteStep
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
    SweepTo,
)
from mathreel_scenelang.actions.plane import ApplyMatrix, ShowPlane
from mathreel_scenelang.actions.tables import ShowCells, ShowMatrix, ShowTable
from mathreel_scenelang.actions.text import ShowBullets, ShowText, ShowTitle
from mathreel_scenelang.base import ActionModel, Color, CreatingAction

# How the layout places what an action creates:
#   region:    by its own ``region`` (a text, a formula, axes, a table); the figure keeps clear of these regions
#   plane:     on the scene's geometry plane, fitted as one figure (points, segments, polygons, circles, angles)
#   attached:  on what it annotates, and moving with it (a plot on its axes, a brace under its target); it does not
#              count as one more object on screen
#   connector: between two points or objects (an arrow)
Placement = Literal["region", "plane", "attached", "connector"]


@dataclass(frozen=True)
class ActionSpec:
    """Everything about one action. ``color`` and ``placement`` are None exactly for actions that create nothing."""

    model: type[ActionModel]
    builder: str | Callable[..., Any]
    run_time: float
    color: Color | None
    placement: Placement | None
    refs: tuple[str, ...]
    op: str = field(init=False)

    def __post_init__(self) -> None:
        name = getattr(self.model, "__name__", repr(self.model))
        op_field = self.model.model_fields.get("op") if isinstance(self.model, type) else None
        op = op_field.default if op_field is not None else None
        if not isinstance(op, str) or typing.get_args(op_field.annotation if op_field else None) != (op,):
            raise TypeError(f"{name}: an action model needs an op field typed Literal['<op>'] with that default")
        object.__setattr__(self, "op", op)
        creates = issubclass(self.model, CreatingAction)
        if creates != (self.placement is not None) or creates != (self.color is not None):
            raise TypeError(
                f"{op}: an action that creates an object (a CreatingAction) needs a default color and a placement; "
                "any other action has neither"
            )
        if not self.run_time > 0:
            raise TypeError(f"{op}: run_time must be a positive number of seconds")
        if isinstance(self.builder, str) and not _is_reference(self.builder):
            raise TypeError(f"{op}: builder {self.builder!r} is not 'package.module:function'")
        for ref in self.refs:
            if ref not in self.model.model_fields:
                raise TypeError(f"{op}: refs names {ref!r}, which is not a field of {name}")

    @property
    def creates(self) -> bool:
        return self.placement is not None

    @property
    def attaches(self) -> bool:
        """Whether what it creates sits on what it annotates (and does not count as an object of its own)."""
        return self.placement == "attached"

    def references(self, action: ActionModel) -> list[str]:
        """The ids ``action`` names in its reference fields, in the order the fields are listed."""
        found: list[str] = []
        for name in self.refs:
            value = getattr(action, name)
            if isinstance(value, str):
                found.append(value)
            elif isinstance(value, list):
                found.extend(value)
        return found


def _is_reference(text: str) -> bool:
    module, _, attr = text.partition(":")
    return bool(module) and bool(attr) and all(part.isidentifier() for part in [*module.split("."), *attr.split(".")])


class Registry:
    """The actions of the language, by op."""

    def __init__(self, specs: Iterable[ActionSpec]) -> None:
        self._specs: dict[str, ActionSpec] = {}
        for spec in specs:
            if spec.op in self._specs:
                raise TypeError(f"action '{spec.op}' is registered twice")
            self._specs[spec.op] = spec

    def __getitem__(self, op: str) -> ActionSpec:
        return self._specs[op]

    def __contains__(self, op: object) -> bool:
        return op in self._specs

    def __iter__(self) -> Iterator[ActionSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def spec_of(self, action: ActionModel) -> ActionSpec:
        return self._specs[action.op]

    def references(self, action: ActionModel) -> list[str]:
        """The ids of the objects ``action`` refers to (its target, axes, graph, arrow ends, removal targets)."""
        return self.spec_of(action).references(action)

    @property
    def creating_ops(self) -> frozenset[str]:
        return frozenset(spec.op for spec in self if spec.creates)

    @property
    def models(self) -> tuple[type[ActionModel], ...]:
        return tuple(spec.model for spec in self)

    def action_type(self) -> Any:
        """The pydantic type of one action: the union of every model, told apart by ``op``."""
        return Annotated[Union[self.models], Field(discriminator="op")]  # noqa: UP007 (a union built at run time)

    def extended(self, *specs: ActionSpec) -> Registry:
        """This registry and ``specs`` (for a language built on this one; tests add toy actions this way)."""
        return Registry([*self, *specs])


def _builder(family: str, name: str) -> str:
    return f"mathreel_scenelang.render.builders.{family}:build_{name}"


# fmt: off
ACTIONS = Registry([
    ActionSpec(ShowTitle, _builder("text", "title"), run_time=1.2, color="white", placement="region", refs=()),
    ActionSpec(ShowText, _builder("text", "text"), run_time=1.0, color="white", placement="region", refs=()),
    ActionSpec(ShowBullets, _builder("text", "bullets"), run_time=1.6, color="white", placement="region", refs=()),
    ActionSpec(ShowEquation, _builder("equations", "equation"), run_time=1.2, color="white", placement="region",
               refs=()),
    ActionSpec(TransformEquation, _builder("equations", "transform"), run_time=1.2, color=None, placement=None,
               refs=("target",)),
    ActionSpec(WriteStep, _builder("equations", "step"), run_time=1.4, color=None, placement=None, refs=("target",)),
    ActionSpec(ShowPoint, _builder("geometry", "point"), run_time=0.5, color="yellow", placement="plane",
               refs=("axes",)),
    ActionSpec(ShowSegment, _builder("geometry", "segment"), run_time=0.8, color="white", placement="plane",
               refs=("axes",)),
    ActionSpec(ShowPolygon, _builder("geometry", "polygon"), run_time=1.2, color="blue", placement="plane",
               refs=("axes",)),
    ActionSpec(ShowCircle, _builder("geometry", "circle"), run_time=1.0, color="teal", placement="plane", refs=()),
    ActionSpec(ShowAngle, _builder("geometry", "angle"), run_time=0.8, color="orange", placement="plane", refs=()),
    ActionSpec(ShowAxes, _builder("graphs", "axes"), run_time=1.2, color="grey", placement="region", refs=()),
    ActionSpec(PlotFunction, _builder("graphs", "plot"), run_time=1.5, color="yellow", placement="attached",
               refs=("axes",)),
    ActionSpec(ShadeArea, _builder("graphs", "area"), run_time=1.0, color="blue", placement="attached",
               refs=("graph",)),
    ActionSpec(ShowTangent, _builder("graphs", "tangent"), run_time=0.8, color="orange", placement="attached",
               refs=("graph",)),
    ActionSpec(ShowNumberLine, _builder("graphs", "number_line"), run_time=1.0, color="white", placement="region",
               refs=()),
    ActionSpec(ShowMatrix, _builder("tables", "matrix"), run_time=1.2, color="white", placement="region", refs=()),
    ActionSpec(ShowTable, _builder("tables", "table"), run_time=1.4, color="white", placement="region", refs=()),
    ActionSpec(ShowCells, _builder("tables", "cells"), run_time=0.8, color="yellow", placement="attached",
               refs=("target",)),
    ActionSpec(ShowArrow, _builder("annotations", "arrow"), run_time=0.8, color="white", placement="connector",
               refs=("axes", "from_id", "to_id")),
    ActionSpec(ShowBrace, _builder("annotations", "brace"), run_time=0.8, color="grey", placement="attached",
               refs=("target",)),
    ActionSpec(Indicate, _builder("emphasis", "indicate"), run_time=1.0, color=None, placement=None, refs=("target",)),
    ActionSpec(Circumscribe, _builder("emphasis", "circumscribe"), run_time=1.2, color=None, placement=None,
               refs=("target",)),
    ActionSpec(Recolor, _builder("emphasis", "color"), run_time=0.6, color=None, placement=None, refs=("target",)),
    ActionSpec(Move, _builder("emphasis", "move"), run_time=1.0, color=None, placement=None, refs=("target",)),
    ActionSpec(Remove, _builder("emphasis", "remove"), run_time=0.6, color=None, placement=None, refs=("targets",)),
    ActionSpec(ClearScreen, _builder("emphasis", "clear"), run_time=0.6, color=None, placement=None, refs=()),
    ActionSpec(Sweep, _builder("graphs", "sweep"), run_time=6.0, color="yellow", placement="attached",
               refs=("graph",)),
    ActionSpec(SweepTo, _builder("graphs", "sweep_to"), run_time=5.0, color=None, placement=None, refs=("target",)),
    ActionSpec(MorphPlot, _builder("graphs", "morph_plot"), run_time=6.0, color="yellow", placement="attached",
               refs=("axes",)),
    ActionSpec(BarChart, _builder("charts", "bar_chart"), run_time=1.5, color="blue", placement="region", refs=()),
    ActionSpec(BarsTo, _builder("charts", "bars_to"), run_time=4.0, color=None, placement=None, refs=("target",)),
    ActionSpec(ShowInterval, _builder("graphs", "interval"), run_time=1.0, color="green", placement="attached",
               refs=("number_line",)),
    ActionSpec(ShowDots, _builder("charts", "dots"), run_time=1.2, color="blue", placement="region", refs=()),
    ActionSpec(ShowPlane, _builder("plane", "plane"), run_time=1.2, color="blue", placement="region", refs=()),
    ActionSpec(ApplyMatrix, _builder("plane", "apply_matrix"), run_time=5.0, color=None, placement=None,
               refs=("target",)),
    ActionSpec(ShowVenn, _builder("diagrams", "venn"), run_time=1.5, color="blue", placement="region", refs=()),
    ActionSpec(ShowTree, _builder("diagrams", "tree"), run_time=1.8, color="white", placement="region", refs=()),
])
# fmt: on
