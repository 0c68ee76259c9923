"""Untrusted text made safe: for the database (no control characters) and for Slack's mrkdwn."""

from __future__ import annotations

import re

# Line breaks of every kind (Windows', old Macs', Unicode's), read as one `\n`.
_LINE_BREAK = re.compile("\r\n?|[\x85\u2028\u2029]")
# Control characters that stand for a space (tab, vertical tab, form feed, separators).
_SPACE_LIKE = re.compile("[\t\x0b\x0c\x1c-\x1f]")
# The rest of the control characters (C0 but `\n`, DEL, C1) and lone surrogates (which no
# database can store as UTF-8 text): dropped.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x9f\ud800-\udfff]")


def clean(text: str, multiline: bool = False) -> str:
    """Text as it may be stored: without control characters (PostgreSQL refuses NUL in text).

    A tab and its kin become a space; line breaks become `\\n` where the field may hold several
    lines (`multiline`: a note, a description, an agenda), else a space.
    """
    text = _CONTROL.sub("", _SPACE_LIKE.sub(" ", _LINE_BREAK.sub("\n", text)))
    return text if multiline else text.replace("\n", " ")


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` so that no user text can become a mention, link or `<!channel>`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of slash-command text (it sends `&lt;` for a typed `<`)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def truncate(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
