"""One HTTP attempt at a webhook: signed per Standard Webhooks, to the address that passed the SSRF check.

The connection goes to the checked IP address (the Host header and the TLS server name keep the URL's name, and the
certificate is verified against it), so a name cannot resolve to a public address at the check and to an internal
one at the connection. Redirects are not followed (a 3xx is a failed attempt), environment proxies are ignored, the
whole attempt is bounded by the timeout, and the response body is never read.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from dataclasses import dataclass
from datetime import datetime

import httpx
from standardwebhooks.webhooks import Webhook

from mathreel_shared.ssrf import UnsafeWebhookUrl, resolve_webhook_target

USER_AGENT = "Mathreel-Webhooks/1.0"


@dataclass(frozen=True)
class AttemptResult:
    response_status: int | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.response_status is not None and 200 <= self.response_status < 300


def signature_header(secrets: list[str], message_id: str, timestamp: datetime, body: str) -> str:
    """``webhook-signature``: one ``v1,<base64>`` per secret, space-separated (the spec's form for rotation)."""
    return " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in secrets)


def create_client() -> httpx.AsyncClient:
    """No redirects, no proxies from the environment, and no kept-alive connections: the pool is keyed by the
    address connected to, so a TLS connection opened for one host name must not carry another name's delivery."""
    return httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        limits=httpx.Limits(max_keepalive_connections=0),
        headers={"User-Agent": USER_AGENT},
    )


async def attempt(
    client: httpx.AsyncClient,
    url: str,
    *,
    message_id: str,
    body: str,
    secrets: list[str],
    timeout: float,
    allow_private: bool,
    now: datetime,
) -> AttemptResult:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = await resolve_webhook_target(url, allow_private=allow_private)
    except UnsafeWebhookUrl as exc:
        return AttemptResult(None, f"refused: {exc}", elapsed())
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature_header(secrets, message_id, now, body),
    }
    extensions = {}
    if target.url.scheme == "https" and not _is_ip(target.host):
        extensions["sni_hostname"] = target.host
    try:
        async with asyncio.timeout(timeout):
            async with client.stream(
                "POST",
                target.connect_url,
                content=body.encode(),
                headers=headers,
                extensions=extensions,
                timeout=httpx.Timeout(timeout),
            ) as response:
                status = response.status_code
    except (TimeoutError, httpx.TimeoutException):
        return AttemptResult(None, f"timed out after {timeout:g} s", elapsed())
    except httpx.HTTPError as exc:
        return AttemptResult(None, f"{type(exc).__name__}: {exc}"[:500], elapsed())
    if 300 <= status < 400:
        return AttemptResult(status, "redirects are not followed", elapsed())
    if not 200 <= status < 300:
        return AttemptResult(status, f"the endpoint answered {status}", elapsed())
    return AttemptResult(status, None, elapsed())


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
