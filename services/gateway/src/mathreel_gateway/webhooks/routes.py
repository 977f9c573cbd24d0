"""The ``/api/v1/webhooks`` routes: register, list, delete and rotate endpoints; inspect and redeliver deliveries.

Deliveries follow the Standard Webhooks specification (``docs/webhooks.md``): ``webhook-id``, ``webhook-timestamp``
and ``webhook-signature`` headers, signed with the endpoint's ``whsec_`` secret.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response, status

from mathreel_gateway.deps import CurrentUser, ResourcesDep, SettingsDep
from mathreel_gateway.jobs.routes import AUTH_RESPONSES, require_json_body
from mathreel_gateway.jsonbody import StrictJsonRoute
from mathreel_gateway.routes import API_PREFIX
from mathreel_gateway.schemas import ErrorBody, UnprocessableBody
from mathreel_gateway.webhooks import service
from mathreel_gateway.webhooks.schemas import (
    Delivery,
    DeliveryList,
    WebhookCreate,
    WebhookEndpointList,
    WebhookEndpointWithSecret,
    delivery_public,
    endpoint_public,
    endpoint_with_secret,
)
from mathreel_shared.db import read

_NOT_OWNED = "Webhook (or delivery) not found. Webhooks of other users are answered with 404 too."
WEBHOOK_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    404: {"model": ErrorBody, "description": _NOT_OWNED},
}

router = APIRouter(prefix=f"{API_PREFIX}/webhooks", tags=["webhooks"], route_class=StrictJsonRoute)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookEndpointWithSecret,
    summary="Register a webhook endpoint",
    description="The answer holds the endpoint's signing secret (`whsec_…`), shown this once. The URL must be "
    "http(s) and resolve to public addresses only: loopback, private, link-local, cloud-metadata, unspecified, "
    "multicast and reserved addresses are refused with 422 saying why (unless the deployment allows private "
    "networks, for development). At most `webhook_max_endpoints_per_user` (10) endpoints per user (409 past it); "
    "URLs of up to 2048 characters.",
    responses={
        **AUTH_RESPONSES,
        409: {"model": ErrorBody, "description": "The user already has the maximum number of webhooks."},
        415: {"model": ErrorBody, "description": "The body is not JSON."},
        422: {
            "model": UnprocessableBody,
            "description": "Invalid body, or a URL that cannot receive webhooks (`detail` says why).",
        },
    },
)
async def create_webhook(
    user: CurrentUser,
    _json: Annotated[None, Depends(require_json_body)],
    body: WebhookCreate,
    resources: ResourcesDep,
    settings: SettingsDep,
) -> WebhookEndpointWithSecret:
    endpoint = await service.create_endpoint(
        resources, settings, user_id=user.user_id, url=body.url, events=body.events
    )
    return endpoint_with_secret(endpoint)


@router.get(
    "",
    response_model=WebhookEndpointList,
    summary="List your webhook endpoints (without secrets)",
    responses=AUTH_RESPONSES,
)
async def list_webhooks(user: CurrentUser, resources: ResourcesDep) -> WebhookEndpointList:
    rows = await read(resources.reads, lambda session: service.list_endpoints(session, user.user_id))
    return WebhookEndpointList(items=[endpoint_public(row) for row in rows])


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Delete a webhook endpoint",
    description="Its pending deliveries are not attempted again.",
    responses=WEBHOOK_RESPONSES,
)
async def delete_webhook(webhook_id: UUID, user: CurrentUser, resources: ResourcesDep) -> Response:
    await service.delete_endpoint(resources, endpoint_id=webhook_id, user_id=user.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{webhook_id}/rotate",
    response_model=WebhookEndpointWithSecret,
    summary="Rotate a webhook's signing secret",
    description="Answers the new secret, shown this once. For `webhook_secret_grace_seconds` (24 hours) after a "
    "rotation every delivery carries two signatures in `webhook-signature`, one by the new secret and one by the "
    "old, so a receiver can switch secrets without failing a delivery; `previous_secret_expires_at` says until when.",
    responses=WEBHOOK_RESPONSES,
)
async def rotate_webhook_secret(
    webhook_id: UUID, user: CurrentUser, resources: ResourcesDep, settings: SettingsDep
) -> WebhookEndpointWithSecret:
    endpoint = await service.rotate_secret(resources, settings, endpoint_id=webhook_id, user_id=user.user_id)
    return endpoint_with_secret(endpoint)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=DeliveryList,
    summary="List a webhook's deliveries, with every attempt",
    description="Newest first. Each delivery has its `webhook_id` (the same on every attempt), its status "
    "(`pending`, `succeeded`, `failed`), its attempts with the receiver's status codes, and when the next attempt "
    "is due.",
    responses=WEBHOOK_RESPONSES,
)
async def list_webhook_deliveries(
    webhook_id: UUID,
    user: CurrentUser,
    resources: ResourcesDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Deliveries to skip.")] = 0,
) -> DeliveryList:
    page, total = await read(
        resources.reads,
        lambda session: service.list_deliveries(
            session, endpoint_id=webhook_id, user_id=user.user_id, limit=limit, offset=offset
        ),
    )
    return DeliveryList(
        items=[delivery_public(d, attempts) for d, attempts in page], total=total, limit=limit, offset=offset
    )


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Delivery,
    summary="Send a delivery again",
    description="A new round of attempts with the same `webhook-id` (receivers deduplicate on it). Only for a "
    "delivery that has succeeded or failed: one still pending is refused with 409.",
    responses={**WEBHOOK_RESPONSES, 409: {"model": ErrorBody, "description": "The delivery is still pending."}},
)
async def redeliver_webhook(
    webhook_id: UUID, delivery_id: UUID, user: CurrentUser, resources: ResourcesDep
) -> Delivery:
    delivery, attempts = await service.redeliver(
        resources, endpoint_id=webhook_id, delivery_id=delivery_id, user_id=user.user_id
    )
    return delivery_public(delivery, attempts)
