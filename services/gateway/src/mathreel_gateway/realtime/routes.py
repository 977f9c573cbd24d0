"""The realtime routes: connection tickets, a job's events over SSE, and all of a user's job events over a WebSocket.

docs/realtime.md is the guide for clients; the OpenAPI descriptions below say the same in short.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlmodel import col
from starlette.responses import StreamingResponse

from mathreel_gateway.deps import BearerAuthentication, CurrentUser, ResourcesDep, SettingsDep
from mathreel_gateway.errors import ConnectionLimitReached, NotAuthenticated
from mathreel_gateway.jobs.routes import AUTH_RESPONSES, JOB_RESPONSES
from mathreel_gateway.realtime.hub import Subscription, TooManyConnections
from mathreel_gateway.realtime.tickets import MAX_TICKET_CHARS
from mathreel_gateway.resources import GatewayResources
from mathreel_gateway.routes import API_PREFIX
from mathreel_gateway.schemas import LimitBody
from mathreel_shared.auth import Principal
from mathreel_shared.db import Job, JobEvent, read, utcnow
from mathreel_shared.domain import ACTIVE_STATUSES, JobStatus
from mathreel_shared.events import events_after
from mathreel_shared.messages import JobStatusChanged
from mathreel_shared.settings import Settings
from mathreel_shared.status import event_body

router = APIRouter(prefix=API_PREFIX)

# WebSocket close codes (4000-4999 are the application's).
CLOSE_UNAUTHORIZED = 4401
CLOSE_TOO_MANY_CONNECTIONS = 4429
CLOSE_TOO_SLOW = 4408
CLOSE_MESSAGE_TOO_BIG = 1009
# Clients only ever need to send {"type": "ping"}.
MAX_CLIENT_FRAME_CHARS = 4096

_TERMINAL = {status.value for status in JobStatus if status.is_terminal}


class TicketResponse(BaseModel):
    ticket: str = Field(description="Opaque; opens one SSE or WebSocket connection (`?ticket=`).")
    expires_at: str = Field(
        description="ISO 8601 UTC; the ticket is refused after it.", examples=["2026-12-04T13:00:00Z"]
    )


class _BearerOrTicket(BearerAuthentication):
    """The bearer token when an ``Authorization`` header is sent, otherwise a single-use ``ticket`` in the query.

    A bearer-authenticated connection counts as one request against the rate limit; a ticket-authenticated one
    counts nothing more (issuing the ticket was the request)."""

    async def __call__(  # type: ignore[override]
        self,
        request: Request,
        ticket: Annotated[
            str | None,
            Query(
                max_length=MAX_TICKET_CHARS,
                description="A ticket from `POST /api/v1/realtime/tickets`, instead of the `Authorization` header.",
            ),
        ] = None,
    ) -> Principal:
        if ticket is None or request.headers.get("authorization"):
            return await super().__call__(request)
        resources: GatewayResources = request.state.resources
        user_id = await resources.tickets.redeem(ticket)
        if user_id is None:
            raise NotAuthenticated("The ticket is invalid, already used or expired: request a new one")
        return Principal(user_id=user_id, session_id=None, claims={})


# --- tickets --------------------------------------------------------------------------------------------------------
@router.post(
    "/realtime/tickets",
    status_code=status.HTTP_201_CREATED,
    response_model=TicketResponse,
    tags=["realtime"],
    summary="Get a single-use ticket for an event connection",
    description="""Trades the bearer token for a ticket that opens **one** event connection within 60 seconds
(`MATHREEL_REALTIME_TICKET_TTL_SECONDS`), for the same user; a used or expired ticket is refused. Browsers cannot
set headers on a WebSocket and a session token must not go into a URL: this is how they authenticate.

