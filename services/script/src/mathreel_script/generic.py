"""A lesson for any topic the library does not know, built from what the context says."""

from __future__ import annotations

import math

import sympy

from mathreel_script.context import ContextFacts
from mathreel_script.draft import Lesson, SceneDraft
from mathreel_script.latex import format_number, parse_plain, safe_latex, spoken, to_latex
from mathreel_script.text import as_sentence, clip
from mathreel_shared.storyboard import (
    Action,
    Circumscribe,
    Region,
    Remove,
    Scene,
    ShowEquation,
    ShowNumberLine,
    ShowText,
    TransformEquation,
)

_STEP_WORDS = ("First", "Next", "Then", "Finally")
_STACK: tuple[Region, ...] = ("top", "center", "bottom")


def generic_lesson(topic: str, facts: ContextFacts) -> Lesson:
    """Title, statement, explanation and example scenes for ``topic`` from the context's facts."""
    name = clip(topic, 80) or "A Math Lesson"
    formula = facts.formulas[0] if facts.formulas else None
    return Lesson(
        title=name,
        hook=as_sentence(f"Let's take a clear look at {clip(topic, 60)}" if topic else "Let's look at an idea"),
        formula=formula,
        scenes=(_statement(name, facts, formula), _explanation(name, facts), _example(facts)),
        key_points=_key_points(facts, formula),
    )


def _statement(name: str, facts: ContextFacts, formula: str | None) -> Scene:
    draft = SceneDraft("statement", "statement", "The main idea")
    if facts.definitions:
        definition = facts.definitions[0]
        draft.beat(
            as_sentence(definition.sentence),
            ShowText(id="definition", text=clip(definition.caption, 200), region="top"),
        )
    elif facts.sentences:
        draft.beat(as_sentence(facts.sentences[0]), ShowText(id="definition", text=clip(facts.sentences[0], 200)))
    else:
        draft.beat(as_sentence(f"Our topic is {name}"), ShowText(id="definition", text=clip(name, 200)))
    if formula:
        reading = spoken(formula)
        narration = f"In symbols: {reading}." if len(reading.split()) <= 16 else "Here it is in symbols."
        draft.beat(narration, ShowEquation(id="formula", latex=formula, region="center"))
    return draft.build()


def _explanation(name: str, facts: ContextFacts) -> Scene:
    draft = SceneDraft("explanation", "explanation", "Step by step")
    shown: list[str] = []
    lines: list[str] = []
    if facts.steps:
        lines = [
            f"{_STEP_WORDS[min(i, 2) if i < len(facts.steps) - 1 else 3]}, {_lower_first(clip(step, 100))}"
            for i, step in enumerate(facts.steps[:4])
        ]
        if len(lines) == 1:
            lines = [f"The key step: {clip(facts.steps[0], 100)}"]
    else:
        lines = [d.sentence for d in facts.definitions[1:3]] + list(facts.sentences[1:3])
    if not lines:
        lines = [f"We build {name} up from its definition, one small step at a time"]
    for index, line in enumerate(lines[:4]):
        actions: list[Action] = []
        if len(shown) == len(_STACK):
            actions.append(Remove(targets=[shown.pop(0)]))
        object_id = f"line_{index}"
        actions.append(ShowText(id=object_id, text=clip(line, 200), region=_STACK[index % len(_STACK)]))
        shown.append(object_id)
        draft.beat(as_sentence(line, max_words=24), *actions)
    return draft.build()


def _example(facts: ContextFacts) -> Scene:
    draft = SceneDraft("example", "example", "An example")
    substitution = _substitute(facts)
    if substitution:
        original, substituted, result, spoken_result = substitution
        draft.beat("Let's put numbers into the formula.", ShowEquation(id="calc", latex=original, region="top"))
        draft.beat("Substitute the values from the example.", TransformEquation(target="calc", latex=substituted))
        draft.beat(
            as_sentence(f"That gives {spoken_result}"),
            TransformEquation(target="calc", latex=result),
            Circumscribe(target="calc"),
        )
        return draft.build()
    numbers = sorted(set(facts.numbers))[:6]
    if numbers:
        low, high = min(numbers), max(numbers)
        step = max(1.0, float(math.ceil((high - low) / 8))) if high > low else 1.0
        listed = ", ".join(format_number(n) for n in numbers)
        draft.beat(
            as_sentence(f"Take the numbers from the example: {listed}"),
            ShowNumberLine(id="line", x_range=(low - step, high + step, step), marks=list(numbers)),
        )
        draft.beat("Place each one and compare where they fall.", Circumscribe(target="line"))
        return draft.build()
    draft.beat(
        "Now try the idea on a small example of your own, and check each step.",
        ShowText(id="try", text="Try a small example and check each step"),
    )
    return draft.build()


def _substitute(facts: ContextFacts) -> tuple[str, str, str, str] | None:
    """For a formula ``y = expression`` and enough numbers: the formula, it with numbers in, and its value."""
    for plain in facts.plain_formulas:
        sides = parse_plain(plain)
        if not sides or len(sides) != 2 or not isinstance(sides[0], sympy.Symbol):
            continue
        lhs, rhs = sides
        symbols = sorted(rhs.free_symbols, key=lambda s: s.name)
        if not symbols or len(symbols) > len(facts.numbers) or lhs in symbols:
            continue
        values = dict(zip(symbols, facts.numbers, strict=False))
        try:
            value = complex(rhs.subs(values).evalf())
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if value.imag != 0 or not math.isfinite(value.real) or abs(value.real) > 1e9:
            continue
        shown = rhs.subs({s: sympy.Symbol(format_number(v)) for s, v in values.items()})
        original = safe_latex(f"{to_latex(lhs)} = {to_latex(rhs)}")
        substituted = safe_latex(f"{to_latex(lhs)} = {to_latex(shown)}")
        result = safe_latex(f"{to_latex(lhs)} = {format_number(round(value.real, 3))}")
        if original and substituted and result:
            return original, substituted, result, f"{lhs.name} equals {format_number(round(value.real, 3))}"
    return None


def _key_points(facts: ContextFacts, formula: str | None) -> tuple[str, ...]:
    points: list[str] = [clip(d.caption, 110) for d in facts.definitions[:2]]
    points += [clip(step, 110) for step in facts.steps[:2]]
    if not points:
        points = [clip(s, 110) for s in facts.sentences[:2]]
    if formula:
        points.append("Remember the key formula")
    return tuple(points[:4]) or ("Start from the definition", "Work one step at a time", "Check with an example")


def _lower_first(text: str) -> str:
    # "Measure R" reads as "First, measure R"; keep acronyms and symbols ("R", "NASA") as they are.
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text
