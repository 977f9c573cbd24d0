"""The offline storyboard planner: deterministic, no network, no model.

``plan_storyboard`` recognises the curriculum topic a request is about (from its topic and context) and builds that
topic's lesson, adapted to the numbers of the context; for a topic outside the curriculum it teaches the
mathematics the context holds (formulas graphed, equations solved, values worked out). When neither gives a real
lesson it raises ``TopicNotSupported``: a job never becomes a video without mathematical content.
"""

from __future__ import annotations

from collections.abc import Sequence

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Remove,
    Scene,
    ShowEquation,
    ShowText,
    ShowTitle,
    Storyboard,
    WriteStep,
    split_relation,
)
from mathreel_script.context import ContextFacts, parse_context, parse_request, topic_in_words
from mathreel_script.context_lesson import context_scenes, teach_formulas
from mathreel_script.curriculum.lesson import AUTHOR, lesson_storyboard, unique_ids
from mathreel_script.curriculum.recognise import closest_titles, default_recogniser
from mathreel_script.draft import SceneDraft
from mathreel_script.equation_steps import inequality_latex
from mathreel_script.errors import TopicNotSupported
from mathreel_script.latex import spoken
from mathreel_script.text import MAX_TOPIC_CHARS, as_sentence, clean_text, clip, one_line, sentences, word_count
from mathreel_shared.messages import JobConfiguration

__all__ = ["AUTHOR", "TopicNotSupported", "plan_storyboard"]

# Retrieved facts get a short scene of their own, up to this many words.
RETRIEVED_WORDS = 45
_MIN_EXTRA_WORDS = 12
# The recap of a context lesson says at most this many of the results it found.
MAX_RECAP_RESULTS = 3
_DEFAULT_ORDER = ("title", "statement", "explanation", "proof", "example", "other", "summary")


def plan_storyboard(
    configuration: JobConfiguration, *, retrieved: Sequence[str] = (), exemplar: Storyboard | None = None
) -> Storyboard:
    """A storyboard teaching ``configuration.topic``, using its context; same input, same storyboard.

    ``retrieved`` passages (knowledge-base facts) become an explanation scene; ``exemplar``, a storyboard whose
    structure to follow, orders the scenes by its scene kinds. Raises ``TopicNotSupported`` when there is no lesson.
    """
    # The topic becomes the title on screen and the hook's words: its formulas in words, no LaTeX.
    topic = topic_in_words(one_line(clean_text(configuration.topic, limit=MAX_TOPIC_CHARS)))
    # The context's own mathematics is what a lesson from the context works; a topic's formula alone ("area between
    # y = x and y = x^2") is no problem to work, but its numbers and names set a curriculum lesson's example.
    facts = parse_context(configuration.context)
    recognition = default_recogniser().recognise(topic, configuration.context)
    knowledge = _retrieved_scene(retrieved, RETRIEVED_WORDS)
    extra = [knowledge] if knowledge else []
    if recognition.entry is not None:
        request = parse_request(configuration.topic, configuration.context)
        lesson = lesson_storyboard(recognition.entry, request)
        own = _own_problem(facts, lesson)
        storyboard = lesson_storyboard(recognition.entry, request, extra=[*own, *extra]) if own or extra else lesson
    else:
        scenes = context_scenes(facts)
        if scenes is None:
            raise TopicNotSupported(topic, closest_titles(recognition.candidates))
        storyboard = _context_storyboard(topic, facts, scenes, extra)
    return storyboard.model_copy(update={"scenes": _ordered(list(storyboard.scenes), exemplar)})


def _context_storyboard(topic: str, facts: ContextFacts, scenes: list[Scene], extra: list[Scene]) -> Storyboard:
    """The context's mathematics framed as a lesson: a title, the worked scenes, and the formula to keep."""
    title = clip(topic[:1].upper() + topic[1:], 80) or "A worked example"
    inequalities = [found for found in (inequality_latex(*three, facts.money) for three in facts.inequalities) if found]
    formula = facts.formulas[0] if facts.formulas else next(iter(inequalities), None)
    opening = (
        f"Let's work through the mathematics of your notes, starting with {spoken(formula)}."
        if formula
        else "Let's work through the mathematics of your notes."
    )
    shown: list[Action] = [ShowTitle(id="title", text=title, region="center")]
    if formula:
        shown.append(ShowEquation(id="key_formula", latex=formula, region="bottom"))
    title_scene = SceneDraft("title", "title").beat(opening, *shown)
    closing: list[Scene] = []
    results = found_results(scenes)
    if results:
        closing.append(_results_recap(results, formula, dict(facts.legend)))
    elif formula:
        closing.append(
            SceneDraft("summary", "summary", "Summary")
            .beat(
                f"To recap, keep {spoken(formula)} in mind, and the picture that goes with it.",
                ShowEquation(id="formula", latex=formula, region="center"),
                Circumscribe(target="formula"),
            )
            .build()
        )
    all_scenes = unique_ids([title_scene.build(), *scenes, *extra, *closing])
    return Storyboard(title=title, scenes=all_scenes, author=AUTHOR)


def found_results(scenes: Sequence[Scene]) -> list[str]:
    """What the worked scenes found: the lines their working boxed as answers (computed there), in order, at most
    three."""
    boxed = [
        action.latex
        for scene in scenes
        for beat in scene.beats
        for action in beat.actions
        if isinstance(action, WriteStep) and action.box
    ]
    return list(dict.fromkeys(boxed))[:MAX_RECAP_RESULTS]


def _results_recap(results: list[str], formula: str | None, legend: dict[str, str]) -> Scene:
    """The summary of a context lesson: the results it found, shown and said, then the formula they came from."""
    said: list[str] = []
    for result in results:
        sides = split_relation(result)
        meaning = legend.get(sides[0]) if sides else None
        said.append(f"{spoken(result)}, where {sides[0]} is {meaning}" if sides and meaning else spoken(result))
    shown: list[Action] = [
        ShowEquation(id=f"result_{index}", latex=result, region="center") for index, result in enumerate(results)
    ]
    draft = SceneDraft("summary", "summary", "Summary").beat(
        as_sentence("To recap, we found " + "; and ".join(said), max_words=60),
        *shown,
        Circumscribe(target="result_0"),
    )
    if formula and formula not in results:
        draft.beat(f"It all came from {spoken(formula)}.", ShowEquation(id="formula", latex=formula, region="bottom"))
    return draft.build()


def _own_problem(facts: ContextFacts, lesson: Storyboard) -> list[Scene]:
    """The request's own problem worked after the lesson, when the lesson's demonstrations did not take it up: what
    its letters mean, its formula solved or evaluated with its values, its computation checked ("A = l w with
    A = 24 and l = 4, find w" after a lesson on the area of a rectangle)."""
    scenes = teach_formulas(facts)
    worked = [scene for scene in scenes if scene.id != "legend"]
    shown = {_compact(latex) for scene in lesson.scenes for latex in _latex_of(scene)}
    # The lesson took the problem up when it shows the formula a worked scene starts from.
    if not worked or any(_compact(latex) in shown for scene in worked for latex in _latex_of(scene)[:1]):
        return []
    return scenes


def _latex_of(scene: Scene) -> list[str]:
    return [latex for beat in scene.beats for action in beat.actions if (latex := getattr(action, "latex", None))]


def _compact(latex: str) -> str:
    """LaTeX compared as typeset: spacing and multiplication dots make no difference."""
    return "".join(latex.replace("\\cdot", "").replace("\\,", "").replace("\\;", "").split())


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
