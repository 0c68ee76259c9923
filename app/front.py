"""The web front of `POST /slack/events`: what anyone on the internet reaches.

bolt parses a request's body before it checks the signature, and logs a refused body whole.
So the front checks first: a body of at most MAX_BODY bytes (refused on its announced length
before it is read, and while it streams when none is announced), then Slack's signature over
the raw bytes (slack-sdk's `SignatureVerifier`). Only a signed request reaches bolt, which
checks the signature again. Nothing of a refused request is logged, and no request gets a 500
for its shape: 400 for what cannot be read, 401 for a missing, wrong or stale signature, 413
for a body too large.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

logger = logging.getLogger("network_bot.front")

#: Slack's own payloads (a view submission with every block filled in) stay far below this.
MAX_BODY = 1024 * 1024
_DIGITS = re.compile(r"[0-9]{1,15}")

Endpoint = Callable[[Request], Awaitable[Response]]


class Refused(Exception):
    """A request the front turns away: its status and a fixed reason (never the request's text)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


async def bounded_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The body, refused with 413 as soon as it is known to be longer than `limit`."""
    announced = request.headers.get("content-length")
    if announced is not None:
        if not _DIGITS.fullmatch(announced):
            raise Refused(400, "malformed Content-Length")
        if int(announced) > limit:
            raise Refused(413, "body too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, "body too large")
    return bytes(body)


def check_signature(verifier: SignatureVerifier, request: Request, body: bytes) -> None:
    """Refuse the request unless Slack signed this body within the last five minutes."""
    timestamp = request.headers.get("x-slack-request-timestamp")
    signature = request.headers.get("x-slack-signature")
    if timestamp is None or signature is None:
        raise Refused(401, "unsigned")
    if not _DIGITS.fullmatch(timestamp):
        raise Refused(400, "malformed timestamp")
    try:
        text = body.decode("utf-8")  # slack-sdk would raise on bytes that are not UTF-8
    except UnicodeDecodeError:
        raise Refused(400, "body not UTF-8") from None
    if not verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
        raise Refused(401, "wrong or stale signature")


def events_endpoint(app: AsyncApp, signing_secret: str) -> Endpoint:
    """`POST /slack/events`: a bounded, signed body handed to bolt."""
    verifier = SignatureVerifier(signing_secret)

    async def events(request: Request) -> Response:
        try:
            body = await bounded_body(request)
            check_signature(verifier, request, body)
            try:
                bolt_request = to_async_bolt_request(request, body)
            except (ValueError, TypeError, AttributeError, KeyError, IndexError):
                raise Refused(400, "body not readable") from None  # signed, but of no known shape
        except Refused as refusal:
            logger.info("refused a request: %s (%d)", refusal.reason, refusal.status)
            return PlainTextResponse(refusal.reason, status_code=refusal.status)
        return to_starlette_response(await app.async_dispatch(bolt_request))

    return events
