"""One curriculum lesson per area end to end in one process: plan → Piper → visuals → render, checked by decoding.

Each lesson is the planner's own storyboard for the topic's title, cut to its first demonstration scene (the first
after the title and the formula or statement scene), so the nine renders stay short. The title scene is the same
template in every lesson, so only the first lesson keeps it (its video is a join of two clips); the ten scenes render
two at a time, in the visuals service's warm renderer, as the visuals worker renders them.
Every beat's frame (sampled at its middle) shows something, and a beat that changes the picture shows a different
frame from the beat before it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest

from mathreel_render import assemble_video
from mathreel_scenelang.registry import ACTIONS
from mathreel_scenelang.render.style import BACKGROUND
from mathreel_scenelang.storyboard import Scene, Storyboard
from mathreel_script.curriculum.loader import load_curriculum
from mathreel_script.planner import plan_storyboard
from mathreel_shared.domain import Quality
from mathreel_shared.messages import JobConfiguration
from mathreel_shared.timing import SceneTiming
from mathreel_tts import create_engine, speak_scene
from mathreel_visuals import render_scene
from mathreel_visuals.pool import RendererPool

from .test_topics import _frames_at

pytestmark = pytest.mark.e2e
_log = logging.getLogger(__name__)

# area → the entry rendered for it (each demonstration a different kind of picture).
TOPICS = {
    "arithmetic": "rounding_numbers",  # a number line with the value and its neighbours
    "algebra": "geometric_sequences",  # terms plotted and tabled as they grow
    "geometry": "triangle_angle_sum",  # a triangle with its angles measured and summed
    "trigonometry": "law_of_cosines",  # a triangle solved for its third side
    "precalculus": "euler_identity",  # a point turning on the unit circle
    "calculus": "area_under_curve",  # area accumulating under a plot
    "linear_algebra": "eigenvalues_eigenvectors",  # the plane transformed by a matrix, its eigenvector kept
    "probability_statistics": "normal_distribution",  # probability as area under the bell curve
    "discrete": "fibonacci_golden_ratio",  # squares tiling a golden rectangle
}
CHANGING_OPS = ACTIONS.creating_ops | {"transform", "move", "remove", "clear", "color"}
_BG = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
_NOT_DEMONSTRATION = {"title", "idea", "statement"}


@dataclass(frozen=True)
class LessonVideo:
    key: str
    path: Path
    scenes: list[Scene]
    timings: list[SceneTiming]
    clip_durations: list[float]


@dataclass(frozen=True)
class Lessons:
    videos: list[LessonVideo]
    render_seconds: float


def _cut(key: str, *, with_title: bool) -> Storyboard:
    entries = {entry.key: entry for entry in load_curriculum()}
    entry = entries[key]
    storyboard = plan_storyboard(JobConfiguration(topic=entry.title, context=""))
    assert storyboard.title == entry.title, f"{entry.title!r} was planned as {storyboard.title!r}"
    demonstration = next(s for s in storyboard.scenes[1:] if s.id not in _NOT_DEMONSTRATION)
    scenes = [storyboard.scenes[0], demonstration] if with_title else [demonstration]
    return storyboard.model_copy(update={"scenes": scenes})


@pytest.fixture(scope="module")
async def lessons(tmp_path_factory: pytest.TempPathFactory, render_pool: RendererPool) -> Lessons:
    engine = create_engine("piper")
    first = next(iter(TOPICS.values()))
    boards = {key: _cut(key, with_title=key == first) for key in TOPICS.values()}
    outs = {key: tmp_path_factory.mktemp(key) for key in boards}
    timings: dict[str, list[SceneTiming]] = {}
    wavs: dict[str, list[Path]] = {}
    for key, board in boards.items():
        timings[key], wavs[key] = [], []
        for index, scene in enumerate(board.scenes):
            spoken = speak_scene(scene, index, engine)  # type: ignore[arg-type]
            wav = outs[key] / f"scene_{index}.wav"
            wav.write_bytes(spoken.wav_bytes)
            timings[key].append(spoken.timing)
            wavs[key].append(wav)
    gate = asyncio.Semaphore(2)  # two renders at a time on the whole machine

    async def one(key: str, index: int) -> tuple[Path, float]:
        async with gate:
            out = outs[key]
            clip = await render_scene(
                boards[key],
                index,
                timings[key][index],
                Quality.LOW,
                out / f"clip_{index}.mp4",
                out / "w",
                pool=render_pool,
            )
            return clip.path, clip.duration

    started = time.perf_counter()
    jobs = [(key, index) for key, board in boards.items() for index in range(len(board.scenes))]
    results = await asyncio.gather(*(one(key, index) for key, index in jobs), return_exceptions=True)
    render_seconds = time.perf_counter() - started
    failed = [(job, result) for job, result in zip(jobs, results, strict=True) if isinstance(result, BaseException)]
    assert not failed, f"scenes that failed to render: {failed}"
    clips = {job: result for job, result in zip(jobs, results, strict=True) if not isinstance(result, BaseException)}
    videos = []
    for key, board in boards.items():
        made = [clips[(key, index)] for index in range(len(board.scenes))]
        video = assemble_video(
            [path for path, _ in made], wavs[key], timings[key], Quality.LOW, outs[key] / "video", title=board.title
        )
        videos.append(LessonVideo(key, video.video_path, list(board.scenes), timings[key], [d for _, d in made]))
    _log.info("rendered %d scenes of %d lessons in %.1f s", len(jobs), len(boards), render_seconds)
    return Lessons(videos, render_seconds)


def test_one_lesson_per_area() -> None:
    areas = {entry.key: entry.area for entry in load_curriculum()}
    assert {areas[key] for key in TOPICS.values()} == set(TOPICS)
    assert all(areas[key] == area for area, key in TOPICS.items())


def test_lessons_decode_with_narration_length_and_size(lessons: Lessons) -> None:
    for video in lessons.videos:
        with av.open(str(video.path)) as container:
            stream = container.streams.video[0]
            assert (stream.codec_context.width, stream.codec_context.height) == (854, 480)
            assert container.streams.audio, video.key
            assert container.duration is not None
            duration = container.duration / av.time_base
        narration = sum(t.duration for t in video.timings)
        assert abs(duration - narration) <= 0.5, video.key


def test_every_beat_shows_something_and_changes_show(lessons: Lessons) -> None:
    for video in lessons.videos:
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
            assert drawn > 0.002, f"{video.key}: beat {n} is blank"
        for n in range(1, len(frames)):
            if any(action.op in CHANGING_OPS for action in beats[n].actions):
                change = np.abs(frames[n].astype(np.int16) - frames[n - 1].astype(np.int16)).mean()
                assert change > 0.05, f"{video.key}: beat {n} looks like beat {n - 1}"


def test_render_time_is_reported(lessons: Lessons, record_property: Callable[[str, object], None]) -> None:
    record_property("render_seconds", round(lessons.render_seconds, 1))
    assert lessons.render_seconds > 0
