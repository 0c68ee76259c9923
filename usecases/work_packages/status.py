"""`status` / `tilanne`, `update` / `päivitä` and `wp add` / `tp lisää`, with the paging buttons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outgoing
from bot.blocks import page_within
from bot.button_values import page_number
from bot.commands import Registry, Subcommand
from bot.i18n import N_, _, format_day, language
from bot.outcome import Message, Outcome, UserError, reply
from bot.parsing import parse_user, split_options, typed_date
from bot.permissions import manage_theme, require, update_work_package
from bot.planner import Planned
from bot.suggest import did_you_mean
from bot.text import escape, unescape
from bot.work_packages import packages, pages, updates
from bot.work_packages.packages import MINE, TITLE_LIMIT, PackageView, mine_lines, split_ref
from bot.work_packages.pages import (
    BACK,
    LOG_SHOWN,
    OPEN,
    OPEN_THEME,
    OVERVIEW,
    PAGE,
    PER_PAGE,
    summarise,
)
from bot.work_packages.statuses import may_change_status
from bot.work_packages.updates import checked_note, next_progress, parse_update
from handlers.legacy import LegacyPress as Press
from handlers.request import CommandRequest
from storage import outbox
from storage import themes as themes_store
from storage import work_packages as store
from storage.models import Theme
from storage.network import NetworkInfo, network_zone
from storage.work_packages import Found
from usecases.names import active_theme, organisation_named

ADD_OPTIONS = ("due", "start", "owner")
Ref = tuple[str, int]


# --- wp add -----------------------------------------------------------------------------------


async def run_wp_add(request: CommandRequest) -> Outcome:
    """Create a work package with the theme's next reference, for the people who run the theme."""
    words, options = split_options(request.args, ADD_OPTIONS)
    if len(words) < 2 or "" in options.values():
        raise request.usage("wp add")
    title = unescape(" ".join(words[1:]))
    if len(title) > TITLE_LIMIT:
        raise UserError(
            _("The title is too long: write at most {limit} characters.").format(limit=TITLE_LIMIT)
        )
    async with request.transaction() as session:
        theme = await active_theme(session, words[0])
        roles = await themes_store.theme_roles(session, theme)
        require(manage_theme(await request.actor(session), roles))
        today = request.today(await request.network(session))
        package, organisation = await _new_package(session, theme, title, options, today)
        number = await store.allocate_number(session, theme.id)
        package = replace(package, ref=f"{theme.key}-{number}")
        package_id = await store.add_package(
            session, theme.id, number, package, organisation, request.user_id, request.now
        )
        await request.reschedule(session, "work_package", package_id)
    return reply(packages.added(package, theme.name, today))


async def _new_package(
    session: AsyncSession, theme: Theme, title: str, options: dict[str, str], today: date
) -> tuple[PackageView, int | None]:
    """The package the options describe (its reference still unknown) and its owner's id."""
    start, due = _dates(options, today)
    owner = options.get("owner")
    user = parse_user(owner) if owner and owner.startswith(("<@", "@")) else None
    organisation = await organisation_named(session, owner) if owner and not user else None
    org_name = organisation.name if organisation else None
    package = PackageView("", title, owner_user=user, owner_org=org_name, due=due, start=start)
    return package, organisation.id if organisation else None


def _dates(options: dict[str, str], today: date) -> tuple[date | None, date | None]:
    start = typed_date(options["start"], today) if "start" in options else None
    due = typed_date(options["due"], today) if "due" in options else None
    if start and due and due < start:
        raise UserError(
            _("The due date {due} is before the start date {start}.").format(
                due=format_day(due), start=format_day(start)
            )
        )
    return start, due


# --- status -----------------------------------------------------------------------------------


async def run_status(request: CommandRequest) -> Outcome:
    """The user's themes, one theme, or one package with its log, as the words say."""
    query = " ".join(request.args)
    async with request.reading() as session:
        if not query:
            return Outcome(await overview_page(request, session, 1))
        # One look-up serves both readings: an exact theme key wins over a reference.
        theme = await themes_store.theme_by_key(session, query.lower())
        ref = split_ref(query)
        if theme is None and ref is not None:
            found = await _package(request, session, ref)
            return Outcome(await package_page(request, session, found))
        if theme is None or theme.archived:
            theme = await active_theme(session, query)
        return Outcome(await theme_page(request, session, theme, 1))


