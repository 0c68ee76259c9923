"""A small cache whose entries expire, with an injected clock.

It exists for one reason: what Slack says of a person (`users.info`: their locale and name).
Every command, button and direct message needs the reader's language, and only Slack knows it.
`users.info` is a Tier 4 method, about 100 calls a minute per workspace; a busy network at tens
of commands a second would be rate-limited within a minute without remembering, and each call
is a round trip to Slack before the reply. So an answer is kept for a while (`handlers.people`).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """At most `size` values, each kept `ttl` seconds after it was loaded, as `clock` (seconds,
    `time.monotonic` by default) tells: a clock's zero is whenever it started, so a value is
    never fresh before it was loaded."""

    def __init__(self, ttl: float, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._size, self._clock = ttl, size, clock
        self._kept: dict[K, tuple[float, V]] = {}  # key: (expires at, value), oldest first

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The value kept for `key`, else `load()`'s, kept from now on."""
        kept = self._kept.get(key)
        if kept is not None and self._clock() < kept[0]:
            return kept[1]
        value = await load()
        self._kept.pop(key, None)
        while len(self._kept) >= self._size:
            del self._kept[next(iter(self._kept))]  # the oldest goes
        self._kept[key] = (self._clock() + self._ttl, value)
        return value
