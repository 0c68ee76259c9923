"""The Slack app manifest for this deployment's command (HTTP mode with a URL, else Socket Mode)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

BOT_SCOPES = (
    "commands",  # the slash command and shortcuts
    "chat:write",  # replies, announcements, reminders, direct messages
    "channels:read",  # resolve #channel names, see membership
    "groups:read",
    "channels:join",  # join a public theme channel before posting or inviting
    "channels:manage",  # invite members to public theme channels
    "groups:write",  # invite members to private theme channels the bot is in
    "channels:history",  # find an already-sent reminder after a crash (message metadata)
    "groups:history",
    "im:history",
    "im:write",  # open direct messages (reminders, CSV exports)
    "users:read",  # the user's locale for replies in their language
    "files:write",  # CSV exports and calendar files
)
EVENTS = (
    "app_mention",
    "app_home_opened",  # the Home tab, published when opened
    "member_joined_channel",  # the welcome to a theme channel (channels:read, groups:read)
)
_EXAMPLE = "https://bot.example.fi"
DESCRIPTION = "Themes, work packages, materials, meetings and deadlines of a cooperation network"


def url_problem(url: str) -> str | None:
    """What is wrong with a public base URL, in one line; None if Slack can call it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or re.search(r"\s", url):
        return f"{url!r} is not an http(s) address; write it like {_EXAMPLE}"
    if parts.query or parts.fragment:
        return f"{url!r} has a query or a fragment; give the base address, like {_EXAMPLE}"
    return None


def manifest(command: str, url: str | None, name: str = "Network bot") -> dict[str, Any]:
    """A manifest Slack accepts at api.slack.com/apps → Create New App → From a manifest."""
    events_url = url.rstrip("/") + "/slack/events" if url else None
    slash: dict[str, Any] = {
        "command": command,
        "description": "Teemat, työpaketit, aineistot, tapaamiset ja määräajat",
        "usage_hint": "help | ohje",
        "should_escape": True,
    }
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {"bot_events": list(EVENTS)}
    if events_url:
        slash["url"] = events_url
        interactivity["request_url"] = events_url
        events["request_url"] = events_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {"name": name, "description": DESCRIPTION},
        "features": {
            "bot_user": {"display_name": name, "always_online": True},
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "slash_commands": [slash],
            "shortcuts": [
                {
                    # One name in every language (Slack keeps names short): the network's.
                    "name": "Lisää aineistoksi",
                    "type": "message",
                    "callback_id": "add_to_materials",
                    "description": "Tallenna viesti tai tiedosto teeman aineistokoriin",
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": events_url is None,
            "token_rotation_enabled": False,
        },
    }