**WebSocket `GET /api/v1/ws?ticket=…`** carries every job event of the user, for every job (jobs submitted after
connecting included), as text frames `{"type": "job.status", "job": <status body>}`. The status body is the JSON of
`GET /api/v1/videos/jobs/{id}/status` plus `queue_position` (1 = next) while the job is queued. On connecting, the
current status of each of the user's queued and processing jobs is sent first. A client may send
`{"type": "ping"}` and receives `{"type": "pong"}`; anything else it sends is ignored (a frame over 4 KiB closes the
connection with 1009). The
server sends WebSocket pings every 20 s. Close codes, sent right after the handshake is accepted:
`4401` the ticket is invalid, used or expired; `4429` the user already has
`MATHREEL_REALTIME_MAX_CONNECTIONS_PER_USER` (10) event connections on this gateway; `4408` the client read too slowly
and fell more than 256 jobs behind. docs/realtime.md has a React hook.""",
    responses=AUTH_RESPONSES,
)
async def create_ticket(user: CurrentUser, resources: ResourcesDep, settings: SettingsDep) -> TicketResponse:
    ttl = settings.realtime_ticket_ttl_seconds
    ticket = await resources.tickets.issue(user.user_id, ttl)
    expires_at = (utcnow() + timedelta(seconds=ttl)).replace(microsecond=0)
    return TicketResponse(ticket=ticket, expires_at=expires_at.isoformat().replace("+00:00", "Z"))


# --- SSE ------------------------------------------------------------------------------------------------------------
def _sse(seq: int, body: dict[str, Any]) -> bytes:
    return f"id: {seq}\nevent: status\ndata: {json.dumps(body, separators=(',', ':'))}\n\n".encode()


def _last_event_id(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit() or len(value.strip()) > 18:
        return None
    return int(value.strip())


async def _stored_after(resources: GatewayResources, job_id: UUID, after: int) -> list[tuple[int, dict[str, Any]]]:
    rows = await read(resources.reads, lambda session: events_after(session, job_id, after))
    return [(row.seq, row.body) for row in rows]


async def _latest_stored(resources: GatewayResources, job_id: UUID) -> tuple[int, dict[str, Any]] | None:
    query = select(JobEvent).where(col(JobEvent.job_id) == job_id).order_by(col(JobEvent.seq).desc()).limit(1)

    async def latest(session: Any) -> JobEvent | None:
        return (await session.execute(query)).scalar_one_or_none()  # type: ignore[no-any-return]

    row = await read(resources.reads, latest)
    return (row.seq, row.body) if row is not None else None


async def _job_stream(
    resources: GatewayResources,
    settings: Settings,
    job: Job,
    subscription: Subscription,
    last_event_id: int | None,
) -> AsyncIterator[bytes]:
    """The first event (the current status, or what followed ``last_event_id``), then each new one, each numbered;
    numbers skipped by the hub's coalescing or by out-of-order delivery are read from the stored events."""
    hub = resources.events
    if last_event_id is not None and last_event_id > job.event_seq:
        last_event_id = None  # not an id of this job's events: start from the current status
    try:
        if last_event_id is None:
            latest = await _latest_stored(resources, job.id)
            backlog = [latest] if latest is not None else [(job.event_seq, event_body(job))]
        else:
            backlog = await _stored_after(resources, job.id, last_event_id)
            if not backlog and job.event_seq > last_event_id:
                # Pruned (a job finished long ago): its current status is all there is to say.
                backlog = [(job.event_seq, event_body(job))]
        sent = last_event_id if last_event_id is not None else -1
        for seq, body in backlog:
            yield _sse(seq, body)
            sent = seq
            if body.get("status") in _TERMINAL:
                return
        while True:
            events = await subscription.wait(settings.realtime_heartbeat_seconds)
            if subscription.overflowed:
                return
            if not events:
                yield b": ping\n\n"
                continue
            for event in events:
                if event.seq <= sent:
                    continue
                missed = await _stored_after(resources, job.id, sent) if event.seq > sent + 1 else []
                for seq, body in [*[item for item in missed if item[0] < event.seq], (event.seq, event.status)]:
                    yield _sse(seq, body)
                    sent = seq
                    if body.get("status") in _TERMINAL:
                        return
    finally:
        hub.close(subscription)


