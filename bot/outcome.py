"""What a use case hands back: the reply to the user and the effects to carry out.

Plain values, so that Slack (handlers/effects.py) and the terminal (bot/console.py) can each carry
them out in their own way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class Message:
    """A Slack message: mrkdwn text (also the notification fallback) and optional Block Kit."""

    text: str
    blocks: Blocks | None = None


@dataclass(frozen=True)
class Post:
    """A message for a channel; `label` names the channel for people (e.g. `#liikenne`).

    With a `record` key, where the message landed is reported under that key (see `Record`).
    """

    channel: str
    message: Message
    label: str = ""
    thread_ts: str | None = None
    record: str | None = None
    told_if_refused: bool = True  # the person who acted hears of it if Slack refuses the post


@dataclass(frozen=True)
class DirectMessage:
    """A message to one person, in their direct-message conversation with the bot."""

    user: str
    message: Message


@dataclass(frozen=True)
class Invite:
    """Bring a person into a channel (joining it first if the bot is not there and may join).

    When the bot cannot reach the channel (a private one it is not in), `fallback` is carried out
    instead: typically a direct message to the coordinators.
    """

    channel: str
    user: str
    label: str = ""
    fallback: tuple[DirectMessage, ...] = ()


@dataclass(frozen=True)
class Upload:
    """A file sent to one person in a direct message."""

    user: str
    filename: str
    content: bytes
    title: str
    comment: str = ""


@dataclass(frozen=True)
class ChannelUpload:
    """A file shared in a channel's thread: `thread_ts`, or that of the post recorded as
    `thread_of` earlier in the same outcome (a file under an announcement just posted)."""

    channel: str
    filename: str
    content: bytes
    title: str
    comment: str = ""
    label: str = ""
    thread_ts: str | None = None
    thread_of: str | None = None


@dataclass(frozen=True)
class Update:
    """A new text (and blocks) for a message the bot posted earlier."""

    channel: str
    ts: str
    message: Message
    label: str = ""


@dataclass(frozen=True)
class Posted:
    """Where a recorded post landed: its channel and its ts."""

    channel: str
    ts: str


Receipts = Mapping[str, Posted]


@dataclass(frozen=True)
class Record:
    """Hand what the posts before it recorded to `store` (e.g. to save an announcement's ts).

    Carried out after the effects before it; where nothing is posted (the console), never.
    """

    store: Callable[[Receipts], Awaitable[None]] = field(compare=False)


Effect = Post | DirectMessage | Invite | Upload | ChannelUpload | Update | Record


@dataclass(frozen=True)
class Outcome:
    """The reply (ephemeral unless `public`) and what else should happen."""

    reply: Message
    public: bool = False
    effects: tuple[Effect, ...] = field(default_factory=tuple)


class UserError(Exception):
    """Input the bot cannot act on; `message` is already in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reply(text: str, blocks: Blocks | None = None) -> Outcome:
    """An ephemeral reply and nothing else."""
    return Outcome(Message(text, blocks))
