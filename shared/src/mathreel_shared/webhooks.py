"""Webhooks: the endpoints users register, the deliveries a finished job causes, and each attempt at one.

``enqueue_webhook_deliveries`` is called at every transition of a job into a terminal status (the orchestrator's
completed and failed, the gateway's cancelled), inside that transition's transaction: the delivery rows and their
first ``webhook.deliver`` message (outbox) commit with the status or not at all, so no notification is lost and none
is sent for a change that was rolled back. The webhooks worker makes the attempts.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, SQLModel, col, select

from mathreel_shared.db import Job, StrEnumColumn, UtcDateTime, utcnow
from mathreel_shared.domain import JobStatus, Priority
from mathreel_shared.messages import WebhookDeliver
from mathreel_shared.outbox import enqueue

SECRET_PREFIX = "whsec_"
MAX_WEBHOOK_URL_CHARS = 2048


class WebhookEvent(StrEnum):
    JOB_COMPLETED = "job.completed"
    JOB_FAILED = "job.failed"
    JOB_CANCELLED = "job.cancelled"


EVENT_OF_STATUS: dict[JobStatus, WebhookEvent] = {
    JobStatus.COMPLETED: WebhookEvent.JOB_COMPLETED,
    JobStatus.FAILED: WebhookEvent.JOB_FAILED,
    JobStatus.CANCELLED: WebhookEvent.JOB_CANCELLED,
}


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def new_message_id() -> str:
    """The ``webhook-id`` of a delivery, the same on every attempt (receivers deduplicate on it)."""
    return f"msg_{uuid4().hex}"


class WebhookEndpoint(SQLModel, table=True):
    """A URL a user registered, the events it receives and the secret its deliveries are signed with.

    After a rotation the previous secret keeps signing (a second signature) until ``previous_secret_expires_at``,
    so a receiver can switch over without losing a delivery.
    """

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_user", "user_id", "created_at"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    user_id: str = Field(sa_column=Column(String(128), nullable=False))
    url: str = Field(sa_column=Column(Text, nullable=False))
    events: list[str] = Field(sa_column=Column(JSON, nullable=False))
    secret: str = Field(sa_column=Column(String(128), nullable=False))
    previous_secret: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    previous_secret_expires_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets a delivery made at ``now`` is signed with: the current one, and the previous one during its
        grace period."""
        current = [self.secret]
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and expires > now:
            current.append(self.previous_secret)
        return current


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: the unit that is retried until it succeeds or its schedule is spent."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_endpoint", "endpoint_id", "created_at"),)

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    endpoint_id: UUID = Field(sa_column=Column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False))
    user_id: str = Field(sa_column=Column(String(128), nullable=False))
    job_id: UUID
    event: WebhookEvent = Field(sa_column=Column(StrEnumColumn(WebhookEvent, 32), nullable=False))
    message_id: str = Field(default_factory=new_message_id, sa_column=Column(String(64), nullable=False))
    status: DeliveryStatus = Field(
        default=DeliveryStatus.PENDING, sa_column=Column(StrEnumColumn(DeliveryStatus, 16), nullable=False)
    )
    attempts: int = 0
    last_response_status: int | None = None
    next_retry_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))


class WebhookAttempt(SQLModel, table=True):
    """One HTTP attempt at a delivery: when, what the receiver answered (or what went wrong), how long it took."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_delivery", "delivery_id", "attempt"),)

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: UUID = Field(sa_column=Column(ForeignKey("webhook_delivery.id", ondelete="CASCADE"), nullable=False))
    attempt: int
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=Column(UtcDateTime(), nullable=False))
    response_status: int | None = None
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    duration_ms: int = 0


def deliver_message(delivery: WebhookDelivery, priority: Priority, *, attempt: int = 1) -> WebhookDeliver:
    """The bus message asking the webhooks worker to make attempt ``attempt`` of ``delivery``."""
    return WebhookDeliver(
        job_id=delivery.job_id, user_id=delivery.user_id, priority=priority, delivery_id=delivery.id, attempt=attempt
    )


async def enqueue_webhook_deliveries(session: AsyncSession, job: Job) -> int:
    """Write a delivery for each of the job owner's endpoints subscribed to the job's terminal event, and its first
    message through the outbox, in the session's transaction. Returns how many; none for a job not terminal."""
    event = EVENT_OF_STATUS.get(JobStatus(job.status))
    if event is None:
        return 0
    endpoints = (
        await session.execute(select(WebhookEndpoint).where(col(WebhookEndpoint.user_id) == job.user_id))
    ).scalars()
    count = 0
    for endpoint in endpoints:
        if event.value not in endpoint.events:
            continue
        delivery = WebhookDelivery(endpoint_id=endpoint.id, user_id=job.user_id, job_id=job.id, event=event)
        session.add(delivery)
        enqueue(session, deliver_message(delivery, Priority(job.priority)))
        count += 1
    return count
