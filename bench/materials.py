"""`materials` searches over 20,000 materials: the bot's whole path against a bare bolt app.

What a user waits for is the reply, so this measures from sending a signed `/network materials …`
to its reply arriving at the response_url. The response_url is served here, in the measuring
process, which notes when each reply arrives. The baseline is a bare bolt `AsyncApp` whose
command listener acks and then responds a fixed text through the same response_url, served the
same way as the bot (uvicorn, bolt's Starlette adapter, signature checks; helpers from
`bench/ack_latency.py`), so it costs what bolt, uvicorn, the reply's HTTP post and this machine
cost; the rest of the bot's time is its own: the user's language, the transaction and the
search. The requests alternate between the two in blocks, so machine noise hits both alike.

Each server's processor time per reply is shown beside its latencies: on a small machine the
clients, both servers, the fake Slack and PostgreSQL share the cores, so latency follows it.

It then shows that the search runs in the database: the statements one search sends and the
rows it reads back (one page, not 20,000), and the query plan (EXPLAIN ANALYZE on PostgreSQL,
EXPLAIN QUERY PLAN on SQLite).

    python bench/materials.py [--postgres postgresql://postgres@127.0.0.1:5432/test]

SQLite always runs; PostgreSQL too when `--postgres` or `TEST_DATABASE_URL` names a server (a
fresh database is made there and dropped at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import event, insert, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file, too

from bench.ack_latency import (
    COMMAND,
    SECRET,
    TOKEN,
    USER,
    Process,
    free_port,
    percentiles,
    ready,
    run,
    signed,
    started,
)
from bot.materials import search_text, search_words
from storage import materials as store
from storage.db import create_engine, create_session_factory, normalise_database_url
from storage.models import Material, Network, Theme

MATERIALS, THEMES, BLOCK = 20_000, 12, 50
TEXTS = (
    "materials raportti",  # a common word: thousands match, one page is read
    "aineistot liikenne seuranta",  # one theme's basket and a word
    "materials vähähiilinen 2019",  # every word must match
    "materials all suunnitelma",  # the network's basket
    "materials zzzz",  # nothing matches: the whole table is looked through
)
WORDS = (  # noqa: SIM905
    "raportti seuranta liikenne asuminen maankäyttö vähähiilinen kaavoitus joukkoliikenne "
    "pyöräily kävely saavutettavuus tiekartta selvitys suunnitelma esitys muistio pöytäkirja "
    "arviointi indikaattorit hyvä käytäntö työpaja seminaari kysely tilannekatsaus"
).split()
TAGS = ("seuranta", "raportti", "hyvät-käytännöt", "esitys", "tilasto", "mal-2027")
FIXED_REPLY = "Materials (0)"


def serve_bare(port: int, api_url: str) -> None:
    """The baseline: ack, then respond a fixed text through the response_url, as the bot does."""
    app = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=api_url), signing_secret=SECRET)

    async def ack_and_respond(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text=FIXED_REPLY, response_type="ephemeral")

    app.command(COMMAND)(ack_and_respond)
    events = AsyncSlackRequestHandler(app).handle
    healthz = Route("/healthz", lambda _: PlainTextResponse("ok"))
    web = Starlette(routes=[Route("/slack/events", events, methods=["POST"]), healthz])
    uvicorn.run(web, host="127.0.0.1", port=port, log_config=None, access_log=False)


# --- the database -----------------------------------------------------------------------------


def rows(count: int, theme_ids: list[int]) -> list[dict[str, Any]]:
    """`count` materials with Finnish titles and tags, spread over the baskets and six years."""
    chance = random.Random(2027)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    made = []
    for n in range(count):
        title = " ".join(chance.sample(WORDS, 3)).capitalize() + f" {2014 + n % 12}"
        tags = chance.sample(TAGS, chance.randint(0, 3))
        basket = chance.choice([None, *theme_ids])
        made.append(
            {
                "theme_id": basket,
                "title": title,
                "url": f"https://example.org/aineisto/{n}.pdf",
                "kind": "document",
                "tags": tags,
                "added_by": "U0MEMBER1",
                "added_at": start + timedelta(minutes=150 * n),
                "search_text": search_text(title, tags),
            }
        )
    return made


async def fill(engine: AsyncEngine) -> None:
    """The network, its themes and `MATERIALS` materials, written in batches."""
    db = create_session_factory(engine)
    async with db() as session, session.begin():
        session.add(Network(name="MAL-verkosto", timezone="Europe/Helsinki", language="fi"))
        themes = [Theme(key=key, name=key.capitalize()) for key in _theme_keys()]
        session.add_all(themes)
        await session.flush()
        made = rows(MATERIALS, [theme.id for theme in themes])
        for first in range(0, len(made), 2000):
            await session.execute(insert(Material), made[first : first + 2000])
    async with engine.connect() as connection:  # as autovacuum would after a bulk load
        await connection.exec_driver_sql("ANALYZE")
        await connection.commit()


def _theme_keys() -> list[str]:
    keys = ["liikenne", "asuminen", "maankaytto", "digi", "ilmasto", "elinvoima"]
    return keys + [f"teema-{n}" for n in range(THEMES - len(keys))]


@asynccontextmanager
async def database(kind: str, server: str | None, tmp: Path) -> AsyncIterator[str]:
    """A new database for one run: a SQLite file, or a PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp}/materials.db"
        return
    assert server is not None
    name = f"nb_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


