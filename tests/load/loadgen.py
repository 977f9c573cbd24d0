"""Load on two gateway replicas: many users submitting, polling and cancelling, and the exactness of their limits.

Used by ``tests/load`` (about 30 s, CI) and ``bench/load/run.py`` (minutes, full size). Everything is loopback.

Each simulated user is one sequential loop, alternating between the two replicas request by request: submit a job,
poll its status, and (at three active jobs) sometimes cancel the oldest. Because the loop is sequential, the user
knows exactly how many of its jobs are active, so every submit has one right answer: 201 below three active jobs,
429 ``active_jobs`` at three. Any other answer is a limit that is not exact across the replicas. A user sends about
70 requests a minute, under the 100 a minute limit, so no 429 ``rate`` is expected from the load itself.

Two bursts check the limits where they are hardest to keep, concurrent requests on both replicas at once:
- ten submits of one user at the same moment: exactly three 201 and seven 429 ``active_jobs``;
- 130 requests of one user at once: exactly ``min(100, sent)`` allowed, the limit of any 60-second span.

Admission latency is the time from the start of a ``POST /generate`` to the moment its ``job.requested`` arrives in
the orchestrator's queue (read by a consumer of that queue; no orchestrator runs, so nothing else takes them), and,
from the database, the outbox's ``published_at`` minus the job's ``created_at``.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import httpx
from sqlalchemy import select

from mathreel_shared.db import Job, OutboxMessage, create_engine

MAX_ACTIVE = 3
RATE_LIMIT = 100
ITERATION_SECONDS = 2.5  # three requests per iteration: about 72 a minute per user


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (nearest rank) of ``values``; 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass
class LoadReport:
    users: int
    duration: float
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    limit_violations: list[str] = field(default_factory=list)
    submit_seconds: list[float] = field(default_factory=list)
    admission_seconds: list[float] = field(default_factory=list)
    outbox_seconds: list[float] = field(default_factory=list)
    per_replica: Counter[str] = field(default_factory=Counter)
    created: int = 0
    rejected_active: int = 0
    rejected_rate: int = 0
    burst_active: dict[str, int] = field(default_factory=dict)
    burst_rate: dict[int, tuple[int, int]] = field(default_factory=dict)

    def figures(self) -> dict[str, Any]:
        def ms(values: list[float], q: float) -> float:
            return round(percentile(values, q) * 1000, 1)

        return {
            "users": self.users,
            "duration_s": round(self.duration, 1),
            "requests": self.requests,
            "requests_per_s": round(self.requests / self.duration, 1) if self.duration else 0.0,
            "per_replica": dict(self.per_replica),
            "statuses": dict(sorted(self.statuses.items())),
            "server_errors": len(self.server_errors),
            "limit_violations": len(self.limit_violations),
            "jobs_created": self.created,
            "rejected_active_jobs": self.rejected_active,
            "rejected_rate": self.rejected_rate,
            "submit_ms_p50": ms(self.submit_seconds, 0.5),
            "submit_ms_p99": ms(self.submit_seconds, 0.99),
            "submit_to_queue_ms_p50": ms(self.admission_seconds, 0.5),
            "submit_to_queue_ms_p99": ms(self.admission_seconds, 0.99),
            "jobs_seen_in_queue": len(self.admission_seconds),
            "created_to_published_ms_p50": ms(self.outbox_seconds, 0.5),
            "created_to_published_ms_p99": ms(self.outbox_seconds, 0.99),
            "burst_active_jobs": self.burst_active,
            "burst_rate_windows": {str(k): {"sent": v[0], "allowed": v[1]} for k, v in self.burst_rate.items()},
        }


class QueueWatcher:
    """Consumes the orchestrator queue of a namespace and notes when each job's ``job.requested`` arrived."""

    def __init__(self, amqp_url: str, namespace: str) -> None:
        self._url = amqp_url
        self._queue_name = f"{namespace}.orchestrator"
        self.arrivals: dict[str, float] = {}
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self._url)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=200)
        queue = await channel.get_queue(self._queue_name, ensure=True)
        await queue.consume(self._on_message, no_ack=True)

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        arrived = time.time()
        if message.type == "job.requested":
            self.arrivals.setdefault(str(json.loads(message.body)["job_id"]), arrived)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()


