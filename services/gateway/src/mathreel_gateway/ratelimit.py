"""Per-user request rate limiting, exact over any 60-second window: a sliding-window log.

Each user's allowed requests of the last minute are kept with their times; a request is allowed while fewer than
``limit`` of them fall within the 60 seconds before it. So no 60-second span ever holds more than ``limit`` allowed
requests, whatever it straddles (fixed one-minute windows let ``2 x limit`` through across a minute boundary).
``X-RateLimit-Reset`` is when the next request will be allowed: now while some allowance remains, else the moment
the oldest counted request leaves the window, which is also what ``Retry-After`` counts down to.

Distributed mode keeps the log in Redis (a sorted set per user) and decides with one Lua script, so every gateway
replica shares one exact log, timed by the Redis server's clock (replicas with skewed clocks still agree).
Standalone mode keeps it in memory. When Redis cannot be reached the gateway answers 503 rather than letting
requests through uncounted: the limit is a promise to operators, and failing open would break it silently.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol, cast

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError, ResponseError

from mathreel_gateway.batching import Batched

WINDOW_SECONDS = 60

# How long one round trip to Redis (a batch of counts, or a ping) may take before the requests waiting on it are
# answered 503.
REDIS_TIMEOUT_SECONDS = 2.0

# On every authenticated response: the limit, what is left of it, and when the next request is allowed (Unix seconds).
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
    """Unix time (seconds) from which the next request is allowed: now while ``remaining`` is above 0."""
    retry_after: int
    """Seconds until the next request is allowed (at least 1)."""

    def headers(self) -> dict[str, str]:
        return dict(zip(RATE_LIMIT_HEADERS, (str(self.limit), str(self.remaining), str(self.reset_at)), strict=True))


def _decision(
    allowed: bool, count: int, oldest: float, limit: int, now: float, window: int = WINDOW_SECONDS
) -> RateDecision:
    """The decision for a request at ``now`` after which the log holds ``count`` requests, the oldest at ``oldest``.

    With allowance left the next request is allowed at once; without, when the oldest request leaves the window.
    Both are rounded up to whole seconds, so waiting for them is never too early.
    """
    remaining = max(limit - count, 0)
    next_allowed = now if remaining > 0 else oldest + window
    return RateDecision(
        allowed=allowed,
        limit=limit,
        remaining=remaining,
        reset_at=math.ceil(next_allowed),
        retry_after=max(math.ceil(next_allowed - now), 1),
    )


class RateLimiter(Protocol):
    limit: int

    async def hit(self, user_id: str) -> RateDecision:
        """Count one request of ``user_id`` and say whether it is within the limit."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class MemoryRateLimiter:
    """The same sliding-window log in this process only (standalone mode and tests)."""

    def __init__(self, limit: int, *, clock: Any = time.time) -> None:
        self.limit = limit
        self._clock = clock
        self._logs: dict[str, deque[float]] = {}
        self._swept_at = float("-inf")

    async def hit(self, user_id: str) -> RateDecision:
        now = float(self._clock())
        cutoff = now - WINDOW_SECONDS
        if now - self._swept_at >= WINDOW_SECONDS:
            # Logs whose newest request left the window can never refuse anything: dropping them keeps memory
            # bounded by the users active in the last minute.
            self._logs = {user: log for user, log in self._logs.items() if log and log[-1] > cutoff}
            self._swept_at = now
        log = self._logs.setdefault(user_id, deque())
        while log and log[0] <= cutoff:
            log.popleft()
        allowed = len(log) < self.limit
        if allowed:
            log.append(now)
        return _decision(allowed, len(log), log[0] if log else now, self.limit, now)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


# For each of KEYS (a key may repeat), at the Redis server's time: drops the user's logged requests that left the
# window, logs this one if fewer than ARGV[2] remain, and keeps the log one window longer. Returns {seconds,
# microseconds, then per key {allowed, logged count, oldest logged time in microseconds}}: a log Redis cannot read
# (a key of another type) gives its error text in its place, so it fails its own request only. Times are kept as
# strings of whole microseconds, never as Lua numbers, whose text form would round them. Runs atomically.
_HIT_SCRIPT = """
local t = redis.call('TIME')
local micros = string.format('%06d', tonumber(t[2]))
local now = t[1] .. micros
local cutoff = (tonumber(t[1]) - tonumber(ARGV[1])) .. micros
local limit = tonumber(ARGV[2])
local result = {t[1], t[2]}
for i, key in ipairs(KEYS) do
  local dropped = redis.pcall('ZREMRANGEBYSCORE', key, '-inf', cutoff)
  if type(dropped) == 'table' and dropped.err then
    result[i + 2] = dropped.err
  else
    local count = redis.call('ZCARD', key)
    local allowed = 0
    if count < limit then
      redis.call('ZADD', key, now, now .. ':' .. count)
      redis.call('EXPIRE', key, ARGV[1])
      count = count + 1
      allowed = 1
    end
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2] or now
    result[i + 2] = {allowed, count, oldest}
  end
end
return result
"""


