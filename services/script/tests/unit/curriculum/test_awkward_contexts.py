"""Numbers in a context are used only when they fit: awkward ones (zeros, repeats, out of range, degenerate shapes)
leave a lesson of geometry, trigonometry, precalculus or linear algebra intact, with every number said on screen."""

from __future__ import annotations

import pytest

from mathreel_script.context import parse_context
from mathreel_script.curriculum import TopicEntry, load_curriculum
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations.checks import unseen_numbers

AREAS = ("geometry", "trigonometry", "precalculus", "linear_algebra")
ENTRIES = [entry for entry in load_curriculum() if entry.area in AREAS]
CONTEXTS = (
    "Use 1, 1, 1, 1, 1, 1, 1, 1, 1.",
    "0, 0, 0, 0, 0, 0, 0, 0, 0.",
    "Numbers 1 2 2 4 and 0.",
    "Angles of 90 and 90 degrees, sides 0 and 0, points (2, 2) and (2, 2).",
    "Use 150, 170, 10, 5 and 7, then -4, 4, -4, 4, 3, 3.",
    "A = 4 and B = 3, r = 9, h = 12, x = 3, y = -2, k = 0.",
)


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.key for entry in ENTRIES])
def test_awkward_context_numbers_never_break_a_lesson(entry: TopicEntry) -> None:
    for context in CONTEXTS:
        facts = parse_context(context)
        for call in (c for c in (entry.demonstration, entry.example) if c is not None):
            scenes = get_demonstration(call.name).scenes(call.params, facts)
            assert [str(problem) for scene in scenes for problem in unseen_numbers(scene)] == [], context
