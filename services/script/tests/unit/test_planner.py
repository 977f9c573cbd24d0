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
    WriteStep,
    storyboard_adapter,
)
from mathreel_script.context import parse_context
from mathreel_script.curriculum import load_curriculum
from mathreel_script.curriculum.recognise import default_recogniser
from mathreel_script.demonstrations.checks import figure_beats, unseen_numbers
from mathreel_script.latex import plain_to_latex, safe_latex
from mathreel_script.planner import TopicNotSupported, plan_storyboard
from mathreel_script.text import sentences
from mathreel_shared.messages import JobConfiguration

VISUAL_OPS = {"polygon", "circle", "axes", "plot", "matrix", "table", "number_line", "angle", "segment", "arrow"} | {
    "point",
    "sweep",
    "morph_plot",
    "bar_chart",
    "interval",
    "dots",
    "plane",
    "venn",
    "tree",
}
# About two and a half minutes of speech at most: a lesson, not a lecture.
MAX_LESSON_WORDS = 400
TOPICS = sorted(entry.key for entry in load_curriculum())
# Children drawn on axes (or braces on a shape) belong to that figure; what crowds a screen is separate figures.
GEOMETRY_OPS = {"point", "segment", "polygon", "circle", "angle"}
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
        if isinstance(action, ShowEquation | TransformEquation | WriteStep)
    ]


def max_on_screen(scene: Scene) -> int:
    """The most separate things on screen at once: a scene's geometry (points, segments, polygons, circles, angles)
    is one figure on one plane, and what is drawn on axes or annotates another object belongs to it."""
    alive: dict[str, str] = {}
    most = 0
    for beat in scene.beats:
        for action in beat.actions:
            if isinstance(action, Remove):
                for target in action.targets:
                    alive.pop(target, None)
            elif isinstance(action, ClearScreen):
                alive.clear()
            elif action.op in CREATING_OPS and action.op not in ATTACHED_OPS and getattr(action, "axes", None) is None:
                geometry = action.op in GEOMETRY_OPS or (action.op == "arrow" and getattr(action, "start", None))
                alive[action.id] = "figure" if geometry else action.id  # type: ignore[union-attr]
        most = max(most, len(set(alive.values())))
    return most


def words(storyboard: Storyboard) -> int:
    return sum(len(scene.narration.split()) for scene in storyboard.scenes)


@pytest.mark.parametrize("key", TOPICS)
def test_every_curriculum_topic_has_a_visual_lesson_under_its_own_title(key: str) -> None:
    entry = load_curriculum()[key]
    storyboard = plan(entry.title)

    assert storyboard.title == entry.title, "a topic's own title is recognised as that topic"
    storyboard_adapter.validate_json(storyboard.model_dump_json())
    assert len(storyboard.scenes) >= 4
    assert storyboard.scenes[0].kind == "title"
    assert storyboard.scenes[-1].kind == "summary"
    ops = {action.op for scene in storyboard.scenes for beat in scene.beats for action in beat.actions}
    assert ops & VISUAL_OPS, f"{key} has only text"
    assert 60 <= words(storyboard) <= MAX_LESSON_WORDS
    assert all(max_on_screen(scene) <= MAX_ON_SCREEN for scene in storyboard.scenes)
    for scene in storyboard.scenes:
        for beat in scene.beats:
            assert re.search(r"[.!?]$", beat.narration)
            assert len(sentences(beat.narration)) <= 2, beat.narration
    assert all(safe_latex(latex) == latex for latex in latex_fields(storyboard))


@pytest.mark.parametrize(
    ("topic", "key"),
    [
        ("the pythagorean thm", "pythagorean_theorem"),
        ("Pythagoras", "pythagorean_theorem"),
        ("PYTHAGORIAN THEOREM explained", "pythagorean_theorem"),
        ("Chain rule for derivatives", "chain_rule_derivatives"),
        ("derivatives as slopes", "derivative_slope"),
        ("Bayes' theorem", "bayes_theorem"),
        ("Euler's identity", "euler_identity"),
        ("eigenvalues and eigenvectors", "eigenvalues_eigenvectors"),
        ("what is the area of a circle?", "area_of_circle"),
        ("Pascal's triangle", "pascals_triangle"),
        ("sum of the angles in a triangle", "triangle_angle_sum"),
        ("the cosine rule", "law_of_cosines"),
        ("prime factorisation", "prime_factorization"),
        ("The golden ratio", "fibonacci_golden_ratio"),
        ("Gauss sum of the first n terms", "arithmetic_series"),
        ("standard deviation", "variance_standard_deviation"),
        ("definite integrals", "definite_integral"),
        ("the mean of data", "mean_variance"),
    ],
)
def test_topic_matching_tolerates_case_filler_and_spelling(topic: str, key: str) -> None:
    recognition = default_recogniser().recognise(topic)

    assert recognition.entry is not None
    assert recognition.entry.key == key


