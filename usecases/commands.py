"""The front door of the command layer, shared by Slack and the console: typed text → a use case.

Every subcommand is a `Subcommand` of `bot.commands` whose `run` takes the session factory, the
caller and the words after the subcommand's name; each feature module of `usecases` lists its
own (`SUBCOMMANDS`), and `registry` puts them in the order help shows them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot import blocks
from bot.commands import Group, Match, NoMatch, Registry
from bot.help import group, overview
from bot.i18n import _
from bot.messages import parse_error_text
from bot.outcome import Message, Outcome, UserError, reply
from bot.parsing import ParseError, after_words, tokenize
from bot.text import clean, escape
from usecases.caller import Caller, Sessions

T = TypeVar("T")
View = dict[str, Any]  # a modal, as `views.open` takes it
Run = Callable[[Sessions, Caller, list[str]], Awaitable[Outcome]]  # a subcommand: its words
# A button: its action (`action_id`, `value`) as Slack sends it, or as the console makes it.
Press = Callable[[Sessions, Caller, dict[str, Any]], Awaitable[Outcome | View]]


async def run(db: Sessions, caller: Caller, registry: Registry, text: str) -> tuple[str, Outcome]:
    """Run the subcommand the text names; returns its English name (or a label) and the outcome.

    A typed command is one line: its control characters are dropped and its line breaks read
    as spaces before anything reads it (`bot.text.clean`); but a `verbatim` subcommand gets
    the text after its name as typed, line breaks kept.
    """
    typed = clean(text, multiline=True)
    head = registry.match(typed.split()[:2])
    if isinstance(head, Match) and head.subcommand.verbatim:
        rest = after_words(typed, len(head.typed.split()))
        return head.subcommand.name, await attempt(head.subcommand.run(db, caller, [rest]))
    try:
        found = registry.match(tokenize(clean(text)))
    except ParseError as error:
        return "-", reply(parse_error_text(error))
    if found is None:
        return "help", Outcome(overview(caller.command, registry))
    if isinstance(found, Group):
        return "group", Outcome(_group(caller.command, found))
    if isinstance(found, NoMatch):
        return "unknown", reply(_unknown(caller.command, found))
    return found.subcommand.name, await attempt(found.subcommand.run(db, caller, found.args))


async def attempt(use_case: Awaitable[T]) -> T | Outcome:
    """Await a use case; bad input becomes a reply, anything else is left to the error handler."""
    try:
        return await use_case
    except UserError as error:
        return Outcome(Message(error.message))
    except ParseError as error:
        return Outcome(Message(parse_error_text(error)))


def _group(command: str, found: Group) -> Message:
    """The subcommands a word begins; after an unknown second word, said first."""
    shown = group(command, found.typed, found.subcommands)
    if found.unknown is None:
        return shown
    text = _("I don't know the subcommand `{word}`.").format(
        word=escape(found.unknown.replace("`", "'"))
    )
    return Message(text + "\n" + shown.text, [blocks.section(text), *(shown.blocks or [])])


def _unknown(command: str, found: NoMatch) -> str:
    text = _("I don't know the subcommand `{word}`.").format(
        word=escape(found.typed.replace("`", "'"))
    )
    if found.suggestion:
        text += " " + _("Did you mean `{suggestion}`?").format(suggestion=found.suggestion)
    return text + " " + _("Type `{command} help` to see what I can do.").format(command=command)
