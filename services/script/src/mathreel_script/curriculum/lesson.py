"""A curriculum entry made into a lesson: the statement, the formulas read in words, the demonstration, a worked
example, the common mistake and a recap, adapted to the numbers of the user's context."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Scene,
    ShowBullets,
    ShowEquation,
    ShowText,
    ShowTitle,
    Storyboard,
)
from mathreel_script.context import ContextFacts
from mathreel_script.curriculum.model import TopicEntry
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations.checks import numbers_in
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import spoken
from mathreel_script.text import clip

AUTHOR = "offline-planner"


def lesson_scenes(entry: TopicEntry, facts: ContextFacts) -> list[Scene]:
    """The scenes of ``entry``'s lesson, in teaching order, with unique ids."""
    # A hand-built lesson states and typesets its formula itself; the idea scene would say it twice.
    hand_built = entry.demonstration.name == "library_lesson"
    title = _title(entry)
    scenes = [title] if hand_built else [title, _idea(entry, said=_shows_key_formula(title, entry))]
    for call in (entry.demonstration, entry.example):
        if call is not None:
            shown = {scene.narration for scene in scenes}
            # Both adapt to the context's numbers: when the example becomes the demonstration again, it is not
            # shown twice.
            scenes.extend(
                scene
                for scene in get_demonstration(call.name).scenes(call.params, facts)
                if scene.narration not in shown
            )
    scenes += [_mistake(entry), _recap(entry)]
    return unique_ids(scenes)


def lesson_storyboard(entry: TopicEntry, facts: ContextFacts, *, extra: Sequence[Scene] = ()) -> Storyboard:
    """The storyboard of ``entry``'s lesson; ``extra`` scenes (e.g. retrieved facts) go before the recap."""
    scenes = lesson_scenes(entry, facts)
    if extra:
        scenes = unique_ids([*scenes[:-1], *extra, scenes[-1]])
    return Storyboard(title=entry.title, scenes=scenes, author=AUTHOR)


def _title(entry: TopicEntry) -> Scene:
    """The title card, read with the statement; a number the statement says is shown with it, in the topic's key
    formula when that holds it, else in the statement's own words."""
    shown: list[Action] = [ShowTitle(id="title", text=entry.title, region="center")]
    said = numbers_in(entry.statement) - numbers_in(entry.title)
    if said:
        formula = entry.formulas[0] if entry.formulas else None
        if formula is not None and said <= numbers_in(formula):
            shown.append(ShowEquation(id="key_formula", latex=formula, region="bottom"))
        else:
            shown.append(ShowText(id="statement", text=clip(entry.statement, 200), region="bottom"))
    return SceneDraft("title", "title").beat(entry.statement, *shown).build()


def _shows_key_formula(title: Scene, entry: TopicEntry) -> bool:
    return bool(entry.formulas) and any(
        getattr(action, "latex", None) == entry.formulas[0] for beat in title.beats for action in beat.actions
    )


def _idea(entry: TopicEntry, *, said: bool = False) -> Scene:
    """The key formula said once, a second one shown beside it, then the intuition: a statement scene holds only
    formulas, so it is kept short (the demonstration that follows draws what they say). When the title card
    already showed the key formula while the statement said it (``said``), the formulas stay on screen while the
    intuition is said, in one beat."""
    draft = SceneDraft("idea", "statement", "The idea")
    formulas = entry.formulas[:2]
    if said:
        shown: list[Action] = [
            ShowEquation(id=f"formula_{index}", latex=formula, region="center" if index == 0 else "bottom")
            for index, formula in enumerate(formulas)
        ]
        on_screen = set().union(*(numbers_in(formula) for formula in formulas))
        if numbers_in(entry.intuition) - on_screen:
            shown.append(ShowText(id="intuition", text=clip(entry.intuition, 200), region="top"))
        return draft.beat(entry.intuition, *shown).build()
    if formulas:
        draft.beat(
            f"In symbols: {spoken(formulas[0])}.",
            *(
                ShowEquation(id=f"formula_{index}", latex=formula, region="center" if index == 0 else "bottom")
                for index, formula in enumerate(formulas)
            ),
        )
    emphasis: list[Action] = [Circumscribe(target="formula_0")] if formulas else []
    if formulas:
        on_screen = set().union(*(numbers_in(formula) for formula in formulas))
        if numbers_in(entry.intuition) - on_screen:
            # An example in the intuition ("an average speed of 60") is shown while it is said.
            emphasis.append(ShowText(id="intuition", text=clip(entry.intuition, 200), region="bottom"))
        draft.beat(entry.intuition, *emphasis)
    else:
        draft.beat(entry.intuition, ShowText(id="intuition", text=clip(entry.intuition, 200), region="center"))
    return draft.build()


def _mistake(entry: TopicEntry) -> Scene:
    return (
        SceneDraft("mistake", "explanation", "A common mistake")
        .beat(entry.mistake, ShowText(id="mistake", text=clip(entry.mistake, 200), region="center", color="orange"))
        .build()
    )


def _in_sentence(point: str, entry: TopicEntry) -> str:
    """A summary point as it reads inside the recap's sentence: its capital dropped, unless its first word keeps one
    anywhere (a name the entry writes with a capital mid-sentence, like Pythagoras; a letter its formulas use as a
    symbol, like the amplitude A; an abbreviation)."""
    first = point.split(" ", 1)[0]
    prose = ". " + ". ".join((entry.statement, entry.intuition, entry.mistake))
    named = re.search(rf"(?<![.!?:;]\s)(?<=\s){re.escape(first)}\b", prose) is not None and len(first) > 1
    symbol = len(first) == 1 and any(re.search(rf"(?<![A-Za-z\\]){first}(?![A-Za-z])", f) for f in entry.formulas)
    if named or symbol or (first.isupper() and len(first) > 1):
        return point
    return point[0].lower() + point[1:]


def _recap(entry: TopicEntry) -> Scene:
    points = [point.rstrip(".") for point in entry.summary]
    spoken_points = ", ".join(_in_sentence(p, entry) for p in points[:-1])
    last = _in_sentence(points[-1], entry)
    narration = f"To recap: {spoken_points}, and {last}." if len(points) > 1 else f"To recap: {last}."
    return (
        SceneDraft("summary", "summary", "Summary")
        .beat(narration, ShowBullets(id="points", items=points, region="center"))
        .build()
    )


def unique_ids(scenes: Sequence[Scene]) -> list[Scene]:
    """``scenes`` with repeated scene ids made unique (``example``, ``example_2``...)."""
    seen: dict[str, int] = {}
    out: list[Scene] = []
    for scene in scenes:
        count = seen.get(scene.id, 0) + 1
        seen[scene.id] = count
        out.append(scene if count == 1 else scene.model_copy(update={"id": f"{scene.id[:36]}_{count}"}))
    return out
