"""The script worker: topic + context → a validated storyboard, stored as JSON."""

from __future__ import annotations

import asyncio

from mathreel_script.planner import plan_storyboard
from mathreel_shared.domain import Stage
from mathreel_shared.keys import storyboard_key
from mathreel_shared.messages import ScriptCompleted, ScriptRequested
from mathreel_shared.runtime import ServiceRuntime, stage_handler


async def register(runtime: ServiceRuntime) -> None:
    async def work(message: ScriptRequested) -> None:
        storyboard = await asyncio.to_thread(plan_storyboard, message.configuration)
        key = storyboard_key(message.user_id, message.job_id)
        await runtime.store.put_bytes(key, storyboard.model_dump_json(indent=2).encode(), "application/json")
        await runtime.bus.publish(
            ScriptCompleted(
                job_id=message.job_id,
                user_id=message.user_id,
                priority=message.priority,
                storyboard_key=key,
                scene_count=len(storyboard.scenes),
                title=storyboard.title,
                author=storyboard.author,
                sources=[source.model_dump() for source in storyboard.sources],
            )
        )

    handler = stage_handler(runtime, "script", Stage.GENERATING_SCRIPT, ScriptRequested, work)
    await runtime.bus.consume("script", handler, prefetch=4)
