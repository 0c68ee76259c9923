"""`material add` / `aineisto lisää`, `materials` / `aineistot`, and saving from a conversation.

Who may add: a theme's registered members — registered themselves or through their organisation
(a contact's `join … org:`), as `mine` counts them — and the people who run it; the network's
basket: coordinators (`bot.permissions.add_material`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Registry, Subcommand
from bot.i18n import N_, _
from bot.logs import log_request
from bot.materials.form import (
    MODAL,
    SHORTCUT,
    draft_from_form,
    material_modal,
    no_basket_modal,
    source_channel,
    source_metadata,
    title_from_message,
)
from bot.materials.listing import PAGE, material_list, read_page_value
from bot.materials.material import (
    BASKET,
    NETWORK,
    URL,
    Draft,
    MaterialError,
    MaterialView,
    draft_from_words,
    duplicate_error,
    duplicate_text,
    is_network,
    saved_text,
)
from bot.materials.search import basket_of, may_name_theme, search_words
from bot.outcome import Message, Outcome, UserError, reply
from bot.permissions import add_material, require
from bot.text import truncate
from handlers.errors import answer, reporting
from handlers.legacy import LegacyPress as Press
from handlers.legacy import user_request
from handlers.request import CommandRequest, Services
from storage import materials as store
from storage import themes as themes_store
from storage.models import Theme
from storage.network import network_zone
from usecases.names import active_theme


@dataclass(frozen=True)
class Saved:
    """What became of a material: saved, or found already in the basket."""

    material: MaterialView
    duplicate: bool
    zone: ZoneInfo  # the network's, for the day it was added


async def run_material_add(request: CommandRequest) -> Outcome:
    """Add a material: `<theme or all> <url> <title…> [#tag…]`."""
    try:
        draft = draft_from_words(request.args)
    except MaterialError as error:
        raise UserError(f"{error.message} {request.usage('material add').message}") from None
    saved = await save(request, draft)
    if saved.duplicate:
        return reply(duplicate_text(saved.material, saved.zone))
    return reply(saved_text(saved.material))


async def save(request: CommandRequest, draft: Draft) -> Saved:
    """The add use case, shared by the command and the modal: may they, is it there, save."""
    async with request.transaction() as session:
        theme = await _basket(session, draft.basket)
        await _may_add(request, session, theme)
        zone = ZoneInfo((await request.network(session)).timezone)
        theme_id = theme.id if theme else None
        found = await store.in_basket(session, theme_id, draft.url)
        if found is None and not await store.add(
            session, theme_id, draft, request.user_id, request.now
        ):  # someone added the same address at the same moment
            found = await store.in_basket(session, theme_id, draft.url)
        if found is not None:
            return Saved(found, True, zone)
    name = theme.name if theme else None
    material = MaterialView(draft.title, draft.url, draft.tags, request.user_id, request.now, name)
    return Saved(material, False, zone)


async def _may_add(request: CommandRequest, session: AsyncSession, theme: Theme | None) -> None:
    """Go on if the user may add to the basket; else a UserError that says who can."""
    roles = await themes_store.theme_roles(session, theme) if theme else None
    registered = theme is not None and await store.is_registered(session, theme.id, request.user_id)
    require(add_material(await request.actor(session), roles, registered))


async def _basket(session: AsyncSession, query: str) -> Theme | None:
    """The theme whose basket the words name; None for the network's."""
    return None if is_network(query) else await active_theme(session, query)


async def run_materials(request: CommandRequest) -> Outcome:
    """The first page of the materials the words find."""
    return Outcome(await materials_page(request, request.args, 1))


async def materials_page(request: CommandRequest, args: list[str], page: int) -> Message:
    """A page of materials: of one basket when the first word names it, then the search words."""
    async with request.reading() as session:
        themes = await themes_store.active_themes(session) if may_name_theme(args) else []
        theme_id, scope, rest = basket_of(args, themes)
        words = search_words(rest)
        found = await store.search(session, words, theme_id, scope.everywhere, page)
        zone = ZoneInfo(await network_zone(session, request.settings.timezone))
    usage = request.usage_line("material add")
    # Page buttons carry the basket's word and the normalised search words (bounded in length
    # by `search_words`), not what was typed: a value holds at most 2000 characters.
    carried = [*args[: len(args) - len(rest)], *words]
    return material_list(found, scope, words, carried, zone, usage)


# --- saving from a conversation ---------------------------------------------------------------


async def shortcut_view(
    request: CommandRequest, client: AsyncWebClient, body: dict[str, Any]
) -> dict[str, Any]:
    """The modal for a message: its link and title prefilled, the baskets the user may add to."""
    channel = str((body.get("channel") or {}).get("id") or "")
    message = body.get("message") or {}
    url, title = await _source(client, channel, message)
    async with request.transaction() as session:
        choices = await basket_choices(request, session)
        chosen = await store.theme_of_channel(session, channel) if channel else None
    if not choices:
        return no_basket_modal(_("Join one with {usage}.").format(usage=request.usage_line("join")))
    metadata = source_metadata(channel, str(message.get("ts") or ""))
    return material_modal(url, title, choices, chosen, metadata)


