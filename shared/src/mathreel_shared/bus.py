"""The message bus: RabbitMQ (aio-pika) in distributed mode, an in-process bus in standalone mode.

This module declares the topology that ``contracts`` describes. One direct exchange routes each message by its
``type``; every consumer has one durable work queue with priorities; job cancellations are broadcast on a fanout
exchange; rejected messages dead-letter to ``<ns>.dead``. Handlers receive parsed messages; a message that cannot be
parsed is dead-lettered, never retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel, AbstractRobustConnection
from pydantic import ValidationError

from mathreel_shared.contracts import BROADCAST_TYPES, STAGE_OF_TYPE, STAGE_QUEUES, WORK_QUEUES
from mathreel_shared.domain import MAX_BROKER_PRIORITY, Stage
from mathreel_shared.messages import Envelope, Message, StageFailed, dump_message, parse_message
from mathreel_shared.metrics import record_dead_letter
from mathreel_shared.telemetry import inject_trace_headers

log = logging.getLogger(__name__)

# Delay queues per stage: a retried message waits in one (TTL) and dead-letters back into its stage queue.
RETRY_DELAYS_SECONDS = (2, 10, 30, 120)


def retry_delay(attempt: int) -> int:
    """Backoff before attempt ``attempt`` (2, 3, ...): 2 s, 10 s, 30 s, then 120 s."""
    return RETRY_DELAYS_SECONDS[min(max(attempt - 2, 0), len(RETRY_DELAYS_SECONDS) - 1)]


@dataclass(frozen=True)
class Delivery:
    """What a handler learns about a message besides its body."""

    headers: dict[str, Any] = field(default_factory=dict)
    redelivered: bool = False


Handler = Callable[[Message, Delivery], Awaitable[None]]


class PermanentMessageError(Exception):
    """Raised by a handler for a message that can never succeed: it is dead-lettered, not retried.

    With ``fail_job`` the job it belongs to is failed with the reason (a poison message must not leave a job hanging).
    """

    def __init__(self, reason: str, *, fail_job: bool = True) -> None:
        super().__init__(reason)
        self.fail_job = fail_job


class Bus(Protocol):
    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def publish(self, message: Envelope, *, headers: dict[str, Any] | None = None) -> None: ...
    async def publish_raw(self, routing_key: str, body: bytes, *, priority: int, headers: dict[str, Any]) -> None: ...
    async def publish_delayed(
        self, queue: str, message: Envelope, delay_seconds: int, *, headers: dict[str, Any] | None = None
    ) -> None: ...
    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> None: ...
    async def subscribe_broadcast(self, handler: Handler) -> None: ...
    async def stop_consuming(self) -> None: ...
    async def queue_depth(self, queue: str) -> int: ...
    async def ping(self) -> None: ...


def poisoned_job_failure(body: bytes, reason: str) -> StageFailed | None:
    """The ``stage.failed`` that fails the job a dead-lettered message belonged to, when the body names one.

    Never for a ``stage.failed`` itself: reporting a broken report would loop.
    """
    try:
        document = json.loads(body)
        job_id = UUID(str(document["job_id"]))
        user_id = str(document["user_id"])
    except (ValueError, KeyError, TypeError):
        return None
    kind = str(document.get("type", ""))
    if kind == "stage.failed":
        return None
    stage = STAGE_OF_TYPE.get(kind, Stage.INITIALIZING)
    return StageFailed(
        job_id=job_id,
        user_id=user_id,
        stage=stage,
        code="poison_message",
        message=f"a {kind or 'malformed'} message could not be processed and was dead-lettered: {reason}"[:1000],
    )


def message_headers(message: Envelope, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """The headers every published message carries: the caller's, its id and the current trace context."""
    return inject_trace_headers({**(headers or {}), "message_id": str(message.message_id)})


def _amqp_message(body: bytes, routing_key: str, *, priority: int, headers: dict[str, Any]) -> aio_pika.Message:
    message_id = headers.get("message_id")
    return aio_pika.Message(
        body,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        priority=priority,
        headers=headers,
        message_id=str(message_id) if message_id else None,
        type=routing_key,
    )


def _routing_key(message: Envelope) -> str:
    return str(getattr(message, "type"))  # noqa: B009 - every concrete message has a ``type`` literal