async def overview_page(request: CommandRequest, session: AsyncSession, page: int) -> Message:
    """The themes the user is registered for (else every active theme), counted."""
    orgs = await store.organisation_ids(session, request.user_id)
    keys = await store.registered_keys(session, request.user_id, orgs)
    today = await request.network_today(session)
    rows = await store.theme_counts(session, today, keys or None)
    themes = [summarise(key, name, counts) for key, name, counts in rows]
    return pages.overview(themes, page, personal=bool(keys))


async def theme_page(
    request: CommandRequest, session: AsyncSession, theme: Theme, page: int
) -> Message:
    """A page of a theme's packages, the nearest there is; only that page is loaded."""
    today = await request.network_today(session)
    [(key, name, counts)] = await store.theme_counts(session, today, [theme.key])
    status = summarise(key, name, counts)
    page = page_within(page, status.total, PER_PAGE)
    shown = await store.page(session, theme, (page - 1) * PER_PAGE, PER_PAGE)
    return pages.theme_page(status, shown, page, today, request.command)


async def package_page(request: CommandRequest, session: AsyncSession, found: Found) -> Message:
    """One package in detail, with the latest entries of its log."""
    zone = ZoneInfo(await network_zone(session, request.settings.timezone))
    log = await store.latest_updates(session, found.package.id, LOG_SHOWN)
    today = request.now.astimezone(zone).date()
    return pages.detail(store.view_of(found), found.theme.name, log, today, zone)


async def _package(
    request: CommandRequest, session: AsyncSession, ref: Ref, lock: bool = False
) -> Found:
    found = await store.find(session, *ref, lock=lock)
    if found is None:
        raise UserError(await _no_package(request, session, ref))
    return found


async def _no_package(request: CommandRequest, session: AsyncSession, ref: Ref) -> str:
    key, number = ref
    text = _("There is no work package `{ref}`.").format(ref=f"{key}-{number}")
    keys = [choice for choice, _name in await themes_store.theme_choices(session)]
    if key in keys:
        hint = _("See the packages of the theme with `{command} status {key}`.")
        return text + " " + hint.format(command=request.command, key=key)
    near = did_you_mean(key, keys)
    if near:
        text += " " + _("Did you mean `{suggestion}`?").format(suggestion=f"{near}-{number}")
    return text


def _ref(text: str) -> Ref:
    ref = split_ref(text)
    if ref is None:
        raise UserError(
            _("'{value}' is not a work package reference. Write it like liikenne-3.").format(
                value=escape(text)
            )
        )
    return ref


# --- update -----------------------------------------------------------------------------------


async def run_update(request: CommandRequest) -> Outcome:
    """Record a status update: the package changes and the change joins its log."""
    args = parse_update(request.args)
    if args is None:
        raise request.usage("update")
    note = checked_note(unescape(args.note))
    async with request.transaction() as session:
        found = await _package(request, session, _ref(args.ref), lock=True)
        package, theme = found.package, found.theme
        await _may_update(request, session, found, args.status)
        progress = next_progress(args.status, package.progress, args.progress)
        old = package.status
        if (args.status, progress, note) == (old, package.progress, ""):
            return reply(updates.unchanged(store.view_of(found)))
        store.record_update(
            session, package, request.user_id, request.now, args.status, progress, note
        )
        await request.reschedule(session, "work_package", package.id)
        network = await request.network(session)
        view = store.view_of(found)
        rows = _announce(request, theme, network, view, old, note, package.id)
        await outbox.enqueue(session, rows, request.now)
    channel = theme.channel_id if rows else None
    return Outcome(Message(updates.updated(view, old, channel)), posts=tuple(rows))


