"""The scenes every curriculum lesson is built around: the statement scene stays short."""

from __future__ import annotations

from mathreel_scenelang.storyboard import ShowEquation
from mathreel_script.context import ContextFacts
from mathreel_script.curriculum.lesson import lesson_scenes
from mathreel_script.curriculum.loader import load_curriculum


def test_the_idea_scene_says_one_formula_shows_both_and_then_the_intuition() -> None:
    # The hand-built lessons state their formula themselves and have no idea scene.
    entries = [e for e in load_curriculum() if len(e.formulas) >= 2 and e.demonstration.name != "library_lesson"]
    assert entries
    for entry in entries:
        (idea,) = [scene for scene in lesson_scenes(entry, ContextFacts()) if scene.id == "idea"]
        assert len(idea.beats) == 2, entry.key  # the formula, then the intuition: no beat reading a second formula
        shown = [a.latex for beat in idea.beats for a in beat.actions if isinstance(a, ShowEquation)]
        assert shown == entry.formulas[:2], entry.key
        assert idea.beats[1].narration == entry.intuition
