"""Settings: defaults, one-line errors naming the setting, and the exit status."""

from __future__ import annotations

import socket
import subprocess
import sys
import time as time_module
import urllib.request
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy.pool import StaticPool

from app.settings import SettingsError, SettingWarning, load_settings, require
from app.web import build_services
from storage.db import create_engine


def test_defaults_follow_the_product_contract() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///network-bot.db"
    assert settings.slash_command == "/network"
    assert (settings.timezone, settings.language) == ("Europe/Helsinki", "fi")
    assert settings.reminder_time == time(9, 0)
    assert settings.catchup_grace_hours == 12
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_pool_size == 20
    assert settings.database_connect_timeout_seconds == 2.0  # within Slack's 3 s, with room
    assert settings.database_command_timeout_seconds == 2.0
    assert (settings.host, settings.port) == ("0.0.0.0", 3000)


async def test_the_pool_keeps_the_set_number_of_connections_and_no_more(tmp_path: Path) -> None:
    settings = load_settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/x.db")
    engine = build_services(settings.model_copy(update={"database_pool_size": 3})).engine
    try:
        assert (engine.pool.size(), engine.pool._max_overflow) == (3, 0)  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
    server = create_engine("postgresql+asyncpg://u@db.example:5432")  # no database named
    try:
        assert (server.pool.size(), server.pool._max_overflow) == (20, 0)  # type: ignore[attr-defined]
    finally:
        await server.dispose()
    memory = create_engine("sqlite+aiosqlite://", pool_size=3)  # one connection: ignored
    try:
        assert isinstance(memory.pool, StaticPool)
    finally:
        await memory.dispose()


def test_heroku_database_url_is_accepted() -> None:
    settings = load_settings(_env_file=None, database_url="postgres://u:p@db.example:5432/nw")
    assert settings.database_url == "postgresql+asyncpg://u:p@db.example:5432/nw"


@pytest.mark.parametrize("host", ["127.0.0.1", "::", "::1", "localhost", "bot.internal"])
def test_host_is_an_address_or_a_name(host: str) -> None:
    assert load_settings(_env_file=None, host=host).host == host


def test_admin_ids_are_comma_separated() -> None:
    settings = load_settings(_env_file=None, admin_user_ids="U0AAAA001, U0AAAA002")
    assert settings.admin_user_ids == ("U0AAAA001", "U0AAAA002")


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("timezone", "Europe/Helsinkii", "TIMEZONE"),
        ("slack_bot_token", "xoxp-123", "SLACK_BOT_TOKEN"),
        ("slash_command", "network", "SLASH_COMMAND"),
        ("reminder_time", "9 am", "REMINDER_TIME"),
        ("admin_user_ids", "maija", "ADMIN_USER_IDS"),
        ("database_url", "mysql://x", "DATABASE_URL"),
        ("port", "0", "PORT"),
        ("database_pool_size", "0", "DATABASE_POOL_SIZE"),
        ("host", "every interface", "HOST"),
        ("host", "http://127.0.0.1", "HOST"),
    ],
)
def test_a_malformed_setting_is_named(name: str, value: str, named: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, **{name: value})
    assert str(error.value).startswith(f"setting {named}:")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("written", "spoken"),
    [("fi_FI:fi", "fi"), ("sv_SE", "sv"), ("en_US.UTF-8", "en"), ("de_DE:sv", "sv"), ("", "fi")],
)
def test_language_is_read_as_gettext_writes_it(written: str, spoken: str) -> None:
    assert load_settings(_env_file=None, language=written).language == spoken


def test_a_language_the_bot_does_not_speak_is_finnish_with_a_warning() -> None:
    with pytest.warns(SettingWarning, match="setting LANGUAGE: 'de_DE:de' is not a language"):
        settings = load_settings(_env_file=None, language="de_DE:de")
    assert settings.language == "fi"


@pytest.mark.parametrize(("written", "warned"), [("fi_FI:fi", False), ("de_DE:de", True)])
def test_a_desktops_language_never_stops_start_up(
    tmp_path: Path, written: str, warned: bool
) -> None:
    env = {"LANGUAGE": written, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    expected = (
        [
            "network-bot: setting LANGUAGE: 'de_DE:de' is not a language the bot speaks"
            " (fi, sv, en); using fi"
        ]
        if warned
        else []
    )
    assert done.stderr.strip().splitlines() == expected


def test_a_missing_setting_is_named() -> None:
    settings = load_settings(_env_file=None)
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET is missing"):
        require(settings, "SLACK_SIGNING_SECRET")


def test_start_up_stops_with_one_line_and_status_2(tmp_path: Path) -> None:
    env = {"TIMEZONE": "Mars/Olympus", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "network-bot: setting TIMEZONE: unknown time zone 'Mars/Olympus'"
    ]


def test_serve_without_a_signing_secret_names_it(tmp_path: Path) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert "SLACK_SIGNING_SECRET is missing" in done.stderr
    assert "Traceback" not in done.stderr
    assert "xoxb-1" not in done.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def test_serve_listens_on_host_alone(tmp_path: Path) -> None:
    """With HOST=127.0.0.1 the bot answers there and not on another loopback address."""
    port = _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "secret",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "RUN_SCHEDULER": "false",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time_module.monotonic() + 20
        while not _answers(f"http://127.0.0.1:{port}/healthz"):
            assert server.poll() is None, "serve stopped"
            assert time_module.monotonic() < deadline, "serve never answered"
            time_module.sleep(0.1)
        assert not _answers(f"http://127.0.0.2:{port}/healthz")
    finally:
        server.terminate()
        server.wait(timeout=10)
