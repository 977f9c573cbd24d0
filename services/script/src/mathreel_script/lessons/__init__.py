"""The topic library: for each known topic, how to recognise it and how to teach it with a real visual."""

from __future__ import annotations

from collections.abc import Callable

from mathreel_script.context import ContextFacts
from mathreel_script.draft import Lesson
from mathreel_script.lessons import algebra, calculus, geometry, probability

LessonBuilder = Callable[[ContextFacts], Lesson]

# key: (builder, alias phrases). Every word of an alias must appear in the topic (after filler words are dropped,
# typos and plurals are folded); the alias with the most words wins, so "chain rule for derivatives" is the chain
# rule, not the derivative.
TOPICS: dict[str, tuple[LessonBuilder, tuple[str, ...]]] = {
    "pythagorean_theorem": (geometry.pythagorean_theorem, ("pythagorean", "pythagoras", "hypotenuse", "a2 b2 c2")),
    "quadratic_formula": (
        algebra.quadratic_formula,
        ("quadratic formula", "quadratic equation", "quadratic", "completing square", "discriminant"),
    ),
    "derivative_slope": (
        calculus.derivative_slope,
        ("derivative", "differentiation", "slope tangent", "tangent line", "rate change", "differentiate"),
    ),
    "chain_rule": (calculus.chain_rule, ("chain rule", "composite function derivative", "derivative composition")),
    "integral_area": (
        calculus.integral_area,
        ("integral", "integration", "area under curve", "riemann sum", "antiderivative", "integrate"),
    ),
    "bayes_theorem": (probability.bayes_theorem, ("bayes", "bayesian", "conditional probability", "posterior")),
    "binomial_theorem": (
        algebra.binomial_theorem,
        ("binomial theorem", "binomial expansion", "pascal triangle", "binomial coefficient", "expand binomial"),
    ),
    "circle_area": (geometry.circle_area, ("area circle", "circle area", "pi r squared", "pi r2", "disc area")),
    "arithmetic_series": (
        algebra.arithmetic_series,
        (
            "arithmetic series",
            "arithmetic sequence",
            "arithmetic progression",
            "gauss sum",
            "sum first n",
            "sum 1 100",
            "sum integer",
            "sum natural number",
            "triangular number",
        ),
    ),
    "euler_identity": (algebra.euler_identity, ("euler identity", "euler formula", "eipi", "e i pi")),
    "matrix_multiplication": (
        algebra.matrix_multiplication,
        ("matrix multiplication", "multiply matrix", "matrix product", "matrices multiplication", "matrix"),
    ),
    "eigenvectors": (algebra.eigenvectors, ("eigenvector", "eigenvalue", "eigen", "characteristic polynomial")),
    "limits": (calculus.limits, ("limit", "approaching value", "continuity")),
    "mean_variance": (
        probability.mean_variance,
        ("mean variance", "variance", "mean", "average", "standard deviation", "spread data"),
    ),
    "unit_circle": (geometry.unit_circle, ("unit circle", "sine cosine", "trigonometric circle", "trig circle")),
    "prime_factorization": (
        algebra.prime_factorization,
        (
            "prime factorization",
            "prime factorisation",
            "prime factor",
            "factor tree",
            "fundamental arithmetic",
            "prime decomposition",
            "prime number",
        ),
    ),
    "fibonacci_golden_ratio": (algebra.fibonacci_golden_ratio, ("fibonacci", "golden ratio", "golden rectangle")),
    "triangle_angle_sum": (
        geometry.triangle_angle_sum,
        ("triangle angle sum", "angle triangle", "angle sum", "triangle 180", "interior angle triangle"),
    ),
    "law_of_cosines": (geometry.law_of_cosines, ("law cosines", "cosine rule", "cosine law", "law cosine")),
    "independent_events": (
        probability.independent_events,
        ("independent event", "independence", "independent probability", "multiplication rule probability"),
    ),
}

TOPIC_ALIASES: dict[str, tuple[str, ...]] = {key: aliases for key, (_, aliases) in TOPICS.items()}


def lesson_for(key: str, facts: ContextFacts) -> Lesson:
    """The lesson of library topic ``key``, adapted to the numbers in ``facts`` where the topic can use them."""
    builder, _ = TOPICS[key]
    return builder(facts)
