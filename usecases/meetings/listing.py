"""`meetings` / `tapaamiset` and the meetings of `mine`: what is coming up."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Subcommand
from bot.i18n import N_, _
from bot.meetings.posts import LISTED, meeting_list, mine_lines
from bot.outcome import Outcome, reply
from bot.text import escape
from storage import meetings as store
from usecases.caller import Caller, Sessions, Whose, network
from usecases.names import active_theme

MINE = 5  # meetings `mine` shows


async def upcoming(db: Sessions, caller: Caller, theme_query: str | None) -> Outcome:
    """The upcoming meetings; of one theme (and the whole network's) when it is named."""
    async with db.begin() as session:
        zone = ZoneInfo((await network(session, caller)).timezone)
        theme = await active_theme(session, theme_query) if theme_query else None
        ids = [theme.id] if theme else None
        rows = await store.upcoming(session, caller.now, ids, limit=LISTED)
        views = await store.views(session, rows)
        total = await store.count_upcoming(session, caller.now, ids)
    if theme is None:
        heading, empty = _("Upcoming meetings"), _("There are no upcoming meetings.")
    else:
        heading = _("Upcoming meetings: {theme}").format(theme=theme.name)
        empty = _("There are no upcoming meetings in *{theme}*.").format(theme=escape(theme.name))
    if not views:
        return reply(empty)
    return Outcome(meeting_list(views, zone, heading, total))


async def mine_section(session: AsyncSession, caller: Caller, whose: Whose) -> list[str]:
    """The caller's next meetings: of their themes (themself or their organisation) and all's."""
    rows = await store.upcoming(session, caller.now, whose.theme_ids, limit=MINE)
    return mine_lines(await store.views(session, rows), ZoneInfo(whose.zone))


async def _meetings(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    return await upcoming(db, caller, " ".join(words) if words else None)


LIST = Subcommand(
    "meetings",
    "tapaamiset",
    N_("[<theme>]"),
    N_("upcoming meetings with time, place, link and agenda"),
    _meetings,
    (N_("liikenne"),),
)
