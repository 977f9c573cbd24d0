"""The maths of the precalculus demonstrations: complex numbers, vectors, conics and traced curves."""

from __future__ import annotations

import math

import pytest

from mathreel_scenelang.figure import plan_figures
from mathreel_scenelang.layout import Layout
from mathreel_scenelang.storyboard import Scene, ShowPoint, ShowSegment
from mathreel_script.context import ContextFacts, parse_context
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations.checks import visible_text


def _scenes(name: str, params: dict[str, object], context: str = "") -> list[Scene]:
    facts = parse_context(context) if context else ContextFacts()
    return get_demonstration(name).scenes(params, facts)


def _shown(scenes: list[Scene]) -> str:
    return " ".join(visible_text(action) for scene in scenes for beat in scene.beats for action in beat.actions)


@pytest.mark.parametrize(("z", "w"), [((3, 1), (1, 1)), ((2, 1), (2, 1)), ((-1, 2), (3, -2))])
def test_complex_products_match_python(z: tuple[int, int], w: tuple[int, int]) -> None:
    product = complex(*z) * complex(*w)
    shown = _shown(_scenes("complex_plane_arithmetic", {"op": "multiply", "a": z[0], "b": z[1], "c": w[0], "d": w[1]}))
    re, im = int(product.real), int(product.imag)
    assert abs(im) > 1  # the cases below are written out as "a + b i" in full
    assert re != 0
    assert f"= {re} {'+' if im > 0 else '-'} {abs(im)}i" in shown


def test_complex_powers_and_conjugates() -> None:
    powers = _shown(_scenes("complex_plane_arithmetic", {"op": "powers", "a": 1, "b": 1}))
    assert "z^2 = 2i" in powers  # (1 + i) squared and cubed
    assert "-2 + 2i" in powers
    conj = _shown(_scenes("complex_plane_arithmetic", {"op": "conjugate", "a": 3, "b": 2}))
    assert "(3 + 2i)(3 - 2i) = 3^2 + 2^2 = 13" in conj


def test_complex_number_from_the_context() -> None:
    shown = _shown(_scenes("complex_plane_arithmetic", {"op": "polar"}, "Let a = 3 and b = 4 in z = a + bi."))
    assert "\\sqrt{3^2 + 4^2} = 5" in shown


def test_vector_sum_dot_product_and_angle() -> None:
    add = _shown(_scenes("vector_operations", {"op": "add", "u1": 4, "u2": -1, "v1": -1, "v2": 3}))
    assert "(4, -1) + (-1, 3) = (3, 2)" in add
    dot = _shown(_scenes("vector_operations", {"op": "dot", "u1": 2, "u2": 1, "v1": -1, "v2": 2}))
    assert "= 0" in dot
    assert "90^\\circ" in dot
    angle = math.degrees(math.acos(5 / (math.sqrt(10) * math.sqrt(5))))
    assert f"{angle:.1f}".rstrip("0").rstrip(".") in _shown(_scenes("vector_operations", {"op": "dot"}))


def _segment_labels(scenes: list[Scene]) -> list[str]:
    return [a.label for s in scenes for b in s.beats for a in b.actions if isinstance(a, ShowSegment) and a.label]


@pytest.mark.parametrize(("a", "b"), [(5, 3), (5, 4), (7, 2)])
def test_ellipse_focal_distances_add_to_the_major_axis(a: int, b: int) -> None:
    scenes = _scenes("conic_from_equation", {"kind": "ellipse", "a": a, "b": b})
    distances = [float(label) for label in _segment_labels(scenes)]
    assert len(distances) == 4
    assert abs(distances[0] + distances[1] - 2 * a) < 0.02
    assert abs(distances[2] + distances[3] - 2 * a) < 0.02


def test_the_focal_rule_is_a_sum_for_an_ellipse_and_a_difference_without_sign_for_a_hyperbola() -> None:
    def rule(kind: str) -> str:
        scenes = _scenes("conic_from_equation", {"kind": kind, "a": 3 if kind == "hyperbola" else 5, "b": 4})
        return next(a.latex for s in scenes for b in s.beats for a in b.actions if getattr(a, "id", "") == "rule")

    assert rule("ellipse").startswith("d_1 + d_2 = ")  # a sum of distances needs no absolute value
    assert rule("hyperbola").startswith("|d_1 - d_2| = ")


def test_hyperbola_and_parabola_distances() -> None:
    hyper = [float(x) for x in _segment_labels(_scenes("conic_from_equation", {"kind": "hyperbola", "a": 3, "b": 4}))]
    assert abs(abs(hyper[0] - hyper[1]) - 6) < 0.02
    para = _segment_labels(_scenes("conic_from_equation", {"kind": "parabola", "a": 1}))
    assert para[0] == para[1]
    assert para[2] == para[3]


def test_parametric_trace_follows_the_equations() -> None:
    scenes = _scenes("parametric_polar_trace", {"curve": "projectile"})
    points = [a.at for s in scenes for b in s.beats for a in b.actions if isinstance(a, ShowPoint)]
    for x, y in points:
        t = x / 2
        assert abs(y - (4 * t - t * t)) < 1e-6
    assert points[-1] == (8.0, 0.0)


def test_polar_point_conversion_from_the_context() -> None:
    shown = _shown(_scenes("parametric_polar_trace", {"curve": "polar_point"}, "A point at r = 2 and angle 60."))
    assert "x = 2\\cos 60^\\circ \\approx 1" in shown
    assert f"{2 * math.sin(math.radians(60)):.2f}" in shown


def test_complex_numbers_are_said_in_words() -> None:
    narration = " ".join(s.narration for s in _scenes("complex_plane_arithmetic", {"op": "powers", "a": 1, "b": 1}))
    assert "z cubed is minus 2 plus 2 i." in narration
    assert "z squared is 2 i." in narration


@pytest.mark.parametrize("op", ["multiply", "add", "polar", "powers"])
def test_the_complex_plane_reaches_down_to_the_bottom_edge(op: str) -> None:
    (scene,) = _scenes("complex_plane_arithmetic", {"op": op})
    layout = Layout(frame_width=8.0 * 854 / 480)
    (plan,) = plan_figures(scene)
    room = plan.target_box(layout)
    assert room.y0 == pytest.approx(layout.safe.y0)  # no formula band below the plane
    assert room.y1 <= layout.region_box("top").y0  # the working above it, at full width
    if op == "multiply":  # 3 + i times 1 + i climbs to 2 + 4i: taller than the band between two formulas
        _, _, box = plan.fit(layout)
        assert box.height > layout.region_box("left").height


def test_the_angle_from_the_dot_product_is_written_beside_its_cosine() -> None:
    # At the vertex the angle's label can sit close to an arrow's label; the equation says it too.
    scenes = _scenes("vector_operations", {"op": "dot", "u1": 2, "u2": 1, "v1": 1, "v2": 3})
    last = scenes[-1].beats[-1]
    angle = math.degrees(math.acos(5 / math.sqrt(5 * 10)))
    written = [a.latex for a in last.actions if getattr(a, "latex", None)]
    assert written == [f"\\cos\\theta \\approx 0.707, \\quad \\theta \\approx {angle:.0f}^\\circ"]


def test_the_dot_product_s_plane_takes_a_side_column() -> None:
    (scene,) = _scenes("vector_operations", {"op": "dot", "u1": 2, "u2": 1, "v1": 1, "v2": 3})
    (plan,) = plan_figures(scene)
    assert plan.region == "left"
    box = plan.target_box(Layout(frame_width=8.0 * 854 / 480))
    assert box.height > box.width  # a full-height column, not the band between two formulas
