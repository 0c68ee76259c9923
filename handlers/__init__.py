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


def register_listeners(app: AsyncApp, services: Services) -> None:
    """Attach every listener to the app."""
    commands.register(app, services)
    errors.register(app, services)
    themes.register_listeners(app, services)
    meeting_buttons.register_listeners(app, services)
    materials.register_listeners(app, services)
    work_packages.register_listeners(app, services)
    mention.register_listeners(app, services)
