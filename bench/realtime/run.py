"""Realtime benchmark: job events from the orchestrator's commit to the client, with 500 clients subscribed.

    uv run python bench/run.py realtime [--clients 500] [--rate 50] [--duration 20] [--poll-seconds 8]

The gateway runs as deployed (``mathreel_gateway.main``, uvicorn, one worker, in a subprocess) on this run's
PostgreSQL, RabbitMQ namespace and Redis prefix (``bench/gateway/infra.py``). ``--clients`` users each have one job
in ``processing``; half of them follow it over SSE (bearer token), half over a WebSocket (ticket). This process then
plays the orchestrator: ``--rate`` times a second it raises one job's percentage, recording the event exactly as the
orchestrator does (``record_job_event`` in the transaction of the change, then waking its outbox relay, which
publishes on the events exchange with publisher confirms). The latency of an event is the time from that commit to
the moment the client that follows the job has read it, on one clock (clients and driver share this process, so
their own CPU time counts against the figures). Then the status poll's throughput (wrk, 32 connections, as in
``bench/gateway``) is measured with the clients connected and again after they have gone.

Targets: p50 < 50 ms and p99 < 250 ms over SSE and over WebSocket; the poll's throughput unchanged by the clients.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from websockets.asyncio.client import connect  # noqa: E402

from bench.gateway.infra import BenchServices, bench_services, process_env  # noqa: E402
from bench.gateway.run import generate_load, start_server, stop_server  # noqa: E402
from mathreel_shared.bus import RabbitBus  # noqa: E402
from mathreel_shared.db import Job, create_engine, create_sessionmaker, utcnow  # noqa: E402
from mathreel_shared.domain import JobStatus, Stage  # noqa: E402
from mathreel_shared.events import record_job_event  # noqa: E402
from mathreel_shared.outbox import OutboxRelay  # noqa: E402
from tests.e2e.stack import free_port  # noqa: E402

RAISED_RATE_LIMIT = 10_000_000
POLL_CONNECTIONS = 32


def say(line: str) -> None:
    """A benchmark reports on stdout."""
    print(line, flush=True)  # noqa: T201


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


class Received:
    """When each (job, percentage) reached its client, per transport."""

    def __init__(self) -> None:
        self.at: dict[str, dict[tuple[str, float], float]] = {"sse": {}, "websocket": {}}
        self.connected = 0

    def note(self, transport: str, body: dict[str, Any]) -> None:
        self.at[transport].setdefault((body["job_id"], body["progress"]["percentage"]), time.perf_counter())


async def follow_sse(
    client: httpx.AsyncClient, job_id: str, token: str, received: Received, stop: asyncio.Event
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with client.stream("GET", f"/api/v1/videos/jobs/{job_id}/events", headers=headers) as response:
        response.raise_for_status()
        received.connected += 1
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                received.note("sse", json.loads(line[6:]))
            if stop.is_set():
                return


async def follow_websocket(
    client: httpx.AsyncClient, base_url: str, token: str, received: Received, stop: asyncio.Event
) -> None:
    ticket = (await client.post("/api/v1/realtime/tickets", headers={"Authorization": f"Bearer {token}"})).json()
    url = base_url.replace("http://", "ws://") + f"/api/v1/ws?ticket={ticket['ticket']}"
    async with connect(url, max_queue=None) as websocket:
        received.connected += 1
        async for frame in websocket:
            received.note("websocket", json.loads(frame)["job"])
            if stop.is_set():
                return


async def create_jobs(sessionmaker: Any, users: list[str]) -> dict[str, Job]:
    """One processing job per user, written straight to the database (no pipeline runs in this benchmark)."""
    jobs: dict[str, Job] = {}
    async with sessionmaker() as session, session.begin():
        for user in users:
            now = utcnow()
            job = Job(
                user_id=user,
                topic="Pythagorean theorem",
                context="a^2 + b^2 = c^2",
                quality="low",
                status=JobStatus.PROCESSING,
                stage=Stage.GENERATING_VISUALS,
                percentage=25.0,
                created_at=now,
                updated_at=now,
            )
            session.add(job)
            jobs[user] = job
    return jobs


async def drive(
    sessionmaker: Any, relay: OutboxRelay, jobs: list[Job], rate: float, duration: float
) -> dict[tuple[str, float], tuple[str, float]]:
    """Raise random jobs' percentages ``rate`` times a second, as the orchestrator does; the commit time of each."""
    committed: dict[tuple[str, float], tuple[str, float]] = {}
    percentages = {job.id: 25.0 for job in jobs}
    interval = 1.0 / rate
    deadline = time.perf_counter() + duration
    next_at = time.perf_counter()
    while time.perf_counter() < deadline:
        job = random.choice(jobs)
        percentages[job.id] += 0.5
        async with sessionmaker() as session, session.begin():
            stored = await session.get(Job, job.id, with_for_update=True)
            assert stored is not None
            stored.percentage = percentages[job.id]
            stored.updated_at = utcnow()
            await record_job_event(session, stored)
        committed[(str(job.id), round(percentages[job.id], 1))] = (stored.user_id, time.perf_counter())
        relay.notify()
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
    return committed


