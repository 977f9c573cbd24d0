"""A lesson for any topic the library does not know, built from what the context says."""

from __future__ import annotations

import math
import re

import sympy

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Region,
    Remove,
    Scene,
    ShowBullets,
    ShowEquation,
    ShowNumberLine,
    ShowText,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.draft import Lesson, SceneDraft
from mathreel_script.latex import format_number, parse_plain, plain_to_latex, safe_latex, spoken, to_latex
from mathreel_script.text import as_sentence, clip

_STEP_WORDS = ("First", "Next", "Then", "Finally")
_LEGEND_CLAUSE = re.compile(r",?\s+(?:where|in which)\s+", re.I)
_DANGLING_END = re.compile(r"(?:\s+(?:is|are|equals|of|and|the|a|an|to|by|as|gives))+$", re.I)
_TRAILING_VERB = re.compile(r"\s+(?:gives|give|is|are|equals|yields|makes|becomes|of)$", re.I)
_EXAMPLE_WORD = re.compile(r"^(?:for example|example|for instance|e\.g\.)[,:]?\s*", re.I)
_STACK: tuple[Region, ...] = ("top", "center", "bottom")


def generic_lesson(topic: str, facts: ContextFacts) -> Lesson:
    """Title, statement, explanation and example scenes for ``topic`` from the context's facts."""
    name = clip(topic, 80) or "A Math Lesson"
    formula = facts.formulas[0] if facts.formulas else None
    scenes = [_statement(name, facts, formula)]
    if formula and facts.legend:
        scenes.append(_legend(formula, facts.legend))
    explanation = _explanation(name, facts, filler_allowed=len(scenes) == 1)
    scenes += [*([explanation] if explanation else []), _example(facts)]
    return Lesson(
        title=name,
        hook=as_sentence(
            f"Let's take a clear look at {_lower_article(clip(topic, 60))}" if topic else "Let's look at an idea"
        ),
        formula=formula,
        scenes=tuple(scenes),
        key_points=_key_points(facts, formula),
    )


def _legend(formula: str, legend: tuple[tuple[str, str], ...]) -> Scene:
    """The formula at the top, then what each of its letters stands for, as the context explains them."""
    draft = SceneDraft("legend", "explanation", "What the letters mean")
    draft.beat(
        "Each letter in the formula stands for something.", ShowEquation(id="formula", latex=formula, region="top")
    )
    halves = (legend[:3], legend[3:6]) if len(legend) > 3 else (legend,)
    for index, half in enumerate(h for h in halves if h):
        region: Region = "center" if len(halves) == 1 else ("left" if index == 0 else "right")
        items = [f"{symbol}: {meaning}" for symbol, meaning in half]
        # Led by a word, so that capitalising the sentence never turns the letter t into T.
        said = ("Here, " if index == 0 else "And ") + ", ".join(f"{symbol} is {meaning}" for symbol, meaning in half)
        draft.beat(as_sentence(said, max_words=36), ShowBullets(id=f"legend_{index}", items=items, region=region))
    return draft.build()


def _statement(name: str, facts: ContextFacts, formula: str | None) -> Scene:
    draft = SceneDraft("statement", "statement", "The main idea")
    if facts.definitions:
        definition = facts.definitions[0]
        draft.beat(
            as_sentence(definition.sentence),
            ShowText(id="definition", text=clip(definition.caption, 200), region="top"),
        )
    elif facts.sentences:
        # The letters' meanings get a scene of their own: here the sentence stops before its "where ..." clause.
        opening = _LEGEND_CLAUSE.split(facts.sentences[0])[0] if facts.legend else facts.sentences[0]
        draft.beat(as_sentence(opening), ShowText(id="definition", text=clip(opening, 200)))
    else:
        draft.beat(as_sentence(f"Our topic is {name}"), ShowText(id="definition", text=clip(name, 200)))
    if formula:
        reading = spoken(formula)
        narration = f"In symbols: {reading}." if len(reading.split()) <= 16 else "Here it is in symbols."
        draft.beat(narration, ShowEquation(id="formula", latex=formula, region="center"))
    return draft.build()


