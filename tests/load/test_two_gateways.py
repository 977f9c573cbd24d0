"""Load on two gateway replicas (CI size: 20 users for 30 s; ``bench/load/run.py`` is the full size).

0 server errors; the per-user limits exact across the replicas (3 active jobs, 100 requests a minute); admission
fast: a job's ``job.requested`` is published within a second of its commit at the median.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest

from mathreel_shared.settings import Settings
from tests.load.loadgen import run_load, summary

pytestmark = [pytest.mark.integration, pytest.mark.load]


async def test_two_replicas_hold_their_limits_under_load(
    two_gateways: list[str], load_mint: Any, load_settings: Settings
) -> None:
    report = await run_load(
        two_gateways,
        load_mint,
        users=int(os.environ.get("MATHREEL_LOAD_USERS", "20")),
        duration=float(os.environ.get("MATHREEL_LOAD_SECONDS", "30")),
        amqp_url=load_settings.amqp_url,
        namespace=load_settings.broker_namespace,
        database_url=load_settings.database_url,
        run_id=uuid.uuid4().hex[:8],
    )
    print(summary(report))  # noqa: T201 - the figures for docs/reliability.md

    assert report.server_errors == [], report.server_errors[:10]
    assert report.limit_violations == [], report.limit_violations[:10]
    assert report.burst_active == {"created": 3, "rejected_active_jobs": 7}
    assert sum(allowed for _, allowed in report.burst_rate.values()) >= 100
    assert report.created > report.users, "the users did submit jobs"
    assert report.rejected_active > 0, "the users did reach their active-jobs limit"
    assert all(count > report.requests // 3 for count in report.per_replica.values()), report.per_replica
    assert len(report.admission_seconds) == len(report.submit_seconds)
    # The server's part of admission (commit to broker confirm) is the outbox relay's wake-up; the whole path, HTTP
    # included, is bounded loosely: the load generator shares the machine's two cores with both replicas.
    figures = report.figures()
    assert figures["created_to_published_ms_p50"] < 1000, figures
    assert figures["submit_to_queue_ms_p50"] < 2000, figures
