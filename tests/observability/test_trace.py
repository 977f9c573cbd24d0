"""One job, one trace: run a job on the real distributed stack and follow it through every service.

Every process of the session's stack exports its spans over OTLP/HTTP to a receiver in the test run
(``span_receiver`` in ``tests/conftest.py``). The job is the distributed mode's shared one
(``tests/support/followed.py``); other tests' jobs are in the receiver too, so the trace's root is found by the time
the job was requested. The trace starts at the gateway's
``POST /api/v1/videos/generate`` and must reach the orchestrator and all four workers through the broker, with the
stage spans named after their stage and scene, and the client calls (PostgreSQL, Redis, S3) inside the same trace.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import Deployment
from tests.e2e.stack import DistributedStack
from tests.support.followed import FollowedJobs

from .otlp import OtlpReceiver, ReceivedSpan

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

SERVICES = {
    "mathreel-gateway",
    "mathreel-orchestrator",
    "mathreel-script",
    "mathreel-tts",
    "mathreel-visuals",
    "mathreel-render",
}


def scene_numbers(spans: list[ReceivedSpan], prefix: str) -> set[int]:
    """The scene numbers in span names such as ``tts generating_audio scene 2``."""
    return {int(s.name.rsplit(" ", 1)[1]) for s in spans if s.name.startswith(f"{prefix} scene ")}


def is_generate(span: ReceivedSpan, window: tuple[int, int]) -> bool:
    """The gateway's server span of a ``POST /api/v1/videos/generate`` that began within ``window`` (ns)."""
    return (
        span.service == "mathreel-gateway"
        and span.name == "POST /api/v1/videos/generate"
        and window[0] <= span.start_time_unix_nano <= window[1]
    )


async def test_one_job_is_one_trace_across_every_service(
    distributed: Deployment,
    second_gateway: str,
    followed_jobs: FollowedJobs,
    distributed_stack: DistributedStack,
    span_receiver: OtlpReceiver,
) -> None:
    receiver = span_receiver
    # The distributed mode's shared job; tests run one at a time, so the one request that created a job while it
    # was being requested is its own.
    followed = await followed_jobs.of(distributed, second_gateway)
    assert followed.final["status"] == "completed", f"{followed.final}\n{distributed_stack.logs()}"
    job_id, window = followed.job_id, followed.requested_ns

    # The gateway's server span for the request that created the job is where the trace starts.
    first = receiver.wait_until(lambda spans: any(is_generate(s, window) for s in spans), timeout=30)
    roots = [s for s in first if is_generate(s, window)]
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
