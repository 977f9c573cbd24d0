"""Manim's clips of one job are joined by packet copy, even when their container frame rates disagree by rounding.

A scene whose beats start between frames is written by Manim as several segments; the joins leave packets of 1019
instead of 1024 ticks, so the container's *average* frame rate reads 655360/43689 instead of 15. The clips are still
one stream's worth of identical parameters, and must be stream-copied, not re-encoded.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import pytest

from mathreel_render import assemble_video
from mathreel_script.planner import plan_storyboard
from mathreel_shared.domain import Quality
from mathreel_shared.messages import JobConfiguration
from mathreel_shared.timing import BeatTiming, SceneTiming
from mathreel_visuals import render_scene
from tests.e2e.media import silent_wav

pytestmark = pytest.mark.e2e

# Sentence starts measured by Piper for this scene: between frames at 15 fps.
STATEMENT_TIMING = SceneTiming(
    scene_index=1,
    duration=8.530340136054422,
    beats=[
        BeatTiming(start=0.15, duration=3.4936, text="In a right triangle, the legs a and b meet at the right angle."),
        BeatTiming(start=3.6436, duration=4.886740136054422, text="The hypotenuse c faces it."),
    ],
)


async def test_clips_whose_average_rates_differ_by_rounding_are_stream_copied(tmp_path: Path) -> None:
    storyboard = plan_storyboard(JobConfiguration(topic="Pythagorean theorem", context=""))
    assert [s.id for s in storyboard.scenes[:2]] == ["title", "statement"]
    storyboard = storyboard.model_copy(update={"scenes": storyboard.scenes[:2]})
    title = SceneTiming(
        scene_index=0, duration=2.0, beats=[BeatTiming(start=0.0, duration=2.0, text=storyboard.scenes[0].narration)]
    )
    timings = [title, STATEMENT_TIMING]
    clips = [
        (await render_scene(storyboard, i, timings[i], Quality.LOW, tmp_path / f"c{i}.mp4", tmp_path / "w")).path
        for i in range(2)
    ]
    rates = []
    for clip in clips:
        with av.open(str(clip)) as container:
            rates.append(Fraction(container.streams.video[0].average_rate))
    assert rates[0] != rates[1], f"the scenario needs clips whose average rates differ: {rates}"

    wavs = [silent_wav(t.duration, tmp_path / f"a{i}.wav") for i, t in enumerate(timings)]
    video = assemble_video(clips, wavs, timings, Quality.LOW, tmp_path / "out", title="join")

    assert video.stream_copied
    with av.open(str(video.video_path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert abs(frames / 15 - sum(t.duration for t in timings)) <= 0.2
