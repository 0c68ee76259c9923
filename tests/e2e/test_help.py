"""The walking skeleton end to end: signed slash commands in, replies out through the fake Slack."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from app.web import build_app, build_web
from bot.commands import Subcommand
from storage.db import create_engine, create_session_factory
from tests.harness import Bot

EXPECTED_TITLE = {
    "U0MEMBER1": "auttaa verkostoa",  # fi-FI
    "U0MEMBER2": "hjälper nätverket",  # sv-SE
    "U0MEMBER3": "helps the network",  # en-US
    "U0MEMBER4": "auttaa verkostoa",  # ja-JP: the network language (fi)
}


@pytest.mark.parametrize("user", sorted(EXPECTED_TITLE))
@pytest.mark.parametrize("text", ["help", "ohje", "", "  OHJE  "])
async def test_help_answers_in_the_users_language(bot: Bot, user: str, text: str) -> None:
    reply = await bot.command(text, user=user)
    assert EXPECTED_TITLE[user] in reply["text"]
    assert reply["response_type"] == "ephemeral"
    assert "/network" in reply["text"]
    assert reply["blocks"][0]["type"] == "section"
    info = bot.slack.calls_to("users.info")
    assert info and info[0].params["user"] == user
    assert str(info[0].params["include_locale"]).lower() in {"1", "true"}


async def test_help_lists_finnish_spellings_for_finnish_readers(bot: Bot) -> None:
    finnish = await bot.command("ohje", user="U0MEMBER1")
    english = await bot.command("help", user="U0MEMBER3")
    assert "`/network ohje" in finnish["text"]
    assert "`/network help" in english["text"]


async def test_help_for_one_subcommand_shows_examples(bot: Bot) -> None:
    reply = await bot.command("help ohje", user="U0MEMBER3")
    assert "`/network help [subcommand]`" in reply["text"]
    assert "Examples:" in reply["text"]
    assert "`/network ohje`" in reply["text"]  # the other spelling


async def test_help_for_an_unknown_topic_says_so(bot: Bot) -> None:
    reply = await bot.command("ohje <!channel>", user="U0MEMBER1")
    assert "&lt;!channel&gt;" in reply["text"]
    assert "<!channel>" not in reply["text"]


@pytest.mark.parametrize(
    ("typed", "suggestion", "user"),
    [("ohej", "ohje", "U0MEMBER1"), ("hlep", "help", "U0MEMBER3"), ("xyzzy", None, "U0MEMBER3")],
)
async def test_unknown_subcommand_suggests_the_nearest(
    bot: Bot, typed: str, suggestion: str | None, user: str
) -> None:
    reply = await bot.command(typed, user=user)
    if suggestion is None:
        assert "Did you mean" not in reply["text"]
        assert "I don't know the subcommand `xyzzy`" in reply["text"]
    else:
        assert f"`{suggestion}`" in reply["text"]
    assert reply["response_type"] == "ephemeral"


@pytest.mark.parametrize(
    ("typed", "user", "lines"),
    [
        ("teema", "U0MEMBER1", ["teema lisää", "teema arkistoi", "teema aseta"]),
        ("TP", "U0MEMBER1", ["tp lisää"]),
        ("theme", "U0MEMBER3", ["theme add", "theme archive", "theme set"]),
        ("määräaika", "U0MEMBER3", ["deadline add", "deadline edit", "deadline delete"]),
        (
            "help tapaaminen",
            "U0MEMBER1",
            ["tapaaminen lisää", "tapaaminen muokkaa", "tapaaminen peru"],
        ),
        ("material", "U0MEMBER2", ["material add"]),
    ],
)
async def test_a_group_word_alone_shows_how_its_subcommands_are_written(
    bot: Bot, typed: str, user: str, lines: list[str]
) -> None:
    reply = await bot.command(typed, user=user)
    text = reply["text"]
    assert "Tarkoititko" not in text and "Did you mean" not in text and "know" not in text
    found = [line.split("`")[1].removeprefix("/network ") for line in text.split("\n")[1:]]
    assert [" ".join(words.split()[:2]) for words in found] == lines


async def test_a_group_word_with_an_unknown_subcommand_says_so_and_shows_the_group(
    bot: Bot,
) -> None:
    reply = await bot.command("teema xyzzy", user="U0MEMBER1")
    first, title, *lines = reply["text"].split("\n")
    assert first == "En tunne komentoa `teema xyzzy`."
    assert title == "Kirjoita jokin näistä komennon `/network teema` perään:"
    assert lines[0].startswith("• `/network teema lisää &lt;avain&gt; &lt;nimi…&gt;")


async def test_unclosed_quote_is_explained(bot: Bot) -> None:
    reply = await bot.command('help "teemat', user="U0MEMBER3")
    assert "quotation mark is not closed" in reply["text"]


async def test_locale_is_fetched_once_per_user(bot: Bot) -> None:
    await bot.command("help", user="U0MEMBER2")
    await bot.command("ohje", user="U0MEMBER2")
    assert len(bot.slack.calls_to("users.info")) == 1


async def test_bad_signature_is_refused(bot: Bot) -> None:
    body = "command=%2Fnetwork&text=help&user_id=U0MEMBER1"
    headers = bot.signed_headers(body)
    headers["X-Slack-Signature"] = "v0=" + "0" * 64
    response = await bot.post(body, headers)
    assert response.status_code == 401
    await bot.settle()
    assert bot.slack.calls == []


async def test_old_timestamp_is_refused(bot: Bot) -> None:
    body = "command=%2Fnetwork&text=help&user_id=U0MEMBER1"
    response = await bot.post(body, bot.signed_headers(body, timestamp=int(time.time()) - 6 * 60))
    assert response.status_code == 401
    await bot.settle()
    assert bot.slack.calls == []


async def test_healthz_answers_when_the_database_does(bot: Bot) -> None:
    response = await bot.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


async def test_healthz_fails_when_the_database_does_not(bot: Bot, tmp_path: Path) -> None:
    missing = f"sqlite+aiosqlite:///{tmp_path}/no/such/folder/bot.db"
    engine = create_engine(missing)
    broken = replace(bot.services, db=create_session_factory(engine))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_web(broken, build_app(broken))), base_url="http://x"
    ) as client:
        response = await client.get("/healthz")
    await engine.dispose()
    assert response.status_code == 503


async def test_a_failing_handler_gives_the_user_a_message_not_silence(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(_: object) -> None:
        raise RuntimeError("boom")

    bot.services.registry.add(Subcommand("boom", "pum", "", "", run=explode))
    reply = await bot.command("boom", user="U0MEMBER3")
    assert "something went wrong on my side" in reply["text"]
    reference = reply["text"].rsplit(" ", 1)[-1]
    assert len(reference) == 8
    assert any(reference in record.getMessage() for record in caplog.records)
    assert "Traceback" not in reply["text"]
    assert "boom" not in reply["text"]
