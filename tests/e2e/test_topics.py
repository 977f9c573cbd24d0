"""Library topics end to end in one process: plan → Piper → visuals → render, checked by decoding the video.

Each topic's storyboard is the planner's own, cut to its title scene and one demonstration scene so the test stays
short; every stage is the real library (the scenes render in the visuals service's warm renderer, as its worker
renders them). The videos are checked by decoding (streams, size, duration against the
narration) and by sampling frames at the middle of every beat: none is blank, and a beat that changes the picture
shows a different frame from the beat before it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from mathreel_render import assemble_video
from mathreel_scenelang.registry import ACTIONS
from mathreel_scenelang.render.style import BACKGROUND
from mathreel_scenelang.storyboard import Scene
from mathreel_script.planner import plan_storyboard
from mathreel_shared.domain import Quality
from mathreel_shared.messages import JobConfiguration
from mathreel_shared.timing import SceneTiming
from mathreel_tts import create_engine, speak_scene
from mathreel_visuals import render_scene
from mathreel_visuals.pool import RendererPool

pytestmark = pytest.mark.e2e

# topic → the demonstration scene kept besides the title (short ones, each a different kind of picture).
TOPICS = {
    "pythagorean theorem": "rearrangement",  # a figure whose shapes slide on one plane
    "derivative as slope": "statement",  # axes and a plot
    "matrix multiplication": "order",  # matrices and a formula
}
CREATING_OPS = ACTIONS.creating_ops
CHANGING_OPS = CREATING_OPS | {"transform", "move", "remove", "clear", "color"}
_BG = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)


@dataclass(frozen=True)
class TopicVideo:
    topic: str
    path: Path
    scenes: list[Scene]
    timings: list[SceneTiming]
    clip_durations: list[float]
    reports: list[dict[str, Any]]
    stream_copied: bool


async def _make(topic: str, keep: str, engine: object, out: Path, pool: RendererPool) -> TopicVideo:
    storyboard = plan_storyboard(JobConfiguration(topic=topic, context=""))
    ids = [s.id for s in storyboard.scenes]
    assert keep in ids, f"{topic}: no scene '{keep}' in {ids}"
    scenes = [s for s in storyboard.scenes if s.id in {"title", keep}]
    board = storyboard.model_copy(update={"scenes": scenes})
    timings, wavs = [], []
    for index, scene in enumerate(scenes):
        spoken = speak_scene(scene, index, engine)  # type: ignore[arg-type]
        wav = out / f"scene_{index}.wav"
        wav.write_bytes(spoken.wav_bytes)
        timings.append(spoken.timing)
        wavs.append(wav)
    gate = asyncio.Semaphore(2)

    async def one(index: int) -> tuple[Path, float, dict[str, Any]]:
        async with gate:
            clip = await render_scene(
                board,
                index,
                timings[index],
                Quality.LOW,
                out / f"clip_{index}.mp4",
                out / "w",
                pool=pool,
            )
            return clip.path, clip.duration, clip.layout_report

    clips = await asyncio.gather(*(one(i) for i in range(len(scenes))))
    video = assemble_video([c for c, _, _ in clips], wavs, timings, Quality.LOW, out / "video", title=board.title)
    return TopicVideo(
        topic,
        video.video_path,
        scenes,
        timings,
        [d for _, d, _ in clips],
        [r for _, _, r in clips],
        video.stream_copied,
    )


@pytest.fixture(scope="module")
async def videos(tmp_path_factory: pytest.TempPathFactory, render_pool: RendererPool) -> list[TopicVideo]:
    engine = create_engine("piper")
    made = []
    for n, (topic, keep) in enumerate(TOPICS.items()):
        out = tmp_path_factory.mktemp(f"topic{n}")
        made.append(await _make(topic, keep, engine, out, render_pool))
    return made


def _frames_at(path: Path, times: list[float]) -> list[np.ndarray]:
    """RGB frames showing at each of ``times`` (ascending), decoding the video once."""
    picked: list[np.ndarray] = []
    with av.open(str(path)) as container:
        last = None
        for frame in container.decode(video=0):
            while len(picked) < len(times) and times[len(picked)] < float(frame.time or 0.0):
                picked.append(last if last is not None else frame.to_ndarray(format="rgb24"))
            last = frame.to_ndarray(format="rgb24")
        while len(picked) < len(times) and last is not None:
            picked.append(last)
    return picked


def test_videos_decode_with_narration_length_and_size(videos: list[TopicVideo]) -> None:
    for video in videos:
        with av.open(str(video.path)) as container:
            v, a = container.streams.video[0], container.streams.audio[0]
            assert (v.codec_context.width, v.codec_context.height) == (854, 480)
            assert v.codec_context.name == "h264"
            assert a.codec_context.name == "aac"
            assert container.duration is not None
            duration = container.duration / av.time_base
            audio_seconds = sum(float(p.duration * p.time_base) for p in container.demux(a) if p.duration)
        narration = sum(t.duration for t in video.timings)
        assert abs(duration - narration) <= 0.5, video.topic
        # Manim's clips of one quality share every encoding parameter: they are joined by packet copy, never
        # re-encoded (their average frame rates differ by rounding, which once made every join a re-encode).
        assert video.stream_copied, video.topic
        assert abs(audio_seconds - narration) <= 0.5, video.topic


def test_every_beat_shows_something_and_changes_show(videos: list[TopicVideo]) -> None:
    for video in videos:
        times, beats = [], []
        offset = 0.0
        for scene, timing, length in zip(video.scenes, video.timings, video.clip_durations, strict=True):
            for beat, beat_timing in zip(scene.beats, timing.beats, strict=True):
                times.append(offset + beat_timing.start + beat_timing.duration / 2)
                beats.append(beat)
            offset += length
        frames = _frames_at(video.path, times)
        assert len(frames) == len(times)
        for n, frame in enumerate(frames):
            drawn = (np.abs(frame.astype(np.int16) - _BG).max(axis=2) > 40).mean()
            assert drawn > 0.002, f"{video.topic}: beat {n} is blank"
        for n in range(1, len(frames)):
            if any(action.op in CHANGING_OPS for action in beats[n].actions):
                change = np.abs(frames[n].astype(np.int16) - frames[n - 1].astype(np.int16)).mean()
                assert change > 0.05, f"{video.topic}: beat {n} looks like beat {n - 1}"


def test_each_beat_starts_with_its_sentence(videos: list[TopicVideo]) -> None:
    """Drift ≤ 100 ms on Piper's measured sentence starts: as the renderer reports it, and as the video shows it."""
    fps = 15
    for video in videos:
        times: list[float] = []
        changing: list[bool] = []
        same_scene: list[bool] = []  # the "early" frame is in the beat's own scene, not the end of the one before
        offset = 0.0
        for scene, timing, report, length in zip(
            video.scenes, video.timings, video.reports, video.clip_durations, strict=True
        ):
            assert len(report["beats"]) == len(timing.beats)
            for beat, beat_timing, beat_report in zip(scene.beats, timing.beats, report["beats"], strict=True):
                assert beat_report["planned_start"] == pytest.approx(beat_timing.start, abs=1e-3)
                assert abs(beat_report["drift"]) <= 0.1, f"{video.topic}: {beat_report}"
                # Around the sentence's start: 100 ms before it, the frame before it, and 200 ms into it.
                start = offset + beat_timing.start
                times += [start - 0.1 - 1 / fps, start - 1 / fps, start + 0.2]
                changing.append(any(a.op in CREATING_OPS for a in beat.actions))
                same_scene.append(start - 0.1 - 1 / fps >= offset)
            offset += length
        frames = _frames_at(video.path, times)
        for n, creates in enumerate(changing):
            if creates:
                early, before, after = frames[3 * n], frames[3 * n + 1], frames[3 * n + 2]
                # Count pixels that clearly changed (compression noise on a still picture stays far below 40
                # levels): nothing moves before the sentence, and its first stroke shows within 200 ms (Manim's
                # easing draws almost nothing in an animation's first frames).
                if same_scene[n]:
                    assert _changed(early, before) < 10, f"{video.topic}: beat {n} starts before its sentence"
                assert _changed(before, after) >= 10, f"{video.topic}: beat {n} shows nothing 200 ms into its sentence"


def _changed(a: np.ndarray, b: np.ndarray) -> int:
    return int((np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > 40).sum())
