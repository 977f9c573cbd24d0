"""Security headers on every answer (errors and preflights included), the CORS allowlist, secrets kept out of logs
and settings' repr, and the gateway's Prometheus metrics."""

from __future__ import annotations

import logging
import re
import uuid

import pytest
from pydantic import SecretStr

from mathreel_shared.settings import Settings
from tests.security.conftest import ALLOWED_ORIGIN, GatewayOpener, RunningGateway, new_user, stage_completed_job
from tests.support.jwks import JwksServer

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
}


def _assert_security_headers(response: object, what: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (what, name, dict(headers))


async def test_security_headers_on_successes_errors_preflights_and_failures(
    gateway: RunningGateway, jwks_server: JwksServer
) -> None:
    auth = {"Authorization": f"Bearer {jwks_server.key.mint(new_user())}"}

    async def boom() -> None:
        raise RuntimeError("deliberate failure")

    gateway.app.add_api_route("/__boom", boom)
    cases = {
        "200": await gateway.client.get("/api/v1/videos/jobs", headers=auth),
        "401": await gateway.client.get("/api/v1/videos/jobs"),
        "404 route": await gateway.client.get("/nowhere"),
        "404 job": await gateway.client.get(f"/api/v1/videos/jobs/{uuid.uuid4()}/status", headers=auth),
        "405": await gateway.client.delete("/api/v1/videos/jobs", headers=auth),
        "413": await gateway.client.post(
            "/api/v1/videos/generate", content=b"x" * 100_000, headers={**auth, "Content-Type": "application/json"}
        ),
        "415": await gateway.client.post("/api/v1/videos/generate", content=b"x", headers=auth),
        "422": await gateway.client.get("/api/v1/videos/jobs/not-a-uuid/status", headers=auth),
        "500": await gateway.client.get("/__boom"),
        "preflight": await gateway.client.options(
            "/api/v1/videos/jobs", headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET"}
        ),
        "metrics": await gateway.client.get("/metrics"),
        "openapi": await gateway.client.get("/openapi.json"),
    }
    for what, response in cases.items():
        _assert_security_headers(response, what)
    assert cases["500"].status_code == 500
    assert cases["500"].json() == {"detail": "Internal server error"}  # no exception text reaches the client
    assert cases["401"].headers["cache-control"] == "no-store"


async def test_cors_allows_only_the_configured_origins(gateway: RunningGateway, jwks_server: JwksServer) -> None:
    auth = {"Authorization": f"Bearer {jwks_server.key.mint(new_user())}"}
    allowed = await gateway.client.get("/api/v1/videos/jobs", headers={**auth, "Origin": ALLOWED_ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "x-ratelimit-remaining" in allowed.headers["access-control-expose-headers"].lower()

    for origin in ("https://evil.example", "null", ALLOWED_ORIGIN + ".evil.example", "http://app.mathreel.example"):
        other = await gateway.client.get("/api/v1/videos/jobs", headers={**auth, "Origin": origin})
        assert "access-control-allow-origin" not in other.headers, origin

    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    ok = await gateway.client.options("/api/v1/videos/generate", headers={**preflight, "Origin": ALLOWED_ORIGIN})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()

    refused = await gateway.client.options(
        "/api/v1/videos/generate", headers={**preflight, "Origin": "https://evil.example"}
    )
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    put = await gateway.client.options(
        "/api/v1/videos/jobs",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "PUT"},
    )
    assert put.status_code == 400  # only GET, HEAD, POST, DELETE (webhooks) and OPTIONS are allowed cross-origin
    delete = await gateway.client.options(
        "/api/v1/webhooks/00000000-0000-0000-0000-000000000000",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "DELETE"},
    )
    assert delete.status_code == 200


async def test_tokens_and_secrets_never_reach_the_logs(
    standalone_media_settings: Settings,
    gateway_opener: GatewayOpener,
    jwks_server: JwksServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user = new_user()
    settings = standalone_media_settings.model_copy(update={"log_level": "DEBUG"})
    job = await stage_completed_job(settings, user)
    token = jwks_server.key.mint(user)
    expired = jwks_server.key.mint(user, ttl_seconds=-3600)
    caplog.set_level(logging.DEBUG)
    async with gateway_opener(settings) as gateway:

        async def boom() -> None:
            raise RuntimeError("deliberate failure")

        gateway.app.add_api_route("/__boom", boom)
        auth = {"Authorization": f"Bearer {token}"}
        url = (await gateway.client.get(f"/api/v1/videos/jobs/{job}/video-url", headers=auth)).json()["video_url"]
        media_token = url.rsplit("/", 1)[-1]
        assert (await gateway.client.get(f"/api/v1/media/{media_token}")).status_code == 200
        assert (await gateway.client.get(f"/api/v1/media/{media_token}x")).status_code == 403
        bad_token = token[:-6] + "AAAAAA"
        for header in (f"Bearer {bad_token}", f"Bearer {expired}", f"Basic {token}"):
            assert (await gateway.client.get("/api/v1/videos/jobs", headers={"Authorization": header})).status_code
        await gateway.client.get("/__boom", headers=auth)

    # The test's own client logs its requests (URLs included) through httpx: those lines are not the gateway's.
    server_records = [r for r in caplog.records if not (r.name == "httpx" and "http://testserver" in r.getMessage())]
    text = "\n".join(f"{record.getMessage()} {record.exc_text or ''} {record.__dict__}" for record in server_records)
    assert "/api/v1/videos/jobs" in text  # the access log did record the requests (by route template)
    secrets = {
        "token signature": token.rsplit(".", 1)[-1],
        "token payload": token.split(".")[1],
        "tampered token": bad_token.rsplit(".", 1)[-1],
        "expired token": expired.rsplit(".", 1)[-1],
        "media token": media_token.split(".")[-1],
        "media signing secret": settings.media_signing_secret.get_secret_value(),
        "S3 secret key": settings.s3_secret_access_key.get_secret_value(),
    }
    for name, secret in secrets.items():
        assert secret not in text, name


def test_settings_repr_hides_secret_values() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        media_signing_secret=SecretStr("media-secret-value-1234"),
        s3_secret_access_key=SecretStr("s3-secret-value-5678"),
    )
    for text in (repr(settings), str(settings), str(settings.model_dump())):
        assert "media-secret-value-1234" not in text
        assert "s3-secret-value-5678" not in text


def test_settings_repr_hides_passwords_in_connection_urls() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        amqp_url="amqp://mathreel:amqp-password-42@broker:5672/",
        database_url="postgresql+asyncpg://mathreel:db-password-42@db/mathreel",
    )
    assert "amqp-password-42" not in repr(settings)
    assert "db-password-42" not in repr(settings)
    assert "amqp://mathreel:***@broker:5672/" in repr(settings)
    assert settings.database_url.endswith("db-password-42@db/mathreel"), "the value itself is unchanged"


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 when absent)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return 0.0


