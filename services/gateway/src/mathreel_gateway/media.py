"""Serving stored media through the gateway with HTTP Range requests (RFC 9110 §14), so players can seek.

Bytes are streamed from ``ObjectStore.read_range``; no file is ever read whole into memory.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.responses import StreamingResponse

from mathreel_gateway.errors import RangeNotSatisfiable
from mathreel_shared.storage import ObjectStore

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


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
    several ranges is ignored (allowed by the RFC; players never send one). A malformed or unsatisfiable range raises
    ``RangeNotSatisfiable``.
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


async def ranged_response(
    store: ObjectStore,
    key: str,
    *,
    range_header: str | None,
    media_type: str,
    content_disposition: str | None = None,
    cache_control: str = "private, max-age=300",
) -> StreamingResponse:
    """A 200 (whole object) or 206 (one range) response streaming ``key`` from ``store``."""
    size = await store.size(key)
    requested = parse_range(range_header, size)
    headers = {"Accept-Ranges": "bytes", "Cache-Control": cache_control}
    if content_disposition:
        headers["Content-Disposition"] = content_disposition
    if requested is None:
        headers["Content-Length"] = str(size)
        body = store.read_range(key, 0, size - 1) if size else _empty()
        return StreamingResponse(body, status_code=200, media_type=media_type, headers=headers)
    headers["Content-Length"] = str(requested.length)
    headers["Content-Range"] = f"bytes {requested.start}-{requested.end}/{size}"
    return StreamingResponse(
        store.read_range(key, requested.start, requested.end), status_code=206, media_type=media_type, headers=headers
    )


async def _empty() -> AsyncIterator[bytes]:
    # An empty file still needs a body iterator; ``yield`` after ``return`` makes this an async generator.
    return
    yield b""
