"""The webhooks worker: consumes ``webhook.deliver``, makes one attempt, records it, schedules the next.

At least once, with the same ``webhook-id`` on every attempt. An attempt is claimed before it is made (the
delivery's attempt count moves from n-1 to n in one conditional UPDATE), so two copies of one message never both
post. A failed attempt is retried after ``settings.webhook_retry_delays_seconds`` (through a delay queue) until the
schedule is spent; then the delivery is ``failed`` and can be redelivered through the API. A sweeper sends again
the deliveries whose next attempt is long overdue: a message lost with a standalone restart, or a crash between an
attempt and the publication of its retry.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, cast
from uuid import UUID

import httpx
from sqlalchemy import CursorResult, func, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from mathreel_shared.bus import Delivery, PermanentMessageError
from mathreel_shared.contracts import WEBHOOKS
from mathreel_shared.db import Job, create_engine, create_sessionmaker, utcnow
from mathreel_shared.domain import Priority
from mathreel_shared.messages import Message, WebhookDeliver
from mathreel_shared.periodic import PeriodicTask
from mathreel_shared.runtime import ServiceRuntime
from mathreel_shared.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, deliver_message
from mathreel_webhooks.delivery import AttemptResult, attempt, create_client
from mathreel_webhooks.payloads import event_body

log = logging.getLogger(__name__)

# Deliveries handled at once by one worker: each mostly waits on a receiver.
PREFETCH = 16
# A pending delivery whose next attempt is this late is sent again by the sweeper.
OVERDUE = timedelta(minutes=5)
SWEEP_INTERVAL_SECONDS = 60.0


class Deliverer:
    def __init__(
        self,
        runtime: ServiceRuntime,
        sessionmaker: async_sessionmaker[AsyncSession],
        client: httpx.AsyncClient,
    ) -> None:
        self._runtime = runtime
        self._settings = runtime.settings
        self._sessionmaker = sessionmaker
        self._client = client
        self.attempts = 0

    @property
    def delays(self) -> list[int]:
        return self._settings.webhook_retry_delays_seconds

    async def handle(self, message: Message, _delivery: Delivery) -> None:
        if not isinstance(message, WebhookDeliver):
            raise PermanentMessageError(f"the webhooks worker does not handle {message.type}", fail_job=False)
        number = message.attempt
        claimed = await self._claim(message.delivery_id, number)
        if claimed is None:
            return
        delivery, endpoint, job = claimed
        now = utcnow()
        body = await event_body(
            delivery,
            job,
            self._runtime.store,
            ttl_seconds=self._settings.media_url_ttl_seconds,
            public_base_url=self._settings.public_base_url,
        )
        result = await attempt(
            self._client,
            endpoint.url,
            message_id=delivery.message_id,
            body=body,
            secrets=endpoint.signing_secrets(now),
            timeout=self._settings.webhook_timeout_seconds,
            allow_private=self._settings.webhook_allow_private_networks,
            now=now,
        )
        self.attempts += 1
        retry_in = await self._record(delivery.id, number, result)
        if retry_in is not None:
            retry = message.model_copy(update={"attempt": number + 1})
            await self._runtime.bus.publish_delayed(WEBHOOKS.queue, retry, retry_in)

    async def _claim(self, delivery_id: UUID, number: int) -> tuple[WebhookDelivery, WebhookEndpoint, Job] | None:
        """Take attempt ``number`` of the delivery, unless it was taken already (a duplicate message) or the
        delivery is gone (its endpoint was deleted) or finished."""
        now = utcnow()
        # Until the attempt is recorded, the sweeper takes the attempt for lost once this is well past.
        due = now + timedelta(seconds=self._settings.webhook_timeout_seconds) + self._delay_after(number, default=0)
        async with self._sessionmaker() as session, session.begin():
            result = cast(
                "CursorResult[Any]",
                await session.execute(
                    update(WebhookDelivery)
                    .where(
                        col(WebhookDelivery.id) == delivery_id,
                        col(WebhookDelivery.status) == DeliveryStatus.PENDING.value,
                        col(WebhookDelivery.attempts) == number - 1,
                    )
                    .values(attempts=number, next_retry_at=due, updated_at=now)
                ),
            )
            if result.rowcount != 1:
                log.info("webhook delivery %s attempt %d: already made or no longer due", delivery_id, number)
                return None
            delivery = await session.get(WebhookDelivery, delivery_id, populate_existing=True)
            assert delivery is not None
            endpoint = await session.get(WebhookEndpoint, delivery.endpoint_id)
            job = await session.get(Job, delivery.job_id)
            if endpoint is None or job is None:
                delivery.status, delivery.next_retry_at = DeliveryStatus.FAILED, None
                return None
            return delivery, endpoint, job

    def _delay_after(self, number: int, *, default: int) -> timedelta:
        delays = self.delays
        return timedelta(seconds=delays[number - 1] if number <= len(delays) else default)

    async def _record(self, delivery_id: UUID, number: int, result: AttemptResult) -> int | None:
        """Store the attempt and the delivery's new state; the seconds until the next attempt, or None."""
        now = utcnow()
        retry_in: int | None = None
        async with self._sessionmaker() as session, session.begin():
            delivery = await session.get(WebhookDelivery, delivery_id)
            if delivery is None:
                return None  # the endpoint was deleted meanwhile
            session.add(
                WebhookAttempt(
                    delivery_id=delivery_id,
                    attempt=number,
                    attempted_at=now,
                    response_status=result.response_status,
                    error=result.error,
                    duration_ms=result.duration_ms,
                )
            )
            delivery.last_response_status = result.response_status
            delivery.updated_at = now
            if result.succeeded:
                delivery.status, delivery.next_retry_at = DeliveryStatus.SUCCEEDED, None
            elif number <= len(self.delays):
                retry_in = self.delays[number - 1]
                delivery.next_retry_at = now + timedelta(seconds=retry_in)
            else:
                delivery.status, delivery.next_retry_at = DeliveryStatus.FAILED, None
        level = logging.INFO if result.succeeded else logging.WARNING
        log.log(level, "webhook delivery %s attempt %d: %s", delivery_id, number, result.error or "delivered")
        return retry_in

    async def resend_overdue(self) -> int:
        """Send again each pending delivery whose next attempt is more than ``OVERDUE`` late; returns how many."""
        now = utcnow()
        cutoff = now - OVERDUE
        async with self._sessionmaker() as session, session.begin():
            due_at = func.coalesce(col(WebhookDelivery.next_retry_at), col(WebhookDelivery.created_at))
            rows = list(
                (
                    await session.execute(
                        select(WebhookDelivery)
                        .where(col(WebhookDelivery.status) == DeliveryStatus.PENDING.value, due_at < cutoff)
                        .limit(500)
                    )
                ).scalars()
            )
            for delivery in rows:
                delivery.next_retry_at = now
        for delivery in rows:
            message = deliver_message(delivery, Priority.NORMAL, attempt=delivery.attempts + 1)
            await self._runtime.bus.publish(message)
        if rows:
            log.warning("sent %d overdue webhook deliveries again", len(rows))
        return len(rows)


async def register(
    runtime: ServiceRuntime, sessionmaker: async_sessionmaker[AsyncSession] | None = None
) -> Callable[[], Awaitable[None]]:
    """Consume the webhooks queue (its contract in ``mathreel_shared.contracts``) and start the sweeper.

    Distributed mode opens its own database engine; standalone mode passes the process's ``sessionmaker``.
    """
    engine = None
    if sessionmaker is None:
        engine = create_engine(runtime.settings.database_url, pool_size=runtime.settings.database_pool_size)
        sessionmaker = create_sessionmaker(engine)

        async def database() -> None:
            assert engine is not None
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))

        runtime.ready_checks.append(database)
    client = create_client()
    deliverer = Deliverer(runtime, sessionmaker, client)
    await runtime.bus.consume(WEBHOOKS.queue, deliverer.handle, prefetch=PREFETCH)
    sweeper = PeriodicTask("webhook-sweeper", deliverer.resend_overdue, SWEEP_INTERVAL_SECONDS)
    sweeper.start()

    async def cleanup() -> None:
        await sweeper.stop()
        await client.aclose()
        if engine is not None:
            await engine.dispose()

    return cleanup
