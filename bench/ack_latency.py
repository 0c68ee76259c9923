"""Ack latency of the bot's slash command, against a bare bolt app on the same stack.

Slack shows the user an error when a slash command's HTTP answer (the ack) takes over three
seconds, so this measures the time from sending a signed command to its HTTP response, with
several clients at once, not the time the whole command takes.

The baseline is a bare bolt `AsyncApp` whose listener only acks, served the same way as the bot
(uvicorn, bolt's Starlette adapter, signature checks, the default `process_before_response=False`
whose runner polls for the ack every 10 ms): it costs what bolt, uvicorn and this machine cost.
What the bot adds (its middleware, and the work it does after the ack on the same event loop and
in the same heap) is ours, and `ratio p99 bot/bare` is that share. Both run as subprocesses
beside the fake Slack of `tests/fake_slack.py`; the requests alternate between them in blocks,
so machine noise hits both alike.

    python bench/ack_latency.py --requests 400 --concurrency 8 --text help --text teemat

The network: `--grow THEMES,MEMBERS` imports the example network grown to that size first
(`bench/grown_network.py`: e.g. `--grow 200,2000` adds themes `teema-001`… with channels
`C0G0001`… and members with their registrations); `--setup-plan FILE` imports a plan of your
own. The fake Slack knows the plan's channels (with the bot in each, as in a running network) and
every user the commands come from, so the bot's work after the ack is the real one.

A text may name a theme: `{theme}` becomes a theme key of the plan, the next one for each request
(round the list). A text with `{theme}` is sent by a new user for each request (`U0NEW01000000`,
`U0NEW01000001`, …: the text's number, then the request's), because some commands write only once
per person: `join {theme}` registers someone and invites them every time, instead of answering
"already registered". These users are new to the bot, so it asks Slack their language once each
(after the ack). The bare app gets the very same requests. (With `--database-url`, give a fresh
database each run: users who joined in an earlier run would be "already registered".)

    python bench/ack_latency.py --grow 200,2000 --text teemat --text "join {theme}"
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

if TYPE_CHECKING:
    from bot.plan.records import PlanRecords

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `bench.grown_network` when run as a file, too
SECRET, TOKEN, USER, COMMAND = "bench-signing-secret", "xoxb-bench", "U0BENCH01", "/network"
BLOCK = 50  # requests sent to one target before switching to the other
THEME = "{theme}"  # in a text: the next theme key for each request, sent by a new user
Process = asyncio.subprocess.Process


class BenchError(Exception):
    """The bench cannot go on; the message says why (with the end of a server's log)."""


@dataclass(frozen=True)
class Text:
    """A command text as given with `--text`, and the requests made of it."""

    template: str
    number: int  # its place among the texts (from 1), part of its users' ids
    themes: tuple[str, ...] = ()  # the plan's theme keys, for `{theme}`

    @property
    def per_user(self) -> bool:
        """Whether each request comes from a user of its own (the text names a theme)."""
        return THEME in self.template

    def request(self, n: int) -> tuple[str, str]:
        """The text of the n-th request and the user who sends it."""
        if not self.per_user:
            return self.template, USER
        return self.template.replace(THEME, self.themes[n % len(self.themes)]), self.user(n)

    def user(self, n: int) -> str:
        return f"U0NEW{self.number:02}{n:06}"


def serve_bare(port: int, api_url: str, reply: str | None) -> None:
    """The baseline: a bolt app whose command listener only acks (and then responds `reply`
    through the response_url, as the bot does), behind bolt's adapter."""
    app = AsyncApp(client=AsyncWebClient(token=TOKEN, base_url=api_url), signing_secret=SECRET)

    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    async def ack_and_reply(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text=reply or "", response_type="ephemeral")

    async def publish_home(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    app.command(COMMAND)(only_ack if reply is None else ack_and_reply)
    app.event("app_home_opened")(publish_home)
    events = AsyncSlackRequestHandler(app).handle
    healthz = Route("/healthz", lambda _: PlainTextResponse("ok"))
    web = Starlette(routes=[Route("/slack/events", events, methods=["POST"]), healthz])
    uvicorn.run(web, host="127.0.0.1", port=port, log_config=None, access_log=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@asynccontextmanager
async def started(
    log: Path, env: dict[str, str], *args: str, piped: bool = False
) -> AsyncIterator[Process]:
    """`python <args>` in the repository, output to `log` (stdout piped with `piped`, and for
    the fake Slack); terminated (killed after 5 s) when the block is left, whatever the
    reason."""
    with log.open("wb") as out:
        stdout = asyncio.subprocess.PIPE if piped or "tests.fake_slack" in args else out
        proc = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=ROOT, env=env, stdout=stdout, stderr=out
        )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def fake_slack(stack: AsyncExitStack, log: Path) -> str:
    """`tests/fake_slack.py` in a subprocess until `stack` closes; its Web API URL."""
    fake_args = ("-m", "tests.fake_slack", "--port", "0", "--token", TOKEN)
    fake = await stack.enter_async_context(started(log, dict(os.environ), *fake_args))
    assert fake.stdout is not None
    return (await asyncio.wait_for(fake.stdout.readline(), 30)).decode().split()[-1]


def bot_env(api_url: str, database_url: str, **more: str) -> dict[str, str]:
    """The bot's environment: this process's, with the fake Slack, the database and no
    scheduler."""
    return dict(os.environ) | {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "SLASH_COMMAND": COMMAND,
        "DATABASE_URL": database_url,
        "RUN_SCHEDULER": "false",
        **more,
    }


async def serve_both(
    stack: AsyncExitStack,
    env: dict[str, str],
    logs: Path,
    clients: int,
    reply: str | None = None,
    suffix: str = "",
) -> tuple[dict[str, httpx.AsyncClient], dict[str, Process]]:
    """The bot (`python -m bot serve` in `env`) and the bare app answering `reply`, served until
    `stack` closes, each ready with an HTTP client; their logs `bot<suffix>.log` and
    `bare<suffix>.log` in `logs`."""
    ports = {"bot": free_port(), "bare": free_port()}
    env = env | {"PORT": str(ports["bot"])}
    bare: tuple[str, ...] = ("-m", "bench.ack_latency", "--bare-app", "--port", str(ports["bare"]))
    bare += ("--api-url", env["SLACK_API_URL"]) + (("--reply", reply) if reply is not None else ())
    commands = {"bot": ("-m", "bot", "serve"), "bare": bare}
    limits = httpx.Limits(max_connections=clients)
    targets, processes = {}, {}
    for name, port in ports.items():
        log = logs / f"{name}{suffix}.log"
        processes[name] = await stack.enter_async_context(started(log, env, *commands[name]))
        http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30)
        targets[name] = await stack.enter_async_context(http)
        await ready(targets[name], processes[name], log)
    return targets, processes


async def run(log: Path, env: dict[str, str], *args: str) -> None:
    async with started(log, env, *args) as proc:
        if await asyncio.wait_for(proc.wait(), 120):
            raise BenchError(f"python {' '.join(args)} failed:\n{tail(log)}")


async def ready(http: httpx.AsyncClient, proc: Process, log: Path) -> None:
    """Wait for `GET /healthz` to answer 200 (30 s at most)."""
    for _ in range(300):
        if proc.returncode is not None:
            raise BenchError(f"{http.base_url} exited with {proc.returncode}:\n{tail(log)}")
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise BenchError(f"{http.base_url} did not answer in 30 s:\n{tail(log)}")


def signed_event(event: dict[str, Any], event_id: str) -> tuple[str, dict[str, str]]:
    """An event as Slack sends it (JSON), and the headers Slack would sign it with."""
    body = json.dumps(
        {
            "token": "legacy",
            "team_id": "T0TEAM",
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        }
    )
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body) or ""
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
    return body, headers | {"Content-Type": "application/json"}


