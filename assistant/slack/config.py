"""Slack credentials and endpoints, read from Slack's own conventional env vars.

The three secrets (``SLACK_BOT_TOKEN``, ``SLACK_APP_TOKEN``, ``SLACK_SIGNING_SECRET``) are kept
out of ``assistant.settings.Settings`` on purpose: they belong to the Slack deployment, never
to an answer, and must never be printed with the rest of the settings.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse

DEFAULT_API_URL = "https://slack.com/api/"


class SlackConfigError(ValueError):
    """A missing or malformed Slack setting, explained in one line."""


@dataclass(frozen=True)
class SlackConfig:
    """What the bot needs to talk to Slack. ``repr`` never shows a secret."""

    bot_token: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is given, else the HTTP Events API."""
        return self.app_token is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SlackConfig:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = (env.get(name) or "").strip()
            return value or None

        bot_token = get("SLACK_BOT_TOKEN")
        if bot_token is None:
            raise SlackConfigError(
                "SLACK_BOT_TOKEN is not set; copy the Bot User OAuth Token (xoxb-...) "
                "from the app's OAuth & Permissions page"
            )
        if not bot_token.startswith("xoxb-"):
            raise SlackConfigError(
                "SLACK_BOT_TOKEN must be a bot token starting with xoxb- "
                "(OAuth & Permissions > Bot User OAuth Token)"
            )
        app_token = get("SLACK_APP_TOKEN")
        if app_token is not None and not app_token.startswith("xapp-"):
            raise SlackConfigError(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp- "
                "(Basic Information > App-Level Tokens, scope connections:write)"
            )
        signing_secret = get("SLACK_SIGNING_SECRET")
        if app_token is None and signing_secret is None:
            raise SlackConfigError(
                "set SLACK_APP_TOKEN (xapp-..., Socket Mode) or SLACK_SIGNING_SECRET "
                "(HTTP mode: Basic Information > Signing Secret)"
            )
        return cls(
            bot_token=bot_token,
            app_token=app_token,
            signing_secret=signing_secret,
            api_url=normalize_api_url(get("SLACK_API_URL") or DEFAULT_API_URL),
        )

    def secrets(self) -> list[str]:
        """Every secret value, for log redaction."""
        return [s for s in (self.bot_token, self.app_token, self.signing_secret) if s]


def normalize_api_url(url: str) -> str:
    """``http(s)://host[:port]/api`` with the trailing slash slack_sdk expects."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SlackConfigError(
            f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, got {url!r}"
        )
    return url if url.endswith("/") else url + "/"
