"""Logging: secrets never written, and slack-sdk's debug text not built unless wanted."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot import logs


@pytest.fixture
def restored() -> Iterator[None]:
    """The logging configuration as it was before the test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logs.SLACK_SDK_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_tokens_and_the_configured_secrets_are_redacted() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "token %s, secret %s", ("xoxb-123-abc", "s3cr3t"), None
    )
    line = logs.RedactingFormatter("%(message)s", ["s3cr3t"]).format(record)
    assert line == "token xoxb-***, secret ***"


def _fail(secret: str) -> None:
    raise RuntimeError(f"could not reach postgresql://bot:{secret}@db with xoxb-123-abc")


@pytest.mark.usefixtures("restored")
def test_every_line_is_redacted_tracebacks_and_stacks_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure(["s3cr3t-password"])
    logger = logging.getLogger("network_bot.test")
    try:
        _fail("s3cr3t-password")
    except RuntimeError:
        logger.exception("the database failed")
    logger.warning("where the xoxb-123-abc token was", stack_info=True)
    written = capsys.readouterr().err
    assert "Traceback (most recent call last)" in written
    assert "Stack (most recent call last)" in written
    assert "could not reach postgresql://bot:***@db with xoxb-***" in written
    assert "s3cr3t-password" not in written
    assert "xoxb-123-abc" not in written


def test_the_database_password_is_a_secret() -> None:
    from app.processes import secrets
    from app.settings import load_settings

    settings = load_settings(_env_file=None, database_url="postgres://bot:pa55word@db:5432/nw")
    assert "pa55word" in secrets(settings)


@pytest.mark.usefixtures("restored")
def test_slack_sdk_builds_its_debug_text_only_at_the_debug_level() -> None:
    logs.configure()
    for name in logs.SLACK_SDK_LOGGERS:
        # slack-sdk compares the logger's own level (not the effective one) with DEBUG
        assert logging.getLogger(name).level > logging.DEBUG
    logs.configure(level=logging.DEBUG)
    assert all(logging.getLogger(n).level == logging.DEBUG for n in logs.SLACK_SDK_LOGGERS)
