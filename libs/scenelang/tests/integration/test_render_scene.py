"""Every action of the storyboard language, built and laid out in-process without writing frames (TeX runs)."""

import typing
from pathlib import Path

import numpy as np
import pytest
from manim import tempconfig

from mathreel_scenelang.layout import check_boxes
from mathreel_scenelang.render.config import configure
from mathreel_scenelang.render.spec import RenderSpec
from mathreel_scenelang.storyboard import Action, Scene, storyboard_adapter
from mathreel_shared.timing import SceneTiming

from .scenes import VOCABULARY, even_timing

pytestmark = pytest.mark.integration  # typesets with TeX: tens of seconds


def low_quality_spec(scene: Scene, timing: SceneTiming, tmp_path: Path) -> RenderSpec:
    """What the render subprocess would get for ``scene`` at 480p15, with its files under ``tmp_path``."""
    return RenderSpec(
        scene=scene,
        timing=timing,
        width=854,
        height=480,
        fps=15,
        media_dir=str(tmp_path / "media"),
        report_path=str(tmp_path / "outcome.json"),
    )


def _all_ops() -> set[str]:
    union = typing.get_args(Action)[0]
    return {typing.get_args(model.model_fields["op"].annotation)[0] for model in typing.get_args(union)}


def test_vocabulary_scene_uses_every_action() -> None:
    used = {a.op for beat in VOCABULARY.scenes[0].beats for a in beat.actions}
    assert used == _all_ops()


def test_every_action_builds_and_lays_out_cleanly(tmp_path: Path) -> None:
    spec = low_quality_spec(VOCABULARY.scenes[0], even_timing(VOCABULARY, 2.0), tmp_path)
    with tempconfig({}):
        configure(spec)
        from mathreel_scenelang.render.scene import StoryboardScene

        scene = StoryboardScene(spec)
        for index, beat in enumerate(spec.scene.beats):
            steps, report = scene.prepare_beat(index, beat)
            measured = scene.measured_items()
            assert report["checks"]["objects"] == len(measured)
            assert check_boxes(measured, scene.layout.safe, scene.layout.root) == []
            assert len(steps) >= len(beat.actions) - 1  # a move of nothing on screen may add no step
            # Jump each step to its end state, as a beat too short to animate would.
            for step in steps:
                scene.apply_instantly(step.build())
            scene.gather_parts()
            shown = {oid for oid, entry in scene.entries.items() if scene.is_shown(entry.mob)}
            assert shown >= {oid for oid in scene.entries if not oid.startswith("_")}
            assert check_boxes(scene.measured_items(), scene.layout.safe, scene.layout.root) == []

    assert scene.report["warnings"] == []
    ops_on_screen = {entry.op for entry in scene.entries.values()}
    assert ops_on_screen == {"matrix", "table"}  # the last beat removed the number line


def test_crowded_beats_are_fixed_not_failed(tmp_path: Path) -> None:
    long = "This sentence is deliberately long so that it cannot fit on one line of the frame at a readable size."
    board = storyboard_adapter.validate_python(
        {
            "title": "Crowded",
            "scenes": [
                {
                    "id": "crowded",
                    "beats": [
                        {
                            "narration": "Everything in the middle.",
                            "actions": [
                                {"op": "title", "id": "t", "text": "A title that is rather long for one line"},
                                *({"op": "text", "id": f"p{i}", "text": long, "region": "center"} for i in range(4)),
                            ],
                        },
                        {
                            "narration": "And more.",
                            "actions": [{"op": "text", "id": f"q{i}", "text": long, "region": "top"} for i in range(3)],
                        },
                    ],
                }
            ],
        }
    )
    spec = low_quality_spec(board.scenes[0], even_timing(board, 3.0), tmp_path)
    with tempconfig({}):
        configure(spec)
        from mathreel_scenelang.render.scene import StoryboardScene

        scene = StoryboardScene(spec)
        reports = []
        for index, beat in enumerate(spec.scene.beats):
            steps, report = scene.prepare_beat(index, beat)
            for step in steps:
                scene.apply_instantly(step.build())
            scene.gather_parts()
            reports.append(report)
            assert check_boxes(scene.measured_items(), scene.layout.safe, scene.layout.root) == []

    actions = [fix["action"] for report in reports for fix in report["fixes"]]
    assert "reflow" in actions  # long lines were re-wrapped
    assert "fade" in actions  # the second beat had to let older text go
    # What is still on screen is readable at 480p.
    assert all(o.get("glyph_px", 99) >= 10 for o in reports[-1]["objects"])
    assert {"q0", "q1", "q2"} <= {o["id"] for o in reports[-1]["objects"]}


