import re

import pytest

from mathreel_scenelang.registry import ACTIONS
from mathreel_scenelang.storyboard import (
    ClearScreen,
    Remove,
    Scene,
    ShowEquation,
    Storyboard,
    TransformEquation,
    storyboard_adapter,
)
from mathreel_script.context import parse_context
from mathreel_script.latex import plain_to_latex, safe_latex
from mathreel_script.lessons import TOPICS
from mathreel_script.planner import WORD_BUDGET, plan_storyboard
from mathreel_script.text import sentences
from mathreel_script.topics import default_matcher
from mathreel_shared.messages import JobConfiguration

VISUAL_OPS = {"polygon", "circle", "axes", "plot", "matrix", "table", "number_line", "angle", "segment", "arrow"}
# Children drawn on axes (or braces on a shape) belong to that figure; what crowds a screen is separate figures.
CREATING_OPS = ACTIONS.creating_ops
ATTACHED_OPS = {spec.op for spec in ACTIONS if spec.attaches}
# A tiling (four triangles and the squares between them) reads as one figure; elsewhere at most four objects.
MAX_ON_SCREEN = 6


def plan(topic: str, context: str = "", **kwargs) -> Storyboard:
    return plan_storyboard(JobConfiguration(topic=topic, context=context), **kwargs)


def latex_fields(storyboard: Storyboard) -> list[str]:
    return [
        action.latex
        for scene in storyboard.scenes
        for beat in scene.beats
        for action in beat.actions
        if isinstance(action, ShowEquation | TransformEquation)
    ]


def max_on_screen(scene: Scene) -> int:
    alive: set[str] = set()
    most = 0
    for beat in scene.beats:
        for action in beat.actions:
            if isinstance(action, Remove):
                alive.difference_update(action.targets)
            elif isinstance(action, ClearScreen):
                alive.clear()
            elif action.op in CREATING_OPS and action.op not in ATTACHED_OPS:
                alive.add(action.id)  # type: ignore[union-attr]
        most = max(most, len(alive))
    return most


def words(storyboard: Storyboard) -> int:
    return sum(len(scene.narration.split()) for scene in storyboard.scenes)


@pytest.mark.parametrize("key", sorted(TOPICS))
def test_every_library_topic_has_a_visual_lesson(key: str) -> None:
    storyboard = plan(key.replace("_", " "))

    storyboard_adapter.validate_json(storyboard.model_dump_json())
    assert len(storyboard.scenes) >= 4
    assert storyboard.scenes[0].kind == "title"
    assert storyboard.scenes[-1].kind == "summary"
    ops = {action.op for scene in storyboard.scenes for beat in scene.beats for action in beat.actions}
    assert ops & VISUAL_OPS, f"{key} has only text"
    assert 60 <= words(storyboard) <= WORD_BUDGET
    assert all(max_on_screen(scene) <= MAX_ON_SCREEN for scene in storyboard.scenes)
    for scene in storyboard.scenes:
        for beat in scene.beats:
            assert re.search(r"[.!?]$", beat.narration)
            assert len(sentences(beat.narration)) == 1, beat.narration
    assert all(safe_latex(latex) == latex for latex in latex_fields(storyboard))


@pytest.mark.parametrize(
    ("topic", "key"),
    [
        ("the pythagorean thm", "pythagorean_theorem"),
        ("Pythagoras", "pythagorean_theorem"),
        ("PYTHAGORIAN THEOREM explained", "pythagorean_theorem"),
        ("Chain rule for derivatives", "chain_rule"),
        ("derivatives as slopes", "derivative_slope"),
        ("Bayes' theorem", "bayes_theorem"),
        ("Euler's identity", "euler_identity"),
        ("eigenvalues and eigenvectors", "eigenvectors"),
        ("what is the area of a circle?", "circle_area"),
        ("Pascal's triangle", "binomial_theorem"),
        ("sum of the angles in a triangle", "triangle_angle_sum"),
        ("the cosine rule", "law_of_cosines"),
        ("prime factorisation", "prime_factorization"),
        ("The golden ratio", "fibonacci_golden_ratio"),
        ("sum of the first n integers", "arithmetic_series"),
        ("standard deviation", "mean_variance"),
        ("integrals", "integral_area"),
    ],
)
def test_topic_matching_tolerates_case_filler_and_spelling(topic: str, key: str) -> None:
    match = default_matcher().match(topic)

    assert match is not None
    assert match.key == key


