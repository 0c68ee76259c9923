"""What the bot posts because someone acted: immediate outbox rows, as plain values.

A use case builds these and writes them to the outbox in its own transaction
(`storage.outbox.enqueue`), so a committed change is always followed by its posts, once, by the
delivery engine (`delivery/`). Each has a stable identity (what, which subject, which target,
when it was caused), kind and payload; the engine knows how to carry out each kind:

- `post`: a message (in a channel, a thread, or a person's direct messages) written now;
- `meeting_announcement` / `meeting_redraw`: a meeting's announcement, drawn from the current
  data when it goes out (so answers that came meanwhile are counted) / drawn again in place;
- `file`: a file shared in the thread of an earlier post;
- `invite`: a person brought into a channel, with the direct messages to send if the bot
  cannot reach it;
- `announce`: a person's announcement, now or at a set time (`due_at`), drawn when it goes
  out (in the channel's language, marked late if a downtime delayed a scheduled one);
- `ephemeral`: a message only one person sees in a channel, once per identity (a welcome).

A row that belongs in another post's thread (or redraws it) names that post's identity
(`thread_of` / `of`): the engine waits for it to be sent and uses where it landed.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from bot.outcome import Message
from bot.planner import Planned, stamp

POST = "post"
FILE = "file"
INVITE = "invite"
ANNOUNCEMENT = "meeting_announcement"
REDRAW = "meeting_redraw"
REFUSED = "refused"  # to the person who acted: Slack refused their post (made by the engine)
ANNOUNCE = "announce"
EPHEMERAL = "ephemeral"
KINDS = frozenset({POST, FILE, INVITE, ANNOUNCEMENT, REDRAW, REFUSED, ANNOUNCE, EPHEMERAL})

Subject = tuple[str, int]


def message_payload(message: Message) -> dict[str, Any]:
    """A message as a payload stores it."""
    return {"text": message.text, "blocks": message.blocks}


def post(
    what: str,
    subject: Subject,
    target: str,
    message: Message,
    now: datetime,
    *,
    thread_of: str | None = None,
    actor: str | None = None,
    label: str = "",
) -> Planned:
    """A message to post now. `actor` is told in a direct message if Slack refuses it for good;
    `label` names the channel for them (`#liikenne`)."""
    payload: dict[str, Any] = {"message": message_payload(message), "label": label}
    payload |= {"thread_of": thread_of} if thread_of else {}
    payload |= {"actor": actor} if actor else {}
    return _row(what, POST, subject, target, now, payload)


def announcement(
    meeting_id: int, channel: str, now: datetime, *, actor: str | None = None, label: str = ""
) -> Planned:
    """A meeting's announcement in one channel (one per meeting and channel, ever); `actor`
    is told if Slack refuses it."""
    identity = announcement_identity(meeting_id, channel)
    payload: dict[str, Any] = {"label": label} | ({"actor": actor} if actor else {})
    return Planned(identity, ANNOUNCEMENT, "meeting", meeting_id, channel, now, None, payload)


def announcement_identity(meeting_id: int, channel: str) -> str:
    """The identity of a meeting's announcement in a channel (its thread's parent)."""
    return f"meeting:{meeting_id}:announcement:{channel}"


def redraw(meeting_id: int, channel: str, of: str, now: datetime) -> Planned:
    """A meeting's announcement drawn again from the current data."""
    return _row(
        f"meeting:{meeting_id}:redraw", REDRAW, ("meeting", meeting_id), channel, now, {"of": of}
    )


def file(
    what: str,
    subject: Subject,
    channel: str,
    now: datetime,
    *,
    thread_of: str,
    filename: str,
    content: str,
    title: str,
    comment: str,
) -> Planned:
    """A text file shared in the thread of the post `thread_of`."""
    payload = {
        "thread_of": thread_of,
        "filename": filename,
        "content": content,
        "title": title,
        "comment": comment,
    }
    return _row(what, FILE, subject, channel, now, payload)


def invite(
    what: str,
    subject: Subject,
    channel: str,
    user: str,
    now: datetime,
    fallback: list[tuple[str, Message]],
) -> Planned:
    """Bring `user` into `channel`; if the bot cannot reach it, send the `fallback` messages
    (to whom, what) instead."""
    told = [{"user": to, "message": message_payload(text)} for to, text in fallback]
    return _row(what, INVITE, subject, channel, now, {"user": user, "fallback": told})


def announce(
    subject: Subject,
    channel: str,
    due_at: datetime,
    *,
    author: str,
    author_name: str,
    theme: str | None,
    body: str,
) -> Planned:
    """A person's announcement in `channel` at `due_at` (`body`: its text, sanitised); the
    author is told if Slack refuses it. Its identity is its own, whoever posts it."""
    payload = {"actor": author, "author": author_name, "theme": theme, "text": body}
    return _row("announce", ANNOUNCE, subject, channel, due_at, payload)


def ephemeral(
    what: str, subject: Subject, channel: str, user: str, message: Message, now: datetime
) -> Planned:
    """A message only `user` sees in `channel`, written now; its identity (what, the channel,
    the person) has no random part, so it is sent once, however often it is caused."""
    payload = {"user": user, "message": message_payload(message)}
    identity = f"{what}:{channel}:{user}"
    return Planned(identity, EPHEMERAL, subject[0], subject[1], channel, now, None, payload)


def _row(
    what: str, kind: str, subject: Subject, target: str, now: datetime, payload: dict[str, Any]
) -> Planned:
    """Identity: what, the target, the minute it was caused and a random part, so that two
    changes never share one (even within a moment, or on a clock that stands still)."""
    identity = f"{what}:{target}@{stamp(now)}:{secrets.token_hex(6)}"
    return Planned(identity, kind, subject[0], subject[1], target, now, None, payload)
