"""The final video's cache key: it follows every scene's keys, the timings, title, quality, user and render code;
without the scenes' keys there is none."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from mathreel_render import worker
from mathreel_render.worker import narration_piece_key, render_version, video_cache_key
from mathreel_shared.domain import Quality
from mathreel_shared.messages import RenderRequested
from mathreel_shared.timing import BeatTiming, SceneTiming

JOB = uuid4()


def _request(**changes: Any) -> RenderRequested:
    fields: dict[str, Any] = {
        "job_id": JOB,
        "user_id": "alice",
        "storyboard_key": "k",
        "quality": Quality.LOW,
        "title": "Pythagorean theorem",
        "clip_keys": ["c0", "c1"],
        "audio_keys": ["a0", "a1"],
        "timings": [
            SceneTiming(scene_index=i, duration=2.0, beats=[BeatTiming(start=0.1, duration=1.8, text="Hi.")])
            for i in (0, 1)
        ],
        "audio_cache_keys": ["s0", "s1"],
        "clip_cache_keys": ["v0", "v1"],
    }
    return RenderRequested(**{**fields, **changes})


def test_the_key_follows_every_input_but_the_job() -> None:
    key = video_cache_key(_request())
    assert key is not None
    assert key == video_cache_key(_request(job_id=uuid4(), clip_keys=["x0", "x1"], audio_keys=["y0", "y1"]))
    other_timing = SceneTiming(scene_index=1, duration=2.5, beats=[BeatTiming(start=0.1, duration=2.3, text="Hi.")])
    for change in (
        {"user_id": "bob"},
        {"title": "Another title"},
        {"quality": Quality.MEDIUM},
        {"audio_cache_keys": ["s0", "s9"]},
        {"clip_cache_keys": ["v1", "v0"]},
        {"timings": [_request().timings[0], other_timing]},
    ):
        assert video_cache_key(_request(**change)) != key, change


def test_no_key_without_every_scene_s_keys() -> None:
    assert video_cache_key(_request(audio_cache_keys=None)) is None
    assert video_cache_key(_request(clip_cache_keys=None)) is None
    assert video_cache_key(_request(clip_cache_keys=["v0"])) is None


def test_new_render_code_or_ffmpeg_never_serves_an_old_video(monkeypatch: pytest.MonkeyPatch) -> None:
    before = video_cache_key(_request())
    monkeypatch.setattr(worker, "render_version", lambda: "pyav 99; ffmpeg 9.0; code 0123")
    assert video_cache_key(_request()) != before


def test_the_render_version_names_pyav_ffmpeg_and_hashes_the_code() -> None:
    current = render_version()
    assert current.startswith("pyav ")
    assert "ffmpeg " in current
    assert "libavcodec " in current
    assert len(current.split("code ")[1]) == 64


def test_a_narration_piece_s_key_follows_its_speech_clip_length_user_and_render_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = narration_piece_key("alice", "s0", 48_000)
    assert key == narration_piece_key("alice", "s0", 48_000)
    for other in (
        narration_piece_key("bob", "s0", 48_000),
        narration_piece_key("alice", "s1", 48_000),
        narration_piece_key("alice", "s0", 48_001),
    ):
        assert other != key
    monkeypatch.setattr(worker, "render_version", lambda: "pyav 99; ffmpeg 9.0; code 0123")
    assert narration_piece_key("alice", "s0", 48_000) != key
