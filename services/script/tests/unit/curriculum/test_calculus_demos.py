"""The calculus demonstrations compute the right numbers (checked against independent formulas) and adapt to the
numbers a context gives only when they fit."""

from __future__ import annotations

import math
import re

import pytest

from mathreel_scenelang.storyboard import Scene, ShowPoint
from mathreel_script.context import ContextFacts, parse_context
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations._calculus_common import X, changed, say_negatives
from mathreel_script.demonstrations.calculus_integrals import midpoint_sum
from mathreel_script.demonstrations.checks import visible_text
from mathreel_script.latex import format_number


def _build(name: str, params: dict[str, object], context: str = "") -> list[Scene]:
    facts = parse_context(context) if context else ContextFacts()
    return get_demonstration(name).scenes(params, facts)


def _screen(scenes: list[Scene]) -> str:
    return " ".join(visible_text(action) for scene in scenes for beat in scene.beats for action in beat.actions)


def _said(scenes: list[Scene]) -> str:
    return " ".join(beat.narration for scene in scenes for beat in scene.beats)


def test_secant_slopes_are_the_difference_quotients_of_x_squared() -> None:
    scenes = _build("secant_to_tangent", {"function": "square", "at": 1})
    screen = _screen(scenes)
    # ((1 + h)^2 - 1) / h = 2 + h for h = 1, 0.5, 0.1, 0.01, 0.001; the limit is 2.
    for quotient in ("= 3", "= 2.5", "= 2.1", "2.01", "2.001", "f'(1) = 2"):
        assert quotient in screen


def test_secant_point_comes_from_the_context_when_it_is_drawable() -> None:
    assert "f'(2) = 4" in _screen(_build("secant_to_tangent", {"function": "square"}, "the slope at x = 2"))
    # 40 is off the drawn part of the graph: the entry's own point is used.
    assert "f'(1) = 2" in _screen(_build("secant_to_tangent", {"function": "square", "at": 1}, "at x = 40"))


@pytest.mark.parametrize("rule", ["power", "product", "quotient", "chain", "exponential", "logarithm", "trig"])
def test_every_rule_builds_and_its_slope_matches_a_numeric_derivative(rule: str) -> None:
    scenes = _build("differentiate_steps", {"rule": rule, "a": 2, "n": 3, "at": 1})
    from mathreel_script.demonstrations.calculus_derivatives import _steps

    f, _ = _steps(rule, 2, 3)  # type: ignore[arg-type]
    g = lambda t: float(f.subs(X, t))  # noqa: E731
    numeric = (g(1 + 1e-6) - g(1 - 1e-6)) / 2e-6
    shown = re.search(r"f'\(1\) = (-?[\d.]+)", _screen(scenes))
    assert shown is not None
    assert float(shown.group(1)) == pytest.approx(numeric, abs=1e-3)


def test_differentiation_coefficient_adapts_to_the_context_in_range() -> None:
    assert "e^{4 x}" in _screen(_build("differentiate_steps", {"rule": "exponential"}, "Differentiate it with a = 4"))
    assert "e^{3 x}" in _screen(
        _build("differentiate_steps", {"rule": "exponential", "a": 3}, "Differentiate it with a = 40")
    )


def test_extrema_of_x_cubed_minus_3x() -> None:
    scenes = _build("extrema_sign_chart", {"p": -1, "q": 1})
    screen = _screen(scenes)
    assert "f(-1) = 2" in screen
    assert "f(1) = -2" in screen
    assert "f''(-1) = -6" in screen
    assert "f''(1) = 6" in screen
    assert "x = 0" in screen  # the inflection point, halfway between
    assert "minus 1" in _said(scenes)
    assert "-1" not in _said(scenes)


def test_mean_value_point_of_x_cubed_on_0_2() -> None:
    # f'(c) = 3 c^2 = (8 - 0) / 2 = 4, so c = 2 / sqrt 3.
    screen = _screen(_build("mean_value_secant", {"function": "cube", "a": 0, "b": 2}))
    assert f"f'({2 / math.sqrt(3):.3f}) = 4" in screen