async def _may_update(
    request: CommandRequest, session: AsyncSession, found: Found, new: str
) -> None:
    package, theme = found.package, found.theme
    if theme.archived:
        raise UserError(_("The theme *{theme}* is archived.").format(theme=escape(theme.name)))
    actor = await request.actor(session)
    roles = await themes_store.theme_roles(session, theme)
    owner = await store.owner_key(session, package)
    require(update_work_package(actor, package.owner_user_id, owner, roles))
    require(may_change_status(actor, roles, package.status, new))


def _announce(
    request: CommandRequest,
    theme: Theme,
    network: NetworkInfo,
    view: PackageView,
    old: str,
    note: str,
    package_id: int,
) -> list[Planned]:
    """A status change is told in the theme's channel, in the theme's language; the person
    who made it hears if Slack refuses it."""
    if not theme.channel_id or old == view.status:
        return []
    with language(theme.language or network.language):
        text = updates.change_post(view, request.user_id, old, note)
    what, subject = f"wp:{package_id}:status", ("work_package", package_id)
    return [
        outgoing.post(
            what,
            subject,
            theme.channel_id,
            Message(text),
            request.now,
            actor=request.user_id,
            label=f"#{theme.key}",
        )
    ]


# --- mine -------------------------------------------------------------------------------------


async def mine_section(request: CommandRequest, session: AsyncSession) -> list[str]:
    """The open packages the user or their organisation owns, for `mine`."""
    orgs = await store.organisation_ids(session, request.user_id)
    packages = await store.open_packages(session, request.user_id, orgs, limit=MINE)
    if not packages:
        return []
    today = request.today(await request.network(session))
    total = await store.count_open_packages(session, request.user_id, orgs)
    return mine_lines(packages, today, request.command, total)


# --- registration and buttons -----------------------------------------------------------------


def register(registry: Registry) -> None:
    """Offer `status`, `update` and `wp add`."""
    for subcommand in (
        Subcommand(
            "status",
            "tilanne",
            N_("[<theme> or <work package>]"),
            N_("how the work packages stand: in your themes, in one theme, or one in detail"),
            run_status,
            (N_("liikenne"), N_("liikenne-3")),
        ),
        Subcommand(
            "update",
            "päivitä",
            N_("<work package> <status> [<n>%] [note…]"),
            N_("record how a work package stands (its owner and the people who run the theme)"),
            run_update,
            (N_("liikenne-3 in_progress 40% data collected"), N_("liikenne-3 done")),
        ),
        Subcommand(
            "wp add",
            "tp lisää",
            N_("<theme> <title…> [due:<date>] [start:<date>] [owner:@person or <organisation>]"),
            N_("create a work package (the people who run the theme)"),
            run_wp_add,
            (N_('liikenne "Regional indicators" due:30.6.2027 owner:tampere'),),
        ),
    ):
        registry.add(subcommand)


def presses() -> dict[str, Press]:
    """The paging, detail and back buttons of the status messages, by their action ids."""
    pagers = [f"{prefix}_{way}" for prefix in (PAGE, OVERVIEW) for way in ("prev", "next")]
    return {action_id: _press for action_id in (OPEN, OPEN_THEME, BACK, *pagers)}


async def _press(request: CommandRequest, action: dict[str, Any]) -> Outcome:
    """What a button shows, in place of the message it is on; the value is only a hint."""
    action_id, value = action["action_id"], str(action.get("value", ""))
    async with request.reading() as session:
        if action_id.startswith(OVERVIEW):
            message = await overview_page(request, session, page_number(value))
        elif action_id == OPEN:
            found = await _package(request, session, _ref(value))
            message = await package_page(request, session, found)
        elif action_id == BACK:
            message = await _list_of(
                request, session, await _package(request, session, _ref(value))
            )
        else:
            key, _sep, page = value.partition(":")
            theme = await active_theme(session, key)
            message = await theme_page(request, session, theme, page_number(page))
    return Outcome(message, public=True)


async def _list_of(request: CommandRequest, session: AsyncSession, found: Found) -> Message:
    """The page of its theme's list on which a package stands."""
    if found.theme.archived:
        theme = escape(found.theme.name)
        raise UserError(_("The theme *{theme}* is archived.").format(theme=theme))
    page = await store.position(session, found.package) // PER_PAGE + 1
    return await theme_page(request, session, found.theme, page)
