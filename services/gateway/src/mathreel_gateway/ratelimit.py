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
from redis.exceptions import NoScriptError, RedisError

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


# Increments the counter of the current window (taken from the Redis clock) and sets its expiry on first use.
# Returns {count, now_seconds, now_microseconds}. Runs atomically on the server.
_HIT_SCRIPT = """
local t = redis.call('TIME')
local window = math.floor(tonumber(t[1]) / tonumber(ARGV[1]))
local key = KEYS[1] .. ':' .. window
local count = redis.call('INCR', key)
if count == 1 then
  redis.call('EXPIRE', key, tonumber(ARGV[1]) * 2)
end
return {count, t[1], t[2]}
"""


class RedisRateLimiter:
    """One counter per user and window in Redis: ``{prefix}ratelimit:{user}:{window}``, exact across replicas.

    The requests that reach the limiter in the same turn of the event loop are counted in one round trip, a pipeline
    of one script call each (``mathreel_gateway.batching``), under one deadline of ``timeout`` seconds.
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

        The client has no read timeout of its own: redis-py would arm one per reply, a pipeline's worth per batch.
        The limiter bounds each batch instead; a batch cut short closes its connection (redis-py does that for any
        read interrupted mid-reply), so no late reply is ever read as another request's.
        """
        redis = Redis.from_url(url, socket_timeout=None, socket_connect_timeout=timeout)
        return cls(redis, limit, key_prefix=key_prefix, timeout=timeout)

    async def hit(self, user_id: str) -> RateDecision:
        try:
            result = await self._batched_count(f"{self._prefix}ratelimit:{user_id}")
        except (RedisError, OSError) as exc:  # the pipeline's, or this request's own reply
            raise RateLimiterUnavailable(f"rate limiter unavailable: {type(exc).__name__}") from exc
        count, seconds, micros = (int(value) for value in result)
        now = seconds + micros / 1_000_000
        return _decision(count, self.limit, seconds // WINDOW_SECONDS, now)

    async def _count_all(self, keys: list[str]) -> list[list[Any] | Exception]:
        """Count one request for each of ``keys`` (repeated keys count repeatedly), in one round trip."""
        async with asyncio.timeout(self._timeout):  # TimeoutError, an OSError: the whole batch is unavailable
            results = await self._pipelined(keys)
            unloaded = [index for index, result in enumerate(results) if isinstance(result, NoScriptError)]
            if unloaded:  # a new or flushed Redis: load the script, once, and count those requests again
                await self._redis.script_load(_HIT_SCRIPT)
                retried = await self._pipelined([keys[index] for index in unloaded])
                for index, result in zip(unloaded, retried, strict=True):
                    results[index] = result
        return results

    async def _pipelined(self, keys: list[str]) -> list[list[Any] | Exception]:
        # EVALSHA calls, not the script object: it would check the script's presence first, a round trip more.
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.evalsha(self._script.sha, 1, key, WINDOW_SECONDS)
            return cast(list[list[Any] | Exception], await pipe.execute(raise_on_error=False))

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise RateLimiterUnavailable(str(exc) or type(exc).__name__) from exc

    async def close(self) -> None:
        await self._redis.aclose()  # type: ignore[attr-defined]  # the stubs predate aclose()
