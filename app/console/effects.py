"""What the console prints of a use case's effects: every post, direct message, update and file
the bot would send, drawn as Slack would show it, with the channel's name; a thread's posts
indented under their parent. Posts are recorded as if made (a made-up message id), so that a
later change to a meeting finds its announcement, as in Slack."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from app.console.drawing import Drawn, draw
from bot.i18n import _
from bot.outcome import (
    ChannelUpload,
    DirectMessage,
    Effect,
    Invite,
    Post,
    Posted,
    Record,
    Update,
    Upload,
)

INDENT = "    "


@dataclass
class Shown:
    """What the console knows of the conversation so far: channel names, and the first line of
    each message it posted, by its made-up message id."""

    channels: dict[str, str] = field(default_factory=dict)
    threads: dict[str, str] = field(default_factory=dict)
    posts: int = 0

    def where(self, channel: str, label: str = "") -> str:
        """A channel as people name it: `#liikenne`."""
        return self.channels.get(channel) or label or f"#{channel}"

    def parent(self, ts: str) -> str:
        """The message a thread belongs under, by its first line."""
        line = self.threads.get(ts)
        return f"“{line}”" if line else _("an earlier message")


async def show_effects(
    effects: tuple[Effect, ...], shown: Shown, out: TextIO, stamp: Callable[[], str]
) -> list[Drawn]:
    """Print each effect; the messages drawn (for their buttons)."""
    receipts: dict[str, Posted] = {}
    drawn: list[Drawn] = []
    for effect in effects:
        if isinstance(effect, Record):
            await effect.store(dict(receipts))
            continue
        if isinstance(effect, Post):
            ts = stamp()
            if effect.record:
                receipts[effect.record] = Posted(effect.channel, ts)
        message = getattr(effect, "message", None)
        body = draw(message, shown.channels) if message is not None else None
        if body is not None:
            drawn.append(body)
        thread = _thread(effect, receipts)
        out.write(_head(effect, shown, thread) + "\n")
        if body is not None:
            indent = INDENT if thread else "  "
            out.write("".join(indent + line + "\n" for line in body.text.split("\n")))
        if isinstance(effect, Post):
            shown.threads[ts] = _first_line(body)
    return drawn


def _thread(effect: Effect, receipts: dict[str, Posted]) -> str | None:
    """The message id of the thread the effect goes in, if any."""
    if isinstance(effect, Post):
        return effect.thread_ts
    if isinstance(effect, ChannelUpload):
        recorded = receipts.get(effect.thread_of) if effect.thread_of else None
        return recorded.ts if recorded else effect.thread_ts
    return None


def _head(effect: Effect, shown: Shown, thread: str | None) -> str:
    if isinstance(effect, Post):
        where = shown.where(effect.channel, effect.label)
        if thread:
            return _("→ posted in {channel}, in the thread of {parent}:").format(
                channel=where, parent=shown.parent(thread)
            )
        return _("→ posted in {channel}:").format(channel=where)
    if isinstance(effect, DirectMessage):
        return _("→ direct message to {user}:").format(user=f"@{effect.user}")
    if isinstance(effect, Invite):
        where = shown.where(effect.channel, effect.label)
        return _("→ {user} invited to {channel}").format(user=f"@{effect.user}", channel=where)
    if isinstance(effect, Update):
        where = shown.where(effect.channel, effect.label)
        return _("→ message in {channel} updated:").format(channel=where)
    if isinstance(effect, ChannelUpload):
        text = _("→ file {name} shared in {channel} (saved as {path})").format(
            name=effect.filename,
            channel=shown.where(effect.channel, effect.label),
            path=_saved(effect),
        )
        return INDENT + text if thread else text
    if isinstance(effect, Upload):
        return _("→ file {name} sent to {user} (saved as {path})").format(
            name=effect.filename, user=f"@{effect.user}", path=_saved(effect)
        )
    return ""


def _first_line(body: Drawn | None) -> str:
    text = (body.text if body else "").replace("*", "")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return lines[0][:60] if lines else ""


def _saved(effect: Upload | ChannelUpload) -> Path:
    folder = Path(tempfile.gettempdir()) / "network-bot"
    folder.mkdir(exist_ok=True)
    path = folder / effect.filename
    path.write_bytes(effect.content)
    return path
