"""`help` / `ohje`: what the bot can do, and one subcommand explained."""

from __future__ import annotations

from bot.commands import Registry, Subcommand
from bot.help import group, overview, topic
from bot.i18n import N_, _
from bot.outcome import Outcome, reply
from bot.text import escape
from handlers.request import CommandRequest


async def run_help(request: CommandRequest) -> Outcome:
    """The overview, or one subcommand when the user names it."""
    registry = request.services.registry
    if not request.args:
        return Outcome(overview(request.command, registry))
    wanted = " ".join(request.args)
    if len(request.args) == 1 and (several := registry.group(wanted)):
        return Outcome(group(request.command, wanted, several))
    found = registry.resolve(wanted)
    if found is None:
        text = _("There is no subcommand `{word}`.").format(word=escape(wanted))
        return reply(text + "\n" + overview(request.command, registry).text)
    return Outcome(topic(request.command, found))


def register(registry: Registry) -> None:
    """Offer `help` / `ohje`."""
    registry.add(
        Subcommand(
            name="help",
            alias="ohje",
            usage=N_("[subcommand]"),
            summary=N_("this help; with a subcommand, its examples"),
            run=run_help,
            examples=(N_("themes"),),
        )
    )
