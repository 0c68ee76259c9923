"""What every subcommand receives: who asks, when, with which words, and the way to storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.commands import Registry
from bot.settings import Settings
from handlers.locale import LocaleCache


@dataclass(frozen=True)
class Services:
    """Long-lived things built once at start-up and shared by all requests."""

    settings: Settings
    db: async_sessionmaker[AsyncSession]
    registry: Registry
    locales: LocaleCache = field(default_factory=LocaleCache)

    @property
    def engine(self) -> AsyncEngine:
        """The database engine behind the session factory."""
        bind = self.db.kw["bind"]
        assert isinstance(bind, AsyncEngine)
        return bind


@dataclass(frozen=True)
class CommandRequest:
    """One typed subcommand; the language of the reply is already set in `bot.i18n`."""

    services: Services
    user_id: str
    now: datetime
    args: list[str]
    typed: str = ""
    channel_id: str | None = None

    @property
    def settings(self) -> Settings:
        """The deployment's settings."""
        return self.services.settings

    @property
    def command(self) -> str:
        """The slash command, e.g. `/network`."""
        return self.services.settings.slash_command
