"""Every curriculum entry, built as its lesson would be: valid scenes, every spoken number on screen, real figures."""

from __future__ import annotations

import functools

import pytest

from mathreel_scenelang.fields import latex_fields
from mathreel_scenelang.latex import UnsafeLatexError, check_latex
from mathreel_scenelang.storyboard import Storyboard, storyboard_adapter
from mathreel_script.context import ContextFacts
from mathreel_script.curriculum import TopicEntry, load_curriculum
from mathreel_script.curriculum.lesson import lesson_storyboard
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations.checks import figure_beats, unseen_numbers
from mathreel_script.latex import safe_latex

ENTRIES = list(load_curriculum())


@functools.cache
def _lesson(key: str) -> Storyboard:
    """The lesson of the entry ``key``, built once for the tests that read it."""
    from mathreel_script.curriculum.lesson import lesson_storyboard

    return lesson_storyboard(next(entry for entry in ENTRIES if entry.key == key), ContextFacts())


def _scenes(entry: TopicEntry, facts: ContextFacts) -> list:
    scenes = []
    for call in (entry.demonstration, entry.example):
        if call is None:
            continue
        scenes.extend(get_demonstration(call.name).scenes(call.params, facts))
    return scenes


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.key for entry in ENTRIES])
def test_entry_builds_a_lesson_that_shows_what_it_says(entry: TopicEntry) -> None:
    scenes = _scenes(entry, ContextFacts())
    assert scenes, "the demonstration wrote no scene"
    problems = [str(problem) for scene in scenes for problem in unseen_numbers(scene)]
    assert problems == []
    assert figure_beats(scenes) >= 3, "a lesson shows its idea in at least three beats that draw a figure"


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.key for entry in ENTRIES])
def test_entry_formulas_pass_the_latex_allowlist(entry: TopicEntry) -> None:
    assert [formula for formula in entry.formulas if safe_latex(formula) is None] == []


def test_checks_catch_a_number_said_but_not_shown() -> None:
    from mathreel_scenelang.storyboard import ShowEquation
    from mathreel_script.draft import SceneDraft

    scene = SceneDraft("s", "example").beat("Add 7 to get 12.", ShowEquation(id="e", latex="5 + 7 = 13")).build()
    assert [problem.number for problem in unseen_numbers(scene)] == ["12"]


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.key for entry in ENTRIES])
def test_the_whole_lesson_shows_every_number_it_says(entry: TopicEntry) -> None:
    storyboard = _lesson(entry.key)
    assert [str(problem) for scene in storyboard.scenes for problem in unseen_numbers(scene)] == []


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.key for entry in ENTRIES])
def test_the_whole_lesson_is_a_valid_storyboard_with_allowed_latex(entry: TopicEntry) -> None:
    """Schema and references as a storyboard from outside is checked (its JSON validated afresh), and every LaTeX
    field within the allowlist; TeX and layout are the integration test's (test_curriculum_preflight.py)."""
    storyboard = _lesson(entry.key)
    assert storyboard_adapter.validate_json(storyboard.model_dump_json()) == storyboard
    refused = []
    for s, scene in enumerate(storyboard.scenes):
        for path, source in latex_fields(scene):
            try:
                check_latex(source)
            except UnsafeLatexError as exc:
                refused.append(f"scenes[{s}].{path}: {source!r} {exc}")
    assert refused == []


@pytest.mark.parametrize(
    ("key", "recap"),
    [
        # An article or a common word loses its capital inside the sentence ...
        ("square_numbers", "To recap: a square number is n times n, it counts a square array, and the root"),
        # ... a name keeps it, and so does a letter the formulas use as a symbol.
        ("law_of_cosines", "To recap: two sides and the angle between them, Pythagoras minus 2 b c cosine A, and take"),
        ("amplitude_and_period", "To recap: A is the amplitude, period is 360 over B, and larger B means"),
    ],
)
def test_the_recap_reads_its_points_as_one_sentence(key: str, recap: str) -> None:
    storyboard = lesson_storyboard(load_curriculum()[key], ContextFacts())
    assert storyboard.scenes[-1].beats[0].narration.startswith(recap)
