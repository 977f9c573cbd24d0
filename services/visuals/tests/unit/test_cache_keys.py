"""A scene clip's cache key: what changes the clip changes the key, what does not leaves it alone."""

from __future__ import annotations

import pytest

from mathreel_scenelang.storyboard import Scene, storyboard_adapter
from mathreel_shared.domain import Quality
from mathreel_shared.timing import BeatTiming, SceneTiming
from mathreel_visuals import worker
from mathreel_visuals.worker import renderer_version, scene_key


def _scene(narration: str = "A right triangle.") -> Scene:
    board = storyboard_adapter.validate_python(
        {"title": "t", "scenes": [{"id": "s", "beats": [{"narration": narration, "actions": []}]}]}
    )
    return board.scenes[0]


def _timing(index: int = 0, duration: float = 2.0) -> SceneTiming:
    return SceneTiming(
        scene_index=index, duration=duration, beats=[BeatTiming(start=0.1, duration=duration - 0.1, text="x")]
    )


def test_the_key_follows_the_scene_its_timing_the_quality_and_the_user() -> None:
    key = scene_key("alice", _scene(), _timing(), Quality.LOW)
    assert key == scene_key("alice", _scene(), _timing(), Quality.LOW)
    # Where the scene sits in the storyboard does not change the clip.
    assert key == scene_key("alice", _scene(), _timing(index=4), Quality.LOW)
    assert key != scene_key("alice", _scene("An obtuse triangle."), _timing(), Quality.LOW)
    assert key != scene_key("alice", _scene(), _timing(duration=2.5), Quality.LOW)
    assert key != scene_key("alice", _scene(), _timing(), Quality.MEDIUM)
    assert key != scene_key("bob", _scene(), _timing(), Quality.LOW)


def test_a_new_renderer_version_never_serves_old_clips(monkeypatch: pytest.MonkeyPatch) -> None:
    before = scene_key("alice", _scene(), _timing(), Quality.LOW)
    monkeypatch.setattr(worker, "renderer_version", lambda: "manim 99.0; code 0123")
    assert scene_key("alice", _scene(), _timing(), Quality.LOW) != before


def test_the_renderer_version_names_manim_and_hashes_the_scene_language() -> None:
    current = renderer_version()
    assert current.startswith("manim ")
    assert len(current.split("code ")[1].split(";")[0]) == 64


def test_the_renderer_version_names_the_tex_engine_dvisvgm_and_the_fonts() -> None:
    tex = renderer_version().split("; tex ")[1]
    assert tex.startswith("pdfTeX ")  # Manim's engine, ``latex``, is pdfTeX in DVI mode
    assert "; dvisvgm " in tex
    assert len(tex.split("; fonts ")[1]) == 64


@pytest.mark.parametrize(
    "upgraded",
    [
        "pdfTeX 3.141592653-2.6-1.40.26 (TeX Live 2024); dvisvgm 3.0.3; fonts 0d58",
        "pdfTeX 3.141592653-2.6-1.40.24 (TeX Live 2022/Debian); dvisvgm 3.2.1; fonts 0d58",
        "pdfTeX 3.141592653-2.6-1.40.24 (TeX Live 2022/Debian); dvisvgm 3.0.3; fonts ffff",
    ],
)
def test_a_tex_dvisvgm_or_font_upgrade_never_serves_old_clips(monkeypatch: pytest.MonkeyPatch, upgraded: str) -> None:
    renderer_version.cache_clear()
    before = scene_key("alice", _scene(), _timing(), Quality.LOW)
    monkeypatch.setattr(worker, "tex_toolchain", lambda: upgraded)
    renderer_version.cache_clear()
    try:
        assert scene_key("alice", _scene(), _timing(), Quality.LOW) != before
    finally:
        renderer_version.cache_clear()
