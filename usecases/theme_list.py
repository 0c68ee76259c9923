"""`themes` / `teemat`: the active themes, a page at a time, with Join, Leave and paging buttons."""

from __future__ import annotations

from typing import Any

from bot import blocks
from bot.button_values import page_number
from bot.commands import Subcommand
from bot.i18n import N_
from bot.outcome import Message, Outcome
from bot.themes import JOIN, LEAVE, PAGE, THEMES_PER_PAGE, theme_list
from storage import themes as store
from usecases import registrations
from usecases.caller import Caller, Sessions, network_today
from usecases.commands import Press, attempt


async def page(db: Sessions, caller: Caller, number: int, notice: str | None = None) -> Message:
    """Page `number` of the theme list as the caller sees it, optionally topped by a notice."""
    async with db() as session:
        views, total, number = await store.theme_page(session, number)
        joined = await store.joined_keys(session, caller.user_id)
        today = await network_today(session, caller)
    message = theme_list(views, total, joined, number, today)
    if notice is None or message.blocks is None:
        return message
    return Message(notice + "\n" + message.text, [blocks.section(notice), *message.blocks])


def page_of(keys: list[str], key: str) -> int:
    """The page of the list on which a theme stands."""
    return keys.index(key) // THEMES_PER_PAGE + 1 if key in keys else 1


def presses() -> dict[str, Press]:
    """The Join, Leave and paging buttons of the theme list, by their action ids."""
    return {JOIN: _join, LEAVE: _leave, f"{PAGE}_next": _turn, f"{PAGE}_prev": _turn}


async def _turn(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    """Another page, in place of the list pressed."""
    return Outcome(await page(db, caller, page_number(str(action.get("value", "")))), public=True)


async def _join(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    key = str(action.get("value", ""))
    return await _relisted(db, caller, key, await attempt(registrations.join(db, caller, key)))


async def _leave(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    key = str(action.get("value", ""))
    return await _relisted(db, caller, key, await attempt(registrations.leave(db, caller, key)))


async def _relisted(db: Sessions, caller: Caller, key: str, outcome: Outcome) -> Outcome:
    """The list again, in place of the one pressed, at the theme's page, topped by the reply."""
    async with db() as session:
        keys = await store.active_keys(session)
    listing = await page(db, caller, page_of(keys, key), outcome.reply.text)
    return Outcome(listing, public=True, posts=outcome.posts)


async def _themes(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    return Outcome(await page(db, caller, 1))


LIST = Subcommand(
    "themes",
    "teemat",
    "",
    N_("the active themes, with a button to join or leave"),
    _themes,
)
SUBCOMMANDS = (LIST,)
