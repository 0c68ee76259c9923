"""Slack listeners and subcommands, one module per feature, each exposing `register`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.commands import Registry
from handlers import commands, errors, help, mention, mine, registrations, themes
from handlers.request import Services


def build_registry() -> Registry:
    """Every subcommand the bot offers, in the order help lists them."""
    registry = Registry()
    for feature in (help, themes, registrations, mine):
        feature.register(registry)
    return registry


def register_listeners(app: AsyncApp, services: Services) -> None:
    """Attach every listener to the app."""
    commands.register(app, services)
    errors.register(app, services)
    themes.register_listeners(app, services)
    mention.register_listeners(app, services)
