"""Load test for the Slack bot: N concurrent mentions, each answered exactly once in its thread.

Everything runs on 127.0.0.1: a fake Slack Web API (tests/fakes/slack_api.py), the real Bolt
app built by ``build_app`` with the real Assistant (extractive backend, the bundled digest),
served over HTTP (signed Events API requests) or Socket Mode (a local websocket).

Measured per mention:
  ack      request sent -> Slack got its acknowledgement (HTTP 200 / envelope ack); target p95 < 1 s
  eyes     request sent -> the :eyes: reaction reached Slack
  answer   request sent -> the final answer was posted in the thread
Checked: every thread got exactly one reply, in the right thread, and its cited titles equal
those of the same question asked directly (so no answer went to the wrong thread); Slack
retries of every event (X-Slack-Retry-Num / retry_attempt) were acknowledged and dropped.

    python benchmarks/slack_load.py                      # 50 mentions, HTTP mode, temp store
    python benchmarks/slack_load.py --mode socket --home ~/.local/share/paper-qa-assistant
    python benchmarks/slack_load.py --json               # one JSON object
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from slack_sdk import WebClient  # noqa: E402

from assistant import Assistant  # noqa: E402
from assistant.slack.app import build_app  # noqa: E402
from assistant.slack.runner import SlackHttpServer, socket_mode_handler  # noqa: E402
from tests.fakes.slack_api import (  # noqa: E402
    BOT_USER_ID,
    FakeSlack,
    FakeSocketMode,
    deliver,
    event_callback,
    mention_event,
)

SECRET = "load-test-signing-secret"
TIMEOUT = 300.0  # seconds: every wait in this script is bounded


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "max": round(max(values), 3) if values else float("nan"),
        "mean": round(statistics.fmean(values), 3) if values else float("nan"),
    }


def questions(assistant: Assistant, n: int) -> list[str]:
    """Questions about the first ``n`` indexed papers, by topic words of their titles."""
    papers = sorted(assistant.papers(), key=lambda p: p.title)[:n]
    return [f"What does the paper {p.title!r} propose?" for p in papers]


def cited(message: dict[str, Any]) -> list[str]:
    for block in message.get("blocks", []):
        if block["type"] == "context":
            text = "\n".join(e["text"] for e in block["elements"])
            if text.startswith("*Sources*"):
                return [line.split(". ", 1)[1] for line in text.splitlines()[1:]]
    return []


def run(n: int, mode: str, home: Path, workers: int, retries: bool) -> dict[str, Any]:
    assistant = Assistant(home=home, llm="extractive", slack_workers=workers)
    assistant.ensure_index()
    asked = questions(assistant, n)
    with FakeSlack() as slack, FakeSocketMode() as sock:
        slack.socket_url = sock.url
        client = WebClient(token=slack.bot_token, base_url=slack.base_url)
        app = build_app(assistant, client, signing_secret=SECRET, workers=workers)
        server = handler = None
        if mode == "http":
            server = SlackHttpServer(app, "127.0.0.1", 0, signing_secret=SECRET)
            server.start_background()
        else:
            handler = socket_mode_handler(app, slack.app_token)
            handler.connect()
            if not sock.connected.wait(30):
                raise SystemExit("no Socket Mode connection")

        channels = [f"C{i % 5}" for i in range(n)]  # 5 channels, several threads each
        tss = [slack.user_message(ch, f"<@{BOT_USER_ID}> {q}") for ch, q in zip(channels, asked)]
        sent_at: list[float] = [0.0] * n
        ack_s: list[float] = [0.0] * n
        statuses: list[int] = [0] * n
        start = threading.Barrier(n)

        def send(i: int) -> None:
            payload = event_callback(mention_event(channels[i], tss[i], asked[i]))
            start.wait(timeout=60)
            sent_at[i] = time.perf_counter()
            try:
                deliver_one(i, payload)
            except Exception as exc:  # counted as not acknowledged; Slack would retry
                statuses[i] = -1
                print(f"delivery {i} failed: {exc!r}", file=sys.stderr)

        def deliver_one(i: int, payload: dict[str, Any]) -> None:
            if mode == "http":
                d = deliver(server.url, payload, secret=SECRET, timeout=30)  # type: ignore[union-attr]
                statuses[i], ack_s[i] = d.status, d.seconds
                if retries:
                    deliver(server.url, payload, secret=SECRET, retry_num=1, timeout=30)  # type: ignore[union-attr]
            else:
                envelope = sock.send_events_api(payload)
                sock.wait_ack(envelope, timeout=30)
                statuses[i], ack_s[i] = 200, time.perf_counter() - sent_at[i]
                if retries:
                    sock.wait_ack(sock.send_events_api(payload, retry_attempt=1), timeout=30)

        t0 = time.perf_counter()
        senders = [threading.Thread(target=send, args=(i,)) for i in range(n)]
        for t in senders:
            t.start()
        for t in senders:
            t.join(timeout=TIMEOUT)

        def all_done() -> bool:
            done = {c.args.get("timestamp") for c in slack.calls_to("reactions.remove")}
            return all(ts in done for ts, s in zip(tss, statuses) if s == 200)

        slack.wait_for(all_done, timeout=TIMEOUT)
        wall = time.perf_counter() - t0
        time.sleep(1.0)  # a late duplicate would show up here

        posts = [c for c in slack.calls_to("chat.postMessage") if c.ok]
        eyes = {c.args["timestamp"]: c.at for c in slack.calls_to("reactions.add") if c.ok}
        answer_s, eyes_s, replies_per_thread, wrong = [], [], [], []
        for i, ts in enumerate(tss):
            mine = [c for c in posts if c.args.get("thread_ts") == ts]
            replies_per_thread.append(len(mine))
            if mine:
                answer_s.append(mine[-1].at - sent_at[i])
            if ts in eyes:
                eyes_s.append(eyes[ts] - sent_at[i])
        # the same questions asked directly: each thread must carry its own question's answer
        for i, ts in enumerate(tss):
            replies = slack.bot_replies(channels[i], ts)
            expected = [c.title for c in assistant.ask(asked[i]).citations]
            if len(replies) != 1 or cited(replies[0]) != expected:
                wrong.append(i)

        if server is not None:
            server.shutdown()
        if handler is not None:
            handler.close()

    return {
        "mode": mode,
        "mentions": n,
        "workers": workers,
        "retries_sent": n if retries else 0,
        "all_acked_200": all(s == 200 for s in statuses),
        "answered_exactly_once": all(r == 1 for r in replies_per_thread),
        "answers_matching_direct_ask": n - len(wrong),
        "ack_seconds": summary(ack_s),
        "eyes_seconds": summary(eyes_s),
        "answer_seconds": summary(answer_s),
        "wall_seconds": round(wall, 2),
        "ack_p95_under_1s": percentile(ack_s, 95) < 1.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=50, help="concurrent mentions (default 50)")
    parser.add_argument("--mode", choices=["http", "socket"], default="http")
    parser.add_argument("--home", type=Path, help="data directory (default: a temp one)")
    parser.add_argument("--workers", type=int, default=4, help="answer workers (default 4)")
    parser.add_argument("--no-retries", action="store_true", help="do not re-send each event")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if not 1 <= args.n <= 500:
        parser.error("-n must be between 1 and 500")
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp) / "home"
        result = run(args.n, args.mode, home, args.workers, not args.no_retries)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
