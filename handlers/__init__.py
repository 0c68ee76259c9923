"""Slack listeners and subcommands, one module per feature, each exposing `register`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.home import tab
from handlers import (
    commands,
    errors,
    home,
    legacy,
    materials,
    meeting_buttons,
    meetings,
    mention,
    mine,
    registrations,
    themes,
    work_packages,
)
from handlers.buttons import on_press
from handlers.request import Services
from usecases import calendar, deadlines, exports, help
from usecases import themes as themes_admin
from usecases.commands import Press
from usecases.home import actions as home_actions


def fill_registry(services: Services) -> None:
    """Every subcommand the bot offers, in the order help lists them, into the registry."""
    registry = services.registry
    registry.add(help.subcommand(registry))
    for feature in (
        legacy.subcommands(services, themes),
        themes_admin.ADMINISTRATION,
        legacy.subcommands(services, registrations),
        legacy.subcommands(services, meetings),
        deadlines.SUBCOMMANDS,
        calendar.SUBCOMMANDS,
        legacy.subcommands(services, work_packages),
        legacy.subcommands(services, materials),
        legacy.subcommands(services, mine),
        exports.SUBCOMMANDS,
    ):
        for subcommand in feature:
            registry.add(subcommand)


def button_presses(services: Services) -> dict[str, Press]:
    """What every button does, by its action id: Slack's listeners and the console's typed
    labels call the same functions."""
    legacies = {
        **themes.presses(),
        **meeting_buttons.presses(),
        **materials.presses(),
        **work_packages.presses(),
    }
    found = {action_id: legacy.press(services, found) for action_id, found in legacies.items()}
    return found | {
        tab.UPDATE: home_actions.update_form,
        tab.ADD_PACKAGE: home_actions.package_form,
        tab.ADD_MEETING: home_actions.meeting_form,
        tab.ADD_DEADLINE: home_actions.deadline_form,
        tab.RETRY: home_actions.retry,
        tab.HELP: home_actions.help_press(services.registry),
    }


def register_listeners(app: AsyncApp, services: Services) -> None:
    """Attach every listener to the app."""
    commands.register(app, services.settings.slash_command)
    errors.register(app)
    for action_id, press in button_presses(services).items():
        app.action(action_id)(on_press(press))
    meeting_buttons.register_listeners(app, services)
    materials.register_listeners(app, services)
    mention.register(app)
    home.register(app, services)
