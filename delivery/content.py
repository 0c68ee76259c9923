"""What a claimed notification does now: a Slack call to make, or why not (checked and rendered
in the transaction that starts its try).

Before anything is rendered, a notification is checked against time and plan (PRODUCT.md §4):
- its event (a deadline's due time, a meeting's start) already happened, or it is more than
  CATCHUP_GRACE_HOURS late: skipped (failed, if it was failing meanwhile);
- a scheduled one no longer planned for its item (deleted, moved, cancelled, done, the offset
  removed): cancelled, and its item planned again (a move plans fresh ones for the new time);
- one that belongs in a post's thread (or redraws it) waits for that post, or is cancelled
  when that post will never be made.
A scheduled notice that fell due before the running engine started goes out marked late;
delayed only by pacing, a busy tick or a retry, it is not marked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outgoing, planner
from bot.deployment import Deployment
from bot.i18n import language
from bot.notices import Writing
from bot.outcome import Message
from bot.planner import Planned, Rules
from delivery.kinds import RENDER, Drop
from storage import notice_views, notifications, outbox, planner_items
from storage.claims import Claimed

SlackLanguage = Callable[[str, str], Awaitable[str]]


@dataclass(frozen=True)
class Setup:
    """The network-wide facts notices are written with, read once per claim."""

    rules: Rules
    announcement: str | None
    language: str  # the network's
    command: str
    slack_language: SlackLanguage | None = None
    languages: dict[str, str] = field(default_factory=dict)  # each target's, once known


async def setup(
    session: AsyncSession, deployment: Deployment, slack_language: SlackLanguage | None = None
) -> Setup:
    """Read the network-wide facts."""
    network = await planner_items.network(session)
    return Setup(
        planner_items.rules_of(network, deployment),
        network.announcement_channel if network else None,
        network.language if network else deployment.language,
        deployment.command,
        slack_language,
    )


@dataclass(frozen=True)
class Post:
    """Post `message` in `channel` (in the thread of `thread_ts`)."""

    channel: str
    message: Message
    thread_ts: str | None = None
    children: list[Planned] = field(default_factory=list)


@dataclass(frozen=True)
class Redraw:
    """Draw the message at `channel`/`ts` again."""

    channel: str
    ts: str
    message: Message


@dataclass(frozen=True)
class File:
    """Share a text file in the thread of `thread_ts`."""

    channel: str
    thread_ts: str
    filename: str
    content: str
    title: str
    comment: str


@dataclass(frozen=True)
class Invite:
    """Bring `user` into `channel`."""

    channel: str
    user: str


@dataclass(frozen=True)
class Ephemeral:
    """Show `message` to `user` alone in `channel`."""

    channel: str
    user: str
    message: Message


@dataclass(frozen=True)
class Wait:
    """Not yet: the post it belongs under is still on its way."""


@dataclass(frozen=True)
class Replan:
    """No longer planned as it is: cancelled, and its item planned again."""

    reason: str


Work = Post | Redraw | File | Invite | Ephemeral
Step = Work | Drop | Wait | Replan


async def prepare(
    session: AsyncSession, note: Claimed, facts: Setup, now: datetime, started: datetime
) -> Step:
    """Check a claimed notification against time and plan, and say what to do with it."""
    timing = _timing(note, facts.rules, now, started)
    if isinstance(timing, Drop):
        return timing
    if note.kind in planner.PLANNED_KINDS and (verdict := await _replan(session, note, facts, now)):
        return verdict
    if note.kind == outgoing.INVITE:
        return Invite(note.target, note.payload["user"])
    parent = await _parent(session, note)
    if not isinstance(parent, tuple):
        return parent
    how = Writing(facts.rules.zone, now.astimezone(facts.rules.zone).date(), facts.command, timing)
    if note.kind == outgoing.FILE:
        assert parent[1] is not None
        return File(parent[0], parent[1], *(note.payload[k] for k in _FILE))
    with language(await _language(session, note.target, facts)):
        content = await RENDER[note.kind](session, note, how, now)
    if isinstance(content, Drop):
        return content
    if note.kind == outgoing.REDRAW:
        assert parent[1] is not None
        return Redraw(parent[0], parent[1], content.message)
    if note.kind == outgoing.EPHEMERAL:
        return Ephemeral(parent[0], note.payload["user"], content.message)
    return Post(parent[0], content.message, parent[1], content.children)


_FILE = ("filename", "content", "title", "comment")


def _timing(
    note: Claimed, rules: Rules, now: datetime, started: datetime
) -> datetime | Drop | None:
    """Skipped when too late; else the moment it was meant for, if it fell due before the
    running engine started (a downtime)."""
    event = note.payload.get("event_at")
    if event and datetime.fromisoformat(event) <= now:
        return Drop("skipped", "its event has already happened")
    if now - note.due_at > rules.grace:
        if note.last_error:  # it was failing until its grace ended
            return Drop("failed", note.last_error)
        hours = (now - note.due_at).total_seconds() / 3600
        return Drop("skipped", f"{hours:.1f} hours late, more than CATCHUP_GRACE_HOURS")
    meant = datetime.fromisoformat(note.payload.get("meant_for") or note.due_at.isoformat())
    scheduled = (
        note.kind in planner.PLANNED_KINDS
        or note.kind == planner.REGISTRATION_DM
        or (note.kind == outgoing.ANNOUNCE and not note.immediate)
    )
    return meant if scheduled and meant < started else None


async def _replan(
    session: AsyncSession, note: Claimed, facts: Setup, now: datetime
) -> Replan | None:
    assert note.subject_id is not None
    ctx = outbox.Context(facts.rules, now, facts.announcement)
    planned = await outbox.planned_for(session, note.subject_type, note.subject_id, ctx)
    match = next((p for p in planned if p.identity == note.identity), None)
    if match is None:
        return Replan("no longer planned for its item")
    if match.due_at > now and match.due_at != note.due_at and note.attempts == 1:
        return Replan("planned for another time")
    return None


async def _parent(session: AsyncSession, note: Claimed) -> tuple[str, str | None] | Wait | Drop:
    """Where it goes: its target, or the channel and thread of the post it belongs under."""
    of = note.payload.get("thread_of") or note.payload.get("of")
    if not of:
        return note.target, None
    found = await notifications.parent(session, of)
    if found is None or found[0] in ("failed", "skipped", "cancelled"):
        return Drop("cancelled", "the post it belongs under was not made")
    state, channel, ts = found
    if state != "sent" or channel is None or ts is None:
        return Wait()
    return channel, ts


async def _language(session: AsyncSession, target: str, facts: Setup) -> str:
    """A person's language (their Slack locale, else the one stored for them, else the
    network's), or a channel's (its theme's, else the network's); remembered per claim."""
    if target not in facts.languages:
        if target[:1] in "UW":
            found = await notice_views.user_language(session, target, facts.language)
            if facts.slack_language is not None:
                found = await facts.slack_language(target, found)
        else:
            found = await notice_views.channel_language(session, target, facts.language)
        facts.languages[target] = found
    return facts.languages[target]
