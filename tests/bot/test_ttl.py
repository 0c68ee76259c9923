"""The expiring cache, on a clock that starts at zero as a freshly booted machine's does."""

from __future__ import annotations

from bot.ttl import TtlCache


class Clock:
    """Seconds since the machine booted: zero at first."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Loads:
    """A loader that counts its calls and answers with their number."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self) -> int:
        self.calls += 1
        return self.calls


async def test_the_first_ask_loads_even_on_a_machine_booted_a_moment_ago() -> None:
    clock, load = Clock(), Loads()
    cache: TtlCache[str, int] = TtlCache(ttl=300, size=10, clock=clock)
    assert await cache.get("U1", load) == 1
    assert await cache.get("U2", load) == 2
    assert load.calls == 2


async def test_a_value_is_kept_for_its_time_then_loaded_again() -> None:
    clock, load = Clock(), Loads()
    cache: TtlCache[str, int] = TtlCache(ttl=300, size=10, clock=clock)
    assert await cache.get("U1", load) == 1
    clock.now = 299.9
    assert await cache.get("U1", load) == 1
    clock.now = 300.0
    assert await cache.get("U1", load) == 2
    clock.now = 599.0
    assert await cache.get("U1", load) == 2
    assert load.calls == 2


async def test_the_oldest_value_goes_when_the_cache_is_full() -> None:
    clock, load = Clock(), Loads()
    cache: TtlCache[str, int] = TtlCache(ttl=300, size=2, clock=clock)
    for key in ("U1", "U2", "U3"):
        await cache.get(key, load)
    assert await cache.get("U3", load) == 3  # kept
    assert await cache.get("U2", load) == 2  # kept
    assert await cache.get("U1", load) == 4  # gone, loaded again
