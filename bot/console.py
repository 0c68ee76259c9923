"""Talk to the bot in a terminal: the same command layer, no Slack needed."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot import outgoing
from bot.i18n import _, language
from bot.outcome import Outcome, Upload
from bot.planner import Planned
from bot.text import unescape
from handlers.dispatch import dispatch
from handlers.request import Services

Clock = Callable[[], datetime]


async def run_console(
    services: Services,
    user_id: str,
    lang: str,
    lines: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    clock: Clock = lambda: datetime.now(UTC),
) -> None:
    """Read commands line by line until end of input and print what the bot answers and does."""
    command = services.settings.slash_command
    interactive = lines.isatty()
    with language(lang):
        greeting = _("Talking to the bot as {user}. Type `help`; end with Ctrl-D.")
        _print(out, greeting.format(user=user_id))
        while True:
            if interactive:
                out.write(f"{command} ")
                out.flush()
            line = lines.readline()
            if not line:
                break
            text = _strip_command(line.strip(), command)
            if text is None:
                continue
            outcome = (await dispatch(services, user_id, text, clock()))[1]
            show(outcome, out)


def _strip_command(line: str, command: str) -> str | None:
    """The subcommand text of a typed line; None for a blank line or a comment."""
    if not line or line.startswith("#"):
        return None
    if line == command or line.startswith(command + " "):
        return line[len(command) :].strip()
    return line


def show(outcome: Outcome, out: TextIO) -> None:
    """Print the reply, then what the bot would post (written to the outbox) and send."""
    _print(out, outcome.reply.text)
    for post in outcome.posts:
        _print(out, describe(post))
    for upload in outcome.effects:
        _print(out, sent(upload))
    out.write("\n")
    out.flush()


def describe(post: Planned) -> str:
    """One post of the outbox as the console shows it."""
    where = post.payload.get("label") or post.target
    if post.kind == outgoing.POST:
        text = str(post.payload["message"]["text"])
        if post.target[:1] in "UW":
            return _("→ direct message to {user}:").format(user=post.target) + "\n" + text
        return _("→ posted in {channel}:").format(channel=where) + "\n" + text
    if post.kind == outgoing.INVITE:
        return _("→ {user} invited to {channel}").format(user=post.payload["user"], channel=where)
    if post.kind == outgoing.FILE:
        path = _saved(post.payload["filename"], post.payload["content"].encode())
        return _("→ file {name} shared in {channel} (saved as {path})").format(
            name=post.payload["filename"], channel=where, path=path
        )
    if post.kind == outgoing.ANNOUNCEMENT:
        return _("→ the meeting announced in {channel}").format(channel=where)
    return _("→ message in {channel} updated").format(channel=where)


def sent(upload: Upload) -> str:
    """A file sent to a person, as the console shows it."""
    path = _saved(upload.filename, upload.content)
    return _("→ file {name} sent to {user} (saved as {path})").format(
        name=upload.filename, user=upload.user, path=path
    )


def _saved(filename: str, content: bytes) -> Path:
    folder = Path(tempfile.gettempdir()) / "network-bot"
    folder.mkdir(exist_ok=True)
    path = folder / filename
    path.write_bytes(content)
    return path


def _print(out: TextIO, text: str) -> None:
    out.write(unescape(text) + "\n")
