"""Job events over SSE and WebSocket, in both modes, on real components (docs/realtime.md).

The assertions below share one real low-quality job per mode (``finished_job``, ``tests/support/followed.py``),
followed from its request to its end at once by an SSE stream (bearer token), a WebSocket (ticket) and, in
distributed mode, a WebSocket on a second gateway replica.
"""

from __future__ import annotations

import json

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import Deployment
from tests.support.followed import FollowedJob, client_for, parse_sse, read_sse, ticket, ws_url

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture
def followed(finished_job: FollowedJob) -> FollowedJob:
    return finished_job


async def test_sse_streams_every_change_numbered_and_ends_with_the_terminal_status(followed: FollowedJob) -> None:
    ids = [seq for seq, _ in followed.sse]
    bodies = [body for _, body in followed.sse]
    assert followed.final["status"] == "completed", followed.final
    # Numbered one by one, no gap, no repeat; the first is the status at connection time, the last the final one.
    assert ids == list(range(ids[0], ids[0] + len(ids))), ids
    assert ids[0] <= 2
    assert bodies[-1] == followed.final
    assert [body["status"] for body in bodies[:-1]] == [
        body["status"] for body in bodies[:-1] if body["status"] in {"queued", "processing"}
    ]
    stages = [body["progress"]["current_stage"] for body in bodies]
    assert {"generating_script", "generating_audio", "generating_visuals", "rendering", "completed"} <= set(stages)
    percentages = [body["progress"]["percentage"] for body in bodies]
    assert percentages == sorted(percentages)
    # Each event is a change of status, stage or percentage.
    fingerprints = [(b["status"], b["progress"]["current_stage"], b["progress"]["percentage"]) for b in bodies]
    assert len(set(fingerprints)) == len(fingerprints)
    for body in bodies:
        assert ("queue_position" in body) == (body["status"] == "queued"), body
        # Fields that only a finished job has: the error of a failed one, what a completed one cost.
        finished_only = {"error", "resources"}
        assert set(body) - {"queue_position"} - finished_only == set(followed.final) - finished_only


async def test_the_websocket_carries_the_same_statuses(followed: FollowedJob, deployment: Deployment) -> None:
    assert followed.websocket[-1] == followed.final
    # A WebSocket client may skip intermediate progress when it reads slowly, never the latest state; ours kept up.
    sse_bodies = [body for _, body in followed.sse]
    assert all(body in sse_bodies for body in followed.websocket if body["status"] != "queued")
    assert len(followed.websocket) >= 5
    if deployment.mode == "distributed":
        # Connected to the other replica: it saw the job submitted through the first one.
        assert followed.other_replica[-1] == followed.final
        assert len(followed.other_replica) >= 5


async def test_last_event_id_resumes_without_loss(followed: FollowedJob, deployment: Deployment) -> None:
    token = deployment.mint(followed.user)
    path = f"/videos/jobs/{followed.job_id}/events"
    async with client_for(deployment.base_url, token) as client:
        middle = followed.sse[len(followed.sse) // 2][0]
        resumed = parse_sse(await read_sse(client, path, {"Last-Event-ID": str(middle)}))
        assert resumed == [event for event in followed.sse if event[0] > middle]
        # Without Last-Event-ID, a finished job's stream is its final status alone; so with one that is not an id
        # of this job's events.
        assert parse_sse(await read_sse(client, path)) == [followed.sse[-1]]
        assert parse_sse(await read_sse(client, path, {"Last-Event-ID": "99999"})) == [followed.sse[-1]]
        assert parse_sse(await read_sse(client, path, {"Last-Event-ID": "abc"})) == [followed.sse[-1]]


async def test_tickets_are_single_use_and_bound_to_their_user(followed: FollowedJob, deployment: Deployment) -> None:
    path = f"/videos/jobs/{followed.job_id}/events"
    async with client_for(deployment.base_url, deployment.mint(followed.user)) as owner:
        one = await ticket(owner)
        async with httpx.AsyncClient(base_url=f"{deployment.base_url}/api/v1", timeout=30) as anonymous:
            first = parse_sse(await read_sse(anonymous, f"{path}?ticket={one}"))
            assert first == [followed.sse[-1]]
            again = await anonymous.get(f"{path}?ticket={one}")
            assert again.status_code == 401
            assert "ticket" in again.json()["detail"]
            unknown = await anonymous.get(f"{path}?ticket=not-a-ticket")
            assert unknown.status_code == 401
        used = await ticket(owner)
        async with connect(ws_url(deployment.base_url, used)) as websocket:
            await websocket.send(json.dumps({"type": "ping"}))
            assert json.loads(await websocket.recv()) == {"type": "pong"}
        with pytest.raises(ConnectionClosed) as closed:
            async with connect(ws_url(deployment.base_url, used)) as websocket:
                await websocket.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4401


async def test_another_users_job_is_not_found(followed: FollowedJob, deployment: Deployment) -> None:
    stranger = deployment.mint(deployment.new_user())
    async with client_for(deployment.base_url, stranger) as client:
        path = f"/videos/jobs/{followed.job_id}"
        status = await client.get(f"{path}/status")
        events = await client.get(f"{path}/events")
        assert status.status_code == events.status_code == 404
        assert events.json() == status.json()
        # A stranger's ticket does not open the owner's job either.
        events_by_ticket = await client.get(f"{path}/events?ticket={await ticket(client)}")
        assert events_by_ticket.status_code == 404
        assert events_by_ticket.json() == status.json()


async def test_connections_per_user_are_bounded(deployment: Deployment) -> None:
    token = deployment.mint(deployment.new_user())
    async with client_for(deployment.base_url, token) as client:
        sockets = []
        try:
            for _ in range(10):  # MATHREEL_REALTIME_MAX_CONNECTIONS_PER_USER
                sockets.append(await connect(ws_url(deployment.base_url, await ticket(client))))
            with pytest.raises(ConnectionClosed) as closed:
                async with connect(ws_url(deployment.base_url, await ticket(client))) as extra:
                    await extra.recv()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4429
            refused = await client.get("/videos/jobs/00000000-0000-4000-8000-000000000000/events")
            assert refused.status_code == 404  # an unknown job is refused before a connection is counted
        finally:
            for websocket in sockets:
                await websocket.close()
