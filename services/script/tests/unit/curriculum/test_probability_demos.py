"""The probability and statistics demonstrations: exact distributions, seeded simulations that repeat, and summaries
checked against Python's own ``statistics`` module."""

from __future__ import annotations

import math
import statistics
from fractions import Fraction

import pytest

from mathreel_scenelang.storyboard import BarChart, Scene
from mathreel_script.context import ContextFacts, parse_context
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations.checks import visible_text
from mathreel_script.demonstrations.probability_data import quartiles
from mathreel_script.demonstrations.probability_distributions import dice_distribution, dice_game
from mathreel_script.latex import format_number


def _build(name: str, params: dict[str, object], context: str = "") -> list[Scene]:
    facts = parse_context(context) if context else ContextFacts()
    return get_demonstration(name).scenes(params, facts)


def _screen(scenes: list[Scene]) -> str:
    return " ".join(visible_text(action) for scene in scenes for beat in scene.beats for action in beat.actions)


def test_two_dice_distribution_is_exact() -> None:
    two = dice_distribution(2)
    assert sum(two.values()) == 1
    assert two[7] == Fraction(1, 6)
    assert two[2] == two[12] == Fraction(1, 36)


def test_dice_simulation_repeats_with_its_seed_and_changes_with_another() -> None:
    first = _build("dice_simulation_histogram", {"dice": 1, "seed": 7})
    assert first == _build("dice_simulation_histogram", {"dice": 1, "seed": 7})
    assert first != _build("dice_simulation_histogram", {"dice": 1, "seed": 8})
    charts = [a for s in first for b in s.beats for a in b.actions if isinstance(a, BarChart)]
    assert len(charts) == 1
    assert sum(charts[0].values) == pytest.approx(1, abs=0.01)  # shares of 20 rolls


def test_binomial_probability_and_mean() -> None:
    screen = _screen(_build("binomial_distribution_bars", {"n": 6, "p_num": 1, "p_den": 2, "k": 2}))
    assert format_number(math.comb(6, 2) / 64) in screen
    assert "E[X] = np = 3" in screen
    assert "\\binom{6}{2} = 15" in screen


def test_binomial_trials_from_the_context_and_out_of_range_ignored() -> None:
    params = {"n": 6, "p_num": 1, "p_den": 2, "k": 2}
    adapted = _screen(_build("binomial_distribution_bars", params, "with n = 10 and k = 3"))
    assert format_number(math.comb(10, 3) / 1024) in adapted
    ignored = _screen(_build("binomial_distribution_bars", params, "with n = 50 and k = 3"))
    assert "n = 6" in ignored


def test_normal_areas_against_statistics_normaldist() -> None:
    empirical = _screen(_build("normal_curve_areas", {"mode": "empirical", "mean": 100, "sd": 15}))
    one = statistics.NormalDist().cdf(1) - statistics.NormalDist().cdf(-1)
    assert f"{100 * one:.1f}" in empirical
    z = _screen(_build("normal_curve_areas", {"mode": "zscore", "mean": 100, "sd": 15, "value": 120}))
    assert format_number(statistics.NormalDist(100, 15).cdf(120)) in z
    assert "= 1.333" in z
    test = _screen(_build("normal_curve_areas", {"mode": "test", "mean": 50, "sd": 4, "value": 58}))
    assert format_number(2 * (1 - statistics.NormalDist().cdf(2))) in test


def test_normal_values_from_the_context_by_name_not_by_position() -> None:
    context = "A student scored 85 on a test with mean 70 and standard deviation 10."
    screen = _screen(_build("normal_curve_areas", {"mode": "zscore"}, context))
    assert "\\frac{85 - 70}{10} = 1.5" in screen
    unnamed = _screen(_build("normal_curve_areas", {"mode": "zscore"}, "Scores of 85, 70 and 10."))
    assert "\\frac{120 - 100}{15}" in unnamed


@pytest.mark.parametrize(
    ("params", "mean", "variance"),
    [
        ({"kind": "table"}, 3.5, 35 / 12),
        ({"kind": "table", "values": [-1, 2, 5], "weights": [6, 3, 1]}, 0.5, 4.05),
        ({"kind": "poisson", "rate": 3}, 3, 3),
        ({"kind": "geometric", "rate": 2}, 2, 2),
    ],
)
def test_expected_value_and_variance(params: dict[str, object], mean: float, variance: float) -> None:
    screen = _screen(_build("expected_value_table", params))
    assert f"E[X] = \\sum x P(x) = {format_number(mean)}" in screen
    assert f"= {format_number(variance)}," in screen


def test_sample_means_spread_like_sigma_over_root_n() -> None:
    screen = _screen(_build("sample_mean_clt", {"seed": 11, "samples": 1000}))
    assert format_number(math.sqrt(35 / 12) / 4) in screen


@pytest.mark.parametrize("data", [[4, 8, 6, 5, 3, 7, 9, 6], [72, 85, 90, 66, 78, 88, 95]])
def test_data_summaries_match_the_statistics_module(data: list[int]) -> None:
    centre = _screen(_build("data_summary_steps", {"data": data, "focus": "center"}))
    assert format_number(statistics.mean(data)) in centre
    assert f"\\text{{median}} = {format_number(statistics.median(data))}" in centre
    spread = _screen(_build("data_summary_steps", {"data": data, "focus": "spread"}))
    assert format_number(statistics.variance(data)) in spread
    assert format_number(statistics.stdev(data)) in spread


