"""The outbox in the database: reconciling items, planning everything, claims."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.planner import Planned, Rules
from storage import claims, notifications, outbox, outcomes, reconcile
from storage.claims import Claimed
from storage.models import Deadline, Meeting, Notification, Theme, WorkPackage
from storage.reconcile import Stored, diff
from tests.db import is_postgres, requires_postgres
from tests.seed import seed

Db = async_sessionmaker[AsyncSession]
RULES = Rules(ZoneInfo("Europe/Helsinki"), time(9, 0))
NOW = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
CREATED = datetime(2027, 3, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


@pytest.fixture
async def db(session_factory: Db) -> Db:
    await seed(session_factory)
    return session_factory


async def theme_id(db: Db, key: str = "liikenne") -> int:
    async with db() as session:
        found = await session.scalar(select(Theme.id).where(Theme.key == key))
    assert found is not None
    return found


async def add_deadline(db: Db, due: date, remind: list[str] | None = None, key: str = "d1") -> int:
    async with db() as session, session.begin():
        deadline = Deadline(
            key=key,
            title="Raportti",
            due_date=due,
            theme_id=await theme_id(db),
            remind=remind or ["7d", "1d", "0d"],
            created_at=CREATED,
        )
        session.add(deadline)
        await session.flush()
        await outbox.reconcile_deadline(session, deadline.id, RULES, NOW)
        return deadline.id


async def rows(db: Db) -> dict[str, tuple[str, datetime]]:
    async with db() as session:
        found = await session.execute(
            select(Notification.identity, Notification.state, Notification.due_at)
        )
        return {identity: (state, due) for identity, state, due in found}


# --- reconciling one item ---------------------------------------------------------------------


async def test_a_new_deadline_gets_its_reminders_but_none_already_past(db: Db) -> None:
    deadline_id = await add_deadline(db, date(2027, 4, 5))  # 7d would be 29 March: past
    assert await rows(db) == {
        f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-05T21:00Z": ("pending", utc(2027, 4, 4, 6)),
        f"deadline:{deadline_id}:0d:C0LIIKENNE@2027-04-05T21:00Z": ("pending", utc(2027, 4, 5, 6)),
    }
    async with db() as session:
        note = await session.scalar(select(Notification).order_by(Notification.due_at).limit(1))
    assert note is not None
    assert (note.kind, note.subject_type, note.subject_id, note.target, note.attempts) == (
        "deadline_reminder",
        "deadline",
        deadline_id,
        "C0LIIKENNE",
        0,
    )
    assert note.payload == {"offset": "1d", "event_at": "2027-04-05T21:00:00+00:00"}


async def test_a_move_plans_every_offset_ahead_again_and_a_sent_one_stays_sent(db: Db) -> None:
    deadline_id = await add_deadline(db, date(2027, 4, 20))
    old = f"deadline:{deadline_id}:{{}}:C0LIIKENNE@2027-04-20T21:00Z"
    async with db() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(Notification.identity == old.format("7d"))
            .values(state="sent")
        )
        deadline = await session.get(Deadline, deadline_id)
        assert deadline is not None
        deadline.due_date, deadline.remind = date(2027, 4, 22), ["7d", "1d"]
        await outbox.reconcile_deadline(session, deadline_id, RULES, NOW)
    new = f"deadline:{deadline_id}:{{}}:C0LIIKENNE@2027-04-22T21:00Z"
    assert await rows(db) == {
        old.format("7d"): ("sent", utc(2027, 4, 13, 6)),  # untouched
        old.format("1d"): ("cancelled", utc(2027, 4, 19, 6)),
        old.format("0d"): ("cancelled", utc(2027, 4, 20, 6)),
        new.format("7d"): ("pending", utc(2027, 4, 15, 6)),  # sent for the old time: again
        new.format("1d"): ("pending", utc(2027, 4, 21, 6)),
    }


async def test_a_move_back_revives_what_was_not_sent_for_that_time(db: Db) -> None:
    deadline_id = await add_deadline(db, date(2027, 4, 20))
    first = f"deadline:{deadline_id}:{{}}:C0LIIKENNE@2027-04-20T21:00Z"
    async with db() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(Notification.identity == first.format("7d"))
            .values(state="sent")
        )
    for day in (date(2027, 4, 24), date(2027, 4, 20)):
        async with db() as session, session.begin():
            await session.execute(
                update(Deadline).where(Deadline.id == deadline_id).values(due_date=day)
            )
            await outbox.reconcile_deadline(session, deadline_id, RULES, NOW)
    found = await rows(db)
    assert found[first.format("7d")] == ("sent", utc(2027, 4, 13, 6))  # not reminded twice
    assert found[first.format("1d")] == ("pending", utc(2027, 4, 19, 6))
    later = f"deadline:{deadline_id}:{{}}:C0LIIKENNE@2027-04-24T21:00Z"
    assert {found[later.format(o)][0] for o in ("7d", "1d", "0d")} == {"cancelled"}


async def test_an_offset_planned_again_revives_its_cancelled_notification(db: Db) -> None:
    deadline_id = await add_deadline(db, date(2027, 4, 20), ["1d"])
    for remind in (["7d"], ["1d"]):
        async with db() as session, session.begin():
            deadline = await session.get(Deadline, deadline_id)
            assert deadline is not None
            deadline.remind = remind
            await outbox.reconcile_deadline(session, deadline_id, RULES, NOW)
    identity = f"deadline:{deadline_id}:1d:C0LIIKENNE@2027-04-20T21:00Z"
    assert (await rows(db))[identity] == ("pending", utc(2027, 4, 19, 6))


async def test_a_deleted_item_loses_its_pending_notifications(db: Db) -> None:
    deadline_id = await add_deadline(db, date(2027, 4, 20))
    async with db() as session, session.begin():
        await session.delete(await session.get(Deadline, deadline_id))
        await outbox.drop(session, "deadline", deadline_id)
    assert {state for state, _due in (await rows(db)).values()} == {"cancelled"}


async def test_reconciling_a_vanished_item_cancels_too(db: Db) -> None:
    deadline_id = await add_deadline(db, date(2027, 4, 20))
    async with db() as session, session.begin():
        await session.delete(await session.get(Deadline, deadline_id))
        await outbox.reconcile_deadline(session, deadline_id, RULES, NOW)
    assert {state for state, _due in (await rows(db)).values()} == {"cancelled"}


async def test_a_done_package_loses_its_notices(db: Db) -> None:
    async with db() as session, session.begin():
        package = WorkPackage(
            theme_id=await theme_id(db),
            number=1,
            title="Indikaattorit",
            owner_user_id="U0MEMBER1",
            due_date=date(2027, 6, 30),
            created_at=CREATED,
        )
        session.add(package)
        await session.flush()
        await outbox.reconcile_work_package(session, package.id, RULES, NOW)
    assert {state for state, _ in (await rows(db)).values()} == {"pending"}
    async with db() as session, session.begin():
        package.status = "done"
        session.add(package)
        await outbox.reconcile_work_package(session, package.id, RULES, NOW)
    assert {state for state, _ in (await rows(db)).values()} == {"cancelled"}


async def test_a_package_asks_its_owner_before_a_network_meeting_only_when_told_owners_changed(
    db: Db,
) -> None:
    async with db() as session, session.begin():
        session.add(
            Meeting(
                key="m1",
                title="Verkostotapaaminen",
                starts_at=utc(2027, 5, 20, 7),
                audience_all=True,
                created_at=CREATED,
            )
        )
        package = WorkPackage(
            theme_id=await theme_id(db),
            number=1,
            title="Indikaattorit",
            owner_user_id="U0NEWOWNER",
            created_at=CREATED,
        )
        session.add(package)
        await session.flush()
        await outbox.reconcile_work_package(session, package.id, RULES, NOW, owners_changed=False)
    asked = [key for key in await rows(db) if "status-3d" in key and "U0NEWOWNER" in key]
    assert not asked
    async with db() as session, session.begin():
        await outbox.reconcile_work_package(session, package.id, RULES, NOW)
    asked = [key for key in await rows(db) if "status-3d" in key and "U0NEWOWNER" in key]
    assert len(asked) == 1


# --- the pure difference ------------------------------------------------------------------------


def planned(identity: str, at: datetime) -> Planned:
    return Planned(identity, "deadline_reminder", "deadline", 1, "C1", at)


def stored(identity: str, at: datetime, state: str = "pending", row_id: int = 1) -> Stored:
    return Stored(row_id, identity, "deadline_reminder", state, "C1", at, {})


def test_the_difference_inserts_updates_and_cancels_only_what_it_must() -> None:
    later, past = NOW + timedelta(days=1), NOW - timedelta(minutes=1)
    existing = {
        "same": stored("same", later, row_id=1),
        "moved": stored("moved", later, row_id=2),
        "gone": stored("gone", later, row_id=3),
        "sent": stored("sent", later, "sent", row_id=4),
        "claimed": stored("claimed", later, "claimed", row_id=5),
        "revived": stored("revived", later, "cancelled", row_id=6),
        "into-past": stored("into-past", later, row_id=7),
    }
    wanted = [
        planned("same", later),
        planned("moved", later + timedelta(hours=1)),
        planned("sent", later + timedelta(hours=1)),
        planned("claimed", later + timedelta(hours=1)),
        planned("revived", later),
        planned("into-past", past),
        planned("new", later),
        planned("new-but-past", past),
    ]
    changes = diff(existing, wanted, NOW)
    assert [p.identity for p in changes.insert] == ["new"]
    assert [(row_id, p.identity) for row_id, p in changes.update] == [(2, "moved"), (6, "revived")]
    assert sorted(changes.cancel) == [3, 7]


def test_a_notification_tried_before_keeps_its_time_but_can_still_be_dropped() -> None:
    later = NOW + timedelta(days=1)
    tried = Stored(1, "tried", "deadline_reminder", "pending", "C1", later, {}, attempts=1)
    gone = Stored(2, "gone", "deadline_reminder", "pending", "C1", later, {}, attempts=1)
    changes = diff({"tried": tried, "gone": gone}, [planned("tried", later + timedelta(1))], NOW)
    assert (changes.insert, changes.update, changes.cancel) == ([], [], [2])


# --- planning everything ----------------------------------------------------------------------


@contextmanager
def executed(engine: AsyncEngine) -> Iterator[list[tuple[str, object]]]:
    """Every statement run on `engine` meanwhile, with the values it ran with."""
    ran: list[tuple[str, object]] = []

    def record(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        ran.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def many_items(db: Db, count: int) -> None:
    liikenne = await theme_id(db)
    async with db() as session, session.begin():
        session.add_all(
            Deadline(
                key=f"d{n}",
                title=f"D{n}",
                due_date=date(2027, 5, 1) + timedelta(days=n % 60),
                theme_id=liikenne,
                created_at=CREATED,
            )
            for n in range(count)
        )
        session.add_all(
            WorkPackage(
                theme_id=liikenne,
                number=n,
                title=f"W{n}",
                owner_user_id="U0MEMBER1",
                due_date=date(2027, 6, 1),
                created_at=CREATED,
            )
            for n in range(count)
        )
        session.add(
            Meeting(
                key="m1",
                title="Verkostotapaaminen",
                starts_at=utc(2027, 5, 20, 7),
                audience_all=True,
                created_at=CREATED,
            )
        )


async def plan_all(db: Db) -> bool:
    async with db() as session, session.begin():
        return await outbox.plan_everything(session, RULES, NOW)


@pytest.mark.parametrize("count", [10, 1500])
async def test_planning_everything_takes_the_same_few_statements_for_any_count(
    db: Db, engine: AsyncEngine, count: int
) -> None:
    await many_items(db, count)
    with executed(engine) as statements:
        assert await plan_all(db) is True
    # Selects and bulk writes; the 1000-id chunks add a couple per thousand items.
    assert len(statements) <= 25 + 4 * (count // 1000)
    found = await rows(db)
    assert len([i for i in found if i.startswith("deadline:")]) == 3 * count
    assert len([i for i in found if i.startswith("wp:")]) == 2 * count
    assert "meeting:1:review-1d:C0NETWORK" not in found  # no announcement channel configured
    assert "digest:1:2027-W14:C0LIIKENNE" in found  # Monday 5 April


async def test_planning_everything_again_changes_nothing(db: Db, engine: AsyncEngine) -> None:
    await many_items(db, 20)
    await plan_all(db)
    before = await rows(db)
    with executed(engine) as statements:
        assert await plan_all(db) is True
    assert await rows(db) == before
    assert statements  # it did look
    assert not [s for s, _ in statements if s.startswith(("INSERT", "UPDATE"))]


@requires_postgres
async def test_only_one_process_plans_everything_at_a_time(db: Db) -> None:
    async with db() as first, first.begin():
        assert await outbox.plan_everything(first, RULES, NOW) is True
        async with db() as second, second.begin():
            assert await outbox.plan_everything(second, RULES, NOW) is False


# --- claims -----------------------------------------------------------------------------------


async def notes(db: Db, *specs: tuple[str, str, datetime]) -> None:
    async with db() as session, session.begin():
        await reconcile.insert(
            session,
            [
                Planned(identity, "deadline_reminder", "deadline", 1, target, at)
                for identity, target, at in specs
            ],
            CREATED,
        )


def flat(batch: claims.Batch) -> list[Claimed]:
    return [note for notes in batch.notes.values() for note in notes]


async def claim(db: Db, now: datetime = NOW, worker: str = "w1", per_target: int = 5) -> list[str]:
    async with db() as session, session.begin():
        found = await claims.claim(session, now, worker, timedelta(seconds=60), 100, per_target)
    return [c.identity for c in flat(found)]


async def test_a_claim_takes_what_is_due_oldest_first_and_leases_it(db: Db) -> None:
    await notes(
        db,
        ("b", "C1", NOW - timedelta(minutes=1)),
        ("a", "C1", NOW - timedelta(minutes=2)),
        ("future", "C1", NOW + timedelta(seconds=1)),
    )
    assert await claim(db) == ["a", "b"]
    assert await claim(db) == []  # leased
    async with db() as session:
        note = await session.scalar(select(Notification).where(Notification.identity == "a"))
    assert note is not None
    assert (note.state, note.claimed_by, note.attempts) == ("claimed", "w1", 1)
    assert note.lease_until == NOW + timedelta(seconds=60)
    # The lease runs out: someone else claims it, and the count says it was claimed before.
    assert await claim(db, NOW + timedelta(seconds=61), "w2") == ["a", "b", "future"]
    async with db() as session:
        again = await session.scalar(select(Notification).where(Notification.identity == "a"))
    assert again is not None and (again.claimed_by, again.attempts) == ("w2", 2)


async def test_a_claim_spreads_over_targets(db: Db) -> None:
    due = NOW - timedelta(minutes=1)
    await notes(db, *((f"c1-{n}", "C1", due) for n in range(5)), ("c2-0", "C2", due))
    assert sorted(await claim(db, per_target=2)) == ["c1-0", "c1-1", "c2-0"]


async def test_concurrent_claims_never_take_the_same_notification(db: Db) -> None:
    due = NOW - timedelta(minutes=1)
    await notes(db, *((f"n{n}", f"C{n % 40}", due) for n in range(200)))

    async def claimed(worker: str) -> list[tuple[str, str]]:
        async with db() as session, session.begin():
            found = await claims.claim(session, NOW, worker, timedelta(seconds=60), 50, 5)
        return [(c.identity, c.target) for c in flat(found)]

    results: list[list[tuple[str, str]]] = []
    for _round in range(10):  # a claimer racing another may come back short: it tries again
        results += await asyncio.gather(*(claimed(f"w{n}") for n in range(4)))
    taken = [identity for result in results for identity, _target in result]
    assert len(taken) == len(set(taken)) == 200


async def test_a_held_target_is_left_to_its_holder_until_its_lease_runs_out(db: Db) -> None:
    due = NOW - timedelta(minutes=1)
    await notes(db, *((f"c1-{n}", "C1", due) for n in range(3)), ("c2", "C2", due))
    async with db() as session, session.begin():
        first = await claims.claim(session, NOW, "w1", timedelta(seconds=60), 1, 1, target="C1")
    assert [c.identity for c in flat(first)] == ["c1-0"]
    assert await claim(db, worker="w2") == ["c2"]
    assert await claim(db, NOW + timedelta(seconds=61), "w2") == ["c1-0", "c1-1", "c1-2", "c2"]
    async with db() as session, session.begin():
        mine = await claims.claim(session, NOW, "w3", timedelta(seconds=60), 9, 9, skip={"C2"})
    assert mine.notes == {}


async def test_a_sender_refills_its_own_target_while_it_still_holds_the_last_one(db: Db) -> None:
    due, lease = NOW - timedelta(minutes=1), timedelta(seconds=60)
    await notes(db, *((f"c1-{n}", "C1", due) for n in range(3)))

    async def refill(worker: str) -> list[str]:
        async with db() as session, session.begin():
            found = await claims.claim(session, NOW, worker, lease, 1, 1, target="C1")
        return [c.identity for c in flat(found)]

    assert await refill("w1") == ["c1-0"]
    assert await refill("w1") == ["c1-1"]  # c1-0 is still w1's (posting): no wait for it
    assert await refill("w2") == []  # another sender leaves w1's target alone


@requires_postgres
async def test_whole_target_claims_take_turns_so_no_target_is_split(db: Db) -> None:
    due, lease = NOW - timedelta(minutes=1), timedelta(seconds=60)
    await notes(db, *((f"n{n}", f"C{n % 4}", due) for n in range(20)))
    async with db() as first, first.begin():
        mine = flat(await claims.claim(first, NOW, "w1", lease, 10, 5))

        async def second() -> list[Claimed]:
            async with db() as session, session.begin():
                return flat(await claims.claim(session, NOW, "w2", lease, 10, 5))

        theirs = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not theirs.done()  # it waits for its turn, not skipping w1's locked rows
    found = await theirs
    assert {c.target for c in mine} == {"C0", "C1"} and len(mine) == 10
    assert {c.target for c in found} == {"C2", "C3"} and len(found) == 10


async def test_release_gives_back_only_claims_whose_call_was_not_made(db: Db) -> None:
    due = NOW - timedelta(minutes=1)
    await notes(db, ("tried", "C1", due), ("untried", "C2", due))
    async with db() as session, session.begin():
        batch = await claims.claim(session, NOW, "w1", timedelta(seconds=60), 10, 10)
    async with db() as session, session.begin():
        ids = dict((await session.execute(select(Notification.identity, Notification.id))).all())
        [untried] = [n for n in flat(batch) if n.identity == "untried"]
        assert await claims.start_try(session, untried, "w1", NOW, timedelta(seconds=60))
        assert await claims.release(session, "w1", {ids["untried"]}) == 1
    async with db() as session:
        found = await session.execute(
            select(
                Notification.identity,
                Notification.state,
                Notification.attempts,
                Notification.claimed_by,
                Notification.tried_at,
            ).order_by(Notification.identity)
        )
        assert [tuple(row) for row in found] == [
            ("tried", "claimed", 1, "w1", None),  # its lease runs out: it may have been posted
            ("untried", "pending", 0, None, None),
        ]


async def test_a_target_comes_with_its_last_post_and_immediate_posts_first(db: Db) -> None:
    due = NOW - timedelta(minutes=1)
    await notes(db, ("sent", "C1", due - timedelta(hours=1)), ("scheduled", "C1", due))
    async with db() as session, session.begin():
        later = Planned("later", "post", "network", 1, "C1", NOW + timedelta(hours=1))
        await reconcile.insert(session, [later], NOW)  # not due yet
        now_post = Planned("immediate", "post", "network", 1, "C1", NOW)
        await outbox.enqueue(session, [now_post], NOW)
        await session.execute(
            update(Notification)
            .where(Notification.identity == "sent")
            .values(state="sent", sent_at=NOW - timedelta(seconds=30))
        )
    async with db() as session, session.begin():
        batch = await claims.claim(session, NOW, "w1", timedelta(seconds=60), 10, 10)
    assert [c.identity for c in flat(batch)] == ["immediate", "scheduled"]
    assert batch.last_sent == {"C1": NOW - timedelta(seconds=30)}


async def test_a_deferred_notification_waits_until_its_time(db: Db) -> None:
    await notes(db, ("x", "C1", NOW - timedelta(minutes=1)))
    async with db() as session, session.begin():
        [note] = flat(await claims.claim(session, NOW, "w1", timedelta(seconds=60), 10, 10))
        later = NOW + timedelta(seconds=7)
        assert await outcomes.record_later(
            session, note.id, "w1", NOW, later, "ratelimited", tried_at=None
        )
    assert await claim(db, NOW + timedelta(seconds=6)) == []
    assert await claim(db, later) == ["x"]


async def test_recording_needs_the_claim_to_be_still_this_workers(db: Db) -> None:
    await notes(db, ("x", "C1", NOW - timedelta(minutes=1)))
    lease = timedelta(seconds=60)
    async with db() as session, session.begin():
        [note] = flat(await claims.claim(session, NOW, "w1", lease, 10, 10))
    after = NOW + timedelta(seconds=61)  # w1's lease ran out: w2 takes it over
    assert await claim(db, after, "w2") == ["x"]
    async with db() as session, session.begin():
        assert not await claims.start_try(session, note, "w1", after, lease)
        assert not await outcomes.record_sent(session, note.id, "w1", after, "C1", "1.0")


async def test_a_failed_notification_can_be_queued_again_remembering_its_time(db: Db) -> None:
    await notes(db, ("x", "C1", NOW - timedelta(hours=2)))
    async with db() as session, session.begin():
        note_id = await session.scalar(select(Notification.id))
        await session.execute(update(Notification).values(state="failed"))
        assert note_id is not None
        assert await notifications.retry(session, note_id, NOW) is True
        assert await notifications.retry(session, note_id, NOW) is False  # pending now, not failed
        assert await notifications.retry(session, 999, NOW) is False
    async with db() as session:
        note = await session.get(Notification, note_id)
    assert note is not None
    assert (note.state, note.due_at) == ("pending", NOW)
    assert note.payload["meant_for"] == "2027-04-01T07:00:00+00:00"


@requires_postgres
async def test_the_claim_uses_the_state_index_however_many_future_rows(
    db: Db, engine: AsyncEngine
) -> None:
    async with db() as session, session.begin():
        await session.execute(
            text(
                "INSERT INTO notification (identity, kind, subject_type, subject_id, target,"
                " due_at, state, attempts, payload, created_at, updated_at)"
                " SELECT 'f' || n, 'digest', 'theme', 1, 'C' || (n % 50),"
                " now() + interval '1 day', 'pending', 0, '{}', now(), now()"
                " FROM generate_series(1, 20000) AS n"
            )
        )
    async with db() as session:
        await session.execute(text("ANALYZE notification"))
    with executed(engine) as ran:
        assert await claim(db, datetime.now(UTC)) == []
    # The plan of the claim's own statement, with the values it ran with.
    [(statement, parameters)] = [(s, p) for s, p in ran if "UPDATE notification" in s]
    async with engine.connect() as connection:
        rows = await connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)  # type: ignore[arg-type]
        plan = "\n".join(row[0] for row in rows)
    assert "ix_notification_state_due_at" in plan and "Seq Scan" not in plan, plan


def test_postgres_flag_is_what_the_run_says(engine: AsyncEngine) -> None:
    assert engine.dialect.name == ("postgresql" if is_postgres() else "sqlite")
