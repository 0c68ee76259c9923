"""Statements that read a page in one round trip: a head of one row joined to its rows.

The head (a theme with its counts, a package, the network's time zone, a revision) is joined to
each of the page's rows ON true: every row repeats the head, and a head without rows comes once,
its row's columns NULL, so a page that finds nothing still reads its head. The head is a
derived table with LIMIT 1 (its key is unique anyway): the LIMIT keeps both databases from
merging it into the join, which would work its subqueries out again for every row.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select, true


def head_and_rows(
    head: Select[Any], rows: Select[Any], *order: str, newest: bool = False
) -> Select[Any]:
    """The one-row `head` joined to each of `rows`, in `order` of the rows' columns (descending
    when `newest`)."""
    one, many = head.limit(1).subquery("head"), rows.subquery("page")
    ordering = [many.c[name].desc() if newest else many.c[name] for name in order]
    return select(one, many).select_from(one.outerjoin(many, true())).order_by(*ordering)
