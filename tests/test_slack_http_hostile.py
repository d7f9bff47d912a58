"""The Slack HTTP endpoint under attack: real sockets against the real server and Bolt app.

Unsigned, malformed, oversized and slow requests must be refused with 4xx (never 500, never a
traceback), logged in one short line without their body, and must never reach the bot; a
stalled connection is hung up on and cannot lock out Slack's own requests.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from assistant import Assistant
from assistant.slack.app import build_app
from assistant.slack.server import MAX_BODY, SlackHttpServer
from tests.fakes.slack_api import FakeSlack, signature_headers
from tests.hostile import hostile_texts

SECRET = "hostile-test-secret"
READ_TIMEOUT = 1.0
MAX_CONNECTIONS = 8
VERIFY = json.dumps({"type": "url_verification", "challenge": "ch4llenge", "token": "t"})


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def server(slack: FakeSlack, tmp_path: Path) -> Iterator[SlackHttpServer]:
    client = WebClient(token=slack.bot_token, base_url=slack.base_url)
    app = build_app(Assistant(home=tmp_path, llm="extractive"), client, signing_secret=SECRET)
    http = SlackHttpServer(
        app,
        "127.0.0.1",
        0,
        signing_secret=SECRET,
        read_timeout=READ_TIMEOUT,
        max_connections=MAX_CONNECTIONS,
    )
    http.start_background()
    yield http
    http.shutdown()
    http.server_close()


def _addr(server: SlackHttpServer) -> tuple[str, int]:
    host, port = server.server_address[:2]
    return str(host), int(port)


def _request(body: bytes, headers: dict[str, str], path: str = "/slack/events") -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: bot.example",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if not any(k.lower() in ("content-length", "transfer-encoding") for k in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


def _exchange(server: SlackHttpServer, data: bytes, timeout: float = 10.0) -> str:
    """Send raw bytes; the response's status line, or 'closed' if the server just hung up."""
    with socket.create_connection(_addr(server), timeout=timeout) as sock:
        with contextlib.suppress(OSError):  # refused before all was sent: an answer may follow
            sock.sendall(data)
        head = b""
        while b"\r\n" not in head:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                break
            if not chunk:
                break
            head += chunk
    return head.split(b"\r\n")[0].decode("latin-1") if head else "closed"


def _status(line: str) -> int:
    return int(line.split()[1]) if line.startswith("HTTP/") else 0


def _signed(body: str, timestamp: int | None = None) -> dict[str, str]:
    return {"Content-Type": "application/json", **signature_headers(body, SECRET, timestamp)}


def _no_tracebacks(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> None:
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


def test_a_signed_request_is_answered(server: SlackHttpServer) -> None:
    line = _exchange(server, _request(VERIFY.encode(), _signed(VERIFY)))
    assert _status(line) == 200


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b'{"type":', {}, 401),  # unsigned truncated JSON: refused before it is parsed
        (b'{"type":', {"X-Slack-Signature": "v0=" + "0" * 64}, 401),
        (b"{}", {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64}, 401),
        (b"{}", {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=1"}, 401),
        (b"{}", {"X-Slack-Request-Timestamp": "-5", "X-Slack-Signature": "v0=" + "0" * 64}, 401),
        (b"{}", {"X-Slack-Request-Timestamp": "١٢٣", "X-Slack-Signature": "v0=" + "0" * 64}, 401),
        (b"{}", {"Content-Length": "abc"}, 400),
        (b"{}", {"Content-Length": "2", "content-length": "3"}, 400),
        (b"{}", {"Transfer-Encoding": "chunked"}, 411),
    ],
)
def test_unsigned_and_malformed_requests_are_refused_without_a_traceback(
    server: SlackHttpServer,
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    body: bytes,
    headers: dict[str, str],
    status: int,
) -> None:
    caplog.set_level(logging.INFO)
    assert _status(_exchange(server, _request(body, headers))) == status
    _no_tracebacks(caplog, capfd)
    assert all(len(r.getMessage()) < 300 for r in caplog.records)