@pytest.mark.parametrize("topic", ["photosynthesis", "the history of Rome", "circle", ""])
def test_unrelated_topics_match_nothing(topic: str) -> None:
    assert default_recogniser().recognise(topic).entry is None


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


HOSTILE_CONTEXT = (
    "Evil is $\\input{/etc/passwd}$ and \\(\\write18{ls}\\) and $^^5cinput$.\x00\x1b[31m\u202e"
    + "x = 1 + \\immediate\\write18{id}. " * 50
    + "word " * 20_000
)


def test_hostile_context_gives_a_valid_storyboard_without_injected_commands() -> None:
    storyboard = plan("Pythagorean theorem", HOSTILE_CONTEXT)

    storyboard_adapter.validate_json(storyboard.model_dump_json())
    all_latex = "".join(latex_fields(storyboard))
    for command in ("\\input", "\\write", "\\immediate", "^^"):
        assert command not in all_latex
    dumped = storyboard.model_dump_json()
    for invisible in ("\x00", "\x07", "\x1b", "\u202e"):
        assert invisible not in dumped
        assert f"\\u{ord(invisible):04x}" not in dumped


def test_hostile_unknown_topic_is_refused_with_a_clean_message() -> None:
    with pytest.raises(TopicNotSupported) as refused:
        plan("\x07Weird \u202etopic " + "z" * 500, HOSTILE_CONTEXT)

    assert refused.value.code == "topic_not_supported"
    assert refused.value.retryable is False
    for invisible in ("\x00", "\x07", "\x1b", "\u202e"):
        assert invisible not in refused.value.message


def test_known_topic_uses_context_numbers_in_its_example() -> None:
    storyboard = plan("Pythagorean theorem", "A right triangle has legs 5 and 12.")

    assert any("c = \\sqrt{169} = 13" in latex for latex in latex_fields(storyboard))


def test_unknown_topic_builds_a_lesson_from_the_mathematics_of_its_context() -> None:
    storyboard = plan(
        "Ohm's law",
        "Resistance is the opposition to current.\n1. Measure the current.\n2. Measure the resistance.\n"
        "The law says V = I R, so with I = 2 and R = 5 we get 10.",
    )

    assert [scene.kind for scene in storyboard.scenes] == ["title", "example", "explanation", "summary"]
    assert "V = I R" in latex_fields(storyboard)
    assert any(latex.endswith("= 10") for latex in latex_fields(storyboard))
    assert figure_beats(storyboard.scenes) >= 3
    # The brief is never read back: no sentence of the context is narrated.
    assert "opposition to current" not in " ".join(scene.narration for scene in storyboard.scenes)
    assert [str(problem) for scene in storyboard.scenes for problem in unseen_numbers(scene)] == []


def test_an_equation_in_the_context_is_solved_step_by_step_and_graphed() -> None:
    storyboard = plan("My homework", "Solve x^2 - 5x + 6 = 0 please.")

    assert "x = 2 \\text{ or } x = 3" in latex_fields(storyboard)
    ops = {action.op for scene in storyboard.scenes for beat in scene.beats for action in beat.actions}
    assert {"axes", "plot", "point", "sweep"} <= ops


@pytest.mark.parametrize(
    ("topic", "context"),
    [
        ("Galois theory", "Groups acting on the roots of polynomials, and field extensions."),
        ("The history of Rome", ""),
        ("Photosynthesis", "Plants turn light into sugar."),
        ("Tetration", "Compute 9^9^9^9 = 5 now."),
    ],
)
def test_no_lesson_is_refused_never_a_video_without_content(topic: str, context: str) -> None:
    with pytest.raises(TopicNotSupported) as refused:
        plan(topic, context)

    assert "configure a language model" in refused.value.message
    assert topic[:20] in refused.value.message


def test_the_refusal_names_the_closest_curriculum_topics() -> None:
    with pytest.raises(TopicNotSupported) as refused:
        plan("the limit of a sequence of functions in a topology", "")
    assert "Limits" in refused.value.message


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
    storyboard = plan("My savings plan", COMPOUND_INTEREST)

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


def test_a_computation_in_the_context_is_shown_only_if_it_checks_out() -> None:
    storyboard = plan("My savings plan", COMPOUND_INTEREST)
    assert r"1000 \cdot 1.05^{3} = 1157.63" in latex_fields(storyboard)
    (check,) = [scene for scene in storyboard.scenes if scene.id.startswith("check")]
    assert "1157.63" in check.narration

    wrong = COMPOUND_INTEREST.replace("1157.63", "1500")
    # A curriculum lesson (compound interest, named by the context) never shows the wrong computation...
    assert not any("1500" in latex for latex in latex_fields(plan("My savings plan", wrong)))
    # ...and with nothing else to teach from, there is no lesson.
    with pytest.raises(TopicNotSupported):
        plan("My notes", "The total is 1000 * 1.05^3 = 1500.")


