"""Recognising the curriculum topic of a request: confusable names, phrasing, topics we do not teach, context.

The confusable pairs are the measured figure of issue 16: each names a topic and the entry it must map to, where a
nearby entry (listed beside it) shares a word and would be the wrong lesson. Wrong matches must stay at zero.
"""

from __future__ import annotations

import pytest

from mathreel_script.curriculum.loader import load_curriculum
from mathreel_script.curriculum.recognise import ACCEPT, Recognition, closest_titles, default_recogniser

# topic typed → (the entry it must be, a nearby entry that would be the wrong lesson)
CONFUSABLE = {
    "central limit theorem": ("central_limit_theorem", "limits"),
    "limits": ("limits", "central_limit_theorem"),
    "one-sided limits": ("one_sided_limits", "limits"),
    "infinite limits": ("infinite_limits", "infinite_series"),
    "law of cosines": ("law_of_cosines", "laws_of_exponents"),
    "law of large numbers": ("law_of_large_numbers", "law_of_cosines"),
    "geometric series": ("geometric_series", "geometric_sequences"),
    "geometric sequence": ("geometric_sequences", "geometric_series"),
    "geometric distribution": ("geometric_distribution", "geometric_series"),
    "arithmetic series": ("arithmetic_series", "arithmetic_sequences"),
    "arithmetic sequence": ("arithmetic_sequences", "arithmetic_series"),
    "binomial distribution": ("binomial_distribution", "binomial_theorem"),
    "binomial theorem": ("binomial_theorem", "binomial_distribution"),
    "binomial coefficient": ("combinations", "binomial_theorem"),
    "partial derivatives": ("partial_derivatives", "derivative_slope"),
    "second derivative test": ("second_derivative_test", "derivative_slope"),
    "derivative": ("derivative_slope", "derivative_definition"),
    "derivative of sine": ("trig_derivatives", "derivative_slope"),
    "integration by parts": ("integration_by_parts", "definite_integral"),
    "integration": ("antiderivatives", "integration_by_parts"),
    "conditional probability": ("conditional_probability", "bayes_theorem"),
    "bayes theorem": ("bayes_theorem", "conditional_probability"),
    "mean value theorem": ("mean_value_theorem", "mean_variance"),
    "mean median and mode": ("mean_median_mode", "mean_variance"),
    "harmonic series": ("harmonic_series", "alternating_series"),
    "alternating series": ("alternating_series", "harmonic_series"),
    "power series": ("power_series", "powers_and_exponents"),
    "power rule": ("power_rule", "powers_and_exponents"),
    "p-series": ("p_series", "p_values"),
    "p-values": ("p_values", "p_series"),
    "linear inequalities": ("linear_inequalities", "linear_equations"),
    "quadratic inequalities": ("quadratic_inequalities", "linear_inequalities"),
    "quadratic equations": ("quadratic_equations", "graphing_quadratics"),
    "exponential equations": ("exponential_equations", "exponential_functions"),
    "logistic growth": ("logistic_growth", "exponential_growth"),
    "variance of a random variable": ("variance_random_variable", "variance_standard_deviation"),
    "standard deviation": ("variance_standard_deviation", "variance_random_variable"),
    "prime factorization": ("prime_factorization", "prime_numbers"),
    "division with remainder": ("division_with_remainder", "division_sharing"),
    "inclusion-exclusion": ("inclusion_exclusion", "addition_rule"),
    "addition rule for probability": ("addition_rule", "inclusion_exclusion"),
    "tree diagrams": ("tree_diagrams", "counting_principle"),
    "absolute value function": ("absolute_value_functions", "absolute_value"),
    "absolute value": ("absolute_value", "absolute_value_functions"),
    "direct variation": ("direct_variation", "direct_proportion"),
    "square root functions": ("square_root_functions", "square_numbers"),
    "difference of squares": ("difference_of_squares", "subtracting_fractions"),
    "matrix multiplication": ("matrix_multiplication", "multiplication_arrays"),
    "multiplying negative numbers": ("integer_multiplication", "negative_numbers"),
    "newton's method": ("newtons_method", "eulers_method"),
    "euler's method": ("eulers_method", "euler_identity"),
    "euler's identity": ("euler_identity", "eulers_method"),
    "pascal's triangle": ("pascals_triangle", "triangle_angle_sum"),
    "percentage increase": ("percent_change", "percentages"),
    "linear regression": ("linear_regression", "slope_intercept_form"),
    "tangent line": ("tangent_line", "linear_approximation"),
    "modular arithmetic": ("modular_arithmetic", "arithmetic_series"),
    "fundamental theorem of calculus": ("fundamental_theorem_of_calculus", "prime_factorization"),
}

