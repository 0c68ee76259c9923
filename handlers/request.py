"""What every subcommand receives: who asks, when, with which words, and the way to storage."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.settings import Settings
from bot.commands import Registry
from bot.help import usage_line
from bot.i18n import _
from bot.outcome import UserError
from bot.permissions import Actor
from handlers.connections import Connections
from handlers.people import People
from storage import delivery_data, outbox
from storage.network import NetworkInfo, get_network, load_actor, network_zone

ChannelLookup = Callable[[str], Awaitable[str | None]]
NameLookup = Callable[[Iterable[str]], Awaitable[dict[str, str]]]
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


@dataclass(frozen=True)
class CommandRequest:
    """One typed subcommand; the language of the reply is already set in `bot.i18n`."""

    services: Services
    user_id: str
    now: datetime
    args: list[str]
    typed: str = ""
    channel_id: str | None = None
    channel_named: ChannelLookup | None = None
    names_of: NameLookup | None = None  # the names Slack shows for users (not in the console)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed at the end, rolled back on any error."""
        async with self.services.db() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for a use case that only reads: nothing is committed."""
        async with self.services.db() as session:
            yield session

    async def network(self, session: AsyncSession) -> NetworkInfo:
        """The network, created from the deployment's defaults the first time."""
        settings = self.settings
        return await get_network(
            session,
            timezone=settings.timezone,
            language=settings.language,
            announcement_channel=settings.announcement_channel,
        )

    async def actor(self, session: AsyncSession) -> Actor:
        """The acting person as the stored data and the settings describe them."""
        return await load_actor(session, self.user_id, self.settings.admin_user_ids)

    async def reschedule(self, session: AsyncSession, subject_type: str, subject_id: int) -> None:
        """Bring an item's notifications in line with it, in the same transaction (PRODUCT §4)."""
        await session.flush()
        rules = await delivery_data.rules(session, self.settings.deployment)
        reconcile = {
            "deadline": outbox.reconcile_deadline,
            "meeting": outbox.reconcile_meeting,
            "work_package": outbox.reconcile_work_package,
            "theme": outbox.reconcile_theme,
        }[subject_type]
        await reconcile(session, subject_id, rules, self.now)

    async def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The names Slack shows for these users; none where Slack is not at hand."""
        return await self.names_of(user_ids) if self.names_of else {}

    def usage(self, name: str) -> UserError:
        """The error that shows how a subcommand is written."""
        return UserError(_("Write it like this: {usage}").format(usage=self.usage_line(name)))

    def usage_line(self, name: str) -> str:
        """How a subcommand is written, e.g. `/network join <theme>`."""
        subcommand = self.services.registry.get(name)
        assert subcommand is not None
        return usage_line(self.command, subcommand)

    def today(self, network: NetworkInfo) -> date:
        """Today's date in the network's time zone."""
        return self.today_in(network.timezone)

    def today_in(self, zone: str) -> date:
        """Today's date in a time zone."""
        return self.now.astimezone(ZoneInfo(zone)).date()

    async def network_today(self, session: AsyncSession) -> date:
        """Today's date in the network's time zone, as a reading session can tell it (the
        deployment's zone until the network is made, which `network` would do)."""
        return self.today_in(await network_zone(session, self.settings.timezone))

    @property
    def settings(self) -> Settings:
        """The deployment's settings."""
        return self.services.settings

    @property
    def command(self) -> str:
        """The slash command, e.g. `/network`."""
        return self.services.settings.slash_command