async def test_metrics_count_requests_jobs_and_refusals_without_auth_or_rate_limit(
    gateway_settings: Settings, gateway_opener: GatewayOpener, jwks_server: JwksServer
) -> None:
    settings = gateway_settings.model_copy(update={"rate_limit_per_minute": 4, "max_active_jobs_per_user": 1})
    async with gateway_opener(settings) as gateway:
        before = (await gateway.client.get("/metrics")).text
        user = new_user()
        auth = {"Authorization": f"Bearer {jwks_server.key.mint(user)}"}
        body = {"configuration": {"topic": "Limits", "context": "Explain.", "quality": "low"}, "priority": "high"}
        assert (await gateway.client.post("/api/v1/videos/generate", json=body, headers=auth)).status_code == 201
        refused = await gateway.client.post("/api/v1/videos/generate", json=body, headers=auth)
        assert refused.json()["limit"] == "active_jobs"
        probed = uuid.uuid4()
        assert (await gateway.client.get(f"/api/v1/videos/jobs/{probed}/status", headers=auth)).status_code == 404
        assert (await gateway.client.get("/api/v1/videos/jobs", headers=auth)).status_code == 200
        assert (await gateway.client.get("/api/v1/videos/jobs", headers=auth)).json()["limit"] == "rate"

        # Unauthenticated, and never counted against anyone's limit: scraped far more often than 4 times a minute.
        scrapes = [await gateway.client.get("/metrics") for _ in range(10)]
        assert {response.status_code for response in scrapes} == {200}
        assert all("x-ratelimit-limit" not in response.headers for response in scrapes)
        assert scrapes[-1].headers["content-type"].startswith("text/plain")
        after = scrapes[-1].text

    def delta(name: str, **labels: str) -> float:
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    assert delta("mathreel_gateway_jobs_submitted_total", priority="high", quality="low") == 1
    assert delta("mathreel_gateway_limit_refusals_total", limit="active_jobs") == 1
    assert delta("mathreel_gateway_limit_refusals_total", limit="rate") == 1
    route = "/api/v1/videos/jobs/{job_id}/status"
    assert delta("mathreel_gateway_request_duration_seconds_count", method="GET", route=route, status="404") == 1
    assert delta("mathreel_gateway_request_duration_seconds_count", method="GET", route="/metrics", status="200") >= 10
    created = delta(
        "mathreel_gateway_request_duration_seconds_count",
        method="POST",
        route="/api/v1/videos/generate",
        status="201",
    )
    assert created == 1
    assert str(probed) not in after  # labels are route templates, never job ids
