"""Lessons taught from the mathematics of an ordinary context, for topics outside the curriculum (issue 16).

Each context is one a teacher would call ordinary: a physics or finance formula with its values (units written after
the numbers, values given in a separate sentence), an equation with the unknown on both sides or with decimals, a
formula whose given values leave one unknown, a linear inequality. For each, the test names what the lesson must do
(work a formula out, solve, graph, or draw an inequality) and the answer, computed here independently with SymPy or
plain arithmetic, that must be on screen when the lesson states it. Contexts without workable mathematics stay
refused.
"""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
import sympy

from mathreel_scenelang.storyboard import ShowEquation, ShowInterval, Storyboard, TransformEquation, WriteStep
from mathreel_script.context import parse_context, parse_request
from mathreel_script.demonstrations.checks import drawing_beats, unseen_numbers
from mathreel_script.equation_steps import exact, number_tex
from mathreel_script.latex import parse_plain
from mathreel_script.planner import TopicNotSupported, plan_storyboard
from mathreel_shared.messages import JobConfiguration

x, m, a, t, f, q = sympy.symbols("x m a t f q")


def _solution(equation: str, var: sympy.Symbol) -> sympy.Rational:
    """The one solution of ``equation``, by SymPy, from the text (decimals exact)."""
    left, right = equation.split("=")
    (answer,) = sympy.solve(sympy.nsimplify(sympy.sympify(left) - sympy.sympify(right), rational=True), var)
    return sympy.Rational(answer)


# (topic, context, what the lesson must do, the answer that must be written on screen)
EVALUATE = "evaluate"
SOLVE = "solve"
GRAPH = "graph"
INEQUALITY = "inequality"

