"""Queries about meetings: finding them, their answers, announcements, agenda and materials."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.meetings.form import Details
from bot.meetings.meeting import AgendaLine, Counts, MaterialLink, MeetingView
from bot.outgoing import ANNOUNCEMENT
from bot.permissions import ThemeRoles
from storage import planner_items
from storage.models import (
    AgendaItem,
    Material,
    Meeting,
    MeetingMaterial,
    MeetingTheme,
    Network,
    Notification,
    Registration,
    Rsvp,
    Theme,
)
from storage.themes import counts_for, theme_roles


def _upcoming(now: datetime) -> ColumnElement[bool]:
    """Not over yet: before its end, or before its start when it has no end."""
    return or_(Meeting.ends_at >= now, and_(Meeting.ends_at.is_(None), Meeting.starts_at >= now))


async def meeting_choices(session: AsyncSession, now: datetime) -> list[tuple[str, str]]:
    """`(key, title)` of the meetings not over yet, for naming one."""
    rows = await session.execute(
        select(Meeting.key, Meeting.title).where(_upcoming(now)).order_by(Meeting.starts_at)
    )
    return [(key, title) for key, title in rows]


async def meeting_by_key(session: AsyncSession, key: str) -> Meeting | None:
    """The meeting with this key."""
    return await session.scalar(select(Meeting).where(Meeting.key == key))


async def meeting_by_id(
    session: AsyncSession, meeting_id: int, lock: bool = False
) -> Meeting | None:
    """The meeting; with `lock`, its row locked until the transaction ends (one answer at a
    time)."""
    return await session.get(Meeting, meeting_id, with_for_update=lock or None)


async def add_meeting(session: AsyncSession, meeting: Meeting) -> Meeting:
    """Store a new meeting; it has its id when this returns."""
    session.add(meeting)
    await session.flush()
    return meeting


async def meeting_keys(session: AsyncSession, prefix: str) -> set[str]:
    """The keys already taken that begin with `prefix`."""
    taken = select(Meeting.key).where(Meeting.key.startswith(prefix, autoescape=True))
    return set(await session.scalars(taken))


async def audience_roles(session: AsyncSession, meeting: Meeting) -> list[ThemeRoles]:
    """Who runs each theme the meeting is for."""
    return [await theme_roles(session, theme) for theme in meeting.themes]


async def view(session: AsyncSession, meeting: Meeting) -> MeetingView:
    """The meeting with its answers and materials, as it is shown."""
    return (await views(session, [meeting]))[0]


async def views(session: AsyncSession, meetings: Sequence[Meeting]) -> list[MeetingView]:
    """Several meetings as they are shown, in two queries whatever their number."""
    ids = [meeting.id for meeting in meetings]
    counts, materials = await _counts(session, ids), await _materials(session, ids)
    return [
        MeetingView(
            m.id,
            m.key,
            m.title,
            m.starts_at,
            m.ends_at,
            m.place,
            m.online_url,
            tuple(theme.name for theme in m.themes),
            tuple(AgendaLine(item.time, item.title, item.presenter) for item in m.agenda_items),
            tuple(materials.get(m.id, ())),
            counts.get(m.id, Counts()),
            m.cancelled,
            m.sequence,
        )
        for m in meetings
    ]


async def _counts(session: AsyncSession, ids: list[int]) -> dict[int, Counts]:
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.answer, func.count())
        .where(Rsvp.meeting_id.in_(ids))
        .group_by(Rsvp.meeting_id, Rsvp.answer)
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for meeting_id, answer, count in rows:
        found[meeting_id][answer] = count
    return {meeting_id: Counts(**answers) for meeting_id, answers in found.items()}


async def _materials(session: AsyncSession, ids: list[int]) -> dict[int, list[MaterialLink]]:
    rows = await session.execute(
        select(MeetingMaterial.meeting_id, Material.title, Material.url)
        .join(Material, Material.id == MeetingMaterial.material_id)
        .where(MeetingMaterial.meeting_id.in_(ids))
        .order_by(Material.title, Material.id)
    )
    found: dict[int, list[MaterialLink]] = defaultdict(list)
    for meeting_id, title, url in rows:
        found[meeting_id].append(MaterialLink(title, url))
    return found


async def announcements(session: AsyncSession, meeting_id: int) -> list[tuple[str, str]]:
    """Where the meeting is announced, or being announced: each channel, with the identity of
    its announcement in the outbox (whose thread its notices go to)."""
    rows = await session.execute(
        select(Notification.target, Notification.identity)
        .where(
            Notification.subject_type == "meeting",
            Notification.subject_id == meeting_id,
            Notification.kind == ANNOUNCEMENT,
            Notification.state.in_(("pending", "claimed", "sent")),
        )
        .order_by(Notification.id)
    )
    return [(channel, identity) for channel, identity in rows]


async def answer(
    session: AsyncSession, meeting_id: int, user_id: str, choice: str, at: datetime
) -> None:
    """Set the person's answer, replacing an earlier one."""
    found = await session.get(Rsvp, (meeting_id, user_id))
    if found is None:
        session.add(Rsvp(meeting_id=meeting_id, user_id=user_id, answer=choice, at=at))
    else:
        found.answer, found.at = choice, at


