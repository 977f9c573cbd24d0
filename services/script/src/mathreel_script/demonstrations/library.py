"""The hand-built lessons of the topic library (``mathreel_script.lessons``) as demonstrations.

Each of these lessons already carries its own demonstration and worked example, tuned scene by scene; the
curriculum entries that use them (``curriculum/data/library.yaml``) add the statement, the common mistake and
the recap around them.
"""

from __future__ import annotations

from typing import Literal

from mathreel_scenelang.storyboard import Scene
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.lessons import lesson_for

LibraryKey = Literal[
    "pythagorean_theorem",
    "quadratic_formula",
    "derivative_slope",
    "chain_rule",
    "integral_area",
    "bayes_theorem",
    "binomial_theorem",
    "circle_area",
    "arithmetic_series",
    "euler_identity",
    "matrix_multiplication",
    "eigenvectors",
    "limits",
    "mean_variance",
    "unit_circle",
    "prime_factorization",
    "fibonacci_golden_ratio",
    "triangle_angle_sum",
    "law_of_cosines",
    "independent_events",
]


class LibraryParams(Params):
    lesson: LibraryKey


@demonstration("library_lesson", LibraryParams)
def library_lesson(params: LibraryParams, facts: ContextFacts) -> list[Scene]:
    """A hand-built lesson of the topic library: its demonstration and worked example scenes."""
    return list(lesson_for(params.lesson, facts).scenes)
