"""Running the Bolt app: an HTTP Events API endpoint, or a Socket Mode connection.

The HTTP server is the standard library's threading server feeding Bolt's ``dispatch`` (the
same thing Bolt's dev server does, but concurrent and with a request size limit), so the bot
needs no web framework. Bolt verifies the signature and timestamp of every request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest

from assistant.slack import redact
from assistant.slack.config import SlackConfig, SlackConfigError

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from assistant.api import Assistant

log = logging.getLogger("assistant.slack")

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000  # bytes; Slack's event payloads are far smaller


class _EventsHandler(BaseHTTPRequestHandler):
    server: SlackHttpServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.path:
            self._send(404, b"not found")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self._send(413 if length > MAX_BODY else 400, b"bad request size")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        headers: dict[str, str | Sequence[str]] = {}
        for name, value in self.headers.items():
            headers[name.lower()] = value
        resp = self.server.app.dispatch(BoltRequest(body=body, query=parts.query, headers=headers))
        payload = resp.body.encode("utf-8") if isinstance(resp.body, str) else bytes(resp.body)
        self.send_response(resp.status)
        for name, values in resp.headers.items():
            if name.lower() != "content-length":
                for value in values:
                    self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/health":
            self._send(200, b"ok")
        else:
            self._send(404, b"not found")

    def _send(self, status: int, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("http %s", format % args)


class SlackHttpServer(ThreadingHTTPServer):
    """Serves ``POST /slack/events`` (and ``GET /health``) for one Bolt app."""

    daemon_threads = True
    request_queue_size = 128  # Slack delivers bursts; the default backlog of 5 resets connections

    def __init__(self, app: App, host: str = "0.0.0.0", port: int = 3000, path: str = EVENTS_PATH):
        self.app = app
        self.path = path
        super().__init__((host, port), _EventsHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    def start_background(self) -> threading.Thread:
        """Serve on a daemon thread (tests, embedding); ``shutdown()`` stops it."""
        thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-http",
            daemon=True,
        )
        thread.start()
        return thread


def serve_http(app: App, host: str, port: int) -> None:
    """Serve the Events API until interrupted."""
    try:
        server = SlackHttpServer(app, host, port)
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
