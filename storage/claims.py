"""The engine's side of the outbox: claiming due notifications and recording what became of them.

A claim is a lease: the notification is the claimer's until `lease_until` (by the database's
clock: every `now` here is the one the engine read from the database). A claimer that dies
leaves it to be claimed again after that. `tried_at` marks a try started and not resolved: the
next claimer looks for that try's message in Slack before posting again (`delivery.engine`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, and_, any_, bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Notification

_table = cast(Table, Notification.__table__)


@dataclass(frozen=True)
class Claimed:
    """A notification in the engine's hands."""

    id: int
    identity: str
    kind: str
    subject_type: str
    subject_id: int | None
    target: str
    due_at: datetime
    attempts: int
    payload: dict[str, Any]
    tried_at: datetime | None
    looks: int
    last_error: str | None
    immediate: bool


@dataclass(frozen=True)
class Batch:
    """What one claim took: notifications by target, in order, each target's last post, and
    the time of the claim (against which to reckon the wait after a last post)."""

    notes: dict[str, list[Claimed]]
    last_sent: dict[str, datetime]
    at: datetime


_NOW: Any = bindparam("now")


def _claimable() -> Any:
    """Due (an immediate one is due as soon as it is committed, whatever the clock of the
    process that wrote it said), pending and not deferred; or claimed by someone whose lease
    ran out."""
    return or_(
        and_(
            _table.c.state == "pending",
            or_(_table.c.due_at <= _NOW, _table.c.immediate),
            or_(_table.c.not_before.is_(None), _table.c.not_before <= _NOW),
        ),
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
) -> Batch:
    """Claim up to `limit` due notifications of whole targets, `per_target` at most each.

    A target another worker holds a live claim on is left to it, and so are the `skip`
    targets (this worker's busy lanes); `target` claims that one's next few (a lane going on).
    Targets with an immediate notification come first, then the longest waiting; within a
    target, immediate ones before scheduled ones, then by due time. Claims take turns
    (PostgreSQL: a transaction advisory lock; SQLite has one writer), so each sees the others'
    and two never split a target; a lane going on claims its next few while it still holds its
    last one, whose lease it renews first, so no other claim takes its target meanwhile. Each
    target's last `sent_at` comes with the batch: its first post waits a second after it
    (pacing across processes).
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        await session.execute(_ONE_CLAIMER)
    if target is not None:  # a lane going on: it keeps what it still holds of its target
        kept = {"the_target": target, "worker": worker, "until": now + lease}
        await session.execute(_KEEP, kept)
    statement = _claim_statement(dialect, bool(skip), target is not None)
    params: dict[str, Any] = {
        "now": now,
        "worker": worker,
        "lease_end": now + lease,
        "limit": limit,
        "per_target": per_target,
    }
    params |= {"skip": sorted(skip)} if skip else {}
    params |= {"the_target": target} if target is not None else {}
    claimed = [Claimed(*row) for row in await session.execute(statement, params)]
    claimed.sort(key=lambda c: (not c.immediate, c.due_at, c.id))
    notes: dict[str, list[Claimed]] = {}
    for note in claimed:
        notes.setdefault(note.target, []).append(note)
    return Batch(notes, await last_sent(session, list(notes)), now)


async def last_sent(session: AsyncSession, targets: list[str]) -> dict[str, datetime]:
    """Each target's last post (one index lookup per target)."""
    if not targets:
        return {}
    rows = await session.execute(
        select(_table.c.target, func.max(_table.c.sent_at))
        .where(_table.c.target.in_(targets))
        .group_by(_table.c.target)
    )
    return {target: sent for target, sent in rows if sent is not None}


# The key of the claimers' turn (an arbitrary constant, unique to this purpose).
_ONE_CLAIMER = select(func.pg_advisory_xact_lock(0x6E62_636C_6169_6D))


