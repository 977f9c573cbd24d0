"""The figure model: one plane per stretch of a scene, fitted up front to every coordinate it will use."""

import pytest

from mathreel_scenelang.figure import FIGURE_MARGIN, free_area, moved_points, plan_figures, region_room
from mathreel_scenelang.layout import Layout
from mathreel_scenelang.storyboard import Move, Scene, storyboard_adapter


def _scene(*beats: list[dict[str, object]]) -> Scene:
    board = storyboard_adapter.validate_python(
        {"title": "t", "scenes": [{"id": "s", "beats": [{"narration": "x.", "actions": b} for b in beats]}]}
    )
    return board.scenes[0]


def test_moves_are_planned_in_plane_units() -> None:
    moved = moved_points([(0, 0), (2, 0), (0, 1)], Move(target="t", shift=(1, -1)))
    assert moved == [(1, -1), (3, -1), (1, 0)]
    turned = moved_points([(0, 0), (2, 0)], Move(target="t", rotate_degrees=90))
    assert turned[0] == pytest.approx((1, -1))
    assert turned[1] == pytest.approx((1, 1))


def test_the_plane_covers_where_shapes_will_be_moved() -> None:
    scene = _scene(
        [{"op": "polygon", "id": "tri", "vertices": [[0, 0], [1, 0], [0, 1]]}],
        [{"op": "move", "target": "tri", "shift": [5, 0]}],
    )
    (plan,) = plan_figures(scene)
    x0, y0, x1, y1 = plan.bounds()
    assert (x0, x1) == (0, 6)  # the slid triangle is inside the plane fitted before the first frame
    assert y1 - y0 == 1


def test_one_plane_per_stretch_between_clears() -> None:
    scene = _scene(
        [{"op": "circle", "id": "c", "radius": 1, "region": "left"}],
        [
            {"op": "clear"},
            {"op": "point", "id": "p", "at": [10, 10]},
            {"op": "segment", "id": "s", "start": [10, 10], "end": [12, 10], "region": "right"},
        ],
    )
    first, second = plan_figures(scene)
    assert first.region == "left"
    assert first.points == [(-1, -1), (1, 1)]
    assert second.region == "right"  # the first region any of its geometry actions names
    assert second.points == [(10, 10), (10, 10), (12, 10)]


def test_without_a_region_the_figure_takes_what_the_texts_leave() -> None:
    layout = Layout(frame_width=8.0 * 854 / 480)
    scene = _scene(
        [{"op": "polygon", "id": "tri", "vertices": [[0, 0], [4, 0], [0, 3]]}],
        [{"op": "equation", "id": "eq", "latex": "a^2+b^2=c^2", "region": "top"}],
    )
    (plan,) = plan_figures(scene)
    assert plan.text_regions == ["top"]
    area = plan.target_box(layout)
    assert area.y1 < layout.region_box("top").y0  # below the equation's band
    scale, centre, box = plan.fit(layout)
    assert centre == (2, 1.5)
    assert area.contains(box)
    # The drawing fills the free height (the figure is taller than wide relative to the area).
    assert box.height == pytest.approx(min(area.height, (area.width - 2 * FIGURE_MARGIN) * 3 / 4 + 2 * FIGURE_MARGIN))
    assert scale > 0


def test_free_area_beside_a_side_region() -> None:
    layout = Layout(frame_width=8.0 * 854 / 480)
    area = free_area(layout, ["right"])
    assert area.x1 < layout.region_box("right").x0
    assert free_area(layout, []) == layout.safe


def test_a_side_region_grows_into_the_bands_the_scene_leaves_empty() -> None:
    layout = Layout(frame_width=8.0 * 854 / 480)
    band = layout.region_box("left")
    # Nothing above or below on its side: the whole height of the left half.
    alone = region_room(layout, "left", ["top_right", "bottom_right"])
    assert (alone.x0, alone.x1) == (band.x0, band.x1)
    assert (alone.y0, alone.y1) == (layout.safe.y0, layout.safe.y1)
    # A formula across the top: down to the bottom edge, but below the formula's band.
    under = region_room(layout, "right", ["top"])
    assert under.y1 <= layout.region_box("top").y0
    assert under.y0 == layout.safe.y0
    assert under.height > layout.region_box("right").height
    # Quarters of its own side leave no taller column: the band as it was.
    assert region_room(layout, "left", ["top_left", "bottom_left"]) == band
    # Other regions (but the centre) are what they always were.
    assert region_room(layout, "top", ["left"]) == layout.region_box("top")


def test_the_centre_grows_into_what_the_scene_leaves_free() -> None:
    layout = Layout(frame_width=8.0 * 854 / 480, header=0.42)
    centre = layout.region_box("center")
    # Alone in its scene: the whole safe area.
    assert region_room(layout, "center", []) == layout.safe
    # Below a formula in the top band: down to the bottom edge and across the whole width.
    under = region_room(layout, "center", ["top", "center"])
    assert under.y1 <= layout.region_box("top").y0
    assert (under.x0, under.y0, under.x1) == (layout.safe.x0, layout.safe.y0, layout.safe.x1)
    # Between a formula on top and a note at the bottom: the middle band, full width.
    between = region_room(layout, "center", ["top", "bottom"])
    assert (between.y0, between.y1) == (centre.y0, centre.y1)
    assert between.width > centre.width
    # A text on the left or in a quarter reaches into the centre's own box: the box as it is.
    assert region_room(layout, "center", ["left"]) == centre
    assert region_room(layout, "center", ["top_right"]) == centre
    for taken in (["top"], ["bottom"], ["top", "bottom"]):
        room = region_room(layout, "center", taken)
        assert room.contains(centre)
        assert not any(room.overlaps(layout.region_box(r)) for r in taken)


def test_a_figure_in_a_side_region_is_fitted_to_the_grown_room() -> None:
    layout = Layout(frame_width=8.0 * 854 / 480)
    scene = _scene([{"op": "polygon", "id": "sq", "vertices": [[0, 0], [4, 0], [4, 4], [0, 4]], "region": "left"}])
    (plan,) = plan_figures(scene)
    _, _, box = plan.fit(layout)
    # A square drawing is limited by the height: taller than the left band alone would allow.
    assert box.height > layout.region_box("left").height
    assert layout.safe.contains(box)
