"""Posting one notification to Slack, effectively once (PRODUCT.md §4).

Slack has no idempotency key for `chat.postMessage`, so this module owns every retry of the
engine's posts (its client has no retry handlers: slack-sdk's connection-error retry could
post twice). Every post carries message metadata with the notification's identity. Before a
post that may already have happened — the notification was claimed before by a sender that
left no result, or the previous try ended ambiguously (a timeout, a lost connection, a 5xx) —
the target's recent history is searched for that identity, and a message found there counts
as the post. That search is rare, so it stays well within `conversations.history`'s limits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.outcome import Message, Posted
from storage.claims import Claimed

logger = logging.getLogger("network_bot.delivery")

METADATA_TYPE = "network_bot_notification"
BACKOFF = (1.0, 2.0, 4.0)  # seconds before each retry after a 5xx, a timeout or a lost connection
RATE_LIMITED_TRIES = 5  # 429s in a row before giving up (no post happens on a 429)
HISTORY_MARGIN = timedelta(minutes=5)  # clocks of several processes may differ a little
HISTORY_PAGES = 10
NOT_THERE = ("not_in_channel", "channel_not_found")  # history we cannot read holds no post of ours

# Waits `seconds` (and keeps the claim for that long); False when the engine is stopping or
# the claim is no longer ours, and the delivery must be abandoned.
Pause = Callable[[float], Awaitable[bool]]


@dataclass(frozen=True)
class Failed:
    """Slack refused for good; `error` is its error code."""

    error: str


@dataclass(frozen=True)
class Abandoned:
    """Stopped half-way (shutting down, or the claim was lost); nothing is recorded."""


# `Posted` (from `bot.outcome`): it is in Slack, posted now or found from an earlier try.
Result = Posted | Failed | Abandoned


class _Ambiguous(Exception):
    """The post may or may not have happened."""


async def deliver(
    client: AsyncWebClient, note: Claimed, message: Message, check_first: bool, pause: Pause
) -> Result:
    """Post `message` for `note` once: search first when needed, retry what can be retried."""
    search, backoff, limited, joined = check_first, list(BACKOFF), 0, False
    while True:
        try:
            if search and (found := await find(client, note)):
                return found
            return await _post(client, note, message)
        except _Ambiguous as error:
            search, wait, failure = True, _next(backoff), str(error)
        except SlackApiError as error:
            code, status = _code(error), error.response.status_code
            if status == 429 and limited < RATE_LIMITED_TRIES:
                limited, wait, failure = limited + 1, _retry_after(error), code
            elif code == "not_in_channel" and not joined and await join(client, note.target):
                joined, wait, failure = True, 0.0, code
            else:
                return Failed(code)
        if wait is None:
            return Failed(failure)
        if not await pause(wait):
            return Abandoned()


async def find(client: AsyncWebClient, note: Claimed) -> Posted | None:
    """The message already posted for `note` in its target's recent history, if any."""
    try:
        channel = await _conversation(client, note.target)
        cursor = None
        for _page in range(HISTORY_PAGES):
            page = await _call(
                client.conversations_history(
                    channel=channel,
                    oldest=_slack_ts(earliest(note) - HISTORY_MARGIN),
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
            )
            for found in page.get("messages") or []:
                metadata = found.get("metadata") or {}
                if (metadata.get("event_payload") or {}).get("identity") == note.identity:
                    return Posted(channel, str(found["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
    except SlackApiError as error:
        if _code(error) in NOT_THERE:
            return None
        raise
    logger.warning("history search gave up after %d pages: %s", HISTORY_PAGES, note.identity)
    return None


async def _post(client: AsyncWebClient, note: Claimed, message: Message) -> Posted:
    response = await _call(
        client.chat_postMessage(
            channel=note.target,
            text=message.text,
            blocks=message.blocks,
            metadata={"event_type": METADATA_TYPE, "event_payload": {"identity": note.identity}},
            unfurl_links=False,
            unfurl_media=False,
        )
    )
    return Posted(str(response["channel"]), str(response["ts"]))


async def _call(request: Awaitable[Any]) -> Any:
    """One Web API call; a 5xx, a timeout or a lost connection becomes `_Ambiguous`."""
    try:
        return await request
    except SlackApiError as error:
        if error.response.status_code >= 500:
            raise _Ambiguous(_code(error)) from error
        raise
    except (TimeoutError, aiohttp.ClientError) as error:
        raise _Ambiguous(type(error).__name__) from error


async def _conversation(client: AsyncWebClient, target: str) -> str:
    """The conversation whose history to read: a user's DM with the bot is opened first."""
    if target[:1] not in "UW":
        return target
    opened = await _call(client.conversations_open(users=target))
    return str(opened["channel"]["id"])


async def join(client: AsyncWebClient, channel: str) -> bool:
    """Join a public channel; False for a private one (or any other refusal)."""
    try:
        await client.conversations_join(channel=channel)
    except (SlackApiError, TimeoutError, aiohttp.ClientError) as error:
        logger.warning("could not join %s: %s", channel, error)
        return False
    return True


def _next(backoff: list[float]) -> float | None:
    return backoff.pop(0) if backoff else None


def _retry_after(error: SlackApiError) -> float:
    value = error.response.headers.get("Retry-After", "1")
    return float(value) if str(value).isdigit() else 1.0


def _code(error: SlackApiError) -> str:
    return str(error.response.get("error") or f"http_{error.response.status_code}")


def earliest(note: Claimed) -> datetime:
    """The earliest moment any try of it can have posted: no try comes before its due time
    (which is never moved once it was tried), or before the time it was first meant for (an
    operator's retry makes it due anew)."""
    meant = note.payload.get("meant_for")
    return min(note.due_at, datetime.fromisoformat(meant)) if meant else note.due_at


def _slack_ts(moment: datetime) -> str:
    """A Slack timestamp: `seconds.micros`."""
    return f"{moment.timestamp():.6f}"
