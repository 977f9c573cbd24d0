"""At-least-once delivery, at its worst: every message of a whole job delivered twice.

Every service of the real pipeline (the standalone composition of the same code) runs on a bus that enqueues each
message it is given twice: the gateway's ``job.requested``, every stage request the orchestrator sends, every result
and progress report the workers send. The job must still complete once, the orchestrator must send each stage
message once (its outbox is the record), the store must hold each artifact once, and the orchestrator's inbox must
be what dropped the copies.
"""

from __future__ import annotations

import pytest

from tests.chaos.conftest import DuplicatingStandalone
from tests.chaos.harness import audit_jobs, folder_lister, wait_all_terminal

pytestmark = [pytest.mark.integration, pytest.mark.chaos, pytest.mark.timeout(1500)]


async def test_every_message_delivered_twice_completes_once(duplicating_standalone: DuplicatingStandalone) -> None:
    deployment = duplicating_standalone
    job = await deployment.client.submit(0)

    final = await wait_all_terminal(deployment.client, [job], timeout=900)
    # The job can complete while the second copy of a stage request is still being handled (and writing its
    # artifact again); the store is audited once every copy has been handled.
    await deployment.bus.wait_idle(timeout=300)
    lister = folder_lister(deployment.settings.media_dir)
    audit = await audit_jobs(deployment.settings.database_url, [job.job_id], lister)
    print(f"duplicates: {audit.summary()}; bus {dict(deployment.bus.published)}")  # noqa: T201 - the figures

    assert final[job.job_id] == "completed", audit.summary()
    audit.assert_nothing_lost(expect_completed=1)
    # Each stage result arrived twice, and the inbox is what dropped the copies: at least one per event applied.
    orchestrator = deployment.orchestrator
    assert orchestrator.duplicates >= orchestrator.applied // 2, (orchestrator.duplicates, orchestrator.applied)
    assert orchestrator.duplicates > 0
    # The workers did see every request twice (the copies were delivered, not lost on the way).
    assert deployment.bus.published["stage.visuals.requested"] >= 2
    assert deployment.bus.published["stage.render.requested"] == 2
