"""What a process builds once at start-up and shares with every request: the settings, the
database's session factory, the subcommands, and the connections to Slack."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.settings import Settings
from bot.commands import Registry
from handlers.connections import Connections
from handlers.people import People

Clock = Callable[[], datetime]


def now_utc() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """Long-lived things built once at start-up and shared by all requests."""

    settings: Settings
    db: async_sessionmaker[AsyncSession]
    registry: Registry
    people: People = field(default_factory=People)
    connections: Connections = field(default_factory=Connections)
    clock: Clock = now_utc  # when a request is made: "now" for its use case (tests fix it)

    async def dispose(self) -> None:
        """Close every pooled database connection (at shutdown)."""
        await self.engine.dispose()

    @property
    def engine(self) -> AsyncEngine:
        """The database engine behind the session factory."""
        bind = self.db.kw["bind"]
        assert isinstance(bind, AsyncEngine)
        return bind