class RabbitBus:
    """aio-pika with a robust connection, publisher confirms and manual acks."""

    def __init__(self, amqp_url: str, namespace: str = "mathreel", *, confirm_timeout: float = 10.0) -> None:
        self._url = amqp_url
        self.ns = namespace
        self._confirm_timeout = confirm_timeout
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractRobustChannel | None = None
        self._consume_channels: list[AbstractRobustChannel] = []
        self._consumer_tags: list[tuple[aio_pika.abc.AbstractQueue, str]] = []
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        self._control: aio_pika.abc.AbstractExchange | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._delay_queues: set[str] = set()

    def queue_name(self, queue: str) -> str:
        return f"{self.ns}.{queue}"

    def delay_queue_name(self, queue: str, delay_seconds: int) -> str:
        return f"{self.ns}.{queue}.delay.{delay_seconds}s"

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(self._url, client_properties={"connection_name": self.ns})
        self._publish_channel = await self._connection.channel(publisher_confirms=True)  # type: ignore[assignment]
        await self._declare(self._publish_channel)

    async def _declare(self, channel: Any) -> None:
        dlx = await channel.declare_exchange(f"{self.ns}.dlx", aio_pika.ExchangeType.FANOUT, durable=True)
        dead = await channel.declare_queue(f"{self.ns}.dead", durable=True)
        await dead.bind(dlx)
        self._exchange = await channel.declare_exchange(self.ns, aio_pika.ExchangeType.DIRECT, durable=True)
        self._control = await channel.declare_exchange(f"{self.ns}.control", aio_pika.ExchangeType.FANOUT, durable=True)
        for name, keys in WORK_QUEUES.items():
            queue = await channel.declare_queue(
                self.queue_name(name),
                durable=True,
                arguments={"x-max-priority": MAX_BROKER_PRIORITY, "x-dead-letter-exchange": f"{self.ns}.dlx"},
            )
            for key in keys:
                await queue.bind(self._exchange, routing_key=key)
        for name in STAGE_QUEUES:
            for delay in RETRY_DELAYS_SECONDS:
                await channel.declare_queue(
                    self.delay_queue_name(name, delay),
                    durable=True,
                    arguments={
                        "x-message-ttl": delay * 1000,
                        "x-dead-letter-exchange": "",
                        "x-dead-letter-routing-key": self.queue_name(name),
                    },
                )

    async def publish(self, message: Envelope, *, headers: dict[str, Any] | None = None) -> None:
        await self.publish_raw(
            _routing_key(message),
            dump_message(message),
            priority=message.priority.broker_priority,
            headers=message_headers(message, headers),
        )

    async def publish_raw(self, routing_key: str, body: bytes, *, priority: int, headers: dict[str, Any]) -> None:
        """Publish and wait for the broker's confirm; raises when the broker does not confirm in time."""
        assert self._exchange is not None, "bus not started"
        assert self._control is not None, "bus not started"
        exchange = self._control if routing_key in BROADCAST_TYPES else self._exchange
        amqp_message = _amqp_message(body, routing_key, priority=priority, headers=headers)
        await exchange.publish(amqp_message, routing_key=routing_key, timeout=self._confirm_timeout)

    async def publish_delayed(
        self, queue: str, message: Envelope, delay_seconds: int, *, headers: dict[str, Any] | None = None
    ) -> None:
        """Publish ``message`` to ``queue`` after about ``delay_seconds``: rounded up to a delay level for a stage
        queue; for another queue (webhooks, with a schedule of its own) through a delay queue of exactly that delay,
        declared on first use."""
        assert self._publish_channel is not None, "bus not started"
        if queue in STAGE_QUEUES:
            level = next((d for d in RETRY_DELAYS_SECONDS if d >= delay_seconds), RETRY_DELAYS_SECONDS[-1])
        else:
            level = max(1, delay_seconds)
            await self._declare_delay_queue(queue, level)
        amqp_message = _amqp_message(
            dump_message(message),
            _routing_key(message),
            priority=message.priority.broker_priority,
            headers=message_headers(message, headers),
        )
        await self._publish_channel.default_exchange.publish(
            amqp_message, routing_key=self.delay_queue_name(queue, level), timeout=self._confirm_timeout
        )

    async def _declare_delay_queue(self, queue: str, delay_seconds: int) -> None:
        name = self.delay_queue_name(queue, delay_seconds)
        if name in self._delay_queues:
            return
        assert self._publish_channel is not None, "bus not started"
        await self._publish_channel.declare_queue(
            name,
            durable=True,
            arguments={
                "x-message-ttl": delay_seconds * 1000,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": self.queue_name(queue),
            },
        )
        self._delay_queues.add(name)

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> None:
        assert self._connection is not None, "bus not started"
        channel: Any = await self._connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        self._consume_channels.append(channel)
        amqp_queue = await channel.get_queue(self.queue_name(queue), ensure=True)
        tag = await amqp_queue.consume(self._wrap(handler))
        self._consumer_tags.append((amqp_queue, tag))

    async def subscribe_broadcast(self, handler: Handler) -> None:
        assert self._connection is not None, "bus not started"
        channel: Any = await self._connection.channel()
        self._consume_channels.append(channel)
        control = await channel.declare_exchange(f"{self.ns}.control", aio_pika.ExchangeType.FANOUT, durable=True)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(control)
        tag = await queue.consume(self._wrap(handler))
        self._consumer_tags.append((queue, tag))

    def _wrap(self, handler: Handler) -> Callable[[AbstractIncomingMessage], Awaitable[None]]:
        async def on_message(incoming: AbstractIncomingMessage) -> None:
            task = asyncio.current_task()
            if task is not None:
                self._in_flight.add(task)
            try:
                try:
                    message = parse_message(incoming.body)
                except ValidationError as exc:
                    log.error("dead-lettering an unreadable message: %s", exc.errors()[:3])
                    record_dead_letter("unreadable")
                    await self._fail_poisoned_job(incoming.body, "unreadable message")
                    await incoming.reject(requeue=False)
                    return
                delivery = Delivery(headers=dict(incoming.headers or {}), redelivered=bool(incoming.redelivered))
                try:
                    await handler(message, delivery)
                except PermanentMessageError as exc:
                    log.error("dead-lettering %s: %s", message.type, exc)
                    record_dead_letter(message.type)
                    if exc.fail_job:
                        await self._fail_poisoned_job(incoming.body, str(exc))
                    await incoming.reject(requeue=False)
                    return
                except asyncio.CancelledError:
                    # Shutting down mid-message: give it back to the broker for another consumer.
                    with contextlib.suppress(Exception):
                        await incoming.nack(requeue=True)
                    raise
                except Exception:
                    log.exception("handler failed for %s; requeueing", message.type)
                    await asyncio.sleep(1.0)
                    await incoming.nack(requeue=True)
                    return
                await incoming.ack()
            finally:
                if task is not None:
                    self._in_flight.discard(task)

        return on_message

    async def _fail_poisoned_job(self, body: bytes, reason: str) -> None:
        failed = poisoned_job_failure(body, reason)
        if failed is not None:
            try:
                await self.publish(failed)
            except Exception:
                log.exception("could not report the poison message of job %s", failed.job_id)

    async def stop_consuming(self) -> None:
        for queue, tag in self._consumer_tags:
            with contextlib.suppress(Exception):
                await queue.cancel(tag)
        self._consumer_tags.clear()

    async def drain(self, timeout: float) -> None:
        """Wait for handlers in progress to finish, up to ``timeout`` seconds."""
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=timeout)

    async def queue_depth(self, queue: str) -> int:
        """Messages ready in ``queue`` now. A robust channel caches declarations (and their counts), so the
        passive declare runs on a short-lived channel of its own."""
        assert self._connection is not None, "bus not started"
        channel = await self._connection.channel(publisher_confirms=False)
        try:
            declared = await channel.declare_queue(self.queue_name(queue), passive=True, robust=False)
            return int(declared.declaration_result.message_count or 0)
        finally:
            await channel.close()

    async def ping(self) -> None:
        # A robust connection is not "closed" while it reconnects: only a live transport means the broker answers.
        if self._connection is None or self._connection.is_closed or not self._connection.connected.is_set():
            raise ConnectionError("not connected to RabbitMQ")

    async def close(self) -> None:
        await self.stop_consuming()
        for channel in self._consume_channels:
            with contextlib.suppress(Exception):
                await channel.close()
        if self._connection is not None:
            await self._connection.close()


