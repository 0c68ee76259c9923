"""The delivery engine's Slack calls, and what each answer means for a notification.

The client has no retry handlers: Slack has no idempotency key for `chat.postMessage`, so the
engine alone decides when to post again (after looking for the message, `delivery.engine`).
Every post carries message metadata with its notification's identity, which `find` looks for.

An answer is one of:
- `Done`: in Slack (where it landed);
- `Unclear`: it may have happened (a timeout, a lost connection, a 5xx, or one of the HTTP-200
  errors Slack documents as possibly partly done: `internal_error`, `fatal_error`,
  `service_unavailable`, `request_timeout`);
- `Later`: a rate limit (429): nothing happened, try again after `Retry-After`;
- `Refused`: nothing happened; `permanent` unless it can heal by itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language_from_locale
from bot.outcome import Message

logger = logging.getLogger("network_bot.delivery")

METADATA_TYPE = "network_bot_notification"
UNCLEAR = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
# Definite refusals that heal by themselves; every other refusal fails a notification at once.
TRANSIENT = frozenset({"ratelimited", "team_added_to_org", "connection_failed"})
HISTORY_PAGES = 10


@dataclass(frozen=True)
class Done:
    """In Slack: the conversation and the message's ts (a file's id for an upload)."""

    channel: str
    ts: str


@dataclass(frozen=True)
class Unclear:
    """It may or may not have happened."""

    reason: str


@dataclass(frozen=True)
class Later:
    """Rate limited: nothing happened; try again in `seconds`."""

    seconds: float


@dataclass(frozen=True)
class Refused:
    """Nothing happened; Slack's error code."""

    error: str
    permanent: bool = True


Answer = Done | Unclear | Later | Refused


class Problem(Exception):
    """A call that did not succeed, and what its answer means."""

    def __init__(self, answer: Unclear | Later | Refused) -> None:
        super().__init__(answer)
        self.answer = answer


def client(token: str | None, base_url: str, session: aiohttp.ClientSession) -> AsyncWebClient:
    """The engine's Web API client: no retry handlers."""
    return AsyncWebClient(token=token, base_url=base_url, session=session, retry_handlers=[])


def http_session(timeout: float) -> aiohttp.ClientSession:
    """Connections kept open between posts, every call bounded by the client timeout."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))


async def call(request: Awaitable[Any]) -> Any:
    """One Web API call; anything but success raises `Problem` with what it means."""
    try:
        return await request
    except SlackApiError as error:
        code, status = _code(error), error.response.status_code
        if status == 429:
            raise Problem(Later(_retry_after(error))) from error
        if status >= 500 or code in UNCLEAR:
            raise Problem(Unclear(code)) from error
        raise Problem(Refused(code, code not in TRANSIENT)) from error
    except aiohttp.ClientConnectorError as error:  # never reached Slack
        raise Problem(Refused("connection_failed", permanent=False)) from error
    except (TimeoutError, aiohttp.ClientError) as error:
        raise Problem(Unclear(type(error).__name__)) from error


def metadata(identity: str) -> dict[str, Any]:
    """What every post carries: its notification's identity."""
    return {"event_type": METADATA_TYPE, "event_payload": {"identity": identity}}


async def post(
    slack: AsyncWebClient, channel: str, message: Message, identity: str, thread_ts: str | None
) -> Done:
    """Post a message (a user id: their direct messages with the bot)."""
    answer = await call(
        slack.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            thread_ts=thread_ts,
            metadata=metadata(identity),
            unfurl_links=False,
            unfurl_media=False,
        )
    )
    return Done(str(answer["channel"]), str(answer["ts"]))


async def ephemeral(slack: AsyncWebClient, channel: str, user: str, message: Message) -> Done:
    """Show a message to one person in a channel (it cannot be looked for afterwards)."""
    answer = await call(
        slack.chat_postEphemeral(
            channel=channel, user=user, text=message.text, blocks=message.blocks
        )
    )
    return Done(channel, str(answer.get("message_ts") or ""))


