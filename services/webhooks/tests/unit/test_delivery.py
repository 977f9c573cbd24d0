"""The webhooks worker without I/O beyond loopback: retry schedule, SSRF classification, signatures."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from mathreel_shared.settings import Settings
from mathreel_shared.ssrf import UnsafeWebhookUrl, address_refusal, parse_webhook_url, resolve_webhook_target
from mathreel_shared.webhooks import WebhookEndpoint, new_webhook_secret
from mathreel_webhooks.delivery import attempt, signature_header


def test_the_production_retry_schedule_spans_more_than_a_day_and_backs_off() -> None:
    delays = Settings(_env_file=None).webhook_retry_delays_seconds  # type: ignore[call-arg]
    assert sum(delays) >= 24 * 3600
    assert delays == sorted(delays)
    assert delays[0] <= 60  # the first retry comes quickly


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not publicly routable"),
        ("::ffff:127.0.0.1", "loopback"),
    ],
)
def test_internal_addresses_are_refused_with_their_kind(address: str, reason: str) -> None:
    refusal = address_refusal(ipaddress.ip_address(address))
    assert refusal is not None
    assert reason in refusal


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_accepted(address: str) -> None:
    assert address_refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/x", "only http and https"),
        ("http://user:pw@example.com/", "credentials"),
        ("http:///nohost", "no host"),
        ("https://example.com:99999/", "malformed"),
    ],
)
def test_urls_that_are_not_plain_http_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeWebhookUrl, match=reason):
        parse_webhook_url(url)


async def test_localhost_is_refused_by_what_it_resolves_to() -> None:
    with pytest.raises(UnsafeWebhookUrl, match="loopback"):
        await resolve_webhook_target("http://localhost:8080/hook", allow_private=False)
    target = await resolve_webhook_target("http://localhost:8080/hook?a=1", allow_private=True)
    assert target.address.is_loopback
    assert target.connect_url.endswith(":8080/hook?a=1")
    assert target.host_header == "localhost:8080"


async def test_a_delivery_to_an_internal_address_is_refused_without_connecting() -> None:
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as client:
        result = await attempt(
            client,
            "http://127.0.0.1:9/hook",
            message_id="msg_1",
            body="{}",
            secrets=[new_webhook_secret()],
            timeout=1,
            allow_private=False,
            now=datetime.now(UTC),
        )
    assert requests == []
    assert not result.succeeded
    assert result.error is not None
    assert "loopback" in result.error


def test_during_a_rotation_both_secrets_sign_and_each_verifies() -> None:
    old, new = new_webhook_secret(), new_webhook_secret()
    now = datetime.now(UTC)
    endpoint = WebhookEndpoint(
        user_id="u",
        url="https://example.com",
        events=["job.completed"],
        secret=new,
        previous_secret=old,
        previous_secret_expires_at=now + timedelta(hours=1),
    )
    secrets = endpoint.signing_secrets(now)
    assert secrets == [new, old]
    assert endpoint.signing_secrets(now + timedelta(hours=2)) == [new]
    body = '{"type":"job.completed"}'
    headers = {
        "webhook-id": "msg_x",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature_header(secrets, "msg_x", now, body),
    }
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"type": "job.completed"}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_webhook_secret()).verify(body, headers)


async def test_an_https_delivery_connects_to_the_checked_address_and_keeps_the_name_for_tls() -> None:
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as client:
        result = await attempt(
            client,
            "https://localhost:8443/hooks/mathreel?team=1",
            message_id="msg_2",
            body="{}",
            secrets=[new_webhook_secret()],
            timeout=1,
            allow_private=True,
            now=datetime.now(UTC),
        )
    (request,) = requests  # the redirect was not followed
    assert request.url.host in {"127.0.0.1", "::1"}
    assert request.url.path == "/hooks/mathreel"
    assert request.url.query == b"team=1"
    assert request.headers["Host"] == "localhost:8443"
    assert request.extensions["sni_hostname"] == "localhost"
    assert request.headers["webhook-id"] == "msg_2"
    assert (result.response_status, result.error) == (302, "redirects are not followed")
