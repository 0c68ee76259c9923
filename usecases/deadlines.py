"""`deadline add`, `deadline edit`, `deadline delete` and `deadlines`.

A deadline's reminders are notifications planned in the same transaction as the change
(`replan`); the delivery engine posts them.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Subcommand
from bot.deadlines import (
    DeadlineChange,
    NewDeadline,
    check_due,
    deadline_list,
    due_text,
    mine_lines,
    parse_change,
    parse_new,
    reminders_ahead,
    reminders_text,
    still_open,
)
from bot.deadlines import audience_text as deadline_audience
from bot.help import write_it_like
from bot.i18n import N_, _
from bot.outcome import Outcome, reply
from bot.permissions import require
from bot.scheduling import TITLE_LIMIT, key_base, manage_audience, pick, unique_key
from bot.text import escape, unescape
from storage import deadlines as store
from storage import outbox
from storage.models import DEFAULT_DEADLINE_REMIND, Deadline, Theme
from storage.themes import theme_roles
from usecases.caller import Caller, Sessions, Whose, actor, network, replan, today
from usecases.names import active_theme, audience

MINE = 5  # deadlines `mine` shows


async def add(db: Sessions, caller: Caller, new: NewDeadline) -> Outcome:
    """A new deadline for a theme or the whole network, by the people who run it."""
    async with db.begin() as session:
        zone = ZoneInfo((await network(session, caller)).timezone)
        check_due(new.day, new.clock, zone, caller.now)
        themes, everyone = await audience(session, new.audience)
        roles = [await theme_roles(session, theme) for theme in themes]
        require(manage_audience(await actor(session, caller), roles, everyone))
        deadline = await _new(session, caller, new, themes[0] if themes else None)
        await replan(session, caller, "deadline", deadline.id)
    template = _("Deadline *{title}* (`{key}`) added: {due}, for {audience}.")
    return reply(_summary(caller, template, deadline, zone))


async def _new(
    session: AsyncSession, caller: Caller, new: NewDeadline, theme: Theme | None
) -> Deadline:
    """A new deadline with a key of its own; no theme means the whole network."""
    title = unescape(new.title)[:TITLE_LIMIT]
    base = key_base(title, new.day)
    deadline = Deadline(
        key=unique_key(base, await store.deadline_keys(session, base)),
        title=title,
        due_date=new.day,
        due_time=new.clock,
        theme=theme,
        remind=list(new.remind or DEFAULT_DEADLINE_REMIND),
        registration=new.registration,
        created_by=caller.user_id,
    )
    return await store.add_deadline(session, deadline)


def _summary(caller: Caller, template: str, deadline: Deadline, zone: ZoneInfo) -> str:
    view = store.views([deadline])[0]
    text = template.format(
        title=escape(view.title), key=view.key, due=due_text(view), audience=deadline_audience(view)
    )
    clock = caller.deployment.reminder_time
    ahead = reminders_ahead(deadline.remind, view.due_date, view.due_time, zone, clock, caller.now)
    text += " " + reminders_text(deadline.remind, ahead)
    if deadline.registration:
        text += " " + _("It is a registration deadline.")
    return text


async def edit(db: Sessions, caller: Caller, change: DeadlineChange) -> Outcome:
    """Change a deadline's day, time, title or reminders; its reminders follow."""
    async with db.begin() as session:
        zone = ZoneInfo((await network(session, caller)).timezone)
        deadline = await _managed(session, caller, change.query)
        if change.day or change.clock:
            deadline.due_date = change.day or deadline.due_date
            deadline.due_time = change.clock or deadline.due_time
            check_due(deadline.due_date, deadline.due_time, zone, caller.now)
        if change.title:
            deadline.title = unescape(change.title)[:TITLE_LIMIT]
        if change.remind is not None:
            deadline.remind = list(change.remind)
        await replan(session, caller, "deadline", deadline.id)
    template = _("Deadline *{title}* (`{key}`) updated: {due}, for {audience}.")
    return reply(_summary(caller, template, deadline, zone))


async def delete(db: Sessions, caller: Caller, query: str) -> Outcome:
    """Delete a deadline, and so its reminders."""
    async with db.begin() as session:
        deadline = await _managed(session, caller, query)
        await store.remove(session, deadline.id)
        await outbox.drop(session, "deadline", deadline.id)
    return reply(
        _("Deadline *{title}* (`{key}`) deleted.").format(
            title=escape(deadline.title), key=deadline.key
        )
    )


