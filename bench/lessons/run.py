"""Lessons: every curriculum topic measured as a storyboard, and a sample rendered and measured as frames.

    uv run python bench/lessons/run.py                          # storyboard figures for every topic
    uv run python bench/lessons/run.py --render 12              # and 12 topics rendered (one per area first)
    uv run python bench/lessons/run.py --render-topics KEY ...  # and these topics rendered
    uv run python bench/lessons/run.py --measure DIR [DIR ...]   # composition of lessons already rendered
    uv run python bench/lessons/run.py --preflight [KEY ...]     # lay out lessons (all without KEY), no frames

Per topic, without rendering: how many beats draw a figure (not only words or formulas) and their share of all
beats, the share of the entry's keywords the narration uses, the words spoken, and numbers said but not on screen.
Per rendered topic: the layout fixes the renderer had to apply, and for one frame per beat the share of the frame
that is drawn (pixels away from the background) and where the drawing's centre sits (0.5, 0.5 is the middle),
with the longest run of near-empty frames; plus its contact sheet. Writes ``<out>/lessons.md`` and
``lessons.json``; nothing here belongs in git (``bench/out`` is ignored).

``--measure`` compares renders made before and after a change: for each lesson folder it samples the video every
``--every`` seconds and reports the mean drawn share, the share of near-empty frames, the drawing's mean centre and
its horizontal balance (the mean distance of each frame's centre of drawn pixels from the middle, as a share of
the width: 0 is centred, 0.25 is a drawing wholly in one half).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from mathreel_scenelang.render.style import BACKGROUND
from mathreel_script.context import ContextFacts
from mathreel_script.curriculum import AREAS, TopicEntry, load_curriculum
from mathreel_script.curriculum.lesson import lesson_storyboard
from mathreel_script.demonstrations.checks import figure_beats, unseen_numbers
from mathreel_script.topics import words
from mathreel_shared.domain import Quality
from mathreel_tts import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
import preview

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "bench" / "out" / "lessons"
# A frame whose drawn share is below this reads as empty.
EMPTY_SHARE = 0.01


@dataclass
class TopicFigures:
    key: str
    area: str
    beats: int
    figure_beats: int
    keyword_coverage: float
    words: int
    unseen_numbers: int
    rendered: bool = False
    layout_fixes: int = 0
    drawn_share_mean: float = 0.0
    drawn_share_min: float = 0.0
    longest_empty_run: int = 0
    centre: tuple[float, float] = (0.0, 0.0)
    status: str = "planned"
    frames: list[float] = field(default_factory=list)


def measure_storyboard(entry: TopicEntry) -> TopicFigures:
    storyboard = lesson_storyboard(entry, ContextFacts())
    narration = set(words(" ".join(scene.narration for scene in storyboard.scenes)))
    keywords = {w for keyword in entry.keywords for w in words(keyword)}
    return TopicFigures(
        key=entry.key,
        area=entry.area,
        beats=sum(len(scene.beats) for scene in storyboard.scenes),
        figure_beats=figure_beats(storyboard.scenes),
        keyword_coverage=round(len(keywords & narration) / len(keywords), 2) if keywords else 1.0,
        words=sum(len(scene.narration.split()) for scene in storyboard.scenes),
        unseen_numbers=sum(len(unseen_numbers(scene)) for scene in storyboard.scenes),
    )


def frame_figures(frames: list[np.ndarray], background: np.ndarray) -> tuple[list[float], tuple[float, float]]:
    """The drawn share of each frame, and the mean centre of what is drawn (x and y as shares of the frame)."""
    shares: list[float] = []
    centres: list[tuple[float, float]] = []
    for frame in frames:
        drawn = np.abs(frame.astype(np.int16) - background).sum(axis=2) > 40
        shares.append(round(float(drawn.mean()), 4))
        if drawn.any():
            ys, xs = np.nonzero(drawn)
            centres.append((float(xs.mean()) / frame.shape[1], float(ys.mean()) / frame.shape[0]))
    if not centres:
        return shares, (0.0, 0.0)
    return shares, (
        round(float(np.mean([c[0] for c in centres])), 2),
        round(float(np.mean([c[1] for c in centres])), 2),
    )


async def render_and_measure(entry: TopicEntry, figures: TopicFigures, engine: object, out: Path) -> None:
    storyboard = lesson_storyboard(entry, ContextFacts())
    result = await preview.render(storyboard, entry.key, engine, Quality.LOW, out / entry.key)  # type: ignore[arg-type]
    figures.rendered = True
    figures.status = result.status  # type: ignore[attr-defined]
    if result.status != "ok":  # type: ignore[attr-defined]
        return
    reports = [scene.get("report") or {} for scene in result.scenes]  # type: ignore[attr-defined]
    figures.layout_fixes = sum(
        1 for report in reports for beat in report.get("beats", []) for fix in beat["fixes"] if fix["action"] != "place"
    )
    durations = [float(s["duration"]) for s in result.scenes]  # type: ignore[attr-defined]
    marks = preview.gallery.beat_midpoints(result.timings, durations)  # type: ignore[attr-defined]
    images = preview.gallery.sample_frames(result.video, [t for t, _, _ in marks])  # type: ignore[attr-defined]
    background = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    shares, centre = frame_figures([np.asarray(image) for image in images], background)
    figures.frames = shares
    figures.drawn_share_mean = round(float(np.mean(shares)), 4) if shares else 0.0
    figures.drawn_share_min = min(shares, default=0.0)
    figures.centre = centre
    run = longest = 0
    for share in shares:
        run = run + 1 if share < EMPTY_SHARE else 0
        longest = max(longest, run)
    figures.longest_empty_run = longest


@dataclass
class Composition:
    lesson: str
    frames: int
    drawn_mean: float
    empty_share: float
    centre: tuple[float, float]
    off_centre: float


def measure_video(video: Path, every: float) -> Composition:
    """Drawn share and balance of frames sampled every ``every`` seconds of a rendered lesson."""
    import av

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else 0.0
    times = [every / 2 + i * every for i in range(max(1, int(duration / every)))]
    images = preview.gallery.sample_frames(video, times)
    background = np.array([int(BACKGROUND[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    frames = [np.asarray(image) for image in images]
    shares, centre = frame_figures(frames, background)
    offsets = []
    for frame in frames:
        drawn = np.abs(frame.astype(np.int16) - background).sum(axis=2) > 40
        if drawn.mean() >= EMPTY_SHARE:
            offsets.append(abs(float(np.nonzero(drawn)[1].mean()) / frame.shape[1] - 0.5))
    return Composition(
        lesson=video.parents[1].name,
        frames=len(shares),
        drawn_mean=round(float(np.mean(shares)), 4),
        empty_share=round(sum(s < EMPTY_SHARE for s in shares) / max(1, len(shares)), 3),
        centre=centre,
        off_centre=round(float(np.mean(offsets)), 3) if offsets else 0.0,
    )


def measure_rendered(folders: list[Path], every: float) -> int:
    rows = [measure_video(folder / "video" / "output.mp4", every) for folder in folders]
    sys.stdout.write(
        "| lesson | frames | drawn mean | empty frames | centre | off-centre |\n|---|---|---|---|---|---|\n"
    )
    for r in rows:
        sys.stdout.write(
            f"| {r.lesson} | {r.frames} | {r.drawn_mean:.3f} | {r.empty_share:.2f} | "
            f"{r.centre[0]:.2f}, {r.centre[1]:.2f} | {r.off_centre:.3f} |\n"
        )
    return 0


async def preflight_topics(keys: list[str], out: Path) -> int:
    """Typeset and lay out each lesson as a render would, without frames; print the lessons that would fail."""
    from mathreel_scenelang.render.preflight import preflight

    curriculum = load_curriculum()
    failed = 0
    for key in keys or [entry.key for entry in curriculum]:
        started = time.perf_counter()
        storyboard = lesson_storyboard(curriculum[key], ContextFacts())
        problems = await preflight(storyboard, out / "preflight", tex_cache=out / "tex_cache")
        failed += bool(problems)
        verdict = "; ".join(str(p) for p in problems) or "ok"
        sys.stdout.write(f"{key}: {verdict} ({time.perf_counter() - started:.1f} s)\n")
        sys.stdout.flush()
    sys.stdout.write(f"{failed} lessons would fail\n")
    return 1 if failed else 0


def sample(keys: list[str], count: int) -> list[str]:
    """``count`` keys, one per area in turn, so a small sample covers every area."""
    by_area = {area: [k for k in keys if load_curriculum()[k].area == area] for area in AREAS}
    chosen: list[str] = []
    while len(chosen) < min(count, len(keys)):
        for area in AREAS:
            if by_area[area] and len(chosen) < count:
                chosen.append(by_area[area].pop(0))
    return chosen


def write_report(rows: list[TopicFigures], out: Path) -> None:
    (out / "lessons.json").write_text(json.dumps([asdict(r) for r in rows], indent=2), encoding="utf-8")
    total = len(rows)
    share = sum(r.figure_beats for r in rows) / max(1, sum(r.beats for r in rows))
    lines = [
        f"# Lessons: {total} curriculum topics",
        "",
        f"- topics with at least 3 figure beats: {sum(r.figure_beats >= 3 for r in rows)} of {total}",
        f"- figure beats, share of all beats: {share:.2f}",
        f"- numbers said but not on screen: {sum(r.unseen_numbers for r in rows)}",
        f"- mean keyword coverage: {np.mean([r.keyword_coverage for r in rows]):.2f}",
        "",
        "| topic | area | beats | figure beats | keywords | words | fixes | drawn mean | drawn min | empty run "
        "| centre |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        render = (
            f"{r.layout_fixes} | {r.drawn_share_mean:.3f} | {r.drawn_share_min:.3f} | {r.longest_empty_run} | "
            f"{r.centre[0]:.2f}, {r.centre[1]:.2f}"
            if r.rendered and r.status == "ok"
            else (r.status if r.rendered else "— | — | — | — | —")
        )
        lines.append(
            f"| {r.key} | {r.area} | {r.beats} | {r.figure_beats} | {r.keyword_coverage:.2f} | {r.words} | {render} |"
        )
    (out / "lessons.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


async def main_async(args: argparse.Namespace) -> int:
    curriculum = load_curriculum()
    rows = {entry.key: measure_storyboard(entry) for entry in curriculum}
    to_render = list(args.render_topics) or sample(sorted(rows), args.render)
    if to_render:
        engine = create_engine("piper")
        for key in to_render:
            await render_and_measure(curriculum[key], rows[key], engine, args.out)
            sys.stdout.write(f"{key}: {rows[key].status} drawn {rows[key].drawn_share_mean:.3f}\n")
            sys.stdout.flush()
    args.out.mkdir(parents=True, exist_ok=True)
    write_report(list(rows.values()), args.out)
    sys.stdout.write((args.out / "lessons.md").read_text(encoding="utf-8").split("\n\n")[1] + "\n")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--render", type=int, default=0, help="render this many topics, one per area in turn")
    parser.add_argument("--render-topics", nargs="*", default=[], help="render these topic keys")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--measure", nargs="*", type=Path, default=[], help="lesson folders already rendered")
    parser.add_argument("--preflight", nargs="*", help="lay these lessons out without rendering (all if none)")
    parser.add_argument("--every", type=float, default=2.0, help="seconds between frames --measure samples")
    args = parser.parse_args()
    if args.measure:
        return measure_rendered(args.measure, args.every)
    if args.preflight is not None:
        return asyncio.run(preflight_topics(args.preflight, args.out))
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
