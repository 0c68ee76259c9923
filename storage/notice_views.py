"""What a notice says, read when it is sent: plain views for `bot.notices` and `bot.digests`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digests import ChangeView, DigestView, ThemePackages
from bot.i18n import language_from_locale
from bot.notices import DeadlineView, MeetingView, OrganisationView, PackageView
from bot.work_packages.statuses import OPEN_STATUSES
from storage.models import (
    Deadline,
    Meeting,
    MeetingTheme,
    Member,
    Organisation,
    OrganisationContact,
    Registration,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)

DIGEST_AHEAD = timedelta(days=14)
DIGEST_BEHIND = timedelta(days=7)


# Built once: they run for every notification, and a statement keeps its cache key.
_CHANNEL_LANGUAGE = (
    select(Theme.language).where(Theme.channel_id == bindparam("channel")).order_by(Theme.archived)
)
_DEADLINE = (
    select(
        Deadline.title,
        Deadline.due_date,
        Deadline.due_time,
        Theme.name,
        Theme.key,
        Deadline.theme_id,
    )
    .outerjoin(Theme)
    .where(Deadline.id == bindparam("deadline_id"))
)


async def channel_language(session: AsyncSession, channel: str, default: str) -> str:
    """What is posted in a channel is in its theme's language, else the network's."""
    return await session.scalar(_CHANNEL_LANGUAGE, {"channel": channel}) or default


async def user_language(session: AsyncSession, user_id: str, default: str) -> str:
    """A direct message is in the recipient's language, if known, else the network's."""
    locale = await session.scalar(select(Member.locale).where(Member.user_id == user_id))
    return language_from_locale(locale, default)


async def deadline_view(
    session: AsyncSession, deadline_id: int
) -> tuple[DeadlineView, int | None] | None:
    """A deadline and its theme's id (None: the whole network)."""
    row = (await session.execute(_DEADLINE, {"deadline_id": deadline_id})).first()
    if row is None:
        return None
    return DeadlineView(*row[:5]), row.theme_id


async def theme_deadline_view(session: AsyncSession, theme_id: int) -> DeadlineView | None:
    """A theme's own registration deadline, as a deadline without a title."""
    theme = await session.get(Theme, theme_id)
    if theme is None or theme.registration_deadline is None:
        return None
    return DeadlineView(None, theme.registration_deadline, None, theme.name, theme.key)


async def unregistered(
    session: AsyncSession, theme_id: int | None, among: Iterable[int] | None = None
) -> list[tuple[OrganisationView, int]]:
    """The organisations expected to register that have not: for a theme, or for any theme.

    Expected are those without a parent organisation, registered only by a registration of
    their own (a contact's `join … org:`), not by their members'.
    """
    registered = Registration.organisation_id == Organisation.id
    if theme_id is not None:
        registered &= Registration.theme_id == theme_id
    query = (
        select(Organisation)
        .where(Organisation.parent_id.is_(None), ~exists().where(registered))
        .order_by(Organisation.name)
    )
    if among is not None:
        query = query.where(Organisation.id.in_(list(among)))
    return [(OrganisationView(o.key, o.name), o.id) for o in await session.scalars(query)]


async def meeting_view(session: AsyncSession, meeting_id: int) -> MeetingView | None:
    """A meeting as its reminders show it."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    return MeetingView(meeting.title, meeting.starts_at, meeting.place, meeting.online_url)


async def package_view(session: AsyncSession, package_id: int) -> list[tuple[PackageView, str]]:
    """The work package (none if it or its theme is gone), with its theme's name."""
    return await package_views(session, WorkPackage.id == package_id)


