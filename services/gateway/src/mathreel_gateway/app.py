"""The gateway's FastAPI application."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from mathreel_gateway.deps import GatewayState
from mathreel_gateway.errors import install_error_handlers
from mathreel_gateway.jobs import routes as jobs
from mathreel_gateway.metrics import MetricsMiddleware
from mathreel_gateway.middleware import (
    DEFAULT_BODY_READ_TIMEOUT_SECONDS,
    BodyLimitMiddleware,
    HeadMiddleware,
    JsonCorsMiddleware,
    ResponseHeadersMiddleware,
)
from mathreel_gateway.resources import GatewayResources, open_resources
from mathreel_gateway.routes import media, system
from mathreel_gateway.webhooks import routes as webhooks
from mathreel_shared.heap import settle_after_startup
from mathreel_shared.settings import Settings

_DESCRIPTION = """
Turns a topic and a few lines of context into a narrated, animated math-explainer video.

Every `/api/v1` route except `/api/v1/media/{token}` needs `Authorization: Bearer <token>`. Authenticated responses
carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (Unix seconds from which the next request
is allowed). The limit holds over any 60 seconds (a sliding window); past it the answer is 429 with `Retry-After`.
A user only ever sees their own jobs: the jobs of others are answered with 404, exactly like jobs that do not exist,
so job ids cannot be probed. Every error body is JSON with
a `detail` field.

Every GET route also answers HEAD. Media routes answer `ETag` and `Last-Modified`, honour `If-None-Match`,
`If-Modified-Since` (304) and `If-Range`.
"""

_EXPOSED_HEADERS = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "Content-Range",
    "Accept-Ranges",
    "Content-Length",
    "Content-Disposition",
    "ETag",
    "Last-Modified",
    "Idempotent-Replayed",
]


def create_app(
    settings: Settings,
    *,
    resources: GatewayResources | None = None,
    body_read_timeout: float = DEFAULT_BODY_READ_TIMEOUT_SECONDS,
) -> FastAPI:
    """Build the gateway.

    Without ``resources`` the app opens its own (per ``settings.mode``) when it starts, runs the outbox relay and
    closes them when it stops. With ``resources`` (standalone mode composing every service in one process) it uses
    them as they are and neither starts nor closes them: the caller owns them, outbox relay included.
    ``body_read_timeout`` bounds the time a client may take to send a request body (408 past it).
    """

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[GatewayState]:
        if resources is not None:
            settle_after_startup()
            yield {"settings": settings, "resources": resources}
            return
        async with open_resources(settings) as opened:
            settle_after_startup()
            yield {"settings": settings, "resources": opened}

    app = FastAPI(
        title=f"{settings.app_name} API",
        version=settings.version,
        description=_DESCRIPTION,
        lifespan=lifespan,
        # Requests are traced by ``mathreel_shared.telemetry.instrument_app`` (when spans are exported), metrics are
        # Prometheus's and logs our own: FastAPI's built-in telemetry would add spans per dependency to each request.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    # The API's routes, which clients poll, first: a request is matched against the routes in order.
    app.include_router(jobs.router)
    app.include_router(media.router)
    app.include_router(webhooks.router)
    app.include_router(system.router)
    install_error_handlers(app)
    # The last added is the outermost. From the outside in: security headers (on every answer, preflights and
    # failures included), CORS (preflights answered before anything else, every answer gets CORS), metrics and the
    # access log, then the body limit, and HEAD routed as GET.
    app.add_middleware(HeadMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes, read_timeout=body_read_timeout)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(
        JsonCorsMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "HEAD", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Range", "Accept", "Idempotency-Key"],
        expose_headers=_EXPOSED_HEADERS,
        max_age=600,
    )
    app.add_middleware(ResponseHeadersMiddleware)
    return app
