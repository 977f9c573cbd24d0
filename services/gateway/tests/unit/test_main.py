"""The gateway as its entry point serves it: over a real socket, through uvicorn."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from pathlib import Path

import httpx
import pytest
import uvicorn

from mathreel_gateway.app import create_app
from mathreel_gateway.main import server_config
from mathreel_shared.settings import Mode, Settings
from mathreel_shared.telemetry import JsonLogFormatter
from tests.e2e.stack import free_port


async def test_requests_are_logged_by_route_template_never_by_raw_path(
    tmp_path: Path, migrated_sqlite_template: Path, caplog: pytest.LogCaptureFixture
) -> None:
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
        jwks_url=None,
    )
    server = uvicorn.Server(server_config(create_app(settings), settings))
    caplog.set_level(logging.INFO)
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{settings.port}") as client:
            response = await client.get("/api/v1/media/media-token-that-must-stay-secret")
        assert response.status_code == 403
    finally:
        server.should_exit = True
        await serving

    # The test's own client logs its requests through httpx: those lines are not the server's.
    server_lines = "\n".join(record.getMessage() for record in caplog.records if record.name != "httpx")
    assert "GET /api/v1/media/{token} 403" in server_lines  # the gateway's own access line
    assert "media-token-that-must-stay-secret" not in server_lines
    # As a JSON line, the access line carries its parts as fields of their own.
    (access,) = (record for record in caplog.records if record.name == "mathreel_gateway.access")
    line = json.loads(JsonLogFormatter("mathreel-gateway").format(access))
    assert line["http_method"] == "GET"
    assert line["http_route"] == "/api/v1/media/{token}"
    assert line["http_status"] == 403
    assert isinstance(line["duration_ms"], float)
