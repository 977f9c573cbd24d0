"""``/api/v1/media/{token}``: standalone mode's stand-in for presigned S3 URLs.

The token (HMAC-signed key and expiry, made by ``LocalStore.presigned_url``) is the only credential, exactly as a
presigned URL would be, so a ``<video src>`` can use it without an Authorization header.
"""

from __future__ import annotations

import mimetypes
import re
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.responses import StreamingResponse

from mathreel_gateway.deps import StoreDep
from mathreel_gateway.errors import NotFound
from mathreel_gateway.media import ranged_response
from mathreel_gateway.routes import API_PREFIX
from mathreel_gateway.schemas import ErrorBody
from mathreel_shared.storage import LocalStore

# What a media link can name: a job's final outputs. A job's intermediates (storyboard, narration, scene clips),
# those of a cancelled or failed job included, are never served, whoever signed the link.
_PUBLISHED = re.compile(r"users/[^/]+/jobs/[0-9a-f-]{36}/(videos/output\.mp4|thumbnail\.jpg|captions\.(vtt|srt))")

router = APIRouter(prefix=API_PREFIX, tags=["media"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"video/mp4": {}, "image/jpeg": {}, "text/vtt": {}}, "description": "The file."},
    304: {"description": "`If-None-Match` or `If-Modified-Since` names the current file."},
    206: {"content": {"video/mp4": {}}, "description": "The requested byte range."},
    403: {"model": ErrorBody, "description": "The token is invalid or expired."},
    404: {"model": ErrorBody, "description": "No such file, or media is not served by the gateway in this mode."},
    416: {"model": ErrorBody, "description": "Range not satisfiable."},
}


@router.get(
    "/media/{token}",
    response_class=StreamingResponse,
    summary="Fetch a media file through a signed, expiring link (standalone mode)",
    description="Serves `Range` (206; 416 when malformed or unsatisfiable) and `If-Range`; answers with `ETag` and "
    "`Last-Modified`, and 304 to `If-None-Match` or `If-Modified-Since` naming the current file. HEAD is answered "
    "too. Only a completed job's video, thumbnail and captions are ever served.",
    responses=_RESPONSES,
)
async def get_media(token: str, store: StoreDep, request: Request) -> Response:
    if not isinstance(store, LocalStore):
        raise NotFound("Media is served from object storage in this deployment")
    key, download = store.verify_token(token)
    if not _PUBLISHED.fullmatch(key):
        raise NotFound("Media not found")
    try:
        store.path_for(key)
    except ValueError as exc:
        # Only a holder of the signing secret could name such a key; still, nothing outside the folder is served.
        raise NotFound("Media not found") from exc
    media_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    if key.endswith(".vtt"):
        media_type = "text/vtt"
    disposition = f'attachment; filename="{key.rsplit("/", 1)[-1]}"' if download else None
    return await ranged_response(store, key, request, media_type=media_type, content_disposition=disposition)
