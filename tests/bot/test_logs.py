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
    assert logs.RedactingFilter(["s3cr3t"]).filter(record)
    assert record.getMessage() == "token xoxb-***, secret ***"


@pytest.mark.usefixtures("restored")
def test_slack_sdk_builds_its_debug_text_only_at_the_debug_level() -> None:
    logs.configure()
    for name in logs.SLACK_SDK_LOGGERS:
        # slack-sdk compares the logger's own level (not the effective one) with DEBUG
        assert logging.getLogger(name).level > logging.DEBUG
    logs.configure(level=logging.DEBUG)
    assert all(logging.getLogger(n).level == logging.DEBUG for n in logs.SLACK_SDK_LOGGERS)