def signed(text: str, response_url: str, n: int, user: str = USER) -> tuple[str, dict[str, str]]:
    """A slash command as tests/harness.py sends it, and the headers Slack would sign it with."""
    body = urlencode(
        {
            "token": "legacy",
            "team_id": "T0TEAM",
            "team_domain": "network",
            "channel_id": "C0BENCH",
            "channel_name": "bench",
            "user_id": user,
            "user_name": user.lower(),
            "command": COMMAND,
            "text": text,
            "api_app_id": "A0APP",
            "response_url": response_url,
            "trigger_id": f"trigger-{n}",
        }
    )
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body) or ""
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}
    return body, headers | {"Content-Type": "application/x-www-form-urlencoded"}


async def burst(
    http: httpx.AsyncClient, text: Text, numbers: range, args: argparse.Namespace
) -> list[float]:
    """Send the requests `numbers` of `text` from `--concurrency` concurrent senders; the ack
    times in ms."""
    pending, times, failures = iter(numbers), [], []

    async def sender() -> None:
        for n in pending:
            words, user = text.request(n)
            body, headers = signed(words, args.response_url, n, user)
            start = time.perf_counter()
            response = await http.post("/slack/events", content=body, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                failures.append(f"HTTP {response.status_code} {response.text[:200]}")

    await asyncio.gather(*(sender() for _ in range(args.concurrency)))
    if failures:
        raise BenchError(f"{http.base_url}: {len(failures)} not acked, first: {failures[0]}")
    return times


async def alternate(
    names: Iterable[str],
    send: Callable[[str, range], Awaitable[list[float]]],
    args: argparse.Namespace,
    pause: float = 0.0,
) -> dict[str, list[float]]:
    """Warm every target up, then alternate blocks between them (swapping who goes first),
    `pause` seconds after each block. All get the same requests: numbers 0… for the warm-up,
    then the measured ones; `send(name, numbers)` sends them and gives their times."""
    times: dict[str, list[float]] = {name: [] for name in names}
    for name in times:
        await send(name, range(args.warmup))
    for block, sent in enumerate(range(0, args.requests, BLOCK)):
        first = args.warmup + sent
        numbers = range(first, first + min(BLOCK, args.requests - sent))
        for name in list(times)[:: -1 if block % 2 else 1]:
            times[name] += await send(name, numbers)
            await asyncio.sleep(pause)
    return times


async def measure(
    targets: dict[str, httpx.AsyncClient], text: Text, args: argparse.Namespace
) -> dict[str, list[float]]:
    """The ack times of `text` on both targets (see `alternate`)."""

    def send(name: str, numbers: range) -> Awaitable[list[float]]:
        return burst(targets[name], text, numbers, args)

    # The pause: the bot's work after its acks ends before the next block.
    return await alternate(targets, send, args, pause=0.1)


def percentiles(times: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def percentile_line(name: str, times: list[float]) -> str:
    p50, p95, p99 = percentiles(times)
    return f"  {name:<4}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms"


def p99_ratio(times: dict[str, list[float]]) -> float:
    return percentiles(times["bot"])[2] / percentiles(times["bare"])[2]


def network_plan(args: argparse.Namespace, tmp: Path) -> tuple[Path, PlanRecords] | None:
    """The plan to import first and what it holds: the grown example (`--grow`, written into
    `tmp`), the `--setup-plan` file, or none."""
    # Imported here: the bare app's process (this module too) loads no more than bolt's stack.
    from bench.grown_network import grown_example
    from bot.plan import PlanError, format_problems, load_plan
    from bot.plan.writing import render

    if args.grow:
        try:
            records = grown_example(*args.grow)
        except ValueError as error:
            raise BenchError(f"--grow: {error}") from None
        path = tmp / "grown.yaml"
        path.write_text(render(records), encoding="utf-8")
        return path, records
    if not args.setup_plan:
        return None
    path = Path(args.setup_plan).resolve()
    try:
        return path, load_plan(path.read_text(encoding="utf-8"))
    except PlanError as error:
        raise BenchError(format_problems(args.setup_plan, error.problems)) from None


async def seed(
    http: httpx.AsyncClient,
    slack: str,
    plan: PlanRecords | None,
    texts: list[Text],
    args: argparse.Namespace,
) -> None:
    """Tell the fake Slack the plan's channels (the bot in each) and the users who send."""
    channels = []
    if plan is not None:
        channels = [{"id": t.channel, "name": t.key} for t in plan.themes if t.channel]
        if plan.network and plan.network.announcement_channel:
            channels.append({"id": plan.network.announcement_channel, "name": "network"})
    numbers = range(args.warmup + args.requests)
    users = [USER, *(text.user(n) for text in texts if text.per_user for n in numbers)]
    for path, data in (
        ("channels", channels),
        ("users", [{"id": user, "locale": "en-US"} for user in users]),
    ):
        (await http.post(f"{slack}_admin/{path}", json=data)).raise_for_status()


async def replies(http: httpx.AsyncClient, slack: str, expected: int) -> int:
    """How many replies the fake Slack got at the response_url, waiting 10 s at most for all."""
    for _ in range(100):
        calls = (await http.get(f"{slack}_admin/calls", params={"method": "respond"})).json()
        if len(calls["calls"]) >= expected:
            break
        await asyncio.sleep(0.1)
    return len(calls["calls"])


async def finished(log: Path, expected: int) -> str:
    """The bot's log once it has logged `expected` commands as done (after their effects),
    waiting 10 s at most."""
    for _ in range(100):
        text = log.read_text(errors="replace")
        if text.count("request kind=command") >= expected:
            break
        await asyncio.sleep(0.1)
    return text


async def slack_calls(http: httpx.AsyncClient, slack: str, log: str) -> str:
    """The bot's Web API calls at the fake Slack by method, and how many its log says failed."""
    calls = (await http.get(f"{slack}_admin/calls")).json()["calls"]
    counts = Counter(call["method"] for call in calls if call["method"] != "respond")
    made = ", ".join(f"{method} {count}" for method, count in sorted(counts.items())) or "none"
    return f"bot Web API calls: {made}; {log.count(' network_bot.slack: ')} failed"


async def bench(args: argparse.Namespace, tmp: Path) -> None:
    try:
        await measure_all(args, tmp)
    finally:
        if args.keep_logs:
            kept = Path(args.keep_logs)
            kept.mkdir(parents=True, exist_ok=True)
            for path in [*tmp.glob("*.log"), *tmp.glob("*.yaml")]:
                shutil.copy(path, kept)


async def measure_all(args: argparse.Namespace, tmp: Path) -> None:
    async with AsyncExitStack() as stack:
        api_url = await fake_slack(stack, tmp / "fake.log")
        slack = api_url.removesuffix("api/")
        args.response_url = slack + "respond/bench"
        env = bot_env(api_url, args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.db")
        await run(tmp / "migrate.log", env, "-m", "bot", "migrate")
        plan = network_plan(args, tmp)
        records = plan[1] if plan else None
        if plan is not None:
            await run(tmp / "import.log", env, "-m", "bot", "import", str(plan[0]))
        themes = tuple(t.key for t in records.themes if not t.archived) if records else ()
        texts = [Text(template, n, themes) for n, template in enumerate(args.text, 1)]
        for text in texts:
            if text.per_user and not themes:
                raise BenchError(f"{text.template!r} names a theme: give --grow or --setup-plan")
        targets, _processes = await serve_both(stack, env, tmp, args.concurrency)
        await seed(targets["bot"], slack, records, texts, args)
        ratios: dict[str, float] = {}
        for text in texts:
            times = await measure(targets, text, args)
            shown = text.template
            print(f"{shown!r}: {args.requests} acks each, {args.concurrency} concurrent clients")
            for name, values in times.items():
                print(percentile_line(name, values))
            ratios[shown] = p99_ratio(times)
            print(f"ratio p99 bot/bare ({shown}): {ratios[shown]:.2f}", flush=True)
        sent = len(texts) * (args.warmup + args.requests)
        answered = await replies(targets["bot"], slack, sent)
        log = await finished(tmp / "bot.log", sent)
        print(
            f"bot replies at the response_url: {answered}/{sent}"
            f", {log.count('outcome=error')} failed after their ack"
        )
        print(await slack_calls(targets["bot"], slack, log))
        # The last line gives the worst text: a threshold on it must hold for every command.
        print(f"ratio p99 bot/bare: {max(ratios.values()):.2f}")


def grow_size(text: str) -> tuple[int, int]:
    """`--grow 200,2000` → (200, 2000)."""
    from bench.grown_network import size  # imported here, as in `network_plan`

    return size(text)


def main() -> int:
    parser = bench_parser(__doc__, requests=400, concurrency=8, warmup=30, timeout=300)
    parser.epilog = (
        "A text with {theme} gets the next theme key of the plan in each request, and"
        " each request is sent by a new user, so that e.g. 'join {theme}' joins every time."
    )
    parser.add_argument(
        "--text",
        action="append",
        help="command text (repeatable; help); {theme}: a theme key, another each request",
    )
    parser.add_argument("--database-url", help="run the bot on this database, not a tmp SQLite")
    plan = parser.add_mutually_exclusive_group()
    plan.add_argument(
        "--grow",
        type=grow_size,
        metavar="THEMES,MEMBERS",
        help="import the example network grown to this size first (e.g. 200,2000)",
    )
    plan.add_argument("--setup-plan", help="a plan YAML for `python -m bot import` first")
    parser.add_argument("--keep-logs", metavar="DIR", help="copy the servers' logs and plan here")
    parser.add_argument("--bare-app", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--reply", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_app:
        serve_bare(args.port, args.api_url, args.reply)
        return 0
    args.text = args.text or ["help"]
    return run_bench("ack_latency", bench, args)


def bench_parser(
    doc: str | None, *, requests: int, concurrency: int, warmup: int, timeout: float
) -> argparse.ArgumentParser:
    """A bench's command line with the options every latency bench has."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--requests", type=int, default=requests, help="measured per app and text")
    parser.add_argument("--concurrency", type=int, default=concurrency, help="concurrent clients")
    parser.add_argument("--warmup", type=int, default=warmup, help="unmeasured first requests")
    parser.add_argument("--timeout", type=float, default=timeout, help="seconds for everything")
    return parser


def run_bench(
    name: str, work: Callable[[argparse.Namespace, Path], Awaitable[None]], args: argparse.Namespace
) -> int:
    """Run a bench in a temporary folder within `args.timeout`; a failure is one line."""
    try:
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
            asyncio.run(asyncio.wait_for(work(args, Path(tmp)), args.timeout))
    except TimeoutError:
        print(f"{name}: gave up after {args.timeout:.0f} s", file=sys.stderr)
        return 1
    except BenchError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
