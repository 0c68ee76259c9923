"""Slack listeners: each acks, calls one use case of `usecases`, and answers the person; here
every subcommand and button is wired to its listener."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands import Registry
from handlers import (
    commands,
    errors,
    materials,
    meeting_form,
    mention,
)
from handlers.buttons import on_press
from usecases import (
    announcements,
    calendar,
    deadlines,
    exports,
    help,
    meetings,
    mine,
    registrations,
    theme_list,
    work_packages,
)
from usecases import materials as baskets
from usecases import themes as themes_admin
from usecases.commands import Press


def fill_registry(registry: Registry) -> None:
    """Every subcommand the bot offers, in the order help lists them, into the registry."""
    registry.add(help.subcommand(registry))
    for feature in (
        theme_list.SUBCOMMANDS,
        themes_admin.ADMINISTRATION,
        registrations.SUBCOMMANDS,
        meetings.SUBCOMMANDS,
        deadlines.SUBCOMMANDS,
        announcements.SUBCOMMANDS,
        calendar.SUBCOMMANDS,
        work_packages.SUBCOMMANDS,
        baskets.SUBCOMMANDS,
        mine.SUBCOMMANDS,
        exports.SUBCOMMANDS,
    ):
        for subcommand in feature:
            registry.add(subcommand)


def button_presses() -> dict[str, Press]:
    """What every button does, by its action id: Slack's listeners and the console's typed
    labels call the same functions."""
    return {
        **theme_list.presses(),
        **meetings.presses(),
        **baskets.presses(),
        **work_packages.presses(),
        **announcements.presses(),
    }


def register_listeners(app: AsyncApp, slash_command: str) -> None:
    """Attach every listener to the app."""
    commands.register(app, slash_command)
    errors.register(app)
    for action_id, press in button_presses().items():
        app.action(action_id)(on_press(press))
    meeting_form.register_listeners(app)
    materials.register_listeners(app)
    mention.register(app)
