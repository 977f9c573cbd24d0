"""A column of working, built and laid out in-process (TeX runs): each line under the last, the relation symbols
one above the other, nothing overlapping, and a column taller than the frame scrolled rather than clipped."""

import itertools
from pathlib import Path
from typing import Any

import pytest
from manim import MathTex, Mobject, SurroundingRectangle, Text, tempconfig

from mathreel_scenelang.layout import MIN_GLYPH_PX, check_boxes
from mathreel_scenelang.render.config import configure
from mathreel_scenelang.render.objects import box_of, glyph_px
from mathreel_scenelang.storyboard import storyboard_adapter

from .scenes import even_timing
from .test_render_scene import low_quality_spec

pytestmark = pytest.mark.integration  # typesets with TeX


def _play(board: dict[str, Any], tmp_path: Path, after_beat: Any) -> Any:
    """Prepare every beat of the board's first scene, jump its steps to their end, and call ``after_beat``."""
    storyboard = storyboard_adapter.validate_python(board)
    spec = low_quality_spec(storyboard.scenes[0], even_timing(storyboard, 2.0), tmp_path)
    with tempconfig({}):
        configure(spec)
        from mathreel_scenelang.render.scene import StoryboardScene

        scene = StoryboardScene(spec)
        for index, beat in enumerate(spec.scene.beats):
            steps, _ = scene.prepare_beat(index, beat)
            for step in steps:
                scene.apply_instantly(step.build())
            scene.gather_parts()
            assert check_boxes(scene.measured_items(), scene.layout.safe, scene.layout.root) == []
            after_beat(scene, index)
        return scene


