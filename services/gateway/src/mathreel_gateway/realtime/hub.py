"""The in-process fan-out of job events to this gateway replica's SSE and WebSocket connections.

Every replica receives every job event (its own queue on the events exchange); the hub hands each to the
subscriptions of the event's user, without waiting for any of them. A subscription keeps only the latest pending
event of each job (a slow client skips intermediate progress, never the latest state): offering never blocks and the
memory of a subscription is bounded by the number of jobs it follows. An SSE stream fills skipped numbers from the
stored events, so it loses nothing; a WebSocket client sees each job's latest state. A subscription that has more
than ``max_pending_jobs`` jobs pending is closed (the client reconnects).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from uuid import UUID

from mathreel_shared.bus import Delivery
from mathreel_shared.messages import JobStatusChanged, Message

# A WebSocket client that has this many jobs with undelivered events is too slow to keep.
MAX_PENDING_JOBS = 256


class TooManyConnections(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} event connections per user")
        self.limit = limit


class Subscription:
    """The pending events of one connection: the latest of each job, in arrival order."""

    def __init__(self, user_id: str, job_id: UUID | None, *, max_pending_jobs: int = MAX_PENDING_JOBS) -> None:
        self.user_id = user_id
        self.job_id = job_id
        self._pending: dict[UUID, JobStatusChanged] = {}
        self._max_pending_jobs = max_pending_jobs
        self._ready = asyncio.Event()
        self.overflowed = False
        self.closed = False

    def offer(self, event: JobStatusChanged) -> None:
        """Keep ``event`` unless a later one of its job is already pending. Never blocks."""
        if self.job_id is not None and event.job_id != self.job_id:
            return
        pending = self._pending.get(event.job_id)
        if pending is not None and pending.seq >= event.seq:
            return
        if pending is None and len(self._pending) >= self._max_pending_jobs:
            self.overflowed = True
        else:
            self._pending[event.job_id] = event
        self._ready.set()

    async def wait(self, timeout: float) -> list[JobStatusChanged]:
        """The pending events (possibly none after ``timeout`` seconds), oldest first."""
        if not self._pending and not self.overflowed:
            try:
                await asyncio.wait_for(self._ready.wait(), timeout)
            except TimeoutError:
                return []
        self._ready.clear()
        events = list(self._pending.values())
        self._pending.clear()
        return events


class EventHub:
    """Subscriptions by user, fed by ``on_event`` (the bus handler)."""

    def __init__(self) -> None:
        self._by_user: defaultdict[str, set[Subscription]] = defaultdict(set)
        self.delivered = 0

    def open(self, user_id: str, job_id: UUID | None, *, max_per_user: int) -> Subscription:
        """A new subscription; ``TooManyConnections`` when the user already has ``max_per_user`` here."""
        subscriptions = self._by_user[user_id]
        if len(subscriptions) >= max_per_user:
            if not subscriptions:
                del self._by_user[user_id]
            raise TooManyConnections(max_per_user)
        subscription = Subscription(user_id, job_id)
        subscriptions.add(subscription)
        return subscription

    def close(self, subscription: Subscription) -> None:
        subscription.closed = True
        subscriptions = self._by_user.get(subscription.user_id)
        if subscriptions is None:
            return
        subscriptions.discard(subscription)
        if not subscriptions:
            del self._by_user[subscription.user_id]

    def connections(self, user_id: str) -> int:
        return len(self._by_user.get(user_id, ()))

    async def on_event(self, message: Message, _delivery: Delivery) -> None:
        """Bus handler of the job events: offer the event to the user's subscriptions on this replica."""
        if not isinstance(message, JobStatusChanged):
            return
        for subscription in self._by_user.get(message.user_id, ()):
            subscription.offer(message)
            self.delivered += 1
