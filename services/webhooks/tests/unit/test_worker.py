"""The worker's bookkeeping on SQLite with an in-process bus and a mock receiver: one attempt per attempt number
whatever the duplicates, the schedule followed to its end, and overdue deliveries sent again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from mathreel_orchestrator.migrate import upgrade
from mathreel_shared.bus import Delivery, MemoryBus
from mathreel_shared.db import Job, create_engine, create_sessionmaker, utcnow
from mathreel_shared.domain import JobStatus, Priority
from mathreel_shared.messages import parse_message
from mathreel_shared.runtime import ServiceRuntime
from mathreel_shared.settings import Mode, Settings
from mathreel_shared.storage import LocalStore
from mathreel_shared.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    deliver_message,
    new_webhook_secret,
)
from mathreel_webhooks.worker import Deliverer


class Receiver:
    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def sessionmaker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'webhooks.db'}"
    await upgrade(url)
    engine = create_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _delivery(sessionmaker: async_sessionmaker[AsyncSession]) -> WebhookDelivery:
    async with sessionmaker() as session, session.begin():
        job = Job(user_id="u", topic="t", context="c", quality="low", status=JobStatus.CANCELLED)
        endpoint = WebhookEndpoint(
            user_id="u", url="http://127.0.0.1:9/hook", events=["job.cancelled"], secret=new_webhook_secret()
        )
        session.add_all([job, endpoint])
        await session.flush()
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id, user_id="u", job_id=job.id, event=WebhookEvent.JOB_CANCELLED
        )
        session.add(delivery)
    return delivery


async def _state(sessionmaker: async_sessionmaker[AsyncSession], delivery: WebhookDelivery) -> tuple[Any, list[Any]]:
    async with sessionmaker() as session:
        row = await session.get(WebhookDelivery, delivery.id)
        attempts = (
            await session.execute(select(WebhookAttempt).where(col(WebhookAttempt.delivery_id) == delivery.id))
        ).scalars()
        return row, [(a.attempt, a.response_status) for a in attempts]


async def test_each_attempt_is_made_once_and_the_schedule_ends_in_failure(sessionmaker, tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mode=Mode.STANDALONE,
        environment="test",
        media_dir=tmp_path / "media",
        dev_signing_key_path=tmp_path / "key.pem",
        media_signing_secret="a-private-media-signing-secret",
        webhook_allow_private_networks=True,
        webhook_retry_delays_seconds=[60, 60],
    )
    bus = MemoryBus()
    receiver = Receiver()
    receiver.statuses = [500, 503, 500]
    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as client:
        deliverer = Deliverer(
            ServiceRuntime(settings=settings, bus=bus, store=LocalStore(settings)), sessionmaker, client
        )
        delivery = await _delivery(sessionmaker)
        first = deliver_message(delivery, Priority.NORMAL)
        await deliverer.handle(first, Delivery())
        await deliverer.handle(first, Delivery())  # a duplicate of the same attempt
        row, attempts = await _state(sessionmaker, delivery)
        assert len(receiver.requests) == 1
        assert attempts == [(1, 500)]
        assert row.status is DeliveryStatus.PENDING
        assert row.next_retry_at is not None
        assert timedelta(seconds=50) < row.next_retry_at - utcnow() <= timedelta(seconds=60)

        # The retry's delayed message is lost (a restart): the sweeper sends the delivery again once overdue.
        assert await deliverer.resend_overdue() == 0
        async with sessionmaker() as session, session.begin():
            (await session.get(WebhookDelivery, delivery.id)).next_retry_at = utcnow() - timedelta(minutes=10)
        assert await deliverer.resend_overdue() == 1
        assert await bus.queue_depth("webhooks") == 1
        resent = parse_message((await bus._queue("webhooks").get()).body)
        assert (resent.type, resent.attempt) == ("webhook.deliver", 2)

        for number in (2, 3):
            message = first.model_copy(update={"attempt": number})
            await deliverer.handle(message, Delivery())
            await deliverer.handle(message, Delivery())
        row, attempts = await _state(sessionmaker, delivery)
        assert attempts == [(1, 500), (2, 503), (3, 500)]
        assert len(receiver.requests) == 3
        assert row.status is DeliveryStatus.FAILED
        assert row.next_retry_at is None
        assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    await bus.close()  # drops the retry timers still pending
