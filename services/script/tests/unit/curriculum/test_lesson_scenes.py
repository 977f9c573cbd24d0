"""The scenes every curriculum lesson is built around: the statement scene stays short."""

from __future__ import annotations

from mathreel_scenelang.storyboard import ShowEquation
from mathreel_script.context import ContextFacts
from mathreel_script.curriculum.lesson import lesson_scenes
from mathreel_script.curriculum.loader import load_curriculum


def test_the_idea_scene_says_one_formula_at_most_shows_both_and_then_the_intuition() -> None:
    # The hand-built lessons state their formula themselves and have no idea scene.
    entries = [e for e in load_curriculum() if len(e.formulas) >= 2 and e.demonstration.name != "library_lesson"]
    assert entries
    for entry in entries:
        title, idea = lesson_scenes(entry, ContextFacts())[:2]
        assert idea.id == "idea"
        titled = any(getattr(a, "latex", None) == entry.formulas[0] for b in title.beats for a in b.actions)
        # The formula (unless the title card just showed it as the statement was said), then the intuition.
        assert len(idea.beats) == (1 if titled else 2), entry.key
        shown = [a.latex for beat in idea.beats for a in beat.actions if isinstance(a, ShowEquation)]
        assert shown == entry.formulas[:2], entry.key
        assert idea.beats[-1].narration == entry.intuition


def test_a_key_formula_the_title_card_showed_is_not_read_again() -> None:
    entry = load_curriculum()["polygon_interior_angles"]
    title, idea = lesson_scenes(entry, ContextFacts())[:2]
    assert any(getattr(a, "latex", None) == entry.formulas[0] for b in title.beats for a in b.actions)
    assert [beat.narration for beat in idea.beats] == [entry.intuition]
