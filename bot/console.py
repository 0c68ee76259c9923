"""Talk to the bot in a terminal: the same command layer, no Slack needed."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.i18n import _, language
from bot.outcome import (
    ChannelUpload,
    DirectMessage,
    Effect,
    Invite,
    Outcome,
    Post,
    Record,
    Update,
    Upload,
)
from bot.text import unescape
from handlers.dispatch import dispatch
from handlers.request import Services
from storage.network import network_language

Clock = Callable[[], datetime]


async def run_console(
    services: Services,
    user_id: str,
    lang: str | None,
    lines: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    clock: Clock = lambda: datetime.now(UTC),
) -> None:
    """Read commands line by line until end of input and print what the bot answers and does.

    Without `lang`, the bot answers in the network's language, as in Slack to a person whose
    Slack language it does not speak.
    """
    command = services.settings.slash_command
    interactive = lines.isatty()
    if lang is None:
        async with services.reader() as session:
            lang = await network_language(session, services.settings.language)
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
    """Print the reply, then each effect with where it would go."""
    _print(out, outcome.reply.text)
    for effect in outcome.effects:
        if not isinstance(effect, Record):  # nothing is posted here, so nothing to record
            _print(out, describe(effect))
    out.write("\n")
    out.flush()


def describe(effect: Effect) -> str:
    """One effect as the console shows it."""
    if isinstance(effect, Post):
        where = effect.label or effect.channel
        return _("→ posted in {channel}:").format(channel=where) + "\n" + effect.message.text
    if isinstance(effect, DirectMessage):
        return (
            _("→ direct message to {user}:").format(user=effect.user) + "\n" + effect.message.text
        )
    if isinstance(effect, Invite):
        return _("→ {user} invited to {channel}").format(
            user=effect.user, channel=effect.label or effect.channel
        )
    if isinstance(effect, Update):
        where = effect.label or effect.channel
        return (
            _("→ message in {channel} updated:").format(channel=where) + "\n" + effect.message.text
        )
    if isinstance(effect, ChannelUpload):
        return _("→ file {name} shared in {channel} (saved as {path})").format(
            name=effect.filename, channel=effect.label or effect.channel, path=_saved(effect)
        )
    if isinstance(effect, Upload):
        return _("→ file {name} sent to {user} (saved as {path})").format(
            name=effect.filename, user=effect.user, path=_saved(effect)
        )
    return ""


def _saved(effect: Upload | ChannelUpload) -> Path:
    folder = Path(tempfile.gettempdir()) / "network-bot"
    folder.mkdir(exist_ok=True)
    path = folder / effect.filename
    path.write_bytes(effect.content)
    return path


def _print(out: TextIO, text: str) -> None:
    out.write(unescape(text) + "\n")
