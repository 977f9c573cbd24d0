"""FastAPI dependencies, exposed as ``Annotated`` aliases so routes read as sentences."""

from __future__ import annotations

from typing import Annotated, TypedDict, cast
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mathreel_gateway.errors import NotAuthenticated, RateLimitExceeded
from mathreel_gateway.resources import GatewayResources
from mathreel_shared.auth import Principal
from mathreel_shared.db import Job
from mathreel_shared.settings import Settings
from mathreel_shared.storage import ObjectStore

# Where the request's rate decision waits for the middleware that turns it into X-RateLimit-* headers. A scope key of
# its own, because lifespan state may be shared between requests by some servers and test harnesses.
RATE_DECISION_SCOPE_KEY = "mathreel.rate_decision"


class GatewayState(TypedDict):
    """The lifespan state of the app: what every request can reach."""

    settings: Settings
    resources: GatewayResources


def _state(request: Request) -> GatewayState:
    return cast("Request[GatewayState]", request).state


async def get_resources(request: Request) -> GatewayResources:
    return _state(request)["resources"]


async def get_settings(request: Request) -> Settings:
    return _state(request)["settings"]


ResourcesDep = Annotated[GatewayResources, Depends(get_resources)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_store(resources: ResourcesDep) -> ObjectStore:
    return resources.store


StoreDep = Annotated[ObjectStore, Depends(get_store)]


_bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="A Clerk session token (or, in development and standalone mode, one minted by the CLI).",
)


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Verify the bearer token, then count the request against the user's rate limit.

    It and ``get_owned_job`` run on nearly every request and take the resources from the request state themselves:
    as one more dependency to resolve, they cost a status poll ~7 % of its CPU.
    """
    if credentials is None:
        raise NotAuthenticated(
            "Not authenticated: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": 'Bearer realm="mathreel"'},
        )
    resources = _state(request)["resources"]
    principal = await resources.verifier.verify(credentials.credentials)
    decision = await resources.rate_limiter.hit(principal.user_id)
    request.scope[RATE_DECISION_SCOPE_KEY] = decision
    if not decision.allowed:
        raise RateLimitExceeded(decision)
    return principal


CurrentUser = Annotated[Principal, Depends(authenticate)]


async def get_owned_job(job_id: UUID, user: CurrentUser, request: Request) -> Job:
    """The job named in the path, if it belongs to the caller; 404 otherwise (also for other users' jobs).

    Read on a connection given back before the route runs, so none is held while a response streams to a slow
    client.
    """
    return await _state(request)["resources"].jobs.job_for_user(job_id, user.user_id)


OwnedJob = Annotated[Job, Depends(get_owned_job)]
