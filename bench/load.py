"""What users feel on a busy network: the bot under a steady stream of commands, reply by reply.

The bot runs as production runs it, one `python -m bot serve` process (uvicorn, one worker,
`RUN_SCHEDULER=false`), on PostgreSQL (a scratch database made on 127.0.0.1:5432 and dropped
after; `--sqlite` for a SQLite file, `--database-url` for an empty database of your own) holding
the example network grown to 200 themes, 2,000 members, 5,000 work packages, 20,000 materials,
100 meetings and 100 deadlines (`bench/grown_network.py`), imported and settled before anything
is timed.

The load is open: signed slash commands go out on a fixed schedule (`--rate`, default 50 a
second, a very busy national network, for `--seconds`, default 60, after `--warmup` seconds of
the same), whether or not earlier ones have been answered, in the mix of `bench/load_mix.py`:
the theme list, the status of a theme and of a package, materials searches, meetings, deadlines,
`mine`, the Home tab (a signed `app_home_opened`, its reply the `views.publish` of the person's
tab) and `help`, and one in ten a write (join, leave, update, material add) that succeeds.
They come from members drawn evenly from all 2,000, so most come from someone the bot has not
seen since it started (it asks Slack their language once), as after a restart. Each reply is
timed from sending its request to the reply reaching the user, wherever it comes: the HTTP
answer when it holds the reply, else the post to the fake Slack's response_url that belongs to
it. Then the same schedule, the same requests, goes to a bare bolt app that acks and answers a
fixed text at the response_url the same way (`bench/ack_latency.py`), for reference.

An error is an HTTP status other than 200, no reply within 30 s, or a reply that is the bot's
"something went wrong" message; replies slower than Slack's 3 s are counted apart. After the
run the database must hold every write that was answered; one that it does not is an error too.

Everything shares one machine: this process (the load generator, with aiohttp as its HTTP
client), the fake Slack (`bench/load_slack.py`, in a process of its own so that neither holds
up the other), the bot, the bare app (idle while the bot is measured, and the bot idle while it
is) and PostgreSQL, besides whatever else runs. Printed with the figures: the load average
before the run, the processor time per request of each (the app, the fake Slack, the generator,
and PostgreSQL's processes serving the bench's database), and how late the generator sent the
requests (behind their schedule: a generator starved of processor would show here). Under more
load than the bot can serve, requests queue for its connection pool, whose 30 s timeout answers
them with the error message; the bot log's errors are summed up by the exception they ended in.

    .venv/bin/python bench/load.py [--rate 50] [--seconds 60] [--sqlite] [--dispatch 5000]

The last line is `p99 ms: X, ratio p99 bot/bare: Y, errors: N, over 3 s: M, rss MiB: R` (with
`--dispatch N`, `bench/load_dispatch.py`'s: the bot again, as a clock posts N notifications).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import psutil  # type: ignore[import-untyped]
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python bench/load.py` from the repository

from app.settings import load_settings  # noqa: E402
from bench import load_dispatch  # noqa: E402
from bench.ack_latency import (  # noqa: E402
    TOKEN,
    Process,
    bot_env,
    run_bench,
    serve_both,
    signed,
    signed_event,
)
from bench.grown_content import Sizes  # noqa: E402
from bench.grown_network import grown_example  # noqa: E402
from bench.load_figures import Phase, Result, report, samples, unwritten, written  # noqa: E402
from bench.load_mix import Planned, World, schedule  # noqa: E402
from bench.load_slack import Slack, fake_slack  # noqa: E402
from bench.postgres import scratch_database, settle  # noqa: E402
from bot.i18n import _, language  # noqa: E402
from bot.plan.records import PlanRecords  # noqa: E402
from storage.db import create_engine, create_session_factory  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from usecases.plans import import_and_plan  # noqa: E402

THEMES, MEMBERS = 200, 2000
CONTENT = Sizes(packages=5000, materials=20_000, meetings=100, deadlines=100)
COORDINATOR = "U0PM000001"  # a coordinator of the example network
REPLY_TIMEOUT = 30.0  # seconds without a reply that make it an error
SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@asynccontextmanager
async def database(args: argparse.Namespace, tmp: Path) -> AsyncIterator[tuple[str, str]]:
    """The database to run on, and a few words on it."""
    if args.database_url:
        yield args.database_url, "the database of --database-url"
    elif args.sqlite:
        yield f"sqlite+aiosqlite:///{tmp}/load.db", "SQLite (a file in a temporary folder)"
    else:
        async with scratch_database(args.server) as url:
            yield url, f"PostgreSQL (a scratch database on {args.server.split('@')[-1]})"


async def fill(url: str, plan: PlanRecords) -> None:
    """Migrate, import the plan (planning its notifications, as `python -m bot import` does),
    and settle the database as autovacuum would after a bulk load."""
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with create_session_factory(engine).begin() as session:
            await import_and_plan(
                session, plan, load_settings(_env_file=None, database_url=url).deployment
            )
    finally:
        await engine.dispose()
    await settle(url)


# --- one phase of load ------------------------------------------------------------------------


async def send(
    http: aiohttp.ClientSession,
    url: str,
    slack: Slack,
    item: Planned,
    start: float,
    key: str,
    errors: tuple[str, ...],
) -> Result:
    """Send one request and wait for its reply; what the user saw of it."""
    request = item.request
    if request.event:  # the Home tab: its reply is the publish of the person's tab
        event = {"type": request.event, "user": request.user, "channel": "D0HOME", "tab": "home"}
        body, headers = signed_event(event, f"Ev{key}")
        key = f"home:{request.user}"
    else:
        body, headers = signed(request.text, f"{slack.base}/respond/{key}", 0, request.user)
    arrival = slack.expect(key)
    sent = time.monotonic()
    lag = (sent - start - item.at) * 1000
    try:
        async with http.post(url, data=body, headers=headers) as response:
            status, content = response.status, await response.read()
    except (aiohttp.ClientError, TimeoutError) as failure:
        slack.forget(key)
        return Result(request, lag, error=f"no HTTP answer ({type(failure).__name__})")
    acked = time.monotonic()
    ack_ms = (acked - sent) * 1000
    if status != 200:
        slack.forget(key)
        return Result(request, lag, ack_ms=ack_ms, error=f"HTTP {status}")
    if content.strip():  # the reply is in the HTTP answer
        slack.forget(key)
        arrived, text = acked, content.decode(errors="replace")
    else:
        try:
            arrived, text = await asyncio.wait_for(arrival, sent + REPLY_TIMEOUT - acked)
        except TimeoutError:
            slack.forget(key)
            return Result(request, lag, ack_ms=ack_ms, error=f"no reply in {REPLY_TIMEOUT:.0f} s")
    error = "the bot's error message" if text.startswith(errors) else None
    return Result(request, lag, (arrived - sent) * 1000, ack_ms, error, text)


async def load_phase(
    label: str,
    url: str,
    proc: Process,
    slack: Slack,
    planned: list[Planned],
    errors: tuple[str, ...],
    database: str | None = None,
) -> Phase:
    """Send `planned` to the app at `url` (process `proc`), each request when its time comes,
    whether or not earlier ones have their reply; every result once all have their reply or
    have given up, with the processor time each process used meanwhile (and PostgreSQL's
    serving `database`)."""
    processes = {"app": proc.pid, "slack": slack.proc.pid, "generator": os.getpid()}
    before = processor_ms(processes, database)
    connector = aiohttp.TCPConnector(limit=0)  # a connection for every request in flight
    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        start, tasks = time.monotonic() + 0.1, []
        for n, item in enumerate(planned):
            delay = start + item.at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            key = f"{label}-{n}"
            tasks.append(asyncio.create_task(send(http, url, slack, item, start, key, errors)))
        results = await asyncio.gather(*tasks)
    used: dict[str, float] = {}
    for (name, pid), ms in processor_ms(processes, database).items():
        used[name] = used.get(name, 0.0) + ms - before.get((name, pid), 0.0)
    return Phase(label, list(results), used)


def processor_ms(processes: dict[str, int], database: str | None) -> dict[tuple[str, int], float]:
    """The processor time (user and system) each of `processes` has used so far, and each of
    PostgreSQL's processes serving `database` (named `postgres`), in ms."""
    used = {}
    for name, pid in processes.items():
        used[name, pid] = sum(psutil.Process(pid).cpu_times()[:2]) * 1000
    for backend in psutil.process_iter(["name", "cmdline", "cpu_times"]) if database else ():
        title = " ".join(backend.info["cmdline"] or ()).split()  # postgres: 15/main: user db …
        if backend.info["name"] == "postgres" and title[3:4] == [database]:
            used["postgres", backend.pid] = sum(backend.info["cpu_times"][:2]) * 1000
    return used