def test_box_optimum_is_a_sixth_of_the_side_and_reads_the_sheet_from_the_context() -> None:
    assert "V(2) = 128" in _screen(_build("optimize_box_volume", {"side": 12}))
    assert "V(5) = 2000" in _screen(_build("optimize_box_volume", {"side": 12}, "a sheet 30 cm wide"))
    assert "V(2) = 128" in _screen(_build("optimize_box_volume", {"side": 12}, "a sheet 31 cm wide"))


def test_midpoint_sums_against_a_hand_formula() -> None:
    # Four strips of width 0.5 with midpoints 0.25, 0.75, 1.25, 1.75.
    hand = sum(m * m for m in (0.25, 0.75, 1.25, 1.75)) * 0.5
    assert float(midpoint_sum(X**2, 0, 2, 4)) == pytest.approx(hand)
    screen = _screen(_build("riemann_sum_refine", {"function": "square", "a": 0, "b": 2}))
    assert "M_{4} = 2.625" in screen
    assert "\\frac{8}{3}" in screen


def test_riemann_bounds_from_the_context_and_out_of_range_ignored() -> None:
    assert "\\int_{1}^{3}" in _screen(_build("riemann_sum_refine", {"function": "square"}, "from a = 1 to b = 3"))
    assert "\\int_{0}^{2}" in _screen(_build("riemann_sum_refine", {"function": "square"}, "from a = 1 to b = 30"))


def test_area_function_of_t_squared() -> None:
    screen = _screen(_build("accumulation_ftc", {"function": "square"}))
    # A(x) = x^3 / 3: A(1) = 1/3, A(2) = 8/3, A(3) = 9.
    for value in ("0.333", "2.667", "9"):
        assert value in screen
    assert "A'(2) = f(2) = 4" in screen


@pytest.mark.parametrize(
    ("technique", "value"),
    [("power", "F(2) - F(0) = 16"), ("substitution", "\\frac{7}{3}"), ("exponential", "2.5")],
)
def test_definite_integrals_by_technique(technique: str, value: str) -> None:
    params = {"technique": technique, "a": 0, "b": 2, "k": 2} if technique == "power" else {"technique": technique}
    if technique != "power":
        params.update({"a": 0, "b": 1, "k": 2 if technique == "substitution" else 1})
    screen = _screen(_build("integrate_steps", params))
    if technique == "exponential":
        value = f"{math.e - 1:.3f}"  # the integral of e^x from 0 to 1
    assert value in screen


def test_limits_both_sides() -> None:
    removable = _build("limit_table_approach", {"kind": "removable", "at": 2})
    assert "= 4" in _screen(removable)
    assert "3.999" in _screen(removable)
    assert "4.001" in _screen(removable)
    jump = _said(_build("limit_table_approach", {"kind": "jump", "at": 1}))
    assert "no limit" in jump


@pytest.mark.parametrize(
    ("kind", "holes"), [("removable", [(2.0, 4.0)]), ("sinc", [(0.0, 1.0)]), ("jump", [(2.0, -1.0), (2.0, 1.0)])]
)
def test_where_the_function_has_no_value_the_graph_shows_a_hole(kind: str, holes: list[tuple[float, float]]) -> None:
    scenes = _build("limit_table_approach", {"kind": kind, "at": 2})
    points = [a for s in scenes for b in s.beats for a in b.actions if isinstance(a, ShowPoint)]
    assert sorted(p.at for p in points if p.hollow) == holes
    # No hole where the values run off to infinity: there is no height to draw it at.
    scenes = _build("limit_table_approach", {"kind": "infinity"})
    assert not [a for s in scenes for b in s.beats for a in b.actions if isinstance(a, ShowPoint) and a.hollow]


def test_series_sums() -> None:
    assert "\\sum_{n=1}^{\\infty} \\left(\\frac{1}{2}\\right)^{n} = 1" in _screen(_build("series_partial_sums", {}))
    assert "= \\infty" in _screen(_build("series_partial_sums", {"kind": "harmonic"}))
    assert "0.693" in _screen(_build("series_partial_sums", {"kind": "alternating"}))  # ln 2
    # Partial sums of 1 / n^2 after 10 terms.
    assert format_number(sum(1 / n**2 for n in range(1, 11))) in _screen(
        _build("series_partial_sums", {"kind": "p_series"})
    )


