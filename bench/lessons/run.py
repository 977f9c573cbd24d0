"""Lessons: every curriculum topic measured as a storyboard, and a sample rendered and measured as frames.

    uv run python bench/lessons/run.py                          # storyboard figures for every topic
    uv run python bench/lessons/run.py --render 12              # and 12 topics rendered (one per area first)
    uv run python bench/lessons/run.py --render-topics KEY ...  # and these topics rendered

Per topic, without rendering: how many beats draw a figure (not only words or formulas) and their share of all
beats, the share of the entry's keywords the narration uses, the words spoken, and numbers said but not on screen.
Per rendered topic: the layout fixes the renderer had to apply, and for one frame per beat the share of the frame
that is drawn (pixels away from the background) and where the drawing's centre sits (0.5, 0.5 is the middle),
with the longest run of near-empty frames; plus its contact sheet. Writes ``<out>/lessons.md`` and
``lessons.json``; nothing here belongs in git (``bench/out`` is ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
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
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
