"""The Home tab's read side: what one person's tab shows, read in one session."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.home import data
from bot.home.data import Failed, Home, Managed, Overview, Shown, ThemeLine
from bot.meetings.meeting import MeetingView
from bot.permissions import Actor
from bot.work_packages.packages import PackageView
from storage import deadlines, home, notice_views
from storage import meetings as meeting_store
from storage import themes as theme_store
from storage import work_packages as package_store
from storage.models import Theme
from usecases.caller import Caller, Sessions, actor, whose


async def read(db: Sessions, caller: Caller) -> Home:
    """The caller's Home tab: theirs, the themes they run, and for coordinators the network."""
    async with db() as session:
        who, theirs = await actor(session, caller), await whose(session, caller)
        zone, today = ZoneInfo(theirs.zone), caller.today_in(theirs.zone)
        own_id = theirs.member.organisation_id
        mine, others = await _themes(session, caller.user_id, own_id)
        theme_ids = theirs.theme_ids
        due = deadlines.views(await deadlines.upcoming(session, today, theme_ids))
        return Home(
            caller.user_id,
            caller.command,
            today,
            zone,
            await theme_store.organisation_name(session, own_id),
            mine,
            others,
            await _packages(session, caller.user_id, theirs.organisations),
            await _meetings(session, caller, theme_ids),
            Shown(tuple(due[: data.DEADLINES_SHOWN]), len(due)),
            await _managed(session, who, today),
            await _overview(session, caller, today) if who.coordinator else None,
        )


async def _themes(
    session: AsyncSession, user_id: str, own_id: int | None
) -> tuple[Shown[ThemeLine], Shown[ThemeLine]]:
    """The person's themes (themself or through their organisation), and the first others."""
    rows = await theme_store.registered_theme_names(session, user_id, own_id)
    mine = [ThemeLine(key, name, through) for name, key, through in rows]
    others, total = await home.other_themes(session, [t.key for t in mine], data.THEMES_SHOWN)
    return (
        Shown(tuple(mine[: data.THEMES_SHOWN]), len(mine)),
        Shown(tuple(ThemeLine(t.key, t.name) for t in others), total),
    )


async def _packages(session: AsyncSession, user_id: str, orgs: set[int]) -> Shown[PackageView]:
    shown = await package_store.open_packages(session, user_id, orgs, data.PACKAGES_SHOWN)
    return Shown(tuple(shown), await package_store.count_open_packages(session, user_id, orgs))


async def _meetings(
    session: AsyncSession, caller: Caller, theme_ids: Iterable[int] | None
) -> Shown[MeetingView]:
    """The next meetings of the themes (None: only the network's, `[]`)."""
    found = await meeting_store.upcoming(session, caller.now, theme_ids, data.MEETINGS_SHOWN)
    total = await meeting_store.count_upcoming(session, caller.now, theme_ids)
    return Shown(tuple(await meeting_store.views(session, found)), total)


async def _managed(session: AsyncSession, who: Actor, today: date) -> Shown[Managed]:
    """The themes the person chairs or leads (a coordinator's other themes are in the overview)."""
    themes, total = await home.managed_themes(
        session, who.user_id, who.contact_of, data.MANAGED_SHOWN
    )
    expected = await home.expected_count(session)
    found = [await _one_managed(session, theme, today, expected) for theme in themes]
    return Shown(tuple(found), total)


async def _one_managed(session: AsyncSession, theme: Theme, today: date, expected: int) -> Managed:
    late, count = await home.late_packages(session, today, theme.id, data.LATE_SHOWN)
    missing = [view.name for view, _id in await notice_views.unregistered(session, theme.id)]
    return Managed(
        ThemeLine(theme.key, theme.name),
        Shown(tuple(late), count),
        expected - len(missing),
        expected,
        Shown(tuple(missing[: data.OVERVIEW_SHOWN]), len(missing)),
    )


async def _overview(session: AsyncSession, caller: Caller, today: date) -> Overview:
    rows, themes = await home.registrations(session, data.OVERVIEW_SHOWN)
    missing = [view.name for view, _id in await notice_views.unregistered(session, None)]
    overdue, late = await home.late_packages(session, today, None, data.OVERVIEW_SHOWN)
    failed, failures = await home.failed(session, data.FAILED_SHOWN)
    return Overview(
        Shown(tuple(rows), themes),
        Shown(tuple(missing[: data.OVERVIEW_SHOWN]), len(missing)),
        Shown(tuple(overdue), late),
        await _meetings(session, caller, []),
        Shown(tuple(Failed(n.id, n.target, n.last_error or "") for n in failed), failures),
    )
