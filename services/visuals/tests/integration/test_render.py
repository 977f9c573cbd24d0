"""Real renders through the subprocess, at low quality and a few seconds long."""

import time
from pathlib import Path

import av
import numpy as np
import pytest

from mathreel_scenelang.render.style import BACKGROUND
from mathreel_scenelang.storyboard import storyboard_adapter
from mathreel_shared.domain import QUALITY_PRESETS, Quality
from mathreel_shared.timing import BeatTiming, SceneTiming
from mathreel_visuals import VisualsError, render_scene

pytestmark = pytest.mark.integration  # renders or typesets with TeX

SHORT = storyboard_adapter.validate_python(
    {
        "title": "Squares",
        "scenes": [
            {
                "id": "squares",
                "beats": [
                    {"narration": "Squares.", "actions": [{"op": "title", "id": "t", "text": "Squares"}]},
                    {"narration": "A formula.", "actions": [{"op": "equation", "id": "eq", "latex": "(a+b)^2"}]},
                    {
                        "narration": "Expanded.",
                        "actions": [
                            {"op": "transform", "target": "eq", "latex": "a^2 + 2ab + b^2", "highlight": ["2ab"]},
                            {"op": "indicate", "target": "eq"},
                        ],
                    },
                ],
            }
        ],
    }
)
# Sentence starts that fall between frames, and a lead-in before the first one.
TIMING = SceneTiming(
    scene_index=0,
    duration=4.63,
    beats=[
        BeatTiming(start=0.53, duration=1.2, text="Squares."),
        BeatTiming(start=1.77, duration=1.3, text="A formula."),
        BeatTiming(start=3.11, duration=1.52, text="Expanded."),
    ],
)


def _background_distance(frame: av.VideoFrame) -> float:
    rgb = frame.to_ndarray(format="rgb24").astype(np.int16)
    bg = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return float(np.abs(rgb - bg).max())


async def test_clip_matches_narration_timing(tmp_path: Path) -> None:
    out = tmp_path / "clips" / "scene_000.mp4"
    clip = await render_scene(SHORT, 0, TIMING, Quality.LOW, out, tmp_path / "work")

    preset = QUALITY_PRESETS[Quality.LOW]
    frame_time = 1 / preset.fps
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (854, 480)
        frames = list(container.decode(stream))
    assert abs(len(frames) * frame_time - TIMING.duration) <= frame_time
    assert abs(clip.duration - TIMING.duration) <= frame_time
    assert (clip.width, clip.height, clip.fps) == (854, 480, 15.0)
    assert clip.path == out

    beats = clip.layout_report["beats"]
    assert len(beats) == 3
    for beat, timing in zip(beats, TIMING.beats, strict=True):
        assert abs(beat["actual_start"] - timing.start) <= 0.1
        assert beat["checks"]["passed"]
    # The picture agrees with the report: nothing is drawn before the first sentence starts, and the title is
    # drawn while it is spoken.
    first_drawn = next(i for i, f in enumerate(frames) if _background_distance(f) > 40)
    assert abs(first_drawn * frame_time - TIMING.beats[0].start) <= 0.1
    assert not list((tmp_path / "work").iterdir())  # the temporary media directory is gone


async def test_cancelled_render_is_killed(tmp_path: Path) -> None:
    started = time.monotonic()
    out = tmp_path / "scene.mp4"
    with pytest.raises(VisualsError) as excinfo:
        await render_scene(
            SHORT,
            0,
            TIMING,
            Quality.MEDIUM,
            out,
            tmp_path / "work",
            cancelled=lambda: time.monotonic() - started > 1.0,
        )
    assert excinfo.value.code == "cancelled"
    assert not excinfo.value.retryable
    assert time.monotonic() - started < 4.0
    assert not out.exists()
    assert not list((tmp_path / "work").iterdir())
    assert not _processes_mentioning(str(tmp_path))


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text in (proc / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


async def test_latex_that_does_not_compile_is_reported(tmp_path: Path) -> None:
    board = storyboard_adapter.validate_python(
        {
            "title": "Broken",
            "scenes": [
                {
                    "id": "broken",
                    "beats": [
                        {"narration": "Oops.", "actions": [{"op": "equation", "id": "eq", "latex": r"\frac{1}"}]}
                    ],
                }
            ],
        }
    )
    timing = SceneTiming(scene_index=0, duration=1.0, beats=[BeatTiming(start=0, duration=1.0, text="Oops.")])
    with pytest.raises(VisualsError) as excinfo:
        await render_scene(board, 0, timing, Quality.LOW, tmp_path / "x.mp4", tmp_path / "work")
    assert excinfo.value.code == "latex_failed"
    assert not excinfo.value.retryable


async def test_renders_share_typeset_formulas_through_the_tex_cache(tmp_path: Path) -> None:
    cache = tmp_path / "tex-cache"
    first = await render_scene(SHORT, 0, TIMING, Quality.LOW, tmp_path / "a.mp4", tmp_path / "work", tex_cache=cache)
    typeset = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.svg")}
    assert len(typeset) >= 2  # the formula and its transformed form
    # Manim's cleanup would delete these under a render typesetting in parallel: it is off for a shared cache.
    assert list(cache.glob("*.dvi"))
    assert list(cache.glob("*.log"))
    second = await render_scene(SHORT, 0, TIMING, Quality.LOW, tmp_path / "b.mp4", tmp_path / "work", tex_cache=cache)
    # The second render typeset nothing: every formula came from the cache, untouched.
    assert {p.name: p.stat().st_mtime_ns for p in cache.glob("*.svg")} == typeset
    assert first.duration == second.duration
    assert not list((tmp_path / "work").iterdir())
