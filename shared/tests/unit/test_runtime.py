"""Retries with backoff, permanent failures and poison messages, on the in-process bus."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from uuid import uuid4

import pytest

from mathreel_shared import runtime as runtime_module
from mathreel_shared.bus import Delivery, MemoryBus, PermanentMessageError, poisoned_job_failure, retry_delay
from mathreel_shared.contracts import SCRIPT
from mathreel_shared.domain import Stage
from mathreel_shared.errors import CANCELLED, StageError
from mathreel_shared.messages import (
    JobConfiguration,
    Message,
    ScriptRequested,
    StageFailed,
    TtsRequested,
    parse_message,
)
from mathreel_shared.runtime import ServiceRuntime, serve_stage, stage_handler
from mathreel_shared.settings import Settings
from mathreel_shared.storage import LocalStore


class Flaky(StageError):
    def __init__(self, retryable: bool) -> None:
        super().__init__("flaky", "the service flaked", retryable=retryable)


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ServiceRuntime:
    monkeypatch.setattr(runtime_module, "retry_delay", lambda attempt: 0)
    settings = Settings(_env_file=None, media_dir=tmp_path, stage_max_attempts={"script": 3})  # type: ignore[call-arg]
    return ServiceRuntime(settings=settings, bus=MemoryBus(), store=LocalStore(settings))


def _request() -> ScriptRequested:
    return ScriptRequested(job_id=uuid4(), user_id="user_1", configuration=JobConfiguration(topic="t", context="c"))


async def _failures(bus: MemoryBus) -> list[StageFailed]:
    failed: list[StageFailed] = []

    async def collect(message: Message, _delivery: object) -> None:
        assert isinstance(message, StageFailed)
        failed.append(message)

    await bus.consume("orchestrator", collect)  # type: ignore[arg-type]
    return failed


async def _run_until(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def test_backoff_grows_and_caps() -> None:
    assert [retry_delay(a) for a in (2, 3, 4, 5, 9)] == [2, 10, 30, 120, 120]


async def test_transient_errors_are_retried_then_fail_the_job(runtime: ServiceRuntime) -> None:
    attempts: list[int] = []

    async def work(message: ScriptRequested) -> None:
        attempts.append(message.attempt)
        raise Flaky(retryable=True)

    bus = runtime.bus
    assert isinstance(bus, MemoryBus)
    failed = await _failures(bus)
    await bus.consume("script", stage_handler(runtime, SCRIPT, work))
    await bus.publish(_request())
    await _run_until(lambda: len(failed) == 1)
    assert attempts == [1, 2, 3]
    assert failed[0].code == "flaky"
    assert "gave up after 3 attempts" in failed[0].message
    await bus.close()


async def test_a_transient_error_that_recovers_does_not_fail(runtime: ServiceRuntime) -> None:
    attempts: list[int] = []

    async def work(message: ScriptRequested) -> None:
        attempts.append(message.attempt)
        if message.attempt == 1:
            raise ConnectionError("storage blinked")

    bus = runtime.bus
    assert isinstance(bus, MemoryBus)
    failed = await _failures(bus)
    await bus.consume("script", stage_handler(runtime, SCRIPT, work))
    await bus.publish(_request())
    await _run_until(lambda: attempts == [1, 2])
    await asyncio.sleep(0.05)
    assert failed == []
    await bus.close()


async def test_permanent_errors_fail_fast(runtime: ServiceRuntime) -> None:
    attempts: list[int] = []

    async def work(message: ScriptRequested) -> None:
        attempts.append(message.attempt)
        raise Flaky(retryable=False)

    bus = runtime.bus
    assert isinstance(bus, MemoryBus)
    failed = await _failures(bus)
    await bus.consume("script", stage_handler(runtime, SCRIPT, work))
    await bus.publish(_request())
    await _run_until(lambda: len(failed) == 1)
    assert attempts == [1]
    assert (failed[0].stage, failed[0].retryable) == (Stage.GENERATING_SCRIPT, False)
    await bus.close()


async def test_poison_messages_are_dead_lettered_and_fail_their_job() -> None:
    bus = MemoryBus()
    failed = await _failures(bus)
    job_id = uuid4()

    async def reject(message: Message, _delivery: object) -> None:
        raise PermanentMessageError("cannot be processed")

    await bus.consume("script", reject)  # type: ignore[arg-type]
    await bus.publish(
        ScriptRequested(job_id=job_id, user_id="u", configuration=JobConfiguration(topic="t", context="c"))
    )
    # A body that is not a message at all, but names its job.
    broken = json.dumps({"type": "stage.tts.requested", "job_id": str(job_id), "user_id": "u"}).encode()
    await bus.publish_raw("stage.tts.requested", broken, priority=5, headers={})
    await bus.consume("tts", reject)  # type: ignore[arg-type]
    await _run_until(lambda: len(failed) == 2)
    assert len(bus.dead_letters) == 2
    assert {f.code for f in failed} == {"poison_message"}
    assert {f.stage for f in failed} == {Stage.GENERATING_SCRIPT, Stage.GENERATING_AUDIO}
    await bus.close()


def test_a_broken_failure_report_is_never_reported_again() -> None:
    body = json.dumps({"type": "stage.failed", "job_id": str(uuid4()), "user_id": "u"}).encode()
    assert poisoned_job_failure(body, "x") is None
    assert poisoned_job_failure(b"not json", "x") is None
    parsed = poisoned_job_failure(json.dumps({"job_id": str(uuid4()), "user_id": "u"}).encode(), "x")
    assert parsed is not None
    assert parse_message(parsed.model_dump_json()).type == "stage.failed"


class LooksLikeAStageError(Exception):
    """Has the attributes of a stage error without being one: no longer read with getattr."""

    code = "made_up"
    message = "not a StageError"
    retryable = False


async def test_only_a_stage_error_names_the_failure(runtime: ServiceRuntime) -> None:
    async def work(message: ScriptRequested) -> None:
        raise LooksLikeAStageError("boom")

    bus = runtime.bus
    assert isinstance(bus, MemoryBus)
    failed = await _failures(bus)
    await serve_stage(runtime, SCRIPT, work)
    await bus.publish(_request())
    await _run_until(lambda: len(failed) == 1)
    # An unknown exception is an internal error, transient: retried up to the limit, then reported as such.
    assert (failed[0].code, failed[0].retryable) == ("internal_error", True)
    assert "LooksLikeAStageError: boom" in failed[0].message
    await bus.close()


async def test_a_cancelled_stage_is_dropped_not_reported(runtime: ServiceRuntime) -> None:
    handled: list[int] = []

    async def work(message: ScriptRequested) -> None:
        handled.append(message.attempt)
        raise StageError(CANCELLED, "the job was cancelled mid-way")

    bus = runtime.bus
    assert isinstance(bus, MemoryBus)
    failed = await _failures(bus)
    await serve_stage(runtime, SCRIPT, work)
    await bus.publish(_request())
    await _run_until(lambda: handled == [1])
    await bus.wait_idle(timeout=5)
    assert failed == []
    await bus.close()


async def test_serve_stage_consumes_the_contracts_queue_and_rejects_other_messages(runtime: ServiceRuntime) -> None:
    seen: list[ScriptRequested] = []

    async def work(message: ScriptRequested) -> None:
        seen.append(message)

    bus = runtime.bus
    assert isinstance(bus, MemoryBus)
    await serve_stage(runtime, SCRIPT, work)
    request = _request()
    await bus.publish(request)
    await _run_until(lambda: len(seen) == 1)
    assert seen[0].message_id == request.message_id

    handler = stage_handler(runtime, SCRIPT, work)
    stray = TtsRequested(job_id=uuid4(), user_id="u", storyboard_key="k", scene_index=0, scene_count=1)
    with pytest.raises(PermanentMessageError, match=r"script does not handle stage\.tts\.requested"):
        await handler(stray, Delivery())
    await bus.close()
