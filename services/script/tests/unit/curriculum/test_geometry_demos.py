"""The maths of the geometry demonstrations, checked against independent formulas, and their use of the context."""

from __future__ import annotations

import math

import pytest

from mathreel_scenelang.storyboard import Scene
from mathreel_script.context import ContextFacts, parse_context, parse_request
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations.checks import visible_text


def _scenes(name: str, params: dict[str, object], context: str = "") -> list[Scene]:
    facts = parse_context(context) if context else ContextFacts()
    return get_demonstration(name).scenes(params, facts)


def _shown(scenes: list[Scene]) -> str:
    return " ".join(visible_text(action) for scene in scenes for beat in scene.beats for action in beat.actions)


def _said(scenes: list[Scene]) -> str:
    return " ".join(scene.narration for scene in scenes)


@pytest.mark.parametrize(("a", "b"), [(50, 60), (35, 95), (20, 20)])
def test_the_third_angle_of_a_triangle_makes_180(a: int, b: int) -> None:
    scenes = _scenes("triangle_angle_sum", {"a": a, "b": b})
    assert f"{a}^\\circ + {b}^\\circ + {180 - a - b}^\\circ = 180^\\circ" in _shown(scenes)


def test_triangle_angles_come_from_the_context_and_bad_ones_are_ignored() -> None:
    assert "40^\\circ + 70^\\circ + 70^\\circ" in _shown(
        _scenes("triangle_angle_sum", {}, "A triangle has angles of 40 and 70 degrees.")
    )
    # 100 and 90 leave no room for a third angle: the entry's own angles are used.
    assert "50^\\circ + 60^\\circ + 70^\\circ" in _shown(_scenes("triangle_angle_sum", {}, "Angles 100 and 90."))


def test_the_exterior_angle_is_the_sum_of_the_two_far_angles() -> None:
    scenes = _scenes("triangle_angle_sum", {"kind": "exterior", "a": 40, "b": 75})
    assert "180^\\circ - 75^\\circ = 105^\\circ" in _shown(scenes)


@pytest.mark.parametrize("apex", [40, 100, 35])
def test_isosceles_base_angles(apex: int) -> None:
    base = (180 - apex) / 2
    assert f"{base:g}^\\circ" in _shown(_scenes("triangle_angle_sum", {"kind": "isosceles", "a": apex}))


@pytest.mark.parametrize("n", range(4, 11))
def test_polygon_angle_sums(n: int) -> None:
    shown = _shown(_scenes("polygon_angle_sum", {"sides": n}))
    assert f"= {(n - 2) * 180}^\\circ" in shown
    each = round((n - 2) * 180 / n, 1)
    assert f"{each:g}^\\circ" in shown
    exterior = _shown(_scenes("polygon_angle_sum", {"sides": n, "exterior": True}))
    assert f"{round(360 / n, 1):g}^\\circ" in exterior


def test_an_angle_in_a_semicircle_is_right() -> None:
    scenes = _scenes("inscribed_angle", {"central": 180})
    assert "90^\\circ" in _shown(scenes)
    assert "\\frac{180^\\circ}{2}" in _shown(scenes)


@pytest.mark.parametrize(("a", "b"), [(3, 4), (5, 12), (2, 3), (8, 15)])
def test_pythagoras_hypotenuse(a: int, b: int) -> None:
    shown = _shown(_scenes("pythagoras_squares", {"a": a, "b": b}))
    assert f"= {a * a + b * b}" in shown
    c = math.hypot(a, b)
    assert (str(int(c)) if c == int(c) else f"{c:.2f}".rstrip("0")) in shown


def test_pythagoras_takes_the_legs_the_context_names() -> None:
    shown = _shown(_scenes("pythagoras_squares", {}, "The legs are a = 6 and b = 8."))
    assert "c^2 = 36 + 64 = 100" in shown
    # Legs outside 1..20 are not used.
    assert "c^2 = 9 + 16 = 25" in _shown(_scenes("pythagoras_squares", {}, "Legs of 60 and 80 metres."))


def test_similar_triangles_scale_sides_and_area() -> None:
    shown = _shown(_scenes("similar_triangles_scale", {"scale_num": 3, "scale_den": 2, "focus": "area"}))
    assert "\\frac{6}{4} = \\frac{4.5}{3} = \\frac{7.5}{5} = 1.5" in shown
    # The 3-4-5 triangle has area 6; enlarged by 1.5 its area is 6 times 2.25.
    assert "6 \\times 2.25 = 13.5" in shown


