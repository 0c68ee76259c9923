"""Settings from the environment or a `.env` file (PRODUCT.md §5), read once at start-up."""

from __future__ import annotations

import ipaddress
import re
import warnings
from datetime import time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.deployment import Deployment
from storage.db import normalise_database_url

Language = Literal["fi", "sv", "en"]
LANGUAGES: tuple[Language, ...] = ("fi", "sv", "en")
_COMMAND = re.compile(r"^/[a-z0-9_\-äöå]{1,31}$")
_HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


class Settings(BaseSettings):
    """Every setting of PRODUCT.md §5; names are the upper-case environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = "sqlite+aiosqlite:///network-bot.db"
    database_pool_size: int = Field(default=20, ge=1, le=200)
    database_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    database_command_timeout_seconds: float = Field(default=2.0, gt=0)
    port: int = Field(default=3000, ge=1, le=65535)
    host: str = "0.0.0.0"
    public_url: str | None = None
    slash_command: str = "/network"
    timezone: str = "Europe/Helsinki"
    language: Language = "fi"
    admin_user_ids: Annotated[tuple[str, ...], NoDecode] = ()
    announcement_channel: str | None = None
    reminder_time: time = time(9, 0)
    catchup_grace_hours: int = Field(default=12, ge=0)
    run_scheduler: bool = True
    scheduler_tick_seconds: float = Field(default=5.0, gt=0)
    slack_timeout_seconds: float = Field(default=15.0, gt=0)
    delivery_lease_seconds: float = Field(default=60.0, gt=0)
    delivery_first_look_seconds: float = Field(default=15.0, ge=0)
    delivery_second_look_seconds: float = Field(default=120.0, ge=0)

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        return _prefixed(value, "xoxb-")

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        return _prefixed(value, "xapp-")

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if not _HOSTNAME.match(value):
                raise ValueError(
                    f"{value!r} is not an address to listen on (e.g. 0.0.0.0, 127.0.0.1, ::)"
                ) from None
        return value

    @field_validator("slack_api_url", "public_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None if value == "" else value
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) address")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("slash_command")
    @classmethod
    def _command(cls, value: str) -> str:
        if not _COMMAND.match(value):
            raise ValueError("must look like /network (a slash, then lower-case letters)")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        spoken = spoken_language(value)
        if spoken is None:
            warnings.warn(
                SettingWarning(
                    f"setting LANGUAGE: {value!r} is not a language the bot speaks"
                    f" ({', '.join(LANGUAGES)}); using fi"
                ),
                stacklevel=1,
            )
            return "fi"
        return spoken

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _admins(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [part for part in re.split(r"[,\s]+", value) if part]
        ids = tuple(str(part) for part in value) if isinstance(value, list | tuple) else ()
        bad = [user for user in ids if not re.match(r"^[UW][A-Z0-9]{2,}$", user)]
        if bad:
            raise ValueError(f"not Slack user IDs: {', '.join(bad)}")
        return ids

    @field_validator("announcement_channel")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value and not re.match(r"^[CG][A-Z0-9]{2,}$", value):
            raise ValueError("must be a channel ID such as C0123ABCD")
        return value or None

    @property
    def zone(self) -> ZoneInfo:
        """The network's time zone."""
        return ZoneInfo(self.timezone)

    @property
    def deployment(self) -> Deployment:
        """The plain values the rooms below the composition root read."""
        return Deployment(
            command=self.slash_command,
            admins=frozenset(self.admin_user_ids),
            timezone=self.timezone,
            language=self.language,
            announcement_channel=self.announcement_channel,
            reminder_time=self.reminder_time,
            grace=timedelta(hours=self.catchup_grace_hours),
            public_url=self.public_url,
        )


def spoken_language(value: str) -> Language | None:
    """The first language the bot speaks in a gettext-style `LANGUAGE` (`fi_FI:fi`, `sv_SE`,
    `en_US.UTF-8`, or plain `fi`); `fi` for an empty value, None when none is spoken."""
    if not value.strip():
        return "fi"
    for part in value.split(":"):
        code = re.split(r"[_.@-]", part.strip(), maxsplit=1)[0].lower()
        for spoken in LANGUAGES:
            if code == spoken:
                return spoken
    return None


def _prefixed(value: SecretStr | None, prefix: str) -> SecretStr | None:
    if value is None or value.get_secret_value() == "":
        return None
    if not value.get_secret_value().startswith(prefix):
        raise ValueError(f"must start with {prefix}")
    return value


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class SettingWarning(UserWarning):
    """A setting the bot read in its own way (e.g. a language it does not speak); one line."""


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning validation errors into one line that names the setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"setting {name}: {message}") from None


def require(settings: Settings, *names: str) -> None:
    """Stop with a one-line error naming the first required setting that is missing."""
    for name in names:
        if getattr(settings, name.lower()) is None:
            raise SettingsError(f"setting {name} is missing (see .env.example)")
