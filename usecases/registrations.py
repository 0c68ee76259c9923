"""`join` / `liity`, `leave` / `eroa` and `org` / `organisaatio`, and the user's themes for `mine`.

Joining a theme with a channel writes the invitation and the join notice to the outbox in the
same transaction; the delivery engine posts them.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outgoing
from bot.commands import Subcommand
from bot.help import write_it_like
from bot.i18n import N_, _, format_day, language
from bot.outcome import Message, Outcome, reply
from bot.parsing import split_options
from bot.permissions import register_organisation, require
from bot.planner import Planned
from bot.text import escape
from bot.themes import is_late
from storage import outbox
from storage import themes as store
from storage.models import Organisation, Registration, Theme
from storage.network import coordinators
from usecases.caller import Caller, Sessions, Whose, actor, network
from usecases.names import active_theme, organisation_named


async def join(db: Sessions, caller: Caller, query: str, org_query: str | None = None) -> Outcome:
    """Register the caller (and with `org_query` their organisation, if they are its contact)
    for the theme the words name; shared by the command and the Join button."""
    async with db.begin() as session:
        theme, organisation, own, theirs = await _registrations(session, caller, query, org_query)
        if own and (organisation is None or theirs):
            return reply(_already(theme, organisation))
        found = await network(session, caller)
        late = is_late(theme.registration_deadline, caller.now, ZoneInfo(found.timezone))
        if not own:
            store.register(session, theme, caller.user_id, caller.now, late, user_id=caller.user_id)
        if organisation is not None and not theirs:
            store.register(
                session, theme, caller.user_id, caller.now, late, organisation=organisation.id
            )
        channel_language = theme.language or found.language
        admins = await coordinators(session, caller.deployment.admins)
        rows = _join_posts(caller, theme, organisation, channel_language, admins, found.language)
        await outbox.enqueue(session, rows, caller.now)
    return Outcome(Message(_joined(theme, organisation, late)), posts=tuple(rows))


async def leave(db: Sessions, caller: Caller, query: str, org_query: str | None = None) -> Outcome:
    """Unregister the caller (and with `org_query` their organisation) from a theme; shared by
    the command and the Leave button."""
    async with db.begin() as session:
        theme, organisation, own, theirs = await _registrations(session, caller, query, org_query)
        if not own and not theirs:
            return reply(
                _("You are not registered for *{theme}*.").format(theme=escape(theme.name))
            )
        for found in (own, theirs):
            if found:
                await store.unregister(session, found.id)
    text = _("You left the theme *{theme}*.").format(theme=escape(theme.name))
    if theirs and organisation:
        text += " " + _("{organisation} is no longer registered for it.").format(
            organisation=escape(organisation.name)
        )
    return reply(text)


async def mine_section(session: AsyncSession, caller: Caller, whose: Whose) -> list[str]:
    """The caller's organisation and themes, for `mine`."""
    own = whose.member.organisation_id
    organisation = await store.organisation_name(session, own)
    rows = await store.registered_theme_names(session, caller.user_id, own)
    lines = [_("*Your themes*")]
    if organisation:
        lines.insert(
            0, _("Your organisation: {organisation}").format(organisation=escape(organisation))
        )
    for name, key, through in rows:
        extra = " " + _("(through your organisation)") if through else ""
        lines.append(f"• {escape(name)} (`{key}`){extra}")
    if not rows:
        hint = _("You have not joined any theme yet. See them with `{command} themes`.")
        lines.append(hint.format(command=caller.command))
    return lines


async def set_organisation(db: Sessions, caller: Caller, query: str) -> Outcome:
    """Set the caller's own organisation to the one the words name."""
    async with db.begin() as session:
        organisation = await organisation_named(session, query)
        member = await store.member(session, caller.user_id)
        member.organisation_id = organisation.id
    return reply(
        _("Your organisation is now {organisation}.").format(organisation=escape(organisation.name))
    )


async def _registrations(
    session: AsyncSession, caller: Caller, query: str, org_query: str | None
) -> tuple[Theme, Organisation | None, Registration | None, Registration | None]:
    """The theme and organisation the words name, and the user's and the organisation's
    registrations for it (None: not registered, or no organisation named)."""
    theme = await active_theme(session, query)
    organisation = await _organisation_to_register(session, caller, org_query)
    own = await store.registration(session, theme, user_id=caller.user_id)
    theirs = None
    if organisation is not None:
        theirs = await store.registration(session, theme, organisation=organisation.id)
    return theme, organisation, own, theirs


