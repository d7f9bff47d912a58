"""The Events API endpoint: a small HTTP server that faces the internet, in front of Bolt.

The standard library's threading server feeds Bolt's ``dispatch`` (as Bolt's dev server does,
but concurrent), with the limits an internet-facing endpoint needs:

- the signature is checked on the raw bytes before anything parses them (``verify.py``):
  an unsigned, stale or malformed request gets 401 and never reaches Bolt;
- a body over ``max_body`` bytes gets 413 from its ``Content-Length`` alone, unread; a request
  without a length gets 411; headers over 64 KiB get 431;
- a request must arrive whole within ``read_timeout`` seconds (an idle keep-alive connection
  too), however slowly its bytes trickle in; at most ``max_connections`` connections are
  served at once (one thread each), and a new one displaces the connection that has waited
  longest for its request. Stalled clients can neither pin threads nor lock Slack out;
- a refused request is logged as one short line (reason, size, client), never its body, and at
  most ``LOG_BURST`` such lines a minute; no refusal prints a traceback.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest

from assistant.display import visible
from assistant.slack.verify import SlackSignature

log = logging.getLogger("assistant.slack")

EVENTS_PATH = "/slack/events"
MAX_BODY = 1 << 20  # bytes; Slack's event payloads are far smaller
MAX_HEADERS = 64 << 10  # bytes of request line and headers
READ_TIMEOUT = 10.0  # seconds for a whole request to arrive
MAX_CONNECTIONS = 128
LOG_BURST = 20  # refusal lines a minute; beyond that they are counted, then summarised
_LENGTH = re.compile(r"[0-9]{1,18}")
_CLOSE = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def clip(text: object, limit: int = 120) -> str:
    """A client-supplied value fit for one log line: escaped, and cut at ``limit``."""
    shown = visible(str(text))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class _HeadersTooLarge(Exception):
    pass


class _DeadlineReader(io.RawIOBase):
    """The connection's bytes, for one request at a time: within a deadline and a byte budget.

    A per-read socket timeout alone lets a client keep a thread forever by sending a byte
    every few seconds; here every read gets only what is left of the request's time.
    """

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.deadline = time.monotonic()
        self.budget = 0

    def start(self, seconds: float, budget: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.budget <= 0:
            raise _HeadersTooLarge()
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.sock.settimeout(left)
        with memoryview(buffer) as view:
            n = self.sock.recv_into(view[: self.budget])
        self.budget -= n
        return n


class _RefusalLog:
    """One line per refused request, at most ``burst`` lines a minute (the rest are counted)."""

    def __init__(self, burst: int = LOG_BURST, window: float = 60.0) -> None:
        self.burst, self.window = burst, window
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._lines = 0
        self._unlogged = 0

    def refused(self, client: str, status: int, reason: str, size: int | None = None) -> None:
        now = time.monotonic()
        with self._lock:
            if now - self._start >= self.window:
                if self._unlogged:
                    log.warning("… and %d more requests refused", self._unlogged)
                self._start, self._lines, self._unlogged = now, 0, 0
            if self._lines >= self.burst:
                self._unlogged += 1
                return
            self._lines += 1
        extra = f", {size} bytes" if size is not None else ""
        log.warning("refused a request from %s: %d %s%s", client, status, reason, extra)


class _EventsHandler(BaseHTTPRequestHandler):
    server: SlackHttpServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the plain socket file is replaced (closing it keeps the socket)
        self._reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader)
        self.evicted = False

    def evict(self) -> None:
        """Hang up on a connection still waiting for its request (called from another thread)."""
        self.evicted = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)  # its blocked read returns at once

    def handle_one_request(self) -> None:
        self._reader.start(self.server.read_timeout, MAX_HEADERS)
        self.requestline, self.request_version, self.command = "", "HTTP/1.1", ""
        self.server.waiting(self, True)
        try:
            super().handle_one_request()  # a TimeoutError is handled there: connection closed
        except _HeadersTooLarge:
            self._refuse(431, f"request line and headers over {MAX_HEADERS} bytes")
        finally:
            self.server.waiting(self, False)
        if self.evicted:
            self.close_connection = True

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.path:
            self._refuse(404, f"no endpoint {clip(parts.path, 60)}")
            return
        declared = self.headers.get_all("Content-Length") or []
        if not declared or self.headers.get("Transfer-Encoding"):
            self._refuse(411, "no Content-Length")
            return
        if len(declared) > 1 or not _LENGTH.fullmatch(declared[0].strip()):
            self._refuse(400, f"bad Content-Length {clip(', '.join(declared), 40)}")
            return
        length = int(declared[0])
        if length > self.server.max_body:
            self._refuse(413, f"body over {self.server.max_body} bytes", length)
            return
        self._reader.budget += length
        problem = self.server.signature.header_problem(self.headers)
        if problem is not None:  # nothing to verify: the body is skipped, never kept or parsed
            self._skip(length)
            self._refuse(401, problem, length)
            return
        body = self.rfile.read(length)
        self.server.waiting(self, False)
        if len(body) < length or self.evicted:  # the client went away, or was hung up on
            self.close_connection = True
            return
        problem = self.server.signature.problem(self.headers, body)
        if problem is not None:
            self._refuse(401, problem, length)
            return
        self._dispatch(body.decode("utf-8"), parts.query)

    def _skip(self, length: int) -> None:
        """Read and drop ``length`` bytes (at most ``max_body``), so the client gets our answer
        instead of a reset; the request's deadline still applies."""
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)

    def _dispatch(self, body: str, query: str) -> None:
        headers: dict[str, str | Sequence[str]] = {}
        for name, value in self.headers.items():
            headers[name.lower()] = value
        try:
            request = BoltRequest(body=body, query=query, headers=headers)
        except ValueError:  # signed, but not JSON or a form (json.JSONDecodeError included)
            self._refuse(400, "signed body is not a Slack payload", len(body))
            return
        try:
            resp = self.server.app.dispatch(request)
        except Exception:
            log.exception("Bolt failed on a signed request")
            self._send(500, b"internal error", close=True)
            return
        payload = resp.body.encode("utf-8") if isinstance(resp.body, str) else bytes(resp.body)
        self.connection.settimeout(self.server.read_timeout)
        self.send_response(resp.status)
        for name, values in resp.headers.items():
            if name.lower() not in ("content-length", "connection"):
                for value in values:
                    self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/health":
            self._send(200, b"ok")
        else:
            self._refuse(404, f"no endpoint {clip(urlsplit(self.path).path, 60)}")

    def _refuse(self, status: int, reason: str, size: int | None = None) -> None:
        """Answer ``status``, log one line, and close (an unread body must not be parsed)."""
        if self.evicted:  # already hung up on, and logged
            self.close_connection = True
            return
        self.server.refusals.refused(self.address_string(), status, reason, size)
        self._send(status, b"invalid request" if status == 401 else reason.encode(), close=True)

    def _send(self, status: int, payload: bytes, close: bool = False) -> None:
        self.connection.settimeout(self.server.read_timeout)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("http %s %s", self.address_string(), clip(format % args, 200))

    def log_error(self, format: str, *args: object) -> None:
        log.info("http %s %s", self.address_string(), clip(format % args, 200))


