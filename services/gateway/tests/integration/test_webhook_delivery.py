"""Webhooks end to end on real PostgreSQL and RabbitMQ: the gateway and the orchestrator write deliveries with the
job's terminal transition, the webhooks worker posts them to a local HTTP server, which verifies them with the
``standardwebhooks`` library. Retries (after a 500 and after a timeout) keep the ``webhook-id``."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mathreel_cli.standalone import serving
from mathreel_orchestrator.service import Orchestrator
from mathreel_shared import keys
from mathreel_shared.bus import Delivery, RabbitBus
from mathreel_shared.domain import Stage
from mathreel_shared.messages import RenderCompleted, StageFailed, VideoMetadata
from mathreel_shared.runtime import ServiceRuntime
from mathreel_webhooks.worker import register
from tests.e2e.stack import free_port

pytestmark = pytest.mark.integration

BODY = {"configuration": {"topic": "Pythagorean Theorem", "context": "Explain it with a proof."}}


@dataclass
class Receiver:
    """A webhook endpoint: answers each request as ``script`` says ("500", "slow", then 200 when it runs out)."""

    script: list[str] = field(default_factory=list)
    received: list[tuple[dict[str, str], str]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def endpoint(self, request: Request) -> Response:
        body = (await request.body()).decode()
        self.received.append((dict(request.headers), body))
        self.arrived.set()
        action = self.script.pop(0) if self.script else "200"
        if action == "slow":
            await asyncio.sleep(3)
        return Response(status_code=500 if action == "500" else 200)

    async def wait_for(self, count: int, timeout: float = 30) -> None:
        async with asyncio.timeout(timeout):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/hook", receiver.endpoint, methods=["POST"])])
    async with serving(app, free_port()) as base_url:
        receiver.url = f"{base_url}/hook"
        yield receiver


def _verified(headers: dict[str, str], body: str, *secrets: str) -> dict[str, Any]:
    payloads = [Webhook(secret).verify(body, headers) for secret in secrets]
    assert all(payload == payloads[0] for payload in payloads)
    return payloads[0]  # type: ignore[no-any-return]


async def test_terminal_jobs_are_delivered_signed_and_retried_with_the_same_id(
    distributed_gateway, jwks_server, amqp_url, broker_namespace, receiver
) -> None:
    bus = RabbitBus(amqp_url, f"{broker_namespace}.webhooks-{uuid.uuid4().hex[:8]}")
    await bus.start()
    try:
        async with distributed_gateway(
            jwks_server,
            bus=bus,
            rate_limit_per_minute=1000,
            webhook_allow_private_networks=True,
            webhook_timeout_seconds=1,
            webhook_retry_delays_seconds=[1, 1, 1],
        ) as gateway:
            cleanup = await register(
                ServiceRuntime(settings=gateway.settings, bus=bus, store=gateway.resources.store),
                gateway.resources.sessionmaker,
            )
            try:
                await _check_deliveries(gateway, jwks_server, receiver)
            finally:
                await cleanup()
    finally:
        await bus.close()


async def _check_deliveries(gateway, jwks_server, receiver: Receiver) -> None:
    user = f"user_{uuid.uuid4().hex[:12]}"
    auth = {"Authorization": f"Bearer {jwks_server.key.mint(user)}"}
    events = ["job.completed", "job.failed", "job.cancelled"]
    created = await gateway.client.post("/api/v1/webhooks", json={"url": receiver.url, "events": events}, headers=auth)
    assert created.status_code == 201, created.text
    webhook_id, old_secret = created.json()["id"], created.json()["secret"]
    rotated = await gateway.client.post(f"/api/v1/webhooks/{webhook_id}/rotate", headers=auth)
    new_secret = rotated.json()["secret"]

    # Cancelled through the gateway; the receiver fails once with 500, then times out, then accepts.
    receiver.script[:] = ["500", "slow"]
    job = (await gateway.client.post("/api/v1/videos/generate", json=BODY, headers=auth)).json()["job_id"]
    assert (await gateway.client.post(f"/api/v1/videos/jobs/{job}/cancel", headers=auth)).status_code == 200
    await gateway.resources.relay.relay_once()
    await receiver.wait_for(3)
    ids = {headers["webhook-id"] for headers, _ in receiver.received}
    assert len(ids) == 1
    for headers, body in receiver.received:
        # During the rotation's grace period each attempt is signed by both secrets.
        payload = _verified(headers, body, new_secret, old_secret)
        assert payload["type"] == "job.cancelled"
        assert payload["data"]["job_id"] == job
        assert payload["data"]["status"] == "cancelled"

    deliveries_url = f"/api/v1/webhooks/{webhook_id}/deliveries"
    async with asyncio.timeout(10):
        while (page := (await gateway.client.get(deliveries_url, headers=auth)).json())["items"][0][
            "status"
        ] == "pending":
            await asyncio.sleep(0.1)
    (delivery,) = page["items"]
    assert delivery["status"] == "succeeded"
    assert delivery["webhook_id"] == ids.pop()
    assert [a["response_status"] for a in delivery["attempts"]] == [500, None, 200]
    assert "timed out" in delivery["attempts"][1]["error"]
    assert delivery["next_retry_at"] is None

    # Redelivery: a new round, the same webhook-id.
    redelivered = await gateway.client.post(f"{deliveries_url}/{delivery['id']}/redeliver", headers=auth)
    assert redelivered.status_code == 202
    await gateway.resources.relay.relay_once()
    await receiver.wait_for(4)
    assert receiver.received[3][0]["webhook-id"] == delivery["webhook_id"]

    # Failed by the orchestrator (a stage gave up): job.failed with the error.
    failing = (await gateway.client.post("/api/v1/videos/generate", json=BODY, headers=auth)).json()["job_id"]
    orchestrator = Orchestrator(gateway.resources.sessionmaker)
    failure = StageFailed(
        job_id=uuid.UUID(failing), user_id=user, stage=Stage.GENERATING_SCRIPT, code="llm_error", message="no model"
    )
    await orchestrator.handle(failure, Delivery())
    await gateway.resources.relay.relay_once()
    await receiver.wait_for(5)
    headers, body = receiver.received[4]
    payload = _verified(headers, body, new_secret)
    assert payload["type"] == "job.failed"
    assert payload["data"]["job_id"] == failing
    assert payload["data"]["error"] == {"code": "llm_error", "message": "no model", "stage": "generating_script"}
    assert headers["webhook-id"] != delivery["webhook_id"]
    assert json.loads(body)["timestamp"].endswith("Z")
    # The payload is the status body the API answers, field for field.
    status_body = (await gateway.client.get(f"/api/v1/videos/jobs/{failing}/status", headers=auth)).json()
    assert payload["data"] == status_body

    # Completed by the orchestrator from render's result: job.completed with the video-url body.
    done = uuid.UUID((await gateway.client.post("/api/v1/videos/generate", json=BODY, headers=auth)).json()["job_id"])
    store = gateway.resources.store
    video, thumbnail = keys.video_key(user, done), keys.thumbnail_key(user, done)
    captions = keys.captions_key(user, done, "vtt")
    await store.put_bytes(video, b"mp4 bytes", "video/mp4")
    await store.put_bytes(thumbnail, b"jpeg bytes", "image/jpeg")
    await store.put_bytes(captions, b"WEBVTT\n", "text/vtt")
    await gateway.set_job(done, status="processing", stage="rendering", title="Right triangles")
    metadata = VideoMetadata(
        duration=12.5, width=854, height=480, fps=15, file_size=9, video_codec="h264", audio_codec="aac"
    )
    rendered = RenderCompleted(
        job_id=done,
        user_id=user,
        video_key=video,
        thumbnail_key=thumbnail,
        captions_key=captions,
        metadata=metadata,
    )
    await orchestrator.handle(rendered, Delivery())
    await gateway.resources.relay.relay_once()
    await receiver.wait_for(6)
    payload = _verified(*receiver.received[5], new_secret)
    assert payload["type"] == "job.completed"
    data = payload["data"]
    answer = (await gateway.client.get(f"/api/v1/videos/jobs/{done}/video-url", headers=auth)).json()
    assert data.keys() == answer.keys()
    assert data["metadata"] == answer["metadata"]
    assert (data["job_id"], data["status"]) == (str(done), "completed")
    assert data["thumbnail_url"] == f"{gateway.settings.public_base_url}{answer['thumbnail_url']}"
    fetched = await gateway.client.get(data["video_url"])
    assert fetched.status_code == 200
    assert fetched.content == b"mp4 bytes"

    # Other users see none of it.
    other = {"Authorization": f"Bearer {jwks_server.key.mint('user_' + uuid.uuid4().hex[:12])}"}
    assert (await gateway.client.get(deliveries_url, headers=other)).status_code == 404
    assert (await gateway.client.post(f"{deliveries_url}/{delivery['id']}/redeliver", headers=other)).status_code == 404
