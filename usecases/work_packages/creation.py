"""`wp add` / `tp lisää`: a new work package with its theme's next reference, by the people who
run the theme."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Subcommand
from bot.dates import typed_date
from bot.help import write_it_like
from bot.i18n import N_, _, format_day
from bot.outcome import Outcome, UserError, reply
from bot.parsing import parse_user, split_options
from bot.permissions import manage_theme, require
from bot.text import clean, unescape
from bot.work_packages.packages import TITLE_LIMIT, PackageView, added
from storage import themes as themes_store
from storage import work_packages as store
from usecases.caller import Caller, Sessions, actor, network, replan
from usecases.names import active_theme, organisation_named

OPTIONS = ("due", "start", "owner")


async def add(
    db: Sessions,
    caller: Caller,
    theme_query: str,
    title: str,
    due: str | None = None,
    start: str | None = None,
    owner: str | None = None,
) -> Outcome:
    """Add a package to the theme the words name: dates as typed (`30.6.2027`), read on the
    network's day; the owner a person (`@…`) or an organisation's key or name."""
    title = clean(title)
    if len(title) > TITLE_LIMIT:
        raise UserError(
            _("The title is too long: write at most {limit} characters.").format(limit=TITLE_LIMIT)
        )
    async with db.begin() as session:
        theme = await active_theme(session, theme_query)
        roles = await themes_store.theme_roles(session, theme)
        require(manage_theme(await actor(session, caller), roles))
        today = caller.today_in((await network(session, caller)).timezone)
        package, organisation = await _new_package(session, title, today, due, start, owner)
        number = await store.allocate_number(session, theme.id)
        package = replace(package, ref=f"{theme.key}-{number}")
        package_id = await store.add_package(
            session, theme.id, number, package, organisation, caller.user_id, caller.now
        )
        await replan(session, caller, "work_package", package_id)
    return reply(added(package, theme.name, today))


async def _new_package(
    session: AsyncSession,
    title: str,
    today: date,
    due: str | None,
    start: str | None,
    owner: str | None,
) -> tuple[PackageView, int | None]:
    """The package the values describe (its reference still unknown) and its owner's id."""
    start_day, due_day = _dates(start, due, today)
    user = parse_user(owner) if owner and owner.startswith(("<@", "@")) else None
    organisation = await organisation_named(session, owner) if owner and not user else None
    org_name = organisation.name if organisation else None
    package = PackageView(
        "", title, owner_user=user, owner_org=org_name, due=due_day, start=start_day
    )
    return package, organisation.id if organisation else None


def _dates(start: str | None, due: str | None, today: date) -> tuple[date | None, date | None]:
    start_day = typed_date(start, today) if start is not None else None
    due_day = typed_date(due, today) if due is not None else None
    if start_day and due_day and due_day < start_day:
        raise UserError(
            _("The due date {due} is before the start date {start}.").format(
                due=format_day(due_day), start=format_day(start_day)
            )
        )
    return start_day, due_day


async def _add(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    words, options = split_options(words, OPTIONS)
    if len(words) < 2 or "" in options.values():
        raise write_it_like(caller.command, ADD)
    title = unescape(" ".join(words[1:]))
    due, start, owner = (options.get(name) for name in OPTIONS)
    return await add(db, caller, words[0], title, due, start, owner)


ADD = Subcommand(
    "wp add",
    "tp lisää",
    N_("<theme> <title…> [due:<date>] [start:<date>] [owner:@person or <organisation>]"),
    N_("create a work package (the people who run the theme)"),
    _add,
    (N_('liikenne "Regional indicators" due:30.6.2027 owner:tampere'),),
)
