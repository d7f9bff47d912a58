"""A fake Slack on 127.0.0.1: the Web API over HTTP, Socket Mode over a websocket, and a sender
of signed Events API requests. Tests drive the real slack_sdk / slack_bolt against it.

Web API (``FakeSlack``, base URL ``http://127.0.0.1:<port>/api/``): auth.test,
chat.postMessage, chat.update, reactions.add/remove, conversations.replies,
apps.connections.open. It keeps channels and threads, checks tokens like Slack (HTTP 200 with
``{"ok": false, "error": "invalid_auth"}``), enforces Slack's Block Kit limits (50 blocks,
3000 characters a section), records every call, and fails on request::

    with FakeSlack() as slack:
        root = slack.user_message("C1", "What is 3D Gaussian splatting?")   # seed a thread
        slack.fail("chat.postMessage", status=429, retry_after=1, times=2)
        client = WebClient(token=slack.bot_token, base_url=slack.base_url)
        ...
        slack.wait_for(lambda: slack.bot_replies("C1", root), timeout=30)

Socket Mode (``FakeSocketMode``): apps.connections.open returns its ``ws://`` URL; it sends
``hello`` on connect, then the envelopes a test sends with ``send_events_api``, and records
the acknowledgements (``wait_ack``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

T = TypeVar("T")

BOT_TOKEN = "xoxb-1111-2222-fakebottokenvalue"
APP_TOKEN = "xapp-1-A111-3333-fakeapptokenvalue"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_USER_ID = "UBOT0001"
BOT_ID = "BBOT0001"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float  # time.perf_counter() when the request arrived
    status: int = 200
    ok: bool = True


@dataclass
class _Failure:
    status: int
    retry_after: float | None
    times: int


@dataclass
class FakeSlack:
    """The fake Web API. ``start()``/``stop()`` or use as a context manager."""

    bot_token: str = BOT_TOKEN
    app_token: str = APP_TOKEN
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    socket_url: str | None = None  # what apps.connections.open hands out
    calls: list[Call] = field(default_factory=list)
    channels: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    _failures: dict[str, list[_Failure]] = field(default_factory=lambda: defaultdict(list))
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _counter: int = 0
    _server: ThreadingHTTPServer | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake._handle(self)

            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    # -- scripting and inspection ----------------------------------------------------------
    def fail(
        self, method: str, status: int = 429, retry_after: float | None = 0, times: int = 1
    ) -> None:
        """The next ``times`` calls of ``method`` get HTTP ``status`` (429: with Retry-After)."""
        with self._lock:
            self._failures[method].append(_Failure(status, retry_after, times))

    def new_ts(self) -> str:
        with self._lock:
            self._counter += 1
            return f"{1_700_000_000 + self._counter}.{self._counter:06d}"

    def user_message(
        self, channel: str, text: str, user: str = "UHUMAN01", thread_ts: str | None = None
    ) -> str:
        """Store a person's message (as if posted in Slack) and return its ts."""
        ts = self.new_ts()
        msg: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts}
        if thread_ts:
            msg["thread_ts"] = thread_ts
        with self._lock:
            self.channels[channel].append(msg)
        return ts

    def message(self, channel: str, ts: str) -> dict[str, Any] | None:
        with self._lock:
            return next((m for m in self.channels[channel] if m["ts"] == ts), None)

    def bot_replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """The bot's messages in a thread, oldest first (copies)."""
        with self._lock:
            return [
                json.loads(json.dumps(m))
                for m in self.channels[channel]
                if m.get("thread_ts") == thread_ts and m.get("bot_id") == self.bot_id
            ]

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate: Callable[[], T], timeout: float = 30.0) -> T:
        """Poll ``predicate`` until it returns something truthy (bounded); return it."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s")
            time.sleep(0.02)

    # -- the protocol ----------------------------------------------------------------------
    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(req.path)
        method = parts.path.removeprefix("/api/")
        length = int(req.headers.get("Content-Length") or 0)
        raw = req.rfile.read(length).decode("utf-8") if length else ""
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        ctype = req.headers.get("Content-Type") or ""
        if raw and "json" in ctype:
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw))
        token = (req.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        call = Call(method=method, args=args, at=time.perf_counter())
        with self._lock:
            self.calls.append(call)
            failure = self._take_failure(method)
        if failure is not None:
            call.status, call.ok = failure.status, False
            headers = {}
            if failure.status == 429 and failure.retry_after is not None:
                headers["Retry-After"] = str(int(failure.retry_after))
            error = "ratelimited" if failure.status == 429 else "internal_error"
            self._reply(req, failure.status, {"ok": False, "error": error}, headers)
            return
        body = self._dispatch(method, args, token)
        call.ok = bool(body.get("ok"))
        self._reply(req, 200, body)

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    @staticmethod
    def _reply(
        req: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = json.dumps(body).encode("utf-8")
        req.send_response(status)
        req.send_header("Content-Type", "application/json; charset=utf-8")
        for k, v in (headers or {}).items():
            req.send_header(k, v)
        req.send_header("Content-Length", str(len(payload)))
        req.end_headers()
        req.wfile.write(payload)

    def _dispatch(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        if method == "apps.connections.open":
            if token != self.app_token:
                return {"ok": False, "error": "invalid_auth"}
            if not self.socket_url:
                return {"ok": False, "error": "no_socket_server"}
            return {"ok": True, "url": self.socket_url}
        if token != self.bot_token:
            return {"ok": False, "error": "not_authed" if not token else "invalid_auth"}
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        with self._lock:
            result: dict[str, Any] = handler(args)
            return result

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Fake Team",
            "user": "paperbot",
            "team_id": "T0000001",
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
        }

    @staticmethod
    def _check_message(args: dict[str, Any]) -> str | None:
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        text = args.get("text")
        if not text and not blocks:
            return "no_text"
        if text and len(text) > 40_000:
            return "msg_too_long"
        if blocks:
            if len(blocks) > 50:
                return "invalid_blocks"
            for block in blocks:
                if block.get("type") == "section" and len(block["text"]["text"]) > 3000:
                    return "invalid_blocks"
                if block.get("type") == "context":
                    elements = block.get("elements") or []
                    if not 1 <= len(elements) <= 10:
                        return "invalid_blocks"
                    if any(len(e.get("text", "")) > 3000 for e in elements):
                        return "invalid_blocks"
        args["blocks"] = blocks
        return None

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        error = self._check_message(args)
        if error:
            return {"ok": False, "error": error}
        msg: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": args.get("text") or "",
            "blocks": args.get("blocks") or [],
            "ts": self.new_ts(),
            "updates": 0,
        }
        if args.get("thread_ts"):
            msg["thread_ts"] = args["thread_ts"]
        self.channels[channel].append(msg)
        return {"ok": True, "channel": channel, "ts": msg["ts"], "message": msg}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self.message(str(args.get("channel")), str(args.get("ts")))
        if msg is None:
            return {"ok": False, "error": "message_not_found"}
        error = self._check_message(args)
        if error:
            return {"ok": False, "error": error}
        msg["text"] = args.get("text") or ""
        msg["blocks"] = args.get("blocks") or []
        msg["updates"] = msg.get("updates", 0) + 1
        return {"ok": True, "channel": args["channel"], "ts": msg["ts"], "text": msg["text"]}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self.message(str(args.get("channel")), str(args.get("timestamp")))
        if msg is None:
            return {"ok": False, "error": "message_not_found"}
        names = msg.setdefault("reactions_by_bot", [])
        if args.get("name") in names:
            return {"ok": False, "error": "already_reacted"}
        names.append(args.get("name"))
        return {"ok": True}

    def _reactions_remove(self, args: dict[str, Any]) -> dict[str, Any]:
        msg = self.message(str(args.get("channel")), str(args.get("timestamp")))
        if msg is None:
            return {"ok": False, "error": "message_not_found"}
        names = msg.setdefault("reactions_by_bot", [])
        if args.get("name") not in names:
            return {"ok": False, "error": "no_reaction"}
        names.remove(args.get("name"))
        return {"ok": True}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, root = str(args.get("channel")), str(args.get("ts"))
        thread = [
            m for m in self.channels[channel] if m["ts"] == root or m.get("thread_ts") == root
        ]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        limit = max(1, min(int(args.get("limit") or 100), 1000))
        start = int(args.get("cursor") or 0)
        page = thread[start : start + limit]
        more = start + limit < len(thread)
        return {
            "ok": True,
            "messages": [{k: v for k, v in m.items() if k != "updates"} for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }


# -- Events API requests ----------------------------------------------------------------------
def event_callback(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """The Events API envelope Slack wraps around an event."""
    return {
        "token": "legacy-verification-token",
        "team_id": "T0000001",
        "api_app_id": "A0000001",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": "T0000001", "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
        ],
    }


def mention_event(channel: str, ts: str, text: str, thread_ts: str | None = None) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": "UHUMAN01",
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm_event(channel: str, ts: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": "UHUMAN01",
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


def signature_headers(
    body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Slack's v0 request signature."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Delivery:
    status: int
    body: str
    seconds: float


def deliver(
    url: str,
    payload: dict[str, Any],
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    retry_num: int | None = None,
    timeout: float = 10.0,
) -> Delivery:
    """POST a payload to an Events API endpoint the way Slack does (signed JSON)."""
    body = json.dumps(payload)
    headers = {"Content-Type": "application/json", **signature_headers(body, secret, timestamp)}
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return Delivery(resp.status, resp.read().decode(), time.perf_counter() - t0)
    except urllib.error.HTTPError as exc:
        return Delivery(exc.code, exc.read().decode(), time.perf_counter() - t0)


# -- Socket Mode --------------------------------------------------------------------------------
class FakeSocketMode:
    """A Socket Mode websocket endpoint: hello, then envelopes; collects acknowledgements."""

    def __init__(self) -> None:
        from websockets.sync.server import serve

        self.acks: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._server = serve(self._session, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self._server.socket.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=fake-ticket"

    def start(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _session(self, ws: Any) -> None:
        ws.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                    "connection_info": {"app_id": "A0000001"},
                }
            )
        )
        with self._lock:
            self._connections.append(ws)
        self.connected.set()
        try:
            for message in ws:
                data = json.loads(message)
                with self._lock:
                    self.acks.append(data)
        except Exception:  # the client went away
            pass
        finally:
            with self._lock:
                if ws in self._connections:
                    self._connections.remove(ws)

    def send_events_api(self, payload: dict[str, Any], retry_attempt: int = 0) -> str:
        """Send an ``events_api`` envelope on the live connection; return its envelope id."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        if not self.connected.wait(10):
            raise AssertionError("no Socket Mode client connected")
        with self._lock:
            ws = self._connections[-1]
        ws.send(json.dumps(envelope))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for ack in self.acks:
                    if ack.get("envelope_id") == envelope_id:
                        return ack
            time.sleep(0.01)
        raise AssertionError(f"envelope {envelope_id} was not acknowledged within {timeout} s")
