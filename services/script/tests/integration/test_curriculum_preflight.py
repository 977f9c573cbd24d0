"""Every curriculum lesson's formulas typeset by TeX, and a lesson of every area laid out, as a render would.

Every lesson's schema, references and LaTeX allowlist are checked in the unit tests (``tests/unit/curriculum``).
Here every distinct formula of all the lessons is typeset once, in one batched LaTeX run and one ``dvisvgm`` run
(``mathreel_scenelang.render.tex_batch``): one TeX start-up per formula would take minutes. The full layout
preflight of one lesson per area runs in two worker processes sharing a TeX cache; the layout of every lesson is
``bench/lessons/preflight.py`` (its cost is in ``docs/benchmarks.md``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mathreel_scenelang.fields import latex_fields
from mathreel_scenelang.latex import check_latex
from mathreel_scenelang.render.preflight import preflight_many
from mathreel_scenelang.render.tex_batch import compile_formulas
from mathreel_scenelang.storyboard import Storyboard
from mathreel_script.context import parse_context
from mathreel_script.curriculum import AREAS, load_curriculum
from mathreel_script.curriculum.lesson import lesson_storyboard

pytestmark = pytest.mark.integration  # typesets with TeX and lays out with Manim


@pytest.fixture(scope="module")
def lessons() -> dict[str, Storyboard]:
    return {entry.key: lesson_storyboard(entry, parse_context("")) for entry in load_curriculum()}


def test_every_formula_of_every_lesson_compiles(lessons: dict[str, Storyboard], tmp_path: Path) -> None:
    where: dict[str, str] = {}  # formula → the first lesson field that holds it
    for key, storyboard in lessons.items():
        for s, scene in enumerate(storyboard.scenes):
            for path, source in latex_fields(scene):
                where.setdefault(check_latex(source), f"{key}: scenes[{s}].{path}")
    assert len(where) > 1000, "the curriculum's formulas were not all collected"

    errors = compile_formulas(list(where), tmp_path)

    assert {where[formula]: error for formula, error in errors.items()} == {}
    assert len(list(tmp_path.glob("batch0-*.svg"))) == len(where), "every formula is typeset once, in one batch"


def test_a_lesson_of_every_area_lays_out_as_a_render_would(lessons: dict[str, Storyboard], tmp_path: Path) -> None:
    first = {}
    for entry in load_curriculum():
        first.setdefault(entry.area, entry.key)
    assert set(first) == set(AREAS)

    problems = preflight_many([lessons[key] for key in first.values()], tmp_path, workers=2)

    assert {key: [str(p) for p in found] for key, found in zip(first.values(), problems, strict=True) if found} == {}
    assert len(list((tmp_path / "tex").glob("*.svg"))) > len(first), "the workers typeset into the shared TeX cache"