# (typed, the entry it must be): plurals, typos, word order, filler, capitals, a name split in two words.
PHRASINGS = [
    ("Central Limit Theorems", "central_limit_theorem"),
    ("centrl limit theorem", "central_limit_theorem"),
    ("theorem central limit", "central_limit_theorem"),
    ("explain the central limit theorem visually", "central_limit_theorem"),
    ("LAW OF COSINES", "law_of_cosines"),
    ("cosine laws", "law_of_cosines"),
    ("explain the binomial distributions visually", "binomial_distribution"),
    ("binomial distibution", "binomial_distribution"),
    ("integration by part", "integration_by_parts"),
    ("partial derivitives", "partial_derivatives"),
    ("derivatives, partial", "partial_derivatives"),
    ("Conditional Probabilities", "conditional_probability"),
    ("condtional probability", "conditional_probability"),
    ("geometric serie", "geometric_series"),
    ("what is the law of large numbers?", "law_of_large_numbers"),
    ("pythagorean theorm", "pythagorean_theorem"),
    ("Pythagoras", "pythagorean_theorem"),
    ("Eigen values", "eigenvalues_eigenvectors"),
    ("anti derivatives", "antiderivatives"),
    ("matrix multiplications", "matrix_multiplication"),
    ("mutliplication of matrices", "matrix_multiplication"),
    ("lineer equations", "linear_equations"),
    ("a short introduction to prime numbers", "prime_numbers"),
    ("prime numbers for beginners", "prime_numbers"),
    ("Pascals Triangle", "pascals_triangle"),
]

# Subjects the curriculum does not teach: no lesson may be chosen for them.
OUTSIDE = [
    "Navier-Stokes equations",
    "Galois theory",
    "quantum entanglement",
    "history of Rome",
    "knot invariants",
    "Riemann hypothesis",
    "tensor calculus",
    "category theory",
    "group theory",
    "string theory",
    "tetration",
]

# An ambiguous short topic, and the entry each context makes it.
IN_CONTEXT = [
    ("progressions", "each term is the previous one times the common ratio; multiply to go on", "geometric_sequences"),
    ("progressions", "add the common difference to get the next term", "arithmetic_sequences"),
    ("average", "the spread of the data: each deviation squared", "mean_variance"),
    ("average", "sort the data set: the middle value and the most frequent value", "mean_median_mode"),
    ("linear function", "its rate of change: the increase per unit", "linear_rate_of_change"),
    ("linear function", "slope and intercept: rise over run of the line", "slope_intercept_form"),
    ("area under a curve", "the limits of integration bound the integral", "definite_integral"),
    ("area under a curve", "a running total: the net change accumulated so far", "area_under_curve"),
]


@pytest.fixture(scope="module")
def keys() -> set[str]:
    return {entry.key for entry in load_curriculum()}


def test_the_confusable_list_is_real(keys: set[str]) -> None:
    assert len(CONFUSABLE) >= 30
    for topic, (right, wrong) in CONFUSABLE.items():
        assert right in keys, topic
        assert wrong in keys, topic
        assert right != wrong


def test_confusable_names_map_to_their_own_topic() -> None:
    recogniser = default_recogniser()
    wrong = {}
    for topic, (right, _) in CONFUSABLE.items():
        chosen = recogniser.recognise(topic).entry
        if chosen is None or chosen.key != right:
            wrong[topic] = chosen.key if chosen else None
    assert wrong == {}, f"{len(wrong)} wrong of {len(CONFUSABLE)}: {wrong}"


@pytest.mark.parametrize(("topic", "pair"), list(CONFUSABLE.items()))
def test_the_nearby_topic_scores_clearly_lower(topic: str, pair: tuple[str, str]) -> None:
    right, wrong = pair
    scores = {c.entry.key: c.score for c in default_recogniser().recognise(topic, top=20).candidates}
    assert scores[right] >= ACCEPT
    assert scores.get(wrong, 0.0) < scores[right]


@pytest.mark.parametrize(("topic", "key"), PHRASINGS)
def test_phrasing_does_not_matter(topic: str, key: str) -> None:
    chosen = default_recogniser().recognise(topic).entry
    assert chosen is not None, topic
    assert chosen.key == key


@pytest.mark.parametrize("topic", OUTSIDE)
def test_topics_outside_the_curriculum_match_nothing(topic: str) -> None:
    recognition = default_recogniser().recognise(topic, "an overview for first-year students")
    assert recognition.entry is None
    assert all(candidate.score < ACCEPT for candidate in recognition.candidates)