class LoadRun:
    def __init__(self, gateways: list[str], mint: Callable[[str], str], run_id: str, report: LoadReport) -> None:
        self.gateways = gateways
        self.mint = mint
        self.run_id = run_id
        self.report = report
        self.submitted_at: dict[str, float] = {}
        self._turn = 0

    def _next_gateway(self) -> str:
        self._turn += 1
        return self.gateways[self._turn % len(self.gateways)]

    async def request(
        self, client: httpx.AsyncClient, method: str, path: str, user: str, *, gateway: str | None = None, **kwargs: Any
    ) -> httpx.Response | None:
        gateway = gateway or self._next_gateway()
        headers = {"Authorization": f"Bearer {self.mint(user)}"}
        self.report.requests += 1
        self.report.per_replica[gateway] += 1
        try:
            response = await client.request(method, f"{gateway}{path}", headers=headers, **kwargs)
        except httpx.TransportError as exc:
            self.report.server_errors.append(f"{method} {path}: {type(exc).__name__}")
            return None
        self.report.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.report.server_errors.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
        return response

    async def user(self, client: httpx.AsyncClient, index: int, stop_at: float, rng: random.Random) -> None:
        user = f"user_load_{self.run_id}_{index}"
        active: list[str] = []
        await asyncio.sleep(rng.uniform(0, ITERATION_SECONDS))  # spread the users' phases
        while time.monotonic() < stop_at:
            iteration_started = time.monotonic()
            body = {"configuration": {"topic": f"Load {index}", "context": "A short lesson.", "quality": "low"}}
            started_wall, started = time.time(), time.perf_counter()
            response = await self.request(client, "POST", "/api/v1/videos/generate", user, json=body)
            if response is not None:
                self._check_submit(user, response, len(active))
                if response.status_code == 201:
                    job_id = response.json()["job_id"]
                    self.submitted_at[job_id] = started_wall
                    self.report.submit_seconds.append(time.perf_counter() - started)
                    active.append(job_id)
            if active:
                await self.request(client, "GET", f"/api/v1/videos/jobs/{active[-1]}/status", user)
            if len(active) >= MAX_ACTIVE and rng.random() < 0.5:
                cancelled = await self.request(client, "POST", f"/api/v1/videos/jobs/{active[0]}/cancel", user)
                if cancelled is not None and cancelled.status_code == 200:
                    active.pop(0)
            await asyncio.sleep(max(0.0, ITERATION_SECONDS - (time.monotonic() - iteration_started)))

    def _check_submit(self, user: str, response: httpx.Response, active: int) -> None:
        if response.status_code == 201:
            self.report.created += 1
            if active >= MAX_ACTIVE:
                self.report.limit_violations.append(f"{user}: a 4th active job was admitted")
        elif response.status_code == 429:
            kind = response.json().get("limit")
            if kind == "active_jobs":
                self.report.rejected_active += 1
                if active < MAX_ACTIVE:
                    self.report.limit_violations.append(f"{user}: refused at {active} active jobs")
            else:
                self.report.rejected_rate += 1
                self.report.limit_violations.append(f"{user}: rate-limited at about 72 requests a minute")
        elif response.status_code < 500:
            answer = f"{response.status_code}: {response.text[:200]}"
            self.report.limit_violations.append(f"{user}: submit answered {answer}")

    async def burst_active_jobs(self, client: httpx.AsyncClient) -> None:
        """Ten submits of one user at once, alternating replicas: exactly three admitted."""
        user = f"user_load_{self.run_id}_burst_jobs"
        body = {"configuration": {"topic": "Burst", "context": "At once.", "quality": "low"}}
        responses = await asyncio.gather(
            *(
                self.request(client, "POST", "/api/v1/videos/generate", user, gateway=self.gateways[i % 2], json=body)
                for i in range(10)
            )
        )
        codes = Counter(r.status_code for r in responses if r is not None)
        limits = Counter(r.json().get("limit") for r in responses if r is not None and r.status_code == 429)
        self.report.burst_active = {"created": codes[201], "rejected_active_jobs": limits["active_jobs"]}
        if codes[201] != MAX_ACTIVE or limits["active_jobs"] != 10 - MAX_ACTIVE:
            self.report.limit_violations.append(f"active-jobs burst: {dict(codes)} {dict(limits)}")

    async def burst_rate(self, client: httpx.AsyncClient) -> None:
        """130 requests of one user at once over both replicas, all within one 60-second span: exactly
        min(100, sent) allowed, keyed by the moment the refusals name for the next allowed request."""
        user = f"user_load_{self.run_id}_burst_rate"
        responses = await asyncio.gather(
            *(
                self.request(client, "GET", "/api/v1/videos/jobs", user, gateway=self.gateways[i % 2])
                for i in range(RATE_LIMIT + 30)
            )
        )
        answered = [response for response in responses if response is not None]
        sent, allowed = len(answered), sum(response.status_code == 200 for response in answered)
        next_allowed = max((int(r.headers.get("X-RateLimit-Reset", "0")) for r in answered), default=0)
        self.report.burst_rate = {next_allowed: (sent, allowed)}
        if allowed != min(RATE_LIMIT, sent):
            self.report.limit_violations.append(f"rate burst: {allowed} of {sent} allowed within 60 s")


