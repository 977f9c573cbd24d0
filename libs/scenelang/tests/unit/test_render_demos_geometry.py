"""The pure arithmetic of the demonstration actions and the figure plan's treatment of shapes on axes."""

import math

import pytest

from mathreel_scenelang.figure import plan_figures
from mathreel_scenelang.render.demos import geometry as g
from mathreel_scenelang.storyboard import Scene


def test_shapes_on_axes_stay_out_of_the_geometry_figure() -> None:
    scene = Scene.model_validate(
        {
            "id": "s",
            "beats": [
                {
                    "narration": "A point on a graph and a triangle.",
                    "actions": [
                        {"op": "axes", "id": "ax"},
                        {"op": "point", "id": "p", "at": [40, 40], "axes": "ax"},
                        {"op": "arrow", "id": "v", "start": [0, 0], "end": [30, 1], "axes": "ax"},
                        {"op": "polygon", "id": "t", "vertices": [[0, 0], [4, 0], [0, 3]]},
                    ],
                }
            ],
        }
    )
    (plan,) = plan_figures(scene)
    assert plan.points == [(0, 0), (4, 0), (0, 3)]


def test_a_line_is_clipped_to_the_graph_box() -> None:
    ends = g.clip_line((-3, 3), (-1, 9), 1.0, 1.0, 2.0)
    assert ends is not None
    (x0, y0), (x1, y1) = ends
    assert (x0, y0) == pytest.approx((0.0, -1.0))  # leaves through the bottom
    assert (x1, y1) == pytest.approx((3.0, 5.0))  # and through the right side
    assert g.clip_line((-3, 3), (-1, 9), 0.0, 20.0, 0.0) is None  # a level line above the box
    span = g.clip_line((-3, 3), (-1, 9), 0.0, 1.0, 0.0, span=1.0)
    assert span == ((-1.0, 1.0), (1.0, 1.0))


def test_segments_are_clipped_to_a_box() -> None:
    assert g.clip_segment((-2, 0), (2, 0), (-1, 1), (-1, 1)) == ((-1, 0), (1, 0))
    assert g.clip_segment((-2, -2), (2, 2), (-1, 1), (-1, 1)) == ((-1, -1), (1, 1))
    assert g.clip_segment((2, 2), (3, 3), (-1, 1), (-1, 1)) is None
    assert g.clip_segment((0, 5), (0, 6), (-1, 1), (-1, 1)) is None


def test_slope_by_central_difference() -> None:
    assert g.slope_at(lambda x: x * x, 1.5) == pytest.approx(3.0, abs=1e-6)
    assert math.isnan(g.slope_at(lambda x: math.nan, 0.0))


def test_a_morph_holds_each_stage_then_eases_to_the_next() -> None:
    assert g.morph_stage(0.0, 3) == (0, 0.0)
    assert g.morph_stage(0.1, 3) == (0, 0.0)  # still holding the first expression
    k, t = g.morph_stage(0.4, 3)
    assert k == 0
    assert 0 < t < 1
    assert g.morph_stage(0.5, 3) == (1, 0.0)  # the second expression, exactly
    assert g.morph_stage(1.0, 3) == (1, 1.0)
    ts = [g.morph_stage(a / 100, 4) for a in range(101)]
    assert ts == sorted(ts)  # never goes back


def test_a_matrix_part_way_is_between_identity_and_it() -> None:
    m = ((0.0, -1.0), (1.0, 0.0))
    assert g.matrix_at(m, 0.0) == ((1.0, 0.0), (0.0, 1.0))
    assert g.matrix_at(m, 1.0) == m
    assert g.apply(g.matrix_at(m, 0.5), (1.0, 0.0)) == (0.5, 0.5)
    assert g.apply(((2.0, 1.0), (0.0, 1.0)), (1.0, 2.0)) == (4.0, 2.0)


def test_chart_axis_tops_and_steps_are_round() -> None:
    assert g.nice_step(10) == 2
    assert g.nice_step(0.3) == pytest.approx(0.1)
    assert g.chart_top([3, 7, 4], None) == (8, 2)
    assert g.chart_top([0.2, 0.35], None) == (pytest.approx(0.4), pytest.approx(0.1))
    assert g.chart_top([3, 7], 10) == (10, 2)
    assert g.format_value(3.0) == "3"
    assert g.format_value(0.25) == "0.25"
    assert g.decimals_for([1, 2.5, 0.125]) == 3


def test_venn_region_texts_sit_in_exactly_their_regions() -> None:
    for sets in (2, 3):
        for region, spot in g.VENN_REGION_SPOTS[sets].items():
            assert g.in_circles(sets, spot) == region


def test_tree_leaves_take_rows_and_parents_sit_between_their_children() -> None:
    # root → (H → HH, HT), (T)
    positions = g.tree_positions({(): 2, (0,): 2, (1,): 0})
    assert positions[(0, 0)] == (2.0, 0.0)
    assert positions[(0, 1)] == (2.0, 1.0)
    assert positions[(1,)] == (1.0, 2.0)
    assert positions[(0,)] == (1.0, 0.5)
    assert positions[()] == (0.0, 1.25)


def test_the_emptiest_spot_avoids_curves_and_prefers_the_top_left() -> None:
    area = (0.0, 0.0, 10.0, 10.0)
    assert g.emptiest_spot([], area, (2.0, 1.0)) == (1.0, 9.5)
    # A curve along the top-left: the label moves along the top to the right.
    curve = [(x / 10, 9.5) for x in range(0, 60)]
    x, y = g.emptiest_spot(curve, area, (2.0, 1.0))
    assert y == 9.5
    assert x - 1.0 > 6.0 - 1.0


def test_a_spot_already_taken_by_a_label_is_left_alone() -> None:
    area = (0.0, 0.0, 10.0, 10.0)
    first = g.emptiest_spot([], area, (2.0, 1.0))
    second = g.emptiest_spot([], area, (2.0, 1.0), [g.spot_box(first, (2.0, 1.0))])
    assert second != first
    assert second[1] == first[1]  # still along the top


def test_a_label_goes_to_the_first_clear_box_else_the_least_covered() -> None:
    boxes = [(0.0, 0.0, 1.0, 1.0), (2.0, 0.0, 3.0, 1.0), (5.0, 0.0, 6.0, 1.0)]
    assert g.clearest(boxes, [(0.5, 0.5)]) == 1  # the first is covered, the second is clear
    assert g.clearest(boxes, []) == 0
    crowded = [(0.5, 0.5), (0.6, 0.5), (2.5, 0.5), (5.5, 0.5), (5.6, 0.5), (5.7, 0.5)]
    assert g.clearest(boxes, crowded) == 1  # nothing is clear: the one covering fewest points
