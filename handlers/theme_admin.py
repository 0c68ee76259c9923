"""`theme add`, `theme archive` and `theme set`: coordinators and the people who run a theme."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _, language_name
from bot.outcome import Outcome, UserError, reply
from bot.parsing import parse_channel, parse_user, split_options
from bot.permissions import coordinate, require, set_theme
from bot.text import escape, unescape
from bot.theme_options import parse_digest, parse_language
from bot.themes import valid_key
from handlers.request import CommandRequest
from storage import themes as store
from storage.models import Theme
from usecases.names import active_theme, organisation_named

SETTINGS = ("chair", "lead", "lang", "digest")


async def run_theme_add(request: CommandRequest) -> Outcome:
    """Create a theme: `<key> <name…> [#channel] [lang:fi|sv|en]`."""
    words, options = split_options(request.args, ["lang"])
    channel_words = [word for word in words if word.startswith(("#", "<#"))]
    name_words = [word for word in words[1:] if word not in channel_words]
    if not words or not name_words or len(channel_words) > 1:
        raise request.usage("theme add")
    async with request.reading() as session:  # before a channel's name costs a call to Slack
        require(coordinate(await request.actor(session)))
    key, lang = words[0].lower(), parse_language(options.get("lang"))
    if not valid_key(key):
        raise UserError(
            _(
                "The key '{key}' is not usable: write 2–64 lower-case letters, digits"
                " or hyphens, e.g. liikenne."
            ).format(key=escape(key))
        )
    channel = await _channel(request, channel_words[0]) if channel_words else None
    async with request.transaction() as session:
        if await store.theme_by_key(session, key) is not None:
            raise UserError(_("A theme with the key `{key}` already exists.").format(key=key))
        name = unescape(" ".join(name_words))
        theme = await store.add_theme(
            session, Theme(key=key, name=name, channel_id=channel, language=lang)
        )
        await request.reschedule(session, "theme", theme.id)
    text = _("Theme *{name}* (`{key}`) created. Members can join it with `{command} join {key}`.")
    return reply(text.format(name=escape(name), key=key, command=request.command))


async def run_theme_archive(request: CommandRequest) -> Outcome:
    """Archive a theme: it leaves the list; its data stays."""
    if not request.args:
        raise request.usage("theme archive")
    async with request.transaction() as session:
        require(coordinate(await request.actor(session)))
        theme = await active_theme(session, " ".join(request.args))
        theme.archived = True
        await request.reschedule(session, "theme", theme.id)
    return reply(
        _("Theme *{name}* archived: it no longer shows in the theme list.").format(
            name=escape(theme.name)
        )
    )


async def run_theme_set(request: CommandRequest) -> Outcome:
    """Change a theme's chair or lead organisation (coordinators), its language or weekly
    digest (its managers too)."""
    words, options = split_options(request.args, SETTINGS)
    if not words or not options:
        raise request.usage("theme set")
    chair = parse_user(options["chair"]) if "chair" in options else None
    lang, digest = parse_language(options.get("lang")), parse_digest(options.get("digest"))
    async with request.transaction() as session:
        theme = await active_theme(session, " ".join(words))
        roles = await store.theme_roles(session, theme)
        who_runs_it = "chair" in options or "lead" in options
        require(set_theme(await request.actor(session), roles, who_runs_it))
        changes = await _apply(session, theme, chair, options.get("lead"), lang, digest)
        await request.reschedule(session, "theme", theme.id)
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


async def _channel(request: CommandRequest, word: str) -> str:
    found = parse_channel(word)
    if found.id:
        return found.id
    channel = await request.channel_named(found.name or "") if request.channel_named else None
    if channel is None:
        raise UserError(
            _(
                "I can't find the channel #{name}. Pick it from the list Slack offers"
                " when you type #, and make sure I can see it."
            ).format(name=escape(found.name or ""))
        )
    return channel