@pytest.mark.parametrize(
    ("shape", "params", "area"),
    [
        ("rectangle", {"base": 7, "height": 3}, "21"),
        ("parallelogram", {"base": 8, "height": 3}, "24"),
        ("triangle", {"base": 9, "height": 5}, "22.5"),
        ("trapezoid", {"base": 10, "top": 6, "height": 5}, "40"),
    ],
)
def test_areas_of_polygons(shape: str, params: dict[str, int], area: str) -> None:
    assert f"= {area}" in _shown(_scenes("shape_area_formula", {"shape": shape, **params}))


def test_circle_measures_approach_from_inside_and_match_pi() -> None:
    shown = _shown(_scenes("circle_measures", {"kind": "circumference", "radius": 5}))
    assert "P_{6} = 30" in shown  # a hexagon's side equals the radius
    assert f"{2 * math.pi * 5:.2f}" in shown
    area = _shown(_scenes("circle_measures", {"kind": "area", "radius": 5}))
    assert "A_{12} = 75" in area  # a regular 12-gon holds 3 r squared
    sector = _shown(_scenes("circle_measures", {"kind": "sector", "radius": 4, "angle": 90}))
    assert "\\frac{1}{4}" in sector
    assert f"{math.pi * 4:.2f}" in sector


def test_radians_as_multiples_of_pi() -> None:
    shown = _shown(_scenes("circle_measures", {"kind": "radian", "angle": 135}))
    assert "\\frac{3 \\pi}{4}" in shown
    assert "57.3" in shown


@pytest.mark.parametrize(
    ("solid", "params", "volume"),
    [
        ("prism", {"width": 4, "depth": 3, "height": 5}, 60.0),
        ("cylinder", {"radius": 3, "height": 5}, math.pi * 45),
        ("pyramid", {"width": 6, "depth": 6, "height": 4}, 48.0),
        ("cone", {"radius": 4, "height": 9}, math.pi * 48),
        ("sphere", {"radius": 6}, 4 / 3 * math.pi * 216),
    ],
)
def test_volumes(solid: str, params: dict[str, int], volume: float) -> None:
    shown = _shown(_scenes("solid_volume", {"solid": solid, **params}))
    expected = str(int(volume)) if volume == int(volume) else f"{volume:.2f}".rstrip("0")
    assert expected in shown


@pytest.mark.parametrize(
    ("kind", "images"),
    [
        ("reflect_x", ["A'(2, -1)", "B'(5, -1)", "C'(2, -3)"]),
        ("reflect_y", ["A'(-2, 1)", "B'(-5, 1)", "C'(-2, 3)"]),
        ("rotate_90", ["A'(-1, 2)", "B'(-1, 5)", "C'(-3, 2)"]),
        ("rotate_180", ["A'(-2, -1)", "B'(-5, -1)", "C'(-2, -3)"]),
        ("translate", ["A'(5, -1)", "B'(8, -1)", "C'(5, 1)"]),
    ],
)
def test_transformations_move_each_corner_by_the_rule(kind: str, images: list[str]) -> None:
    shown = _shown(_scenes("figure_transformation", {"kind": kind, "dx": 3, "dy": -2}))
    assert all(image in shown for image in images)
    assert "BC = B'C' = \\sqrt{13}" in shown


def test_a_dilation_multiplies_lengths() -> None:
    shown = _shown(_scenes("figure_transformation", {"kind": "dilate", "factor": 3}))
    assert "B'C' = 3 \\times \\sqrt{5} = 3 \\sqrt{5}" in shown


def test_distance_and_midpoint_from_the_context() -> None:
    scenes = _scenes("coordinate_distance_midpoint", {}, "Find the distance from (1, 1) to (4, 5).")
    assert "d = \\sqrt{25} = 5" in _shown(scenes)
    mid = _scenes("coordinate_distance_midpoint", {"show": "midpoint", "x1": -3, "y1": 4, "x2": 5, "y2": -2})
    assert "= (1, 1)" in _shown(mid)
    assert "average of -3 and 5: 1" in _said(mid)


def test_a_named_polygon_gives_its_sides() -> None:
    # "pentagon" says 5 sides; the 108 of the question is not a number of sides, and the triangles are its pieces.
    facts = parse_request("Why each angle of a regular pentagon is 108 degrees", "Split it into triangles.")
    shown = _shown(get_demonstration("polygon_angle_sum").scenes({"sides": 6}, facts))
    assert "3 \\times 180^\\circ = 540^\\circ" in shown
    assert "\\frac{540^\\circ}{5} = 108^\\circ" in shown