async def upcoming(
    session: AsyncSession,
    now: datetime,
    theme_ids: Iterable[int] | None = None,
    limit: int | None = None,
) -> list[Meeting]:
    """Meetings not over yet and not cancelled, by start; with `theme_ids`, theirs and all's;
    the first `limit` of them when it is given."""
    query = select(Meeting).where(*_upcoming_for(now, theme_ids))
    query = query.order_by(Meeting.starts_at, Meeting.id).limit(limit)
    return list(await session.scalars(query))


async def count_upcoming(
    session: AsyncSession, now: datetime, theme_ids: Iterable[int] | None = None
) -> int:
    """How many meetings `upcoming` would give without a limit."""
    query = select(func.count()).select_from(Meeting).where(*_upcoming_for(now, theme_ids))
    return int(await session.scalar(query) or 0)


def _upcoming_for(now: datetime, theme_ids: Iterable[int] | None) -> list[ColumnElement[bool]]:
    found = [_upcoming(now), Meeting.cancelled.is_(False)]
    if theme_ids is not None:
        theirs = select(MeetingTheme.meeting_id).where(MeetingTheme.theme_id.in_(list(theme_ids)))
        found.append(or_(Meeting.audience_all.is_(True), Meeting.id.in_(theirs)))
    return found


async def user_theme_ids(
    session: AsyncSession, user_id: str, organisation_id: int | None
) -> set[int]:
    """The active themes the person is registered for, themself or through their organisation."""
    who = counts_for(user_id, () if organisation_id is None else (organisation_id,))
    rows = await session.scalars(
        select(Registration.theme_id).join(Theme).where(who, Theme.archived.is_(False))
    )
    return set(rows)


async def material_options(
    session: AsyncSession, theme_ids: list[int] | None, limit: int
) -> list[tuple[int, str]]:
    """`(id, title)` of the materials a meeting may link: its themes' and the network's.

    `None` (a meeting for all) offers every basket. Newest first, at most `limit`.
    """
    query = select(Material.id, Material.title)
    if theme_ids is not None:
        query = query.where(or_(Material.theme_id.is_(None), Material.theme_id.in_(theme_ids)))
    rows = await session.execute(query.order_by(Material.added_at.desc(), Material.id.desc()))
    return [(ident, title) for ident, title in rows.fetchmany(limit)]


async def linked_material_ids(session: AsyncSession, meeting_id: int) -> set[int]:
    """The materials linked to the meeting."""
    rows = await session.scalars(
        select(MeetingMaterial.material_id).where(MeetingMaterial.meeting_id == meeting_id)
    )
    return set(rows)


async def set_details(session: AsyncSession, meeting: Meeting, details: Details) -> None:
    """Write a submitted details form over the meeting, its agenda and its materials."""
    meeting.title, meeting.place, meeting.online_url = (
        details.title,
        details.place,
        details.online_url,
    )
    meeting.starts_at, meeting.ends_at = details.starts_at, details.ends_at
    meeting.agenda_items = [
        AgendaItem(position=n, time=item.clock, title=item.title, presenter=item.presenter)
        for n, item in enumerate(details.agenda, start=1)
    ]
    await session.execute(delete(MeetingMaterial).where(MeetingMaterial.meeting_id == meeting.id))
    session.add_all(
        MeetingMaterial(meeting_id=meeting.id, material_id=ident) for ident in details.material_ids
    )


async def calendar_network(session: AsyncSession, token: str) -> Network | None:
    """The network whose calendar feed this token opens; None for any other token."""
    network = await planner_items.network(session)
    given, kept = token.encode(), (network.calendar_token if network else "").encode()
    if network is None or not secrets.compare_digest(kept, given):
        return None
    return network
