"""What the console prints of what the bot posts: the outbox rows that are due, drawn as Slack
would show them, with the channel's name, a thread's posts indented under their parent.

The rows go the delivery engine's way (`delivery.content.prepare` decides what each says and
where it goes) but to the terminal instead of Slack, and are recorded as sent with a made-up
message id, so that a later notice in a meeting's thread finds its announcement, as in Slack.
Only what is due now is shown: scheduled reminders wait for their time (and for `serve`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from app.console.drawing import Drawn, draw
from bot.deployment import Deployment
from bot.i18n import _
from bot.outcome import Upload
from delivery.content import (
    Ephemeral,
    File,
    Invite,
    Post,
    Redraw,
    Replan,
    Setup,
    Wait,
    prepare,
    setup,
)
from delivery.kinds import Drop
from storage import claims, outbox, outcomes
from storage.claims import Claimed
from usecases.caller import Sessions

INDENT = "    "
WORKER = "console"
LEASE = timedelta(minutes=1)
ROUNDS = 5  # a post's children (direct messages it entails) come due as it goes


@dataclass
class Shown:
    """What the console knows of the conversation so far: channel names, the first line of each
    message it posted by its made-up id, and how many it posted."""

    channels: dict[str, str] = field(default_factory=dict)
    threads: dict[str, str] = field(default_factory=dict)
    posts: int = 0

    def where(self, channel: str) -> str:
        """A channel as people name it: `#liikenne`; a person's direct messages: `@U…`."""
        if channel[:1] in "UW":
            return f"@{channel}"
        return self.channels.get(channel) or f"#{channel}"

    def parent(self, ts: str) -> str:
        """The message a thread belongs under, by its first line."""
        line = self.threads.get(ts)
        return f"“{line}”" if line else _("an earlier message")


async def deliver(
    db: Sessions, deployment: Deployment, shown: Shown, out: TextIO, now: datetime
) -> list[Drawn]:
    """Print what is due now; the messages drawn (for their buttons)."""
    drawn: list[Drawn] = []
    for _round in range(ROUNDS):
        async with db.begin() as session:
            batch = await claims.claim(session, now, WORKER, LEASE, 500, 500)
            if not batch.notes:
                break
            facts = await setup(session, deployment)
            due = sorted(
                (note for notes in batch.notes.values() for note in notes),
                key=lambda note: (not note.immediate, note.due_at, note.id),
            )
            for note in due:
                step = await prepare(session, note, facts, now, now)
                await _record(session, note, step, facts, now, shown, out, drawn)
    return drawn


async def _record(
    session: AsyncSession,
    note: Claimed,
    step: object,
    facts: Setup,
    now: datetime,
    shown: Shown,
    out: TextIO,
    drawn: list[Drawn],
) -> None:
    """Show one row and record what became of it, as the engine would."""
    if isinstance(step, Drop):
        await outcomes.record_end(session, note.id, WORKER, step.state, now, step.reason)
    elif isinstance(step, Replan):
        await outcomes.record_end(session, note.id, WORKER, "cancelled", now, step.reason)
        subject = note.subject_id or 0
        await outbox.reconcile_item(session, note.subject_type, subject, facts.rules, now)
    elif isinstance(step, Wait):
        await outcomes.record_later(session, note.id, WORKER, now, now, None, tried_at=None)
    elif isinstance(step, Post | Redraw | File | Invite | Ephemeral):
        shown.posts += 1
        ts = f"{int(now.timestamp())}.{shown.posts:06d}"
        channel = _show(step, shown, out, drawn, ts)
        await outcomes.record_sent(session, note.id, WORKER, now, channel, ts)
        if isinstance(step, Post):
            await outbox.enqueue(session, step.children, now)


def _show(
    step: Post | Redraw | File | Invite | Ephemeral,
    shown: Shown,
    out: TextIO,
    drawn: list[Drawn],
    ts: str,
) -> str:
    """Print one post, update, file or invitation; the channel it went to."""
    where = shown.where(step.channel)
    if isinstance(step, Invite):
        out.write(_("→ {user} invited to {channel}").format(user=f"@{step.user}", channel=where))
        out.write("\n")
        return step.channel
    if isinstance(step, File):
        path = saved(step.filename, step.content.encode())
        text = _("→ file {name} shared in {channel} (saved as {path})").format(
            name=step.filename, channel=where, path=path
        )
        out.write(INDENT + text + "\n")
        return step.channel
    thread = step.thread_ts if isinstance(step, Post) else None
    if isinstance(step, Redraw):
        head = _("→ message in {channel} updated:").format(channel=where)
    elif isinstance(step, Ephemeral):
        head = _("→ shown only to {user} in {channel}:").format(user=f"@{step.user}", channel=where)
    elif step.channel[:1] in "UW":
        head = _("→ direct message to {user}:").format(user=where)
    elif thread:
        head = _("→ posted in {channel}, in the thread of {parent}:").format(
            channel=where, parent=shown.parent(thread)
        )
    else:
        head = _("→ posted in {channel}:").format(channel=where)
    body = draw(step.message, shown.channels)
    drawn.append(body)
    indent = INDENT if thread else "  "
    out.write(head + "\n" + "".join(indent + line + "\n" for line in body.text.split("\n")))
    if isinstance(step, Post):
        shown.threads[ts] = _first_line(body)
    return step.channel


def sent(upload: Upload) -> str:
    """A file sent to the person, as the console shows it."""
    return _("→ file {name} sent to {user} (saved as {path})").format(
        name=upload.filename, user=f"@{upload.user}", path=saved(upload.filename, upload.content)
    )


def _first_line(body: Drawn) -> str:
    text = body.text.replace("*", "")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return lines[0][:60] if lines else ""


def saved(filename: str, content: bytes) -> Path:
    """Where the console keeps a file the bot would send."""
    folder = Path(tempfile.gettempdir()) / "network-bot"
    folder.mkdir(exist_ok=True)
    path = folder / Path(filename).name
    path.write_bytes(content)
    return path
