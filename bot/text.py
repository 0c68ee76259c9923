"""Untrusted text made safe for Slack's mrkdwn."""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` so that no user text can become a mention, link or `<!channel>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of slash-command text (it sends `&lt;` for a typed `<`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def truncate(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
