"""Per-user request rate limiting on fixed one-minute windows.

Distributed mode counts in Redis with one Lua script, so every gateway replica shares one exact counter per user and
window, and the window is taken from the Redis server's clock (replicas with skewed clocks still agree on it).
Standalone mode counts in memory. When Redis cannot be reached the gateway answers 503 rather than letting requests
through uncounted: the limit is a promise to operators, and failing open would break it silently.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol, cast

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError, ResponseError

from mathreel_gateway.batching import Batched

WINDOW_SECONDS = 60

# How long one round trip to Redis (a batch of counts, or a ping) may take before the requests waiting on it are
# answered 503.
REDIS_TIMEOUT_SECONDS = 2.0

# On every authenticated response: the limit, what is left of it, and when the window ends (Unix seconds).
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


class RateLimiterUnavailable(Exception):
    """The shared counter cannot be reached (answered 503)."""


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one request; carries the values of the ``X-RateLimit-*`` headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: int
    """Unix time (seconds) at which the current window ends."""
    retry_after: int
    """Seconds until the window ends (at least 1)."""

    def headers(self) -> dict[str, str]:
        return dict(zip(RATE_LIMIT_HEADERS, (str(self.limit), str(self.remaining), str(self.reset_at)), strict=True))


def _decision(count: int, limit: int, window: int, now: float) -> RateDecision:
    reset_at = (window + 1) * WINDOW_SECONDS
    return RateDecision(
        allowed=count <= limit,
        limit=limit,
        remaining=max(limit - count, 0),
        reset_at=reset_at,
        retry_after=max(math.ceil(reset_at - now), 1),
    )


class RateLimiter(Protocol):
    limit: int

    async def hit(self, user_id: str) -> RateDecision:
        """Count one request of ``user_id`` and say whether it is within the limit."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    """Counts in this process only (standalone mode and tests)."""

    def __init__(self, limit: int, *, clock: Any = time.time) -> None:
        self.limit = limit
        self._clock = clock
        self._counts: dict[tuple[str, int], int] = {}
        self._window = -1

    async def hit(self, user_id: str) -> RateDecision:
        now = float(self._clock())
        window = int(now // WINDOW_SECONDS)
        if window != self._window:
            # Old windows can never be read again; dropping them keeps memory bounded by the active users.
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            self._window = window
        key = (user_id, window)
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return _decision(count, self.limit, window, now)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


# Counts one request for each of KEYS (a key may repeat) in the current window, taken from the Redis server's clock,
# and sets a counter's expiry when it is created. Returns {seconds, microseconds, then per key its count}: a counter
# Redis cannot increment (a key of another type) gives its error text in its place, so it fails its own request only.
# Runs atomically on the server.
_HIT_SCRIPT = """
local t = redis.call('TIME')
local window = math.floor(tonumber(t[1]) / tonumber(ARGV[1]))
local result = {t[1], t[2]}
for i, prefix in ipairs(KEYS) do
  local key = prefix .. ':' .. window
  local count = redis.pcall('INCR', key)
  if type(count) == 'table' then
    result[i + 2] = count.err
  else
    if count == 1 then
      redis.call('EXPIRE', key, tonumber(ARGV[1]) * 2)
    end
    result[i + 2] = count
  end
end
return result
"""


class RedisRateLimiter:
    """One counter per user and window in Redis: ``{prefix}ratelimit:{user}:{window}``, exact across replicas.

    The requests that reach the limiter in the same turn of the event loop are counted in one round trip, one script
    call for all of them (``mathreel_gateway.batching``), under one deadline of ``timeout`` seconds. One call rather
    than a pipeline of one call per request: redis-py packs and parses every command of a pipeline in Python, and
    that was most of the limiter's CPU per request (~20 µs against ~7 µs measured at 25 requests a batch).

    The counters of one batch are read in one script, so they must live on one server: one Redis, or a primary with
    replicas. (Redis Cluster would refuse keys of several slots in one script.)
    """

    def __init__(
        self, redis: Redis, limit: int, *, key_prefix: str = "", timeout: float = REDIS_TIMEOUT_SECONDS
    ) -> None:
        self.limit = limit
        self._redis = redis
        self._prefix = key_prefix
        self._timeout = timeout
        self._script = redis.register_script(_HIT_SCRIPT)
        self._batched_count = Batched(self._count_all)

    @classmethod
    def from_url(
        cls, url: str, limit: int, *, key_prefix: str = "", timeout: float = REDIS_TIMEOUT_SECONDS
    ) -> RedisRateLimiter:
        """A limiter on a new client of the Redis at ``url``.

        The client has no read timeout of its own: the limiter bounds each batch instead, its script load included. A
        batch cut short closes its connection (redis-py does that for any read interrupted mid-reply), so no late
        reply is ever read as another batch's.
        """
        redis = Redis.from_url(url, socket_timeout=None, socket_connect_timeout=timeout)
        return cls(redis, limit, key_prefix=key_prefix, timeout=timeout)

    async def hit(self, user_id: str) -> RateDecision:
        try:
            count, seconds, now = await self._batched_count(f"{self._prefix}ratelimit:{user_id}")
        except (RedisError, OSError) as exc:  # the batch's, or this request's own counter
            raise RateLimiterUnavailable(f"rate limiter unavailable: {type(exc).__name__}") from exc
        return _decision(count, self.limit, seconds // WINDOW_SECONDS, now)

    async def _count_all(self, keys: list[str]) -> list[tuple[int, int, float] | Exception]:
        """Count one request for each of ``keys`` (repeated keys count repeatedly), in one round trip: per key its
        count, the server's time in whole seconds and exactly, or the error of its counter."""
        async with asyncio.timeout(self._timeout):  # TimeoutError, an OSError: the whole batch is unavailable
            try:
                reply = await self._count(keys)
            except NoScriptError:  # a new or flushed Redis ran nothing: load the script, once, and count again
                await self._redis.script_load(_HIT_SCRIPT)
                reply = await self._count(keys)
        seconds, micros, *counts = reply
        whole = int(seconds)
        now = whole + int(micros) / 1_000_000
        return [
            (count, whole, now) if isinstance(count, int) else ResponseError(count.decode(errors="replace"))
            for count in counts
        ]

    async def _count(self, keys: list[str]) -> list[Any]:
        # EVALSHA, not the script object: it would check the script's presence first, a round trip more.
        return cast(list[Any], await self._redis.evalsha(self._script.sha, len(keys), *keys, WINDOW_SECONDS))

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise RateLimiterUnavailable(str(exc) or type(exc).__name__) from exc

    async def close(self) -> None:
        await self._redis.aclose()  # type: ignore[attr-defined]  # the stubs predate aclose()
