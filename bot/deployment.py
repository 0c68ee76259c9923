"""What the rooms below the composition root know of the deployment's settings: plain values.

`app.settings.Settings` reads the environment; everything else gets this, so that a use case, a
query or a listener never reads a setting of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta


@dataclass(frozen=True)
class Deployment:
    """The slash command, the coordinators named by the settings, the network's defaults (until
    a network exists, or a plan says otherwise) and the clock of day-based reminders."""

    command: str = "/network"
    admins: frozenset[str] = frozenset()
    timezone: str = "Europe/Helsinki"
    language: str = "fi"
    announcement_channel: str | None = None
    reminder_time: time = time(9, 0)
    grace: timedelta = timedelta(hours=12)
    public_url: str | None = None
