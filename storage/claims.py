"""The sender's side of the outbox: claiming due notifications and recording what became of them.

Every function is one short statement (or two) that the sender runs in its own transaction.
A claim is a lease: the notification is the claimer's until `lease_until`; a claimer that dies
leaves it to be claimed again after that, and the next claimer looks in Slack first (the
`attempts` counter tells it a previous claim existed).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, and_, any_, bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.planner import Planned
from storage.models import Notification
from storage.reconcile import payload

_table = cast(Table, Notification.__table__)


@dataclass(frozen=True)
class Claimed:
    """A notification in the sender's hands."""

    id: int
    identity: str
    kind: str
    subject_type: str
    subject_id: int | None
    target: str
    due_at: datetime
    attempts: int
    payload: dict[str, Any]


_NOW: Any = bindparam("now")


def _claimable() -> Any:
    """Due and pending, or claimed by someone whose lease ran out (a crashed sender)."""
    return or_(
        and_(_table.c.state == "pending", _table.c.due_at <= _NOW),
        and_(_table.c.state == "claimed", _table.c.lease_until < _NOW),
    )


async def claim(
    session: AsyncSession,
    now: datetime,
    worker: str,
    lease: timedelta,
    limit: int,
    per_target: int,
    skip: Collection[str] = (),
    target: str | None = None,
) -> list[Claimed]:
    """Claim up to `limit` due notifications, at most `per_target` per target; one statement.

    Whole targets are handed out, the longest waiting first, each target (as a rule) to one
    sender: one another worker holds claims for (a live lease) is left to them, and so are
    the `skip` targets; `target` claims for that one alone (a sender refilling its queue,
    while it still holds the last of the previous few). See `_claim_statement`.

    Claims of whole targets take turns (on PostgreSQL a transaction-level advisory lock;
    SQLite has one writer at a time): two processes claiming at once would otherwise both
    pick the same targets and, skipping each other's locked rows, split them, leaving a
    target with a lane in each and another with none. A refill needs no turn: its target is
    held by its lane, which no other claim touches.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and target is None:
        await session.execute(_ONE_CLAIMER)
    statement = _claim_statement(dialect, bool(skip), target is not None)
    # (No key may be a column's name: in an UPDATE that would set the column.)
    params: dict[str, Any] = {
        "now": now,
        "worker": worker,
        "lease_end": now + lease,
        "limit": limit,
        "per_target": per_target,
    }
    params |= {"skip": sorted(skip)} if skip else {}
    params |= {"the_target": target} if target is not None else {}
    rows = await session.execute(statement, params)
    return sorted((Claimed(*row) for row in rows), key=lambda c: (c.due_at, c.id))


# The key of the claimers' turn (an arbitrary constant, unique to this purpose).
_ONE_CLAIMER = select(func.pg_advisory_xact_lock(0x6E62_636C_6169_6D))


@cache
def _claim_statement(dialect: str, skipping: bool, one_target: bool) -> Any:
    """The claim, built once per shape (every value a parameter: a lane refills its queue
    every few posts, and building this statement costs more than running it).

    On PostgreSQL the chosen rows are locked by primary key with SKIP LOCKED, in a
    materialised CTE so that they are picked exactly once, and the claimable condition sits
    on the locking query itself: a row another claimer has just taken is re-checked and left
    alone (a claimer racing another may so come back short; its next tick finds the targets
    left). Every step is linear whatever the table's statistics say: right after an import,
    PostgreSQL has none yet, and a join between the ranking and the table, or a correlated
    NOT EXISTS, could be planned as a quadratic nested loop. SQLite runs one writer at a time.
    """
    targets: list[Any] = []
    targets += [_table.c.target.not_in(bindparam("skip", expanding=True))] if skipping else []
    targets += [_table.c.target == bindparam("the_target")] if one_target else []
    ranked = (
        select(
            _table.c.id,
            _table.c.target,
            func.row_number()
            .over(partition_by=_table.c.target, order_by=(_table.c.due_at, _table.c.id))
            .label("rank"),
            func.min(_table.c.due_at).over(partition_by=_table.c.target).label("first"),
        )
        .where(_claimable(), _table.c.target.not_in(_held()), *targets)
        .subquery("ranked")
    )
    chosen = (
        select(ranked.c.id)
        .where(ranked.c.rank <= bindparam("per_target"))
        .order_by(ranked.c.first, ranked.c.target, ranked.c.rank)
        .limit(bindparam("limit"))
    )
    picked = (
        select(_table.c.id)
        .where(_among(chosen, dialect), _claimable())
        .with_for_update(skip_locked=True)
        .cte("picked")
        .prefix_with("MATERIALIZED")
    )
    return (
        update(_table)
        .where(_table.c.id == picked.c.id, _claimable())
        .values(
            state="claimed",
            claimed_by=bindparam("worker"),
            lease_until=bindparam("lease_end"),
            attempts=_table.c.attempts + 1,
            updated_at=_NOW,
        )
        .returning(*(_table.c[name] for name in Claimed.__dataclass_fields__))
    )


def _among(chosen: Any, dialect: str) -> Any:
    """`id` among the chosen ones, evaluated once: on PostgreSQL `= ANY(ARRAY(…))`, an
    init-plan and then index lookups (an `IN` could become a nested loop over the choice)."""
    if dialect == "postgresql":
        return _table.c.id == any_(func.array(chosen.scalar_subquery()))
    return _table.c.id.in_(chosen)


def _held() -> Any:
    """The targets another worker holds a live claim for (this worker's own are in `skip`,
    or being refilled). (`NOT IN` this set is planned as one hashed lookup whatever the
    statistics say; a correlated `NOT EXISTS` could turn quadratic on a table just filled,
    such as right after an import.)"""
    busy = _table.alias("busy")
    return select(busy.c.target).where(
        busy.c.state == "claimed",
        busy.c.lease_until >= _NOW,
        busy.c.claimed_by != bindparam("worker"),
    )


# Built once: they run for every message, and a statement object keeps its cache key.
_HOLD = (
    update(_table)
    .where(
        _table.c.id == bindparam("note_id"),
        _table.c.state == "claimed",
        _table.c.claimed_by == bindparam("worker"),
    )
    .values(lease_until=bindparam("until"))
    .returning(_table.c.id)
)
_SENT = (
    update(_table)
    .where(_table.c.id == bindparam("note_id"), _table.c.state != "sent")
    .values(
        state="sent",
        sent_at=bindparam("now"),
        slack_channel=bindparam("channel"),
        slack_ts=bindparam("ts"),
        lease_until=None,
        last_error=None,
        updated_at=bindparam("now"),
    )
)


async def hold(session: AsyncSession, note_id: int, worker: str, until: datetime) -> bool:
    """Extend a claim that is still this worker's; False if it is not (anymore)."""
    params = {"note_id": note_id, "worker": worker, "until": until}
    return (await session.execute(_HOLD, params)).first() is not None


