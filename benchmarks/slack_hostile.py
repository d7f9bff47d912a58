"""What the Slack HTTP endpoint does with hostile requests: status codes, log growth, stalls.

Runs the real server (``SlackHttpServer`` + the Bolt app of ``build_app``) on 127.0.0.1 with a
fake Slack Web API, logging as ``assistant slack`` does (INFO, root logger), and measures:

  malformed    unsigned ``{"type":``, timestamp ``abc``, a signed request (sanity): status or
               "dropped", and whether a traceback was written
  log          log bytes written per rejected unsigned 990 KB POST (20 of them)
  oversized    a 2 MiB ``Content-Length``: answered before the body is sent?
  stalls       300 connections that send half a request line and stop: server threads
               after 1 s and after ``--wait`` s; latency of a signed request meanwhile
  slow drip    one header byte every 0.5 s: seconds until the server hangs up (cap 30 s)

    python benchmarks/slack_hostile.py --json benchmarks/results/slack-hostile.json
    git archive COMMIT assistant vectorstore prompts data | tar -x -C /tmp/old   # old code:
    python benchmarks/slack_hostile.py --code /tmp/old --label COMMIT --json …-before.json
    python benchmarks/slack_hostile.py --doc     # rewrite the figures table in docs/slack.md
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
DOC = REPO / "docs" / "slack.md"
BEGIN, END = "<!-- slack_hostile:begin -->", "<!-- slack_hostile:end -->"
SECRET = "hostile-test-signing-secret"
PATH = "/slack/events"


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float = 30) -> str:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return str(resp.status)
    except urllib.error.HTTPError as exc:
        return str(exc.code)
    except (OSError, urllib.error.URLError) as exc:
        return f"dropped ({type(getattr(exc, 'reason', exc)).__name__})"


def _signed(body: str) -> dict[str, str]:
    from tests.fakes.slack_api import signature_headers

    return {"Content-Type": "application/json", **signature_headers(body, SECRET, None)}


def _server_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name.startswith("Thread-"))


def measure(wait: float) -> dict[str, Any]:
    from slack_sdk import WebClient

    from assistant import Assistant
    from assistant.slack.app import build_app
    from assistant.slack.runner import SlackHttpServer
    from tests.fakes.slack_api import FakeSlack

    log_buffer = io.StringIO()
    handler = logging.StreamHandler(log_buffer)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    stderr, sys.stderr = sys.stderr, io.StringIO()  # socketserver prints tracebacks here
    result: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as home, FakeSlack() as slack:
            client = WebClient(token=slack.bot_token, base_url=slack.base_url)
            app = build_app(
                Assistant(home=Path(home), llm="extractive"), client, signing_secret=SECRET
            )
            try:
                server = SlackHttpServer(app, "127.0.0.1", 0, signing_secret=SECRET)
            except TypeError:  # the code before the endpoint checked signatures itself
                server = SlackHttpServer(app, "127.0.0.1", 0)
            server.start_background()
            try:
                result = _run(server.url, wait, log_buffer)
            finally:
                server.shutdown()
                server.server_close()
    finally:
        captured, sys.stderr = sys.stderr.getvalue(), stderr  # type: ignore[attr-defined]
        root.removeHandler(handler)
    result["tracebacks"] = (captured + log_buffer.getvalue()).count("Traceback")
    return result


def _run(url: str, wait: float, log_buffer: io.StringIO) -> dict[str, Any]:
    host, port = url.split("//")[1].split("/")[0].split(":")
    addr = (host, int(port))
    json_ct = {"Content-Type": "application/json"}
    verification = json.dumps({"type": "url_verification", "challenge": "c", "token": "t"})
    out: dict[str, Any] = {}
    out["unsigned_truncated_json"] = _post(url, b'{"type":', json_ct)
    bad_ts = {**json_ct, "X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "v0=" + "0" * 64}
    out["timestamp_abc"] = _post(url, b'{"type": "event_callback"}', bad_ts)
    out["signed_url_verification"] = _post(url, verification.encode(), _signed(verification))

    before = len(log_buffer.getvalue().encode())
    big = b'{"type": "event_callback", "pad": "' + b"x" * (990_000 - 40) + b'"}'
    statuses = [_post(url, big, json_ct) for _ in range(20)]
    out["unsigned_990kB"] = sorted(set(statuses))
    out["log_bytes_per_rejected_990kB"] = round((len(log_buffer.getvalue().encode()) - before) / 20)

    with socket.create_connection(addr, timeout=10) as sock:
        size = 2 << 20
        sock.sendall(
            f"POST {PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\n\r\n".encode()
        )
        sock.settimeout(3)
        try:
            first = sock.recv(64)
            out["oversized_2MiB"] = first.split(b"\r\n")[0].decode(errors="replace")
            out["oversized_answered_unread"] = True
        except TimeoutError:
            out["oversized_2MiB"] = "no answer within 3 s of the headers (waiting for the body)"
            out["oversized_answered_unread"] = False

    time.sleep(1.0)  # the connections above are closed and their threads gone
    baseline = _server_threads()
    stalled = []
    for _ in range(300):
        s = socket.create_connection(addr, timeout=10)
        s.sendall(f"POST {PATH} HTTP/1.1\r\nHost: x\r\n".encode())
        stalled.append(s)
    time.sleep(1.0)
    out["stalled_connections"] = len(stalled)
    out["threads_after_1s"] = _server_threads() - baseline
    t0 = time.perf_counter()
    out["signed_during_stall"] = _post(url, verification.encode(), _signed(verification))
    out["signed_during_stall_s"] = round(time.perf_counter() - t0, 3)
    time.sleep(max(0.0, wait - 1.0))
    out["wait_s"] = wait
    out["threads_after_wait"] = _server_threads() - baseline
    for s in stalled:
        s.close()

    with socket.create_connection(addr, timeout=10) as sock:
        t0 = time.perf_counter()
        hung_up = None
        request = f"POST {PATH} HTTP/1.1\r\nHost: x\r\nX-Pad: {'y' * 100}\r\n".encode()
        sock.settimeout(0.5)
        for byte in request:
            try:
                sock.sendall(bytes([byte]))
                sock.recv(64)  # an answer or the end of the connection: the server hung up
            except TimeoutError:  # still waiting for the rest of the request
                if time.perf_counter() - t0 < 30:
                    continue
                break
            except OSError:  # reset
                pass
            hung_up = time.perf_counter() - t0
            break
        out["slow_drip_hung_up_after_s"] = None if hung_up is None else round(hung_up, 1)
    return out


def render(before: dict[str, Any], after: dict[str, Any]) -> str:
    rows = [
        ('unsigned `{"type":`', "unsigned_truncated_json"),
        ("timestamp `abc`", "timestamp_abc"),
        ("signed `url_verification`", "signed_url_verification"),
        ("20 unsigned 990 KB POSTs: status", "unsigned_990kB"),
        ("log bytes per rejected 990 KB POST", "log_bytes_per_rejected_990kB"),
        ("2 MiB `Content-Length`", "oversized_2MiB"),
        ("300 stalled connections: server threads after 1 s", "threads_after_1s"),
        ("… and after the wait", "threads_after_wait"),
        ("a signed request during the stall", "signed_during_stall"),
        ("its latency (s)", "signed_during_stall_s"),
        ("one header byte per 0.5 s: hung up after (s)", "slow_drip_hung_up_after_s"),
        ("tracebacks written", "tracebacks"),
    ]

    def cell(v: Any) -> str:
        if isinstance(v, list):
            v = ", ".join(v)
        return "still open (30 s cap)" if v is None else str(v).replace("|", "\\|")

    lines = [
        BEGIN,
        f"Generated by `python benchmarks/slack_hostile.py --doc` from "
        f"`benchmarks/results/slack-hostile{{-before,}}.json` (before: {before.get('code')}; "
        f"wait {after.get('wait_s')} s). Do not edit by hand.",
        "",
        "| Request | before | after |",
        "|---|---|---|",
    ]
    lines += [
        f"| {label} | {cell(before.get(key))} | {cell(after.get(key))} |" for label, key in rows
    ]
    lines.append(END)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, help="import `assistant` from this checkout")
    parser.add_argument("--label", help="what --code is (e.g. a commit), for the table")
    parser.add_argument("--wait", type=float, default=13.0, help="seconds to hold the stall")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--doc", action="store_true", help="rewrite the table in docs/slack.md")
    args = parser.parse_args()
    if args.doc:
        before = json.loads((RESULTS / "slack-hostile-before.json").read_text())
        after = json.loads((RESULTS / "slack-hostile.json").read_text())
        text = DOC.read_text()
        start, end = text.index(BEGIN), text.index(END) + len(END)
        DOC.write_text(text[:start] + render(before, after) + text[end:])
        return
    sys.path.insert(0, str(REPO))
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    figures = measure(args.wait)
    figures["code"] = args.label or str(args.code or "this checkout")
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
