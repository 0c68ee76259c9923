"""An outage told once: one line when it starts, one when it ends, nothing in between.

A loop that meets a database (or any service) that does not answer would otherwise log the
same traceback on every run, every few seconds. Each loop keeps an `Outage` and tells it how
each run went; the error's first line says what failed, with no traceback (a failure of the
kind the loop expects is not a bug).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable


class Outage:
    """Whether something is down, and how many runs failed since it went down."""

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self.logger, self.what = logger, what
        self.failures = 0

    @property
    def down(self) -> bool:
        """Whether the last run failed."""
        return self.failures > 0

    def failed(self, error: BaseException) -> None:
        """A run failed: told when it is the first since the last success."""
        if not self.down:
            self.logger.error(
                "%s is unreachable; retrying quietly until it answers: %s",
                self.what,
                first_line(error),
            )
        self.failures += 1

    def recovered(self) -> None:
        """A run succeeded: told when runs had failed."""
        if self.down:
            self.logger.info("%s answers again, after %d failed runs", self.what, self.failures)
        self.failures = 0


def first_line(error: BaseException) -> str:
    """`OperationalError: unable to open database file` (a database error's SQL left out)."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0][:300]}" if lines else type(error).__name__


def watched(
    run: Callable[[], Awaitable[object]],
    outage: Outage,
    expected: tuple[type[BaseException], ...],
) -> Callable[[], Awaitable[None]]:
    """`run`, telling `outage` how each call went; an expected failure is not raised."""

    async def watched_run() -> None:
        try:
            await run()
        except expected as error:
            outage.failed(error)
        else:
            outage.recovered()

    return watched_run
