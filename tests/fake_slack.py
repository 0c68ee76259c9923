"""A fake Slack Web API: a real HTTP server on 127.0.0.1 that records every call.

Point slack-sdk at it with ``AsyncWebClient(token=fake.bot_token, base_url=fake.url)`` (or set
``SLACK_API_URL=fake.url``). It answers the methods the bot uses the way Slack does (HTTP 200 JSON
with ``"ok"``, Slack's error codes), keeps a little state (users, channels, messages, views,
files), and can inject faults (429 with ``Retry-After``, 5xx, ``{"ok": false}``, slow answers).

Only the standard library is used, so it also runs as its own process::

    python -m tests.fake_slack --port 0 --latency-ms 20

prints ``URL http://127.0.0.1:PORT/api/`` as its first line and serves until killed. Another
process seeds it with ``POST /_admin/channels`` and ``POST /_admin/users`` and reads the recorded
calls with ``GET /_admin/calls?method=chat.postMessage``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import copy
import json
import mimetypes
import signal
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0TEAM"
APP_ID = "A0APP"
TEAM_DOMAIN = "t0team"
BOT_NAME = "network-bot"
BOT_SCOPES = (
    "app_mentions:read,channels:history,channels:join,channels:manage,channels:read,chat:write,"
    "commands,files:write,groups:history,groups:read,groups:write,im:history,im:write,users:read"
)
JSON_STRING_FIELDS = ("blocks", "attachments", "metadata", "view", "files")
# What would notify a whole channel or a user group: the bot never writes these itself, so one
# in any recorded text is user input that reached Slack unescaped.
LIVE_PINGS = ("<!channel", "<!here", "<!everyone", "<!subteam^")
# Fields Slack never renders as mrkdwn (a plain_text object's text is not read for mentions).
_UNRENDERED = frozenset(
    {
        "value",
        "initial_value",
        "private_metadata",
        "action_id",
        "block_id",
        "callback_id",
        "external_id",
        "url",
        "image_url",
        "metadata",
        "trigger_id",
        "response_url",
        "token",
        "title",
        "filename",
    }
)
MAX_TEXT_LENGTH = 40_000
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
DEFAULT_TZ = "Europe/Helsinki"
_DEFAULT_FAULT_ERRORS = {
    429: "ratelimited",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "request_timeout",
}

Params = dict[str, Any]
Payload = dict[str, Any]
MethodHandler = Callable[["FakeSlack", Params], Payload]
AdminHandler = Callable[["FakeSlack", Any, Params], Payload]


class SlackError(Exception):
    """Raised by a method handler: answered as ``{"ok": false, "error": error, **extra}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Call:
    """One recorded request. ``headers`` keys are lower-case; ``status`` is 0 until answered."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int = 0
    path: str = ""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (bytes become base64 strings, sets sorted lists)."""
        data = {
            "method": self.method,
            "params": self.params,
            "at": self.at,
            "status": self.status,
            "path": self.path,
        }
        loaded: dict[str, Any] = json.loads(_dumps(data))
        return loaded


@dataclass
class Channel:
    """A conversation: public or private channel, DM (``is_im``) or group DM (``is_mpim``)."""

    id: str
    name: str
    is_private: bool = False
    members: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)
    is_im: bool = False
    is_mpim: bool = False
    user: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))

    @property
    def kind(self) -> str:
        """The ``types`` name of conversations.list this channel belongs to."""
        if self.is_im:
            return "im"
        if self.is_mpim:
            return "mpim"
        return "private_channel" if self.is_private else "public_channel"

    @property
    def bot_is_member(self) -> bool:
        """Whether the bot user is in this conversation."""
        return BOT_USER_ID in self.members

    def find(self, ts: str) -> dict[str, Any] | None:
        """The stored message with this ``ts``, or None."""
        return next((m for m in self.messages if m.get("ts") == ts), None)

    def to_api(self, *, num_members: bool = True) -> dict[str, Any]:
        """The conversation object as Slack's conversations.* methods return it."""
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        obj: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private and not self.is_mpim,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_mpim,
            "created": self.created,
            "creator": BOT_USER_ID,
            "is_archived": False,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "pending_shared": [],
            "is_pending_ext_shared": False,
            "is_member": self.bot_is_member,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if num_members:
            obj["num_members"] = len(self.members)
        return obj


@dataclass
class FakeFile:
    """A file created by files.getUploadURLExternal; ``content`` is None until uploaded."""

    id: str
    name: str
    length: int
    title: str = ""
    content: bytes | None = None
    completed: bool = False
    channel_id: str | None = None
    initial_comment: str | None = None
    thread_ts: str | None = None
    created: int = field(default_factory=lambda: int(time.time()))

    def to_api(self) -> dict[str, Any]:
        """The file object as files.completeUploadExternal returns it."""
        ext = self.name.rsplit(".", 1)[-1] if "." in self.name else ""
        size = len(self.content) if self.content is not None else self.length
        shared = [self.channel_id] if self.channel_id else []
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title or self.name,
            "mimetype": mimetypes.guess_type(self.name)[0] or "application/octet-stream",
            "filetype": ext,
            "user": BOT_USER_ID,
            "user_team": TEAM_ID,
            "size": size,
            "mode": "hosted",
            "is_external": False,
            "is_public": bool(shared) and shared[0].startswith("C"),
            "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{self.id}/{self.name}",
            "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{self.id}/{self.name}",
            "channels": [c for c in shared if c.startswith("C")],
            "groups": [c for c in shared if c.startswith("G")],
            "ims": [c for c in shared if c.startswith("D")],
        }


