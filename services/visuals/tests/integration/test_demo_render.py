"""One real low-quality render of a scene using every demonstration action, checked on its decoded frames."""

import itertools
from pathlib import Path

import av
import numpy as np
import pytest

from mathreel_scenelang.render.style import BACKGROUND, PALETTE
from mathreel_scenelang.storyboard import Storyboard, storyboard_adapter
from mathreel_shared.domain import Quality
from mathreel_shared.timing import BeatTiming, SceneTiming
from mathreel_visuals import render_scene


def even_timing(storyboard: Storyboard, beat_seconds: float) -> SceneTiming:
    """Timing as tts would measure it: the first scene's beats back to back, ``beat_seconds`` each."""
    beats = storyboard.scenes[0].beats
    return SceneTiming(
        scene_index=0,
        duration=beat_seconds * len(beats),
        beats=[
            BeatTiming(start=i * beat_seconds, duration=beat_seconds, text=b.narration) for i, b in enumerate(beats)
        ],
    )


pytestmark = pytest.mark.integration

BEAT = 1.6
DEMOS = storyboard_adapter.validate_python(
    {
        "title": "Demonstrations",
        "scenes": [
            {
                "id": "demos",
                "beats": [
                    {
                        "narration": "A graph.",
                        "actions": [
                            {"op": "axes", "id": "ax", "x_range": [-3, 3, 1], "y_range": [-1, 9, 1]},
                            {"op": "plot", "id": "g", "axes": "ax", "expression": "x^2", "color": "grey"},
                        ],
                    },
                    {
                        "narration": "A point slides along it.",
                        "actions": [{"op": "sweep", "id": "s", "graph": "g", "start": -2, "end": 2, "color": "red"}],
                    },
                    {
                        "narration": "The graph changes, with a tangent and a point on it.",
                        "actions": [
                            {"op": "remove", "targets": ["s", "g"]},
                            {
                                "op": "morph_plot",
                                "id": "m",
                                "axes": "ax",
                                "expressions": ["1", "x^2"],
                                "labels": ["n=0", "n=2"],
                            },
                            {
                                "op": "sweep",
                                "id": "t",
                                "graph": "m",
                                "start": 0,
                                "end": 1,
                                "show": ["dot", "tangent", "slope", "coordinates"],
                            },
                            {"op": "point", "id": "p", "at": [-1, 1], "axes": "ax"},
                        ],
                    },
                    {
                        "narration": "The point goes back, with a drop line and a triangle under it.",
                        "actions": [
                            {"op": "sweep_to", "target": "t", "end": -1},
                            {
                                "op": "segment",
                                "id": "dl",
                                "start": [-1, 0],
                                "end": [-1, 1],
                                "dashed": True,
                                "axes": "ax",
                            },
                            {"op": "polygon", "id": "tri", "vertices": [[-2, 0], [0, 0], [-1, 1]], "axes": "ax"},
                        ],
                    },
                    {
                        "narration": "Bars grow.",
                        "actions": [
                            {"op": "clear"},
                            {
                                "op": "bar_chart",
                                "id": "c",
                                "categories": ["x", "y"],
                                "values": [1, 2],
                                "region": "left",
                            },
                            {"op": "bars_to", "target": "c", "values": [4, 3]},
                            {"op": "venn", "id": "v", "labels": ["A", "B"], "regions": {"AB": "2"}, "region": "right"},
                        ],
                    },
                    {
                        "narration": "Intervals, dots and a tree.",
                        "actions": [
                            {"op": "clear"},
                            {"op": "number_line", "id": "n", "x_range": [-3, 3, 1], "region": "top"},
                            {"op": "interval", "id": "i", "number_line": "n", "end": 1, "include_end": False},
                            {"op": "dots", "id": "d", "rows": 2, "cols": 3, "highlight": 2, "region": "bottom_left"},
                            {
                                "op": "tree",
                                "id": "tr",
                                "branches": [{"label": "a"}, {"label": "b"}],
                                "region": "bottom_right",
                            },
                        ],
                    },
                    {
                        "narration": "A matrix acts on the plane.",
                        "actions": [
                            {"op": "clear"},
                            {"op": "plane", "id": "pl"},
                            {"op": "arrow", "id": "w", "start": [0, 0], "end": [1, 1], "axes": "pl"},
                        ],
                    },
                    {
                        "narration": "It shears.",
                        "actions": [{"op": "apply_matrix", "target": "pl", "matrix": [[1, 1], [0, 1]]}],
                    },
                ],
            }
        ],
    }
)


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)


def _mask(frame: np.ndarray, color: str, tolerance: int = 70) -> np.ndarray:
    """Pixels near ``color``; the tolerance allows for the video's chroma subsampling on small shapes."""
    result: np.ndarray = np.abs(frame - _rgb(color)).max(axis=2) < tolerance
    return result


async def test_every_demonstration_renders_and_moves_in_time_with_its_beat(tmp_path: Path) -> None:
    timing = even_timing(DEMOS, BEAT)
    out = tmp_path / "clip.mp4"
    clip = await render_scene(DEMOS, 0, timing, Quality.LOW, out, tmp_path / "work")
    with av.open(str(out)) as container:
        frames = [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(container.streams.video[0])]
    fps = 15
    assert abs(len(frames) / fps - timing.duration) <= 1 / fps
    assert all(beat["checks"]["passed"] for beat in clip.layout_report["beats"])
    assert clip.layout_report["warnings"] == []

    # Every beat draws something.
    for index in range(len(DEMOS.scenes[0].beats)):
        frame = frames[int((index + 0.9) * BEAT * fps)]
        assert (np.abs(frame - _rgb(BACKGROUND)).max(axis=2) > 40).mean() > 0.01, f"beat {index} is empty"

    # The red dot slides left to right over most of beat 1, one dot at a time (no trail), then stays.
    first, last = int(1 * BEAT * fps) + 2, int(2 * BEAT * fps) - 1
    xs, sizes = [], []
    for frame in frames[first:last]:
        _, xs_ = np.nonzero(_mask(frame, PALETTE["red"]))
        assert xs_.size > 0
        xs.append(float(np.median(xs_)))  # the median ignores stray pixels the video coding tints
        sizes.append(int(xs_.size))
    assert all(b >= a - 1.5 for a, b in itertools.pairwise(xs))  # left to right (centroids carry coding noise)
    assert xs[-1] - xs[0] > 200  # pixels: from x = -2 to x = 2 on a 854-wide frame
    assert max(sizes) < 2 * min(sizes)
    moving = [abs(b - a) > 2 for a, b in itertools.pairwise(xs)]
    assert sum(moving) >= 0.6 * len(moving)  # it moves through most of the beat, not in a flash
    assert not any(moving[-2:])  # and is at rest when the beat ends

    # The plane's shear moves during its beat and is still when the clip ends.
    start = int(7 * BEAT * fps)
    assert np.abs(frames[start + 4] - frames[start + int(BEAT * fps * 0.5)]).max() > 40
    assert np.abs(frames[-1] - frames[-2]).max() < 40
