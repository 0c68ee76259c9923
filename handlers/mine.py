"""`mine` / `omat`: everything that is the user's, one section per feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Registry, Subcommand
from bot.i18n import N_
from bot.outcome import Outcome, reply
from handlers import meeting_lists, registrations
from handlers.request import CommandRequest
from usecases import deadlines
from usecases.caller import Caller
from usecases.work_packages.status import mine_section as packages_section

Section = Callable[[CommandRequest, AsyncSession], Awaitable[list[str]]]

# Each feature contributes the lines of its own section, in this order.
SECTIONS: tuple[Section, ...] = (
    registrations.mine_section,
    lambda request, session: packages_section(
        session, Caller(request.user_id, request.now, request.settings.deployment)
    ),
    meeting_lists.mine_section,
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
