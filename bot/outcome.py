"""What a use case hands back: the reply to the user, the file they asked for, and what it wrote
to the outbox for the bot to post (the delivery engine posts those; the console shows them).

Plain values, so that Slack (the listeners) and the terminal (app/console/) can each carry them
out in their own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # bot.planner reaches this module through bot.work_packages
    from bot.planner import Planned

Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class Message:
    """A Slack message: mrkdwn text (also the notification fallback) and optional Block Kit."""

    text: str
    blocks: Blocks | None = None


@dataclass(frozen=True)
class Upload:
    """A file sent to one person in a direct message."""

    user: str
    filename: str
    content: bytes
    title: str
    comment: str = ""


@dataclass(frozen=True)
class Outcome:
    """The reply (ephemeral unless `public`), the files sent with it, and the posts the use case
    wrote to the outbox (in its transaction; shown by the console)."""

    reply: Message
    public: bool = False
    effects: tuple[Upload, ...] = field(default_factory=tuple)
    posts: tuple[Planned, ...] = field(default_factory=tuple)


class UserError(Exception):
    """Input the bot cannot act on; `message` is already in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reply(text: str, blocks: Blocks | None = None) -> Outcome:
    """An ephemeral reply and nothing else."""
    return Outcome(Message(text, blocks))
