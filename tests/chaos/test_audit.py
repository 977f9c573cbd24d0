"""The chaos audit itself: it must see a stage message sent twice, a stray or missing artifact, a lost or stuck job.

A chaos test that passes proves something only if its audit would have failed on the faults it looks for. These
checks run on SQLite and a folder, with no services.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID, uuid4

from mathreel_orchestrator.migrate import upgrade
from mathreel_shared.db import Job, create_engine, create_sessionmaker
from mathreel_shared.keys import job_prefix, scene_audio_key
from mathreel_shared.messages import TtsRequested
from mathreel_shared.outbox import enqueue
from tests.chaos.harness import audit_jobs, expected_objects, folder_lister

USER = "user_audit"


async def _setup(tmp_path: Path, *, status: str, tts_copies: int) -> tuple[str, str, Path]:
    url = f"sqlite+aiosqlite:///{tmp_path}/audit.db"
    await upgrade(url)
    engine = create_engine(url)
    job_id = uuid4()
    async with create_sessionmaker(engine)() as session, session.begin():
        session.add(
            Job(
                id=job_id,
                user_id=USER,
                topic="t",
                context="c",
                quality="low",
                status=status,
                stage="completed" if status == "completed" else "generating_audio",
                scene_count=2,
            )
        )
        for _ in range(tts_copies):
            message = TtsRequested(job_id=job_id, user_id=USER, storyboard_key="k", scene_index=0, scene_count=2)
            enqueue(session, message)
        # A re-drive (attempt 2) is a legitimate second message for the same scene.
        enqueue(
            session,
            TtsRequested(job_id=job_id, user_id=USER, storyboard_key="k", scene_index=0, scene_count=2, attempt=2),
        )
    await engine.dispose()
    media = tmp_path / "media"
    for key in expected_objects(USER, job_id, 2):
        (media / key).parent.mkdir(parents=True, exist_ok=True)
        (media / key).write_bytes(b"x")
    return url, str(job_id), media


async def test_a_clean_completed_job_passes(tmp_path: Path) -> None:
    url, job_id, media = await _setup(tmp_path, status="completed", tts_copies=1)
    audit = await audit_jobs(url, [job_id], folder_lister(media))
    audit.assert_nothing_lost(expect_completed=1)
    assert audit.redriven == {job_id: 1}


async def test_a_stage_message_sent_twice_is_caught(tmp_path: Path) -> None:
    url, job_id, media = await _setup(tmp_path, status="completed", tts_copies=2)
    audit = await audit_jobs(url, [job_id], folder_lister(media))
    assert audit.duplicate_messages == {job_id: [("stage.tts.requested", 0, 1)]}


async def test_stray_and_missing_artifacts_are_caught(tmp_path: Path) -> None:
    url, job_id, media = await _setup(tmp_path, status="completed", tts_copies=1)
    (media / scene_audio_key(USER, UUID(job_id), 0)).unlink()
    stray = media / job_prefix(USER, UUID(job_id)) / "audio" / "scene_001.retry.wav"
    stray.write_bytes(b"x")
    audit = await audit_jobs(url, [job_id], folder_lister(media))
    assert list(audit.missing_objects) == [job_id]
    assert audit.unexpected_objects[job_id] == [stray.relative_to(media).as_posix()]


async def test_lost_and_stuck_jobs_are_caught(tmp_path: Path) -> None:
    url, job_id, media = await _setup(tmp_path, status="processing", tts_copies=1)
    never_created = str(uuid4())
    audit = await audit_jobs(url, [job_id, never_created], folder_lister(media))
    assert audit.statuses[never_created] == "lost"
    assert sorted(audit.stuck) == sorted([job_id, never_created])
