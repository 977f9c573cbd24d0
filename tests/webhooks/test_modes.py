"""A job that ends is delivered as a signed webhook in both modes: the standalone server (in-process bus, SQLite) and
the distributed stack (the webhooks worker as its own process, RabbitMQ, PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mathreel_cli.standalone import serving
from tests.conftest import Deployment
from tests.e2e.stack import free_port

BODY = {"configuration": {"topic": "Pythagorean Theorem", "context": "Explain it with a proof."}, "priority": "low"}


@pytest.fixture
async def inbox() -> AsyncIterator[tuple[str, asyncio.Queue[tuple[dict[str, str], str]]]]:
    received: asyncio.Queue[tuple[dict[str, str], str]] = asyncio.Queue()

    async def hook(request: Request) -> Response:
        await received.put((dict(request.headers), (await request.body()).decode()))
        return Response(status_code=204)

    async with serving(Starlette(routes=[Route("/hook", hook, methods=["POST"])]), free_port()) as base_url:
        yield f"{base_url}/hook", received


async def test_a_cancelled_job_is_delivered_to_the_users_webhook(deployment: Deployment, inbox) -> None:
    url, received = inbox
    user = deployment.new_user()
    auth = {"Authorization": f"Bearer {deployment.mint(user)}"}
    async with httpx.AsyncClient(base_url=deployment.base_url, timeout=30) as client:
        created = await client.post("/api/v1/webhooks", json={"url": url, "events": ["job.cancelled"]}, headers=auth)
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        job = (await client.post("/api/v1/videos/generate", json=BODY, headers=auth)).json()["job_id"]
        assert (await client.post(f"/api/v1/videos/jobs/{job}/cancel", headers=auth)).status_code == 200
        headers, body = await asyncio.wait_for(received.get(), timeout=60)
        payload = Webhook(secret).verify(body, headers)
        assert payload["type"] == "job.cancelled"
        assert payload["data"]["job_id"] == job
        assert payload["data"]["status"] == "cancelled"
        deliveries = (await client.get(f"/api/v1/webhooks/{created.json()['id']}/deliveries", headers=auth)).json()
        assert deliveries["items"][0]["webhook_id"] == headers["webhook-id"]
        assert deliveries["items"][0]["job_id"] == job
