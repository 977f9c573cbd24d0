"""Render curriculum lessons or single demonstrations at low quality and make their contact sheets.

    uv run python bench/lessons/preview.py --topic linear_equations [--topic ...] [--context TEXT]
    uv run python bench/lessons/preview.py --demo solve_linear_equation --params '{"a": 4, "b": -7, "c": 13}'
    uv run python bench/lessons/preview.py --plan "Phone plans" --context "20 + 0.1m = 5 + 0.25m"

Each goes through the real chain (Piper narration, Manim scenes timed by it, the final MP4) like the gallery does,
and writes ``<out>/<name>/contact_sheet.png`` (one frame per beat, captioned with its sentence) and ``layout.md``.
Nothing written here belongs in git (the default output is ``bench/out/lessons``, which is ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType

from mathreel_scenelang.storyboard import Scene, Storyboard
from mathreel_script.context import parse_context
from mathreel_script.curriculum import load_curriculum
from mathreel_script.demonstrations import get_demonstration
from mathreel_shared.domain import Quality
from mathreel_tts import TtsEngine, create_engine

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "bench" / "out" / "lessons"


def _gallery() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gallery_run", ROOT / "bench" / "gallery" / "run.py")
    if spec is None or spec.loader is None:
        raise SystemExit("bench/gallery/run.py is missing")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


gallery = _gallery()


def demo_storyboard(name: str, params: dict[str, object], context: str) -> Storyboard:
    scenes: list[Scene] = get_demonstration(name).scenes(params, parse_context(context))
    return Storyboard(title=name.replace("_", " ").capitalize(), scenes=_unique_ids(scenes))


def topic_storyboard(key: str, context: str) -> Storyboard:
    from mathreel_script.curriculum.lesson import lesson_storyboard  # the assembled lesson, as a job would get it

    return lesson_storyboard(load_curriculum()[key], parse_context(context))


def planned_storyboard(topic: str, context: str) -> Storyboard:
    """What the offline planner makes of any topic and context, as a job would get it (a context lesson outside the
    curriculum)."""
    from mathreel_script.planner import plan_storyboard
    from mathreel_shared.messages import JobConfiguration

    return plan_storyboard(JobConfiguration(topic=topic, context=context))


def _unique_ids(scenes: list[Scene]) -> list[Scene]:
    seen: dict[str, int] = {}
    out: list[Scene] = []
    for scene in scenes:
        count = seen.get(scene.id, 0)
        seen[scene.id] = count + 1
        out.append(scene if count == 0 else scene.model_copy(update={"id": f"{scene.id}_{count}"}))
    return out


async def render(storyboard: Storyboard, name: str, engine: TtsEngine, quality: Quality, out_dir: Path) -> object:
    """The gallery's chain for a storyboard already written: narration, scenes, video, contact sheet, reports."""
    return await gallery.render_storyboard(name, storyboard.title, lambda: storyboard, engine, quality, out_dir)


async def main_async(args: argparse.Namespace) -> int:
    quality = Quality(args.quality)
    engine = create_engine("piper")
    jobs: list[tuple[str, Storyboard]] = [(key, topic_storyboard(key, args.context)) for key in args.topic]
    if args.demo:
        jobs.append((args.demo, demo_storyboard(args.demo, json.loads(args.params or "{}"), args.context)))
    if args.plan:
        jobs.append((args.plan.lower().replace(" ", "_")[:40], planned_storyboard(args.plan, args.context)))
    failed = 0
    for name, storyboard in jobs:
        result = await render(storyboard, name, engine, quality, args.out / name)
        failed += result.status != "ok"  # type: ignore[attr-defined]
        sys.stdout.write(f"{name}: {result.status} {args.out / name / 'contact_sheet.png'}\n")  # type: ignore[attr-defined]
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--topic", action="append", default=[], help="a curriculum key (repeatable)")
    parser.add_argument("--demo", help="a demonstration name")
    parser.add_argument("--params", help="the demonstration's parameters as JSON")
    parser.add_argument("--plan", help="any topic, planned from it and --context as a job would be")
    parser.add_argument("--context", default="", help="the user's context the lesson adapts to")
    parser.add_argument("--quality", choices=[q.value for q in Quality], default="low")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    if not args.topic and not args.demo and not args.plan:
        parser.error("give --topic, --demo or --plan")
    started = time.perf_counter()
    code = asyncio.run(main_async(args))
    sys.stdout.write(f"done in {time.perf_counter() - started:.0f} s\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
