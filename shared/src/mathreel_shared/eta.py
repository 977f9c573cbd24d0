"""Estimated completion time, from measured stage durations of recent jobs of the same quality.

Formula (documented in docs/architecture.md):

    remaining = max(m[s] - elapsed_in(s), 0.1 * m[s]) + sum(m[t] for each stage t after s)
    eta       = now + remaining

where ``s`` is the job's current stage and ``m[x]`` is the median duration of stage ``x`` over the last
``SAMPLE_SIZE`` finished runs of that stage at the job's quality, or a built-in default while fewer than
``MIN_SAMPLES`` runs exist. Queued jobs count the whole pipeline from ``initializing``.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mathreel_shared.db import StageRun
from mathreel_shared.domain import Quality, Stage

SAMPLE_SIZE = 20
MIN_SAMPLES = 3

PIPELINE_STAGES: tuple[Stage, ...] = (
    Stage.INITIALIZING,
    Stage.GENERATING_SCRIPT,
    Stage.GENERATING_AUDIO,
    Stage.GENERATING_VISUALS,
    Stage.RENDERING,
    Stage.UPLOADING,
)

# Seconds, measured on a 2-core machine with one worker per service; replaced by real measurements as jobs finish.
DEFAULT_STAGE_SECONDS: dict[Quality, dict[Stage, float]] = {
    Quality.LOW: {
        Stage.INITIALIZING: 0.5,
        Stage.GENERATING_SCRIPT: 0.5,
        Stage.GENERATING_AUDIO: 8.0,
        Stage.GENERATING_VISUALS: 40.0,
        Stage.RENDERING: 3.0,
        Stage.UPLOADING: 1.0,
    },
    Quality.MEDIUM: {
        Stage.INITIALIZING: 0.5,
        Stage.GENERATING_SCRIPT: 0.5,
        Stage.GENERATING_AUDIO: 8.0,
        Stage.GENERATING_VISUALS: 120.0,
        Stage.RENDERING: 6.0,
        Stage.UPLOADING: 1.0,
    },
    Quality.HIGH: {
        Stage.INITIALIZING: 0.5,
        Stage.GENERATING_SCRIPT: 0.5,
        Stage.GENERATING_AUDIO: 8.0,
        Stage.GENERATING_VISUALS: 480.0,
        Stage.RENDERING: 15.0,
        Stage.UPLOADING: 2.0,
    },
}


async def stage_medians(session: AsyncSession, quality: Quality) -> dict[Stage, float]:
    """Median seconds per stage for ``quality``, measured where there are enough samples."""
    medians = dict(DEFAULT_STAGE_SECONDS[quality])
    for stage in PIPELINE_STAGES:
        rows = (
            await session.execute(
                select(StageRun.started_at, StageRun.finished_at)  # type: ignore[call-overload]
                .where(
                    StageRun.quality == quality.value,
                    StageRun.stage == stage.value,
                    StageRun.finished_at.is_not(None),  # type: ignore[union-attr]
                )
                .order_by(StageRun.finished_at.desc())  # type: ignore[union-attr]
                .limit(SAMPLE_SIZE)
            )
        ).all()
        durations = [(finished - started).total_seconds() for started, finished in rows if finished is not None]
        if len(durations) >= MIN_SAMPLES:
            medians[stage] = statistics.median(durations)
    return medians


def estimate_completion(
    medians: dict[Stage, float], stage: Stage, stage_started_at: datetime | None, now: datetime
) -> datetime:
    """Apply the formula in the module docstring."""
    if stage not in PIPELINE_STAGES:
        return now
    index = PIPELINE_STAGES.index(stage)
    current = medians[stage]
    elapsed = (now - stage_started_at).total_seconds() if stage_started_at else 0.0
    remaining = max(current - elapsed, 0.1 * current)
    remaining += sum(medians[later] for later in PIPELINE_STAGES[index + 1 :])
    return now + timedelta(seconds=remaining)
