"""Each service the integration tests rely on answers, through the session fixtures and the shared clients."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path

import aio_pika
import httpx
import pytest
import redis.asyncio as aioredis
from botocore.exceptions import ClientError
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from mathreel_shared.auth import AuthError, JwksCache, JwksUnavailable, TokenVerifier
from mathreel_shared.settings import Settings
from mathreel_shared.storage import ObjectNotFound, S3Store
from tests.support import postgres, rabbitmq, redis_keys
from tests.support.aio import run_async
from tests.support.jwks import JwksServer
from tests.support.s3 import S3TestSettings, create_bucket


async def test_postgres_session_database_is_private_and_writable(pg_database_url: str) -> None:
    # Other tests migrate and fill the same session database, so this one writes only to a temporary table.
    engine = create_async_engine(pg_database_url)
    try:
        async with engine.begin() as connection:
            database = await connection.scalar(text("SELECT current_database()"))
            await connection.execute(text("CREATE TEMPORARY TABLE probe (id int PRIMARY KEY, note text)"))
            await connection.execute(text("INSERT INTO probe VALUES (1, 'ok')"))
            note = await connection.scalar(text("SELECT note FROM probe WHERE id = 1"))
    finally:
        await engine.dispose()
    assert database == make_url(pg_database_url).database
    assert str(database).startswith("mathreel_test_")
    assert note == "ok"


async def test_rabbitmq_publishes_and_consumes_on_a_namespaced_queue(amqp_url: str, broker_namespace: str) -> None:
    queue_name = f"{broker_namespace}.infra-check"
    body = uuid.uuid4().bytes
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(queue_name, durable=True)
        await channel.default_exchange.publish(
            aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=queue_name, timeout=5
        )
        incoming = None
        for _ in range(50):  # the confirm means it is queued; a get can still race the queue's bookkeeping
            incoming = await queue.get(fail=False, timeout=5)
            if incoming is not None:
                break
            await asyncio.sleep(0.05)
        assert incoming is not None, "published message never reached the queue"
        await incoming.ack()
        assert incoming.body == body
        assert incoming.routing_key == queue_name


async def test_broker_namespace_cleanup_deletes_only_that_namespace(amqp_url: str, broker_namespace: str) -> None:
    doomed = f"{broker_namespace}-doomed"  # a sibling namespace this test owns, so the session's stays intact
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.declare_exchange(doomed, aio_pika.ExchangeType.DIRECT, durable=True)
        await channel.declare_queue(f"{doomed}.render", durable=True)
        await channel.declare_queue(f"{doomed}.retry.5s", durable=True)  # beyond the shared topology
        keeper = await channel.declare_queue(f"{broker_namespace}.keeper", durable=True)

        deleted = await rabbitmq.delete_namespace(amqp_url, doomed)

        for gone in (f"{doomed}.render", f"{doomed}.retry.5s"):
            probe = await connection.channel()
            with pytest.raises(aio_pika.exceptions.ChannelClosed):
                await probe.declare_queue(gone, passive=True)
        still_there = await channel.declare_queue(keeper.name, passive=True)
        await still_there.delete()
    assert {f"{doomed}.render", f"{doomed}.retry.5s", doomed} <= set(deleted)


async def test_redis_counts_under_the_session_prefix(redis_url: str, redis_key_prefix: str) -> None:
    # Other tests keep keys under the session prefix too: this one works below a prefix of its own.
    prefix = f"{redis_key_prefix}infra-check:"
    async with aioredis.from_url(redis_url) as client:
        key = f"{prefix}counter"
        assert await client.incr(key) == 1
        assert await client.incr(key) == 2
        await client.set(f"{prefix}other", "x")
        await client.set(f"{redis_key_prefix}infra-sibling", "keep", ex=60)
        assert redis_keys.delete_prefixed(redis_url, prefix) == 2
        assert await client.exists(key) == 0
        assert await client.get(f"{redis_key_prefix}infra-sibling") == b"keep"
        await client.delete(f"{redis_key_prefix}infra-sibling")


async def test_s3_store_round_trips_and_presigns(distributed_settings: Settings) -> None:
    store = S3Store(distributed_settings)
    await store.start()
    try:
        key = f"users/user_infra/jobs/{uuid.uuid4()}/videos/output.mp4"
        payload = bytes(range(256)) * 64
        await store.put_bytes(key, payload, "video/mp4")
        assert await store.get_bytes(key) == payload
        assert await store.size(key) == len(payload)

        url = await store.presigned_url(key, 60, download_name="output.mp4")
        async with httpx.AsyncClient(timeout=10) as client:
            fetched = await client.get(url)
            tampered = await client.get(url.replace("X-Amz-Expires=60", "X-Amz-Expires=6000"))
            anonymous = await client.get(url.split("?", 1)[0])
        assert fetched.status_code == 200
        assert fetched.content == payload
        assert "attachment" in fetched.headers.get("content-disposition", "")
        assert tampered.status_code == 403
        assert anonymous.status_code == 403

        assert await store.delete_prefix(key.rsplit("/", 2)[0]) == 1
        assert not await store.exists(key)
        with pytest.raises(ObjectNotFound):
            await store.get_bytes(key)
    finally:
        await store.close()


async def test_s3_refuses_a_wrong_secret(distributed_settings: Settings) -> None:
    wrong = distributed_settings.model_copy(update={"s3_secret_access_key": SecretStr("not-the-secret")})
    store = S3Store(wrong)
    await store.start()
    try:
        with pytest.raises(ClientError) as refused:
            await store.put_bytes("users/user_infra/probe.txt", b"x", "text/plain")
    finally:
        await store.close()
    assert refused.value.response["Error"]["Code"] in {"SignatureDoesNotMatch", "AccessDenied"}


async def test_jwks_served_over_http_verifies_tokens(jwks_server: JwksServer) -> None:
    verifier = TokenVerifier(JwksCache(jwks_server.url), issuer="mathreel-dev")
    principal = await verifier.verify(jwks_server.key.mint("user_infra"))
    assert principal.user_id == "user_infra"
    assert verifier.jwks.fetch_count == 1


async def test_jwks_rotation_and_outage(tmp_path: Path) -> None:
    with JwksServer(tmp_path) as server:
        old_key = server.key
        old_token = old_key.mint("user_infra")
        assert (await TokenVerifier(JwksCache(server.url), issuer="mathreel-dev").verify(old_token)).user_id

        new_key = server.rotate()
        assert server.key is new_key
        assert new_key.kid != old_key.kid
        rotated = TokenVerifier(JwksCache(server.url), issuer="mathreel-dev")
        assert (await rotated.verify(new_key.mint("user_infra"))).user_id == "user_infra"
        with pytest.raises(AuthError):
            await rotated.verify(old_token)

        server.unavailable = True
        requests_before = server.request_count
        with pytest.raises(JwksUnavailable):
            await JwksCache(server.url).key_for(new_key.kid)
        assert server.request_count == requests_before + 1


@pytest.mark.parametrize(
    "check",
    [
        lambda: run_async(postgres.create_database("postgresql://postgres@127.0.0.1:1/postgres", "unused")),
        lambda: run_async(rabbitmq.check_broker("amqp://guest:guest@127.0.0.1:1/")),
        lambda: redis_keys.check_redis("redis://127.0.0.1:1/0"),
        lambda: create_bucket(S3TestSettings("http://127.0.0.1:1", "mathreel", "secret", "us-east-1", "unused")),
    ],
    ids=["postgresql", "rabbitmq", "redis", "s3"],
)
def test_unreachable_service_fails_rather_than_skips(check: Callable[[], None]) -> None:
    with pytest.raises(pytest.fail.Exception) as failure:
        check()
    assert "127.0.0.1:1 " in str(failure.value)
    assert "scripts/services.sh up" in str(failure.value)