@pytest.mark.parametrize("topic", ["photosynthesis", "the history of Rome", "circle", ""])
def test_unrelated_topics_match_nothing(topic: str) -> None:
    assert default_matcher().match(topic) is None


def test_context_formulas_definitions_steps_and_numbers_are_found() -> None:
    facts = parse_context(
        "A hypotenuse is the longest side of a right triangle. We know a² + b² = c², and $\\frac{a}{b}$ too.\n"
        "1. Square both legs.\n2. Add them.\n3. Take the root.\nFor example, legs 5 and 12."
    )

    assert "a^{2} + b^{2} = c^{2}" in facts.formulas
    assert "\\frac{a}{b}" in facts.formulas
    assert facts.definitions[0].term == "hypotenuse"
    assert facts.steps == ("Square both legs.", "Add them.", "Take the root.")
    assert facts.numbers == (5.0, 12.0)


@pytest.mark.parametrize(
    ("plain", "latex"),
    [
        ("A = pi r^2", "A = \\pi r^{2}"),
        ("S = n(n+1)/2", "S = \\frac{n \\left(n + 1\\right)}{2}"),
        ("E = m c^2", "E = m c^{2}"),
    ],
)
def test_plain_formulas_become_latex(plain: str, latex: str) -> None:
    assert plain_to_latex(plain) == latex


@pytest.mark.parametrize(
    "hostile",
    ["\\input{/etc/passwd}", "\\write18{rm -rf /}", "^^5cinput{x}", "\\def\\x{1}", "\\catcode`\\^=7"],
)
def test_unsafe_latex_is_refused(hostile: str) -> None:
    assert safe_latex(hostile) is None
    assert plain_to_latex(hostile) is None


@pytest.mark.parametrize("hostile", ["__import__('os')", "x.__class__ = 1", "lambda: 1 = 2", "exec(1) = 2"])
def test_plain_formulas_outside_the_token_allowlist_are_refused(hostile: str) -> None:
    assert plain_to_latex(hostile) is None


def test_hostile_context_gives_a_valid_storyboard_without_injected_commands() -> None:
    context = (
        "Evil is $\\input{/etc/passwd}$ and \\(\\write18{ls}\\) and $^^5cinput$.\x00\x1b[31m\u202e"
        + "x = 1 + \\immediate\\write18{id}. " * 50
        + "word " * 20_000
    )
    storyboard = plan("\x07Weird \u202etopic " + "z" * 500, context)

    storyboard_adapter.validate_json(storyboard.model_dump_json())
    all_latex = "".join(latex_fields(storyboard))
    for command in ("\\input", "\\write", "\\immediate", "^^"):
        assert command not in all_latex
    dumped = storyboard.model_dump_json()
    for invisible in ("\x00", "\x07", "\x1b", "\u202e"):
        assert invisible not in dumped
        assert f"\\u{ord(invisible):04x}" not in dumped
    assert len(storyboard.scenes) >= 4


def test_known_topic_uses_context_numbers_in_its_example() -> None:
    storyboard = plan("Pythagorean theorem", "A right triangle has legs 5 and 12.")

    assert any("c = \\sqrt{169} = 13" in latex for latex in latex_fields(storyboard))


def test_unknown_topic_builds_a_lesson_from_the_context() -> None:
    storyboard = plan(
        "Ohm's law",
        "Resistance is the opposition to current.\n1. Measure the current.\n2. Measure the resistance.\n"
        "The law says V = I R, so with I = 2 and R = 5 we get 10.",
    )

    assert len(storyboard.scenes) >= 4
    assert [scene.kind for scene in storyboard.scenes] == ["title", "statement", "explanation", "example", "summary"]
    assert "V = I R" in latex_fields(storyboard)
    assert any(latex == "V = 10" for latex in latex_fields(storyboard))
    assert "Resistance is the opposition to current." in storyboard.scenes[1].narration


