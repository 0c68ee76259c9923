"""`announce`, `announcements` and `announce cancel`: a theme's word in its channel, now or at a
set time (PRODUCT.md §3).

The post is an outbox row (`bot.outgoing.announce`): due now, or at its time, when the delivery
engine posts it once, late-marked or skipped after a downtime as any scheduled notice. A
scheduled one waits in the outbox, where the list finds it and cancelling marks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outgoing
from bot.announcements import CANCEL as CANCEL_BUTTON
from bot.announcements import (
    Draft,
    Listed,
    check_length,
    mentioned_users,
    parse,
    sanitise,
    scheduled_list,
)
from bot.button_values import item_id
from bot.commands import Subcommand
from bot.help import spelling, write_it_like
from bot.i18n import N_, _, format_moment
from bot.outcome import Message, Outcome, UserError, reply
from bot.permissions import ThemeRoles, announce, cancel_announcement, require
from bot.scheduling import in_future, local_moment
from bot.text import escape
from storage import announcements as store
from storage import outbox
from storage.themes import theme_roles
from usecases.caller import Caller, Sessions, actor, network, today
from usecases.commands import Press
from usecases.names import active_theme, audience


@dataclass(frozen=True)
class Target:
    """Where and when an announcement goes, once the caller may make it."""

    subject: outgoing.Subject
    channel: str
    theme: str | None
    when: datetime | None  # None: now
    zone: ZoneInfo


async def post(db: Sessions, caller: Caller, draft: Draft) -> Outcome:
    """Post an announcement in a theme's channel (or the announcement channel), now or at its
    time, by the people who may; nothing in it pings."""
    check_length(draft.text)
    async with db() as session:
        target = await _target(session, caller, draft)
    names = await caller.names([caller.user_id, *mentioned_users(draft.text)])
    planned = outgoing.announce(
        target.subject,
        target.channel,
        target.when or caller.now,
        author=caller.user_id,
        author_name=names.get(caller.user_id, caller.user_id),
        theme=target.theme,
        body=sanitise(draft.text, names),
    )
    where = f"<#{target.channel}>"
    async with db.begin() as session:
        if target.when is None:
            await outbox.enqueue(session, [planned], caller.now)
            text = _("Your announcement will be posted in {channel} in a moment.")
            return Outcome(Message(text.format(channel=where)), posts=(planned,))
        note = await store.schedule(session, planned, caller.now)
    text = _(
        "Your announcement will be posted in {channel} on {moment}. To cancel it: `{cancel}`."
    ).format(
        channel=where,
        moment=format_moment(target.when, target.zone),
        cancel=f"{caller.command} {spelling(CANCEL)} {note}",
    )
    return reply(text)


async def _target(session: AsyncSession, caller: Caller, draft: Draft) -> Target:
    """The theme (or the network), checked: the caller may announce there, it has a channel,
    and the time asked for is still to come."""
    info = await network(session, caller)
    zone = ZoneInfo(info.timezone)
    themes, _everyone = await audience(session, draft.audience)
    theme = themes[0] if themes else None
    roles = await theme_roles(session, theme) if theme else None
    require(announce(await actor(session, caller), roles))
    when = None
    if draft.day is not None and draft.clock is not None:
        when = in_future(local_moment(draft.day, draft.clock, zone), caller.now)
    if theme is None:
        if not info.announcement_channel:
            raise UserError(
                _(
                    "The network has no announcement channel yet. A coordinator can set one"
                    " with ANNOUNCEMENT_CHANNEL or in the network plan."
                )
            )
        return Target(store.NETWORK, info.announcement_channel, None, when, zone)
    if not theme.channel_id:
        raise UserError(
            _("The theme *{theme}* has no channel to post in.").format(theme=escape(theme.name))
        )
    return Target(("theme", theme.id), theme.channel_id, theme.name, when, zone)


async def listing(db: Sessions, caller: Caller, theme_query: str | None, note: str = "") -> Outcome:
    """The scheduled announcements (of one theme, if named), with Cancel where the caller may."""
    async with db() as session:
        zone = ZoneInfo((await network(session, caller)).timezone)
        theme = await active_theme(session, theme_query) if theme_query else None
        found = await store.scheduled(session, theme.id if theme else None)
        person = await actor(session, caller)
        themes = await store.themes(session, {s.theme_id for s in found if s.theme_id})
        roles = {i: await theme_roles(session, t) for i, t in themes.items()}
    if theme is None:
        heading, empty = _("Scheduled announcements"), _("No announcements are scheduled.")
    else:
        heading = _("Scheduled announcements: {theme}").format(theme=theme.name)
        empty = _("No announcements are scheduled in *{theme}*.").format(theme=escape(theme.name))
    if not found:
        return reply(f"{note}\n{empty}" if note else empty)
    items = [
        Listed(
            s.id,
            s.due_at,
            s.theme,
            s.author_name,
            s.text,
            cancel_announcement(person, s.author, _roles(roles, s.theme_id)).allowed,
        )
        for s in found
    ]
    return Outcome(scheduled_list(items, heading, note, zone))


async def cancel(db: Sessions, caller: Caller, note_id: int | None) -> Outcome:
    """Cancel a scheduled announcement before its time: it is never posted."""
    missing = _("There is no scheduled announcement #{id}: it may have been posted or cancelled.")
    async with db.begin() as session:
        found = await store.one(session, note_id) if note_id is not None else None
        if found is None:
            raise UserError(missing.format(id=escape(str(note_id or "?"))))
        roles = await _theme_roles(session, found.theme_id)
        require(cancel_announcement(await actor(session, caller), found.author, roles))
        if not await store.cancel(session, found.id, caller.now):
            raise UserError(missing.format(id=found.id))
    return reply(_("Announcement #{id} cancelled: it will not be posted.").format(id=found.id))


async def _theme_roles(session: AsyncSession, theme_id: int | None) -> ThemeRoles | None:
    if theme_id is None:
        return None
    theme = (await store.themes(session, {theme_id})).get(theme_id)
    return await theme_roles(session, theme) if theme else None


def _roles(roles: dict[int, ThemeRoles], theme_id: int | None) -> ThemeRoles | None:
    return roles.get(theme_id) if theme_id is not None else None


# --- the subcommands and the button -----------------------------------------------------------


async def _announce(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    draft = parse(words[0] if words else "", await today(db, caller))
    if draft is None:
        raise write_it_like(caller.command, ANNOUNCE)
    return await post(db, caller, draft)


async def _list(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    return await listing(db, caller, " ".join(words) if words else None)


async def _cancel(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    if len(words) != 1:
        raise write_it_like(caller.command, CANCEL)
    return await cancel(db, caller, item_id(words[0].removeprefix("#")))


async def _press_cancel(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    """Cancel, then show the list again in place of the one pressed."""
    done = await cancel(db, caller, item_id(str(action.get("value", ""))))
    again = await listing(db, caller, None, done.reply.text)
    return Outcome(again.reply, public=True)


def presses() -> dict[str, Press]:
    """The Cancel button of the list, by its action id."""
    return {CANCEL_BUTTON: _press_cancel}


ANNOUNCE = Subcommand(
    "announce",
    "tiedota",
    N_("<theme or all> [at:<date> <time>] <text…>"),
    N_("post in a theme's channel (all: the announcement channel), now or at a set time"),
    _announce,
    (
        N_("liikenne The meeting on Thursday moves to room B."),
        N_("all at:28.4. 9:00 Registration for the themes is open until Friday."),
    ),
    verbatim=True,
)
LIST = Subcommand(
    "announcements",
    "tiedotteet",
    N_("[<theme>]"),
    N_("scheduled announcements, with a Cancel button for those who may cancel them"),
    _list,
    (N_("liikenne"),),
)
CANCEL = Subcommand(
    "announce cancel",
    "tiedota peru",
    N_("<id>"),
    N_("cancel a scheduled announcement before it is posted"),
    _cancel,
    (N_("12"),),
)
SUBCOMMANDS = (LIST, ANNOUNCE, CANCEL)
