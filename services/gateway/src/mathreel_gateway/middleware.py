"""ASGI middleware: the request body limit and read deadline, and headers every response gets (security,
``no-store``, rate limit), failures included."""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mathreel_gateway.deps import RATE_DECISION_SCOPE_KEY
from mathreel_gateway.media import HEAD_SCOPE_KEY
from mathreel_gateway.ratelimit import RATE_LIMIT_HEADERS, RateDecision

log = logging.getLogger(__name__)

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # The API serves JSON and media, never pages: nothing it returns may load scripts or be framed.
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cross-Origin-Resource-Policy": "cross-origin",
}

# How long a client may take to send its whole request body. uvicorn has no such deadline (only an idle keep-alive
# timeout between requests), so without it a client trickling a body a byte at a time holds a request open forever.
DEFAULT_BODY_READ_TIMEOUT_SECONDS = 10.0


_RAW_SECURITY_HEADERS = [
    (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in _SECURITY_HEADERS.items()
]
_RAW_RATE_LIMIT_HEADERS = frozenset(name.lower().encode("latin-1") for name in RATE_LIMIT_HEADERS)


def _with_standard_headers(headers: list[tuple[bytes, bytes]], decision: object) -> list[tuple[bytes, bytes]]:
    """``headers`` (raw ASGI response headers) with the security headers they lack, ``Cache-Control: no-store`` on
    JSON without a cache policy, and, once authentication has counted the request, its ``X-RateLimit-*`` values
    (in place of any already there).

    On raw headers in one pass: Starlette's ``MutableHeaders`` scans the whole list for each of the ten names, four
    times the cost on every response.
    """
    present = {name.lower(): value for name, value in headers}
    if isinstance(decision, RateDecision):
        if not _RAW_RATE_LIMIT_HEADERS.isdisjoint(present):
            headers = [header for header in headers if header[0].lower() not in _RAW_RATE_LIMIT_HEADERS]
        headers += [
            (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in decision.headers().items()
        ]
    headers += [header for header in _RAW_SECURITY_HEADERS if header[0] not in present]
    if b"cache-control" not in present and present.get(b"content-type", b"").startswith(b"application/json"):
        headers.append((b"cache-control", b"no-store"))
    return headers


async def send_json_error(send: Send, status: int, detail: str, *, close: bool = False) -> None:
    """Answer with a JSON error body from ASGI middleware, where no exception handler can be reached."""
    payload = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class ResponseHeadersMiddleware:
    """Pure ASGI, so it also sees error responses produced by exception handlers and streams untouched.

    It is the outermost middleware of the app, so it also turns an unexpected exception into the JSON 500 (with
    these headers): Starlette's own last-resort handler sits outside every middleware and would answer without them.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                message["headers"] = _with_standard_headers(
                    list(message.get("headers", ())), scope.get(RATE_DECISION_SCOPE_KEY)
                )
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if response_started:
                raise  # nothing can be said to the client any more; let the server close the connection
            log.exception("unhandled error")
            await send_json_error(send_with_headers, 500, "Internal server error")


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_bytes`` with 413, and bodies not received within ``read_timeout`` seconds
    with 408, both with a JSON body and before anything parses them.

    A declared ``Content-Length`` over the limit is refused without reading; otherwise the body is read up to the
    limit (which also catches chunked bodies that declare no length) and replayed to the app. Starlette's own body
    limit answers in plain text, which the contract does not allow.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout: float = DEFAULT_BODY_READ_TIMEOUT_SECONDS) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(send)
            return
        if declared in (None, "0") and "transfer-encoding" not in headers:
            # Nothing to limit or wait for: without either header a request has no body (RFC 9112, 6.3).
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        disconnect: Message | None = None
        try:
            async with asyncio.timeout(self.read_timeout):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":
                        disconnect = message
                        break
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.max_bytes:
                        await self._refuse(send)
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            detail = f"Request body not received within {self.read_timeout:g} seconds"
            await send_json_error(send, 408, detail, close=True)
            return
        if disconnect is not None:
            # The client went away before sending the whole body; let the app see the disconnect.
            await self.app(scope, _replay([disconnect], receive), send)
            return
        body_message: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        await self.app(scope, _replay([body_message], receive), send)

    async def _refuse(self, send: Send) -> None:
        await send_json_error(send, 413, f"Request body too large: at most {self.max_bytes} bytes", close=True)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class HeadMiddleware:
    """HEAD on every GET route (RFC 9110 §9.3.2): the request is routed as a GET and answered with its headers only.

    FastAPI routes declare GET alone, and a HEAD would be a 405. The route sees ``HEAD_SCOPE_KEY`` in its scope, so
    the media routes skip reading the file; any body another route produces is dropped here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET", HEAD_SCOPE_KEY: True}, receive, send_headers_only)


class JsonCorsMiddleware(CORSMiddleware):
    """Starlette's CORS middleware, whose refused preflight (400) says why in a JSON body like every other error."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in {"content-type", "content-length"}
        }
        return JSONResponse(
            {"detail": bytes(response.body).decode()}, status_code=response.status_code, headers=headers
        )
