"""The JWKS cache on any host: a monotonic clock near 0 (a freshly booted machine) must not look like a fetch."""

from __future__ import annotations

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mathreel_shared import auth
from mathreel_shared.auth import DevSigningKey, JwksCache, JwksUnavailable


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _transport(answer: httpx.Response | None) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    requests: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if answer is None:
            raise httpx.ConnectError("unreachable", request=request)
        return answer

    return httpx.MockTransport(handle), requests


@pytest.mark.parametrize("uptime", [0.0, 1.5, 299.0, 1_000_000.0])
async def test_not_ready_before_any_fetch_whatever_the_uptime(monkeypatch: pytest.MonkeyPatch, uptime: float) -> None:
    monkeypatch.setattr(auth.time, "monotonic", Clock(uptime))
    transport, requests = _transport(None)
    cache = JwksCache("http://jwks.invalid/keys", ttl_seconds=300, transport=transport)
    assert await cache.ready() is False
    assert len(requests) == 1  # it tried, rather than trusting keys it never had
    assert not cache.has_fresh_key("any")
    with pytest.raises(JwksUnavailable):
        await cache.key_for("any")


@pytest.mark.parametrize("uptime", [0.0, 1_000_000.0])
async def test_ready_after_a_fetch_and_until_its_ttl(monkeypatch: pytest.MonkeyPatch, uptime: float) -> None:
    clock = Clock(uptime)
    monkeypatch.setattr(auth.time, "monotonic", clock)
    key = DevSigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    transport, requests = _transport(httpx.Response(200, json=key.jwks()))
    cache = JwksCache("http://jwks.invalid/keys", ttl_seconds=300, transport=transport)
    assert await cache.ready() is True
    assert cache.has_fresh_key(key.kid)
    clock.now += 299
    assert await cache.ready() is True
    assert len(requests) == 1
    clock.now += 2
    assert not cache.has_fresh_key(key.kid)
    assert await cache.ready() is True
    assert len(requests) == 2
