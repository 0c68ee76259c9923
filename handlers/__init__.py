"""Slack listeners: each acks, calls one use case of `usecases`, and answers the person; here
every subcommand and button is wired to its listener."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands import Registry
from bot.home import tab
from handlers import (
    commands,
    errors,
    home,
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
from usecases.home import actions as home_actions


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


def button_presses(registry: Registry) -> dict[str, Press]:
    """What every button does, by its action id: Slack's listeners and the console's typed
    labels call the same functions."""
    return {
        **theme_list.presses(),
        **meetings.presses(),
        **baskets.presses(),
        **work_packages.presses(),
        **announcements.presses(),
        tab.UPDATE: home_actions.update_form,
        tab.ADD_PACKAGE: home_actions.package_form,
        tab.ADD_MEETING: home_actions.meeting_form,
        tab.ADD_DEADLINE: home_actions.deadline_form,
        tab.RETRY: home_actions.retry,
        tab.HELP: home_actions.help_press(registry),
    }


def register_listeners(app: AsyncApp, registry: Registry, slash_command: str) -> None:
    """Attach every listener to the app."""
    commands.register(app, slash_command)
    errors.register(app)
    for action_id, press in button_presses(registry).items():
        app.action(action_id)(on_press(press))
    meeting_form.register_listeners(app)
    materials.register_listeners(app)
    mention.register(app)
    home.register(app)
