"""The fake Slack server, driven through slack-sdk's real AsyncWebClient and WebClient."""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.models.metadata import Metadata
from slack_sdk.web.async_client import AsyncWebClient

from tests.fake_slack import BOT_USER_ID, FakeSlack, max_in_window

REPO_ROOT = Path(__file__).resolve().parent.parent
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Hei*"}}]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_user("U1", name="aino", locale="fi-FI")
        server.add_user("U2", name="ben", locale="en-GB", tz="Europe/London")
        server.add_channel("C1", "general", members=["U1"])
        server.add_channel("C2", "outside", bot_member=False)
        server.add_channel("G1", "secret", is_private=True, bot_member=False)
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=fake.bot_token, base_url=fake.url)


async def test_post_message_records_decoded_blocks_and_metadata(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    metadata = Metadata(event_type="registration", event_payload={"theme": 7})
    res = await client.chat_postMessage(channel="C1", text="Hei", blocks=BLOCKS, metadata=metadata)

    assert res["ok"] is True
    assert res["channel"] == "C1"
    assert res["message"]["blocks"] == BLOCKS
    [call] = fake.calls_to("chat.postMessage")
    assert call.status == 200
    assert call.headers["authorization"] == "Bearer xoxb-test"
    assert call.params["blocks"] == BLOCKS
    assert call.params["metadata"] == {"event_type": "registration", "event_payload": {"theme": 7}}
    [stored] = fake.channels["C1"].messages
    assert stored["ts"] == res["ts"]
    assert stored["bot_id"] == "BBOT"
    assert stored["metadata"]["event_payload"] == {"theme": 7}


async def test_timestamps_are_unique_and_increasing(client: AsyncWebClient) -> None:
    sequential = [(await client.chat_postMessage(channel="C1", text="s"))["ts"] for _ in range(3)]
    assert [Decimal(ts) for ts in sequential] == sorted({Decimal(ts) for ts in sequential})
    assert all(len(ts.split(".")[1]) == 6 for ts in sequential)
    posts = (client.chat_postMessage(channel="C1", text=str(i)) for i in range(8))
    concurrent = [r["ts"] for r in await asyncio.gather(*posts)]
    assert len(set(concurrent + sequential)) == 11
    history = await client.conversations_history(channel="C1")
    newest_first = [Decimal(m["ts"]) for m in history["messages"]]
    assert newest_first == sorted(newest_first, reverse=True)
    assert len(newest_first) == 11


async def test_fixed_clock_still_gives_increasing_ts() -> None:
    with FakeSlack(clock=lambda: 1_700_000_000.0) as fake:
        fake.add_channel("C1", "general")
        client = AsyncWebClient(token="xoxb-test", base_url=fake.url)
        stamps = [(await client.chat_postMessage(channel="C1", text="x"))["ts"] for _ in range(3)]
    assert stamps == ["1700000000.000000", "1700000000.000100", "1700000000.000200"]


async def test_channel_errors(fake: FakeSlack, client: AsyncWebClient) -> None:
    for channel, error in (
        ("C2", "not_in_channel"),
        ("G1", "channel_not_found"),
        ("C9", "channel_not_found"),
    ):
        with pytest.raises(SlackApiError) as info:
            await client.chat_postMessage(channel=channel, text="x")
        assert info.value.response["error"] == error
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [200, 200, 200]
    assert fake.channels["C2"].messages == []


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_content_validation(client: AsyncWebClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"text": ""}, "no_text"),
        ({"text": "x" * 40_001}, "msg_too_long"),
        ({"text": "x", "blocks": [{"text": "no type"}]}, "invalid_blocks"),
        ({"text": "x", "blocks": BLOCKS * 51}, "invalid_blocks"),
        ({"text": "x", "metadata": {"event_type": "e"}}, "invalid_metadata_format"),
    ]
    for kwargs, error in cases:
        with pytest.raises(SlackApiError) as info:
            await client.chat_postMessage(channel="C1", **kwargs)
        assert info.value.response["error"] == error, kwargs


