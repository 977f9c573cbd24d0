"""``OwnedJobRoute`` answers exactly what FastAPI's own request handling answers, and refuses routes it cannot serve.

The comparisons run on the standalone gateway (SQLite, in-memory rate limit, development key) and on the
distributed one (PostgreSQL through the asyncpg lookup, Redis, a JWKS served over HTTP).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import Depends, Request
from fastapi.responses import PlainTextResponse
from fastapi.routing import APIRoute

from mathreel_gateway.deps import CurrentUser, OwnedJob
from mathreel_gateway.jobroute import OwnedJobRoute
from mathreel_gateway.routes.videos import get_job_status
from mathreel_gateway.schemas import JobStatusResponse
from mathreel_shared.db import Job

STATUS_PATH = "/api/v1/videos/jobs/{job_id}/status"
# The same endpoint, served the usual way: FastAPI's dependency solver and response-model serialization.
TWIN_PATH = "/twin/jobs/{job_id}/status"


OpenGateway = Callable[..., contextlib.AbstractAsyncContextManager[Any]]


@pytest.fixture(params=["standalone", pytest.param("distributed", marks=pytest.mark.integration)])
def open_gateway(request: pytest.FixtureRequest) -> OpenGateway:
    """``async with open_gateway(**settings) as gateway``, standalone or on the real services."""
    if request.param == "standalone":
        make: OpenGateway = request.getfixturevalue("make_gateway")
        return make
    distributed: OpenGateway = request.getfixturevalue("distributed_gateway")
    jwks_server = request.getfixturevalue("jwks_server")
    return lambda **overrides: distributed(jwks_server, **overrides)


def new_user() -> str:
    """A user of this test alone: the distributed gateways of a session share their rate-limit counters."""
    return f"user_{uuid.uuid4().hex[:16]}"


def add_twin(gateway) -> None:
    twin = APIRoute(TWIN_PATH, get_job_status, methods=["GET"], response_model=JobStatusResponse)
    gateway.app.router.routes.append(twin)


def the_route(gateway) -> Any:
    return next(route for route in gateway.app.router.routes if getattr(route, "path", None) == STATUS_PATH)


async def both(gateway, job_id: object, headers: dict[str, str]) -> tuple[Any, Any]:
    ours = await gateway.client.get(STATUS_PATH.format(job_id=job_id), headers=headers)
    twin = await gateway.client.get(TWIN_PATH.format(job_id=job_id), headers=headers)
    return ours, twin


def assert_same_answer(ours: Any, twin: Any) -> None:
    assert ours.status_code == twin.status_code
    assert ours.content == twin.content
    for header in ("content-type", "content-length", "www-authenticate", "x-ratelimit-limit", "cache-control"):
        assert ours.headers.get(header) == twin.headers.get(header), header


async def test_the_status_route_is_served_by_owned_job_route(gateway) -> None:
    assert isinstance(the_route(gateway), OwnedJobRoute)


async def test_job_states_are_answered_byte_for_byte_as_fastapi_would(open_gateway: OpenGateway) -> None:
    owner = new_user()
    async with open_gateway() as gateway:
        add_twin(gateway)
        queued = await gateway.create_job(owner)
        failed = await gateway.create_job(owner)
        await gateway.set_job(
            failed,
            status="failed",
            stage="generating_audio",
            percentage=37.5,
            error_code="tts_failed",
            error_message="The narration could not be spoken.",
            error_stage="generating_audio",
        )
        completed = await gateway.create_job(owner)
        await gateway.complete_job(completed, owner)
        for job_id in (queued, failed, completed):
            ours, twin = await both(gateway, job_id, gateway.auth(owner))
            assert ours.status_code == 200
            assert_same_answer(ours, twin)
            assert JobStatusResponse.model_validate_json(ours.content).job_id == job_id
    assert ours.json()["status"] == "completed"


async def test_refusals_and_forms_of_the_id_are_answered_as_fastapi_would(open_gateway: OpenGateway) -> None:
    owner, stranger = new_user(), new_user()
    async with open_gateway() as gateway:
        add_twin(gateway)
        job_id = await gateway.create_job(owner)
        expired = gateway.token(owner, ttl_seconds=-3600)
        cases: dict[str, tuple[object, dict[str, str]]] = {
            "no token": (job_id, {}),
            "expired token": (job_id, {"Authorization": f"Bearer {expired}"}),
            "malformed id": ("not-a-uuid", gateway.auth(owner)),
            "id in capitals": (str(job_id).upper(), gateway.auth(owner)),
            "id without hyphens": (job_id.hex, gateway.auth(owner)),
            "id as a URN": (f"urn:uuid:{job_id}", gateway.auth(owner)),
            "id one digit short": (str(job_id)[:-1], gateway.auth(owner)),
            "unknown job": (uuid.uuid4(), gateway.auth(owner)),
            "another user's job": (job_id, gateway.auth(stranger)),
            "no token and a malformed id": ("not-a-uuid", {}),
        }
        statuses = {}
        for name, (path_id, headers) in cases.items():
            ours, twin = await both(gateway, path_id, headers)
            assert_same_answer(ours, twin)
            statuses[name] = ours.status_code
    assert statuses == {
        "no token": 401,
        "expired token": 401,
        "malformed id": 422,
        "id in capitals": 200,
        "id without hyphens": 200,
        "id as a URN": 200,
        "id one digit short": 422,
        "unknown job": 404,
        "another user's job": 404,
        "no token and a malformed id": 401,
    }


async def test_the_rate_limit_refuses_the_route_like_any_other(open_gateway: OpenGateway) -> None:
    owner = new_user()
    async with open_gateway(rate_limit_per_minute=2) as gateway:
        job_id = await gateway.create_job(owner)  # the first counted request
        url = STATUS_PATH.format(job_id=job_id)
        allowed = await gateway.client.get(url, headers=gateway.auth(owner))
        refused = await gateway.client.get(url, headers=gateway.auth(owner))
    assert allowed.status_code == 200
    assert allowed.headers["x-ratelimit-remaining"] == "0"
    assert refused.status_code == 429
    assert refused.json()["limit"] == "rate"
    assert "retry-after" in refused.headers


async def test_an_endpoint_returning_another_type_is_a_500(gateway) -> None:
    async def wrong(job: OwnedJob) -> JobStatusResponse:
        return {"job_id": str(job.id)}  # type: ignore[return-value]

    gateway.app.router.routes.append(OwnedJobRoute("/wrong/{job_id}", wrong, response_model=JobStatusResponse))
    job_id = await gateway.create_job()
    response = await gateway.client.get(f"/wrong/{job_id}", headers=gateway.auth())
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}


async def _other_dependency() -> None:
    return None


async def with_a_query_parameter(job: OwnedJob, verbose: bool = False) -> JobStatusResponse:
    raise AssertionError("never called")


async def with_the_request(job: OwnedJob, request: Request) -> JobStatusResponse:
    raise AssertionError("never called")


async def with_the_user_only(user: CurrentUser) -> JobStatusResponse:
    raise AssertionError("never called")


def synchronous(job: OwnedJob) -> JobStatusResponse:
    raise AssertionError("never called")


async def returning_the_row(job: OwnedJob) -> Job:
    return job


@pytest.mark.parametrize(
    ("endpoint", "options", "reason"),
    [
        (with_a_query_parameter, {}, "other parameters or dependencies"),
        (with_the_request, {}, "other parameters or dependencies"),
        (with_the_user_only, {}, "not OwnedJob"),
        (synchronous, {}, "not a coroutine function"),
        (get_job_status, {"dependencies": [Depends(_other_dependency)]}, "other parameters or dependencies"),
        (returning_the_row, {"response_model": None}, "pydantic response model"),
        (get_job_status, {"response_model_exclude_none": True}, "whole response model"),
        (get_job_status, {"response_class": PlainTextResponse}, "whole response model"),
    ],
    ids=[
        "query parameter",
        "request",
        "user only",
        "synchronous",
        "route dependency",
        "no response model",
        "serialization options",
        "response class",
    ],
)
def test_routes_of_another_shape_are_refused_when_built(endpoint: Any, options: dict[str, Any], reason: str) -> None:
    arguments: dict[str, Any] = {"response_model": JobStatusResponse} | options
    with pytest.raises(TypeError, match=reason):
        OwnedJobRoute("/jobs/{job_id}", endpoint, methods=["GET"], **arguments)
