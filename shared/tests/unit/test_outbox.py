"""The transactional outbox: rows written with the transaction, published in order by the relay, stamped, pruned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from mathreel_shared.db import OutboxMessage, create_engine, create_sessionmaker, utcnow
from mathreel_shared.domain import Priority
from mathreel_shared.messages import JobCancelled, parse_message
from mathreel_shared.outbox import OutboxRelay, enqueue, enqueued


class RecordingBus:
    """Records what the relay publishes; ``down`` makes every publish fail, as a broker that does not confirm."""

    def __init__(self) -> None:
        self.published: list[tuple[str, bytes, int, dict[str, Any]]] = []
        self.down = False

    async def publish_raw(self, routing_key: str, body: bytes, *, priority: int, headers: dict[str, Any]) -> None:
        if self.down:
            raise ConnectionError("the broker did not confirm")
        self.published.append((routing_key, body, priority, headers))


@pytest.fixture
async def sessionmaker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/outbox.db")
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    yield create_sessionmaker(engine)
    await engine.dispose()


def _relay(sessionmaker: async_sessionmaker[AsyncSession], bus: RecordingBus, **options: Any) -> OutboxRelay:
    return OutboxRelay(sessionmaker, bus, **options)  # type: ignore[arg-type]


def _message(priority: Priority = Priority.NORMAL) -> JobCancelled:
    return JobCancelled(job_id=uuid4(), user_id="user_outbox", priority=priority)


async def _rows(sessionmaker: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessionmaker() as session:
        return list((await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars())  # type: ignore[arg-type]


async def test_a_message_is_published_once_its_transaction_commits(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    bus = RecordingBus()
    message = _message(Priority.HIGH)
    async with sessionmaker() as session, session.begin():
        enqueue(session, message, headers={"traceparent": "00-abc-def-01"})

    assert await _relay(sessionmaker, bus).relay_once() == 1
    [(routing_key, body, priority, headers)] = bus.published
    assert routing_key == "job.cancelled"
    assert parse_message(body) == message
    assert priority == Priority.HIGH.broker_priority
    assert headers["traceparent"] == "00-abc-def-01"
    assert headers["message_id"] == str(message.message_id)
    [row] = await _rows(sessionmaker)
    assert row.published_at is not None
    # Stamped: the next pass publishes nothing again.
    assert await _relay(sessionmaker, bus).relay_once() == 0
    assert len(bus.published) == 1


async def test_a_rolled_back_transaction_publishes_nothing(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    bus = RecordingBus()

    async def failing_change() -> None:
        async with sessionmaker() as session, session.begin():
            enqueue(session, _message())
            raise RuntimeError("the state change failed")

    with pytest.raises(RuntimeError):
        await failing_change()
    assert await _relay(sessionmaker, bus).relay_once() == 0
    assert bus.published == []
    assert await _rows(sessionmaker) == []


async def test_messages_go_out_in_the_order_they_were_written(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    bus = RecordingBus()
    messages = [_message() for _ in range(5)]
    for message in messages:
        async with sessionmaker() as session, session.begin():
            enqueue(session, message)
    await _relay(sessionmaker, bus).relay_once()
    assert [parse_message(body).message_id for _, body, _, _ in bus.published] == [m.message_id for m in messages]


async def test_a_broker_failure_leaves_the_rows_for_the_next_pass(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    bus = RecordingBus()
    async with sessionmaker() as session, session.begin():
        enqueue(session, _message())
    bus.down = True
    with pytest.raises(ConnectionError):
        await _relay(sessionmaker, bus).relay_once()
    [row] = await _rows(sessionmaker)
    assert row.published_at is None

    bus.down = False
    assert await _relay(sessionmaker, bus).relay_once() == 1
    assert len(bus.published) == 1


async def test_a_cycle_drains_the_outbox_batch_by_batch(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    bus = RecordingBus()
    async with sessionmaker() as session, session.begin():
        for _ in range(7):
            enqueue(session, _message())
    relay = _relay(sessionmaker, bus, batch_size=3)
    await relay._cycle()
    assert (relay.published, len(bus.published)) == (7, 7)
    assert all(row.published_at is not None for row in await _rows(sessionmaker))


async def test_prune_deletes_only_rows_published_before_the_retention(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    bus = RecordingBus()
    async with sessionmaker() as session, session.begin():
        for _ in range(3):
            enqueue(session, _message())
    relay = _relay(sessionmaker, bus, batch_size=2, retention=timedelta(hours=1))
    await relay.relay_once()  # two published, one still waiting
    rows = await _rows(sessionmaker)
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == rows[0].id)  # type: ignore[arg-type]
            .values(published_at=utcnow() - timedelta(hours=2))
        )
    await relay.prune()
    remaining = await _rows(sessionmaker)
    assert [row.id for row in remaining] == [rows[1].id, rows[2].id]
    assert remaining[1].published_at is None


async def test_a_session_counts_what_it_enqueued_even_after_a_flush(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # Whoever commits wakes the relay when this count grew: a flush (any query in between) empties session.new, so
    # counting new objects missed the messages and left them for the relay's next poll, a second later.
    async with sessionmaker() as session, session.begin():
        assert enqueued(session) == 0
        enqueue(session, JobCancelled(job_id=uuid4(), user_id="u", priority=Priority.HIGH))
        await session.flush()
        assert not session.new
        assert enqueued(session) == 1
        enqueue(session, JobCancelled(job_id=uuid4(), user_id="u", priority=Priority.HIGH))
        assert enqueued(session) == 2