COMPOUND_INTEREST = (
    "Compound interest grows money by earning interest on interest. The formula is A = P(1 + r/n)^(nt), where P is "
    "the principal, r the annual rate, n the compounding periods per year and t the years. Example: 1000 dollars at "
    "5 percent compounded yearly for 3 years gives 1000 * 1.05^3 = 1157.63 dollars."
)


def test_letters_written_together_are_a_product_not_a_cut_formula() -> None:
    facts = parse_context(COMPOUND_INTEREST)

    # "^(nt)" is read as n times t; the formula is never shortened to a different one ("A = P(1 + r/n)").
    assert facts.formulas[0] == r"A = P \left(1 + \frac{r}{n}\right)^{n t}"
    assert parse_context("The harmonic mean is H = 2ab/(a + b).").formulas == (r"H = \frac{2 a b}{a + b}",)
    # A unit after a number is not a product of letters.
    speeds = parse_context("Driving 60 km/h and 40 km/h back averages 2*60*40/(60+40) = 48 km/h.")
    assert speeds.plain_formulas == ("2 * 60 * 40 / (60 + 40) = 48",)
    # Prose right after an operator ends the run: what came before it would state a different formula.
    assert parse_context("Growth is A = P(1 + r)^(years elapsed).").formulas == ()


def test_a_where_clause_becomes_a_scene_on_what_each_letter_means() -> None:
    storyboard = plan("Compound interest", COMPOUND_INTEREST)

    assert parse_context(COMPOUND_INTEREST).legend == (
        ("P", "the principal"),
        ("r", "the annual rate"),
        ("n", "the compounding periods per year"),
        ("t", "the years"),
    )
    (legend,) = [scene for scene in storyboard.scenes if scene.id == "legend"]
    bullets = [a for beat in legend.beats for a in beat.actions if a.op == "bullets"]
    assert [item for b in bullets for item in b.items] == [  # type: ignore[union-attr]
        "P: the principal",
        "r: the annual rate",
        "n: the compounding periods per year",
        "t: the years",
    ]
    assert "t is the years" in legend.narration  # the letter keeps its case in the spoken sentence


def test_a_computation_in_the_context_is_the_example_only_if_it_checks_out() -> None:
    storyboard = plan("Compound interest", COMPOUND_INTEREST)
    (example,) = [scene for scene in storyboard.scenes if scene.kind == "example"]
    assert r"1000 \cdot 1.05^{3} = 1157.63" in latex_fields(storyboard)
    assert "1000 times 1.05 cubed equals 1157.63" in example.narration
    assert example.beats[0].narration == "For example, 1000 dollars at 5 percent compounded yearly for 3 years."

    wrong = COMPOUND_INTEREST.replace("1157.63", "1500")
    assert not any("1500" in latex for latex in latex_fields(plan("Compound interest", wrong)))


def test_the_summary_states_ideas_not_the_example() -> None:
    ohm = (
        "Ohm's law relates voltage, current and resistance: V = I R, where V is the voltage in volts, I the current "
        "in amperes and R the resistance in ohms. For example, with I = 2 and R = 5 the voltage is 10 volts."
    )
    summary = plan("Ohm's law", ohm).scenes[-1]
    (points,) = [a for beat in summary.beats for a in beat.actions if a.op == "bullets"]
    assert points.items[0] == "Ohm's law relates voltage, current and resistance"  # type: ignore[union-attr]
    assert not any("For example" in item for item in points.items)  # type: ignore[union-attr]


def test_the_worked_computation_is_shown_as_written_beside_typeset_formulas() -> None:
    # Two formulas in $...$ come first among the formulas; the computation must still be shown as itself.
    context = "We know $a^2 + b^2 = c^2$ and $c = \\sqrt{a^2 + b^2}$. Example: 3^2 + 4^2 = 25. Also y = 2x."
    (example,) = [scene for scene in plan("Right triangles", context).scenes if scene.kind == "example"]
    shown = [a.latex for beat in example.beats for a in beat.actions if isinstance(a, TransformEquation)]
    assert shown == ["3^{2} + 4^{2} = 25"]


