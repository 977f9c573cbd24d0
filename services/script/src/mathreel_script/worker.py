"""The script worker: topic + context → a validated storyboard, stored as JSON.

With a model configured (``MATHREEL_LLM_BASE_URL``) the model writes the storyboard through the generation loop;
otherwise the offline planner does. Either way ``use_rag`` retrieves passages from the knowledge base (they ground
the narration and become the storyboard's sources) and ``use_context_learning`` picks the nearest exemplars. A
model failure fails the job with its reason: the planner never stands in for a configured model.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from prometheus_client import Counter
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from mathreel_scenelang.checks import path_of, storyboard_problems
from mathreel_scenelang.errors import SceneError
from mathreel_scenelang.render.preflight import WarmPreflight, preflight
from mathreel_scenelang.storyboard import Scene, Storyboard
from mathreel_script.exemplars.library import ExemplarLibrary
from mathreel_script.knowledge.passage import Passage, sources_of
from mathreel_script.knowledge.store import KnowledgeBase
from mathreel_script.llm.config import GroundingSettings, LlmSettings
from mathreel_script.llm.errors import LlmError
from mathreel_script.llm.generate import StoryboardWriter
from mathreel_script.llm.openai_compat import OpenAICompatibleProvider
from mathreel_script.llm.validation import Problem
from mathreel_script.planner import plan_storyboard
from mathreel_script.text import clean_text, sentences
from mathreel_shared.contracts import SCRIPT
from mathreel_shared.db import create_engine
from mathreel_shared.errors import StageError
from mathreel_shared.isolation import IsolatedRunner
from mathreel_shared.keys import storyboard_key
from mathreel_shared.messages import JobConfiguration, ScriptCompleted, ScriptRequested
from mathreel_shared.runtime import ServiceRuntime, serve_stage
from mathreel_shared.settings import Settings
from mathreel_shared.storage import ObjectNotFound, ObjectStore
from mathreel_shared.usage import CpuMeter

log = logging.getLogger(__name__)

# How much of the context joins the topic in the retrieval query: enough for its key terms, not a whole essay.
QUERY_CONTEXT_CHARS = 400
EXEMPLARS_FOR_MODEL = 2


class KnowledgeBaseUnavailable(LlmError):
    """Retrieval was asked for and the knowledge base could not answer (a database problem, often passing)."""

    default_code = "knowledge_base_unavailable"


class PreflightUnavailable(LlmError):
    """The preflight (typesetting and layout of a model's storyboard) broke: a machine problem, not the model's."""

    default_code = "storyboard_preflight_failed"


class StoryboardRejected(StageError):
    """A storyboard the user gave (a revision) does not pass the checks: it fails the job, naming the paths."""

    def __init__(self, message: str) -> None:
        super().__init__("storyboard_rejected", message, retryable=False)


# The author of a storyboard the user gave: the metadata's ``author`` says a person edited it, not which model.
GIVEN_AUTHOR = "user"
MAX_REJECTION_PROBLEMS = 5


class ScenePreflight(Protocol):
    """The layout and LaTeX preflight of a storyboard, of only the scenes at the indices ``scenes`` when given."""

    async def __call__(self, storyboard: Storyboard, scenes: Sequence[int] | None = None) -> Sequence[Problem]: ...


PREFLIGHT_SCENES = Counter(
    "mathreel_preflight_scenes_total",
    "Scenes of storyboards users gave: typeset and laid out (checked), or equal to a scene their original job "
    "rendered (unchanged)",
    ["result"],
)


async def accept_given(
    store: ObjectStore, key: str, check: ScenePreflight, *, original_key: str | None = None
) -> Storyboard:
    """The storyboard the user gave, once it passes the schema, the static checks and the layout preflight.

    The gateway ran the first two already; they run again because the stored object is what gets rendered. With
    ``original_key`` (the storyboard of the completed job this one revises), only the scenes that differ from every
    scene of the original are preflighted: the others were rendered, so they lay out and typeset.
    """
    try:
        storyboard = Storyboard.model_validate_json(await store.get_bytes(key))
    except ValidationError as exc:
        found = [f"storyboard.{path_of(error['loc'])}: {error['msg']}" for error in exc.errors()]
        raise StoryboardRejected("; ".join(found[:MAX_REJECTION_PROBLEMS])) from exc
    problems: Sequence[Problem] = list(islice(storyboard_problems(storyboard), MAX_REJECTION_PROBLEMS))
    if not problems:
        changed = await _changed_scenes(store, storyboard, original_key)
        PREFLIGHT_SCENES.labels("checked").inc(len(changed))
        PREFLIGHT_SCENES.labels("unchanged").inc(len(storyboard.scenes) - len(changed))
        problems = (await check(storyboard, changed))[:MAX_REJECTION_PROBLEMS]
    if problems:
        listed = "; ".join(f"storyboard.{problem.path}: {problem.message}" for problem in problems)
        raise StoryboardRejected(f"the storyboard does not lay out or typeset: {listed}")
    return storyboard.model_copy(update={"author": GIVEN_AUTHOR})


async def _changed_scenes(store: ObjectStore, storyboard: Storyboard, original_key: str | None) -> list[int]:
    """The indices of ``storyboard``'s scenes whose drawing (canonical JSON without the narration) is not one of the
    original's scenes (wherever it stood there: a scene's layout does not depend on its place, nor on its words, and
    the preflight times beats by an estimate anyway); every index when the original cannot be read."""
    everything = list(range(len(storyboard.scenes)))
    if original_key is None:
        return everything
    try:
        original = Storyboard.model_validate_json(await store.get_bytes(original_key))
    except (ObjectNotFound, ValidationError, OSError):
        log.warning("the original storyboard %s cannot be read: every scene is preflighted", original_key)
        return everything
    rendered = {_canonical(scene) for scene in original.scenes}
    return [index for index in everything if _canonical(storyboard.scenes[index]) not in rendered]


def _canonical(scene: Scene) -> str:
    """What a scene draws: its JSON with every beat's narration left out."""
    drawn = scene.model_dump(mode="json")
    for beat in drawn["beats"]:
        beat.pop("narration", None)
    return json.dumps(drawn, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class ScriptResult:
    storyboard: Storyboard
    usage: dict[str, int] = field(default_factory=dict)


class ScriptAuthor:
    """Writes one job's storyboard: retrieval and exemplars per the job's flags, then the model or the planner."""

    def __init__(
        self,
        *,
        knowledge: KnowledgeBase,
        exemplars: ExemplarLibrary,
        writer: StoryboardWriter | None,
        grounding: GroundingSettings,
        compute: IsolatedRunner,
    ) -> None:
        self._knowledge = knowledge
        self._exemplars = exemplars
        self._writer = writer
        self._grounding = grounding
        self._compute = compute

    async def retrieve(self, configuration: JobConfiguration) -> list[Passage]:
        """Passages for the job's topic and context; none unless ``use_rag``."""
        if not configuration.use_rag:
            return []
        query = f"{configuration.topic} {configuration.context[:QUERY_CONTEXT_CHARS]}"
        try:
            if self._grounding.load_starter_corpus:
                await self._knowledge.ensure_starter_corpus()
            return await self._knowledge.search(query, limit=self._grounding.rag_top_k)
        except SQLAlchemyError as exc:
            raise KnowledgeBaseUnavailable(
                f"use_rag is on but the knowledge base cannot be searched: {type(exc).__name__}", retryable=True
            ) from exc

    async def write(self, configuration: JobConfiguration) -> ScriptResult:
        """The job's storyboard and what the model spent on it (empty for the planner)."""
        passages = await self.retrieve(configuration)
        count = EXEMPLARS_FOR_MODEL if self._writer is not None else 1
        chosen: list[Storyboard] = []
        if configuration.use_context_learning:
            # Choosing may build a curriculum lesson: CPU work, kept off the event loop like the rest of the stage.
            nearest = await asyncio.to_thread(self._exemplars.nearest, configuration.topic, count)
            chosen = [exemplar.storyboard for exemplar in nearest]
        if self._writer is not None:
            generated = await self._writer.write(configuration, passages=passages, exemplars=chosen)
            return ScriptResult(generated.storyboard, generated.usage.as_dict())
        # In a child process with a time and memory limit: the planner computes on the user's text.
        storyboard = await self._compute.run(
            plan_storyboard,
            configuration,
            retrieved=[passage.text for passage in passages],
            exemplar=chosen[0] if chosen else None,
        )
        used = _passages_in(storyboard, passages)
        return ScriptResult(storyboard.model_copy(update={"sources": sources_of(used)}))


def _passages_in(storyboard: Storyboard, passages: Sequence[Passage]) -> list[Passage]:
    """The passages the planner actually quoted: their first sentence's opening words appear in the narration."""
    narration = " ".join(scene.narration for scene in storyboard.scenes).lower()
    used: list[Passage] = []
    for passage in passages:
        found = sentences(clean_text(passage.text, limit=1000))
        opening = " ".join(found[0].split()[:6]).lower() if found else ""
        if opening and opening in narration:
            used.append(passage)
    return used


def compute_runner(settings: Settings) -> IsolatedRunner:
    """Child processes for the planner's work on user text, warm with its modules, within the settings' limits."""
    return IsolatedRunner(
        workers=settings.compute_workers,
        timeout_seconds=settings.compute_timeout_seconds,
        memory_bytes=settings.compute_memory_mb * 2**20 if settings.compute_memory_mb else None,
        preload=["mathreel_script.planner"],
    )


def preflight_tex_cache(work_dir: Path) -> Path:
    """The TeX cache the preflights of one worker share, between jobs."""
    return (work_dir / "tex-cache").resolve()


def visuals_preflight(work_dir: Path, warm: WarmPreflight | None = None) -> ScenePreflight:
    """The renderer's preflight (``mathreel_scenelang.render``), run here under ``work_dir`` with a TeX cache kept
    between jobs: in the ``warm`` process when given (Manim imported once), else in a subprocess of its own."""
    tex_cache = preflight_tex_cache(work_dir)

    async def check(storyboard: Storyboard, scenes: Sequence[int] | None = None) -> list[Problem]:
        try:
            if warm is not None:
                found = await warm.check(storyboard, work_dir / "preflight", scenes=scenes)
            else:
                found = await preflight(storyboard, work_dir / "preflight", tex_cache=tex_cache, scenes=scenes)
        except SceneError as exc:
            # The check itself broke (not the storyboard): the stage fails and is retried like any transient error.
            raise PreflightUnavailable(
                f"the storyboard preflight could not run: {exc.message}", retryable=True
            ) from exc
        return [Problem(problem.path, problem.message) for problem in found]

    return check


async def _warm_up(warm: WarmPreflight) -> None:
    try:
        await warm.start()
    except Exception:
        # The first check starts it again and reports what fails then.
        log.warning("the preflight process could not be prepared", exc_info=True)


def build_author(
    engine: AsyncEngine,
    llm: LlmSettings | None = None,
    grounding: GroundingSettings | None = None,
    *,
    compute: IsolatedRunner,
    work_dir: Path | None = None,
    warm: WarmPreflight | None = None,
) -> tuple[ScriptAuthor, OpenAICompatibleProvider | None]:
    """The author the settings describe, and the provider it owns (to close), if a model is configured.

    The offline planner runs through ``compute``. With a ``work_dir`` and ``llm.preflight``, the model's
    storyboards are typeset and laid out before acceptance (in the ``warm`` preflight process when given).
    """
    llm = llm or LlmSettings()
    grounding = grounding or GroundingSettings()
    provider = OpenAICompatibleProvider(llm) if llm.configured else None
    check = visuals_preflight(work_dir, warm) if work_dir is not None and llm.preflight else None
    embedder = provider if provider is not None and llm.embeddings_model else None
    author = ScriptAuthor(
        knowledge=KnowledgeBase(engine, embedder=embedder),
        exemplars=ExemplarLibrary.load(grounding.exemplars_dir),
        writer=StoryboardWriter(provider, llm, preflight=check, compute=compute) if provider is not None else None,
        grounding=grounding,
        compute=compute,
    )
    if provider is not None:
        log.info("script: storyboards are written by %s", llm.author)
    else:
        log.info("script: no model configured (MATHREEL_LLM_BASE_URL); the offline planner writes storyboards")
    return author, provider


async def register(runtime: ServiceRuntime) -> Callable[[], Awaitable[None]]:
    """Consume ``stage.script.requested``; returns a cleanup coroutine that closes the model client and database."""
    engine = create_engine(runtime.settings.database_url, pool_size=2)
    compute = compute_runner(runtime.settings)
    await compute.start()
    warm = WarmPreflight(preflight_tex_cache(runtime.settings.work_dir))
    warming: list[asyncio.Task[None]] = []
    author, provider = build_author(engine, compute=compute, work_dir=runtime.settings.work_dir, warm=warm)

    async def knowledge_base() -> None:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))

    runtime.ready_checks.append(knowledge_base)

    # A given storyboard (a revision) is always laid out before it is stored, model or not.
    check_given = visuals_preflight(runtime.settings.work_dir, warm)

    async def work(message: ScriptRequested) -> None:
        try:
            await write(message)
        finally:
            if not warming:
                # Manim's imports for the preflight, once per worker process, in the background: after the first
                # job rather than beside it (the planner's computation has a time limit), ahead of the next
                # storyboard to check. A check that comes first starts the process itself.
                warming.append(asyncio.create_task(_warm_up(warm)))

    async def write(message: ScriptRequested) -> None:
        # The planner's child process and the warm preflight count what they spend on this message into the meter.
        with CpuMeter().counting() as meter:
            if message.given_storyboard_key:
                given = await accept_given(
                    runtime.store,
                    message.given_storyboard_key,
                    check_given,
                    original_key=message.original_storyboard_key,
                )
                result = ScriptResult(given)
            else:
                result = await author.write(message.configuration)
        storyboard = result.storyboard
        key = storyboard_key(message.user_id, message.job_id)
        document = storyboard.model_dump_json(indent=2).encode()
        await runtime.store.put_bytes(key, document, "application/json")
        await runtime.bus.publish(
            ScriptCompleted(
                **message.job_fields(),
                storyboard_key=key,
                scene_count=len(storyboard.scenes),
                title=storyboard.title,
                author=storyboard.author,
                usage=result.usage,
                sources=[source.model_dump() for source in storyboard.sources],
                cpu_seconds=meter.seconds(),
                bytes_stored=len(document),
            )
        )

    await serve_stage(runtime, SCRIPT, work, prefetch=4)

    async def close() -> None:
        for task in warming:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await warm.close()
        await compute.close()
        if provider is not None:
            await provider.aclose()
        await engine.dispose()

    return close
