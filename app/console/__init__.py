"""The terminal console: the bot without Slack, drawing what Slack would show."""

from app.console.conversation import run_console

__all__ = ["run_console"]
