"""The script worker on the in-process bus, a local store and a migrated SQLite knowledge base."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import pytest

from mathreel_orchestrator.migrate import upgrade
from mathreel_scenelang.storyboard import Storyboard
from mathreel_script.exemplars.library import ExemplarLibrary
from mathreel_script.worker import register
from mathreel_shared.bus import Delivery, MemoryBus
from mathreel_shared.domain import Quality
from mathreel_shared.messages import JobConfiguration, Message, ScriptCompleted, ScriptRequested, StageFailed
from mathreel_shared.runtime import ServiceRuntime
from mathreel_shared.settings import Mode, Settings
from mathreel_shared.storage import LocalStore

API_KEY = "sk-test-key"


@dataclass
class Harness:
    runtime: ServiceRuntime
    results: asyncio.Queue[Message]

    async def run(self, configuration: JobConfiguration) -> Message:
        await self.runtime.bus.publish(ScriptRequested(job_id=uuid4(), user_id="user-1", configuration=configuration))
        return await asyncio.wait_for(self.results.get(), timeout=30)

    async def storyboard(self, message: ScriptCompleted) -> Storyboard:
        return Storyboard.model_validate_json(await self.runtime.store.get_bytes(message.storyboard_key))


@pytest.fixture
async def start_worker(tmp_path: Path) -> AsyncIterator[Callable[[], Awaitable[Harness]]]:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    await upgrade(database_url)
    # One stage attempt: a failure shows up at once instead of after the runtime's delayed redeliveries.
    settings = Settings(
        mode=Mode.STANDALONE,
        database_url=database_url,
        media_dir=tmp_path / "media",
        stage_max_attempts={"script": 1},
    )
    bus = MemoryBus()
    store = LocalStore(settings)
    await store.start()
    cleanups: list[Callable[[], Awaitable[None]]] = []

    async def start() -> Harness:
        runtime = ServiceRuntime(settings=settings, bus=bus, store=store)
        results: asyncio.Queue[Message] = asyncio.Queue()

        async def collect(message: Message, _delivery: Delivery) -> None:
            if message.type != "job.progress":
                await results.put(message)

        await bus.consume("orchestrator", collect)
        cleanups.append(await register(runtime))
        return Harness(runtime, results)

    yield start
    await bus.close()
    for cleanup in cleanups:
        await cleanup()


def use_model(monkeypatch: pytest.MonkeyPatch, base_url: str, **extra: str) -> None:
    monkeypatch.setenv("MATHREEL_LLM_BASE_URL", base_url)
    monkeypatch.setenv("MATHREEL_LLM_API_KEY", API_KEY)
    monkeypatch.setenv("MATHREEL_LLM_MODEL", "test-model")
    monkeypatch.setenv("MATHREEL_LLM_BACKOFF_SECONDS", "0.01")
    for key, value in extra.items():
        monkeypatch.setenv(f"MATHREEL_LLM_{key}", value)


def no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATHREEL_LLM_BASE_URL", raising=False)


async def test_offline_planner_uses_retrieval_only_with_use_rag(start_worker, monkeypatch) -> None:
    no_model(monkeypatch)
    harness = await start_worker()

    grounded = await harness.run(JobConfiguration(topic="Logarithms", context="", quality=Quality.LOW, use_rag=True))
    plain = await harness.run(JobConfiguration(topic="Logarithms", context="", quality=Quality.LOW))

    assert isinstance(grounded, ScriptCompleted), grounded
    assert isinstance(plain, ScriptCompleted), plain
    assert grounded.author == plain.author == "offline-planner"
    assert grounded.usage == {}
    assert grounded.sources, "the logarithms note should ground the planner's facts scene"
    # The shipped note on logarithms, or the curriculum's own entry on them.
    assert all(
        source["uri"].startswith(("kb://logarithms#", "kb://curriculum-logarithms#")) for source in grounded.sources
    )
    assert plain.sources == []
    with_facts = await harness.storyboard(grounded)
    without = await harness.storyboard(plain)
    assert [s.model_dump() for s in with_facts.sources] == grounded.sources
    extra = set(" ".join(s.narration for s in with_facts.scenes).split()) - set(
        " ".join(s.narration for s in without.scenes).split()
    )
    # The retrieved passage says what the lesson does not: here, the natural logarithm and its base e.
    assert {"natural", "ln"} <= extra


async def test_the_model_writes_with_passages_and_exemplars(start_worker, monkeypatch, chat_server) -> None:
    use_model(monkeypatch, chat_server.base_url)
    exemplar = ExemplarLibrary.load().nearest("pythagorean theorem", 1)[0].storyboard
    chat_server.script_json(json.loads(exemplar.model_dump_json(exclude={"author", "sources"})))
    harness = await start_worker()

    message = await harness.run(
        JobConfiguration(
            topic="Pythagorean theorem", context="", quality=Quality.LOW, use_rag=True, use_context_learning=True
        )
    )

    assert isinstance(message, ScriptCompleted), message
    assert message.author == "openai-compatible:test-model"
    assert message.usage == {"calls": 1, "prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200}
    assert message.sources
    assert message.sources[0]["uri"].startswith(("kb://pythagorean-theorem#", "kb://curriculum-pythagorean-theorem#"))
    request = chat_server.chat_requests[0]
    roles = [m["role"] for m in request.messages]
    assert roles.count("assistant") == 2  # two worked examples
    assert "reference_passages" in request.messages[-1]["content"]
    assert (await harness.storyboard(message)).author == "openai-compatible:test-model"


async def test_a_failing_model_fails_the_stage_with_no_planner_fallback(start_worker, monkeypatch, chat_server) -> None:
    use_model(monkeypatch, chat_server.base_url, MAX_ATTEMPTS="2")
    chat_server.script(*(chat_server.Reply(status=500, error="model crashed") for _ in range(2)))
    harness = await start_worker()

    message = await harness.run(JobConfiguration(topic="Chain rule", context="", quality=Quality.LOW))

    assert isinstance(message, StageFailed), message
    assert message.code == "llm_provider_error"
    assert "the provider failed (500): model crashed" in message.message
    assert len(chat_server.chat_requests) == 2
    assert message.retryable is True
    assert harness.results.empty()
    assert "reference_passages" not in chat_server.chat_requests[0].messages[-1]["content"]
