"""Running the Bolt app: an HTTP Events API endpoint (``server.py``), or a Socket Mode connection."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from slack_bolt import App

from assistant.slack import redact
from assistant.slack.config import SlackConfig, SlackConfigError
from assistant.slack.server import SlackHttpServer

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from assistant.api import Assistant

log = logging.getLogger("assistant.slack")


def serve_http(app: App, host: str, port: int, signing_secret: str | None) -> None:
    """Serve the Events API until interrupted."""
    try:
        server = SlackHttpServer(app, host, port, signing_secret=signing_secret)
    except OSError as exc:
        raise SlackConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port"
        ) from None
    with server:
        log.info("listening for Slack events on %s", server.url)
        server.serve_forever()


def socket_mode_handler(app: App, app_token: str) -> SocketModeHandler:
    """A Socket Mode handler using the app's own WebClient (so SLACK_API_URL applies)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token=app_token, web_client=app.client)


def serve_socket_mode(app: App, app_token: str, secrets: list[str] | None = None) -> None:
    """Connect over Socket Mode (the handler reconnects as needed); block until interrupted."""
    from slack_sdk.errors import SlackApiError

    handler = socket_mode_handler(app, app_token)
    log.info("connecting to Slack over Socket Mode")
    try:
        handler.connect()
    except SlackApiError as exc:
        reason = redact.redact(str(exc.response.get("error")), secrets or [app_token])
        raise SlackConfigError(
            f"Slack refused the Socket Mode connection ({reason}); check SLACK_APP_TOKEN "
            "(an xapp- token with connections:write) and that Socket Mode is enabled"
        ) from None
    except OSError as exc:
        raise SlackConfigError(
            f"cannot open the Socket Mode connection ({type(exc).__name__}); check the network"
        ) from None
    log.info("connected over Socket Mode; waiting for events")
    try:
        threading.Event().wait()
    finally:
        handler.close()


def start_app(assistant: Assistant, config: SlackConfig, workers: int) -> App:
    """``build_app`` with the failures a user can fix turned into one-line SlackConfigErrors."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from assistant.slack.app import build_app
    from assistant.slack.retries import make_client

    client = make_client(config.bot_token, config.api_url)
    try:
        return build_app(assistant, client, signing_secret=config.signing_secret, workers=workers)
    except (BoltError, SlackApiError) as exc:
        reason = redact.redact(str(exc), config.secrets())
        raise SlackConfigError(
            f"Slack rejected SLACK_BOT_TOKEN at {config.api_url}auth.test ({reason}); "
            "check the token and that the app is installed in the workspace"
        ) from None
    except OSError as exc:
        raise SlackConfigError(
            f"cannot reach the Slack Web API at {config.api_url} "
            f"({type(exc).__name__}: {getattr(exc, 'reason', exc)}); check SLACK_API_URL "
            "and the network"
        ) from None


def configure_logging(config: SlackConfig, verbose: bool = False) -> None:
    """Timestamped lines on stderr, with every Slack secret masked."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    redact.install(config.secrets(), root)
    for each in root.handlers:  # Bolt warns that SLACK_BOT_TOKEN is unused: we pass a client
        each.addFilter(_DropClientPrioritizedWarning())


class _DropClientPrioritizedWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "token` will be unused" not in str(record.msg)
