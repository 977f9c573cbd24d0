"""One job, one trace: run a job on the real distributed stack and follow it through every service.

Every process exports its spans over OTLP/HTTP to a receiver in this test. The trace starts at the gateway's
``POST /api/v1/videos/generate`` and must reach the orchestrator and all four workers through the broker, with the
stage spans named after their stage and scene, and the client calls (PostgreSQL, Redis, S3) inside the same trace.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.e2e.stack import DistributedStack
from tests.support.isolated import own_resources

from .otlp import OtlpReceiver, ReceivedSpan

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

USER = "user_trace_carol"
SERVICES = {
    "mathreel-gateway",
    "mathreel-orchestrator",
    "mathreel-script",
    "mathreel-tts",
    "mathreel-visuals",
    "mathreel-render",
}


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    with OtlpReceiver().running() as running:
        yield running


@pytest.fixture(scope="module")
async def traced_stack(
    distributed_settings, service_endpoints, receiver: OtlpReceiver, tmp_path_factory
) -> AsyncIterator[DistributedStack]:
    async with own_resources(distributed_settings, service_endpoints.postgres_admin_url, "traced") as settings:
        stack = DistributedStack(settings, tmp_path_factory.mktemp("traced-logs"))
        # The stack hands its own environment to every process it starts: this is how each one learns where to
        # export.
        with pytest.MonkeyPatch.context() as env:
            env.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
            env.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
            env.delenv("OTEL_SERVICE_NAME", raising=False)
            env.setenv("OTEL_BSP_SCHEDULE_DELAY", "200")
            stack.start()
        try:
            yield stack
        finally:
            stack.stop()


async def run_job(stack: DistributedStack, token: str) -> str:
    async with httpx.AsyncClient(
        base_url=stack.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        created = await client.post(
            "/api/v1/videos/generate",
            json={
                "configuration": {"topic": "Area of a circle", "context": "A = pi r^2.", "quality": "low"},
                "priority": "high",
            },
        )
        assert created.status_code == 201, created.text
        job_id: str = created.json()["job_id"]
        deadline = time.monotonic() + 240
        while True:
            response = await client.get(f"/api/v1/videos/jobs/{job_id}/status")
            assert response.status_code == 200, response.text
            status = response.json()
            if status["status"] in {"completed", "failed", "cancelled"}:
                assert status["status"] == "completed", f"{status}\n{stack.logs()}"
                return job_id
            if time.monotonic() > deadline:
                pytest.fail(f"job {job_id} still {status}\n{stack.logs()}")
            # Slow enough to stay far below the rate limit (100 requests a minute) on a slow machine.
            await asyncio.sleep(2.0)


def scene_numbers(spans: list[ReceivedSpan], prefix: str) -> set[int]:
    """The scene numbers in span names such as ``tts generating_audio scene 2``."""
    return {int(s.name.rsplit(" ", 1)[1]) for s in spans if s.name.startswith(f"{prefix} scene ")}


async def test_one_job_is_one_trace_across_every_service(
    traced_stack: DistributedStack, receiver: OtlpReceiver, jwks_server, distributed_settings
) -> None:
    token = jwks_server.key.mint(USER, issuer=distributed_settings.jwt_issuer, ttl_seconds=3600)
    job_id = await run_job(traced_stack, token)

    # The gateway's server span for the request that created the job is where the trace starts.
    first = receiver.wait_until(
        lambda spans: any(s.service == "mathreel-gateway" and s.name == "POST /api/v1/videos/generate" for s in spans),
        timeout=30,
    )
    roots = [s for s in first if s.service == "mathreel-gateway" and s.name == "POST /api/v1/videos/generate"]
    assert len(roots) == 1, [s.name for s in first if s.service == "mathreel-gateway"]
    trace_id = roots[0].trace_id
    assert roots[0].parent_span_id == "", "the request span is the root of the job's trace"

    # Render is the last stage: once its span and every service's are in, the rest has had time to arrive too.
    spans = receiver.wait_until(
        lambda spans: (
            {s.service for s in spans if s.trace_id == trace_id} >= SERVICES
            and any(s.trace_id == trace_id and s.name == "orchestrator stage.render.completed" for s in spans)
        ),
        timeout=30,
    )
    await asyncio.sleep(1.0)
    spans = receiver.snapshot()
    in_trace = [s for s in spans if s.trace_id == trace_id]
    by_service = {service: sorted({s.name for s in in_trace if s.service == service}) for service in SERVICES}
    assert all(by_service.values()), f"services without spans in the job's trace: {by_service}"

    # Every span that names this job belongs to the one trace: no stage started a trace of its own.
    about_job = [s for s in spans if s.attributes.get("mathreel.job_id") == job_id]
    assert {s.service for s in about_job} >= SERVICES - {"mathreel-gateway"}
    assert {s.trace_id for s in about_job} == {trace_id}, sorted({(s.service, s.name, s.trace_id) for s in about_job})

    # Stage spans say the stage, and the scene (numbered from 1) for the per-scene stages.
    names = {s.name for s in in_trace}
    assert "script generating_script" in names
    assert "render rendering" in names
    tts_scenes = scene_numbers(in_trace, "tts generating_audio")
    assert len(tts_scenes) >= 2, by_service["mathreel-tts"]
    assert tts_scenes == set(range(1, len(tts_scenes) + 1))
    assert scene_numbers(in_trace, "visuals generating_visuals") == tts_scenes
    completed = {
        s.attributes.get("mathreel.scene_index") for s in in_trace if s.name == "orchestrator stage.tts.completed"
    }
    assert completed == {scene - 1 for scene in tts_scenes}, "the orchestrator's spans carry the 0-based scene index"
    assert {"orchestrator job.requested", "orchestrator stage.render.completed"} <= names

    # Client calls are traced inside the job: S3 from the workers, PostgreSQL from the orchestrator, Redis from the
    # gateway's rate limiter.
    clients = {(s.service, s.attributes.get("db.system") or s.attributes.get("rpc.system")) for s in in_trace}
    assert ("mathreel-render", "aws-api") in clients, by_service["mathreel-render"]
    assert ("mathreel-orchestrator", "postgresql") in clients, by_service["mathreel-orchestrator"]
    assert ("mathreel-gateway", "redis") in clients, by_service["mathreel-gateway"]
