"""`material add` / `aineisto lisää`, `materials` / `aineistot` with their page buttons, and the
form that saves a message from a conversation to a basket.

Who may add: a theme's registered members — registered themselves or through their organisation
(a contact's `join … org:`), as `mine` counts them — and the people who run it; the network's
basket: coordinators (`bot.permissions.add_material`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Subcommand
from bot.help import usage_line, write_it_like
from bot.i18n import N_, _
from bot.materials.form import draft_from_form, material_modal, no_basket_modal, source_metadata
from bot.materials.listing import PAGE, material_list, read_page_value
from bot.materials.material import (
    BASKET,
    NETWORK,
    Draft,
    MaterialError,
    MaterialView,
    already_saved,
    checked_draft,
    draft_from_words,
    is_network,
    saved_text,
)
from bot.materials.search import basket_of, may_name_theme, search_words
from bot.outcome import Outcome, UserError, reply
from bot.permissions import add_material, require
from storage import materials as store
from storage import themes as themes_store
from storage.network import network_zone
from usecases.caller import Caller, Sessions, actor, network
from usecases.commands import Press, View
from usecases.names import active_theme
from usecases.registrations import JOIN

Errors = dict[str, str]  # what a form shows under its fields, by their block ids


@dataclass(frozen=True)
class Saved:
    """What became of a material: saved, or found already in the basket."""

    material: MaterialView
    duplicate: bool
    zone: ZoneInfo  # the network's, for the day it was added


async def add(
    db: Sessions, caller: Caller, basket: str, url: str, title: str, tags: Iterable[str] = ()
) -> Outcome:
    """Add a material to a basket (a theme's key or name, or `all`): the subcommand's and the
    form's one way in. A bad part, or an address already there, is a MaterialError naming it."""
    saved = await save(db, caller, checked_draft(basket, url, title, tags))
    if saved.duplicate:
        raise already_saved(saved.material, saved.zone)
    return reply(saved_text(saved.material))


async def save(db: Sessions, caller: Caller, draft: Draft) -> Saved:
    """May they, is it there, save: in one transaction (`add` checks the draft first)."""
    async with db.begin() as session:
        theme = None if is_network(draft.basket) else await active_theme(session, draft.basket)
        roles = await themes_store.theme_roles(session, theme) if theme else None
        registered = theme is not None and await store.is_registered(
            session, theme.id, caller.user_id
        )
        require(add_material(await actor(session, caller), roles, registered))
        zone = ZoneInfo((await network(session, caller)).timezone)
        theme_id = theme.id if theme else None
        found = await store.in_basket(session, theme_id, draft.url)
        if found is None and not await store.add(
            session, theme_id, draft, caller.user_id, caller.now
        ):  # someone added the same address at the same moment
            found = await store.in_basket(session, theme_id, draft.url)
        if found is not None:
            return Saved(found, True, zone)
    name = theme.name if theme else None
    material = MaterialView(draft.title, draft.url, draft.tags, caller.user_id, caller.now, name)
    return Saved(material, False, zone)


async def search(db: Sessions, caller: Caller, words: list[str], page: int = 1) -> Outcome:
    """A page of materials: of one basket when the first word names it, then the search words."""
    async with db() as session:
        themes = await themes_store.active_themes(session) if may_name_theme(words) else []
        theme_id, scope, rest = basket_of(words, themes)
        wanted = search_words(rest)
        found = await store.search(session, wanted, theme_id, scope.everywhere, page)
        zone = ZoneInfo(await network_zone(session, caller.deployment.timezone))
    # Page buttons carry the basket's word and the normalised search words (bounded in length
    # by `search_words`), not what was typed: a value holds at most 2000 characters.
    carried = [*words[: len(words) - len(rest)], *wanted]
    usage = usage_line(caller.command, ADD)
    return Outcome(material_list(found, scope, wanted, carried, zone, usage))


# --- saving from a conversation ---------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """The message a form is opened on, and the address and title it offers (Slack tells)."""

    channel: str = ""
    ts: str = ""
    url: str = ""
    title: str = ""


async def form(db: Sessions, caller: Caller, source: Source) -> View:
    """The form to save a message: its link and title prefilled, the baskets the caller may add
    to (the message's channel's theme chosen); to someone who may add to none, how to `join`."""
    async with db() as session:
        choices = await _baskets(session, caller)
        theme = (
            await themes_store.theme_of_channel(session, source.channel) if source.channel else None
        )
        chosen = theme.key if theme else None
    if not choices:
        hint = _("Join one with {usage}.").format(usage=usage_line(caller.command, JOIN))
        return no_basket_modal(hint)
    metadata = source_metadata(source.channel, source.ts)
    return material_modal(source.url, source.title, choices, chosen, metadata)


async def _baskets(session: AsyncSession, caller: Caller) -> list[tuple[str, str]]:
    """`(value, label)` of every basket the caller may add to, the network's first."""
    who = await actor(session, caller)
    registered = await store.registered_keys(session, caller.user_id)
    choices = [
        (roles.key, roles.name)
        for roles in await store.active_roles(session)
        if add_material(who, roles, roles.key in registered).allowed
    ]
    if add_material(who, None, registered=False).allowed:
        choices.insert(0, (NETWORK, _("Network basket")))
    return choices


async def submit(db: Sessions, caller: Caller, values: dict[str, Any]) -> Outcome | Errors:
    """Save what the form holds (`view.state.values`): the confirmation, or the errors to show
    under its fields."""
    try:
        draft = draft_from_form(values)
        return await add(db, caller, draft.basket, draft.url, draft.title, draft.tags)
    except MaterialError as error:
        return {error.about: error.in_form}
    except UserError as error:  # an unknown basket or a refusal
        return {BASKET: error.message}


# --- the subcommands and the page buttons -----------------------------------------------------


async def _add(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    try:
        draft = draft_from_words(words)
    except MaterialError as error:
        usage = write_it_like(caller.command, ADD).message
        raise UserError(f"{error.message} {usage}") from None
    return await add(db, caller, draft.basket, draft.url, draft.title, draft.tags)


async def _turn_page(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    """Another page of the list, in place of the one shown."""
    words, page = read_page_value(str(action.get("value", "")))
    found = await search(db, caller, words, page)
    return Outcome(found.reply, public=True)


def presses() -> dict[str, Press]:
    """The paging buttons of the material lists, by their action ids."""
    return {f"{PAGE}_next": _turn_page, f"{PAGE}_prev": _turn_page}


ADD = Subcommand(
    "material add",
    "aineisto lisää",
    N_("<theme or all> <url> <title…> [#tag…]"),
    N_("add a material to a theme's basket (all: the network's, coordinators)"),
    _add,
    (N_('liikenne https://example.org/seuranta.pdf "Seurantaraportti 2014" #seuranta'),),
)
LIST = Subcommand(
    "materials",
    "aineistot",
    N_("[<theme or all>] [words…]"),
    N_("list or search the materials of the baskets"),
    search,
    (N_("liikenne"), N_("seurantaraportti"), N_("all raportti")),
)
SUBCOMMANDS = (ADD, LIST)
