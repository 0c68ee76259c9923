"""`mine` / `omat`: everything that is the user's, one section per feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Subcommand
from bot.i18n import N_
from bot.outcome import Outcome, reply
from usecases import deadlines, registrations
from usecases.caller import Caller, Sessions, Whose, whose
from usecases.meetings import listing as meetings
from usecases.work_packages import status as packages

Section = Callable[[AsyncSession, Caller, Whose], Awaitable[list[str]]]

# Each feature gives the lines of its own section, in this order.
SECTIONS: tuple[Section, ...] = (
    registrations.mine_section,
    packages.mine_section,
    meetings.mine_section,
    deadlines.mine_section,
)


async def mine(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    """The user's organisation, themes and whatever else the features keep for them."""
    lines: list[str] = []
    async with db() as session:
        theirs = await whose(session, caller)  # what the sections ask, read once
        for section in SECTIONS:
            part = await section(session, caller, theirs)
            if part:
                lines.extend(["", *part] if lines else part)
    return reply("\n".join(lines))


MINE = Subcommand(
    "mine", "omat", "", N_("your organisation, themes and what is yours in them"), mine
)
SUBCOMMANDS = (MINE,)