RESET = -1  # a reply that is no reply: the connection is dropped


@dataclass
class Fault:
    """A queued fault for one method (see ``FakeSlack.fail``)."""

    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    remaining: int = 1
    reset: bool = False  # carry the call out, then drop the connection without an answer


@dataclass
class Reply:
    """An HTTP answer: status, headers, body."""

    status: int
    headers: dict[str, str]
    body: bytes


class FakeSlack:
    """A fake Slack Web API server with recorded calls, seeded state and injectable faults.

    Use as a context manager (or ``start()``/``stop()``); ``url`` is the Web API base URL for
    slack-sdk's ``base_url``. State (``users``, ``channels``, ``views``, ``files``) may be read and
    seeded directly by tests.
    """

    def __init__(
        self,
        bot_token: str = "xoxb-test",
        latency: float = 0.0,
        *,
        port: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create a stopped server; ``latency`` seconds are added to every call, ``clock`` makes
        message timestamps (they stay unique and increasing whatever it returns)."""
        self.bot_token = bot_token
        self.latency = latency
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, FakeFile] = {}
        self._port = port
        self._clock = clock
        self._lock = threading.RLock()
        self._calls: list[Call] = []
        self.watched: list[str] = list(LIVE_PINGS)
        self.pings: list[tuple[str, str]] = []  # (method, text) of every live ping recorded
        self._faults: dict[str, list[Fault]] = {}
        self._down: tuple[float, int] = (float("-inf"), 500)  # until (clock), HTTP status
        self._home_views: dict[str, str] = {}
        self._last_ts_micros = 0
        self._id_counter = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.users[BOT_USER_ID] = {"name": BOT_NAME, "real_name": "Network Bot", "is_bot": True}

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Bind 127.0.0.1 (port 0 = a free port) and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakeSlack is already running")
        self._server = _Server(("127.0.0.1", self._port), _RequestHandler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (safe to call twice)."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The Web API base URL, ending in ``/api/`` (slack-sdk's ``base_url``)."""
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        """A response_url (``{base}/respond/<name>``); posts to it are recorded as ``respond``."""
        return f"{self.base}/respond/{name}"

    # -- seeding ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        name: str | None = None,
        locale: str = "fi-FI",
        *,
        real_name: str | None = None,
        tz: str = DEFAULT_TZ,
        email: str | None = None,
        is_admin: bool = False,
    ) -> dict[str, Any]:
        """Add (or replace) a workspace user and return its record."""
        name = name or user_id.lower()
        user: dict[str, Any] = {
            "name": name,
            "real_name": real_name or name,
            "locale": locale,
            "tz": tz,
            "is_admin": is_admin,
        }
        if email:
            user["email"] = email
        with self._lock:
            self.users[user_id] = user
        return user

    def add_channel(
        self,
        id: str,
        name: str,
        is_private: bool = False,
        bot_member: bool = True,
        members: Iterable[str] = (),
    ) -> Channel:
        """Add (or replace) a channel; the bot is in it when ``bot_member``."""
        member_set = set(members)
        if bot_member:
            member_set.add(BOT_USER_ID)
        channel = Channel(id=id, name=name, is_private=is_private, members=member_set)
        with self._lock:
            self.channels[id] = channel
        return channel

    # -- inspection ------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every recorded call, in arrival order."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The recorded calls to one method (``chat.postMessage``, ``upload``, ``respond``...)."""
        return [c for c in self.calls if c.method == method]

    def watch(self, *markers: str) -> None:
        """Count these strings too as live pings wherever they are recorded (a test's hostile
        `<@U…>`, which must arrive escaped while the bot's own mentions stay real)."""
        with self._lock:
            self.watched.extend(markers)

    def clear(self) -> None:
        """Forget the recorded calls (state and queued faults are kept)."""
        with self._lock:
            self._calls.clear()

    def uploaded(self, file_id: str) -> bytes:
        """The exact bytes uploaded for ``file_id`` (KeyError if nothing was uploaded)."""
        with self._lock:
            content = self.files[file_id].content
        if content is None:
            raise KeyError(f"{file_id} was never uploaded")
        return content

    def max_per_second(self, channel: str) -> int:
        """Most chat.postMessage calls to ``channel`` (as passed) inside any 1-second window."""
        times = [
            c.at for c in self.calls_to("chat.postMessage") if c.params.get("channel") == channel
        ]
        return max_in_window(times, 1.0)

    # -- faults ----------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        delay: float = 0.0,
        reset: bool = False,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail (queued after earlier faults).

        ``status=429`` (implied by ``retry_after``) answers ``ratelimited`` with a ``Retry-After``
        header; other statuses answer ``{"ok": false, "error": ...}`` with that HTTP status;
        ``error`` alone answers HTTP 200 ``{"ok": false, "error": error}``; ``delay`` sleeps first
        (then answers normally when nothing else is set, so the call still takes effect);
        ``reset`` carries the call out and then drops the connection without answering (the
        client sees a connection reset after Slack accepted the call).
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        fault = Fault(status, error, retry_after, delay, times, reset)
        with self._lock:
            self._faults.setdefault(method, []).append(fault)

    def down_until(self, moment: float, status: int = 500) -> None:
        """Answer every Web API call with HTTP ``status`` (``internal_error`` for 500) until
        ``clock()`` reaches ``moment`` (an outage of Slack, in the fake clock's time)."""
        with self._lock:
            self._down = (moment, status)

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                queue.pop(0)
            return fault

    # -- request handling ------------------------------------------------------------------

    def handle_request(self, verb: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """Answer one HTTP request (``headers`` with lower-case keys); used by the HTTP layer."""
        parts = urlsplit(target)
        if parts.path.startswith("/_admin/"):
            return self._admin(verb, parts.path, parts.query, body)
        route = _route(parts.path)
        if route is None:
            return _json_reply({"ok": False, "error": "not_found"}, status=404)
        kind, key = route
        method = key if kind == "api" else kind
        params = _request_params(kind, key, parts.query, headers, body)
        call = Call(method, params, headers, time.monotonic(), path=parts.path)
        found = [] if kind == "upload" else live_pings(params, self.watched)
        with self._lock:
            self._calls.append(call)
            self.pings.extend((method, text) for text in found)
        reply = self._answer(kind, call, key, headers)
        call.status = reply.status
        return reply

    def _answer(self, kind: str, call: Call, key: str, headers: dict[str, str]) -> Reply:
        until, status = self._down
        if kind == "api" and self._clock() < until:
            return _fault_reply(Fault(status)) or _json_reply({"ok": False}, status=status)
        fault = self._take_fault(call.method)
        delay = self.latency + (fault.delay if fault else 0.0)
        if delay > 0:
            time.sleep(delay)
        faulted = _fault_reply(fault) if fault and not fault.reset else None
        if faulted is not None:
            return faulted
        if fault is not None and fault.reset:
            self._api(call.method, call.params, headers)
            return Reply(RESET, {}, b"")
        if kind == "upload":
            return self._store_upload(key, call.params["content"])
        if kind == "respond":
            return _json_reply({"ok": True})
        return self._api(call.method, call.params, headers)

    def _api(self, method: str, params: Params, headers: dict[str, str]) -> Reply:
        extra = {"x-oauth-scopes": BOT_SCOPES}
        try:
            handler = METHODS.get(method)
            if handler is None:
                raise SlackError("unknown_method")
            self._check_auth(headers, params)
            with self._lock:
                payload = {"ok": True, **handler(self, params)}
                return _json_reply(payload, headers=extra)
        except SlackError as err:
            return _json_reply({"ok": False, "error": err.error, **err.extra}, headers=extra)
        except Exception as err:  # a bug here must not look like a network failure
            traceback.print_exc()
            return _json_reply({"ok": False, "error": f"fake_slack_bug: {err!r}"}, status=500)

    def _check_auth(self, headers: dict[str, str], params: Params) -> None:
        if "_invalid_json" in params:
            raise SlackError("invalid_json")
        auth = headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else params.get("token")
        if not token:
            raise SlackError("not_authed")
        if token != self.bot_token:
            raise SlackError("invalid_auth")

    def _store_upload(self, file_id: str, content: bytes) -> Reply:
        with self._lock:
            fake_file = self.files.get(file_id)
            if fake_file is None:
                return _text_reply("Not Found", status=404)
            fake_file.content = content
        return _text_reply(f"OK - {len(content)}")

    def _admin(self, verb: str, path: str, query: str, body: bytes) -> Reply:
        handler = ADMIN.get((verb, path.removeprefix("/_admin/")))
        if handler is None:
            return _json_reply({"ok": False, "error": "unknown_admin_endpoint"}, status=404)
        try:
            data = json.loads(body) if body else None
            result = handler(self, data, _flatten(parse_qs(query, keep_blank_values=True)))
        except (ValueError, KeyError, TypeError) as err:
            return _json_reply({"ok": False, "error": f"bad_request: {err!r}"}, status=400)
        return _json_reply({"ok": True, **result})

    # -- state helpers used by the method handlers (called with the lock held) ---------------

    def _next_ts(self) -> str:
        micros = max(int(self._clock() * 1_000_000), self._last_ts_micros + 100)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        self._id_counter += 1
        return f"{prefix}{self._id_counter:08d}"

    def _dm(self, user_id: str) -> tuple[Channel, bool]:
        """The bot's DM with ``user_id`` (created on first use) and whether it already existed."""
        channel_id = f"D{user_id}"
        existing = self.channels.get(channel_id)
        if existing is not None:
            return existing, True
        channel = Channel(channel_id, "", members={BOT_USER_ID, user_id}, is_im=True, user=user_id)
        self.channels[channel_id] = channel
        return channel, False

    def _mpim(self, user_ids: list[str]) -> tuple[Channel, bool]:
        members = sorted({*user_ids, BOT_USER_ID})
        channel_id = "G" + "".join(u.upper() for u in members)
        existing = self.channels.get(channel_id)
        if existing is not None:
            return existing, True
        name = "mpdm-" + "--".join(self.users.get(u, {}).get("name", u.lower()) for u in members)
        channel = Channel(channel_id, name, is_private=True, members=set(members), is_mpim=True)
        self.channels[channel_id] = channel
        return channel, False

    def _lookup(self, ref: str) -> Channel | None:
        channel = self.channels.get(ref)
        if channel is not None:
            return channel
        name = ref.removeprefix("#")
        return next((c for c in self.channels.values() if c.name and c.name == name), None)

    def _visible(self, ref: str) -> Channel:
        """A channel the bot can see: unknown ones and private ones it is not in do not exist."""
        channel = self._lookup(ref)
        if channel is None or (channel.kind != "public_channel" and not channel.bot_is_member):
            raise SlackError("channel_not_found")
        return channel

    def _member_channel(self, ref: str) -> Channel:
        channel = self._visible(ref)
        if not channel.bot_is_member:
            raise SlackError("not_in_channel")
        return channel

    def _post_target(self, ref: str) -> Channel:
        """Where chat.postMessage goes: a user id means that user's DM with the bot."""
        if _is_user_id(ref) and ref not in self.channels:
            return self._dm(ref)[0]
        return self._member_channel(ref)

    def _store_message(self, channel: Channel, message: dict[str, Any]) -> None:
        channel.messages.append(message)
        thread_ts = message.get("thread_ts")
        parent = channel.find(thread_ts) if thread_ts and thread_ts != message["ts"] else None
        if parent is None:
            return
        parent["thread_ts"] = parent["ts"]
        parent["reply_count"] = parent.get("reply_count", 0) + 1
        reply_users = parent.setdefault("reply_users", [])
        if message.get("user") not in reply_users:
            reply_users.append(message.get("user"))
        parent["reply_users_count"] = len(reply_users)
        parent["latest_reply"] = message["ts"]

    def _new_message(self, **fields: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "ts": self._next_ts(),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
        }
        message.update({k: v for k, v in fields.items() if v is not None})
        return message


# -- HTTP layer --------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    fake: FakeSlack


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (40 ms), which would add to every answer beyond `latency`.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.fake.handle_request(self.command, self.path, headers, body)
        if reply.status == RESET:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. it timed out)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


