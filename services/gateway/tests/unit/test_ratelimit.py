import math

import pytest

from mathreel_gateway.ratelimit import WINDOW_SECONDS, MemoryRateLimiter


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_counts_per_user_within_a_window() -> None:
    clock = FakeClock(120 * WINDOW_SECONDS + 10.5)
    limiter = MemoryRateLimiter(3, clock=clock)
    decisions = [await limiter.hit("alice") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    # With allowance left, the next request is allowed now; without, when the first leaves the window.
    assert decisions[0].reset_at == math.ceil(clock.now)
    assert decisions[2].reset_at == decisions[3].reset_at == math.ceil(clock.now + WINDOW_SECONDS)
    assert decisions[3].retry_after == 60
    other = await limiter.hit("bob")
    assert other.allowed
    assert other.remaining == 2


async def test_a_request_is_allowed_again_exactly_when_the_oldest_leaves_the_window() -> None:
    clock = FakeClock(1000.0)
    limiter = MemoryRateLimiter(2, clock=clock)
    assert (await limiter.hit("alice")).allowed
    clock.now = 1030.0
    assert (await limiter.hit("alice")).allowed
    clock.now = 1059.999
    refused = await limiter.hit("alice")
    assert not refused.allowed
    assert refused.reset_at == 1060
    assert refused.retry_after == 1
    clock.now = 1060.0
    decision = await limiter.hit("alice")
    assert decision.allowed
    assert decision.remaining == 0
    assert decision.reset_at == 1090  # the request of 1030 leaves next


@pytest.mark.parametrize("before_boundary", [0.001, 0.85, 30.0])
async def test_never_more_than_the_limit_in_any_60_seconds_across_a_minute_boundary(before_boundary: float) -> None:
    """Fixed windows let 2 x limit through when a burst straddles a minute boundary; a sliding log never does."""
    boundary = 500 * WINDOW_SECONDS
    clock = FakeClock(boundary - before_boundary)
    limiter = MemoryRateLimiter(100, clock=clock)
    first = [await limiter.hit("alice") for _ in range(100)]
    assert all(d.allowed for d in first)
    clock.now = boundary + 0.85  # the next minute has begun
    second = [await limiter.hit("alice") for _ in range(100)]
    assert not any(d.allowed for d in second)
    # X-RateLimit-Reset and Retry-After are true: refused until then, allowed from then on.
    next_allowed = second[-1].reset_at
    assert next_allowed == math.ceil(boundary - before_boundary + WINDOW_SECONDS)
    clock.now = next_allowed - 0.001
    if clock.now - (boundary - before_boundary) < WINDOW_SECONDS:
        assert not (await limiter.hit("alice")).allowed
    clock.now = next_allowed
    assert (await limiter.hit("alice")).allowed


async def test_idle_users_are_forgotten() -> None:
    clock = FakeClock(60.0)
    limiter = MemoryRateLimiter(1, clock=clock)
    for user in ("alice", "bob", "carol"):
        await limiter.hit(user)
    clock.now = 200.0
    await limiter.hit("dave")
    assert set(limiter._logs) == {"dave"}


def test_headers_name_the_contract_fields() -> None:
    from mathreel_gateway.ratelimit import RateDecision

    headers = RateDecision(allowed=True, limit=100, remaining=99, reset_at=1_700_000_040, retry_after=30).headers()
    assert headers == {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "99",
        "X-RateLimit-Reset": "1700000040",
    }