# --- the evidence that the search runs in the database ----------------------------------------


async def evidence(engine: AsyncEngine, words_text: str) -> None:
    """One search by hand: the statements it sends, the rows it reads, the plan of its query."""
    sent: list[tuple[str, Any]] = []

    def note(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    words = search_words(words_text.split())
    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        async with create_session_factory(engine)() as session:
            found = await store.search(session, words, None, True, 1)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
    print(
        f"  one search for {words_text!r}: {len(sent)} statements, {len(found.items)} rows read"
        f" back of {found.total} matching among {MATERIALS} materials"
    )
    explain = "EXPLAIN ANALYZE " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    async with engine.connect() as connection:
        for statement, parameters in sent:
            print("    " + " ".join(statement.split()))
            plan = await connection.exec_driver_sql(explain + statement, parameters)
            for line in plan:
                print("    | " + " ".join(str(part) for part in line))


# --- the measurement --------------------------------------------------------------------------


class Replies:
    """The response_url: each reply's arrival resolves the future its request waits on."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}

    async def receive(self, request: Request) -> Response:
        """A reply posted by the bot or the bare app."""
        await request.body()
        future = self.waiting.pop(request.path_params["key"], None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())
        return JSONResponse({"ok": True})

    def expect(self, key: str) -> asyncio.Future[float]:
        """The future of the reply to the request named `key`."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[key] = future
        return future


async def burst(
    http: httpx.AsyncClient, replies: Replies, base: str, count: int, args: argparse.Namespace
) -> list[float]:
    """`count` commands from `--concurrency` senders; the time to each reply, in ms."""
    pending, times = iter(range(count)), []

    async def sender() -> None:
        for n in pending:
            key = uuid.uuid4().hex
            body, headers = signed(TEXTS[n % len(TEXTS)], f"{base}/respond/{key}", n)
            arrived = replies.expect(key)
            start = time.perf_counter()
            response = await http.post("/slack/events", content=body, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{http.base_url}: HTTP {response.status_code}")
            times.append((await asyncio.wait_for(arrived, 10) - start) * 1000)

    await asyncio.gather(*(sender() for _ in range(args.concurrency)))
    return times


async def measure(
    targets: dict[str, httpx.AsyncClient], replies: Replies, base: str, args: argparse.Namespace
) -> dict[str, list[float]]:
    """Warm both up, then alternate blocks between them (swapping who goes first)."""
    times: dict[str, list[float]] = {name: [] for name in targets}
    for http in targets.values():
        await burst(http, replies, base, args.warmup, args)
    for block, sent in enumerate(range(0, args.requests, BLOCK)):
        for name in list(targets)[:: -1 if block % 2 else 1]:
            size = min(BLOCK, args.requests - sent)
            times[name] += await burst(targets[name], replies, base, size, args)
    return times


async def serve_replies(stack: AsyncExitStack, replies: Replies) -> str:
    """Serve the response_url in this process; its base URL."""
    port = free_port()
    web = Starlette(routes=[Route("/respond/{key}", replies.receive, methods=["POST"])])
    config = uvicorn.Config(web, host="127.0.0.1", port=port, log_config=None, access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    stack.push_async_callback(lambda: _stop(server, task))
    while not server.started:
        await asyncio.sleep(0.01)
    return f"http://127.0.0.1:{port}"


async def _stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await task


async def one_database(kind: str, args: argparse.Namespace, tmp: Path) -> float:
    """Fill one database, serve the bot on it beside the bare app, measure; the p99 ratio."""
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(database(kind, args.postgres, tmp))
        engine = create_engine(url)
        stack.push_async_callback(engine.dispose)
        targets, processes = await servers(stack, kind, url, engine, args, tmp)
        replies = Replies()
        base = await serve_replies(stack, replies)
        before = {name: _cpu(proc) for name, proc in processes.items()}
        times = await measure(targets, replies, base, args)
        cpu = {name: _cpu(proc) - before[name] for name, proc in processes.items()}
        ratio = report(kind, times, cpu, args)
        await evidence(engine, "raportti")
        return ratio


async def servers(
    stack: AsyncExitStack,
    kind: str,
    url: str,
    engine: AsyncEngine,
    args: argparse.Namespace,
    tmp: Path,
) -> tuple[dict[str, httpx.AsyncClient], dict[str, Process]]:
    """The fake Slack, the migrated and filled database, the bot and the bare app, all ready."""
    env = dict(os.environ)
    fake_args = ("-m", "tests.fake_slack", "--port", "0", "--token", TOKEN)
    fake = await stack.enter_async_context(started(tmp / f"fake-{kind}.log", env, *fake_args))
    assert fake.stdout is not None
    api_url = (await asyncio.wait_for(fake.stdout.readline(), 30)).decode().split()[-1]
    ports = {"bot": free_port(), "bare": free_port()}
    env |= {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "SLASH_COMMAND": COMMAND,
        "DATABASE_URL": url,
        "PORT": str(ports["bot"]),
        "RUN_SCHEDULER": "false",
    }
    await run(tmp / f"migrate-{kind}.log", env, "-m", "bot", "migrate")
    await fill(engine)
    commands = {
        "bot": ("-m", "bot", "serve"),
        "bare": (
            "-m",
            "bench.materials",
            "--bare-app",
            "--port",
            str(ports["bare"]),
            "--api-url",
            api_url,
        ),
    }
    limits = httpx.Limits(max_connections=args.concurrency)
    targets, processes = {}, {}
    for name, command in commands.items():
        log = tmp / f"{name}-{kind}.log"
        processes[name] = await stack.enter_async_context(started(log, env, *command))
        base_url = f"http://127.0.0.1:{ports[name]}"
        client = httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10)
        targets[name] = await stack.enter_async_context(client)
        await ready(targets[name], processes[name], log)
    users = [{"id": USER, "locale": "en-US"}]
    slack = api_url.removesuffix("api/")
    (await targets["bot"].post(slack + "_admin/users", json=users)).raise_for_status()
    return targets, processes


def _cpu(proc: Process) -> float:
    """The processor time a server has used so far, in ms."""
    times = psutil.Process(proc.pid).cpu_times()
    return float(times.user + times.system) * 1000


def report(
    kind: str, times: dict[str, list[float]], cpu: dict[str, float], args: argparse.Namespace
) -> float:
    """Print the percentiles and processor time per reply of both; the p99 ratio."""
    print(f"{kind}: {args.requests} replies each, {args.concurrency} concurrent clients")
    for name, values in times.items():
        p50, p95, p99 = percentiles(values)
        per_reply = cpu[name] / (args.requests + args.warmup)
        print(
            f"  {name:<4}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms"
            f"   processor {per_reply:4.1f} ms a reply"
        )
    return percentiles(times["bot"])[2] / percentiles(times["bare"])[2]


async def bench(args: argparse.Namespace) -> None:
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    ratios = {}
    with tempfile.TemporaryDirectory(prefix="materials-bench-") as tmp:
        for kind in kinds:
            ratios[kind] = await one_database(kind, args, Path(tmp))
    for kind, ratio in ratios.items():
        print(f"ratio p99 bot/bare (materials {kind}): {ratio:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="measured per target")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured first requests")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (else TEST_DATABASE_URL)")
    parser.add_argument("--bare-app", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_app:
        serve_bare(args.port, args.api_url)
        return 0
    server = args.postgres or os.environ.get("TEST_DATABASE_URL", "").strip() or None
    args.postgres = normalise_database_url(server) if server else None
    asyncio.run(bench(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