async def update(slack: AsyncWebClient, channel: str, ts: str, message: Message) -> Done:
    """Draw a message the bot posted again (doing it twice is harmless)."""
    await call(slack.chat_update(channel=channel, ts=ts, text=message.text, blocks=message.blocks))
    return Done(channel, ts)


async def upload(
    slack: AsyncWebClient,
    channel: str,
    thread_ts: str,
    filename: str,
    content: str,
    title: str,
    comment: str,
) -> Done:
    """Share a text file in a thread."""
    answer = await call(
        slack.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=content.encode(),
            filename=filename,
            title=title,
            initial_comment=comment or None,
        )
    )
    files = answer.get("files") or [answer.get("file") or {}]
    return Done(channel, str(files[0].get("id", "")))


async def invite(slack: AsyncWebClient, channel: str, user: str) -> Done:
    """Bring a person into a channel (one already there counts as done)."""
    try:
        await call(slack.conversations_invite(channel=channel, users=user))
    except Problem as problem:
        if problem.answer != Refused("already_in_channel"):
            raise
    return Done(channel, "")


async def join(slack: AsyncWebClient, channel: str) -> bool:
    """Join a public channel; False for a private one (or any other refusal)."""
    try:
        await call(slack.conversations_join(channel=channel))
    except Problem as problem:
        logger.warning("could not join %s: %s", channel, problem.answer)
        return False
    return True


async def delete(slack: AsyncWebClient, channel: str, ts: str) -> None:
    """Delete a message the bot posted."""
    await call(slack.chat_delete(channel=channel, ts=ts))


async def conversation(slack: AsyncWebClient, target: str) -> str:
    """Where a target's messages are: a user's direct messages with the bot are opened."""
    if target[:1] not in "UW":
        return target
    opened = await call(slack.conversations_open(users=target))
    return str(opened["channel"]["id"])


async def find(
    slack: AsyncWebClient,
    channel: str,
    since: datetime,
    identity: str | None = None,
    thread_ts: str | None = None,
    filename: str | None = None,
) -> list[str]:
    """The ts of the messages since `since` that carry `identity` in their metadata (or, for a
    file, that share `filename`), oldest first: in a thread when `thread_ts` is given."""
    found: list[str] = []
    cursor = None
    for _page in range(HISTORY_PAGES):
        args: dict[str, Any] = {
            "channel": channel,
            "oldest": f"{since.timestamp():.6f}",
            "include_all_metadata": True,
            "limit": 200,
            "cursor": cursor,
        }
        if thread_ts:
            page = await call(slack.conversations_replies(ts=thread_ts, **args))
        else:
            page = await call(slack.conversations_history(**args))
        found += [str(m["ts"]) for m in page.get("messages") or [] if _is(m, identity, filename)]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return sorted(found, key=float)
    logger.warning("history search gave up after %d pages: %s", HISTORY_PAGES, identity)
    return sorted(found, key=float)


def _is(message: dict[str, Any], identity: str | None, filename: str | None) -> bool:
    if filename is not None:
        return any(f.get("name") == filename for f in message.get("files") or [])
    payload = (message.get("metadata") or {}).get("event_payload") or {}
    return bool(payload.get("identity") == identity)


async def language(slack: AsyncWebClient, user: str, default: str) -> str:
    """A person's language as Slack knows it (their locale), else `default`."""
    try:
        answer = await call(slack.users_info(user=user, include_locale=True))
    except Problem:
        return default
    return language_from_locale((answer.get("user") or {}).get("locale"), default)


def _retry_after(error: SlackApiError) -> float:
    value = str(error.response.headers.get("Retry-After", "1"))
    return float(value) if value.isdigit() else 1.0


def _code(error: SlackApiError) -> str:
    return str(error.response.get("error") or f"http_{error.response.status_code}")
