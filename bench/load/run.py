"""Load benchmark: many users on two gateway replicas for a few minutes, loopback only.

    uv run python bench/load/run.py [--users 200] [--seconds 180] [--out figures.json]

Two gateway processes (``mathreel_gateway.main``, real uvicorn) share this run's PostgreSQL database, Redis key
prefix and RabbitMQ namespace (``bench/gateway/infra.py``). No orchestrator or worker runs: admitted jobs stay queued
(users cancel their oldest to make room), and a consumer of the orchestrator queue times each ``job.requested``.
The users, bursts and checks are those of ``tests/load/loadgen.py``: 0 server errors, the per-user limits exact
across the replicas, and admission latency (submit → message in the queue; commit → outbox published) at p50/p99.

Prints the figures as JSON; exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.gateway.infra import bench_services  # noqa: E402
from tests.chaos.harness import ChaosStack  # noqa: E402
from tests.e2e.stack import free_port  # noqa: E402
from tests.load.loadgen import run_load  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--out", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args()

    with bench_services(database_pool_size=10) as services, tempfile.TemporaryDirectory() as logs:
        stack = ChaosStack(services.settings, Path(logs))
        try:
            urls = []
            for label in ("gateway", "gateway-1"):
                port = free_port()
                stack.start_gateway(label, port)
                urls.append(f"http://127.0.0.1:{port}")
            report = asyncio.run(
                run_load(
                    urls,
                    services.mint,
                    users=args.users,
                    duration=args.seconds,
                    amqp_url=services.settings.amqp_url,
                    namespace=services.settings.broker_namespace,
                    database_url=services.settings.database_url,
                    run_id=uuid.uuid4().hex[:8],
                )
            )
        finally:
            stack.stop()
    figures = report.figures()
    text = json.dumps(figures, indent=2)
    print(text)  # noqa: T201 - the benchmark's output
    if args.out is not None:
        args.out.write_text(text + "\n")
    failed = report.server_errors or report.limit_violations
    for problem in (report.server_errors + report.limit_violations)[:20]:
        print(f"FAIL: {problem}", file=sys.stderr)  # noqa: T201
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
