"""`deadline add`, `deadline edit`, `deadline delete` and `deadlines`.

A deadline's reminders are sent by the scheduler, which reads the stored offsets; nothing is
posted here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Registry, Subcommand
from bot.deadlines import (
    DeadlineView,
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
from bot.i18n import N_, _
from bot.outcome import Outcome, reply
from bot.permissions import require
from bot.scheduling import TITLE_LIMIT, key_base, manage_audience, pick, unique_key
from bot.text import escape, unescape
from handlers.request import CommandRequest
from storage import deadlines as store
from storage import outbox
from storage.meetings import user_theme_ids
from storage.models import DEFAULT_DEADLINE_REMIND, Deadline, Theme
from storage.themes import member, theme_roles
from usecases.names import active_theme, audience

MINE = 5  # deadlines `mine` shows


async def run_deadline_add(request: CommandRequest) -> Outcome:
    """`<theme or all> <date> [<time>] <title…> [remind:<offsets>] [registration]`."""
    async with request.transaction() as session:
        network = await request.network(session)
        zone = ZoneInfo(network.timezone)
        new = parse_new(request.args, request.today(network))
        if new is None or not new.title:
            raise request.usage("deadline add")
        check_due(new.day, new.clock, zone, request.now)
        themes, everyone = await audience(session, new.audience)
        roles = [await theme_roles(session, theme) for theme in themes]
        require(manage_audience(await request.actor(session), roles, everyone))
        deadline = await _new(request, session, new, themes[0] if themes else None)
        await request.reschedule(session, "deadline", deadline.id)
    template = _("Deadline *{title}* (`{key}`) added: {due}, for {audience}.")
    return reply(_summary(request, template, deadline, zone))


async def _new(
    request: CommandRequest, session: AsyncSession, new: NewDeadline, theme: Theme | None
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
        created_by=request.user_id,
    )
    return await store.add_deadline(session, deadline)


def _summary(request: CommandRequest, template: str, deadline: Deadline, zone: ZoneInfo) -> str:
    view = _view(deadline)
    text = template.format(
        title=escape(view.title), key=view.key, due=due_text(view), audience=deadline_audience(view)
    )
    ahead = reminders_ahead(
        deadline.remind,
        view.due_date,
        view.due_time,
        zone,
        request.settings.reminder_time,
        request.now,
    )
    text += " " + reminders_text(deadline.remind, ahead)
    if deadline.registration:
        text += " " + _("It is a registration deadline.")
    return text


def _view(deadline: Deadline) -> DeadlineView:
    theme = deadline.theme.name if deadline.theme else None
    return DeadlineView(
        deadline.key,
        deadline.title,
        deadline.due_date,
        deadline.due_time,
        theme,
        deadline.registration,
    )


async def run_deadline_edit(request: CommandRequest) -> Outcome:
    """`<deadline> [date] [time] [title:…] [remind:…]`."""
    async with request.transaction() as session:
        network = await request.network(session)
        zone = ZoneInfo(network.timezone)
        change = parse_change(request.args, request.today(network))
        if change is None:
            raise request.usage("deadline edit")
        deadline = await _managed(request, session, change.query)
        if change.day or change.clock:
            deadline.due_date = change.day or deadline.due_date
            deadline.due_time = change.clock or deadline.due_time
            check_due(deadline.due_date, deadline.due_time, zone, request.now)
        if change.title:
            deadline.title = unescape(change.title)[:TITLE_LIMIT]
        if change.remind is not None:
            deadline.remind = list(change.remind)
        await request.reschedule(session, "deadline", deadline.id)
    template = _("Deadline *{title}* (`{key}`) updated: {due}, for {audience}.")
    return reply(_summary(request, template, deadline, zone))


async def run_deadline_delete(request: CommandRequest) -> Outcome:
    """`<deadline>`: delete a deadline (and so its reminders)."""
    if not request.args:
        raise request.usage("deadline delete")
    async with request.transaction() as session:
        deadline = await _managed(request, session, " ".join(request.args))
        await store.remove(session, deadline.id)
        await outbox.drop(session, "deadline", deadline.id)
    return reply(
        _("Deadline *{title}* (`{key}`) deleted.").format(
            title=escape(deadline.title), key=deadline.key
        )
    )


async def _managed(request: CommandRequest, session: AsyncSession, query: str) -> Deadline:
    """The deadline the words name, if the user may manage it."""
    network = await request.network(session)
    key = pick(
        unescape(query),
        await store.deadline_choices(session, request.today(network)),
        _("There is no upcoming deadline '{query}'."),
        _("'{query}' fits several deadlines: {options}. Write more of the key."),
    )
    deadline = await store.deadline_by_key(session, key)
    assert deadline is not None
    roles = [await theme_roles(session, deadline.theme)] if deadline.theme else []
    require(manage_audience(await request.actor(session), roles, deadline.theme is None))
    return deadline


async def run_deadlines(request: CommandRequest) -> Outcome:
    """`[<theme>]`: the upcoming deadlines, of one theme (and the whole network's) if named."""
    async with request.transaction() as session:
        network = await request.network(session)
        zone, today = ZoneInfo(network.timezone), request.today(network)
        theme = await active_theme(session, " ".join(request.args)) if request.args else None
        rows = await store.upcoming(session, today, [theme.id] if theme else None)
    views = [v for v in store.views(rows) if still_open(v, request.now, zone)]
    if theme is None:
        heading, empty = _("Upcoming deadlines"), _("There are no upcoming deadlines.")
    else:
        heading = _("Upcoming deadlines: {theme}").format(theme=theme.name)
        empty = _("There are no upcoming deadlines in *{theme}*.").format(theme=escape(theme.name))
    if not views:
        return reply(empty)
    return Outcome(deadline_list(views, today, heading))


async def mine_section(request: CommandRequest, session: AsyncSession) -> list[str]:
    """The user's next deadlines: of their themes (themself or their organisation) and all's."""
    person = await member(session, request.user_id)
    ids = await user_theme_ids(session, request.user_id, person.organisation_id)
    network = await request.network(session)
    zone, today = ZoneInfo(network.timezone), request.today(network)
    rows = await store.upcoming(session, today, ids)
    views = [v for v in store.views(rows) if still_open(v, request.now, zone)]
    return mine_lines(views[:MINE], today)


def register(registry: Registry) -> None:
    """Offer `deadline add`, `deadline edit`, `deadline delete` and `deadlines`."""
    for subcommand in (
        Subcommand(
            "deadlines",
            "määräajat",
            N_("[<theme>]"),
            N_("upcoming deadlines and the days left"),
            run_deadlines,
            (N_("liikenne"),),
            more_aliases=("maaraajat",),
        ),
        Subcommand(
            "deadline add",
            "määräaika lisää",
            N_("<theme or all> <date> [<time>] <title…> [remind:<offsets>] [registration]"),
            N_("add a deadline, reminded 7, 1 and 0 days before unless remind: says otherwise"),
            run_deadline_add,
            (
                N_("all 28.4. Ilmoittautuminen teemoihin registration"),
                N_("liikenne 2027-06-30 16.00 Indikaattoriraportti remind:14d,1d"),
            ),
        ),
        Subcommand(
            "deadline edit",
            "määräaika muokkaa",
            N_("<deadline> [date] [time] [title:…] [remind:<offsets>]"),
            N_("change a deadline's date, time, title or reminders"),
            run_deadline_edit,
            (N_("ilmoittautuminen 5.5."), N_("indikaattoriraportti remind:7d,1d")),
        ),
        Subcommand(
            "deadline delete",
            "määräaika poista",
            N_("<deadline>"),
            N_("delete a deadline"),
            run_deadline_delete,
            (N_("ilmoittautuminen"),),
        ),
    ):
        registry.add(subcommand)
