"""What the Home tab's own buttons and forms do, and the welcome to a theme channel.

A form's submission runs the subcommand it stands for through the registry (`update`,
`wp add`, `meeting add`, `deadline add`) with the words the form's values make: the same
rules, permissions and writes as typing it. The item the form names (in `private_metadata`)
is read again by that subcommand and the permission decided anew; a refusal, or a value it
cannot read, comes back as the errors to show in the form, nothing written.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot import outgoing
from bot.commands import Registry
from bot.help import overview
from bot.home import forms
from bot.home.forms import Errors, Words
from bot.home.tab import NETWORK
from bot.home.welcome import Welcome, welcome
from bot.i18n import _
from bot.outcome import Message, Outcome, UserError, reply
from bot.parsing import ParseError
from bot.permissions import coordinate, require
from storage import home, notifications, outbox
from storage import meetings as meeting_store
from storage import themes as theme_store
from storage import work_packages as package_store
from storage.network import network_zone
from usecases.caller import Caller, Sessions, actor
from usecases.commands import Press, View
from usecases.names import active_theme
from usecases.work_packages.references import checked_ref, package

WELCOME = "welcome"


async def update_form(db: Sessions, caller: Caller, action: dict[str, Any]) -> View:
    """The Update button of a package: its form, filled in with how it stands."""
    async with db() as session:
        found = await package(session, caller, checked_ref(str(action.get("value", ""))))
    return forms.update_form(package_store.view_of(found))


async def package_form(db: Sessions, caller: Caller, action: dict[str, Any]) -> View:
    """A theme's Add a work package button: its form."""
    key, name = await _audience(db, str(action.get("value", "")))
    return forms.package_form(key, name)


async def meeting_form(db: Sessions, caller: Caller, action: dict[str, Any]) -> View:
    """Add a meeting (of a theme, or the network's): its form."""
    return forms.meeting_form(*await _audience(db, str(action.get("value", ""))))


async def deadline_form(db: Sessions, caller: Caller, action: dict[str, Any]) -> View:
    """Add a deadline (of a theme, or the network's): its form."""
    return forms.deadline_form(*await _audience(db, str(action.get("value", ""))))


async def _audience(db: Sessions, value: str) -> tuple[str, str]:
    """The key and name of the theme a button names, or the whole network."""
    if value == NETWORK:
        return NETWORK, _("the whole network")
    async with db() as session:
        theme = await active_theme(session, value)
    return theme.key, theme.name


async def submit(
    db: Sessions, caller: Caller, registry: Registry, callback: str, view: dict[str, Any]
) -> Outcome | Errors:
    """Run what a submitted form stands for: its outcome, or the errors to show in the form."""
    read = forms.read(callback, str(view.get("private_metadata") or ""), view["state"]["values"])
    if not isinstance(read, Words):
        return read
    subcommand = registry.get(read.subcommand)
    assert subcommand is not None, read.subcommand
    try:
        outcome: Outcome = await subcommand.run(db, caller, read.words)
    except UserError as error:
        return forms.error_field(callback, error.message)
    except ParseError as error:
        return forms.parse_error(callback, error)
    return outcome


async def retry(db: Sessions, caller: Caller, action: dict[str, Any]) -> Outcome:
    """A coordinator's Retry of a failed notification: queued again, due now."""
    value = str(action.get("value", ""))
    async with db.begin() as session:
        require(coordinate(await actor(session, caller)))
        queued = value.isdigit() and await notifications.retry(session, int(value), caller.now)
    if not queued:
        raise UserError(_("Notification {id} is not waiting to be sent again.").format(id=value))
    return reply(_("Notification {id} will be sent again in a moment.").format(id=value))


def help_press(registry: Registry) -> Press:
    """The Help button: what the bot can do, in a window of its own."""

    async def press(db: Sessions, caller: Caller, action: dict[str, Any]) -> View:
        shown = overview(caller.command, registry)
        view = forms.notice(shown.text)
        return {**view, "blocks": shown.blocks or view["blocks"]}

    return press


async def greet(db: Sessions, caller: Caller, channel: str) -> Outcome:
    """A person joined a channel: if it is a theme's, one welcome only they see (once per
    person and channel: the outbox keeps its identity), in their language."""
    async with db.begin() as session:
        theme = await theme_store.theme_of_channel(session, channel)
        if theme is None:
            return reply("")
        roles = await theme_store.theme_roles(session, theme)
        upcoming = await meeting_store.upcoming(session, caller.now, [theme.id], 1)
        meetings = await meeting_store.views(session, upcoming)
        own = await home.own_organisation(session, caller.user_id)
        joined = await meeting_store.user_theme_ids(session, caller.user_id, own and own[0])
        zone = ZoneInfo(await network_zone(session, caller.deployment.timezone))
        about = Welcome(
            theme.key,
            theme.name,
            roles.lead_name,
            theme.chair_user_id,
            meetings[0] if meetings else None,
            theme.id in joined,
        )
        message = welcome(about, zone, caller.command)
        row = outgoing.ephemeral(
            WELCOME, ("theme", theme.id), channel, caller.user_id, message, caller.now
        )
        await outbox.enqueue(session, [row], caller.now)
    return Outcome(Message(""), posts=(row,))
