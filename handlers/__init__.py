"""Slack listeners and subcommands, one module per feature, each exposing `register`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands import Registry
from handlers import (
    calendar,
    commands,
    deadlines,
    errors,
    exports,
    help,
    materials,
    meeting_buttons,
    meetings,
    mention,
    mine,
    registrations,
    themes,
    work_packages,
)
from handlers.buttons import Press, button_listener
from handlers.request import Services


def build_registry() -> Registry:
    """Every subcommand the bot offers, in the order help lists them."""
    registry = Registry()
    for feature in (
        help,
        themes,
        registrations,
        meetings,
        deadlines,
        calendar,
        work_packages,
        materials,
        mine,
        exports,
    ):
        feature.register(registry)
    return registry


def button_presses() -> dict[str, Press]:
    """What every button does, by its action id: Slack's listeners and the console's typed
    labels call the same functions."""
    return {
        **themes.presses(),
        **meeting_buttons.presses(),
        **materials.presses(),
        **work_packages.presses(),
    }


def register_listeners(app: AsyncApp, services: Services) -> None:
    """Attach every listener to the app."""
    commands.register(app, services)
    errors.register(app, services)
    for action_id, press in button_presses().items():
        app.action(action_id)(button_listener(services, press))
    meeting_buttons.register_listeners(app, services)
    materials.register_listeners(app, services)
    mention.register_listeners(app, services)