def test_shapes_slide_in_plane_units_onto_one_figure(tmp_path: Path) -> None:
    """The rearrangement proof: triangles drawn in one beat and slid in another meet exactly, edge to edge."""
    board = storyboard_adapter.validate_python(
        {
            "title": "Rearrangement",
            "scenes": [
                {
                    "id": "rearrangement",
                    "beats": [
                        {
                            "narration": "Four triangles.",
                            "actions": [
                                {"op": "polygon", "id": "t1", "vertices": [[-2, -2], [-0.5, -2], [-2, 0.5]]},
                                {"op": "polygon", "id": "t3", "vertices": [[2, -0.5], [2, 2], [0.5, 2]]},
                            ],
                        },
                        {
                            "narration": "An equation above.",
                            "actions": [{"op": "equation", "id": "eq", "latex": "a^2+b^2=c^2", "region": "top"}],
                        },
                        {
                            "narration": "Slide them.",
                            "actions": [
                                {"op": "move", "target": "t1", "shift": [0, 1.5]},
                                {"op": "move", "target": "t3", "shift": [-2.5, 0]},
                            ],
                        },
                    ],
                }
            ],
        }
    )
    spec = low_quality_spec(board.scenes[0], even_timing(board, 2.0), tmp_path)
    with tempconfig({}):
        configure(spec)
        from mathreel_scenelang.render.scene import StoryboardScene

        scene = StoryboardScene(spec)
        for index, beat in enumerate(spec.scene.beats):
            steps, report = scene.prepare_beat(index, beat)
            measured = scene.measured_items()
            assert report["checks"]["objects"] == len(measured)
            assert check_boxes(measured, scene.layout.safe, scene.layout.root) == []
            for step in steps:
                scene.apply_instantly(step.build())
            scene.gather_parts()
        plane = scene.plane
        assert plane is not None
        t1 = scene.entries["t1"].mob.submobjects[0].get_vertices()
        t3 = scene.entries["t3"].mob.submobjects[0].get_vertices()
        expected_t1 = [plane.to_scene(p) for p in [(-2, -0.5), (-0.5, -0.5), (-2, 2)]]
        expected_t3 = [plane.to_scene(p) for p in [(-0.5, -0.5), (-0.5, 2), (-2, 2)]]
        for got, want in ((t1, expected_t1), (t3, expected_t3)):
            for corner in want:
                assert min(float(np.linalg.norm(v - corner)) for v in got) < 1e-6
        # The figure sits below the equation, not under it.
        figure = scene.layout.group_box(plane.item_id)
        assert figure.y1 <= scene.layout.items["eq"].box.y0 + 1e-6


def test_a_long_title_wraps_into_even_centred_lines(tmp_path: Path) -> None:
    storyboard = storyboard_adapter.validate_python(
        {
            "title": "t",
            "scenes": [
                {
                    "id": "s",
                    "beats": [
                        {
                            "narration": "Welcome.",
                            "actions": [
                                {
                                    "op": "title",
                                    "id": "t",
                                    "region": "center",
                                    "text": "Why the Pythagorean Theorem Holds for Every Right Triangle",
                                    "subtitle": "Squares on the sides of a right triangle, and why their areas add up",
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    )
    spec = low_quality_spec(storyboard.scenes[0], even_timing(storyboard, 2.0), tmp_path)
    with tempconfig({}):
        configure(spec)
        from mathreel_scenelang.render.scene import StoryboardScene

        scene = StoryboardScene(spec)
        scene.prepare_beat(0, spec.scene.beats[0])
        title, subtitle = scene.entries["t"].mob.submobjects

    for block in (title, subtitle):
        rows = block.submobjects
        assert len(rows) == 2, "each wraps onto two lines"
        centres = [row.get_center()[0] for row in rows]
        assert np.ptp(centres) < 0.05, f"lines centred under each other: {centres}"
        widths = sorted(row.width for row in rows)
        assert widths[0] > 0.6 * widths[1], f"balanced lines, no lone last word: {widths}"


def test_an_area_as_rectangles_is_a_riemann_sum_at_the_midpoints(tmp_path: Path) -> None:
    storyboard = storyboard_adapter.validate_python(
        {
            "title": "t",
            "scenes": [
                {
                    "id": "s",
                    "beats": [
                        {
                            "narration": "Slices.",
                            "actions": [
                                {"op": "axes", "id": "ax", "x_range": [0, 3, 1], "y_range": [0, 9, 1]},
                                {"op": "plot", "id": "g", "axes": "ax", "expression": "x**2"},
                                {"op": "area", "id": "r", "graph": "g", "x_range": [0, 2], "rectangles": 4},
                            ],
                        }
                    ],
                }
            ],
        }
    )
    spec = low_quality_spec(storyboard.scenes[0], even_timing(storyboard, 2.0), tmp_path)
    with tempconfig({}):
        configure(spec)
        from mathreel_scenelang.render.scene import StoryboardScene

        scene = StoryboardScene(spec)
        scene.prepare_beat(0, spec.scene.beats[0])
        from mathreel_scenelang.render.builders.graphs import axes_of

        axes = axes_of(scene, "ax")
        rectangles = scene.entries["r"].mob.submobjects
        tops = [float(axes.p2c(r.get_top())[1]) for r in rectangles]
        lefts = [float(axes.p2c(r.get_left())[0]) for r in rectangles]

    assert len(rectangles) == 4
    assert lefts == pytest.approx([0.0, 0.5, 1.0, 1.5], abs=0.02)
    assert tops == pytest.approx([0.0625, 0.5625, 1.5625, 3.0625], abs=0.05)  # (midpoint)^2
