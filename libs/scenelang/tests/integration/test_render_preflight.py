"""The preflight: a storyboard typeset and laid out by the render's own code, in a subprocess, without frames."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mathreel_scenelang.render.preflight import preflight
from mathreel_scenelang.storyboard import Storyboard, storyboard_adapter

from .scenes import VOCABULARY

pytestmark = pytest.mark.integration  # renders or typesets with TeX


def _edited(storyboard: Storyboard, edit: Any) -> Storyboard:
    data = json.loads(storyboard.model_dump_json())
    edit(data)
    return storyboard_adapter.validate_python(data)


async def test_a_storyboard_that_renders_passes_and_no_frame_is_written(tmp_path: Path) -> None:
    problems = await preflight(VOCABULARY, tmp_path / "work", tex_cache=tmp_path / "tex")

    assert problems == []
    assert not list((tmp_path / "work").rglob("*.mp4")), "the preflight must not render video"
    assert list((tmp_path / "tex").rglob("*.svg")), "formulas were typeset into the shared TeX cache"


async def test_latex_that_does_not_compile_is_named_by_its_path_with_tex_s_error(tmp_path: Path) -> None:
    def break_formula(data: dict[str, Any]) -> None:
        data["scenes"][0]["beats"][1]["actions"][1]["latex"] = r"\frac{a}"

    problems = await preflight(_edited(VOCABULARY, break_formula), tmp_path / "work")

    assert [p.path for p in problems] == ["scenes[0].beats[1].actions[1].latex"]
    assert "does not compile" in problems[0].message
    assert "Missing" in problems[0].message  # TeX's own words: "Missing { inserted."


async def test_a_layout_that_cannot_be_fixed_is_named_by_its_beat(tmp_path: Path) -> None:
    too_wide = "+".join("abcdefghijklmnopqrstuvwxyz" * 3)[:159]

    def crowd(data: dict[str, Any]) -> None:
        data["scenes"][0]["beats"][0]["actions"].append({"op": "equation", "id": "wide", "latex": too_wide})

    problems = await preflight(_edited(VOCABULARY, crowd), tmp_path / "work")

    assert [p.path for p in problems] == ["scenes[0].beats[0]"]
    assert "cannot be fixed" in problems[0].message
    assert "'wide'" in problems[0].message
