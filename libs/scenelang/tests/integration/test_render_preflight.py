"""The preflight: a storyboard (or some of its scenes) typeset and laid out by the render's own code, in a
subprocess or a warm process, without frames."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from mathreel_scenelang.errors import SceneError
from mathreel_scenelang.render.preflight import WarmPreflight, preflight
from mathreel_scenelang.storyboard import Storyboard, storyboard_adapter
from mathreel_shared.usage import CpuMeter

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


def _two_scenes() -> Storyboard:
    """A scene that lays out, then one whose formula TeX cannot set."""
    scenes = [
        {"id": "fine", "beats": [{"narration": "A sum.", "actions": [{"op": "equation", "id": "e", "latex": "a+b"}]}]},
        {
            "id": "broken",
            "beats": [{"narration": "A fraction.", "actions": [{"op": "equation", "id": "f", "latex": r"\frac{a}"}]}],
        },
    ]
    return storyboard_adapter.validate_python({"title": "Two scenes", "scenes": scenes})


async def test_only_the_chosen_scenes_are_checked_and_named_by_their_index(tmp_path: Path) -> None:
    storyboard = _two_scenes()
    assert await preflight(storyboard, tmp_path / "work", scenes=[0]) == []
    assert await preflight(storyboard, tmp_path / "work", scenes=[]) == []
    problems = await preflight(storyboard, tmp_path / "work", scenes=[1])
    assert [p.path for p in problems] == ["scenes[1].beats[0].actions[0].latex"]
    with pytest.raises(ValueError, match="not all in a storyboard"):
        await preflight(storyboard, tmp_path / "work", scenes=[2])


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def test_the_warm_preflight_reuses_its_process_and_replaces_it_after_a_time_out(tmp_path: Path) -> None:
    warm = WarmPreflight(tmp_path / "tex")
    storyboard = _two_scenes()
    try:
        await warm.start()
        first = warm.pid
        assert first is not None
        with CpuMeter().counting() as meter:
            assert await warm.check(storyboard, tmp_path / "work", scenes=[0]) == []
        # Typesetting and laying out a scene takes CPU in the warm process, which the job's report now includes.
        assert meter.seconds() > 0.05
        problems = await warm.check(storyboard, tmp_path / "work")
        assert [p.path for p in problems] == ["scenes[1].beats[0].actions[0].latex"]
        assert (warm.starts, warm.pid) == (1, first)  # Manim imported once for all three

        warm.timeout = 0.01
        with pytest.raises(SceneError) as timed_out:
            await warm.check(storyboard, tmp_path / "work")
        assert timed_out.value.code == "render_timeout"
        assert warm.pid is None
        # Killed with its process group (SIGKILL takes effect when the kernel next schedules it).
        for _ in range(100):
            if not _running(first):
                break
            await asyncio.sleep(0.1)
        assert not _running(first)

        warm.timeout = 300.0
        assert await warm.check(storyboard, tmp_path / "work", scenes=[0]) == []
        assert warm.starts == 2
        assert warm.pid not in {None, first}
    finally:
        await warm.close()
    assert not list((tmp_path / "work").iterdir()), "each check's folder is removed"
