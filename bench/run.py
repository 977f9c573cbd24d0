"""Run the benchmarks: each is ``bench/<name>/run.py``, started as a subprocess of its own.

    uv run python bench/run.py                       # all of them, one after the other
    uv run python bench/run.py gateway               # one
    uv run python bench/run.py pipeline --quality low   # one, with its own options after the name

Benchmarks print ratios against a baseline measured in the same run; they are not timed tests, and a missed
target does not fail the run. A benchmark that crashes does, after the others have run. Results are recorded by
hand in ``docs/benchmarks.md``, with a note on the machine and its load.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("gateway", "realtime", "pipeline", "render", "gallery", "lessons", "retrieval", "revision")


def say(line: str) -> None:
    """The dispatcher reports on stdout, between the benchmarks' own output."""
    print(line, flush=True)  # noqa: T201


def run(name: str, args: list[str]) -> int:
    """Run ``bench/<name>/run.py`` with ``args``; its exit status (127 when it does not exist)."""
    script = HERE / name / "run.py"
    if not script.is_file():
        say(f"== {name}: {script.relative_to(HERE.parent)} does not exist")
        return 127
    say(f"== {name}")
    started = time.monotonic()
    status = subprocess.run([sys.executable, str(script), *args], check=False).returncode
    say(f"== {name}: exit {status} after {time.monotonic() - started:.0f} s")
    return status


def main(argv: list[str]) -> int:
    name, args = (argv[0], argv[1:]) if argv else ("all", [])
    if name in {"-h", "--help"}:
        say(__doc__ or "")
        return 0
    if name == "all":
        if args:
            say("options go to one benchmark: bench/run.py NAME [OPTIONS]")
            return 2
        statuses = {bench: run(bench, []) for bench in BENCHMARKS}
        failed = [bench for bench, status in statuses.items() if status != 0]
        say(
            f"== all: {len(BENCHMARKS) - len(failed)} of {len(BENCHMARKS)} ran cleanly"
            + (f"; not: {failed}" if failed else "")
        )
        return 1 if failed else 0
    if name not in BENCHMARKS:
        say(f"unknown benchmark {name!r}; one of: {', '.join(BENCHMARKS)}, all")
        return 2
    return run(name, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