def poll_throughput(base_url: str, services: BenchServices, jobs: dict[str, Job], seconds: float, pid: int) -> str:
    users = list(jobs)[:POLL_CONNECTIONS]
    targets = [(f"{base_url}/api/v1/videos/jobs/{jobs[u].id}/status", services.mint(u)) for u in users]
    measured = generate_load(targets, 2.0, seconds, psutil.Process(pid))
    rate = measured["requests"] / measured["duration_s"]
    statuses = measured["statuses"]
    latency = measured["latency_ms"]
    return f"{rate:.0f} req/s, p50 {latency['50']:.1f} ms, p99 {latency['99']:.1f} ms, statuses {statuses}"


async def run(args: argparse.Namespace, services: BenchServices, base_url: str, pid: int) -> None:
    engine = create_engine(services.settings.database_url, pool_size=4)
    sessionmaker = create_sessionmaker(engine)
    bus = RabbitBus(services.settings.amqp_url, services.settings.broker_namespace)
    await bus.start()
    relay = OutboxRelay(sessionmaker, bus)
    relay.start()
    users = [f"user_rt_{index:04d}" for index in range(args.clients)]
    jobs = await create_jobs(sessionmaker, users)
    tokens = {user: services.mint(user) for user in users}
    received = Received()
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=args.clients + 10, max_keepalive_connections=args.clients + 10)
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(30, read=None), limits=limits) as client:
        followers = []
        for index, user in enumerate(users):
            if index % 2 == 0:
                followers.append(
                    asyncio.create_task(follow_sse(client, str(jobs[user].id), tokens[user], received, stop))
                )
            else:
                followers.append(asyncio.create_task(follow_websocket(client, base_url, tokens[user], received, stop)))
            if index % 50 == 49:
                await asyncio.sleep(0.2)
        while received.connected < args.clients:
            failed = [task for task in followers if task.done()]
            if failed:
                failed[0].result()
            await asyncio.sleep(0.1)
        say(f"{args.clients} clients connected ({args.clients // 2} SSE, {args.clients - args.clients // 2} WebSocket)")
        await asyncio.sleep(1.0)

        committed = await drive(sessionmaker, relay, list(jobs.values()), args.rate, args.duration)
        await asyncio.sleep(2.0)  # the last events in flight
        sse_users = {user for index, user in enumerate(users) if index % 2 == 0}
        for transport, expected_users in (("sse", sse_users), ("websocket", set(users) - sse_users)):
            latencies = [
                (received.at[transport][key] - at) * 1000
                for key, (user, at) in committed.items()
                if user in expected_users and key in received.at[transport]
            ]
            expected = sum(1 for user, _ in committed.values() if user in expected_users)
            say(
                f"{transport:9} {len(latencies)}/{expected} events received; commit → client "
                f"p50 {statistics.median(latencies):.1f} ms, p90 {percentile(latencies, 90):.1f} ms, "
                f"p99 {percentile(latencies, 99):.1f} ms, max {max(latencies):.1f} ms "
                "(targets p50 < 50 ms, p99 < 250 ms)"
            )
        gateway = psutil.Process(pid)
        say(f"gateway memory with {args.clients} clients: {gateway.memory_info().rss / 2**20:.0f} MiB RSS")
        with_clients = await asyncio.to_thread(poll_throughput, base_url, services, jobs, args.poll_seconds, pid)
        say(f"status poll with {args.clients} clients connected: {with_clients}")
        stop.set()
        for task in followers:
            task.cancel()
        await asyncio.gather(*followers, return_exceptions=True)
    await asyncio.sleep(1.0)
    without = await asyncio.to_thread(poll_throughput, base_url, services, jobs, args.poll_seconds, pid)
    say(f"status poll with no client connected: {without}")
    await relay.stop()
    await bus.close()
    await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500, help="subscribed clients, half SSE, half WebSocket")
    parser.add_argument("--rate", type=float, default=50.0, help="job changes committed per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of job changes")
    parser.add_argument("--poll-seconds", type=float, default=8.0, help="seconds of status polling per measurement")
    args = parser.parse_args()
    overrides = {"rate_limit_per_minute": RAISED_RATE_LIMIT, "database_pool_size": 10}
    with bench_services(**overrides) as services:
        logs = services.work / "logs"
        logs.mkdir()
        port = free_port()
        env = {**os.environ, **process_env(services.settings)}
        env |= {"MATHREEL_PORT": str(port), "MATHREEL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
        base_url = f"http://127.0.0.1:{port}"
        gateway = start_server(
            [sys.executable, "-m", "mathreel_gateway.main"], env, f"{base_url}/ready", logs / "gateway.log"
        )
        say(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
        try:
            asyncio.run(run(args, services, base_url, gateway.pid))
        finally:
            stop_server(gateway)
        say(f"load average {os.getloadavg()[0]:.1f} at end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
