"""The in-process fan-out: a slow subscription never blocks the others, and keeps only each job's latest event."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest

from mathreel_gateway.realtime.hub import EventHub, TooManyConnections
from mathreel_shared.bus import Delivery
from mathreel_shared.messages import JobStatusChanged


def event(user: str, job, seq: int) -> JobStatusChanged:
    return JobStatusChanged(job_id=job, user_id=user, seq=seq, status={"seq": seq})


async def test_events_reach_only_their_users_subscriptions_and_slow_ones_coalesce() -> None:
    hub = EventHub()
    job, other_job = uuid4(), uuid4()
    follows_job = hub.open("alice", job, max_per_user=5)
    follows_all = hub.open("alice", None, max_per_user=5)
    stranger = hub.open("bob", None, max_per_user=5)
    for seq in range(1, 1001):
        await hub.on_event(event("alice", job, seq), Delivery())
    await hub.on_event(event("alice", other_job, 1), Delivery())
    await hub.on_event(event("alice", job, 7), Delivery())  # late and out of order: superseded
    # Nobody read: each subscription holds one event per job, the latest.
    assert [e.seq for e in await follows_job.wait(0.01)] == [1000]
    assert sorted((e.job_id == job, e.seq) for e in await follows_all.wait(0.01)) == [(False, 1), (True, 1000)]
    assert await stranger.wait(0.01) == []


async def test_a_waiting_subscription_wakes_on_its_event() -> None:
    hub = EventHub()
    job = uuid4()
    subscription = hub.open("alice", job, max_per_user=1)
    waiter = asyncio.create_task(subscription.wait(5))
    await asyncio.sleep(0)
    await hub.on_event(event("alice", job, 1), Delivery())
    assert [e.seq for e in await asyncio.wait_for(waiter, 1)] == [1]


async def test_connections_per_user_are_bounded_and_given_back() -> None:
    hub = EventHub()
    first = hub.open("alice", None, max_per_user=2)
    hub.open("alice", None, max_per_user=2)
    with pytest.raises(TooManyConnections):
        hub.open("alice", None, max_per_user=2)
    hub.open("bob", None, max_per_user=2)
    hub.close(first)
    hub.open("alice", None, max_per_user=2)
    assert hub.connections("alice") == 2


async def test_a_subscription_far_behind_on_many_jobs_is_marked_overflowed() -> None:
    hub = EventHub()
    subscription = hub.open("alice", None, max_per_user=1)
    for _ in range(300):
        await hub.on_event(event("alice", uuid4(), 1), Delivery())
    assert subscription.overflowed