def _route(path: str) -> tuple[str, str] | None:
    for prefix, kind in (("/api/", "api"), ("/upload/", "upload"), ("/respond/", "respond")):
        if path.startswith(prefix) and len(path) > len(prefix):
            return kind, path[len(prefix) :]
    return None


def _json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    all_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return Reply(status, all_headers, _dumps(payload).encode())


def _text_reply(text: str, status: int = 200) -> Reply:
    return Reply(status, {"Content-Type": "text/plain; charset=utf-8"}, text.encode())


def _fault_reply(fault: Fault) -> Reply | None:
    status = 429 if fault.retry_after is not None and fault.status == 200 else fault.status
    if status == 200 and fault.error is None:
        return None
    error = fault.error or _DEFAULT_FAULT_ERRORS.get(status, "fatal_error")
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    return _json_reply({"ok": False, "error": error}, status=status, headers=headers)


def _dumps(data: Any) -> str:
    return json.dumps(data, default=_json_default, ensure_ascii=False)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, bytes | bytearray):
        return base64.b64encode(obj).decode("ascii")
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


# -- request parsing ---------------------------------------------------------------------------


def _request_params(
    kind: str, key: str, query: str, headers: dict[str, str], body: bytes
) -> Params:
    """The recorded params: the raw bytes for uploads, else the decoded body + query string."""
    if kind == "upload":
        return {"file_id": key, "content": body}
    try:
        return parse_params(query, headers.get("content-type", ""), body)
    except ValueError:
        return {"_invalid_json": body.decode("utf-8", "replace")}


