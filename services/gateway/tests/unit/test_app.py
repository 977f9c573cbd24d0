"""Cross-cutting behaviour of the app: authentication, rate limiting, CORS, headers, OpenAPI."""

from __future__ import annotations

import time

from mathreel_gateway.ratelimit import RateDecision, RateLimiterUnavailable
from mathreel_shared.auth import DevSigningKey

STATUS_URL = "/api/v1/videos/jobs"


# --- authentication -------------------------------------------------------------------------------------------------
async def test_missing_token_is_401_with_a_bearer_challenge(gateway) -> None:
    response = await gateway.client.get(STATUS_URL)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "detail" in response.json()
    assert "x-ratelimit-limit" not in response.headers


async def test_authentication_comes_before_validating_the_path(gateway) -> None:
    """Without a token, a malformed job id is a 401 like any other request, not a 422 that answers first."""
    for path in ("/api/v1/videos/jobs/nope/status", "/api/v1/videos/jobs/nope/video-url"):
        response = await gateway.client.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Bearer"), path


async def test_bad_tokens_are_401_invalid_token(gateway) -> None:
    stranger = DevSigningKey.load_or_create(gateway.settings.dev_signing_key_path.with_name("stranger.pem"))
    cases = {
        "garbage": "not-a-jwt",
        "expired": gateway.signing_key.mint("user_alice", issuer="mathreel-dev", ttl_seconds=-3600),
        "wrong issuer": gateway.signing_key.mint("user_alice", issuer="someone-else"),
        "unknown key": stranger.mint("user_alice", issuer="mathreel-dev"),
        "bad subject": gateway.signing_key.mint("../etc", issuer="mathreel-dev"),
    }
    for name, token in cases.items():
        response = await gateway.client.get(STATUS_URL, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith('Bearer error="invalid_token", error_description="'), name
        assert isinstance(response.json()["detail"], str)
    basic = await gateway.client.get(STATUS_URL, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401


async def test_jwks_unreachable_is_503(make_gateway) -> None:
    async with make_gateway(jwks_url="http://127.0.0.1:9/jwks.json") as remote:
        response = await remote.client.get(STATUS_URL, headers=remote.auth())
        assert response.status_code == 503
        assert response.json()["detail"].startswith("Authentication is temporarily unavailable")
        ready = await remote.client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["auth"] != "ok"


# --- rate limiting --------------------------------------------------------------------------------------------------
async def test_rate_limit_headers_on_every_authenticated_response_and_429_past_the_limit(make_gateway) -> None:
    async with make_gateway(rate_limit_per_minute=4) as gateway:
        ok = await gateway.client.get(STATUS_URL, headers=gateway.auth())
        not_found = await gateway.client.get(
            "/api/v1/videos/jobs/00000000-0000-0000-0000-000000000000/status", headers=gateway.auth()
        )
        invalid = await gateway.client.get("/api/v1/videos/jobs/nope/status", headers=gateway.auth())
        unprocessable = await gateway.client.post("/api/v1/videos/generate", json={}, headers=gateway.auth())
        assert [r.status_code for r in (ok, not_found, invalid, unprocessable)] == [200, 404, 422, 422]
        assert [r.headers["x-ratelimit-remaining"] for r in (ok, not_found, invalid, unprocessable)] == [
            "3",
            "2",
            "1",
            "0",
        ]
        for response in (ok, not_found, invalid, unprocessable):
            assert response.headers["x-ratelimit-limit"] == "4"
        # X-RateLimit-Reset is when the next request is allowed: now while some allowance is left, else when the
        # first request leaves the 60-second window.
        for response in (ok, not_found, invalid):
            assert 0 <= int(response.headers["x-ratelimit-reset"]) - time.time() <= 1
        assert 58 < int(unprocessable.headers["x-ratelimit-reset"]) - time.time() <= 61

        limited = await gateway.client.get(STATUS_URL, headers=gateway.auth())
        assert limited.status_code == 429
        assert limited.json()["detail"] == "Rate limit exceeded: 4 requests per minute"
        assert limited.json()["limit"] == "rate"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["x-ratelimit-remaining"] == "0"
        # Another user has a budget of their own.
        assert (await gateway.client.get(STATUS_URL, headers=gateway.auth("user_bob"))).status_code == 200


class BrokenLimiter:
    limit = 100

    async def hit(self, user_id: str) -> RateDecision:
        raise RateLimiterUnavailable("connection refused")

    async def ping(self) -> None:
        raise RateLimiterUnavailable("connection refused")

    async def close(self) -> None:
        return None


async def test_rate_limiter_down_is_503_not_unlimited(make_gateway) -> None:
    async with make_gateway(rate_limiter=BrokenLimiter()) as gateway:
        response = await gateway.client.get(STATUS_URL, headers=gateway.auth())
        assert response.status_code == 503
        assert response.json() == {"detail": "Rate limiter is temporarily unavailable"}
        assert (await gateway.client.get("/ready")).json()["checks"]["cache"] != "ok"


# --- CORS and security headers --------------------------------------------------------------------------------------
async def test_cors_preflight_and_exposed_headers(gateway) -> None:
    preflight = await gateway.client.options(
        "/api/v1/videos/generate",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()

    actual = await gateway.client.get(STATUS_URL, headers={**gateway.auth(), "Origin": "http://localhost:3000"})
    exposed = actual.headers["access-control-expose-headers"].lower()
    for header in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "content-range", "retry-after"):
        assert header in exposed

    foreign = await gateway.client.options(
        "/api/v1/videos/generate",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in foreign.headers


async def test_security_headers_and_no_store_on_json(gateway) -> None:
    for response in (await gateway.client.get("/health"), await gateway.client.get(STATUS_URL)):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"


async def test_openapi_documents_limits_errors_and_auth(gateway) -> None:
    schema = (await gateway.client.get("/openapi.json")).json()
    generate = schema["paths"]["/api/v1/videos/generate"]["post"]
    assert {"201", "401", "413", "415", "422", "429"} <= set(generate["responses"])
    configuration = schema["components"]["schemas"]["VideoConfiguration"]
    assert configuration["properties"]["topic"]["maxLength"] == 200
    assert configuration["properties"]["context"]["maxLength"] == 5000
    assert configuration["additionalProperties"] is False
    video_url = schema["paths"]["/api/v1/videos/jobs/{job_id}/video-url"]["get"]
    assert {"200", "404", "409"} <= set(video_url["responses"])
    assert "other users" in video_url["responses"]["404"]["description"]
    stream = schema["paths"]["/api/v1/videos/jobs/{job_id}/stream"]["get"]
    assert {"200", "206", "416"} <= set(stream["responses"])
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    status_schema = schema["components"]["schemas"]["JobStatusResponse"]
    assert {"job_id", "status", "progress", "created_at", "updated_at", "estimated_completion_time", "error"} <= set(
        status_schema["properties"]
    )
