"""Preflight of the curriculum: every lesson typeset and laid out as a render would, without drawing a frame.

    uv run python bench/lessons/preflight.py                    # every topic, 2 worker processes
    uv run python bench/lessons/preflight.py --per-area 1       # the first topic of each area
    uv run python bench/lessons/preflight.py --topics KEY ...   # these topics
    uv run python bench/lessons/preflight.py --tex-only         # only the TeX check of every formula, batched

Prints each lesson that a render would fail on (its problems named by path), then the wall time and the CPU time
of this process and of its workers and their TeX. The suite runs the TeX check of every formula and the layout
preflight of one lesson per area (``services/script/tests/integration/test_curriculum_preflight.py``); this runs
the layout of every lesson, too long for the suite (see ``docs/benchmarks.md``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from mathreel_scenelang.fields import latex_fields
from mathreel_scenelang.latex import check_latex
from mathreel_scenelang.render.preflight import preflight_many
from mathreel_scenelang.render.tex_batch import compile_formulas
from mathreel_script.context import parse_context
from mathreel_script.curriculum import TopicEntry, load_curriculum
from mathreel_script.curriculum.lesson import lesson_storyboard


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _cpu() -> tuple[float, float]:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def _select(args: argparse.Namespace) -> list[TopicEntry]:
    entries = list(load_curriculum())
    if args.topics:
        by_key = {entry.key: entry for entry in entries}
        return [by_key[key] for key in args.topics]  # in the order given
    if args.per_area:
        chosen: list[TopicEntry] = []
        for entry in entries:
            if sum(1 for other in chosen if other.area == entry.area) < args.per_area:
                chosen.append(entry)
        return chosen
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", nargs="*", default=[])
    parser.add_argument("--per-area", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip", type=int, default=0, help="leave out the first SKIP topics")
    parser.add_argument("--tex-only", action="store_true")
    args = parser.parse_args()

    start, cpu = time.perf_counter(), _cpu()
    entries = _select(args)[args.skip :]
    storyboards = [lesson_storyboard(entry, parse_context("")) for entry in entries]
    built = time.perf_counter()
    _say(f"{len(storyboards)} lessons built in {built - start:.1f} s")

    formulas = [check_latex(src) for sb in storyboards for scene in sb.scenes for _, src in latex_fields(scene)]
    with tempfile.TemporaryDirectory(prefix="mathreel-preflight-") as tmp:
        errors = compile_formulas(formulas, Path(tmp) / "tex-batch")
        typeset = time.perf_counter()
        _say(
            f"{len(set(formulas))} distinct formulas typeset in one batch in {typeset - built:.1f} s: {errors or 'ok'}"
        )
        if not args.tex_only:
            broken = 0
            # In rounds of a few lessons per worker, so problems are printed as they are found.
            step = 10 * args.workers
            for first in range(0, len(entries), step):
                chunk = storyboards[first : first + step]
                problems = preflight_many(chunk, Path(tmp) / "layout", workers=args.workers)
                for entry, found in zip(entries[first : first + step], problems, strict=True):
                    _say(f"{entry.key}: {'; '.join(str(p) for p in found) or 'ok'}")
                broken += sum(1 for found in problems if found)
            _say(f"layout of {len(storyboards)} lessons in {time.perf_counter() - typeset:.1f} s: {broken} broken")
    process, children = _cpu()
    _say(
        f"wall {time.perf_counter() - start:.1f} s; CPU: this process {process - cpu[0]:.1f} s, "
        f"workers and TeX {children - cpu[1]:.1f} s"
    )


if __name__ == "__main__":
    main()