def parse_params(query: str, content_type: str, body: bytes) -> Params:
    """Merge the query string with a JSON, form or multipart body; decode JSON-string fields."""
    params = _flatten(parse_qs(query, keep_blank_values=True))
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "application/json":
        if body.strip():
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                raise ValueError("JSON body must be an object")
            params.update(decoded)
    elif mime == "multipart/form-data":
        params.update(_parse_multipart(content_type, body))
    elif body:
        params.update(_flatten(parse_qs(body.decode("utf-8"), keep_blank_values=True)))
    return _decode_json_fields(params)


def _flatten(values: dict[str, list[str]]) -> Params:
    return {k: v[-1] for k, v in values.items()}


def _parse_multipart(content_type: str, body: bytes) -> Params:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP_POLICY).parsebytes(head + body)
    params: Params = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        params[name] = raw if part.get_filename() else raw.decode("utf-8")
    return params


def _decode_json_fields(params: Params) -> Params:
    for name in JSON_STRING_FIELDS:
        value = params.get(name)
        if isinstance(value, str):
            # Undecodable JSON stays a string: the handler answers invalid_*_format.
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)
    return params


def _arg(params: Params, name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value)


def _flag(params: Params, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _int(params: Params, name: str, default: int) -> int:
    try:
        value = int(params.get(name) or default)
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def _is_user_id(ref: str) -> bool:
    return len(ref) > 1 and ref[0] in "UW" and ref.isalnum()


def _ts_value(ts: Any) -> Decimal:
    try:
        return Decimal(str(ts))
    except InvalidOperation as err:
        raise SlackError("invalid_ts_latest" if ts else "invalid_arguments") from err


def _page(items: list[Any], params: Params, default_limit: int = 100) -> tuple[list[Any], str]:
    """Slice ``items`` by ``cursor``/``limit``; returns the page and the next cursor ('' = end)."""
    limit = min(_int(params, "limit", default_limit), 1000)
    cursor = _arg(params, "cursor")
    start = 0
    if cursor:
        try:
            kind, _, offset = base64.b64decode(cursor).decode().partition(":")
            start = int(offset)
        except ValueError as err:
            raise SlackError("invalid_cursor") from err
        if kind != "offset" or start < 0:
            raise SlackError("invalid_cursor")
    end = start + limit
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], next_cursor