@cache
def _claim_statement(dialect: str, skipping: bool, one_target: bool) -> Any:
    """The claim, built once per shape. On PostgreSQL the chosen rows are locked by primary
    key with SKIP LOCKED in a materialised CTE (picked exactly once, re-checked), and every
    step is linear whatever the statistics say (right after an import there are none)."""
    targets: list[Any] = []
    targets += [_table.c.target.not_in(bindparam("skip", expanding=True))] if skipping else []
    targets += [_table.c.target == bindparam("the_target")] if one_target else []
    urgent = case((_table.c.immediate, 0), else_=1)  # immediate ones first
    ranked = (
        select(
            _table.c.id,
            _table.c.target,
            func.row_number()
            .over(
                partition_by=_table.c.target,
                order_by=(urgent, _table.c.due_at, _table.c.id),
            )
            .label("rank"),
            func.min(urgent).over(partition_by=_table.c.target).label("first_kind"),
            func.min(_table.c.due_at).over(partition_by=_table.c.target).label("first"),
        )
        .where(_claimable(), _table.c.target.not_in(_held(one_target)), *targets)
        .subquery("ranked")
    )
    chosen = (
        select(ranked.c.id)
        .where(ranked.c.rank <= bindparam("per_target"))
        .order_by(ranked.c.first_kind, ranked.c.first, ranked.c.target, ranked.c.rank)
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
    """`id` among the chosen ones, evaluated once (on PostgreSQL `= ANY(ARRAY(…))`)."""
    if dialect == "postgresql":
        return _table.c.id == any_(func.array(chosen.scalar_subquery()))
    return _table.c.id.in_(chosen)


def _held(going_on: bool) -> Any:
    """The targets someone holds a live claim for: for a lane going on, someone else; for a
    new claim, anyone (a target this worker holds is being served by one of its lanes)."""
    busy = _table.alias("busy")
    mine = [busy.c.claimed_by != bindparam("worker")] if going_on else []
    return select(busy.c.target).where(busy.c.state == "claimed", busy.c.lease_until >= _NOW, *mine)


# Built once: they run for every message, and a statement object keeps its cache key.
_START = (
    update(_table)
    .where(
        _table.c.target == bindparam("the_target"),
        _table.c.state == "claimed",
        _table.c.claimed_by == bindparam("worker"),
        # This one, and those of the target whose lease would end within half a lease.
        or_(_table.c.id == bindparam("note_id"), _table.c.lease_until < bindparam("half")),
    )
    .values(
        lease_until=bindparam("until"),
        tried_at=case(
            (_table.c.id == bindparam("note_id"), bindparam("tried")), else_=_table.c.tried_at
        ),
    )
    .returning(_table.c.id)
)
_KEEP = (
    update(_table)
    .where(
        _table.c.target == bindparam("the_target"),
        _table.c.state == "claimed",
        _table.c.claimed_by == bindparam("worker"),
    )
    .values(lease_until=bindparam("until"))
)


async def start_try(
    session: AsyncSession, note: Claimed, worker: str, now: datetime, lease: timedelta
) -> bool:
    """Just before a Slack call: the claim is still this worker's, and a try starts now
    (`tried_at`). The worker's claims on the target are kept for a lease from now, so its
    lane keeps the target while it works through them. False if the claim is lost."""
    params = {
        "note_id": note.id,
        "the_target": note.target,
        "worker": worker,
        "until": now + lease,
        "half": now + lease / 2,
        "tried": now,
    }
    return note.id in (await session.scalars(_START, params)).all()


async def release(session: AsyncSession, worker: str, untried: Collection[int]) -> int:
    """Give back the claims of this worker whose Slack call was not made (shutting down); how
    many. Such a claim does not count as an attempt, and its try never started."""
    if not untried:
        return 0
    result = await session.execute(
        update(_table)
        .where(
            _table.c.state == "claimed",
            _table.c.claimed_by == worker,
            _table.c.id.in_(sorted(untried)),
        )
        .values(
            state="pending",
            claimed_by=None,
            lease_until=None,
            tried_at=None,
            attempts=_table.c.attempts - 1,
        )
        .returning(_table.c.id)
    )
    return len(result.all())
