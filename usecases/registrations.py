"""`join` / `liity`, `leave` / `eroa`, `mine` / `omat` and `org` / `organisaatio`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import outgoing
from bot.commands import Registry, Subcommand
from bot.i18n import N_, _, format_day, language
from bot.outcome import Message, Outcome, reply
from bot.parsing import split_options
from bot.permissions import register_organisation, require
from bot.planner import Planned
from bot.text import escape
from bot.themes import is_late
from handlers.request import CommandRequest
from storage import outbox
from storage import themes as store
from storage.models import Organisation, Registration, Theme
from storage.network import coordinators
from usecases.names import active_theme, organisation_named


async def run_join(request: CommandRequest) -> Outcome:
    """Register the user (and with `org:` their organisation) for a theme."""
    query, org = _theme_and_org(request, "join")
    return await join(request, query, org)


async def join(request: CommandRequest, query: str, org_query: str | None = None) -> Outcome:
    """The join use case, shared by the command and the Join button."""
    async with request.transaction() as session:
        theme, organisation, own, theirs = await _registrations(request, session, query, org_query)
        if own and (organisation is None or theirs):
            return reply(_already(theme, organisation))
        network = await request.network(session)
        late = is_late(theme.registration_deadline, request.now, ZoneInfo(network.timezone))
        if not own:
            store.register(
                session, theme, request.user_id, request.now, late, user_id=request.user_id
            )
        if organisation is not None and not theirs:
            store.register(
                session, theme, request.user_id, request.now, late, organisation=organisation.id
            )
        channel_language = theme.language or network.language
        admins = await coordinators(session, request.settings.admin_user_ids)
        rows = _join_posts(request, theme, organisation, channel_language, admins, network.language)
        await outbox.enqueue(session, rows, request.now)
    return Outcome(Message(_joined(theme, organisation, late)), posts=tuple(rows))


async def run_leave(request: CommandRequest) -> Outcome:
    """Unregister the user (and with `org:` their organisation) from a theme."""
    query, org = _theme_and_org(request, "leave")
    return await leave(request, query, org)


async def leave(request: CommandRequest, query: str, org_query: str | None = None) -> Outcome:
    """The leave use case, shared by the command and the Leave button."""
    async with request.transaction() as session:
        theme, organisation, own, theirs = await _registrations(request, session, query, org_query)
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


async def mine_section(request: CommandRequest, session: AsyncSession) -> list[str]:
    """The user's organisation and themes, for `mine`."""
    member = await store.member(session, request.user_id)
    organisation = await store.organisation_name(session, member.organisation_id)
    rows = await store.registered_theme_names(session, request.user_id, member.organisation_id)
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
        lines.append(hint.format(command=request.command))
    return lines


async def run_org(request: CommandRequest) -> Outcome:
    """Set the user's own organisation."""
    if not request.args:
        raise request.usage("org")
    async with request.transaction() as session:
        organisation = await organisation_named(session, " ".join(request.args))
        member = await store.member(session, request.user_id)
        member.organisation_id = organisation.id
    return reply(
        _("Your organisation is now {organisation}.").format(organisation=escape(organisation.name))
    )


async def _registrations(
    request: CommandRequest, session: AsyncSession, query: str, org_query: str | None
) -> tuple[Theme, Organisation | None, Registration | None, Registration | None]:
    """The theme and organisation the words name, and the user's and the organisation's
    registrations for it (None: not registered, or no organisation named)."""
    theme = await active_theme(session, query)
    organisation = await _organisation_to_register(request, session, org_query)
    own = await store.registration(session, theme, user_id=request.user_id)
    theirs = None
    if organisation is not None:
        theirs = await store.registration(session, theme, organisation=organisation.id)
    return theme, organisation, own, theirs


async def _organisation_to_register(
    request: CommandRequest, session: AsyncSession, query: str | None
) -> Organisation | None:
    if query is None:
        return None
    organisation = await organisation_named(session, query)
    actor = await request.actor(session)
    require(register_organisation(actor, organisation.key, organisation.name))
    return organisation


def _theme_and_org(request: CommandRequest, name: str) -> tuple[str, str | None]:
    words, options = split_options(request.args, ["org"])
    if not words or options.get("org") == "":
        raise request.usage(name)
    return " ".join(words), options.get("org")


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
    request: CommandRequest,
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
        ).format(user=request.user_id, channel=theme.channel_id, theme=escape(theme.name))
    fallback = [(admin, Message(problem)) for admin in admins]
    with language(lang):
        if organisation is None:
            text = _("<@{user}> joined the theme.").format(user=request.user_id)
        else:
            text = _("<@{user}> joined the theme for {organisation}.").format(
                user=request.user_id, organisation=escape(organisation.name)
            )
    subject, now, channel = ("theme", theme.id), request.now, theme.channel_id
    what = f"theme:{theme.id}:{{}}:{request.user_id}"
    return [
        outgoing.invite(what.format("invite"), subject, channel, request.user_id, now, fallback),
        # A channel that refuses this post refused the invitation first: coordinators are told.
        outgoing.post(
            what.format("joined"), subject, channel, Message(text), now, label=f"#{theme.key}"
        ),
    ]


def register(registry: Registry) -> None:
    """Offer `join`, `leave` and `org`."""
    for subcommand in (
        Subcommand(
            "join",
            "liity",
            N_("<theme> [org:<organisation>]"),
            N_("join a theme (and register your organisation with org:, if you are its contact)"),
            run_join,
            (N_("liikenne"), N_("liik org:tampere")),
        ),
        Subcommand(
            "leave",
            "eroa",
            N_("<theme> [org:<organisation>]"),
            N_("leave a theme (and unregister your organisation with org:)"),
            run_leave,
            (N_("liikenne"),),
        ),
        Subcommand(
            "org",
            "organisaatio",
            N_("<organisation>"),
            N_("set your own organisation"),
            run_org,
            (N_("tampere"),),
        ),
    ):
        registry.add(subcommand)