def _paged(key: str, items: list[Any], params: Params, default_limit: int = 100) -> Payload:
    page, next_cursor = _page(items, params, default_limit)
    return {key: page, "response_metadata": {"next_cursor": next_cursor}}


def live_pings(value: Any, markers: Iterable[str] = LIVE_PINGS) -> list[str]:
    """Every rendered string in a call's params holding one of `markers` (plain_text objects
    and fields Slack never renders are left out)."""
    if isinstance(value, str):
        return [value] if any(marker in value for marker in markers) else []
    if isinstance(value, list):
        return [text for item in value for text in live_pings(item, markers)]
    if not isinstance(value, dict) or value.get("type") == "plain_text":
        return []
    return [
        text
        for key, item in value.items()
        if key not in _UNRENDERED
        for text in live_pings(item, markers)
    ]


# -- validation --------------------------------------------------------------------------------


def _check_message_content(params: Params) -> None:
    text, blocks = params.get("text"), params.get("blocks")
    if blocks is not None:
        _check_blocks(blocks, MAX_BLOCKS, "invalid_blocks")
    if params.get("attachments") is not None and not isinstance(params["attachments"], list):
        raise SlackError("invalid_attachments")
    if params.get("metadata") is not None:
        _check_metadata(params["metadata"])
    if not text and not blocks and not params.get("attachments"):
        raise SlackError("no_text")
    if text and len(str(text)) > MAX_TEXT_LENGTH:
        raise SlackError("msg_too_long")


def _check_blocks(blocks: Any, limit: int, error: str) -> None:
    if isinstance(blocks, str):
        raise SlackError("invalid_blocks_format")
    if not isinstance(blocks, list):
        raise SlackError(error, errors=["must be an array [json-pointer:/blocks]"])
    if len(blocks) > limit:
        raise SlackError(error, errors=[f"must provide no more than {limit} items"])
    for index, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise SlackError(error, errors=[f"missing required field: type [/blocks/{index}]"])


def _check_metadata(metadata: Any) -> None:
    valid = (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    )
    if not valid:
        raise SlackError("invalid_metadata_format")


def _message_fields(params: Params) -> dict[str, Any]:
    return {name: params.get(name) for name in ("text", "blocks", "attachments", "metadata")}


# -- Web API methods ---------------------------------------------------------------------------


def _auth_test(fake: FakeSlack, p: Params) -> Payload:
    return {
        "url": f"https://{TEAM_DOMAIN}.slack.com/",
        "team": "Test Team",
        "user": BOT_NAME,
        "team_id": TEAM_ID,
        "user_id": BOT_USER_ID,
        "bot_id": BOT_ID,
        "is_enterprise_install": False,
    }


def _users_info(fake: FakeSlack, p: Params) -> Payload:
    user_id = _arg(p, "user")
    user = fake.users.get(user_id)
    if user is None:
        raise SlackError("user_not_found")
    return {"user": _user_object(user_id, user, include_locale=_flag(p, "include_locale"))}


def _user_object(user_id: str, user: dict[str, Any], *, include_locale: bool) -> dict[str, Any]:
    name = user.get("name", user_id.lower())
    real_name = user.get("real_name") or name
    tz = user.get("tz", DEFAULT_TZ)
    profile: dict[str, Any] = {
        "real_name": real_name,
        "display_name": user.get("display_name", ""),
        "team": TEAM_ID,
    }
    if user.get("email"):
        profile["email"] = user["email"]
    if user.get("is_bot"):
        profile["bot_id"] = BOT_ID
    obj: dict[str, Any] = {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "deleted": False,
        "real_name": real_name,
        "tz": tz,
        "tz_label": tz,
        "tz_offset": _tz_offset(tz),
        "is_admin": bool(user.get("is_admin")),
        "is_owner": False,
        "is_bot": bool(user.get("is_bot")),
        "is_app_user": False,
        "updated": 0,
        "profile": profile,
    }
    if include_locale:
        obj["locale"] = user.get("locale", "en-US")
    return obj


def _tz_offset(tz: str) -> int:
    try:
        offset = datetime.now(ZoneInfo(tz)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds()) if offset else 0


def _chat_post_message(fake: FakeSlack, p: Params) -> Payload:
    channel = fake._post_target(_arg(p, "channel"))
    _check_message_content(p)
    message = fake._new_message(**_message_fields(p), thread_ts=p.get("thread_ts") or None)
    if message.get("thread_ts") and _flag(p, "reply_broadcast"):
        message["subtype"] = "thread_broadcast"
    fake._store_message(channel, message)
    return {"channel": channel.id, "ts": message["ts"], "message": copy.deepcopy(message)}


def _chat_post_ephemeral(fake: FakeSlack, p: Params) -> Payload:
    channel = fake._post_target(_arg(p, "channel"))
    user = _arg(p, "user")
    if not user:
        raise SlackError("user_not_found")
    if not channel.is_im and user not in channel.members:
        raise SlackError("user_not_in_channel")
    _check_message_content(p)
    return {"message_ts": fake._next_ts()}


