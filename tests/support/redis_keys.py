"""Redis reachability, and removal of one test session's keys."""

from __future__ import annotations

import redis

from tests.support.endpoints import service_unavailable


def check_redis(redis_url: str) -> None:
    """PING the server; fail the test clearly when it does not answer."""
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise service_unavailable("Redis", redis_url, exc) from None
    finally:
        client.close()


def delete_prefixed(redis_url: str, prefix: str) -> int:
    """Delete every key that starts with ``prefix``; return how many there were."""
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=5)
    try:
        deleted = 0
        batch: list[bytes] = []
        # SCAN, not KEYS: it does not block a server other sessions share.
        for key in client.scan_iter(match=f"{prefix}*", count=500):
            batch.append(key)
            if len(batch) >= 500:
                deleted += int(client.delete(*batch))
                batch.clear()
        if batch:
            deleted += int(client.delete(*batch))
        return deleted
    finally:
        client.close()
