"""Logging: one line per handled request, and no token or secret ever written."""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterable

_TOKEN = re.compile(r"\b(xox[abposr]|xapp)-[A-Za-z0-9-]+")
requests_log = logging.getLogger("network_bot.requests")


class RedactingFilter(logging.Filter):
    """Replaces Slack tokens and the configured secrets in every record with `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted, so that arguments cannot leak a secret."""
        text = _TOKEN.sub(r"\1-***", record.getMessage())
        for secret in self._secrets:
            text = text.replace(secret, "***")
        record.msg, record.args = text, None
        return True


#: slack-sdk's clients decide whether to build their debug text (a request's whole body, its
#: answer) from their logger's own level, not the level in effect: NOTSET, below DEBUG, unless
#: it is set. Given the configured level, they build it only when DEBUG is wanted.
SLACK_SDK_LOGGERS = ("slack_sdk.web.async_base_client", "slack_sdk.webhook.async_client")


def configure(secrets: Iterable[str] = (), level: int = logging.INFO) -> None:
    """Log to stderr with times, redacting secrets on every handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
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
