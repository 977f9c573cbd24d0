"""Cancelling a job while another writer holds the user's other queued job, against real PostgreSQL.

The cancel locks the cancelled job's row, then (renumbering the user's queue) the other queued job's. The
orchestrator starting that other job locks the two rows in the opposite order. PostgreSQL breaks the deadlock by
rolling one transaction back; the cancel must run again and answer 200, not 500.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select, text, update
from sqlmodel import col

from mathreel_shared.db import Job

pytestmark = pytest.mark.integration

URL = "/api/v1/videos/generate"
BODY = {"configuration": {"topic": "Pythagorean Theorem", "context": "Explain it with a proof."}}


async def _waiting_on_locks(gateway) -> int:
    async with gateway.resources.sessionmaker() as session:
        query = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int((await session.execute(query)).scalar_one())


async def test_a_cancel_that_deadlocks_with_the_orchestrator_is_run_again(distributed_gateway, jwks_server) -> None:
    async with distributed_gateway(jwks_server, rate_limit_per_minute=1000) as gateway:
        user = f"user_{uuid.uuid4().hex[:12]}"
        headers = {"Authorization": f"Bearer {jwks_server.key.mint(user)}"}
        first = (await gateway.client.post(URL, json=BODY, headers=headers)).json()["job_id"]
        second = (await gateway.client.post(URL, json=BODY, headers=headers)).json()["job_id"]
        first_id, second_id = uuid.UUID(first), uuid.UUID(second)

        # Another writer, as the orchestrator starting `second`: it holds `second`'s row...
        async with gateway.resources.sessionmaker() as writer, writer.begin():
            await writer.execute(select(Job).where(col(Job.id) == second_id).with_for_update())
            before = (await writer.execute(select(Job.event_seq).where(col(Job.id) == second_id))).scalar_one()

            cancel = asyncio.create_task(gateway.client.post(f"/api/v1/videos/jobs/{first}/cancel", headers=headers))
            # ...the cancel has locked `first` and now waits for `second`...
            for _ in range(200):
                if await _waiting_on_locks(gateway) >= 1:
                    break
                await asyncio.sleep(0.025)
            else:
                raise AssertionError("the cancel never waited for the other writer's row")
            # ...and the writer now wants `first`: a deadlock. The cancel, waiting longest, is the one rolled back.
            await writer.execute(
                update(Job).where(col(Job.id) == first_id).values(event_seq=col(Job.event_seq)),
                execution_options={"synchronize_session": False},
            )

        cancelled = await cancel
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"

        async with gateway.resources.sessionmaker() as session:
            jobs = {
                job.id: job for job in (await session.execute(select(Job).where(col(Job.user_id) == user))).scalars()
            }
        assert jobs[first_id].status == "cancelled"
        assert jobs[second_id].status == "queued"
        # The rolled-back attempt left nothing behind: `second` moved up the queue exactly once.
        assert jobs[second_id].event_seq == before + 1
