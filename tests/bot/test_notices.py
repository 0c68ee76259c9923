"""What the bot posts by itself, rendered from plain views (English unless said otherwise)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot import digests, notices
from bot.digests import ChangeView, DigestView, ThemePackages
from bot.i18n import language
from bot.notices import DeadlineView, MeetingView, OrganisationView, PackageView, Writing

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = date(2027, 4, 21)
HOW = Writing(HELSINKI, TODAY, "/network")
EVIL = "<!channel> & <@U0BAD>"
SAFE = "&lt;!channel&gt; &amp; &lt;@U0BAD&gt;"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with language("en"):
        yield


def test_a_date_only_deadline_reminder_says_when_in_days_and_date() -> None:
    view = DeadlineView("Loppuraportti", date(2027, 4, 28))
    message = notices.deadline_reminder(view, HOW)
    assert message.text == "Reminder: the deadline *Loppuraportti* is in 7 days, Wed 28 Apr 2027."
    assert message.blocks is None


@pytest.mark.parametrize(
    ("today", "relative"), [(date(2027, 4, 28), "today"), (date(2027, 4, 27), "tomorrow")]
)
def test_a_timed_deadline_reminder_gives_the_local_time(today: date, relative: str) -> None:
    view = DeadlineView("Raportti", date(2027, 4, 28), time(16, 0))
    message = notices.deadline_reminder(view, Writing(HELSINKI, today, "/network"))
    assert message.text == (
        f"Reminder: the deadline *Raportti* is {relative}, Wed 28 Apr 2027 at 16:00."
    )


def test_a_late_notice_says_so_and_when_it_was_meant_for() -> None:
    late = Writing(HELSINKI, TODAY, "/network", late_for=datetime(2027, 4, 21, 6, 0, tzinfo=UTC))
    message = notices.deadline_reminder(DeadlineView("Raportti", date(2027, 4, 28)), late)
    assert message.text.startswith("_Late: this was meant for Wed 21 Apr 2027 at 09:00._\n")


def test_a_registration_reminder_names_who_has_not_registered_for_the_theme() -> None:
    view = DeadlineView(None, date(2027, 4, 28), theme="Liikenne", theme_key="liikenne")
    missing = [OrganisationView("turku", "Turun seutu"), OrganisationView("x", EVIL)]
    message = notices.registration_reminder(view, missing, HOW)
    assert message.text == (
        "Reminder: registration for the theme *Liikenne* closes in 7 days, Wed 28 Apr 2027.\n"
        f"Not registered for this theme yet: Turun seutu, {SAFE}."
    )


def test_a_network_registration_reminder_names_who_is_in_no_theme() -> None:
    view = DeadlineView("Ilmoittautuminen teemoihin", date(2027, 4, 28))
    message = notices.registration_reminder(view, [OrganisationView("turku", "Turku")], HOW)
    assert message.text == (
        "Reminder: registration *Ilmoittautuminen teemoihin* closes in 7 days, Wed 28 Apr 2027.\n"
        "Not registered for any theme yet: Turku."
    )
    everyone = notices.registration_reminder(view, [], HOW)
    assert everyone.text.endswith("\nEvery organisation expected to register has registered.")


def test_a_contact_is_told_how_to_register_their_organisation() -> None:
    view = DeadlineView(None, date(2027, 4, 28), theme="Liikenne", theme_key="liikenne")
    message = notices.registration_dm(view, [OrganisationView("turku", "Turun seutu")], HOW)
    assert message.text == (
        "*Turun seutu* has not registered for the theme *Liikenne* yet, and registration closes"
        " in 7 days, Wed 28 Apr 2027. As its contact you can register it with"
        " `/network join liikenne org:turku`."
    )
    network = DeadlineView("Ilmoittautuminen", date(2027, 4, 28))
    message = notices.registration_dm(network, [OrganisationView("turku", "Turun seutu")], HOW)
    assert "has not registered for any theme yet" in message.text
    assert "`/network join <theme> org:turku`" in message.text


def test_a_meeting_reminder_has_time_place_and_link_escaped() -> None:
    view = MeetingView(
        EVIL, datetime(2027, 4, 22, 6, 0, tzinfo=UTC), "Tampere & Nokia", "https://x.fi/?a=1&b=2"
    )
    message = notices.meeting_reminder(view, HOW)
    assert message.text == (
        f"Reminder: *{SAFE}* starts tomorrow, Thu 22 Apr 2027 at 09:00.\n"
        "Place: Tampere &amp; Nokia\nOnline: https://x.fi/?a=1&amp;b=2"
    )


def test_the_owner_is_told_a_package_is_due_soon_and_how_to_update_it() -> None:
    view = PackageView("liikenne-3", "Indikaattorit", "in_progress", 40, date(2027, 4, 24), "U0A")
    assert notices.package_due_soon(view, HOW).text == (
        "The work package `liikenne-3` Indikaattorit is due in 3 days, Sat 24 Apr 2027."
        " It is in progress, 40 % done."
        " Record how it stands with `/network update liikenne-3 <status> [<n>%] [note…]`."
    )
    theirs = PackageView("liikenne-3", "X", "planned", 0, date(2027, 4, 24), None, "Tampere")
    assert (
        "You get this as a contact of Tampere, its owner."
        in notices.package_due_soon(theirs, HOW).text
    )


def test_an_overdue_package_is_announced_with_its_owner() -> None:
    view = PackageView("liikenne-3", EVIL, "blocked", 10, date(2027, 4, 20), None, "Tampere")
    assert notices.package_overdue(view, HOW).text == (
        f"The work package `liikenne-3` {SAFE} is overdue: it was due Tue 20 Apr 2027."
        " It is blocked, 10 % done. Owner: Tampere."
    )


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("channel_not_found", "the channel does not exist, or it is private and I am not in it."),
        (
            "not_in_channel",
            "I am not in the channel and cannot join it (it is private). Add me to it.",
        ),
        ("is_archived", "the channel is archived."),
        ("invalid_auth", "my Slack token no longer works."),
        ("msg_too_long", "Slack answered `msg_too_long`."),
    ],
)
def test_a_failure_summary_says_what_failed_why_and_how_to_retry(error: str, words: str) -> None:
    failed = [(17, "deadline:12:7d:C0X", "C0X", error), (18, "wp:3:due-3d:U0X", "U0X", "x")]
    assert notices.failure_summary(failed, HOW).text == (
        "I could not post 2 notifications in the last hour:\n"
        f"• to <#C0X>: {words} (notification 17, `deadline:12:7d:C0X`)\n"
        "• to <@U0X>: Slack answered `x`. (notification 18, `wp:3:due-3d:U0X`)\n"
        "Once the cause is fixed, an operator can send one again with"
        " `python -m bot outbox retry <id>`."
    )
    one = notices.failure_summary(failed[:1], HOW).text
    assert one.startswith("I could not post 1 notification in the last hour:")


# --- digests and the round before a network meeting -------------------------------------------


def test_the_weekly_digest_lists_what_comes_and_what_changed() -> None:
    view = DigestView(
        "Liikenne",
        deadlines=[
            DeadlineView("Raportti", date(2027, 4, 30), time(16, 0), "Liikenne"),
            DeadlineView("Ilmoittautuminen", date(2027, 4, 23)),
        ],
        meetings=[MeetingView("Työpaja", datetime(2027, 4, 26, 6, 0, tzinfo=UTC), "Tampere")],
        network_meetings=[MeetingView("Verkostotapaaminen", datetime(2027, 5, 3, 7, tzinfo=UTC))],
        changes=[
            ChangeView("liikenne-1", "Indikaattorit", "planned", "in_progress", 20, "U0A"),
            ChangeView("liikenne-2", EVIL, None, "planned", 0, "U0B"),
        ],
    )
    assert digests.digest(view, HOW).text == "\n".join(  # type: ignore[union-attr]
        [
            "*Weekly digest: Liikenne*",
            "",
            "*Coming up in the next two weeks*",
            "• Fri 23 Apr 2027: deadline *Ilmoittautuminen* (whole network)",
            "• Mon 26 Apr 2027 at 09:00: *Työpaja*, Tampere",
            "• Fri 30 Apr 2027 at 16:00: deadline *Raportti*",
            "• Mon 3 May 2027 at 10:00: *Verkostotapaaminen* (whole network)",
            "",
            "*Status changes last week*",
            "• `liikenne-1` Indikaattorit: planned → in progress, 20 % (<@U0A>)",
            f"• `liikenne-2` {SAFE}: planned, 0 % (<@U0B>)",
        ]
    )


def test_a_week_with_nothing_to_say_has_no_digest() -> None:
    assert digests.digest(DigestView("Liikenne"), HOW) is None


MEETING = MeetingView("Verkostotapaaminen", datetime(2027, 4, 24, 7, 0, tzinfo=UTC))


def test_owners_are_asked_to_update_their_packages_before_a_network_meeting() -> None:
    packages = [PackageView("digi-1", "Alusta", "planned", 0, date(2027, 5, 1))]
    assert digests.status_request(MEETING, packages, HOW).text == (  # type: ignore[union-attr]
        "The network meeting *Verkostotapaaminen* is in 3 days, Sat 24 Apr 2027 at 10:00."
        " Please bring the status of your work packages up to date before it:\n"
        "• `digi-1` Alusta: planned, 0 %, due Sat 1 May 2027\n"
        "Record each with `/network update <work package> <status> [<n>%] [note…]`."
    )
    assert digests.status_request(MEETING, [], HOW) is None


def test_the_status_review_lists_each_themes_active_packages_and_flags_overdue() -> None:
    themes = [
        ThemePackages(
            "Liikenne",
            [
                PackageView(
                    "liikenne-1",
                    "Indikaattorit",
                    "in_progress",
                    40,
                    date(2027, 4, 1),
                    None,
                    "Tampere",
                ),
                PackageView("liikenne-2", "Kartta", "blocked", 5, None, "U0A"),
            ],
        ),
        ThemePackages("Asuminen", []),
    ]
    assert digests.status_review(MEETING, themes, HOW).text == "\n".join(  # type: ignore[union-attr]
        [
            "*Status review before Verkostotapaaminen* (Sat 24 Apr 2027 at 10:00)",
            "",
            "*Liikenne*",
            "• `liikenne-1` Indikaattorit: in progress, 40 %, Tampere, due Thu 1 Apr 2027"
            " *overdue*",
            "• `liikenne-2` Kartta: blocked, 5 %, <@U0A>",
        ]
    )
    assert digests.status_review(MEETING, [ThemePackages("Asuminen", [])], HOW) is None


def test_a_long_review_stays_within_slacks_text_limit() -> None:
    many = [PackageView(f"t-{n}", "x" * 400, "planned", 0) for n in range(200)]
    message = digests.status_review(MEETING, [ThemePackages("T", many)], HOW)
    assert message is not None and len(message.text) <= notices.TEXT_LIMIT


def test_reminders_are_written_in_finnish_for_a_finnish_channel() -> None:
    # Needs the lead's merge of /work/tools/tr_delivery.json into the catalogs.
    view = DeadlineView("Loppuraportti", date(2027, 4, 28), time(16, 0))
    with language("fi"):
        text = notices.deadline_reminder(view, Writing(HELSINKI, date(2027, 4, 27), "/mal")).text
    assert text == "Muistutus: määräaika *Loppuraportti* päättyy huomenna, ke 28.4.2027 klo 16.00."
