"""The reader's language: their Slack locale (`users.info` with `include_locale`), cached."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language_from_locale

logger = logging.getLogger("network_bot.slack")
_TTL_SECONDS = 3600.0


class LocaleCache:
    """Remembers each user's Slack locale for an hour, so most requests make no extra call."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, str | None]] = {}

    async def language(self, client: AsyncWebClient, user_id: str, default: str) -> str:
        """`fi`, `sv` or `en` for this user; the network language when Slack does not say."""
        cached = self._seen.get(user_id)
        if cached is not None and time.monotonic() - cached[0] < _TTL_SECONDS:
            return language_from_locale(cached[1], default)
        locale = await _fetch_locale(client, user_id)
        self._seen[user_id] = (time.monotonic(), locale)
        return language_from_locale(locale, default)


async def _fetch_locale(client: AsyncWebClient, user_id: str) -> str | None:
    try:
        response = await client.users_info(user=user_id, include_locale=True)
    except SlackApiError as error:
        logger.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return None
    user = response.get("user") or {}
    locale = user.get("locale")
    return str(locale) if locale else None
