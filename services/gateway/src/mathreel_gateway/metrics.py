"""Prometheus metrics of the gateway, and the middleware that times every request and writes the access log.

Requests are labelled with their route *template* (``/api/v1/videos/jobs/{job_id}/status``), never the raw path:
raw paths would give one time series per job id, and ``/api/v1/media/{token}`` paths carry a credential that must not
reach metrics or logs. That is also why the gateway writes its own access log line instead of uvicorn's.
"""

from __future__ import annotations

import functools
import logging
import time

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("mathreel_gateway.access")

UNMATCHED_ROUTE = "unmatched"

REQUEST_SECONDS = Histogram(
    "mathreel_gateway_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status code.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOBS_SUBMITTED = Counter(
    "mathreel_gateway_jobs_submitted_total",
    "Jobs accepted by POST /api/v1/videos/generate, by priority and quality.",
    ["priority", "quality"],
)
LIMIT_REFUSALS = Counter(
    "mathreel_gateway_limit_refusals_total",
    "Requests answered 429, by the limit that refused them (rate or active_jobs).",
    ["limit"],
)


@functools.cache
def _request_seconds(method: str, route: str, status: int) -> Histogram:
    """The histogram's series for these labels. ``labels()`` checks and locks on every call, more than half the cost
    of an observation; the series, once made, never changes. Cached for as many label sets as the histogram has."""
    return REQUEST_SECONDS.labels(method, route, str(status))


def route_template(scope: Scope) -> str:
    """The path template of the route that handled the request, or ``unmatched`` (404s on unknown paths).

    The matched route's own template, its router's prefix included (the routing sets ``scope["route"]``).
    """
    template = getattr(scope.get("route"), "path_format", None)
    return template if isinstance(template, str) else UNMATCHED_ROUTE


class MetricsMiddleware:
    """Pure ASGI, so streamed responses are timed until their last byte and error answers are counted too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app fails before answering

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            method = str(scope["method"])
            _request_seconds(method, route, status).observe(elapsed)
            duration_ms = round(elapsed * 1000, 1)
            access_log.info(
                "%s %s %d %.1fms",
                method,
                route,
                status,
                duration_ms,
                extra={"http_method": method, "http_route": route, "http_status": status, "duration_ms": duration_ms},
            )