async def basket_choices(request: CommandRequest, session: AsyncSession) -> list[tuple[str, str]]:
    """`(value, label)` of every basket the user may add to, the network's first."""
    actor = await request.actor(session)
    registered = await store.registered_keys(session, request.user_id)
    choices = [
        (roles.key, roles.name)
        for roles in await store.active_roles(session)
        if add_material(actor, roles, roles.key in registered).allowed
    ]
    if add_material(actor, None, registered=False).allowed:
        choices.insert(0, (NETWORK, _("Network basket")))
    return choices


async def _source(client: AsyncWebClient, channel: str, message: dict[str, Any]) -> tuple[str, str]:
    """The address and title a message offers: its first file's, else its own permalink."""
    files = message.get("files") or []
    if files:
        first = files[0]
        title = str(first.get("title") or first.get("name") or "")
        return str(first.get("permalink") or ""), truncate(title, 150)
    title = title_from_message(str(message.get("text") or ""))
    try:
        found = await client.chat_getPermalink(channel=channel, message_ts=message["ts"])
    except (SlackApiError, KeyError):
        return "", title  # the user pastes the address; the bot may not see the channel
    return str(found.get("permalink") or ""), title


async def submit(request: CommandRequest, view: dict[str, Any]) -> dict[str, str] | Message:
    """Save what the modal holds: the errors to show under its fields, or the confirmation."""
    try:
        saved = await save(request, draft_from_form(view["state"]["values"]))
    except MaterialError as error:
        return {error.about: error.message}
    except UserError as error:  # an unknown basket or a refusal
        return {BASKET: error.message}
    if saved.duplicate:
        return {URL: duplicate_error(saved.material, saved.zone)}
    return Message(saved_text(saved.material))


async def confirm(client: AsyncWebClient, user_id: str, metadata: str, message: Message) -> None:
    """Tell the user where they were: in the message's channel, only to them; else in a DM."""
    channel = source_channel(metadata)
    if channel:
        try:
            await client.chat_postEphemeral(channel=channel, user=user_id, text=message.text)
            return
        except SlackApiError:
            pass  # the bot is not in that channel
    await client.chat_postMessage(channel=user_id, text=message.text, blocks=message.blocks)


def register(registry: Registry) -> None:
    """Offer `material add` and `materials`."""
    registry.add(
        Subcommand(
            "material add",
            "aineisto lisää",
            N_("<theme or all> <url> <title…> [#tag…]"),
            N_("add a material to a theme's basket (all: the network's, coordinators)"),
            run_material_add,
            (N_('liikenne https://example.org/seuranta.pdf "Seurantaraportti 2014" #seuranta'),),
        )
    )
    registry.add(
        Subcommand(
            "materials",
            "aineistot",
            N_("[<theme or all>] [words…]"),
            N_("list or search the materials of the baskets"),
            run_materials,
            (N_("liikenne"), N_("seurantaraportti"), N_("all raportti")),
        )
    )


def register_listeners(app: AsyncApp, services: Services) -> None:
    """The "Add to materials" message shortcut, its modal, and the list's page buttons."""

    async def on_shortcut(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient
    ) -> None:
        await ack()
        started, user_id = time.perf_counter(), body["user"]["id"]
        async with reporting(body, respond, client):
            request = await user_request(services, client, user_id)
            view = await shortcut_view(request, client, body)
            await client.views_open(trigger_id=body["trigger_id"], view=view)
        log_request("shortcut", SHORTCUT, user_id, started, "ok")

    async def on_submit(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        # Slack waits for this ack to close the modal or show the errors, so it comes last.
        started, user_id = time.perf_counter(), body["user"]["id"]
        try:
            result = await submit(await user_request(services, client, user_id), view)
        except Exception as error:
            await ack()
            await answer(error, body, None, client)
            return
        if isinstance(result, dict):
            await ack(response_action="errors", errors=result)
        else:
            await ack()
            await confirm(client, user_id, str(view.get("private_metadata") or ""), result)
        log_request("view", MODAL, user_id, started, "ok")

    app.shortcut(SHORTCUT)(on_shortcut)
    app.view(MODAL)(on_submit)


def presses() -> dict[str, Press]:
    """The paging buttons of the material lists, by their action ids."""
    return {f"{PAGE}_next": _turn_page, f"{PAGE}_prev": _turn_page}


async def _turn_page(request: CommandRequest, action: dict[str, Any]) -> Outcome:
    """Another page of the list, in place of the one shown."""
    args, page = read_page_value(str(action.get("value", "")))
    return Outcome(await materials_page(request, args, page), public=True)
