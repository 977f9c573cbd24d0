"""A closed-loop HTTP load generator: N connections, each sending its next GET as soon as the last one answered.

Reads a JSON job from stdin and writes a JSON result to stdout, so it runs in a process of its own and does not
share a CPU core's event loop with the server it measures:

    {"targets": [[url, bearer_token_or_null], ...], "warmup": 3.0, "duration": 10.0}

One connection per target (one user per connection in the gateway benchmark). Latencies (ms) are recorded only for
requests sent and answered within ``duration``, after ``warmup``; every status is counted.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from typing import Any

import httpx
import uvloop


async def _connection(
    client: httpx.AsyncClient,
    url: str,
    token: str | None,
    measure_from: float,
    stop_at: float,
    latencies: list[float],
    statuses: Counter[int],
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    while True:
        started = time.perf_counter()
        if started >= stop_at:
            return
        response = await client.get(url, headers=headers)
        finished = time.perf_counter()
        if started >= measure_from and finished <= stop_at:
            latencies.append(finished - started)
            statuses[response.status_code] += 1


async def run(job: dict[str, Any]) -> dict[str, Any]:
    targets: list[tuple[str, str | None]] = [(url, token) for url, token in job["targets"]]
    warmup, duration = float(job["warmup"]), float(job["duration"])
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=len(targets), max_keepalive_connections=len(targets))
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:
        now = time.perf_counter()
        measure_from, stop_at = now + warmup, now + warmup + duration
        await asyncio.gather(
            *(_connection(client, url, token, measure_from, stop_at, latencies, statuses) for url, token in targets)
        )
    return {
        "duration": duration,
        "latencies_ms": [round(value * 1000, 3) for value in latencies],
        "statuses": {str(code): count for code, count in sorted(statuses.items())},
    }


def main() -> None:
    job = json.load(sys.stdin)
    result = uvloop.run(run(job))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
