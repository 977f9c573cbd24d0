"""Serving stored media through the gateway as RFC 9110 asks: byte ranges (§14) so players can seek, and validators
with conditional requests (§8.8, §13) so players and caches revalidate instead of downloading again.

Bytes are streamed from ``ObjectStore.read_range``; no file is ever read whole into memory, and a HEAD request
(``HEAD_SCOPE_KEY``) reads none at all.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from mathreel_gateway.errors import RangeNotSatisfiable
from mathreel_shared.storage import ObjectStat, ObjectStore

# A byte position has at most 18 digits (an exabyte): a longer number is refused before ``int`` parses it.
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d{0,18})\s*-\s*(\d{0,18})\s*$", re.IGNORECASE)
# Set in the scope of a HEAD request served by its GET route (``mathreel_gateway.middleware.HeadMiddleware``).
HEAD_SCOPE_KEY = "mathreel.head"


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int
    """Inclusive."""

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single byte range a ``Range`` header asks for, or None to send the whole file.

    ``bytes=a-b``, ``bytes=a-`` and ``bytes=-n`` are served; an end past the file is clamped. A header asking for
    several ranges is ignored (allowed by the RFC; players never send one). A malformed, oversized (a position of
    more than 18 digits) or unsatisfiable range raises ``RangeNotSatisfiable``.
    """
    if header is None:
        return None
    if "," in header and header.strip().lower().startswith("bytes"):
        return None
    match = _RANGE.match(header)
    if match is None:
        raise RangeNotSatisfiable(size)
    first, last = match.groups()
    if not first and not last:
        raise RangeNotSatisfiable(size)
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(size)
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if start >= size or end < start:
        raise RangeNotSatisfiable(size)
    return ByteRange(start, min(end, size - 1))


def _entity_tags(header: str) -> list[str]:
    """The entity tags of an ``If-None-Match`` list (``W/`` prefixes kept), or ``["*"]``."""
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak_match(tags: list[str], etag: str) -> bool:
    """RFC 9110 §8.8.3.2 weak comparison, as ``If-None-Match`` uses."""
    opaque = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == opaque for tag in tags)


def _http_date(text: str) -> float | None:
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def not_modified(request: Request, stat: ObjectStat) -> bool:
    """Whether a GET or HEAD may be answered 304 (RFC 9110 §13.2.2: ``If-None-Match``, else ``If-Modified-Since``)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return _weak_match(_entity_tags(if_none_match), stat.etag)
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    when = _http_date(since)
    return when is not None and int(stat.last_modified.timestamp()) <= when


def range_applies(request: Request, stat: ObjectStat) -> bool:
    """RFC 9110 §13.1.5: a ``Range`` with ``If-Range`` is honoured only while the validator still names this
    representation: a strong match of the entity tag, or exactly its ``Last-Modified`` date. Otherwise the whole
    file is sent (200), so a client never splices bytes of two versions."""
    if_range = request.headers.get("if-range")
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):
        return not if_range.startswith("W/") and if_range == stat.etag
    when = _http_date(if_range)
    return when is not None and when == int(stat.last_modified.timestamp())


def validator_headers(stat: ObjectStat) -> dict[str, str]:
    return {"ETag": stat.etag, "Last-Modified": format_datetime(stat.last_modified.astimezone(UTC), usegmt=True)}


async def ranged_response(
    store: ObjectStore,
    key: str,
    request: Request,
    *,
    media_type: str,
    content_disposition: str | None = None,
    cache_control: str = "private, max-age=300",
) -> Response:
    """A 200 (whole object), 206 (one range) or 304 (the client's copy is current) response for ``key``."""
    stat = await store.stat(key)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": cache_control, **validator_headers(stat)}
    if not_modified(request, stat):
        return Response(status_code=304, headers=headers)
    range_header = request.headers.get("range")
    requested = parse_range(range_header, stat.size) if range_applies(request, stat) else None
    if content_disposition:
        headers["Content-Disposition"] = content_disposition
    head = bool(request.scope.get(HEAD_SCOPE_KEY))
    if requested is None:
        headers["Content-Length"] = str(stat.size)
        body = store.read_range(key, 0, stat.size - 1) if stat.size and not head else _empty()
        return StreamingResponse(body, status_code=200, media_type=media_type, headers=headers)
    headers["Content-Length"] = str(requested.length)
    headers["Content-Range"] = f"bytes {requested.start}-{requested.end}/{stat.size}"
    body = _empty() if head else store.read_range(key, requested.start, requested.end)
    return StreamingResponse(body, status_code=206, media_type=media_type, headers=headers)


async def _empty() -> AsyncIterator[bytes]:
    # An empty file still needs a body iterator; ``yield`` after ``return`` makes this an async generator.
    return
    yield b""
