"""The bus on a real RabbitMQ: priorities on stage queues, retries through delay queues, dead letters and replay."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from mathreel_shared.bus import Delivery, PermanentMessageError, RabbitBus
from mathreel_shared.deadletters import DeadLetterQueue
from mathreel_shared.domain import Priority
from mathreel_shared.messages import JobConfiguration, Message, ScriptRequested, StageFailed

pytestmark = pytest.mark.integration


def _request(priority: Priority = Priority.NORMAL) -> ScriptRequested:
    return ScriptRequested(
        job_id=uuid4(),
        user_id="user_bus",
        priority=priority,
        configuration=JobConfiguration(topic="t", context="c"),
    )


@pytest.fixture
async def bus(amqp_url: str, broker_namespace: str):
    namespace = f"{broker_namespace}-{uuid4().hex[:6]}"
    bus = RabbitBus(amqp_url, namespace)
    await bus.start()
    yield bus
    await bus.close()
    # Remove this test's topology: its queues and exchanges.
    import aio_pika

    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    for name in ("orchestrator", "script", "tts", "visuals", "render", "dead"):
        await channel.queue_delete(f"{namespace}.{name}")
        for delay in (2, 10, 30, 120):
            await channel.queue_delete(f"{namespace}.{name}.delay.{delay}s")
    for exchange in (namespace, f"{namespace}.dlx", f"{namespace}.control"):
        await channel.exchange_delete(exchange)
    await connection.close()


async def test_a_high_priority_job_overtakes_queued_normal_ones(bus: RabbitBus) -> None:
    normal = [_request(Priority.NORMAL) for _ in range(5)]
    low = _request(Priority.LOW)
    high = _request(Priority.HIGH)
    for message in [low, *normal, high]:
        await bus.publish(message)
    assert await bus.queue_depth("script") == 7

    order: list[Priority] = []
    done = asyncio.Event()

    async def record(message: Message, _delivery: Delivery) -> None:
        order.append(message.priority)
        if len(order) == 7:
            done.set()

    await bus.consume("script", record, prefetch=1)
    await asyncio.wait_for(done.wait(), timeout=10)
    assert order == [Priority.HIGH, *[Priority.NORMAL] * 5, Priority.LOW]


async def test_delayed_publish_comes_back_into_its_stage_queue(bus: RabbitBus) -> None:
    received: list[tuple[int, float]] = []
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def record(message: Message, _delivery: Delivery) -> None:
        received.append((message.attempt, loop.time() - started))

    await bus.consume("script", record)
    retry = _request().model_copy(update={"attempt": 2})
    await bus.publish_delayed("script", retry, 2)
    while not received:
        await asyncio.sleep(0.05)
        assert loop.time() - started < 10
    attempt, after = received[0]
    assert attempt == 2
    assert after >= 1.9


async def test_dead_letters_fail_their_job_and_can_be_listed_replayed_and_purged(bus: RabbitBus, amqp_url) -> None:
    failures: list[StageFailed] = []

    async def refuse(message: Message, _delivery: Delivery) -> None:
        raise PermanentMessageError("this message can never be processed")

    async def collect(message: Message, _delivery: Delivery) -> None:
        assert isinstance(message, StageFailed)
        failures.append(message)

    await bus.consume("orchestrator", collect)
    await bus.consume("script", refuse)
    poisoned = _request()
    await bus.publish(poisoned)
    dlq = DeadLetterQueue(amqp_url, bus.ns)
    for _ in range(100):
        letters = await dlq.list()
        if letters and failures:
            break
        await asyncio.sleep(0.1)
    assert [letter.job_id for letter in letters] == [str(poisoned.job_id)]
    assert letters[0].type == "stage.script.requested"
    assert letters[0].reason == "rejected"
    assert letters[0].from_queue == f"{bus.ns}.script"
    assert failures[0].job_id == poisoned.job_id
    assert failures[0].code == "poison_message"

    assert (await dlq.list()) == letters, "listing gives every message back"
    shown = await dlq.show(letters[0].message_id)
    assert shown is not None
    assert shown.body is not None
    assert shown.body["configuration"]["topic"] == "t"

    await bus.stop_consuming()
    assert await dlq.replay(letters[0].message_id) == 1
    assert await bus.queue_depth("script") == 1
    assert await dlq.list() == []

    await bus.publish(_request())
    await bus.consume("script", refuse)
    for _ in range(100):
        if len(await dlq.list()) == 2:
            break
        await asyncio.sleep(0.1)
    assert await dlq.purge() == 2
    assert await dlq.list() == []
