"""`network-bot manifest`: a manifest for the given address, a bad address refused in one line,
and a quiet end when its reader stops early (`manifest | head`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.manifest import manifest, url_problem

ENV = {"PATH": "/usr/bin:/bin"}


def _network_bot(*args: str, cwd: Path, **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[no-any-return]
        [sys.executable, "-m", "bot", *args],
        env=ENV,
        text=True,
        cwd=cwd,
        check=False,
        **options,  # type: ignore[call-overload]
    )


def test_the_manifest_sends_slack_to_the_address() -> None:
    settings = manifest("/mal", "https://bot.example.fi/")["settings"]
    assert settings["interactivity"]["request_url"] == "https://bot.example.fi/slack/events"
    assert settings["socket_mode_enabled"] is False
    assert manifest("/mal", None)["settings"]["socket_mode_enabled"] is True


@pytest.mark.parametrize(
    "url", ["notaurl", "bot.example.fi", "ftp://bot.example.fi", "https://", "https://a b.fi"]
)
def test_an_address_that_is_not_http_is_a_problem(url: str) -> None:
    assert url_problem(url) is not None


@pytest.mark.parametrize("url", ["https://bot.example.fi", "http://localhost:3000/bot/"])
def test_http_addresses_are_fine(url: str) -> None:
    assert url_problem(url) is None


def test_a_bad_url_stops_with_one_line(tmp_path: Path) -> None:
    done = _network_bot("manifest", "--url", "notaurl", cwd=tmp_path, capture_output=True)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "network-bot: manifest --url: 'notaurl' is not an http(s) address;"
        " write it like https://bot.example.fi"
    ]


def test_a_reader_that_stops_early_ends_it_quietly(tmp_path: Path) -> None:
    """The pipe's reading end is closed before the bot writes a line: the write fails (EPIPE)."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = _network_bot("manifest", cwd=tmp_path, stdout=write, stderr=subprocess.PIPE)
    finally:
        os.close(write)
    assert done.stderr == ""
    assert done.returncode == 141


def test_the_manifest_enables_the_home_tab_and_its_events() -> None:
    found = manifest("/mal", "https://bot.example.fi/")
    assert found["features"]["app_home"]["home_tab_enabled"] is True
    events = found["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_home_opened", "member_joined_channel"} <= set(events)