def _own_message(fake: FakeSlack, p: Params, ts_name: str, error: str) -> tuple[Channel, Any]:
    channel = fake._member_channel(_arg(p, "channel"))
    message = channel.find(_arg(p, ts_name))
    if message is None:
        raise SlackError("message_not_found")
    if message.get("bot_id") != BOT_ID:
        raise SlackError(error)
    return channel, message


def _chat_update(fake: FakeSlack, p: Params) -> Payload:
    channel, message = _own_message(fake, p, "ts", "cant_update_message")
    if p.get("blocks") is not None:
        _check_blocks(p["blocks"], MAX_BLOCKS, "invalid_blocks")
    if p.get("metadata") is not None:
        _check_metadata(p["metadata"])
    updates = {k: v for k, v in _message_fields(p).items() if v is not None}
    message.update(updates)
    for name in ("blocks", "attachments"):
        if message.get(name) == []:
            del message[name]
    message["edited"] = {"user": BOT_USER_ID, "ts": fake._next_ts()}
    return {
        "channel": channel.id,
        "ts": message["ts"],
        "text": message.get("text", ""),
        "message": copy.deepcopy(message),
    }


def _chat_delete(fake: FakeSlack, p: Params) -> Payload:
    channel, message = _own_message(fake, p, "ts", "cant_delete_message")
    channel.messages.remove(message)
    return {"channel": channel.id, "ts": message["ts"]}


def _chat_get_permalink(fake: FakeSlack, p: Params) -> Payload:
    channel = fake._visible(_arg(p, "channel"))
    message = channel.find(_arg(p, "message_ts"))
    if message is None:
        raise SlackError("message_not_found")
    link = (
        f"https://{TEAM_DOMAIN}.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}"
    )
    thread_ts = message.get("thread_ts")
    if thread_ts and thread_ts != message["ts"]:
        link += f"?thread_ts={thread_ts}&cid={channel.id}"
    return {"channel": channel.id, "permalink": link}


def _conversations_info(fake: FakeSlack, p: Params) -> Payload:
    channel = fake._visible(_arg(p, "channel"))
    obj = channel.to_api(num_members=_flag(p, "include_num_members"))
    if _flag(p, "include_locale"):
        obj["locale"] = "en-US"
    return {"channel": obj}


def _conversations_list(fake: FakeSlack, p: Params) -> Payload:
    types = {t.strip() for t in (_arg(p, "types") or "public_channel").split(",") if t.strip()}
    listed = [
        c.to_api()
        for c in fake.channels.values()
        if c.kind in types and (c.kind == "public_channel" or c.bot_is_member)
    ]
    return _paged("channels", listed, p)


def _conversations_join(fake: FakeSlack, p: Params) -> Payload:
    channel = fake._lookup(_arg(p, "channel"))
    if channel is None:
        raise SlackError("channel_not_found")
    if channel.kind != "public_channel":
        raise SlackError("method_not_supported_for_channel_type")
    answer: Payload = {}
    if channel.bot_is_member:
        answer = {"warning": "already_in_channel"}
        answer["response_metadata"] = {"warnings": ["already_in_channel"]}
    channel.members.add(BOT_USER_ID)
    return {"channel": channel.to_api(), **answer}


def _conversations_invite(fake: FakeSlack, p: Params) -> Payload:
    channel = fake._visible(_arg(p, "channel"))
    if channel.is_im or channel.is_mpim:
        raise SlackError("method_not_supported_for_channel_type")
    if not channel.bot_is_member:
        raise SlackError("not_in_channel")
    users = [u.strip() for u in _arg(p, "users").split(",") if u.strip()]
    if not users:
        raise SlackError("no_user")
    if BOT_USER_ID in users:
        raise SlackError("cant_invite_self")
    already = [u for u in users if u in channel.members]
    if already:
        errors = [{"user": u, "ok": False, "error": "already_in_channel"} for u in already]
        raise SlackError("already_in_channel", errors=errors)
    channel.members.update(users)
    return {"channel": channel.to_api()}


def _conversations_members(fake: FakeSlack, p: Params) -> Payload:
    channel = fake._visible(_arg(p, "channel"))
    return _paged("members", sorted(channel.members), p)


