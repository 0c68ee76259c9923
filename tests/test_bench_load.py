"""The pieces of `bench/load.py` that decide its figures: the grown network it loads, the mix
and schedule it sends, the percentiles it prints, and the fake Slack's account of replies."""

from __future__ import annotations

import io
import json
import random
import statistics
from collections import Counter
from contextlib import redirect_stdout
from typing import cast

import httpx
import pytest

from bench.ack_latency import Process
from bench.grown_content import Sizes
from bench.grown_network import grown_example
from bench.load_dispatch import Dispatch, report
from bench.load_figures import Phase, Result, Written, failures, percentile, unwritten
from bench.load_mix import MIX, Request, World, schedule
from bench.load_slack import TellingSlack
from bot.plan import load_plan
from bot.plan.records import PlanRecords
from bot.plan.writing import render

SMALL = Sizes(packages=300, materials=500, meetings=5, deadlines=5)


@pytest.fixture(scope="module")
def plan() -> PlanRecords:
    return grown_example(20, 150, content=SMALL)


def test_the_grown_content_is_a_valid_plan_that_reads_back_the_same(plan: PlanRecords) -> None:
    again = load_plan(render(plan))

    for section in ("work_packages", "materials", "meetings", "deadlines"):
        assert getattr(again, section) == getattr(plan, section), section
    assert len(plan.work_packages) == 300 + 10  # the example's ten, numbered on after them
    assert len(plan.materials) == 500 + 7
    assert sum(m.basket is None for m in plan.materials) > 40  # the network's basket too
    assert any(p.updates for p in plan.work_packages[10:])


def test_without_content_the_grown_network_is_as_it_was() -> None:
    grown = grown_example(20, 150)

    assert len(grown.work_packages) == 10 and len(grown.materials) == 7
    assert grown.members == grown_example(20, 150, content=SMALL).members


def test_the_schedule_is_a_fixed_rate_and_the_mix_holds_one_write_in_ten(plan: PlanRecords) -> None:
    world, rnd = World.of(plan, 1), random.Random(1)

    planned = schedule(world, 50, 40, rnd)

    assert len(planned) == 2000
    assert [p.at for p in planned[:3]] == [0, 0.02, 0.04]
    kinds = Counter(p.request.kind for p in planned)
    assert set(kinds) == {kind.name for kind in MIX}
    writes = sum(kinds[kind.name] for kind in MIX if kind.write)
    assert 150 <= writes <= 250  # 10 % of 2,000


def test_every_write_of_the_mix_is_one_that_succeeds(plan: PlanRecords) -> None:
    world = World.of(plan, 3)
    registered = set(world.registered)
    owners = {f"{p.theme}-{p.number}": p.owner_user for p in plan.work_packages}
    progress = {f"{p.theme}-{p.number}": p.progress for p in plan.work_packages}

    planned = schedule(world, 50, 30, random.Random(3))

    seen: dict[str, set[tuple[str, str]]] = {"join": set(), "leave": set(), "update": set()}
    left = set()
    for request in (p.request for p in planned):
        words = request.text.split()
        if request.kind in ("join", "leave"):
            pair = (request.user, words[-1])
            assert (pair in registered) == (request.kind == "leave"), request
            assert pair not in seen[request.kind]
            seen[request.kind].add(pair)
            left |= {pair} if request.kind == "leave" else set()
        elif request.kind == "update":
            assert owners[words[1]] == request.user
            assert words[3] != f"{progress[words[1]]}%"  # so the update changes the package
            assert words[1] not in {ref for _, ref in seen["update"]}
            seen["update"].add((request.user, words[1]))
    adds = [p.request for p in planned if p.request.kind == "material add"]
    for request in adds:
        theme = request.text.split()[2]
        assert (request.user, theme) in registered and (request.user, theme) not in left
    assert len({request.text.split()[3] for request in adds}) == len(adds)  # new addresses


def test_users_write_in_their_language(plan: PlanRecords) -> None:
    world = World.of(plan, 1)

    planned = schedule(world, 50, 10, random.Random(1))

    for request in (p.request for p in planned if p.request.kind == "themes"):
        assert request.text == ("teemat" if world.finnish(request.user) else "themes")


@pytest.mark.parametrize("size", [1, 2, 7, 100, 1001])
def test_percentiles_cut_as_the_other_benches_cut(size: int) -> None:
    rnd = random.Random(size)
    values = [rnd.expovariate(0.1) for _ in range(size)]
    expected = statistics.quantiles(values * 2 if size == 1 else values, n=100, method="inclusive")

    assert percentile(values, 50) == pytest.approx(expected[49])
    assert percentile(values, 99) == pytest.approx(expected[98])


def test_a_percentile_of_nothing_is_not_a_number() -> None:
    assert percentile([], 99) != percentile([], 99)


