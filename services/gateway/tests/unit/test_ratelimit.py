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
    assert decisions[0].reset_at == 121 * WINDOW_SECONDS
    assert decisions[3].retry_after == 50
    other = await limiter.hit("bob")
    assert other.allowed
    assert other.remaining == 2


async def test_a_new_window_starts_afresh() -> None:
    clock = FakeClock(60.0)
    limiter = MemoryRateLimiter(1, clock=clock)
    assert (await limiter.hit("alice")).allowed
    assert not (await limiter.hit("alice")).allowed
    clock.now = 120.0
    decision = await limiter.hit("alice")
    assert decision.allowed
    assert decision.reset_at == 180


def test_headers_name_the_contract_fields() -> None:
    from mathreel_gateway.ratelimit import RateDecision

    headers = RateDecision(allowed=True, limit=100, remaining=99, reset_at=1_700_000_040, retry_after=30).headers()
    assert headers == {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "99",
        "X-RateLimit-Reset": "1700000040",
    }
