"""Bodies of the ``/api/v1/webhooks`` routes. Secrets appear only in the answers to creation and rotation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mathreel_shared.webhooks import (
    MAX_WEBHOOK_URL_CHARS,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from mathreel_shared.webhooks import WebhookEndpoint as WebhookEndpointRow


class WebhookCreate(BaseModel):
    """Body of ``POST /webhooks``. Unknown fields are rejected with 422."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=MAX_WEBHOOK_URL_CHARS)] = Field(
        description="An absolute http(s) URL on a public address; it receives a POST per event."
    )
    events: list[WebhookEvent] = Field(
        min_length=1, max_length=len(WebhookEvent), description="The events this endpoint receives."
    )

    @field_validator("events")
    @classmethod
    def _distinct(cls, events: list[WebhookEvent]) -> list[WebhookEvent]:
        if len(set(events)) != len(events):
            raise ValueError("list each event once")
        return events


class WebhookEndpoint(BaseModel):
    id: UUID
    url: str
    events: list[WebhookEvent]
    created_at: datetime
    previous_secret_expires_at: datetime | None = Field(
        default=None, description="After a rotation: until when deliveries also carry a signature by the old secret."
    )


class WebhookEndpointWithSecret(WebhookEndpoint):
    secret: str = Field(description="`whsec_…`: shown in this answer only; verify signatures with it.")


class WebhookEndpointList(BaseModel):
    items: list[WebhookEndpoint]


class DeliveryAttempt(BaseModel):
    attempt: int = Field(description="1 for the first attempt of a (re)delivery, then 2, 3, …")
    attempted_at: datetime
    response_status: int | None = Field(description="The receiver's HTTP status; null when none came back.")
    error: str | None = Field(description="Why the attempt failed, when it did.")
    duration_ms: int


class Delivery(BaseModel):
    id: UUID
    webhook_id: str = Field(description="The `webhook-id` header: the same on every attempt of this delivery.")
    event: WebhookEvent
    job_id: UUID
    status: DeliveryStatus
    attempts: list[DeliveryAttempt]
    last_response_status: int | None
    next_retry_at: datetime | None = Field(description="When the next attempt is due, while one is.")
    created_at: datetime


class DeliveryList(BaseModel):
    items: list[Delivery]
    total: int
    limit: int
    offset: int


def endpoint_public(row: WebhookEndpointRow) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        url=row.url,
        events=[WebhookEvent(event) for event in row.events],
        created_at=row.created_at,
        previous_secret_expires_at=row.previous_secret_expires_at if row.previous_secret else None,
    )


def endpoint_with_secret(row: WebhookEndpointRow) -> WebhookEndpointWithSecret:
    return WebhookEndpointWithSecret(**endpoint_public(row).model_dump(), secret=row.secret)


def delivery_public(row: WebhookDelivery, attempts: list[WebhookAttempt]) -> Delivery:
    return Delivery(
        id=row.id,
        webhook_id=row.message_id,
        event=row.event,
        job_id=row.job_id,
        status=row.status,
        attempts=[
            DeliveryAttempt(
                attempt=a.attempt,
                attempted_at=a.attempted_at,
                response_status=a.response_status,
                error=a.error,
                duration_ms=a.duration_ms,
            )
            for a in attempts
        ],
        last_response_status=row.last_response_status,
        next_retry_at=row.next_retry_at,
        created_at=row.created_at,
    )
