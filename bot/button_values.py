"""Numbers read back from a button's value, which comes from Slack as the bot wrote it or forged.

Only ASCII digits count (`str.isdigit` also takes `²`, which `int` refuses), and at most nine of
them, so a number always fits a database integer and an offset computed from it.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[0-9]{1,9}")


def page_number(value: str) -> int:
    """The page a paging button names; a forged value is the first page (the list clamps it)."""
    return int(value) if _NUMBER.fullmatch(value) else 1


def item_id(value: str) -> int | None:
    """The id a button names; None for a forged value, answered like a missing item."""
    return int(value) if _NUMBER.fullmatch(value) else None