def test_quartiles_are_medians_of_the_halves() -> None:
    assert quartiles([4, 8, 6, 5, 3, 7, 9, 6]) == (Fraction(9, 2), Fraction(6), Fraction(15, 2))
    assert quartiles([1, 2, 3, 4, 5, 6, 7]) == (Fraction(2), Fraction(4), Fraction(6))


def test_data_from_the_context_when_there_is_enough_of_it() -> None:
    scores = "Test scores were 72, 85, 90, 66 and 78."
    assert "n = 5" in _screen(_build("data_summary_steps", {"focus": "center"}, scores))
    assert "n = 8" in _screen(_build("data_summary_steps", {"focus": "center"}, "Scores were 72 and 85."))


def test_tree_without_replacement() -> None:
    screen = _screen(_build("probability_tree_two_stage", {"mode": "without_replacement", "red": 3, "blue": 2}))
    assert "P(RR) = \\frac{3}{5} \\cdot \\frac{1}{2} = \\frac{3}{10}" in screen
    assert "= \\frac{3}{5}" in screen  # the second ball is red as often as the first


def test_bayes_posterior() -> None:
    screen = _screen(_build("probability_tree_two_stage", {"mode": "bayes"}))
    posterior = 0.01 * 0.9 / (0.01 * 0.9 + 0.99 * 0.05)
    assert format_number(posterior) in screen
    assert "\\frac{0.009}{0.009 + 0.0495}" in screen  # the products in full, so the fraction gives what is said


def test_venn_union_and_complement() -> None:
    screen = _screen(_build("venn_addition_rule", {"a_only": 12, "b_only": 8, "both": 5, "neither": 5}))
    assert "17 + 13 - 5 = 25" in screen
    assert "\\frac{5}{6}" in screen


def test_regression_against_statistics_linear_regression() -> None:
    xs, ys = [1, 2, 4, 5, 7], [3, 5, 6, 9, 10]
    screen = _screen(_build("regression_line_fit", {"xs": xs, "ys": ys}))
    fit = statistics.linear_regression(xs, ys)
    assert f"\\hat y = {format_number(fit.slope)} x + {format_number(fit.intercept)}" in screen
    assert format_number(statistics.correlation(xs, ys)) in screen


def test_residuals_are_drawn_solid_from_each_point_off_the_line_to_it() -> None:
    from mathreel_scenelang.storyboard import ShowSegment

    xs, ys = [1, 2, 3, 4], [2, 3, 5, 6]  # fit: y = 1.4 x + 0.5; no point lies on it
    fit = statistics.linear_regression(xs, ys)
    scenes = _build("regression_line_fit", {"xs": xs, "ys": ys})
    residuals = [a for s in scenes for b in s.beats for a in b.actions if isinstance(a, ShowSegment)]
    assert len(residuals) == len(xs)
    for segment, x, y in zip(residuals, xs, ys, strict=True):
        assert not segment.dashed  # dashes vanish on a gap a fraction of a unit long
        assert segment.start == (x, y)
        assert segment.end[1] == pytest.approx(fit.slope * x + fit.intercept)
    # A point on the line (here the means, 3 and 3) has no gap: no segment from a point to itself.
    through = _build("regression_line_fit", {"xs": [1, 2, 3, 4, 5], "ys": [1, 3, 3, 3, 5]})
    starts = [a.start for s in through for b in s.beats for a in b.actions if isinstance(a, ShowSegment)]
    assert starts == [(1, 1), (2, 3), (4, 3), (5, 5)]


def test_confidence_intervals_have_the_right_width_and_the_count_matches_the_picture() -> None:
    from mathreel_scenelang.storyboard import ShowSegment

    scenes = _build("confidence_interval_coverage", {"mean": 50, "sd": 10, "n": 25, "level": 95, "seed": 7})
    bars = [a for b in scenes[0].beats for a in b.actions if isinstance(a, ShowSegment) and a.id.startswith("ci")]
    assert len(bars) == 20
    for bar in bars:
        assert bar.end[0] - bar.start[0] == pytest.approx(2 * 1.96 * 10 / 5, abs=1e-3)
    caught = [bar for bar in bars if bar.start[0] <= 50 <= bar.end[0]]
    assert all(bar.color == "green" for bar in caught)
    assert scenes[0].beats[-1].narration.startswith(f"{len(caught)} of the 20 intervals")


GAME = "Roll one fair die. A six wins 10 pounds, a five wins 4 pounds, anything else wins nothing. It costs 3 to play."


def test_a_dice_game_in_the_context_becomes_the_table_of_net_winnings() -> None:
    assert dice_game(parse_context(GAME)) == ([-3, 1, 7], [4, 1, 1], 3)
    assert dice_game(parse_context("Roll a die: a 5 or a 6 pays $4. Entry is $2.")) == ([-2, 2], [4, 2], 2)
    assert dice_game(parse_context("Heads wins 2 pounds.")) is None  # no die, no dice game


def test_the_expected_value_of_the_game_answers_whether_it_is_worth_playing() -> None:
    scenes = _build("expected_value_table", {"kind": "table", "values": [1, 2, 3], "weights": [1, 1, 1]}, GAME)
    # Worked apart: (10 + 4) / 6 won on average, minus the 3 paid.
    mean = Fraction(10 + 4, 6) - 3
    shown = format_number(round(float(mean), 3))
    assert f"E[X] = \\sum x P(x) = {shown}" in _screen(scenes)
    said = " ".join(scene.narration for scene in scenes)
    assert f"loses {format_number(round(float(-mean), 3))} a game" in said
    assert "not worth playing" in said
    # A negative mean is squared whole.
    assert f"({shown})^{{2}}" in _screen(scenes)