def error_texts() -> tuple[str, ...]:
    """How the bot's "something went wrong" message (`handlers/errors.py`) begins, in each
    language."""
    msgid = (
        "Sorry, something went wrong on my side and nothing was done."
        " Please try again in a moment. If it keeps happening, tell a coordinator"
        " this reference: {reference}"
    )
    starts = []
    for code in ("fi", "sv", "en"):
        with language(code):
            starts.append(_(msgid)[:40])
    return tuple(starts)


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory so far (`VmHWM`), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- the run ----------------------------------------------------------------------------------


async def bench(args: argparse.Namespace, tmp: Path) -> None:
    load = " ".join(f"{figure:.2f}" for figure in os.getloadavg())
    print(
        f"load: {args.rate:g} commands a second for {args.seconds:g} s after {args.warmup:g} s"
        f" of warm-up, seed {args.seed}; {os.cpu_count()} cores, load average before {load}"
    )
    plan = grown_example(THEMES, MEMBERS, content=CONTENT)
    async with AsyncExitStack() as stack:
        url, described = await stack.enter_async_context(database(args, tmp))
        began = time.monotonic()
        await fill(url, plan)
        print(
            f"network: {len(plan.themes)} themes, {len(plan.members)} members,"
            f" {len(plan.work_packages)} work packages, {len(plan.materials)} materials,"
            f" {len(plan.meetings)} meetings, {len(plan.deadlines)} deadlines;"
            f" on {described}, imported in {time.monotonic() - began:.0f} s",
            flush=True,
        )
        world, rnd = World.of(plan, args.seed), random.Random(args.seed)
        lengths = (args.warmup, args.seconds) * (2 if args.dispatch else 1)
        draws = [schedule(world, args.rate, seconds, rnd) for seconds in lengths]
        first = ("bot", draws[0], draws[1])
        second = ("dispatching", draws[2], draws[3]) if args.dispatch else ("bare", *first[1:])
        slack = await fake_slack(stack, tmp / "slack.log", TOKEN)
        env = bot_env(slack.api_url, url, ADMIN_USER_IDS=COORDINATOR, LANGUAGE="fi")
        if plan.network and plan.network.announcement_channel:
            env["ANNOUNCEMENT_CHANNEL"] = plan.network.announcement_channel
        targets, processes = await serve_both(stack, env, tmp, 1, reply="Valmis.")
        await slack.seed(targets["bot"], plan, world)
        errors, phases = error_texts(), {}
        served = make_url(url).database if url.startswith("postgres") else None
        writes_since = datetime.now(UTC)
        for name, warmup, run in (first, second):
            app = "bare" if name == "bare" else "bot"
            events, proc = str(targets[app].base_url).rstrip("/") + "/slack/events", processes[app]
            if name == "dispatching":
                dispatch = await load_dispatch.begin(stack, env, tmp, args.dispatch, plan)
            warm = await load_phase(f"{name}-warm", events, proc, slack, warmup, errors)
            calls_before = dict(slack.calls)
            if name == "dispatching":
                await load_dispatch.fall_due(url, dispatch, slack.calls)
            phases[name] = phase = await load_phase(name, events, proc, slack, run, errors, served)
            phase.warmup = warm.results
            phase.calls = {k: n - calls_before.get(k, 0) for k, n in slack.calls.items()}
            phase.rss_mib = peak_rss_mib(proc.pid)
        answered = [r for n, p in phases.items() if n != "bare" for r in p.warmup + p.results]
        writes = unwritten(await written(url, writes_since), answered)
        log = (tmp / "bot.log").read_text(errors="replace")
        if args.keep_logs:
            Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
            for log_file in tmp.glob("*.log"):
                shutil.copy(log_file, args.keep_logs)
        if args.show:
            print("the bot's first reply of each kind:", *samples(phases["bot"]), sep="\n")
        if not args.dispatch:
            return report(phases, writes, slack.failed, slack.late, log)
        await load_dispatch.end(url, dispatch, phases, slack.calls, writes, log, tmp)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50, help="requests a second (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds (default 60)")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds first (5)")
    parser.add_argument("--seed", type=int, default=1, help="draws the mix (default 1)")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument("--server", default=SERVER, help=f"the PostgreSQL server ({SERVER})")
    parser.add_argument("--database-url", help="an empty database of your own instead")
    parser.add_argument("--show", action="store_true", help="print a reply of each kind")
    parser.add_argument("--keep-logs", metavar="DIR", help="copy the processes' logs here")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for everything")
    parser.add_argument("--dispatch", type=int, default=0, help="then again while a clock posts N")
    return run_bench("load", bench, parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
