"""Is an HTTP request from Slack? Decided from its headers and raw bytes, before anything parses it.

Slack signs each request with the app's signing secret (``X-Slack-Signature``, over the
timestamp and the raw body). Bolt's built-in ``RequestVerification`` runs only after the body
has been parsed, turns a non-numeric timestamp into an exception (HTTP 500) and logs every
rejected body whole. This check uses the same ``slack_sdk.signature.SignatureVerifier`` but
first checks the shape of both headers, and names a rejection in a few words, never quoting
the request.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger("assistant.slack")

MAX_AGE = 5 * 60  # seconds: Slack's replay window for the request timestamp
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class Headers(Protocol):
    """HTTP headers: a str (``email.message.Message``) or a list of str (Bolt) per name."""

    def get(self, name: str, /) -> Any: ...


def _header(headers: Headers, name: str) -> str | None:
    value = headers.get(name)
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


class SlackSignature:
    """Checks ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature`` against the raw body."""

    def __init__(self, signing_secret: str | None, clock: Callable[[], float] = time.time):
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._clock = clock

    def header_problem(self, headers: Headers) -> str | None:
        """What is wrong with the signature headers alone (no need to read the body), or None."""
        if self._verifier is None:
            return "no signing secret is configured"
        timestamp = _header(headers, "x-slack-request-timestamp")
        signature = _header(headers, "x-slack-signature")
        if timestamp is None or signature is None:
            return "unsigned"
        if not _TIMESTAMP.fullmatch(timestamp):
            return "malformed timestamp"
        if not _SIGNATURE.fullmatch(signature):
            return "malformed signature"
        if abs(self._clock() - int(timestamp)) > MAX_AGE:
            return "timestamp outside the five-minute window"
        return None

    def problem(self, headers: Headers, body: bytes | str) -> str | None:
        """None for a request Slack signed in the last five minutes; else a short reason."""
        problem = self.header_problem(headers)
        if problem is not None or self._verifier is None:
            return problem or "no signing secret is configured"
        timestamp = str(_header(headers, "x-slack-request-timestamp"))
        signature = str(_header(headers, "x-slack-signature"))
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError:
                return "body is not UTF-8"
        if not self._verifier.is_valid(body, timestamp, signature):  # compare_digest inside
            return "bad signature"
        return None


class VerifySlackSignature(Middleware):
    """Bolt middleware used instead of the built-in ``RequestVerification`` (see above).

    Bolt still parses a body before any middleware runs, so the HTTP server in ``server.py``
    also checks the signature before handing a request to Bolt.
    """

    def __init__(self, signing_secret: str | None) -> None:
        self.signature = SlackSignature(signing_secret)

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        if req.mode == "socket_mode":  # authenticated by the app token's connection
            return next()
        problem = self.signature.problem(req.headers, req.raw_body)
        if problem is None:
            return next()
        log.warning("refused a request: %s", problem)
        return BoltResponse(status=401, body={"error": "invalid request"})
