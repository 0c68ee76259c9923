"""`meetings` / `tapaamiset` and the meetings of `mine`: what is coming up."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _
from bot.meeting_posts import LISTED, meeting_list, mine_lines
from bot.outcome import Outcome, reply
from bot.text import escape
from handlers.request import CommandRequest
from storage import meetings as store
from storage.themes import member
from usecases.names import active_theme

MINE = 5  # meetings `mine` shows


async def run_meetings(request: CommandRequest) -> Outcome:
    """`[<theme>]`: the upcoming meetings, of one theme (and the whole network's) if named."""
    async with request.transaction() as session:
        network = await request.network(session)
        theme = await active_theme(session, " ".join(request.args)) if request.args else None
        ids = [theme.id] if theme else None
        rows = await store.upcoming(session, request.now, ids, limit=LISTED)
        views = await store.views(session, rows)
        total = await store.count_upcoming(session, request.now, ids)
    if theme is None:
        heading, empty = _("Upcoming meetings"), _("There are no upcoming meetings.")
    else:
        heading = _("Upcoming meetings: {theme}").format(theme=theme.name)
        empty = _("There are no upcoming meetings in *{theme}*.").format(theme=escape(theme.name))
    if not views:
        return reply(empty)
    return Outcome(meeting_list(views, ZoneInfo(network.timezone), heading, total))


async def mine_section(request: CommandRequest, session: AsyncSession) -> list[str]:
    """The user's next meetings: of their themes (themself or their organisation) and all's."""
    person = await member(session, request.user_id)
    ids = await store.user_theme_ids(session, request.user_id, person.organisation_id)
    network = await request.network(session)
    rows = await store.upcoming(session, request.now, ids, limit=MINE)
    return mine_lines(await store.views(session, rows), ZoneInfo(network.timezone))
