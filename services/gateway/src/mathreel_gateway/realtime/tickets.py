"""Single-use connection tickets: a browser cannot set headers on a WebSocket, and a session token must not travel
in a URL, so an authenticated ``POST /realtime/tickets`` trades the token for a ticket that opens one connection.

A ticket is 32 random bytes (URL-safe base64), valid ``ttl`` seconds, bound to the user it was issued to, and
redeemed at most once: Redis ``GETDEL`` in distributed mode (any replica can redeem it, atomically), a dictionary in
standalone mode. Only a SHA-256 of the ticket is stored, so the store's contents open nothing.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Protocol

from redis.asyncio import Redis

# Tickets we issue are 43 characters; anything longer is refused before the store is asked.
MAX_TICKET_CHARS = 128


def new_ticket() -> str:
    return secrets.token_urlsafe(32)


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


class TicketStore(Protocol):
    async def issue(self, user_id: str, ttl: int) -> str:
        """A new ticket for ``user_id``, valid ``ttl`` seconds."""
        ...

    async def redeem(self, ticket: str) -> str | None:
        """The user of ``ticket`` if it is valid, unused and unexpired, and then never again; else None."""
        ...

    async def close(self) -> None: ...


class MemoryTicketStore:
    """Standalone mode: one process, one dictionary."""

    def __init__(self) -> None:
        self._tickets: dict[str, tuple[str, float]] = {}

    async def issue(self, user_id: str, ttl: int) -> str:
        now = time.monotonic()
        # Expired tickets are dropped as new ones are made, so the dictionary stays as small as the live tickets.
        for key in [key for key, (_, expires) in self._tickets.items() if expires <= now]:
            del self._tickets[key]
        ticket = new_ticket()
        self._tickets[_digest(ticket)] = (user_id, now + ttl)
        return ticket

    async def redeem(self, ticket: str) -> str | None:
        if not ticket or len(ticket) > MAX_TICKET_CHARS:
            return None
        entry = self._tickets.pop(_digest(ticket), None)
        if entry is None or entry[1] <= time.monotonic():
            return None
        return entry[0]

    async def close(self) -> None:
        return None


class RedisTicketStore:
    """Distributed mode: ``SET key user EX ttl`` to issue, ``GETDEL`` to redeem (Redis 6.2+)."""

    def __init__(self, redis: Redis, *, key_prefix: str) -> None:
        self._redis = redis
        self._prefix = f"{key_prefix}ticket:"

    @classmethod
    def from_url(cls, url: str, *, key_prefix: str) -> RedisTicketStore:
        return cls(Redis.from_url(url), key_prefix=key_prefix)

    async def issue(self, user_id: str, ttl: int) -> str:
        ticket = new_ticket()
        await self._redis.set(self._prefix + _digest(ticket), user_id, ex=ttl)
        return ticket

    async def redeem(self, ticket: str) -> str | None:
        if not ticket or len(ticket) > MAX_TICKET_CHARS:
            return None
        user = await self._redis.getdel(self._prefix + _digest(ticket))
        if user is None:
            return None
        return user.decode() if isinstance(user, bytes) else str(user)

    async def close(self) -> None:
        await self._redis.aclose()
