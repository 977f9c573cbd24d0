"""A teacher's request with its own numbers: the numbers reach the demonstration, the question is answered with the
right value (computed here independently), and the answer is on screen."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
import sympy

from mathreel_scenelang.storyboard import Scene, Storyboard
from mathreel_script.context import parse_request
from mathreel_script.curriculum.recognise import default_recogniser
from mathreel_script.demonstrations import _request
from mathreel_script.demonstrations.checks import unseen_numbers, visible_text
from mathreel_script.planner import plan_storyboard
from mathreel_shared.messages import JobConfiguration


def _plan(topic: str, context: str) -> Storyboard:
    return plan_storyboard(JobConfiguration(topic=topic, context=context))


def _shown(scenes: list[Scene]) -> str:
    return " ".join(visible_text(action) for scene in scenes for beat in scene.beats for action in beat.actions)


def _said(scenes: list[Scene]) -> str:
    return " ".join(beat.narration for scene in scenes for beat in scene.beats)


def test_request_readers() -> None:
    facts = parse_request("Slope", "through (1, 2) and (-4, 11.5)")
    assert _request.points(facts) == [(Fraction(1), Fraction(2)), (Fraction(-4), Fraction("11.5"))]
    assert _request.interval(parse_request("Area", "from 0 to 1")) == (Fraction(0), Fraction(1))
    assert _request.interval(parse_request("Area", "on [2, -1]")) == (Fraction(-1), Fraction(2))
    assert _request.compounding(parse_request("Interest", "5% compounded monthly")) == 12
    assert _request.compounding(parse_request("Interest", "quarterly compounding")) == 4
    assert _request.compounding(parse_request("Interest", "5% a year")) is None
    assert _request.length_unit(parse_request("Cone", "radius 3 cm, height 5 cm")) == "cm"
    changes = _request.percent_changes(parse_request("Percent change", "80 dollars, 25% off, then 8% tax"))
    assert [(c.percent, c.up) for c in changes] == [(Fraction(25), False), (Fraction(8), True)]
    # A percentage whose direction no word says is no change at all: nothing is guessed.
    assert _request.percent_changes(parse_request("Percent", "25% of 80")) == []
    assert _request.money(Fraction(324, 5)) == "\\$64.80"


@pytest.mark.parametrize(
    ("topic", "context", "key"),
    [
        # "Slope" names two lessons; two points in the context choose the slope between them.
        ("Slope of a line", "through (1, 2) and (4, 11)", "slope_two_points"),
        ("Slope", "Find the slope of the line through (-3, 5) and (1, -1)", "slope_two_points"),
        ("Area between two curves", "", "area_between_curves"),
        ("Area trapped between y = x and y = x^2", "Between x = 0 and x = 1.", "area_between_curves"),
        ("Simple interest", "", "simple_interest"),
        ("Speed", "", "speed_distance_time"),
        ("Slope intercept form", "", "slope_intercept_form"),
    ],
)
def test_basic_topics_are_recognised(topic: str, context: str, key: str) -> None:
    recognition = default_recogniser().recognise(topic, context)
    assert recognition.entry is not None
    assert recognition.entry.key == key


def test_slope_through_the_users_points() -> None:
    storyboard = _plan("Slope of a line", "through (1, 2) and (4, 11)")
    slope = Fraction(11 - 2, 4 - 1)
    intercept = 2 - slope * 1
    line = sympy.latex(sympy.Rational(slope.numerator) * sympy.Symbol("x") + int(intercept))
    scenes = [scene for scene in storyboard.scenes if scene.id == "slope"]
    assert len(scenes) == 1
    shown = _shown(scenes)
    assert "(1, 2)" in shown
    assert "(4, 11)" in shown
    assert f"= {slope}" in shown
    assert f"y = {line}" in shown
    assert [problem for scene in storyboard.scenes for problem in unseen_numbers(scene)] == []


@pytest.mark.parametrize(
    ("context", "first", "second", "ends"),
    [
        ("Find the area between y = x^2 and y = x from 0 to 1", "x**2", "x", (0, 1)),
        ("y = x^3 and y = x", "x**3", "x", (-1, 1)),
    ],
)
def test_area_between_the_users_curves(context: str, first: str, second: str, ends: tuple[int, int]) -> None:
    x = sympy.Symbol("x", real=True)
    f, g = sympy.sympify(first, locals={"x": x}), sympy.sympify(second, locals={"x": x})
    cuts = sorted(r for r in sympy.solve(f - g, x) if ends[0] < r < ends[1])
    bounds = [ends[0], *cuts, ends[1]]
    expected = sum(abs(sympy.integrate(f - g, (x, lo, hi))) for lo, hi in itertools.pairwise(bounds))
    storyboard = _plan("Area between two curves", context)
    scenes = [scene for scene in storyboard.scenes if scene.id == "between"]
    assert len(scenes) == 1
    assert f"\\frac{{{expected.p}}}{{{expected.q}}}" in _shown(scenes)
    assert any(action.op == "polygon" for beat in scenes[0].beats for action in beat.actions)
    # The lesson took the request's curves up: no separate graph of each is added after it.
    assert not any(scene.id.startswith("graph_") for scene in storyboard.scenes)
    assert [problem for scene in storyboard.scenes for problem in unseen_numbers(scene)] == []


def test_compound_interest_compounded_monthly_to_the_cent() -> None:
    storyboard = _plan("Compound interest", "I invest 1000 dollars at 5% a year compounded monthly for 10 years")
    expected = 1000 * (1 + 0.05 / 12) ** 120
    answer = f"\\${expected:.2f}"
    scenes = [scene for scene in storyboard.scenes if scene.id == "compound"]
    assert len(scenes) == 1
    assert answer in _shown(scenes)
    assert f"{expected:.2f} dollars" in _said(scenes)
    axes = next(a for beat in scenes[0].beats for a in beat.actions if a.op == "axes")
    # The balance never falls below the principal: the axis starts there, not at 0.
    assert axes.y_range[0] == 1000  # type: ignore[attr-defined]
    assert [problem for scene in storyboard.scenes for problem in unseen_numbers(scene)] == []


def test_percent_off_then_tax() -> None:
    storyboard = _plan("Percent change", "80 dollars, 25% off, then 8% tax")
    final = Fraction(80) * Fraction(75, 100) * Fraction(108, 100)
    shown = _shown(list(storyboard.scenes))
    assert f"\\${float(final):.2f}" in shown
    assert "25 per cent decrease" in _said(list(storyboard.scenes))
    assert "25 per cent increase" not in _said(list(storyboard.scenes))


def test_law_of_sines_with_the_users_triangle() -> None:
    storyboard = _plan("Law of sines", "angle A = 40 degrees, angle B = 60 degrees, side a = 10. Find side b.")
    b = 10 * math.sin(math.radians(60)) / math.sin(math.radians(40))
    assert f"\\approx {round(b, 2)}" in _shown(list(storyboard.scenes))


def test_cone_volume_carries_the_unit() -> None:
    storyboard = _plan("Volume of a cone", "radius 3 cm, height 5 cm")
    volume = math.pi * 3**2 * 5 / 3
    assert f"{volume:.2f}\\text{{ cm}}^3" in _shown(list(storyboard.scenes))
    assert f"{volume:.2f} cubic centimetres" in _said(list(storyboard.scenes))


def test_mean_value_theorem_on_the_users_polynomial() -> None:
    x = sympy.Symbol("x")
    f, a, b = x**2 + 1, 1, 3
    chord = (f.subs(x, b) - f.subs(x, a)) / (b - a)
    (c,) = [r for r in sympy.solve(sympy.diff(f, x) - chord, x) if a < r < b]
    storyboard = _plan("Mean value theorem", "f(x) = x^2 + 1 on [1, 3]")
    scenes = [scene for scene in storyboard.scenes if scene.id.startswith("mvt")]
    assert len(scenes) == 1
    shown = _shown(scenes)
    assert "f(x) = x^{2} + 1" in shown
    assert f"f'({c}) = {chord}" in shown


def test_two_discounts_in_a_row() -> None:
    storyboard = _plan("Percent change", "A jacket costs 120 dollars. It is 30% off, then another 10% off at the till.")
    final = Fraction(120) * Fraction(70, 100) * Fraction(90, 100)
    shown = _shown(list(storyboard.scenes))
    assert f"\\${float(final):.2f}" in shown
    # Together the two discounts take 37 per cent, not 40.
    assert f"{float((1 - final / 120) * 100):g}\\%" in shown


def test_a_ladder_is_the_hypotenuse() -> None:
    # 10 is the ladder, the hypotenuse: the height it reaches is the missing leg, not the hypotenuse of legs 10, 6.
    storyboard = _plan(
        "Pythagorean theorem", "A 10 m ladder leans against a wall with its foot 6 m from the wall. How high?"
    )
    height = math.sqrt(10**2 - 6**2)
    example = [scene for scene in storyboard.scenes if scene.id == "example"]
    assert f"b = \\sqrt{{{10**2 - 6**2}}} = {height:g}" in _shown(example)
    assert "136" not in _shown(list(storyboard.scenes))
    assert [problem for scene in storyboard.scenes for problem in unseen_numbers(scene)] == []


def test_midpoint_of_the_users_points() -> None:
    storyboard = _plan("Midpoint", "(2, 3) and (8, 7)")
    assert storyboard.title == "The midpoint formula"
    assert f"= ({(2 + 8) // 2}, {(3 + 7) // 2})" in _shown(list(storyboard.scenes))


def test_ratio_written_with_a_colon_after_the_total() -> None:
    storyboard = _plan("Sharing in a ratio", "Share 120 dollars in the ratio 3:5")
    unit = 120 // (3 + 5)
    said = _said(list(storyboard.scenes))
    assert "Share 120 in the ratio 3 to 5" in said
    assert f"{3 * unit}" in said
    assert f"{5 * unit}" in said


def test_integral_of_the_users_polynomial() -> None:
    x = sympy.Symbol("x")
    exact = sympy.integrate(x**2, (x, 1, 3))
    storyboard = _plan("Definite integral", "integral of x^2 from 1 to 3")
    assert f"\\frac{{{exact.p}}}{{{exact.q}}}" in _shown(list(storyboard.scenes))


def test_binomial_coin_flips() -> None:
    storyboard = _plan("Binomial probability", "10 coin flips, probability of exactly 3 heads")
    chance = Fraction(math.comb(10, 3), 2**10)
    shown = _shown(list(storyboard.scenes))
    assert f"\\frac{{{chance.numerator}}}{{{chance.denominator}}}" in shown
    assert f"{float(chance):.3f}" in shown


def test_simple_interest_for_months() -> None:
    storyboard = _plan("Simple interest", "I borrow 2400 dollars at 6.5% simple interest for 18 months")
    interest = Fraction(2400) * Fraction(65, 1000) * Fraction(18, 12)
    shown = _shown(list(storyboard.scenes))
    assert f"\\${float(interest):.2f}" in shown
    assert f"\\${float(2400 + interest):.2f}" in shown
    assert [problem for scene in storyboard.scenes for problem in unseen_numbers(scene)] == []


@pytest.mark.parametrize(
    ("topic", "context", "answer"),
    [
        ("Speed distance time", "A car travels 150 km in 2.5 hours. What is its average speed?", ("150/2.5", "km/h")),
        ("Average speed", "A cyclist rides 18 km in 45 minutes", ("18/(45/60)", "km/h")),
        ("Speed", "How far do you go at 60 mph for 3 hours?", ("60*3", "miles")),
        ("Speed", "How long to walk 6 km at 4 km/h?", ("6/4", "h")),
    ],
)
def test_speed_distance_time_with_units(topic: str, context: str, answer: tuple[str, str]) -> None:
    value = sympy.nsimplify(answer[0])
    storyboard = _plan(topic, context)
    assert storyboard.title == "Speed, distance and time"
    shown = _shown(list(storyboard.scenes))
    assert f"= {float(value):g}\\text{{ {answer[1]}}}" in shown
    assert [problem for scene in storyboard.scenes for problem in unseen_numbers(scene)] == []


def test_simple_interest_from_letters() -> None:
    storyboard = _plan("Simple interest", "I = P r t with P = 2000, r = 0.04 and t = 3.")
    interest = Fraction(2000) * Fraction(4, 100) * 3
    assert f"\\${float(interest):.2f}" in _shown(list(storyboard.scenes))


@pytest.mark.parametrize(
    ("topic", "context", "initial", "period", "after", "unit"),
    [
        ("Exponential decay", "A substance has half-life 5 years; 80 g initially. How much after 12 years?",
         80, 5, 12, "g"),
        ("Half-life", "Carbon-14 has a half-life of 5730 years. A sample has 200 grams. How much after 10000 years?",
         200, 5730, 10000, "grams"),
        ("Radioactive decay", "half life 8 days, 50 mg. How much is left after 24 days?", 50, 8, 24, "mg"),
    ],
)  # fmt: skip
def test_a_half_life_question_halves_each_period_and_answers_at_the_time_asked(
    topic: str, context: str, initial: int, period: int, after: int, unit: str
) -> None:
    storyboard = _plan(topic, context)
    (scene,) = [scene for scene in storyboard.scenes if scene.id == "half_life"]
    # Every row halves the one above, one period apart, from the request's own amount.
    tables = [a for beat in scene.beats for a in beat.actions if a.op == "table"]
    rows = tables[-1].rows
    assert [Fraction(t) for t, _ in rows] == [k * period for k in range(len(rows))]
    assert [float(a) for _, a in rows] == pytest.approx([initial / 2**k for k in range(len(rows))])
    value = initial * 0.5 ** (after / period)
    expected = f"{round(value, 2):g}" if round(value, 2) != int(value) else str(int(value))
    assert expected in _shown([scene]), (expected, _shown([scene]))
    assert expected in _said([scene])
    assert unit in _said([scene]) or unit in _shown([scene])
    assert not unseen_numbers(scene)


def test_a_half_life_needs_a_half_life_and_an_amount() -> None:
    assert _request.half_life(parse_request("Decay", "it shrinks by 20% a year from 500")) is None
    assert _request.half_life(parse_request("Decay", "the half-life is 5 years")) is None


@pytest.mark.parametrize(
    ("context", "angle", "given", "asked", "expected"),
    [
        ("hypotenuse 10, angle 30 degrees, find the opposite side", 30, ("hypotenuse", 10), "opposite", 5.0),
        ("A ramp makes an angle of 20° with the ground and its adjacent side is 4 m. Find the hypotenuse.", 20,
         ("adjacent", 4), "hypotenuse", 4 / math.cos(math.radians(20))),
        ("opposite side 7, angle 35 degrees; find the adjacent side", 35, ("opposite", 7), "adjacent",
         7 / math.tan(math.radians(35))),
    ],
)  # fmt: skip
def test_a_right_triangle_uses_the_angle_in_degrees_and_answers_the_side_asked(
    context: str, angle: int, given: tuple[str, float], asked: str, expected: float
) -> None:
    storyboard = _plan("Right triangle trigonometry", context)
    (scene,) = [scene for scene in storyboard.scenes if scene.id == "ratios"]
    shown, said = _shown([scene]), _said([scene])
    # The angle is the one said in degrees, not the first number ("hypotenuse 10" is no angle).
    assert f"{angle}^\\circ" in shown
    assert f"{angle} degrees" in said
    answer = f"{round(expected, 2):g}"
    assert answer in shown, (answer, shown)
    assert answer in said
    assert asked in scene.beats[-1].narration
    assert f"{given[1]:g}" in scene.beats[0].narration


@pytest.mark.parametrize(
    ("context", "prizes", "cost"),
    [
        ("A game pays 10 dollars with probability 0.2 and costs 3 dollars to play", {10: Fraction(1, 5)}, 3),
        ("You win 50 dollars with a 5% chance and 10 dollars with a 20% chance. It costs 5 dollars to play.",
         {50: Fraction(1, 20), 10: Fraction(1, 5)}, 5),
    ],
)  # fmt: skip
def test_a_game_of_chance_is_judged_by_its_expected_winnings(
    context: str, prizes: dict[int, Fraction], cost: int
) -> None:
    storyboard = _plan("Expected value", context)
    (scene,) = [scene for scene in storyboard.scenes if scene.id == "expect"]
    expected = sum(p * (prize - cost) for prize, p in prizes.items()) - (1 - sum(prizes.values())) * cost
    value = f"{float(expected):g}"
    assert f"= {value}" in _shown([scene])
    for prize in prizes:
        assert f"{prize} - {cost} = {prize - cost}" in _shown([scene])
    verdict = scene.beats[-1].narration
    assert ("not worth playing" in verdict) == (expected < 0)


def test_a_chance_that_belongs_to_no_prize_read_leaves_the_game_unread() -> None:
    facts = parse_request("Expected value", "Win 50 with a 5% chance, or a hat with a 10% chance. It costs 5.")
    from mathreel_script.demonstrations.probability_distributions import chance_game

    assert chance_game(facts) is None


@pytest.mark.parametrize(
    ("context", "given", "both", "names"),
    [
        ("In a class 60% play football and 30% play both football and tennis. Find P(tennis given football)",
         60, 30, ("tennis", "football")),
        ("45% of cars are red; 9% are both red and electric. What is P(electric | red)?", 45, 9, ("electric", "red")),
    ],
)  # fmt: skip
def test_a_conditional_probability_is_the_overlap_s_share_of_the_condition(
    context: str, given: int, both: int, names: tuple[str, str]
) -> None:
    storyboard = _plan("Conditional probability", context)
    (scene,) = [scene for scene in storyboard.scenes if scene.id == "given"]
    answer = Fraction(both, given)
    shown = _shown([scene])
    assert f"\\frac{{{both}}}{{{given}}}" in shown
    assert f"\\frac{{{answer.numerator}}}{{{answer.denominator}}}" in shown
    for name in names:
        assert name in shown
    assert not unseen_numbers(scene)


def test_an_overlap_needs_one_share_said_to_be_both() -> None:
    assert _request.overlap(parse_request("Conditional", "60% play football and 30% play tennis")) is None
    assert _request.overlap(parse_request("Conditional", "30% play football and 60% play both")) is None


def test_a_context_that_is_only_the_data_is_the_data_taught() -> None:
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    storyboard = _plan("Standard deviation", ", ".join(str(v) for v in values))
    (scene,) = [scene for scene in storyboard.scenes if scene.id == "data"]
    assert ", ".join(str(v) for v in values) in scene.beats[0].narration
    mean = Fraction(sum(values), len(values))
    assert f"mean is {mean}" in _said([scene])


@pytest.mark.parametrize(
    ("context", "f", "x0"),
    [
        ("f(x) = x^3 - 2x at x = 2", "x**3 - 2*x", 2),
        ("Find the slope of y = 2x^2 - 3x + 1 at x = -1", "2*x**2 - 3*x + 1", -1),
    ],
)
def test_the_derivative_is_worked_on_the_request_s_function_at_its_point(context: str, f: str, x0: int) -> None:
    x = sympy.Symbol("x")
    slope = sympy.diff(sympy.sympify(f), x).subs(x, x0)
    storyboard = _plan("Derivative", context)
    (scene,) = [scene for scene in storyboard.scenes if scene.id == "example"]
    assert f"f'({x0}) = {slope}" in _shown([scene])
    assert f"slope at {x0} is {slope}" in _said([scene])
    # "f(x) = ..." defines f: it is worked out at the point, never solved for f as if it were f times x.
    evaluated = [s for s in storyboard.scenes if s.id == "evaluate"]
    assert all("f is" not in beat.narration for s in storyboard.scenes if s.id.startswith("solve") for beat in s.beats)
    if evaluated:
        value = sympy.sympify(f).subs(x, x0)
        assert f"= {value} " in _shown(evaluated)
        assert f"{x0}^" not in _shown(evaluated) or x0 >= 0  # a negative value is put in with brackets
