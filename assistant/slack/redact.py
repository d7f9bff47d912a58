"""Keep Slack tokens out of logs, whatever library writes the line.

slack_sdk already hides the Authorization header, but a token can still reach a log through
an exception message or a debug dump of request arguments; this filter is the last line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_TOKEN = re.compile(r"\b(xox[abposre]|xapp)-[A-Za-z0-9-]{6,}")
# Events API payloads carry the legacy verification token; Bolt logs rejected payloads whole.
_TOKEN_FIELD = re.compile(r"""(["']token["']\s*:\s*["'])[^"']+(["'])""")
MASK = "[redacted]"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every Slack-shaped token and every given secret masked."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, MASK)
    text = _TOKEN_FIELD.sub(rf"\g<1>{MASK}\g<2>", text)
    return _TOKEN.sub(lambda m: f"{m.group(1)}-{MASK}", text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's final message (and traceback text) with secrets masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not hide the line
            message = str(record.msg)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted, self.secrets)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        return True


def install(secrets: Iterable[str] = (), logger: logging.Logger | None = None) -> RedactingFilter:
    """Attach the filter to every handler of ``logger`` (default: the root logger)."""
    target = logger or logging.getLogger()
    flt = RedactingFilter(secrets)
    for handler in target.handlers:
        handler.addFilter(flt)
    return flt
