"""What Slack knows of a person: their language (their Slack locale) and their name.

Kept for an hour (`bot.ttl`): every request needs the reader's language, and `users.info`
allows about 100 calls a minute, fewer than a busy network makes requests.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import NamedTuple

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language_from_locale
from bot.ttl import TtlCache

logger = logging.getLogger("network_bot.slack")
KEPT_SECONDS = 3600.0  # a changed Slack language shows within the hour
KEPT_PEOPLE = 10_000  # more than a network's members
_AT_ONCE = 8  # users.info calls in flight for one list of names (Slack allows 100+ a minute)
Fallback = Callable[[], Awaitable[str]]  # the network's language, looked up only when needed


class Person(NamedTuple):
    """What the bot uses of a Slack user: their locale (`fi-FI`) and the name Slack shows."""

    locale: str | None
    name: str | None


class People:
    """Each user's Slack locale and name (one `users.info` call gives both), kept for an hour."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._kept: TtlCache[str, Person] = TtlCache(KEPT_SECONDS, KEPT_PEOPLE, clock)

    async def language(self, client: AsyncWebClient, user_id: str, default: str | Fallback) -> str:
        """`fi`, `sv` or `en` for this user; the network language when Slack does not say
        (`default`, or what it looks up: most users have a Slack language, so most need not)."""
        found = language_from_locale((await self._person(client, user_id)).locale, "")
        if found:
            return found
        return default if isinstance(default, str) else await default()

    async def names(self, client: AsyncWebClient, user_ids: Iterable[str]) -> dict[str, str]:
        """The names Slack shows for these users (a few looked up at a time); a user Slack does
        not know is left out."""
        wanted = sorted(set(user_ids))
        turns = asyncio.Semaphore(_AT_ONCE)

        async def name(user_id: str) -> str | None:
            async with turns:
                return (await self._person(client, user_id)).name

        found = await asyncio.gather(*(name(user_id) for user_id in wanted))
        return {user_id: name for user_id, name in zip(wanted, found, strict=True) if name}

    async def _person(self, client: AsyncWebClient, user_id: str) -> Person:
        return await self._kept.get(user_id, partial(_fetch, client, user_id))


async def _fetch(client: AsyncWebClient, user_id: str) -> Person:
    try:
        response = await client.users_info(user=user_id, include_locale=True)
    except SlackApiError as error:
        logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return Person(None, None)
    user = response.get("user") or {}
    profile = user.get("profile") or {}
    name = profile.get("real_name") or user.get("real_name") or user.get("name")
    locale = user.get("locale")
    return Person(str(locale) if locale else None, str(name) if name else None)
