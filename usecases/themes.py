"""`theme add`, `theme archive` and `theme set`: who runs the network's themes, and how."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands import Subcommand
from bot.help import write_it_like
from bot.i18n import N_, _, language_name
from bot.outcome import Outcome, UserError, reply
from bot.parsing import parse_channel, parse_user, split_options
from bot.permissions import coordinate, require, set_theme
from bot.text import escape, unescape
from bot.theme_options import parse_digest, parse_language
from bot.themes import valid_key
from storage import themes as store
from storage.models import Theme
from usecases.caller import Caller, Sessions, actor, replan
from usecases.names import active_theme, organisation_named

SETTINGS = ("chair", "lead", "lang", "digest")


async def add(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    """Create a theme: `<key> <name…> [#channel] [lang:fi|sv|en]`."""
    words, options = split_options(words, ["lang"])
    channel_words = [word for word in words if word.startswith(("#", "<#"))]
    name_words = [word for word in words[1:] if word not in channel_words]
    if not words or not name_words or len(channel_words) > 1:
        raise write_it_like(caller.command, ADD)
    async with db() as session:  # before a channel's name costs a call to Slack
        require(coordinate(await actor(session, caller)))
    key, lang = words[0].lower(), parse_language(options.get("lang"))
    if not valid_key(key):
        raise UserError(
            _(
                "The key '{key}' is not usable: write 2–64 lower-case letters, digits"
                " or hyphens, e.g. liikenne."
            ).format(key=escape(key))
        )
    channel = await _channel(caller, channel_words[0]) if channel_words else None
    async with db.begin() as session:
        if await store.theme_by_key(session, key) is not None:
            raise UserError(_("A theme with the key `{key}` already exists.").format(key=key))
        name = unescape(" ".join(name_words))
        theme = await store.add_theme(
            session, Theme(key=key, name=name, channel_id=channel, language=lang)
        )
        await replan(session, caller, "theme", theme.id)
    text = _("Theme *{name}* (`{key}`) created. Members can join it with `{command} join {key}`.")
    return reply(text.format(name=escape(name), key=key, command=caller.command))


async def archive(db: Sessions, caller: Caller, query: str) -> Outcome:
    """Archive a theme: it leaves the list; its data stays."""
    async with db.begin() as session:
        require(coordinate(await actor(session, caller)))
        theme = await active_theme(session, query)
        theme.archived = True
        await replan(session, caller, "theme", theme.id)
    return reply(
        _("Theme *{name}* archived: it no longer shows in the theme list.").format(
            name=escape(theme.name)
        )
    )


async def change(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    """Change a theme's chair or lead organisation (coordinators), its language or weekly
    digest (its managers too): `<theme> [chair:@person] [lead:…] [lang:…] [digest:on|off]`."""
    words, options = split_options(words, SETTINGS)
    if not words or not options:
        raise write_it_like(caller.command, SET)
    chair = parse_user(options["chair"]) if "chair" in options else None
    lang, digest = parse_language(options.get("lang")), parse_digest(options.get("digest"))
    async with db.begin() as session:
        theme = await active_theme(session, " ".join(words))
        roles = await store.theme_roles(session, theme)
        who_runs_it = "chair" in options or "lead" in options
        require(set_theme(await actor(session, caller), roles, who_runs_it))
        changes = await _apply(session, theme, chair, options.get("lead"), lang, digest)
        await replan(session, caller, "theme", theme.id)
    return reply(
        _("Theme *{name}* updated: {changes}.").format(
            name=escape(theme.name), changes=", ".join(changes)
        )
    )


async def _apply(
    session: AsyncSession,
    theme: Theme,
    chair: str | None,
    lead: str | None,
    lang: str | None,
    digest: bool | None,
) -> list[str]:
    changes = []
    if chair is not None:
        theme.chair_user_id = chair
        changes.append(_("chair <@{user}>").format(user=chair))
    if lead is not None:
        organisation = await organisation_named(session, lead)
        theme.lead_organisation_id = organisation.id
        changes.append(_("lead {organisation}").format(organisation=escape(organisation.name)))
    if lang is not None:
        theme.language = lang
        changes.append(_("language {language}").format(language=language_name(lang)))
    if digest is not None:
        theme.digest_enabled = digest
        changes.append(_("weekly digest on") if digest else _("weekly digest off"))
    return changes


async def _channel(caller: Caller, word: str) -> str:
    found = parse_channel(word)
    if found.id:
        return found.id
    channel = await caller.channel_id(found.name or "")
    if channel is None:
        raise UserError(
            _(
                "I can't find the channel #{name}. Pick it from the list Slack offers"
                " when you type #, and make sure I can see it."
            ).format(name=escape(found.name or ""))
        )
    return channel


async def _archive(db: Sessions, caller: Caller, words: list[str]) -> Outcome:
    if not words:
        raise write_it_like(caller.command, ARCHIVE)
    return await archive(db, caller, " ".join(words))


ADD = Subcommand(
    "theme add",
    "teema lisää",
    N_("<key> <name…> [#channel] [lang:fi|sv|en]"),
    N_("create a theme (coordinators)"),
    add,
    (N_('liikenne "Liikenne ja saavutettavuus" #liikenne'),),
    coordinator_only=True,
)
ARCHIVE = Subcommand(
    "theme archive",
    "teema arkistoi",
    N_("<theme>"),
    N_("archive a theme (coordinators)"),
    _archive,
    (N_("liikenne"),),
    coordinator_only=True,
)
SET = Subcommand(
    "theme set",
    "teema aseta",
    N_("<theme> [chair:@person] [lead:<organisation>] [lang:fi|sv|en] [digest:on|off]"),
    N_("change who chairs or leads a theme (coordinators), its language or weekly digest"),
    change,
    (N_("liikenne chair:@Maija lead:tampere"), N_("digi digest:off")),
)
ADMINISTRATION = (ADD, ARCHIVE, SET)