CASES: list[tuple[str, str, str, str]] = [
    # Values with units after them: the formula is worked out, never a graph of "x = 0.3 m".
    (
        "Hooke's law spring",
        "A spring obeys F = k x with k = 40 N/m. It is stretched x = 0.3 m. Find F.",
        EVALUATE,
        number_tex(sympy.Rational(40) * sympy.Rational(3, 10)),
    ),
    ("Ohm's law in a circuit", "V = I R. A current of I = 2 A flows through R = 6 ohms. Find V.", EVALUATE, str(2 * 6)),
    ("Kinetic energy of a cyclist", "E = 1/2 m v^2 with m = 70 kg and v = 8 m/s.", EVALUATE, str(70 * 8**2 // 2)),
    (
        "Speed of a train",
        "Distance d = v t. A train travels at v = 90 km/h for t = 2.5 h.",
        EVALUATE,
        number_tex(sympy.Rational(90) * sympy.Rational(5, 2)),
    ),
    (
        "Density of a block",
        "Density is rho = m / V. A block has m = 300 g and V = 120 cm^3.",
        EVALUATE,
        number_tex(sympy.Rational(300, 120)),
    ),
    (
        "Work done by a force",
        "W = F d with F = 20 and d = 3.",
        EVALUATE,
        number_tex(sympy.Integer(20) * 3),
    ),
    (
        "Area of a wall",
        "The wall is 4 m by 2.5 m, area A = l w with l = 4 and w = 2.5.",
        EVALUATE,
        number_tex(sympy.Rational(4) * sympy.Rational(5, 2)),
    ),
    (
        "Temperature conversion",
        "F = 9/5 C + 32. Convert C = 25 to Fahrenheit.",
        EVALUATE,
        number_tex(sympy.Rational(9, 5) * 25 + 32),
    ),
    ("Bacteria growth", "A culture doubles every hour: N = 500 * 2^t. Find N when t = 4.", EVALUATE, str(500 * 2**4)),
    ("Garden fence", "A garden has perimeter P = 2l + 2w with l = 12 m and w = 7 m.", EVALUATE, str(2 * 12 + 2 * 7)),
    (
        "Pendulum period",
        "T = 2 pi sqrt(L/g) with L = 1 and g = 9.8.",
        EVALUATE,
        f"{float(2 * sympy.pi * sympy.sqrt(sympy.Rational(10, 98))):.2f}",
    ),
    # Equations: the unknown on both sides, decimals, another letter than x, brackets.
    ("Balancing both sides", "Solve 3x + 5 = x - 7.", SOLVE, number_tex(_solution("3*x + 5 - (x - 7)=0", x))),
    (
        "Phone plans",
        "Plan A costs 20 + 0.1m and plan B 5 + 0.25m for m minutes: 20 + 0.1m = 5 + 0.25m",
        SOLVE,
        number_tex(_solution("20 + 0.1*m = 5 + 0.25*m", m)),
    ),
    (
        "Ticket sales",
        "Adult tickets cost 12 dollars each. Solve 12a = 540 to count the adults.",
        SOLVE,
        number_tex(_solution("12*a = 540", a)),
    ),
    (
        "Mixing solutions",
        "Solve 0.2x + 0.5(10 - x) = 0.3 * 10.",
        SOLVE,
        number_tex(_solution("0.2*x + 0.5*(10 - x) = 3", x)),
    ),
    (
        "Break-even point",
        "Cost is 500 + 3q and revenue 8q. Break even when 500 + 3q = 8q.",
        SOLVE,
        number_tex(_solution("500 + 3*q = 8*q", q)),
    ),
    (
        "Supply meets demand",
        "Supply p = 2q + 10 and demand p = 50 - 3q meet where 2q + 10 = 50 - 3q.",
        SOLVE,
        number_tex(_solution("2*q + 10 = 50 - 3*q", q)),
    ),
    (
        "Saving up",
        "I have 40 dollars and save 15 a week; my friend has 100 and saves 5: 40 + 15t = 100 + 5t.",
        SOLVE,
        number_tex(_solution("40 + 15*t = 100 + 5*t", t)),
    ),
    # Given values leave one unknown: put in, worked out, solved.
    (
        "Thin lens",
        "1/f = 1/u + 1/v with u = 30 cm and v = 15 cm.",
        SOLVE,
        number_tex(sympy.Rational(1 / (Fraction(1, 30) + Fraction(1, 15)))),
    ),
    (
        "Working together",
        "One pipe fills a tank in 6 hours, another in 3: 1/6 + 1/3 = 1/t.",
        SOLVE,
        number_tex(sympy.Rational(1 / (Fraction(1, 6) + Fraction(1, 3)))),
    ),
    ("Rectangle from its area", "A = l w with A = 24 and l = 4. Find the width w.", SOLVE, str(24 // 4)),
    ("Quadratic profit", "Profit P = -2x^2 + 40x - 150 is zero when -2x^2 + 40x - 150 = 0.", SOLVE, "x = 5"),
    # Functions given as rules: graphed.
    ("Taxi fare", "A taxi charges y = 2.5x + 3 dollars for x miles.", GRAPH, "3"),
    ("Falling ball", "The height of a dropped ball is h = 80 - 4.9t^2 metres.", GRAPH, "80"),
    ("Projectile", "y = 20t - 5t^2 gives the height in metres after t seconds.", GRAPH, "4"),
    ("Medicine decay", "The amount left is M = 200(0.8)^t milligrams after t hours.", GRAPH, "200"),
    ("Savings account", "An account grows as A = 1200(1.05)^t where t is years.", GRAPH, "1200"),
    # Inequalities, drawn on a number line.
    ("Budget limit", "Solve 2x + 3 < 11 for x.", INEQUALITY, "x < 4"),
    ("Fewer than", "Solve 5 - 2x >= 1; the sign turns round.", INEQUALITY, "x \\le 2"),
    ("Phone budget", "The bill 15 + 0.5m must stay at most 40: 15 + 0.5m <= 40.", INEQUALITY, "m \\le 50"),
    ("Both sides", "Solve 3x - 4 > x + 6.", INEQUALITY, "x > 5"),
]

REFUSED = [
    ("Cooking bread", "Mix flour and water until smooth, then let it rise for an hour."),
    ("A zorb's journey", "A zorb rolls downhill."),
    ("Gravity between masses", "The rule F = G m1 m2 / r^2 relates four quantities."),
]


def _plan(topic: str, context: str) -> Storyboard:
    return plan_storyboard(JobConfiguration(topic=topic, context=context))


def _latex_on_screen(storyboard: Storyboard) -> list[str]:
    shown: list[str] = []
    for scene in storyboard.scenes:
        for beat in scene.beats:
            for action in beat.actions:
                if isinstance(action, ShowEquation | TransformEquation):
                    shown.append(action.latex)
                if isinstance(action, ShowInterval) and action.label:
                    shown.append(action.label)
    return shown


def test_the_list_is_long_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(("topic", "context", "kind", "answer"), CASES, ids=[case[0] for case in CASES])
def test_an_ordinary_context_becomes_a_correct_lesson(topic: str, context: str, kind: str, answer: str) -> None:
    storyboard = _plan(topic, context)
    scene_ids = [scene.id for scene in storyboard.scenes]
    expected_scene = {EVALUATE: "evaluate", SOLVE: "solve", GRAPH: "graph", INEQUALITY: "inequality"}[kind]
    assert any(scene_id.startswith(expected_scene) for scene_id in scene_ids), scene_ids
    assert drawing_beats(storyboard.scenes) >= 3
    assert not [problem for scene in storyboard.scenes for problem in unseen_numbers(scene)]
    shown = _latex_on_screen(storyboard)
    if kind == GRAPH:
        narration = " ".join(scene.narration for scene in storyboard.scenes)
        assert answer in narration
    else:
        assert any(answer in latex for latex in shown), (answer, shown)


def test_units_after_values_are_not_formulas() -> None:
    facts = parse_context("A spring obeys F = k x with k = 40 N/m. It is stretched x = 0.3 m.")
    assert dict(facts.assignments) == {"k": 40.0, "x": 0.3}
    assert facts.plain_formulas == ("F = k x",)


def test_a_one_letter_unit_that_is_a_letter_of_a_formula_stays_a_product() -> None:
    facts = parse_context("Energy is E = m c^2. Here F = 2 m.")
    assert "m" not in dict(facts.assignments)
    assert "F = 2 m" in facts.plain_formulas


def test_dividing_by_a_negative_number_turns_the_sign_round() -> None:
    storyboard = _plan("Fewer than", "Solve 5 - 2x >= 1.")
    narration = " ".join(scene.narration for scene in storyboard.scenes)
    assert "sign turns round" in narration
    ray = next(
        action
        for scene in storyboard.scenes
        for beat in scene.beats
        for action in beat.actions
        if isinstance(action, ShowInterval)
    )
    assert (ray.start, ray.end, ray.include_end) == (None, 2.0, True)


@pytest.mark.parametrize(("topic", "context"), REFUSED)
def test_a_context_without_workable_mathematics_is_refused(topic: str, context: str) -> None:
    with pytest.raises(TopicNotSupported):
        _plan(topic, context)


def test_a_curriculum_lesson_solves_the_contexts_own_inequality_once() -> None:
    storyboard = _plan("Solving linear inequalities", "Solve 2x + 3 < 11 for x.")
    solved = [scene for scene in storyboard.scenes if scene.id.startswith("inequality")]
    assert len(solved) == 1
    assert "2 x plus 3" in solved[0].narration
    assert "x < 4" in _latex_on_screen(storyboard)


def test_the_request_reads_rates_periods_and_polygons_from_topic_and_context() -> None:
    facts = parse_request("How my savings grow at 4% a year", "2500 at 4.5 per cent compounded for 6 years.")
    assert facts.percents == (4.0, 4.5)
    assert facts.periods == (6,)
    assert facts.quantities() == [2500.0]
    shapes = parse_request("Angles of a regular pentagon", "Compare it with a hexagon, then with triangles.")
    assert shapes.polygon_sides == (5, 6)


def test_a_request_without_a_topic_is_its_context() -> None:
    assert parse_request("", "x^2 + 6x + 5 = 0") == parse_context("x^2 + 6x + 5 = 0")


def _all_latex(storyboard: Storyboard) -> str:
    """Every formula and line of working on screen, one per line."""
    return "\n".join(
        latex
        for scene in storyboard.scenes
        for beat in scene.beats
        for action in beat.actions
        if (latex := getattr(action, "latex", None))
    )


def _boxed(storyboard: Storyboard) -> list[str]:
    return [
        action.latex
        for scene in storyboard.scenes
        if scene.kind != "summary"
        for beat in scene.beats
        for action in beat.actions
        if isinstance(action, WriteStep) and action.box
    ]


PHONE = (
    "A phone plan costs $20 plus $0.10 per minute. This month's bill was $30: 20 + 0.1m = 30. "
    "How many minutes were used?"
)
POCKET_MONEY = "Sam has $50 and spends $4.50 per day: 50 - 4.5d >= 5. For how many days can he keep spending?"


@pytest.mark.parametrize(
    ("context", "equation", "letter", "unit"),
    [
        # The rate multiplying the unknown is per minute: the unknown counts minutes.
        (PHONE, "20 + 0.1*m - 30", "m", "minutes"),
        ("A taxi charges $3.50 plus $2.25 per km. The fare was $26: 3.5 + 2.25k = 26.", "3.5 + 2.25*k - 26", "k", "km"),
        # Every measured number of the equation is in cm, and x is multiplied by a plain number: x is in cm.
        (
            "A rectangle has perimeter 30 cm. One side is 7.5 cm, the other x: 2x + 2(7.5) = 30.",
            "2*x + 15 - 30",
            "x",
            "cm",
        ),
        # A value given per hour multiplies the unknown: hours.
        ("Distance d = v t with d = 150 km and v = 60 km/h. Find t.", "60*t - 150", "t", "hours"),
    ],
)
def test_the_answer_carries_the_unit_the_context_reads_it_in(
    context: str, equation: str, letter: str, unit: str
) -> None:
    var = sympy.Symbol(letter)
    (answer,) = sympy.solve(sympy.nsimplify(sympy.sympify(equation), rational=True), var)
    storyboard = _plan("My problem", context)
    expected = f"{letter} = {number_tex(sympy.Rational(answer))} \\text{{ {unit}}}"
    assert _boxed(storyboard) == [expected]
    (summary,) = [scene for scene in storyboard.scenes if scene.kind == "summary"]
    assert f"{number_tex(sympy.Rational(answer))} {unit}" in summary.beats[0].narration


def test_an_inequality_s_answer_carries_its_unit_and_its_money_to_the_cent() -> None:
    d = sympy.Symbol("d")
    bound = sympy.solve(sympy.Rational(50) - sympy.Rational(9, 2) * d - 5, d)[0]
    storyboard = _plan("Pocket money", POCKET_MONEY)
    assert _boxed(storyboard) == [f"d \\le {number_tex(sympy.Rational(bound))} \\text{{ days}}"]
    shown = _all_latex(storyboard)
    assert "4.50 d" in shown
    assert "4.5 d" not in shown


@pytest.mark.parametrize(
    "context",
    [
        "Solve 3x + 5 = 20.",
        # "each" names no unit: the tickets are counted, not measured.
        "Tickets cost $5 each and the booking fee is $10: 5n + 10 = 40. How many tickets?",
        # Measured numbers in two units: which one x is in is not said.
        "A box is 30 cm long and weighs 12 kg: 2x + 12 = 30.",
    ],
)
def test_no_unit_is_given_an_answer_the_context_does_not_measure(context: str) -> None:
    assert not any("\\text" in latex for latex in _boxed(_plan("My problem", context)))


_DECIMAL = re.compile(r"\d+\.\d+")


@pytest.mark.parametrize("context", [PHONE, POCKET_MONEY])
def test_money_is_written_to_the_cent_in_the_working_its_check_and_the_narration(context: str) -> None:
    storyboard = _plan("My money", context)
    worked = [scene for scene in storyboard.scenes if scene.kind in ("example", "summary", "title")]
    texts = [scene.narration for scene in worked] + [
        text
        for scene in worked
        for beat in scene.beats
        for action in beat.actions
        for text in (getattr(action, "latex", None), getattr(action, "note", None))
        if text
    ]
    decimals = [number for text in texts for number in _DECIMAL.findall(text)]
    assert decimals  # there is money to write
    assert all(len(number.partition(".")[2]) == 2 for number in decimals), decimals


def test_decimals_that_are_not_money_stay_as_written() -> None:
    storyboard = _plan("My problem", "Solve 0.1x + 2 = 3.")
    assert "0.1 x" in _all_latex(storyboard)
    assert "0.10" not in _all_latex(storyboard)


def test_the_context_s_money_rates_measures_and_asked_unit_are_read() -> None:
    facts = parse_context(PHONE)
    assert facts.money == (20.0, 0.1, 30.0)
    assert facts.rates == ((0.1, "minute", "minutes"),)
    assert facts.asked_unit == ("minute", "minutes")
    assert parse_context("A rectangle has perimeter 30 cm. One side is 7.5 cm.").measures == ((30.0, "cm"), (7.5, "cm"))
    # A speed is a rate per hour, not a measure in km.
    speed = parse_context("The train runs at 60 km/h for 2 hours.")
    assert speed.rates == ((60.0, "hour", "hours"),)
    assert speed.measures == ()


@pytest.mark.parametrize(
    ("context", "equation", "letter", "unit"),
    [
        (
            "Two trains leave stations 300 km apart at 60 km/h and 90 km/h toward each other. When do they meet?",
            "60*t + 90*t - 300",
            "t",
            "hours",
        ),
        (
            "A cyclist is 30 km ahead, riding at 20 km/h in the same direction as a car at 80 km/h. "
            "When does the car catch up?",
            "80*t - 20*t - 30",
            "t",
            "hours",
        ),
        (
            "A plumber charges $40 plus $25 per hour. The bill was $140. How many hours did he work?",
            "40 + 25*h - 140",
            "h",
            "hours",
        ),
        (
            "Plan A costs $20 plus $0.10 per minute; plan B costs $5 plus $0.25 per minute. "
            "After how many minutes do they cost the same?",
            "20 + 0.1*m - 5 - 0.25*m",
            "m",
            "minutes",
        ),
    ],
)
def test_a_word_problem_of_a_common_shape_is_set_up_as_an_equation_and_solved(
    context: str, equation: str, letter: str, unit: str
) -> None:
    var = sympy.Symbol(letter)
    (answer,) = sympy.solve(sympy.nsimplify(sympy.sympify(equation), rational=True), var)
    facts = parse_context(context)
    (written,) = facts.plain_formulas
    sides = parse_plain(written)
    assert sides is not None
    assert sympy.expand(exact(sides[0] - sides[1]) - sympy.nsimplify(sympy.sympify(equation), rational=True)) == 0
    storyboard = _plan("My homework", context)
    (setup,) = [scene for scene in storyboard.scenes if scene.id == "setup"]
    assert letter in setup.narration.split()
    assert _boxed(storyboard) == [f"{letter} = {number_tex(sympy.Rational(answer))} \\text{{ {unit}}}"]


@pytest.mark.parametrize(
    "context",
    [
        # Speeds in two units: which distance unit the answer is in is not said.
        "Two trains leave stations 300 km apart at 60 km/h and 90 mph toward each other. When do they meet?",
        # No direction: toward each other or one after the other?
        "Two trains are 300 km apart at 60 km/h and 90 km/h. When do they meet?",
        # Three speeds.
        "Three cars 300 km apart at 60 km/h, 70 km/h and 90 km/h drive toward each other. When do they meet?",
        # Two totals: which one is the bill?
        "A plumber charges $40 plus $25 per hour. The bill was $140 or $150. How many hours?",
        # No total and no question.
        "A plumber charges $40 plus $25 per hour.",
    ],
)
def test_a_word_problem_that_reads_more_than_one_way_stays_refused(context: str) -> None:
    assert parse_context(context).word_problem is None
    with pytest.raises(TopicNotSupported):
        _plan("My homework", context)


def test_two_rules_for_one_letter_asked_when_they_are_the_same_are_set_equal() -> None:
    context = (
        "A phone plan costs $20 plus $0.10 per minute: C = 20 + 0.1m. Another costs $5 plus $0.25 per minute: "
        "C = 5 + 0.25m. When do they cost the same?"
    )
    facts = parse_context(context)
    assert facts.plain_formulas[0] == "20 + 0.1 m = 5 + 0.25 m"
    (answer,) = sympy.solve(20 + sympy.Rational(1, 10) * m - 5 - sympy.Rational(1, 4) * m, m)
    assert _boxed(_plan("Phone plans", context)) == [f"m = {number_tex(sympy.Rational(answer))} \\text{{ minutes}}"]
    # Without the question, the two rules stay rules.
    rules = parse_context("Plan A: C = 20 + 0.1m. Plan B: C = 5 + 0.25m.")
    assert rules.plain_formulas == ("C = 20 + 0.1 m", "C = 5 + 0.25 m")


def test_plans_priced_in_words_are_compared_and_a_word_problem_is_no_topic() -> None:
    from mathreel_script.curriculum.recognise import default_recogniser
    from mathreel_script.planner import plan_storyboard
    from mathreel_shared.messages import JobConfiguration

    context = (
        "Plan A costs 20 dollars plus 0.10 per minute, plan B 5 dollars plus 0.25 per minute. "
        "When do they cost the same?"
    )
    # "Word problem" names a kind of task, not a subject: the context's mathematics is the lesson.
    assert default_recogniser().recognise("Word problem", context).entry is None
    storyboard = plan_storyboard(JobConfiguration(topic="Word problem", context=context))
    m = sympy.Symbol("m")
    (minutes,) = sympy.solve(sympy.Eq(20 + sympy.Rational(1, 10) * m, 5 + sympy.Rational(1, 4) * m), m)
    boxed = [a.latex for s in storyboard.scenes for b in s.beats for a in b.actions if getattr(a, "box", False)]
    assert f"m = {minutes} \\text{{ minutes}}" in boxed
