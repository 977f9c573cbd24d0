"""``Idempotency-Key`` on ``POST /videos/generate`` (the IETF httpapi idempotency-key header draft).

A key is claimed in a transaction of its own: the primary key (user, key) lets exactly one of any number of
concurrent requests insert it. The job and the response to replay are written in the admission's transaction, so a
key either names its job and response or neither. Within ``IDEMPOTENCY_WINDOW`` the same key answers:

- the same body again: the original 201, replayed (no new job);
- another body: 422;
- while the first request is still being handled: 409 (retry once it has finished).

A claim whose request never finished (the process died between claim and admission) is taken over after
``IN_FLIGHT_TIMEOUT``; a request refused by admission (the active-jobs limit) releases its key, so a retry with
the same key can succeed.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from uuid import UUID

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from mathreel_gateway.errors import Conflict, UnprocessableContent
from mathreel_gateway.jobs.schemas import GenerateVideoRequest
from mathreel_gateway.resources import GatewayResources
from mathreel_shared.db import IdempotencyKey, utcnow

IDEMPOTENCY_WINDOW = timedelta(hours=24)
IN_FLIGHT_TIMEOUT = timedelta(seconds=60)
MAX_KEY_CHARS = 255
REPLAYED_HEADER = "Idempotent-Replayed"

KEY_PATTERN = r"^[\x20-\x7e]+$"
"""Printable ASCII: the key is stored, and compared byte for byte."""


def parse_key(header: str) -> str:
    """The key of an ``Idempotency-Key`` header (already checked against ``KEY_PATTERN``): an sf-string
    (``"..."``) is unquoted; a bare value, as many clients send it, is the key itself."""
    if len(header) > 2 and header[0] == header[-1] == '"':
        return header[1:-1]
    return header


def fingerprint(request: GenerateVideoRequest) -> str:
    """A digest of the request's meaning: the same for bodies that differ only in spacing, key order or defaults."""
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def claim(resources: GatewayResources, *, user_id: str, key: str, digest: str) -> str | None:
    """Claim ``key`` for this request: None when it is ours now, else the response body to replay.

    Raises ``UnprocessableContent`` when the key was used with another body, ``Conflict`` while its first request
    is in flight.
    """
    now = utcnow()
    async with resources.sessionmaker() as session, session.begin():
        dialect = session.get_bind().dialect.name
        insert = sqlite_insert if dialect == "sqlite" else pg_insert
        # The user's expired keys go first (the primary key's prefix finds them): the table holds a day of keys.
        await session.execute(
            delete(IdempotencyKey).where(
                col(IdempotencyKey.user_id) == user_id, col(IdempotencyKey.created_at) < now - IDEMPOTENCY_WINDOW
            )
        )
        inserted = (
            await session.execute(
                insert(IdempotencyKey)
                .values(user_id=user_id, key=key, fingerprint=digest, created_at=now)
                .on_conflict_do_nothing(index_elements=["user_id", "key"])
                .returning(col(IdempotencyKey.key))
            )
        ).scalar_one_or_none()
        if inserted is not None:
            return None
        query = select(IdempotencyKey).where(col(IdempotencyKey.user_id) == user_id, col(IdempotencyKey.key) == key)
        if dialect != "sqlite":
            query = query.with_for_update()
        record = (await session.execute(query)).scalar_one_or_none()
        if record is None:
            raise Conflict("A request with this Idempotency-Key is being handled; retry shortly")
        if record.response_body is None and record.created_at < now - IN_FLIGHT_TIMEOUT:
            record.fingerprint, record.created_at, record.job_id, record.response_body = digest, now, None, None
            return None
        if record.fingerprint != digest:
            raise UnprocessableContent(
                "This Idempotency-Key was already used with a different request body; use a new key for a new request"
            )
        if record.response_body is None:
            raise Conflict("A request with this Idempotency-Key is still being handled; retry once it has finished")
        return record.response_body


async def complete(session: AsyncSession, *, user_id: str, key: str, job_id: UUID, body: str) -> None:
    """Store the job and the response of a claimed key, in the admission's transaction."""
    await session.execute(
        update(IdempotencyKey)
        .where(col(IdempotencyKey.user_id) == user_id, col(IdempotencyKey.key) == key)
        .values(job_id=job_id, response_body=body)
    )


async def release(resources: GatewayResources, *, user_id: str, key: str) -> None:
    """Give up a claim whose request was refused, so the key can be used again."""
    async with resources.sessionmaker() as session, session.begin():
        await session.execute(
            delete(IdempotencyKey).where(
                col(IdempotencyKey.user_id) == user_id,
                col(IdempotencyKey.key) == key,
                col(IdempotencyKey.response_body).is_(None),
            )
        )
