"""`themes` / `teemat` with its buttons."""

from __future__ import annotations

from typing import Any

from bot import blocks
from bot.button_values import page_number
from bot.commands import Registry, Subcommand
from bot.i18n import N_
from bot.outcome import Message, Outcome
from bot.themes import JOIN, LEAVE, PAGE, THEMES_PER_PAGE, theme_list
from handlers.legacy import LegacyPress as Press
from handlers.request import CommandRequest
from storage import themes as store
from usecases import registrations
from usecases.commands import attempt


async def run_themes(request: CommandRequest) -> Outcome:
    """The first page of the active themes."""
    return Outcome(await themes_page(request, 1))


async def themes_page(request: CommandRequest, page: int, notice: str | None = None) -> Message:
    """A page of the theme list as the user sees it, optionally topped by a notice."""
    async with request.reading() as session:
        views, total, page = await store.theme_page(session, page)
        joined = await store.joined_keys(session, request.user_id)
        today = await request.network_today(session)
    message = theme_list(views, total, joined, page, today)
    if notice is None or message.blocks is None:
        return message
    return Message(notice + "\n" + message.text, [blocks.section(notice), *message.blocks])


def page_of(keys: list[str], key: str) -> int:
    """The page of the list on which a theme stands."""
    return keys.index(key) // THEMES_PER_PAGE + 1 if key in keys else 1


def register(registry: Registry) -> None:
    """Offer `themes`."""
    for subcommand in (
        Subcommand(
            "themes",
            "teemat",
            "",
            N_("the active themes, with a button to join or leave"),
            run_themes,
        ),
    ):
        registry.add(subcommand)


def presses() -> dict[str, Press]:
    """The Join, Leave and paging buttons of the theme list, by their action ids."""
    return {action_id: _press for action_id in (JOIN, LEAVE, f"{PAGE}_next", f"{PAGE}_prev")}


async def _press(request: CommandRequest, action: dict[str, Any]) -> Outcome:
    """What a button does; `public` here means the list message is replaced."""
    value = str(action.get("value", ""))
    if action["action_id"].startswith(PAGE):
        return Outcome(await themes_page(request, page_number(value)), public=True)
    use_case = registrations.join if action["action_id"] == JOIN else registrations.leave
    outcome = await attempt(use_case(request, value))
    async with request.reading() as session:
        keys = await store.active_keys(session)
    listing = await themes_page(request, page_of(keys, value), outcome.reply.text)
    return Outcome(listing, public=True, posts=outcome.posts)