def _explanation(name: str, facts: ContextFacts, *, filler_allowed: bool = True) -> Scene | None:
    """The steps of the context, or its further sentences; None when it has neither and another scene explains."""
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
        used = {facts.example, *(d.sentence for d in facts.definitions[:1])}
        rest = [x for x in facts.sentences[1:] if x not in used and not (facts.legend and _explains_letters(x))]
        lines = [d.sentence for d in facts.definitions[1:3]] + rest[:2]
    if not lines:
        if not filler_allowed:
            return None
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
    """A worked example, in the order of what the context supports: its letters given values and substituted into
    the formula; a computation it states (checked before it is shown); its example sentence; its numbers on a line."""
    draft = SceneDraft("example", "example", "An example")
    worked = _numeric_example(facts)
    if worked:
        lead, expression, equation, reading = worked
        draft.beat(as_sentence(lead, max_words=30), ShowEquation(id="calc", latex=expression, region="center"))
        draft.beat(
            as_sentence(f"That works out to {reading}", max_words=30),
            TransformEquation(target="calc", latex=equation),
            Circumscribe(target="calc"),
        )
        return draft.build()
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
    if facts.example:
        draft.beat(as_sentence(facts.example, max_words=36), ShowText(id="example", text=clip(facts.example, 200)))
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
    """For a formula ``y = expression`` whose letters the context gives values: the formula, it with the numbers in,
    and its value."""
    for plain in facts.plain_formulas:
        sides = parse_plain(plain)
        if not sides or len(sides) != 2 or not isinstance(sides[0], sympy.Symbol):
            continue
        lhs, rhs = sides
        symbols = sorted(rhs.free_symbols, key=lambda s: s.name)
        given = dict(facts.assignments)
        # Only values the context gives these very letters ("a = 3, b = 4"): numbers matched to letters by
        # position would make up an example and teach a wrong result.
        if not symbols or lhs in symbols or any(s.name not in given for s in symbols):
            continue
        values = {s: given[s.name] for s in symbols}
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


def _numeric_example(facts: ContextFacts) -> tuple[str, str, str, str] | None:
    """A computation the context states with numbers only ("1000 * 1.05^3 = 1157.63"), if it checks out: the words
    before it in the example sentence, the left side, the whole equation, and the equation read as words."""
    for plain in facts.plain_formulas:
        sides = parse_plain(plain)
        if not sides or len(sides) != 2 or any(side.free_symbols for side in sides):
            continue
        if any(side.has(sympy.sin, sympy.cos, sympy.tan) for side in sides):
            continue  # degrees or radians: the context rarely says, and the check below could not tell
        try:
            left, right = (complex(side.evalf()) for side in sides)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        # Equal to the precision it is written with (a rounded result, "= 1157.63"), or it is not shown.
        tolerance = 0.006 * max(1.0, abs(right.real))
        if left.imag or right.imag or not math.isfinite(left.real) or abs(left.real - right.real) > tolerance:
            continue
        expression = safe_latex(to_latex(sides[0]))
        latex = plain_to_latex(plain)
        if not expression or not latex:
            continue
        first = plain.split(" ")[0]
        sentence = facts.example or next((x for x in facts.sentences if first in x), "")
        # What the sentence says before the computation ("1000 dollars at 5 percent for 3 years gives ..."): the
        # last occurrence of its first number, since the same number may be mentioned earlier in words.
        lead = sentence.rsplit(first, 1)[0] if first in sentence else ""
        lead = _TRAILING_VERB.sub("", _EXAMPLE_WORD.sub("", lead.strip(" ,:;"))).strip(" ,:;")
        lead = f"For example, {lead}" if lead else "Here is a worked example"
        return lead, expression, latex, spoken(latex)
    return None


def _explains_letters(sentence: str) -> bool:
    return " where " in f" {sentence.lower()} "


def _key_points(facts: ContextFacts, formula: str | None) -> tuple[str, ...]:
    points: list[str] = [clip(d.caption, 110) for d in facts.definitions[:2]]
    points += [clip(step, 110) for step in facts.steps[:2]]
    if not points:
        # The context's statements, not its example; a sentence that states a formula in prose ("... resistance:
        # V = I R") is kept up to the formula, which the summary shows typeset.
        for sentence in facts.sentences:
            if sentence == facts.example:
                continue
            starts = [sentence.find(f.split(" ")[0] + " ") for f in facts.plain_formulas]
            cut = min((i for i in starts if i > 0), default=len(sentence))
            statement = _DANGLING_END.sub("", _LEGEND_CLAUSE.split(sentence[:cut])[0].strip(" ,:;=")).strip(" ,:;")
            if len(statement.split()) >= 4:
                points.append(clip(statement, 110))
        points = points[:2]
    if formula:
        points.append("Remember the key formula")
    return tuple(points[:4]) or ("Start from the definition", "Work one step at a time", "Check with an example")


def _lower_article(topic: str) -> str:
    """In a sentence, "The harmonic mean" is "the harmonic mean"."""
    first, _, rest = topic.partition(" ")
    return f"{first.lower()} {rest}" if rest and first in {"The", "A", "An"} else topic


def _lower_first(text: str) -> str:
    # "Measure R" reads as "First, measure R"; keep acronyms and symbols ("R", "NASA") as they are.
    return text[0].lower() + text[1:] if len(text) > 1 and text[1].islower() else text