def test_numbers_are_never_assigned_to_letters_by_position() -> None:
    # Two numbers and two letters, but nothing says which is which: no substitution is invented.
    storyboard = plan("Speed", "Speed is s = d / t. We drove 120 and 2.")
    assert not any("120" in latex or "60" in latex for latex in latex_fields(storyboard))

    given = plan("Speed", "Speed is s = d / t. With d = 120 and t = 2 the speed is 60.")
    assert r"s = \frac{120}{2}" in latex_fields(given)
    assert "s = 60" in latex_fields(given)


def test_a_qualified_subject_is_not_taken_for_the_plain_one() -> None:
    matcher = default_matcher()
    assert matcher.match("The harmonic mean") is None
    assert matcher.match("Partial derivatives") is None
    assert matcher.match("Inverse matrix") is None
    assert matcher.match("Mean and variance").key == "mean_variance"  # type: ignore[union-attr]
    assert matcher.match("Derivative as slope of the tangent line").key == "derivative_slope"  # type: ignore[union-attr]


def test_unknown_topic_without_context_still_has_four_scenes() -> None:
    storyboard = plan("topology of donuts")

    assert len(storyboard.scenes) >= 4
    assert words(storyboard) <= WORD_BUDGET


def test_same_input_gives_the_same_storyboard() -> None:
    first = plan("Bayes theorem", "A test is 90% accurate. Base rates matter. 1 in 100 is sick.")
    second = plan("Bayes theorem", "A test is 90% accurate. Base rates matter. 1 in 100 is sick.")

    assert first.model_dump_json() == second.model_dump_json()


def test_retrieved_passages_become_an_explanation_scene() -> None:
    storyboard = plan("mean", retrieved=["The median is the middle value. It resists outliers.", ""])

    facts = [scene for scene in storyboard.scenes if scene.id == "facts"]
    assert facts
    assert facts[0].beats[0].narration == "The median is the middle value."


def test_exemplar_orders_the_scenes_by_kind() -> None:
    exemplar = plan("limits").model_copy(deep=True)
    reordered = Storyboard(
        title="x",
        scenes=[exemplar.scenes[0], exemplar.scenes[3], exemplar.scenes[1], exemplar.scenes[2], exemplar.scenes[4]],
    )

    storyboard = plan("integral", exemplar=reordered)

    kinds = [scene.kind for scene in storyboard.scenes]
    assert kinds.index("example") < kinds.index("statement")
    assert kinds[0] == "title"


def _labels(storyboard: Storyboard) -> list[str]:
    """Every LaTeX label the storyboard writes (vertex, side, angle, brace, arrow and axis labels)."""
    out: list[str] = []
    for scene in storyboard.scenes:
        for beat in scene.beats:
            for action in beat.actions:
                for name in ("label", "x_label", "y_label"):
                    value = getattr(action, name, None)
                    if isinstance(value, str):
                        out.append(value)
                out.extend(getattr(action, "labels", []) or [])
    return out


@pytest.mark.parametrize("key", sorted(TOPICS))
def test_library_labels_are_latex_not_unicode(key: str) -> None:
    """Labels are set by LaTeX, whose math fonts have no θ or °: the library writes \\theta and ^\\circ."""
    storyboard = plan(key.replace("_", " "))
    for text in [*_labels(storyboard), *latex_fields(storyboard)]:
        assert text.isascii(), f"{key}: {text!r}"


def test_a_formula_is_not_cut_out_of_math_the_parser_cannot_read() -> None:
    from mathreel_script.context import find_plain_formulas

    # "log_b(x) = y" is not "b(x) = y" (which would be drawn as b x = y); the readable formula beside it stays.
    assert find_plain_formulas("log_b(x) = y means b^y = x.") == ["b^y = x"]
    assert find_plain_formulas("Example: log_2(8) = 3.") == []


def test_a_long_sentence_is_cut_at_a_clause_and_never_on_a_dangling_word() -> None:
    from mathreel_script.text import clip_words

    long = (
        "The formula is A = P(1 + r/n)^(nt), where P is the principal, r the annual rate, n the compounding "
        "periods per year and t the years."
    )
    assert clip_words(long, 24) == "The formula is A = P(1 + r/n)^(nt), where P is the principal, r the annual rate"
    assert clip_words("one two three four five and six seven eight", 6) == "one two three four five"
