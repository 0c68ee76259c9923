"""Pure rules of themes, names and permissions, with plain values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import names
from bot.blocks import page_within
from bot.i18n import language
from bot.outcome import UserError
from bot.permissions import (
    Actor,
    ThemeRoles,
    add_material,
    coordinate,
    manage_theme,
    register_organisation,
    set_theme,
    update_work_package,
)
from bot.themes import (
    THEMES_PER_PAGE,
    ThemeView,
    is_late,
    theme_list,
    valid_key,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
LIIKENNE = ThemeRoles("liikenne", "Liikenne", chair="U0CHAIR", lead="tampere", lead_name="Tampere")


@pytest.mark.parametrize(
    ("at", "late"),
    [
        (datetime(2027, 4, 28, 20, 59, tzinfo=UTC), False),  # 23.59 in Helsinki on the day
        (datetime(2027, 4, 28, 21, 0, tzinfo=UTC), True),  # 00.00 next day in Helsinki
        (datetime(2027, 4, 27, 12, 0, tzinfo=UTC), False),
    ],
)
def test_late_is_judged_by_the_network_day(at: datetime, late: bool) -> None:
    assert is_late(date(2027, 4, 28), at, HELSINKI) is late


def test_no_deadline_is_never_late() -> None:
    assert is_late(None, datetime(2099, 1, 1, tzinfo=UTC), HELSINKI) is False


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("liikenne", True),
        ("digi-2", True),
        ("a", False),
        ("Liikenne", False),
        ("-x", False),
        ("maa ja", False),
        ("x" * 65, False),
    ],
)
def test_theme_keys_are_slugs(key: str, ok: bool) -> None:
    assert valid_key(key) is ok


def test_the_list_pages_and_shows_the_fitting_button() -> None:
    views = [ThemeView(f"t{n:02}", f"Teema {n:02}") for n in range(THEMES_PER_PAGE + 1)]
    with language("en"):
        first = theme_list(views[:THEMES_PER_PAGE], len(views), {"t00"}, 1, date(2027, 1, 1))
        second = theme_list(views[THEMES_PER_PAGE:], len(views), set(), 2, date(2027, 1, 1))
    assert first.blocks is not None and second.blocks is not None
    sections = [b for b in first.blocks if b["type"] == "section"]
    assert len(sections) == THEMES_PER_PAGE
    assert sections[0]["accessory"]["action_id"] == "theme_leave"
    assert sections[1]["accessory"]["action_id"] == "theme_join"
    assert first.blocks[-1]["elements"][0]["action_id"] == "themes_page_next"
    assert [b["accessory"]["value"] for b in second.blocks if b["type"] == "section"] == ["t15"]
    assert second.blocks[-1]["elements"][0]["action_id"] == "themes_page_prev"


@pytest.mark.parametrize(
    ("total", "asked", "shown"),
    [(0, 1, 1), (15, 2, 1), (16, 2, 2), (16, 3, 2), (200, 0, 1), (200, 14, 14), (200, 99, 14)],
)
def test_a_page_beyond_the_list_is_its_nearest_end(total: int, asked: int, shown: int) -> None:
    assert THEMES_PER_PAGE == 15
    assert page_within(asked, total, THEMES_PER_PAGE) == shown


def test_an_empty_list_says_so() -> None:
    with language("en"):
        assert (
            theme_list([], 0, set(), 1, date(2027, 1, 1)).text == "There are no active themes yet."
        )


ITEMS = [
    ("liikenne", "Liikenne ja saavutettavuus"),
    ("asuminen", "Asuminen"),
    ("asiakkuus", "Asiakkuus"),
]


def test_pick_resolves_or_explains() -> None:
    assert names.pick("liik", ITEMS, names.THEME) == "liikenne"
    with language("en"), pytest.raises(UserError) as ambiguous:
        names.pick("as", ITEMS, names.THEME)
    assert "`asiakkuus` (Asiakkuus), `asuminen` (Asuminen)" in ambiguous.value.message
    with language("fi"), pytest.raises(UserError) as unknown:
        names.pick("liikene", ITEMS, names.THEME)
    assert unknown.value.message == (
        "Teemaa 'liikene' ei ole. Tarkoititko `liikenne` (Liikenne ja saavutettavuus)?"
    )


def test_coordinators_do_everything_and_others_are_told_who_can() -> None:
    boss, nobody = Actor("U1", coordinator=True), Actor("U2")
    assert coordinate(boss).allowed and manage_theme(boss, LIIKENNE).allowed
    with language("en"):
        refusal = manage_theme(nobody, LIIKENNE)
        assert not refusal.allowed
        assert refusal.reason == (
            "Only its chair <@U0CHAIR>, the contacts of its lead organisation (Tampere) and the"
            " coordinators can do that in the theme Liikenne."
        )
        assert coordinate(nobody).reason == "Only the network's coordinators can do that."


def test_finnish_refusals_keep_every_name_in_the_nominative() -> None:
    nobody = Actor("U2")
    with language("fi"):
        assert manage_theme(nobody, LIIKENNE).reason == (
            "Teemassa Liikenne tämän voivat tehdä vain puheenjohtaja <@U0CHAIR>,"
            " vastuuorganisaation yhteyshenkilöt (Tampere) ja koordinaattorit."
        )
        assert register_organisation(nobody, "tampere", "Tampereen kaupunkiseutu").reason == (
            "Vain organisaation yhteyshenkilöt (Tampereen kaupunkiseutu) voivat ilmoittaa sen"
            " teemaan."
        )
    with language("sv"):
        assert manage_theme(nobody, LIIKENNE).reason == (
            "I temat Liikenne kan bara dess ordförande <@U0CHAIR>, kontaktpersonerna för den"
            " ansvariga organisationen (Tampere) och koordinatorerna göra det."
        )


def test_the_chair_and_lead_contacts_manage_the_theme() -> None:
    assert manage_theme(Actor("U0CHAIR"), LIIKENNE).allowed
    assert manage_theme(Actor("U3", contact_of=frozenset({"tampere"})), LIIKENNE).allowed
    assert not manage_theme(Actor("U3", contact_of=frozenset({"turku"})), LIIKENNE).allowed


def test_only_coordinators_decide_who_runs_a_theme() -> None:
    chair, contact = Actor("U0CHAIR"), Actor("U3", contact_of=frozenset({"tampere"}))
    boss, nobody = Actor("U1", coordinator=True), Actor("U2")
    for manager in (chair, contact):
        assert set_theme(manager, LIIKENNE, who_runs_it=False).allowed  # language, digest
        assert not set_theme(manager, LIIKENNE, who_runs_it=True).allowed  # chair, lead
    assert set_theme(boss, LIIKENNE, who_runs_it=True).allowed
    assert not set_theme(nobody, LIIKENNE, who_runs_it=False).allowed
    with language("fi"):
        assert set_theme(chair, LIIKENNE, who_runs_it=True).reason == (
            "Vain verkoston koordinaattorit voivat vaihtaa teeman puheenjohtajan"
            " tai vastuuorganisaation."
        )


def test_only_contacts_register_their_organisation() -> None:
    contact = Actor("U3", contact_of=frozenset({"tampere"}))
    assert register_organisation(contact, "tampere", "Tampere").allowed
    assert not register_organisation(contact, "turku", "Turku").allowed


def test_work_package_owners_and_their_organisations_update_it() -> None:
    assert update_work_package(Actor("U5"), "U5", None, LIIKENNE).allowed
    assert update_work_package(
        Actor("U6", contact_of=frozenset({"nokia"})), None, "nokia", LIIKENNE
    ).allowed
    assert not update_work_package(Actor("U7"), "U5", "nokia", LIIKENNE).allowed


def test_registered_members_add_materials_and_the_network_basket_is_for_coordinators() -> None:
    assert add_material(Actor("U8"), LIIKENNE, registered=True).allowed
    assert not add_material(Actor("U8"), LIIKENNE, registered=False).allowed
    assert not add_material(Actor("U8"), None, registered=True).allowed
    assert add_material(Actor("U1", coordinator=True), None, registered=False).allowed
