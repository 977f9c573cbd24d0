"""No content-free video, ever (issue 16): a lesson shows mathematics, or the job is refused; the brief is never
read back as narration.

A topic outside the curriculum whose context holds formulas or equations becomes a lesson built from them (at least
three beats that draw something other than text); one whose context holds no mathematics is refused with
``topic_not_supported``, a message naming the closest topics and how to configure a model. And no storyboard the
planner builds, for any curriculum title, narrates a sentence of the context it was given.
"""

from __future__ import annotations

import re

import pytest

from mathreel_scenelang.storyboard import Storyboard
from mathreel_script.curriculum.loader import load_curriculum
from mathreel_script.demonstrations.checks import drawing_beats, unseen_numbers
from mathreel_script.planner import TopicNotSupported, plan_storyboard
from mathreel_shared.messages import JobConfiguration

# Topics the curriculum does not teach, with contexts holding mathematics the planner can graph, solve or evaluate.
WITH_MATHEMATICS = [
    ("Ohm's law", "Current, voltage and resistance are linked. The law says V = I R. With I = 2 and R = 5 we get 10."),
    ("Kinetic energy", "Energy of motion grows with mass and speed: E = m v^2 / 2. For m = 4 and v = 3, E = 18."),
    ("Projectile height", "A ball is thrown straight up. Its height is h = -5t^2 + 20t. When does it land again?"),
    ("The harmonic mean", "The harmonic mean of two rates is H = 2ab/(a + b). With a = 3 and b = 6 we get H = 4."),
    ("Density of a metal", "Density is mass per unit volume, d = m / V. A block with m = 12 and V = 4 has d = 3."),
    ("Homework help", "My teacher gave us this one. Solve 3x + 7 = 22 and check the answer."),
    ("My exercise sheet", "Question four is the hard one. Solve x^2 - 7x + 12 = 0."),
    ("Celsius to Fahrenheit", "Thermometers disagree across the ocean. Use F = 9C/5 + 32; with C = 100, F = 212."),
    ("A simple cost model", "The printing shop charges a setup fee plus a price per copy: y = 2x + 5."),
    ("Stopping distance", "Braking distance grows with the square of speed, d = v^2 / 20. With v = 10, d = 5."),
    ("Compound savings", "Money grows as A = P(1 + r)^t. Take P = 1000, r = 0.05 and t = 3 to get 1157.63."),
]

# Topics the curriculum does not teach, with contexts that hold no mathematics to work from.
WITHOUT_MATHEMATICS = [
    ("Navier-Stokes equations", "The motion of viscous fluids, and why turbulence is so hard to predict."),
    ("Galois theory", "Groups acting on the roots of polynomials, and field extensions."),
    ("Quantum entanglement", "Two particles share one state, however far apart they are."),
    ("History of Rome", "From the founding of the city to the fall of the western empire."),
    ("Knot invariants", "How to tell two knots apart without untying them."),
    ("Photosynthesis", "Plants turn light, water and carbon dioxide into sugar."),
    ("Riemann hypothesis", "Where the nontrivial zeros of the zeta function lie."),
    ("Category theory", "Objects, arrows and composition: mathematics about mathematics."),
    ("Topology of manifolds", ""),
    ("The French Revolution", "Causes, the storming of the Bastille, and the Terror."),
    ("Tensor calculus", "Indices up and down, and why physicists love them."),
]

# Contexts given with curriculum titles (each title gets one, in turn): none of their sentences may be narrated.
CONTEXTS = [
    "My students meet this next week before the exam. Keep the tone friendly and go slowly through each step.",
    "We already covered the definition in class last Tuesday. Today the class should see why it works on an example.",
    "This is for a revision session with older pupils. Where numbers are needed use a = 3 and b = 4 please.",
]


def _sentences(context: str) -> list[str]:
    """The context's sentences of four words or more, lowercased with single spaces."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", context)
    return [" ".join(p.lower().split()).rstrip(".!?") for p in parts if len(p.split()) >= 4]


def _narration(storyboard: Storyboard) -> str:
    return " ".join(" ".join(scene.narration.lower().split()) for scene in storyboard.scenes)


def _plan(topic: str, context: str) -> Storyboard:
    return plan_storyboard(JobConfiguration(topic=topic, context=context))


def test_the_lists_are_long_enough() -> None:
    assert len(WITH_MATHEMATICS) + len(WITHOUT_MATHEMATICS) >= 20


@pytest.mark.parametrize(("topic", "context"), WITH_MATHEMATICS)
def test_a_context_with_mathematics_becomes_a_lesson_that_draws(topic: str, context: str) -> None:
    storyboard = _plan(topic, context)

    assert drawing_beats(storyboard.scenes) >= 3
    narration = _narration(storyboard)
    for sentence in _sentences(context):
        assert sentence not in narration, f"the brief is read back: {sentence!r}"
    # Every scene, the title card included, shows every number it says.
    assert [str(problem) for scene in storyboard.scenes for problem in unseen_numbers(scene)] == []


@pytest.mark.parametrize(("topic", "context"), WITHOUT_MATHEMATICS)
def test_a_context_without_mathematics_is_refused(topic: str, context: str) -> None:
    with pytest.raises(TopicNotSupported) as refused:
        _plan(topic, context)

    error = refused.value
    assert error.code == "topic_not_supported"
    assert error.retryable is False
    assert topic in error.message
    assert "configure a language model" in error.message
    assert "MATHREEL_LLM_BASE_URL" in error.message


@pytest.mark.parametrize(
    ("topic", "closest"),
    [
        ("Riemann hypothesis", "Riemann sums"),
        ("Galois theory", "Graphs, vertices and degrees"),
        ("the limit of a sequence of functions in a topology", "Sequences and their limits"),
    ],
)
def test_the_refusal_names_the_closest_topics(topic: str, closest: str) -> None:
    with pytest.raises(TopicNotSupported) as refused:
        _plan(topic, "")

    assert "The closest topics we teach are:" in refused.value.message
    assert closest in refused.value.message


def test_no_curriculum_lesson_narrates_its_context() -> None:
    read_back = []
    for n, entry in enumerate(load_curriculum()):
        context = CONTEXTS[n % len(CONTEXTS)]
        narration = _narration(_plan(entry.title, context))
        read_back += [(entry.key, s) for s in _sentences(context) if s in narration]
    assert read_back == []


def test_the_check_would_see_a_sentence_read_back() -> None:
    # The comparison is on normalised text: a sentence narrated with other spacing or capitals is still found.
    context = CONTEXTS[0]
    assert _sentences(context)[0] in " ".join(("Today: " + context.upper()).lower().split())