def test_signed_but_malformed_bodies_are_400_and_stale_or_forged_ones_401(
    server: SlackHttpServer, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    assert _status(_exchange(server, _request(b'{"type":', _signed('{"type":')))) == 400
    stale = _signed(VERIFY, timestamp=int(time.time()) - 6 * 60)
    assert _status(_exchange(server, _request(VERIFY.encode(), stale))) == 401
    future = _signed(VERIFY, timestamp=int(time.time()) + 6 * 60)
    assert _status(_exchange(server, _request(VERIFY.encode(), future))) == 401
    forged = {**_signed(VERIFY), "X-Slack-Signature": "v0=" + "a" * 64}
    assert _status(_exchange(server, _request(VERIFY.encode(), forged))) == 401
    latin1 = "café".encode("latin-1")
    headers = {**signature_headers("café", SECRET), "Content-Type": "application/json"}
    assert _status(_exchange(server, _request(latin1, headers))) == 401  # not UTF-8
    _no_tracebacks(caplog, capfd)


def test_fuzzed_requests_get_4xx_never_reach_the_bot_and_log_little(
    server: SlackHttpServer,
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.INFO)
    rng = random.Random(11)
    texts = hostile_texts(seed=11, n=120)
    for i, text in enumerate(texts):
        body = rng.choice(
            [
                text.encode("utf-8", "surrogatepass"),
                json.dumps(
                    {"type": "event_callback", "event": {"type": "app_mention", "text": text}}
                ).encode(),
                bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))),
                b'{"type":' * rng.randrange(1, 50),
            ]
        )
        headers = rng.choice(
            [
                {},
                {"X-Slack-Request-Timestamp": text[:40], "X-Slack-Signature": text[:70]},
                {**signature_headers("other body", SECRET)},
                {**signature_headers(body.decode("latin-1"), "wrong-secret")},
                {
                    "X-Slack-Request-Timestamp": str(int(time.time())),
                    "X-Slack-Signature": "v0=" + "f" * 64,
                },
            ]
        )
        headers = {k: v.replace("\r", " ").replace("\n", " ") for k, v in headers.items()}
        status = _status(_exchange(server, _request(body, headers)))
        assert 400 <= status < 500, (i, status, body[:80], headers)
    _no_tracebacks(caplog, capfd)
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refusals and all(len(m) < 300 for m in refusals)
    assert not slack.calls_to("reactions.add") and not slack.calls_to("chat.postMessage")


def test_a_rejected_large_body_is_one_short_log_line_and_an_oversized_one_is_never_read(
    server: SlackHttpServer, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    big = b'{"type": "event_callback", "pad": "' + b"Q" * 990_000 + b'"}'
    for _ in range(3):
        assert (
            _status(_exchange(server, _request(big, {"Content-Type": "application/json"}))) == 401
        )
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "QQQQ" not in logged and len(logged) < 3 * 300

    # 413 from the declared length alone: the headers are answered, the body never sent
    header_only = _request(b"", {"Content-Length": str(MAX_BODY + 1)})
    assert _status(_exchange(server, header_only)) == 413
    assert _status(_exchange(server, _request(b"", {"Content-Length": str(10**15)}))) == 413
    flood = "\r\n".join(f"X-Pad-{i}: {'h' * 1000}" for i in range(70))
    headers_too_big = f"POST /slack/events HTTP/1.1\r\n{flood}\r\n\r\n".encode()
    assert _status(_exchange(server, headers_too_big)) in (0, 400, 431)
    _no_tracebacks(caplog, capfd)


def _wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_stalled_connections_are_hung_up_on_and_do_not_lock_out_slack(
    server: SlackHttpServer, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)
    stalled = []
    for _ in range(4 * MAX_CONNECTIONS):  # half a request line each, then nothing
        sock = socket.create_connection(_addr(server), timeout=10)
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
        stalled.append(sock)
    try:
        assert _wait_for(lambda: server.connections <= MAX_CONNECTIONS + 1, timeout=5)
        # Slack's own request still gets through (it displaces the longest-waiting stall)
        assert _status(_exchange(server, _request(VERIFY.encode(), _signed(VERIFY)))) == 200
        # and the stalls are hung up on once their time is up: no thread is held forever
        assert _wait_for(lambda: server.connections == 0)
        for sock in stalled:  # each one was closed by the server, none answered
            sock.settimeout(5)
            with contextlib.suppress(ConnectionResetError):
                assert sock.recv(100) == b""
    finally:
        for sock in stalled:
            sock.close()

    # a client sending one byte at a time never completes a request: hung up on, all the same
    with socket.create_connection(_addr(server), timeout=10) as sock:
        drip = _request(VERIFY.encode(), _signed(VERIFY))
        hung_up = False
        for byte in drip:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                hung_up = True
                break
            time.sleep(0.05)
            sock.settimeout(0.001)
            try:
                if sock.recv(100) == b"":
                    hung_up = True
                    break
            except (TimeoutError, BlockingIOError):
                pass
            except OSError:
                hung_up = True
                break
        assert hung_up, "a request trickling in byte by byte was served to the end"
    _no_tracebacks(caplog, capfd)


def test_an_embedded_app_refuses_a_bad_timestamp_with_401_not_500(
    slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``build_app`` for another adapter (FastAPI, Flask): Bolt's own check is replaced."""
    caplog.set_level(logging.INFO)
    client = WebClient(token=slack.bot_token, base_url=slack.base_url)
    app = build_app(Assistant(home=tmp_path, llm="extractive"), client, signing_secret=SECRET)
    body = json.dumps({"type": "event_callback", "pad": "Z" * 50_000})
    for headers in (
        {"x-slack-request-timestamp": "abc", "x-slack-signature": "v0=" + "0" * 64},
        {"x-slack-signature": "v0=" + "0" * 64},
        {k.lower(): v for k, v in signature_headers(body, "wrong-secret").items()},
    ):
        response = app.dispatch(BoltRequest(body=body, headers=dict(headers)))
        assert response.status == 401
    assert _status_of_signed(app, VERIFY) == 200
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ZZZZ" not in logged and not [r for r in caplog.records if r.exc_info]


def _status_of_signed(app: App, body: str) -> int:
    headers: dict[str, str | Sequence[str]] = {
        k.lower(): v for k, v in signature_headers(body, SECRET).items()
    }
    return int(app.dispatch(BoltRequest(body=body, headers=headers)).status)
