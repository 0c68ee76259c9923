"""The fake Slack of `bench/load.py`: a process of its own that tells when each call arrives, and
the load generator's side that listens to it.

The process (`python -m bench.load_slack --token T`) is `tests/fake_slack.py`'s `FakeSlack`
(users, channels, the Web API the bot calls) that also writes one JSON line to standard output
for every call, the moment it arrives (`time.monotonic()`, the clock every process on the machine
shares), and then forgets the call (a run makes thousands, with whole pages in them):

    {"reply": "<key>", "at": 812.25, "text": "…"}        a post to /respond/<key>
    {"api": "chat.postMessage", "at": 812.26, "ok": true}  a Web API call
    {"reply": "home:<user>", "at": 812.27, "text": ""}   a Home tab published for <user>

Its first line is `URL http://127.0.0.1:PORT/api/`. Running apart from the load generator, its
threads do not hold up the generator's event loop, nor the generator theirs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import threading
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tests.fake_slack import FakeSlack, Reply, parse_params

if TYPE_CHECKING:
    import httpx

    from bench.ack_latency import Process
    from bench.load_mix import World
    from bot.plan.records import PlanRecords

TEXT_KEPT = 300  # characters of a reply's text told, enough to tell an error message


class TellingSlack(FakeSlack):
    """A fake Slack that writes a line for each call as it arrives."""

    def __init__(self, token: str) -> None:
        super().__init__(bot_token=token)
        self._out = threading.Lock()

    def handle_request(self, verb: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        arrived = time.monotonic()
        reply = super().handle_request(verb, target, headers, body)
        parts = urlsplit(target)
        told: dict[str, Any] | None = None
        if parts.path.startswith("/respond/"):
            params = parse_params(parts.query, headers.get("content-type", ""), body)
            text = str(params.get("text") or "")[:TEXT_KEPT]
            told = {"reply": parts.path.removeprefix("/respond/"), "at": arrived, "text": text}
        elif parts.path.startswith("/api/"):
            ok = reply.status == 200 and json.loads(reply.body).get("ok") is True
            told = {"api": parts.path.removeprefix("/api/"), "at": arrived, "ok": ok}
        self.clear()
        lines = [told] if told is not None else []
        if parts.path == "/api/views.publish":  # the reply to opening the Home tab
            params = parse_params(parts.query, headers.get("content-type", ""), body)
            lines.append({"reply": f"home:{params.get('user_id')}", "at": arrived, "text": ""})
        if lines:
            text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
            with self._out:
                sys.stdout.write(text)
                sys.stdout.flush()
        return reply


# --- the generator's side ---------------------------------------------------------------------


class Slack:
    """The fake Slack's process, read line by line: each reply resolves the future its request
    waits on, and the Web API calls are counted."""

    def __init__(self, proc: Process, api_url: str) -> None:
        self.proc, self.api_url = proc, api_url
        self.base = api_url.removesuffix("/api/")
        self.waiting: dict[str, asyncio.Future[tuple[float, str]]] = {}
        self.calls: dict[str, int] = {}
        self.failed: dict[str, int] = {}
        self.late = 0  # replies that came after their request had given up

    async def read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            told = json.loads(line)
            if "reply" in told:
                future = self.waiting.pop(told["reply"], None)
                if future is None and told["reply"].startswith("home:"):
                    pass  # a tab published after a write, not an opened one
                elif future is None or future.done():
                    self.late += 1
                else:
                    future.set_result((told["at"], told["text"]))
            else:
                counts = self.calls if told["ok"] else self.failed
                counts[told["api"]] = counts.get(told["api"], 0) + 1

    def expect(self, key: str) -> asyncio.Future[tuple[float, str]]:
        """The future of the reply at `respond/<key>`: its arrival and its text."""
        future: asyncio.Future[tuple[float, str]] = asyncio.get_running_loop().create_future()
        self.waiting[key] = future
        return future

    def forget(self, key: str) -> None:
        """No reply to `key` is waited for any more."""
        self.waiting.pop(key, None)

    async def seed(self, http: httpx.AsyncClient, plan: PlanRecords, world: World) -> None:
        """The network's people, each with their language, and its channels, the bot in each
        and the registered members in their themes' channels, as in a running workspace."""
        contacts = {contact for o in plan.organisations for contact in o.contacts}
        users = [
            {"id": user, "locale": world.locales.get(user, "fi-FI"), "real_name": f"Jäsen {user}"}
            for user in sorted({m.user for m in plan.members} | contacts)
        ]
        members: dict[str, list[str]] = {}
        for user, theme in world.registered:
            members.setdefault(theme, []).append(user)
        channels = [
            {"id": t.channel, "name": t.key, "members": members.get(t.key, [])}
            for t in plan.themes
            if t.channel
        ]
        if plan.network and plan.network.announcement_channel:
            channels.append({"id": plan.network.announcement_channel, "name": "verkosto"})
        for path, data in (("users", users), ("channels", channels)):
            (await http.post(f"{self.base}/_admin/{path}", json=data)).raise_for_status()


async def fake_slack(stack: AsyncExitStack, log: Path, token: str) -> Slack:
    """This module's fake Slack in its own process until `stack` closes, being read."""
    from bench.ack_latency import BenchError, started

    args = ("-m", "bench.load_slack", "--token", token)
    proc = await stack.enter_async_context(started(log, dict(os.environ), *args, piped=True))
    assert proc.stdout is not None
    first = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
    if not first.startswith("URL "):
        raise BenchError(f"the fake Slack did not start: {first!r}")
    slack = Slack(proc, first.split()[-1])
    reader = asyncio.create_task(slack.read())
    stack.callback(reader.cancel)
    return slack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", required=True, help="the bot token to accept")
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    slack = TellingSlack(args.token).start()
    print(f"URL {slack.url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        slack.stop()


if __name__ == "__main__":
    main()
