"""`update` / `päivitä`: record how a work package stands; a status change is told in the theme's
channel (an outbox row, posted by the delivery engine).

`update` takes plain values, so that a form can call it as the typed subcommand does."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outgoing
from bot.commands import Subcommand
from bot.help import write_it_like
from bot.i18n import N_, _, language
from bot.outcome import Message, Outcome, UserError, reply
from bot.parsing import ParseError
from bot.permissions import require, update_work_package
from bot.planner import Planned
from bot.text import clean, escape, unescape
from bot.work_packages.packages import PackageView
from bot.work_packages.statuses import CLOSED, may_change_status, parse_status
from bot.work_packages.updates import (
    change_post,
    checked_note,
    next_progress,
    parse_update,
    unchanged,
    updated,
)
from storage import outbox
from storage import themes as themes_store
from storage import work_packages as store
from storage.models import Theme
from storage.network import NetworkInfo
from storage.work_packages import Found
from usecases.caller import Caller, Sessions, actor, network, replan
from usecases.work_packages.references import checked_ref, package


async def update(
    db: Sessions,
    caller: Caller,
    reference: str,
    status: str | None = None,
    progress: int | None = None,
    note: str | None = None,
) -> Outcome:
    """Record an update of the package `reference` (e.g. `liikenne-3`): a status in any language the
    bot reads (None keeps the package's), a progress 0–100 (None keeps it, or makes a `done`
    package 100), a note. The package changes and the change joins its log."""
    new_status = parse_status(status) if status is not None else None
    if progress is not None and not 0 <= progress <= 100:
        raise ParseError("percent", str(progress))
    text = checked_note(clean(note or "", multiline=True))
    ref = checked_ref(reference)
    async with db.begin() as session:
        found = await package(session, caller, ref, lock=True)
        work, theme = found.package, found.theme
        old = work.status
        new = new_status or old
        await _may_update(session, caller, found, new)
        progress = next_progress(new, work.progress, progress)
        if (new, progress, text) == (old, work.progress, ""):
            return reply(unchanged(store.view_of(found)))
        store.record_update(session, work, caller.user_id, caller.now, new, progress, text)
        # Who is asked for updates before network meetings changes only when it opens or closes.
        opened_or_closed = (old in CLOSED) != (new in CLOSED)
        await replan(session, caller, "work_package", work.id, owners_changed=opened_or_closed)
        view = store.view_of(found)
        rows = _announce(caller, theme, await network(session, caller), view, old, text, work.id)
        await outbox.enqueue(session, rows, caller.now)
    channel = theme.channel_id if rows else None
    return Outcome(Message(updated(view, old, channel)), posts=tuple(rows))


async def _may_update(session: AsyncSession, caller: Caller, found: Found, new: str) -> None:
    work, theme = found.package, found.theme
    if theme.archived:
        raise UserError(_("The theme *{theme}* is archived.").format(theme=escape(theme.name)))
    who = await actor(session, caller)
    roles = await themes_store.theme_roles(session, theme)
    owner = await store.owner_key(session, work)
    require(update_work_package(who, work.owner_user_id, owner, roles))
    require(may_change_status(who, roles, work.status, new))


def _announce(
    caller: Caller,
    theme: Theme,
    network: NetworkInfo,
    view: PackageView,
    old: str,
    note: str,
    package_id: int,
) -> list[Planned]:
    """A status change is told in the theme's channel, in the theme's language; the person
    who made it hears if Slack refuses it."""
    if not theme.channel_id or old == view.status:
        return []
    with language(theme.language or network.language):
        text = change_post(view, caller.user_id, old, note)
    what, subject = f"wp:{package_id}:status", ("work_package", package_id)
    return [
        outgoing.post(
            what,
            subject,
            theme.channel_id,
            Message(text),
            caller.now,
            actor=caller.user_id,
            label=f"#{theme.key}",
        )
    ]


async def _update(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    args = parse_update(words)
    if args is None:
        raise write_it_like(caller.command, UPDATE)
    return await update(db, caller, args.ref, args.status, args.progress, unescape(args.note))


UPDATE = Subcommand(
    "update",
    "päivitä",
    N_("<work package> <status> [<n>%] [note…]"),
    N_("record how a work package stands (its owner and the people who run the theme)"),
    _update,
    (N_("liikenne-3 in_progress 40% data collected"), N_("liikenne-3 done")),
)
