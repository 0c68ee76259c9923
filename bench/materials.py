"""`materials` searches over 20,000 materials: the bot's whole path against a bare bolt app.

What a user waits for is the reply, so this measures from sending a signed `/network materials …`
to its reply arriving at the response_url. The response_url is served here, in the measuring
process, which notes when each reply arrives. The baseline is a bare bolt `AsyncApp` whose
command listener acks and then responds a fixed text through the same response_url, served the
same way as the bot (uvicorn, bolt's Starlette adapter, signature checks; helpers from
`bench/ack_latency.py`), so it costs what bolt, uvicorn, the reply's HTTP post and this machine
cost; the rest of the bot's time is its own: the user's language, the transaction and the
search. The requests alternate between the two in blocks, so machine noise hits both alike, and
the 99th percentile is taken of 2,000 replies of each by default (of 500 it was the fifth
slowest, which a few stalls of the machine decided).

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
import time
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
import uvicorn
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a file, too

from bench.ack_latency import (
    USER,
    Process,
    alternate,
    bench_parser,
    bot_env,
    fake_slack,
    free_port,
    p99_ratio,
    percentile_line,
    run,
    run_bench,
    serve_both,
    signed,
)
from bench.postgres import scratch_database, settle
from bot.materials.search import search_text, search_words
from storage import materials as store
from storage.db import create_engine, create_session_factory
from storage.models import Material, Network, Theme

MATERIALS, THEMES = 20_000, 12
TEXTS = (
    "materials raportti",  # a common word: thousands match, one page is read
    "aineistot liikenne seuranta",  # one theme's basket and a word
    "materials vähähiilinen 2019",  # every word must match
    "materials all suunnitelma",  # the network's basket
    "materials zzzz",  # nothing matches: SQLite reads the whole index, PostgreSQL its trigrams
)
WORDS = (  # noqa: SIM905
    "raportti seuranta liikenne asuminen maankäyttö vähähiilinen kaavoitus joukkoliikenne "
    "pyöräily kävely saavutettavuus tiekartta selvitys suunnitelma esitys muistio pöytäkirja "
    "arviointi indikaattorit hyvä käytäntö työpaja seminaari kysely tilannekatsaus"
).split()
TAGS = ("seuranta", "raportti", "hyvät-käytännöt", "esitys", "tilasto", "mal-2027")
FIXED_REPLY = "Materials (0)"


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
    async with scratch_database(server) as url:
        yield url


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
    matching = "more match" if found.more else f"{found.total} match"
    print(
        f"  one search for {words_text!r}: {len(sent)} statements, {len(found.items)} rows read"
        f" back ({matching}) among {MATERIALS} materials"
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
    http: httpx.AsyncClient, replies: Replies, base: str, numbers: range, args: argparse.Namespace
) -> list[float]:
    """The commands `numbers` from `--concurrency` senders; the time to each reply, in ms."""
    pending, times = iter(numbers), []

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
    """The reply times from both apps (see `ack_latency.alternate`)."""

    def send(name: str, numbers: range) -> Awaitable[list[float]]:
        return burst(targets[name], replies, base, numbers, args)

    return await alternate(targets, send, args)


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
        for word in ("raportti", "zzzz"):  # thousands match; none does
            await evidence(engine, word)
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
    api_url = await fake_slack(stack, tmp / f"fake-{kind}.log")
    env = bot_env(api_url, url)
    await run(tmp / f"migrate-{kind}.log", env, "-m", "bot", "migrate")
    await fill(engine)
    await settle(url)
    served = await serve_both(stack, env, tmp, args.concurrency, FIXED_REPLY, f"-{kind}")
    users = [{"id": USER, "locale": "en-US"}]
    slack = api_url.removesuffix("api/")
    (await served[0]["bot"].post(slack + "_admin/users", json=users)).raise_for_status()
    return served


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
        per_reply = cpu[name] / (args.requests + args.warmup)
        print(percentile_line(name, values) + f"   processor {per_reply:4.1f} ms a reply")
    return p99_ratio(times)


async def bench(args: argparse.Namespace, tmp: Path) -> None:
    kinds = ["sqlite"] + (["postgresql"] if args.postgres else [])
    ratios = {kind: await one_database(kind, args, tmp) for kind in kinds}
    for kind, ratio in ratios.items():
        print(f"ratio p99 bot/bare (materials {kind}): {ratio:.2f}")


def main() -> int:
    parser = bench_parser(__doc__, requests=2000, concurrency=8, warmup=100, timeout=1800)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (else TEST_DATABASE_URL)")
    args = parser.parse_args()
    args.postgres = args.postgres or os.environ.get("TEST_DATABASE_URL", "").strip() or None
    return run_bench("materials", bench, args)


if __name__ == "__main__":
    sys.exit(main())
