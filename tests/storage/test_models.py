"""What the schema itself guarantees, on whichever database the run uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError, InvalidRequestError, StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from storage.db import create_engine, ping
from storage.models import (
    AgendaItem,
    Material,
    Meeting,
    Member,
    Network,
    Notification,
    Organisation,
    Registration,
    Theme,
    WorkPackage,
    WorkPackageUpdate,
)
from tests.db import is_postgres, requires_postgres

HELSINKI = ZoneInfo("Europe/Helsinki")
Sessions = async_sessionmaker[AsyncSession]


async def add_theme(session: AsyncSession, key: str = "liikenne") -> Theme:
    theme = Theme(key=key, name=key.title())
    session.add(theme)
    await session.flush()
    return theme


@pytest.mark.parametrize("run", [1, 2])
async def test_each_test_starts_with_an_empty_database(session_factory: Sessions, run: int) -> None:
    async with session_factory.begin() as session:
        theme = await add_theme(session)
    assert theme.id == 1
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Theme)) == 1


async def test_datetimes_come_back_aware_in_utc(session_factory: Sessions) -> None:
    nine_in_helsinki = datetime(2027, 5, 20, 9, 0, tzinfo=HELSINKI)
    async with session_factory.begin() as session:
        session.add(Meeting(key="tyopaja", title="Työpaja", starts_at=nine_in_helsinki))

    async with session_factory() as session:
        meeting = await session.scalar(select(Meeting))
    assert meeting is not None
    assert meeting.starts_at == nine_in_helsinki
    assert meeting.starts_at.tzinfo is UTC
    assert meeting.starts_at.hour == 6
    assert meeting.created_at.tzinfo is UTC


async def test_datetimes_compare_as_instants_in_sql(session_factory: Sessions) -> None:
    nine_in_helsinki = datetime(2027, 5, 20, 9, 0, tzinfo=HELSINKI)
    async with session_factory.begin() as session:
        session.add(Meeting(key="tyopaja", title="Työpaja", starts_at=nine_in_helsinki))

    async with session_factory() as session:
        at = Meeting.starts_at
        six_utc = datetime(2027, 5, 20, 6, 0, tzinfo=UTC)
        assert await session.scalar(select(func.count()).where(at >= six_utc)) == 1
        later = six_utc + timedelta(minutes=30)
        assert await session.scalar(select(func.count()).where(at >= later)) == 0


async def test_a_naive_datetime_is_refused(session_factory: Sessions) -> None:
    async with session_factory() as session:
        session.add(Meeting(key="tyopaja", title="Työpaja", starts_at=datetime(2027, 5, 20, 9)))
        with pytest.raises(StatementError) as error:
            await session.flush()
    assert isinstance(error.value.orig, ValueError)


@pytest.mark.parametrize(("field", "value"), [("status", "almost"), ("progress", 101)])
async def test_check_constraints_refuse_bad_work_packages(
    session_factory: Sessions, field: str, value: object
) -> None:
    async with session_factory() as session:
        theme = await add_theme(session)
        session.add(
            WorkPackage(theme_id=theme.id, number=1, title="Indikaattorit", **{field: value})
        )
        with pytest.raises(IntegrityError):
            await session.flush()


async def test_a_registration_needs_a_user_or_an_organisation(session_factory: Sessions) -> None:
    async with session_factory() as session:
        theme = await add_theme(session)
        session.add(Registration(theme_id=theme.id, registered_by="U1"))
        with pytest.raises(IntegrityError):
            await session.flush()


async def test_a_member_registers_only_once_per_theme(session_factory: Sessions) -> None:
    async with session_factory() as session:
        theme = await add_theme(session)
        session.add(Registration(theme_id=theme.id, user_id="U1", registered_by="U1"))
        await session.flush()
        session.add(Registration(theme_id=theme.id, user_id="U1", registered_by="U1"))
        with pytest.raises(IntegrityError):
            await session.flush()


async def test_registrations_without_a_user_do_not_clash(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        theme = await add_theme(session)
        tampere, nokia = Organisation(key="tampere", name="T"), Organisation(key="nokia", name="N")
        session.add_all([tampere, nokia])
        await session.flush()
        for organisation in (tampere, nokia):
            session.add(
                Registration(theme_id=theme.id, organisation_id=organisation.id, registered_by="U1")
            )
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Registration)) == 2


async def test_deleting_a_theme_deletes_its_work_packages(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        theme = await add_theme(session)
        package = WorkPackage(theme_id=theme.id, number=1, title="Indikaattorit")
        session.add(package)
        await session.flush()
        session.add(
            WorkPackageUpdate(
                work_package_id=package.id, user_id="U1", new_status="done", progress=100
            )
        )

    async with session_factory.begin() as session:
        # Through the ORM: the unloaded collections must not be loaded (they would raise).
        await session.delete(await session.get_one(Theme, theme.id))

    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(WorkPackage)) == 0
        assert await session.scalar(select(func.count()).select_from(WorkPackageUpdate)) == 0


async def test_deleting_an_organisation_unlinks_its_members(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        organisation = Organisation(key="tampere", name="Tampere", kind="region")
        session.add(organisation)
        await session.flush()
        session.add(Member(user_id="U1", organisation_id=organisation.id))
    async with session_factory.begin() as session:
        await session.execute(delete(Organisation))
    async with session_factory() as session:
        member = await session.scalar(select(Member))
        assert member is not None
        assert member.organisation_id is None


async def test_defaults(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        network = Network(name="MAL-verkosto")
        theme = Theme(key="liikenne", name="Liikenne")
        meeting = Meeting(key="m", title="M", starts_at=datetime.now(UTC))
        notification = Notification(
            identity="deadline:1:7d:C1",
            kind="deadline_reminder",
            subject_type="deadline",
            target="C1",
            due_at=datetime.now(UTC),
        )
        session.add_all([network, theme, meeting, notification])

    async with session_factory() as session:
        network = await session.get_one(Network, network.id)
        assert (network.timezone, network.language) == ("Europe/Helsinki", "fi")
        assert len(network.calendar_token) >= 32
        theme = await session.get_one(Theme, theme.id)
        assert (theme.next_wp_number, theme.digest_enabled, theme.archived) == (1, True, False)
        meeting = await session.get_one(Meeting, meeting.id)
        assert meeting.remind == ["7d", "1d", "1h"]
        notification = await session.get_one(Notification, notification.id)
        assert (notification.state, notification.attempts, notification.payload) == (
            "pending",
            0,
            {},
        )


async def test_in_place_changes_to_json_lists_are_saved(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        material = Material(title="Raportti", url="https://example.org", added_by="U1")
        session.add(material)
    async with session_factory.begin() as session:
        material = await session.get_one(Material, material.id)
        material.tags.append("seuranta")
    async with session_factory() as session:
        material = await session.get_one(Material, material.id)
        assert material.tags == ["seuranta"]


async def test_updated_at_moves_on_update(session_factory: Sessions) -> None:
    async with session_factory.begin() as session:
        theme = await add_theme(session)
    created_at, updated_at = theme.created_at, theme.updated_at
    async with session_factory.begin() as session:
        theme = await session.get_one(Theme, theme.id)
        theme.name = "Liikenne ja saavutettavuus"
    assert theme.updated_at > updated_at
    assert theme.created_at == created_at


async def test_agenda_comes_with_its_meeting_and_nothing_loads_lazily(
    session_factory: Sessions,
) -> None:
    async with session_factory.begin() as session:
        theme = await add_theme(session)
        meeting = Meeting(key="m", title="M", starts_at=datetime.now(UTC), themes=[theme])
        meeting.agenda_items = [
            AgendaItem(position=2, title="Johdatus"),
            AgendaItem(position=1, title="Kahvit"),
        ]
        session.add(meeting)

    async with session_factory() as session:
        loaded = await session.get_one(Meeting, meeting.id)
        assert [item.title for item in loaded.agenda_items] == ["Kahvit", "Johdatus"]
        assert [t.key for t in loaded.themes] == ["liikenne"]
        with pytest.raises(InvalidRequestError):
            _ = loaded.materials
        with_packages = await session.scalar(
            select(Theme).options(selectinload(Theme.work_packages)).where(Theme.key == "liikenne")
        )
        assert with_packages is not None
        assert with_packages.work_packages == []


async def test_ping(engine: AsyncEngine, tmp_path: Path) -> None:
    assert await ping(engine)
    nowhere = create_engine(f"sqlite:///{tmp_path}/missing/dir/x.db")
    try:
        assert not await ping(nowhere)
    finally:
        await nowhere.dispose()


@pytest.mark.skipif(is_postgres(), reason="SQLite connection settings")
async def test_sqlite_connections_enforce_foreign_keys_and_wait_for_locks(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        assert await connection.scalar(text("PRAGMA foreign_keys")) == 1
        assert await connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert await connection.scalar(text("PRAGMA busy_timeout")) >= 1000


@requires_postgres
async def test_ping_fails_on_an_unreachable_server() -> None:
    nowhere = create_engine("postgresql://postgres@127.0.0.1:1/test")
    try:
        assert not await ping(nowhere, timeout=2)
    finally:
        await nowhere.dispose()


@requires_postgres
async def test_the_tick_query_uses_the_outbox_index(engine: AsyncEngine) -> None:
    # Many future rows must not make "what is due now?" scan the table.
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO notification (identity, kind, subject_type, target, due_at, state,"
                " attempts, payload, created_at, updated_at)"
                " SELECT 'n' || i, 'deadline_reminder', 'deadline', 'C1',"
                " now() + i * interval '1 minute', 'pending', 0, '{}', now(), now()"
                " FROM generate_series(1, 50000) AS i"
            )
        )
        await connection.execute(text("ANALYZE notification"))
        plan = "\n".join(
            await connection.scalars(
                text(
                    "EXPLAIN SELECT id FROM notification WHERE state = 'pending'"
                    " AND due_at <= now() ORDER BY due_at LIMIT 50"
                )
            )
        )
    assert "ix_notification_state_due_at" in plan
    assert "Seq Scan" not in plan
    assert "Sort" not in plan.replace("Sort Key", "")
