"""The front door of the command layer, shared by Slack and the terminal console."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TypeVar

from bot import blocks
from bot.commands import Group, Match, NoMatch
from bot.help import group, overview
from bot.i18n import _
from bot.messages import parse_error_text
from bot.outcome import Message, Outcome, UserError, reply
from bot.parsing import ParseError, tokenize
from bot.text import clean, escape
from handlers.request import ChannelLookup, CommandRequest, NameLookup, Services

T = TypeVar("T")


async def dispatch(
    services: Services,
    user_id: str,
    text: str,
    now: datetime,
    channel_id: str | None = None,
    channel_named: ChannelLookup | None = None,
    names_of: NameLookup | None = None,
) -> tuple[str, Outcome]:
    """Run the subcommand the text names; returns its English name (or a label) and the outcome.

    A typed command is one line: its control characters are dropped and its line breaks read
    as spaces before anything reads it (`bot.text.clean`).
    """
    try:
        found = services.registry.match(tokenize(clean(text)))
    except ParseError as error:
        return "-", reply(parse_error_text(error))
    if found is None:
        return "help", Outcome(overview(services.settings.slash_command, services.registry))
    if isinstance(found, Group):
        return "group", Outcome(_group(services, found))
    if isinstance(found, NoMatch):
        return "unknown", reply(_unknown(services, found))
    request = CommandRequest(
        services, user_id, now, found.args, found.typed, channel_id, channel_named, names_of
    )
    return found.subcommand.name, await run(request, found)


async def run(request: CommandRequest, found: Match) -> Outcome:
    """Run one subcommand."""
    return await attempt(found.subcommand.run(request))


async def attempt(use_case: Awaitable[T]) -> T | Outcome:
    """Await a use case; bad input becomes a reply, anything else is left to the error handler."""
    try:
        return await use_case
    except UserError as error:
        return Outcome(Message(error.message))
    except ParseError as error:
        return Outcome(Message(parse_error_text(error)))


def _group(services: Services, found: Group) -> Message:
    """The subcommands a word begins; after an unknown second word, said first."""
    shown = group(services.settings.slash_command, found.typed, found.subcommands)
    if found.unknown is None:
        return shown
    text = _("I don't know the subcommand `{word}`.").format(
        word=escape(found.unknown.replace("`", "'"))
    )
    return Message(text + "\n" + shown.text, [blocks.section(text), *(shown.blocks or [])])


def _unknown(services: Services, found: NoMatch) -> str:
    command = services.settings.slash_command
    text = _("I don't know the subcommand `{word}`.").format(
        word=escape(found.typed.replace("`", "'"))
    )
    if found.suggestion:
        text += " " + _("Did you mean `{suggestion}`?").format(suggestion=found.suggestion)
    return text + " " + _("Type `{command} help` to see what I can do.").format(command=command)