def test_the_worked_computation_is_shown_as_written_beside_typeset_formulas() -> None:
    # Two formulas in $...$ come first among the formulas; the computation must still be shown as itself.
    context = "We know $a^2 + b^2 = c^2$ and $c = \\sqrt{a^2 + b^2}$. Example: 3^2 + 4^2 = 25. Also y = 2x."
    (example,) = [scene for scene in plan("My notes", context).scenes if scene.id.startswith("check")]
    shown = [a.latex for beat in example.beats for a in beat.actions if isinstance(a, TransformEquation)]
    assert shown == ["3^{2} + 4^{2} = 25"]


def test_numbers_are_never_assigned_to_letters_by_position() -> None:
    # Two numbers and two letters, but nothing says which is which: no substitution is invented.
    # (Pressure is no curriculum topic: the context's own formula is the lesson.)
    with pytest.raises(TopicNotSupported):
        plan("Pressure", "Pressure is p = F / A. We pushed 120 and 2.")

    given = plan("Pressure", "Pressure is p = F / A. With F = 120 and A = 2 the pressure is 60.")
    assert r"p = \frac{120}{2}" in latex_fields(given)
    # The worked value is the answer boxed under the working, and the recap says it.
    (answer,) = [a for s in given.scenes for b in s.beats for a in b.actions if isinstance(a, WriteStep) and a.box]
    assert answer.latex == "p = 60"
    (summary,) = [scene for scene in given.scenes if scene.kind == "summary"]
    assert "p equals 60" in summary.narration


def test_a_qualified_subject_is_not_taken_for_the_plain_one() -> None:
    recogniser = default_recogniser()

    def key(topic: str) -> str | None:
        entry = recogniser.recognise(topic).entry
        return entry.key if entry else None

    assert key("The harmonic mean") != "mean_variance"
    assert key("Partial derivatives") != "derivative_slope"
    assert key("Inverse matrix") != "matrix_multiplication"
    assert key("Central limit theorem") != "limits"
    assert key("Mean and variance") == "mean_variance"
    assert key("Derivative as slope of the tangent line") == "derivative_slope"


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
    exemplar = Storyboard(
        title="x",
        scenes=[
            Scene(id=kind, kind=kind, beats=[{"narration": "A sentence."}])  # type: ignore[list-item]
            for kind in ("title", "example", "statement", "summary")
        ],
    )

    storyboard = plan("integral", exemplar=exemplar)

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


@pytest.mark.parametrize("key", TOPICS)
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


def test_a_lesson_that_does_not_take_up_the_request_s_own_problem_works_it_after() -> None:
    # The area lesson draws rectangles of its own; the request's problem (find w) is solved after it, once.
    storyboard = plan("Rectangle from its area", "A = l w with A = 24 and l = 4. Find the width w.")
    ids = [scene.id for scene in storyboard.scenes]
    assert ids[0] == "title"
    assert any(scene_id.startswith("area") for scene_id in ids)
    assert any(scene_id.startswith("solve") for scene_id in ids)
    assert ids[-1] == "summary"
    assert any("w = 6" in latex for latex in latex_fields(storyboard))


def test_a_lesson_that_takes_up_the_request_s_problem_does_not_work_it_twice() -> None:
    storyboard = plan("Solving linear equations", "Solve 3x + 5 = 20")
    solved = [scene for scene in storyboard.scenes if any("3 x + 5 = 20" in latex for latex in latex_fields_of(scene))]
    assert len(solved) == 1


def latex_fields_of(scene: Scene) -> list[str]:
    return [latex for beat in scene.beats for action in beat.actions if (latex := getattr(action, "latex", None))]


def test_the_topic_s_numbers_and_names_set_the_lesson_s_example() -> None:
    storyboard = plan("Why each angle of a regular pentagon is 108 degrees", "Split it into triangles from one corner.")
    assert any("\\frac{540^\\circ}{5} = 108^\\circ" in latex for latex in latex_fields(storyboard))


def test_a_formula_in_the_topic_alone_is_no_problem_to_work() -> None:
    # Evaluating y = x at x = 0 would be a lesson without content: volumes of revolution are not taught offline.
    with pytest.raises(TopicNotSupported) as refused:
        plan("Volume of revolution between y = x and y = x^2", "Between x = 0 and x = 1.")
    assert "The dot product" not in refused.value.message  # it shares only "between" with the request