class RedisRateLimiter:
    """One log per user in Redis, a sorted set of request times: ``{prefix}ratelimit-log:{user}``, exact across
    replicas.

    The requests that reach the limiter in the same turn of the event loop are counted in one round trip, one script
    call for all of them (``mathreel_gateway.batching``), under one deadline of ``timeout`` seconds. One call rather
    than a pipeline of one call per request: redis-py packs and parses every command of a pipeline in Python, and
    that was most of the limiter's CPU per request (~20 µs against ~7 µs measured at 25 requests a batch).

    The window is a minute. ``window_seconds`` shortens it for a test that must see requests straddle a window's
    boundary without waiting for a wall-clock minute (the Redis server's clock, which times the log, cannot be
    driven); the gateway always uses the minute.

    The logs of one batch are read in one script, so they must live on one server: one Redis, or a primary with
    replicas. (Redis Cluster would refuse keys of several slots in one script.)
    """

    def __init__(
        self,
        redis: Redis,
        limit: int,
        *,
        key_prefix: str = "",
        timeout: float = REDIS_TIMEOUT_SECONDS,
        window_seconds: int = WINDOW_SECONDS,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._redis = redis
        self._prefix = key_prefix
        self._timeout = timeout
        self._script = redis.register_script(_HIT_SCRIPT)
        self._batched_count = Batched(self._count_all)

    @classmethod
    def from_url(
        cls,
        url: str,
        limit: int,
        *,
        key_prefix: str = "",
        timeout: float = REDIS_TIMEOUT_SECONDS,
        window_seconds: int = WINDOW_SECONDS,
    ) -> RedisRateLimiter:
        """A limiter on a new client of the Redis at ``url``.

        The client has no read timeout of its own: the limiter bounds each batch instead, its script load included. A
        batch cut short closes its connection (redis-py does that for any read interrupted mid-reply), so no late
        reply is ever read as another batch's.
        """
        redis = Redis.from_url(url, socket_timeout=None, socket_connect_timeout=timeout)
        return cls(redis, limit, key_prefix=key_prefix, timeout=timeout, window_seconds=window_seconds)

    async def hit(self, user_id: str) -> RateDecision:
        try:
            allowed, count, oldest, now = await self._batched_count(f"{self._prefix}ratelimit-log:{user_id}")
        except (RedisError, OSError) as exc:  # the batch's, or this request's own log
            raise RateLimiterUnavailable(f"rate limiter unavailable: {type(exc).__name__}") from exc
        return _decision(allowed, count, oldest, self.limit, now, self.window_seconds)

    async def _count_all(self, keys: list[str]) -> list[tuple[bool, int, float, float] | Exception]:
        """Decide one request for each of ``keys`` (repeated keys count repeatedly), in one round trip: per key
        whether it is allowed, the log's size and oldest time after it, and the server's time; or its log's error."""
        async with asyncio.timeout(self._timeout):  # TimeoutError, an OSError: the whole batch is unavailable
            try:
                reply = await self._count(keys)
            except NoScriptError:  # a new or flushed Redis ran nothing: load the script, once, and count again
                await self._redis.script_load(_HIT_SCRIPT)
                reply = await self._count(keys)
        seconds, micros, *logs = reply
        now = int(seconds) + int(micros) / 1_000_000
        return [
            (bool(log[0]), int(log[1]), int(log[2]) / 1_000_000, now)
            if isinstance(log, list)
            else ResponseError(log.decode(errors="replace"))
            for log in logs
        ]

    async def _count(self, keys: list[str]) -> list[Any]:
        # EVALSHA, not the script object: it would check the script's presence first, a round trip more.
        reply = await self._redis.evalsha(self._script.sha, len(keys), *keys, self.window_seconds, self.limit)
        return cast(list[Any], reply)

    async def ping(self) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._redis.ping()
        except (RedisError, OSError) as exc:
            raise RateLimiterUnavailable(str(exc) or type(exc).__name__) from exc

    async def close(self) -> None:
        await self._redis.aclose()  # type: ignore[attr-defined]  # the stubs predate aclose()