@pytest.mark.parametrize("topic", ["Navier-Stokes equations", "Galois theory", "Riemann hypothesis", "group theory"])
def test_topics_outside_the_curriculum_still_report_the_closest(topic: str) -> None:
    recognition = default_recogniser().recognise(topic)
    assert recognition.entry is None
    assert recognition.candidates, topic
    scores = [candidate.score for candidate in recognition.candidates]
    assert scores == sorted(scores, reverse=True)


def test_a_topic_sharing_no_word_with_any_name_has_no_candidates() -> None:
    recognition = default_recogniser().recognise("quantum entanglement")
    assert recognition.entry is None
    assert recognition.candidates == ()


@pytest.mark.parametrize(("topic", "context", "key"), IN_CONTEXT)
def test_the_context_resolves_an_ambiguous_topic(topic: str, context: str, key: str) -> None:
    chosen = default_recogniser().recognise(topic, context).entry
    assert chosen is not None
    assert chosen.key == key


def test_the_context_does_not_turn_an_unknown_topic_into_a_lesson() -> None:
    context = "the common ratio, the partial sums and the sum to infinity of a geometric series"
    assert default_recogniser().recognise("Galois theory", context).entry is None
    assert default_recogniser().recognise("series", "").entry is None


# A teacher's request as typed: a question or a phrase, numbers and formulas in it, the subject named in the context.
TEACHER_REQUESTS = [
    ("How my savings grow at 4% a year", "2500 at 4% interest compounded yearly for 6 years", "compound_interest"),
    ("Angle between two arrows", "u = (2, 1) and v = (1, 3). Use the dot product to find the angle.", "dot_product"),
    (
        "How spread out are my quiz scores?",
        "Scores: 12, 15, 15, 18, 20. Find the standard deviation.",
        "variance_standard_deviation",
    ),
    ("Approximating e^x near 0 with polynomials", "Build the Taylor polynomial up to degree 3.", "taylor_series"),
    (
        "Why each angle of a regular pentagon is 108 degrees",
        "Split it into triangles from one corner.",
        "polygon_interior_angles",
    ),
    ("Is this dice game worth playing?", "A six wins 10 pounds. It costs 3 pounds to play.", "expected_value"),
    ("Completing the square for x^2+6x+5", "", "completing_the_square"),
]


@pytest.mark.parametrize(("topic", "context", "key"), TEACHER_REQUESTS)
def test_a_request_phrased_as_a_teacher_would_finds_its_topic(topic: str, context: str, key: str) -> None:
    chosen = default_recogniser().recognise(topic, context).entry
    assert chosen is not None, topic
    assert chosen.key == key


def test_a_word_form_counts_as_the_word_a_name_uses() -> None:
    # "compounded" and "interest" side by side say "compound interest"; without the context nothing is chosen.
    recogniser = default_recogniser()
    assert recogniser.recognise("How my savings grow", "").entry is None
    chosen = recogniser.recognise("How my savings grow", "the interest is compounded monthly").entry
    assert chosen is not None
    assert chosen.key == "compound_interest"


def test_a_name_the_context_says_apart_is_not_said() -> None:
    # "standard" and "scores" are both in the context, but never side by side: it names no "standard score".
    context = "Scores: 12, 15, 15, 18, 20. Find the mean and the standard deviation."
    chosen = default_recogniser().recognise("How spread out are my quiz scores?", context).entry
    assert chosen is not None
    assert chosen.key != "z_scores"


def test_the_equations_of_a_topic_name_no_topic() -> None:
    # The x and the 2 of "y = x^2" would otherwise match "2 to the x"; volumes of revolution are not taught.
    recognition = default_recogniser().recognise(
        "Volume of revolution between y = x and y = x^2", "Between x = 0 and x = 1."
    )
    assert recognition.entry is None
    assert all(candidate.entry.key != "exponential_functions" for candidate in recognition.candidates)


def test_a_topic_that_names_only_a_task_leaves_the_lesson_to_the_context() -> None:
    assert default_recogniser().recognise("Solve this for me", "x^2 + 6x + 5 = 0") == Recognition(None, ())
    assert default_recogniser().recognise("Please calculate it", "") == Recognition(None, ())


def test_a_context_naming_a_topic_the_request_shares_nothing_with_chooses_nothing() -> None:
    # The context names the dot product, but "Galois theory" shares no word with it.
    assert default_recogniser().recognise("Galois theory", "Use the dot product to find the angle.").entry is None


def test_only_topics_sharing_a_subject_word_are_suggested() -> None:
    monty = default_recogniser().recognise("The Monty Hall problem", "Three doors, one car, the host opens a door.")
    assert monty.entry is None
    assert monty.candidates, "candidates are still reported"
    assert closest_titles(monty.candidates) == []  # they share only "problem"
    riemann = default_recogniser().recognise("Riemann hypothesis")
    assert "Riemann sums" in closest_titles(riemann.candidates)