class SlackHttpServer(ThreadingHTTPServer):
    """Serves ``POST /slack/events`` (and ``GET /health``) for one Bolt app.

    ``signing_secret`` is the app's (without one every event is refused); see the module
    docstring for ``max_body``, ``read_timeout`` and ``max_connections``.
    """

    daemon_threads = True
    request_queue_size = 128  # Slack delivers bursts; the default backlog of 5 resets connections

    def __init__(
        self,
        app: App,
        host: str = "0.0.0.0",
        port: int = 3000,
        path: str = EVENTS_PATH,
        *,
        signing_secret: str | None,
        max_body: int = MAX_BODY,
        read_timeout: float = READ_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.app = app
        self.path = path
        self.signature = SlackSignature(signing_secret)
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self.refusals = _RefusalLog()
        self._active = 0
        self._active_lock = threading.Lock()
        self._waiting: dict[_EventsHandler, float] = {}  # handler -> since when it waits
        super().__init__((host, port), _EventsHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    @property
    def connections(self) -> int:
        """Connections being served now (each holds one thread)."""
        with self._active_lock:
            return self._active

    def waiting(self, handler: _EventsHandler, waiting: bool) -> None:
        """Track the connections that wait for (the rest of) a request: the ones to evict."""
        with self._active_lock:
            if waiting:
                self._waiting[handler] = time.monotonic()
            else:
                self._waiting.pop(handler, None)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve on a new thread; when all ``max_connections`` are taken, hang up on the one
        that has waited longest for its request (a request from Slack arrives at once, so it
        is never that one), or answer 503 if every connection is busy answering."""
        victim = None
        with self._active_lock:
            full = self._active >= self.max_connections
            if full and self._waiting:
                victim = min(self._waiting, key=self._waiting.__getitem__)
                del self._waiting[victim]
                full = False
            if not full:
                self._active += 1
        if victim is not None:
            self.refusals.refused(victim.address_string(), 408, "hung up: the longest wait")
            victim.evict()
        if full:  # answered here, on the accepting thread, without reading anything
            self.refusals.refused(str(client_address[0]), 503, "too many connections")
            try:
                request.setblocking(False)
                request.send(_CLOSE)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._release()

    def _release(self) -> None:
        with self._active_lock:
            self._active -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A dropped connection (reset, broken pipe) is one debug line, not a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            log.debug("connection from %s ended: %s", client_address[0], type(exc).__name__)
        else:  # a bug, not a client's doing
            log.error("serving %s failed", client_address[0], exc_info=True)

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
