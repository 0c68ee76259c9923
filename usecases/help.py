"""`help` / `ohje`: what the bot can do, and one subcommand (or a group of them) explained."""

from __future__ import annotations

from bot.commands import Registry, Subcommand
from bot.help import group, overview, topic
from bot.i18n import N_, _
from bot.outcome import Outcome, reply
from bot.text import escape
from usecases.caller import Caller, Sessions


def subcommand(registry: Registry) -> Subcommand:
    """`help`, explaining what `registry` offers."""

    async def run_help(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
        return explain(registry, caller.command, words)

    return Subcommand(
        name="help",
        alias="ohje",
        usage=N_("[subcommand]"),
        summary=N_("this help; with a subcommand, its examples"),
        run=run_help,
        examples=(N_("themes"),),
    )


def explain(registry: Registry, command: str, words: list[str]) -> Outcome:
    """The overview, a group of subcommands, or one subcommand when the user names it."""
    if not words:
        return Outcome(overview(command, registry))
    wanted = " ".join(words)
    if len(words) == 1 and (several := registry.group(wanted)):
        return Outcome(group(command, wanted, several))
    found = registry.resolve(wanted)
    if found is None:
        text = _("There is no subcommand `{word}`.").format(word=escape(wanted))
        return reply(text + "\n" + overview(command, registry).text)
    return Outcome(topic(command, found))
