"""The plain values the planner works from: deadlines, meetings, work packages and themes.

Each loader takes a filter (one id, or "everything upcoming") and answers in a fixed number of
queries whatever the number of items, so planning the whole network stays cheap. Where an
item's notices go is resolved here: a theme's channel (none once the theme is archived), the
announcement channel for the whole network, the owner or else the owning organisation's contacts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dates import Offset, parse_offset
from bot.deployment import Deployment
from bot.parsing import ParseError
from bot.planner import DeadlineItem, MeetingItem, Rules, ThemeItem, WorkPackageItem
from bot.work_packages.statuses import OPEN_STATUSES
from storage.models import (
    Deadline,
    Meeting,
    Network,
    OrganisationContact,
    Theme,
    WorkPackage,
)


async def network(session: AsyncSession) -> Network | None:
    """The network row, if one was made yet."""
    return await session.scalar(select(Network).order_by(Network.id).limit(1))


async def rules(session: AsyncSession, deployment: Deployment) -> Rules:
    """The planner's rules: the network's zone, REMINDER_TIME, the catch-up grace."""
    return rules_of(await network(session), deployment)


def rules_of(row: Network | None, deployment: Deployment) -> Rules:
    """The rules for a network row (None: not made yet, the deployment's defaults)."""
    return Rules(
        zone=ZoneInfo(row.timezone if row else deployment.timezone),
        reminder_time=deployment.reminder_time,
        digest_time=deployment.reminder_time,
        grace=deployment.grace,
    )


async def announcement(session: AsyncSession) -> str | None:
    """The channel of network-wide posts."""
    row = await network(session)
    return row.announcement_channel if row else None


def offsets(texts: Iterable[str]) -> tuple[Offset, ...]:
    """Stored reminder offsets (`7d`, `2h`); one that no longer parses is left out."""
    parsed = []
    for text in texts:
        try:
            parsed.append(parse_offset(text))
        except ParseError:
            continue
    return tuple(parsed)


async def deadline_items(
    session: AsyncSession, where: ColumnElement[bool], announcement: str | None
) -> list[DeadlineItem]:
    """The deadlines that match, with the channel their reminders go to."""
    rows = await session.execute(
        select(
            Deadline.id,
            Deadline.title,
            Deadline.due_date,
            Deadline.due_time,
            Deadline.theme_id,
            Deadline.remind,
            Deadline.registration,
            Deadline.created_at,
            Theme.channel_id,
            Theme.archived,
        )
        .outerjoin(Theme)
        .where(where)
    )
    return [
        DeadlineItem(
            id=row.id,
            title=row.title,
            due_date=row.due_date,
            due_time=row.due_time,
            theme_id=row.theme_id,
            channel=announcement if row.theme_id is None else _active(row.channel_id, row.archived),
            remind=offsets(row.remind),
            registration=row.registration,
            created_at=row.created_at,
        )
        for row in rows
    ]


async def meeting_items(
    session: AsyncSession, where: ColumnElement[bool], announcement: str | None
) -> list[MeetingItem]:
    """The meetings that match; network-wide ones with the owners of active packages."""
    meetings = list(await session.scalars(select(Meeting).where(where)))
    owners = await active_package_owners(session) if any(m.audience_all for m in meetings) else ()
    return [
        MeetingItem(
            id=meeting.id,
            starts_at=meeting.starts_at,
            channels=_meeting_channels(meeting, announcement),
            remind=offsets(meeting.remind),
            cancelled=meeting.cancelled,
            audience_all=meeting.audience_all,
            created_at=meeting.created_at,
            package_owners=tuple(owners) if meeting.audience_all else (),
        )
        for meeting in meetings
    ]


def _meeting_channels(meeting: Meeting, announcement: str | None) -> tuple[str, ...]:
    if meeting.audience_all:
        return (announcement,) if announcement else ()
    found = (_active(theme.channel_id, theme.archived) for theme in meeting.themes)
    return tuple(channel for channel in found if channel)


async def package_items(session: AsyncSession, where: ColumnElement[bool]) -> list[WorkPackageItem]:
    """The work packages that match, with their theme's channel and their owners."""
    rows = list(
        await session.execute(
            select(WorkPackage, Theme.channel_id, Theme.archived).join(Theme).where(where)
        )
    )
    contacts = await contacts_of(session, {p.owner_organisation_id for p, _, _ in rows})
    return [
        WorkPackageItem(
            id=package.id,
            theme_channel=_active(channel, archived),
            owner_user=None if archived else package.owner_user_id,
            owner_contacts=() if archived else contacts.get(package.owner_organisation_id, ()),
            due_date=package.due_date,
            status=package.status,
            created_at=package.created_at,
        )
        for package, channel, archived in rows
    ]


async def theme_items(session: AsyncSession, where: ColumnElement[bool]) -> list[ThemeItem]:
    """The themes that match."""
    themes = await session.scalars(select(Theme).where(where))
    return [
        ThemeItem(
            id=theme.id,
            channel=theme.channel_id,
            digest_enabled=theme.digest_enabled,
            archived=theme.archived,
            created_at=theme.created_at,
            registration_deadline=theme.registration_deadline,
        )
        for theme in themes
    ]


async def contacts_of(
    session: AsyncSession, organisation_ids: Iterable[int | None]
) -> dict[int | None, tuple[str, ...]]:
    """Each organisation's contacts (user ids, sorted)."""
    ids = {i for i in organisation_ids if i is not None}
    if not ids:
        return {}
    rows = await session.execute(
        select(OrganisationContact.organisation_id, OrganisationContact.user_id)
        .where(OrganisationContact.organisation_id.in_(ids))
        .order_by(OrganisationContact.user_id)
    )
    found: dict[int | None, list[str]] = defaultdict(list)
    for organisation_id, user_id in rows:
        found[organisation_id].append(user_id)
    return {key: tuple(users) for key, users in found.items()}


async def active_package_owners(session: AsyncSession) -> list[str]:
    """Everyone who answers for an active package of an active theme, sorted."""
    rows = list(
        await session.execute(
            select(WorkPackage.owner_user_id, WorkPackage.owner_organisation_id)
            .join(Theme)
            .where(WorkPackage.status.in_(OPEN_STATUSES), Theme.archived.is_(False))
        )
    )
    contacts = await contacts_of(session, {org for user, org in rows if user is None})
    owners = {user for user, _ in rows if user}
    owners.update(c for user, org in rows if user is None for c in contacts.get(org, ()))
    return sorted(owners)


def _active(channel: str | None, archived: bool | None) -> str | None:
    """An archived theme's channel gets no more notices."""
    return None if archived else channel
