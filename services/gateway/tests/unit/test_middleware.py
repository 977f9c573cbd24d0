"""The body middleware's deadline and the last-resort JSON 500, driven as plain ASGI."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import Message

from mathreel_gateway.deps import RATE_DECISION_SCOPE_KEY
from mathreel_gateway.middleware import BodyLimitMiddleware, ResponseHeadersMiddleware
from mathreel_gateway.ratelimit import RateDecision

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


async def test_standard_headers_are_added_once_and_the_rate_decision_replaces_stale_values() -> None:
    sent: list[Message] = []
    decision = RateDecision(allowed=True, limit=100, remaining=7, reset_at=1_800_000_060, retry_after=30)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        scope[RATE_DECISION_SCOPE_KEY] = decision
        headers = [
            (b"content-type", b"application/json"),
            (b"X-Frame-Options", b"SAMEORIGIN"),  # the route's own choice stays
            (b"x-ratelimit-remaining", b"99"),  # stale: replaced by the decision's
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    async def send(message: Message) -> None:
        sent.append(message)

    async def never_received() -> Message:
        raise AssertionError("the body is never read")

    await ResponseHeadersMiddleware(app)({"type": "http", "headers": []}, never_received, send)
    names = [name.lower() for name, _ in sent[0]["headers"]]
    headers = {name.lower(): value for name, value in sent[0]["headers"]}
    assert len(names) == len(set(names))
    assert headers[b"x-frame-options"] == b"SAMEORIGIN"
    assert headers[b"x-content-type-options"] == b"nosniff"
    assert headers[b"cache-control"] == b"no-store"
    assert headers[b"x-ratelimit-remaining"] == b"7"
    assert headers[b"x-ratelimit-limit"] == b"100"
    assert headers[b"x-ratelimit-reset"] == b"1800000060"


async def test_a_cache_policy_of_the_route_is_kept_and_media_gets_none_added() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        for content_type, extra in ((b"application/json", [(b"cache-control", b"max-age=60")]), (b"image/jpeg", [])):
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", content_type), *extra]}
            )

    async def never_received() -> Message:
        raise AssertionError("the body is never read")

    seen: list[list[tuple[bytes, bytes]]] = []

    async def recording(message: Message) -> None:
        seen.append(list(message["headers"]))

    await ResponseHeadersMiddleware(app)({"type": "http", "headers": []}, never_received, recording)
    json_headers, jpeg_headers = (dict(headers) for headers in seen)
    assert json_headers[b"cache-control"] == b"max-age=60"
    assert b"cache-control" not in jpeg_headers
    assert jpeg_headers[b"x-content-type-options"] == b"nosniff"