@dataclass(order=True)
class _Queued:
    sort_key: tuple[int, int]
    routing_key: str = field(compare=False)
    body: bytes = field(compare=False)
    headers: dict[str, Any] = field(compare=False)


class MemoryBus:
    """An in-process bus with the same routing, priorities and at-least-once handling (standalone mode, tests)."""

    def __init__(self) -> None:
        self._queues: dict[str, asyncio.PriorityQueue[_Queued]] = {}
        self._routes: dict[str, str] = {key: name for name, keys in WORK_QUEUES.items() for key in keys}
        self._broadcast: list[Handler] = []
        self._consumers: list[asyncio.Task[None]] = []
        self._counter = itertools.count()
        self._timers: set[asyncio.TimerHandle] = set()
        self._busy = 0  # handlers running now
        self.dead_letters: list[bytes] = []

    def _queue(self, name: str) -> asyncio.PriorityQueue[_Queued]:
        return self._queues.setdefault(name, asyncio.PriorityQueue())

    async def start(self) -> None:
        return None

    async def publish(self, message: Envelope, *, headers: dict[str, Any] | None = None) -> None:
        await self.publish_raw(
            _routing_key(message),
            dump_message(message),
            priority=message.priority.broker_priority,
            headers=message_headers(message, headers),
        )

    async def publish_raw(self, routing_key: str, body: bytes, *, priority: int, headers: dict[str, Any]) -> None:
        if routing_key in BROADCAST_TYPES:
            message = parse_message(body)
            for handler in list(self._broadcast):
                await handler(message, Delivery(headers=headers))
            return
        queue = self._routes.get(routing_key)
        if queue is None:
            raise ValueError(f"no queue is bound to {routing_key!r}")
        await self._queue(queue).put(_Queued((-priority, next(self._counter)), routing_key, body, headers))

    async def publish_delayed(
        self, queue: str, message: Envelope, delay_seconds: int, *, headers: dict[str, Any] | None = None
    ) -> None:
        body = dump_message(message)
        item = _Queued(
            (-message.priority.broker_priority, next(self._counter)),
            _routing_key(message),
            body,
            message_headers(message, headers),
        )
        handle = asyncio.get_running_loop().call_later(delay_seconds, self._queue(queue).put_nowait, item)
        self._timers.add(handle)

    async def consume(self, queue: str, handler: Handler, *, prefetch: int = 1) -> None:
        for _ in range(prefetch):
            self._consumers.append(asyncio.create_task(self._consume_loop(queue, handler)))

    async def _consume_loop(self, queue_name: str, handler: Handler) -> None:
        queue = self._queue(queue_name)
        while True:
            item = await queue.get()
            try:
                message = parse_message(item.body)
            except ValidationError:
                self.dead_letters.append(item.body)
                await self._report_poison(item.body, "unreadable message")
                continue
            self._busy += 1
            try:
                await handler(message, Delivery(headers=item.headers))
            except PermanentMessageError as exc:
                self.dead_letters.append(item.body)
                if exc.fail_job:
                    await self._report_poison(item.body, str(exc))
            except asyncio.CancelledError:
                await queue.put(item)
                raise
            except Exception:
                log.exception("handler failed for %s; requeueing", message.type)
                await asyncio.sleep(1.0)
                await queue.put(item)
            finally:
                self._busy -= 1

    async def wait_idle(self, timeout: float) -> None:
        """Return once every queue is empty and no handler is running (``TimeoutError`` after ``timeout`` s): a job
        can be complete while a late copy of one of its messages is still being handled."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self._busy or any(not queue.empty() for queue in self._queues.values()):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the in-process bus is still busy after {timeout:.0f} s")
            await asyncio.sleep(0.05)

    async def _report_poison(self, body: bytes, reason: str) -> None:
        failed = poisoned_job_failure(body, reason)
        if failed is not None:
            await self.publish(failed)

    async def subscribe_broadcast(self, handler: Handler) -> None:
        self._broadcast.append(handler)

    async def stop_consuming(self) -> None:
        for task in self._consumers:
            task.cancel()
        for task in self._consumers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._consumers.clear()

    async def queue_depth(self, queue: str) -> int:
        return self._queue(queue).qsize()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        await self.stop_consuming()