def _board(first: str, steps: list[dict[str, Any]], more: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    beats = [{"narration": "Solve it.", "actions": [{"op": "equation", "id": "eq", "latex": first, "region": "top"}]}]
    if more:
        beats[0]["actions"] += more
    beats += [
        {"narration": f"Step {n}.", "actions": [{"op": "step", "target": "eq", **step}]} for n, step in enumerate(steps)
    ]
    return {"title": "Working", "scenes": [{"id": "working", "beats": beats}]}


def _opacity(mob: Mobject) -> float:
    return min(float(part.get_fill_opacity()) for part in mob.family_members_with_points())


def _lines(scene: Any) -> list[tuple[MathTex, Mobject, Mobject]]:
    """Each line of the column: the formula, its relation symbol, and its whole row (note and box included)."""
    entry = scene.entries["eq"]
    relations = entry.extra["relations"]
    rows = list(scene.mob_of("eq").submobjects)
    assert len(rows) == len(relations)
    return [(row[0], row[0][relation], row) for row, relation in zip(rows, relations, strict=True)]


def test_each_line_goes_under_the_last_with_the_relations_aligned(tmp_path: Path) -> None:
    steps = [
        {"latex": "3x = 15", "note": "\u2212 5 from both sides", "highlight": ["15"]},
        {"latex": "x = 5", "note": "\u00f7 3", "box": True},
        {"latex": r"3 \cdot 5 + 5 = 20", "note": "check", "dim": False},
    ]
    seen: list[int] = []

    def after(scene: Any, index: int) -> None:
        if index == 0:
            return
        lines = _lines(scene)
        seen.append(len(lines))
        assert [line[1].get_tex_string() for line in lines] == ["="] * len(lines)
        xs = [line[1].get_center()[0] for line in lines]
        assert max(xs) - min(xs) < 1e-6  # the = signs stand one above the other
        rows = [box_of(row) for _, _, row in lines]
        for upper, lower in itertools.pairwise(rows):
            assert lower.y1 < upper.y0  # each line under the last, with a gap
        for formula, _, row in lines:
            for part in row.submobjects[1:]:
                if isinstance(part, Text):  # a note beside its line, clear of every formula
                    assert all(not box_of(part).overlaps(box_of(f)) for f, _, _ in lines)
                    assert box_of(part).x0 > box_of(formula).x1
        new_row = lines[-1][2]
        assert _opacity(new_row[0]) == pytest.approx(1.0)
        if index < 3:  # the lines above are dimmed, except under a step that keeps them
            assert all(_opacity(f) < 1.0 for f, _, _ in lines[:-1])
        readable = glyph_px(scene.mob_of("eq"))
        assert readable is not None
        assert readable >= MIN_GLYPH_PX

    scene = _play(_board("3x + 5 = 20", steps), tmp_path, after)
    assert seen == [2, 3, 4]
    (formula, _, answer_row), check = _lines(scene)[2], _lines(scene)[3]
    assert formula.get_tex_string().replace(" ", "") == "x=5"
    assert any(isinstance(part, SurroundingRectangle) for part in answer_row.submobjects)
    assert _opacity(formula) == pytest.approx(1.0)  # the check does not dim the boxed answer
    assert check[0].get_tex_string().replace(" ", "") == r"3\cdot5+5=20"


def test_a_column_taller_than_the_frame_scrolls_its_oldest_lines_away(tmp_path: Path) -> None:
    fractions = [rf"\frac{{1}}{{v}} = \frac{{1}}{{{n}}} - \frac{{1}}{{{n + 1}}}" for n in range(2, 12)]
    steps = [{"latex": latex, "note": f"line {n}"} for n, latex in enumerate(fractions)]
    counts: list[int] = []

    def after(scene: Any, index: int) -> None:
        if index == 0:
            return
        lines = _lines(scene)
        counts.append(len(lines))
        xs = [line[1].get_center()[0] for line in lines]
        assert max(xs) - min(xs) < 1e-6
        column = box_of(scene.mob_of("eq"))
        assert scene.layout.safe.contains(column)
        assert column.y0 > box_of(scene.mob_of("nl")).y1  # clear of the number line below it
        readable = glyph_px(scene.mob_of("eq"))
        assert readable is not None
        assert readable >= MIN_GLYPH_PX
        # The newest line is always the last one shown.
        assert lines[-1][0].get_tex_string().replace(" ", "") == fractions[index - 1].replace(" ", "")

    more = [{"op": "number_line", "id": "nl", "x_range": [0, 4, 1], "region": "bottom"}]
    _play(_board(r"\frac{1}{u} + \frac{1}{v} = \frac{1}{f}", steps, more), tmp_path, after)
    assert len(counts) == len(steps), counts
    assert counts[:2] == [2, 3]  # the column grows while it fits...
    assert counts[-1] < len(steps) + 1  # ...then its earliest lines scroll away...
    assert min(counts[2:]) >= 3  # ...and the last few stay readable together


def test_a_figure_beside_the_column_does_not_scroll_it(tmp_path: Path) -> None:
    steps = [
        {"latex": "3x = 6", "note": "add them"},
        {"latex": "x = 2", "note": "\u00f7 3", "box": True},
        {"latex": "y = 3", "note": "put x back", "box": True, "dim": False},
    ]
    counts: list[int] = []

    def after(scene: Any, index: int) -> None:
        if index:
            counts.append(len(_lines(scene)))
            assert not box_of(scene.mob_of("eq")).overlaps(scene.layout.items["ax"].box)

    more = [{"op": "axes", "id": "ax", "x_range": [-4, 8, 2], "y_range": [-4, 10, 2], "region": "right"}]
    board = _board("2x - y = 1", steps, more)
    board["scenes"][0]["beats"][0]["actions"][0]["region"] = "top_left"
    _play(board, tmp_path, after)
    assert counts == [2, 3, 4]  # every line kept: the axes stand beside the working, not under it


def test_cells_box_exactly_the_row_and_the_column_they_name(tmp_path: Path) -> None:
    board = {
        "title": "Row times column",
        "scenes": [
            {
                "id": "product",
                "beats": [
                    {
                        "narration": "Two matrices.",
                        "actions": [
                            {"op": "matrix", "id": "a", "rows": [["1", "2"], ["3", "4"]], "region": "left"},
                            {"op": "matrix", "id": "b", "rows": [["5", "6"], ["7", "8"]], "region": "right"},
                        ],
                    },
                    {
                        "narration": "Row two of A, column one of B.",
                        "actions": [
                            {"op": "cells", "id": "row", "target": "a", "rows": [1]},
                            {"op": "cells", "id": "column", "target": "b", "columns": [0]},
                        ],
                    },
                ],
            }
        ],
    }

    def inside(inner: Any, outer: Any) -> bool:
        return bool(outer.x0 <= inner.x0 and inner.x1 <= outer.x1 and outer.y0 <= inner.y0 and inner.y1 <= outer.y1)

    def after(scene: Any, index: int) -> None:
        if index == 0:
            return
        a, b = scene.mob_of("a"), scene.mob_of("b")
        (row_box,) = scene.mob_of("row").submobjects
        (column_box,) = scene.mob_of("column").submobjects
        row, column = box_of(row_box), box_of(column_box)
        assert all(inside(box_of(entry), row) for entry in a.get_rows()[1])
        assert not any(inside(box_of(entry), row) for entry in a.get_rows()[0])
        assert all(inside(box_of(entry), column) for entry in b.get_columns()[0])
        assert not any(inside(box_of(entry), column) for entry in b.get_columns()[1])

    _play(board, tmp_path, after)


def test_a_short_column_is_set_large_enough_to_fill_the_frame_without_scrolling(tmp_path: Path) -> None:
    """Five lines of working alone in their scene are set larger than a lone formula, so that the finished column
    reaches down most of the frame: not stuck small at the top, yet clear of the caption strip at the bottom, inside
    the safe area, with every line kept."""
    from mathreel_scenelang.render.builders.equations import CAPTION_ROOM

    steps = [
        {"latex": "3x + 5 - 5 = 20 - 5", "note": "\u2212 5 on both sides"},
        {"latex": "3x = 15", "highlight": ["15"]},
        {"latex": r"\frac{3x}{3} = \frac{15}{3}", "note": "\u00f7 3 on both sides"},
        {"latex": "x = 5", "box": True},
        {"latex": r"3 \cdot 5 + 5 = 20", "note": "check", "dim": False},
    ]
    counts: list[int] = []

    def after(scene: Any, index: int) -> None:
        if index:
            counts.append(len(_lines(scene)))

    scene = _play(_board("3x + 5 = 20", steps), tmp_path, after)
    assert counts == [2, 3, 4, 5, 6]  # nothing scrolled away
    column = box_of(scene.mob_of("eq"))
    safe = scene.layout.safe
    assert column.height >= 0.8 * (safe.height - CAPTION_ROOM)
    assert column.y0 >= safe.y0 + CAPTION_ROOM - 1e-6
    assert safe.contains(column)
    lone = MathTex("3x + 5 = 20", font_size=60)
    first_line = _lines(scene)[0][0]
    assert first_line.height > 1.1 * lone.height  # set larger than the normal formula size


def test_a_column_as_wide_as_the_frame_spreads_its_lines_to_fill_the_height(tmp_path: Path) -> None:
    """A column whose check line nearly spans the frame cannot grow much; its lines move apart instead, so the
    finished column still reaches down most of the frame, every line kept, inside the safe area."""
    from mathreel_scenelang.render.builders.equations import CAPTION_ROOM

    steps = [
        {"latex": "-0.15 m + 20 = 5", "note": "\u2212 0.25 m from both sides", "highlight": ["-0.15 m"]},
        {"latex": "-0.15 m = -15", "note": "\u2212 20 from both sides", "highlight": ["-15"]},
        {"latex": "m = 100", "note": "\u00f7 (\u22120.15)", "highlight": ["100"], "box": True},
        {"latex": "20 + 0.1 (100) = 30 = 5 + 0.25 (100)", "note": "check", "dim": False},
    ]
    counts: list[int] = []

    def after(scene: Any, index: int) -> None:
        if index:
            counts.append(len(_lines(scene)))

    scene = _play(_board("20 + 0.1 m = 5 + 0.25 m", steps), tmp_path, after)
    assert counts == [2, 3, 4, 5]
    column = box_of(scene.mob_of("eq"))
    safe = scene.layout.safe
    assert column.height >= 0.75 * (safe.height - CAPTION_ROOM)
    assert column.y0 >= safe.y0 + CAPTION_ROOM - 1e-6
    assert safe.contains(column)


def test_two_steps_in_one_beat_apply_instantly_as_the_preflight_applies_them(tmp_path: Path) -> None:
    """The preflight (and a beat too short to animate) builds every animation of a beat and jumps each to its end:
    a second step in the beat transforms rows of the first step's column that are not on screen as rows yet."""
    board = _board("x + y = 10", [])
    board["scenes"][0]["beats"].append(
        {
            "narration": "Two steps.",
            "actions": [
                {"op": "step", "target": "eq", "latex": "x = 10 - y", "note": "\u2212 y"},
                {"op": "step", "target": "eq", "latex": "x = 4", "note": "y = 6", "box": True},
            ],
        }
    )
    storyboard = storyboard_adapter.validate_python(board)
    spec = low_quality_spec(storyboard.scenes[0], even_timing(storyboard, 2.0), tmp_path)
    with tempconfig({}):
        configure(spec)
        from mathreel_scenelang.render.scene import StoryboardScene

        scene = StoryboardScene(spec)
        scene.preflight()
        assert [beat["checks"]["passed"] for beat in scene.report["beats"]] == [True, True]
        assert len(_lines(scene)) == 3
        assert scene.is_shown(scene.entries["eq"].mob)
