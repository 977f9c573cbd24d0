"""Slow clients against a real uvicorn server on a free port, over raw sockets, bounded in time.

uvicorn bounds only the idle time between requests on a kept-alive connection (``timeout_keep_alive``); it has no
deadline for receiving a request body. The gateway's body middleware supplies one: a client trickling its body is
answered 408 and disconnected, and meanwhile other clients are served as usual.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from mathreel_gateway.app import create_app
from mathreel_shared.settings import Settings
from tests.e2e.stack import free_port
from tests.security.conftest import new_user
from tests.support.jwks import JwksServer

BODY_READ_TIMEOUT = 1.5


@pytest.fixture
def served_gateway(gateway_settings: Settings) -> Iterator[str]:
    """The gateway under uvicorn, configured as ``mathreel-gateway`` runs it, in a background thread."""
    port = free_port()
    app = create_app(gateway_settings, body_read_timeout=BODY_READ_TIMEOUT)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, timeout_keep_alive=5)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        assert thread.is_alive(), "uvicorn stopped while starting"
        time.sleep(0.05)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def test_a_client_trickling_its_body_gets_408_and_does_not_hold_up_others(
    served_gateway: str, jwks_server: JwksServer
) -> None:
    host, port = served_gateway.split(":")
    token = jwks_server.key.mint(new_user())
    body = json.dumps({"configuration": {"topic": "Limits", "context": "x" * 200}}).encode()
    reader, writer = await asyncio.open_connection(host, int(port))
    started = time.monotonic()
    writer.write(
        b"POST /api/v1/videos/generate HTTP/1.1\r\n"
        + f"Host: {served_gateway}\r\nAuthorization: Bearer {token}\r\n".encode()
        + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    await writer.drain()

    async def trickle() -> int:
        sent = 0
        for byte in body:
            if writer.is_closing():
                break
            try:
                writer.write(bytes([byte]))
                await writer.drain()
            except ConnectionError:
                break
            sent += 1
            await asyncio.sleep(0.2)
        return sent

    trickler = asyncio.create_task(trickle())
    try:
        # While the slow body drips in, the server answers everyone else at once.
        async with httpx.AsyncClient(base_url=f"http://{served_gateway}", timeout=5) as client:
            for _ in range(5):
                quick = await client.get("/api/v1/videos/jobs", headers={"Authorization": f"Bearer {token}"})
                assert quick.status_code == 200
        status, headers, answer = await asyncio.wait_for(_read_response(reader), timeout=BODY_READ_TIMEOUT + 5)
        elapsed = time.monotonic() - started
    finally:
        trickler.cancel()
        writer.close()
    assert status == 408
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert "not received within" in json.loads(answer)["detail"]
    assert BODY_READ_TIMEOUT <= elapsed < BODY_READ_TIMEOUT + 3
    # The connection is closed by the server: the rest of the body goes nowhere.
    assert await asyncio.wait_for(reader.read(), timeout=5) == b""


async def test_many_stalled_connections_do_not_stop_the_server_answering(served_gateway: str) -> None:
    host, port = served_gateway.split(":")
    stalled: list[asyncio.StreamWriter] = []
    try:
        for _ in range(50):
            # Half a request line, then silence: the classic slowloris opening.
            _reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(b"GET /api/v1/videos/jo")
            await writer.drain()
            stalled.append(writer)
        async with httpx.AsyncClient(base_url=f"http://{served_gateway}", timeout=5) as client:
            started = time.monotonic()
            health = await client.get("/health")
            assert health.status_code == 200
            assert time.monotonic() - started < 1.0
    finally:
        for writer in stalled:
            writer.close()
