"""Rendering speed: wall seconds per second of finished video, ours against raw Manim, in one run.

    uv run python bench/render/run.py [--qualities low medium high] [--workers 1 2] [--out DIR]

A fixed storyboard of four scenes (formula, graph, geometry, text), each beat 2 s, is rendered at each quality with
1 and 2 visuals workers (``render_scene`` calls gathered under a semaphore, as one job's scenes spread over the
workers), then joined by ``assemble_video`` without narration work (a silent WAV per scene). The baseline is the
same four scenes hand-written as plain Manim scenes (``bench/render/baseline_scenes.py``) rendered by the ``manim``
CLI at the matching ``-q`` flag, with the same number of processes at once — no layout engine, no subprocess
wrapper, no report, no assembly. Printed per quality and worker count: wall seconds per second of video, and CPU
seconds (this process and its children) per second of video, ours and the baseline's, and their ratios. The CPU
figures hold when other work shares the machine; the wall figures are what a user waits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from mathreel_render import assemble_video
from mathreel_scenelang.storyboard import Storyboard, storyboard_adapter
from mathreel_shared.domain import Quality
from mathreel_shared.timing import BeatTiming, SceneTiming
from mathreel_visuals import render_scene

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench.manim_cli import manim_env, run_manim  # noqa: E402
from tests.e2e.media import silent_wav  # noqa: E402

BEAT_SECONDS = 2.0
BASELINE_SCENES = ("FormulaScene", "GraphScene", "GeometryScene", "TextScene")

STORYBOARD: Storyboard = storyboard_adapter.validate_python(
    {
        "title": "Render benchmark",
        "scenes": [
            {
                "id": "formula",
                "beats": [
                    {"narration": "A title.", "actions": [{"op": "title", "id": "t", "text": "Squares"}]},
                    {"narration": "A formula.", "actions": [{"op": "equation", "id": "eq", "latex": "(a+b)^2"}]},
                    {
                        "narration": "Expanded.",
                        "actions": [
                            {"op": "transform", "target": "eq", "latex": "a^2 + 2ab + b^2", "highlight": ["2ab"]}
                        ],
                    },
                ],
            },
            {
                "id": "graph",
                "beats": [
                    {
                        "narration": "Axes.",
                        "actions": [{"op": "axes", "id": "ax", "x_range": [-3, 3, 1], "y_range": [-1, 9, 1]}],
                    },
                    {
                        "narration": "A parabola.",
                        "actions": [{"op": "plot", "id": "g", "axes": "ax", "expression": "x^2"}],
                    },
                    {
                        "narration": "The area.",
                        "actions": [{"op": "area", "id": "a", "graph": "g", "x_range": [0, 2]}],
                    },
                ],
            },
            {
                "id": "geometry",
                "beats": [
                    {
                        "narration": "A triangle.",
                        "actions": [{"op": "polygon", "id": "tri", "vertices": [[0, 0], [4, 0], [0, 3]]}],
                    },
                    {
                        "narration": "Its right angle.",
                        "actions": [
                            {"op": "angle", "id": "r", "vertex": [0, 0], "a": [4, 0], "b": [0, 3], "right": True}
                        ],
                    },
                    {
                        "narration": "A circle.",
                        "actions": [{"op": "circle", "id": "c", "center": [2, 1.5], "radius": 2.5, "fill_opacity": 0}],
                    },
                ],
            },
            {
                "id": "text",
                "beats": [
                    {
                        "narration": "Points.",
                        "actions": [{"op": "bullets", "id": "b", "items": ["one idea", "another idea", "a third"]}],
                    },
                    {"narration": "Then.", "actions": [{"op": "remove", "targets": ["b"]}]},
                    {
                        "narration": "A sum.",
                        "actions": [{"op": "equation", "id": "s", "latex": "\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}"}],
                    },
                ],
            },
        ],
    }
)


def timing_of(index: int) -> SceneTiming:
    beats = STORYBOARD.scenes[index].beats
    return SceneTiming(
        scene_index=index,
        duration=BEAT_SECONDS * len(beats),
        beats=[
            BeatTiming(start=i * BEAT_SECONDS, duration=BEAT_SECONDS, text=b.narration) for i, b in enumerate(beats)
        ],
    )


def cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children: what the run cost, whatever else runs."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


async def ours(quality: Quality, workers: int, work: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, video seconds) for the storyboard through render_scene and assemble_video."""
    gate = asyncio.Semaphore(workers)
    timings = [timing_of(i) for i in range(len(STORYBOARD.scenes))]

    async def one(index: int) -> Path:
        async with gate:
            clip = await render_scene(
                STORYBOARD,
                index,
                timings[index],
                quality,
                work / f"scene_{index}.mp4",
                work / "scratch",
                tex_cache=work / "tex",  # fresh per run, shared by its scenes, as manim's own media_dir/Tex is
            )
            return clip.path

    started, cpu = time.perf_counter(), cpu_seconds()
    clips = await asyncio.gather(*(one(i) for i in range(len(timings))))
    wavs = [silent_wav(t.duration, work / f"scene_{t.scene_index}.wav") for t in timings]
    video = assemble_video(clips, wavs, timings, quality, work / "video", title="bench")
    return time.perf_counter() - started, cpu_seconds() - cpu, video.metadata.duration


