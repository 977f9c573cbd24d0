"""Gallery: every built-in topic through the real chain, with a contact sheet and a layout report per topic.

    uv run python bench/gallery/run.py [--quality low] [--topics pythagorean_theorem chain_rule ...] [--out DIR]

For each topic: plan (offline planner) → Piper narration per scene → ``render_scene`` per scene, timed by that
narration → ``assemble_video``. Then, from the finished MP4, one frame per beat (at the beat's midpoint) goes into a
contact sheet labelled with the beat's sentence, and the clips' layout reports are gathered into ``layout.json`` and
``layout.md``. ``index.md`` lists every topic's status. Nothing written here belongs in git (the default output is
``bench/out/gallery``, which is ignored).

Besides the library topics, ``--unknown`` adds a few topics the library does not know, planned from their context.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import textwrap
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
from PIL import Image, ImageDraw, ImageFont

from mathreel_render import assemble_video
from mathreel_scenelang.storyboard import Storyboard
from mathreel_script.lessons import TOPICS
from mathreel_script.planner import plan_storyboard
from mathreel_script.topics import default_matcher
from mathreel_shared.domain import Quality
from mathreel_shared.messages import JobConfiguration
from mathreel_shared.timing import SceneTiming
from mathreel_tts import TtsEngine, create_engine, speak_scene
from mathreel_visuals import VisualsError, render_scene

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "bench" / "out" / "gallery"

# Topics the library does not know: the planner builds them from their context alone.
UNKNOWN_TOPICS: dict[str, tuple[str, str]] = {
    "compound_interest": (
        "Compound interest",
        "Compound interest grows money by earning interest on interest. The formula is A = P(1 + r/n)^(nt), where "
        "P is the principal, r the annual rate, n the compounding periods per year and t the years. Example: 1000 "
        "dollars at 5 percent compounded yearly for 3 years gives 1000 * 1.05^3 = 1157.63 dollars.",
    ),
    "harmonic_mean": (
        "The harmonic mean",
        "The harmonic mean of two numbers a and b is H = 2ab/(a + b). It is used for averaging rates such as "
        "speeds. Example: driving 60 km/h one way and 40 km/h back gives an average speed of "
        "2*60*40/(60+40) = 48 km/h.",
    ),
    "ohms_law": (
        "Ohm's law",
        "Ohm's law relates voltage, current and resistance: V = I R, where V is the voltage in volts, I the "
        "current in amperes and R the resistance in ohms. For example, with I = 2 and R = 5 the voltage is 10 volts.",
    ),
}

THUMB_WIDTH = 427  # half of 854: two frames side by side per row still read at a glance
CAPTION_HEIGHT = 58
COLUMNS = 3


@dataclass
class TopicResult:
    key: str
    topic: str
    status: str = "ok"
    error: str | None = None
    video: Path | None = None
    duration: float = 0.0
    wall_seconds: float = 0.0
    scenes: list[dict[str, Any]] = field(default_factory=list)
    timings: list[SceneTiming] = field(default_factory=list)


def topic_text(key: str) -> str:
    """The words a user might type for library topic ``key``; checked to match that topic."""
    text = key.replace("_", " ")
    match = default_matcher().match(text)
    if match is None or match.key != key:
        raise SystemExit(f"'{text}' does not name the library topic {key}")
    return text


async def render_topic(
    key: str,
    topic: str,
    context: str,
    engine: TtsEngine,
    quality: Quality,
    out_dir: Path,
    *,
    workers: int = 2,
    tex_cache: Path | None = None,
) -> TopicResult:
    """The whole chain for one topic, planned by the offline planner; failures are recorded in the result."""
    return await render_storyboard(
        key,
        topic,
        lambda: plan_storyboard(JobConfiguration(topic=topic, context=context, quality=quality)),
        engine,
        quality,
        out_dir,
        workers=workers,
        tex_cache=tex_cache,
    )


async def render_storyboard(
    key: str,
    topic: str,
    make: Callable[[], Storyboard],
    engine: TtsEngine,
    quality: Quality,
    out_dir: Path,
    *,
    workers: int = 2,
    tex_cache: Path | None = None,
) -> TopicResult:
    """Narrate, render and assemble the storyboard ``make`` writes, with its contact sheet and layout reports;
    failures (the storyboard's own included) are recorded in the result, not raised."""
    result = TopicResult(key=key, topic=topic)
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        storyboard = make()
        (out_dir / "storyboard.json").write_text(storyboard.model_dump_json(indent=2), encoding="utf-8")
        wavs: list[Path] = []
        for index, scene in enumerate(storyboard.scenes):
            spoken = speak_scene(scene, index, engine)
            wav = out_dir / "audio" / f"scene_{index:03d}.wav"
            wav.parent.mkdir(parents=True, exist_ok=True)
            wav.write_bytes(spoken.wav_bytes)
            wavs.append(wav)
            result.timings.append(spoken.timing)
        clips = await render_scenes(storyboard, result.timings, quality, out_dir, workers, result, tex_cache)
        if result.status != "ok":
            return result
        assembled = assemble_video(clips, wavs, result.timings, quality, out_dir / "video", title=storyboard.title)
        result.video = assembled.video_path
        result.duration = assembled.metadata.duration
        make_contact_sheet(storyboard, result.timings, result, out_dir / "contact_sheet.png")
    except Exception as exc:  # the gallery reports every failure and goes on with the next topic
        result.status = "failed"
        result.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    finally:
        result.wall_seconds = round(time.perf_counter() - started, 1)
        write_reports(result, out_dir)
    return result


async def render_scenes(
    storyboard: Storyboard,
    timings: list[SceneTiming],
    quality: Quality,
    out_dir: Path,
    workers: int,
    result: TopicResult,
    tex_cache: Path | None = None,
) -> list[Path]:
    """Render every scene, ``workers`` at a time, as the visuals workers of one job would."""
    # Scratch outside any dot-folder: TeX's paranoid mode refuses to write under paths with hidden components.
    scratch = Path(tempfile.mkdtemp(prefix="mathreel-gallery-"))
    try:
        return await _render_all(storyboard, timings, quality, out_dir, workers, result, scratch, tex_cache)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


async def _render_all(
    storyboard: Storyboard,
    timings: list[SceneTiming],
    quality: Quality,
    out_dir: Path,
    workers: int,
    result: TopicResult,
    scratch: Path,
    tex_cache: Path | None,
) -> list[Path]:
    gate = asyncio.Semaphore(workers)

    async def one(index: int) -> Path:
        async with gate:
            clip = await render_scene(
                storyboard,
                index,
                timings[index],
                quality,
                out_dir / "clips" / f"scene_{index:03d}.mp4",
                scratch,
                tex_cache=tex_cache,
            )
        scene = storyboard.scenes[index]
        result.scenes.append(
            {
                "index": index,
                "id": scene.id,
                "status": "ok",
                "duration": round(clip.duration, 3),
                "narration": round(timings[index].duration, 3),
                "report": clip.layout_report,
            }
        )
        return clip.path

    outcomes = await asyncio.gather(*(one(i) for i in range(len(storyboard.scenes))), return_exceptions=True)
    clips: list[Path] = []
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            result.status = "failed"
            code = outcome.code if isinstance(outcome, VisualsError) else type(outcome).__name__
            message = outcome.message if isinstance(outcome, VisualsError) else str(outcome)
            result.error = result.error or f"scene {index} ({storyboard.scenes[index].id}): {code}: {message}"
            result.scenes.append(
                {"index": index, "id": storyboard.scenes[index].id, "status": code, "error": message[:600]}
            )
        else:
            clips.append(outcome)
    result.scenes.sort(key=lambda s: int(s["index"]))
    return clips


def beat_midpoints(timings: list[SceneTiming], scene_durations: list[float]) -> list[tuple[float, str, int]]:
    """(time in the video, sentence, scene index) at the middle of every beat."""
    out: list[tuple[float, str, int]] = []
    offset = 0.0
    for timing, duration in zip(timings, scene_durations, strict=True):
        for beat in timing.beats:
            out.append((offset + beat.start + beat.duration / 2, beat.text, timing.scene_index))
        offset += duration
    return out


def sample_frames(video: Path, times: list[float]) -> list[Image.Image]:
    """The decoded frame showing at each of ``times`` (sorted ascending), decoding the video once."""
    pending = sorted(range(len(times)), key=lambda i: times[i])
    picked: dict[int, Image.Image] = {}

    def image(frame: av.VideoFrame) -> Image.Image:
        return Image.fromarray(frame.to_ndarray(format="rgb24"))

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        last: av.VideoFrame | None = None
        position = 0
        for frame in container.decode(stream):
            t = float(frame.time or 0.0)
            while position < len(pending) and times[pending[position]] < t:
                picked[pending[position]] = image(last if last is not None else frame)
                position += 1
            last = frame
            if position >= len(pending):
                break
        while position < len(pending) and last is not None:
            picked[pending[position]] = image(last)
            position += 1
    return [picked[i] for i in range(len(times))]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def make_contact_sheet(storyboard: Storyboard, timings: list[SceneTiming], result: TopicResult, path: Path) -> None:
    """A grid of one frame per beat, sampled at the beat's midpoint from the final video, captioned."""
    assert result.video is not None
    durations = [float(s["duration"]) for s in result.scenes]
    marks = beat_midpoints(timings, durations)
    frames = sample_frames(result.video, [t for t, _, _ in marks])
    thumb_h = round(THUMB_WIDTH * 480 / 854)
    rows = (len(frames) + COLUMNS - 1) // COLUMNS
    header = 40
    sheet = Image.new("RGB", (COLUMNS * THUMB_WIDTH, header + rows * (thumb_h + CAPTION_HEIGHT)), "#0E1014")
    draw = ImageDraw.Draw(sheet)
    draw.text((10, 8), f"{storyboard.title} — {result.duration:.1f} s", fill="#ECEFF4", font=_font(20))
    small = _font(12)
    for n, (frame, (t, text, scene_index)) in enumerate(zip(frames, marks, strict=True)):
        x = (n % COLUMNS) * THUMB_WIDTH
        y = header + (n // COLUMNS) * (thumb_h + CAPTION_HEIGHT)
        sheet.paste(frame.resize((THUMB_WIDTH, thumb_h)), (x, y))
        caption = f"[{scene_index}] {t:5.1f}s  {text}"
        lines = textwrap.wrap(caption, 66)[:3]
        draw.multiline_text((x + 6, y + thumb_h + 4), "\n".join(lines), fill="#C8CDD6", font=small, spacing=2)
    sheet.save(path)


def write_reports(result: TopicResult, out_dir: Path) -> None:
    """``layout.json`` (every scene's full report) and ``layout.md`` (checks, fixes, failures at a glance)."""
    data = {
        "topic": result.topic,
        "key": result.key,
        "status": result.status,
        "error": result.error,
        "duration": result.duration,
        "wall_seconds": result.wall_seconds,
        "scenes": result.scenes,
    }
    (out_dir / "layout.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    lines = [f"# {result.topic}", "", f"status: **{result.status}**"]
    if result.error:
        lines.append(f"error: `{result.error}`")
    lines += ["", "| scene | beats | checks | fixes | max drift (ms) | warnings |", "|---|---|---|---|---|---|"]
    for scene in result.scenes:
        report = scene.get("report") or {}
        beats = report.get("beats", [])
        passed = all(b["checks"]["passed"] for b in beats) if beats else False
        fixes = [f"{f['action']} {f['id']}" for b in beats for f in b["fixes"] if f["action"] != "place"]
        drift = max((abs(b["drift"]) for b in beats), default=0.0) * 1000
        warnings = "; ".join(report.get("warnings", []))
        status = "passed" if passed else scene.get("status", "?")
        fix_text = ", ".join(fixes[:8]) + (" …" if len(fixes) > 8 else "")
        lines.append(
            f"| {scene['index']} {scene['id']} | {len(beats)} | {status} | {fix_text or '—'} | {drift:.0f} "
            f"| {warnings or '—'} |"
        )
        if scene.get("error"):
            lines.append(f"| | | `{scene['error'][:300]}` | | | |")
    (out_dir / "layout.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_index(results: list[TopicResult], out: Path, quality: Quality) -> None:
    lines = [
        f"# Gallery ({quality.value} quality)",
        "",
        "| topic | status | video s | wall s | scenes | fixes | sheet |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        fixes = sum(
            1
            for s in r.scenes
            for b in (s.get("report") or {}).get("beats", [])
            for f in b["fixes"]
            if f["action"] != "place"
        )
        sheet = f"[sheet]({r.key}/contact_sheet.png)" if r.status == "ok" else (r.error or "")[:160]
        lines.append(
            f"| {r.key} | {r.status} | {r.duration:.1f} | {r.wall_seconds:.0f} | {len(r.scenes)} | {fixes} | {sheet} |"
        )
    (out / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


async def main_async(args: argparse.Namespace) -> int:
    quality = Quality(args.quality)
    keys: list[str] = args.topics or [*TOPICS, *(UNKNOWN_TOPICS if args.unknown else {})]
    engine = create_engine("piper")
    results: list[TopicResult] = []
    # One TeX cache for the run, as a visuals worker keeps one; outside dot-folders for TeX's paranoid mode.
    tex_cache = Path(tempfile.mkdtemp(prefix="mathreel-gallery-tex-"))
    for key in keys:
        if key in UNKNOWN_TOPICS:
            topic, context = UNKNOWN_TOPICS[key]
        elif key in TOPICS:
            topic, context = topic_text(key), ""
        else:
            raise SystemExit(f"unknown topic key {key!r}; known: {', '.join([*TOPICS, *UNKNOWN_TOPICS])}")
        result = await render_topic(
            key, topic, context, engine, quality, args.out / key, workers=args.workers, tex_cache=tex_cache
        )
        results.append(result)
        sys.stdout.write(
            f"{key:28s} {result.status:7s} {result.duration:6.1f}s video {result.wall_seconds:6.0f}s wall"
            + (f"  {result.error}" if result.error else "")
            + "\n"
        )
        sys.stdout.flush()
        write_index(results, args.out, quality)
    shutil.rmtree(tex_cache, ignore_errors=True)
    return 0 if all(r.status == "ok" for r in results) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", choices=[q.value for q in Quality], default="low")
    parser.add_argument("--topics", nargs="*", help="topic keys (default: every library topic)")
    parser.add_argument("--unknown", action="store_true", help="also render a few topics the library does not know")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--workers", type=int, default=2, help="scenes rendered at once")
    args = parser.parse_args()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
