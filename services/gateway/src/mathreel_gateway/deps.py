"""FastAPI dependencies, exposed as ``Annotated`` aliases so routes read as sentences."""

from __future__ import annotations

from typing import Annotated, TypedDict, cast
from uuid import UUID

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from mathreel_gateway.errors import BadRequest, NotAuthenticated, RateLimitExceeded
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


class BearerAuthentication(HTTPBearer):
    """The API's bearer scheme (``HTTPBearer`` in the OpenAPI document), resolved into the verified caller.

    The dependency *is* the security scheme rather than depending on it, the way FastAPI's own ``HTTPBasic`` is
    subclassed: every level of sub-dependency costs FastAPI ~7 µs to resolve, and this one runs on nearly every
    request. It verifies the token, then counts the request against the user's rate limit.
    """

    def __init__(self) -> None:
        super().__init__(
            auto_error=False,
            scheme_name="HTTPBearer",
            bearerFormat="JWT",
            description="A Clerk session token (or, in development and standalone mode, one minted by the CLI).",
        )

    async def __call__(self, request: Request) -> Principal:  # type: ignore[override]
        if len(request.headers.getlist("authorization")) > 1:
            # Proxies and servers disagree on which of several wins: refuse rather than pick one.
            raise BadRequest("Send one Authorization header, not several")
        credentials = await super().__call__(request)
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


CurrentUser = Annotated[Principal, Depends(BearerAuthentication())]


async def get_owned_job(job_id: UUID, user: CurrentUser, request: Request) -> Job:
    """The job named in the path, if it belongs to the caller; 404 otherwise (also for other users' jobs).

    A dependency of its own, after authentication: a malformed job id in an unauthenticated request is a 401 (and
    counts against the rate limit when authenticated), never a 422 answered before the token was looked at.
    It reads the job on a connection given back before the route runs, so none is held while a response streams to
    a slow client.
    """
    return await _state(request)["resources"].jobs.job_for_user(job_id, user.user_id)


OwnedJob = Annotated[Job, Depends(get_owned_job)]
