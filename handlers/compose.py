"""Whether a due notification still goes out, and in which words: checked and rendered now.

Content is rendered when the notification goes out, from the current data (`handlers.contents`
for each kind): the engine's jobs carry ids, never objects. Before rendering, the notification
is checked against time and plan:
- more than CATCHUP_GRACE_HOURS late, or its event (a deadline's due time, a meeting's start)
  already happened: skipped;
- no longer planned for its item (deleted, cancelled, done, the offset removed): cancelled;
- planned later than it is stored (an edit that was not reconciled yet): rescheduled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from bot import planner
from bot.i18n import language
from bot.notices import Writing
from bot.planner import Planned, Rules
from handlers import contents
from handlers.contents import Drop, Ready
from storage import delivery_data, notice_data, outbox
from storage.claims import Claimed


@dataclass(frozen=True)
class Moved:
    """Its item moved it: back to pending, as now planned."""

    plan: Planned


@dataclass(frozen=True)
class Setup:
    """The network-wide facts notices are written with, read once per batch."""

    rules: Rules
    announcement: str | None
    language: str  # the network's
    command: str
    # A person's language as Slack knows it (their locale), given the one to fall back on.
    slack_language: SlackLanguage | None = None
    languages: dict[str, str] = field(default_factory=dict)  # each target's, once known


SlackLanguage = Callable[[str, str], Awaitable[str]]


async def setup(
    session: AsyncSession, settings: Settings, slack_language: SlackLanguage | None = None
) -> Setup:
    """Read the network-wide facts."""
    network = await delivery_data.network(session)
    return Setup(
        delivery_data.rules_of(network, settings.deployment),
        network.announcement_channel if network else None,
        network.language if network else settings.language,
        settings.slash_command,
        slack_language,
    )


Composed = Ready | Drop | Moved


async def compose(
    session: AsyncSession, note: Claimed, facts: Setup, now: datetime, started: datetime
) -> Composed:
    """Check a claimed notification against time and plan, and render what it says; `started`
    is when the running engine started (what fell due before it is marked late)."""
    late_for = _timing(note, facts.rules, now, started)
    if isinstance(late_for, Drop):
        return late_for
    if note.kind not in planner.CHILD_KINDS and (
        verdict := await _replan(session, note, facts, now)
    ):
        return verdict
    how = Writing(
        facts.rules.zone, now.astimezone(facts.rules.zone).date(), facts.command, late_for
    )
    with language(await _language(session, note.target, facts)):
        return await contents.RENDER[note.kind](session, note, how, now)


def _timing(
    note: Claimed, rules: Rules, now: datetime, started: datetime
) -> datetime | Drop | None:
    """Skipped when too late; else the moment it was meant for, if it goes out late."""
    event = note.payload.get("event_at")
    if event and datetime.fromisoformat(event) <= now:
        return Drop("skipped", "its event has already happened")
    if now - note.due_at > rules.grace:
        hours = (now - note.due_at).total_seconds() / 3600
        return Drop("skipped", f"{hours:.1f} hours late, more than CATCHUP_GRACE_HOURS")
    meant = note.payload.get("meant_for")
    return planner.late_for(note.due_at, datetime.fromisoformat(meant) if meant else None, started)


async def _replan(
    session: AsyncSession, note: Claimed, facts: Setup, now: datetime
) -> Drop | Moved | None:
    assert note.subject_id is not None
    ctx = outbox.Context(facts.rules, now, facts.announcement)
    planned = await outbox.planned_for(session, note.subject_type, note.subject_id, ctx)
    match = next((p for p in planned if p.identity == note.identity), None)
    if match is None:
        return Drop("cancelled", "no longer planned for its item")
    if match.due_at > now and match.due_at != note.due_at and note.attempts == 1:
        return Moved(match)  # only a first claim: one tried before keeps its time
    return None


async def _language(session: AsyncSession, target: str, facts: Setup) -> str:
    """A person's language (their Slack locale, else the one stored for them, else the
    network's), or a channel's (its theme's, else the network's); remembered for the batch."""
    if target not in facts.languages:
        if target[:1] in "UW":
            found = await notice_data.user_language(session, target, facts.language)
            if facts.slack_language is not None:
                found = await facts.slack_language(target, found)
        else:
            found = await notice_data.channel_language(session, target, facts.language)
        facts.languages[target] = found
    return facts.languages[target]
