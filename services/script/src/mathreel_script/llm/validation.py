"""Checks a model's answer must pass before it becomes a storyboard, with errors the model can act on.

The schema (pydantic), the LaTeX allowlist of ``mathreel_scenelang.latex`` (the same door context formulas go
through), plot expressions, a light layout sanity check (objects on screen, words per beat) and the narration length:
what a model typically gets wrong, found without rendering anything. An answer that passes goes on to the preflight
(``mathreel_scenelang.render.preflight``: TeX compiles every formula, the renderer's layout checker lays out every
beat).
Every problem names its field path, so a repair prompt can say exactly what to fix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from mathreel_scenelang.checks import PLOT_FUNCTIONS, Problem, action_problems, plot_expression_problem
from mathreel_scenelang.registry import ACTIONS
from mathreel_scenelang.storyboard import (
    ClearScreen,
    CreatingAction,
    Remove,
    Scene,
    Storyboard,
)
from mathreel_shared.domain import Quality

__all__ = [
    "PLOT_FUNCTIONS",
    "CheckResult",
    "NarrationLimits",
    "Problem",
    "check_answer",
    "narration_limits",
    "plot_expression_problem",
    "shingles",
]

WORDS_PER_MINUTE = 150
# Target seconds of narration per quality: a longer video costs render time in proportion to its resolution.
TARGET_SECONDS: dict[Quality, int] = {Quality.LOW: 60, Quality.MEDIUM: 90, Quality.HIGH: 120}
MAX_WORDS_PER_BEAT = 40
# Objects on screen at once, not counting what is drawn on or attached to another (plots, areas, braces).
MAX_ON_SCREEN = 6
MAX_PROBLEMS = 15
# Shared word runs this long between the instructions and the storyboard mean the instructions leaked.
LEAK_SHINGLE_WORDS = 8

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class NarrationLimits:
    """How many words of narration a storyboard may have, from a target duration at a calm speaking pace."""

    target_seconds: int
    min_words: int
    max_words: int
    words_per_minute: int = WORDS_PER_MINUTE

    @property
    def target_words(self) -> int:
        return self.target_seconds * self.words_per_minute // 60


def narration_limits(quality: Quality) -> NarrationLimits:
    """About 60 s (low), 90 s (medium) or 120 s (high) of speech: -30 % to +20 % of the target's words."""
    seconds = TARGET_SECONDS[quality]
    words = seconds * WORDS_PER_MINUTE // 60
    return NarrationLimits(target_seconds=seconds, min_words=int(words * 0.7), max_words=int(words * 1.2))


@dataclass(frozen=True)
class CheckResult:
    storyboard: Storyboard | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.storyboard is not None and not self.problems


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def shingles(text: str, size: int = LEAK_SHINGLE_WORDS) -> set[tuple[str, ...]]:
    """Every run of ``size`` consecutive lowercase words of ``text``."""
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def check_answer(text: str, *, limits: NarrationLimits, secret_shingles: set[tuple[str, ...]]) -> CheckResult:
    """Parse and validate a model's answer; ``secret_shingles`` are word runs of the instructions it must not quote.

    ``author`` and ``sources`` in the answer are ignored: the writer sets them, a model does not get to claim them.
    """
    match = _FENCE.match(text)
    body = match.group(1) if match else text
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        return CheckResult(None, (Problem("$", f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"),))
    if not isinstance(data, dict):
        return CheckResult(None, (Problem("$", "the answer must be one JSON object: the storyboard"),))
    for claimed in ("author", "sources"):
        data.pop(claimed, None)
    data.setdefault("version", "1")
    try:
        storyboard = Storyboard.model_validate(data)
    except ValidationError as exc:
        problems = [Problem(_path(error["loc"]), error["msg"]) for error in exc.errors()[:MAX_PROBLEMS]]
        return CheckResult(None, tuple(problems))
    problems = list(_content_problems(storyboard, limits))
    if secret_shingles and shingles(_all_text(storyboard)) & secret_shingles:
        problems.append(
            Problem("$", "the storyboard quotes its instructions; write only about the topic, for a viewer")
        )
    return CheckResult(storyboard, tuple(problems[:MAX_PROBLEMS]))


def _all_text(storyboard: Storyboard) -> str:
    return storyboard.model_dump_json()


def _content_problems(storyboard: Storyboard, limits: NarrationLimits) -> Iterator[Problem]:
    words = 0
    for s_index, scene in enumerate(storyboard.scenes):
        where = f"scenes[{s_index}]"
        yield from _scene_problems(scene, where)
        for b_index, beat in enumerate(scene.beats):
            count = len(beat.narration.split())
            words += count
            if count > MAX_WORDS_PER_BEAT:
                yield Problem(
                    f"{where}.beats[{b_index}].narration",
                    f"{count} words; a beat is one spoken sentence of at most {MAX_WORDS_PER_BEAT} words",
                )
    if not limits.min_words <= words <= limits.max_words:
        yield Problem(
            "scenes",
            f"the narration has {words} words in all; it must have {limits.min_words} to {limits.max_words} "
            f"(about {limits.target_seconds} seconds at {limits.words_per_minute} words a minute)",
        )


def _scene_problems(scene: Scene, where: str) -> Iterator[Problem]:
    alive: set[str] = set()
    for b_index, beat in enumerate(scene.beats):
        for a_index, action in enumerate(beat.actions):
            at = f"{where}.beats[{b_index}].actions[{a_index}]"
            yield from action_problems(action, at)
            if isinstance(action, Remove):
                alive.difference_update(action.targets)
            elif isinstance(action, ClearScreen):
                alive.clear()
            elif (
                isinstance(action, CreatingAction)
                and not ACTIONS.spec_of(action).attaches
                and getattr(action, "axes", None) is None  # a shape drawn on axes is part of that graph
            ):
                alive.add(action.id)
        if len(alive) > MAX_ON_SCREEN:
            yield Problem(
                f"{where}.beats[{b_index}]",
                f"{len(alive)} objects on screen; keep at most {MAX_ON_SCREEN} (remove or clear older ones first)",
            )
