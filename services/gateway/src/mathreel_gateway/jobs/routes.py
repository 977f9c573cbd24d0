"""The ``/api/v1/videos`` routes: create jobs, follow them, cancel them and fetch their media.

Plain FastAPI routes: dependencies (``mathreel_gateway.deps``) are resolved by FastAPI, so
``app.dependency_overrides`` reaches every one of them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import PlainTextResponse
from starlette.responses import StreamingResponse

from mathreel_gateway.deps import CurrentUser, OwnedJob, ResourcesDep, SettingsDep, StoreDep
from mathreel_gateway.errors import NotFound, UnsupportedMediaType
from mathreel_gateway.jobs import idempotency
from mathreel_gateway.jobs.repository import list_jobs
from mathreel_gateway.jobs.schemas import (
    GenerateVideoRequest,
    JobCreated,
    JobList,
    JobNotReadyBody,
    JobStatusResponse,
    MetadataResponse,
    ReviseVideoRequest,
    VideoUrlResponse,
    job_created,
    job_status,
    video_metadata,
    video_url_metadata,
)
from mathreel_gateway.jobs.service import admit_job, admit_revision, cancel_job, require_completed, require_storyboard
from mathreel_gateway.jsonbody import StrictJsonRoute
from mathreel_gateway.media import ranged_response
from mathreel_gateway.metrics import JOBS_SUBMITTED
from mathreel_gateway.routes import API_PREFIX
from mathreel_gateway.schemas import ErrorBody, LimitBody, StoryboardErrorBody, UnprocessableBody
from mathreel_shared.db import read, utcnow
from mathreel_shared.domain import JobStatus
from mathreel_shared.storage import content_disposition_name

_NOT_OWNED = "Job not found. Jobs of other users are answered with 404 too, so that job ids cannot be probed."

# Responses every authenticated route can give, documented once.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "More than one `Authorization` header."},
    401: {"model": ErrorBody, "description": "Missing, malformed, expired or untrusted bearer token."},
    429: {"model": LimitBody, "description": "Rate limit exceeded (`limit: rate`); see `Retry-After`."},
    503: {"model": ErrorBody, "description": "Signing keys or the rate limiter are unreachable; retry shortly."},
}
JOB_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    404: {"model": ErrorBody, "description": _NOT_OWNED},
}
MEDIA_RESPONSES: dict[int | str, dict[str, Any]] = {
    **JOB_RESPONSES,
    409: {"model": JobNotReadyBody, "description": "The job is not completed (still running, failed or cancelled)."},
}

# PostgreSQL's OFFSET is a 64-bit integer, and a larger one failed the query (found by fuzzing); no user pages this far.
MAX_OFFSET = 1_000_000

router = APIRouter(prefix=f"{API_PREFIX}/videos", tags=["videos"], route_class=StrictJsonRoute)


_UTF8 = {"utf-8", "utf8"}


def require_json_body(request: Request) -> None:
    """415 for bodies that are not plain JSON in UTF-8 (checked after authentication, before the body is read).

    A ``Content-Encoding`` (gzip, ...) is refused rather than ignored: the body would be parsed as if it were not
    encoded. So is a ``charset`` other than UTF-8, which JSON requires (RFC 8259 §8.1): it would be read as UTF-8.
    """
    content_type = request.headers.get("content-type", "")
    media_type, _, parameters = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType("Content-Type must be application/json")
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _UTF8:
            raise UnsupportedMediaType("JSON bodies must be UTF-8: send charset=utf-8 or no charset")
    encodings = [item.strip().lower() for item in request.headers.getlist("content-encoding")]
    if any(encoding not in {"", "identity"} for encoding in encodings):
        raise UnsupportedMediaType("Content-Encoding is not accepted on requests: send the body unencoded")


@router.post(
    "/generate",
    status_code=status.HTTP_201_CREATED,
    response_model=JobCreated,
    summary="Create a video generation job",
    description="Queues a job. At most `max_active_jobs` (3) jobs per user may be queued or processing at once; "
    "another is refused with 429 and `limit: active_jobs`. Bodies over the size limit are refused with 413.\n\n"
    "With an `Idempotency-Key` header the request can be retried safely: the same key and the same body from the "
    "same user within 24 hours answer the original 201 again, with `Idempotent-Replayed: true`, and create no job; "
    "the same key with another body is refused with 422, and while the first request with the key is still being "
    "handled another gets 409. Keys are the user's own: two users never share one.",
    responses={
        **AUTH_RESPONSES,
        201: {
            "description": "The job was queued (or, with `Idempotent-Replayed: true`, had been by an earlier request "
            "with the same `Idempotency-Key`).",
            "headers": {
                "Idempotent-Replayed": {
                    "description": "`true` when the response is the replay of an earlier request's.",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            },
        },
        409: {"model": ErrorBody, "description": "A request with the same `Idempotency-Key` is still being handled."},
        422: {
            "model": UnprocessableBody,
            "description": "Invalid body or `Idempotency-Key` header (1 to 255 printable ASCII characters), or an "
            "`Idempotency-Key` already used with another body (`detail` says so).",
        },
        413: {"model": ErrorBody, "description": "Request body too large."},
        415: {
            "model": ErrorBody,
            "description": "The body is not JSON, declares a charset other than UTF-8, or has a `Content-Encoding`.",
        },
        429: {"model": LimitBody, "description": "Rate limit (`limit: rate`) or active-jobs limit (`active_jobs`)."},
    },
)
async def generate_video(
    user: CurrentUser,
    _json: Annotated[None, Depends(require_json_body)],
    body: GenerateVideoRequest,
    resources: ResourcesDep,
    settings: SettingsDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=idempotency.MAX_KEY_CHARS,
            pattern=idempotency.KEY_PATTERN,
            description="Makes the request safe to retry (1 to 255 printable ASCII characters, quoted or not); "
            "remembered for 24 hours.",
        ),
    ] = None,
) -> JobCreated | Response:
    if idempotency_key is None:
        job = await admit_job(
            resources, user_id=user.user_id, request=body, max_active_jobs=settings.max_active_jobs_per_user
        )
        JOBS_SUBMITTED.labels(body.priority.value, body.configuration.quality.value).inc()
        return job_created(job)
    key = idempotency.parse_key(idempotency_key)
    replay = await idempotency.claim(resources, user_id=user.user_id, key=key, digest=idempotency.fingerprint(body))
    if replay is not None:
        return Response(
            replay,
            status_code=status.HTTP_201_CREATED,
            media_type="application/json",
            headers={idempotency.REPLAYED_HEADER: "true"},
        )
    try:
        job = await admit_job(
            resources,
            user_id=user.user_id,
            request=body,
            max_active_jobs=settings.max_active_jobs_per_user,
            idempotency_key=key,
        )
    except Exception:
        await idempotency.release(resources, user_id=user.user_id, key=key)
        raise
    JOBS_SUBMITTED.labels(body.priority.value, body.configuration.quality.value).inc()
    return Response(
        job_created(job).model_dump_json(), status_code=status.HTTP_201_CREATED, media_type="application/json"
    )


_CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **AUTH_RESPONSES,
    413: {"model": ErrorBody, "description": "Request body too large."},
    415: {
        "model": ErrorBody,
        "description": "The body is not JSON, declares a charset other than UTF-8, or has a `Content-Encoding`.",
    },
    429: {"model": LimitBody, "description": "Rate limit (`limit: rate`) or active-jobs limit (`active_jobs`)."},
}


@router.get(
    "/jobs/{job_id}/storyboard",
    response_class=Response,
    summary="Get the job's storyboard",
    description="The storyboard the script stage wrote: a JSON document in the scene language of docs/storyboard.md "
    "(with its `version`), to edit and send to `POST /videos/jobs/{job_id}/revise`. 409 until the script stage has "
    "written it.",
    responses={
        **JOB_RESPONSES,
        200: {"content": {"application/json": {"schema": {"type": "object"}}}, "description": "The storyboard."},
        409: {"model": JobNotReadyBody, "description": "The script stage has not written the storyboard yet."},
    },
)
async def get_storyboard(job: OwnedJob, store: StoreDep) -> Response:
    key = require_storyboard(job)
    return Response(
        await store.get_bytes(key), media_type="application/json", headers={"Cache-Control": "private, max-age=300"}
    )


@router.post(
    "/jobs/{job_id}/revise",
    status_code=status.HTTP_201_CREATED,
    response_model=JobCreated,
    summary="Create a job from an edited storyboard of this job",
    description="Checks the storyboard as a model's storyboard is checked (schema, LaTeX allowlist, plot "
    "expressions; 422 names each field path, e.g. `storyboard.scenes[2].beats[0].actions[1].latex`) and queues a "
    "new job that renders it without planning; the new job's status carries `revision_of`. Its layout is checked "
    "in the script stage: a storyboard that does not fit fails the job with `storyboard_rejected` and the path. "
    "The revision keeps the original's topic and context; `quality` defaults to the original's. The limits of "
    "`generate` apply (active jobs, rate, body size).",
    responses={
        **_CREATE_RESPONSES,
        404: {"model": ErrorBody, "description": _NOT_OWNED},
        409: {"model": JobNotReadyBody, "description": "The job has no storyboard yet."},
        422: {"model": StoryboardErrorBody, "description": "The body or its storyboard is not valid."},
    },
)
async def revise_video(
    original: OwnedJob,
    user: CurrentUser,
    _json: Annotated[None, Depends(require_json_body)],
    body: ReviseVideoRequest,
    resources: ResourcesDep,
    settings: SettingsDep,
) -> JobCreated:
    job = await admit_revision(
        resources,
        user_id=user.user_id,
        original=original,
        request=body,
        max_active_jobs=settings.max_active_jobs_per_user,
    )
    JOBS_SUBMITTED.labels(body.priority.value, job.quality).inc()
    return job_created(job)


@router.get(
    "/jobs",
    response_model=JobList,
    summary="List the caller's jobs",
    description="Newest first, paginated with `limit` and `offset`, optionally filtered by `status`.",
    responses=AUTH_RESPONSES,
)
async def list_my_jobs(
    user: CurrentUser,
    resources: ResourcesDep,
    status_filter: Annotated[JobStatus | None, Query(alias="status", description="Only jobs in this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size.")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Jobs to skip.")] = 0,
) -> JobList:
    jobs, total = await read(
        resources.reads,
        lambda session: list_jobs(session, user_id=user.user_id, status=status_filter, limit=limit, offset=offset),
    )
    return JobList(items=[job_status(job) for job in jobs], total=total, limit=limit, offset=offset)


@router.get(
    "/jobs/{job_id}/status",
    response_model=JobStatusResponse,
    summary="Get a job's status and progress",
    responses=JOB_RESPONSES,
)
async def get_job_status(job: OwnedJob) -> JobStatusResponse:
    return job_status(job)


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=JobStatusResponse,
    summary="Cancel a queued or processing job",
    description="Idempotent: cancelling a cancelled job answers 200 with the same body. Completed and failed jobs "
    "cannot be cancelled (409).",
    responses={**JOB_RESPONSES, 409: {"model": JobNotReadyBody, "description": "The job already completed or failed."}},
)
async def cancel(job_id: UUID, user: CurrentUser, resources: ResourcesDep) -> JobStatusResponse:
    job = await cancel_job(resources, job_id=job_id, user_id=user.user_id)
    return job_status(job)


@router.get(
    "/jobs/{job_id}/video-url",
    response_model=VideoUrlResponse,
    summary="Get presigned URLs and metadata of a completed video",
    description="The URLs are signed afresh on every call and stop working at `expires_at`.",
    responses=MEDIA_RESPONSES,
)
async def get_video_url(job: OwnedJob, store: StoreDep, settings: SettingsDep) -> VideoUrlResponse:
    require_completed(job)
    if not job.video_key:
        raise NotFound("Video not found")
    ttl = settings.media_url_ttl_seconds
    expires_at = utcnow() + timedelta(seconds=ttl)
    download_name = content_disposition_name(job.title or job.topic)
    return VideoUrlResponse(
        job_id=job.id,
        status=JobStatus.COMPLETED,
        video_url=await store.presigned_url(job.video_key, ttl),
        download_url=await store.presigned_url(job.video_key, ttl, download_name=download_name),
        thumbnail_url=f"/api/v1/videos/jobs/{job.id}/thumbnail",
        captions_url=await store.presigned_url(job.captions_key, ttl) if job.captions_key else None,
        expires_at=expires_at,
        metadata=video_url_metadata(job),
    )


_CONDITIONAL = "Answers with `ETag` and `Last-Modified`, and 304 to `If-None-Match` or `If-Modified-Since` naming "
"the current file."


@router.get(
    "/jobs/{job_id}/stream",
    response_class=StreamingResponse,
    summary="Stream the video (supports HTTP Range)",
    description="200 with the whole MP4, or 206 with one byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`). "
    "Unsatisfiable, malformed or oversized ranges get 416 with `Content-Range: bytes */size`. A range sent with an "
    "`If-Range` that no longer names the file gets 200 and the whole file. " + _CONDITIONAL,
    responses={
        **MEDIA_RESPONSES,
        200: {"content": {"video/mp4": {}}, "description": "The whole video."},
        206: {"content": {"video/mp4": {}}, "description": "The requested byte range."},
        304: {"description": "The client's copy is current."},
        416: {"model": ErrorBody, "description": "Range not satisfiable."},
    },
)
async def stream_video(job: OwnedJob, store: StoreDep, request: Request) -> Response:
    require_completed(job)
    if not job.video_key:
        raise NotFound("Video not found")
    return await ranged_response(store, job.video_key, request, media_type="video/mp4")


@router.get(
    "/jobs/{job_id}/thumbnail",
    response_class=Response,
    summary="Get the video's thumbnail (JPEG)",
    description=_CONDITIONAL,
    responses={
        **MEDIA_RESPONSES,
        200: {"content": {"image/jpeg": {}}, "description": "The thumbnail."},
        304: {"description": "The client's copy is current."},
    },
)
async def get_thumbnail(job: OwnedJob, store: StoreDep, request: Request) -> Response:
    require_completed(job)
    if not job.thumbnail_key:
        raise NotFound("Thumbnail not found")
    return await ranged_response(store, job.thumbnail_key, request, media_type="image/jpeg")


@router.get(
    "/jobs/{job_id}/metadata",
    response_model=MetadataResponse,
    summary="Get the video's metadata",
    description="Duration, dimensions, frame rate and size are measured from the rendered file.",
    responses=MEDIA_RESPONSES,
)
async def get_metadata(job: OwnedJob) -> MetadataResponse:
    require_completed(job)
    return MetadataResponse(job_id=job.id, metadata=video_metadata(job))


_CAPTION_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip"}


@router.get(
    "/jobs/{job_id}/captions",
    # Response, not PlainTextResponse: the route class's media type is where FastAPI documents the error bodies,
    # and those are JSON.
    response_class=Response,
    summary="Get the video's captions (WebVTT or SubRip)",
    description="Choose with `format=vtt|srt` or the `Accept` header (`text/vtt`, `application/x-subrip`); "
    "WebVTT by default.",
    responses={
        **MEDIA_RESPONSES,
        200: {"content": {"text/vtt": {}, "application/x-subrip": {}}, "description": "The captions."},
    },
)
async def get_captions(
    job: OwnedJob,
    store: StoreDep,
    caption_format: Annotated[Literal["vtt", "srt"] | None, Query(alias="format")] = None,
    accept: Annotated[str | None, Header()] = None,
) -> PlainTextResponse:
    require_completed(job)
    if caption_format is None:
        caption_format = "srt" if accept and "application/x-subrip" in accept else "vtt"
    key = job.captions_key if caption_format == "vtt" else job.srt_key
    if not key:
        raise NotFound(f"No {caption_format} captions for this video")
    text = (await store.get_bytes(key)).decode("utf-8")
    return PlainTextResponse(
        text, media_type=_CAPTION_TYPES[caption_format], headers={"Cache-Control": "private, max-age=300"}
    )
