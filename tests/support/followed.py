"""One real low-quality job per deployment, followed from its request to its end by every client the API has.

Rendering a job takes the better part of a minute on a busy machine, so the tests that only read a job's history
or its finished video share one job per mode (the ``finished_job`` fixture in ``tests/conftest.py``): the contract
tests (its polled statuses, video, storyboard and revision), the realtime tests (its SSE and WebSocket events) and
the trace test (its spans). While the job runs it is followed at once by an SSE stream (bearer token), a WebSocket
(ticket), in distributed mode a WebSocket on a second gateway replica, and by polling its status. Its owner is a
user of its own, whom no other test uses.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

if TYPE_CHECKING:
    from tests.conftest import Deployment

REQUEST = {
    "configuration": {
        "topic": "Pythagorean theorem",
        "context": "Explain the Pythagorean theorem with visual examples and mathematical proof",
        "quality": "low",
        "use_rag": False,
        "use_context_learning": False,
    },
    "priority": "normal",
}
TERMINAL = {"completed", "failed", "cancelled"}
# Polled every two seconds: with the tests that read the job afterwards, its owner stays well inside the limit of
# 100 requests a minute.
POLL_SECONDS = 2.0
FOLLOW_TIMEOUT = 420.0


@dataclass
class FollowedJob:
    """What the clients saw of one job, and when it was requested."""

    user: str
    job_id: str
    created: dict[str, Any]
    # Wall-clock nanoseconds just before the request that created the job was sent and just after its answer.
    requested_ns: tuple[int, int]
    sse: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    sse_raw: str = ""
    websocket: list[dict[str, Any]] = field(default_factory=list)
    other_replica: list[dict[str, Any]] = field(default_factory=list)
    polled: list[dict[str, Any]] = field(default_factory=list)
    final: dict[str, Any] = field(default_factory=dict)


def parse_sse(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(id, data) of each ``status`` event of an event stream."""
    events = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith(":")]
        if not lines:
            continue
        fields = dict(line.split(": ", 1) for line in lines)
        assert fields["event"] == "status", block
        events.append((int(fields["id"]), json.loads(fields["data"])))
    return events


async def read_sse(client: httpx.AsyncClient, path: str, headers: dict[str, str] | None = None) -> str:
    async with client.stream("GET", path, headers=headers or {}) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        return (await response.aread()).decode()


async def ticket(client: httpx.AsyncClient) -> str:
    response = await client.post("/realtime/tickets")
    assert response.status_code == 201, response.text
    assert set(response.json()) == {"ticket", "expires_at"}
    return str(response.json()["ticket"])


def ws_url(base_url: str, ticket_value: str) -> str:
    return base_url.replace("http://", "ws://") + f"/api/v1/ws?ticket={ticket_value}"


def client_for(base_url: str, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"{base_url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=httpx.Timeout(30, read=300)
    )


async def collect_ws(websocket: ClientConnection, job_id: str, into: list[dict[str, Any]]) -> None:
    """The job's statuses from a user's WebSocket, until its terminal one."""
    async for frame in websocket:
        document = json.loads(frame)
        assert document["type"] == "job.status", document
        if document["job"]["job_id"] == job_id:
            into.append(document["job"])
            if document["job"]["status"] in TERMINAL:
                return


async def poll_status(client: httpx.AsyncClient, job_id: str, into: list[dict[str, Any]]) -> None:
    """The job's status every ``POLL_SECONDS``, until a terminal one."""
    while True:
        response = await client.get(f"/videos/jobs/{job_id}/status")
        assert response.status_code == 200, response.text
        into.append(response.json())
        if into[-1]["status"] in TERMINAL:
            return
        await asyncio.sleep(POLL_SECONDS)


async def follow_job(deployment: Deployment, other_replica: str | None) -> FollowedJob:
    """Submit ``REQUEST`` as a new user and follow the job over SSE, WebSockets and polling to its end."""
    user = deployment.new_user()
    token = deployment.mint(user)
    async with client_for(deployment.base_url, token) as client:
        sockets = [await connect(ws_url(deployment.base_url, await ticket(client)))]
        if other_replica is not None:
            async with client_for(other_replica, token) as other:
                sockets.append(await connect(ws_url(other_replica, await ticket(other))))
        try:
            before = time.time_ns()
            created = await client.post("/videos/generate", json=REQUEST)
            answered = time.time_ns()
            assert created.status_code == 201, created.text
            job_id = created.json()["job_id"]
            followed = FollowedJob(user, job_id, created.json(), (before, answered))
            listeners = [
                read_sse(client, f"/videos/jobs/{job_id}/events"),
                collect_ws(sockets[0], job_id, followed.websocket),
                poll_status(client, job_id, followed.polled),
            ]
            if other_replica is not None:
                listeners.append(collect_ws(sockets[1], job_id, followed.other_replica))
            raw, *_ = await asyncio.wait_for(asyncio.gather(*listeners), FOLLOW_TIMEOUT)
        finally:
            for websocket in sockets:
                await websocket.close()
        followed.sse_raw = raw
        followed.sse = parse_sse(raw)
        followed.final = (await client.get(f"/videos/jobs/{job_id}/status")).json()
    return followed


class FollowedJobs:
    """The one followed job of each mode, made by the first test that asks for it."""

    def __init__(self) -> None:
        self._jobs: dict[str, FollowedJob] = {}
        self._lock = asyncio.Lock()

    async def of(self, deployment: Deployment, other_replica: str | None) -> FollowedJob:
        async with self._lock:
            if deployment.mode not in self._jobs:
                self._jobs[deployment.mode] = await follow_job(deployment, other_replica)
            return self._jobs[deployment.mode]
