"""The pace of each channel, shared by every process: at most one message a second (§4).

Two steps per post. Ahead of time a sender reserves a slot (`take_slot`), which orders the
senders of a channel and tells each when to wake. At its slot it passes the gate
(`open_gate`): the channel's previous post must have been answered a second ago or more, and
the channel is marked busy until this post is answered (`close_gate`). Chaining on answers
rather than on start times keeps the posts a second apart as Slack receives them, whatever the
delays between a sender and Slack: the next post leaves only after the previous one arrived.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import BigInteger, Table, bindparam, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelPace
from storage.reconcile import dialect_insert

_pace = cast(Table, ChannelPace.__table__)
_channel = _pace.c.channel == bindparam("the_channel")
# Built once: these run for every message, and a statement object keeps its cache key.
_OPEN = (
    update(_pace)
    .where(_channel, _pace.c.done_ms <= bindparam("at_ms"))
    .values(done_ms=bindparam("mark"))
    .returning(_pace.c.done_ms)
)
_OPENS_AT = select(_pace.c.done_ms).where(_channel)
# Only while the gate still holds this post's mark.
_MARKED = update(_pace).where(_channel, _pace.c.done_ms == bindparam("mark"))
_SHUT = _MARKED.values(done_ms=bindparam("opens_ms"))
_HOLD = _MARKED.values(done_ms=bindparam("until_ms")).returning(_pace.c.done_ms)
_OPENS = bindparam("opens_ms", type_=BigInteger)
_CLOSE = _MARKED.values(
    done_ms=_OPENS, next_ms=case((_pace.c.next_ms < _OPENS, _OPENS), else_=_pace.c.next_ms)
)


@cache
def _take(dialect: str) -> Any:
    """The slot upsert: max(the channel's next free moment, now), and move it a step on."""
    now_ms, step = bindparam("now_ms", type_=BigInteger), bindparam("step", type_=BigInteger)
    statement = dialect_insert(dialect)(_pace).values(
        channel=bindparam("the_channel"), next_ms=bindparam("proposed"), done_ms=0
    )
    later = case((_pace.c.next_ms > now_ms, _pace.c.next_ms), else_=now_ms) + step
    upsert = statement.on_conflict_do_update(index_elements=["channel"], set_={"next_ms": later})
    return upsert.returning(_pace.c.next_ms)


async def take_slot(
    session: AsyncSession, channel: str, now: datetime, spacing: timedelta
) -> datetime:
    """Reserve the channel's next free posting moment, at least `spacing` after the last one.

    One atomic upsert shared by every process: the slot is max(the channel's next free
    moment, now), and the next free moment moves `spacing` past it. Slots order the senders
    and tell each when to wake; `open_gate` then makes sure the previous post was answered.
    """
    now_ms, step = _ms(now), _ms_of(spacing)
    params = {"the_channel": channel, "proposed": now_ms + step, "now_ms": now_ms, "step": step}
    next_ms = await session.scalar(_take(session.get_bind().dialect.name), params)
    assert next_ms is not None
    return _moment(next_ms - step)


async def open_gate(
    session: AsyncSession, channel: str, at: datetime, hold: timedelta
) -> int | None:
    """Let one post go at `at` if the channel's previous post was answered a second before.

    The channel is then marked busy until at most `at` + `hold` (the longest a post can
    take, plus the pace), and the mark is returned; None when the post must wait (see
    `gate_opens_at`). `at` may be ahead: a sender opens the gate for its slot while preparing.
    """
    mark = _ms(at) + _ms_of(hold)
    params = {"the_channel": channel, "at_ms": _ms(at), "mark": mark}
    return mark if (await session.execute(_OPEN, params)).first() is not None else None


async def shut_gate(session: AsyncSession, channel: str, mark: int, opens: datetime) -> None:
    """Give back a gate opened for a post that will not be made: it opens at `opens` again."""
    params = {"the_channel": channel, "mark": mark, "opens_ms": _ms(opens)}
    await session.execute(_SHUT, params)


async def gate_opens_at(session: AsyncSession, channel: str) -> datetime:
    """When the channel's next post may go, as far as is known now."""
    return _moment(await session.scalar(_OPENS_AT, {"the_channel": channel}) or 0)


async def hold_gate(session: AsyncSession, channel: str, mark: int, until: datetime) -> int | None:
    """Keep the channel busy longer (a retry is coming); the new mark, or None if it is lost."""
    until_ms = _ms(until)
    params = {"the_channel": channel, "mark": mark, "until_ms": until_ms}
    return until_ms if (await session.execute(_HOLD, params)).first() is not None else None


async def close_gate(
    session: AsyncSession, channel: str, mark: int, answered: datetime, pace: timedelta
) -> None:
    """The post was answered: the next may go `pace` later (unless the mark was lost).

    The channel's next free slot moves there too (if it was earlier), so that a sender that
    takes it finds the gate open.
    """
    opens = _ms(answered, up=True) + _ms_of(pace)
    await session.execute(_CLOSE, {"the_channel": channel, "mark": mark, "opens_ms": opens})


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _ms_of(duration: timedelta) -> int:
    return int(duration.total_seconds() * 1000)


def _ms(moment: datetime, up: bool = False) -> int:
    """Milliseconds since the epoch, rounded down (or `up`: an answer's moment is rounded up,
    so that the pace after it is never a fraction of a millisecond short)."""
    return math.ceil(moment.timestamp() * 1000) if up else math.floor(moment.timestamp() * 1000)