async def package_views(
    session: AsyncSession, where: ColumnElement[bool]
) -> list[tuple[PackageView, str]]:
    """Work packages (of active themes) with their theme's name, by theme and number."""
    rows = await session.execute(
        select(WorkPackage, Theme.key, Theme.name, Organisation.name)
        .join(Theme, Theme.id == WorkPackage.theme_id)
        .outerjoin(Organisation, Organisation.id == WorkPackage.owner_organisation_id)
        .where(where, Theme.archived.is_(False))
        .order_by(Theme.name, WorkPackage.number)
    )
    return [
        (
            PackageView(
                f"{key}-{package.number}",
                package.title,
                package.status,
                package.progress,
                package.due_date,
                package.owner_user_id,
                organisation,
            ),
            theme_name,
        )
        for package, key, theme_name, organisation in rows
    ]


async def owned_packages(session: AsyncSession, user_id: str) -> list[PackageView]:
    """The active packages a person answers for: their own and their organisations'."""
    theirs = select(OrganisationContact.organisation_id).where(
        OrganisationContact.user_id == user_id
    )
    owner = or_(
        WorkPackage.owner_user_id == user_id,
        WorkPackage.owner_user_id.is_(None) & WorkPackage.owner_organisation_id.in_(theirs),
    )
    rows = await package_views(session, owner & WorkPackage.status.in_(OPEN_STATUSES))
    return [package for package, _theme in rows]


async def review(session: AsyncSession) -> list[ThemePackages]:
    """Every active theme's active packages, theme by theme."""
    by_theme: dict[str, list[PackageView]] = {}
    for package, theme in await package_views(session, WorkPackage.status.in_(OPEN_STATUSES)):
        by_theme.setdefault(theme, []).append(package)
    return [ThemePackages(theme, packages) for theme, packages in by_theme.items()]


async def digest_view(
    session: AsyncSession, theme_id: int, now: datetime, today: date
) -> DigestView | None:
    """A theme's coming two weeks (its own and network-wide items) and last week's changes."""
    theme = await session.get(Theme, theme_id)
    if theme is None:
        return None
    return DigestView(
        theme.name,
        await _coming_deadlines(session, theme_id, today),
        await _coming_meetings(session, Meeting.id.in_(_meetings_of(theme_id)), now),
        await _coming_meetings(session, Meeting.audience_all.is_(True), now),
        await _changes(session, theme, now),
    )


async def _coming_deadlines(
    session: AsyncSession, theme_id: int, today: date
) -> list[DeadlineView]:
    first, last = today, today + DIGEST_AHEAD
    rows = await session.execute(
        select(Deadline, Theme.name)
        .outerjoin(Theme)
        .where(
            or_(Deadline.theme_id == theme_id, Deadline.theme_id.is_(None)),
            Deadline.due_date >= first,
            Deadline.due_date < last,
        )
        .order_by(Deadline.due_date, Deadline.due_time, Deadline.id)
    )
    return [DeadlineView(d.title, d.due_date, d.due_time, name) for d, name in rows]


async def _coming_meetings(
    session: AsyncSession, which: ColumnElement[bool], now: datetime
) -> list[MeetingView]:
    meetings = await session.scalars(
        select(Meeting)
        .where(
            which,
            Meeting.cancelled.is_(False),
            Meeting.starts_at >= now,
            Meeting.starts_at < now + DIGEST_AHEAD,
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    return [MeetingView(m.title, m.starts_at, m.place, m.online_url) for m in meetings]


def _meetings_of(theme_id: int) -> Select[int]:
    return select(MeetingTheme.meeting_id).where(MeetingTheme.theme_id == theme_id)


async def _changes(session: AsyncSession, theme: Theme, now: datetime) -> list[ChangeView]:
    rows = await session.execute(
        select(WorkPackageUpdate, WorkPackage.number, WorkPackage.title)
        .join(WorkPackage)
        .where(
            WorkPackage.theme_id == theme.id,
            WorkPackageUpdate.at >= now - DIGEST_BEHIND,
            WorkPackageUpdate.at < now,
        )
        .order_by(WorkPackageUpdate.at, WorkPackageUpdate.id)
    )
    return [
        ChangeView(
            f"{theme.key}-{number}", title, u.old_status, u.new_status, u.progress, u.user_id
        )
        for u, number, title in rows
    ]