async def _organisation_to_register(
    session: AsyncSession, caller: Caller, query: str | None
) -> Organisation | None:
    if query is None:
        return None
    organisation = await organisation_named(session, query)
    who = await actor(session, caller)
    require(register_organisation(who, organisation.key, organisation.name))
    return organisation


def _already(theme: Theme, organisation: Organisation | None) -> str:
    if organisation is None:
        return _("You are already registered for *{theme}*. Nothing changed.").format(
            theme=escape(theme.name)
        )
    return _(
        "You and {organisation} are already registered for *{theme}*. Nothing changed."
    ).format(theme=escape(theme.name), organisation=escape(organisation.name))


def _joined(theme: Theme, organisation: Organisation | None, late: bool) -> str:
    parts = [_("You joined the theme *{theme}*.").format(theme=escape(theme.name))]
    if organisation is not None:
        parts.append(
            _("{organisation} is registered too.").format(organisation=escape(organisation.name))
        )
    if theme.channel_id:
        parts.append(
            _("I am inviting you to its channel <#{channel}>.").format(channel=theme.channel_id)
        )
    if late and theme.registration_deadline:
        parts.append(
            _("The registration deadline was {day}, so the registration is marked late.").format(
                day=format_day(theme.registration_deadline)
            )
        )
    return " ".join(parts)


def _join_posts(
    caller: Caller,
    theme: Theme,
    organisation: Organisation | None,
    lang: str,
    admins: list[str],
    network_language: str,
) -> list[Planned]:
    """The invitation to the theme's channel (the coordinators told when the bot cannot reach
    it), and the join notice there."""
    if not theme.channel_id:
        return []
    with language(network_language):
        problem = _(
            "I could not invite <@{user}> to <#{channel}>, the channel of the theme *{theme}*:"
            " it is private and I am not in it. Add me to the channel, or invite them yourself."
        ).format(user=caller.user_id, channel=theme.channel_id, theme=escape(theme.name))
    fallback = [(admin, Message(problem)) for admin in admins]
    with language(lang):
        if organisation is None:
            text = _("<@{user}> joined the theme.").format(user=caller.user_id)
        else:
            text = _("<@{user}> joined the theme for {organisation}.").format(
                user=caller.user_id, organisation=escape(organisation.name)
            )
    subject, now, channel = ("theme", theme.id), caller.now, theme.channel_id
    what = f"theme:{theme.id}:{{}}:{caller.user_id}"
    return [
        outgoing.invite(what.format("invite"), subject, channel, caller.user_id, now, fallback),
        # A channel that refuses this post refused the invitation first: coordinators are told.
        outgoing.post(
            what.format("joined"), subject, channel, Message(text), now, label=f"#{theme.key}"
        ),
    ]


# --- the subcommands --------------------------------------------------------------------------


async def _join(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    return await join(db, caller, *_theme_and_org(caller, words, JOIN))


async def _leave(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    return await leave(db, caller, *_theme_and_org(caller, words, LEAVE))


async def _org(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    if not words:
        raise write_it_like(caller.command, ORG)
    return await set_organisation(db, caller, " ".join(words))


def _theme_and_org(caller: Caller, words: list[str], written: Subcommand) -> tuple[str, str | None]:
    """The theme and the `org:` organisation (if any) the words name."""
    words, options = split_options(words, ["org"])
    if not words or options.get("org") == "":
        raise write_it_like(caller.command, written)
    return " ".join(words), options.get("org")


JOIN = Subcommand(
    "join",
    "liity",
    N_("<theme> [org:<organisation>]"),
    N_("join a theme (and register your organisation with org:, if you are its contact)"),
    _join,
    (N_("liikenne"), N_("liik org:tampere")),
)
LEAVE = Subcommand(
    "leave",
    "eroa",
    N_("<theme> [org:<organisation>]"),
    N_("leave a theme (and unregister your organisation with org:)"),
    _leave,
    (N_("liikenne"),),
)
ORG = Subcommand(
    "org",
    "organisaatio",
    N_("<organisation>"),
    N_("set your own organisation"),
    _org,
    (N_("tampere"),),
)
SUBCOMMANDS = (JOIN, LEAVE, ORG)
