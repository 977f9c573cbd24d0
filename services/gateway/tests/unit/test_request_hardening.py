"""Requests an attacker would send: authentication comes before the body, ambiguous or disguised requests are refused,
tokens are strictly typed and bounded in lifetime, and every refusal is a JSON body."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path

import pytest
import uvicorn

from mathreel_gateway.app import create_app
from mathreel_gateway.main import server_config
from mathreel_shared.settings import Mode, Settings
from tests.e2e.stack import free_port

GENERATE = "/api/v1/videos/generate"
VALID = {"configuration": {"topic": "Pythagorean Theorem", "context": "Explain it."}}


@pytest.mark.parametrize("body", [b"{not json", b'{"a": NaN}', b"\xff\xfe", b"[" * 5000])
async def test_invalid_json_without_a_token_is_401(gateway, body: bytes) -> None:
    response = await gateway.client.post(GENERATE, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Not authenticated")


async def test_invalid_json_with_a_token_is_422_and_counted(make_gateway) -> None:
    async with make_gateway(rate_limit_per_minute=2) as gateway:
        headers = {**gateway.auth(), "Content-Type": "application/json"}
        first = await gateway.client.post(GENERATE, content=b"{not json", headers=headers)
        assert first.status_code == 422
        assert first.json()["detail"][0]["type"] == "json_invalid"
        assert first.headers["x-ratelimit-remaining"] == "1"
        assert (await gateway.client.post(GENERATE, content=b"[", headers=headers)).status_code == 422
        refused = await gateway.client.post(GENERATE, content=b"{", headers=headers)
        assert refused.status_code == 429


async def test_duplicate_authorization_headers_are_400(gateway) -> None:
    token = gateway.token()
    for path in ("/api/v1/videos/jobs", f"/api/v1/videos/jobs/{'0' * 8}-0000-0000-0000-{'0' * 12}/status"):
        response = await gateway.client.get(
            path, headers=[("Authorization", f"Bearer {token}"), ("Authorization", "Bearer other")]
        )
        assert response.status_code == 400, path
        assert response.json() == {"detail": "Send one Authorization header, not several"}


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
async def test_a_numeric_claim_sent_as_a_string_is_refused(gateway, claim: str) -> None:
    now = int(time.time())
    values = {"exp": now + 600, "iat": now, "nbf": now - 5}
    token = gateway.token(extra={claim: str(values[claim])})
    response = await gateway.client.get("/api/v1/videos/jobs", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == {"detail": f"claim {claim} must be a number"}


async def test_a_token_living_longer_than_the_maximum_is_refused(make_gateway) -> None:
    async with make_gateway(max_token_lifetime_seconds=3600) as gateway:
        for ttl, expected in ((3600, 200), (3601, 401), (365 * 24 * 3600, 401)):
            token = gateway.token(ttl_seconds=ttl)
            response = await gateway.client.get("/api/v1/videos/jobs", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == expected, ttl


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        {"Content-Type": "application/json", "Content-Encoding": "br"},
        {"Content-Type": "application/json; charset=latin-1"},
        {"Content-Type": "application/json; charset=utf-16"},
    ],
)
async def test_encoded_or_non_utf8_bodies_are_415(gateway, headers: dict[str, str]) -> None:
    response = await gateway.client.post(GENERATE, content=json.dumps(VALID), headers={**gateway.auth(), **headers})
    assert response.status_code == 415
    assert "detail" in response.json()


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", '"utf-8"', "utf8"])
async def test_utf8_charsets_are_accepted(gateway, charset: str) -> None:
    headers = {**gateway.auth(), "Content-Type": f"application/json; charset={charset}"}
    response = await gateway.client.post(GENERATE, content=json.dumps(VALID), headers=headers)
    assert response.status_code == 201


async def test_a_refused_cors_preflight_is_json(gateway) -> None:
    response = await gateway.client.options(
        GENERATE, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Disallowed CORS origin"}


async def test_404_and_405_are_json(gateway) -> None:
    missing = await gateway.client.get("/api/v1/nothing-here")
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not Found"})
    wrong = await gateway.client.delete(GENERATE)
    assert (wrong.status_code, wrong.json()) == (405, {"detail": "Method Not Allowed"})


async def test_uvicorns_answer_to_a_malformed_request_is_json(tmp_path: Path, migrated_sqlite_template: Path) -> None:
    shutil.copyfile(migrated_sqlite_template, tmp_path / "gateway.db")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mode=Mode.STANDALONE,
        environment="test",
        host="127.0.0.1",
        port=free_port(),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        media_dir=tmp_path / "media",
        dev_signing_key_path=tmp_path / "dev.pem",
    )
    server = uvicorn.Server(server_config(create_app(settings), settings))
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                await asyncio.sleep(0.05)
            reader, writer = await asyncio.open_connection("127.0.0.1", settings.port)
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n")
            await writer.drain()
            answer = await reader.read()
            writer.close()
    finally:
        server.should_exit = True
        await serving
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body) == {"detail": "Invalid HTTP request received."}
