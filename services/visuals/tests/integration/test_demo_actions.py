"""The demonstration actions built in-process through the real scene builder (Manim and LaTeX, no frames written):
shapes on axes, sweeps, morphing graphs, charts, intervals, dot arrays, plane maps, Venn diagrams and trees."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from manim import tempconfig

from mathreel_shared.storyboard import Storyboard, storyboard_adapter
from mathreel_visuals.layout import check_boxes
from mathreel_visuals.scene_runner import configure
from mathreel_visuals.spec import RenderSpec

from ..unit.scenes import even_timing

pytestmark = pytest.mark.integration


def board(*beats: list[dict[str, Any]]) -> Storyboard:
    return storyboard_adapter.validate_python(
        {
            "title": "Demo",
            "scenes": [{"id": "s", "beats": [{"narration": f"Beat {i}.", "actions": a} for i, a in enumerate(beats)]}],
        }
    )


def play_instantly(storyboard: Storyboard, tmp_path: Path) -> Any:
    """Build and lay out every beat, jumping each step to its end state; return the scene."""
    spec = RenderSpec(
        scene=storyboard.scenes[0],
        timing=even_timing(storyboard, 2.0),
        width=854,
        height=480,
        fps=15,
        media_dir=str(tmp_path / "media"),
        report_path=str(tmp_path / "outcome.json"),
    )
    with tempconfig({}):
        configure(spec)
        from mathreel_visuals.scene_builder import StoryboardScene

        scene = StoryboardScene(spec)
        for index, beat in enumerate(spec.scene.beats):
            steps, report = scene.prepare_beat(index, beat)
            assert report["checks"]["passed"]
            scene.apply_instantly([a for s in steps for a in s.build()])
            scene.gather_parts()
            assert check_boxes(scene.measured_items(), scene.layout.safe, scene.layout.root) == []
        return scene


AXES = {"op": "axes", "id": "ax", "x_range": [-1, 5, 1], "y_range": [-1, 9, 1]}
PLOT = {"op": "plot", "id": "g", "axes": "ax", "expression": "x^2/2"}


def test_shapes_with_axes_are_drawn_in_the_axes_coordinates(tmp_path: Path) -> None:
    scene = play_instantly(
        board(
            [AXES, PLOT],
            [
                {"op": "point", "id": "p", "at": [2, 2], "axes": "ax"},
                {"op": "segment", "id": "drop", "start": [2, 0], "end": [2, 2], "dashed": True, "axes": "ax"},
                {"op": "arrow", "id": "v", "start": [0, 0], "end": [3, 4], "axes": "ax"},
                {"op": "polygon", "id": "tri", "vertices": [[3, 0], [4, 0], [4, 8]], "axes": "ax"},
            ],
        ),
        tmp_path,
    )
    axes = scene.entries["ax"].extra["axes"]
    assert not any(oid.startswith("_figure") for oid in scene.entries)  # no separate geometry figure
    assert np.allclose(scene.entries["p"].mob.get_center(), axes.c2p(2, 2), atol=1e-6)
    drop = scene.entries["drop"].mob[0]
    assert np.allclose(drop.get_start(), axes.c2p(2, 0), atol=1e-6)
    assert np.allclose(drop.get_end(), axes.c2p(2, 2), atol=1e-6)
    arrow = scene.entries["v"].mob[0]
    assert np.allclose(arrow.get_start(), axes.c2p(0, 0), atol=1e-6)
    assert np.allclose(arrow.get_end(), axes.c2p(3, 4), atol=1e-6)
    corners = scene.entries["tri"].mob[0].get_vertices()
    assert np.allclose(corners[2], axes.c2p(4, 8), atol=1e-6)
    assert {scene.layout.root(oid) for oid in ("p", "drop", "v", "tri")} == {"ax"}
