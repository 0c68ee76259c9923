"""`mine` / `omat`: everything that is the user's, one section per feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Registry, Subcommand
from bot.i18n import N_
from bot.outcome import Outcome, reply
from handlers import work_packages
from handlers.request import CommandRequest
from usecases import deadlines, registrations
from usecases.caller import Caller
from usecases.meetings import listing as meetings

Section = Callable[[CommandRequest, AsyncSession], Awaitable[list[str]]]

# Each feature contributes the lines of its own section, in this order.
SECTIONS: tuple[Section, ...] = (
    lambda request, session: registrations.mine_section(
        session, Caller(request.user_id, request.now, request.settings.deployment)
    ),
    work_packages.mine_section,
    lambda request, session: meetings.mine_section(
        session, Caller(request.user_id, request.now, request.settings.deployment)
    ),
    lambda request, session: deadlines.mine_section(
        session, Caller(request.user_id, request.now, request.settings.deployment)
    ),
)


async def run_mine(request: CommandRequest) -> Outcome:
    """The user's organisation, themes and whatever else the features keep for them."""
    lines: list[str] = []
    async with request.transaction() as session:
        for section in SECTIONS:
            part = await section(request, session)
            if part:
                lines.extend(["", *part] if lines else part)
    return reply("\n".join(lines))


def register(registry: Registry) -> None:
    """Offer `mine`."""
    registry.add(
        Subcommand(
            "mine", "omat", "", N_("your organisation, themes and what is yours in them"), run_mine
        )
    )