@pytest.mark.parametrize(
    ("topic", "key"), [("the 68-95-99.7 rule", "empirical_rule"), ("3 by 3 determinant", "determinant_3x3")]
)
def test_a_name_made_of_numbers_is_not_taken_for_a_formula(topic: str, key: str) -> None:
    chosen = default_recogniser().recognise(topic).entry
    assert chosen is not None
    assert chosen.key == key


# A topic that names a family of entries, and the member its context says.
FAMILY_IN_CONTEXT = [
    ("Matrices", "Multiply [[1,2],[3,4]] by [[5,6],[7,8]]", "matrix_multiplication"),
    ("Matrices", "Find the inverse of [[2,1],[1,1]]", "matrix_inverse"),
    ("Matrices", "Add [[1,2],[3,4]] and [[5,6],[7,8]]", "matrix_addition"),
    ("Volume", "A cone of radius 3 cm and height 5 cm", "volume_of_cone"),
    ("Circles", "x^2 + y^2 = 25: find the centre of the circle from its equation", "circle_equation"),
    ("Circles", "A circle has radius 4 cm; find its area", "area_of_circle"),
    ("Area", "A triangle with base 6 and height 4", "area_of_triangle"),
]


@pytest.mark.parametrize(("topic", "context", "key"), FAMILY_IN_CONTEXT)
def test_the_context_says_which_member_of_a_family_a_short_topic_means(topic: str, context: str, key: str) -> None:
    recogniser = default_recogniser()
    assert recogniser.recognise(topic, "").entry is None, "the topic alone names a family, not one entry"
    chosen = recogniser.recognise(topic, context).entry
    assert chosen is not None
    assert chosen.key == key


def test_a_family_member_is_chosen_only_for_a_topic_its_names_say() -> None:
    # "bacteria" is a keyword of exponential growth, not a name: the context's formula is taught instead.
    context = "A culture doubles every hour: N = 500 * 2^t. Find N when t = 4."
    assert default_recogniser().recognise("Bacteria growth", context).entry is None
    # A context that says nothing any member names chooses nothing.
    assert default_recogniser().recognise("Matrices", "for my class on Monday").entry is None


# Names that would match a longer name of another subject: each must choose nothing, or its own entry.
NOT_THAT_SUBJECT = {
    "Remainder theorem": None,  # a theorem none of "division with remainder"'s names says
    "Composite functions": None,  # "derivative of a composite function" is the chain rule
    "Standard form": None,  # of a circle, of an ellipse: as close as each other
    "Polynomials": None,  # cubic functions, the power rule on a polynomial: as close as each other
    "Slope": "slope_intercept_form",  # not "derivative slope"
    "Midpoint": "midpoint_formula",  # not the midpoint rule of Riemann sums
    "Exponential decay": "exponential_decay",  # the algebra lesson, not the differential equation
    "Simple interest": "simple_interest",  # "simple" names the subject here: not compound interest
    "A simple explanation of derivatives": "derivative_slope",  # and here it is filler
}


@pytest.mark.parametrize("topic", sorted(NOT_THAT_SUBJECT))
def test_a_name_inside_a_longer_name_of_another_subject_is_not_that_subject(topic: str) -> None:
    chosen = default_recogniser().recognise(topic, "").entry
    assert (chosen.key if chosen else None) == NOT_THAT_SUBJECT[topic]


@pytest.mark.parametrize(
    ("topic", "key"),
    [
        ("Vectors", "vectors_components"),
        ("Trigonometry", "right_triangle_trigonometry"),
        ("Quadratics", "quadratic_equations"),
        ("Slope of a line", "slope_intercept_form"),
        ("Radioactive decay", "exponential_decay"),
    ],
)
def test_a_subject_named_in_one_word_gets_its_first_lesson(topic: str, key: str) -> None:
    chosen = default_recogniser().recognise(topic, "").entry
    assert chosen is not None
    assert chosen.key == key


@pytest.mark.parametrize(
    ("topic", "context", "key"),
    [
        ("Vectors", "Add vectors (3, 4) and (1, -2)", "vector_addition"),
        ("Complex numbers", "Multiply (2 + 3i)(1 - i)", "complex_multiplication"),
        ("Probability", "Two dice: what is the chance of a sum of 7?", "probability_basics"),
        ("Vectors", "for my year 10 class", "vectors_components"),
    ],
)
def test_a_subject_named_in_a_word_or_two_takes_the_entry_its_context_asks_for(
    topic: str, context: str, key: str
) -> None:
    chosen = default_recogniser().recognise(topic, context).entry
    assert chosen is not None
    assert chosen.key == key
