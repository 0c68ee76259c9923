"""Who acts, when, and in which deployment: what every use case is given besides its words.

Also the few questions most use cases ask of the database about the caller: who they are in
the network (`actor`), the network itself (`network`), and keeping an item's notifications in
step with it (`replan`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.deployment import Deployment
from bot.permissions import Actor
from storage import outbox, planner_items
from storage.meetings import user_theme_ids
from storage.models import Member
from storage.network import NetworkInfo, get_network, load_actor, network_zone
from storage.themes import member
from storage.work_packages import organisation_ids

Sessions = async_sessionmaker[AsyncSession]


class SlackLookups(Protocol):
    """What only Slack knows, lent by a listener (the console has none)."""

    async def channel_id(self, name: str) -> str | None:
        """The id of the channel called `#name`, if the bot can see it."""

    async def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The names Slack shows for these users."""


@dataclass(frozen=True)
class Caller:
    """The person acting, the moment they act, and the deployment they act in."""

    user_id: str
    now: datetime
    deployment: Deployment
    slack: SlackLookups | None = None

    @property
    def command(self) -> str:
        """The slash command, e.g. `/network`."""
        return self.deployment.command

    def today_in(self, zone: str) -> date:
        """The caller's moment as a date in a time zone."""
        return self.now.astimezone(ZoneInfo(zone)).date()

    async def names(self, user_ids: Iterable[str]) -> dict[str, str]:
        """The names Slack shows for these users; none where Slack is not at hand."""
        return await self.slack.names(user_ids) if self.slack else {}

    async def channel_id(self, name: str) -> str | None:
        """The id of the channel `#name`; None where it is not found or Slack is not at hand."""
        return await self.slack.channel_id(name) if self.slack else None


@dataclass(frozen=True)
class Whose:
    """What makes things the caller's, read once for the sections of `mine`: their member row,
    the organisations they answer for (their own and those they are a contact of), the themes
    they are registered for (themself or through their organisation), the network's time zone."""

    member: Member
    organisations: set[int]
    theme_ids: set[int]
    zone: str


async def whose(session: AsyncSession, caller: Caller) -> Whose:
    """The caller's `Whose`."""
    person = await member(session, caller.user_id)
    organisations = await organisation_ids(session, caller.user_id)
    themes = await user_theme_ids(session, caller.user_id, person.organisation_id)
    return Whose(person, organisations, themes, (await network(session, caller)).timezone)


async def actor(session: AsyncSession, caller: Caller) -> Actor:
    """The acting person as the stored data and the settings describe them."""
    return await load_actor(session, caller.user_id, caller.deployment.admins)


async def network(session: AsyncSession, caller: Caller) -> NetworkInfo:
    """The network, made from the deployment's defaults the first time it is needed."""
    deployment = caller.deployment
    return await get_network(
        session,
        timezone=deployment.timezone,
        language=deployment.language,
        announcement_channel=deployment.announcement_channel,
    )


async def network_today(session: AsyncSession, caller: Caller) -> date:
    """Today in the network's time zone (the deployment's until the network is made)."""
    return caller.today_in(await network_zone(session, caller.deployment.timezone))


async def replan(
    session: AsyncSession,
    caller: Caller,
    subject_type: str,
    subject_id: int,
    *,
    owners_changed: bool = True,
) -> None:
    """Bring an item's notifications in line with it, in the same transaction (PRODUCT §4). A
    work package's change re-plans the status rounds before network meetings only when who
    answers for an active package may have changed (`owners_changed`)."""
    await session.flush()
    rules = await planner_items.rules(session, caller.deployment)
    if subject_type == "work_package":
        await outbox.reconcile_work_package(
            session, subject_id, rules, caller.now, owners_changed=owners_changed
        )
        return
    reconcile = {
        "deadline": outbox.reconcile_deadline,
        "meeting": outbox.reconcile_meeting,
        "theme": outbox.reconcile_theme,
    }[subject_type]
    await reconcile(session, subject_id, rules, caller.now)


async def today(db: Sessions, caller: Caller) -> date:
    """Today in the network's time zone, read in a session of its own (to read typed dates)."""
    async with db() as session:
        return await network_today(session, caller)
