"""`status` / `tilanne`: how the work packages stand, in the caller's themes, in one theme or one
in detail; the buttons that page through them; and the packages section of `mine`."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.blocks import page_within
from bot.button_values import page_number
from bot.commands import Subcommand
from bot.i18n import N_, _
from bot.outcome import Message, Outcome, UserError
from bot.text import escape
from bot.work_packages import pages
from bot.work_packages.packages import MINE, mine_lines, split_ref
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
from storage import themes as themes_store
from storage import work_packages as store
from storage.models import Theme
from storage.network import network_zone
from storage.work_packages import Found
from usecases.caller import Caller, Sessions, Whose, network_today
from usecases.commands import Press
from usecases.names import active_theme
from usecases.work_packages.references import checked_ref, package


async def status(db: Sessions, caller: Caller, query: str) -> Outcome:
    """The caller's themes (no query), one theme, or one package with its log."""
    async with db() as session:
        if not query:
            return Outcome(await overview_page(session, caller, 1))
        # One look-up serves both readings: an exact theme key wins over a reference.
        theme = await themes_store.theme_by_key(session, query.lower())
        ref = split_ref(query)
        if theme is None and ref is not None:
            found = await package(session, caller, ref)
            return Outcome(await package_page(session, caller, found))
        if theme is None or theme.archived:
            theme = await active_theme(session, query)
        return Outcome(await theme_page(session, caller, theme, 1))


async def overview_page(session: AsyncSession, caller: Caller, page: int) -> Message:
    """The themes the caller is registered for (else every active theme), counted."""
    orgs = await store.organisation_ids(session, caller.user_id)
    keys = await store.registered_keys(session, caller.user_id, orgs)
    today = await network_today(session, caller)
    rows = await store.theme_counts(session, today, keys or None)
    themes = [summarise(key, name, counts) for key, name, counts in rows]
    return pages.overview(themes, page, personal=bool(keys))


async def theme_page(session: AsyncSession, caller: Caller, theme: Theme, page: int) -> Message:
    """A page of a theme's packages, the nearest there is; only that page is loaded."""
    today = await network_today(session, caller)
    [(key, name, counts)] = await store.theme_counts(session, today, [theme.key])
    counted = summarise(key, name, counts)
    page = page_within(page, counted.total, PER_PAGE)
    shown = await store.page(session, theme, (page - 1) * PER_PAGE, PER_PAGE)
    return pages.theme_page(counted, shown, page, today, caller.command)


async def package_page(session: AsyncSession, caller: Caller, found: Found) -> Message:
    """One package in detail, with the latest entries of its log."""
    zone = ZoneInfo(await network_zone(session, caller.deployment.timezone))
    log = await store.latest_updates(session, found.package.id, LOG_SHOWN)
    today = caller.now.astimezone(zone).date()
    return pages.detail(store.view_of(found), found.theme.name, log, today, zone)


async def mine_section(session: AsyncSession, caller: Caller, whose: Whose) -> list[str]:
    """The open packages the caller or their organisation owns, the most urgent first."""
    orgs = whose.organisations
    packages = await store.open_packages(session, caller.user_id, orgs, limit=MINE)
    if not packages:
        return []
    today = caller.today_in(whose.zone)
    total = await store.count_open_packages(session, caller.user_id, orgs)
    return mine_lines(packages, today, caller.command, total)


# --- the buttons: each shows its page in place of the message it is on; a value is a hint ----


def _value(action: dict[str, Any]) -> str:
    return str(action.get("value", ""))


async def _overview(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    async with db() as session:
        message = await overview_page(session, caller, page_number(_value(action)))
    return Outcome(message, public=True)


async def _theme(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    key, _sep, page = _value(action).partition(":")
    async with db() as session:
        theme = await active_theme(session, key)
        message = await theme_page(session, caller, theme, page_number(page))
    return Outcome(message, public=True)


async def _open(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    async with db() as session:
        found = await package(session, caller, checked_ref(_value(action)))
        message = await package_page(session, caller, found)
    return Outcome(message, public=True)


async def _back(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    """The page of its theme's list on which a package stands."""
    async with db() as session:
        found = await package(session, caller, checked_ref(_value(action)))
        if found.theme.archived:
            theme = escape(found.theme.name)
            raise UserError(_("The theme *{theme}* is archived.").format(theme=theme))
        page = await store.position(session, found.package) // PER_PAGE + 1
        message = await theme_page(session, caller, found.theme, page)
    return Outcome(message, public=True)


def presses() -> dict[str, Press]:
    """The paging, detail and back buttons of the status messages, by their action ids."""
    ways = ("prev", "next")
    return {
        OPEN: _open,
        OPEN_THEME: _theme,
        BACK: _back,
        **{f"{PAGE}_{way}": _theme for way in ways},
        **{f"{OVERVIEW}_{way}": _overview for way in ways},
    }


async def _status(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    return await status(db, caller, " ".join(words))


STATUS = Subcommand(
    "status",
    "tilanne",
    N_("[<theme> or <work package>]"),
    N_("how the work packages stand: in your themes, in one theme, or one in detail"),
    _status,
    (N_("liikenne"), N_("liikenne-3")),
)