def test_a_write_missing_from_the_database_is_counted() -> None:
    url = "https://www.example.fi/aineistot/00001-muistio.pdf"
    results = [
        Result(Request("join", "U1", "liity teema-001"), 0, 10.0),
        Result(Request("leave", "U2", "leave teema-002"), 0, 10.0),
        Result(Request("update", "U3", "päivitä teema-003-1 käynnissä 45% Valmis"), 0, 10.0),
        Result(Request("material add", "U4", f"aineisto lisää teema-004 {url} Muistio"), 0, 9.0),
        Result(Request("join", "U5", "join teema-005"), 0, None, error="no reply in 30 s"),
    ]
    before = Written(frozenset({("U2", "teema-002")}), frozenset({"teema-003-2"}), frozenset())
    after = Written(frozenset({("U1", "teema-001")}), frozenset({"teema-003-1"}), frozenset({url}))

    assert unwritten(after, results) == (
        "writes answered: 1 join, 1 leave, 1 update, 1 material add; every one is in the database",
        0,
    )
    nothing = unwritten(before, results)
    assert nothing[1] == 4 and "1 join, 1 leave, 1 update, 1 material add" in nothing[0]


def test_the_fake_slack_tells_each_reply_as_it_arrives() -> None:
    out = io.StringIO()
    with redirect_stdout(out), TellingSlack("xoxb-t") as slack:
        httpx.post(slack.response_url("bot-7"), json={"text": "Valmis."}).raise_for_status()
        httpx.post(slack.url + "auth.test", headers={"Authorization": "Bearer xoxb-t"})

    told = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [t.get("reply") or t.get("api") for t in told] == ["bot-7", "auth.test"]
    assert told[0]["text"] == "Valmis." and told[1]["ok"] is True
    assert slack.calls == []  # forgotten once told


def test_each_home_of_the_mix_is_an_event_of_a_member_who_opens_it_once(plan: PlanRecords) -> None:
    world = World.of(plan, 1)

    homes = [
        p.request for p in schedule(world, 50, 20, random.Random(1)) if p.request.kind == "home"
    ]

    assert homes and all(r.event == "app_home_opened" and not r.text for r in homes)
    assert len({r.user for r in homes}) == len(homes)


def test_a_published_home_tab_is_told_as_the_reply_of_its_person() -> None:
    out = io.StringIO()
    with redirect_stdout(out), TellingSlack("xoxb-t") as slack:
        slack.add_user("U0HOME001")
        view = json.dumps({"type": "home", "blocks": []})
        httpx.post(
            slack.url + "views.publish",
            data={"user_id": "U0HOME001", "view": view},
            headers={"Authorization": "Bearer xoxb-t"},
        ).raise_for_status()

    told = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [t.get("reply") or t.get("api") for t in told] == ["views.publish", "home:U0HOME001"]


def test_the_errors_in_the_bots_log_are_summed_up_by_how_they_ended() -> None:
    log = (
        "2026-12-07 02:35:50,552 INFO uvicorn.error: Application startup complete.\n"
        "2026-12-07 02:36:35,065 ERROR network_bot.errors: request failed: reference=4BD964A0\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n'
        "sqlite3.OperationalError: database is locked\n"
        "\nThe above exception was the direct cause of the following exception:\n\n"
        "Traceback (most recent call last):\n"
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked\n"
        "2026-12-07 02:36:35,158 INFO network_bot.requests: request kind=command outcome=error\n"
        "2026-12-07 02:36:36,065 ERROR network_bot.errors: request failed: reference=4BD964A1\n"
        "Traceback (most recent call last):\n"
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked\n"
    )

    assert failures(log) == (
        "2 × sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) database is locked"
    )
    assert failures(log.split("ERROR")[0]) == "none"


def test_the_dispatch_report_ends_with_both_p99s_and_counts_what_was_not_sent() -> None:
    def phase(label: str, ms: float, error: str | None = None) -> Phase:
        request = Request("help", "U1", "help")
        results = [Result(request, 0, ms, error=error if n == 0 else None) for n in range(100)]
        return Phase(label, results, {})

    clock = cast(Process, None)  # the report reads no process
    dispatch = Dispatch(clock, total=500, channels=["C1", "C2"], during=120, sent=498)
    out = io.StringIO()
    with redirect_stdout(out):
        report(
            phase("bot", 100.0),
            phase("dispatching", 150.0, "no reply in 30 s"),
            dispatch,
            posts_after=498,
            writes=("writes answered: none", 0),
            logs={"clock": ""},
        )

    *_, last = out.getvalue().splitlines()
    assert last == "p99 idle ms: 100.0, p99 dispatching ms: 150.0, ratio: 1.50, errors: 3"