@router.get(
    "/videos/jobs/{job_id}/events",
    response_class=StreamingResponse,
    tags=["videos"],
    summary="Follow a job's status as server-sent events",
    description="""A `text/event-stream` of the job's status changes. Each event is `id: <n>` (a number that grows
by one with each change of the job), `event: status` and `data: <status body>`: the JSON of
`GET /api/v1/videos/jobs/{id}/status`, plus `queue_position` (1 = next) while the job is queued. The first event is the
current status; the stream ends after the event of a completed, failed or cancelled job. A `: ping` comment is sent
every 15 seconds of silence. Reconnecting with `Last-Event-ID: <n>` resumes after event `n` without losing any.

Authenticate with `Authorization: Bearer` (the connection counts as one request against the rate limit) or with a
single-use `ticket` from `POST /api/v1/realtime/tickets` (browsers' `EventSource` cannot send headers). A user may
hold `MATHREEL_REALTIME_MAX_CONNECTIONS_PER_USER` (10) SSE and WebSocket connections on one gateway at once; one more
is refused with 429 and `limit: connections`. Another user's job, or an unknown one, is a 404 as for `/status`.""",
    responses={
        **JOB_RESPONSES,
        200: {"content": {"text/event-stream": {}}, "description": "The event stream."},
        429: {"model": LimitBody, "description": "Rate limit (`limit: rate`) or connection limit (`connections`)."},
    },
)
async def job_events(
    job_id: UUID,
    user: Annotated[Principal, Depends(_BearerOrTicket())],
    resources: ResourcesDep,
    settings: SettingsDep,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=32, description="Resume after this event.")
    ] = None,
) -> StreamingResponse:
    job = await resources.jobs.job_for_user(job_id, user.user_id)
    try:
        # Subscribed before the first event is read, so nothing between the two is missed.
        subscription = resources.events.open(
            user.user_id, job.id, max_per_user=settings.realtime_max_connections_per_user
        )
    except TooManyConnections as exc:
        raise ConnectionLimitReached(exc.limit) from exc
    return StreamingResponse(
        _job_stream(resources, settings, job, subscription, _last_event_id(last_event_id)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


# --- WebSocket ------------------------------------------------------------------------------------------------------
async def _active_statuses(resources: GatewayResources, user_id: str) -> list[tuple[UUID, int, dict[str, Any]]]:
    """(job id, event number, latest event body) of each of the user's queued and processing jobs, oldest first."""
    active = [status.value for status in ACTIVE_STATUSES]

    async def query(session: Any) -> list[tuple[UUID, int, dict[str, Any]]]:
        jobs = (
            await session.execute(
                select(Job)
                .where(col(Job.user_id) == user_id, col(Job.status).in_(active))
                .order_by(col(Job.created_at))
            )
        ).scalars()
        found = []
        for job in jobs:
            latest = (
                await session.execute(
                    select(col(JobEvent.body)).where(col(JobEvent.job_id) == job.id, col(JobEvent.seq) == job.event_seq)
                )
            ).scalar_one_or_none()
            found.append((job.id, job.event_seq, latest if latest is not None else event_body(job)))
        return found

    return await read(resources.reads, query)


@router.websocket("/ws")
async def user_events(websocket: WebSocket, ticket: Annotated[str | None, Query()] = None) -> None:
    """Every job event of the ticket's user (see ``create_ticket`` for the protocol)."""
    resources: GatewayResources = websocket.state.resources
    settings: Settings = websocket.state.settings
    user_id = await resources.tickets.redeem(ticket) if ticket else None
    await websocket.accept()
    if user_id is None:
        await websocket.close(CLOSE_UNAUTHORIZED, "ticket invalid, used or expired")
        return
    try:
        subscription = resources.events.open(user_id, None, max_per_user=settings.realtime_max_connections_per_user)
    except TooManyConnections:
        await websocket.close(CLOSE_TOO_MANY_CONNECTIONS, "too many event connections")
        return
    sending = asyncio.Lock()

    async def send(document: dict[str, Any]) -> None:
        async with sending:
            await websocket.send_text(json.dumps(document, separators=(",", ":")))

    async def relay() -> None:
        sent: dict[UUID, int] = {}
        for job_id, seq, body in await _active_statuses(resources, user_id):
            # A live event no newer than this one, already waiting in the subscription, is not sent after it.
            sent[job_id] = seq
            await send({"type": "job.status", "job": body})
        while True:
            events: list[JobStatusChanged] = await subscription.wait(60.0)
            if subscription.overflowed:
                await websocket.close(CLOSE_TOO_SLOW, "too slow to read the events")
                return
            for event in events:
                if event.seq <= sent.get(event.job_id, 0):
                    continue
                sent[event.job_id] = event.seq
                await send({"type": "job.status", "job": event.status})

    async def listen() -> None:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text") or ""
            if len(text) > MAX_CLIENT_FRAME_CHARS or len(message.get("bytes") or b"") > MAX_CLIENT_FRAME_CHARS:
                await websocket.close(CLOSE_MESSAGE_TOO_BIG, "frames from clients are at most 4 KiB")
                return
            with contextlib.suppress(ValueError):
                if json.loads(text) == {"type": "ping"}:
                    await send({"type": "pong"})

    tasks = [asyncio.create_task(relay()), asyncio.create_task(listen())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, Exception):
                await task
        resources.events.close(subscription)