async def _managed(session: AsyncSession, caller: Caller, query: str) -> Deadline:
    """The upcoming deadline the words name, if the caller may manage it."""
    day = caller.today_in((await network(session, caller)).timezone)
    key = pick(
        unescape(query),
        await store.deadline_choices(session, day),
        _("There is no upcoming deadline '{query}'."),
        _("'{query}' fits several deadlines: {options}. Write more of the key."),
    )
    deadline = await store.deadline_by_key(session, key)
    assert deadline is not None
    roles = [await theme_roles(session, deadline.theme)] if deadline.theme else []
    require(manage_audience(await actor(session, caller), roles, deadline.theme is None))
    return deadline


async def upcoming(db: Sessions, caller: Caller, theme_query: str | None) -> Outcome:
    """The upcoming deadlines; of one theme (and the whole network's) when it is named."""
    async with db.begin() as session:
        zone_name = (await network(session, caller)).timezone
        zone, day = ZoneInfo(zone_name), caller.today_in(zone_name)
        theme = await active_theme(session, theme_query) if theme_query else None
        rows = await store.upcoming(session, day, [theme.id] if theme else None)
    views = [v for v in store.views(rows) if still_open(v, caller.now, zone)]
    if theme is None:
        heading, empty = _("Upcoming deadlines"), _("There are no upcoming deadlines.")
    else:
        heading = _("Upcoming deadlines: {theme}").format(theme=theme.name)
        empty = _("There are no upcoming deadlines in *{theme}*.").format(theme=escape(theme.name))
    if not views:
        return reply(empty)
    return Outcome(deadline_list(views, day, heading))


async def mine_section(session: AsyncSession, caller: Caller, whose: Whose) -> list[str]:
    """The caller's next deadlines: of their themes (themself or their organisation) and all's."""
    zone, day = ZoneInfo(whose.zone), caller.today_in(whose.zone)
    rows = await store.upcoming(session, day, whose.theme_ids)
    views = [v for v in store.views(rows) if still_open(v, caller.now, zone)]
    return mine_lines(views[:MINE], day)


# --- the subcommands --------------------------------------------------------------------------


async def _deadlines(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    return await upcoming(db, caller, " ".join(words) if words else None)


async def _add(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    new = parse_new(words, await today(db, caller))
    if new is None or not new.title:
        raise write_it_like(caller.command, ADD)
    return await add(db, caller, new)


async def _edit(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    change = parse_change(words, await today(db, caller))
    if change is None:
        raise write_it_like(caller.command, EDIT)
    return await edit(db, caller, change)


async def _delete(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    if not words:
        raise write_it_like(caller.command, DELETE)
    return await delete(db, caller, " ".join(words))


LIST = Subcommand(
    "deadlines",
    "määräajat",
    N_("[<theme>]"),
    N_("upcoming deadlines and the days left"),
    _deadlines,
    (N_("liikenne"),),
    more_aliases=("maaraajat",),
)
ADD = Subcommand(
    "deadline add",
    "määräaika lisää",
    N_("<theme or all> <date> [<time>] <title…> [remind:<offsets>] [registration]"),
    N_("add a deadline, reminded 7, 1 and 0 days before unless remind: says otherwise"),
    _add,
    (
        N_("all 28.4. Ilmoittautuminen teemoihin registration"),
        N_("liikenne 2027-06-30 16.00 Indikaattoriraportti remind:14d,1d"),
    ),
)
EDIT = Subcommand(
    "deadline edit",
    "määräaika muokkaa",
    N_("<deadline> [date] [time] [title:…] [remind:<offsets>]"),
    N_("change a deadline's date, time, title or reminders"),
    _edit,
    (N_("ilmoittautuminen 5.5."), N_("indikaattoriraportti remind:7d,1d")),
)
DELETE = Subcommand(
    "deadline delete",
    "määräaika poista",
    N_("<deadline>"),
    N_("delete a deadline"),
    _delete,
    (N_("ilmoittautuminen"),),
)
SUBCOMMANDS = (LIST, ADD, EDIT, DELETE)
