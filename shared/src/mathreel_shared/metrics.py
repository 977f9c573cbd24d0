"""Prometheus metrics about the pipeline as a whole: queue depth and lag, redeliveries, dead letters, jobs by status.

Each process serves its own registry on ``/metrics`` (the health server of ``run_service``, the gateway's own
route). Per-message metrics are observed where a message is handled (``observe_delivery``); the gauges that
describe shared state (queues, the job table) are sampled by one ``MetricsSampler``, run by the orchestrator, so the
same number is not reported once per replica.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mathreel_shared.db import Job
from mathreel_shared.domain import JobStatus
from mathreel_shared.messages import Envelope
from mathreel_shared.periodic import PeriodicTask

if TYPE_CHECKING:
    # Only for annotations: the bus counts its dead letters here, so importing it at run time would be a cycle.
    from mathreel_shared.bus import Bus, Delivery

log = logging.getLogger(__name__)

DEAD_LETTER_QUEUE = "dead"

QUEUE_DEPTH = Gauge("mathreel_queue_depth", "Messages ready in a queue, sampled", ["queue"])
MESSAGE_LAG = Histogram(
    "mathreel_message_lag_seconds",
    "Seconds from a message's creation to the start of its handling (outbox relay plus queue wait)",
    ["service", "type"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800),
)
REDELIVERIES = Counter(
    "mathreel_redeliveries_total",
    "Messages handled again after an attempt that failed or was interrupted",
    ["service", "type"],
)
DEAD_LETTERED = Counter(
    "mathreel_dead_lettered_total", "Messages this process rejected to the dead-letter queue", ["type"]
)
JOBS = Gauge("mathreel_jobs", "Jobs in the database by status, sampled", ["status"])
JOB_TRANSITIONS = Counter("mathreel_job_transitions_total", "Jobs that entered a status", ["status"])

# The per-job resource report, as the orchestrator applies each worker's result (once per scene and stage).
STAGE_CPU_SECONDS = Counter(
    "mathreel_stage_cpu_seconds_total", "CPU seconds workers reported for a stage (process and subprocesses)", ["stage"]
)
STAGE_BYTES_STORED = Counter(
    "mathreel_stage_bytes_stored_total", "Bytes of artifacts workers reported storing for a stage", ["stage"]
)
STAGE_CACHE_RESULTS = Counter(
    "mathreel_stage_cache_results_total", "Stage results that came from the artifact cache or not", ["stage", "cache"]
)
JOB_CPU_SECONDS = Histogram(
    "mathreel_job_cpu_seconds",
    "CPU seconds of a completed job, all stages",
    ["quality"],
    buckets=(1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600),
)
JOB_WALL_SECONDS = Histogram(
    "mathreel_job_wall_seconds",
    "Seconds from submission to completion of a completed job",
    ["quality"],
    buckets=(1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600),
)


def observe_delivery(service: str, message: Envelope, delivery: Delivery, *, now: datetime | None = None) -> None:
    """Record how long ``message`` waited before ``service`` started on it, and whether it is a redelivery."""
    message_type = str(getattr(message, "type", type(message).__name__))
    waited = ((now or datetime.now(UTC)) - message.occurred_at).total_seconds()
    # Clocks of different hosts disagree by a little; a negative wait is such a disagreement, not a measurement.
    MESSAGE_LAG.labels(service, message_type).observe(max(waited, 0.0))
    if delivery.redelivered:
        REDELIVERIES.labels(service, message_type).inc()


def record_dead_letter(message_type: str) -> None:
    """Count one message rejected to the dead-letter queue (``unreadable`` when it could not be parsed)."""
    DEAD_LETTERED.labels(message_type).inc()


def record_job_status(status: JobStatus | str) -> None:
    """Count one job entering ``status``."""
    JOB_TRANSITIONS.labels(str(status)).inc()


def record_stage_usage(stage: str, *, cpu_seconds: float | None, bytes_stored: int | None, cache: str | None) -> None:
    """Count what one worker result reported for ``stage``."""
    if cpu_seconds is not None:
        STAGE_CPU_SECONDS.labels(stage).inc(max(cpu_seconds, 0.0))
    if bytes_stored is not None:
        STAGE_BYTES_STORED.labels(stage).inc(max(bytes_stored, 0))
    if cache is not None:
        STAGE_CACHE_RESULTS.labels(stage, cache).inc()


def record_job_resources(quality: str, *, cpu_seconds: float, wall_seconds: float) -> None:
    """Observe what one completed job cost."""
    JOB_CPU_SECONDS.labels(quality).observe(cpu_seconds)
    JOB_WALL_SECONDS.labels(quality).observe(wall_seconds)


class MetricsSampler:
    """Samples queue depths (work queues and dead letters) and, given a database, job counts by status.

    Runs as a background task like the outbox relay: ``start()`` after the bus is up, ``await stop()`` on the way
    out. A failed sample (broker or database away) is logged and tried again at the next interval.
    """

    def __init__(
        self,
        bus: Bus,
        *,
        sessionmaker: async_sessionmaker[AsyncSession] | None = None,
        queues: Iterable[str] | None = None,
        interval: float = 15.0,
    ) -> None:
        """``queues`` defaults to every work queue plus the dead-letter queue."""
        from mathreel_shared.contracts import WORK_QUEUES

        self._bus = bus
        self._sessionmaker = sessionmaker
        self._queues = tuple(queues) if queues is not None else (*WORK_QUEUES, DEAD_LETTER_QUEUE)
        self._loop = PeriodicTask("metrics-sampler", self.sample_once, interval)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def sample_once(self) -> None:
        """Take one sample of every gauge; failures leave the previous values in place."""
        for queue in self._queues:
            try:
                QUEUE_DEPTH.labels(queue).set(await self._bus.queue_depth(queue))
            except Exception as exc:
                log.warning("cannot sample the depth of queue %s: %s", queue, type(exc).__name__)
        if self._sessionmaker is not None:
            try:
                await self._sample_jobs(self._sessionmaker)
            except Exception as exc:
                log.warning("cannot sample jobs by status: %s", type(exc).__name__)

    @staticmethod
    async def _sample_jobs(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        async with sessionmaker() as session:
            rows = (await session.execute(select(Job.status, func.count()).group_by(Job.status))).all()  # type: ignore[call-overload]
        counts = {str(status): int(count) for status, count in rows}
        for status in JobStatus:
            JOBS.labels(status.value).set(counts.get(status.value, 0))
