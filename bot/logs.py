"""Logging: one line per handled request, and no token or secret ever written."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterable

_TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")
requests_log = logging.getLogger("network_bot.requests")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Writes every line with Slack tokens and the configured secrets replaced by `***`: the
    message, its traceback and its stack alike, as the handler is about to write them."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        """The whole entry, redacted."""
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        """The text without any token or secret."""
        text = _TOKEN.sub(r"\1-***", text)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


#: slack-sdk's clients decide whether to build their debug text (a request's whole body, its
#: answer) from their logger's own level, not the level in effect: NOTSET, below DEBUG, unless
#: it is set. Given the configured level, they build it only when DEBUG is wanted.
SLACK_SDK_LOGGERS = ("slack_sdk.web.async_base_client", "slack_sdk.webhook.async_client")


def configure(secrets: Iterable[str] = (), level: int = logging.INFO) -> None:
    """Log to stderr with times, every line redacted."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in SLACK_SDK_LOGGERS:
        logging.getLogger(name).setLevel(level)


def log_request(kind: str, name: str, user_id: str, started: float, outcome: str) -> None:
    """`request kind=command name=help user=U1 ms=12 outcome=ok`."""
    elapsed = (time.perf_counter() - started) * 1000
    requests_log.info(
        "request kind=%s name=%s user=%s ms=%.0f outcome=%s",
        kind,
        name.replace(" ", "_"),
        user_id,
        elapsed,
        outcome,
    )
