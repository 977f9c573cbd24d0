"""Everything the gateway holds open for its lifetime, in one typed object.

``open_resources`` builds the set for a mode from settings (the gateway running on its own). Standalone mode, which
composes every service in one process, builds a ``GatewayResources`` itself around the engine, bus and store it shares
with the other services and passes it to ``create_app``.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from mathreel_gateway.jobs.repository import JobLookup, open_job_lookup
from mathreel_gateway.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from mathreel_gateway.realtime.hub import EventHub
from mathreel_gateway.realtime.tickets import MemoryTicketStore, RedisTicketStore, TicketStore
from mathreel_gateway.security import build_verifier
from mathreel_shared.auth import DevSigningKey, TokenVerifier
from mathreel_shared.bus import Bus, MemoryBus, RabbitBus
from mathreel_shared.db import create_engine, create_read_engine, create_sessionmaker
from mathreel_shared.outbox import OutboxRelay
from mathreel_shared.settings import Settings
from mathreel_shared.storage import ObjectStore, create_store


class UserLocks:
    """One ``asyncio.Lock`` per user id, dropped once nobody holds or waits on it."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def for_user(self, user_id: str) -> asyncio.Lock:
        lock = self._locks.get(user_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[user_id] = lock
        return lock


@dataclass
class GatewayResources:
    """Connections and helpers the routes use. The gateway never closes resources it was given."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    bus: Bus
    store: ObjectStore
    rate_limiter: RateLimiter
    verifier: TokenVerifier
    relay: OutboxRelay
    # The read of one job for its owner that every /jobs/{job_id} route starts with (asyncpg's pool on PostgreSQL).
    jobs: JobLookup
    dev_key: DevSigningKey | None = None
    # Sessions for the other reads (the job list, ``mathreel_shared.db.read``): autocommit and no pre-ping on
    # PostgreSQL. The writers' ``sessionmaker`` when not set (SQLite, tests).
    read_sessionmaker: async_sessionmaker[AsyncSession] | None = None
    # Serialises job admission per user on SQLite, which has no row locks (PostgreSQL uses SELECT ... FOR UPDATE).
    admission_locks: UserLocks = field(default_factory=UserLocks)
    # This replica's SSE and WebSocket connections, fed with every job event by ``open_resources``.
    events: EventHub = field(default_factory=EventHub)
    # Connection tickets: Redis in distributed mode (any replica redeems them), memory in standalone mode.
    tickets: TicketStore = field(default_factory=MemoryTicketStore)

    @property
    def reads(self) -> async_sessionmaker[AsyncSession]:
        """Where read-only routes open their sessions."""
        return self.read_sessionmaker or self.sessionmaker


@contextlib.asynccontextmanager
async def open_resources(settings: Settings) -> AsyncIterator[GatewayResources]:
    """Build, start and finally close the resources ``settings`` describe, with the outbox relay running.

    Distributed: PostgreSQL, RabbitMQ, S3, Redis. Standalone: SQLite, an in-process bus, a local folder, in-memory
    rate limiting.
    """
    dev_key = DevSigningKey.load_or_create(settings.dev_signing_key_path) if settings.uses_dev_keys else None
    engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
    sessionmaker = create_sessionmaker(engine)
    read_engine = create_read_engine(settings.database_url, pool_size=settings.database_pool_size)
    bus: Bus
    limiter: RateLimiter
    tickets: TicketStore
    if settings.is_standalone:
        bus = MemoryBus()
        limiter = MemoryRateLimiter(settings.rate_limit_per_minute)
        tickets = MemoryTicketStore()
    else:
        tickets = RedisTicketStore.from_url(settings.redis_url, key_prefix=settings.redis_key_prefix)
        bus = RabbitBus(
            settings.amqp_url, settings.broker_namespace, confirm_timeout=settings.publish_confirm_timeout_seconds
        )
        limiter = RedisRateLimiter.from_url(
            settings.redis_url, settings.rate_limit_per_minute, key_prefix=settings.redis_key_prefix
        )
    store = create_store(settings)
    async with contextlib.AsyncExitStack() as stack:
        stack.push_async_callback(engine.dispose)
        if read_engine is not None:
            stack.push_async_callback(read_engine.dispose)
        stack.push_async_callback(limiter.close)
        stack.push_async_callback(tickets.close)
        await bus.start()
        stack.push_async_callback(bus.close)
        events = EventHub()
        await bus.subscribe_job_events(events.on_event)
        await store.start()
        stack.push_async_callback(store.close)
        job_lookup = await open_job_lookup(settings.database_url, sessionmaker, pool_size=settings.database_pool_size)
        stack.push_async_callback(job_lookup.close)
        relay = OutboxRelay(sessionmaker, bus)
        relay.start()
        stack.push_async_callback(relay.stop)
        yield GatewayResources(
            engine=engine,
            sessionmaker=sessionmaker,
            bus=bus,
            store=store,
            rate_limiter=limiter,
            verifier=build_verifier(settings, dev_key),
            relay=relay,
            dev_key=dev_key,
            jobs=job_lookup,
            read_sessionmaker=create_sessionmaker(read_engine) if read_engine is not None else None,
            events=events,
            tickets=tickets,
        )
