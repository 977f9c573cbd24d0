"""Transactional outbox: messages are written in the same transaction as the state change that causes them, and a
relay publishes them afterwards with publisher confirms. A crash can therefore neither lose a message (it stays in
the table until confirmed) nor publish one for a change that was rolled back. Publishing twice after a crash between
confirm and stamp is possible; every consumer is idempotent.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mathreel_shared.bus import Bus, message_headers
from mathreel_shared.db import OutboxMessage, utcnow
from mathreel_shared.messages import Envelope, dump_message
from mathreel_shared.periodic import PeriodicTask

log = logging.getLogger(__name__)


_ENQUEUED = "mathreel_outbox_enqueued"


def enqueued(session: AsyncSession) -> int:
    """How many messages this session has added to the outbox so far (flushed or not)."""
    return int(session.info.get(_ENQUEUED, 0))


def enqueue(session: AsyncSession, message: Envelope, *, headers: dict[str, Any] | None = None) -> None:
    """Add ``message`` to the outbox of the session's transaction (published only if it commits)."""
    # Counted on the session: a flush moves the row out of ``session.new``, so that cannot tell whether to wake
    # the relay after the commit.
    session.info[_ENQUEUED] = enqueued(session) + 1
    all_headers = message_headers(message, headers)
    session.add(
        OutboxMessage(
            routing_key=str(getattr(message, "type")),  # noqa: B009
            body=dump_message(message).decode(),
            headers=all_headers,
            priority=message.priority.broker_priority,
        )
    )


class OutboxRelay:
    """Publishes committed outbox rows in order. Several relays may run: rows are claimed with SKIP LOCKED."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bus: Bus,
        *,
        poll_interval: float = 1.0,
        batch_size: int = 100,
        retention: timedelta = timedelta(days=1),
    ) -> None:
        self._sessionmaker = sessionmaker
        self._bus = bus
        self._poll_interval = poll_interval
        self._batch_size = batch_size
        self._retention = retention
        self._cycles = 0
        self._loop = PeriodicTask("outbox-relay", self._cycle, poll_interval)
        self.published = 0

    def notify(self) -> None:
        """Wake the relay now (after a commit that added messages) instead of at the next poll."""
        self._loop.wake()

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def _cycle(self) -> None:
        """Publish until the outbox is drained; now and then, prune what was published long ago. A failure (broker
        or database away) leaves the rows in place for the next cycle."""
        while await self.relay_once() == self._batch_size:
            pass
        self._cycles += 1
        if self._cycles % 600 == 0:
            await self.prune()

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were published."""
        async with self._sessionmaker() as session, session.begin():
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.published_at.is_(None))  # type: ignore[union-attr]
                .order_by(OutboxMessage.id)  # type: ignore[arg-type]
                .limit(self._batch_size)
            )
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).scalars().all()
            for row in rows:
                await self._bus.publish_raw(
                    row.routing_key, row.body.encode(), priority=row.priority, headers=dict(row.headers)
                )
            if rows:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_([row.id for row in rows]))  # type: ignore[union-attr]
                    .values(published_at=utcnow())
                )
        self.published += len(rows)
        return len(rows)

    async def prune(self) -> None:
        """Drop rows published longer ago than the retention, and the job events of jobs that finished by then."""
        # Imported here: the events module records into the outbox (``enqueue``), so it imports this one.
        from mathreel_shared.events import prune_job_events

        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.published_at < utcnow() - self._retention  # type: ignore[operator,arg-type]
                )
            )
            await prune_job_events(session, utcnow() - self._retention)