async def test_post_to_user_id_goes_to_dm(fake: FakeSlack, client: AsyncWebClient) -> None:
    res = await client.chat_postMessage(channel="U1", text="moi")
    assert res["channel"] == "DU1"
    assert fake.channels["DU1"].members == {"U1", BOT_USER_ID}
    opened = await client.conversations_open(users="U1")
    assert opened["channel"]["id"] == "DU1"
    assert opened["already_open"] is True
    history = await client.conversations_history(channel="DU1")
    assert [m["text"] for m in history["messages"]] == ["moi"]


async def test_invalid_token_is_invalid_auth(fake: FakeSlack) -> None:
    bad = AsyncWebClient(token="xoxb-wrong", base_url=fake.url)
    with pytest.raises(SlackApiError) as info:
        await bad.chat_postMessage(channel="C1", text="x")
    assert info.value.response["error"] == "invalid_auth"
    assert info.value.response.status_code == 200
    assert fake.channels["C1"].messages == []
    with pytest.raises(SlackApiError) as info:
        await AsyncWebClient(base_url=fake.url).auth_test()
    assert info.value.response["error"] == "not_authed"


async def test_unknown_method(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.api_call("reactions.add", json={"channel": "C1"})
    assert info.value.response["error"] == "unknown_method"


async def test_auth_test_identity_and_scopes(client: AsyncWebClient) -> None:
    res = await client.auth_test()
    assert (res["user_id"], res["bot_id"], res["team_id"]) == ("UBOT", "BBOT", "T0TEAM")
    assert "chat:write" in res.headers["x-oauth-scopes"]


async def test_429_retry_after_is_honoured_by_rate_limit_handler(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(f"{builtin_async_handlers.__name__}.asyncio.sleep", fake_sleep)
    fake.fail("chat.postMessage", status=429, retry_after=7)
    client = AsyncWebClient(
        token=fake.bot_token,
        base_url=fake.url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )

    res = await client.chat_postMessage(channel="C1", text="after the wait")

    assert res["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert len(slept) == 1 and 7 <= slept[0] < 8
    assert len(fake.channels["C1"].messages) == 1


async def test_429_without_retry_handler_surfaces(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.fail("chat.postMessage", retry_after=3)
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C1", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "3"
    assert info.value.response["error"] == "ratelimited"


async def test_server_errors_and_error_faults_count_down(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.fail("chat.postMessage", status=503, times=2)
    fake.fail("chat.postMessage", error="fatal_error")
    outcomes = []
    for _ in range(4):
        try:
            res = await client.chat_postMessage(channel="C1", text="x")
            outcomes.append((res.status_code, "ok"))
        except SlackApiError as err:
            outcomes.append((err.response.status_code, err.response["error"]))
    assert outcomes == [
        (503, "service_unavailable"),
        (503, "service_unavailable"),
        (200, "fatal_error"),
        (200, "ok"),
    ]
    assert len(fake.channels["C1"].messages) == 1


async def test_delay_fault_times_out_but_the_post_still_lands(fake: FakeSlack) -> None:
    fake.fail("chat.postMessage", delay=0.25)
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.url, timeout=0.05)  # type: ignore[arg-type]
    with pytest.raises((asyncio.TimeoutError, aiohttp.ServerTimeoutError)):
        await client.chat_postMessage(channel="C1", text="slow")
    [call] = fake.calls_to("chat.postMessage")
    assert call.status == 0  # recorded on arrival, not answered yet
    deadline = time.monotonic() + 3
    while call.status == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert call.status == 200
    assert [m["text"] for m in fake.channels["C1"].messages] == ["slow"]


async def test_latency_is_settable_at_runtime(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.latency = 0.05
    started = time.monotonic()
    await client.auth_test()
    assert time.monotonic() - started >= 0.05
    fake.latency = 0.0


def test_answers_come_at_once_without_nagle_delays(fake: FakeSlack) -> None:
    """Headers and body go out in two writes; with Nagle's algorithm on, the second waits for
    the client's delayed ACK (40 ms on Linux) on every call but the first of a kept-alive
    connection, which skews pacing measurements. That wait is a floor a busy machine only adds
    to, so the typical call of the best of three rounds tells, with room for slow moments."""
    headers = {"Authorization": f"Bearer {fake.bot_token}"}

    def typical_call(http: httpx.Client) -> float:
        times = []
        for _ in range(20):
            started = time.perf_counter()
            assert http.post("/api/auth.test", headers=headers).json()["ok"] is True
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    with httpx.Client(base_url=fake.base) as http:
        rounds = [typical_call(http) for _ in range(3)]
    assert min(rounds) < 0.03, rounds


async def test_files_upload_v2_stores_exact_bytes(fake: FakeSlack, client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel="C1", text="report")
    content = b"name;value\r\nAino;\xe4\xf6\x00\xff\n"
    res = await client.files_upload_v2(
        channel="C1",
        content=content,
        filename="x.csv",
        initial_comment="Here",
        thread_ts=parent["ts"],
    )

    file_id = res["file"]["id"]
    assert fake.uploaded(file_id) == content
    [upload] = fake.calls_to("upload")
    assert upload.params["content"] == content
    assert upload.path == f"/upload/{file_id}"
    [complete] = fake.calls_to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C1"
    assert complete.params["initial_comment"] == "Here"
    assert complete.params["thread_ts"] == parent["ts"]
    assert complete.params["files"] == [{"id": file_id, "title": "x.csv"}]
    assert fake.files[file_id].completed
    assert res["file"]["size"] == len(content)
    share = fake.channels["C1"].messages[-1]
    assert share["thread_ts"] == parent["ts"] and share["files"][0]["id"] == file_id


async def test_complete_upload_checks_channel_membership(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.files_upload_v2(channel="C2", content=b"x", filename="x.csv")
    assert info.value.response["error"] == "not_in_channel"


async def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    respond = AsyncRespond(response_url=fake.response_url("cmd1"))
    res = await respond(text="Done", response_type="ephemeral", replace_original=True)

    assert res.status_code == 200
    [call] = fake.calls_to("respond")
    assert call.path == "/respond/cmd1"
    assert call.params["text"] == "Done"
    assert call.params["response_type"] == "ephemeral"
    assert call.params["replace_original"] is True


async def test_history_paging_and_metadata(fake: FakeSlack, client: AsyncWebClient) -> None:
    posted = []
    for i in range(3):
        meta = {"event_type": "item", "event_payload": {"n": i}}
        posted.append(
            (await client.chat_postMessage(channel="C1", text=f"m{i}", metadata=meta))["ts"]
        )

    first = await client.conversations_history(channel="C1", limit=2)
    assert [m["ts"] for m in first["messages"]] == [posted[2], posted[1]]
    assert first["has_more"] is True
    assert all("metadata" not in m for m in first["messages"])
    cursor = first["response_metadata"]["next_cursor"]
    rest = await client.conversations_history(channel="C1", limit=2, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == [posted[0]]
    assert rest["has_more"] is False and rest["response_metadata"]["next_cursor"] == ""

    full = await client.conversations_history(channel="C1", include_all_metadata=True)
    assert [m["metadata"]["event_payload"]["n"] for m in full["messages"]] == [2, 1, 0]
    window = await client.conversations_history(channel="C1", oldest=posted[0], latest=posted[2])
    assert [m["ts"] for m in window["messages"]] == [posted[1]]
    inclusive = await client.conversations_history(
        channel="C1", oldest=posted[0], latest=posted[2], inclusive=True
    )
    assert len(inclusive["messages"]) == 3
    with pytest.raises(SlackApiError) as info:
        await client.conversations_history(channel="C2")
    assert info.value.response["error"] == "not_in_channel"


async def test_threads_replies_and_history(fake: FakeSlack, client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel="C1", text="parent")
    reply = await client.chat_postMessage(channel="C1", text="reply", thread_ts=parent["ts"])

    history = await client.conversations_history(channel="C1")
    [top] = history["messages"]
    assert top["ts"] == parent["ts"]
    assert top["reply_count"] == 1 and top["latest_reply"] == reply["ts"]
    replies = await client.conversations_replies(channel="C1", ts=parent["ts"])
    assert [m["text"] for m in replies["messages"]] == ["parent", "reply"]
    assert fake.channels["C1"].messages[1]["thread_ts"] == parent["ts"]
    link = await client.chat_getPermalink(channel="C1", message_ts=reply["ts"])
    assert link["permalink"].endswith(f"?thread_ts={parent['ts']}&cid=C1")


async def test_update_delete_and_missing_messages(fake: FakeSlack, client: AsyncWebClient) -> None:
    posted = await client.chat_postMessage(channel="C1", text="old", blocks=BLOCKS)
    new_blocks = [{"type": "divider"}]
    updated = await client.chat_update(channel="C1", ts=posted["ts"], text="new", blocks=new_blocks)
    assert updated["ts"] == posted["ts"]
    [stored] = fake.channels["C1"].messages
    assert (stored["text"], stored["blocks"]) == ("new", new_blocks)

    for call in (client.chat_update, client.chat_delete):
        with pytest.raises(SlackApiError) as info:
            await call(channel="C1", ts="1.000001", text="x")
        assert info.value.response["error"] == "message_not_found"
    await client.chat_delete(channel="C1", ts=posted["ts"])
    assert fake.channels["C1"].messages == []


async def test_ephemeral_needs_the_user_in_the_channel(client: AsyncWebClient) -> None:
    res = await client.chat_postEphemeral(channel="C1", user="U1", text="psst")
    assert res["message_ts"]
    with pytest.raises(SlackApiError) as info:
        await client.chat_postEphemeral(channel="C1", user="U2", text="psst")
    assert info.value.response["error"] == "user_not_in_channel"


async def test_join_invite_members_and_list(fake: FakeSlack, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.conversations_invite(channel="C2", users="U2")
    assert info.value.response["error"] == "not_in_channel"
    joined = await client.conversations_join(channel="C2")
    assert joined["channel"]["is_member"] is True
    await client.conversations_invite(channel="C2", users="U1,U2")
    members = await client.conversations_members(channel="C2")
    assert members["members"] == ["U1", "U2", "UBOT"]
    with pytest.raises(SlackApiError) as info:
        await client.conversations_invite(channel="C2", users="U2")
    assert info.value.response["error"] == "already_in_channel"
    fake.add_channel("G2", "private-in", is_private=True)
    with pytest.raises(SlackApiError) as info:
        await client.conversations_join(channel="G2")
    assert info.value.response["error"] == "method_not_supported_for_channel_type"

    page = await client.conversations_list(types="public_channel,private_channel", limit=2)
    assert [c["id"] for c in page["channels"]] == ["C1", "C2"]
    cursor = page["response_metadata"]["next_cursor"]
    rest = await client.conversations_list(
        types="public_channel,private_channel", limit=2, cursor=cursor
    )
    assert [c["id"] for c in rest["channels"]] == ["G2"]  # G1: private, bot not in it
    info_res = await client.conversations_info(channel="G2", include_num_members=True)
    assert info_res["channel"]["is_private"] is True and info_res["channel"]["num_members"] == 1


async def test_views_open_update_publish(fake: FakeSlack, client: AsyncWebClient) -> None:
    modal = {"type": "modal", "callback_id": "reg", "title": {"type": "plain_text", "text": "T"}}
    opened = await client.views_open(trigger_id="1.2.abc", view={**modal, "blocks": BLOCKS})
    view_id = opened["view"]["id"]
    assert opened["view"]["callback_id"] == "reg"
    assert fake.calls_to("views.open")[0].params["view"]["blocks"] == BLOCKS

    updated = await client.views_update(view_id=view_id, view=modal, hash=opened["view"]["hash"])
    assert updated["view"]["id"] == view_id and updated["view"]["blocks"] == []
    with pytest.raises(SlackApiError) as info:
        await client.views_update(view_id=view_id, view=modal, hash=opened["view"]["hash"])
    assert info.value.response["error"] == "hash_conflict"
    with pytest.raises(SlackApiError) as info:
        await client.views_update(view_id="VNOPE", view=modal)
    assert info.value.response["error"] == "not_found"

    home = {"type": "home", "blocks": BLOCKS}
    first = await client.views_publish(user_id="U1", view=home)
    again = await client.views_publish(user_id="U1", view=home)
    assert first["view"]["id"] == again["view"]["id"]


def test_sync_client_form_encoding_and_users_info(fake: FakeSlack) -> None:
    client = WebClient(token=fake.bot_token, base_url=fake.url)
    res = client.api_call(
        "chat.postMessage", data={"channel": "C1", "text": "form", "blocks": json.dumps(BLOCKS)}
    )
    assert res["ok"] is True
    call = fake.calls_to("chat.postMessage")[-1]
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert call.params["blocks"] == BLOCKS

    user = client.users_info(user="U2", include_locale=True)["user"]
    assert (user["name"], user["locale"], user["tz"]) == ("ben", "en-GB", "Europe/London")
    assert "locale" not in client.users_info(user="U2")["user"]
    with pytest.raises(SlackApiError) as info:
        client.users_info(user="U404")
    assert info.value.response["error"] == "user_not_found"


def test_sync_files_upload_v2(fake: FakeSlack) -> None:
    client = WebClient(token=fake.bot_token, base_url=fake.url)
    res = client.files_upload_v2(channel="C1", content=b"a,b\n1,2\n", filename="x.csv")
    assert fake.uploaded(res["file"]["id"]) == b"a,b\n1,2\n"


async def test_max_per_second(fake: FakeSlack, client: AsyncWebClient) -> None:
    await asyncio.gather(*(client.chat_postMessage(channel="C1", text="x") for _ in range(3)))
    assert fake.max_per_second("C1") == 3
    assert fake.max_per_second("C2") == 0
    assert max_in_window([0.0, 0.5, 0.99, 1.0, 1.2, 3.0]) == 4  # [0.5, 1.5)
    assert max_in_window([0.0, 1.0, 2.0]) == 1
    assert max_in_window([]) == 0


def test_clear_forgets_calls(fake: FakeSlack) -> None:
    WebClient(token=fake.bot_token, base_url=fake.url).auth_test()
    assert len(fake.calls) == 1
    fake.clear()
    assert fake.calls == []


def test_live_pings_are_recorded_wherever_slack_would_render_them(fake: FakeSlack) -> None:
    client = WebClient(token=fake.bot_token, base_url=fake.url)
    fake.add_channel("C1", "general")
    fake.watch("<@U0EVIL>")
    quiet: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "<!channel> in plain text"}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "x"},
                    "value": "<!here>",
                    "action_id": "a",
                }
            ],
        },
    ]
    client.chat_postMessage(channel="C1", text="<@U0CHAIR> &lt;!here&gt;", blocks=quiet)
    assert fake.pings == []
    loud = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi <!subteam^S1|@team>"}}]
    client.chat_postMessage(channel="C1", text="<!channel|channel> and <@U0EVIL>", blocks=loud)
    assert fake.pings == [
        ("chat.postMessage", "<!channel|channel> and <@U0EVIL>"),
        ("chat.postMessage", "hi <!subteam^S1|@team>"),
    ]


def _admin(base: str, path: str, data: Any = None) -> Any:
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(
        f"{base}/_admin/{path}", data=body, method="POST" if body else "GET"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_standalone_process() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_slack", "--port", "0", "--latency-ms", "5"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().split()
        assert first[0] == "URL" and first[1].endswith("/api/")
        url = first[1]
        base = url.removesuffix("/api/")
        _admin(
            base,
            "channels",
            [{"id": "C7", "name": "bench", "is_private": False, "bot_member": True}],
        )
        _admin(base, "users", [{"id": "U7", "name": "eve", "locale": "sv-SE"}])

        client = WebClient(token="xoxb-test", base_url=url)
        started = time.monotonic()
        posted = client.chat_postMessage(channel="C7", text="from another process")
        assert time.monotonic() - started >= 0.005
        assert client.users_info(user="U7", include_locale=True)["user"]["locale"] == "sv-SE"

        calls = _admin(base, "calls?method=chat.postMessage")["calls"]
        assert [(c["method"], c["status"], c["params"]["text"]) for c in calls] == [
            ("chat.postMessage", 200, "from another process")
        ]
        assert isinstance(calls[0]["at"], float)
        assert posted["ts"]
    finally:
        proc.terminate()
        proc.wait(timeout=5)
    assert proc.returncode == 0
