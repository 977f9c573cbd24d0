"""The offline storyboard planner: deterministic, no network, no model.

``plan_storyboard`` frames a lesson (from the topic library, or built from the context for an unknown topic) with a
title scene, the user's own notes, retrieved facts and a summary, keeping the narration near a minute of speech.
"""

from __future__ import annotations

from collections.abc import Sequence

from mathreel_scenelang.storyboard import (
    Circumscribe,
    Remove,
    Scene,
    ShowBullets,
    ShowEquation,
    ShowText,
    ShowTitle,
    Storyboard,
)
from mathreel_script.context import ContextFacts, parse_context
from mathreel_script.draft import Lesson, SceneDraft
from mathreel_script.generic import generic_lesson
from mathreel_script.lessons import lesson_for
from mathreel_script.text import MAX_TOPIC_CHARS, as_sentence, clean_text, clip, one_line, sentences, word_count
from mathreel_script.topics import default_matcher
from mathreel_shared.messages import JobConfiguration

AUTHOR = "offline-planner"
# About a minute of speech at a calm narration pace; longer scripts mostly cost render time.
WORD_BUDGET = 150
_MIN_EXTRA_WORDS = 12
_DEFAULT_ORDER = ("title", "statement", "explanation", "proof", "example", "other", "summary")


def plan_storyboard(
    configuration: JobConfiguration, *, retrieved: Sequence[str] = (), exemplar: Storyboard | None = None
) -> Storyboard:
    """A storyboard teaching ``configuration.topic``, using its context; same input, same storyboard.

    ``retrieved`` passages (knowledge-base facts) become an explanation scene when the word budget allows;
    ``exemplar``, a storyboard whose structure to follow, orders the scenes by its scene kinds.
    """
    topic = one_line(clean_text(configuration.topic, limit=MAX_TOPIC_CHARS))
    facts = parse_context(configuration.context)
    match = default_matcher().match(topic)
    lesson = lesson_for(match.key, facts) if match else generic_lesson(topic, facts)

    opening = _title_scene(lesson)
    closing = _summary_scene(lesson)
    scenes = [opening, *lesson.scenes]
    budget = WORD_BUDGET - _words(scenes) - _words([closing])
    if match:
        notes = _notes_scene(facts, budget)
        if notes:
            scenes.append(notes)
            budget -= _words([notes])
    knowledge = _retrieved_scene(retrieved, budget)
    if knowledge:
        scenes.append(knowledge)
    scenes.append(closing)
    return Storyboard(title=clip(lesson.title, 120), scenes=_ordered(scenes, exemplar), author=AUTHOR)


def _words(scenes: Sequence[Scene]) -> int:
    return sum(word_count(scene.narration) for scene in scenes)


def _title_scene(lesson: Lesson) -> Scene:
    # The title scene has the frame to itself: centred, not in the band where later scenes keep their headings.
    return (
        SceneDraft("title", "title")
        .beat(lesson.hook, ShowTitle(id="title", text=clip(lesson.title, 80), region="center"))
        .build()
    )


def _summary_scene(lesson: Lesson) -> Scene:
    draft = SceneDraft("summary", "summary", "Summary").beat(
        "To recap, here are the key ideas.",
        ShowBullets(id="points", items=[clip(point, 120) for point in lesson.key_points[:4]], region="center"),
    )
    if lesson.formula:
        draft.beat(
            "Keep this formula, and the picture behind it, in mind.",
            ShowEquation(id="formula", latex=lesson.formula, region="bottom"),
            Circumscribe(target="formula"),
        )
    return draft.build()


def _notes_scene(facts: ContextFacts, budget: int) -> Scene | None:
    """The user's definitions and steps, for a library topic, as far as the word budget goes."""
    lines = [d.sentence for d in facts.definitions[:2]] + [f"Step: {step}" for step in facts.steps[:3]]
    return _text_scene("notes", "From your notes", lines, budget)


def _retrieved_scene(retrieved: Sequence[str], budget: int) -> Scene | None:
    """The first sentence of each of the first retrieved passages, as far as the word budget goes."""
    lines: list[str] = []
    for passage in retrieved[:3]:
        found = sentences(clean_text(passage, limit=1000))
        if found:
            lines.append(found[0])
    return _text_scene("facts", "Good to know", lines, budget)


def _text_scene(scene_id: str, title: str, lines: Sequence[str], budget: int) -> Scene | None:
    draft = SceneDraft(scene_id, "explanation", title)
    previous: str | None = None
    for index, line in enumerate(lines):
        sentence = as_sentence(line, max_words=24)
        if not sentence or word_count(sentence) > budget or budget < _MIN_EXTRA_WORDS:
            break
        budget -= word_count(sentence)
        object_id = f"{scene_id}_{index}"
        actions = [Remove(targets=[previous])] if previous else []
        draft.beat(sentence, *actions, ShowText(id=object_id, text=clip(line, 200)))
        previous = object_id
    return draft.build() if draft.beats else None


def _ordered(scenes: list[Scene], exemplar: Storyboard | None) -> list[Scene]:
    """Scenes ordered like the exemplar's scene kinds (title first); the default order without one."""
    if exemplar is None:
        return scenes
    kinds = list(dict.fromkeys(scene.kind for scene in exemplar.scenes))

    def rank(scene: Scene) -> int:
        if scene.kind == "title":
            return -1
        if scene.kind in kinds:
            return kinds.index(scene.kind)
        return len(kinds) + _DEFAULT_ORDER.index(scene.kind)

    # sorted() is stable, so scenes of one kind keep the library's order.
    return sorted(scenes, key=rank)
