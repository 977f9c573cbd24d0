"""Liveness, readiness and (in development and standalone mode) the gateway's own JWKS."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from mathreel_gateway.deps import ResourcesDep, SettingsDep
from mathreel_gateway.errors import NotFound
from mathreel_gateway.schemas import ErrorBody, HealthResponse, ReadinessResponse

router = APIRouter(tags=["system"])

_CHECK_TIMEOUT_SECONDS = 3.0


@router.get("/health", response_model=HealthResponse, summary="Liveness: the process is up")
async def health(settings: SettingsDep) -> HealthResponse:
    return HealthResponse(app_name=settings.app_name, version=settings.version, environment=settings.environment)


async def _check(probe: Callable[[], Awaitable[Any]]) -> str:
    try:
        result = await asyncio.wait_for(probe(), timeout=_CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return "timeout"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "error: unavailable" if result is False else "ok"


@router.get(
    "/ready",
    response_model=ReadinessResponse,
    summary="Readiness: every dependency answers",
    responses={503: {"model": ReadinessResponse, "description": "At least one dependency is failing."}},
)
async def ready(resources: ResourcesDep) -> JSONResponse:
    async def database() -> None:
        async with resources.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    names = ("database", "broker", "storage", "cache", "auth")
    probes = (
        database,
        resources.bus.ping,
        resources.store.ping,
        resources.rate_limiter.ping,
        resources.verifier.jwks.ready,
    )
    results = await asyncio.gather(*(_check(probe) for probe in probes))
    checks = dict(zip(names, results, strict=True))
    healthy = all(result == "ok" for result in results)
    body = ReadinessResponse(status="ready" if healthy else "not_ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)


@router.get(
    "/.well-known/jwks.json",
    summary="Public keys of the development signing key (development and standalone mode only)",
    responses={404: {"model": ErrorBody, "description": "This deployment verifies tokens against an external JWKS."}},
)
async def jwks(resources: ResourcesDep, settings: SettingsDep) -> dict[str, Any]:
    if not settings.uses_dev_keys or resources.dev_key is None:
        raise NotFound("No development signing key in this deployment")
    return resources.dev_key.jwks()


# Not in the OpenAPI document: it is for the scraper, not for API clients. No authentication and no rate limit (the
# limit is counted per user, at authentication), so Prometheus can scrape it as often as it likes.
@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    """The process's metrics in the Prometheus text format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
