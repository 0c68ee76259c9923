"""Errors answered in one place: the user gets a short message with a reference that is logged.

bolt runs a listener after its `ack()`; an error raised then races bolt's own bookkeeping (it may
answer Slack "unhandled request"), so listeners that ack first wrap their work in `reporting()`,
and `app.error` answers whatever fails before that. Both answer through `answer()`, in the
language the listener set for the person (`handlers.middleware`), else the default.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import _

logger = logging.getLogger("network_bot.errors")


def register(app: AsyncApp) -> None:
    """Answer every unhandled error; never a traceback, never silence."""

    async def on_error(
        error: Exception, body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient
    ) -> None:
        await answer(error, body, respond, client)

    app.error(on_error)


@asynccontextmanager
async def reporting(
    body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient
) -> AsyncIterator[None]:
    """Run a listener's work after its ack; a failure is answered, not raised into bolt."""
    try:
        yield
    except Exception as error:
        await answer(error, body, respond, client)


async def answer(
    error: Exception, body: dict[str, Any], respond: AsyncRespond | None, client: AsyncWebClient
) -> None:
    """Log the error with a reference and tell the user."""
    reference = secrets.token_hex(4).upper()
    logger.error("request failed: reference=%s", reference, exc_info=error)
    user_id = _user_id(body)
    if user_id is None:
        return
    text = _(
        "Sorry, something went wrong on my side and nothing was done."
        " Please try again in a moment. If it keeps happening, tell a coordinator"
        " this reference: {reference}"
    ).format(reference=reference)
    await _tell(client, respond, user_id, text)


def _user_id(body: dict[str, Any]) -> str | None:
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    return str(user) if user else None


async def _tell(
    client: AsyncWebClient, respond: AsyncRespond | None, user_id: str, text: str
) -> None:
    try:
        if respond is not None and respond.response_url:  # none for a modal's or Home's button
            await respond(text=text, response_type="ephemeral", replace_original=False)
        else:
            await client.chat_postMessage(channel=user_id, text=text)
    except SlackApiError as failure:
        logger.warning(
            "could not tell %s about an error: %s", user_id, failure.response.get("error")
        )