async def run_load(
    gateways: list[str],
    mint: Callable[[str], str],
    *,
    users: int,
    duration: float,
    amqp_url: str,
    namespace: str,
    database_url: str,
    run_id: str,
    seed: int = 7,
) -> LoadReport:
    """Run the bursts, then ``users`` users for ``duration`` seconds, and measure admission from both ends."""
    report = LoadReport(users=users, duration=duration)
    run = LoadRun(gateways, mint, run_id, report)
    watcher = QueueWatcher(amqp_url, namespace)
    await watcher.start()
    # uvicorn closes a kept-alive connection after 5 idle seconds; a client reusing it at that instant gets a reset
    # that says nothing about the server. Dropping idle connections at 2 s on the client side removes that race.
    limits = httpx.Limits(
        max_connections=max(20, users), max_keepalive_connections=max(20, users), keepalive_expiry=2.0
    )
    try:
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            await run.burst_active_jobs(client)
            await run.burst_rate(client)
            rng = random.Random(seed)
            started = time.monotonic()
            stop_at = started + duration
            await asyncio.gather(*(run.user(client, index, stop_at, rng) for index in range(users)))
            report.duration = time.monotonic() - started
        # Give the last relays a moment to publish what was admitted at the very end.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not set(run.submitted_at) <= set(watcher.arrivals):
            await asyncio.sleep(0.2)
    finally:
        await watcher.close()
    report.admission_seconds = [
        watcher.arrivals[job] - submitted for job, submitted in run.submitted_at.items() if job in watcher.arrivals
    ]
    missing = set(run.submitted_at) - set(watcher.arrivals)
    if missing:
        report.limit_violations.append(f"{len(missing)} admitted jobs never reached the orchestrator queue")
    report.outbox_seconds = await outbox_delays(database_url, set(run.submitted_at))
    return report


async def outbox_delays(database_url: str, job_ids: set[str]) -> list[float]:
    """``published_at - created_at`` of each job's ``job.requested`` outbox row."""
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            created = {
                str(row.id): row.created_at
                for row in (await connection.execute(select(Job.id, Job.created_at))).all()  # type: ignore[call-overload]
                if str(row.id) in job_ids
            }
            rows = (
                await connection.execute(
                    select(OutboxMessage.body, OutboxMessage.published_at).where(  # type: ignore[call-overload]
                        OutboxMessage.routing_key == "job.requested"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    delays: list[float] = []
    for body, published_at in rows:
        job_id = json.loads(body)["job_id"]
        if job_id in created and published_at is not None:
            delays.append((published_at - created[job_id]).total_seconds())
    return delays


def summary(report: LoadReport) -> str:
    figures = report.figures()
    return json.dumps(figures, indent=2) + (
        f"\nmedian submit {statistics.median(report.submit_seconds) * 1000:.1f} ms" if report.submit_seconds else ""
    )
