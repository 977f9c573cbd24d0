"""Domain errors of the gateway and the one place where every error becomes an HTTP response.

Every error body is JSON with ``detail``; some add the fields the contract names (``status``, ``progress`` and
``current_stage`` on 409, ``limit`` on 429).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import asyncpg
from botocore.exceptions import EndpointConnectionError
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from mathreel_gateway.jsonbody import json_error_of
from mathreel_gateway.metrics import LIMIT_REFUSALS
from mathreel_gateway.ratelimit import RateDecision, RateLimiterUnavailable
from mathreel_shared.auth import AuthError, JwksUnavailable
from mathreel_shared.storage import InvalidMediaToken, ObjectNotFound

log = logging.getLogger(__name__)


class GatewayError(Exception):
    """An error with a fixed HTTP status, a ``detail`` message and optional extra body fields and headers."""

    status_code = 500

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail, **self.extra}


class BadRequest(GatewayError):
    status_code = 400


class NotAuthenticated(GatewayError):
    status_code = 401


class MediaAccessDenied(GatewayError):
    status_code = 403


class NotFound(GatewayError):
    status_code = 404


class JobNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Job not found")


class Conflict(GatewayError):
    status_code = 409


class UnprocessableStoryboard(GatewayError):
    """A storyboard sent for a revision that is not valid: 422 with FastAPI's list of errors, each also naming its
    field ``path`` (``storyboard.scenes[2].beats[0].actions[1].latex``)."""

    status_code = 422

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("The storyboard is not valid")
        self.problems = problems

    def body(self) -> dict[str, Any]:
        return {"detail": self.problems}


class UnsupportedMediaType(GatewayError):
    status_code = 415


class UnprocessableContent(GatewayError):
    status_code = 422


class RangeNotSatisfiable(GatewayError):
    status_code = 416

    def __init__(self, size: int) -> None:
        super().__init__("Requested range not satisfiable", headers={"Content-Range": f"bytes */{size}"})


class TooManyRequests(GatewayError):
    status_code = 429


class RateLimitExceeded(TooManyRequests):
    def __init__(self, decision: RateDecision) -> None:
        super().__init__(
            f"Rate limit exceeded: {decision.limit} requests per minute",
            headers={"Retry-After": str(decision.retry_after)},
            limit="rate",
            retry_after=decision.retry_after,
        )


class ActiveJobLimitReached(TooManyRequests):
    def __init__(self, max_active_jobs: int) -> None:
        super().__init__(
            f"Too many active jobs: at most {max_active_jobs} queued or processing jobs per user. "
            "Wait for one to finish or cancel one.",
            limit="active_jobs",
            max_active_jobs=max_active_jobs,
        )


class ServiceUnavailable(GatewayError):
    status_code = 503


def _bearer_challenge(description: str) -> str:
    safe = description.replace('"', "'")
    return f'Bearer error="invalid_token", error_description="{safe}"'


def error_response(error: GatewayError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status_code, headers=error.headers)


def _translate(exc: Exception) -> GatewayError:
    """Map exceptions of the shared package to the gateway's errors."""
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, AuthError):
        return NotAuthenticated(str(exc), headers={"WWW-Authenticate": _bearer_challenge(str(exc))})
    if isinstance(exc, JwksUnavailable):
        return ServiceUnavailable(
            "Authentication is temporarily unavailable: the signing keys cannot be fetched. Retry shortly.",
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, RateLimiterUnavailable):
        return ServiceUnavailable("Rate limiter is temporarily unavailable", headers={"Retry-After": "5"})
    if isinstance(exc, InvalidMediaToken):
        return MediaAccessDenied("Media link is invalid or has expired")
    if isinstance(exc, ObjectNotFound):
        return NotFound("Media not found")
    if _is_outage(exc):
        return ServiceUnavailable(
            "A backing service (database, broker or storage) is temporarily unavailable. Retry shortly.",
            headers={"Retry-After": "5"},
        )
    raise TypeError(f"no HTTP mapping for {type(exc).__name__}")


# Connection failures of the database driver, the object store and sockets: always an outage.
_CONNECTION_ERRORS: tuple[type[Exception], ...] = (
    sa_exc.DisconnectionError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    EndpointConnectionError,
    ConnectionError,
)
# What may be an outage: SQLAlchemy's DBAPIError is one only when it says the connection is gone (``_is_outage``).
_OUTAGES: tuple[type[Exception], ...] = (sa_exc.DBAPIError, *_CONNECTION_ERRORS)


def _is_outage(exc: Exception) -> bool:
    """A lost or refused connection to a dependency (a restart, a failover), as opposed to a bug."""
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
    return isinstance(exc, _CONNECTION_ERRORS)


_MAPPED: tuple[type[Exception], ...] = (
    GatewayError,
    AuthError,
    JwksUnavailable,
    RateLimiterUnavailable,
    InvalidMediaToken,
    ObjectNotFound,
)


def validation_error_body(errors: Any) -> bytes:
    """The 422 body: FastAPI's list of errors, each naming the offending input.

    The echoed input is dropped when it cannot be written as strict UTF-8 JSON (a lone surrogate, ``NaN``), so that
    refusing a hostile body can never fail in turn.
    """
    detail = jsonable_encoder(errors)
    try:
        return json.dumps({"detail": detail}, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        stripped = [{k: v for k, v in error.items() if k not in {"input", "ctx"}} for error in detail]
        return json.dumps({"detail": stripped}, ensure_ascii=True, allow_nan=False).encode("utf-8")


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping above, plus JSON bodies for framework HTTP errors and unexpected failures."""

    async def handle_mapped(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, _OUTAGES) and not _is_outage(exc):
            return await handle_unexpected(request, exc)
        error = _translate(exc)
        if isinstance(error, TooManyRequests):
            LIMIT_REFUSALS.labels(str(error.extra.get("limit", "unknown"))).inc()
        if isinstance(exc, (JwksUnavailable, RateLimiterUnavailable, *_OUTAGES)):
            log.warning("dependency unavailable: %s", type(exc).__name__)
        return error_response(error)

    async def handle_http(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    async def handle_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        json_error = json_error_of(request)
        errors = [json_error] if json_error is not None else exc.errors()
        return Response(validation_error_body(errors), status_code=422, media_type="application/json")

    async def handle_unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse({"detail": "Internal server error"}, status_code=500)

    for exc_type in (*_MAPPED, *_OUTAGES):
        app.add_exception_handler(exc_type, handle_mapped)
    app.add_exception_handler(StarletteHTTPException, handle_http)
    app.add_exception_handler(RequestValidationError, handle_validation)
    app.add_exception_handler(Exception, handle_unexpected)
