"""Unit tests of the pipeline metrics: lag and redeliveries per message, sampled queue depths and jobs by status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from prometheus_client import REGISTRY
from sqlmodel import SQLModel

from mathreel_shared.bus import Delivery, MemoryBus
from mathreel_shared.db import Job, create_engine, create_sessionmaker
from mathreel_shared.domain import JobStatus
from mathreel_shared.messages import TtsRequested
from mathreel_shared.metrics import QUEUE_DEPTH, MetricsSampler, observe_delivery, record_dead_letter, record_job_status


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def tts_request(occurred_at: datetime) -> TtsRequested:
    return TtsRequested(
        job_id=uuid4(), user_id="u", occurred_at=occurred_at, storyboard_key="k", scene_index=0, scene_count=2
    )


def test_lag_is_measured_from_the_message_creation() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    labels = {"service": "tts-lag-test", "type": "stage.tts.requested"}
    observe_delivery("tts-lag-test", tts_request(now - timedelta(seconds=3)), Delivery(), now=now)
    # A producer clock slightly ahead must not record a negative wait.
    observe_delivery("tts-lag-test", tts_request(now + timedelta(seconds=1)), Delivery(), now=now)
    assert sample("mathreel_message_lag_seconds_count", **labels) == 2
    assert sample("mathreel_message_lag_seconds_sum", **labels) == 3.0
    assert sample("mathreel_message_lag_seconds_bucket", le="0.05", **labels) == 1
    assert sample("mathreel_redeliveries_total", **labels) == 0


def test_redeliveries_are_counted() -> None:
    labels = {"service": "tts-redelivery-test", "type": "stage.tts.requested"}
    message = tts_request(datetime.now(UTC))
    observe_delivery("tts-redelivery-test", message, Delivery(redelivered=False))
    observe_delivery("tts-redelivery-test", message, Delivery(redelivered=True))
    assert sample("mathreel_redeliveries_total", **labels) == 1


def test_dead_letters_and_transitions_are_counted() -> None:
    before = sample("mathreel_dead_lettered_total", type="unreadable")
    record_dead_letter("unreadable")
    assert sample("mathreel_dead_lettered_total", type="unreadable") == before + 1
    completed = sample("mathreel_job_transitions_total", status="completed")
    record_job_status(JobStatus.COMPLETED)
    assert sample("mathreel_job_transitions_total", status="completed") == completed + 1


async def test_sampler_reports_queue_depths_and_jobs_by_status(tmp_path: Path) -> None:
    bus = MemoryBus()
    for index in range(3):
        await bus.publish(tts_request(datetime.now(UTC)).model_copy(update={"scene_index": index}))
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    sessionmaker = create_sessionmaker(engine)
    async with sessionmaker() as session, session.begin():
        for status in ("queued", "processing", "processing", "completed"):
            session.add(Job(user_id="u", topic="t", context="c", quality="low", status=status))
    try:
        await MetricsSampler(bus, sessionmaker=sessionmaker, queues=("tts", "render", "dead")).sample_once()
    finally:
        await engine.dispose()
    assert sample("mathreel_queue_depth", queue="tts") == 3
    assert sample("mathreel_queue_depth", queue="render") == 0
    assert sample("mathreel_queue_depth", queue="dead") == 0
    assert sample("mathreel_jobs", status="processing") == 2
    assert sample("mathreel_jobs", status="queued") == 1
    assert sample("mathreel_jobs", status="failed") == 0


async def test_a_failing_sample_keeps_the_previous_value() -> None:
    class BrokenBus(MemoryBus):
        async def queue_depth(self, queue: str) -> int:
            raise ConnectionError("broker away")

    QUEUE_DEPTH.labels("broken-test").set(7)
    await MetricsSampler(BrokenBus(), queues=("broken-test",)).sample_once()
    assert sample("mathreel_queue_depth", queue="broken-test") == 7