async def record_sent(
    session: AsyncSession, note_id: int, now: datetime, channel: str, ts: str
) -> None:
    """It is in Slack: sent, with where and when (whoever holds the claim now)."""
    params = {"note_id": note_id, "now": now, "channel": channel, "ts": ts}
    await session.execute(_SENT, params)


async def record_end(
    session: AsyncSession, note_id: int, worker: str, state: str, now: datetime, reason: str
) -> bool:
    """Close a claim without a post: `failed`, `skipped` or `cancelled`, with the reason."""
    result = await session.execute(
        update(_table)
        .where(_table.c.id == note_id, _table.c.state == "claimed", _table.c.claimed_by == worker)
        .values(state=state, last_error=reason, lease_until=None, updated_at=now)
        .returning(_table.c.id)
    )
    return result.first() is not None


async def reschedule(session: AsyncSession, note_id: int, worker: str, plan: Planned) -> None:
    """Give a claim back as pending, as now planned (its item moved); no attempt was made."""
    await session.execute(
        update(_table)
        .where(_table.c.id == note_id, _table.c.state == "claimed", _table.c.claimed_by == worker)
        .values(
            state="pending",
            due_at=plan.due_at,
            payload=payload(plan),
            claimed_by=None,
            lease_until=None,
            attempts=_table.c.attempts - 1,
        )
    )


async def release(session: AsyncSession, worker: str, untried: set[int]) -> int:
    """Give back every claim of this worker (shutting down); how many.

    A claim never tried does not count as an attempt, so the next claimer does not search
    Slack for it; one whose post was tried (and ended ambiguously) keeps the count.
    """
    mine = and_(_table.c.state == "claimed", _table.c.claimed_by == worker)
    attempts = case(
        (_table.c.id.in_(sorted(untried)), _table.c.attempts - 1), else_=_table.c.attempts
    )
    result = await session.execute(
        update(_table)
        .where(mine)
        .values(state="pending", claimed_by=None, lease_until=None, attempts=attempts)
        .returning(_table.c.id)
    )
    return len(result.all())


async def listing(session: AsyncSession, state: str | None, limit: int) -> list[Notification]:
    """Notifications for an operator: pending ones soonest first, the others latest first."""
    query = select(Notification).limit(limit)
    if state is not None:
        query = query.where(Notification.state == state)
    order = Notification.due_at.asc() if state == "pending" else Notification.due_at.desc()
    return list(await session.scalars(query.order_by(order, Notification.id)))


async def retry(session: AsyncSession, note_id: int, now: datetime) -> bool:
    """Queue a failed notification again, due now; False if there is no such failed one.

    It remembers the time it was meant for, so that it says it is late.
    """
    note = await session.get(Notification, note_id, with_for_update=True)
    if note is None or note.state != "failed":
        return False
    meant = note.payload.get("meant_for") or note.due_at.isoformat()
    note.payload = {**note.payload, "meant_for": meant}
    note.state, note.due_at, note.updated_at = "pending", now, now
    note.lease_until = note.claimed_by = None
    return True
