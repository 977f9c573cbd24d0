"""The maths of the trigonometry demonstrations, checked against the math library, and their use of the context."""

from __future__ import annotations

import math

import pytest

from mathreel_scenelang.storyboard import MorphPlot, Scene, ShowSegment, Sweep, TransformEquation
from mathreel_script.context import ContextFacts, parse_context
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations.checks import visible_text


def _scenes(name: str, params: dict[str, object], context: str = "") -> list[Scene]:
    facts = parse_context(context) if context else ContextFacts()
    return get_demonstration(name).scenes(params, facts)


def _shown(scenes: list[Scene]) -> str:
    return " ".join(visible_text(action) for scene in scenes for beat in scene.beats for action in beat.actions)


def _round(value: float, places: int) -> str:
    return f"{value:.{places}f}".rstrip("0").rstrip(".")


@pytest.mark.parametrize("angle", [20, 35, 50, 72])
def test_ratios_match_sine_cosine_and_tangent(angle: int) -> None:
    shown = _shown(_scenes("right_triangle_ratios", {"angle": angle, "hypotenuse": 10}))
    rad = math.radians(angle)
    for value in (math.sin(rad), math.cos(rad), math.tan(rad)):
        assert _round(value, 3) in shown


def test_a_missing_side_and_an_angle() -> None:
    side = _shown(_scenes("right_triangle_ratios", {"find": "side", "angle": 35, "adjacent": 20}))
    assert _round(20 * math.tan(math.radians(35)), 2) in side
    angle = _shown(_scenes("right_triangle_ratios", {"find": "angle", "opposite": 3, "adjacent": 4}))
    assert _round(math.degrees(math.atan2(3, 4)), 1) + "^\\circ" in angle


def test_the_angle_comes_from_the_context_when_it_fits() -> None:
    shown = _shown(_scenes("right_triangle_ratios", {}, "The angle is 60 degrees."))
    assert "\\sin 60^\\circ" in shown
    # 95 degrees is not an acute angle of a right triangle: the entry's angle stays.
    assert "\\sin 35^\\circ" in _shown(_scenes("right_triangle_ratios", {}, "An angle of 95 degrees."))


@pytest.mark.parametrize(
    ("angle", "sine"), [(30, "\\frac{1}{2}"), (45, "\\frac{\\sqrt{2}}{2}"), (60, "\\frac{\\sqrt{3}}{2}")]
)
def test_exact_values(angle: int, sine: str) -> None:
    assert f"\\sin {angle}^\\circ = {sine}" in _shown(
        _scenes("right_triangle_ratios", {"find": "exact", "angle": angle})
    )


def test_law_of_cosines_and_sines_and_the_area() -> None:
    cos = _shown(_scenes("triangle_law_solve", {"law": "cosines", "side1": 5, "side2": 7, "angle1": 60}))
    assert _round(math.sqrt(25 + 49 - 70 * 0.5), 2) in cos
    sines = _shown(_scenes("triangle_law_solve", {"law": "sines", "angle1": 60, "angle2": 45, "side1": 5}))
    assert _round(5 * math.sin(math.radians(45)) / math.sin(math.radians(60)), 2) in sines
    area = _shown(_scenes("triangle_law_solve", {"law": "area", "side1": 6, "side2": 9, "angle1": 120}))
    assert _round(0.5 * 6 * 9 * math.sin(math.radians(120)), 2) in area


@pytest.mark.parametrize(("function", "angle"), [("sin", 60), ("cos", 120), ("sin", 210)])
def test_the_unit_circle_point_and_the_graph_agree(function: str, angle: int) -> None:
    scenes = _scenes("unit_circle_trace", {"function": function, "angle": angle})
    rad = math.radians(angle)
    shown = _shown(scenes)
    assert f"({_round(math.cos(rad), 2)}, {_round(math.sin(rad), 2)})" in shown
    sweep = next(a for s in scenes for b in s.beats for a in b.actions if isinstance(a, Sweep))
    assert sweep.end == angle


def test_a_sinusoid_is_built_one_change_at_a_time() -> None:
    scenes = _scenes("sinusoid_transform", {"amplitude": 3, "frequency": 2, "shift": 45, "midline": 1})
    morphs = [a for s in scenes for b in s.beats for a in b.actions if isinstance(a, MorphPlot)]
    assert [m.expressions[-1] for m in morphs] == [
        "3*sin(x*pi/180)",
        "3*sin(2*x*pi/180)",
        "3*sin(2*(x - (45))*pi/180)",
        "3*sin(2*(x - (45))*pi/180) + (1)",
    ]
    assert "T = \\frac{360^\\circ}{2} = 180^\\circ" in _shown(scenes)


def test_each_change_to_a_sinusoid_shows_its_equation_before_the_wave_moves() -> None:
    scenes = _scenes("sinusoid_transform", {"amplitude": 3, "frequency": 2})
    beats = [b for s in scenes for b in s.beats if any(isinstance(a, MorphPlot) for a in b.actions)]
    assert len(beats) == 2
    for beat in beats:
        ops = [type(a) for a in beat.actions]
        # The morph fills most of the beat: an equation after it would appear only as the sentence ends.
        assert ops.index(TransformEquation) < ops.index(MorphPlot)
    # "The wave now reaches 3": the height 3 is marked while it is said.
    (peak,) = [a for a in beats[0].actions if isinstance(a, ShowSegment)]
    assert peak.label == "3"
    assert peak.start[1] == peak.end[1] == 3


def test_a_sinusoid_needs_two_changes() -> None:
    with pytest.raises(ValueError, match="at least two changes"):
        _scenes("sinusoid_transform", {"amplitude": 1, "frequency": 1})