def _conversations_open(fake: FakeSlack, p: Params) -> Payload:
    if p.get("channel"):
        channel, existed = fake._visible(_arg(p, "channel")), True
    else:
        users = [u.strip() for u in _arg(p, "users").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        if not all(_is_user_id(u) for u in users):
            raise SlackError("user_not_found")
        channel, existed = fake._dm(users[0]) if len(users) == 1 else fake._mpim(users)
    obj = channel.to_api() if _flag(p, "return_im") else {"id": channel.id}
    answer: Payload = {"channel": obj}
    if existed:
        answer.update(no_op=True, already_open=True)
    return answer


def _visible_messages(messages: Iterable[dict[str, Any]], p: Params) -> list[dict[str, Any]]:
    """Copies of ``messages`` inside oldest/latest, with metadata only if asked for."""
    oldest, latest = _ts_value(_arg(p, "oldest") or "0"), _arg(p, "latest")
    newest = _ts_value(latest) if latest else None
    inclusive = _flag(p, "inclusive")
    keep_metadata = _flag(p, "include_all_metadata")
    selected = []
    for message in messages:
        ts = _ts_value(message["ts"])
        after = ts >= oldest if inclusive else ts > oldest
        before = newest is None or (ts <= newest if inclusive else ts < newest)
        if after and before:
            shown = copy.deepcopy(message)
            if not keep_metadata:
                shown.pop("metadata", None)
            selected.append(shown)
    return selected


def _is_top_level(message: dict[str, Any]) -> bool:
    thread_ts = message.get("thread_ts")
    return (
        not thread_ts or thread_ts == message["ts"] or message.get("subtype") == "thread_broadcast"
    )


def _conversations_history(fake: FakeSlack, p: Params) -> Payload:
    channel = fake._member_channel(_arg(p, "channel"))
    top_level = [m for m in channel.messages if _is_top_level(m)]
    selected = _visible_messages(reversed(top_level), p)
    page, next_cursor = _page(selected, p)
    return {
        "messages": page,
        "has_more": bool(next_cursor),
        "pin_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }


def _conversations_replies(fake: FakeSlack, p: Params) -> Payload:
    channel = fake._member_channel(_arg(p, "channel"))
    ts = _arg(p, "ts")
    parent = channel.find(ts)
    if parent is None:
        raise SlackError("thread_not_found")
    thread_ts = parent.get("thread_ts") or ts
    thread = [
        m for m in channel.messages if m["ts"] == thread_ts or m.get("thread_ts") == thread_ts
    ]
    page, next_cursor = _page(_visible_messages(thread, p), p, default_limit=1000)
    return {
        "messages": page,
        "has_more": bool(next_cursor),
        "response_metadata": {"next_cursor": next_cursor},
    }


def _new_view(fake: FakeSlack, view: Any, view_id: str | None = None) -> dict[str, Any]:
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        raise SlackError("invalid_arguments")
    _check_blocks(view.get("blocks", []), MAX_VIEW_BLOCKS, "invalid_arguments")
    view_id = view_id or fake._new_id("V")
    external_id = view.get("external_id", "")
    clash = [v for v in fake.views.values() if external_id and v.get("external_id") == external_id]
    if any(v["id"] != view_id for v in clash):
        raise SlackError("duplicate_external_id")
    stored = {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": view["type"],
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "external_id": "",
        "state": {"values": {}},
        "clear_on_close": False,
        "notify_on_close": False,
        "root_view_id": view_id,
        "previous_view_id": None,
        "app_id": APP_ID,
        "bot_id": BOT_ID,
        **copy.deepcopy(view),
        "hash": f"{int(time.time())}.{fake._new_id('h')}",
    }
    fake.views[view_id] = stored
    return stored


def _require_trigger(p: Params) -> None:
    if not _arg(p, "trigger_id") and not _arg(p, "interactivity_pointer"):
        raise SlackError("invalid_arguments")


def _views_open(fake: FakeSlack, p: Params) -> Payload:
    _require_trigger(p)
    return {"view": copy.deepcopy(_new_view(fake, p.get("view")))}


def _views_push(fake: FakeSlack, p: Params) -> Payload:
    return _views_open(fake, p)


def _views_update(fake: FakeSlack, p: Params) -> Payload:
    view_id, external_id = _arg(p, "view_id"), _arg(p, "external_id")
    if not view_id and not external_id:
        raise SlackError("invalid_arguments")
    current = fake.views.get(view_id) if view_id else None
    if current is None and external_id:
        current = next((v for v in fake.views.values() if v["external_id"] == external_id), None)
    if current is None:
        raise SlackError("not_found")
    if p.get("hash") and p["hash"] != current["hash"]:
        raise SlackError("hash_conflict")
    updated = _new_view(fake, p.get("view"), view_id=current["id"])
    updated["root_view_id"] = current["root_view_id"]
    return {"view": copy.deepcopy(updated)}


def _views_publish(fake: FakeSlack, p: Params) -> Payload:
    user_id = _arg(p, "user_id")
    if not _is_user_id(user_id):
        raise SlackError("invalid_arguments")
    view = p.get("view")
    if not isinstance(view, dict) or view.get("type") != "home":
        raise SlackError("invalid_arguments")
    stored = _new_view(fake, view, view_id=fake._home_views.get(user_id))
    fake._home_views[user_id] = stored["id"]
    return {"view": copy.deepcopy(stored)}


def _files_get_upload_url_external(fake: FakeSlack, p: Params) -> Payload:
    filename, length = _arg(p, "filename"), _arg(p, "length")
    if not filename or not length.isdigit():
        raise SlackError("invalid_arguments")
    file_id = fake._new_id("F")
    fake.files[file_id] = FakeFile(id=file_id, name=filename, length=int(length))
    return {"upload_url": f"{fake.base}/upload/{file_id}", "file_id": file_id}


def _files_complete_upload_external(fake: FakeSlack, p: Params) -> Payload:
    entries = p.get("files")
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments")
    uploads = [_uploaded_file(fake, entry) for entry in entries]
    channel = _share_target(fake, _arg(p, "channel_id") or _arg(p, "channels").split(",")[0])
    comment = p.get("initial_comment") or None
    thread_ts = p.get("thread_ts") or None
    for upload in uploads:
        upload.completed = True
        upload.channel_id = channel.id if channel else None
        upload.initial_comment = comment
        upload.thread_ts = thread_ts
    if channel is not None:
        files = [u.to_api() for u in uploads]
        message = fake._new_message(text=comment or "", files=files, thread_ts=thread_ts)
        message["upload"] = True
        fake._store_message(channel, message)
    return {"files": [u.to_api() for u in uploads]}


def _uploaded_file(fake: FakeSlack, entry: Any) -> FakeFile:
    file_id = entry.get("id") if isinstance(entry, dict) else None
    upload = fake.files.get(str(file_id))
    if upload is None or upload.content is None:
        raise SlackError("file_not_found")
    if entry.get("title"):
        upload.title = str(entry["title"])
    return upload


def _share_target(fake: FakeSlack, channel_id: str) -> Channel | None:
    if not channel_id:
        return None
    if _is_user_id(channel_id):
        raise SlackError("invalid_arguments")  # Slack wants the encoded D… id, not a user id
    channel = fake._lookup(channel_id)
    if channel is None:
        raise SlackError("invalid_channel")
    if not channel.bot_is_member:
        raise SlackError("not_in_channel")
    return channel


METHODS: dict[str, MethodHandler] = {
    "auth.test": _auth_test,
    "users.info": _users_info,
    "chat.postMessage": _chat_post_message,
    "chat.postEphemeral": _chat_post_ephemeral,
    "chat.update": _chat_update,
    "chat.delete": _chat_delete,
    "chat.getPermalink": _chat_get_permalink,
    "conversations.info": _conversations_info,
    "conversations.list": _conversations_list,
    "conversations.join": _conversations_join,
    "conversations.invite": _conversations_invite,
    "conversations.members": _conversations_members,
    "conversations.open": _conversations_open,
    "conversations.history": _conversations_history,
    "conversations.replies": _conversations_replies,
    "views.open": _views_open,
    "views.push": _views_push,
    "views.update": _views_update,
    "views.publish": _views_publish,
    "files.getUploadURLExternal": _files_get_upload_url_external,
    "files.completeUploadExternal": _files_complete_upload_external,
}
"""Web API method name → handler; anything else answers ``unknown_method``."""


# -- admin endpoints (for other processes) -----------------------------------------------------


def _admin_channels(fake: FakeSlack, data: Any, query: Params) -> Payload:
    for item in data:
        fake.add_channel(
            item["id"],
            item.get("name", item["id"].lower()),
            is_private=bool(item.get("is_private", False)),
            bot_member=bool(item.get("bot_member", True)),
            members=item.get("members", ()),
        )
    return {"count": len(data)}


def _admin_users(fake: FakeSlack, data: Any, query: Params) -> Payload:
    for item in data:
        fake.add_user(
            item["id"],
            item.get("name"),
            item.get("locale", "fi-FI"),
            real_name=item.get("real_name"),
            tz=item.get("tz", DEFAULT_TZ),
            email=item.get("email"),
            is_admin=bool(item.get("is_admin", False)),
        )
    return {"count": len(data)}


def _admin_calls(fake: FakeSlack, data: Any, query: Params) -> Payload:
    method = query.get("method")
    calls = fake.calls_to(method) if method else fake.calls
    return {"calls": [c.to_json() for c in calls]}


def _admin_fail(fake: FakeSlack, data: Any, query: Params) -> Payload:
    fake.fail(
        data["method"],
        status=int(data.get("status", 200)),
        error=data.get("error"),
        retry_after=data.get("retry_after"),
        times=int(data.get("times", 1)),
        delay=float(data.get("delay", 0.0)),
        reset=bool(data.get("reset", False)),
    )
    return {}


def _admin_latency(fake: FakeSlack, data: Any, query: Params) -> Payload:
    fake.latency = float(data["latency_ms"]) / 1000
    return {}


def _admin_clear(fake: FakeSlack, data: Any, query: Params) -> Payload:
    fake.clear()
    return {}


def _admin_max_per_second(fake: FakeSlack, data: Any, query: Params) -> Payload:
    return {"max_per_second": fake.max_per_second(query["channel"])}


def _admin_channel_messages(fake: FakeSlack, data: Any, query: Params) -> Payload:
    with fake._lock:
        return {"messages": copy.deepcopy(fake.channels[query["channel"]].messages)}


ADMIN: dict[tuple[str, str], AdminHandler] = {
    ("POST", "channels"): _admin_channels,
    ("POST", "users"): _admin_users,
    ("GET", "calls"): _admin_calls,
    ("POST", "fail"): _admin_fail,
    ("POST", "latency"): _admin_latency,
    ("POST", "clear"): _admin_clear,
    ("GET", "max_per_second"): _admin_max_per_second,
    ("GET", "messages"): _admin_channel_messages,
}
"""(HTTP verb, path under ``/_admin/``) → handler taking (fake, JSON body, query params)."""


def max_in_window(times: Iterable[float], window: float = 1.0) -> int:
    """The largest number of ``times`` that fall inside any half-open window of ``window`` s."""
    ordered = sorted(times)
    best = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def main(argv: list[str] | None = None) -> None:
    """Run a standalone fake Slack until SIGTERM/SIGINT; prints ``URL <url>`` first."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every call")
    parser.add_argument("--token", default="xoxb-test", help="the bot token to accept")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    fake = FakeSlack(args.token, args.latency_ms / 1000, port=args.port).start()
    print(f"URL {fake.url}", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
