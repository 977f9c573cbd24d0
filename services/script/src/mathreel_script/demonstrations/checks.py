"""Checks a lesson must pass before a viewer sees it: every number it says is on screen, and it shows, not tells.

Used by the curriculum's tests for every entry, and by the planner before it accepts a lesson built from a context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from mathreel_scenelang.storyboard import ClearScreen, Remove, Scene, TransformEquation, WriteStep

# Fields whose values a viewer can read on screen (coordinates, ids and colours are not).
_VISIBLE_FIELDS = frozenset(
    {"text", "subtitle", "items", "latex", "note", "label", "labels", "rows", "header", "marks", "values", "categories"}
)
_RANGE_FIELDS = ("x_range", "y_range")
_TEXT_ONLY_OPS = frozenset({"title", "text", "bullets"})
# What does not count as a figure: words, formulas, and emphasis or removal of what is already there.
_NOT_FIGURE_OPS = _TEXT_ONLY_OPS | {
    "equation",
    "transform",
    "step",
    "indicate",
    "circumscribe",
    "color",
    "remove",
    "clear",
}
# Digits wherever they stand: "3x" on screen shows the 3 the narration says.
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")


def numbers_in(text: str) -> set[str]:
    """The numbers written in ``text`` (digits only; "1,000" reads as 1000; "2.50" as 2.5)."""
    found: set[str] = set()
    for match in _NUMBER.finditer(re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)):
        found.add(_normal(match.group()))
    return found


def _normal(number: str) -> str:
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number or "0"


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, int | float):
        yield repr(value)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _ticks(value: object) -> Iterator[str]:
    if isinstance(value, tuple) and len(value) == 3:
        low, high, step = (float(v) for v in value)
        if step > 0 and (high - low) / step <= 40:
            tick = low
            while tick <= high + 1e-9:
                yield repr(round(tick, 6))
                tick += step


def visible_text(action: BaseModel) -> str:
    """Everything a viewer can read of one action's object."""
    parts: list[str] = []
    for name in type(action).model_fields:
        value = getattr(action, name)
        if name in _VISIBLE_FIELDS:
            parts.extend(_strings(value))
        elif name in _RANGE_FIELDS:
            parts.extend(_ticks(value))
    return " ".join(parts)


@dataclass(frozen=True)
class Unseen:
    scene: str
    beat: int
    number: str
    narration: str

    def __str__(self) -> str:
        return f"{self.scene} beat {self.beat}: says {self.number} but it is not on screen ({self.narration!r})"


def unseen_numbers(scene: Scene) -> list[Unseen]:
    """Numbers a beat's narration says that no object on screen during that beat shows."""
    on_screen: dict[str, str] = {}
    problems: list[Unseen] = []
    for index, beat in enumerate(scene.beats):
        # What is on screen at any moment of the beat: what it starts with, and every state shown during it.
        shown_now: list[str] = list(on_screen.values())
        for action in beat.actions:
            if isinstance(action, ClearScreen):
                on_screen.clear()
            elif isinstance(action, Remove):
                for target in action.targets:
                    on_screen.pop(target, None)
            elif isinstance(action, TransformEquation):
                on_screen[action.target] = action.latex
                shown_now.append(action.latex)
            elif isinstance(action, WriteStep):
                # A line of working is written under the lines before it, which stay.
                on_screen[action.target] = f"{on_screen.get(action.target, '')} {visible_text(action)}"
                shown_now.append(visible_text(action))
            elif hasattr(action, "id"):
                on_screen[action.id] = visible_text(action)
                shown_now.append(on_screen[action.id])
            else:
                shown_now.append(visible_text(action))
        seen = numbers_in(" ".join([*shown_now, scene.title or ""]))
        for number in sorted(numbers_in(beat.narration) - seen):
            problems.append(Unseen(scene.id, index, number, beat.narration))
    return problems


def drawing_beats(scenes: Iterable[Scene]) -> int:
    """How many beats draw or move something other than text (a figure, graph, equation, table...)."""
    return sum(
        1 for scene in scenes for beat in scene.beats if any(action.op not in _TEXT_ONLY_OPS for action in beat.actions)
    )


def figure_beats(scenes: Iterable[Scene]) -> int:
    """How many beats draw or move a figure, graph, diagram or table (not only words and formulas)."""
    return sum(
        1
        for scene in scenes
        for beat in scene.beats
        if any(action.op not in _NOT_FIGURE_OPS for action in beat.actions)
    )
