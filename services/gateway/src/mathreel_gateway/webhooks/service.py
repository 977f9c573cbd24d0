"""The rules of the webhook API: a bounded number of endpoints per user, URLs that resolve to public addresses only,
secret rotation with a grace period, and redelivery. Another user's endpoint is answered like a missing one (404)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, delete, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from mathreel_gateway.errors import Conflict, NotFound, UnprocessableContent
from mathreel_gateway.jobs.repository import lock_user
from mathreel_gateway.resources import GatewayResources
from mathreel_shared.db import utcnow
from mathreel_shared.domain import Priority
from mathreel_shared.outbox import enqueue
from mathreel_shared.settings import Settings
from mathreel_shared.ssrf import UnsafeWebhookUrl, resolve_webhook_target
from mathreel_shared.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    deliver_message,
    new_webhook_secret,
)

_ENDPOINT_NOT_FOUND = "Webhook not found"


class WebhookLimitReached(Conflict):
    def __init__(self, limit: int) -> None:
        super().__init__(f"At most {limit} webhooks per user: delete one first", max_webhooks=limit)


async def check_url(url: str, settings: Settings) -> None:
    """422 with the reason unless ``url`` is an http(s) URL resolving to public addresses only."""
    try:
        await resolve_webhook_target(url, allow_private=settings.webhook_allow_private_networks)
    except UnsafeWebhookUrl as exc:
        raise UnprocessableContent(f"This URL cannot receive webhooks: {exc}") from exc


async def create_endpoint(
    resources: GatewayResources, settings: Settings, *, user_id: str, url: str, events: list[WebhookEvent]
) -> WebhookEndpoint:
    await check_url(url, settings)
    limit = settings.webhook_max_endpoints_per_user
    async with resources.sessionmaker() as session, session.begin():
        # The admission lock of the user: two concurrent creations cannot both pass the count.
        await lock_user(session, user_id)
        count = (
            await session.execute(
                select(func.count()).select_from(WebhookEndpoint).where(col(WebhookEndpoint.user_id) == user_id)
            )
        ).scalar_one()
        if count >= limit:
            raise WebhookLimitReached(limit)
        endpoint = WebhookEndpoint(
            user_id=user_id, url=url, events=[event.value for event in events], secret=new_webhook_secret()
        )
        session.add(endpoint)
    return endpoint


async def list_endpoints(session: AsyncSession, user_id: str) -> list[WebhookEndpoint]:
    rows = await session.execute(
        select(WebhookEndpoint)
        .where(col(WebhookEndpoint.user_id) == user_id)
        .order_by(col(WebhookEndpoint.created_at), col(WebhookEndpoint.id))
    )
    return list(rows.scalars())


async def get_endpoint(session: AsyncSession, endpoint_id: UUID, user_id: str) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.user_id != user_id:
        raise NotFound(_ENDPOINT_NOT_FOUND)
    return endpoint


async def delete_endpoint(resources: GatewayResources, *, endpoint_id: UUID, user_id: str) -> None:
    """Delete the endpoint and its deliveries; pending retries find it gone and stop."""
    async with resources.sessionmaker() as session, session.begin():
        result = cast(
            "CursorResult[Any]",
            await session.execute(
                delete(WebhookEndpoint).where(
                    col(WebhookEndpoint.id) == endpoint_id, col(WebhookEndpoint.user_id) == user_id
                )
            ),
        )
        if result.rowcount != 1:
            raise NotFound(_ENDPOINT_NOT_FOUND)


async def rotate_secret(
    resources: GatewayResources, settings: Settings, *, endpoint_id: UUID, user_id: str
) -> WebhookEndpoint:
    """A new secret; the current one keeps signing (a second signature) for ``webhook_secret_grace_seconds``."""
    async with resources.sessionmaker() as session, session.begin():
        endpoint = await get_endpoint(session, endpoint_id, user_id)
        grace = settings.webhook_secret_grace_seconds
        endpoint.previous_secret = endpoint.secret if grace > 0 else None
        endpoint.previous_secret_expires_at = utcnow() + timedelta(seconds=grace) if grace > 0 else None
        endpoint.secret = new_webhook_secret()
    return endpoint


async def list_deliveries(
    session: AsyncSession, *, endpoint_id: UUID, user_id: str, limit: int, offset: int
) -> tuple[list[tuple[WebhookDelivery, list[WebhookAttempt]]], int]:
    """A page of the endpoint's deliveries, newest first, each with its attempts; and how many there are."""
    await get_endpoint(session, endpoint_id, user_id)
    condition = col(WebhookDelivery.endpoint_id) == endpoint_id
    total = int(
        (await session.execute(select(func.count()).select_from(WebhookDelivery).where(condition))).scalar_one()
    )
    deliveries = list(
        (
            await session.execute(
                select(WebhookDelivery)
                .where(condition)
                .order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc())
                .limit(limit)
                .offset(offset)
            )
        ).scalars()
    )
    attempts: defaultdict[UUID, list[WebhookAttempt]] = defaultdict(list)
    if deliveries:
        rows = await session.execute(
            select(WebhookAttempt)
            .where(col(WebhookAttempt.delivery_id).in_([d.id for d in deliveries]))
            .order_by(col(WebhookAttempt.attempted_at), col(WebhookAttempt.id))
        )
        for attempt in rows.scalars():
            attempts[attempt.delivery_id].append(attempt)
    return [(d, attempts[d.id]) for d in deliveries], total


async def redeliver(
    resources: GatewayResources, *, endpoint_id: UUID, delivery_id: UUID, user_id: str
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    """Send a finished delivery again (same ``webhook-id``, a new round of attempts); 409 while one is pending."""
    async with resources.sessionmaker() as session, session.begin():
        await get_endpoint(session, endpoint_id, user_id)
        delivery = await session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.endpoint_id != endpoint_id:
            raise NotFound("Delivery not found")
        if delivery.status is DeliveryStatus.PENDING:
            raise Conflict("This delivery is still being attempted; redeliver it once it has succeeded or failed")
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts = 0
        delivery.next_retry_at = None
        delivery.updated_at = utcnow()
        enqueue(session, deliver_message(delivery, Priority.NORMAL))
        attempts = list(
            (
                await session.execute(
                    select(WebhookAttempt)
                    .where(col(WebhookAttempt.delivery_id) == delivery_id)
                    .order_by(col(WebhookAttempt.attempted_at), col(WebhookAttempt.id))
                )
            ).scalars()
        )
    resources.relay.notify()
    return delivery, attempts
