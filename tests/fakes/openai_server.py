"""A fake OpenAI-compatible HTTP server on 127.0.0.1, for tests that drive the real ``openai`` client.

It speaks the real wire protocol of ``POST /v1/chat/completions`` (JSON, and server-sent events
when ``"stream": true``, with a final usage chunk when ``stream_options.include_usage`` is set),
plus ``GET /v1/models`` and ``GET /health``. Each request takes the next scripted step from a
queue; with the queue empty it answers with ``default_text`` (or ``responder(request)``).

Usage (pytest)::

    pytest_plugins = ["tests.fakes"]  # in the test module: the fixture, a fresh server per test

    def test_x(fake_openai):
        fake_openai.reply("Gaussian splats are fast [3D Gaussian Splatting ...].")
        fake_openai.fail(429, retry_after=0)          # the next call gets a 429 first ...
        fake_openai.fail(500)
        fake_openai.hang(5.0)                          # sleeps 5 s before answering (timeouts)
        fake_openai.malformed()                        # broken JSON / a broken SSE chunk
        fake_openai.reply("a b c", chunks=["a ", "b ", "c"], chunk_delay=0.05)
        client_base_url = fake_openai.base_url         # "http://127.0.0.1:<port>/v1"
        ...
        fake_openai.requests[-1]["messages"]           # what the client sent (parsed JSON)

Steps are consumed in order, one per HTTP request (retries consume steps too). Usage numbers
default to a whitespace word count of the prompt and of the answer, so they are never zero
(``reply(..., omit_usage=True)`` imitates a server that reports none).
Stand-alone: ``with FakeOpenAI() as server: ...``.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Step:
    """One scripted response. ``status`` != 200 makes it an error response."""

    text: str | None = None  # None: use the server's default (or responder)
    status: int = 200
    retry_after: float | None = None
    delay: float = 0.0  # seconds before the first byte (use > client timeout for a timeout)
    chunks: list[str] | None = None  # streaming: how to split the text (default: by words)
    chunk_delay: float = 0.0
    malformed: bool = False  # invalid JSON body, or an invalid SSE chunk mid-stream
    usage: dict[str, int] | None = None  # override prompt/completion token counts
    omit_usage: bool = False  # a server that reports no usage at all
    model: str | None = None
    error_body: dict[str, Any] | None = None


@dataclass
class FakeOpenAI:
    """The fake server. ``start()``/``stop()`` or use as a context manager."""

    default_text: str = "I cannot answer that from the given papers."
    model: str = "fake-gpt"
    responder: Callable[[dict[str, Any]], str] | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    _queue: deque[Step] = field(default_factory=deque)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- scripting ---------------------------------------------------------------------------
    def reply(
        self,
        text: str,
        *,
        chunks: list[str] | None = None,
        chunk_delay: float = 0.0,
        usage: dict[str, int] | None = None,
        model: str | None = None,
        delay: float = 0.0,
        omit_usage: bool = False,
    ) -> FakeOpenAI:
        return self.script(
            Step(
                text=text,
                chunks=chunks,
                chunk_delay=chunk_delay,
                usage=usage,
                model=model,
                delay=delay,
                omit_usage=omit_usage,
            )
        )

    def fail(
        self, status: int, *, retry_after: float | None = None, message: str = "scripted failure"
    ) -> FakeOpenAI:
        kind = {429: "rate_limit_error", 401: "authentication_error"}.get(status, "server_error")
        body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
        return self.script(Step(status=status, retry_after=retry_after, error_body=body))

    def hang(self, seconds: float, text: str | None = None) -> FakeOpenAI:
        """Wait ``seconds`` before answering: longer than the client's timeout means a timeout."""
        return self.script(Step(text=text, delay=seconds))

    def malformed(self) -> FakeOpenAI:
        return self.script(Step(malformed=True))

    def script(self, *steps: Step) -> FakeOpenAI:
        with self._lock:
            self._queue.extend(steps)
        return self

    @property
    def pending(self) -> int:
        """Scripted steps not consumed yet."""
        with self._lock:
            return len(self._queue)

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-openai",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- internals ---------------------------------------------------------------------------
    def _next(self, body: dict[str, Any]) -> tuple[Step, str]:
        with self._lock:
            self.requests.append(body)
            step = self._queue.popleft() if self._queue else Step()
        text = step.text
        if text is None:
            text = self.responder(body) if self.responder else self.default_text
        return step, text


def _prompt_words(body: dict[str, Any]) -> int:
    total = 0
    for message in body.get("messages", []):
        content = message.get("content", "")
        if isinstance(content, list):
            content = " ".join(str(part.get("text", "")) for part in content)
        total += len(str(content).split())
    return total


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/") in ("/health", "/v1/health"):
            self._json(200, {"status": "ok"})
        elif self.path.rstrip("/") == "/v1/models":
            self._json(
                200,
                {"object": "list", "data": [{"id": self.server_fake.model, "object": "model"}]},
            )
        else:
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._json(400, {"error": {"message": "bad JSON", "type": "invalid_request_error"}})
            return
        step, text = self.server_fake._next(body)
        if step.delay:
            time.sleep(step.delay)
        if step.status != 200:
            headers = {}
            if step.retry_after is not None:
                headers["Retry-After"] = f"{step.retry_after:g}"
            self._json(step.status, step.error_body or {}, headers)
            return
        model = step.model or body.get("model") or self.server_fake.model
        usage = {
            "prompt_tokens": _prompt_words(body),
            "completion_tokens": max(1, len(text.split())),
            **(step.usage or {}),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if body.get("stream"):
            self._stream(step, text, model, usage, body)
        elif step.malformed:
            self._raw(200, b'{"id": "chatcmpl-broken", "choices": [', "application/json")
        else:
            payload: dict[str, Any] = {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": usage,
            }
            if step.omit_usage:
                del payload["usage"]
            self._json(200, payload)

    def _stream(
        self, step: Step, text: str, model: str, usage: dict[str, int], body: dict[str, Any]
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        ident = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        created = int(time.time())

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": ident,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }

        pieces = step.chunks if step.chunks is not None else _split_words(text)
        try:
            self._event(chunk({"role": "assistant", "content": ""}))
            for i, piece in enumerate(pieces):
                if step.malformed and i == len(pieces) // 2:
                    self.wfile.write(b'data: {"id": "broken", "choices": [{"delta": \n\n')
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if step.chunk_delay:
                    time.sleep(step.chunk_delay)
                self._event(chunk({"content": piece}))
            self._event(chunk({}, "stop"))
            if (body.get("stream_options") or {}).get("include_usage") and not step.omit_usage:
                final = chunk({})
                final["choices"] = []
                final["usage"] = usage
                self._event(final)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to do
        self.close_connection = True

    def _event(self, payload: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
        self.wfile.flush()

    def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None):
        self._raw(status, json.dumps(payload).encode(), "application/json", headers)

    def _raw(
        self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


def _split_words(text: str) -> list[str]:
    """Split into word-sized pieces that join back to exactly ``text``."""
    pieces: list[str] = []
    current = ""
    for ch in text:
        current += ch
        if ch == " ":
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces or [""]