async def baseline(quality: Quality, workers: int, work: Path) -> tuple[float, float]:
    """(wall, CPU) seconds for the same scenes hand-written in plain Manim, rendered by the manim CLI."""
    gate = asyncio.Semaphore(workers)
    work.mkdir(parents=True, exist_ok=True)
    env = manim_env()

    async def one(name: str) -> None:
        async with gate:
            # A media folder per process: plain Manim's TeX cache is not safe to share between processes (one reads
            # a .dvi another is still writing, and dvisvgm fails); ours serialises typesetting with a lock.
            await run_manim(HERE / "baseline_scenes.py", name, quality, work / f"media-{name}", cwd=work, env=env)

    started, cpu = time.perf_counter(), cpu_seconds()
    await asyncio.gather(*(one(name) for name in BASELINE_SCENES))
    return time.perf_counter() - started, cpu_seconds() - cpu


async def main_async(args: argparse.Namespace) -> int:
    results = []
    # Scratch outside dot-folders: TeX's paranoid mode refuses to write under hidden path components.
    root = Path(tempfile.mkdtemp(prefix="mathreel-bench-render-"))
    try:
        for quality in [Quality(q) for q in args.qualities]:
            for workers in args.workers:
                work = root / f"{quality.value}-{workers}"
                work.mkdir(parents=True)
                load = os.getloadavg()[0]
                wall, cpu, video = await ours(quality, workers, work / "ours")
                base, base_cpu = await baseline(quality, workers, work / "baseline")
                row = {
                    "quality": quality.value,
                    "workers": workers,
                    "video_seconds": round(video, 2),
                    "load_before": round(load, 1),
                    "ours_wall_per_video_second": round(wall / video, 3),
                    "ours_cpu_per_video_second": round(cpu / video, 3),
                    "manim_wall_per_video_second": round(base / video, 3),
                    "manim_cpu_per_video_second": round(base_cpu / video, 3),
                    "wall_ratio": round(wall / base, 2),
                    "cpu_ratio": round(cpu / base_cpu, 2),
                }
                results.append(row)
                sys.stdout.write(
                    f"{quality.value:6s} workers={workers} load={load:4.1f}  wall/video: ours "
                    f"{row['ours_wall_per_video_second']:.2f} manim {row['manim_wall_per_video_second']:.2f} "
                    f"(x{row['wall_ratio']:.2f})  cpu/video: ours {row['ours_cpu_per_video_second']:.2f} "
                    f"manim {row['manim_cpu_per_video_second']:.2f} (x{row['cpu_ratio']:.2f})\n"
                )
                sys.stdout.flush()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "render.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


async def reporting_failures(args: argparse.Namespace) -> int:
    """``main_async``, printing a failure at once: ``asyncio.run`` reports it only after cancelling what is left."""
    try:
        return await main_async(args)
    except Exception:
        traceback.print_exc()
        sys.stderr.flush()
        raise


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--qualities", nargs="*", default=[q.value for q in Quality])
    parser.add_argument("--workers", nargs="*", type=int, default=[1, 2])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "render")
    return asyncio.run(reporting_failures(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
