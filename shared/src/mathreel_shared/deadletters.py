"""Inspecting and replaying dead letters: the messages RabbitMQ moved to ``<ns>.dead``.

Used by ``mathreel dlq``. Reading the queue takes each message without acknowledging it and gives it back at the
end, so listing changes nothing; replaying publishes a message to its original routing key (its ``type``) with
publisher confirms, and only then removes it from the dead-letter queue.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    type: str
    job_id: str | None
    attempt: int | None
    reason: str
    from_queue: str
    died_at: datetime | None
    body: dict[str, Any] | None
    raw: bytes


def describe(incoming: AbstractIncomingMessage) -> DeadLetter:
    headers: dict[str, Any] = dict(incoming.headers or {})
    deaths: Any = headers.get("x-death") or []
    death: dict[str, Any] = dict(deaths[0]) if isinstance(deaths, list) and deaths else {}
    try:
        body = json.loads(incoming.body)
        if not isinstance(body, dict):
            body = None
    except ValueError:
        body = None
    died_at = death.get("time")
    return DeadLetter(
        message_id=str(incoming.message_id or headers.get("message_id") or ""),
        type=str(incoming.type or (body or {}).get("type") or "unknown"),
        job_id=str(body["job_id"]) if body and "job_id" in body else None,
        attempt=int(body["attempt"]) if body and isinstance(body.get("attempt"), int) else None,
        reason=str(death.get("reason", "unknown")),
        from_queue=str(death.get("queue", "")),
        died_at=died_at if isinstance(died_at, datetime) else None,
        body=body,
        raw=incoming.body,
    )


class DeadLetterQueue:
    def __init__(self, amqp_url: str, namespace: str) -> None:
        self._url = amqp_url
        self.ns = namespace
        self.queue_name = f"{namespace}.dead"

    @asynccontextmanager
    async def _channel(self) -> AsyncIterator[aio_pika.abc.AbstractChannel]:
        connection = await aio_pika.connect(self._url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            yield channel
        finally:
            await connection.close()

    async def _scan(
        self, visit: Callable[[AbstractIncomingMessage, aio_pika.abc.AbstractChannel], Awaitable[bool]]
    ) -> None:
        """Take every message once; ``visit`` returns True when it consumed (acked) the message."""
        async with self._channel() as channel:
            queue = await channel.declare_queue(self.queue_name, durable=True)
            held: list[AbstractIncomingMessage] = []
            try:
                while (incoming := await queue.get(no_ack=False, fail=False)) is not None:
                    if not await visit(incoming, channel):
                        held.append(incoming)
            finally:
                for incoming in held:
                    await incoming.nack(requeue=True)

    async def list(self, limit: int = 100) -> list[DeadLetter]:
        found: list[DeadLetter] = []

        async def collect(incoming: AbstractIncomingMessage, _channel: aio_pika.abc.AbstractChannel) -> bool:
            if len(found) < limit:
                found.append(describe(incoming))
            return False

        await self._scan(collect)
        return found

    async def show(self, message_id: str) -> DeadLetter | None:
        letters = await self.list(limit=100_000)
        return next((letter for letter in letters if letter.message_id == message_id), None)

    async def replay(self, message_id: str | None = None) -> int:
        """Publish dead letters (one by id, or all) back to their routing key; returns how many were replayed."""
        replayed = 0

        async def send_back(incoming: AbstractIncomingMessage, channel: aio_pika.abc.AbstractChannel) -> bool:
            nonlocal replayed
            letter = describe(incoming)
            if message_id is not None and letter.message_id != message_id:
                return False
            if letter.type == "unknown":
                return False  # nowhere to route it: leave it for a person
            exchange = await channel.get_exchange(self.ns)
            headers = {k: v for k, v in (incoming.headers or {}).items() if not str(k).startswith("x-")}
            headers["replayed"] = True
            await exchange.publish(
                aio_pika.Message(
                    incoming.body,
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    priority=incoming.priority or 0,
                    headers=headers,
                    message_id=incoming.message_id,
                    type=letter.type,
                ),
                routing_key=letter.type,
            )
            await incoming.ack()
            replayed += 1
            return True

        await self._scan(send_back)
        return replayed

    async def purge(self) -> int:
        async with self._channel() as channel:
            queue = await channel.declare_queue(self.queue_name, durable=True)
            result = await queue.purge()
            return int(getattr(result, "message_count", 0) or 0)