def test_taylor_values_of_sine_at_1() -> None:
    screen = _screen(_build("taylor_polynomials", {"function": "sine", "at": 1}))
    seventh = 1 - 1 / 6 + 1 / 120 - 1 / 5040
    assert f"{seventh:.3f}" in screen
    assert "0.833" in screen
    assert f"f(1) = {math.sin(1):.3f}" in screen


def test_euler_steps_for_growth_are_powers_of_one_and_a_half() -> None:
    screen = _screen(_build("euler_method_steps", {"kind": "growth", "rate_tenths": 10, "y0": 1, "step_tenths": 5}))
    for value in ("1.5", "2.25", "3.375", "5.062", f"{math.e**2:.3f}"):
        assert value in screen


def test_newton_finds_square_roots_including_one_named_in_the_context() -> None:
    assert "x \\approx 1.414" in _screen(_build("newton_iteration", {"kind": "square_root", "n": 2}))
    assert "x \\approx 3.162" in _screen(_build("newton_iteration", {"kind": "square_root", "start": 3}, "sqrt of 10"))


def test_partial_derivatives_and_gradient() -> None:
    screen = _screen(_build("partial_derivative_slices", {"surface": "paraboloid", "a": 1, "b": 2}))
    assert "f_x(1, 2) = 2" in screen
    assert "f_y(1, 2) = 4" in screen
    assert "(2, 4)" in screen
    adapted = _screen(_build("partial_derivative_slices", {"surface": "paraboloid"}, "at x = 2 and y = -1"))
    assert "f_x(2, -1) = 4" in adapted
    assert "f_y(2, -1) = -2" in adapted


def test_highlights_only_a_term_that_stands_alone() -> None:
    assert changed("e", "\\frac{x^2 - 4}{x - 2} = 4", "4").highlight == []
    assert changed("e", "f'(1) = 2.5", "2.5").highlight == ["2.5"]
    assert changed("e", "x = 12", "2").highlight == []


def test_negative_numbers_are_said_in_words() -> None:
    assert say_negatives("at x equals -2, slope -0.5; x-3 and f(-1)") == (
        "at x equals minus 2, slope minus 0.5; x-3 and f(minus 1)"
    )


def test_sequence_band_starts_at_the_first_n_that_stays_inside() -> None:
    # n / (n + 1) is within 0.1 of 1 exactly when 1 / (n + 1) < 0.1, that is from n = 10 on.
    screen = _screen(_build("sequence_terms_converge", {"kind": "ratio", "epsilon_hundredths": 10}))
    assert "n \\geq 10" in screen
    # (-1)^n / n is within 0.1 of 0 from n = 11 on.
    assert "n \\geq 11" in _screen(_build("sequence_terms_converge", {"kind": "alternating"}))
    with pytest.raises(ValueError, match="widen"):
        _build("sequence_terms_converge", {"kind": "compound", "epsilon_hundredths": 10})


def test_the_taylor_polynomials_expand_the_function_and_degree_the_request_names() -> None:
    context = "Approximating e^x near 0 with polynomials. Build the Taylor polynomial up to degree 3; compare at x = 1."
    scenes = _build("taylor_polynomials", {"function": "sine", "at": 1}, context)
    screen = _screen(scenes)
    assert "f(x) = e^{x}" in screen
    assert "T_{3}(x) = 1 + x + \\frac{x^{2}}{2} + \\frac{x^{3}}{6}" in screen
    assert "T_{4}" not in screen
    # Worked out independently: 1 + 1 + 1/2 + 1/6 at x = 1, against e.
    assert f"it gives {format_number(round(1 + 1 + 1 / 2 + 1 / 6, 3))}" in _said(scenes)
    assert f"The true value is {format_number(round(math.e, 3))}" in _said(scenes)


def test_sine_keeps_its_odd_degrees_up_to_the_one_named() -> None:
    screen = _screen(_build("taylor_polynomials", {"function": "exp", "at": 1}, "Expand sin x up to degree 5."))
    assert "f(x) = \\sin{\\left(x \\right)}" in screen
    assert all(f"T_{{{d}}}" in screen for d in (1, 3, 5))
    assert "T_{2}" not in screen
