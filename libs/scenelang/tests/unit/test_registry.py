"""The action registry: one entry per action, complete or refused at import, and enough to add an action."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from manim import tempconfig
from pydantic import TypeAdapter, ValidationError

from mathreel_scenelang.base import ActionModel, CreatingAction
from mathreel_scenelang.registry import ACTIONS, ActionSpec
from mathreel_scenelang.render.config import configure
from mathreel_scenelang.render.scene import BUILDERS, StoryboardScene
from mathreel_scenelang.render.spec import RenderSpec
from mathreel_scenelang.storyboard import Beat, Scene, ShowBrace, ShowText
from mathreel_shared.timing import BeatTiming, SceneTiming

from .toy_action import ShowStar, build_star

# The toy action's one registry line.
TOY_ACTIONS = ACTIONS.extended(
    ActionSpec(ShowStar, build_star, run_time=0.7, color="pink", placement="region", refs=())
)


def test_every_action_has_a_builder_resolved_at_import() -> None:
    assert set(BUILDERS) == {spec.op for spec in ACTIONS}
    assert all(callable(builder) for builder in BUILDERS.values())


def test_the_toy_action_needs_only_its_module_and_one_registry_line(tmp_path: Path) -> None:
    parsed = TypeAdapter(TOY_ACTIONS.action_type()).validate_python({"op": "star", "id": "s", "size": 2})
    assert parsed == ShowStar(id="s", size=2)
    assert "star" in TOY_ACTIONS.creating_ops
    assert "star" not in ACTIONS
    # The storyboard models know ACTIONS, not this extended registry: the scene is assembled without them.
    beat = Beat.model_construct(narration="A star.", actions=[parsed])
    scene = Scene.model_construct(id="toy", title=None, kind="other", beats=[beat])
    spec = RenderSpec.model_construct(
        scene=scene,
        timing=SceneTiming(scene_index=0, duration=2.0, beats=[BeatTiming(start=0, duration=2.0, text="A star.")]),
        width=854,
        height=480,
        fps=15,
        media_dir=str(tmp_path / "media"),
        report_path=str(tmp_path / "outcome.json"),
    )
    with tempconfig({}):
        configure(spec)
        built = StoryboardScene(spec, registry=TOY_ACTIONS)
        steps, report = built.prepare_beat(0, beat)

    assert [(step.op, step.run_time) for step in steps] == [("star", 0.7)]
    assert [obj["id"] for obj in report["objects"]] == ["s"]
    assert built.entries["s"].op == "star"
    assert built.entries["s"].mob.get_color().to_hex().upper() == "#F4A6C6"  # the registry's default: pink


def test_references_are_found_from_the_registry_fields() -> None:
    assert ACTIONS.references(ShowBrace(id="b", target="eq")) == ["eq"]
    assert ACTIONS.references(ShowText(id="t", text="hi")) == []
    assert ACTIONS["arrow"].refs == ("axes", "from_id", "to_id")  # axes: a vector drawn in a graph's coordinates
    assert ACTIONS["remove"].refs == ("targets",)


def test_only_creating_actions_have_a_colour_and_a_placement() -> None:
    for spec in ACTIONS:
        creates = issubclass(spec.model, CreatingAction)
        assert spec.creates == creates == (spec.color is not None)
    attached = {spec.op for spec in ACTIONS if spec.attaches}
    assert attached == {"plot", "area", "tangent", "brace", "cells", "sweep", "morph_plot", "interval"}


class _Wave(ActionModel):
    op: Literal["wave"] = "wave"


class _Dot(CreatingAction):
    op: Literal["dot"] = "dot"


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"model": _Dot, "color": None, "placement": "region"}, "default color"),
        ({"model": _Dot, "color": "red", "placement": None}, "placement"),
        ({"model": _Wave, "color": "red", "placement": None}, "neither"),
        ({"model": _Wave, "run_time": 0.0}, "run_time"),
        ({"model": _Wave, "refs": ("target",)}, "not a field"),
        ({"model": _Wave, "builder": "no module"}, "package.module:function"),
    ],
)
def test_an_incomplete_entry_is_refused_when_it_is_made(kwargs: dict[str, object], complaint: str) -> None:
    entry: dict[str, object] = {
        "builder": "toy:build",
        "run_time": 1.0,
        "color": None,
        "placement": None,
        "refs": (),
        **kwargs,
    }
    with pytest.raises(TypeError, match=complaint):
        ActionSpec(**entry)  # type: ignore[arg-type]


def test_an_action_registered_twice_is_refused() -> None:
    with pytest.raises(TypeError, match="twice"):
        ACTIONS.extended(ACTIONS["text"])


def test_a_builder_that_does_not_exist_fails_when_the_renderer_loads_it() -> None:
    from mathreel_scenelang.render.scene import resolve_builders

    broken = ACTIONS.extended(
        ActionSpec(_Wave, "mathreel_scenelang.render.builders.text:build_wave", 1.0, None, None, ())
    )
    with pytest.raises(ImportError, match="build_wave"):
        resolve_builders(broken)


def test_unknown_ops_are_not_actions() -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(ACTIONS.action_type()).validate_python({"op": "star", "id": "s"})
