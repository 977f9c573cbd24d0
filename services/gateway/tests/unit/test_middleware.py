"""The body middleware's deadline and the last-resort JSON 500, driven as plain ASGI."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import Message

from mathreel_gateway.middleware import BodyLimitMiddleware, ResponseHeadersMiddleware

SCOPE: dict[str, Any] = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"10")]}


async def _never_called(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("the app must not run")


async def test_a_body_not_received_in_time_is_408_json_and_closes() -> None:
    sent: list[Message] = []

    async def trickle() -> Message:
        await asyncio.sleep(0.05)
        return {"type": "http.request", "body": b"x", "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    middleware = BodyLimitMiddleware(_never_called, max_bytes=1000, read_timeout=0.2)
    await asyncio.wait_for(middleware(SCOPE, trickle, send), timeout=2)
    assert sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]
    assert "0.2 seconds" in json.loads(sent[1]["body"])["detail"]


async def test_an_unexpected_exception_becomes_a_json_500_with_security_headers() -> None:
    sent: list[Message] = []

    async def failing(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("secret detail")

    async def send(message: Message) -> None:
        sent.append(message)

    async def never_received() -> Message:
        raise AssertionError("the body is never read")

    await ResponseHeadersMiddleware(failing)({"type": "http", "headers": []}, never_received, send)
    headers = dict(sent[0]["headers"])
    assert sent[0]["status"] == 500
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert json.loads(sent[1]["body"]) == {"detail": "Internal server error"}
