"""The planner's rules (PRODUCT.md §4) with plain values, across both 2027 DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.dates import Offset, parse_offsets
from bot.planner import (
    DeadlineItem,
    MeetingItem,
    Planned,
    Rules,
    ThemeItem,
    WorkPackageItem,
    late_for,
    plan_deadline,
    plan_meeting,
    plan_theme,
    plan_work_package,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
RULES = Rules(HELSINKI, time(9, 0))
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


def deadline(
    due: date,
    at: time | None = None,
    remind: str = "7d,1d,0d",
    created: datetime = LONG_AGO,
    registration: bool = False,
    channel: str | None = "C0LIIKENNE",
) -> DeadlineItem:
    offsets = tuple(parse_offsets(remind))
    return DeadlineItem(12, "Raportti", due, at, 3, channel, offsets, registration, created)


def meeting(
    starts: datetime,
    remind: str = "7d,1d,1h",
    channels: tuple[str, ...] = ("C0LIIKENNE",),
    audience_all: bool = False,
    owners: tuple[str, ...] = (),
    cancelled: bool = False,
    created: datetime = LONG_AGO,
) -> MeetingItem:
    offsets = tuple(parse_offsets(remind))
    return MeetingItem(4, starts, channels, offsets, cancelled, audience_all, created, owners)


def package(
    due: date | None = date(2027, 6, 30),
    status: str = "in_progress",
    owner: str | None = "U0AAA",
    contacts: tuple[str, ...] = (),
    created: datetime = LONG_AGO,
) -> WorkPackageItem:
    return WorkPackageItem(77, "C0LIIKENNE", owner, contacts, due, status, created)


def bare(identity: str) -> str:
    """What and where a notification is, without the time of what it is about (tested apart)."""
    return identity.split("@")[0]


def times(planned: list[Planned]) -> dict[str, datetime]:
    return {bare(p.identity): p.due_at for p in planned}


def test_an_identity_carries_the_time_of_what_it_is_about() -> None:
    timed = plan_deadline(deadline(date(2027, 4, 28), time(16, 0), remind="1d"), RULES)
    assert [p.identity for p in timed] == ["deadline:12:1d:C0LIIKENNE@2027-04-28T13:00Z"]
    moved = plan_deadline(deadline(date(2027, 4, 29), time(16, 0), remind="1d"), RULES)
    assert [p.identity for p in moved] == ["deadline:12:1d:C0LIIKENNE@2027-04-29T13:00Z"]
    overdue = [p for p in plan_work_package(package(), RULES) if p.kind == "wp_overdue"]
    assert [p.identity for p in overdue] == ["wp:77:overdue:C0LIIKENNE@2027-06-30T21:00Z"]


# --- deadlines --------------------------------------------------------------------------------


def test_a_date_only_deadline_is_reminded_at_reminder_time_n_days_before() -> None:
    planned = plan_deadline(deadline(date(2027, 4, 28)), RULES)
    assert times(planned) == {
        "deadline:12:7d:C0LIIKENNE": utc(2027, 4, 21, 6, 0),  # 09:00 EEST
        "deadline:12:1d:C0LIIKENNE": utc(2027, 4, 27, 6, 0),
        "deadline:12:0d:C0LIIKENNE": utc(2027, 4, 28, 6, 0),
    }
    assert {p.kind for p in planned} == {"deadline_reminder"}
    assert {(p.subject_type, p.subject_id, p.target) for p in planned} == {
        ("deadline", 12, "C0LIIKENNE")
    }
    # Due at the end of its day (local 24:00), which is what "the event has happened" means.
    assert {p.event_at for p in planned} == {utc(2027, 4, 28, 21, 0)}
    assert planned[0].payload == {"offset": "7d"}


def test_a_timed_deadline_is_reminded_at_its_own_clock_time_and_0d_at_reminder_time() -> None:
    planned = plan_deadline(deadline(date(2027, 4, 28), time(16, 0)), RULES)
    assert times(planned) == {
        "deadline:12:7d:C0LIIKENNE": utc(2027, 4, 21, 13, 0),  # 16:00 EEST
        "deadline:12:1d:C0LIIKENNE": utc(2027, 4, 27, 13, 0),
        "deadline:12:0d:C0LIIKENNE": utc(2027, 4, 28, 6, 0),  # 09:00 on the day
    }


def test_0d_is_not_planned_when_reminder_time_is_not_before_the_due_time() -> None:
    for at in (time(8, 0), time(9, 0)):
        planned = plan_deadline(deadline(date(2027, 4, 28), at, remind="0d,1d"), RULES)
        assert list(times(planned)) == ["deadline:12:1d:C0LIIKENNE"]


def test_hours_and_minutes_are_exact_durations_before_the_due_instant() -> None:
    timed = plan_deadline(deadline(date(2027, 4, 28), time(16, 0), remind="2h,30m"), RULES)
    assert times(timed) == {
        "deadline:12:2h:C0LIIKENNE": utc(2027, 4, 28, 11, 0),
        "deadline:12:30m:C0LIIKENNE": utc(2027, 4, 28, 12, 30),
    }
    date_only = plan_deadline(deadline(date(2027, 4, 28), remind="2h"), RULES)
    assert times(date_only) == {"deadline:12:2h:C0LIIKENNE": utc(2027, 4, 28, 19, 0)}  # 22:00


def test_finnish_offsets_give_the_same_identities() -> None:
    planned = plan_deadline(deadline(date(2027, 4, 28), time(16, 0), remind="7pv,2t,30min"), RULES)
    assert sorted(times(planned)) == [
        "deadline:12:2h:C0LIIKENNE",
        "deadline:12:30m:C0LIIKENNE",
        "deadline:12:7d:C0LIIKENNE",
    ]


def test_a_registration_deadline_has_registration_reminders() -> None:
    planned = plan_deadline(deadline(date(2027, 4, 28), registration=True), RULES)
    assert {p.kind for p in planned} == {"registration_reminder"}


def test_a_deadline_with_nowhere_to_go_plans_nothing() -> None:
    assert plan_deadline(deadline(date(2027, 4, 28), channel=None), RULES) == []


def test_nothing_is_planned_before_the_item_was_created() -> None:
    created = utc(2027, 4, 25, 12, 0)
    planned = plan_deadline(deadline(date(2027, 4, 28), created=created), RULES)
    assert sorted(times(planned)) == ["deadline:12:0d:C0LIIKENNE", "deadline:12:1d:C0LIIKENNE"]


def test_reminder_time_is_a_setting() -> None:
    rules = Rules(HELSINKI, time(7, 30))
    planned = plan_deadline(deadline(date(2027, 4, 28), remind="1d"), rules)
    assert times(planned) == {"deadline:12:1d:C0LIIKENNE": utc(2027, 4, 27, 4, 30)}


# --- daylight saving time in Europe/Helsinki, 2027 --------------------------------------------


def test_days_before_are_calendar_days_across_the_spring_change() -> None:
    # Due on Thursday 1 April (summer time); 7 days before is in winter time, still at 09:00.
    planned = plan_deadline(deadline(date(2027, 4, 1), remind="7d"), RULES)
    assert times(planned) == {"deadline:12:7d:C0LIIKENNE": utc(2027, 3, 25, 7, 0)}  # 09:00 EET


def test_a_time_in_the_spring_gap_is_placed_just_after_it() -> None:
    # 28 March 2027 03:30 does not exist in Helsinki (03:00 EET → 04:00 EEST): it is read with
    # the offset from before the gap, 03:30 EET = 04:30 EEST, never an hour early.
    planned = plan_deadline(deadline(date(2027, 3, 29), time(3, 30), remind="1d"), RULES)
    assert times(planned) == {"deadline:12:1d:C0LIIKENNE": utc(2027, 3, 28, 1, 30)}
    assert utc(2027, 3, 28, 1, 30).astimezone(HELSINKI).strftime("%H:%M %Z") == "04:30 EEST"
    rules = Rules(HELSINKI, time(3, 30))
    date_only = plan_deadline(deadline(date(2027, 3, 28), remind="0d"), rules)
    assert times(date_only) == {"deadline:12:0d:C0LIIKENNE": utc(2027, 3, 28, 1, 30)}


def test_an_exact_duration_crosses_the_spring_gap_as_real_time() -> None:
    # Noon EEST on 28 March is 09:00 UTC; 12 hours earlier is 21:00 UTC = 23:00 EET.
    planned = plan_deadline(deadline(date(2027, 3, 28), time(12, 0), remind="12h"), RULES)
    assert times(planned) == {"deadline:12:12h:C0LIIKENNE": utc(2027, 3, 27, 21, 0)}


def test_a_time_that_happens_twice_in_autumn_is_its_first_occurrence() -> None:
    # 31 October 2027 03:30 happens in EEST and again in EET: the first one, 00:30 UTC.
    planned = plan_deadline(deadline(date(2027, 11, 1), time(3, 30), remind="1d"), RULES)
    assert times(planned) == {"deadline:12:1d:C0LIIKENNE": utc(2027, 10, 31, 0, 30)}
    rules = Rules(HELSINKI, time(3, 30))
    date_only = plan_deadline(deadline(date(2027, 10, 31), remind="0d"), rules)
    assert times(date_only) == {"deadline:12:0d:C0LIIKENNE": utc(2027, 10, 31, 0, 30)}


def test_a_meeting_reminder_keeps_its_clock_time_across_the_autumn_change() -> None:
    starts = utc(2027, 11, 3, 8, 0)  # Wednesday 10:00 EET
    planned = plan_meeting(meeting(starts, remind="7d,1h"), RULES)
    assert times(planned) == {
        "meeting:4:7d:C0LIIKENNE": utc(2027, 10, 27, 7, 0),  # 10:00 EEST, not 7 × 24 h
        "meeting:4:1h:C0LIIKENNE": utc(2027, 11, 3, 7, 0),
    }


# --- meetings ---------------------------------------------------------------------------------


def test_meetings_are_reminded_7d_1d_and_1h_before_in_every_audience_channel() -> None:
    starts = utc(2027, 5, 20, 6, 0)  # 09:00 EEST
    planned = plan_meeting(meeting(starts, channels=("C0LIIKENNE", "C0DIGI")), RULES)
    assert times(planned) == {
        "meeting:4:7d:C0LIIKENNE": utc(2027, 5, 13, 6, 0),
        "meeting:4:7d:C0DIGI": utc(2027, 5, 13, 6, 0),
        "meeting:4:1d:C0LIIKENNE": utc(2027, 5, 19, 6, 0),
        "meeting:4:1d:C0DIGI": utc(2027, 5, 19, 6, 0),
        "meeting:4:1h:C0LIIKENNE": utc(2027, 5, 20, 5, 0),
        "meeting:4:1h:C0DIGI": utc(2027, 5, 20, 5, 0),
    }
    assert {(p.kind, p.event_at) for p in planned} == {("meeting_reminder", starts)}


def test_a_meeting_0d_is_at_reminder_time_if_before_the_start() -> None:
    morning = plan_meeting(meeting(utc(2027, 5, 20, 5, 0), remind="0d"), RULES)  # 08:00 EEST
    afternoon = plan_meeting(meeting(utc(2027, 5, 20, 11, 0), remind="0d"), RULES)
    assert morning == []
    assert times(afternoon) == {"meeting:4:0d:C0LIIKENNE": utc(2027, 5, 20, 6, 0)}


def test_a_cancelled_meeting_has_nothing_planned() -> None:
    assert plan_meeting(meeting(utc(2027, 5, 20, 6, 0), cancelled=True), RULES) == []


def test_before_a_network_meeting_owners_are_asked_and_the_review_is_posted() -> None:
    starts = utc(2027, 5, 20, 11, 0)  # 14:00 EEST
    item = meeting(
        starts, remind="1d", channels=("C0ANN",), audience_all=True, owners=("U0AAA", "U0BBB")
    )
    planned = plan_meeting(item, RULES)
    assert times(planned) == {
        "meeting:4:1d:C0ANN": utc(2027, 5, 19, 11, 0),
        "meeting:4:review-1d:C0ANN": utc(2027, 5, 19, 11, 0),
        "meeting:4:status-3d:U0AAA": utc(2027, 5, 17, 11, 0),
        "meeting:4:status-3d:U0BBB": utc(2027, 5, 17, 11, 0),
    }
    kinds = {bare(p.identity): p.kind for p in planned}
    assert kinds["meeting:4:review-1d:C0ANN"] == "status_review"
    assert kinds["meeting:4:status-3d:U0AAA"] == "status_request"


def test_a_theme_meeting_has_no_status_round() -> None:
    planned = plan_meeting(meeting(utc(2027, 5, 20, 11, 0), owners=("U0AAA",)), RULES)
    assert {p.kind for p in planned} == {"meeting_reminder"}


# --- work packages ----------------------------------------------------------------------------


def test_the_owner_is_told_3_days_before_and_the_channel_the_day_after() -> None:
    planned = plan_work_package(package(), RULES)
    assert times(planned) == {
        "wp:77:due-3d:U0AAA": utc(2027, 6, 27, 6, 0),
        "wp:77:overdue:C0LIIKENNE": utc(2027, 7, 1, 6, 0),
    }
    kinds = {bare(p.identity): (p.kind, p.subject_type, p.event_at) for p in planned}
    assert kinds["wp:77:due-3d:U0AAA"] == ("wp_due_soon", "work_package", utc(2027, 6, 30, 21))
    assert kinds["wp:77:overdue:C0LIIKENNE"] == ("wp_overdue", "work_package", None)


def test_an_organisation_owned_package_tells_each_of_its_contacts() -> None:
    planned = plan_work_package(package(owner=None, contacts=("U0C1", "U0C2")), RULES)
    assert sorted(times(planned)) == [
        "wp:77:due-3d:U0C1",
        "wp:77:due-3d:U0C2",
        "wp:77:overdue:C0LIIKENNE",
    ]


def test_done_cancelled_and_undated_packages_have_nothing_planned() -> None:
    assert plan_work_package(package(status="done"), RULES) == []
    assert plan_work_package(package(status="cancelled"), RULES) == []
    assert plan_work_package(package(due=None), RULES) == []
    assert len(plan_work_package(package(status="blocked"), RULES)) == 2


def test_a_package_overdue_when_created_is_not_announced() -> None:
    created = utc(2027, 7, 1, 5, 0)  # the day after its due date, before 09:00
    assert plan_work_package(package(created=created), RULES) == []
    on_the_day = plan_work_package(package(created=utc(2027, 6, 30, 12, 0)), RULES)
    assert list(times(on_the_day)) == ["wp:77:overdue:C0LIIKENNE"]


# --- themes: digest and registration deadline ---------------------------------------------------


def theme(**changes: object) -> ThemeItem:
    values: dict[str, object] = {
        "id": 3,
        "channel": "C0LIIKENNE",
        "digest_enabled": True,
        "archived": False,
        "created_at": LONG_AGO,
        "registration_deadline": None,
    }
    values.update(changes)
    return ThemeItem(**values)  # type: ignore[arg-type]


def test_the_next_weekly_digest_is_on_monday_at_reminder_time() -> None:
    wednesday = utc(2027, 4, 28, 12, 0)
    [digest] = plan_theme(theme(), RULES, wednesday)
    assert (digest.identity, digest.due_at) == ("digest:3:2027-W18:C0LIIKENNE", utc(2027, 5, 3, 6))
    assert (digest.kind, digest.subject_type, digest.payload) == (
        "digest",
        "theme",
        {"week": "2027-W18"},
    )


def test_a_digest_just_due_stays_planned_within_the_grace_then_the_next_week_comes() -> None:
    just_after = utc(2027, 5, 3, 6, 10)
    assert plan_theme(theme(), RULES, just_after)[0].identity == "digest:3:2027-W18:C0LIIKENNE"
    after_grace = utc(2027, 5, 3, 18, 1)
    [later] = plan_theme(theme(), RULES, after_grace)
    assert (later.identity, later.due_at) == ("digest:3:2027-W19:C0LIIKENNE", utc(2027, 5, 10, 6))


def test_a_theme_made_just_after_the_digest_time_gets_next_weeks_digest() -> None:
    monday_after_nine = utc(2027, 5, 3, 6, 5)  # 09.05 in Helsinki, the digest was at 09.00
    [digest] = plan_theme(theme(created_at=monday_after_nine), RULES, monday_after_nine)
    assert (digest.identity, digest.due_at) == ("digest:3:2027-W19:C0LIIKENNE", utc(2027, 5, 10, 6))


def test_the_digest_day_and_time_are_rules() -> None:
    rules = Rules(HELSINKI, time(9, 0), digest_weekday=4, digest_time=time(13, 0))
    [digest] = plan_theme(theme(), rules, utc(2027, 4, 28, 12, 0))
    assert digest.due_at == utc(2027, 4, 30, 10, 0)  # Friday 13:00 EEST


def test_no_digest_when_switched_off_archived_or_without_a_channel() -> None:
    now = utc(2027, 4, 28, 12, 0)
    assert plan_theme(theme(digest_enabled=False), RULES, now) == []
    assert plan_theme(theme(archived=True), RULES, now) == []
    assert plan_theme(theme(channel=None), RULES, now) == []


def test_a_theme_registration_deadline_is_reminded_like_a_date_only_deadline() -> None:
    now = utc(2027, 4, 1, 12, 0)
    item = theme(digest_enabled=False, registration_deadline=date(2027, 4, 28))
    planned = plan_theme(item, RULES, now)
    assert times(planned) == {
        "theme:3:registration:7d:C0LIIKENNE": utc(2027, 4, 21, 6),
        "theme:3:registration:1d:C0LIIKENNE": utc(2027, 4, 27, 6),
        "theme:3:registration:0d:C0LIIKENNE": utc(2027, 4, 28, 6),
    }
    assert {(p.kind, p.subject_type) for p in planned} == {("registration_reminder", "theme")}


# --- properties -------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2029, 12, 31), timezones=st.just(UTC)
)
days = st.dates(min_value=date(2026, 1, 1), max_value=date(2029, 12, 31))
clocks = st.times().map(lambda t: t.replace(second=0, microsecond=0))
offsets = st.lists(
    st.builds(Offset, st.integers(0, 30), st.sampled_from(["d", "h", "m"])), max_size=4
).map(tuple)
rules = st.builds(
    Rules,
    st.sampled_from([HELSINKI, ZoneInfo("America/New_York"), ZoneInfo("UTC")]),
    clocks,
    st.integers(0, 6),
    clocks,
    st.integers(0, 48).map(lambda h: timedelta(hours=h)),
)


@st.composite
def items(draw: st.DrawFn) -> tuple[object, Rules, datetime]:
    created, now = draw(moments), draw(moments)
    deadline = st.builds(
        DeadlineItem, id=st.just(1), title=st.just("x"), due_date=days,
        due_time=st.none() | clocks, theme_id=st.none(), channel=st.just("C1"),
        remind=offsets, registration=st.booleans(), created_at=st.just(created),
    )  # fmt: skip
    meeting = st.builds(
        MeetingItem, id=st.just(2), starts_at=moments, channels=st.just(("C1", "C2")),
        remind=offsets, cancelled=st.booleans(), audience_all=st.booleans(),
        created_at=st.just(created), package_owners=st.just(("U1",)),
    )  # fmt: skip
    package = st.builds(
        WorkPackageItem, id=st.just(3), theme_channel=st.just("C1"),
        owner_user=st.none() | st.just("U1"), owner_contacts=st.just(("U2",)),
        due_date=st.none() | days, status=st.sampled_from(["planned", "done", "blocked"]),
        created_at=st.just(created),
    )  # fmt: skip
    theme = st.builds(
        ThemeItem, id=st.just(4), channel=st.just("C1"), digest_enabled=st.booleans(),
        archived=st.booleans(), created_at=st.just(created), registration_deadline=st.none() | days,
    )  # fmt: skip
    item = draw(st.one_of(deadline, meeting, package, theme))
    return item, draw(rules), max(created, now)


def plan(item: object, rules: Rules, now: datetime) -> list[Planned]:
    if isinstance(item, DeadlineItem):
        return plan_deadline(item, rules)
    if isinstance(item, MeetingItem):
        return plan_meeting(item, rules)
    if isinstance(item, WorkPackageItem):
        return plan_work_package(item, rules)
    assert isinstance(item, ThemeItem)
    return plan_theme(item, rules, now)


@given(items())
def test_the_planner_is_deterministic_and_never_plans_before_creation(
    case: tuple[object, Rules, datetime],
) -> None:
    item, rules, now = case
    first, second = plan(item, rules, now), plan(item, rules, now)
    assert first == second
    created = item.created_at  # type: ignore[attr-defined]
    assert all(p.due_at >= created for p in first)
    assert all(p.due_at.utcoffset() == timedelta(0) for p in first)
    assert len({p.identity for p in first}) == len(first)


# --- late marking -----------------------------------------------------------------------------

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # a clock that starts at zero


def test_what_fell_due_before_the_engine_started_is_late() -> None:
    # Due at 03:12, the bot started at 03:12:20 after downtime: late, meant for 03:12.
    due = utc(2027, 4, 27, 0, 12)
    assert late_for(due, None, due + timedelta(seconds=20)) == due
    assert late_for(EPOCH, None, EPOCH + timedelta(microseconds=1)) == EPOCH


def test_what_fell_due_while_the_engine_ran_is_not_late_however_paced() -> None:
    started = utc(2027, 4, 27, 0, 0)
    assert late_for(started, None, started) is None  # due as it started: on time
    assert late_for(started + timedelta(minutes=40), None, started) is None
    assert late_for(EPOCH, None, EPOCH) is None
    assert late_for(EPOCH + timedelta(seconds=1), None, EPOCH) is None


def test_a_notification_queued_again_by_an_operator_is_late_for_its_first_time() -> None:
    started, meant = utc(2027, 4, 27, 0, 0), utc(2027, 4, 27, 6, 0)
    assert late_for(utc(2027, 4, 27, 9, 0), meant, started) == meant


@given(st.datetimes(timezones=st.just(UTC)), st.datetimes(timezones=st.just(UTC)))
def test_late_means_due_before_the_start(due: datetime, started: datetime) -> None:
    assert (late_for(due, None, started) is not None) == (due < started)
