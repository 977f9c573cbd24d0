"""The estimated completion time: the formula on given medians, and the medians measured from stage runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

from mathreel_shared.db import Job, StageRun, create_engine, create_sessionmaker
from mathreel_shared.domain import Quality, Stage
from mathreel_shared.eta import (
    DEFAULT_STAGE_SECONDS,
    MIN_SAMPLES,
    PIPELINE_STAGES,
    SAMPLE_SIZE,
    estimate_completion,
    stage_medians,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
# Round numbers so each expectation can be checked by hand.
MEDIANS = {
    Stage.INITIALIZING: 1.0,
    Stage.GENERATING_SCRIPT: 2.0,
    Stage.GENERATING_AUDIO: 10.0,
    Stage.GENERATING_VISUALS: 100.0,
    Stage.RENDERING: 20.0,
    Stage.UPLOADING: 5.0,
}


def _seconds_left(stage: Stage, elapsed: float | None) -> float:
    started = NOW - timedelta(seconds=elapsed) if elapsed is not None else None
    return (estimate_completion(MEDIANS, stage, started, NOW) - NOW).total_seconds()


def test_a_stage_just_started_counts_its_median_and_every_later_one() -> None:
    assert _seconds_left(Stage.GENERATING_VISUALS, 0) == pytest.approx(100 + 20 + 5)
    assert _seconds_left(Stage.INITIALIZING, 0) == pytest.approx(sum(MEDIANS.values()))


def test_time_already_spent_in_the_stage_is_subtracted() -> None:
    assert _seconds_left(Stage.GENERATING_VISUALS, 40) == pytest.approx(60 + 20 + 5)


def test_an_overrunning_stage_still_counts_a_tenth_of_its_median() -> None:
    # 100 s past its median: the estimate never says "done" while the stage is running.
    assert _seconds_left(Stage.GENERATING_VISUALS, 200) == pytest.approx(10 + 20 + 5)
    assert _seconds_left(Stage.UPLOADING, 60) == pytest.approx(0.5)


def test_without_a_start_time_nothing_counts_as_elapsed() -> None:
    assert _seconds_left(Stage.RENDERING, None) == _seconds_left(Stage.RENDERING, 0) == pytest.approx(25)


def test_a_completed_job_is_due_now() -> None:
    assert estimate_completion(MEDIANS, Stage.COMPLETED, NOW - timedelta(hours=1), NOW) == NOW


@pytest.fixture
async def sessionmaker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/eta.db")
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _add_runs(
    sessionmaker: async_sessionmaker[AsyncSession],
    stage: Stage,
    quality: Quality,
    seconds: list[float],
    *,
    finished: bool = True,
) -> None:
    """One job per run (a job has one run per stage), each finishing a minute after the one before."""
    async with sessionmaker() as session, session.begin():
        for index, duration in enumerate(seconds):
            job = Job(user_id="user_eta", topic="t", context="c", quality=quality)
            job.id = uuid4()
            session.add(job)
            end = NOW - timedelta(minutes=len(seconds) - index)
            session.add(
                StageRun(
                    job_id=job.id,
                    stage=stage,
                    quality=quality,
                    started_at=end - timedelta(seconds=duration),
                    finished_at=end if finished else None,
                )
            )


async def test_the_defaults_stand_until_enough_runs_are_measured(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _add_runs(sessionmaker, Stage.GENERATING_AUDIO, Quality.LOW, [3.0] * (MIN_SAMPLES - 1))
    async with sessionmaker() as session:
        assert await stage_medians(session, Quality.LOW) == DEFAULT_STAGE_SECONDS[Quality.LOW]
    assert set(DEFAULT_STAGE_SECONDS[Quality.LOW]) == set(PIPELINE_STAGES)


async def test_the_median_of_measured_runs_replaces_the_default(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _add_runs(sessionmaker, Stage.GENERATING_AUDIO, Quality.LOW, [2.0, 4.0, 30.0])
    async with sessionmaker() as session:
        medians = await stage_medians(session, Quality.LOW)
    assert medians[Stage.GENERATING_AUDIO] == pytest.approx(4.0)
    assert medians[Stage.RENDERING] == DEFAULT_STAGE_SECONDS[Quality.LOW][Stage.RENDERING]


async def test_only_finished_runs_of_the_same_quality_are_measured(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await _add_runs(sessionmaker, Stage.RENDERING, Quality.HIGH, [50.0] * MIN_SAMPLES)
    await _add_runs(sessionmaker, Stage.RENDERING, Quality.LOW, [1.0] * MIN_SAMPLES, finished=False)
    async with sessionmaker() as session:
        low = await stage_medians(session, Quality.LOW)
        high = await stage_medians(session, Quality.HIGH)
    assert low[Stage.RENDERING] == DEFAULT_STAGE_SECONDS[Quality.LOW][Stage.RENDERING]
    assert high[Stage.RENDERING] == pytest.approx(50.0)


async def test_only_the_latest_runs_are_measured(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    # SAMPLE_SIZE old slow runs, then SAMPLE_SIZE recent fast ones: the old ones have aged out.
    slow_then_fast = [90.0] * SAMPLE_SIZE + [9.0] * SAMPLE_SIZE
    await _add_runs(sessionmaker, Stage.GENERATING_VISUALS, Quality.MEDIUM, slow_then_fast)
    async with sessionmaker() as session:
        medians = await stage_medians(session, Quality.MEDIUM)
    assert medians[Stage.GENERATING_VISUALS] == pytest.approx(9.0)
