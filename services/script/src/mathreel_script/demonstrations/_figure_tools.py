"""Small helpers the geometry, trigonometry, precalculus and linear-algebra demonstrations share."""

from __future__ import annotations

import math
from collections.abc import Sequence

from mathreel_script.context import ContextFacts
from mathreel_script.latex import format_number

Point = tuple[float, float]


def pt(x: float, y: float) -> Point:
    """A plane point rounded to what a drawing needs (and what a storyboard stays readable with)."""
    return (round(x, 3), round(y, 3))


def polar(radius: float, degrees: float, center: Point = (0.0, 0.0)) -> Point:
    angle = math.radians(degrees)
    return pt(center[0] + radius * math.cos(angle), center[1] + radius * math.sin(angle))


def num(value: float, places: int = 2) -> str:
    """A value rounded to ``places`` decimals, written without trailing zeros (the same string is said and shown)."""
    return format_number(round(value, places))


def deg(value: float) -> str:
    """An angle label in degrees."""
    return f"{num(value, 1)}^\\circ"


def signed(value: float, places: int = 2) -> str:
    """A number as it is said: "minus 3" for -3."""
    text = num(abs(value), places)
    return f"minus {text}" if value < 0 else text


def given_ints(facts: ContextFacts, letters: Sequence[str], low: int, high: int) -> list[int] | None:
    """The whole values the context gives these letters ("a = 3, b = 4"), all in range; else ``None``."""
    given = dict(facts.assignments)
    values = [given.get(letter) for letter in letters]
    if any(v is None or v != int(v) or not low <= v <= high for v in values):
        return None
    return [int(v) for v in values if v is not None]


def context_ints(facts: ContextFacts, count: int, low: int, high: int) -> list[int] | None:
    """The first ``count`` whole numbers of the context in ``[low, high]``, in order; else ``None``."""
    found = facts.integers(low, high)
    return found[:count] if len(found) >= count else None


def check(condition: bool, what: str) -> None:
    """Stop a demonstration whose narrated arithmetic would be wrong."""
    if not condition:
        raise ValueError(f"demonstration check failed: {what}")


def tick_step(span: float) -> int:
    """A tick step that puts at most about eight ticks on an axis of this span."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= 8:
            return step
    return 200


def axis_range(values: Sequence[float], pad: float = 1.0) -> tuple[float, float, float]:
    """Symmetric-enough axis bounds on whole ticks that contain every value with some room."""
    low = min(0.0, *values) - pad
    high = max(0.0, *values) + pad
    step = tick_step(high - low)
    return (float(math.floor(low / step) * step), float(math.ceil(high / step) * step), float(step))
